# shellcheck shell=bash
# The e2e scenarios (guest side). Each s_NAME function runs in a subshell of run_one with a fresh
# scenario directory $S; it records failed assertions with `fail TAG MESSAGE` and carries on where
# that still makes sense, so one run reports everything that is wrong. scenarios.list names them
# (with one line of what each asserts) in the order they run.

# --- sessions ---------------------------------------------------------------------------------

s_pap() {
	ac_start 1 pap
	cap_start
	client_start nic-cli0
	CHECK_ACNAME=1 check_session 1 || return
	client_log_has 'PAP authentication succeeded' || fail auth "no 'PAP authentication succeeded' in the log"
	client_stop
	cap_stop
	check_discovery 1
}

s_chap() {
	ac_start 1 chap
	cap_start
	client_start nic-cli0
	CHECK_ACNAME=1 check_session 1 || return
	client_log_has 'CHAP authentication succeeded' || fail auth "no 'CHAP authentication succeeded' in the log"
	client_stop
	cap_stop
	check_discovery 1
}

s_wrong_password() {
	ac_start 1 pap
	cap_start
	CLIENT_PASS=wrong client_start nic-cli0
	client_expect_exit 20 19
	client_log | grep -q -i 'authentication failed' || fail log "the log does not say that authentication failed"
}

# --- discovery failures -----------------------------------------------------------------------

# no_ac_dial WORDS...: dials with WORDS where no AC answers; wants exit 8 after exactly 2 PADIs.
# Failures are tagged [padi] when the pppoe-padi-* options were not applied.
no_ac_dial() {
	cap_start
	client_start "$@"
	if ! client_wait_exit 12; then
		fail padi "pppd still dialling after 12 s: pppoe-padi-timeout 1 pppoe-padi-attempts 2 not applied"
		kill -KILL "$CLIENT_PID"
		client_reap
	else
		[ "$CLIENT_RC" = 8 ] || fail exit "pppd exited $CLIENT_RC, want 8"
		client_log_has 'Timeout waiting for PADO packets' || fail log "no 'Timeout waiting for PADO packets' in the log"
	fi
	cap_stop
	local n
	n=$(cap_count "$(from "$CLI_MAC").* PADI")
	[ "$n" = 2 ] || fail padi "$n PADIs on the wire, want 2 (pppoe-padi-attempts 2)"
}

s_no_ac() { no_ac_dial pppoe-padi-timeout 1 pppoe-padi-attempts 2 nic-cli0; }
s_padi_opts_last() { no_ac_dial nic-cli0 pppoe-padi-timeout 1 pppoe-padi-attempts 2; }

s_service_unavailable() {
	ac_start 1 pap
	ac_start 2 pap
	cap_start
	client_start rp_pppoe_service isp-none pppoe-padi-timeout 1 pppoe-padi-attempts 2 nic-cli0
	client_expect_exit 12 8
	client_log_has 'Timeout waiting for PADO packets' || fail log "no 'Timeout waiting for PADO packets' in the log"
	cap_stop
	[ "$(cap_count ' PADR ')" = 0 ] || fail capture "a PADR went out although no AC offers isp-none"
}

# --- choosing among two ACs -------------------------------------------------------------------

# two_ac WANT_BOTH_PADOS WORDS...: both ACs run; WORDS must select AC 2.
two_ac() {
	local both=$1
	shift
	ac_start 1 pap
	ac_start 2 pap
	cap_start
	client_start "$@"
	check_session 2 || return
	client_stop
	cap_stop
	check_discovery 2
	if [ "$both" = 1 ]; then
		if [ "$(cap_count "$(from "$AC1_MAC")$CLI_MAC.* PADO")" = 0 ] ||
			[ "$(cap_count "$(from "$AC2_MAC")$CLI_MAC.* PADO")" = 0 ]; then
			fail capture "not both ACs answered with a PADO: nothing to choose from"
		fi
	fi
	[ "$(cap_count "$(from "$CLI_MAC")$AC1_MAC.* PADR")" = 0 ] || fail choice "a PADR went to AC 1"
}

# ACNAME is checked here (the AC's name is what selects it) and in pap and chap.
s_two_ac_by_name() { CHECK_ACNAME=1 two_ac 1 rp_pppoe_ac "$AC2_NAME" nic-cli0; }
# An AC that does not offer the requested service does not answer, so only AC 2 sends a PADO.
s_two_ac_by_service() { two_ac 0 rp_pppoe_service "$AC2_SVC" nic-cli0; }
s_two_ac_by_mac() { two_ac 1 pppoe-mac "$AC2_MAC" nic-cli0; }

# --- Host-Uniq --------------------------------------------------------------------------------

