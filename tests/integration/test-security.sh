# shellcheck shell=bash disable=SC2016,SC2034,SC2119,SC2120,SC2153 # container scripts in single quotes on purpose; T_WRAP is read by lib.sh; sec_create takes redirections only; T_ID from lib.sh
# Container-escape regression tests: each attempts a known attack on a
# runtime and checks from the host that it failed.
#
#   - mount destinations through symlinks planted in the image (absolute,
#     relative `..` chains, /proc/self/root magic links) and a directory and
#     a symlink swapped (renameat2 RENAME_EXCHANGE) during 200 starts;
#   - device nodes, masked and read-only paths through symlinks; a /dev/null
#     that is not the null device when /dev is the image's own;
#   - /proc and /dev of the image turned into symlinks to a volume: sysctl
#     and device nodes must not be written to the volume (the host);
#   - no host file descriptor reaches the container (run, exec, a created
#     init), and process.cwd cannot leave the rootfs through one
#     (/proc/self/fd/N, CVE-2024-21626);
#   - the runtime's binary cannot be read or overwritten through
#     /proc/<pid>/exe from inside (CVE-2019-5736): a copy of the binary in
#     the test's temp dir is the runtime under test there, never the build;
#     containers whose processes hold CAP_SYS_PTRACE (config or exec --cap)
#     get their runtime processes from a sealed copy, with a memory of their
#     own (no /proc/<pid>/mem write reaches the runtime on the host), the
#     others pay nothing;
#   - device cgroup: a host disk's node cannot be read; /proc/kcore,
#     /proc/keys, /sys/firmware read empty; /proc/sys and
#     /proc/sysrq-trigger cannot be opened for writing;
#   - sysctls that are not namespaced, or whose namespace the container
#     does not own, are refused when the config is validated.
# Covered elsewhere, not repeated here: capability sets field by field
# (test-process.sh test_caps_*, test-exec.sh test_caps_of_exec_*),
# noNewPrivileges (same files), seccomp in run and exec (test-seccomp.sh).
#
# Safety: every "escape" target is a canary inside the test's own temp dir;
# writes to /proc are open-only or harmless (a namespaced value, the host's
# current value); nothing points at /etc, /dev, /usr or the build's binary.
# Sourced by lib.sh; see there for the helpers, and escape.sh for the
# canary, the C helpers' builds and the attacks shared with
# test-path-fallback.sh (esc_*).

# shellcheck source-path=SCRIPTDIR source=escape.sh disable=SC1091 # followed by shellcheck -x
source "$(dirname -- "${BASH_SOURCE[0]}")/escape.sh"

# ---------------------------------------------------------------- helpers

# sec_no_dev_tmpfs: the container's /dev is the rootfs's own directory.
sec_no_dev_tmpfs() {
	cfg_edit '.mounts |= map(select(.destination != "/dev"))'
}

# sec_runtime_copy: run a copy of the runtime from the test's temp dir (an
# attack that works writes to the copy only); SEC_SUM is its sha256.
sec_runtime_copy() {
	cp "$RUNTIME" "$T_DIR/hutch" || t_fail "copy the runtime"
	RUNTIME=$T_DIR/hutch
	SEC_SUM=$(sha256sum <"$RUNTIME")
}

sec_runtime_unchanged() {
	assert_eq "$(sha256sum <"$RUNTIME")" "$SEC_SUM" "${1:-}sha256 of the runtime's binary (copy in $T_DIR)"
	assert_eq "$(grep -c HUTCH-SEC-PWNED "$RUNTIME")" 0 "marker in the runtime's binary"
}

# sec_create [RUNTIME-FLAGS...]: `create` the bundle with a fresh id (deleted
# when the test ends); SEC_INIT is the init's host pid.  Redirections given
# to sec_create reach the runtime.
sec_create() {
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	t_defer "rt delete -f $T_CID"
	rt create --bundle "$T_BUNDLE" "$@" "$T_CID"
	assert_rc 0 "create"
	rt state "$T_CID"
	SEC_INIT=$(jq -r .pid <<<"$T_OUT")
	assert_match "$SEC_INIT" '^[1-9][0-9]*$' "state's pid"
}

# sec_run_d: `run -d` the bundle with a fresh id (deleted when the test
# ends); it must succeed.
sec_run_d() {
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	t_defer "rt delete -f $T_CID"
	rt run -d --bundle "$T_BUNDLE" "$T_CID"
	assert_rc 0 "run -d"
}

# ---------------------------------------------------------------- mount destinations through symlinks

# The existing test-mounts.sh test plants an absolute link; this one also
# checks where the mounts go when the target exists in the rootfs.
test_symlink_dest_absolute() {
	esc_symlink_dest "$T_DIR/canary"
}

test_symlink_dest_absolute_dotdot() {
	esc_symlink_dest "/../../../..$T_DIR/canary"
}

test_symlink_dest_relative_dotdot() {
	esc_symlink_dest "../../../../../../../../../../..$T_DIR/canary"
}

# A chain of symlinks: evil -> a/b -> ../../c -> the canary.
test_symlink_dest_chain() {
	mkdir -p "$T_BUNDLE/rootfs/a"
	ln -s ../../../c "$T_BUNDLE/rootfs/a/b"
	ln -s "../../..$T_DIR/canary" "$T_BUNDLE/rootfs/c"
	esc_symlink_dest a/b
}

