# shellcheck shell=bash disable=SC2034,SC2016 # T_WRAP and the like are read by lib.sh; jq programs in single quotes
# cgroups: limits land in the right files (v1/hybrid and v2 names and
# values) and hold for real (fork bomb, OOM, CPU quota, cpuset, devices);
# update, pause/resume, events; and nothing of the container's cgroup is
# left in any hierarchy after delete (also delete -f with many processes,
# and after the init was SIGKILLed from outside).
# Sourced by lib.sh; see there for the helpers.

# --- helpers

# cg_v2: the host is pure cgroup v2.
cg_v2() {
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]
}

# cg_start: run the test bundle detached; sets T_CID, CG_PID
# (the init as the host sees it) and CG_DIRS (its cgroup directories);
# delete -f is deferred.
cg_start() {
	run_ctr -d
	[[ $T_RC == 0 ]] || t_fail "run -d failed ($T_RC): $T_ERR"
	t_defer "\"$RUNTIME\" --root \"$T_ROOT\" delete -f $T_CID"
	rt state "$T_CID"
	CG_PID=$(jq -r .pid <<<"$T_OUT")
	[[ $CG_PID =~ ^[0-9]+$ ]] || t_fail "no pid in state: $T_OUT"
	CG_DIRS=$(cg_dirs)
	[[ -n $CG_DIRS ]] || t_fail "container has no cgroup directories"
}

# cg_dirs: every cgroup directory of the init, one a line, from
# /proc/PID/cgroup and the mounts of the hierarchies.
cg_dirs() {
	awk '
		FILENAME == "/proc/self/mountinfo" {
			for (i = 7; $i != "-"; i++) ;
			if ($(i + 1) == "cgroup2") { if (!("" in mnt)) mnt[""] = $5 }
			else if ($(i + 1) == "cgroup") {
				n = split($(i + 3), o, ",")
				for (j = 1; j <= n; j++) if (!(o[j] in mnt)) mnt[o[j]] = $5
			}
			next
		}
		{
			split($0, f, ":"); path = substr($0, length(f[1]) + length(f[2]) + 3)
			split(f[2], c, ",")
			if (c[1] in mnt) print mnt[c[1]] (path == "/" ? "" : path)
		}' /proc/self/mountinfo "/proc/$CG_PID/cgroup"
}

# cg_dir CONTROLLER: the init's cgroup directory for CONTROLLER (v1), or
# its one directory (v2).
cg_dir() {
	local d
	if cg_v2; then
		d=$(sed -n 's/^0:://p' "/proc/$CG_PID/cgroup")
		echo "/sys/fs/cgroup$d"
		return
	fi
	d=$(awk -F: -v c="$1" '{
		n = split($2, a, ",")
		for (i = 1; i <= n; i++) if (a[i] == c) { print substr($0, length($1) + length($2) + 3); exit }
	}' "/proc/$CG_PID/cgroup")
	[[ -n $d ]] || t_fail "pid $CG_PID has no $1 cgroup"
	awk -v c="$1" -v p="$d" '{
		for (i = 7; $i != "-"; i++) ;
		if ($(i + 1) == "cgroup" && index("," $(i + 3) ",", "," c ",")) { print $5 p; exit }
	}' /proc/self/mountinfo
}

# cg_read CONTROLLER FILE: a file of the container's cgroup.
cg_read() {
	local d
	d=$(cg_dir "$1")
	[[ -r $d/$2 ]] || t_fail "no $d/$2"
	cat "$d/$2"
}

# cg_delete_clean [FLAGS...]: delete the container and check that none of
# its cgroup directories (CG_DIRS) is left, in any hierarchy.
cg_delete_clean() {
	local d
	rt delete "$@" "$T_CID"
	assert_rc 0 "delete $*: $T_ERR"
	for d in $CG_DIRS; do
		[[ ! -d $d ]] || t_fail "cgroup directory left after delete: $d"
	done
}

