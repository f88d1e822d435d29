//! pppd's entry points and globals, looked up by name at run time.
//!
//! The plugin links no pppd symbol: everything is found with
//! `dlsym(RTLD_DEFAULT, name)` in `plugin_init` (the main program is searched
//! first). So a symbol that one pppd build lacks (OpenWrt has no
//! `new_style_driver`; 2.4.7 has no `get_time`) can never make `dlopen` fail,
//! a missing required symbol gets a clear message, and `error`/`warn` bind to
//! pppd's functions rather than glibc's `error(3)`/`warn(3)`. The names come
//! from the selected header set (`PPP_SYM_*`).

use core::cell::{RefCell, UnsafeCell};
use core::ffi::{c_char, c_int, c_void, CStr};

use rp_pppoe_core::log::{Arg, MAX_WORDS};

use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;

use super::bindings as b;

/// Looks a symbol up in the global scope (pppd first). `name` ends in NUL.
fn lookup(name: &[u8]) -> *mut c_void {
    debug_assert_eq!(name.last(), Some(&0));
    // SAFETY: name is NUL-terminated (bindgen's C string constants are);
    // RTLD_DEFAULT searches the global scope, which is always valid.
    unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr().cast()) }
}

/// Reinterprets a looked-up address as a nullable function pointer.
/// `func!(missing, T, NAME)` records a missing required symbol in `missing`;
/// `func!(optional T, NAME)` is for symbols whose absence only disables a feature.
macro_rules! func {
    (optional $ty:ty, $name:expr) => {{
        let p = lookup($name);
        // SAFETY: as below.
        unsafe { core::mem::transmute::<*mut c_void, $ty>(p) }
    }};
    ($missing:ident, $ty:ty, $name:expr) => {{
        let p = lookup($name);
        if p.is_null() {
            $missing.push($name);
        }
        // SAFETY: $ty is Option<unsafe extern "C" fn(..)>, which has the size
        // of a pointer and uses NULL for None; the symbol named $name has the
        // C signature declared for it in pppd-headers.
        unsafe { core::mem::transmute::<*mut c_void, $ty>(p) }
    }};
}

/// Everything the plugin uses from pppd. Function pointers are `Option`s as
/// bindgen types them; required ones are checked non-NULL in [`resolve`].
pub(crate) struct Api {
    pub(crate) info: b::ppp_log_fn,
    pub(crate) warn: b::ppp_log_fn,
    pub(crate) error: b::ppp_log_fn,
    pub(crate) dbglog: b::ppp_log_fn,
    #[cfg_attr(test, allow(dead_code))]
    pub(crate) fatal: b::ppp_fatal_fn,
    pub(crate) option_error: b::ppp_log_fn,
    pub(crate) add_options: b::ppp_add_options_fn,
    pub(crate) options_from_file: b::ppp_options_from_file_fn,
    pub(crate) script_setenv: b::ppp_script_setenv_fn,
    pub(crate) establish: b::ppp_establish_fn,
    pub(crate) disestablish: b::ppp_disestablish_fn,
    pub(crate) the_channel: *mut *mut b::channel,
    pub(crate) protocols: *mut *mut b::protent,
    pub(crate) lcp_want: *mut b::lcp_options,
    pub(crate) lcp_allow: *mut b::lcp_options,
    pub(crate) ccp_want: *mut b::ccp_options_head,
    pub(crate) ccp_allow: *mut b::ccp_options_head,
    /// Optional (status file, stop on SIGTERM): pppd 2.4's exit status
    /// (2.5: `ppp_status`/`ppp_set_status`) and the PPP interface name.
    #[cfg(not(pppd_abi = "2.5"))]
    status: *mut c_int,
    ifname: *mut c_char,
    /// Optional: pppd's `persist` (one-byte bool).
    persist: *mut u8,
    #[cfg(not(pppd_abi = "2.5"))]
    v24: V24,
    #[cfg(pppd_abi = "2.5")]
    v25: V25,
}

