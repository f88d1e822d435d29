# shellcheck shell=bash
# shellcheck disable=SC2034 # the AC* variables are read through namerefs (local -n)
# Guest-side helpers for the e2e scenarios (sourced by /init inside the VM).
#
# Topology (all inside the VM, nothing leaves it):
#   netns cli: cli0 (CLI_MAC)  <-- veth -->  netns ac: ac0 (AC1_MAC), and ac1 (AC2_MAC), a macvlan on ac0
# AC 1 is a pppoe-server on ac0, AC 2 one on ac1: two access concentrators on one link with
# different MACs, AC-Names and Service-Names. The discovery capture runs on ac0, which sees
# the frames of both.

CLI_MAC=02:00:00:00:00:10
AC1_MAC=02:00:00:00:00:a1 AC1_NAME=ac-one AC1_SVC=isp-one AC1_LOCAL=192.0.2.1 AC1_POOL=192.0.2.10
AC2_MAC=02:00:00:00:00:a2 AC2_NAME=ac-two AC2_SVC=isp-two AC2_LOCAL=192.0.2.2 AC2_POOL=192.0.2.20
AC1_IF=ac0 AC2_IF=ac1
USER_NAME=test USER_PASS=test

PPPD_VER=$(cat /etc/pppd-version)
PLUGDIR=/usr/lib/pppd/$PPPD_VER
SYSLOG=/var/log/messages
IPUP_LOG=/run/e2e-ipup.log
# rp-pppoe 4.0 (trixie) runs sessions in the kernel; 3.15 (bookworm) has no kernel mode.
AC_KERNEL_MODE=0
pppoe-server -h 2>&1 | grep -q -- '-k ' && AC_KERNEL_MODE=1
# How users load the plugin on this pppd: the name its packages install and document.
case $PPPD_VER in
2.4.*) PLUGIN_WORD=rp-pppoe.so ;;
*) PLUGIN_WORD=pppoe.so ;;
esac

# The client pppd: Debian's, or one built against another libc (/etc/e2e-client-pppd, written by
# the host for the musl and uClibc guests); the AC side always runs Debian's.
CLIENT_PPPD=pppd
[ -s /etc/e2e-client-pppd ] && read -r CLIENT_PPPD </etc/e2e-client-pppd

upper() { echo "${1^^}"; }