# cg_shared: a host directory at /shared in the container (the root is
# read-only); sets CG_SHARED.
cg_shared() {
	CG_SHARED=$T_DIR/shared
	bind_add "$CG_SHARED" /shared
}

# cg_state: the container's status.
cg_state() {
	rt state "$T_CID"
	jq -r .status <<<"$T_OUT"
}

# cg_usage: the CPU time the container used, in ns.
cg_usage() {
	if cg_v2; then
		awk '$1 == "usage_usec" { print $2 * 1000 }' "$(cg_dir cpu)/cpu.stat"
	else
		cat "$(cg_dir cpuacct)/cpuacct.usage"
	fi
}

# cg_changed FILE VALUE: FILE no longer holds VALUE (for wait_for).
cg_changed() {
	[[ $(<"$1") != "$2" ]]
}

# cg_count_at_least N PATTERN FILE: N lines of FILE match PATTERN.
cg_count_at_least() {
	(($(grep -c -- "$2" "$3") >= $1))
}

# cg_is STATUS: the container's status is STATUS (for wait_for).
cg_is() {
	[[ $(cg_state) == "$1" ]]
}

# --- limits in the files

test_limits_in_files() {
	cfg_edit '.linux.resources.memory = {limit: 67108864, reservation: 33554432}
		| .linux.resources.pids = {limit: 32}
		| .linux.resources.cpu = {shares: 512, quota: 20000, period: 100000, cpus: "0", mems: "0"}'
	ctr_args sleep 1000
	cg_start
	if cg_v2; then
		assert_eq "$(cg_read memory memory.max)" 67108864 "memory.max"
		assert_eq "$(cg_read memory memory.low)" 33554432 "memory.low"
		assert_eq "$(cg_read pids pids.max)" 32 "pids.max"
		assert_eq "$(cg_read cpu cpu.max)" "20000 100000" "cpu.max"
		# 1 + ((512 - 2) * 9999) / 262142
		assert_eq "$(cg_read cpu cpu.weight)" 20 "cpu.weight from shares"
		assert_eq "$(cg_read cpuset cpuset.cpus)" 0 "cpuset.cpus"
	else
		assert_eq "$(cg_read memory memory.limit_in_bytes)" 67108864 "memory.limit_in_bytes"
		assert_eq "$(cg_read memory memory.soft_limit_in_bytes)" 33554432 "memory.soft_limit_in_bytes"
		assert_eq "$(cg_read pids pids.max)" 32 "pids.max"
		assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 20000 "cpu.cfs_quota_us"
		assert_eq "$(cg_read cpu cpu.cfs_period_us)" 100000 "cpu.cfs_period_us"
		assert_eq "$(cg_read cpu cpu.shares)" 512 "cpu.shares"
		assert_eq "$(cg_read cpuset cpuset.cpus)" 0 "cpuset.cpus"
		assert_eq "$(cg_read cpuset cpuset.mems)" 0 "cpuset.mems"
	fi
	cg_delete_clean -f
}

# Every hierarchy (v1: each controller and name=systemd; hybrid: the
# unified one too) holds the container, at one path.
test_every_hierarchy() {
	local n want
	ctr_args sleep 1000
	cg_start
	n=$(cg_dirs | wc -l)
	want=$(wc -l <"/proc/$CG_PID/cgroup")
	assert_eq "$n" "$want" "one directory per hierarchy"
	n=$(awk -F: '{ print substr($0, length($1) + length($2) + 3) }' "/proc/$CG_PID/cgroup" | sort -u | wc -l)
	assert_eq "$n" 1 "the same path in every hierarchy"
	cg_delete_clean -f
}

