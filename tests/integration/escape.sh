# shellcheck shell=bash disable=SC2016,SC2034 # container scripts in single quotes on purpose; ESC_* and T_WRAP are read by the test files and lib.sh
# Container-escape fixtures shared by test-security.sh and
# test-path-fallback.sh (which runs the same attacks without openat2):
#
#   - esc_canary: a host directory no container may touch, checked by
#     esc_canary_untouched; esc_mirror: its path inside the rootfs;
#   - esc_helper: a C helper of helpers/ built once per run;
#   - esc_symlink_dest: mount destinations below a symlink planted in the
#     image that points at the canary;
#   - esc_exchange_race: a directory and a symlink to the canary swapped
#     (renameat2 RENAME_EXCHANGE) while containers start.
#
# Not a test file (its name does not match test-*.sh): those two source it
# (lib.sh sources them, one per test process) and it uses lib.sh's helpers.
# Function names are prefixed esc_.

# ---------------------------------------------------------------- canary

# esc_canary: $ESC_CANARY, a host directory no container may touch, with a
# file, a subdirectory and a file named like a device node the runtime makes;
# its state is recorded for esc_canary_untouched.
esc_canary() {
	ESC_CANARY=$T_DIR/canary
	mkdir -p "$ESC_CANARY/sub" || t_fail "mkdir canary"
	echo host-data >"$ESC_CANARY/HOST-FILE"
	echo host-sub-data >"$ESC_CANARY/sub/file"
	echo host-null >"$ESC_CANARY/null"
	# mtimes change when a name is created or removed in a directory
	touch -d '2001-01-01 00:00:00' "$ESC_CANARY" "$ESC_CANARY"/* "$ESC_CANARY"/sub/*
	esc__canary_state >"$T_DIR/canary.before"
}

esc__canary_state() {
	(cd "$ESC_CANARY" && find . -printf '%p %y %m %u:%g %s %T@ %l\n' | sort &&
		find . -type f -exec md5sum {} + | sort)
}

# esc_canary_untouched [WHAT]: the canary has not changed in any way and no
# mount of the host's mount table is on or below it.
esc_canary_untouched() {
	local m
	esc__canary_state >"$T_DIR/canary.after"
	diff -u "$T_DIR/canary.before" "$T_DIR/canary.after" >"$T_DIR/canary.diff" ||
		t_fail "${1:+$1: }the host canary $ESC_CANARY was changed:
$(tail -n +3 "$T_DIR/canary.diff")"
	m=$(awk -v d="$ESC_CANARY" '$5 == d || index($5, d "/") == 1' /proc/self/mountinfo)
	[[ -z $m ]] || t_fail "${1:+$1: }mounted on the host canary: $m"
}

# esc_mirror: $ESC_MIRROR, the canary's path inside the rootfs, so that a
# symlink to it resolved in the rootfs has a target (the mount must land
# here).
esc_mirror() {
	ESC_MIRROR=$T_BUNDLE/rootfs$ESC_CANARY
	mkdir -p "$ESC_MIRROR/sub"
	echo mirror-data >"$ESC_MIRROR/HOST-FILE"
	echo mirror-sub >"$ESC_MIRROR/sub/file"
}

# esc_mi MOUNTPOINT: the container's mountinfo line for MOUNTPOINT in T_OUT.
esc_mi() {
	awk -v m="$1" '$5 == m { l = $0 } END { print l }' <<<"$T_OUT"
}

# ---------------------------------------------------------------- helpers

# esc_helper NAME [CC-ARGS...]: build tests/integration/helpers/NAME.c,
# with CC-ARGS after the source (e.g. -static, -lseccomp), once per run and
# CC-ARGS; sets ESC_BIN to the binary (not printed: a skip must not happen
# in a subshell).
esc_helper() {
	local name=$1 dir=$T_RUNDIR/esc-helpers
	shift
	(($#)) && dir+=/${*//[^A-Za-z0-9=.-]/_}
	ESC_BIN=$dir/$name
	[[ -x $ESC_BIN ]] && return 0
	command -v cc >/dev/null || t_skip "no C compiler (cc) for helpers/$name.c"
	mkdir -p "$dir"
	cc -O2 -o "$ESC_BIN.$$" "$T_TESTDIR/helpers/$name.c" "$@" 2>"$T_DIR/cc.err" ||
		t_skip "cannot build helpers/$name.c $*: $(head -c 300 "$T_DIR/cc.err")"
	mv "$ESC_BIN.$$" "$ESC_BIN"
}

# ---------------------------------------------------------------- mount destinations through symlinks

