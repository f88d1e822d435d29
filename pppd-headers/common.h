/*
 * Declarations of the pppd plugin ABI shared by every supported pppd version
 * (2.4.7 stock and OpenWrt, 2.4.8, 2.4.9, 2.5.x).
 *
 * Written for this project from the published interface facts collected in
 * shared/pppd-plugin-abi.md (offsets, values, signatures). This is not a copy
 * of pppd's headers: it declares only what the plugin touches, and declares
 * pppd's functions as pointer types because the plugin looks every pppd
 * symbol up at run time with dlsym (see README, "Design notes").
 *
 * Included by pppd-headers/<abi>/pppd-abi.h; never used alone.
 */
#ifndef RP_PPPOE_COMMON_H
#define RP_PPPOE_COMMON_H

#include <stddef.h>

/* Limits (docs/pppd-abi.md §7.6). */
#define PPP_MAXNAMELEN 256
#define PPP_MAXPATHLEN 4096

/* enum opt_type (docs/pppd-abi.md §5.2): the same values in every version. */
enum opt_type {
    o_special_noarg = 0,
    o_special = 1,
    o_bool = 2,
    o_int = 3,
    o_uint32 = 4,
    o_string = 5,
    o_wild = 6
};

/* option_t (docs/pppd-abi.md §5.1): identical layout in every version.
 * x86_64: 72 bytes, align 8.  ILP32: 40 bytes, align 4. */
typedef struct option {
    char *name;
    enum opt_type type;
    void *addr;
    char *description;
    unsigned int flags;
    void *addr2;
    int upper_limit;
    int lower_limit;
    const char *source;
    short priority;
    short winner;
} option_t;

/* OPT_* flags (docs/pppd-abi.md §5.3): the same values in 2.4.7, 2.4.9 and 2.5.3. */
#define OPT_VALUE 0xffu
#define OPT_HEX 0x100u
#define OPT_NOARG 0x200u
#define OPT_OR 0x400u
#define OPT_INC 0x400u
#define OPT_A2OR 0x800u
#define OPT_PRIV 0x1000u
#define OPT_STATIC 0x2000u
#define OPT_NOINCR 0x2000u
#define OPT_LLIMIT 0x4000u
#define OPT_ULIMIT 0x8000u
#define OPT_LIMITS 0xc000u
#define OPT_ZEROOK 0x10000u
#define OPT_HIDE 0x10000u
#define OPT_A2LIST 0x20000u
#define OPT_A2CLRB 0x20000u
#define OPT_ZEROINF 0x40000u
#define OPT_PRIO 0x80000u
#define OPT_PRIOSUB 0x100000u
#define OPT_ALIAS 0x200000u
#define OPT_A2COPY 0x400000u
#define OPT_ENABLE 0x800000u
#define OPT_A2CLR 0x1000000u
#define OPT_PRIVFIX 0x2000000u
#define OPT_INITONLY 0x4000000u
#define OPT_DEVEQUIV 0x8000000u
#define OPT_DEVNAM 0xc000000u
#define OPT_A2PRINTER 0x10000000u
#define OPT_A2STRVAL 0x20000000u
#define OPT_NOPRINT 0x40000000u

/* struct channel (docs/pppd-abi.md §6.1): identical in every version.
 * x86_64: 88 bytes.  ILP32: 44 bytes. */
struct channel {
    option_t *options;
    void (*process_extra_options)(void);
    void (*check_options)(void);
    int (*connect)(void);
    void (*disconnect)(void);
    int (*establish_ppp)(int devfd);
    void (*disestablish_ppp)(int devfd);
    void (*send_config)(int mtu, unsigned int accm, int pcomp, int accomp);
    void (*recv_config)(int mru, unsigned int accm, int pcomp, int accomp);
    void (*cleanup)(void);
    void (*close)(void);
};

/* struct notifier (docs/pppd-abi.md §8.1). */
typedef void (*notify_func)(void *arg, int val);
struct notifier {
    struct notifier *next;
    notify_func func;
    void *arg;
};

/* struct protent (docs/pppd-abi.md §7.1): the plugin reads only `name` and `options`.
 * x86_64: name at 88, options at 104, size 136.  ILP32: 44, 52, 68. */