# cg_self_check: T_OUT is the container's /proc/self/cgroup (no cgroup
# namespace): every hierarchy holds it, at <our cgroup>/hutch/<id>.
cg_self_check() {
	local line n=0
	while IFS= read -r line; do
		n=$((n + 1))
		assert_match "${line#*:*:}" "/hutch/$T_CID\$" "cgroup of the process: $line"
	done <<<"$T_OUT"
	assert_eq "$n" "$(wc -l </proc/self/cgroup)" "hierarchies listed"
}

# cg_traced [SYSCALL]: T_WRAP runs the runtime under strace -f into
# $T_DIR/strace, with SYSCALL (if given) failing
# with ENOSYS (helpers/enosys.c).
cg_traced() {
	local dir=$T_RUNDIR/cg-helpers
	command -v strace >/dev/null || t_skip "no strace"
	T_WRAP=(env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$T_DIR/strace"
		-e trace=clone,clone3,openat,write -e signal=none)
	[[ -z ${1:-} ]] && return
	if [[ ! -x $dir/enosys ]]; then
		mkdir -p "$dir"
		cc -O2 -o "$dir/enosys.$$" "$T_TESTDIR/helpers/enosys.c" -lseccomp 2>"$T_DIR/cc.err" ||
			t_fail "cannot build helpers/enosys.c: $(head -c 300 "$T_DIR/cc.err")"
		mv "$dir/enosys.$$" "$dir/enosys"
	fi
	T_WRAP=("$dir/enosys" "$1" "${T_WRAP[@]}")
}

# cg_clone3_into: $T_DIR/strace shows a clone3 with CLONE_INTO_CGROUP that
# returned a pid (strace may split the call across two lines).
cg_clone3_into() {
	awk '/clone3\(.*CLONE_INTO_CGROUP/ { into = 1; if (/= [1-9][0-9]*$/) ok = 1; next }
		into && /clone3 resumed>\) += [1-9][0-9]*$/ { ok = 1 }
		END { exit !ok }' "$T_DIR/strace"
}

# The init and an exec'd process are born in their cgroups: clone3 with
# CLONE_INTO_CGROUP into the cgroup2 directory (hybrid: the unified one),
# "0" written to each v1 `tasks` by the process itself.  No pid is written
# to a cgroup.procs: the first such write waits for an RCU grace period
# (6-16 ms here), the largest single cost of a start before this.
test_enters_cgroups_by_itself() {
	local ntasks
	ns_del cgroup
	cg_traced
	ctr_sh 'cat /proc/self/cgroup'
	T_WRAP=()
	assert_rc 0 run
	cg_self_check
	cg_clone3_into || t_fail "no clone3 into the cgroup: $(grep clone "$T_DIR/strace" | head -3)"
	grep -q 'cgroup.procs", O_WRONLY' "$T_DIR/strace" &&
		t_fail "a cgroup.procs was opened for writing: $(grep 'cgroup.procs' "$T_DIR/strace" | head -3)"
	ntasks=$(grep -c '/tasks", O_WRONLY' "$T_DIR/strace")
	assert_eq "$ntasks" "$(grep -vc '^0::' /proc/self/cgroup)" "v1 tasks files opened"
	# by the process, not the runtime (which writes "0" to cpuset.mems)
	assert_eq "$(awk '/clone3\(/ { p = $1 } p && $1 != p && /write\([0-9]+, "0", 1\) += 1$/ { n++ }
		END { print n + 0 }' "$T_DIR/strace")" "$ntasks" "\"0\" written to each by the process"

	ctr_args sleep 100
	cg_start
	cg_traced
	rt exec "$T_CID" cat /proc/self/cgroup
	T_WRAP=()
	assert_rc 0 exec
	cg_self_check
	cg_clone3_into || t_fail "exec: no clone3 into the cgroup"
	grep -q 'cgroup.procs", O_WRONLY' "$T_DIR/strace" && t_fail "exec: a cgroup.procs was opened for writing"
	return 0
}

