# shellcheck shell=bash
# The emulated-router scenario (guest side, sourced by /e2e/arm/init after /e2e/lib.sh, the x86
# suite's helpers). Emulated ARM is slow, so one scenario covers what a router needs: our
# cross-built plugin loads into Debian's armhf pppd 2.4.9 the way users load it, dials a PAP
# session through rp-pppoe 3.15's pppoe-server, carries traffic, and tears the session down with
# a PADT on SIGTERM.

# pppd start to ip-up: measured 1.9-4.8 s here (x86: about 1.4 s). The x86 helpers' own wait
# (check_session: 20 s) then passes at once.
ARM_UP_WAIT=30
# run_one (lib.sh) kills a scenario after this long (measured: 7-15 s; the guest watchdog is 75 s).
# shellcheck disable=SC2034 # read by run_one in /e2e/lib.sh
declare -A DEADLINES=([pap]=60)

arm_ac_log_closed() { ac_syslog | grep -q -E "Session $1 (closed for client|terminated -- received PADT)"; }

s_pap() {
	local t0 want
	ac_start 1 pap
	cap_start
	# The file pppd opens for "plugin rp-pppoe.so" is ours (use_plugin copied it over pppoe.so,
	# which rp-pppoe.so links to).
	cmp -s "$PLUGDIR/rp-pppoe.so" /opt/e2e/ours.so ||
		fail plugin "$PLUGDIR/rp-pppoe.so is not our plugin: $(cksum "$PLUGDIR/rp-pppoe.so" /opt/e2e/ours.so 2>&1 | tr '\n' ' ')"
	now_us
	t0=$NOW_US
	client_start nic-cli0
	if client_wait_up "$ARM_UP_WAIT" && client_alive; then
		figure session-up "$(secs_since "$t0") s (pppd start to ip-up)"
	fi
	CHECK_ACNAME=1 check_session 1 || return
	client_log_has "Plugin $PLUGIN_WORD loaded" || fail plugin "no 'Plugin $PLUGIN_WORD loaded' in the pppd log"
	want="Rust PPPoE plugin [^ ]+ for pppd $PPPD_VER"
	client_log_has "$want" || fail plugin "no '$want' in the pppd log: not our plugin, or not built for $PPPD_VER"
	client_log_has 'PAP authentication succeeded' || fail auth "no 'PAP authentication succeeded' in the log"
	client_stop
	if [ -n "$SESSION_ID" ]; then
		wait_until 10 arm_ac_log_closed "$SESSION_ID" || fail ac-log "the AC did not log session $SESSION_ID closed"
	fi
	cap_stop
	check_discovery 1
	if [ -n "$SESSION_ID" ]; then
		local n
		n=$(cap_count "$(from "$CLI_MAC")$AC1_MAC.* PADT \[ses $(printf '0x%x' "$SESSION_ID")\]")
		[ "$n" = 1 ] || fail padt "$n PADTs from the client for session $SESSION_ID, want exactly 1"
	fi
}

arm_run_all() {
	local list s
	if [ "${e2e_scen:-all}" = all ]; then
		list=$(awk 'NF && $1 !~ /^#/ { print $1 }' /e2e/arm/scenarios.list)
	else
		list=${e2e_scen//,/ }
	fi
	if ! [ -f /opt/e2e/ours.so ]; then
		for s in $list; do echo "@@E2E RESULT ours $s FAIL 0.0 [plugin] /opt/e2e/ours.so is missing"; done
		return
	fi
	use_plugin ours
	for s in $list; do
		if declare -F "s_${s//[-.]/_}" >/dev/null; then
			run_one ours "$s"
		else
			echo "@@E2E RESULT ours $s FAIL 0.0 [harness] no such scenario"
		fi
	done
}
