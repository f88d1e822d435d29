# shellcheck shell=bash
# The router scenarios (guest side, sourced by /init after /e2e/lib.sh): one PAP session on a
# guest that is not the x86_64 glibc one (tests/vm/guests.py): an emulated 32-bit ARM router, a
# 32-bit little-endian MIPS Malta, the same with a uClibc-ng client pppd, a big-endian s390x, and
# the x86_64 guest with a musl client pppd. Emulation is slow: one scenario covers what a router
# needs. The plugin (ours, or a C plugin for the same pppd) loads into the client pppd the way
# users load it, dials a PAP session through rp-pppoe 3.15's pppoe-server, carries traffic both
# ways, and ends the session with exactly one PADT on SIGTERM (exit 5).

# pppd start to ip-up: 1.9-5.6 s measured on the emulated routers (x86: about 1.4 s).
ROUTER_UP_WAIT=40
# run_one (lib.sh) kills a scenario after this long (measured: 7-26 s under load; the guest
# watchdog comes later).
# shellcheck disable=SC2034 # read by run_one
declare -A DEADLINES+=(["arm-pap"]=120 ["mipsel-pap"]=120 ["uclibc-pap"]=120 ["bigendian-pap"]=120 ["musl-pap"]=120)

router_ac_log_closed() { ac_syslog | grep -q -E "Session $1 (closed for client|terminated -- received PADT)"; }

# client_maps PID: the C library, dynamic loader and plugin files the process has mapped
# (basenames), one line.
client_maps() {
	local f out=" "
	while read -r _ _ _ _ _ f; do
		case ${f##*/} in
		pppoe.so | rp-pppoe.so | ld-* | ld.so* | ld64.so* | libc.so* | libc-* | libuClibc*) ;;
		*) continue ;;
		esac
		case $out in *" ${f##*/} "*) ;; *) out+="${f##*/} " ;; esac
	done <"/proc/$1/maps"
	echo "$out"
}

# The guest's wall clock in Unix seconds, from the kernel: the RTC's (set by qemu's -rtc base, the
# guest's `clock` in tests/vm/guests.py) where there is one, which needs no 64-bit time_t in the
# userland (a 32-bit `date` cannot read a clock past 2038); else date(1).
guest_epoch() {
	local r
	r=$(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null) || r=
	[ -n "$r" ] || r=$(date +%s)
	echo "$r"
}