# Where clone3 is missing (ENOSYS: Linux < 5.3, or a seccomp profile), the
# runtime writes the pid to cgroup.procs as before: run and exec still put
# the process in every hierarchy.
test_enters_cgroups_without_clone3() {
	ns_del cgroup
	cg_traced clone3
	ctr_sh 'cat /proc/self/cgroup'
	T_WRAP=()
	assert_rc 0 "run without clone3"
	cg_self_check
	grep -Eq 'clone3(\(.*| resumed>\)) += -1 ENOSYS' "$T_DIR/strace" ||
		t_fail "clone3 was not refused: no fallback tested"
	grep -q 'cgroup.procs", O_WRONLY' "$T_DIR/strace" || t_fail "no cgroup.procs written"

	ctr_args sleep 100
	cg_start
	cg_traced clone3
	rt exec "$T_CID" cat /proc/self/cgroup
	T_WRAP=()
	assert_rc 0 "exec without clone3"
	cg_self_check
}

# The parent hutch made for the path goes with the container.
test_cgroups_path_absolute() {
	local path=/$T_ID-abs/ctr d
	cfg_edit --arg p "$path" '.linux.cgroupsPath = $p'
	t_defer "t__rm_cgroups $T_ID-abs"
	ctr_args sleep 1000
	cg_start
	while IFS= read -r line; do
		assert_eq "${line#*:*:}" "$path" "cgroup of the init: $line"
	done <"/proc/$CG_PID/cgroup"
	cg_delete_clean -f
	for d in $CG_DIRS; do
		[[ ! -d ${d%/ctr} ]] || t_fail "parent made by the runtime left: ${d%/ctr}"
	done
}

test_cgroups_path_refused() {
	cfg_edit '.linux.cgroupsPath = "/a/../../etc"'
	run_ctr
	assert_rc 1 "a cgroupsPath with .."
	assert_contains "$T_ERR" "linux.cgroupsPath"
	cfg_edit '.linux.cgroupsPath = "system.slice:hutch:x"'
	run_ctr
	assert_rc 1 "a systemd cgroupsPath"
	assert_contains "$T_ERR" "systemd"
}

# A value the host cannot apply fails, naming the field; nothing is left.
test_unsupported_resource_named() {
	if grep -q ' - cgroup [^ ]* [^ ]*net_cls' /proc/self/mountinfo; then
		t_skip "net_cls is mounted here: classID can be applied"
	fi
	cfg_edit '.linux.resources.network = {classID: 1048577}'
	ctr_args true
	run_ctr
	assert_rc 1 "network.classID without net_cls"
	assert_contains "$T_ERR" "linux.resources.network.classID: the net_cls controller is not available"
}

test_unified() {
	cfg_edit '.linux.resources.unified = {"memory.high": "50000000"}'
	ctr_args sleep 1000
	if ! cg_v2; then
		run_ctr
		assert_rc 1 "unified on a v1 host"
		assert_contains "$T_ERR" "linux.resources.unified"
		return
	fi
	cg_start
	assert_eq "$(cg_read memory memory.high)" 49999872 "memory.high (page-rounded)"
	cg_delete_clean -f
}

# --- limits hold

# A fork bomb stops at pids.limit, inside the container only.  ash gives
# up (exits) at its first failed fork: the bomb is a shell of its own, and
# the init goes on once it is dead.
test_pids_limit_fork_bomb() {
	local max
	cg_shared
	cfg_edit '.linux.resources.pids = {limit: 20}'
	ctr_args sh -c 'sh -c "while :; do sleep 1000 & done" 2>/dev/null
		: >/shared/bombed; exec sleep 1000'
	cg_start
	wait_for 20 test -e "$CG_SHARED/bombed" || t_fail "the fork bomb did not stop"
	max=$(cg_read pids pids.current)
	((max >= 19 && max <= 20)) || t_fail "pids.current $max: expected the limit (20) less the bomb"
	[[ $(cg_read pids pids.events) =~ max\ ([1-9][0-9]*) ]] || t_fail "no fork refused (pids.events)"
	sh -c true || t_fail "the host cannot fork"
	# delete -f of a container with 19 processes
	cg_delete_clean -f
}

