# shellcheck shell=bash
# Shared host-side code for scripts/e2e and scripts/demo: the VM harness that runs real pppd
# sessions (pppd + PPPoE plugin against pppoe-server) between two network namespaces inside a
# qemu guest booted from Debian's stock kernel. The host kernel needs no PPP support.
#
# Layout:
#   .cache/e2e/apt/<release>/    private apt state (sources list, lists, cache): the host's apt
#                                configuration is never changed
#   .cache/e2e/<release>/debs/   downloaded guest packages (apt-get download)
#   .cache/e2e/<release>/root/   those packages unpacked with dpkg -x (kernel package excluded)
#   .cache/e2e/<release>/kernel/ vmlinux (or vmlinuz) and the few modules the guest loads
#   .cache/e2e/<release>/base.cpio  guest userland (initramfs part that only changes with packages)
#   target/e2e/<pppd version>/   per-run files: overlay cpio, initrd, console log, results
#
# Everything here is sourced by bash scripts run with `set -euo pipefail`.
# shellcheck disable=SC2034 # some variables are read through namerefs or by the sourcing script

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_CACHE=${E2E_CACHE:-$E2E_TOP/.cache/e2e}
E2E_OUT=${E2E_OUT:-$E2E_TOP/target/e2e}
E2E_GUEST_SRC=${E2E_GUEST_SRC:-$E2E_TOP/tests/e2e}
# Bump when the way base.cpio is assembled changes, so cached ones are rebuilt.
E2E_STAGE_REV=4

# pppd version under test -> Debian release that ships it.
e2e_release_of() {
	case $1 in
	2.4.9) echo bookworm ;;
	2.5.2) echo trixie ;;
	*) return 1 ;;
	esac
}

E2E_VERSIONS=(2.4.9 2.5.2)

# Guest packages per release. The kernel comes from the release's linux-image-amd64 metapackage.
# Libraries are listed by hand; staging checks that every shared object the guest binaries need
# is present and names any that is missing.
E2E_PKGS_COMMON=(ppp pppoe iproute2 tcpdump bash libc6 libgcc-s1 libcrypt1 libpam0g libaudit1
	libcap-ng0 libsystemd0 libcap2 libgcrypt20 libgpg-error0 liblz4-1 liblzma5 libzstd1
	libdbus-1-3 libbpf1 libbsd0 libmd0 zlib1g libmnl0 libselinux1 libpcre2-8-0
	libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1
	libxtables12 libtinfo6)
E2E_PKGS_bookworm=(libpcap0.8 libssl3 libdb5.3 libelf1 libtirpc3)
E2E_PKGS_trixie=(libpcap0.8t64 libssl3t64 libdb5.3t64 libelf1t64 libtirpc3t64 openssl-provider-legacy)

# Kernel modules the guest loads (dependencies are added from each module's depends= field).
# sch_netem: the status-file scenarios delay the AC's frames so that every state lasts long
# enough to be seen by polling.
E2E_MODULES=(veth macvlan ppp_generic ppp_async pppox pppoe sch_netem)

