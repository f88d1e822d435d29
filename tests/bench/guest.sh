# shellcheck shell=bash
# Guest side of scripts/bench: sourced by the e2e guest's /init with e2e_mode=shell (as
# /e2e/shell.sh), after /e2e/lib.sh and the guest setup (namespaces cli and ac, veth cli0 <-> ac0).
#
# Measures our plugin ("ours") against Debian's C plugin ("c") on this pppd, alternately in this
# one boot (warm-up ours, c; then ours, c, ours, c, ...), so that drift of the machine cancels.
# Each iteration is one pppd with `persist holdoff 0 maxfail 0`:
#   start -> session up (ip-up): discovery times from the AC-side capture, memory and CPU time of
#   pppd read by ip-up; then the AC-side pppd is killed (pppoe-server sends PADT) -> the session
#   comes back (second ip-up); then SIGTERM.
# Nothing is judged here: raw timestamps go to the console as "bench-run" events (emit, lib.sh:
# one JSON object a line) and the host (scripts/bench, tests/vm/bench.py) computes the figures.
#
# Then, in the same boot, also alternately:
#   stale-session recovery (bench_stale_iter): an AC allowing one session per client MAC
#   (pppoe-server -x 1), a session up, its pppd killed with SIGKILL and started again with the
#   same options; the times from that restart to PADT, PADI, PADS and ip-up. Our plugin finds the
#   record the killed pppd left in /var/run/pppoe-rs and ends the stale session with a PADT; the
#   C plugin can only wait until the AC has timed the old session out.
#   many sessions (bench_multi_iter): N pppds started at once against one AC, one per macvlan
#   device (distinct MACs) or all on cli0; the guest time until all are up and the CPU time of
#   all of them (schedstat) until then.
#
# Kernel command-line words (environment): bench_n=N measured iterations per plugin (default 10),
# bench_budget=SECONDS after which no new iteration starts (default 300), bench_stale=R
# stale-session repetitions per plugin (default 3, 0: none), bench_multi=N,N,... numbers of
# pppds (default 8,32,64, 0: none), bench_multi_if=macvlan,one which multi-session variants
# (default both), bench_multi_wait=SECONDS longest wait for all sessions of a run (default 90),
# bench_deadline=HOST-SECONDS after which no stale-session or many-sessions run starts.

BENCH_IPUP_LOG=/run/bench-ipup.log
BENCH_CAP=/run/bench-cap.txt

# ip-up for the benchmark: runs as pppd's child right when the session is up and records, for the
# client pppd (ipparam bench), the time and pppd's memory and CPU time at that moment. busybox sh:
# it starts faster than bash and has EPOCHREALTIME.
bench_install_ipup() {
	cat >/etc/ppp/ip-up <<'EOF'
#!/bin/sh
t=$EPOCHREALTIME
[ "$6" = bench ] || exit 0
p=${PPPD_PID:-$PPID}
ifn=$1
hwm=- rss=- ns=-
while read -r k v _; do
	case $k in
	VmHWM:) hwm=$v ;;
	VmRSS:) rss=$v ;;
	esac
done </proc/$p/status
read -r ns _ </proc/$p/schedstat
read -r st </proc/$p/stat
set -- ${st##*) }
echo "$p $t $hwm $rss ${12} ${13} $ns $ifn" >>/run/bench-ipup.log
EOF
	chmod +x /etc/ppp/ip-up
	: >/etc/ppp/ip-down
	printf '#!/bin/sh\n' >/etc/ppp/ip-down
	chmod +x /etc/ppp/ip-down
}

# The discovery capture on the AC side, for the whole run: one decoded line a frame, with the
# kernel's capture time (tcpdump -tt), written as soon as the frame is seen (-l, immediate mode).
bench_cap_start() {
	ip netns exec ac tcpdump -Z root -i ac0 -n -e -tt -l --immediate-mode -B 8192 -s 1600 'ether proto 0x8863' \
		</dev/null >"$BENCH_CAP" 2>/run/bench-cap.err &
	BENCH_CAP_PID=$!
	wait_until 5 grep -qs 'listening on' /run/bench-cap.err
}