test_memory_limit_oom_kill() {
	cfg_edit '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
	# dd's block buffer is filled by read(): 64 MiB really allocated.
	ctr_sh 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo "rc=$?"'
	assert_rc 0 "the container's shell survives"
	assert_contains "$T_OUT" "rc=137" "dd OOM-killed (SIGKILL)"
}

test_cpu_quota_caps_busy_loop() {
	local u1 u2 used
	cfg_edit '.linux.resources.cpu = {quota: 20000, period: 100000}'
	ctr_args sh -c 'while :; do :; done'
	cg_start
	sleep 0.2
	u1=$(cg_usage)
	sleep 1
	u2=$(cg_usage)
	used=$(((u2 - u1) / 1000000))
	((used > 50 && used < 400)) || t_fail "a busy loop under a 20% quota used ${used} ms of CPU in 1 s"
	cg_delete_clean -f
}

test_cpuset_pins() {
	(($(nproc) >= 2)) || t_skip "one CPU: nothing to pin to"
	cfg_edit '.linux.resources.cpu = {cpus: "1"}'
	ctr_sh 'grep Cpus_allowed_list /proc/self/status'
	assert_rc 0 "container failed: $T_ERR"
	assert_match "$T_OUT" 'Cpus_allowed_list:[[:space:]]+1$' "pinned to CPU 1"
}

# Devices: a node the rules do not allow is unusable even to a process that
# may mknod it; the standard nodes stay usable.  (linux.devices entries are
# allowed, as in runc: the spec says they MUST be available.)
test_devices_rules() {
	cg_v2 && t_skip "v2 device rules are a BPF program: not implemented yet (security issue)"
	cfg_edit '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])
		| .linux.resources.devices = [{allow: false, access: "rwm"}]'
	ctr_sh 'mknod /dev/xdisk b 7 0; head -c1 /dev/xdisk; echo "disk=$?"; echo x >/dev/null && echo null=ok'
	assert_rc 0 "container failed: $T_ERR"
	assert_contains "$T_OUT" "disk=1" "the block device is denied"
	assert_contains "$T_ERR" "Operation not permitted" "denied by the device cgroup"
	assert_contains "$T_OUT" "null=ok" "/dev/null allowed"
}

# --- update

test_update_flags_and_file() {
	local res=$T_DIR/resources.json
	cfg_edit '.linux.resources.memory = {limit: 67108864}
		| .linux.resources.pids = {limit: 32}
		| .linux.resources.cpu = {quota: 20000, period: 100000}'
	ctr_args sleep 1000
	cg_start
	rt update --memory 128m --memory-swap=256m --pids-limit 42 --cpu-quota=30000 \
		--cpu-period 50000 --cpu-share 256 "$T_CID"
	assert_rc 0 "update with flags: $T_ERR"
	if cg_v2; then
		assert_eq "$(cg_read memory memory.max)" 134217728 "memory.max"
		if [[ -e $(cg_dir memory)/memory.swap.max ]]; then
			assert_eq "$(cg_read memory memory.swap.max)" 134217728 "memory.swap.max = swap - limit"
		fi
		assert_eq "$(cg_read pids pids.max)" 42 "pids.max"
		assert_eq "$(cg_read cpu cpu.max)" "30000 50000" "cpu.max"
		assert_eq "$(cg_read cpu cpu.weight)" 10 "cpu.weight"
	else
		assert_eq "$(cg_read memory memory.limit_in_bytes)" 134217728 "memory.limit_in_bytes"
		assert_eq "$(cg_read memory memory.memsw.limit_in_bytes)" 268435456 "memsw"
		assert_eq "$(cg_read pids pids.max)" 42 "pids.max"
		assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 30000 "cpu.cfs_quota_us"
		assert_eq "$(cg_read cpu cpu.cfs_period_us)" 50000 "cpu.cfs_period_us"
		assert_eq "$(cg_read cpu cpu.shares)" 256 "cpu.shares"
	fi
	echo '{"memory": {"limit": 16777216, "swap": 16777216}, "pids": {"limit": -1}}' >"$res"
	rt update --resources "$res" "$T_CID"
	assert_rc 0 "update --resources: $T_ERR"
	if cg_v2; then
		assert_eq "$(cg_read memory memory.max)" 16777216 "memory.max from the file"
	else
		assert_eq "$(cg_read memory memory.limit_in_bytes)" 16777216 "limit from the file"
	fi
	assert_eq "$(cg_read pids pids.max)" max "pids -1 is max"
	# ... and in behaviour: 64 MiB no longer fit.
	rt exec "$T_CID" dd if=/dev/zero of=/dev/null bs=64M count=1
	assert_rc 137 "dd past the updated limit is OOM-killed"
	rt update --memory lots "$T_CID"
	assert_rc 1 "a bad size"
	assert_contains "$T_ERR" "--memory"
	echo '{"memory": {"limit": "x"}}' >"$res"
	rt update -r "$res" "$T_CID"
	assert_rc 1 "a bad resources file"
	assert_contains "$T_ERR" "memory.limit"
	cg_delete_clean -f
}

