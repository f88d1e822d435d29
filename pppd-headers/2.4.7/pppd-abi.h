/*
 * pppd 2.4.7 plugin ABI (stock and OpenWrt's patched build; also 2.4.8).
 * Our own declarations, written from the facts in docs/pppd-abi.md (§3-§8).
 *
 * OpenWrt's 2.4.7 has no `new_style_driver` and no `record_file`, and its
 * ipcp_options.neg_vj sits at a different offset: the plugin links none of
 * these and finds IPCP's neg_vj through pppd's own option table (docs/pppd-abi.md §7.4, §7.5).
 */
#ifndef RP_PPPOE_ABI_H
#define RP_PPPOE_ABI_H
#include "../common.h"

#define PPPD_ABI_NAME "2.4.7"

/* 2.4.x global variables, by name (types in the comments). */
#define PPP_SYM_DEVNAM "devnam"                 /* char[MAXPATHLEN] */
#define PPP_SYM_PPP_DEVNAM "ppp_devnam"         /* char[MAXPATHLEN] */
#define PPP_SYM_REMOTE_NUMBER "remote_number"   /* char[MAXNAMELEN] */
#define PPP_SYM_SESSION_NUMBER "ppp_session_number" /* int */
#define PPP_SYM_MODEM "modem"                   /* bool (unsigned char) */
#define PPP_SYM_DEBUG "debug"                   /* int */
#define PPP_SYM_GOT_SIGTERM "got_sigterm"       /* int; exported, not declared before 2.4.9 */
#define PPP_SYM_THE_CHANNEL "the_channel"       /* struct channel * */
#define PPP_SYM_PROTOCOLS "protocols"           /* struct protent *[] (NULL-terminated) */
#define PPP_SYM_LCP_WANT "lcp_wantoptions"      /* lcp_options[] */
#define PPP_SYM_LCP_ALLOW "lcp_allowoptions"    /* lcp_options[] */
#define PPP_SYM_CCP_WANT "ccp_wantoptions"      /* ccp_options[] */
#define PPP_SYM_CCP_ALLOW "ccp_allowoptions"    /* ccp_options[] */
#define PPP_SYM_STATUS "status"                 /* volatile int: the exit status */
#define PPP_SYM_PERSIST "persist"               /* bool: redial after the link ends */
#define PPP_SYM_IFNAME "ifname"                 /* char[32]: "ppp0" once the unit exists */
#define PPP_SYM_PHASECHANGE "phasechange"       /* struct notifier * */
#define PPP_SYM_PIDCHANGE "pidchange"           /* struct notifier * */
#define PPP_SYM_EXITNOTIFY "exitnotify"         /* struct notifier * */
#define PPP_SYM_IP_UP_NOTIFIER "ip_up_notifier" /* struct notifier * */

/* 2.4.x functions, by name. */
#define PPP_SYM_INFO "info"                     /* ppp_log_fn */
#define PPP_SYM_NOTICE "notice"                 /* ppp_log_fn */
#define PPP_SYM_WARN "warn"                     /* ppp_log_fn */
#define PPP_SYM_ERROR "error"                   /* ppp_log_fn: increments error_count */
#define PPP_SYM_DBGLOG "dbglog"                 /* ppp_log_fn */
#define PPP_SYM_FATAL "fatal"                   /* ppp_fatal_fn: die(1), never returns */
#define PPP_SYM_OPTION_ERROR "option_error"     /* ppp_log_fn */
#define PPP_SYM_ADD_OPTIONS "add_options"       /* ppp_add_options_fn */
#define PPP_SYM_OPTIONS_FROM_FILE "options_from_file" /* ppp_options_from_file_fn */
#define PPP_SYM_SCRIPT_SETENV "script_setenv"   /* ppp_script_setenv_fn */
#define PPP_SYM_ESTABLISH "generic_establish_ppp"       /* ppp_establish_fn */
#define PPP_SYM_DISESTABLISH "generic_disestablish_ppp" /* ppp_disestablish_fn */
#define PPP_SYM_ADD_NOTIFIER "add_notifier"     /* ppp_add_notifier_fn */

#endif
