//! Small files and directories: the status file and the session records.

use crate::cat;

use super::{errno, Fd, OsError};

fn c_path(path: &str) -> Result<alloc::ffi::CString, OsError> {
    alloc::ffi::CString::new(path).map_err(|_| OsError {
        what: "path",
        errno: libc::EINVAL,
    })
}

/// Replaces the file at `path` atomically: writes `PATH.tmp`, then renames it
/// over `path`, so a reader sees the old or the new content, never a mix.
pub fn write_file_atomic(path: &str, data: &[u8]) -> Result<(), OsError> {
    let tmp = c_path(&cat!(path, ".tmp"))?;
    let dst = c_path(path)?;
    // SAFETY: tmp is a valid C string; flags and mode are plain integers.
    let fd = unsafe {
        libc::open(
            tmp.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC,
            0o644 as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(OsError::last("open"));
    }
    let fd = Fd(fd);
    let mut rest = data;
    while !rest.is_empty() {
        // SAFETY: rest is a valid readable buffer of rest.len() bytes.
        let n = unsafe { libc::write(fd.raw(), rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            let e = OsError::last("write");
            drop(fd);
            // SAFETY: tmp is a valid C string.
            unsafe { libc::unlink(tmp.as_ptr()) };
            return Err(e);
        }
        rest = rest.get(n as usize..).unwrap_or(&[]);
    }
    drop(fd);
    // SAFETY: both are valid C strings.
    if unsafe { libc::rename(tmp.as_ptr(), dst.as_ptr()) } < 0 {
        let e = OsError::last("rename");
        // SAFETY: tmp is a valid C string.
        unsafe { libc::unlink(tmp.as_ptr()) };
        return Err(e);
    }
    Ok(())
}

/// Reads a whole (small) file.
pub fn read_file(path: &str) -> Result<alloc::vec::Vec<u8>, OsError> {
    let p = c_path(path)?;
    // SAFETY: p is a valid C string.
    let fd = unsafe { libc::open(p.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(OsError::last("open"));
    }
    let fd = Fd(fd);
    let mut out = alloc::vec::Vec::new();
    let mut buf = [0u8; 512];
    loop {
        // SAFETY: buf is a valid writable buffer of buf.len() bytes.
        let n = unsafe { libc::read(fd.raw(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            return Err(OsError::last("read"));
        }
        if n == 0 || out.len() > 64 * 1024 {
            return Ok(out);
        }
        out.extend_from_slice(buf.get(..n as usize).unwrap_or(&[]));
    }
}

/// Removes a file; `Ok(false)` if it did not exist (someone else took it).
pub fn remove_file(path: &str) -> Result<bool, OsError> {
    let p = c_path(path)?;
    // SAFETY: p is a valid C string.
    if unsafe { libc::unlink(p.as_ptr()) } == 0 {
        Ok(true)
    } else if errno() == libc::ENOENT {
        Ok(false)
    } else {
        Err(OsError::last("unlink"))
    }
}

/// Creates a directory (mode 0700) if it does not exist.
pub fn make_dir(path: &str) -> Result<(), OsError> {
    let p = c_path(path)?;
    // SAFETY: p is a valid C string.
    if unsafe { libc::mkdir(p.as_ptr(), 0o700) } == 0 || errno() == libc::EEXIST {
        Ok(())
    } else {
        Err(OsError::last("mkdir"))
    }
}

/// The names in a directory (without `.` and `..`).
pub fn list_dir(path: &str) -> Result<alloc::vec::Vec<alloc::string::String>, OsError> {
    let p = c_path(path)?;
    // SAFETY: p is a valid C string.
    let dir = unsafe { libc::opendir(p.as_ptr()) };
    if dir.is_null() {
        return Err(OsError::last("opendir"));
    }
    let mut out = alloc::vec::Vec::new();
    loop {
        // SAFETY: dir is an open DIR*; readdir returns NULL at the end.
        let ent = unsafe { libc::readdir(dir) };
        if ent.is_null() {
            break;
        }
        // SAFETY: d_name is a NUL-terminated name inside the returned entry.
        let name = unsafe { core::ffi::CStr::from_ptr((*ent).d_name.as_ptr()) };
        if let Ok(n) = name.to_str() {
            if n != "." && n != ".." {
                out.push(alloc::string::String::from(n));
            }
        }
    }
    // SAFETY: dir is open and closed exactly once.
    unsafe { libc::closedir(dir) };
    Ok(out)
}
