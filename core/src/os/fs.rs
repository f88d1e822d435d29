//! Small files and directories: the status file and the session records.
//!
//! pppd runs as root and the directories it writes to may be writable by
//! others, so nothing here follows a symbolic link in the last component or
//! opens a name another user could have prepared: new files are created with
//! `O_CREAT | O_EXCL | O_NOFOLLOW` under an unpredictable name through a
//! directory descriptor and renamed into place; files are read with
//! `O_NOFOLLOW | O_NONBLOCK` (a FIFO cannot hang pppd) and only if they are
//! regular files.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cat;
use crate::text::HexBytes;

use super::{errno, CBuf, Fd, OsError};

fn c_path(path: &str) -> Result<CBuf, OsError> {
    CBuf::new(path).ok_or(OsError {
        what: "path",
        errno: libc::EINVAL,
    })
}

fn fstat(fd: &Fd) -> Result<libc::stat, OsError> {
    // SAFETY: stat is plain old data; all-zero is a valid value to overwrite.
    let mut st: libc::stat = unsafe { core::mem::zeroed() };
    // SAFETY: fd is open; st is a valid stat buffer.
    if unsafe { libc::fstat(fd.raw(), &mut st) } < 0 {
        return Err(OsError::last("fstat"));
    }
    Ok(st)
}

