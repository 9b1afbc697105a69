# shellcheck shell=bash disable=SC2016,SC2034 # container scripts in single quotes on purpose; T_WRAP is read by lib.sh
# The runtime on a kernel without openat2(2): helpers/enosys.c makes
# openat2 fail with ENOSYS (as Linux < 5.6 does, or an old container
# engine's seccomp profile) and execs the runtime, so that every path in
# the rootfs is resolved by the user-space walk of src/lib/path.c.
#
#   - a container whose mounts, cwd and device node go through symlinks of
#     the image and through missing directories runs, and has the same
#     mounts, in the same places, as the same bundle run with openat2;
#   - the mount-destination attacks of test-security.sh (a symlink to a host
#     directory: absolute, "/.." and "../.." chains, a chain of links, the
#     /proc/self/root magic link; magic links in the config itself) leave
#     the host canary untouched, and each ends as it does with openat2;
#   - a directory and a symlink to the canary swapped during starts: each
#     start lands in the rootfs or fails cleanly;
#   - under strace: openat2 fails with ENOSYS once per process and the walk
#     reads the planted link itself (readlinkat) and opens each component
#     O_PATH | O_NOFOLLOW.
#
# The helper checks that openat2 really fails before it runs anything, so a
# broken filter cannot turn these into tests of openat2.  Every "escape"
# target is a canary inside the test's own temp dir.  Function names are
# prefixed pf_; the canary, the helpers' builds and the attacks shared with
# test-security.sh are escape.sh's (esc_).  Sourced by lib.sh; see there
# for the helpers.

# shellcheck source-path=SCRIPTDIR source=escape.sh disable=SC1091 # followed by shellcheck -x
source "$(dirname -- "${BASH_SOURCE[0]}")/escape.sh"

# ---------------------------------------------------------------- helpers

# pf_no_openat2: PF_WRAP is the command prefix that runs the runtime
# without openat2; T_WRAP is set to it.
pf_no_openat2() {
	esc_helper enosys -lseccomp
	PF_WRAP=("$ESC_BIN" openat2)
	T_WRAP=("${PF_WRAP[@]}")
}

# pf_mounts: the mounts of the mountinfo in T_OUT as "point options fstype"
# (ids and sources differ from run to run, these must not).
pf_mounts() {
	awk '$5 ~ /^\// && NF > 9 { for (i = 7; $i != "-"; i++) ; print $5, $6, $(i + 1) }' <<<"$T_OUT"
}

# ---------------------------------------------------------------- a normal container

test_fallback_mounts_land_right() {
	local fallback kernel
	pf_no_openat2
	mkdir -p "$T_BUNDLE/rootfs/real/deep" "$T_DIR/src"
	echo from-src >"$T_DIR/src/SRC"
	ln -s /real "$T_BUNDLE/rootfs/abs"
	ln -s real/deep "$T_BUNDLE/rootfs/rel"
	ln -s ../../real "$T_BUNDLE/rootfs/real/deep/up"
	mount_add /abs/data bind "$T_DIR/src" rbind ro
	mount_add /rel/up/t1 tmpfs tmpfs size=1m
	mount_add /new/a/b tmpfs tmpfs size=1m
	mount_add /abs/../../../new/c tmpfs tmpfs size=1m mode=700
	cfg_edit '.process.cwd = "/rel/up"
		| .linux.devices = [{path: "/dev/pf/null", type: "c", major: 1, minor: 3}]'
	ctr_args sh -c 'cat /proc/self/mountinfo; echo "cwd=$(readlink /proc/self/cwd)"
		cat /real/data/SRC; echo pf > /dev/pf/null && echo dev-ok'
	# a pristine copy for the run with openat2: the first run creates
	# the mount points
	cp -a "$T_BUNDLE" "$T_DIR/bundle-openat2"

	run_ctr
	assert_rc 0 "run without openat2"
	assert_contains "$T_OUT" "cwd=/real" "process.cwd through two symlinks"
	assert_contains "$T_OUT" from-src "the bind mount through /abs"
	assert_contains "$T_OUT" dev-ok "the device node in a created directory"
	assert_match "$(esc_mi /real/data)" ' ro[, ]' "bind on /real/data, read-only"
	assert_match "$(esc_mi /real/t1)" ' - tmpfs ' "tmpfs on /real/t1 (rel/up)"
	assert_match "$(esc_mi /new/a/b)" ' - tmpfs ' "tmpfs on the created /new/a/b"
	assert_match "$(esc_mi /new/c)" ' - tmpfs .*mode=700' "tmpfs on /new/c (a .. chain clamped at the root)"
	local d
	for d in real/data real/t1 new/a/b new/c; do
		[[ -d $T_BUNDLE/rootfs/$d && ! -L $T_BUNDLE/rootfs/$d ]] || t_fail "mount point $d not made in the rootfs"
	done
	[[ -L $T_BUNDLE/rootfs/abs && -L $T_BUNDLE/rootfs/rel ]] || t_fail "the image's symlinks were replaced"
	fallback=$(pf_mounts)

	T_WRAP=()
	T_BUNDLE=$T_DIR/bundle-openat2
	run_ctr
	assert_rc 0 "the same bundle with openat2"
	kernel=$(pf_mounts)
	[[ -n $kernel ]] || t_fail "no mounts seen with openat2: $T_OUT"
	assert_eq "$fallback" "$kernel" "the mounts made by the walk and by openat2"
}

