"""The VM harness: real PPPoE sessions inside qemu guests.

scripts/e2e, scripts/demo and scripts/bench are thin entry points into this package. A guest is a
data description (tests/vm/guests.py); everything a guest needs (Debian packages, kernels, client
pppd builds, initramfs pieces) is built by tests/vm/build.py and cached outside the clone
(tests/vm/cache.py); tests/vm/qemu.py boots it and reads the structured lines the guest side
(tests/e2e/, POSIX shell tools, bash) prints on its serial console.
"""
