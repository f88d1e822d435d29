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
# Nothing is judged here: raw timestamps go to the console as "@@BENCH run k=v ..." lines and the
# host (scripts/bench, scripts/lib/bench-common.sh) computes the figures.
#
# Kernel command-line words (environment): bench_n=N measured iterations per plugin (default 10),
# bench_budget=SECONDS after which no new iteration starts (default 300).

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
	ip netns exec ac tcpdump -Z root -i ac0 -n -e -tt -l --immediate-mode 'ether proto 0x8863' \
		</dev/null >"$BENCH_CAP" 2>/run/bench-cap.err &
	BENCH_CAP_PID=$!
	wait_until 5 grep -qs 'listening on' /run/bench-cap.err
}

# ipup_rec PID N: the Nth ip-up record of pppd PID ("pid t hwm rss utime stime ns ifname").
ipup_rec() { awk -v p="$1" -v n="$2" '$1 == p && ++k == n { print; exit }' "$BENCH_IPUP_LOG" 2>/dev/null; }
ipup_has() { [ -n "$(ipup_rec "$1" "$2")" ] || ! kill -0 "$1" 2>/dev/null; }

# The AC side has nothing left of the previous session (its pppd gone, no ppp device on the client).
ac_idle() { [ -z "$(ac_pppd_pids)" ] && ! ip -n cli -o link show 2>/dev/null | grep -q ': ppp'; }

# bench_iter PLUGIN I: one iteration; prints one "@@BENCH run" line.
bench_iter() {
	local plugin=$1 i=$2 d t0 tkill='' pid r1 r2 rc='' caps
	d=/tmp/bench/$plugin-$i
	mkdir -p "$d"
	use_plugin "$plugin"
	# pppd starts in the client namespace; the shell notes the time right before it execs pppd.
	# shellcheck disable=SC2016 # expanded by that shell
	ip netns exec cli /bin/sh -c 'echo "$EPOCHREALTIME" >"$0"; exec /usr/sbin/pppd "$@"' "$d/t0" \
		nodetach logfile "$d/pppd.log" lcp-restart 1 noauth noipdefault nodefaultroute \
		lcp-echo-interval 1 lcp-echo-failure 3 user "$USER_NAME" password "$USER_PASS" ipparam bench \
		persist holdoff 0 maxfail 0 plugin "$PLUGIN_WORD" nic-cli0 </dev/null >"$d/pppd.out" 2>&1 &
	CLIENT_PID=$!
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
	echo "@@BENCH run p=$plugin i=$i pid=$pid t0=$t0 $caps up=$up hwm=$hwm rss=$rss utime=$ut stime=$st ns=$ns" \
		"kill=$tkill up2=${2:-} hwm2=${3:-} rss2=${4:-} rc=$rc"
	if [ -z "$r1" ] || [ -z "$r2" ]; then
		echo "@@BENCH note $plugin iteration $i incomplete (session ${r1:+up}${r1:-not up}, reconnect ${r2:+up}${r2:-not up}); pppd log:"
		tail -n 15 "$d/pppd.log" "$d/pppd.out" 2>/dev/null | sed 's/^/@@BENCH note   /'
	fi
	CLIENT_PID=''
}

bench_main() {
	local n=${bench_n:-10} budget=${bench_budget:-300} t_start i p
	now_us
	t_start=$NOW_US
	echo "@@BENCH info kernel=$(uname -r) pppd=$PPPD_VER ac_kernel_mode=$AC_KERNEL_MODE clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100) n=$n"
	bench_install_ipup
	: >"$BENCH_IPUP_LOG"
	mkdir -p /tmp/bench
	scen_begin bench setup
	# One AC for the whole run; -N 16 so that sessions ending slowly never exhaust it.
	ac_start 1 pap -N 16
	if failed; then
		echo "@@BENCH note setup failed: $(cat "$FAILS")"
		return
	fi
	bench_cap_start || echo "@@BENCH note the capture did not start: $(cat /run/bench-cap.err)"
	# Warm-up (i=0: caches, first exec of pppd and each plugin), then the measured iterations.
	for i in $(seq 0 "$n"); do
		for p in ours c; do
			if ! [ -f "/opt/e2e/$p.so" ]; then
				echo "@@BENCH note /opt/e2e/$p.so is missing"
				continue
			fi
			bench_iter "$p" "$i"
		done
		now_us
		if [ $(((NOW_US - t_start) / 1000000)) -ge "$budget" ] && [ "$i" -lt "$n" ]; then
			echo "@@BENCH note budget of $budget s used up after $i iterations"
			break
		fi
	done
	kill -INT "$BENCH_CAP_PID" 2>/dev/null
	wait "$BENCH_CAP_PID" 2>/dev/null
	scen_cleanup
	echo "@@BENCH end $(secs_since "$t_start")"
}

bench_main
