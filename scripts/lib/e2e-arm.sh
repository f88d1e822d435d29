# shellcheck shell=bash
# Host-side code for scripts/e2e-arm: one real PPPoE session on an emulated 32-bit ARM router.
# qemu-system-arm -M virt boots Debian bookworm's armmp kernel with an armhf userland (pppd 2.4.9,
# rp-pppoe 3.15's pppoe-server, iproute2, tcpdump, busybox-static) and our plugin cross-built for
# armv7-unknown-linux-gnueabihf; the guest dials a PAP session between two network namespaces with
# the x86 suite's guest helpers (tests/e2e/lib.sh) and the scenario in tests/e2e-arm/.
#
# Sourced after scripts/lib/e2e-common.sh, whose functions it reuses: they read E2E_CACHE,
# E2E_MODULES, E2E_LIBDIRS, E2E_ROOT, E2E_STAGE... at call time, so the functions here set those
# as locals (bash's dynamic scope) and nothing of the x86 suite's state changes, even when this
# file is sourced into scripts/e2e.
#
# Layout:
#   .cache/e2e/armhf/apt/bookworm/   private apt state; APT_CONFIG=.cache/e2e/armhf/apt.conf
#                                    makes apt see armhf packages (the host's dpkg architecture
#                                    list and apt configuration are never changed)
#   .cache/e2e/armhf/bookworm/       debs/, root/ (unpacked), kernel/ (zImage + modules), base.cpio
#   target/e2e/armhf-2.4.9/          overlay, initrd, console.log, results, evidence/
#   target/cross/armv7-unknown-linux-gnueabihf/pppd-2.4.9/rp-pppoe.so   (scripts/cross-build)
# E2E_* locals are read by the e2e-common.sh functions called here (SC2034); E2E_OUT, E2E_GUEST_SRC
# and E2E_PKGS_* come from e2e-common.sh (SC2153, SC2154).
# shellcheck disable=SC2034,SC2153,SC2154

E2EA_ARCH=armhf
E2EA_REL=bookworm
E2EA_PPPD=2.4.9
E2EA_TRIPLE=armv7-unknown-linux-gnueabihf
E2EA_LABEL=$E2EA_ARCH-$E2EA_PPPD
E2EA_CACHE=${E2EA_CACHE:-$E2E_TOP/.cache/e2e/$E2EA_ARCH}
E2EA_GUEST_SRC=$E2E_TOP/tests/e2e-arm
# Bump when the way the armhf base.cpio is assembled changes.
E2EA_STAGE_REV=1
# Debian's kernel flavour for qemu's "virt" board (Cortex-A15, PL011 UART, PSCI power-off).
E2EA_KFLAVOUR=armmp
# The guest userland: the x86 suite's bookworm list (same package names on armhf) plus the
# static busybox the initramfs runs on (the host's busybox-static is amd64).
e2ea_pkgs() { printf '%s\n' "${E2E_PKGS_COMMON[@]}" "${E2E_PKGS_bookworm[@]}" busybox-static; }
# Modules guest_setup (tests/e2e/lib.sh) needs: veth pair, the macvlan of AC 2, PPP, PPPoE.
E2EA_MODULES=(veth macvlan ppp_generic ppp_async pppox pppoe)
E2EA_LIBDIRS=(usr/lib/arm-linux-gnueabihf lib/arm-linux-gnueabihf usr/lib lib)

# --- host tools -------------------------------------------------------------------------------

