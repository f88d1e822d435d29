//! Where the core's log lines go: a hook the host installs once, fed with
//! pppd-style format strings and typed arguments.
//!
//! A line is a constant format string and a few [`Arg`]s, checked against
//! each other at compile time by [`log!`](crate::log!). The plugin hands
//! both to pppd's own `error`/`warn`/`info`/`dbglog`, so its lines come out
//! exactly as the C plugin's do (pppd's formatter: lower-case hex, `%m`), and
//! the `.so` carries no formatting code of its own; the tools and the tests
//! format them with [`format`], this module's copy of the part of pppd's
//! formatter the lines use. Before a logger is installed, lines are dropped.
//!
//! The conversions, and the [`Arg`] each takes:
//! - `%d`, `%u`, `%x`, `%X` (optionally `0`-padded to a width, e.g. `%02x`):
//!   [`Arg::Int`]; hex digits are lower case, as pppd prints them;
//! - `%0.*v`: [`Arg::Text`], bytes shown as pppd shows "visible" text:
//!   printable ASCII as it is, control characters as `^X`, bytes from 0x80
//!   as `M-` and the byte less 0x80 (so nothing from the wire can reach a
//!   terminal or a syslog line raw);
//! - `%m`: [`Arg::Errno`], that errno's text;
//! - `%%`: a percent sign.
//!
//! `--cfg rp_pppoe_no_log_lines` compiles every line out: only `scripts/bench`
//! builds that, to show what the log lines cost in the `.so`.

use alloc::string::String;
use core::ffi::CStr;

use once_cell::race::OnceRef;

use crate::text::Put;

/// Log levels, most severe first: pppd's `error`, `warn`, `info` and `dbglog`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

/// One argument of a log line (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg<'a> {
    /// For `%d`, `%u`, `%x`, `%X`: C's `int` (an unsigned value keeps its bits).
    Int(i32),
    /// For `%0.*v`: bytes, shown "visible".
    Text(&'a [u8]),
    /// For `%m`: an `errno` value.
    Errno(i32),
}

/// The most machine words the arguments of one line may take (a `%d` one,
/// a `%0.*v` two): the plugin passes pppd exactly this many.
pub const MAX_WORDS: usize = 10;

/// The host's log sink: plain functions, so installing one needs no
/// allocation and a line costs one indirect call.
pub struct Logger {
    /// Whether lines at this level are wanted.
    pub enabled: fn(Level) -> bool,
    /// Takes one line: its NUL-terminated format and its arguments, which
    /// [`log!`](crate::log!) has checked against each other.
    pub write: fn(Level, &'static CStr, &[Arg<'_>]),
}

static LOGGER: OnceRef<'static, Logger> = OnceRef::new();

/// Installs the logger; the first one installed stays (returns false for a
/// later, different one).
pub fn set_logger(logger: &'static Logger) -> bool {
    core::ptr::eq(LOGGER.get_or_init(|| logger), logger)
}

/// Whether a line at `level` would be written (for lines whose arguments
/// cost something to build, such as packet dumps).
#[inline(never)] // one call per use, not the lookup inlined into each
pub fn enabled(level: Level) -> bool {
    LOGGER.get().is_some_and(|l| (l.enabled)(level))
}

/// Writes one line (used by [`log!`](crate::log!), which checked `fmt`
/// against `args`).
#[doc(hidden)]
#[inline(never)]
pub fn emit(level: Level, fmt: &'static CStr, args: &[Arg<'_>]) {
    if let Some(l) = LOGGER.get() {
        if (l.enabled)(level) {
            (l.write)(level, fmt, args);
        }
    }
}

/// An errno value as a [`log!`](crate::log!) argument before it is an [`Arg`].
#[doc(hidden)]
pub struct ErrnoArg(pub i32);

/// A [`log!`](crate::log!) argument's plain value: `i32` for `%d`, bytes for
/// `%0.*v`, [`ErrnoArg`] for `%m`.
#[doc(hidden)]
pub trait ToArg<'a> {
    fn to_arg(self) -> Arg<'a>;
}

impl<'a> ToArg<'a> for i32 {
    fn to_arg(self) -> Arg<'a> {
        Arg::Int(self)
    }
}