# ipup_rec PID N: the Nth ip-up record of pppd PID ("pid t hwm rss utime stime ns ifname").
ipup_rec() { awk -v p="$1" -v n="$2" '$1 == p && ++k == n { print; exit }' "$BENCH_IPUP_LOG" 2>/dev/null; }
ipup_has() { [ -n "$(ipup_rec "$1" "$2")" ] || ! kill -0 "$1" 2>/dev/null; }

# bench_pppd DIR WORDS...: one client pppd on cli0 with the benchmark's options, WORDS before
# the plugin; sets CLIENT_PID. pppd starts in the client namespace; the shell notes the time in
# DIR/t0 right before it execs pppd.
bench_pppd() {
	local d=$1
	shift
	# shellcheck disable=SC2016 # expanded by that shell
	ip netns exec cli /bin/sh -c 'echo "$EPOCHREALTIME" >"$0"; exec /usr/sbin/pppd "$@"' "$d/t0" \
		nodetach logfile "$d/pppd.log" lcp-restart 1 noauth noipdefault nodefaultroute \
		lcp-echo-interval 1 lcp-echo-failure 3 user "$USER_NAME" password "$USER_PASS" ipparam bench \
		"$@" plugin "$PLUGIN_WORD" nic-cli0 </dev/null >"$d/pppd.out" 2>&1 &
	CLIENT_PID=$!
}

# The AC side has nothing left of the previous session (its pppd gone, no ppp device on the client).
ac_idle() { [ -z "$(ac_pppd_pids)" ] && ! ip -n cli -o link show 2>/dev/null | grep -q ': ppp'; }

# bench_note TEXT: a note for the report ("Notes from the guest").
bench_note() { emit bench-note "text=$*"; }
# bench_note_tail N FILE...: the last N lines of the files (tail's headers too), as notes.
bench_note_tail() {
	local n=$1 line
	shift
	tail -n "$n" "$@" 2>/dev/null | while IFS= read -r line; do emit bench-note "text=  $line"; done
}

