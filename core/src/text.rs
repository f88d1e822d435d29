//! Text without `core::fmt`: log lines, status documents and records are built
//! with [`Put`] and [`cat!`](crate::cat!), and logged with [`log!`](crate::log!)
//! (see [`crate::log`]).
//!
//! Why not `format!`: in the shipped `.so`, `core::fmt` (the `Formatter`, its
//! padding code, and the argument tables and relocations that every call site
//! builds) took about 20 KB of 87 (BENCHMARKS.md, "What takes the space"). The
//! plugin only ever prints strings, decimal numbers and fixed-width hex, which
//! is all that is here.

/// `String`, for the macros (callers need no `extern crate alloc`).
pub use alloc::string::String;
use alloc::vec::Vec;

/// A value that can append its text to a `String`.
pub trait Put {
    fn put(&self, out: &mut String);
}

/// One argument of [`cat!`], [`push!`] and [`log!`], taken by value: string
/// slices go in registers (a `&&str` would be a relocated constant per piece),
/// `Copy` values as they are, anything else by reference.
pub trait Arg {
    fn put_arg(self, out: &mut String);
}

impl Arg for &str {
    // Out of line: a call per piece is smaller than an inlined push_str.
    #[inline(never)]
    fn put_arg(self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: Put + ?Sized> Arg for &T {
    fn put_arg(self, out: &mut String) {
        self.put(out);
    }
}

impl Put for String {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Put for char {
    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

impl Put for bool {
    fn put(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

/// `by_value!(T, ...)`: [`Arg`] by value for small `Copy` types that are [`Put`].
#[macro_export]
macro_rules! by_value {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::text::Arg for $t {
            fn put_arg(self, out: &mut $crate::text::String) {
                $crate::text::Put::put(&self, out);
            }
        }
    )+};
}

macro_rules! put_unsigned {
    ($($t:ty),*) => {$(
        impl Put for $t {
            fn put(&self, out: &mut String) {
                dec(out, u64::from(*self));
            }
        }
    )*};
}
put_unsigned!(u8, u16, u32, u64);
by_value!(u8, u16, u32, u64, usize, i32, bool, char, Hex2, Hex4);

impl Put for usize {
    fn put(&self, out: &mut String) {
        // usize is at most 64 bits on every Linux target.
        dec(out, *self as u64);
    }
}

impl Put for i32 {
    fn put(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        dec(out, u64::from(self.unsigned_abs()));
    }
}

/// Appends `v` in decimal.
#[inline(never)]
pub fn dec(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        start -= 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &b in buf.iter().skip(start) {
        out.push(char::from(b));
    }
}

const LOWER: &[u8; 16] = b"0123456789abcdef";
const UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Appends the low `digits` hex digits of `v` (zero-padded, lower or upper case).
pub fn hex(out: &mut String, v: u64, digits: u32, upper: bool) {
    let table = if upper { UPPER } else { LOWER };
    for i in (0..digits).rev() {
        let nibble = v.checked_shr(i * 4).unwrap_or(0) & 0xf;
        out.push(char::from(table[nibble as usize]));
    }
}

/// A short text built without allocating (names, MAC addresses, codes for
/// log lines): up to 24 bytes, more are cut.
#[derive(Clone, Copy)]
pub struct Label {
    buf: [u8; 24],
    len: u8,
}

impl Label {
    pub const fn new() -> Label {
        Label {
            buf: [0; 24],
            len: 0,
        }
    }

    /// Appends bytes (cut at the capacity).
    pub fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.buf.get_mut(usize::from(self.len)) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// Appends the low `digits` hex digits of `v`.
    pub fn push_hex(&mut self, v: u32, digits: u32, upper: bool) {
        let table = if upper { UPPER } else { LOWER };
        for i in (0..digits).rev() {
            let nibble = v.checked_shr(i * 4).unwrap_or(0) & 0xf;
            self.push(&[table[nibble as usize]]);
        }
    }

    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_ref()).unwrap_or("?")
    }
}

impl Default for Label {
    fn default() -> Label {
        Label::new()
    }
}

impl AsRef<[u8]> for Label {
    fn as_ref(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl Put for Label {
    fn put(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

/// A byte as two lower-case hex digits (`{:02x}`).
pub struct Hex2(pub u8);

impl Put for Hex2 {
    fn put(&self, out: &mut String) {
        hex(out, u64::from(self.0), 2, false);
    }
}

/// A 16-bit value as four lower-case hex digits (`{:04x}`).
pub struct Hex4(pub u16);

impl Put for Hex4 {
    fn put(&self, out: &mut String) {
        hex(out, u64::from(self.0), 4, false);
    }
}

/// Bytes as contiguous lower-case hex (`0a1b2c`; empty for none).
#[derive(Clone, Copy)]
pub struct HexBytes<'a>(pub &'a [u8]);

impl Put for HexBytes<'_> {
    fn put(&self, out: &mut String) {
        for &b in self.0 {
            Hex2(b).put(out);
        }
    }
}

/// `s` cut at the first byte `sep` (an ASCII separator), without it.
/// (By bytes: `str`'s char patterns bring a searcher and its panic paths
/// into the plugin.)
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The pieces of `s` between the bytes `sep` (an ASCII separator).
pub fn split(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        match split_once(r, sep) {
            Some((piece, tail)) => {
                rest = Some(tail);
                Some(piece)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Calls `f` with each character of `bytes` read as
/// `String::from_utf8_lossy` reads them (one U+FFFD per maximal invalid
/// sequence), without the copy; stops when `f` returns false.
pub fn lossy_chars(bytes: &[u8], mut f: impl FnMut(char) -> bool) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, skip) = match core::str::from_utf8(rest) {
            Ok(s) => (s, rest.len()),
            Err(e) => {
                let n = e.valid_up_to();
                let bad = e.error_len().unwrap_or(rest.len() - n);
                let valid = rest.get(..n).and_then(|v| core::str::from_utf8(v).ok());
                (valid.unwrap_or(""), n + bad)
            }
        };
        for c in valid.chars() {
            if !f(c) {
                return;
            }
        }
        if skip > valid.len() && !f(char::REPLACEMENT_CHARACTER) {
            return;
        }
        rest = rest.get(skip..).unwrap_or(&[]);
    }
}

/// A decimal number of ASCII digits only (no sign), at most `max`: what
/// `str::parse` reads for digits, without its generic code (about 0.7 KB of
/// the plugin for the two integer types it parsed).
pub fn parse_dec(v: &str, max: u32) -> Option<u32> {
    if v.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for b in v.bytes() {
        let d = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n = n.checked_mul(10)?.checked_add(u32::from(d))?;
    }
    (n <= max).then_some(n)
}

/// The value of one hex digit (either case).
pub fn hex_digit(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Parses an even number of hex digits (either case, no prefix) into bytes;
/// `None` for an odd count or any other character. Empty input is empty bytes.
pub fn parse_hex(digits: &[u8]) -> Option<Vec<u8>> {
    if digits.len() % 2 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() / 2);
    let mut rest = digits;
    while let [hi, lo, tail @ ..] = rest {
        out.push(hex_digit(*hi)? << 4 | hex_digit(*lo)?);
        rest = tail;
    }
    Some(out)
}

/// How [`Escaped`] shows bytes that are not plain text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    /// Names and messages (log lines, a terminal): UTF-8 where it is valid
    /// (invalid bytes become U+FFFD), control characters as `\xNN`; cut
    /// after `max` characters with `...`.
    Text,
    /// Packet dumps: in double quotes, every byte that is not printable ASCII
    /// as `\xNN`, `"` and `\` escaped; cut after `max` bytes with `...`
    /// after the closing quote.
    Quoted,
}

/// Bytes from the wire or the command line, made safe to show: the one
/// escaper for everything the plugin and the tools print (the status file's
/// JSON strings are `status::json_str`).
#[derive(Clone, Copy)]
pub struct Escaped<'a> {
    pub bytes: &'a [u8],
    pub style: Style,
    pub max: usize,
}

impl<'a> Escaped<'a> {
    /// [`Style::Text`], cut at 256 characters.
    pub fn text(bytes: &'a [u8]) -> Escaped<'a> {
        Escaped {
            bytes,
            style: Style::Text,
            max: 256,
        }
    }
}

impl Put for Escaped<'_> {
    fn put(&self, out: &mut String) {
        match self.style {
            Style::Text => {
                let mut n = 0;
                lossy_chars(self.bytes, |c| {
                    if n == self.max {
                        out.push_str("...");
                        return false;
                    }
                    n += 1;
                    if c.is_control() {
                        // Control characters are U+0000-U+001F and U+007F-U+009F.
                        crate::push!(out; "\\x", Hex2(u32::from(c) as u8));
                    } else {
                        out.push(c);
                    }
                    true
                });
            }
            Style::Quoted => {
                out.push('"');
                for &b in self.bytes.iter().take(self.max) {
                    match b {
                        b'"' | b'\\' => {
                            out.push('\\');
                            out.push(char::from(b));
                        }
                        0x20..=0x7e => out.push(char::from(b)),
                        _ => crate::push!(out; "\\x", Hex2(b)),
                    }
                }
                out.push('"');
                if self.bytes.len() > self.max {
                    out.push_str("...");
                }
            }
        }
    }
}

by_value!(HexBytes<'_>, Escaped<'_>);

/// The text of one value, as a `String`.
pub fn text<T: Put + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.put(&mut out);
    out
}

/// `cat!(a, b, ...)`: a `String` of the texts of the values, in order.
#[macro_export]
macro_rules! cat {
    ($($e:expr),+ $(,)?) => {{
        let mut s = $crate::text::String::new();
        $( $crate::text::Arg::put_arg($e, &mut s); )+
        s
    }};
}

/// `push!(out; a, b, ...)`: appends the texts of the values to `out`.
#[macro_export]
macro_rules! push {
    ($out:expr; $($e:expr),+ $(,)?) => {{
        let out: &mut $crate::text::String = $out;
        $( $crate::text::Arg::put_arg($e, out); )+
    }};
}

/// `display_via_put!(T, ...)`: `Display` for types that implement [`Put`], for
/// the tools and tests that use `format!`. The plugin never calls it, so the
/// linker drops it from the `.so`.
#[macro_export]
macro_rules! display_via_put {
    ($($t:ty),+ $(,)?) => {$(
        impl core::fmt::Display for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&$crate::text::text(self))
            }
        }
    )+};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_str_does() {
        for s in [
            "",
            ":",
            "a",
            "a:b",
            "a::b:",
            ":a:b:c:",
            "ä:ö",
            "no separator",
        ] {
            let ours: Vec<&str> = split(s, b':').collect();
            let std: Vec<&str> = s.split(':').collect();
            assert_eq!(ours, std, "{s:?}");
            assert_eq!(split_once(s, b':'), s.split_once(':'), "{s:?}");
        }
    }

    #[test]
    fn decimal_numbers_read_as_str_parse_reads_digits() {
        for v in [
            "0",
            "7",
            "4242",
            "65535",
            "0001",
            "2147483647",
            "4294967295",
            "00000000000000000042",
        ] {
            assert_eq!(parse_dec(v, u32::MAX), v.parse::<u32>().ok(), "{v}");
        }
        for v in [
            "",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1a",
            "4294967296",
            "99999999999",
            "\u{661}",
        ] {
            assert_eq!(parse_dec(v, u32::MAX), None, "{v:?}");
        }
        assert_eq!(parse_dec("65535", 0xffff), Some(65535));
        assert_eq!(parse_dec("65536", 0xffff), None);
        assert_eq!(parse_dec("2147483648", i32::MAX as u32), None);
    }

    #[test]
    fn lossy_chars_read_as_from_utf8_lossy() {
        let mut rng = crate::testing::XorShift(0x10551);
        let mut cases: Vec<Vec<u8>> = std::vec![
            b"".to_vec(),
            "plain ä € 😀".as_bytes().to_vec(),
            b"\xff\xfe".to_vec(),
            b"a\xe2\x82".to_vec(),
            b"\xf0\x9f\x98x\xc3".to_vec(),
            b"\xed\xa0\x80".to_vec(),
        ];
        for _ in 0..2000 {
            // Mostly high bytes, so invalid and valid sequences interleave.
            let n = rng.byte() as usize % 12;
            cases.push(
                (0..n)
                    .map(|_| rng.byte() | if rng.byte() % 3 == 0 { 0 } else { 0x80 })
                    .collect(),
            );
        }
        for bytes in cases {
            let mut ours = String::new();
            lossy_chars(&bytes, |c| {
                ours.push(c);
                true
            });
            assert_eq!(ours, String::from_utf8_lossy(&bytes), "{bytes:02x?}");
        }
    }

    #[test]
    fn hex_pairs() {
        assert_eq!(parse_hex(b""), Some(Vec::new()));
        assert_eq!(parse_hex(b"c0FFee"), Some(std::vec![0xc0, 0xff, 0xee]));
        assert_eq!(parse_hex(b"c0f"), None);
        assert_eq!(parse_hex(b"0g"), None);
        assert_eq!(parse_hex(b" 01"), None);
    }

    #[test]
    fn numbers_match_core_fmt() {
        for v in [
            0u64,
            1,
            9,
            10,
            99,
            100,
            4660,
            65535,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            assert_eq!(text(&v), std::format!("{v}"));
        }
        for v in [0i32, -1, 7, -4660, i32::MIN, i32::MAX] {
            assert_eq!(text(&v), std::format!("{v}"));
        }
        assert_eq!(text(&usize::MAX), std::format!("{}", usize::MAX));
        for b in [0u8, 0x0a, 0x7f, 0xff] {
            assert_eq!(text(&Hex2(b)), std::format!("{b:02x}"));
        }
        for w in [0u16, 0x12, 0xabc, 0xffff] {
            assert_eq!(text(&Hex4(w)), std::format!("{w:04x}"));
        }
        let mut s = String::new();
        hex(&mut s, 0xab, 2, true);
        assert_eq!(s, "AB");
    }

    #[test]
    fn cat_and_push_concatenate() {
        let name = String::from("eth0");
        let mut s = cat!("if ", &name, " id ", 7u16, ' ', -3i32);
        assert_eq!(s, "if eth0 id 7 -3");
        push!(&mut s; "; ", Hex4(0x8863));
        assert_eq!(s, "if eth0 id 7 -3; 8863");
    }
}