struct protent {
    unsigned short protocol;
    void (*init)(int unit);
    void (*input)(int unit, unsigned char *pkt, int len);
    void (*protrej)(int unit);
    void (*lowerup)(int unit);
    void (*lowerdown)(int unit);
    void (*open)(int unit);
    void (*close)(int unit, char *reason);
    int (*printpkt)(unsigned char *pkt, int len, void (*printer)(void *, char *, ...), void *arg);
    void (*datainput)(int unit, unsigned char *pkt, int len);
    unsigned char enabled_flag;
    char *name;
    char *data_name;
    option_t *options;
    void (*check_options)(void);
    int (*demand_conf)(int unit);
    int (*active_pkt)(unsigned char *pkt, int len);
};

/* struct epdisc (docs/pppd-abi.md §7.6): 22 bytes, align 1. */
struct epdisc {
    unsigned char class_;
    unsigned char length;
    unsigned char value[20];
};

/* lcp_options (docs/pppd-abi.md §7.2): the same in every version and on ILP32 (no pointers).
 * 68 bytes, align 4. The plugin touches neg_asyncmap (4), neg_pcompression
 * (9), neg_accompression (10) and mru (16). `bool` is one byte in every
 * version (unsigned char in 2.4.x, _Bool in 2.5.x). */
typedef struct lcp_options {
    unsigned char passive;
    unsigned char silent;
    unsigned char restart;
    unsigned char neg_mru;
    unsigned char neg_asyncmap;
    unsigned char neg_upap;
    unsigned char neg_chap;
    unsigned char neg_eap;
    unsigned char neg_magicnumber;
    unsigned char neg_pcompression;
    unsigned char neg_accompression;
    unsigned char neg_lqr;
    unsigned char neg_cbcp;
    unsigned char neg_mrru;
    unsigned char neg_ssnhf;
    unsigned char neg_endpoint;
    int mru;
    int mrru;
    unsigned char chap_mdtype;
    unsigned int asyncmap;
    unsigned int magicnumber;
    int numloops;
    unsigned int lqr_period;
    struct epdisc endpoint;
} lcp_options;

/* The two ccp_options fields the plugin clears (docs/pppd-abi.md §7.3): bsd_compress at 0 and
 * deflate at 1 in every version, stock and OpenWrt. The rest of the struct
 * differs between builds and is never touched, so it is not declared. */
typedef struct ccp_options_head {
    unsigned char bsd_compress;
    unsigned char deflate;
} ccp_options_head;

/* Phases (docs/pppd-abi.md §8.3). */
#define PHASE_DEAD 0
#define PHASE_INITIALIZE 1
#define PHASE_SERIALCONN 2
#define PHASE_DORMANT 3
#define PHASE_ESTABLISH 4
#define PHASE_AUTHENTICATE 5
#define PHASE_CALLBACK 6
#define PHASE_NETWORK 7
#define PHASE_RUNNING 8
#define PHASE_TERMINATE 9
#define PHASE_DISCONNECT 10
#define PHASE_HOLDOFF 11
#define PHASE_MASTER 12

/* Exit status values (docs/pppd-abi.md §9.2): the same in every version. */
#define EXIT_OK 0
#define EXIT_FATAL_ERROR 1
#define EXIT_OPTION_ERROR 2
#define EXIT_NOT_ROOT 3
#define EXIT_NO_KERNEL_SUPPORT 4
#define EXIT_USER_REQUEST 5
#define EXIT_LOCK_FAILED 6
#define EXIT_OPEN_FAILED 7
#define EXIT_CONNECT_FAILED 8
#define EXIT_PTYCMD_FAILED 9
#define EXIT_NEGOTIATION_FAILED 10
#define EXIT_PEER_AUTH_FAILED 11
#define EXIT_IDLE_TIMEOUT 12
#define EXIT_CONNECT_TIME 13
#define EXIT_CALLBACK 14
#define EXIT_PEER_DEAD 15
#define EXIT_HANGUP 16
#define EXIT_LOOPBACK 17
#define EXIT_INIT_FAILED 18
#define EXIT_AUTH_TOPEER_FAILED 19

/* Function types of the pppd entry points the plugin calls, looked up by
 * name at run time. Every version has these shapes; the names differ
 * (PPP_SYM_* in the per-version header). */
typedef void ppp_log_fn(const char *fmt, ...);
typedef void ppp_fatal_fn(const char *fmt, ...);
typedef void ppp_add_options_fn(option_t *opt);
typedef int ppp_options_from_file_fn(char *file, int must_exist, int check_prot, int priv);
typedef void ppp_script_setenv_fn(char *var, char *value, int iskey);
typedef int ppp_establish_fn(int fd);
typedef void ppp_disestablish_fn(int fd);
typedef int ppp_wild_hook_fn(char *word, char **argv, int doit);
typedef void ppp_add_notifier_fn(struct notifier **list, notify_func func, void *arg);

#endif