# check_host_uniq HEX: the client's PADI and PADR carry Host-Uniq HEX.
check_host_uniq() {
	local hu=${1^^}
	[ "$(cap_count "$(from "$CLI_MAC").* PADI .*\[Host-Uniq 0x$hu\]")" -ge 1 ] ||
		fail host-uniq "no PADI with Host-Uniq 0x$hu"
	[ "$(cap_count "$(from "$CLI_MAC").* PADR .*\[Host-Uniq 0x$hu\]")" -ge 1 ] ||
		fail host-uniq "no PADR with Host-Uniq 0x$hu"
}

s_host_uniq() {
	ac_start 1 pap
	cap_start
	client_start host-uniq c0ffee01 nic-cli0
	check_session 1 || return
	client_stop
	cap_stop
	check_discovery 1
	check_host_uniq c0ffee01
}

# --- session end ------------------------------------------------------------------------------

ac_log_closed() { ac_syslog | grep -q -E "Session $1 (closed for client|terminated -- received PADT)"; }

s_sigterm_padt() {
	ac_start 1 pap
	cap_start
	client_start nic-cli0
	check_session 1 || return
	client_stop
	[ -n "$SESSION_ID" ] || return
	wait_until 5 ac_log_closed "$SESSION_ID" || fail ac-log "the AC did not log session $SESSION_ID closed"
	cap_stop
	local n
	n=$(cap_count "$(from "$CLI_MAC")$AC1_MAC.* PADT \[ses $(printf '0x%x' "$SESSION_ID")\]")
	[ "$n" = 1 ] || fail padt "$n PADTs from the client for session $SESSION_ID, want exactly 1"
	[ "$(cap_count "$(from "$CLI_MAC").* PADT ")" = "$n" ] || fail padt "PADTs from the client for another session"
}

# Ends the session from the AC side: its pppd is killed, and pppoe-server sends PADT.
ac_hangup() {
	local p
	p=$(ac_pppd_pids)
	[ -n "$p" ] || {
		fail setup "no AC-side pppd found"
		return 1
	}
	# shellcheck disable=SC2086 # one pid a word
	kill -KILL $p
}

s_ac_hangup() {
	ac_start 1 pap
	cap_start
	client_start nic-cli0
	check_session 1 || return
	ac_hangup || return
	client_expect_exit 10 16
	cap_stop
	[ "$(cap_count "$(from "$AC1_MAC")$CLI_MAC.* PADT ")" -ge 1 ] || fail capture "the AC sent no PADT"
}

s_ac_hangup_persist() {
	ac_start 1 pap
	cap_start
	client_start nic-cli0 persist holdoff 1 maxfail 0
	check_session 1 || return
	ac_hangup || return
	ANY_POOL=1 check_session 1 "" 2 || return
	client_log_has 'Modem hangup' || fail log "no 'Modem hangup' in the log"
	client_stop
	cap_stop
	[ "$(cap_count "$(from "$CLI_MAC")ff:ff:ff:ff:ff:ff.* PADI")" -ge 2 ] || fail capture "no second PADI: no redial"
}

s_attach_session() {
	ac_start 1 pap
	cap_start
	client_start nic-cli0
	check_session 1 || return
	local sid=$SESSION_ID
	[ -n "$sid" ] || return
	# The first pppd vanishes without PADT or LCP Terminate: the AC keeps the session.
	kill -KILL "$CLIENT_PID"
	client_reap
	wait_until 5 eval '! ip -n cli link show ppp0 >/dev/null 2>&1'
	client_start rp_pppoe_sess "$sid:$AC1_MAC" nic-cli0
	CHECK_ACNAME=0 SESSION_ID_KNOWN=$sid check_session 1 ppp0 2 || return
	client_stop
	cap_stop
	[ "$(cap_count "$(from "$CLI_MAC").* PADI")" = 1 ] || fail discovery "the attaching pppd sent a PADI"
	[ "$(cap_count "$(from "$CLI_MAC").* PADR")" = 1 ] || fail discovery "the attaching pppd sent a PADR"
}

# --- OpenWrt's command lines (netifd ppp.sh), unchanged; the harness's own words come last ------

openwrt_ipv6_scripts() {
	# ipv6-up-script is an OpenWrt patch in 2.4.x and upstream from 2.5.0.
	case $PPPD_VER in 2.4.*) ;; *) echo ipv6-up-script /lib/netifd/ppp6-up ipv6-down-script /lib/netifd/ppp-down ;; esac
}

s_openwrt_18_06() {
	ac_start 1 pap
	cap_start
	client_start_raw nodetach ipparam wan ifname pppoe-wan lcp-echo-interval 1 lcp-echo-failure 5 \
		lcp-echo-adaptive +ipv6 nodefaultroute usepeerdns maxfail 1 user "$USER_NAME" password "$USER_PASS" \
		ip-up-script /lib/netifd/ppp-up ip-down-script /lib/netifd/ppp-down mtu 1492 mru 1492 \
		plugin rp-pppoe.so rp_pppoe_ac "$AC1_NAME" host-uniq c0ffee03 nic-cli0 \
		debug logfile "$S/pppd.log" lcp-restart 1
	check_session 1 pppoe-wan || return
	client_stop
	cap_stop
	check_discovery 1
	check_host_uniq c0ffee03
}