/// 2.4.x: globals written directly.
#[cfg(not(pppd_abi = "2.5"))]
struct V24 {
    devnam: *mut c_char,
    ppp_devnam: *mut c_char,
    remote_number: *mut c_char,
    session_number: *mut c_int,
    modem: *mut u8,
    debug: *mut c_int,
    /// Optional: exported by every 2.4.x pppd, but only declared from 2.4.9.
    got_sigterm: *mut c_int,
    /// Optional (status file): notifier registration and the lists.
    add_notifier: b::ppp_add_notifier_fn,
    phasechange: *mut *mut b::notifier,
    exitnotify: *mut *mut b::notifier,
    ip_up_notifier: *mut *mut b::notifier,
    pidchange: *mut *mut b::notifier,
}

/// 2.5.x: accessor functions.
#[cfg(pppd_abi = "2.5")]
struct V25 {
    set_devnam: b::ppp_set_string_fn,
    set_pppdevnam: b::ppp_set_string_fn,
    set_remote_number: b::ppp_set_string_fn,
    set_session_number: b::ppp_set_int_fn,
    set_modem: b::ppp_set_bool_fn,
    debug_on: b::ppp_get_bool_fn,
    signaled: b::ppp_signaled_fn,
    /// Optional (status file).
    add_notify: b::ppp_add_notify_fn,
    get_status: b::ppp_get_int_fn,
    set_status: b::ppp_set_int_fn,
}

/// pppd's string variables the plugin sets.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StringVar {
    /// `devnam`: the device name (`DEVICE=` for scripts).
    Devnam,
    /// `ppp_devnam`: shown in "Connect: pppN <--> eth0".
    PppDevnam,
    /// `remote_number`: the AC's MAC.
    RemoteNumber,
}

/// pppd events the plugin can be told about.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Notify {
    Phase,
    Exit,
    IpUp,
    /// pppd continues under a new pid (it detached).
    PidChange,
}

/// State the plugin keeps between pppd's calls.
///
/// pppd is single-threaded, but it re-enters the plugin: `fatal()` runs
/// `die()`, which calls our `cleanup`. So the state sits in a `RefCell` that
/// is borrowed only for short, pppd-free sections; a call that finds it busy
/// does nothing rather than alias it.
pub(crate) struct PppdCell<T>(RefCell<T>);

// SAFETY: pppd is single-threaded and never calls plugin code from a signal
// handler (we register none), so the cell is only ever touched from one thread.
unsafe impl<T> Sync for PppdCell<T> {}

impl<T> PppdCell<T> {
    pub(crate) const fn new(value: T) -> PppdCell<T> {
        PppdCell(RefCell::new(value))
    }

    /// Runs `f` on the value, or returns `None` if it is already borrowed (a
    /// re-entrant call from inside pppd's `die()`).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.0.try_borrow_mut().ok().map(|mut v| f(&mut v))
    }
}

/// Holder for the resolved [`Api`], written once in `plugin_init`.
struct ApiCell(UnsafeCell<Option<Api>>);
// SAFETY: pppd is single-threaded; the cell is written once in plugin_init,
// before any other plugin entry point can run, and only read afterwards.
unsafe impl Sync for ApiCell {}
static API: ApiCell = ApiCell(UnsafeCell::new(None));

/// The resolved API, or `None` before `plugin_init` (or if it failed).
pub(crate) fn get() -> Option<&'static Api> {
    // SAFETY: see ApiCell: no writer exists once plugin_init has returned.
    unsafe { (*API.0.get()).as_ref() }
}