test_update_stopped() {
	ctr_args true
	run_ctr -d
	wait_for 10 cg_is stopped || t_fail "container did not stop: $(cg_state)"
	rt update --memory 1g "$T_CID"
	assert_rc 1 "update of a stopped container"
	assert_contains "$T_ERR" "container not running"
	rt delete "$T_CID"
	assert_rc 0 "delete: $T_ERR"
}

# --- pause / resume

test_pause_resume() {
	local count a b
	cg_shared
	count=$CG_SHARED/count
	ctr_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/shared/count; done'
	cg_start
	wait_for 5 test -s "$count" || t_fail "the counter did not start"
	rt resume "$T_CID"
	assert_rc 1 "resume of a running container"
	assert_contains "$T_ERR" "container not paused"
	rt pause "$T_CID"
	assert_rc 0 "pause: $T_ERR"
	assert_eq "$(cg_state)" paused "status after pause"
	if cg_v2; then
		assert_eq "$(cg_read freezer cgroup.freeze)" 1 "cgroup.freeze"
	else
		assert_eq "$(cg_read freezer freezer.state)" FROZEN "freezer.state"
	fi
	a=$(<"$count")
	sleep 0.3
	b=$(<"$count")
	assert_eq "$b" "$a" "the counter stands still while paused"
	rt pause "$T_CID"
	assert_rc 1 "pause of a paused container"
	rt resume "$T_CID"
	assert_rc 0 "resume: $T_ERR"
	assert_eq "$(cg_state)" running "status after resume"
	wait_for 5 cg_changed "$count" "$a" || t_fail "the counter did not move after resume"
	cg_delete_clean -f
}

# delete -f of a paused container: its processes must be thawed to die
# (a v1 freezer holds even SIGKILL back).
test_delete_force_paused() {
	local freeze
	ctr_args sh -c 'sleep 1000 & sleep 1000'
	cg_start
	rt pause "$T_CID"
	assert_rc 0 "pause: $T_ERR"
	# Should delete hang, the cleanup must not leave frozen processes.
	if cg_v2; then
		freeze="echo 0 >$(cg_dir freezer)/cgroup.freeze"
	else
		freeze="echo THAWED >$(cg_dir freezer)/freezer.state"
	fi
	t_defer "$freeze"
	cg_delete_clean -f
}

# --- events