s_openwrt_24_10() {
	ac_start 1 pap
	ac_start 2 pap
	cap_start
	# shellcheck disable=SC2046
	client_start_raw nodetach ipparam wan ifname pppoe-wan lcp-echo-interval 1 lcp-echo-failure 5 \
		lcp-echo-adaptive +ipv6 set AUTOIPV6=1 nodefaultroute usepeerdns maxfail 1 \
		user "$USER_NAME" password "$USER_PASS" ip-up-script /lib/netifd/ppp-up \
		ip-down-script /lib/netifd/ppp-down $(openwrt_ipv6_scripts) mtu 1492 mru 1492 \
		plugin pppoe.so rp_pppoe_ac "$AC2_NAME" rp_pppoe_service "$AC2_SVC" pppoe-mac "$AC2_MAC" \
		host-uniq c0ffee04 pppoe-padi-attempts 2 pppoe-padi-timeout 1 nic-cli0 \
		debug logfile "$S/pppd.log" lcp-restart 1
	check_session 2 pppoe-wan || return
	client_stop
	cap_stop
	check_discovery 2
	check_host_uniq c0ffee04
	[ "$(cap_count "$(from "$CLI_MAC")$AC1_MAC.* PADR")" = 0 ] || fail choice "a PADR went to AC 1"
}

# --- bad input --------------------------------------------------------------------------------

# bad_input REGEX WORDS...: pppd with WORDS exits 2 by itself, its output matches REGEX (names
# what is wrong), and no discovery frame goes out although an AC is there to answer.
bad_input() {
	local re=$1
	shift
	ac_start 1 pap
	cap_start
	client_start "$@"
	client_expect_exit 10 2
	client_log | grep -v '^Plugin .* loaded' | grep -q -i -E "$re" ||
		fail message "no message naming the bad value (/$re/)"
	cap_stop
	[ "$(cap_count "$(from "$CLI_MAC")")" = 0 ] || fail wire "discovery frames went out"
}

s_bad_nic() { bad_input 'doesnotexist' nic-doesnotexist; }
s_bad_lo() { bad_input "(^|[^a-z0-9])(nic-)?lo([^a-z0-9]|$)" nic-lo; }
s_bad_mac() { bad_input 'pppoe-mac' pppoe-mac 02:00:zz:00:00:01 nic-cli0; }
s_bad_host_uniq() { bad_input 'host-uniq' host-uniq c0ffeezz nic-cli0; }

# --- drivers ----------------------------------------------------------------------------------

scenario_names() { awk 'NF && $1 !~ /^#/ { print $1 }' /e2e/scenarios.list; }

run_all() {
	local plugins=${e2e_plugins:-ours,c} list p s
	if [ "${e2e_scen:-all}" = all ]; then list=$(scenario_names); else list=${e2e_scen//,/ }; fi
	for p in ${plugins//,/ }; do
		if ! [ -f "/opt/e2e/$p.so" ]; then
			for s in $list; do echo "@@E2E RESULT $p $s FAIL 0.0 [plugin] /opt/e2e/$p.so is missing"; done
			continue
		fi
		use_plugin "$p"
		for s in $list; do
			if declare -F "s_${s//[-.]/_}" >/dev/null; then
				run_one "$p" "$s"
			else
				echo "@@E2E RESULT $p $s FAIL 0.0 [harness] no such scenario"
			fi
		done
	done
}

# One PAP session with our plugin, shown as a user would see it.
run_demo() {
	local p=ours
	[ -f /opt/e2e/ours.so ] || p=c
	use_plugin "$p"
	scen_begin "$p" demo
	ac_start 1 pap
	echo "@@E2E DEMO-BEGIN"
	[ "$p" = ours ] || echo "(our plugin was not built: showing Debian's C plugin instead)"
	client_start nic-cli0
	if client_wait_up 20 && client_alive; then
		echo "== $(cat "$S/pppd.cmd")"
		echo "== ip addr show ppp0 (client namespace)"
		ip -color=never -n cli addr show ppp0
		echo "== ip-up saw: $(grep -v '^ipparam=ac ' "$IPUP_LOG")"
		echo "== stopping pppd with SIGTERM"
		kill -TERM "$CLIENT_PID"
		client_wait_exit 10
		echo "== pppd exited with $CLIENT_RC"
	else
		client_reap
		echo "== no session within 20 s (pppd exit ${CLIENT_RC:-running})"
	fi
	echo "== client pppd log"
	cat "$S/pppd.log" "$S/pppd.out" 2>/dev/null
	echo "@@E2E DEMO-END"
	scen_cleanup
}
