//! The global allocator the plugin installs: the C library's `malloc`.

use core::mem;

/// The global allocator: the C library's `malloc`, like the C plugin.
#[cfg_attr(test, allow(dead_code))]
pub struct Malloc;

/// malloc's guaranteed alignment (glibc, musl and uClibc: 2 * sizeof(size_t)).
#[cfg_attr(test, allow(dead_code))]
const MIN_ALIGN: usize = 2 * mem::size_of::<usize>();

// SAFETY: malloc/calloc/realloc/posix_memalign return memory that is valid
// for the requested size and alignment (checked below) or NULL, and free
// releases it; this is the GlobalAlloc contract.
unsafe impl core::alloc::GlobalAlloc for Malloc {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        if layout.align() <= MIN_ALIGN && layout.align() <= layout.size() {
            // SAFETY: size is non-zero per the GlobalAlloc contract.
            unsafe { libc::malloc(layout.size()).cast() }
        } else {
            let mut p = core::ptr::null_mut();
            let align = layout.align().max(mem::size_of::<usize>());
            // SAFETY: align is a power of two and a multiple of sizeof(void*).
            let rc = unsafe { libc::posix_memalign(&mut p, align, layout.size()) };
            if rc == 0 {
                p.cast()
            } else {
                core::ptr::null_mut()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: core::alloc::Layout) -> *mut u8 {
        if layout.align() <= MIN_ALIGN && layout.align() <= layout.size() {
            // SAFETY: as in alloc.
            unsafe { libc::calloc(layout.size(), 1).cast() }
        } else {
            // SAFETY: as in alloc; then zero the new block.
            unsafe {
                let p = self.alloc(layout);
                if !p.is_null() {
                    core::ptr::write_bytes(p, 0, layout.size());
                }
                p
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: core::alloc::Layout) {
        // SAFETY: ptr came from malloc/calloc/posix_memalign/realloc above.
        unsafe { libc::free(ptr.cast()) }
    }

    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: core::alloc::Layout,
        new_size: usize,
    ) -> *mut u8 {
        if layout.align() <= MIN_ALIGN && layout.align() <= new_size {
            // SAFETY: ptr came from this allocator with a small alignment.
            unsafe { libc::realloc(ptr.cast(), new_size).cast() }
        } else {
            // SAFETY: the GlobalAlloc default: allocate, copy, free.
            unsafe {
                let new = self.alloc(core::alloc::Layout::from_size_align_unchecked(
                    new_size,
                    layout.align(),
                ));
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}
