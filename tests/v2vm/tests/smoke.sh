# tests/v2vm/tests/smoke.sh - hutch on a pure cgroup v2 host (busybox sh; see
# ../lib.sh).  The last two tests need the cgroup module (linux.resources,
# linux.cgroupsPath) and fail until it lands.

CG=/sys/fs/cgroup

test_cgroup2_only() {
	local fstype magic v1
	fstype=$(awk '$2 == "/sys/fs/cgroup" { print $3 }' /proc/mounts)
	assert_eq "$fstype" cgroup2 "filesystem type of $CG in /proc/mounts"
	magic=$(stat -f -c %t "$CG")
	assert_eq "$magic" 63677270 "statfs magic of $CG (CGROUP2_SUPER_MAGIC)"
	v1=$(awk '$3 == "cgroup" { print $2 }' /proc/mounts)
	[ -z "$v1" ] || t_fail "cgroup v1 hierarchies mounted: $v1"
	assert_contains " $(cat $CG/cgroup.subtree_control) " " memory " "memory controller delegated from the root"
	assert_contains " $(cat $CG/cgroup.subtree_control) " " pids " "pids controller delegated from the root"
}

test_run_true() {
	ctr_run_ok /bin/true
	ctr_run /bin/false
	assert_eq "$T_RC" 1 "exit status of a container running /bin/false"
}

# The cgroup2 superblock options (nsdelegate, memory_recursiveprot) are
# global: a container without a cgroup namespace that mounts cgroup2 resets
# them on the host unless it passes the host's options or binds the host's
# mount (runc#5258, containerd#12952).
test_host_cgroup2_options_kept() {
	local before after
	before=$(awk '$2 == "/sys/fs/cgroup" { o = $4 } END { print o }' /proc/mounts)
	assert_contains "$before" nsdelegate "the VM's /sys/fs/cgroup options"
	ctr_run_ok true
	after=$(awk '$2 == "/sys/fs/cgroup" { o = $4 } END { print o }' /proc/mounts)
	[ "$after" = "$before" ] ||
		t_fail "a container without a cgroup namespace changed the host's /sys/fs/cgroup options from '$before' to '$after' (its cgroup mount must keep them)"
}

test_proc_self_cgroup() {
	ctr_run_ok cat /proc/self/cgroup
	case $T_OUT in
	0::*) ;;
	*) t_fail "/proc/self/cgroup in the container does not start with '0::': $T_OUT" ;;
	esac
	[ "$(printf '%s\n' "$T_OUT" | wc -l)" = 1 ] ||
		t_fail "/proc/self/cgroup has v1 lines on a pure v2 host: $T_OUT"
}

# The limit seen from the host while the container runs.
test_memory_limit() {
	local f="$CG/hutch-v2test/memory.max" cg got status
	cfg_edit '.linux.resources.memory.limit = 67108864
		| .linux.cgroupsPath = "/hutch-v2test"
		| .process.args = ["sleep", "100"]'
	ctr_detach mem
	status=$(rt state mem | jq -r .status)
	assert_eq "$status" running "status of the detached container"
	cg=$(cat "/proc/$T_PID/cgroup")
	[ -e "$f" ] || t_fail "$f does not exist while the container runs (its init $T_PID is in cgroup '$cg'): linux.cgroupsPath/linux.resources not applied"
	got=$(cat "$f")
	assert_eq "$got" 67108864 "$f"
	assert_eq "$cg" "0::/hutch-v2test" "/proc/$T_PID/cgroup of the container's init"
	rt delete --force mem || t_fail "hutch delete --force mem failed"
	[ ! -e "$CG/hutch-v2test" ] || t_fail "$CG/hutch-v2test left after delete --force"
}

# The same limit seen from inside, through a cgroup namespace.
test_memory_limit_cgroupns() {
	cfg_edit '.linux.resources.memory.limit = 67108864
		| .linux.cgroupsPath = "/hutch-v2test"
		| .linux.namespaces += [{"type": "cgroup"}]'
	ctr_run sh -c 'cat /proc/self/cgroup && cat /sys/fs/cgroup/memory.max'
	[ "$T_RC" = 0 ] ||
		t_fail "reading /sys/fs/cgroup/memory.max in the container failed (exit $T_RC): ${T_ERR:-no stderr}; its /proc/self/cgroup: ${T_OUT:-?}"
	assert_eq "$T_OUT" "0::/
67108864" "/proc/self/cgroup and memory.max inside a cgroup namespace"
}

# Debian's kernel runs AppArmor (the host of the main suite has no LSM):
# process.apparmorProfile is applied at exec, so a profile that is not
# loaded fails the start naming the field, and "unconfined" works.
test_apparmor_profile_applied() {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
		t_fail "AppArmor is not enabled in the VM's kernel (Debian builds it in and enables it)"
	cfg_edit '.process.apparmorProfile = "hutch-test-no-such-profile"'
	ctr_run true
	[ "$T_RC" != 0 ] || t_fail "a profile that is not loaded was accepted"
	assert_contains "$T_ERR" "process.apparmorProfile 'hutch-test-no-such-profile'" "the error"
	cfg_edit '.process.apparmorProfile = "unconfined"'
	ctr_run_ok cat /proc/self/attr/current
	assert_contains "$T_OUT" unconfined "the process's label"
}
