#!/bin/bash
# tests/v2vm/run.sh - run in-VM tests on a pure cgroup v2 kernel (qemu, TCG).
#
#   tests/v2vm/run.sh [OPTIONS] [TEST_SCRIPT...]
#
# Boots Debian's kernel (the newest /boot/vmlinuz-*, from linux-image-amd64)
# under qemu-system-x86_64 with cgroup_no_v1=all and an initramfs as the only
# root: static busybox, the hutch binary with its libraries and loader (paths
# as ldd gives them), jq likewise, a busybox bundle from scripts/mkbundle.sh,
# tests/v2vm/lib.sh, /init = tests/v2vm/init.sh and the TEST_SCRIPTs
# (default: tests/v2vm/tests/*.sh; see lib.sh for how to write one), and the
# kernel modules of vm_modules below with their dependencies (from the
# kernel's /lib/modules/RELEASE/modules.dep, decompressed for busybox's
# insmod), which /init loads at boot: brd gives the VM a block device,
# /dev/ram0, for io.max.  The initramfs is cached under /var/cache/hutch-v2vm
# (root) or ${XDG_CACHE_HOME:-~/.cache}/hutch-v2vm and rebuilt when an input
# (a module included) changes.
#
# Prints the VM's result lines prefixed, one per test:
#   v2vm: ok FILE::NAME
#   v2vm: FAIL FILE::NAME: REASON      (followed by `v2vm: #   | ...` details)
#   v2vm: skip FILE::NAME: REASON
# A VM that times out or never prints V2VM-DONE adds `v2vm: FAIL v2vm::...`.
# Exit 0 iff no FAIL.  Timings go to stderr.  The last console log is kept
# as CACHE/console.log; nothing else is left behind.
#
# Options:
#   --hutch PATH        hutch binary (default: $BUILD_DIR/hutch, BUILD_DIR=build)
#   --timeout S         hard limit for the whole VM run (default 240)
#   --test-timeout S    limit per in-VM test (default 60)
#   --kernel PATH       kernel image (default: newest /boot/vmlinuz-*)
#   --no-deps           do not call scripts/install-deps.sh vm
# Environment: T_COUNTS_FILE (write "PASSED FAILED SKIPPED" there, as
# tests/integration/lib.sh does), V2VM_CACHE (cache directory), CI=true and
# HUTCH_ALLOW_SKIP (an unexpected skip fails, as in tests/run.sh).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$top/tests/v2vm

