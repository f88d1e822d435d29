/*
 * Layout test of our pppd-headers against docs/pppd-abi.md, compiled
 * by tests/layout.rs with `clang --target=T -fsyntax-only` for 64-bit and
 * 32-bit (ILP32) targets of both byte orders, once per header set (-I).
 */
#include "pppd-abi.h"

#if __SIZEOF_POINTER__ == 8
#define LP(a, b) (a)
#elif __SIZEOF_POINTER__ == 4
#define LP(a, b) (b)
#else
#error "unexpected pointer size"
#endif

#define CHECK_OFF(T, f, v) _Static_assert(offsetof(T, f) == (v), #T "." #f)
#define CHECK_SIZE(T, v) _Static_assert(sizeof(T) == (v), "sizeof " #T)

/* option_t, docs/pppd-abi.md §5.1 */
CHECK_SIZE(option_t, LP(72, 40));
CHECK_OFF(option_t, name, 0);
CHECK_OFF(option_t, type, LP(8, 4));
CHECK_OFF(option_t, addr, LP(16, 8));
CHECK_OFF(option_t, description, LP(24, 12));
CHECK_OFF(option_t, flags, LP(32, 16));
CHECK_OFF(option_t, addr2, LP(40, 20));
CHECK_OFF(option_t, upper_limit, LP(48, 24));
CHECK_OFF(option_t, lower_limit, LP(52, 28));
CHECK_OFF(option_t, source, LP(56, 32));
CHECK_OFF(option_t, priority, LP(64, 36));
CHECK_OFF(option_t, winner, LP(66, 38));

/* struct channel, §6.1 */
CHECK_SIZE(struct channel, LP(88, 44));
CHECK_OFF(struct channel, options, 0);
CHECK_OFF(struct channel, process_extra_options, LP(8, 4));
CHECK_OFF(struct channel, check_options, LP(16, 8));
CHECK_OFF(struct channel, connect, LP(24, 12));
CHECK_OFF(struct channel, disconnect, LP(32, 16));
CHECK_OFF(struct channel, establish_ppp, LP(40, 20));
CHECK_OFF(struct channel, disestablish_ppp, LP(48, 24));
CHECK_OFF(struct channel, send_config, LP(56, 28));
CHECK_OFF(struct channel, recv_config, LP(64, 32));
CHECK_OFF(struct channel, cleanup, LP(72, 36));
CHECK_OFF(struct channel, close, LP(80, 40));

/* struct protent, §7.1 */
CHECK_SIZE(struct protent, LP(136, 68));
CHECK_OFF(struct protent, name, LP(88, 44));
CHECK_OFF(struct protent, options, LP(104, 52));

/* struct notifier, §8.1 */
CHECK_SIZE(struct notifier, LP(24, 12));
CHECK_OFF(struct notifier, func, LP(8, 4));
CHECK_OFF(struct notifier, arg, LP(16, 8));

/* lcp_options, §7.2: the same on every target */
CHECK_SIZE(lcp_options, 68);
CHECK_OFF(lcp_options, neg_asyncmap, 4);
CHECK_OFF(lcp_options, neg_pcompression, 9);
CHECK_OFF(lcp_options, neg_accompression, 10);
CHECK_OFF(lcp_options, mru, 16);
CHECK_OFF(lcp_options, asyncmap, 28);
CHECK_OFF(lcp_options, lqr_period, 40);
CHECK_OFF(lcp_options, endpoint, 44);
CHECK_SIZE(struct epdisc, 22);

/* ccp_options, §7.3 */
CHECK_OFF(ccp_options_head, bsd_compress, 0);
CHECK_OFF(ccp_options_head, deflate, 1);

/* enum values and flags, §5.2, §5.3, §9.2 */
_Static_assert(sizeof(enum opt_type) == 4, "opt_type is an int");
_Static_assert(o_wild == 6 && o_string == 5 && o_int == 3, "opt_type values");
_Static_assert(OPT_DEVNAM == (OPT_INITONLY | OPT_DEVEQUIV), "OPT_DEVNAM");
_Static_assert(OPT_LIMITS == (OPT_LLIMIT | OPT_ULIMIT), "OPT_LIMITS");
_Static_assert(EXIT_CONNECT_FAILED == 8 && EXIT_HANGUP == 16 && EXIT_AUTH_TOPEER_FAILED == 19, "exit codes");

/* The PPP_SYM_* names must all be declared by each set. */
static const char *const names[] = {
    PPP_SYM_THE_CHANNEL, PPP_SYM_PROTOCOLS, PPP_SYM_LCP_WANT, PPP_SYM_LCP_ALLOW,
    PPP_SYM_CCP_WANT, PPP_SYM_CCP_ALLOW, PPP_SYM_INFO, PPP_SYM_NOTICE, PPP_SYM_WARN,
    PPP_SYM_ERROR, PPP_SYM_DBGLOG, PPP_SYM_FATAL, PPP_SYM_OPTION_ERROR, PPP_SYM_ADD_OPTIONS,
    PPP_SYM_OPTIONS_FROM_FILE, PPP_SYM_SCRIPT_SETENV, PPP_SYM_ESTABLISH, PPP_SYM_DISESTABLISH,
};