# A link through the magic /proc/self/root (the runtime's own root when it
# resolves destinations before pivot_root): it may only fail.
test_symlink_dest_proc_self_root() {
	local dest
	esc_canary
	esc_mirror
	cp "$T_BUNDLE/config.json" "$T_DIR/config.base"
	for dest in "/proc/self/root$T_DIR/canary" "/proc/1/root$T_DIR/canary" \
		"/proc/self/cwd$T_DIR/canary" "/proc/thread-self/root$T_DIR/canary"; do
		rm -f "$T_BUNDLE/rootfs/evil"
		ln -s "$dest" "$T_BUNDLE/rootfs/evil"
		cp "$T_DIR/config.base" "$T_BUNDLE/config.json"
		mount_add /evil/x tmpfs tmpfs size=1m
		ctr_sh 'cat /proc/self/mountinfo'
		esc_canary_untouched "evil -> $dest"
		if [[ $T_RC == 0 ]]; then
			# resolved inside the rootfs: then on the mirror
			[[ -n $(esc_mi "$ESC_CANARY/x") ]] ||
				t_fail "evil -> $dest: run succeeded but the mount is not on the rootfs's $ESC_CANARY/x: $T_OUT"
		else
			assert_match "$T_ERR" "/evil" "evil -> $dest: the error names the destination"
		fi
	done
}

# Destinations written through /proc magic links in the config itself:
# refused (or resolved in the rootfs), never on the host.
test_dest_magic_links_in_config() {
	local dest
	esc_canary
	cp "$T_BUNDLE/config.json" "$T_DIR/config.base"
	for dest in "/proc/self/root$T_DIR/canary/x" "/proc/1/root$T_DIR/canary/x" \
		"/proc/self/cwd$T_DIR/canary/x" "/proc/self/fd/0/x"; do
		cp "$T_DIR/config.base" "$T_BUNDLE/config.json"
		mount_add "$dest" tmpfs tmpfs size=1m
		ctr_sh 'cat /proc/self/mountinfo'
		esc_canary_untouched "destination $dest"
		if [[ $T_RC != 0 ]]; then
			assert_contains "$T_ERR" "$dest" "destination $dest: the error names it"
		fi
	done
}

test_dest_dotdot_in_config() {
	esc_canary
	mount_add "/dev/../../..$T_DIR/canary/x" tmpfs tmpfs size=1m
	ctr_sh 'cat /proc/self/mountinfo'
	esc_canary_untouched
	assert_rc 0 "a lexical .. chain is clamped at the rootfs"
	assert_match "$(esc_mi "$ESC_CANARY/x")" ' - tmpfs ' "tmpfs on the rootfs's $ESC_CANARY/x"
	[[ -d $T_BUNDLE/rootfs$ESC_CANARY/x ]] || t_fail "mount point not created inside the rootfs"
}

# ---------------------------------------------------------------- exchange race

# A directory and a symlink to the canary swap places at a mount destination
# (renameat2 RENAME_EXCHANGE, a tight loop on the host) while 200 containers
# start, within 45 s, with a bind mount and a tmpfs (with a missing parent)
# there.  Each start either succeeds with its mounts in the rootfs or fails
# cleanly; the canary is untouched; inside, an rbind of the canary made
# after the raced mounts shows no mount and no new entry in it (see
# esc_exchange_race).
test_symlink_exchange_race() {
	esc_exchange_race 200 45
}

# ---------------------------------------------------------------- devices, masked and read-only paths

# linux.devices below a directory the image made a symlink (with /dev the
# image's own): the node is made in the rootfs or not at all.
test_device_node_parent_symlink() {
	esc_canary
	sec_no_dev_tmpfs
	ln -s "$T_DIR/canary" "$T_BUNDLE/rootfs/dev/sub"
	ln -s "../../../../../../../..$T_DIR/canary" "$T_BUNDLE/rootfs/dev/rel"
	cfg_edit '.linux.devices = [{path: "/dev/sub/null", type: "c", major: 1, minor: 3},
		{path: "/dev/rel/HOST-FILE", type: "c", major: 1, minor: 5}]'
	run_ctr
	esc_canary_untouched "target missing in the rootfs"
	esc_mirror
	run_ctr
	esc_canary_untouched "target in the rootfs"
	if [[ $T_RC == 0 ]]; then
		[[ -c $ESC_MIRROR/null ]] || t_fail "device node not in the rootfs's $ESC_CANARY"
	fi
}

# Masked and read-only paths whose parent (or the path itself) is a symlink
# to the canary: masked in the rootfs or skipped, the host untouched.
test_masked_paths_through_symlinks() {
	esc_canary
	mkdir -p "$T_BUNDLE/rootfs/data"
	ln -s "$T_DIR/canary" "$T_BUNDLE/rootfs/data/abs"
	ln -s "../../../../../../../..$T_DIR/canary" "$T_BUNDLE/rootfs/data/rel"
	ln -s "/proc/self/root$T_DIR/canary" "$T_BUNDLE/rootfs/data/magic"
	cfg_edit '.root.readonly = false
		| .linux.maskedPaths += ["/data/abs/HOST-FILE", "/data/rel/sub", "/data/abs/null", "/data/magic/HOST-FILE"]
		| .linux.readonlyPaths += ["/data/rel", "/data/magic"]'
	ctr_sh 'cat /data/abs/HOST-FILE; ls -A /data/rel/sub; touch /data/rel/new && echo rel-writable'
	esc_canary_untouched "targets missing in the rootfs"
	esc_mirror
	ctr_sh 'echo "masked=[$(cat /data/abs/HOST-FILE)]"; echo "sub=[$(ls -A /data/rel/sub)]";
		touch /data/rel/new && echo rel-writable; cat /proc/self/mountinfo'
	esc_canary_untouched "targets in the rootfs"
	if [[ $T_RC == 0 ]]; then
		assert_contains "$T_OUT" "masked=[]" "masked file in the rootfs reads empty"
		assert_contains "$T_OUT" "sub=[]" "masked dir in the rootfs is empty"
		assert_not_contains "$T_OUT" rel-writable "read-only path through a symlink"
	fi
	[[ ! -e $ESC_MIRROR/new ]] || t_fail "wrote through a read-only path"
}