hutch=${top}/${BUILD_DIR:-build}/hutch
[[ ${BUILD_DIR:-} == /* ]] && hutch=$BUILD_DIR/hutch
timeout_s=240 test_timeout=60 kernel='' do_deps=1
tests=()
while (($#)); do
	case $1 in
	--hutch) hutch=${2:?--hutch needs a path}; shift 2 ;;
	--hutch=*) hutch=${1#*=}; shift ;;
	--timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	--test-timeout) test_timeout=${2:?--test-timeout needs seconds}; shift 2 ;;
	--test-timeout=*) test_timeout=${1#*=}; shift ;;
	--kernel) kernel=${2:?--kernel needs a path}; shift 2 ;;
	--kernel=*) kernel=${1#*=}; shift ;;
	--no-deps) do_deps=0; shift ;;
	-h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "v2vm: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) tests+=("$1"); shift ;;
	esac
done
((${#tests[@]})) || tests=("$here"/tests/*.sh)
[[ $timeout_s =~ ^[0-9]+$ && $test_timeout =~ ^[0-9]+$ ]] || {
	echo "v2vm: --timeout and --test-timeout take whole seconds" >&2
	exit 2
}

pass=0 fail=0 skip=0
tmp='' qpid='' stage=''

cleanup() {
	if [[ -n $qpid ]] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qpid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
	fi
	[[ -n $tmp ]] && rm -rf "$tmp"
	[[ -n $stage ]] && rm -rf "$stage"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

info() { printf 'v2vm: %s\n' "$*" >&2; }

# report LINE: print a result line and count it.  As in the integration
# tests, CI=true turns a skip into a failure unless a space-separated
# pattern of HUTCH_ALLOW_SKIP is part of its FILE::NAME.
report() {
	local line=$1 name p
	if [[ $line == 'skip '* && ${CI:-} == true ]]; then
		name=${line#skip }
		name=${name%%: *}
		for p in ${HUTCH_ALLOW_SKIP:-}; do
			[[ $name == *"$p"* ]] && { name=; break; }
		done
		[[ -n $name ]] && line="FAIL $name: unexpected skip in CI: ${line#*: }"
	fi
	printf 'v2vm: %s\n' "$line"
	case $line in
	'ok '*) pass=$((pass + 1)) ;;
	'FAIL '*) fail=$((fail + 1)) ;;
	'skip '*) skip=$((skip + 1)) ;;
	esac
}

finish() {
	[[ -n ${T_COUNTS_FILE:-} ]] && echo "$pass $fail $skip" >"$T_COUNTS_FILE"
	((fail == 0)) && exit 0
	exit 1
}

die() {
	report "FAIL v2vm::setup: $*"
	finish
}

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# ------------------------------------------------------------ dependencies

if ((do_deps)); then
	"$top"/scripts/install-deps.sh vm >&2 || die "scripts/install-deps.sh vm failed"
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (package qemu-system-x86)"
command -v cpio >/dev/null || die "cpio not found"
command -v jq >/dev/null || die "jq not found"
if [[ -z $kernel ]]; then
	kernel=$(printf '%s\n' /boot/vmlinuz-* | sort -V | tail -n 1)
	[[ -f $kernel ]] || die "no /boot/vmlinuz-* (package linux-image-amd64; the running kernel $(uname -r) has no image there)"
fi
[[ -r $kernel ]] || die "kernel image $kernel is not readable"
[[ -x $hutch ]] || die "hutch binary '$hutch' not found or not executable (build it, or give --hutch)"
hutch=$(readlink -f "$hutch")
busybox=/bin/busybox
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is not static (package busybox-static)"
jq_bin=$(readlink -f "$(command -v jq)")

# ------------------------------------------------------------ kernel modules

# The modules the VM loads at boot, each with its parameters.  brd: one RAM
# disk, /dev/ram0, of 8 MiB (pages are allocated only when written), a block
# device for io.max (cgroups.sh::io_max); Debian builds it as a module.
vm_modules=('brd rd_nr=1 rd_size=8192')

# kernel_release IMAGE: the release an x86 bzImage was built as (`uname -r`
# in the VM): the setup header ("HdrS" at 0x202) has at 0x20e the offset,
# less 0x200, of the version string.
kernel_release() {
	local off
	[[ $(dd if="$1" bs=1 skip=$((0x202)) count=4 status=none 2>/dev/null) == HdrS ]] || return 1
	off=$(od -An -tu2 -j $((0x20e)) -N 2 "$1" 2>/dev/null | tr -d ' ')
	[[ $off =~ ^[0-9]+$ ]] && ((off > 0)) || return 1
	dd if="$1" bs=1 skip=$((off + 0x200)) count=256 status=none 2>/dev/null |
		tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}

# mod_find NAME: its path in modules.dep (relative to $moddir; - and _ alike).
mod_find() {
	awk -v n="${1//-/_}" '{
		f = $1; sub(/:$/, "", f); b = f; sub(/.*\//, "", b)
		sub(/\.ko(\.(xz|zst|gz))?$/, "", b); gsub(/-/, "_", b)
		if (b == n) { print f; exit }
	}' "$moddir/modules.dep"
}

# mod_add PATH: add a module (a modules.dep path) to mod_paths after its
# dependencies, each module once.
mod_add() {
	local d
	[[ -n ${mod_seen[$1]:-} ]] && return 0
	mod_seen[$1]=1
	for d in $(awk -v m="$1:" '$1 == m { $1 = ""; print; exit }' "$moddir/modules.dep"); do
		mod_add "$d" || return 1
	done
	[[ -f $moddir/$1 ]] || return 1
	mod_paths+=("$1")
}

kver=$(kernel_release "$kernel") || kver=''
moddir=/lib/modules/$kver
declare -A mod_seen=() mod_args=()
mod_paths=() mod_files=()
if [[ -n $kver && -f $moddir/modules.dep ]]; then
	for m in "${vm_modules[@]}"; do
		p=$(mod_find "${m%% *}")
		if [[ -z $p ]]; then
			info "kernel module ${m%% *} is not in $moddir/modules.dep (built in, or not built)"
			continue
		fi
		mod_add "$p" || die "kernel module $p (or a dependency) is missing under $moddir"
		[[ $m == *' '* ]] && mod_args[$p]=${m#* }
	done
	for p in "${mod_paths[@]}"; do mod_files+=("$moddir/$p"); done
else
	info "no modules for ${kernel##*/} (release '${kver:-unknown}', no $moddir/modules.dep): the VM has no block device"
fi
names=()
for t in "${tests[@]}"; do
	[[ -f $t ]] || die "no such test script: $t"
	n=${t##*/}
	[[ " ${names[*]} " == *" $n "* ]] && die "two test scripts named $n"
	names+=("$n")
done

# ------------------------------------------------------------ initramfs

if [[ -n ${V2VM_CACHE:-} ]]; then
	cache=$V2VM_CACHE
elif [[ $(id -u) == 0 ]]; then
	cache=/var/cache/hutch-v2vm
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/hutch-v2vm
fi
mkdir -p "$cache" || die "cannot create $cache"

# libs BINARY: the shared objects it loads, the loader included (ldd's paths).
libs() {
	ldd "$1" 2>/dev/null | awk '
		/not found/ { print "MISSING:" $1; next }
		/=> \// { print $3; next }
		$1 ~ /^\// { print $1 }'
}

# stage_files ROOT: the initramfs's files but the bundle.
stage_files() {
	local r=$1 f
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,proc,sys,dev,tmp,run,root,newroot,v2vm/tests} &&
		cp "$busybox" "$r/bin/busybox" &&
		cp "$hutch" "$r/usr/local/bin/hutch" &&
		cp "$jq_bin" "$r/usr/bin/jq" &&
		cp "$here/init.sh" "$r/init" && chmod 0755 "$r/init" &&
		cp "$here/lib.sh" "$r/v2vm/lib.sh" &&
		printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd" &&
		printf '%s\n' 'root:x:0:' >"$r/etc/group" || return 1
	for f in "${deplibs[@]}"; do
		cp --parents -L "$f" "$r/" || return 1
	done
	for f in "${tests[@]}"; do
		cp "$f" "$r/v2vm/tests/" || return 1
	done
	# The modules, decompressed, and /v2vm/modules: "PATH [PARAMS]" lines in
	# load order, PATH relative to /lib/modules/RELEASE.
	: >"$r/v2vm/modules" || return 1
	for f in "${mod_paths[@]}"; do
		local out=${f%.xz}
		out=${out%.zst} out=${out%.gz}
		mkdir -p "$r/lib/modules/$kver/${out%/*}" || return 1
		case $f in
		*.xz) xz -dc "$moddir/$f" ;;
		*.zst) zstd -qdc "$moddir/$f" ;;
		*.gz) gzip -dc "$moddir/$f" ;;
		*) cat "$moddir/$f" ;;
		esac >"$r/lib/modules/$kver/$out" || return 1
		printf '%s%s\n' "$out" "${mod_args[$f]:+ ${mod_args[$f]}}" >>"$r/v2vm/modules" || return 1
	done
}