/// Resolves every symbol; on failure returns the names that are missing.
pub(crate) fn resolve() -> Result<&'static Api, Vec<String>> {
    let mut missing: Vec<&[u8]> = Vec::new();
    let m = &mut missing;
    let var = |m: &mut Vec<&'static [u8]>, name: &'static [u8]| {
        let p = lookup(name);
        if p.is_null() {
            m.push(name);
        }
        p
    };
    let api = Api {
        info: func!(m, b::ppp_log_fn, b::PPP_SYM_INFO),
        warn: func!(m, b::ppp_log_fn, b::PPP_SYM_WARN),
        error: func!(m, b::ppp_log_fn, b::PPP_SYM_ERROR),
        dbglog: func!(m, b::ppp_log_fn, b::PPP_SYM_DBGLOG),
        fatal: func!(m, b::ppp_fatal_fn, b::PPP_SYM_FATAL),
        option_error: func!(m, b::ppp_log_fn, b::PPP_SYM_OPTION_ERROR),
        add_options: func!(m, b::ppp_add_options_fn, b::PPP_SYM_ADD_OPTIONS),
        options_from_file: func!(m, b::ppp_options_from_file_fn, b::PPP_SYM_OPTIONS_FROM_FILE),
        script_setenv: func!(m, b::ppp_script_setenv_fn, b::PPP_SYM_SCRIPT_SETENV),
        establish: func!(m, b::ppp_establish_fn, b::PPP_SYM_ESTABLISH),
        disestablish: func!(m, b::ppp_disestablish_fn, b::PPP_SYM_DISESTABLISH),
        the_channel: var(m, b::PPP_SYM_THE_CHANNEL).cast(),
        protocols: var(m, b::PPP_SYM_PROTOCOLS).cast(),
        lcp_want: var(m, b::PPP_SYM_LCP_WANT).cast(),
        lcp_allow: var(m, b::PPP_SYM_LCP_ALLOW).cast(),
        ccp_want: var(m, b::PPP_SYM_CCP_WANT).cast(),
        ccp_allow: var(m, b::PPP_SYM_CCP_ALLOW).cast(),
        #[cfg(not(pppd_abi = "2.5"))]
        status: lookup(b::PPP_SYM_STATUS).cast(),
        ifname: lookup(b::PPP_SYM_IFNAME).cast(),
        persist: lookup(b::PPP_SYM_PERSIST).cast(),
        #[cfg(not(pppd_abi = "2.5"))]
        v24: V24 {
            devnam: var(m, b::PPP_SYM_DEVNAM).cast(),
            ppp_devnam: var(m, b::PPP_SYM_PPP_DEVNAM).cast(),
            remote_number: var(m, b::PPP_SYM_REMOTE_NUMBER).cast(),
            session_number: var(m, b::PPP_SYM_SESSION_NUMBER).cast(),
            modem: var(m, b::PPP_SYM_MODEM).cast(),
            debug: var(m, b::PPP_SYM_DEBUG).cast(),
            got_sigterm: lookup(b::PPP_SYM_GOT_SIGTERM).cast(),
            add_notifier: func!(optional b::ppp_add_notifier_fn, b::PPP_SYM_ADD_NOTIFIER),
            phasechange: lookup(b::PPP_SYM_PHASECHANGE).cast(),
            exitnotify: lookup(b::PPP_SYM_EXITNOTIFY).cast(),
            ip_up_notifier: lookup(b::PPP_SYM_IP_UP_NOTIFIER).cast(),
            pidchange: lookup(b::PPP_SYM_PIDCHANGE).cast(),
        },
        #[cfg(pppd_abi = "2.5")]
        v25: V25 {
            set_devnam: func!(m, b::ppp_set_string_fn, b::PPP_SYM_SET_DEVNAM),
            set_pppdevnam: func!(m, b::ppp_set_string_fn, b::PPP_SYM_SET_PPPDEVNAM),
            set_remote_number: func!(m, b::ppp_set_string_fn, b::PPP_SYM_SET_REMOTE_NUMBER),
            set_session_number: func!(m, b::ppp_set_int_fn, b::PPP_SYM_SET_SESSION_NUMBER),
            set_modem: func!(m, b::ppp_set_bool_fn, b::PPP_SYM_SET_MODEM),
            debug_on: func!(m, b::ppp_get_bool_fn, b::PPP_SYM_DEBUG_ON),
            signaled: func!(m, b::ppp_signaled_fn, b::PPP_SYM_SIGNALED),
            add_notify: func!(optional b::ppp_add_notify_fn, b::PPP_SYM_ADD_NOTIFY),
            get_status: func!(optional b::ppp_get_int_fn, b::PPP_SYM_GET_STATUS),
            set_status: func!(optional b::ppp_set_int_fn, b::PPP_SYM_SET_STATUS),
        },
    };
    if !missing.is_empty() {
        return Err(missing
            .iter()
            .map(|n| String::from_utf8_lossy(n.strip_suffix(&[0]).unwrap_or(n)).into_owned())
            .collect());
    }
    // SAFETY: single-threaded, called once from plugin_init before any
    // reader (see ApiCell).
    unsafe { *API.0.get() = Some(api) };
    get().ok_or_else(Vec::new)
}