e2ea_host_deps() {
	local need=() cmd
	for cmd in qemu-system-arm:qemu-system-arm cpio:cpio xz:xz-utils readelf:binutils \
		dpkg-deb:dpkg apt-get:apt timeout:coreutils; do
		command -v "${cmd%%:*}" >/dev/null 2>&1 || need+=("${cmd#*:}")
	done
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
	if [ ${#need[@]} -gt 0 ]; then
		e2e_log "e2e-arm: installing host packages: ${need[*]}"
		e2e_host_apt_install "${need[@]}"
	fi
}

# apt sees armhf only through this file (APT_CONFIG is read on top of the host's configuration).
e2ea_apt_conf() {
	mkdir -p "$E2EA_CACHE"
	printf '%s\n' "APT::Architecture \"$E2EA_ARCH\";" "APT::Architectures { \"$E2EA_ARCH\"; };" \
		>"$E2EA_CACHE/apt.conf"
	echo "$E2EA_CACHE/apt.conf"
}

# --- guest packages and kernel ----------------------------------------------------------------

# Downloads and unpacks the armhf packages and the kernel, once; a second run does no network.
e2ea_fetch() {
	local E2E_CACHE=$E2EA_CACHE E2E_MODULES=("${E2EA_MODULES[@]}")
	local -x APT_CONFIG
	APT_CONFIG=$(e2ea_apt_conf)
	local rel=$E2EA_REL dir=$E2EA_CACHE/$E2EA_REL kpkg
	e2e_fetch_debs "$dir" "$rel" "$E2EA_KFLAVOUR" "$E2EA_ARCH" e2e-arm "$rel $E2EA_ARCH" e2ea_pkgs
	kpkg=$(cat "$dir/kernel.pkg")
	if ! [ -f "$dir/kernel/stamp" ] || [ "$(cat "$dir/kernel/stamp")" != "$kpkg ${E2E_MODULES[*]}" ]; then
		# e2e_kernel keeps the listed modules (dependencies first, in load order). The armmp image
		# is a zImage: its xz payload is a raw Image, not an ELF with a PVH note, so e2e_kernel
		# keeps vmlinuz itself, which is what qemu-system-arm -kernel boots.
		e2e_kernel "$rel" "$kpkg"
		[ -f "$dir/kernel/vmlinuz" ] || e2e_die "no zImage kept from $kpkg"
	fi
}

# Builds .cache/e2e/armhf/bookworm/base.cpio: armhf busybox, bash, pppd and its plugins,
# pppoe-server, pppoe, ip, tcpdump, their libraries and the kernel modules.
e2ea_base_cpio() {
	local E2E_CACHE=$E2EA_CACHE E2E_LIBDIRS=("${E2EA_LIBDIRS[@]}")
	local E2E_REL=$E2EA_REL E2E_ROOT=$E2EA_CACHE/$E2EA_REL/root E2E_STAGE=$E2EA_CACHE/$E2EA_REL/stage
	local E2E_DONE='' E2E_MISSING=()
	local dir=$E2EA_CACHE/$E2EA_REL stamp f ver bb applets
	stamp="rev=$E2EA_STAGE_REV $(cat "$dir/root.stamp") $(cat "$dir/kernel/stamp")"
	if [ -f "$dir/base.cpio" ] && [ "$(cat "$dir/base.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	e2e_log "e2e-arm: building the $E2EA_ARCH guest userland"
	rm -rf "$E2E_STAGE"
	mkdir -p "$E2E_STAGE"/usr/{bin,sbin,lib} "$E2E_STAGE"/{dev,proc,sys,tmp,run,etc/ppp,var,root}
	ln -s usr/bin "$E2E_STAGE/bin"
	ln -s usr/sbin "$E2E_STAGE/sbin"
	ln -s usr/lib "$E2E_STAGE/lib"
	ln -s ../run "$E2E_STAGE/var/run"
	ver=$(e2e_pppd_version_in "$E2E_ROOT") || e2e_die "no pppd plugin directory in the $E2EA_ARCH packages"
	[ "$ver" = "$E2EA_PPPD" ] || e2e_die "$E2EA_REL $E2EA_ARCH ships pppd $ver, expected $E2EA_PPPD"
	e2e_stage_programs "$ver" sbin/pppd sbin/pppoe-server sbin/pppoe sbin/pppoe-discovery bin/tcpdump bin/ip bin/bash
	[ ${#E2E_MISSING[@]} = 0 ] || e2e_die "guest libraries missing from the $E2EA_ARCH package list: ${E2E_MISSING[*]}"
	# The program interpreter the binaries name (/lib/ld-linux-armhf.so.3, a symlink in the deb).
	e2e__copy lib/ld-linux-armhf.so.3
	[ -e "$E2E_STAGE/usr/lib/ld-linux-armhf.so.3" ] || e2e_die "no ld-linux-armhf.so.3 in the $E2EA_ARCH libc6"
	bb=$(e2e__find bin/busybox)
	readelf -h "$E2E_ROOT/$bb" | grep -q 'Machine: *ARM' || e2e_die "$bb is not an ARM binary"
	readelf -l "$E2E_ROOT/$bb" | grep -q 'program interpreter' && e2e_die "$bb is not static"
	cp "$E2E_ROOT/$bb" "$E2E_STAGE/usr/bin/busybox"
	# Applet links: asked of the armhf busybox itself under qemu-user when it is there, else of the
	# host's busybox-static (the same Debian source package and configuration).
	if command -v qemu-arm >/dev/null 2>&1 && applets=$(qemu-arm "$E2E_ROOT/$bb" --list 2>/dev/null) &&
		[ -n "$applets" ]; then
		:
	elif command -v busybox >/dev/null 2>&1; then
		applets=$(busybox --list)
	else
		e2e_die "cannot list the busybox applets (install qemu-user or busybox-static)"
	fi
	mkdir -p "$E2E_STAGE/etc"
	echo "$E2EA_ARCH" >"$E2E_STAGE/etc/e2e-arch"
	e2e_stage_finish "$dir" "$stamp" "$ver" "$E2EA_REL" "$applets"
}

e2ea_prepare() {
	local t
	t=$(e2e_now)
	e2ea_host_deps
	e2ea_fetch
	e2ea_base_cpio
	E2EA_T_PREPARE=$(e2e_since "$t")
}

# --- our plugin -------------------------------------------------------------------------------

# Cross-builds and checks our plugin (scripts/cross-build); prints the .so path or fails with the
# log in target/e2e/build-armhf-2.4.9.log. E2E_PLUGIN_SO_ARMHF=FILE tests a prebuilt .so.
e2ea_build_plugin() {
	local log=$E2E_OUT/build-$E2EA_LABEL.log so
	mkdir -p "$E2E_OUT"
	if [ -n "${E2E_PLUGIN_SO_ARMHF:-}" ]; then
		echo "using $E2E_PLUGIN_SO_ARMHF from E2E_PLUGIN_SO_ARMHF" >"$log"
		[ -f "$E2E_PLUGIN_SO_ARMHF" ] || return 1
		echo "$E2E_PLUGIN_SO_ARMHF"
		return 0
	fi
	so=$E2E_TOP/target/cross/$E2EA_TRIPLE/pppd-$E2EA_PPPD/rp-pppoe.so
	e2e_log "e2e-arm: cross-building our plugin (scripts/cross-build --pppd $E2EA_PPPD $E2EA_TRIPLE)"
	"$E2E_TOP/scripts/cross-build" --pppd "$E2EA_PPPD" "$E2EA_TRIPLE" >"$log" 2>&1 || return 1
	[ -f "$so" ] || {
		echo "cross-build succeeded but $so is missing" >>"$log"
		return 1
	}
	echo "$so"
}

# --- initramfs and boot -----------------------------------------------------------------------

# target/e2e/armhf-2.4.9/initrd: base.cpio + an overlay with the x86 suite's guest helpers
# (/e2e/lib.sh, ip-up, ip-down), this suite's init and scenario (/e2e/arm/), our plugin.
e2ea_initrd() {
	local ours=${1:-} out=$E2E_OUT/$E2EA_LABEL ov f
	ov=$out/overlay
	rm -rf "$ov"
	mkdir -p "$ov/e2e/arm" "$ov/opt/e2e"
	for f in lib.sh ip-up ip-down; do cp "$E2E_GUEST_SRC/$f" "$ov/e2e/$f"; done
	cp -r "$E2EA_GUEST_SRC"/. "$ov/e2e/arm/"
	cp "$ov/e2e/arm/init" "$ov/init"
	chmod +x "$ov/init"
	[ -n "$ours" ] && cp "$ours" "$ov/opt/e2e/ours.so"
	(cd "$ov" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out/overlay.cpio"
	cat "$E2EA_CACHE/$E2EA_REL/base.cpio" "$out/overlay.cpio" >"$out/initrd"
}

# e2ea_boot TIMEOUT WORDS...: boots the armhf guest; the console goes to
# target/e2e/armhf-2.4.9/console.log and to stdout (CR stripped).
e2ea_boot() {
	local tmo=$1 out=$E2E_OUT/$E2EA_LABEL
	shift
	local extra=()
	read -r -a extra <<<"${E2E_QEMU_ARGS:-}"
	# -M virt: PL011 UART (ttyAMA0), PSCI (sysrq-o powers off, qemu exits), no devices beyond
	# those; -nic none: nothing leaves the VM. One emulated CPU: TCG runs it on one host thread.
	timeout --signal=KILL "$tmo" qemu-system-arm -M virt -cpu cortex-a15 -accel tcg ${extra[@]+"${extra[@]}"} \
		-smp 1 -m "${E2E_MEM:-512}" -nographic -nodefaults -serial stdio -nic none -no-reboot \
		-kernel "$E2EA_CACHE/$E2EA_REL/kernel/vmlinuz" -initrd "$out/initrd" \
		-append "console=ttyAMA0 quiet loglevel=3 panic=-1 $*" </dev/null 2>&1 |
		tr -d '\r' | tee "$out/console.log"
	return "${PIPESTATUS[0]}"
}