# ---------------------------------------------------------------- mount destinations through symlinks

# pf_symlink_dest LINK-TARGET: test-security.sh's mount destination below
# a symlink planted in the image (esc_symlink_dest) without openat2.
pf_symlink_dest() {
	pf_no_openat2
	esc_symlink_dest "$1"
}

test_fallback_symlink_dest_absolute() {
	pf_symlink_dest "$T_DIR/canary"
}

test_fallback_symlink_dest_absolute_dotdot() {
	pf_symlink_dest "/../../../..$T_DIR/canary"
}

test_fallback_symlink_dest_relative_dotdot() {
	pf_symlink_dest "../../../../../../../../../../..$T_DIR/canary"
}

# evil -> a/b -> ../../../c -> ../../..$T_DIR/canary
test_fallback_symlink_dest_chain() {
	mkdir -p "$T_BUNDLE/rootfs/a"
	ln -s ../../../c "$T_BUNDLE/rootfs/a/b"
	ln -s "../../..$T_DIR/canary" "$T_BUNDLE/rootfs/c"
	pf_symlink_dest a/b
}

# pf_same_outcome WHAT MOUNTPOINT: the last run (under the wrapper) ended
# as the same run with openat2 does, on the copy of the bundle taken before
# it ($T_DIR/bundle-openat2): the same exit status, and a mount on
# MOUNTPOINT in both or in neither.
pf_same_outcome() {
	local rc=$T_RC mi mi2
	mi=$(esc_mi "$2")
	T_WRAP=()
	T_BUNDLE=$T_DIR/bundle-openat2 run_ctr
	T_WRAP=("${PF_WRAP[@]}")
	esc_canary_untouched "$1, with openat2"
	assert_eq "$rc" "$T_RC" "$1: exit status without openat2 and with it"
	mi2=$(esc_mi "$2")
	assert_eq "${mi:+mounted}" "${mi2:+mounted}" \
		"$1: a mount on the rootfs's $2 without openat2 and with it"
}

# Links through magic links (the runtime's own root, pid 1's, the cwd):
# openat2 refuses them (ELOOP), so must the walk; never on the host.
test_fallback_symlink_dest_magic_links() {
	local dest
	pf_no_openat2
	esc_canary
	esc_mirror
	cp "$T_BUNDLE/config.json" "$T_DIR/config.base"
	for dest in "/proc/self/root$T_DIR/canary" "/proc/1/root$T_DIR/canary" \
		"/proc/self/cwd$T_DIR/canary" "/proc/thread-self/root$T_DIR/canary"; do
		rm -rf "$T_BUNDLE/rootfs/evil" "$T_DIR/bundle-openat2"
		ln -s "$dest" "$T_BUNDLE/rootfs/evil"
		cp "$T_DIR/config.base" "$T_BUNDLE/config.json"
		mount_add /evil/x tmpfs tmpfs size=1m
		ctr_args sh -c 'cat /proc/self/mountinfo'
		cp -a "$T_BUNDLE" "$T_DIR/bundle-openat2"
		run_ctr
		esc_canary_untouched "evil -> $dest"
		[[ $T_RC != 0 ]] || t_fail "evil -> $dest: a magic link was followed: $(esc_mi "$ESC_CANARY/x")"
		assert_match "$T_ERR" "'/evil" "evil -> $dest: the error names the destination"
		pf_same_outcome "evil -> $dest" "$ESC_CANARY/x"
	done
}