/// The arguments as the machine words pppd's variadic function reads: an
/// int as one (`va_arg(ap, int)` takes it from a word-sized slot on every
/// Linux ABI: the low half on little-endian, the right-justified half on
/// big-endian, where the word holds the same value), a `%0.*v` text as its
/// length and its address; `%m` takes none but `errno`, which is returned.
pub(crate) fn words(args: &[Arg<'_>]) -> ([usize; MAX_WORDS], Option<c_int>) {
    let mut w = [0usize; MAX_WORDS];
    let mut errno = None;
    let mut slots = w.iter_mut();
    for arg in args {
        match *arg {
            Arg::Int(n) => {
                if let Some(s) = slots.next() {
                    *s = n as isize as usize;
                }
            }
            Arg::Text(t) => {
                if let (Some(len), Some(ptr)) = (slots.next(), slots.next()) {
                    *len = t.len().min(c_int::MAX as usize);
                    *ptr = t.as_ptr() as usize;
                }
            }
            Arg::Errno(e) => errno = Some(e),
        }
    }
    (w, errno)
}

/// A C string for pppd: interior NULs (impossible in our own text, possible
/// in bytes from the wire) are replaced so the message is never dropped.
pub(crate) fn cstring(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let mut v = e.into_vec();
        v.iter_mut().filter(|c| **c == 0).for_each(|c| *c = b'?');
        CString::new(v).unwrap_or_default()
    })
}

/// Copies `s` into a NUL-terminated C char array of `cap` bytes, truncating.
///
/// # Safety
/// `dst` must point to at least `cap` writable bytes (`cap >= 1`).
#[cfg(not(pppd_abi = "2.5"))]
unsafe fn copy_cstr(dst: *mut c_char, cap: usize, s: &str) {
    let n = s.len().min(cap - 1);
    // SAFETY: the caller guarantees cap writable bytes; n < cap.
    unsafe {
        core::ptr::copy_nonoverlapping(s.as_ptr().cast::<c_char>(), dst, n);
        *dst.add(n) = 0;
    }
}