# /dev is the image's own and its /dev/null is KIND: masking must refuse or
# mask with nothing, never bind the planted thing over /proc/keys.
sec_devnull() {
	local kind=$1 f masked=()
	esc_canary
	sec_no_dev_tmpfs
	for f in /proc/keys /proc/timer_list /proc/sched_debug; do
		[[ -e $f ]] && masked+=("$f")
	done
	((${#masked[@]})) || t_skip "none of /proc/keys /proc/timer_list /proc/sched_debug here"
	cfg_edit --argjson m "$(json_array "${masked[@]}")" '.linux.maskedPaths = $m'
	rm -f "$T_BUNDLE/rootfs/dev/null"
	case $kind in
	symlink) ln -s "$T_DIR/canary/HOST-FILE" "$T_BUNDLE/rootfs/dev/null" ;;
	symlink-rel) ln -s "../../../../../../..$T_DIR/canary/HOST-FILE" "$T_BUNDLE/rootfs/dev/null" ;;
	symlink-inside) echo PLANTED >"$T_BUNDLE/rootfs/planted" && ln -s /planted "$T_BUNDLE/rootfs/dev/null" ;;
	file) echo PLANTED >"$T_BUNDLE/rootfs/dev/null" ;;
	dir) mkdir "$T_BUNDLE/rootfs/dev/null" && echo PLANTED >"$T_BUNDLE/rootfs/dev/null/x" ;;
	device) mknod "$T_BUNDLE/rootfs/dev/null" c 1 7 ;; # /dev/full: harmless, not null
	esac
	esc_mirror # a symlink resolved in the rootfs finds "mirror-data" here
	ctr_sh "for f in ${masked[*]}; do echo \"\$f bytes=\$(head -c 64 \$f | wc -c)\"; head -c 64 \$f; done"
	esc_canary_untouched "/dev/null a $kind"
	if [[ $T_RC == 0 ]]; then
		for f in "${masked[@]}"; do
			assert_contains "$T_OUT" "$f bytes=0" "/dev/null a $kind: $f masked with something"
		done
	else
		assert_match "$T_ERR" "/dev/null|mask" "/dev/null a $kind: the error"
	fi
	assert_not_contains "$T_OUT" PLANTED
	assert_not_contains "$T_OUT" -data
}

test_mask_dev_null_symlink() { sec_devnull symlink; }
test_mask_dev_null_symlink_relative() { sec_devnull symlink-rel; }
test_mask_dev_null_symlink_inside() { sec_devnull symlink-inside; }
test_mask_dev_null_regular_file() { sec_devnull file; }
test_mask_dev_null_directory() { sec_devnull dir; }
test_mask_dev_null_other_device() { sec_devnull device; }

# ---------------------------------------------------------------- /proc and /dev turned into symlinks to a volume

# The image makes /proc a symlink to /vol, and the engine mounts a volume
# (the canary) on /vol after /proc: proc lands on /vol and the volume covers
# it, so /proc in the container is the volume.  linux.sysctl must be written
# to procfs or not at all, never into the volume.
test_sysctl_not_written_outside_procfs() {
	ESC_CANARY=$T_DIR/canary
	mkdir -p "$ESC_CANARY/sys/kernel" "$ESC_CANARY/sys/net/ipv4"
	echo orig >"$ESC_CANARY/sys/kernel/domainname"
	echo orig >"$ESC_CANARY/sys/net/ipv4/ip_forward"
	esc_canary
	rmdir "$T_BUNDLE/rootfs/proc"
	ln -s vol "$T_BUNDLE/rootfs/proc"
	mkdir "$T_BUNDLE/rootfs/vol"
	mount_add /vol bind "$ESC_CANARY" rbind rw
	cfg_edit '.linux.sysctl = {"kernel.domainname": "hutch-sec-pwned", "net.ipv4.ip_forward": "1"}'
	run_ctr
	esc_canary_untouched "sysctl through a /proc that is a volume (rc $T_RC: $T_ERR)"
}

# The same with /dev: the device nodes and /dev links must be made in the
# container's /dev tmpfs, never in the volume; no file of the volume named
# like a device ("null") is removed.
test_devices_not_created_outside_rootfs() {
	esc_canary
	rmdir "$T_BUNDLE/rootfs/dev"
	ln -s vol "$T_BUNDLE/rootfs/dev"
	mkdir "$T_BUNDLE/rootfs/vol"
	mount_add /vol bind "$ESC_CANARY" rbind rw
	cfg_edit '.linux.devices = [{path: "/dev/hutch-sec", type: "c", major: 1, minor: 3}]'
	run_ctr
	esc_canary_untouched "/dev nodes through a /dev that is a volume (rc $T_RC: $T_ERR)"
}