# esc_symlink_dest LINK-TARGET: plant rootfs/evil -> LINK-TARGET, mount a
# tmpfs on /evil/x and bind a host dir on /evil/y.  Without a target in the
# rootfs the runtime must fail cleanly; with the canary's mirror in the
# rootfs both mounts must land in the mirror; the host canary is untouched.
# The runtime runs under T_WRAP, if set.
esc_symlink_dest() {
	local target=$1 l
	esc_canary
	mkdir -p "$T_DIR/src" && echo from-src >"$T_DIR/src/SRC"
	ln -s "$target" "$T_BUNDLE/rootfs/evil"
	mount_add /evil/x tmpfs tmpfs size=1m
	mount_add /evil/y bind "$T_DIR/src" bind
	ctr_args sh -c 'cat /proc/self/mountinfo; cat /evil/y/SRC'

	# 1. the symlink's target does not exist inside the rootfs
	run_ctr
	esc_canary_untouched "target missing in the rootfs"
	if [[ $T_RC == 0 ]]; then
		t_fail "mounted through a dangling symlink: where? $T_OUT"
	fi
	assert_match "$T_ERR" "/evil" "the error names the destination"

	# 2. it exists inside the rootfs: that is where the mounts go
	esc_mirror
	run_ctr
	esc_canary_untouched "target in the rootfs"
	assert_rc 0 "mount through a symlink resolved in the rootfs"
	l=$(esc_mi "$ESC_CANARY/x")
	assert_match "$l" ' - tmpfs ' "tmpfs on the rootfs's $ESC_CANARY/x"
	[[ -n $(esc_mi "$ESC_CANARY/y") ]] || t_fail "no bind on the rootfs's $ESC_CANARY/y: $T_OUT"
	assert_contains "$T_OUT" from-src "bind source seen through /evil/y"
	[[ -d $ESC_MIRROR/x && -d $ESC_MIRROR/y ]] || t_fail "mount points not created in the mirror"
}

# ---------------------------------------------------------------- exchange race

# esc_stop_swap: end the swap loop (our child, by its pid) once.
esc_stop_swap() {
	[[ -n ${ESC_SWAP_PID:-} ]] || return 0
	kill -TERM "$ESC_SWAP_PID" 2>/dev/null
	wait "$ESC_SWAP_PID"
	ESC_SWAP_PID=
}

# esc_exchange_race STARTS BUDGET [WRAPPER...]: a directory and a symlink to
# the canary swap places at a mount destination (helpers/sec-swap.c:
# renameat2 RENAME_EXCHANGE, a tight loop on the host, for at most the
# test's own time limit) while STARTS containers start, within BUDGET
# seconds, with a bind mount and a tmpfs (with a missing parent) there; the
# runtime runs under WRAPPER (T_WRAP; none by default).  Each start either
# succeeds with its mounts in the rootfs or fails cleanly at the raced path;
# the canary is untouched; inside, an rbind of the canary made after the
# raced mounts shows no mount and no new entry in it.  The loop must have
# swapped more than 1000 times and let at least one start through.
esc_exchange_race() {
	local n=$1 budget=$2 swap i ok=0 failed=0 start=$SECONDS swaps
	shift 2
	esc_helper sec-swap
	swap=$ESC_BIN
	T_WRAP=("$@")
	esc_canary
	mkdir -p "$T_BUNDLE/rootfs/race/sub" "$T_DIR/src"
	echo from-src >"$T_DIR/src/SRC"
	ln -s "$ESC_CANARY" "$T_BUNDLE/rootfs/race-link"
	mount_add /race/sub bind "$T_DIR/src" bind
	mount_add /race/new/deep tmpfs tmpfs size=1m
	mount_add /canary-view bind "$ESC_CANARY" rbind ro
	ctr_args sh -c 'n=$(grep -c " /canary-view" /proc/self/mountinfo)
		[ "$n" = 1 ] || echo "LEAK: $n mounts at or below /canary-view"
		[ -e /canary-view/new ] && echo "LEAK: /canary-view/new exists"
		[ "$(cat /canary-view/sub/file)" = host-sub-data ] || echo "LEAK: canary sub covered"
		exit 0'
	"$swap" "$T_TEST_TIMEOUT" "$T_BUNDLE/rootfs/race" "$T_BUNDLE/rootfs/race-link" "$T_DIR/swaps" \
		2>"$T_DIR/swap.err" &
	ESC_SWAP_PID=$!
	t_defer esc_stop_swap
	for ((i = 0; i < n; i++)); do
		((SECONDS - start < budget)) ||
			t_fail "only $i starts in ${budget}s ($ok ok, $failed failed)"
		run_ctr
		if [[ $T_RC == 0 ]]; then
			ok=$((ok + 1))
			assert_not_contains "$T_OUT" LEAK "start $i"
		else
			failed=$((failed + 1))
			assert_match "$T_ERR" "'/race" "start $i failed, but not cleanly at the raced path"
		fi
		[[ -z $(awk -v d="$ESC_CANARY" 'index($5, d) == 1' /proc/self/mountinfo) ]] ||
			t_fail "start $i: a mount on the host canary"
	done
	esc_stop_swap
	swaps=$(<"$T_DIR/swaps")
	t_log "$n starts${1:+ under ${1##*/} ${*:2}}: $ok ok, $failed failed cleanly; $swaps swaps"
	((swaps > 1000)) || t_fail "the swap loop did not run ($swaps swaps): $(<"$T_DIR/swap.err")"
	((ok > 0)) || t_fail "no start succeeded: the race never let one through"
	esc_canary_untouched
	[[ -d $T_BUNDLE/rootfs/race && -L $T_BUNDLE/rootfs/race-link ]] || t_fail "swap left the paths exchanged"
}