e2e_log() { printf '%s\n' "$*" >&2; }
e2e_die() {
	printf 'e2e: %s\n' "$*" >&2
	exit 2
}
e2e_now() { date +%s.%N; }
# Seconds since $1 (a value of e2e_now), one decimal.
e2e_since() { awk -v a="$1" -v b="$(e2e_now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- host tools -------------------------------------------------------------------------------

E2E_APT_UPDATED=
e2e_host_apt_install() {
	if [ -z "$E2E_APT_UPDATED" ]; then
		apt-get update -qq >&2 || e2e_die "apt-get update failed"
		E2E_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 ||
		e2e_die "apt-get install $* failed"
}

# Installs what the host needs to build the guest and boot it, only when something is missing.
e2e_host_deps() {
	local need=() cmd
	for cmd in qemu-system-x86_64:qemu-system-x86 cpio:cpio xz:xz-utils readelf:binutils \
		dpkg-deb:dpkg apt-get:apt zstd:zstd; do
		command -v "${cmd%%:*}" >/dev/null 2>&1 || need+=("${cmd#*:}")
	done
	[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -x syslogd >/dev/null ||
		need+=(busybox-static)
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
	if [ ${#need[@]} -gt 0 ]; then
		e2e_log "e2e: installing host packages: ${need[*]}"
		e2e_host_apt_install "${need[@]}"
	fi
	# busybox-static must be the static one: the guest has no busybox libraries.
	if readelf -l /bin/busybox 2>/dev/null | grep 'Requesting program interpreter' >/dev/null; then
		e2e_host_apt_install busybox-static
	fi
}

# The Debian archive the host's apt already uses (its security archive excluded), so that no
# address is written down here. E2E_DEBIAN_MIRROR overrides it.
e2e_mirror() {
	if [ -n "${E2E_DEBIAN_MIRROR:-}" ]; then
		echo "$E2E_DEBIAN_MIRROR"
		return
	fi
	local uri
	uri=$({
		grep -hs -E '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources |
			sed -E 's/^[[:space:]]*URIs:[[:space:]]*//' | tr ' ' '\n'
		grep -hs -E '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
			sed -E 's/\[[^]]*\]//' | awk '{ print $2 }'
	} | grep -v -i security | grep -E '^(https?|file)://.*/debian/?$' | sed -n 1p)
	[ -n "$uri" ] || e2e_die "no Debian archive found in the host's apt sources; set E2E_DEBIAN_MIRROR"
	echo "${uri%/}"
}

# apt-get/apt-cache with a private sources list and state for one release.
e2e_apt_opts() {
	local d=$E2E_CACHE/apt/$1
	printf '%s\n' -o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o "Dir::State::status=$d/status" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Languages=none
}
e2e_apt_get() {
	local rel=$1
	shift
	local opts
	mapfile -t opts < <(e2e_apt_opts "$rel")
	apt-get "${opts[@]}" "$@"
}
e2e_apt_cache() {
	local rel=$1
	shift
	local opts
	mapfile -t opts < <(e2e_apt_opts "$rel")
	apt-cache "${opts[@]}" "$@"
}
e2e_apt_update() {
	local rel=$1 d=$E2E_CACHE/apt/$1 mirror
	mirror=$(e2e_mirror)
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	: >"$d/status"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $rel main" >"$d/sources.list"
	e2e_apt_get "$rel" -qq update >&2 || e2e_die "apt-get update for $rel failed"
}

# --- guest packages ---------------------------------------------------------------------------

e2e_pkg_list() {
	local rel=$1
	local -n extra=E2E_PKGS_$rel
	printf '%s\n' "${E2E_PKGS_COMMON[@]}" "${extra[@]}"
}

# Downloads the release's guest packages into the cache unless they are all there already, and
# unpacks them. A second run finds the stamp and does no network access at all.
e2e_fetch() {
	local rel=$1 dir=$E2E_CACHE/$1 kpkg
	e2e_fetch_debs "$dir" "$rel" amd64 "" e2e "$rel" e2e_pkg_list "$rel"
	kpkg=$(cat "$dir/kernel.pkg")
	if ! [ -f "$dir/kernel/stamp" ] || [ "$(cat "$dir/kernel/stamp")" != "$kpkg ${E2E_MODULES[*]}" ]; then
		e2e_kernel "$rel" "$kpkg"
	fi
}

# e2e_fetch_debs DIR REL KFLAVOUR ARCH WHO WHAT LIST-COMMAND...: downloads the packages that
# LIST-COMMAND prints, and the kernel package linux-image-KFLAVOUR resolves to in REL (written to
# DIR/kernel.pkg), into DIR/debs, then unpacks all but the kernel into DIR/root. With ARCH, every
# package must be of that architecture (or all). WHO and WHAT word the progress lines. Stamps skip
# what is already there, so a second run does no network access.
e2e_fetch_debs() {
	local dir=$1 rel=$2 kflavour=$3 arch=$4 who=$5 what=$6 want have kpkg p pkgs
	shift 6
	want=$("$@" | sort | tr '\n' ' ')
	have=$(cat "$dir/debs.stamp" 2>/dev/null || true)
	if [ "$want" != "$have" ] || ! [ -s "$dir/kernel.pkg" ]; then
		e2e_log "$who: downloading $what guest packages into ${dir#"$E2E_TOP"/}/debs"
		e2e_apt_update "$rel"
		kpkg=$(e2e_apt_cache "$rel" depends "linux-image-$kflavour" |
			sed -n -E "s/^[[:space:]]*Depends: (linux-image-[^ ]*-$kflavour).*/\1/p" | sed -n 1p)
		[ -n "$kpkg" ] || e2e_die "cannot resolve linux-image-$kflavour in $what"
		rm -rf "$dir/debs" "$dir/root" "$dir/root.stamp" "$dir/kernel" "$dir/base.cpio"
		mkdir -p "$dir/debs"
		mapfile -t pkgs < <("$@")
		(cd "$dir/debs" && e2e_apt_get "$rel" -qq download "$kpkg" "${pkgs[@]}") >&2 ||
			e2e_die "apt-get download for $what failed"
		if [ -n "$arch" ]; then
			for p in "$dir"/debs/*.deb; do
				[ "$(dpkg-deb -f "$p" Architecture)" = "$arch" ] || [ "$(dpkg-deb -f "$p" Architecture)" = all ] ||
					e2e_die "${p##*/} is not an $arch package"
			done
		fi
		echo "$kpkg" >"$dir/kernel.pkg"
		echo "$want" >"$dir/debs.stamp"
	fi
	e2e_unpack_root "$dir" "$want" "$who: unpacking $what packages"
}

# e2e_unpack_root DIR WANT MESSAGE: unpacks every package of DIR/debs except the kernel's
# (DIR/kernel.pkg) into DIR/root, unless DIR/root.stamp says WANT is already there.
e2e_unpack_root() {
	local dir=$1 want=$2 kpkg p
	if [ -f "$dir/root.stamp" ] && [ "$(cat "$dir/root.stamp")" = "$want" ]; then
		return 0
	fi
	e2e_log "$3"
	kpkg=$(cat "$dir/kernel.pkg")
	rm -rf "$dir/root"
	mkdir -p "$dir/root"
	for p in "$dir"/debs/*.deb; do
		case ${p##*/} in "${kpkg}"_*) continue ;; esac
		dpkg -x "$p" "$dir/root"
	done
	echo "$want" >"$dir/root.stamp"
}

# Writes the uncompressed vmlinux of a bzImage to $2 (the kernel boots about 3 s faster in TCG).
# Returns non-zero when the payload is in a format this does not handle.
e2e_extract_vmlinux() {
	local img=$1 out=$2 off
	rm -f "$out"
	# Debian compresses bookworm's kernel with xz and trixie's with zstd.
	off=$(grep -a -b -o -m 1 $'\xfd7zXZ\x00' "$img" | sed -n 1p | cut -d: -f1 || true)
	if [ -n "$off" ]; then
		tail -c +$((off + 1)) "$img" | xz -dc --single-stream >"$out" 2>/dev/null || true
	else
		off=$(grep -a -b -o -m 1 $'\x28\xb5\x2f\xfd' "$img" | sed -n 1p | cut -d: -f1 || true)
		[ -n "$off" ] || return 1
		tail -c +$((off + 1)) "$img" | zstd -dcq 2>/dev/null >"$out" || true
	fi
	# qemu boots an ELF vmlinux through its PVH entry note.
	readelf -n "$out" 2>/dev/null | grep 'Unknown note type: (0x00000012)' >/dev/null || {
		rm -f "$out"
		return 1
	}
}

# Unpacks the kernel package, keeps the kernel image and the modules the guest loads (with their
# dependencies, decompressed, in load order), and drops the rest.
e2e_kernel() {
	local rel=$1 kpkg=$2 dir=$E2E_CACHE/$1 tmp kver mdir m order=() seen=" " f
	e2e_log "e2e: extracting the $rel kernel ($kpkg)"
	tmp=$(mktemp -d "$dir/ktmp.XXXXXX")
	dpkg -x "$dir"/debs/"${kpkg}"_*.deb "$tmp"
	mdir=$(find "$tmp" -maxdepth 4 -type d -path '*/lib/modules/*' -prune | sed -n 1p)
	[ -n "$mdir" ] || e2e_die "no modules in $kpkg"
	kver=${mdir##*/}
	rm -rf "$dir/kernel"
	mkdir -p "$dir/kernel/modules"
	if ! e2e_extract_vmlinux "$tmp/boot/vmlinuz-$kver" "$dir/kernel/vmlinux"; then
		cp "$tmp/boot/vmlinuz-$kver" "$dir/kernel/vmlinuz"
	fi
	# Module path by name (file names use '-' or '_' interchangeably with module names).
	declare -A path=()
	while IFS= read -r f; do
		m=${f##*/}
		m=${m%%.ko*}
		path[${m//-/_}]=$f
	done < <(find "$mdir" -name '*.ko*')
	# Depth-first so that dependencies come before the modules that need them.
	e2e__add_module() {
		local name=${1//-/_} deps d file
		case $seen in *" $name "*) return ;; esac
		seen+="$name "
		file=${path[$name]:-}
		if [ -z "$file" ]; then
			grep -q "/$name.ko" "$mdir/modules.builtin" 2>/dev/null ||
				grep -q "/${name//_/-}.ko" "$mdir/modules.builtin" 2>/dev/null ||
				e2e_die "module $name not found in $kpkg"
			return
		fi
		case $file in
		*.ko.xz) xz -dc "$file" >"$dir/kernel/modules/$name.ko" ;;
		*.ko.zst) zstd -qdc "$file" >"$dir/kernel/modules/$name.ko" ;;
		*.ko.gz) gzip -dc "$file" >"$dir/kernel/modules/$name.ko" ;;
		*) cp "$file" "$dir/kernel/modules/$name.ko" ;;
		esac
		deps=$(tr '\0' '\n' <"$dir/kernel/modules/$name.ko" | sed -n 's/^depends=//p' | sed -n 1p)
		for d in ${deps//,/ }; do e2e__add_module "$d"; done
		order+=("$name")
	}
	for m in "${E2E_MODULES[@]}"; do e2e__add_module "$m"; done
	printf '%s\n' "${order[@]}" >"$dir/kernel/modules/order"
	echo "$kver" >"$dir/kernel/version"
	rm -rf "$tmp"
	echo "$kpkg ${E2E_MODULES[*]}" >"$dir/kernel/stamp"
}

# Kernel image to boot for a release.
e2e_kernel_image() {
	local d=$E2E_CACHE/$1/kernel
	if [ -f "$d/vmlinux" ]; then echo "$d/vmlinux"; else echo "$d/vmlinuz"; fi
}

# --- guest userland (base.cpio) ---------------------------------------------------------------

# Maps a path inside an unpacked Debian tree to its merged-/usr place in the guest.
e2e__usrpath() {
	local p=${1#/}
	case $p in
	bin/* | sbin/* | lib/* | lib64/*) p=usr/$p ;;
	esac
	echo "$p"
}

# Copies one path (file or symlink chain) from the unpacked tree $E2E_ROOT into $E2E_STAGE.
e2e__copy() {
	local src=$1 rel dst t
	rel=$(e2e__usrpath "$src")
	dst=$E2E_STAGE/$rel
	[ -e "$dst" ] || [ -L "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	if [ -L "$E2E_ROOT/$src" ]; then
		t=$(readlink "$E2E_ROOT/$src")
		ln -s "$t" "$dst"
		case $t in
		/*) e2e__copy "${t#/}" ;;
		*) e2e__copy "$(dirname "$src")/$t" ;;
		esac
	else
		cp "$E2E_ROOT/$src" "$dst"
	fi
}

E2E_LIBDIRS=(usr/lib/x86_64-linux-gnu lib/x86_64-linux-gnu usr/lib64 lib64 usr/lib lib)
# Finds a shared object by soname in the unpacked tree; prints its path relative to the tree.
e2e__find_lib() {
	local d
	for d in "${E2E_LIBDIRS[@]}"; do
		if [ -e "$E2E_ROOT/$d/$1" ] || [ -L "$E2E_ROOT/$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

# Follows a symlink chain inside the unpacked tree; prints the final path relative to the tree.
e2e__resolve() {
	local p=$1 t n=0
	while [ -L "$E2E_ROOT/$p" ] && [ $n -lt 20 ]; do
		t=$(readlink "$E2E_ROOT/$p")
		case $t in
		/*) p=${t#/} ;;
		*) p=$(dirname "$p")/$t ;;
		esac
		n=$((n + 1))
	done
	realpath -m -s --relative-to=/ "/$p"
}

# Copies an ELF file and, recursively, every shared object it needs.
E2E_MISSING=()
e2e__copy_elf() {
	local src=$1 real lib so interp
	e2e__copy "$src"
	real=$(e2e__resolve "$src")
	case " $E2E_DONE " in *" $real "*) return ;; esac
	E2E_DONE+=" $real"
	interp=$(readelf -l "$E2E_ROOT/$real" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	if [ -n "$interp" ]; then
		lib=$(e2e__find_lib "${interp##*/}") || {
			E2E_MISSING+=("${interp##*/} (for $src)")
			return
		}
		e2e__copy "$lib"
		ln -sfn "../lib/x86_64-linux-gnu/${interp##*/}" "$E2E_STAGE/usr/lib64/${interp##*/}" 2>/dev/null || true
	fi
	for so in $(readelf -d "$E2E_ROOT/$real" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		if lib=$(e2e__find_lib "$so"); then
			e2e__copy_elf "$lib"
		else
			E2E_MISSING+=("$so (for $src)")
		fi
	done
}

# Finds a file by its path suffix (e.g. sbin/pppd) in the unpacked tree.
e2e__find() {
	local p
	for p in "$1" "usr/$1"; do
		if [ -e "$E2E_ROOT/$p" ]; then
			echo "$p"
			return 0
		fi
	done
	e2e_die "$1 not found in the unpacked $E2E_REL packages"
}

# The pppd version found in the unpacked tree (the name of its plugin directory).
e2e_pppd_version_in() {
	local d
	for d in "$1"/usr/lib/pppd/*/; do
		d=${d%/}
		echo "${d##*/}"
		return 0
	done
	return 1
}

# Builds .cache/e2e/<release>/base.cpio: busybox, bash, pppd with its plugins, pppoe-server,
# pppoe, ip, tcpdump, their libraries, the kernel modules, /etc files.
e2e_base_cpio() {
	local rel=$1 dir=$E2E_CACHE/$1 stamp f ver
	stamp="rev=$E2E_STAGE_REV $(cat "$dir/root.stamp") $(cat "$dir/kernel/stamp") $(busybox --help 2>&1 | sed -n 1p)"
	if [ -f "$dir/base.cpio" ] && [ "$(cat "$dir/base.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	e2e_log "e2e: building the $rel guest userland"
	E2E_REL=$rel
	E2E_ROOT=$dir/root
	E2E_STAGE=$dir/stage
	E2E_DONE=
	E2E_MISSING=()
	rm -rf "$E2E_STAGE"
	mkdir -p "$E2E_STAGE"/usr/{bin,sbin,lib,lib64} "$E2E_STAGE"/{dev,proc,sys,tmp,run,etc/ppp,var,root}
	ln -s usr/bin "$E2E_STAGE/bin"
	ln -s usr/sbin "$E2E_STAGE/sbin"
	ln -s usr/lib "$E2E_STAGE/lib"
	ln -s usr/lib64 "$E2E_STAGE/lib64"
	ln -s ../run "$E2E_STAGE/var/run"
	ver=$(e2e_pppd_version_in "$E2E_ROOT") || e2e_die "no pppd plugin directory in $rel packages"
	e2e_stage_programs "$ver" sbin/pppd sbin/pppoe-server sbin/pppoe sbin/pppoe-discovery bin/tcpdump bin/ip \
		sbin/tc bin/bash
	if [ -d "$E2E_ROOT/usr/lib/x86_64-linux-gnu/ossl-modules" ]; then
		for f in "$E2E_ROOT"/usr/lib/x86_64-linux-gnu/ossl-modules/*.so; do
			e2e__copy_elf "usr/lib/x86_64-linux-gnu/ossl-modules/${f##*/}"
		done
	fi
	if [ ${#E2E_MISSING[@]} -gt 0 ]; then
		e2e_die "guest libraries missing from the $rel package list: ${E2E_MISSING[*]}"
	fi
	cp /bin/busybox "$E2E_STAGE/usr/bin/busybox"
	e2e_stage_finish "$dir" "$stamp" "$ver" "$rel" "$(busybox --list)"
}

# e2e_stage_programs PPPD-VERSION PROGRAM...: copies the programs (paths as in usr/, wherever the
# release keeps tcpdump and ip) and pppd's plugins, with their libraries, into $E2E_STAGE.
e2e_stage_programs() {
	local ver=$1 f
	shift
	for f in "$@"; do
		[ "$f" = bin/tcpdump ] && { [ -e "$E2E_ROOT/usr/sbin/tcpdump" ] && f=sbin/tcpdump; }
		[ "$f" = bin/ip ] && { [ -e "$E2E_ROOT/bin/ip" ] || [ -e "$E2E_ROOT/usr/bin/ip" ] || f=sbin/ip; }
		e2e__copy_elf "$(e2e__find "$f")"
	done
	for f in "$E2E_ROOT"/usr/lib/pppd/"$ver"/*.so; do
		e2e__copy_elf "usr/lib/pppd/$ver/${f##*/}"
	done
}

# e2e_stage_finish DIR STAMP PPPD-VERSION RELEASE APPLETS: the common end of a guest userland in
# $E2E_STAGE: busybox applet links (APPLETS, one per word) where no real program is, the kernel
# modules of DIR/kernel, passwd and group, the version files, then DIR/base.cpio and its STAMP.
e2e_stage_finish() {
	local dir=$1 stamp=$2 ver=$3 rel=$4 a kver
	for a in $5; do
		[ -e "$E2E_STAGE/usr/bin/$a" ] || [ -e "$E2E_STAGE/usr/sbin/$a" ] || [ "$a" = busybox ] ||
			ln -s busybox "$E2E_STAGE/usr/bin/$a"
	done
	kver=$(cat "$dir/kernel/version")
	mkdir -p "$E2E_STAGE/usr/lib/modules/$kver"
	cp "$dir"/kernel/modules/* "$E2E_STAGE/usr/lib/modules/$kver/"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
		>"$E2E_STAGE/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$E2E_STAGE/etc/group"
	echo "$ver" >"$E2E_STAGE/etc/pppd-version"
	echo "$rel" >"$E2E_STAGE/etc/e2e-release"
	(cd "$E2E_STAGE" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$dir/base.cpio.tmp"
	mv "$dir/base.cpio.tmp" "$dir/base.cpio"
	echo "$stamp" >"$dir/base.stamp"
	rm -rf "$E2E_STAGE"
}

# --- our plugin -------------------------------------------------------------------------------

# Makes sure libclang is there for bindgen: the project's scripts/deps installs it if it exists.
e2e_build_deps() {
	if ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || ls /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1; then
		return 0
	fi
	if [ -x "$E2E_TOP/scripts/deps" ]; then
		"$E2E_TOP/scripts/deps" >&2 || true
	else
		e2e_host_apt_install libclang-dev clang
	fi
}

# Builds our plugin for one pppd ABI; prints the .so path, or fails (log in target/e2e/build-V.log).
e2e_build_plugin() {
	local ver=$1 log=$E2E_OUT/build-$1.log so var
	mkdir -p "$E2E_OUT"
	# E2E_PLUGIN_SO_2_4_9=/path/x.so (and _2_5_2) tests a prebuilt .so instead of building.
	var=E2E_PLUGIN_SO_${ver//./_}
	if [ -n "${!var:-}" ]; then
		echo "using ${!var} from $var" >"$log"
		[ -f "${!var}" ] || return 1
		echo "${!var}"
		return 0
	fi
	so=$E2E_TOP/target/pppd-$ver/release/librp_pppoe.so
	if ! [ -f "$E2E_TOP/Cargo.toml" ]; then
		echo "no Cargo.toml: nothing to build" >"$log"
		return 1
	fi
	e2e_build_deps
	e2e_log "e2e: building our plugin for pppd $ver (cargo build --release --target-dir target/pppd-$ver)"
	if ! (cd "$E2E_TOP" && PPPD_VERSION=$ver cargo build --release --target-dir "target/pppd-$ver") >"$log" 2>&1; then
		return 1
	fi
	[ -f "$so" ] || {
		echo "cargo build succeeded but $so is missing" >>"$log"
		return 1
	}
	echo "$so"
}

# --- initramfs and boot -----------------------------------------------------------------------

# Writes target/e2e/<ver>/initrd: base.cpio + an overlay with tests/e2e and the plugin(s) to test.
# $2: our plugin .so, or empty.
e2e_initrd() {
	local ver=$1 ours=${2:-} rel out ov
	rel=$(e2e_release_of "$ver")
	out=$E2E_OUT/$ver
	ov=$out/overlay
	rm -rf "$ov"
	mkdir -p "$ov/e2e" "$ov/opt/e2e"
	cp -r "$E2E_GUEST_SRC"/. "$ov/e2e/"
	cp "$ov/e2e/init" "$ov/init"
	chmod +x "$ov/init"
	[ -n "$ours" ] && cp "$ours" "$ov/opt/e2e/ours.so"
	# The account-check script, run by the pppoe-check-* scenarios.
	[ -f "$E2E_TOP/scripts/pppoe-check" ] && cp "$E2E_TOP/scripts/pppoe-check" "$ov/e2e/pppoe-check"
	# A developer's own guest script, run by e2e_mode=shell.
	[ -n "${E2E_GUEST_SCRIPT:-}" ] && cp "$E2E_GUEST_SCRIPT" "$ov/e2e/shell.sh"
	(cd "$ov" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out/overlay.cpio"
	cat "$E2E_CACHE/$rel/base.cpio" "$out/overlay.cpio" >"$out/initrd"
}

# Boots the guest for one pppd version with the given kernel command-line words, copying the
# serial console to target/e2e/<ver>/console.log and to stdout (lines with CR stripped).
# $1 version, $2 host timeout in seconds, rest: extra kernel command-line words.
e2e_boot() {
	local ver=$1 tmo=$2 rel kernel
	shift 2
	rel=$(e2e_release_of "$ver")
	kernel=$(e2e_kernel_image "$rel")
	local accel=(-accel tcg -cpu max)
	# /dev/kvm here accepts only PVM guest kernels; a stock kernel needs software emulation.
	# E2E_ACCEL=kvm is for machines where KVM works with a stock kernel.
	[ "${E2E_ACCEL:-tcg}" = kvm ] && accel=(-accel kvm -cpu host)
	# E2E_QEMU_ARGS: extra qemu arguments, split on blanks (scripts/bench: -icount ...).
	local extra=()
	read -r -a extra <<<"${E2E_QEMU_ARGS:-}"
	# E2E_MEM: guest memory in MiB (the many-sessions scenarios run 64 pppd processes).
	timeout --signal=KILL "$tmo" qemu-system-x86_64 "${accel[@]}" ${extra[@]+"${extra[@]}"} -smp 1 -m "${E2E_MEM:-512}" \
		-nographic -nodefaults -serial stdio -nic none -no-reboot \
		-kernel "$kernel" -initrd "$E2E_OUT/$ver/initrd" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 $*" </dev/null 2>&1 |
		tr -d '\r' | tee "$E2E_OUT/$ver/console.log"
	return "${PIPESTATUS[0]}"
}

# Prepares everything needed to boot the guests for the given pppd versions (host packages,
# guest packages, kernel, userland). Prints per-phase timings to stderr.
e2e_prepare() {
	local ver rel t
	t=$(e2e_now)
	e2e_host_deps
	for ver in "$@"; do
		rel=$(e2e_release_of "$ver") || e2e_die "unknown pppd version $ver"
		e2e_fetch "$rel"
		e2e_base_cpio "$rel"
		local found
		found=$(e2e_pppd_version_in "$E2E_CACHE/$rel/root")
		[ "$found" = "$ver" ] || e2e_die "$rel ships pppd $found, expected $ver"
	done
	E2E_T_PREPARE=$(e2e_since "$t")
}

# Reads a guest's console (stdin) for pppd version $1: results go to target/e2e/<ver>/results
# ("plugin scenario PASS|FAIL|N/A seconds [tag] message..."), measured figures to
# target/e2e/<ver>/figures ("plugin scenario key value..."), evidence blocks to
# target/e2e/<ver>/evidence/<plugin>-<scenario>.txt, demo output to stdout. A progress line per
# result goes to stderr. Leaves target/e2e/<ver>/done when the guest finished normally.
e2e_collect() {
	local ver=$1 out=$E2E_OUT/$1 line ev='' r f
	mkdir -p "$out/evidence"
	: >"$out/results"
	: >"$out/figures"
	rm -f "$out/done"
	local demo=0
	while IFS= read -r line; do
		case $line in
		"@@E2E RESULT "*)
			r=${line#@@E2E RESULT }
			echo "$r" >>"$out/results"
			read -r -a f <<<"$r"
			printf '  [%s] %-4s %-20s %s %5ss\n' "$ver" "${f[0]}" "${f[1]}" "${f[2]}" "${f[3]}" >&2
			;;
		"@@E2E FIGURE "*) echo "${line#@@E2E FIGURE }" >>"$out/figures" ;;
		"@@E2E EVIDENCE-BEGIN "*)
			read -r -a f <<<"${line#@@E2E EVIDENCE-BEGIN }"
			ev=$out/evidence/${f[0]}-${f[1]}.txt
			: >"$ev"
			;;
		"@@E2E EVIDENCE-END "*) ev= ;;
		"@@E2E DEMO-BEGIN"*) demo=1 ;;
		"@@E2E DEMO-END"*) demo=0 ;;
		"@@E2E DONE"*) touch "$out/done" ;;
		"@@E2E WATCHDOG"* | "@@E2E SETUP-FAILED"*) echo "  [$ver] ${line#@@E2E }" >&2 ;;
		*)
			if [ -n "$ev" ]; then
				echo "$line" >>"$ev"
			elif [ "$demo" = 1 ]; then
				echo "$line"
			fi
			;;
		esac
	done
}