impl<'a> ToArg<'a> for &'a [u8] {
    fn to_arg(self) -> Arg<'a> {
        Arg::Text(self)
    }
}

impl<'a> ToArg<'a> for ErrnoArg {
    fn to_arg(self) -> Arg<'a> {
        Arg::Errno(self.0)
    }
}

// emit1..emit3: a line's arguments passed as values (in registers) and made
// into [Arg]s once here, not at each of the ~90 call sites (x86_64 -0.8 KB,
// aarch64 -0.4 KB, MIPS -0.3 KB; a fourth one made the files larger).

/// [`emit`] for a line with one argument.
#[doc(hidden)]
#[inline(never)]
pub fn emit1<'a, A: ToArg<'a>>(level: Level, fmt: &'static CStr, a: A) {
    emit(level, fmt, &[a.to_arg()]);
}

/// [`emit`] for a line with two arguments.
#[doc(hidden)]
#[inline(never)]
pub fn emit2<'a, A: ToArg<'a>, B: ToArg<'a>>(level: Level, fmt: &'static CStr, a: A, b: B) {
    emit(level, fmt, &[a.to_arg(), b.to_arg()]);
}

/// [`emit`] for a line with three arguments.
#[doc(hidden)]
#[inline(never)]
pub fn emit3<'a, A: ToArg<'a>, B: ToArg<'a>, C: ToArg<'a>>(
    level: Level,
    fmt: &'static CStr,
    a: A,
    b: B,
    c: C,
) {
    emit(level, fmt, &[a.to_arg(), b.to_arg(), c.to_arg()]);
}

/// The conversion of a format at `i` (after its `%`), and where it ends.
/// `None` for a conversion this module does not know.
const fn conversion(f: &[u8], mut i: usize) -> Option<(u8, usize)> {
    if i < f.len() && f[i] == b'%' {
        return Some((b'%', i + 1));
    }
    if i + 4 <= f.len() && f[i] == b'0' && f[i + 1] == b'.' && f[i + 2] == b'*' && f[i + 3] == b'v'
    {
        return Some((b'v', i + 4));
    }
    if i < f.len() && f[i] == b'0' {
        i += 1;
    }
    while i < f.len() && f[i].is_ascii_digit() {
        i += 1;
    }
    if i >= f.len() {
        return None;
    }
    match f[i] {
        b'd' | b'u' | b'x' | b'X' => Some((b'd', i + 1)),
        b'm' => Some((b'm', i + 1)),
        _ => None,
    }
}

/// Checks, at compile time, that the NUL-terminated format `fmt` takes
/// exactly the arguments `kinds` names (`d`: [`Arg::Int`], `v`:
/// [`Arg::Text`], `m`: [`Arg::Errno`]) in order, within [`MAX_WORDS`], and
/// returns it as a `CStr`. A mismatch is a compile error where the line is
/// written: pppd would read the wrong arguments.
#[doc(hidden)]
pub const fn checked(fmt: &'static str, kinds: &str) -> &'static CStr {
    let f = fmt.as_bytes();
    let k = kinds.as_bytes();
    let (mut i, mut n, mut words) = (0, 0, 0);
    while i + 1 < f.len() {
        if f[i] == 0 {
            panic!("a log format contains a NUL");
        }
        if f[i] != b'%' {
            i += 1;
            continue;
        }
        let Some((conv, end)) = conversion(f, i + 1) else {
            panic!("a log format uses a conversion pppd's log lines do not (see log.rs)");
        };
        i = end;
        if conv == b'%' {
            continue;
        }
        if n >= k.len() || k[n] != conv {
            panic!("a log format's conversions do not match its arguments");
        }
        words += match conv {
            b'v' => 2,
            b'd' => 1,
            _ => 0,
        };
        n += 1;
    }
    if n != k.len() {
        panic!("a log line has more arguments than its format takes");
    }
    if words > MAX_WORDS {
        panic!("a log line takes more than MAX_WORDS words of arguments");
    }
    match CStr::from_bytes_with_nul(f) {
        Ok(c) => c,
        Err(_) => panic!("a log format must end in one NUL"),
    }
}

/// `log!(level, "format", d(int), v(bytes), m(errno), ...)`: one line, its
/// format checked against its arguments at compile time (see the module
/// documentation). `d(x)` takes anything `as i32` takes, `v(x)` anything
/// `AsRef<[u8]>`, `m(x)` an errno `i32`.
#[macro_export]
macro_rules! log {
    ($level:expr, $fmt:literal $(, $kind:ident($arg:expr))* $(,)?) => {{
        const FMT: &'static ::core::ffi::CStr =
            $crate::log::checked(concat!($fmt, "\0"), concat!($(stringify!($kind)),*));
        if !cfg!(rp_pppoe_no_log_lines) {
            $crate::__log_emit!($level, FMT $(, $crate::__log_val!($kind, $arg))*);
        }
    }};
}

/// A line with up to three arguments goes through [`emit1`](crate::log::emit1)
/// to [`emit3`](crate::log::emit3), which take the values in registers; more go
/// to [`emit`](crate::log::emit) as built here.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_emit {
    ($l:expr, $f:expr) => {
        $crate::log::emit($l, $f, &[])
    };
    ($l:expr, $f:expr, $a:expr) => {
        $crate::log::emit1($l, $f, $a)
    };
    ($l:expr, $f:expr, $a:expr, $b:expr) => {
        $crate::log::emit2($l, $f, $a, $b)
    };
    ($l:expr, $f:expr, $a:expr, $b:expr, $c:expr) => {
        $crate::log::emit3($l, $f, $a, $b, $c)
    };
    ($l:expr, $f:expr, $($x:expr),+) => {
        $crate::log::emit($l, $f, &[$($crate::log::ToArg::to_arg($x)),+])
    };
}

