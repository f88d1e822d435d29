/*
 * pppd 2.5.x plugin ABI (2.5.0 - 2.5.3; `pppoe.so` only).
 * Our own declarations, written from the facts in docs/pppd-abi.md (§4).
 *
 * 2.5 replaced most direct global writes by accessor functions (ppp_set_*)
 * and renamed several entry points. The option table, struct channel,
 * lcp_options and the CCP booleans keep their 2.4.x layout. `bool` is C99
 * _Bool (one byte).
 */
#ifndef RP_PPPOE_ABI_H
#define RP_PPPOE_ABI_H
#include "../common.h"

#define PPPD_ABI_NAME "2.5"

/* Globals still used directly in 2.5. */
#define PPP_SYM_THE_CHANNEL "the_channel"       /* struct channel * */
#define PPP_SYM_PROTOCOLS "protocols"           /* struct protent *[] (NULL-terminated) */
#define PPP_SYM_LCP_WANT "lcp_wantoptions"      /* lcp_options[] */
#define PPP_SYM_LCP_ALLOW "lcp_allowoptions"    /* lcp_options[] */
#define PPP_SYM_CCP_WANT "ccp_wantoptions"      /* ccp_options[] */
#define PPP_SYM_CCP_ALLOW "ccp_allowoptions"    /* ccp_options[] */
#define PPP_SYM_PERSIST "persist"               /* bool: redial after the link ends (still exported) */
#define PPP_SYM_IFNAME "ifname"                 /* char[IFNAMSIZ]: "ppp0" (still exported) */

/* Functions carried over from 2.4.x. */
#define PPP_SYM_INFO "info"
#define PPP_SYM_NOTICE "notice"
#define PPP_SYM_WARN "warn"
#define PPP_SYM_ERROR "error"
#define PPP_SYM_DBGLOG "dbglog"
#define PPP_SYM_FATAL "fatal"

/* Renamed entry points (docs/pppd-abi.md §4), same shapes as in 2.4.x. */
#define PPP_SYM_OPTION_ERROR "ppp_option_error"         /* ppp_log_fn */
#define PPP_SYM_ADD_OPTIONS "ppp_add_options"           /* ppp_add_options_fn */
#define PPP_SYM_OPTIONS_FROM_FILE "ppp_options_from_file" /* ppp_options_from_file_fn */
#define PPP_SYM_SCRIPT_SETENV "ppp_script_setenv"       /* ppp_script_setenv_fn */
#define PPP_SYM_ESTABLISH "ppp_generic_establish"       /* ppp_establish_fn */
#define PPP_SYM_DISESTABLISH "ppp_generic_disestablish" /* ppp_disestablish_fn */

/* New accessors (docs/pppd-abi.md §4). */
#define PPP_SYM_SET_DEVNAM "ppp_set_devnam"             /* ppp_set_string_fn */
#define PPP_SYM_SET_PPPDEVNAM "ppp_set_pppdevnam"       /* ppp_set_string_fn */
#define PPP_SYM_SET_REMOTE_NUMBER "ppp_set_remote_number" /* ppp_set_remote_fn */
#define PPP_SYM_SET_SESSION_NUMBER "ppp_set_session_number" /* ppp_set_int_fn */
#define PPP_SYM_SET_MODEM "ppp_set_modem"               /* ppp_set_bool_fn */
#define PPP_SYM_DEBUG_ON "debug_on"                     /* ppp_get_bool_fn */
#define PPP_SYM_SIGNALED "ppp_signaled"                 /* ppp_signaled_fn */
#define PPP_SYM_GET_STATUS "ppp_status"                 /* ppp_get_int_fn: the exit status */
#define PPP_SYM_SET_STATUS "ppp_set_status"             /* ppp_set_int_fn */
#define PPP_SYM_ADD_NOTIFY "ppp_add_notify"             /* ppp_add_notify_fn */

/* Accessor shapes. */
typedef int ppp_set_string_fn(const char *value);
typedef void ppp_set_remote_fn(const char *value); /* returns nothing, unlike the other two */
typedef void ppp_set_int_fn(int value);
typedef int ppp_get_int_fn(void);
typedef void ppp_set_bool_fn(_Bool value);
typedef _Bool ppp_get_bool_fn(void);
typedef _Bool ppp_signaled_fn(int sig);

/* enum ppp_notify (docs/pppd-abi.md §8.2) */
#define NF_PID_CHANGE 0
#define NF_PHASE_CHANGE 1
#define NF_EXIT 2
#define NF_SIGNALED 3
#define NF_IP_UP 4
#define NF_IP_DOWN 5
#define NF_IPV6_UP 6
#define NF_IPV6_DOWN 7
#define NF_AUTH_UP 8
#define NF_LINK_DOWN 9
#define NF_FORK 10
typedef void ppp_add_notify_fn(int type, notify_func func, void *ctx);

#endif