impl Api {
    /// Calls a pppd log-style function with a format that `log!` checked
    /// against `args` (see `rp_pppoe_core::log`).
    pub(crate) fn log_args(&self, f: b::ppp_log_fn, fmt: &'static CStr, args: &[Arg<'_>]) {
        let Some(f) = f else { return };
        let (w, errno) = words(args);
        if let Some(e) = errno {
            // SAFETY: __errno_location returns this thread's errno slot;
            // pppd's formatter reads it for `%m` before anything else runs.
            unsafe { *libc::__errno_location() = e };
        }
        // SAFETY: f is pppd's printf-like function; the format's conversions
        // take, in order, exactly the words `words` made of `args` (`%d`
        // one, `%0.*v` a length and the address of that many bytes, which
        // outlive the call); unused trailing words are never read.
        unsafe {
            f(
                fmt.as_ptr(),
                w[0],
                w[1],
                w[2],
                w[3],
                w[4],
                w[5],
                w[6],
                w[7],
                w[8],
                w[9],
            )
        };
    }

    /// `fatal("%s", msg)`: pppd logs it and exits through `die(1)`.
    #[cfg_attr(test, allow(dead_code))]
    pub(crate) fn fatal(&self, msg: &str) -> ! {
        if let Some(f) = self.fatal {
            let c = cstring(msg);
            // SAFETY: f is pppd's printf-like `fatal`; "%s" consumes exactly
            // the one C string argument we pass; it does not return.
            unsafe { f(c"%s".as_ptr(), c.as_ptr()) };
        }
        rp_pppoe_core::os::exit(b::EXIT_FATAL_ERROR as c_int)
    }

    /// `option_error(fmt, args...)` (see [`Api::log_args`]).
    pub(crate) fn option_error_args(&self, fmt: &'static CStr, args: &[Arg<'_>]) {
        self.log_args(self.option_error, fmt, args);
    }

    pub(crate) fn add_options(&self, table: *mut b::option_t) {
        if let Some(f) = self.add_options {
            // SAFETY: table is our static, NULL-terminated, writable option
            // array, which lives for the life of the process.
            unsafe { f(table) };
        }
    }

    /// `options_from_file(path, must_exist=0, check_prot=0, priv=1)`: true on success.
    pub(crate) fn options_from_file(&self, path: &str) -> bool {
        let Some(f) = self.options_from_file else {
            return true;
        };
        let c = cstring(path);
        // SAFETY: pppd only reads the path string during the call.
        unsafe { f(c.as_ptr().cast_mut(), 0, 0, 1) != 0 }
    }

    pub(crate) fn script_setenv(&self, var: &str, value: &str) {
        if let Some(f) = self.script_setenv {
            let (k, v) = (cstring(var), cstring(value));
            // SAFETY: pppd copies both strings; iskey = 0.
            unsafe { f(k.as_ptr().cast_mut(), v.as_ptr().cast_mut(), 0) };
        }
    }

    /// Makes our channel pppd's current channel (idempotent).
    pub(crate) fn install_channel(&self, ch: *mut b::channel) -> bool {
        // SAFETY: the_channel is pppd's `struct channel *` global.
        unsafe {
            if *self.the_channel == ch {
                return false;
            }
            *self.the_channel = ch;
        }
        true
    }

    /// The option table of the protocol named `name` ("IPCP", "LCP", "CCP").
    fn protocol_options(&self, name: &core::ffi::CStr) -> *mut b::option_t {
        let mut p = self.protocols;
        // SAFETY: protocols is pppd's NULL-terminated array of protent
        // pointers; each protent's name is a C string (layout checked in
        // bindings.rs).
        unsafe {
            while !(*p).is_null() {
                let pr = *p;
                if !(*pr).name.is_null() && core::ffi::CStr::from_ptr((*pr).name) == name {
                    return (*pr).options;
                }
                p = p.add(1);
            }
        }
        core::ptr::null_mut()
    }

    /// Sets one of pppd's string variables (2.4: the global char array,
    /// truncated to its size; 2.5: its setter).
    pub(crate) fn set_string(&self, var: StringVar, value: &str) {
        #[cfg(not(pppd_abi = "2.5"))]
        {
            let (dst, cap) = match var {
                StringVar::Devnam => (self.v24.devnam, b::PPP_MAXPATHLEN),
                StringVar::PppDevnam => (self.v24.ppp_devnam, b::PPP_MAXPATHLEN),
                StringVar::RemoteNumber => (self.v24.remote_number, b::PPP_MAXNAMELEN),
            };
            // SAFETY: dst is pppd's global char array of that name, `cap`
            // bytes long (docs/pppd-abi.md §4, §7.6).
            unsafe { copy_cstr(dst, cap as usize, value) };
        }
        #[cfg(pppd_abi = "2.5")]
        {
            let setter = match var {
                StringVar::Devnam => self.v25.set_devnam,
                StringVar::PppDevnam => self.v25.set_pppdevnam,
                StringVar::RemoteNumber => self.v25.set_remote_number,
            };
            if let Some(f) = setter {
                let c = cstring(value);
                // SAFETY: the setter copies the string before returning.
                unsafe { f(c.as_ptr()) };
            }
        }
    }

    pub(crate) fn set_session_number(&self, n: c_int) {
        #[cfg(not(pppd_abi = "2.5"))]
        // SAFETY: ppp_session_number is an int.
        unsafe {
            *self.v24.session_number = n
        };
        #[cfg(pppd_abi = "2.5")]
        if let Some(f) = self.v25.set_session_number {
            // SAFETY: plain int argument.
            unsafe { f(n) };
        }
    }

    /// `modem = 0`: a PPPoE link has no modem control lines.
    pub(crate) fn clear_modem(&self) {
        #[cfg(not(pppd_abi = "2.5"))]
        // SAFETY: modem is a one-byte bool.
        unsafe {
            *self.v24.modem = 0
        };
        #[cfg(pppd_abi = "2.5")]
        if let Some(f) = self.v25.set_modem {
            // SAFETY: plain bool argument.
            unsafe { f(false) };
        }
    }

    /// pppd's `debug` option.
    pub(crate) fn debug(&self) -> bool {
        #[cfg(not(pppd_abi = "2.5"))]
        // SAFETY: debug is an int.
        return unsafe { *self.v24.debug != 0 };
        #[cfg(pppd_abi = "2.5")]
        // SAFETY: debug_on takes no arguments.
        return self.v25.debug_on.is_some_and(|f| unsafe { f() });
    }

    /// pppd's current exit status (`status`), or -1 if unknown.
    pub(crate) fn status(&self) -> c_int {
        #[cfg(not(pppd_abi = "2.5"))]
        {
            if self.status.is_null() {
                return -1;
            }
            // SAFETY: status is pppd's (volatile) int.
            unsafe { core::ptr::read_volatile(self.status) }
        }
        #[cfg(pppd_abi = "2.5")]
        // SAFETY: ppp_status takes no arguments.
        self.v25.get_status.map_or(-1, |f| unsafe { f() })
    }

    /// pppd was asked to stop (SIGTERM/SIGINT) while `connect` ran: pppd
    /// only acts on the signal in its event loop, which it skips after a
    /// failed connect, so with `persist holdoff 0` it would redial at once,
    /// again and again. Tell it not to, and to exit as for a user request.
    pub(crate) fn stop_redialling(&self) {
        // SAFETY: persist is pppd's one-byte bool; pppd's main loop reads it
        // after connect returns.
        unsafe {
            if !self.persist.is_null() {
                core::ptr::write_volatile(self.persist, 0);
            }
        }
        self.set_status(b::EXIT_USER_REQUEST as c_int);
    }

    fn set_status(&self, code: c_int) {
        #[cfg(not(pppd_abi = "2.5"))]
        if !self.status.is_null() {
            // SAFETY: status is pppd's (volatile) int.
            unsafe { core::ptr::write_volatile(self.status, code) };
        }
        #[cfg(pppd_abi = "2.5")]
        if let Some(f) = self.v25.set_status {
            // SAFETY: plain int argument.
            unsafe { f(code) };
        }
    }

    /// The PPP interface name ("ppp0"), if known.
    pub(crate) fn ifname(&self) -> Option<String> {
        if self.ifname.is_null() {
            return None;
        }
        // SAFETY: ifname is pppd's NUL-terminated char array (at least 16 bytes).
        let s = unsafe { core::ffi::CStr::from_ptr(self.ifname) };
        let s = s.to_str().ok()?;
        (!s.is_empty()).then(|| String::from(s))
    }

    /// Registers `f` for a pppd event; false if this pppd cannot.
    pub(crate) fn add_notify(&self, what: Notify, f: b::notify_func) -> bool {
        #[cfg(not(pppd_abi = "2.5"))]
        {
            let list = match what {
                Notify::Phase => self.v24.phasechange,
                Notify::Exit => self.v24.exitnotify,
                Notify::IpUp => self.v24.ip_up_notifier,
                Notify::PidChange => self.v24.pidchange,
            };
            match self.v24.add_notifier {
                // SAFETY: list is one of pppd's notifier list heads; pppd
                // mallocs the node and calls f(arg, val) later.
                Some(add) if !list.is_null() => unsafe { add(list, f, core::ptr::null_mut()) },
                _ => return false,
            }
        }
        #[cfg(pppd_abi = "2.5")]
        {
            let kind = match what {
                Notify::Phase => b::NF_PHASE_CHANGE,
                Notify::Exit => b::NF_EXIT,
                Notify::IpUp => b::NF_IP_UP,
                Notify::PidChange => b::NF_PID_CHANGE,
            };
            match self.v25.add_notify {
                // SAFETY: ppp_add_notify takes an NF_* kind, a function and a context.
                Some(add) => unsafe { add(kind as c_int, f, core::ptr::null_mut()) },
                None => return false,
            }
        }
        true
    }

    /// True once pppd has received SIGTERM or SIGINT (discovery stops then).
    pub(crate) fn terminating(&self) -> bool {
        #[cfg(not(pppd_abi = "2.5"))]
        // SAFETY: got_sigterm is an int (or absent: NULL).
        return !self.v24.got_sigterm.is_null()
            && unsafe { core::ptr::read_volatile(self.v24.got_sigterm) } != 0;
        #[cfg(pppd_abi = "2.5")]
        // SAFETY: ppp_signaled takes a signal number.
        return self
            .v25
            .signaled
            .is_some_and(|f| unsafe { f(libc::SIGTERM) || f(libc::SIGINT) });
    }

    /// The LCP MTU (`lcp_allowoptions[0].mru`) and MRU (`lcp_wantoptions[0].mru`).
    pub(crate) fn lcp_mtu_mru(&self) -> (c_int, c_int) {
        // SAFETY: lcp_allow/lcp_want point to pppd's lcp_options arrays
        // (layout checked in bindings.rs); element [0] is the one in use.
        unsafe { ((*self.lcp_allow).mru, (*self.lcp_want).mru) }
    }

    /// Sets the LCP MTU and MRU (see [`Api::lcp_mtu_mru`]).
    pub(crate) fn set_lcp_mtu_mru(&self, mtu: c_int, mru: c_int) {
        // SAFETY: as in lcp_mtu_mru; pppd is single-threaded.
        unsafe {
            (*self.lcp_allow).mru = mtu;
            (*self.lcp_want).mru = mru;
        }
    }

    /// Turns off, wanted and allowed, what makes no sense on Ethernet: LCP
    /// address/control and protocol field compression and the asyncmap, and
    /// CCP deflate and BSD-Compress (docs/pppd-abi.md §7.2, §7.3).
    pub(crate) fn disable_serial_options(&self) {
        // SAFETY: pppd's lcp/ccp option arrays (layouts checked in
        // bindings.rs); only element [0] is used; single-threaded.
        unsafe {
            for o in [self.lcp_want, self.lcp_allow] {
                (*o).neg_accompression = 0;
                (*o).neg_asyncmap = 0;
                (*o).neg_pcompression = 0;
            }
            for o in [self.ccp_want, self.ccp_allow] {
                (*o).deflate = 0;
                (*o).bsd_compress = 0;
            }
        }
    }

    /// Clears IPCP's `neg_vj` (want and allow) through IPCP's own `novj`
    /// option entry, because the field's offset differs between pppd builds
    /// (docs/pppd-abi.md §7.4). False if this pppd has no such entry.
    pub(crate) fn disable_vj(&self) -> bool {
        let mut o = self.protocol_options(c"IPCP");
        // SAFETY: o walks pppd's IPCP option table up to its NULL-named end;
        // the `novj` entry's addr/addr2 point to the want/allow neg_vj bools.
        unsafe {
            while !o.is_null() && !(*o).name.is_null() {
                if core::ffi::CStr::from_ptr((*o).name) == c"novj" {
                    for p in [(*o).addr, (*o).addr2] {
                        if !p.is_null() {
                            *p.cast::<u8>() = 0;
                        }
                    }
                    return true;
                }
                o = o.add(1);
            }
        }
        false
    }

    /// Prepares our `struct channel` before pppd can use it: its option table
    /// and pppd's own generic establish/disestablish functions, which the
    /// channel forwards to.
    pub(crate) fn init_channel(&self, ch: *mut b::channel, options: *mut b::option_t) {
        // SAFETY: ch is our static channel, written only here, from
        // plugin_init, before pppd can see it (single-threaded), through a
        // raw pointer (no reference to the static is formed).
        unsafe {
            (*ch).options = options;
            (*ch).establish_ppp = self.establish;
            (*ch).disestablish_ppp = self.disestablish;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_words_in_order() {
        let text = b"isp";
        let (w, errno) = words(&[Arg::Int(-1), Arg::Text(text), Arg::Errno(19), Arg::Int(7)]);
        assert_eq!(w[0], usize::MAX);
        assert_eq!((w[1], w[2]), (3, text.as_ptr() as usize));
        assert_eq!(w[3], 7);
        assert_eq!(errno, Some(19));
    }
}