t0=$(now)
mapfile -t deplibs < <({ libs "$hutch"; libs "$jq_bin"; } | sort -u)
for l in "${deplibs[@]}"; do
	[[ $l == MISSING:* ]] && die "a library of hutch or jq is not found: ${l#MISSING:}"
done
# Everything the image is made of; the key changes when any content does.
inputs=("$hutch" "$jq_bin" "$busybox" "${deplibs[@]}" "$top/scripts/mkbundle.sh"
	"$here/init.sh" "$here/lib.sh" "${BASH_SOURCE[0]}" "${tests[@]}" "${mod_files[@]}")
key=$({ printf '%s\n' "${names[@]}" "$kver" "${mod_paths[@]}"; sha256sum "${inputs[@]}" | cut -d' ' -f1; } | sha256sum | cut -c1-16) ||
	die "hashing the inputs failed"
initrd=$cache/initramfs-$key.cpio

if [[ -f $initrd ]]; then
	touch "$initrd"
	info "initramfs: cached $initrd ($(since "$t0")s)"
else
	stage=$(mktemp -d "$cache/stage.XXXXXX") || die "mktemp in $cache failed"
	r=$stage/root
	stage_files "$r" || die "staging the initramfs in $stage failed"
	HUTCH=$hutch "$top/scripts/mkbundle.sh" "$r/v2vm/bundle" >"$stage/mkbundle.log" 2>&1 ||
		die "scripts/mkbundle.sh failed: $(tail -n 3 "$stage/mkbundle.log")"
	# Uncompressed newc: nothing to compress or decompress; owned by root.
	(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$stage/initramfs.cpio" ||
		die "cpio failed"
	mv -f "$stage/initramfs.cpio" "$initrd" || die "cannot write $initrd"
	rm -rf "$stage"
	stage=
	# Keep the three most recently used images.
	ls -t "$cache"/initramfs-*.cpio 2>/dev/null | tail -n +4 | xargs -r rm -f
	info "initramfs: built $initrd, $(($(stat -c %s "$initrd") / 1024)) KiB ($(since "$t0")s)"
fi

# ------------------------------------------------------------ boot

tmp=$(mktemp -d /tmp/v2vm.XXXXXX) || die "mktemp failed"
log=$tmp/console.log
: >"$log"
append="console=ttyS0 quiet panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 v2vm.test_timeout=$test_timeout"
info "booting ${kernel##*/} (timeout ${timeout_s}s)"
t0=$(now)
qemu-system-x86_64 -nographic -no-reboot -nodefaults -no-user-config \
	-accel tcg -m 1024 -smp 2 \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-serial "file:$log" -monitor none </dev/null >"$tmp/qemu.out" 2>&1 &
qpid=$!

# The hard timeout: poll, and kill qemu (by its pid) when the time is up.
timed_out=0 t_done=
limit=$((timeout_s * 10)) n=0
while kill -0 "$qpid" 2>/dev/null; do
	if [[ -z $t_done ]] && grep -q '^V2VM-DONE' "$log"; then
		t_done=$(since "$t0")
	fi
	if ((n >= limit)); then
		timed_out=1
		break
	fi
	sleep 0.1
	n=$((n + 1))
done
if ((timed_out)); then
	kill "$qpid" 2>/dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qpid" 2>/dev/null || break; sleep 0.2; done
	kill -KILL "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	qrc=124
else
	wait "$qpid"
	qrc=$?
fi
qpid=
[[ -z $t_done ]] && grep -q '^V2VM-DONE' "$log" && t_done=$(since "$t0")
cp "$log" "$cache/console.log" 2>/dev/null

# ------------------------------------------------------------ report

# clean LOG: the console's lines without CRs and the firmware's terminal
# escapes, each ending with a newline.
clean() {
	sed 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\x1b[()][0-9A-Z]//g' "$1" | awk '{ print }'
}

# The VM's lines up to V2VM-DONE.
while IFS= read -r line; do
	case $line in
	V2VM-DONE*) break ;;
	'ok '* | 'FAIL '* | 'skip '* | '#'*) report "$line" ;;
	esac
done < <(clean "$log")

if ((timed_out)); then
	report "FAIL v2vm::vm: timed out after ${timeout_s}s (console log: $cache/console.log)"
	clean "$log" | tail -n 15 | sed 's/^/v2vm: #   | /'
elif [[ -z $t_done ]]; then
	report "FAIL v2vm::vm: the VM stopped without V2VM-DONE (qemu exit $qrc; console log: $cache/console.log)"
	{ clean "$log" | tail -n 15; tail -n 5 "$tmp/qemu.out"; } | sed 's/^/v2vm: #   | /'
elif ((pass + fail + skip == 0)); then
	report "FAIL v2vm::vm: no test reported (console log: $cache/console.log)"
fi
info "boot to V2VM-DONE: ${t_done:-never}${t_done:+s}; qemu ran $(since "$t0")s; $pass passed, $fail failed, $skip skipped"
finish