# status_seconds DOC: the whole seconds of a status document's time, N of "time":N.mmm (empty if none).
status_seconds() { [[ $1 =~ \"time\":([0-9]+)\. ]] && echo "${BASH_REMATCH[1]}"; }

# The status file's time (our plugin) is the guest's wall clock: right after 19 January 2038 on a
# 32-bit guest whose clock is set past it, whatever the width of its C library's time_t.
router_wall_clock() {
	local doc t ref
	doc=$(cat "$STATUS_FILE" 2>/dev/null)
	t=$(status_seconds "$doc")
	ref=$(guest_epoch)
	figure wall-clock "status file time $t, guest clock $ref"
	if [ -z "$t" ] || [ -z "$ref" ]; then
		fail status "no time in the status file ($doc) or no guest clock ($ref)"
	elif [ $((t > ref ? t - ref : ref - t)) -gt 120 ]; then
		fail status "the status file's time $t is not the guest's clock $ref"
	fi
}

# 2040-12-25 in Unix seconds: past 2^31 - 1 (19 January 2038).
Y2038=2240000000

# On a 32-bit guest (tests/e2e/settime64.c, built by the harness with a 64-bit time_t for the
# guests with a C cross compiler): SIGTERM with the guest's clock set past 2038, so the status
# file's last document ("down") is written then. The guest's own programs have a 32-bit time_t
# and bash's timed waits read the wall clock, so one helper does it all while the clock is ahead:
# it sets the clock, sends the SIGTERM, waits for the document, puts the clock back (with the
# times of the files touched meanwhile) and prints the document.
router_stop_after_2038() {
	local doc t
	doc=$(/opt/e2e/settime64 "$Y2038" "$CLIENT_PID" "$STATUS_FILE" / /run /tmp /dev) ||
		fail status "no down document within 10 s of the SIGTERM with the clock at $Y2038: $doc"
	t=$(status_seconds "$doc")
	figure wall-clock-2038 "status file '${doc%%,*}' at time $t, the guest's clock set to $Y2038"
	if [ -z "$t" ]; then
		fail status "no time in the down document written after the SIGTERM: $doc"
	elif [ "$t" -lt "$Y2038" ] || [ "$t" -gt $((Y2038 + 60)) ]; then
		fail status "the status file's time $t after 2038 is not the guest's clock ($Y2038 and on)"
	fi
	client_expect_exit 10 5
}

router_pap() {
	local t0 want exe maps libc
	ac_start 1 pap
	cap_start
	# The file pppd opens for "plugin rp-pppoe.so" is the plugin under test (use_plugin copied it
	# over pppoe.so, which rp-pppoe.so links to).
	cmp -s "$PLUGDIR/rp-pppoe.so" "/opt/e2e/$PLUGIN.so" ||
		fail plugin "$PLUGDIR/rp-pppoe.so is not the $PLUGIN plugin: $(cksum "$PLUGDIR/rp-pppoe.so" "/opt/e2e/$PLUGIN.so" 2>&1 | tr '\n' ' ')"
	now_us
	t0=$NOW_US
	if [ "$PLUGIN" = ours ]; then
		rm -f "$STATUS_FILE"
		client_start nic-cli0 pppoe-status-file "$STATUS_FILE"
	else
		client_start nic-cli0
	fi
	if client_wait_up "$ROUTER_UP_WAIT" && client_alive; then
		figure session-up "$(secs_since "$t0") s (pppd start to ip-up)"
		# Which pppd and which C library carried the session: the client's executable and what it
		# has mapped (the plugin file, the libc of the guest's client pppd).
		exe=$(readlink "/proc/$CLIENT_PID/exe")
		maps=$(client_maps "$CLIENT_PID")
		figure client "$exe, mapped:$maps"
		[ "$exe" = "$(command -v "$CLIENT_PPPD")" ] || fail client "the client pppd is $exe, want $CLIENT_PPPD"
		case $maps in *" pppoe.so "*) ;; *) fail plugin "the client pppd has no pppoe.so mapped:$maps" ;; esac
		libc=$(cat /etc/e2e-client-libc 2>/dev/null)
		[ -z "$libc" ] || echo "$maps" | grep -q -E " ($libc)" || fail client "the client pppd has no $libc mapped:$maps"
	fi
	[ "$PLUGIN" = ours ] && router_wall_clock
	CHECK_ACNAME=1 check_session 1 || return
	client_log_has "Plugin $PLUGIN_WORD loaded" || fail plugin "no 'Plugin $PLUGIN_WORD loaded' in the pppd log"
	if [ "$PLUGIN" = ours ]; then
		want="Rust PPPoE plugin [^ ]+ for pppd $PPPD_VER"
		client_log_has "$want" || fail plugin "no '$want' in the pppd log: not our plugin, or not built for $PPPD_VER"
	fi
	client_log_has 'PAP authentication succeeded' || fail auth "no 'PAP authentication succeeded' in the log"
	if [ "$PLUGIN" = ours ] && [ -x /opt/e2e/settime64 ]; then
		router_stop_after_2038
	else
		client_stop
	fi
	if [ -n "$SESSION_ID" ]; then
		wait_until 10 router_ac_log_closed "$SESSION_ID" || fail ac-log "the AC did not log session $SESSION_ID closed"
	fi
	cap_stop
	check_discovery 1
	if [ -n "$SESSION_ID" ]; then
		local n
		# Not anchored on the time: a 32-bit tcpdump prints "[Error converting time]" for a
		# frame sent after 2038.
		n=$(cap_count " $CLI_MAC > $AC1_MAC.* PADT \[ses $(printf '0x%x' "$SESSION_ID")\]")
		[ "$n" = 1 ] || fail padt "$n PADTs from the client for session $SESSION_ID, want exactly 1"
	fi
}

s_arm_pap() { router_pap; }
s_mipsel_pap() { router_pap; }
s_uclibc_pap() { router_pap; }
s_bigendian_pap() { router_pap; }
s_musl_pap() { router_pap; }