/// One [`log!`](crate::log!) argument as a plain value ([`ToArg`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __log_val {
    (d, $e:expr) => {
        ($e) as i32
    };
    (v, $e:expr) => {
        ::core::convert::AsRef::<[u8]>::as_ref(&$e)
    };
    (m, $e:expr) => {
        $crate::log::ErrnoArg($e)
    };
}

/// `log_with!(f, "format", args...)`: calls `f(format, &[args])` with the
/// format checked as by [`log!`](crate::log!) (for text that is both logged
/// and shown another way, such as [`Ignored`](crate::engine::Ignored)).
#[macro_export]
macro_rules! log_with {
    ($f:expr, $fmt:literal $(, $kind:ident($arg:expr))* $(,)?) => {{
        const FMT: &'static ::core::ffi::CStr =
            $crate::log::checked(concat!($fmt, "\0"), concat!($(stringify!($kind)),*));
        ($f)(FMT, &[$($crate::log::ToArg::to_arg($crate::__log_val!($kind, $arg))),*])
    }};
}

/// `error!("format", args...)`: an error-level line.
#[macro_export]
macro_rules! error {
    ($($t:tt)+) => { $crate::log!($crate::log::Level::Error, $($t)+) };
}

/// `warning!("format", args...)`: a warning-level line.
#[macro_export]
macro_rules! warning {
    ($($t:tt)+) => { $crate::log!($crate::log::Level::Warn, $($t)+) };
}

/// `info!("format", args...)`: an info-level line.
#[macro_export]
macro_rules! info {
    ($($t:tt)+) => { $crate::log!($crate::log::Level::Info, $($t)+) };
}

/// `debug!("format", args...)`: a debug-level line (pppd: only with `debug`).
#[macro_export]
macro_rules! debug {
    ($($t:tt)+) => { $crate::log!($crate::log::Level::Debug, $($t)+) };
}

/// Appends `bytes` as pppd's `%v` shows them.
fn visible(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        let mut c = b;
        if c >= 0x80 {
            out.push_str("M-");
            c -= 0x80;
        }
        if c < 0x20 || c == 0x7f {
            if c == b'\t' {
                out.push('\t');
            } else {
                out.push('^');
                out.push(char::from(c ^ 0x40));
            }
        } else {
            out.push(char::from(c));
        }
    }
}