# Destinations written through magic links and .. chains in the config.
test_fallback_dest_magic_links_in_config() {
	local dest
	pf_no_openat2
	esc_canary
	cp "$T_BUNDLE/config.json" "$T_DIR/config.base"
	for dest in "/proc/self/root$T_DIR/canary/x" "/proc/1/root$T_DIR/canary/x" \
		"/proc/self/cwd$T_DIR/canary/x" "/proc/self/fd/0/x" "/dev/../../..$T_DIR/canary/x"; do
		rm -rf "$T_DIR/bundle-openat2"
		cp "$T_DIR/config.base" "$T_BUNDLE/config.json"
		mount_add "$dest" tmpfs tmpfs size=1m
		ctr_args sh -c 'cat /proc/self/mountinfo'
		cp -a "$T_BUNDLE" "$T_DIR/bundle-openat2"
		run_ctr
		esc_canary_untouched "destination $dest"
		if [[ $dest == /proc/* ]]; then
			[[ $T_RC != 0 ]] || t_fail "destination $dest: a magic link was followed"
			assert_contains "$T_ERR" "$dest" "destination $dest: the error names it"
		else
			assert_rc 0 "a lexical .. chain is clamped at the rootfs"
			assert_match "$(esc_mi "$ESC_CANARY/x")" ' - tmpfs ' "tmpfs on the rootfs's $ESC_CANARY/x"
		fi
		pf_same_outcome "destination $dest" "$ESC_CANARY/x"
	done
}

# ---------------------------------------------------------------- exchange race

# test-security.sh's exchange race (esc_exchange_race), without openat2: a
# directory and a symlink to the canary swap places (renameat2
# RENAME_EXCHANGE, a tight loop) while 100 containers start, within 35 s,
# with a bind mount there and a tmpfs below a missing directory there.
# Each start succeeds with its mounts in the rootfs or fails cleanly at the
# raced path; the canary is untouched.
test_fallback_symlink_exchange_race() {
	pf_no_openat2
	esc_exchange_race 100 35 "${PF_WRAP[@]}"
}

# ---------------------------------------------------------------- evidence

# The walk really ran: strace (inside the wrapper) shows every openat2 of
# the runtime failing with ENOSYS, at most once per process (the failure is
# remembered), the planted link opened O_PATH | O_NOFOLLOW and its text read
# by the runtime, and the mount on the rootfs's mirror of the canary.
test_fallback_really_walks() {
	local log=$T_DIR/strace calls
	command -v strace >/dev/null || t_skip "no strace"
	pf_no_openat2
	esc_canary
	esc_mirror
	ln -s "$ESC_CANARY" "$T_BUNDLE/rootfs/evil"
	mount_add /evil/x tmpfs tmpfs size=1m
	ctr_args sh -c 'cat /proc/self/mountinfo'
	# LeakSanitizer cannot run under ptrace (the sanitizer stage's build)
	# shellcheck disable=SC2054 # strace's -e list, not array elements
	T_WRAP=("${PF_WRAP[@]}" env ASAN_OPTIONS=detect_leaks=0
		strace -f -qq -s 4096 -o "$log" -e trace=openat2,openat,readlinkat)
	run_ctr
	T_WRAP=("${PF_WRAP[@]}")
	assert_rc 0 "run under strace without openat2"
	esc_canary_untouched
	assert_match "$(esc_mi "$ESC_CANARY/x")" ' - tmpfs ' "tmpfs on the rootfs's $ESC_CANARY/x"
	[[ -s $log ]] || t_fail "strace wrote nothing"
	grep -qE 'openat2.*= -1 ENOSYS' "$log" ||
		t_fail "no openat2 failing with ENOSYS: the wrapper did not reach the runtime: $(grep -m5 openat2 "$log")"
	! grep -E 'openat2' "$log" | grep -qE '= [0-9]+$|= [0-9]+ ' ||
		t_fail "an openat2 succeeded: $(grep -E 'openat2' "$log" | grep -E '= [0-9]+' | head -n 3)"
	# one failed try per process, then the walk is used directly
	calls=$(grep -E '^[0-9]+ +openat2\(' "$log" | awk '{ n[$1]++ } END { for (p in n) if (n[p] > 1) print p, n[p] }')
	[[ -z $calls ]] || t_fail "openat2 tried again after ENOSYS (pid calls): $calls"
	grep -qE 'openat\([0-9]+, "evil", [^)]*O_NOFOLLOW[^)]*O_PATH' "$log" ||
		t_fail "the walk did not open 'evil' O_PATH|O_NOFOLLOW: $(grep -m5 '"evil"' "$log")"
	grep -F 'readlinkat(' "$log" | grep -qF "\"\", \"$ESC_CANARY\"" ||
		t_fail "the walk did not read the link's text: $(grep -m5 readlinkat "$log")"
}