# ---------------------------------------------------------------- file descriptors and cwd

# fds_only_stdio: T_OUT (an `ls /proc/self/fd`) is 0 1 2 and ls's own 3.
sec_fds_only_stdio() {
	assert_eq "$(tr '\n' ' ' <<<"$T_OUT")" "0 1 2 3 " "$1: fds of the container's process (3 is ls's)"
}

test_no_leaked_fds_run() {
	esc_canary
	ctr_args ls /proc/self/fd
	run_ctr 5<"$ESC_CANARY" 6<"$ESC_CANARY/HOST-FILE" 7<>"$T_DIR/rw-file" 9>"$T_DIR/wfile"
	assert_rc 0
	sec_fds_only_stdio run
}

test_no_leaked_fds_exec() {
	esc_canary
	ctr_args sleep 30
	sec_create
	rt start "$T_CID"
	assert_rc 0 start
	rt exec "$T_CID" ls /proc/self/fd 5<"$ESC_CANARY" 6<"$ESC_CANARY/HOST-FILE" 7<>"$T_DIR/rw-file"
	assert_rc 0
	sec_fds_only_stdio exec
	rt exec -d "$T_CID" sh -c 'ls /proc/self/fd > /dev/shm/fds' 5<"$ESC_CANARY"
	assert_rc 0 "exec -d"
	wait_for 5 rt_exec_cat /dev/shm/fds
	T_OUT=$SEC_CAT
	sec_fds_only_stdio "exec -d"
}

rt_exec_cat() {
	rt exec "$T_CID" cat "$1"
	SEC_CAT=$T_OUT
	[[ $T_RC == 0 && -n $T_OUT ]]
}