/// Eight random bytes, as hex, for temporary file names (from the kernel's
/// generator; the pid and the clock if it cannot be read).
fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    // SAFETY: a constant C string; flags are plain integers.
    let fd = unsafe { libc::open(c"/dev/urandom".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    let got = fd >= 0 && read_into(&Fd(fd), &mut bytes) == Ok(bytes.len());
    if !got {
        let mix = super::now().as_nanos() as u64 ^ (super::pid() as u64).rotate_left(32);
        bytes = mix.to_ne_bytes();
    }
    cat!(HexBytes(&bytes))
}

/// Reads until `buf` is full or the end of the file; the bytes read.
fn read_into(fd: &Fd, buf: &mut [u8]) -> Result<usize, OsError> {
    let mut n = 0;
    while n < buf.len() {
        let rest = buf.get_mut(n..).unwrap_or(&mut []);
        // SAFETY: rest is a valid writable buffer of rest.len() bytes.
        let r = unsafe { libc::read(fd.raw(), rest.as_mut_ptr().cast(), rest.len()) };
        match r {
            0 => break,
            r if r > 0 => n += r as usize,
            _ if errno() == libc::EINTR => {}
            _ => return Err(OsError::last("read")),
        }
    }
    Ok(n)
}

/// Writes all of `data`.
fn write_all(fd: &Fd, data: &[u8]) -> Result<(), OsError> {
    let mut rest = data;
    while !rest.is_empty() {
        // SAFETY: rest is a valid readable buffer of rest.len() bytes.
        let n = unsafe { libc::write(fd.raw(), rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            return Err(OsError::last("write"));
        }
        rest = rest.get(n as usize..).unwrap_or(&[]);
    }
    Ok(())
}

/// The names in a buffer of `linux_dirent64` records (inode: u64, offset:
/// i64, record length: u16, type: u8, then the NUL-terminated name), but
/// `.`, `..` and names that are not UTF-8.
fn dirents(mut buf: &[u8], out: &mut Vec<String>) {
    while let Some(&[a, b]) = buf.get(16..18) {
        let len = usize::from(u16::from_ne_bytes([a, b]));
        let (Some(rec), Some(rest)) = (buf.get(..len), buf.get(len..)) else {
            return;
        };
        let name = rec.get(19..).unwrap_or(&[]);
        let name = name.split(|&c| c == 0).next().unwrap_or(&[]);
        if let Ok(n) = core::str::from_utf8(name) {
            if n != "." && n != ".." && !n.is_empty() {
                out.push(String::from(n));
            }
        }
        if len == 0 {
            return;
        }
        buf = rest;
    }
}

/// An open directory: names are looked up in it with the `*at` calls, so
/// what happens to its path meanwhile does not matter.
#[derive(Debug)]
pub struct Dir {
    fd: Fd,
    path: String,
}

impl Dir {
    /// Opens the directory at `path` (symbolic links on the way are followed).
    pub fn open(path: &str) -> Result<Dir, OsError> {
        let p = c_path(path)?;
        // SAFETY: p is a valid C string; flags are plain integers.
        let fd = unsafe {
            libc::open(
                p.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(OsError::last("open directory"));
        }
        Ok(Dir {
            fd: Fd(fd),
            path: path.into(),
        })
    }

    /// Opens (creating it with mode 0700 if missing) a directory that only
    /// we may change: it must be a real directory (not a symbolic link),
    /// owned by our effective user and writable by nobody else; otherwise
    /// `EPERM` ("not a private directory").
    pub fn open_private(path: &str) -> Result<Dir, OsError> {
        let p = c_path(path)?;
        // SAFETY: p is a valid C string.
        if unsafe { libc::mkdir(p.as_ptr(), 0o700) } < 0 && errno() != libc::EEXIST {
            return Err(OsError::last("mkdir"));
        }
        // SAFETY: as in open; O_NOFOLLOW refuses a symbolic link as the last
        // component.
        let fd = unsafe {
            libc::open(
                p.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(OsError::last("open directory"));
        }
        let fd = Fd(fd);
        let st = fstat(&fd)?;
        // SAFETY: geteuid has no preconditions.
        let euid = unsafe { libc::geteuid() };
        if st.st_uid != euid || st.st_mode & 0o022 != 0 {
            return Err(OsError {
                what: "not a private directory (owner or mode)",
                errno: libc::EPERM,
            });
        }
        Ok(Dir {
            fd,
            path: path.into(),
        })
    }

    /// The path it was opened with.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn c_name(name: &str) -> Result<CBuf, OsError> {
        if name.is_empty() || name.bytes().any(|b| b == b'/') || name == "." || name == ".." {
            return Err(OsError {
                what: "file name",
                errno: libc::EINVAL,
            });
        }
        c_path(name)
    }

    /// Creates a new file named `prefix` + random hex (mode 0644), which no
    /// one else can have prepared: `O_EXCL | O_NOFOLLOW`, a few names tried.
    pub fn create_new(&self, prefix: &str) -> Result<(Fd, String), OsError> {
        let mut last = OsError {
            what: "create",
            errno: libc::EEXIST,
        };
        for _ in 0..4 {
            let name = cat!(prefix, &random_suffix());
            let c = Self::c_name(&name)?;
            // SAFETY: the directory fd is open, c is a valid C string, flags
            // and mode are plain integers.
            let fd = unsafe {
                libc::openat(
                    self.fd.raw(),
                    c.as_ptr(),
                    libc::O_WRONLY
                        | libc::O_CREAT
                        | libc::O_EXCL
                        | libc::O_NOFOLLOW
                        | libc::O_CLOEXEC,
                    0o644 as libc::c_uint,
                )
            };
            if fd >= 0 {
                return Ok((Fd(fd), name));
            }
            last = OsError::last("create");
            if last.errno != libc::EEXIST {
                break;
            }
        }
        Err(last)
    }

    /// Renames `from` to `to` in this directory (replacing `to`).
    pub fn rename(&self, from: &str, to: &str) -> Result<(), OsError> {
        let (f, t) = (Self::c_name(from)?, Self::c_name(to)?);
        let d = self.fd.raw();
        // SAFETY: d is open; both names are valid C strings.
        if unsafe { libc::renameat(d, f.as_ptr(), d, t.as_ptr()) } < 0 {
            return Err(OsError::last("rename"));
        }
        Ok(())
    }

    /// Makes what was renamed or created here durable (`fsync` on the
    /// directory), for records that must survive a power cut.
    pub fn sync(&self) -> Result<(), OsError> {
        sync(&self.fd)
    }

    /// Removes `name`; `Ok(false)` if it did not exist (someone else took it).
    pub fn unlink(&self, name: &str) -> Result<bool, OsError> {
        let c = Self::c_name(name)?;
        // SAFETY: the directory fd is open; c is a valid C string.
        if unsafe { libc::unlinkat(self.fd.raw(), c.as_ptr(), 0) } == 0 {
            Ok(true)
        } else if errno() == libc::ENOENT {
            Ok(false)
        } else {
            Err(OsError::last("unlink"))
        }
    }

    /// Whether `name` (never followed if a link) is the file open as `fd`.
    pub fn names(&self, name: &str, fd: &Fd) -> bool {
        let Ok(other) = self.open_read(name, false) else {
            return false;
        };
        match (fstat(&other), fstat(fd)) {
            (Ok(a), Ok(b)) => a.st_dev == b.st_dev && a.st_ino == b.st_ino,
            _ => false,
        }
    }

    /// Opens `name` for reading (or, with `write`, for reading and writing)
    /// if it is a regular file: never through a symbolic link, and without
    /// blocking on a FIFO.
    pub fn open_read(&self, name: &str, write: bool) -> Result<Fd, OsError> {
        let c = Self::c_name(name)?;
        let mode = if write { libc::O_RDWR } else { libc::O_RDONLY };
        // SAFETY: the directory fd is open; c is a valid C string.
        let fd = unsafe {
            libc::openat(
                self.fd.raw(),
                c.as_ptr(),
                mode | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(OsError::last("open"));
        }
        let fd = Fd(fd);
        let st = fstat(&fd)?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Err(OsError {
                what: "not a regular file",
                errno: libc::EINVAL,
            });
        }
        Ok(fd)
    }

    /// The names in the directory (without `.` and `..`).
    pub fn list(&self) -> Result<Vec<String>, OsError> {
        // The directory we checked, not whatever its path names now, read
        // with getdents64 (the same on every libc and architecture; a 32-bit
        // readdir fails with EOVERFLOW on 64-bit directory offsets, as ext4
        // gives to 32-bit programs under qemu-user).
        // SAFETY: the directory fd is open; "." is a constant C string.
        let fd = unsafe {
            libc::openat(
                self.fd.raw(),
                c".".as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(OsError::last("open directory"));
        }
        let fd = Fd(fd);
        let mut out = Vec::new();
        let mut buf = [0u8; 2048];
        loop {
            // SAFETY: buf is a valid writable buffer of buf.len() bytes; the
            // kernel fills it with linux_dirent64 records.
            let n = unsafe {
                libc::syscall(libc::SYS_getdents64, fd.raw(), buf.as_mut_ptr(), buf.len())
            };
            if n < 0 {
                if errno() == libc::EINTR {
                    continue;
                }
                return Err(OsError::last("getdents64"));
            }
            if n == 0 {
                break;
            }
            dirents(buf.get(..n as usize).unwrap_or(&[]), &mut out);
        }
        Ok(out)
    }

    /// Writes `data` to a new file and renames it to `name`, so a reader sees
    /// the old or the new content, never a mix; the new file's descriptor is
    /// returned (the records keep it, with a lock, for the session's life).
    pub fn replace(&self, name: &str, data: &[u8]) -> Result<Fd, OsError> {
        let (fd, tmp) = self.create_new(&cat!('.', name, '.'))?;
        let done = write_all(&fd, data).and_then(|()| self.rename(&tmp, name));
        if let Err(e) = done {
            let _ = self.unlink(&tmp);
            return Err(e);
        }
        Ok(fd)
    }
}

/// Reads a whole (small) file: at most 64 KiB.
pub fn read_all(fd: &Fd) -> Result<Vec<u8>, OsError> {
    let mut out = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        let n = read_into(fd, &mut buf)?;
        out.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        if n < buf.len() || out.len() > 64 * 1024 {
            return Ok(out);
        }
    }
}

/// `path` cut at its last `/`: the directory (`None` without one) and the
/// name. (By bytes: `str::rsplit_once` brings a char searcher along.)
fn split_path(path: &str) -> (Option<&str>, &str) {
    match path.bytes().rposition(|b| b == b'/') {
        Some(i) => (path.get(..i), path.get(i + 1..).unwrap_or("")),
        None => (None, path),
    }
}

/// Replaces the file at `path` atomically (see [`Dir::replace`]). `path` must
/// be absolute: pppd changes to `/` when it detaches.
pub fn write_file_atomic(path: &str, data: &[u8]) -> Result<(), OsError> {
    let (dir, name) = match split_path(path) {
        (Some(""), name) => ("/", name),
        (Some(dir), name) if path.starts_with('/') => (dir, name),
        _ => {
            return Err(OsError {
                what: "not an absolute path",
                errno: libc::EINVAL,
            })
        }
    };
    Dir::open(dir)?.replace(name, data).map(drop)
}

/// Reads a whole (small) regular file at an absolute or relative path.
pub fn read_file(path: &str) -> Result<Vec<u8>, OsError> {
    let (dir, name) = match split_path(path) {
        (Some(""), name) => ("/", name),
        (Some(dir), name) => (dir, name),
        (None, name) => (".", name),
    };
    read_all(&Dir::open(dir)?.open_read(name, false)?)
}

/// Replaces a file's whole content in place (same inode, so its lock and
/// every process sharing the descriptor keep it).
pub fn write_at_start(fd: &Fd, data: &[u8]) -> Result<(), OsError> {
    // SAFETY: fd is open; plain integer arguments.
    if unsafe { libc::lseek(fd.raw(), 0, libc::SEEK_SET) } < 0 {
        return Err(OsError::last("lseek"));
    }
    write_all(fd, data)?;
    let len = libc::off_t::try_from(data.len()).unwrap_or(libc::off_t::MAX);
    // SAFETY: fd is open for writing; plain integer arguments.
    if unsafe { libc::ftruncate(fd.raw(), len) } < 0 {
        return Err(OsError::last("ftruncate"));
    }
    Ok(())
}

/// Writes the file's data to its storage (`fsync`; a no-op on tmpfs).
pub fn sync(fd: &Fd) -> Result<(), OsError> {
    // SAFETY: fd is open; fsync takes no pointers.
    if unsafe { libc::fsync(fd.raw()) } < 0 {
        return Err(OsError::last("fsync"));
    }
    Ok(())
}

/// Takes or tests the advisory lock of a file: `Ok(true)` if we now hold it
/// (`flock(LOCK_EX | LOCK_NB)`), `Ok(false)` if another open file
/// description holds it. The lock lives as long as the description: across
/// `fork`, until the last process holding it exits.
pub fn try_lock(fd: &Fd) -> Result<bool, OsError> {
    loop {
        // SAFETY: fd is open; flock takes integer flags.
        if unsafe { libc::flock(fd.raw(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(true);
        }
        match errno() {
            libc::EINTR => {}
            libc::EWOULDBLOCK => return Ok(false),
            _ => return Err(OsError::last("flock")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirent(ino: u64, off: i64, kind: u8, name: &[u8], len: usize) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(&ino.to_ne_bytes());
        r.extend_from_slice(&off.to_ne_bytes());
        r.extend_from_slice(&(len as u16).to_ne_bytes());
        r.push(kind);
        r.extend_from_slice(name);
        r.resize(len, 0);
        r
    }

    #[test]
    fn getdents64_records_are_read_whatever_their_offsets() {
        let mut buf = dirent(1, 1, 4, b".", 24);
        buf.extend(dirent(2, 2, 4, b"..", 24));
        // An ext4 hash offset that a 32-bit readdir cannot return.
        buf.extend(dirent(3, 0x7fff_ffff_ffff, 8, b"eth0.12.session", 40));
        buf.extend(dirent(4, -1, 8, b"\xff\xfe", 24));
        buf.extend(dirent(5, 5, 8, b"last", 24));
        let mut names = Vec::new();
        dirents(&buf, &mut names);
        assert_eq!(names, ["eth0.12.session", "last"]);
        // A truncated or zero-length record ends the parse, nothing more.
        let mut names = Vec::new();
        dirents(&buf[..60], &mut names);
        assert_eq!(names, [] as [&str; 0]);
        dirents(&dirent(6, 6, 8, b"x", 0), &mut names);
        assert_eq!(names, [] as [&str; 0]);
    }

    #[test]
    fn a_directory_lists_what_it_holds() {
        let path =
            std::env::temp_dir().join(alloc::format!("rp-pppoe-list-{}", super::super::pid()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir(&path).unwrap();
        for i in 0..300 {
            std::fs::write(path.join(alloc::format!("eth0.{i}.session")), b"").unwrap();
        }
        let dir = Dir::open(path.to_str().unwrap()).unwrap();
        let mut names = dir.list().unwrap();
        names.sort_by_key(|n| n.split('.').nth(1).unwrap().parse::<u32>().unwrap());
        let want: Vec<String> = (0..300)
            .map(|i| alloc::format!("eth0.{i}.session"))
            .collect();
        assert_eq!(names, want);
        std::fs::remove_dir_all(&path).unwrap();
    }
}