/// The line pppd would make of `fmt` and `args` (for the tools and the
/// tests; the plugin lets pppd do this). Arguments that do not match are
/// shown as `?` (the [`log!`](crate::log!) macro rules that out).
pub fn format(fmt: &CStr, args: &[Arg<'_>]) -> String {
    let f = fmt.to_bytes();
    let mut out = String::new();
    let mut args = args.iter();
    let mut i = 0;
    while i < f.len() {
        if f[i] != b'%' {
            let start = i;
            while i < f.len() && f[i] != b'%' {
                i += 1;
            }
            out.push_str(&String::from_utf8_lossy(&f[start..i]));
            continue;
        }
        let Some((conv, end)) = conversion(f, i + 1) else {
            out.push('%');
            i += 1;
            continue;
        };
        let spec = &f[i + 1..end];
        i = end;
        match (conv, args.next()) {
            (b'%', _) => out.push('%'),
            (b'd', Some(&Arg::Int(n))) => int(&mut out, spec, n),
            (b'v', Some(Arg::Text(t))) => visible(&mut out, t),
            (b'm', Some(&Arg::Errno(e))) => crate::os::Errno(e).put(&mut out),
            _ => out.push('?'),
        }
    }
    out
}

/// `%[0][width](d|u|x|X)` of `n`, as pppd prints it.
fn int(out: &mut String, spec: &[u8], n: i32) {
    let (conv, flags) = spec.split_last().unwrap_or((&b'd', &[]));
    let zero = flags.first() == Some(&b'0');
    let width = flags
        .iter()
        .skip(usize::from(zero))
        .fold(0usize, |w, d| w * 10 + usize::from(d - b'0'));
    let mut digits = String::new();
    match conv {
        b'd' => {
            if n < 0 {
                digits.push('-');
            }
            crate::text::dec(&mut digits, u64::from(n.unsigned_abs()));
        }
        b'u' => crate::text::dec(&mut digits, u64::from(n as u32)),
        _ => {
            let v = u64::from(n as u32);
            let len = (1..=8).find(|d| v >> (4 * d) == 0).unwrap_or(8);
            crate::text::hex(&mut digits, v, len, false);
        }
    }
    for _ in digits.len()..width {
        out.push(if zero { '0' } else { ' ' });
    }
    out.push_str(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(fmt: &'static str, kinds: &str, args: &[Arg<'_>]) -> String {
        format(checked(fmt, kinds), args)
    }

    #[test]
    fn every_number_of_arguments_reaches_the_logger_in_order() {
        crate::testing::record_logs();
        let name = String::from("eth0");
        crate::info!("none");
        crate::info!("one %d", d(1));
        crate::warning!("two %0.*v %m", v(name), m(libc::ENODEV));
        crate::error!("three %d %0.*v %d", d(1), v(b"ac"), d(3u16));
        crate::debug!("four %d %0.*v %d %0.*v", d(4), v("x"), d(-4), v(name));
        crate::info!("five %d %d %d %d %d", d(1), d(2), d(3), d(4), d(5));
        assert_eq!(
            crate::testing::take_logs(),
            [
                (Level::Info, String::from("none")),
                (Level::Info, String::from("one 1")),
                (Level::Warn, String::from("two eth0 No such device")),
                (Level::Error, String::from("three 1 ac 3")),
                (Level::Debug, String::from("four 4 x -4 eth0")),
                (Level::Info, String::from("five 1 2 3 4 5")),
            ]
        );
    }

    #[test]
    fn formats_as_pppd_does() {
        assert_eq!(
            line("PPP session is %d\0", "d", &[Arg::Int(4660)]),
            "PPP session is 4660"
        );
        assert_eq!(
            line("%d %u\0", "dd", &[Arg::Int(-5), Arg::Int(-1)]),
            "-5 4294967295"
        );
        assert_eq!(
            line(
                "%02x:%02x %x %04x %X\0",
                "ddddd",
                &[
                    Arg::Int(0x0a),
                    Arg::Int(0xff),
                    Arg::Int(0xffff),
                    Arg::Int(0x12),
                    Arg::Int(0xAB)
                ]
            ),
            "0a:ff ffff 0012 ab"
        );
        assert_eq!(line("100%%\0", "", &[]), "100%");
        assert_eq!(
            line(
                "[%0.*v]\0",
                "v",
                &[Arg::Text(b"a\tb\r\n\x1b[1m\x7f\xc3\xa9")]
            ),
            "[a\tb^M^J^[[1m^?M-CM-)]"
        );
        assert_eq!(
            line("x: %m\0", "m", &[Arg::Errno(libc::ENODEV)]),
            "x: No such device"
        );
    }
}