# --- reports to the host ----------------------------------------------------------------------
# emit EVENT KEY=VALUE...: one line '@@E2E {"ev":"EVENT","KEY":"VALUE",...}' on the console, which
# the host (tests/vm/qemu.py) parses; every value is a JSON string. No subshell: forks are slow
# under emulation.
emit() {
	local line="{\"ev\":\"$1\"" kv v
	shift
	for kv in "$@"; do
		v=${kv#*=}
		v=${v//\\/\\\\}
		v=${v//\"/\\\"}
		v=${v//$'\n'/\\n}
		v=${v//$'\t'/\\t}
		v=${v//[[:cntrl:]]/?}
		line+=",\"${kv%%=*}\":\"$v\""
	done
	printf '@@E2E %s}\n' "$line"
}

# --- time -------------------------------------------------------------------------------------
# Under emulation every fork costs tens of ms: wait on wall-clock deadlines, never loop counts.
now_us() { NOW_US=${EPOCHREALTIME/./}; }
# up_cs: UP_CS = the guest's uptime in centiseconds (/proc/uptime, read by a builtin: a clock that
# no one sets, unlike the wall clock, which the router scenario moves past 2038 for a moment).
up_cs() {
	local up _r
	read -r up _r </proc/uptime
	UP_CS=$((10#${up%.*} * 100 + 10#${up#*.}))
}
# wait_until SECONDS CMD...: true as soon as CMD succeeds, false once SECONDS have passed (of
# uptime). Polls every 0.1 s: with `sleep`, or, once WAIT_TICK_FD is open on a FIFO nobody writes,
# with a read that times out (no process per poll; the benchmark's guest does that).
wait_until() {
	local end
	up_cs
	end=$((UP_CS + ${1%.*} * 100))
	shift
	while :; do
		"$@" && return 0
		up_cs
		[ "$UP_CS" -ge "$end" ] && return 1
		if [ -n "${WAIT_TICK_FD:-}" ]; then
			read -r -t 0.1 -u "$WAIT_TICK_FD" _ || true
		else
			sleep 0.1
		fi
	done
}
# Seconds since a NOW_US value, with one decimal.
secs_since() {
	now_us
	local d=$(((NOW_US - $1) / 100000))
	echo "$((d / 10)).$((d % 10))"
}

# --- guest setup ------------------------------------------------------------------------------

guest_setup() {
	local kver m
	kver=$(uname -r)
	while read -r m; do
		insmod "/usr/lib/modules/$kver/$m.ko" || echo "insmod $m failed"
	done <"/usr/lib/modules/$kver/order"
	[ -c /dev/ppp ] || mknod /dev/ppp c 108 0
	hostname e2e
	ip link set lo up
	syslogd -O "$SYSLOG" || return 1
	# Debian's /etc/ppp/options would add its own defaults: every pppd here starts empty.
	mkdir -p /etc/ppp
	: >/etc/ppp/options
	printf '%s * %s *\n' "$USER_NAME" "$USER_PASS" >/etc/ppp/pap-secrets
	cp /etc/ppp/pap-secrets /etc/ppp/chap-secrets
	chmod 600 /etc/ppp/pap-secrets /etc/ppp/chap-secrets
	cp /e2e/ip-up /etc/ppp/ip-up
	cp /e2e/ip-down /etc/ppp/ip-down
	chmod +x /etc/ppp/ip-up /etc/ppp/ip-down
	# OpenWrt's scripts live here; the OpenWrt command lines name them.
	mkdir -p /lib/netifd
	cp /e2e/ip-up /lib/netifd/ppp-up
	cp /e2e/ip-down /lib/netifd/ppp-down
	chmod +x /lib/netifd/ppp-up /lib/netifd/ppp-down
	# Debian's C plugin, kept aside: the AC side always uses it (ac.so), the client side swaps
	# between ours and the C plugin (c.so: Debian's, unless the host brought one built for the
	# client pppd's libc).
	mkdir -p /opt/e2e
	cp "$PLUGDIR/pppoe.so" /opt/e2e/ac.so
	[ -f /opt/e2e/c.so ] || [ -f /opt/e2e/no-c-plugin ] || cp "$PLUGDIR/pppoe.so" /opt/e2e/c.so
	ip netns add cli || return 1
	ip netns add ac || return 1
	if [ -n "${e2e_role:-}" ]; then
		# One side of a link between two VMs (tests/vm/e2e.py SPLIT): the guest's network device,
		# with the MAC the host gave it, is cli0 in netns cli (client) or ac0 in netns ac (AC).
		wait_until 5 test -e /sys/class/net/eth0 || return 1
		case $e2e_role in
		client) ip link set eth0 netns cli && ip -n cli link set eth0 name cli0 || return 1 ;;
		*) ip link set eth0 netns ac && ip -n ac link set eth0 name ac0 || return 1 ;;
		esac
	else
		ip link add cli0 netns cli address "$CLI_MAC" type veth peer name ac0 netns ac address "$AC1_MAC" || return 1
	fi
	if [ "${e2e_role:-ac}" = ac ]; then
		ip -n ac link add link ac0 name ac1 address "$AC2_MAC" type macvlan mode bridge || return 1
	fi
	ip -n cli link set lo up
	ip -n cli link set cli0 up 2>/dev/null
	ip -n ac link set lo up
	ip -n ac link set ac0 up 2>/dev/null
	ip -n ac link set ac1 up 2>/dev/null
	return 0
}

# Puts plugin "ours" or "c" in place of Debian's pppoe.so (rp-pppoe.so is a symlink to it).
use_plugin() {
	cp "/opt/e2e/$1.so" "$PLUGDIR/pppoe.so.new" && mv "$PLUGDIR/pppoe.so.new" "$PLUGDIR/pppoe.so"
}

# --- per-scenario state -----------------------------------------------------------------------

# S: the scenario's directory; FAILS: its failed assertions, one "[tag] message" a line.
scen_begin() {
	PLUGIN=$1
	S=/tmp/e2e/$1-$2
	rm -rf "$S"
	mkdir -p "$S"
	FAILS=$S/fails
	: >"$FAILS"
	: >"$IPUP_LOG"
	rm -f /etc/ppp/resolv.conf /etc/ppp/options.cli0
	# Stale-session records of earlier scenarios' pppds (killed by scen_cleanup) must not make
	# this scenario's pppd send PADTs for sessions that no longer exist.
	rm -rf /run/pppoe-rs
	SYSLOG_OFF=$(stat -c %s "$SYSLOG" 2>/dev/null || echo 0)
	CLIENT_PID='' CLIENT_RC='' CAP_PID='' AC_PIDS=() SESSION_ID='' AC_PPP_EXTRA=()
}
# figure KEY VALUE...: a measured figure, printed by the host beside the scenario's result
# (KEY: one word; VALUE: free text, e.g. "5.8 s").
figure() {
	local k=$1
	shift
	echo "$k $*" >>"$S/figures"
}
fail() {
	local tag=$1
	shift
	echo "[$tag] $*" >>"$FAILS"
}
failed() { [ -s "$FAILS" ]; }
# Syslog lines written since the scenario started (the AC side logs only there).
ac_syslog() { tail -c +$((SYSLOG_OFF + 1)) "$SYSLOG"; }

# Kills everything a scenario may have left running and waits until it is gone.
scen_cleanup() {
	local p
	[ -n "$CLIENT_PID" ] && kill -KILL "$CLIENT_PID" 2>/dev/null
	if [ -f "$S/bg.pids" ]; then
		while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$S/bg.pids"
	fi
	for p in "${AC_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	cap_stop
	for p in $(pidof pppd pppoe-server pppoe tcpdump 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	[ -n "$CLIENT_PID" ] && wait "$CLIENT_PID" 2>/dev/null
	for p in "${AC_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	wait_until 5 no_ppp_left || echo "warning: pppd processes or ppp interfaces left over"
	CLIENT_PID='' AC_PIDS=()
	rm -f /run/ppp*.pid /run/pppoe-wan.pid
	# What some scenarios change in the topology: put it back.
	if [ -f "$S/undo-netem" ]; then ip netns exec ac tc qdisc del dev ac0 root 2>/dev/null; fi
	if [ -f "$S/undo-mtu" ]; then
		ip -n ac link set ac0 mtu 1500
		ip -n cli link set cli0 mtu 1500
	fi
	# undo-macvlan: an `ip -batch` file that deletes them.
	if [ -f "$S/undo-macvlan" ]; then ip -n cli -force -batch "$S/undo-macvlan" 2>/dev/null; fi
	# undo-links: "NETNS DEVICE" lines, devices a scenario added (VLAN devices): deleted.
	if [ -f "$S/undo-links" ]; then
		local ns dev
		while read -r ns dev; do ip -n "$ns" link del "$dev" 2>/dev/null; done <"$S/undo-links"
	fi
}
# bg_track PID: a background helper of the scenario that scen_cleanup kills if it is still there.
bg_track() { echo "$1" >>"$S/bg.pids"; }
no_ppp_left() {
	[ -z "$(pidof pppd pppoe-server pppoe 2>/dev/null)" ] &&
		! ip -n cli -o link show 2>/dev/null | grep -q ': ppp\|: pppoe-' &&
		! ip -n ac -o link show 2>/dev/null | grep -q ': ppp'
}

# --- access concentrators ---------------------------------------------------------------------

# ac_start N AUTH [pppoe-server args...]: AC N (1 or 2) requiring AUTH (pap or chap).
ac_start() {
	local n=$1 auth=$2 opts=/run/e2e-ac-options
	shift 2
	local -n ifc=AC${n}_IF name=AC${n}_NAME svc=AC${n}_SVC loc=AC${n}_LOCAL pool=AC${n}_POOL
	# AC_PPP_EXTRA: more option lines for the AC-side pppd (e.g. "lcp-echo-interval 2").
	printf '%s\n' "require-$auth" lcp-restart\ 1 debug nodefaultroute 'ipparam ac' \
		${AC_PPP_EXTRA[@]+"${AC_PPP_EXTRA[@]}"} >"$opts"
	local args=(-F -I "$ifc" -C "$name" -S "$svc" -L "$loc" -R "$pool" -N 4 -O "$opts")
	[ "$AC_KERNEL_MODE" = 1 ] && args+=(-k -g /opt/e2e/ac.so)
	ip netns exec ac pppoe-server "${args[@]}" "$@" </dev/null >"$S/ac$n.out" 2>&1 &
	AC_PIDS+=($!)
	# Ready once its discovery socket (packet socket for 0x8863) is open.
	wait_until 5 ac_ready "${#AC_PIDS[@]}" || fail setup "pppoe-server $n did not start: $(cat "$S/ac$n.out")"
}
ac_ready() { [ "$(grep -c ' 8863 ' /proc/"${AC_PIDS[0]}"/net/packet 2>/dev/null)" -ge "$1" ]; }
# The AC-side pppd of the current session (child of a pppoe-server).
ac_pppd_pids() { children_named pppd "${AC_PIDS[@]}"; }
# children_named COMM PID...: processes named COMM whose parent is one of the PIDs.
children_named() {
	local want=$1 f st comm ppid parents
	shift
	parents=" $* "
	for f in /proc/[0-9]*/stat; do
		read -r st <"$f" 2>/dev/null || continue
		comm=${st#*(}
		comm=${comm%%)*}
		[ "$comm" = "$want" ] || continue
		ppid=${st##*) }
		ppid=${ppid#* }
		ppid=${ppid%% *}
		case $parents in *" $ppid "*) echo "${st%% *}" ;; esac
	done
}

# --- discovery capture ------------------------------------------------------------------------

# A big capture buffer (-B, KiB) and a snapshot length that fits any discovery frame (-s): the
# kernel drops what does not fit when tcpdump is starved of CPU (32 sessions starting at once
# on a loaded host lost PADIs and PADRs with the defaults). CAP_NS, CAP_IF and CAP_FILTER capture
# elsewhere (default: netns ac, ac0, 'ether proto 0x8863').
cap_start() {
	ip netns exec "${CAP_NS:-ac}" tcpdump -Z root -i "${CAP_IF:-ac0}" -n -U --immediate-mode -B 8192 -s 1600 -w "$S/disc.pcap" \
		"${CAP_FILTER:-ether proto 0x8863}" \
		</dev/null >/dev/null 2>"$S/tcpdump.err" &
	CAP_PID=$!
	wait_until 5 grep -qs 'listening on' "$S/tcpdump.err" || fail setup "tcpdump did not start: $(cat "$S/tcpdump.err")"
}
cap_stop() {
	[ -n "$CAP_PID" ] || return 0
	sleep 0.2
	kill -INT "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=
	tcpdump -Z root -r "$S/disc.pcap" -n -e -vv 2>/dev/null >"$S/disc.txt"
}
# cap_snapshot: decodes what the running capture has written so far into $S/disc.txt, with
# Unix timestamps (-tt) so that gaps between frames can be measured.
cap_snapshot() {
	sleep 0.2
	tcpdump -Z root -r "$S/disc.pcap" -tt -n -e -vv 2>/dev/null >"$S/disc.txt"
}
# cap_times REGEX: the Unix times of the decoded frames matching REGEX, one a line.
cap_times() { grep -E "$1" "$S/disc.txt" 2>/dev/null | awk '{ print $1 }'; }
# cap_count REGEX: number of decoded discovery frames matching REGEX (one frame a line).
cap_count() {
	local n
	n=$(grep -c -E "$1" "$S/disc.txt" 2>/dev/null)
	echo "${n:-0}"
}
# A frame's line from MAC: "02:00:00:00:00:10 > ff:ff:ff:ff:ff:ff, ethertype PPPoE D (0x8863),
# length 32: PPPoE PADI [Service-Name] [Host-Uniq 0xC0FFEE01]"
from() { echo "^[0-9:.]+ $1 > "; }

# --- the client pppd --------------------------------------------------------------------------

# Options every scenario's client uses, the same for both plugins.
client_base_opts() {
	CLIENT_BASE=(nodetach debug logfile "$S/pppd.log" lcp-restart 1 noauth noipdefault nodefaultroute
		lcp-echo-interval 1 lcp-echo-failure 3 user "$USER_NAME" password "${CLIENT_PASS:-$USER_PASS}" ipparam e2e)
}
# client_start [pppd words...]: pppd with the base options, then "plugin <name>" and the words.
client_start() {
	client_base_opts
	client_start_raw "${CLIENT_BASE[@]}" plugin "$PLUGIN_WORD" "$@"
}
# client_start_raw WORDS...: pppd with exactly these words (logfile added if missing).
client_start_raw() {
	echo "pppd $*" >>"$S/pppd.cmd"
	ip netns exec cli "$CLIENT_PPPD" "$@" </dev/null >>"$S/pppd.out" 2>&1 &
	CLIENT_PID=$!
	echo "$CLIENT_PID" >>"$S/client.pids"
	CLIENT_RC=
}
client_alive() { [ -n "$CLIENT_PID" ] && kill -0 "$CLIENT_PID" 2>/dev/null; }
# Reaps the client if it has exited; sets CLIENT_RC (128+N for signal N).
client_reap() {
	client_alive && return 1
	if [ -n "$CLIENT_PID" ]; then
		wait "$CLIENT_PID"
		CLIENT_RC=$?
		CLIENT_PID=
	fi
	return 0
}
# client_wait_exit SECONDS: true once the client has exited (CLIENT_RC set).
client_wait_exit() { wait_until "$1" client_reap; }
# client_stop: SIGTERM and wait; asserts the normal-stop exit code 5.
client_stop() {
	[ -n "$CLIENT_PID" ] || return 0
	kill -TERM "$CLIENT_PID" 2>/dev/null
	if ! client_wait_exit 10; then
		fail stop "pppd still running 10 s after SIGTERM"
		kill -KILL "$CLIENT_PID"
		client_reap
		return
	fi
	[ "$CLIENT_RC" = 5 ] || fail stop "pppd exited $CLIENT_RC after SIGTERM, want 5"
}
# client_expect_exit SECONDS CODE: the client ends by itself with CODE, not by a signal.
client_expect_exit() {
	if ! client_wait_exit "$1"; then
		fail exit "pppd still running after $1 s, want exit $2"
		kill -KILL "$CLIENT_PID"
		client_reap
		return 1
	fi
	if [ "$CLIENT_RC" -ge 128 ]; then
		fail crash "pppd died from signal $((CLIENT_RC - 128)), want exit $2"
	elif [ "$CLIENT_RC" != "$2" ]; then
		fail exit "pppd exited $CLIENT_RC, want $2"
	fi
}
client_log() { cat "$S/pppd.log" "$S/pppd.out" 2>/dev/null; }
client_log_has() { client_log | grep -q -E "$1"; }

# Number of ip-up runs of client pppds (the AC-side pppd has ipparam "ac").
ipup_count() {
	local n
	n=$(grep -c -v '^ipparam=ac ' "$IPUP_LOG" 2>/dev/null)
	echo "${n:-0}"
}
# ipup_field N KEY: KEY of the Nth client ip-up record.
ipup_field() {
	grep -v '^ipparam=ac ' "$IPUP_LOG" | sed -n "${1}p" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# client_wait_up SECONDS [N]: true once the Nth client session is up (ip-up has run N times).
client_wait_up() {
	local n=${2:-1}
	wait_until "$1" ipup_reached "$n"
}
ipup_reached() { [ "$(ipup_count)" -ge "$1" ] || ! client_alive; }

# check_session AC [IFNAME] [N]: the Nth session of the client is up through AC (1 or 2) on
# IFNAME (default ppp0, "" for any) and works: ip-up got the right addresses and MACREMOTE (and
# ACNAME if CHECK_ACNAME=1), MTU and MRU are 1492 (WANT_MTU=1500: the MTU is 1500 and pppd did
# not ask for a smaller MRU; any other WANT_MTU: that MTU, and pppd asked for that MRU), ping works both ways, the log names the
# session (unless SESSION_ID_KNOWN gives it) and the AC. Sets SESSION_ID. The client gets the
# first address of the AC's pool, or with ANY_POOL=1 (a later session) any of its 4 addresses.
check_session() {
	local n=$1 ifname=${2-ppp0} k=${3:-1}
	local -n mac=AC${n}_MAC name=AC${n}_NAME loc=AC${n}_LOCAL pool=AC${n}_POOL
	if ! client_wait_up 20 "$k" || ! client_alive; then
		client_reap
		fail up "session $k not up within 20 s ($([ -n "$CLIENT_RC" ] && echo "pppd exited $CLIENT_RC" || echo "pppd still running"))"
		return 1
	fi
	local v
	v=$(ipup_field "$k" ifname)
	if [ -z "$ifname" ]; then
		ifname=$v
	elif [ "$v" != "$ifname" ]; then
		fail ipup "ip-up interface '$v', want $ifname"
	fi
	local addr
	addr=$(ipup_field "$k" local)
	if [ "${ANY_POOL:-0}" = 1 ]; then
		if ! [ "${addr%.*}" = "${pool%.*}" ] || ! [ "${addr##*.}" -ge "${pool##*.}" ] ||
			! [ "${addr##*.}" -lt $((${pool##*.} + 4)) ]; then
			fail ipup "ip-up local address '$addr', not in the pool of AC $n"
		fi
	else
		[ "$addr" = "$pool" ] || fail ipup "ip-up local address '$addr', want $pool"
	fi
	v=$(ipup_field "$k" remote)
	[ "$v" = "$loc" ] || fail ipup "ip-up remote address '$v', want $loc"
	v=$(ipup_field "$k" macremote)
	[ "$v" = "$(upper "$mac")" ] || fail macremote "ip-up MACREMOTE '$v', want $(upper "$mac")"
	if [ "${CHECK_ACNAME:-0}" = 1 ]; then
		v=$(ipup_field "$k" acname)
		[ "$v" = "$name" ] || fail acname "ip-up ACNAME '$v', want $name"
	fi
	if [ -n "${SESSION_ID_KNOWN:-}" ]; then
		SESSION_ID=$SESSION_ID_KNOWN
	else
		SESSION_ID=$(sed -n 's/.*PPP session is \([0-9][0-9]*\).*/\1/p' "$S/pppd.log" | sed -n "${k}p")
		[ -n "$SESSION_ID" ] || fail log "no 'PPP session is N' (session $k) in the pppd log"
	fi
	client_log_has "Connected to $(upper "$mac") via interface cli0|Connected to $mac via interface cli0" ||
		fail log "no 'Connected to $(upper "$mac") via interface cli0' in the pppd log"
	local want=${WANT_MTU:-1492}
	if [ "$want" = 1492 ]; then
		client_log_has 'sent \[LCP ConfReq .*<mru 1492>' || fail mru "pppd did not ask for MRU 1492"
	elif [ "$want" != 1500 ]; then
		client_log_has "sent \[LCP ConfReq .*<mru $want>" || fail mru "pppd did not ask for MRU $want"
	else
		# pppd leaves out an MRU equal to its default of 1500.
		! client_log_has 'sent \[LCP ConfReq .*<mru 1[0-9]{3}>' ||
			fail mru "pppd asked for a smaller MRU: $(client_log | grep -E -o 'sent \[LCP ConfReq .*<mru [0-9]+>' | sed -n 1p)"
	fi
	ip -n cli -o link show dev "$ifname" 2>/dev/null | grep -q " mtu $want " ||
		fail mtu "$ifname MTU is not $want: $(ip -n cli -o link show dev "$ifname" 2>&1)"
	ip -n cli -o addr show dev "$ifname" 2>/dev/null | grep -q "inet $addr peer $loc/32" ||
		fail addr "$ifname has not $addr peer $loc: $(ip -n cli -o addr show dev "$ifname" 2>&1)"
	ip netns exec cli ping -c 1 -W 3 "$loc" >"$S/ping1.out" 2>&1 ||
		fail ping "client cannot ping the AC ($loc): $(tail -n 2 "$S/ping1.out")"
	# (A client VM of a scenario run as two VMs has no AC beside it to ping from.)
	if [ "${e2e_role:-}" != client ]; then
		ip netns exec ac ping -c 1 -W 3 "$addr" >"$S/ping2.out" 2>&1 ||
			fail ping "AC cannot ping the client ($addr): $(tail -n 2 "$S/ping2.out")"
	fi
	return 0
}

# check_discovery AC: the capture shows PADI, PADO, PADR from/to the right MACs and a PADS
# with the session id that pppd logged.
check_discovery() {
	local n=$1
	local -n mac=AC${n}_MAC
	[ "$(cap_count "$(from "$CLI_MAC")ff:ff:ff:ff:ff:ff.* PADI")" -ge 1 ] || fail capture "no PADI from the client"
	[ "$(cap_count "$(from "$CLI_MAC")$mac.* PADR")" -ge 1 ] || fail capture "no PADR from the client to $mac"
	if [ -n "$SESSION_ID" ]; then
		[ "$(cap_count "$(from "$mac")$CLI_MAC.* PADS \[ses $(printf '0x%x' "$SESSION_ID")\]")" -ge 1 ] ||
			fail capture "no PADS from $mac with session $SESSION_ID"
	fi
}

# --- results ----------------------------------------------------------------------------------

evidence() {
	echo "----- client command line"
	cat "$S/pppd.cmd" 2>/dev/null
	echo "----- client pppd log (logfile, then stdout/stderr)"
	cat "$S/pppd.log" 2>/dev/null
	echo "-----"
	cat "$S/pppd.out" 2>/dev/null
	echo "----- AC syslog (pppoe-server, the AC-side pppd; the client pppd's lines left out)"
	local pids
	pids=$(tr '\n' '|' <"$S/client.pids" 2>/dev/null)
	ac_syslog | grep -v -E "pppd\[(${pids%|})\]:"
	echo "----- ip-up records"
	cat "$IPUP_LOG" 2>/dev/null
	if [ -f "$S/multi.pids" ]; then
		# Many pppds: the first one's log, and those of up to 3 that did not exit 5.
		local p rc i=0 shown=" 1 "
		echo "----- exit codes of the pppds (pid code)"
		cat "$S/multi.rc" 2>/dev/null
		while read -r p rc; do
			[ "$rc" = 5 ] && continue
			i=$(grep -n -x "$p" "$S/multi.pids" | cut -d: -f1)
			[ -n "$i" ] && [ "${#shown}" -lt 12 ] && shown+="$i "
		done <"$S/multi.rc"
		for i in $shown; do
			echo "----- pppd $i log"
			cat "$S/pppd-$i.log" "$S/pppd-$i.out" 2>/dev/null
		done
	fi
	if [ -f "$S/status.seen" ]; then
		echo "----- status documents seen"
		cat "$S/status.seen"
	fi
	if [ -f "$S/check.out" ]; then
		echo "----- pppoe-check output"
		cat "$S/check.out"
	fi
	echo "----- discovery capture on ac0 (tcpdump -e -n -vv -XX, ether proto 0x8863); the capture's own report:"
	grep -v '^listening on' "$S/tcpdump.err" 2>/dev/null
	tcpdump -Z root -r "$S/disc.pcap" -n -e -vv -XX 2>&1
	# A scenario's own evidence files (NAME.evidence), e.g. log-parity's logs side by side.
	local f
	for f in "$S"/*.evidence; do
		[ -f "$f" ] || continue
		echo "----- ${f##*/}"
		cat "$f"
	done
	if [ -f "$S/trace" ]; then
		echo "----- trace (e2e_trace=1)"
		cat "$S/trace"
	fi
}

# run_one PLUGIN SCENARIO: runs a scenario in a subshell with its own deadline and reports.
# Scenarios of features the C plugin does not have (OURS_ONLY) report N/A for it, unrun.
run_one() {
	local plugin=$1 name=$2 t0 pid res
	if [ "$plugin" != ours ] && [[ " $OURS_ONLY " == *" $name "* ]]; then
		emit result "plugin=$plugin" "scenario=$name" result=N/A secs=0.0 "fails=not a feature of this plugin"
		return
	fi
	scen_begin "$plugin" "$name"
	now_us
	t0=$NOW_US
	(
		if [ -n "${e2e_trace:-}" ]; then
			# e2e_trace=1 (scripts/e2e: E2E_TRACE=1): every command with its time, in the evidence.
			exec 7>>"$S/trace"
			BASH_XTRACEFD=7
			PS4='+ ${EPOCHREALTIME} '
			set -x
		fi
		"s_${name//[-.]/_}"
		cap_stop
	) &
	pid=$!
	# Every wait inside a scenario has its own deadline; this one catches what they miss.
	local dl=${e2e_deadline:-${DEADLINES[$name]:-90}}
	if ! wait_until "$dl" eval '! kill -0 '"$pid"' 2>/dev/null'; then
		kill -KILL "$pid" 2>/dev/null
		fail timeout "scenario still running after $dl s"
	fi
	wait "$pid" 2>/dev/null
	scen_cleanup
	if failed; then res=FAIL; else res=PASS; fi
	local k v
	if [ -f "$S/figures" ]; then
		while read -r k v; do emit figure "plugin=$plugin" "scenario=$name" "key=$k" "value=$v"; done <"$S/figures"
	fi
	emit result "plugin=$plugin" "scenario=$name" "result=$res" "secs=$(secs_since "$t0")" "fails=$(cat "$FAILS")"
	if [ "$res" = FAIL ] || [ -n "${e2e_trace:-}" ]; then
		emit evidence-begin "plugin=$plugin" "scenario=$name"
		evidence 2>&1 | sed 's/^/  | /'
		emit evidence-end "plugin=$plugin" "scenario=$name"
	fi
}

# --- status file (pppoe-status-file) ----------------------------------------------------------

# json_valid TEXT: true if TEXT is exactly one JSON value (RFC 8259) with optional surrounding
# white space. A small recursive-descent checker in bash: busybox has no jq.
json_valid() {
	JS=$1 JP=0
	_json_ws
	_json_value || return 1
	_json_ws
	[ "$JP" -eq "${#JS}" ]
}
_json_ws() {
	[[ ${JS:JP} =~ ^[[:space:]]* ]]
	JP=$((JP + ${#BASH_REMATCH[0]}))
}
_JSON_STR='^"([^"\\[:cntrl:]]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
_JSON_LIT='^(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?|true|false|null)'
_json_string() {
	[[ ${JS:JP} =~ $_JSON_STR ]] || return 1
	JP=$((JP + ${#BASH_REMATCH[0]}))
}
_json_value() {
	case ${JS:JP:1} in
	'{')
		JP=$((JP + 1))
		_json_ws
		if [ "${JS:JP:1}" = '}' ]; then
			JP=$((JP + 1))
			return 0
		fi
		while :; do
			_json_ws
			_json_string || return 1
			_json_ws
			[ "${JS:JP:1}" = : ] || return 1
			JP=$((JP + 1))
			_json_ws
			_json_value || return 1
			_json_ws
			case ${JS:JP:1} in
			,) JP=$((JP + 1)) ;;
			'}')
				JP=$((JP + 1))
				return 0
				;;
			*) return 1 ;;
			esac
		done
		;;
	'[')
		JP=$((JP + 1))
		_json_ws
		if [ "${JS:JP:1}" = ']' ]; then
			JP=$((JP + 1))
			return 0
		fi
		while :; do
			_json_ws
			_json_value || return 1
			_json_ws
			case ${JS:JP:1} in
			,) JP=$((JP + 1)) ;;
			']')
				JP=$((JP + 1))
				return 0
				;;
			*) return 1 ;;
			esac
		done
		;;
	'"') _json_string ;;
	*)
		[[ ${JS:JP} =~ $_JSON_LIT ]] || return 1
		JP=$((JP + ${#BASH_REMATCH[0]}))
		;;
	esac
}

STATUS_FILE=/run/e2e-status.json
# status_watch: in the background, polls $STATUS_FILE every 20 ms (no inotify, no fork per
# poll: bash builtins only) and appends every new document to $S/status.seen.
status_watch() {
	rm -f "$STATUS_FILE" "$S/status.seen"
	mkfifo "$S/tick"
	(
		exec 8<>"$S/tick"
		local doc last=''
		while :; do
			if [ -f "$STATUS_FILE" ]; then
				doc=
				{ IFS= read -r doc || true; } 2>/dev/null <"$STATUS_FILE"
				if [ -n "$doc" ] && [ "$doc" != "$last" ]; then
					printf '%s\n' "$doc" >>"$S/status.seen"
					last=$doc
				fi
			fi
			read -r -t 0.02 -u 8 _ || true
		done
	) &
	STATUS_WATCH_PID=$!
	bg_track "$STATUS_WATCH_PID"
}
status_watch_stop() {
	sleep 0.1
	kill "$STATUS_WATCH_PID" 2>/dev/null
	wait "$STATUS_WATCH_PID" 2>/dev/null
}
# status_states: the states seen, in order, repeats collapsed, one line ("discovering up ...").
status_states() {
	local line st last='' out=()
	while IFS= read -r line; do
		[[ $line =~ \"state\":\"([a-z-]+)\" ]] || continue
		st=${BASH_REMATCH[1]}
		[ "$st" = "$last" ] || out+=("$st")
		last=$st
	done <"$S/status.seen"
	echo "${out[*]}"
}
# status_doc STATE: the last document seen in STATE.
status_doc() { grep "\"state\":\"$1\"" "$S/status.seen" 2>/dev/null | tail -n 1; }
# status_check_docs PID: every document seen is valid JSON with the common fields.
status_check_docs() {
	local pid=$1 doc n=0
	[ -s "$S/status.seen" ] || {
		fail status "no status document was ever seen at $STATUS_FILE"
		return 1
	}
	while IFS= read -r doc; do
		n=$((n + 1))
		json_valid "$doc" || fail json "document $n is not valid JSON: $doc"
		[[ $doc =~ ^\{\"state\":\"[a-z-]+\",\"time\":[0-9]+\.[0-9]{3},\"pid\":$pid,\"interface\":\"cli0\"[,}] ]] ||
			fail status "document $n lacks state/time/pid $pid/interface cli0: $doc"
		# An exit code is one of pppd's (0-21), never a placeholder.
		if [[ $doc =~ \"exit_code\":(-?[0-9]+) ]] && { [ "${BASH_REMATCH[1]}" -lt 0 ] || [ "${BASH_REMATCH[1]}" -gt 21 ]; }; then
			fail status "document $n has exit_code ${BASH_REMATCH[1]}: $doc"
		fi
	done <"$S/status.seen"
}
# status_expect STATE FIELD...: the last document in STATE has every FIELD (exact JSON text,
# e.g. '"exit_code":19'; letter case aside, for MAC addresses).
status_expect() {
	local st=$1 doc f
	shift
	doc=$(status_doc "$st")
	if [ -z "$doc" ]; then
		fail status "no '$st' document seen (states: $(status_states))"
		return 1
	fi
	for f in "$@"; do
		case ${doc,,} in *"${f,,}"*) ;; *) fail status "'$st' document without $f: $doc" ;; esac
	done
}