# bench_iter PLUGIN I: one iteration; emits one "bench-run" event.
bench_iter() {
	local plugin=$1 i=$2 d t0 tkill='' pid r1 r2 rc='' caps
	d=/tmp/bench/$plugin-$i
	mkdir -p "$d"
	use_plugin "$plugin"
	bench_pppd "$d" persist holdoff 0 maxfail 0
	pid=$CLIENT_PID
	wait_until 20 ipup_has "$pid" 1
	r1=$(ipup_rec "$pid" 1)
	if [ -n "$r1" ]; then
		# The AC ends the session: its pppd is killed, pppoe-server sends PADT; pppd redials.
		now_us
		tkill=${NOW_US:0:-6}.${NOW_US: -6}
		if ac_hangup; then
			wait_until 20 ipup_has "$pid" 2
		fi
	fi
	r2=$(ipup_rec "$pid" 2)
	if client_alive; then
		kill -TERM "$pid" 2>/dev/null
		if ! client_wait_exit 10; then
			kill -KILL "$pid" 2>/dev/null
			client_reap
		fi
	else
		client_reap
	fi
	rc=${CLIENT_RC:-}
	wait_until 5 ac_idle
	t0=$(cat "$d/t0" 2>/dev/null)
	# Discovery frames of this iteration from the capture: the first of each kind after t0, and
	# after the hangup the AC's PADT and the next PADI and PADS.
	caps=$(awk -v t0="${t0:-0}" -v tk="${tkill:-0}" -v cli="$CLI_MAC" '
		$1 + 0 < t0 + 0 { next }
		{
			if (!match($0, /PPPoE PAD[IORST]/)) next
			ty = substr($0, RSTART + 6, 4); src = $2; dst = $4; sub(/,$/, "", dst)
			if (tk + 0 > 0 && $1 + 0 >= tk + 0) {
				if (ty == "PADT" && dst == cli && padt == "") padt = $1
				else if (padt != "" && ty == "PADI" && src == cli && padi2 == "") padi2 = $1
				else if (padt != "" && ty == "PADS" && dst == cli && pads2 == "") pads2 = $1
				next
			}
			if (ty == "PADI" && src == cli && padi == "") padi = $1
			else if (ty == "PADO" && dst == cli && pado == "") pado = $1
			else if (ty == "PADR" && src == cli && padr == "") padr = $1
			else if (ty == "PADS" && dst == cli && pads == "") pads = $1
		}
		END { printf "padi=%s pado=%s padr=%s pads=%s padt=%s padi2=%s pads2=%s", padi, pado, padr, pads, padt, padi2, pads2 }
	' "$BENCH_CAP")
	# shellcheck disable=SC2086 # split the records into fields
	set -- $r1
	local up=${2:-} hwm=${3:-} rss=${4:-} ut=${5:-} st=${6:-} ns=${7:-}
	# shellcheck disable=SC2086
	set -- $r2
	# shellcheck disable=SC2086 # $caps: k=v words
	emit bench-run "p=$plugin" "i=$i" "pid=$pid" "t0=$t0" $caps "up=$up" "hwm=$hwm" "rss=$rss" "utime=$ut" "stime=$st" "ns=$ns" \
		"kill=$tkill" "up2=${2:-}" "hwm2=${3:-}" "rss2=${4:-}" "rc=$rc"
	if [ -z "$r1" ] || [ -z "$r2" ]; then
		bench_note "$plugin iteration $i incomplete (session ${r1:+up}${r1:-not up}, reconnect ${r2:+up}${r2:-not up}); pppd log:"
		bench_note_tail 15 "$d/pppd.log" "$d/pppd.out"
	fi
	CLIENT_PID=''
}

# --- polling without forks -------------------------------------------------------------------

# wait_until (tests/e2e/lib.sh) pauses with a read on this FIFO, which nobody writes, instead of
# a `sleep` process per poll; with the builtin-only checks below, the waiting shell takes little
# guest CPU from the pppds being measured.
bench_tick_open() {
	mkfifo /run/bench-tick
	# shellcheck disable=SC2034 # read by wait_until (tests/e2e/lib.sh)
	exec {WAIT_TICK_FD}<>/run/bench-tick
}
# ipup_seen PID: true once pppd PID has an ip-up record, or has exited.
ipup_seen() {
	local p _r
	kill -0 "$1" 2>/dev/null || return 0
	while read -r p _r; do [ "$p" = "$1" ] && return 0; done <"$BENCH_IPUP_LOG"
	return 1
}
# bench_stamp: STAMP = the guest clock in seconds with 6 decimals, as EPOCHREALTIME and tcpdump -tt
# print it.
bench_stamp() { STAMP=$EPOCHREALTIME; }

# --- the host's deadline ----------------------------------------------------------------------

# The guest clock counts instructions, not the host's time; the RTC (qemu's default clock=host)
# does: /sys/class/rtc/rtc0/since_epoch is the host's time in seconds. bench_deadline (host
# seconds since the epoch, from scripts/bench) is when no new stale-session or many-sessions run
# may start, so that the whole benchmark ends in its wall-clock budget however loaded the host
# is; a run not started is reported as such.
host_now() {
	HOST_NOW=
	read -r HOST_NOW </sys/class/rtc/rtc0/since_epoch 2>/dev/null
}
# bench_may_start WHAT...: true if the deadline has not passed; else emits "bench-skipped" WHAT.
bench_may_start() {
	[ -n "${bench_deadline:-}" ] || return 0
	host_now
	[ -z "$HOST_NOW" ] || [ "$HOST_NOW" -lt "$bench_deadline" ] && return 0
	emit bench-skipped "what=$*"
	return 1
}

# --- stale-session recovery -------------------------------------------------------------------

STALE_DIR=/var/run/pppoe-rs
# Longest wait for the restarted pppd's session: the C plugin's third PADI goes out 15 s after
# the restart (5 s, then 10 s timeouts), after the AC has timed the old session out.
STALE_WAIT=40

# bench_stale_iter PLUGIN I: one stale-session recovery from a clean AC (a new pppoe-server with
# -x 1, no records in /var/run/pppoe-rs); emits one "bench-stale" event.
bench_stale_iter() {
	local plugin=$1 i=$2 d pid1 pid2='' r2='' t1='' rec=- caps rc=''
	# scen_begin also removes /var/run/pppoe-rs: the only record the restarted pppd can find is
	# the one the killed pppd of this repetition wrote.
	scen_begin "$plugin" "stale-$i"
	d=$S
	: >"$BENCH_IPUP_LOG"
	use_plugin "$plugin"
	# As in the e2e scenario stale-session: the AC's pppd gives up on a silent client after 3
	# unanswered LCP echoes 2 s apart, so the AC times an abandoned session out after about 8 s.
	# shellcheck disable=SC2034 # read by ac_start
	AC_PPP_EXTRA=("lcp-echo-interval 2" "lcp-echo-failure 3")
	ac_start 1 pap -x 1
	failed || cap_start
	if failed; then
		bench_note "stale $plugin $i: setup failed: $(cat "$FAILS")"
		scen_cleanup
		return
	fi
	mkdir -p "$d/1" "$d/2"
	bench_pppd "$d/1"
	pid1=$CLIENT_PID
	wait_until 20 ipup_seen "$pid1"
	if [ -n "$(ipup_rec "$pid1" 1)" ] && kill -0 "$pid1" 2>/dev/null; then
		if [ "$plugin" = ours ]; then
			rec=0
			[ -f "$STALE_DIR/cli0.$pid1.session" ] && rec=1
		fi
		# No PADT, no LCP Terminate: the AC still holds the session.
		kill -KILL "$pid1"
		wait "$pid1" 2>/dev/null
		client_ppp0_gone
		bench_pppd "$d/2"
		pid2=$CLIENT_PID
		wait_until "$STALE_WAIT" ipup_seen "$pid2"
		r2=$(ipup_rec "$pid2" 1)
		t1=$(cat "$d/2/t0" 2>/dev/null)
	else
		bench_note "stale $plugin $i: the first session did not come up; pppd log:"
		bench_note_tail 15 "$d/1/pppd.log" "$d/1/pppd.out"
	fi
	if client_alive; then
		kill -TERM "$CLIENT_PID" 2>/dev/null
		client_wait_exit 10 || kill -KILL "$CLIENT_PID" 2>/dev/null
	fi
	client_reap
	rc=${CLIENT_RC:-}
	cap_snapshot
	# From the restart on: the client's first PADT before the new session (the stale one), its
	# first PADI and the PADIs it sent before the PADS, and the AC's first PADS to it.
	caps=$(awk -v t1="${t1:-0}" -v cli="$CLI_MAC" '
		$1 + 0 < t1 + 0 || t1 + 0 == 0 { next }
		{
			if (!match($0, /PPPoE PAD[IORST]/)) next
			ty = substr($0, RSTART + 6, 4); src = $2; dst = $4; sub(/,$/, "", dst)
			if (ty == "PADT" && src == cli && padt == "" && pads == "") padt = $1
			else if (ty == "PADI" && src == cli) { if (padi == "") padi = $1; if (pads == "") npadi++ }
			else if (ty == "PADS" && dst == cli && pads == "") pads = $1
		}
		END { printf "padt=%s padi=%s pads=%s npadi=%d", padt, padi, pads, npadi }
	' "$S/disc.txt" 2>/dev/null)
	# shellcheck disable=SC2086 # split the record into fields
	set -- $r2
	# shellcheck disable=SC2086 # $caps: k=v words
	emit bench-stale "p=$plugin" "i=$i" "pid1=$pid1" "rec=$rec" "t1=$t1" $caps "up=${2:-}" "rc=$rc"
	if [ -n "$pid2" ] && [ -z "$r2" ]; then
		bench_note "stale $plugin $i: no new session within $STALE_WAIT s of the restart; pppd log:"
		bench_note_tail 15 "$d/2/pppd.log" "$d/2/pppd.out"
	fi
	CLIENT_PID=''
	scen_cleanup
}

# --- many sessions ----------------------------------------------------------------------------

# multi_settled N: true once each of the N pppds has its session up (an ip-up record) or has
# exited without one. Sets MULTI_UP and MULTI_GONE. Builtins only.
multi_settled() {
	local p
	local -A seen=()
	while read -r p _; do seen[$p]=1; done <"$BENCH_IPUP_LOG"
	MULTI_UP=${#seen[@]} MULTI_GONE=0
	if [ -f "$S/multi.rc" ]; then
		while read -r p _; do [ -n "${seen[$p]:-}" ] || MULTI_GONE=$((MULTI_GONE + 1)); done <"$S/multi.rc"
	fi
	[ $((MULTI_UP + MULTI_GONE)) -ge "$1" ]
}
multi_all_exited() {
	local rcs=()
	[ -f "$S/multi.rc" ] && mapfile -t rcs <"$S/multi.rc"
	[ "${#rcs[@]}" -ge "$1" ]
}

# bench_multi_iter PLUGIN MODE N: N pppds at once against a new AC (the setup of the e2e
# scenarios multi-session and macvlan-sessions); emits one "bench-multi" event: the guest
# clock at the start, the number of sessions up, the last ip-up, the CPU time of all N pppds
# (schedstat ns, and utime+stime ticks) read right after the last one came up, and the sum of
# each pppd's CPU time at its own ip-up.
bench_multi_iter() {
	local plugin=$1 mode=$2 n=$3 i t0 pids=() p ns st f cpu=0 ticks=0 alive=0 last own
	scen_begin "$plugin" "multi-$mode-$n"
	: >"$BENCH_IPUP_LOG"
	use_plugin "$plugin"
	# The AC-side pppds wait the usual 3 s (not 1) after acknowledging a Terminate-Request before
	# they end, so that many clients stopping at once get their PADTs out first.
	# shellcheck disable=SC2034 # read by ac_start
	AC_PPP_EXTRA=("lcp-restart 3")
	ac_start 1 pap -N $((n + 8)) -L 10.0.0.1 -l -R 10.0.1.1
	if [ "$mode" = macvlan ] && ! failed; then
		macvlans_add "$n" || fail setup "could not create the macvlan devices"
	fi
	if failed; then
		bench_note "multi $plugin $mode $n: setup failed: $(cat "$FAILS")"
		scen_cleanup
		return
	fi
	bench_stamp
	t0=$STAMP
	# One shell in the client namespace starts them all (an `ip netns exec` each costs more).
	ip netns exec cli bash -c "$(declare -f multi_runner); multi_runner \"\$@\"" multi \
		"$S" "$n" "$mode" "$PLUGIN_WORD" bench &
	bg_track $!
	if ! wait_until 20 test -s "$S/multi.pids"; then
		bench_note "multi $plugin $mode $n: the pppds did not start"
		scen_cleanup
		return
	fi
	mapfile -t pids <"$S/multi.pids"
	wait_until "$MULTI_WAIT" multi_settled "$n"
	multi_settled "$n"
	for p in "${pids[@]}"; do
		read -r ns _ <"/proc/$p/schedstat" 2>/dev/null || continue
		read -r st <"/proc/$p/stat" 2>/dev/null || continue
		# shellcheck disable=SC2206 # the fields after "(comm) "
		f=(${st##*) })
		cpu=$((cpu + ns))
		ticks=$((ticks + f[11] + f[12]))
		alive=$((alive + 1))
	done
	# ip-up records: "pid t hwm rss utime stime ns ifname", one per session.
	# (No process substitution: the guest has no /dev/fd.)
	read -r last own <<<"$(awk '$2 > m { m = $2 } { s += $7 } END { printf "%s %d\n", m, s }' "$BENCH_IPUP_LOG")"
	# Teardown, not measured: SIGKILL, the quickest on the emulated CPU (an orderly stop of 64
	# sessions costs as much again as bringing them up); the AC goes with scen_cleanup, the
	# records our plugin leaves with the next scen_begin.
	kill -KILL "${pids[@]}" 2>/dev/null
	wait_until 30 multi_all_exited "$n"
	emit bench-multi "p=$plugin" "if=$mode" "n=$n" "t0=$t0" "up=$MULTI_UP" "gone=$MULTI_GONE" "last=$last" \
		"cpu_ns=$cpu" "ticks=$ticks" "alive=$alive" "own_ns=$own"
	if [ "$MULTI_UP" -lt "$n" ]; then
		bench_note "multi $plugin $mode $n: $MULTI_UP of $n sessions up, $MULTI_GONE pppds exited without one; log of pppd 1:"
		bench_note_tail 8 "$S/pppd-1.log" "$S/pppd-1.out"
	fi
	scen_cleanup
}

bench_main() {
	local n=${bench_n:-10} budget=${bench_budget:-300} t_start i p
	bench_multi=${bench_multi:-8,32,64} bench_multi_if=${bench_multi_if:-macvlan,one}
	now_us
	t_start=$NOW_US
	emit bench-info "kernel=$(uname -r)" "pppd=$PPPD_VER" "ac_kernel_mode=$AC_KERNEL_MODE" "clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)" "n=$n"
	bench_install_ipup
	: >"$BENCH_IPUP_LOG"
	mkdir -p /tmp/bench
	scen_begin bench setup
	# One AC for the whole run; -N 16 so that sessions ending slowly never exhaust it.
	ac_start 1 pap -N 16
	if failed; then
		bench_note "setup failed: $(cat "$FAILS")"
		return
	fi
	bench_cap_start || bench_note "the capture did not start: $(cat /run/bench-cap.err)"
	# Warm-up (i=0: caches, first exec of pppd and each plugin), then the measured iterations.
	for i in $(seq 0 "$n"); do
		for p in ours c; do
			if ! [ -f "/opt/e2e/$p.so" ]; then
				bench_note "/opt/e2e/$p.so is missing"
				continue
			fi
			bench_iter "$p" "$i"
		done
		now_us
		if [ $(((NOW_US - t_start) / 1000000)) -ge "$budget" ] && [ "$i" -lt "$n" ]; then
			bench_note "budget of $budget s used up after $i iterations"
			break
		fi
	done
	kill -INT "$BENCH_CAP_PID" 2>/dev/null
	wait "$BENCH_CAP_PID" 2>/dev/null
	scen_cleanup
	now_us
	emit bench-phase name=sessions "secs=$(((NOW_US - t_start) / 1000000))"
	bench_tick_open
	# Stale-session recovery, alternately: ours, c, ours, c, ... The deadline is checked per pair,
	# so that every ratio has both sides.
	local t_phase=$NOW_US
	for ((i = 1; i <= ${bench_stale:-3}; i++)); do
		bench_may_start stale "$i" || break
		for p in ours c; do
			[ -f "/opt/e2e/$p.so" ] && bench_stale_iter "$p" "$i"
		done
	done
	emit bench-phase name=stale "secs=$(secs_since "$t_phase")"
	# Many sessions: for each variant and number of pppds, ours then c.
	local mode m
	MULTI_WAIT=${bench_multi_wait:-90}
	now_us
	t_phase=$NOW_US
	for mode in ${bench_multi_if//,/ }; do
		for m in ${bench_multi//,/ }; do
			[ "$m" -gt 0 ] || continue
			bench_may_start multi "$mode" "$m" || continue
			for p in ours c; do
				[ -f "/opt/e2e/$p.so" ] && bench_multi_iter "$p" "$mode" "$m"
			done
		done
	done
	emit bench-phase name=multi "secs=$(secs_since "$t_phase")"
	emit bench-end "secs=$(secs_since "$t_start")"
}

bench_main