# A created init waits for `start` in the runtime's image: it must not hold
# what `create`'s caller left open (a container process with CAP_SYS_PTRACE
# could use /proc/1/fd/N).  Internal sockets are fine.
test_created_init_holds_no_caller_fds() {
	local fd n target bad=()
	esc_canary
	ctr_args true
	sec_create 5<"$ESC_CANARY" 6<"$ESC_CANARY/HOST-FILE" 8>"$T_DIR/wfile"
	for fd in /proc/"$SEC_INIT"/fd/*; do
		n=${fd##*/}
		((n > 2)) || continue
		target=$(readlink "$fd") || continue
		[[ $target == /* || $target == pipe:* ]] && bad+=("$n -> $target")
	done
	((${#bad[@]} == 0)) || t_fail "the created init (pid $SEC_INIT) holds the caller's fds: ${bad[*]}"
}

# The attacker: an fd to a host directory, e.g. left open by the engine,
# and process.cwd through it (runc CVE-2024-21626).
sec_cwd_script='ls -A . > /dev/stderr; echo "cwd=$(readlink /proc/self/cwd)"; ls -A ..; touch ./ESCAPED 2>/dev/null && echo wrote-escaped; exit 0'

sec_cwd_check() {
	esc_canary_untouched "$1 (rc $T_RC)"
	assert_not_contains "$T_ERR" HOST-FILE "$1: the container listed the host canary"
	assert_not_contains "$T_OUT" "cwd=$ESC_CANARY" "$1: the container's cwd is the host canary"
	[[ ! -e $ESC_CANARY/ESCAPED ]] || t_fail "$1: the container wrote into the host canary"
}

test_cwd_through_leaked_fd_run() {
	local n
	esc_canary
	for n in 5 6 9; do
		cfg_edit --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		ctr_args sh -c "$sec_cwd_script"
		run_ctr 5<"$ESC_CANARY" 6<"$ESC_CANARY/sub" 9<"$ESC_CANARY"
		sec_cwd_check "process.cwd /proc/self/fd/$n"
	done
}

test_cwd_through_leaked_fd_exec() {
	esc_canary
	ctr_args sleep 30
	sec_create
	rt start "$T_CID"
	assert_rc 0 start
	rt exec --cwd /proc/self/fd/5 "$T_CID" sh -c "$sec_cwd_script" 5<"$ESC_CANARY"
	sec_cwd_check "exec --cwd /proc/self/fd/5"
	rt exec --cwd /proc/thread-self/fd/5 "$T_CID" sh -c "$sec_cwd_script" 5<"$ESC_CANARY"
	sec_cwd_check "exec --cwd /proc/thread-self/fd/5"
}

# Without any fd from the caller: whatever the runtime itself has open
# while it sets up the process must not be a way out either.
test_cwd_through_runtime_fds() {
	local n
	esc_canary
	for n in 3 4 5 6 7 8 9 10; do
		cfg_edit --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		ctr_args sh -c 'echo "cwd=$(readlink /proc/self/cwd)"; ls -A /proc/self/cwd/'
		run_ctr
		if [[ $T_RC == 0 ]]; then
			# a directory of the container is fine; anything else is not
			assert_match "$(grep '^cwd=' <<<"$T_OUT")" '^cwd=/' "cwd /proc/self/fd/$n"
			[[ $T_OUT != *"cwd=$T_DIR"* && $T_OUT != *"cwd=/tmp"* && $T_OUT != *"cwd=/sys/fs/cgroup"* ]] ||
				t_fail "cwd /proc/self/fd/$n is a host directory: $T_OUT"
		fi
	done
	esc_canary_untouched
}

# ---------------------------------------------------------------- the runtime's binary (CVE-2019-5736)

# sec_attacker: the attacker, helpers/sec-exe-attack.c built static, as
# /bin/sec-exe-attack in the rootfs, and a host dir $T_DIR/res (mode 0777)
# bound read-write on /res for its reports.
sec_attacker() {
	esc_helper sec-exe-attack -static
	cp "$ESC_BIN" "$T_BUNDLE/rootfs/bin/sec-exe-attack"
	mkdir -p "$T_DIR/res" && chmod 777 "$T_DIR/res"
	mount_add /res bind "$T_DIR/res" rbind rw
}

# sec_attacker_finished SECONDS REPORT: wait up to SECONDS for the
# attacker's last word in $T_DIR/res/REPORT (wrote, write-errno or
# not-found).
sec_attacker_finished() {
	wait_for "$1" grep -qE '^(wrote|write-errno|not-found)' "$T_DIR/res/$2" ||
		t_fail "the attacker did not finish: $(<"$T_DIR/res/$2")"
}

# sec_slow_exec EXEC-ARGS...: `rt exec EXEC-ARGS...` with the exec'd
# process's execve (its last setup step) delayed by 1.5 s under strace.
# LeakSanitizer cannot run under ptrace: the sanitizer stage's build then
# skips its leak check for this one run.
sec_slow_exec() {
	T_WRAP=(env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=execve -e inject=execve:delay_enter=1500000)
	rt exec "$@"
	T_WRAP=()
}

# A created container's init is the runtime's image waiting for `start`; a
# process exec'd into it (default capabilities) can neither read nor open
# /proc/1/exe (plain, O_PATH, for writing).
test_exe_of_created_init() {
	sec_attacker
	sec_runtime_copy
	ctr_args sleep 30
	sec_create
	# (each in a subshell: a failed redirection of `exec` ends the shell)
	rt exec "$T_CID" sh -c 'cat /proc/1/exe > /dev/null && echo READ-OK
		(echo x >> /proc/1/exe) && echo APPEND-OK
		(exec 3</proc/1/exe) && echo OPEN-OK
		(exec 3<>/proc/1/exe) && echo OPEN-RW-OK
		readlink /proc/1/exe && echo READLINK-OK
		exit 0'
	assert_rc 0 "exec into the created container"
	assert_not_contains "$T_OUT" READ-OK "read /proc/1/exe"
	assert_not_contains "$T_OUT" APPEND-OK "opened /proc/1/exe for writing"
	assert_not_contains "$T_OUT" OPEN-OK "opened /proc/1/exe"
	assert_not_contains "$T_OUT" OPEN-RW-OK "opened /proc/1/exe read-write"
	assert_not_contains "$T_OUT" READLINK-OK "read the link /proc/1/exe (the runtime's host path)"
	assert_match "$T_ERR" "Permission denied|Operation not permitted|Text file busy" "the errors"
	# O_PATH, and then reopening for writing once start has run
	rt exec -d "$T_CID" /bin/sec-exe-attack 4 /res/exec-attack
	assert_rc 0 "exec -d the attacker"
	wait_for 5 grep -q ready "$T_DIR/res/exec-attack" || t_fail "the attacker did not start"
	rt start "$T_CID"
	assert_rc 0 start
	sec_attacker_finished 8 exec-attack
	sec_runtime_unchanged
	grep -q '^found' "$T_DIR/res/exec-attack" &&
		t_fail "the attacker got an fd of the runtime's binary: $(tr '\n' ';' <"$T_DIR/res/exec-attack")"
	return 0
}

# sec_ptrace_caps: the container's process gets CAP_SYS_PTRACE in every set.
sec_ptrace_caps() {
	cfg_edit '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
}

# sec_exe_of PID: where the host sees PID's /proc/PID/exe.
sec_exe_of() {
	readlink "/proc/$1/exe" 2>/dev/null
}

# A container whose processes hold CAP_SYS_PTRACE in the host's user
# namespace: non-dumpable no longer hides the runtime's image.  Its init
# must run from a sealed copy while it waits for `start`: the attacker, in
# an exec'd process, gets an fd of /proc/1/exe, keeps it past `start` and
# reopens it for writing.  The binary must stay unchanged.
test_exe_of_created_init_with_cap_sys_ptrace() {
	sec_attacker
	sec_runtime_copy
	sec_ptrace_caps
	ctr_args sleep 30
	sec_create
	assert_match "$(sec_exe_of "$SEC_INIT")" '^/memfd:hutch' "exe of the created init (a sealed copy)"
	assert_eq "$(cat "$T_ROOT/$T_CID/exe-guard")" ptrace "the state's exe-guard mark"
	rt exec -d "$T_CID" /bin/sec-exe-attack 6 /res/exec-attack
	assert_rc 0 "exec -d the attacker"
	wait_for 5 grep -qE '^(found|not-found)' "$T_DIR/res/exec-attack" ||
		t_fail "the attacker did not scan: $(cat "$T_DIR/res/exec-attack" 2>&1)"
	# it did reach the init's exe: the guard is a copy, not a hidden link
	grep -q '^found 1$' "$T_DIR/res/exec-attack" ||
		t_fail "the attacker did not get /proc/1/exe: $(tr '\n' ';' <"$T_DIR/res/exec-attack")"
	rt start "$T_CID"
	assert_rc 0 start
	sec_attacker_finished 10 exec-attack
	sec_runtime_unchanged "attacker: $(tr '\n' ';' <"$T_DIR/res/exec-attack") "
	assert_not_contains "$(<"$T_DIR/res/exec-attack")" wrote "the attacker wrote the runtime's binary"
}

# Giving CAP_SYS_PTRACE by `exec --cap` to a process of a created container
# whose init is the runtime's own image (not guarded) is refused, and
# leaves the container as it was.
test_exe_ptrace_exec_into_unguarded_created_refused() {
	ctr_args sleep 30
	sec_create
	assert_eq "$(sec_exe_of "$SEC_INIT")" "$(readlink -f "$RUNTIME")" "exe of an unguarded created init"
	rt exec --cap CAP_SYS_PTRACE "$T_CID" true
	assert_rc 1 "exec --cap CAP_SYS_PTRACE into the created container"
	assert_contains "$T_ERR" "CAP_SYS_PTRACE could reach the runtime's binary" "the error"
	assert_eq "$(wc -l <<<"$T_ERR")" 1 "one line of error"
	rt state "$T_CID"
	assert_eq "$(jq -r .status <<<"$T_OUT")" created "status after the refused exec"
	rt exec "$T_CID" true
	assert_rc 0 "a plain exec into it"
}

# Once a process of a running container has been given CAP_SYS_PTRACE by
# `exec --cap`, every later exec into it runs from a sealed copy: the
# privileged process (the attacker) catches a later exec during its setup,
# slowed to 1.5 s under strace, and must not be able to write the binary.
test_exe_ptrace_exec_guards_later_execs() {
	command -v strace >/dev/null || t_skip "no strace to slow down exec"
	sec_attacker
	sec_runtime_copy
	ctr_args sleep 30
	sec_run_d
	[[ ! -s $T_ROOT/$T_CID/exe-guard ]] || t_fail "a default container is marked for the exe guard"
	rt exec -d --cap CAP_SYS_PTRACE "$T_CID" /bin/sec-exe-attack 8 /res/exec-attack
	assert_rc 0 "exec -d --cap CAP_SYS_PTRACE the attacker"
	assert_eq "$(cat "$T_ROOT/$T_CID/exe-guard")" ptrace "the state's exe-guard mark"
	wait_for 5 grep -q ready "$T_DIR/res/exec-attack" || t_fail "the attacker did not start"
	sec_slow_exec "$T_CID" true
	assert_rc 0 "the slowed exec"
	sec_attacker_finished 12 exec-attack
	grep -q '^found' "$T_DIR/res/exec-attack" ||
		t_fail "the attacker never saw the exec'd process: no window tested ($(tr '\n' ';' <"$T_DIR/res/exec-attack"))"
	sec_runtime_unchanged "attacker: $(tr '\n' ';' <"$T_DIR/res/exec-attack") "
	assert_not_contains "$(<"$T_DIR/res/exec-attack")" wrote "the attacker wrote the runtime's binary"
}

# The guard costs nothing where it is not needed: default capabilities, or
# CAP_SYS_PTRACE inside a user namespace (it does not reach a process of
# the host's), leave the created init on the runtime's binary, unmarked;
# and that init's exe stays closed to a CAP_SYS_PTRACE of the user namespace.
test_exe_guard_only_where_needed() {
	ctr_args sleep 30
	sec_create
	assert_eq "$(sec_exe_of "$SEC_INIT")" "$(readlink -f "$RUNTIME")" "exe of a default created init"
	[[ ! -e $T_ROOT/$T_CID/exe-guard ]] || t_fail "a default container got an exe-guard mark"
	rt delete -f "$T_CID"

	sec_attacker
	mkdir "$T_BUNDLE/rootfs/res" # container root may not create it
	userns_add 100000 65536
	sec_ptrace_caps
	sec_create
	assert_eq "$(sec_exe_of "$SEC_INIT")" "$(readlink -f "$RUNTIME")" "exe of a created init in a user namespace"
	rt exec "$T_CID" /bin/sec-exe-attack 1 /res/exec-attack
	grep -q '^found' "$T_DIR/res/exec-attack" &&
		t_fail "CAP_SYS_PTRACE of a user namespace got /proc/1/exe: $(tr '\n' ';' <"$T_DIR/res/exec-attack")"
	grep -q '^denied 1 ' "$T_DIR/res/exec-attack" ||
		t_fail "the attacker was not denied /proc/1/exe: $(tr '\n' ';' <"$T_DIR/res/exec-attack")"
}

# A guarded container (its processes hold CAP_SYS_PTRACE) catches an
# exec'd process during its setup (slowed by strace), stops it and
# rewrites the --pid-file path in its memory through /proc/<pid>/mem.  That
# process must not share its memory with the runtime on the host: the pid
# file is written where the caller asked, never at the rewritten path.
test_exe_guard_process_memory_is_its_own() {
	local orig=$T_DIR/pidfile-ORIGINAL-01 pwnd=$T_DIR/pidfile-REWRITTEN-1
	esc_helper sec-mem-attack -static
	cp "$ESC_BIN" "$T_BUNDLE/rootfs/bin/sec-mem-attack"
	mkdir -p "$T_DIR/res" && chmod 777 "$T_DIR/res"
	mount_add /res bind "$T_DIR/res" rbind rw
	sec_ptrace_caps
	ctr_args /bin/sec-mem-attack 20 /res/mem-attack "$orig" "$pwnd"
	sec_run_d
	wait_for 5 grep -q ready "$T_DIR/res/mem-attack" || t_fail "the attacker did not start"
	sec_slow_exec --pid-file "$orig" "$T_CID" /bin/true
	wait_for 10 grep -q '^wrote' "$T_DIR/res/mem-attack" ||
		t_fail "the attacker did not finish: $(<"$T_DIR/res/mem-attack")"
	grep -qE '^wrote [0-9]+ [1-9]' "$T_DIR/res/mem-attack" ||
		t_fail "the attacker rewrote nothing: no window tested ($(tr '\n' ';' <"$T_DIR/res/mem-attack"))"
	[[ ! -e $pwnd ]] || t_fail "the runtime on the host wrote the rewritten path $pwnd"
	[[ -f $orig ]] || t_fail "no pid file at $orig (exec: $T_RC $T_ERR)"
}

# An exec whose last setup step (the execve) is delayed by 1.5 s under
# strace: the process is the runtime's image in the container's pid
# namespace all that time.  The container's init scans for it and must be
# denied its exe (or never see it).
test_exe_during_slow_exec_setup() {
	local t0
	command -v strace >/dev/null || t_skip "no strace to slow down exec"
	sec_attacker
	sec_runtime_copy
	ctr_args /bin/sec-exe-attack 6 /res/init-attack
	sec_run_d
	wait_for 5 grep -q ready "$T_DIR/res/init-attack" || t_fail "the attacker did not start"
	t0=$EPOCHREALTIME
	sec_slow_exec "$T_CID" true
	assert_rc 0 "the slowed exec"
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a >= 1.4) }' ||
		t_fail "strace did not delay the exec's execve: no window tested"
	sec_attacker_finished 10 init-attack
	sec_runtime_unchanged
	grep -q '^found' "$T_DIR/res/init-attack" &&
		t_fail "the attacker got an fd of the runtime's binary: $(tr '\n' ';' <"$T_DIR/res/init-attack")"
	grep -q '^denied' "$T_DIR/res/init-attack" ||
		t_log "note: the exec'd process was never seen in the container during its setup"
}

# The original CVE-2019-5736 exploit: the image's program is a script whose
# interpreter is /proc/self/exe, so the runtime's exec'd process executes
# the runtime's own binary inside the container, where the attacker (the
# init) waits to reopen it for writing once it exits.
test_exe_shebang_proc_self_exe() {
	sec_attacker
	sec_runtime_copy
	printf '#!/proc/self/exe\n' >"$T_BUNDLE/rootfs/bin/evil"
	chmod 755 "$T_BUNDLE/rootfs/bin/evil"
	ctr_args /bin/sec-exe-attack 5 /res/init-attack
	sec_create
	rt start "$T_CID"
	assert_rc 0 start
	wait_for 5 grep -q ready "$T_DIR/res/init-attack" || t_fail "the attacker did not start"
	rt exec "$T_CID" /bin/evil
	rt exec -d "$T_CID" /bin/evil
	sec_attacker_finished 10 init-attack
	sec_runtime_unchanged
	assert_not_contains "$(<"$T_DIR/res/init-attack")" wrote "the attacker wrote the runtime's binary"
}

# ---------------------------------------------------------------- devices cgroup

# With the default device rules and CAP_MKNOD, a node for a host disk may
# be made (runc allows mknod of any node) but never read; the null device
# works.  The disks: the host's first disk when the host itself can read it
# (a sandboxed host may not), and a loop device over a file of the test's
# (host-readable, with a marker) when losetup works here.
test_mknod_host_disk_refused() {
	local disks=() d maj min name loop script
	read -r maj min name < <(awk 'NR > 2 && $4 !~ /^(loop|ram|zram)/ { print $1, $2, $4; exit }' /proc/partitions)
	if [[ -n $name && -b /dev/$name ]] && head -c1 "/dev/$name" >/dev/null 2>&1; then
		disks+=("$maj:$min:$name")
	fi
	if command -v losetup >/dev/null; then
		{ printf HOSTDISK; head -c 65536 /dev/zero; } >"$T_DIR/disk.img"
		if loop=$(losetup -f --show "$T_DIR/disk.img" 2>/dev/null) && [[ -b $loop ]]; then
			t_defer "losetup -d $loop"
			[[ $(head -c 8 "$loop") == HOSTDISK ]] || t_fail "the host cannot read its loop device $loop"
			disks+=("$((0x$(stat -c %t "$loop"))):$((0x$(stat -c %T "$loop"))):${loop#/dev/}")
		fi
	fi
	((${#disks[@]})) || t_skip "no host disk readable by the host, and no loop device"
	cfg_edit '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	script=
	for d in "${disks[@]}"; do
		IFS=: read -r maj min name <<<"$d"
		script+="mknod /dev/h-$name b $maj $min && echo mknod-ok-$name
			echo \"$name bytes=\$(head -c8 /dev/h-$name | wc -c)\"; head -c8 /dev/h-$name
"
	done
	ctr_sh "$script
		echo x > /dev/null && echo null-ok
		mknod /dev/null2 c 1 3 && echo y > /dev/null2 && echo null2-ok
		exit 0"
	assert_rc 0
	for d in "${disks[@]}"; do
		IFS=: read -r maj min name <<<"$d"
		assert_contains "$T_OUT" "$name bytes=0" "read the host's $name ($maj:$min) through a node made inside"
	done
	assert_not_contains "$T_OUT" HOSTDISK "the loop device's content"
	assert_contains "$T_OUT" null-ok "/dev/null"
	assert_contains "$T_OUT" null2-ok "a node for 1:3 made inside"
}

# ---------------------------------------------------------------- /proc and /sys

test_proc_sys_sensitive_reads_empty() {
	ctr_sh 'for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
			[ -e $f ] && echo "$f=$(head -c 4096 $f 2>/dev/null | wc -c)"
		done
		echo "firmware=$(ls -A /sys/firmware 2>/dev/null | wc -l)"
		echo "firmware-files=$(find /sys/firmware -type f 2>/dev/null | wc -l)"
		exit 0'
	assert_rc 0
	local line
	while read -r line; do
		assert_match "$line" '=0$' "readable: $line"
	done <<<"$T_OUT"
	[[ -d /sys/firmware ]] && assert_contains "$T_OUT" "firmware=0"
	[[ -e /proc/keys ]] && assert_contains "$T_OUT" "/proc/keys=0"
	return 0
}

# Open-only for the files where a write would act on the host (sysrq, a
# global sysctl); domainname is namespaced, a write to it is harmless.
test_proc_writes_refused() {
	ctr_sh '(exec 3>>/proc/sysrq-trigger) && echo sysrq-open-ok
		(exec 3>>/proc/sys/kernel/panic) && echo panic-open-ok
		(exec 3>>/proc/sys/vm/drop_caches) && echo drop-caches-open-ok
		(echo hutch-sec > /proc/sys/kernel/domainname) && echo domainname-write-ok
		(exec 3>>/proc/sys/net/ipv4/ip_forward) && echo ip-forward-open-ok
		exit 0'
	assert_rc 0
	assert_not_contains "$T_OUT" -ok "opened for writing"
	assert_match "$T_ERR" "Read-only file system|Permission denied" "the errors"
}

# ---------------------------------------------------------------- sysctl validation

# sec_sysctl_refused KEY [NS-TO-REMOVE]: a sysctl the container cannot own
# is refused before anything is made: a one-line error naming
# linux.sysctl and the key; the value is the host's own, so a runtime that
# wrongly applied it would change nothing.
sec_sysctl_refused() {
	local key=$1 ns=${2:-} value
	value=$(cat "/proc/sys/${key//.//}" 2>/dev/null) || value=0
	[[ -n $ns ]] && ns_del "$ns"
	# nothing else may need the namespace: only the sysctl is to blame
	[[ $ns == uts ]] && cfg_edit 'del(.hostname, .domainname)'
	cfg_edit --arg k "$key" --arg v "$value" '.linux.sysctl = {($k): $v}'
	run_ctr
	assert_ne "$T_RC" 0 "sysctl $key${ns:+ without a $ns namespace} was accepted"
	assert_eq "$(wc -l <<<"$T_ERR")" 1 "a one-line error: $T_ERR"
	assert_contains "$T_ERR" "linux.sysctl" "the error names the field"
	assert_contains "$T_ERR" "$key" "the error names the key"
	assert_eq "$T_OUT" "" "the container did not run"
	[[ ! -e $T_ROOT/$T_CID ]] || t_fail "state left for $T_CID"
}

test_sysctl_refused_kernel_panic() { sec_sysctl_refused kernel.panic; }
test_sysctl_refused_vm_swappiness() { sec_sysctl_refused vm.swappiness; }
test_sysctl_refused_net_without_netns() { sec_sysctl_refused net.ipv4.ip_forward network; }
test_sysctl_refused_shmmax_without_ipcns() { sec_sysctl_refused kernel.shmmax ipc; }
test_sysctl_refused_mqueue_without_ipcns() { sec_sysctl_refused fs.mqueue.msg_max ipc; }
test_sysctl_refused_hostname_without_utsns() { sec_sysctl_refused kernel.hostname uts; }
test_sysctl_refused_slash_form() { sec_sysctl_refused kernel/panic; }

# Joining the runtime's own network namespace by path is not having one
# (runc: "sysctl not allowed in host network namespace").  The runtime runs
# in a throwaway network namespace (unshare), which plays the host.
test_sysctl_net_refused_in_runtime_netns() {
	command -v unshare >/dev/null || t_skip "no unshare"
	cfg_edit '.linux.namespaces |= map(if .type == "network" then {type: "network", path: "/proc/self/ns/net"} else . end)
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	ctr_args cat /proc/sys/net/ipv4/ip_forward
	T_WRAP=(unshare --net)
	run_ctr
	T_WRAP=()
	assert_ne "$T_RC" 0 "net.ipv4.ip_forward written in the runtime's own network namespace (container saw '$T_OUT')"
	assert_contains "$T_ERR" linux.sysctl
}

# The same for the ipc namespace (kernel.shmmax would be the host's).
test_sysctl_ipc_refused_in_runtime_ipcns() {
	command -v unshare >/dev/null || t_skip "no unshare"
	cfg_edit '.linux.namespaces |= map(if .type == "ipc" then {type: "ipc", path: "/proc/self/ns/ipc"} else . end)
		| .linux.sysctl = {"kernel.shmmax": "12345"}'
	ctr_args cat /proc/sys/kernel/shmmax
	T_WRAP=(unshare --ipc)
	run_ctr
	T_WRAP=()
	assert_ne "$T_RC" 0 "kernel.shmmax written in the runtime's own ipc namespace (container saw '$T_OUT')"
	assert_contains "$T_ERR" linux.sysctl
}
