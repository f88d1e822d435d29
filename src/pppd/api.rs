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

use alloc::string::String;
use alloc::vec::Vec;
use rp_pppoe_core::os::CBuf;

use super::bindings as b;

/// Declares a `#[repr(C)]` struct of pppd symbols, one pointer-sized field
/// per symbol (a function as `Option<unsafe extern "C" fn>`, NULL if absent,
/// or a pointer to a variable), with its names in field order (`PARTS`) and
/// which ones pppd must have (`REQUIRED`); an optional last field holds the
/// ABI's own struct of the same kind. [`resolve`] looks all the names up in
/// one loop and turns the addresses into the struct.
macro_rules! symbols {
    (
        $(#[$m:meta])*
        $vis:vis struct $s:ident {
            $( $(#[$fm:meta])* $field:ident: $ty:ty = $name:ident $(, $req:ident)?; )*
        }
        $( tail $tail:ident: $tail_ty:ty )?
    ) => {
        $(#[$m])*
        #[repr(C)]
        $vis struct $s {
            $( $(#[$fm])* pub(crate) $field: $ty, )*
            $( $tail: $tail_ty, )?
        }
        impl $s {
            /// The names, in field order (each ends in NUL).
            const PARTS: &'static [&'static [u8]] = &[$( b::$name ),*];
            /// Whether pppd must have each.
            const REQUIRED: &'static [bool] = &[$( symbols!(@required $($req)?) ),*];
        }
    };
    (@required required) => { true };
    (@required) => { false };
}

symbols! {
    /// Everything the plugin uses from pppd (the ABI's own part in the last
    /// field); `required` symbols are checked non-NULL in [`resolve`].
    pub(crate) struct Api {
        info: b::ppp_log_fn = PPP_SYM_INFO, required;
        warn: b::ppp_log_fn = PPP_SYM_WARN, required;
        error: b::ppp_log_fn = PPP_SYM_ERROR, required;
        dbglog: b::ppp_log_fn = PPP_SYM_DBGLOG, required;
        #[cfg_attr(test, allow(dead_code))]
        fatal: b::ppp_fatal_fn = PPP_SYM_FATAL, required;
        option_error: b::ppp_log_fn = PPP_SYM_OPTION_ERROR, required;
        add_options: b::ppp_add_options_fn = PPP_SYM_ADD_OPTIONS, required;
        options_from_file: b::ppp_options_from_file_fn = PPP_SYM_OPTIONS_FROM_FILE, required;
        script_setenv: b::ppp_script_setenv_fn = PPP_SYM_SCRIPT_SETENV, required;
        establish: b::ppp_establish_fn = PPP_SYM_ESTABLISH, required;
        disestablish: b::ppp_disestablish_fn = PPP_SYM_DISESTABLISH, required;
        the_channel: *mut *mut b::channel = PPP_SYM_THE_CHANNEL, required;
        protocols: *mut *mut b::protent = PPP_SYM_PROTOCOLS, required;
        lcp_want: *mut b::lcp_options = PPP_SYM_LCP_WANT, required;
        lcp_allow: *mut b::lcp_options = PPP_SYM_LCP_ALLOW, required;
        ccp_want: *mut b::ccp_options_head = PPP_SYM_CCP_WANT, required;
        ccp_allow: *mut b::ccp_options_head = PPP_SYM_CCP_ALLOW, required;
        /// Optional (status file): the PPP interface name.
        ifname: *mut c_char = PPP_SYM_IFNAME;
        /// Optional (stop on SIGTERM): pppd's `persist` (one-byte bool).
        persist: *mut u8 = PPP_SYM_PERSIST;
    }
    tail abi: Abi
}

#[cfg(not(pppd_abi = "2.5"))]
symbols! {
    /// 2.4.x: globals written directly.
    struct Abi {
        devnam: *mut c_char = PPP_SYM_DEVNAM, required;
        ppp_devnam: *mut c_char = PPP_SYM_PPP_DEVNAM, required;
        remote_number: *mut c_char = PPP_SYM_REMOTE_NUMBER, required;
        session_number: *mut c_int = PPP_SYM_SESSION_NUMBER, required;
        modem: *mut u8 = PPP_SYM_MODEM, required;
        debug: *mut c_int = PPP_SYM_DEBUG, required;
        /// Optional: exported by every 2.4.x pppd, but only declared from 2.4.9.
        got_sigterm: *mut c_int = PPP_SYM_GOT_SIGTERM;
        /// Optional (status file, stop on SIGTERM): the exit status.
        status: *mut c_int = PPP_SYM_STATUS;
        /// Optional (status file): notifier registration and the lists.
        add_notifier: b::ppp_add_notifier_fn = PPP_SYM_ADD_NOTIFIER;
        phasechange: *mut *mut b::notifier = PPP_SYM_PHASECHANGE;
        exitnotify: *mut *mut b::notifier = PPP_SYM_EXITNOTIFY;
        ip_up_notifier: *mut *mut b::notifier = PPP_SYM_IP_UP_NOTIFIER;
        pidchange: *mut *mut b::notifier = PPP_SYM_PIDCHANGE;
    }
}

#[cfg(pppd_abi = "2.5")]
symbols! {
    /// 2.5.x: accessor functions.
    struct Abi {
        set_devnam: b::ppp_set_string_fn = PPP_SYM_SET_DEVNAM, required;
        set_pppdevnam: b::ppp_set_string_fn = PPP_SYM_SET_PPPDEVNAM, required;
        set_remote_number: b::ppp_set_remote_fn = PPP_SYM_SET_REMOTE_NUMBER, required;
        set_session_number: b::ppp_set_int_fn = PPP_SYM_SET_SESSION_NUMBER, required;
        set_modem: b::ppp_set_bool_fn = PPP_SYM_SET_MODEM, required;
        debug_on: b::ppp_get_bool_fn = PPP_SYM_DEBUG_ON, required;
        signaled: b::ppp_signaled_fn = PPP_SYM_SIGNALED, required;
        /// Optional (status file).
        add_notify: b::ppp_add_notify_fn = PPP_SYM_ADD_NOTIFY;
        get_status: b::ppp_get_int_fn = PPP_SYM_GET_STATUS;
        set_status: b::ppp_set_int_fn = PPP_SYM_SET_STATUS;
    }
}

/// Every symbol, [`Api`]'s fields then [`Abi`]'s.
const COUNT: usize = Api::PARTS.len() + Abi::PARTS.len();

/// All the names in one NUL-separated byte string (no pointer table: no
/// relocation per name).
const NAMES: [u8; names_len()] = names();

const fn names_len() -> usize {
    let (mut n, mut i) = (0, 0);
    while i < Api::PARTS.len() {
        n += Api::PARTS[i].len();
        i += 1;
    }
    i = 0;
    while i < Abi::PARTS.len() {
        n += Abi::PARTS[i].len();
        i += 1;
    }
    n
}

const fn names() -> [u8; names_len()] {
    let mut out = [0u8; names_len()];
    let (mut k, mut i) = (0, 0);
    while i < COUNT {
        let part = if i < Api::PARTS.len() {
            Api::PARTS[i]
        } else {
            Abi::PARTS[i - Api::PARTS.len()]
        };
        let mut j = 0;
        while j < part.len() {
            out[k] = part[j];
            k += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

/// Bit `i`: symbol `i` is required.
const REQUIRED: u64 = {
    assert!(COUNT <= 64);
    let (mut mask, mut i) = (0u64, 0);
    while i < COUNT {
        let required = if i < Api::PARTS.len() {
            Api::REQUIRED[i]
        } else {
            Abi::REQUIRED[i - Api::PARTS.len()]
        };
        if required {
            mask |= 1 << i;
        }
        i += 1;
    }
    mask
};

// The address array becomes the struct: one pointer-sized field per name.
const _: () = assert!(core::mem::size_of::<Api>() == COUNT * core::mem::size_of::<*mut c_void>());

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

/// A value set once (the first `set` wins) and only read afterwards: what
/// `check_options` settles for the rest of pppd's life. Readers get plain
/// `&'static` references, with no borrow to hold across calls into pppd.
pub(crate) struct Once<T>(UnsafeCell<Option<T>>);

// SAFETY: pppd is single-threaded and never calls plugin code from a signal
// handler, so the cell is only ever touched from one thread.
unsafe impl<T> Sync for Once<T> {}

impl<T> Once<T> {
    pub(crate) const fn new() -> Once<T> {
        Once(UnsafeCell::new(None))
    }

    /// Sets the value unless it is set already (then `value` is dropped).
    pub(crate) fn set(&self, value: T) {
        // SAFETY: single-threaded; while the cell is empty no reference to
        // its contents exists (`get` hands out none), and it is written only
        // while empty, so no reference is ever invalidated.
        unsafe {
            let slot = &mut *self.0.get();
            if slot.is_none() {
                *slot = Some(value);
            }
        }
    }

    pub(crate) fn get(&'static self) -> Option<&'static T> {
        // SAFETY: once set, the value is never written again (see `set`).
        unsafe { (*self.0.get()).as_ref() }
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

/// Resolves every symbol (`dlsym(RTLD_DEFAULT, name)`: the main program is
/// searched first); on failure returns the required names that are missing.
pub(crate) fn resolve() -> Result<&'static Api, Vec<String>> {
    let mut addrs = [core::ptr::null_mut::<c_void>(); COUNT];
    let mut missing = Vec::new();
    let names = NAMES.split(|&c| c == 0);
    for (i, (addr, name)) in addrs.iter_mut().zip(names).enumerate() {
        // SAFETY: `name` is followed by its NUL in NAMES, so its address is
        // a C string; RTLD_DEFAULT searches the global scope.
        *addr = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr().cast()) };
        if addr.is_null() && REQUIRED & (1 << i) != 0 {
            missing.push(String::from(core::str::from_utf8(name).unwrap_or("?")));
        }
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    // SAFETY: Api is #[repr(C)] with COUNT pointer-sized fields (asserted
    // above) in NAMES order, each a raw pointer or an
    // Option<unsafe extern "C" fn> (NULL: None), and addrs[i] is the
    // address of the symbol of field i, with the type pppd-headers declares.
    let api = unsafe { core::mem::transmute::<[*mut c_void; COUNT], Api>(addrs) };
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
            let c = CBuf::lossy(msg);
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
        let c = CBuf::lossy(path);
        // SAFETY: pppd only reads the path string during the call.
        unsafe { f(c.as_ptr().cast_mut(), 0, 0, 1) != 0 }
    }

    pub(crate) fn script_setenv(&self, var: &str, value: &str) {
        if let Some(f) = self.script_setenv {
            let (k, v) = (CBuf::lossy(var), CBuf::lossy(value));
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
                StringVar::Devnam => (self.abi.devnam, b::PPP_MAXPATHLEN),
                StringVar::PppDevnam => (self.abi.ppp_devnam, b::PPP_MAXPATHLEN),
                StringVar::RemoteNumber => (self.abi.remote_number, b::PPP_MAXNAMELEN),
            };
            // SAFETY: dst is pppd's global char array of that name, `cap`
            // bytes long (docs/pppd-abi.md §4, §7.6).
            unsafe { copy_cstr(dst, cap as usize, value) };
        }
        #[cfg(pppd_abi = "2.5")]
        {
            let c = CBuf::lossy(value);
            let setter = match var {
                StringVar::Devnam => self.abi.set_devnam,
                StringVar::PppDevnam => self.abi.set_pppdevnam,
                StringVar::RemoteNumber => {
                    if let Some(f) = self.abi.set_remote_number {
                        // SAFETY: the setter copies the string before returning.
                        unsafe { f(c.as_ptr()) };
                    }
                    return;
                }
            };
            if let Some(f) = setter {
                // SAFETY: the setter copies the string before returning.
                unsafe { f(c.as_ptr()) };
            }
        }
    }

    pub(crate) fn set_session_number(&self, n: c_int) {
        #[cfg(not(pppd_abi = "2.5"))]
        // SAFETY: ppp_session_number is an int.
        unsafe {
            *self.abi.session_number = n
        };
        #[cfg(pppd_abi = "2.5")]
        if let Some(f) = self.abi.set_session_number {
            // SAFETY: plain int argument.
            unsafe { f(n) };
        }
    }

    /// `modem = 0`: a PPPoE link has no modem control lines.
    pub(crate) fn clear_modem(&self) {
        #[cfg(not(pppd_abi = "2.5"))]
        // SAFETY: modem is a one-byte bool.
        unsafe {
            *self.abi.modem = 0
        };
        #[cfg(pppd_abi = "2.5")]
        if let Some(f) = self.abi.set_modem {
            // SAFETY: plain bool argument.
            unsafe { f(false) };
        }
    }

    /// pppd's `debug` option.
    pub(crate) fn debug(&self) -> bool {
        #[cfg(not(pppd_abi = "2.5"))]
        // SAFETY: debug is an int.
        return unsafe { *self.abi.debug != 0 };
        #[cfg(pppd_abi = "2.5")]
        // SAFETY: debug_on takes no arguments.
        return self.abi.debug_on.is_some_and(|f| unsafe { f() });
    }

    /// pppd's current exit status (`status`), or -1 if unknown.
    pub(crate) fn status(&self) -> c_int {
        #[cfg(not(pppd_abi = "2.5"))]
        {
            if self.abi.status.is_null() {
                return -1;
            }
            // SAFETY: status is pppd's (volatile) int.
            unsafe { core::ptr::read_volatile(self.abi.status) }
        }
        #[cfg(pppd_abi = "2.5")]
        // SAFETY: ppp_status takes no arguments.
        self.abi.get_status.map_or(-1, |f| unsafe { f() })
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
        if !self.abi.status.is_null() {
            // SAFETY: status is pppd's (volatile) int.
            unsafe { core::ptr::write_volatile(self.abi.status, code) };
        }
        #[cfg(pppd_abi = "2.5")]
        if let Some(f) = self.abi.set_status {
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
                Notify::Phase => self.abi.phasechange,
                Notify::Exit => self.abi.exitnotify,
                Notify::IpUp => self.abi.ip_up_notifier,
                Notify::PidChange => self.abi.pidchange,
            };
            match self.abi.add_notifier {
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
            match self.abi.add_notify {
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
        return !self.abi.got_sigterm.is_null()
            && unsafe { core::ptr::read_volatile(self.abi.got_sigterm) } != 0;
        #[cfg(pppd_abi = "2.5")]
        // SAFETY: ppp_signaled takes a signal number.
        return self
            .abi
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
    fn one_name_per_field_in_order() {
        let names: Vec<&[u8]> = NAMES.split(|&c| c == 0).collect();
        // COUNT names, each ended by its NUL (hence the empty last piece).
        assert_eq!(names.len(), COUNT + 1);
        assert_eq!(names[COUNT], b"");
        assert_eq!(names[0], b"info");
        assert_eq!(names[Api::PARTS.len() - 1], b"persist");
        for (i, part) in Api::PARTS.iter().chain(Abi::PARTS).enumerate() {
            assert_eq!(part.iter().position(|&c| c == 0), Some(part.len() - 1));
            assert_eq!(names[i], &part[..part.len() - 1]);
        }
        // Optional: the ones a pppd build may lack without losing a session.
        let optional: Vec<&[u8]> = (0..COUNT)
            .filter(|i| REQUIRED & (1 << i) == 0)
            .map(|i| names[i])
            .collect();
        #[cfg(not(pppd_abi = "2.5"))]
        let want: &[&[u8]] = &[
            b"ifname",
            b"persist",
            b"got_sigterm",
            b"status",
            b"add_notifier",
            b"phasechange",
            b"exitnotify",
            b"ip_up_notifier",
            b"pidchange",
        ];
        #[cfg(pppd_abi = "2.5")]
        let want: &[&[u8]] = &[
            b"ifname",
            b"persist",
            b"ppp_add_notify",
            b"ppp_status",
            b"ppp_set_status",
        ];
        assert_eq!(optional, want);
    }

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