test_events_stats() {
	local lim
	cfg_edit '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 32}'
	ctr_args sleep 1000
	cg_start
	rt events --stats "$T_CID"
	assert_rc 0 "events --stats: $T_ERR"
	assert_eq "$(wc -l <<<"$T_OUT")" 1 "one line"
	jq -e --arg id "$T_CID" '.type == "stats" and .id == $id and (.data | has("cpu", "memory", "pids", "blkio", "hugetlb"))' \
		<<<"$T_OUT" >/dev/null || t_fail "not runc's stats event: $T_OUT"
	if cg_v2; then lim=$(cg_read memory memory.max); else lim=$(cg_read memory memory.limit_in_bytes); fi
	assert_eq "$(jq .data.memory.usage.limit <<<"$T_OUT")" "$lim" "memory limit as in the file"
	assert_eq "$(jq .data.pids.limit <<<"$T_OUT")" 32 "pids limit"
	assert_eq "$(jq .data.pids.current <<<"$T_OUT")" "$(cg_read pids pids.current)" "pids.current"
	jq -e '.data.cpu.usage.total > 0' <<<"$T_OUT" >/dev/null || t_fail "no CPU usage: $T_OUT"
	rt events --interval 0s "$T_CID"
	assert_rc 1 "a zero interval"
	cg_delete_clean -f
}

test_events_oom_and_interval() {
	local ev=$T_DIR/events evpid
	cfg_edit '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
	cg_shared
	ctr_args sh -c 'while [ ! -e /shared/go ]; do sleep 0.1; done
		dd if=/dev/zero of=/dev/null bs=64M count=1; exec sleep 1000'
	cg_start
	HUTCH_IT_TAG=$T_TAG "$RUNTIME" --root "$T_ROOT" events --interval 200ms "$T_CID" \
		>"$ev" 2>"$ev.err" </dev/null &
	evpid=$!
	t_defer "kill $evpid"
	wait_for 5 cg_count_at_least 2 '"type":"stats"' "$ev" || t_fail "no stats events: $(cat "$ev" "$ev.err")"
	: >"$CG_SHARED/go"
	wait_for 10 grep -q '"type":"oom"' "$ev" || t_fail "no oom event: $(cat "$ev.err")"
	cg_delete_clean -f
	# events ends by itself once the container is gone
	wait_for 5 t__exited "$evpid" || t_fail "events did not end with the container"
	wait "$evpid"
	assert_eq "$?" 0 "events exit status: $(cat "$ev.err")"
	jq -se --arg id "$T_CID" 'all(.[]; (.type == "stats" or .type == "oom") and .id == $id)
		and (map(select(.type == "oom")) | length) == 1' "$ev" >/dev/null ||
		t_fail "not one oom event among stats events, as JSON lines: $(cat "$ev")"
}

# --- teardown

# The init SIGKILLed from outside, its children (no pid namespace) still
# in the cgroup: delete kills them and removes every directory.
test_delete_after_init_killed() {
	local pids p
	ns_del pid
	ctr_args sh -c 'sleep 1000 & sleep 1000 & exec sleep 1000'
	cg_start
	wait_for 5 cg_count_at_least 3 . "$(cg_dir pids)/cgroup.procs" || t_fail "the children did not start"
	pids=$(cat "$(cg_dir pids)/cgroup.procs")
	kill -KILL "$CG_PID"
	wait_for 5 cg_is stopped || t_fail "not stopped after SIGKILL: $(cg_state)"
	cg_delete_clean
	for p in $pids; do
		[[ $p == "$CG_PID" ]] && continue
		wait_for 2 t__exited "$p" || t_fail "process $p of the container survived delete"
	done
}

test_delete_force_many_processes() {
	cg_shared
	ctr_args sh -c 'for i in $(seq 1 50); do sleep 1000 & done; : >/shared/ready; wait'
	cg_start
	wait_for 10 test -e "$CG_SHARED/ready" || t_fail "not started"
	assert_eq "$(cg_read pids pids.current)" 51 "51 processes"
	cg_delete_clean -f
}
