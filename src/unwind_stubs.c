/*
 * The plugin is built with panic = "abort" and never unwinds. The prebuilt
 * `core` of stable Rust was compiled with panic = "unwind", so its landing
 * pads still reference the unwinder (`_Unwind_Resume`) and Rust's personality
 * routine, which a no_std cdylib does not have. Undefined, they would make
 * pppd's dlopen(RTLD_NOW) fail. These hidden definitions satisfy the
 * references without exporting anything; they are unreachable (nothing
 * unwinds) and abort if ever called.
 */
#include <stdlib.h>

__attribute__((visibility("hidden"))) void rust_eh_personality(void) { abort(); }
__attribute__((visibility("hidden"))) void _Unwind_Resume(void *exception) { (void)exception; abort(); }

#if defined(__arm__) && !defined(__aarch64__)
/* ARM EHABI: code compiled with unwind tables names these personality
 * routines; hidden aborting definitions keep them out of the import list. */
__attribute__((visibility("hidden"))) void __aeabi_unwind_cpp_pr0(void) { abort(); }
__attribute__((visibility("hidden"))) void __aeabi_unwind_cpp_pr1(void) { abort(); }
#endif
