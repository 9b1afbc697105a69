# tests/v2vm/tests/cgroups.sh - the cgroup module on a pure cgroup v2 host
# (busybox sh; see ../lib.sh): every linux.resources field in its v2 file
# with the converted value, limits that hold (fork bomb, OOM kill), update,
# pause/resume, events, teardown (nothing left under /sys/fs/cgroup),
# controllers enabled only where needed, exec and cgroup namespaces.
#
# The v1/hybrid counterpart is tests/integration/test-cgroups.sh.  TCG is
# slow: one container per test, the file checks of a resource area share
# it.  Containers without linux.cgroupsPath live in /hutch/<id> (the tests
# run in the root cgroup).

CG=/sys/fs/cgroup

# ---------------------------------------------------------------- helpers

# cg_wait TENTHS CMD...: retry CMD every 0.1 s, at most TENTHS times.
cg_wait() {
	local n=$1
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# cg_start [ID]: `hutch run -d` the bundle (default id c1); sets T_CID,
# T_PID and CG_DIR, the container's cgroup directory as the host sees it.
cg_start() {
	T_CID=${1:-c1}
	ctr_detach "$T_CID"
	CG_REL=$(sed -n 's/^0:://p' "/proc/$T_PID/cgroup")
	[ -n "$CG_REL" ] || t_fail "no v2 line in /proc/$T_PID/cgroup: $(cat "/proc/$T_PID/cgroup")"
	CG_DIR=$CG$CG_REL
	[ -d "$CG_DIR" ] || t_fail "$CG_DIR (the init's cgroup) is not a directory"
}

# cg_file FILE: a file of the container's cgroup (fails when missing).
cg_file() {
	[ -r "$CG_DIR/$1" ] ||
		t_fail "no $CG_DIR/$1 (its cgroup.controllers: '$(cat "$CG_DIR/cgroup.controllers" 2>/dev/null)')"
	cat "$CG_DIR/$1"
}

# cg_check FILE WANT: assert the content of a file of the container's cgroup.
cg_check() {
	assert_eq "$(cg_file "$1")" "$2" "$CG_DIR/$1"
}

# cg_status [ID]: the container's status.
cg_status() {
	rt state "${1:-$T_CID}" | jq -r .status
}

cg_status_is() {
	[ "$(cg_status)" = "$1" ]
}

# cg_dead PID: gone, or a zombie.
cg_dead() {
	local line
	read -r line <"/proc/$1/stat" 2>/dev/null || return 0
	case ${line##*) } in Z*) return 0 ;; esac
	return 1
}

# cg_shm FILE: a file of the container's /dev/shm (a tmpfs of its own),
# seen from the host through its init.
cg_shm() {
	printf '%s' "/proc/$T_PID/root/dev/shm/$1"
}

# cg_gone: after delete, neither the container's cgroup nor the /hutch
# parent hutch made for it is left.
cg_gone() {
	[ ! -e "$CG_DIR" ] || t_fail "$CG_DIR left after delete (cgroup.procs: $(tr '\n' ' ' <"$CG_DIR/cgroup.procs" 2>/dev/null))"
	case $CG_REL in
	/hutch/*) [ ! -e "$CG/hutch" ] || t_fail "the parent $CG/hutch that hutch made is left after delete" ;;
	esac
}

# cg_delete [FLAG...]: hutch delete FLAG... $T_CID, which must succeed and
# leave nothing (cg_gone).
cg_delete() {
	local out
	out=$(rt delete "$@" "$T_CID" 2>&1) || t_fail "hutch delete $* $T_CID failed: $out"
	cg_gone
}

# ---------------------------------------------------------------- the files

test_memory_files() {
	# swap is memory + swap, as on v1: memory.swap.max = swap - limit.
	cfg_edit '.linux.resources.memory = {limit: 67108864, reservation: 33554432, swap: 100663296}
		| .process.args = ["sleep", "1000"]'
	cg_start
	cg_check memory.max 67108864
	cg_check memory.low 33554432
	if [ -e "$CG_DIR/memory.swap.max" ]; then
		cg_check memory.swap.max 33554432
	else
		t_log "no memory.swap.max (no swap accounting): swap not checked"
	fi
	cg_delete --force
}

test_cpu_files() {
	local n
	# shares -> weight: 1 + ((512 - 2) * 9999) / 262142 = 20 (runc, crun)
	cfg_edit '.linux.resources.cpu = {shares: 512, quota: 20000, period: 100000, burst: 10000,
			cpus: "1", mems: "0"}
		| .process.args = ["sleep", "1000"]'
	cg_start
	cg_check cpu.weight 20
	cg_check cpu.max "20000 100000"
	if [ -e "$CG_DIR/cpu.max.burst" ]; then
		cg_check cpu.max.burst 10000
	else
		t_log "no cpu.max.burst (kernel < 5.14): burst not checked"
	fi
	cg_check cpuset.cpus 1
	cg_check cpuset.mems 0
	n=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$T_PID/status")
	assert_eq "$n" 1 "Cpus_allowed_list of the container's init"
	cg_delete --force
}

test_cpu_idle() {
	cfg_edit '.linux.resources.cpu = {idle: 1} | .process.args = ["sleep", "1000"]'
	cg_start
	[ -e "$CG_DIR/cpu.idle" ] || t_skip "no cpu.idle (kernel < 5.15)"
	cg_check cpu.idle 1
	cg_delete --force
}

test_pids_file() {
	cfg_edit '.linux.resources.pids = {limit: 32} | .process.args = ["sleep", "1000"]'
	cg_start
	cg_check pids.max 32
	cg_delete --force
}

test_io_weight() {
	# blkio 500 -> io.weight: 1 + ((500 - 10) * 9999) / 990 = 4950
	cfg_edit '.linux.resources.blockIO = {weight: 500} | .process.args = ["sleep", "1000"]'
	cg_start
	if [ -e "$CG_DIR/io.bfq.weight" ]; then
		cg_check io.bfq.weight "default 500"
	else
		cg_check io.weight "default 4950"
	fi
	cg_delete --force
}

# A block device for io.max: the VM's first (run.sh has /init load brd, so
# /dev/ram0, 1:0).  Sets CG_BDEV (name) and CG_MAJMIN.
cg_block_device() {
	local d
	for d in /sys/block/*; do
		[ -r "$d/dev" ] || continue
		CG_BDEV=${d##*/}
		CG_MAJMIN=$(cat "$d/dev")
		return 0
	done
	return 1
}

test_io_max() {
	local maj min
	cg_block_device ||
		t_skip "no block device in the VM (/sys/block is empty: was brd loaded? see the '# modules:' line)"
	maj=${CG_MAJMIN%:*} min=${CG_MAJMIN#*:}
	cfg_edit --argjson maj "$maj" --argjson min "$min" '.linux.resources.blockIO = {
			throttleReadBpsDevice: [{major: $maj, minor: $min, rate: 1048576}],
			throttleWriteBpsDevice: [{major: $maj, minor: $min, rate: 2097152}],
			throttleReadIOPSDevice: [{major: $maj, minor: $min, rate: 100}],
			throttleWriteIOPSDevice: [{major: $maj, minor: $min, rate: 50}]}
		| .process.args = ["sleep", "1000"]'
	cg_start
	cg_check io.max "$CG_MAJMIN rbps=1048576 wbps=2097152 riops=100 wiops=50"
	cg_delete --force
}

# A throttle the kernel cannot apply (no such device) fails, naming the
# field, and leaves nothing behind.
test_io_max_unknown_device() {
	cfg_edit '.linux.resources.blockIO = {throttleReadBpsDevice: [{major: 254, minor: 4000, rate: 1048576}]}'
	ctr_run true
	[ "$T_RC" != 0 ] || t_fail "a throttle for a device that does not exist (254:4000) was accepted"
	assert_contains "$T_ERR" "linux.resources.blockIO.throttleReadBpsDevice" "the error names the field"
	[ ! -e "$CG/hutch" ] || t_fail "$CG/hutch left after the failed run"
}

test_hugetlb_file() {
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || t_skip "no 2 MB huge pages in this kernel"
	cfg_edit '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]
		| .process.args = ["sleep", "1000"]'
	cg_start
	cg_check hugetlb.2MB.max 4194304
	if [ -e "$CG_DIR/hugetlb.2MB.rsvd.max" ]; then
		cg_check hugetlb.2MB.rsvd.max 4194304
	fi
	cg_delete --force
}

test_unified_files() {
	cfg_edit '.linux.resources.unified = {"pids.max": "7", "memory.high": "50000000"}
		| .process.args = ["sleep", "1000"]'
	cg_start
	cg_check pids.max 7
	cg_check memory.high 49999872 # page-rounded
	cg_delete --force
}

# unified names a file of the container's own cgroup: the core files that
# act on other processes or on the tree are refused (issue 5: "names that
# could escape the cgroup").  {"cgroup.procs": "1"} would move the host's
# init into the container (delete then kills all it can and fails on the
# rest); a sleep of the test stands in for it here.
test_unified_cgroup_procs_refused() {
	local pid
	sleep 1000 &
	pid=$!
	cfg_edit --arg p "$pid" '.linux.resources.unified = {"cgroup.procs": $p}
		| .process.args = ["sleep", "1000"]'
	T_CID=c1
	rt run -d --bundle "$T_BUNDLE" c1 </dev/null >"$T_DIR/out" 2>&1
	T_RC=$?
	assert_eq "$(cat "/proc/$pid/cgroup")" "0::/" "cgroup of a host process named in unified[\"cgroup.procs\"]"
	kill "$pid"
	[ "$T_RC" != 0 ] || t_fail "unified[\"cgroup.procs\"] was accepted"
	assert_contains "$(cat "$T_DIR/out")" 'unified["cgroup.procs"]' "the error names the key"
}

# A unified value overrides the field it shadows (runc's order).
test_unified_overrides_field() {
	cfg_edit '.linux.resources.pids = {limit: 32}
		| .linux.resources.unified = {"pids.max": "7"}
		| .process.args = ["sleep", "1000"]'
	cg_start
	cg_check pids.max 7
	cg_delete --force
}

# linux.resources.devices on v2: a BPF_CGROUP_DEVICE program.  /dev/kmsg
# (1:11) of the VM, bound into the container, is outside the default set:
# denied by the rules; /dev/null (default set) and a node listed in
# linux.devices stay usable.  kmsg is opened for writing: a read needs
# CAP_SYSLOG (dmesg_restrict), a write only the device policy.
test_devices_policy() {
	cfg_edit '.linux.resources.devices = [{allow: false, access: "rwm"}]
		| .linux.devices = [{path: "/dev/xzero", type: "c", major: 1, minor: 5, fileMode: 438}]
		| .mounts += [{destination: "/kmsg", type: "bind", source: "/dev/kmsg", options: ["bind"]}]'
	ctr_run sh -c 'echo "<7>v2vm devices test" >/kmsg; echo "kmsg=$?"
		echo x >/dev/null && echo null=ok; head -c1 /dev/xzero | wc -c'
	assert_eq "$T_RC" 0 "exit status of the container: ${T_ERR:-no stderr}"
	assert_contains "$T_OUT" "kmsg=1" "/dev/kmsg (c 1:11) denied by the device rules"
	assert_contains "$T_ERR" "Operation not permitted" "denied by the device program (EPERM)"
	assert_contains "$T_OUT" "null=ok" "/dev/null allowed"
	assert_contains "$T_OUT" "
1" "/dev/xzero (1:5, in linux.devices) readable"
	# The same node allowed by a later rule: the denial was the rules'.
	cfg_edit '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "w"}]'
	ctr_run sh -c 'echo "<7>v2vm devices test" >/kmsg; echo "kmsg=$?"'
	assert_eq "$T_OUT" "kmsg=0" "/dev/kmsg allowed by a rule for c 1:11 w: ${T_ERR:-no stderr}"
}

# ---------------------------------------------------------------- controllers

# No limits: no controller is handed down to the container, and the root's
# subtree_control stays what init.sh made it.
test_no_limits_no_controllers() {
	local root
	root=$(cat $CG/cgroup.subtree_control)
	# hutch spec's resources: the device rules only (no controller).
	cfg_edit '.linux.resources |= {devices} | .process.args = ["sleep", "1000"]'
	cg_start
	assert_eq "$CG_REL" "/hutch/c1" "the default cgroup of a container (relative to hutch's own, /)"
	assert_eq "$(cat $CG/hutch/cgroup.subtree_control)" "" "$CG/hutch/cgroup.subtree_control of a container without limits"
	assert_eq "$(cat "$CG_DIR/cgroup.controllers")" "" "the controllers of a container without limits"
	assert_eq "$(cat $CG/cgroup.subtree_control)" "$root" "the root's cgroup.subtree_control"
	cg_delete --force
}

# A pids limit alone enables pids, and nothing else, in every parent.
test_only_needed_controllers() {
	local root
	root=$(cat $CG/cgroup.subtree_control)
	cfg_edit '.linux.resources = {pids: {limit: 16}}
		| .linux.cgroupsPath = "/hv2/a/c1"
		| .process.args = ["sleep", "1000"]'
	cg_start
	assert_eq "$CG_REL" /hv2/a/c1 "the cgroup of a container with an absolute cgroupsPath"
	assert_eq "$(cat $CG/hv2/cgroup.subtree_control)" pids "$CG/hv2/cgroup.subtree_control"
	assert_eq "$(cat $CG/hv2/a/cgroup.subtree_control)" pids "$CG/hv2/a/cgroup.subtree_control"
	assert_eq "$(cat "$CG_DIR/cgroup.controllers")" pids "the controllers of the container's cgroup"
	assert_eq "$(cat "$CG_DIR/cgroup.subtree_control")" "" "the container's own cgroup.subtree_control"
	assert_eq "$(cat $CG/cgroup.subtree_control)" "$root" "the root's cgroup.subtree_control"
	cg_delete --force
	[ ! -e $CG/hv2 ] || t_fail "the parents $CG/hv2/a that hutch made are left after delete"
}

# hutch in a cgroup that holds processes (its own, not the root): a
# relative cgroupsPath with limits cannot get controllers below it, and the
# error says what to do.
test_relative_path_under_busy_cgroup() {
	cfg_edit '.linux.resources = {pids: {limit: 16}} | .linux.cgroupsPath = "rel/c1"'
	mkdir $CG/hv2own && echo $$ >$CG/hv2own/cgroup.procs || t_fail "cannot move the test into $CG/hv2own"
	ctr_run true
	echo $$ >$CG/cgroup.procs && rmdir $CG/hv2own || t_fail "cannot leave and remove $CG/hv2own"
	[ "$T_RC" != 0 ] || t_fail "limits below a cgroup with processes were accepted"
	assert_contains "$T_ERR" "linux.resources.pids.limit: cannot enable the pids controller in hutch's own cgroup" "the error"
	assert_contains "$T_ERR" "absolute path" "the error's advice"
}

# ---------------------------------------------------------------- limits hold

# A fork bomb stops at pids.limit, inside the container only.  ash exits at
# its first failed fork: the bomb is a shell of its own, and the init goes
# on once it is dead.
test_pids_fork_bomb() {
	local cur
	cfg_edit '.linux.resources.pids = {limit: 20}'
	cfg_args sh -c 'sh -c "while :; do sleep 1000 & done" 2>/dev/null
		: >/dev/shm/bombed; exec sleep 1000'
	cg_start
	cg_wait 200 test -e "$(cg_shm bombed)" || t_fail "the fork bomb did not stop within 20 s (pids.current $(cg_file pids.current))"
	cur=$(cg_file pids.current)
	[ "$cur" -ge 19 ] && [ "$cur" -le 20 ] ||
		t_fail "pids.current is $cur: expected the limit (20), less the bomb's shell"
	case $(cg_file pids.events) in
	"max "[1-9]*) ;;
	*) t_fail "no fork refused in pids.events: $(cg_file pids.events)" ;;
	esac
	sh -c true || t_fail "the host cannot fork"
	cg_delete --force
}

# 64 MiB in dd's buffer under a 32 MiB limit (no swap): dd is OOM-killed,
# the container's shell goes on.
test_memory_oom_kill() {
	cfg_edit '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
	ctr_run sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo "rc=$?"'
	assert_eq "$T_RC" 0 "exit status of the container whose dd was OOM-killed: ${T_ERR:-no stderr}"
	assert_contains "$T_OUT" "rc=137" "dd past memory.max is SIGKILLed"
	[ ! -e "$CG/hutch" ] || t_fail "$CG/hutch left after the container ran"
}

# ---------------------------------------------------------------- update

test_update_flags() {
	local out
	cfg_edit '.linux.resources.memory = {limit: 67108864}
		| .linux.resources.pids = {limit: 32}
		| .linux.resources.cpu = {quota: 20000, period: 100000}
		| .process.args = ["sleep", "1000"]'
	cg_start
	out=$(rt update --memory 50M --pids-limit 10 "$T_CID" 2>&1) || t_fail "hutch update --memory 50M --pids-limit 10 failed: $out"
	cg_check memory.max 52428800
	cg_check pids.max 10
	cg_check cpu.max "20000 100000" # untouched
	# The period alone keeps the quota.
	out=$(rt update --cpu-period 50000 "$T_CID" 2>&1) || t_fail "hutch update --cpu-period 50000 failed: $out"
	cg_check cpu.max "20000 50000"
	# A burst above the current quota goes in after the new quota.
	if [ -e "$CG_DIR/cpu.max.burst" ]; then
		out=$(rt update --cpu-quota 50000 --cpu-burst 40000 "$T_CID" 2>&1) ||
			t_fail "hutch update --cpu-quota 50000 --cpu-burst 40000 (quota was 20000) failed: $out"
		cg_check cpu.max "50000 50000"
		cg_check cpu.max.burst 40000
	fi
	if [ -e "$CG_DIR/memory.swap.max" ]; then
		out=$(rt update --memory 50M --memory-swap 100M "$T_CID" 2>&1) ||
			t_fail "hutch update --memory 50M --memory-swap 100M failed: $out"
		cg_check memory.swap.max 52428800
	fi
	# ... and in behaviour: 64 MiB no longer fit.
	rt exec "$T_CID" dd if=/dev/zero of=/dev/null bs=64M count=1 </dev/null >/dev/null 2>&1
	assert_eq "$?" 137 "exit status of dd bs=64M exec'd after update --memory 50M"
	cg_delete --force
}

# A LinuxResources JSON (containerd, CRI-O); the controllers the container
# had none of are enabled on the way.
test_update_resources_file() {
	local out res=$T_DIR/resources.json
	cfg_edit '.linux.resources = {} | .process.args = ["sleep", "1000"]'
	cg_start
	echo '{"memory": {"limit": 41943040, "reservation": 20971520}, "pids": {"limit": 12},
		"cpu": {"shares": 1024, "quota": 50000, "period": 100000}}' >"$res"
	out=$(rt update --resources "$res" "$T_CID" 2>&1) || t_fail "hutch update --resources FILE failed: $out"
	cg_check memory.max 41943040
	cg_check memory.low 20971520
	cg_check pids.max 12
	cg_check cpu.weight 39 # 1 + ((1024 - 2) * 9999) / 262142
	cg_check cpu.max "50000 100000"
	echo '{"pids": {"limit": -1}}' >"$res"
	out=$(rt update -r "$res" "$T_CID" 2>&1) || t_fail "hutch update -r FILE with pids.limit -1 failed: $out"
	cg_check pids.max max
	cg_check memory.max 41943040 # not in the JSON: unchanged
	cg_delete --force
}

test_update_resources_stdin() {
	local out
	cfg_edit '.linux.resources = {pids: {limit: 32}} | .process.args = ["sleep", "1000"]'
	cg_start
	out=$(echo '{"memory": {"limit": 41943040}, "pids": {"limit": 12}}' |
		rt update --resources - "$T_CID" 2>&1) || t_fail "hutch update --resources - failed: $out"
	cg_check memory.max 41943040
	cg_check pids.max 12
	cg_delete --force
}

# The limits of a container that `hutch run` waits on in the foreground
# can be changed from elsewhere (runc allows it).  Each command is bounded:
# hutch must not keep the state locked while it waits.
test_update_pause_while_run_in_foreground() {
	local rpid out
	cfg_edit '.linux.resources = {pids: {limit: 32}} | .process.args = ["sleep", "1000"]'
	T_CID=c1
	rt run --bundle "$T_BUNDLE" c1 </dev/null >"$T_DIR/run.out" 2>&1 &
	rpid=$!
	cg_wait 100 eval '[ "$(rt state c1 2>/dev/null | jq -r .status)" = running ]' ||
		t_fail "the container did not start: $(cat "$T_DIR/run.out")"
	T_PID=$(rt state c1 | jq -r .pid)
	# Ends the foreground run (and so its lock) whatever happens here.
	trap 'kill -KILL "$T_PID" 2>/dev/null' EXIT
	CG_REL=$(sed -n 's/^0:://p' "/proc/$T_PID/cgroup") CG_DIR=$CG$CG_REL
	out=$(timeout 5 "$HUTCH" --root "$T_ROOT" update --pids-limit 20 c1 2>&1) ||
		t_fail "hutch update of a container run in the foreground did not succeed within 5 s (exit $?): $out"
	cg_check pids.max 20
	out=$(timeout 5 "$HUTCH" --root "$T_ROOT" pause c1 2>&1) ||
		t_fail "hutch pause of a container run in the foreground did not succeed within 5 s (exit $?): $out"
	out=$(timeout 5 "$HUTCH" --root "$T_ROOT" resume c1 2>&1) ||
		t_fail "hutch resume of a container run in the foreground did not succeed within 5 s (exit $?): $out"
	out=$(timeout 10 "$HUTCH" --root "$T_ROOT" delete --force c1 2>&1) ||
		t_fail "hutch delete --force of a container run in the foreground did not succeed within 10 s (exit $?): $out"
	cg_wait 50 cg_dead "$rpid" || t_fail "hutch run did not end after delete --force"
	cg_gone
}

# ---------------------------------------------------------------- pause

test_pause_resume() {
	local count a b
	cfg_args sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/dev/shm/count; done'
	cg_start
	count=$(cg_shm count)
	cg_wait 50 test -s "$count" || t_fail "the counter did not start"
	rt pause "$T_CID" || t_fail "hutch pause failed"
	assert_eq "$(cg_status)" paused "status after pause"
	cg_check cgroup.freeze 1
	assert_contains "$(cg_file cgroup.events)" "frozen 1" "cgroup.events after pause"
	a=$(cat "$count")
	sleep 0.5
	b=$(cat "$count")
	assert_eq "$b" "$a" "the counter while paused"
	rt resume "$T_CID" || t_fail "hutch resume failed"
	assert_eq "$(cg_status)" running "status after resume"
	cg_check cgroup.freeze 0
	cg_wait 50 eval '[ -s "$count" ] && [ "$(cat "$count")" != "$a" ]' ||
		t_fail "the counter did not move after resume (still $a)"
	cg_delete --force
}

# A created container can be paused (as runc allows): state says paused,
# and resume thaws it back to created.
test_pause_created() {
	local out
	cfg_edit '.linux.resources.pids = {limit: 32} | .process.args = ["sleep", "1000"]'
	# (output to a file: the created process keeps hutch's stdout open)
	rt create --bundle "$T_BUNDLE" c1 </dev/null >"$T_DIR/create.out" 2>&1 ||
		t_fail "hutch create failed: $(cat "$T_DIR/create.out")"
	T_CID=c1
	T_PID=$(rt state c1 | jq -r .pid)
	CG_REL=$(sed -n 's/^0:://p' "/proc/$T_PID/cgroup") CG_DIR=$CG$CG_REL
	out=$(rt pause c1 2>&1) || t_fail "hutch pause of a created container failed: $out"
	cg_check cgroup.freeze 1
	assert_eq "$(cg_status)" paused "status of a created container after pause"
	out=$(rt resume c1 2>&1) || t_fail "hutch resume of the paused created container failed: $out"
	cg_check cgroup.freeze 0
	assert_eq "$(cg_status)" created "status after resume"
	cg_delete --force
}

# delete --force of a paused container: its processes are thawed to die.
test_delete_force_paused() {
	cfg_args sh -c 'sleep 1000 & exec sleep 1000'
	cg_start
	rt pause "$T_CID" || t_fail "hutch pause failed"
	cg_delete --force
	cg_dead "$T_PID" || t_fail "the init $T_PID is alive after delete --force of the paused container"
}

# ---------------------------------------------------------------- events

test_events_stats() {
	local ev mem
	cfg_edit '.linux.resources.memory = {limit: 67108864}
		| .linux.resources.pids = {limit: 32}
		| .process.args = ["sh", "-c", "sleep 1000 & exec sleep 1000"]'
	cg_start
	cg_wait 30 eval '[ "$(cat "$CG_DIR/pids.current")" = 2 ]' || t_fail "pids.current is not 2: $(cg_file pids.current)"
	ev=$(rt events --stats "$T_CID") || t_fail "hutch events --stats failed"
	t_log "events --stats: $ev"
	assert_eq "$(printf '%s\n' "$ev" | wc -l)" 1 "lines of events --stats"
	printf '%s' "$ev" | jq -e --arg id "$T_CID" '.type == "stats" and .id == $id
		and (.data | has("cpu") and has("memory") and has("pids") and has("blkio") and has("hugetlb"))' \
		>/dev/null || t_fail "not runc's stats event: $ev"
	assert_eq "$(printf '%s' "$ev" | jq .data.memory.usage.limit)" "$(cg_file memory.max)" "memory.usage.limit vs memory.max"
	assert_eq "$(printf '%s' "$ev" | jq .data.pids.limit)" "$(cg_file pids.max)" "pids.limit vs pids.max"
	assert_eq "$(printf '%s' "$ev" | jq .data.pids.current)" "$(cg_file pids.current)" "pids.current"
	# memory.current of two sleeping processes moves little.
	mem=$(cg_file memory.current)
	printf '%s' "$ev" | jq -e --argjson m "$mem" '.data.memory.usage.usage > 0
		and (.data.memory.usage.usage - $m | fabs) < 1048576' >/dev/null ||
		t_fail "memory.usage.usage $(printf '%s' "$ev" | jq .data.memory.usage.usage) is not near memory.current $mem"
	printf '%s' "$ev" | jq -e '.data.cpu.usage.total > 0' >/dev/null || t_fail "no CPU usage in $ev"
	cg_delete --force
}

# events reports an OOM kill as it happens, and ends with the container.
test_events_oom() {
	local ev=$T_DIR/events evpid i
	cfg_edit '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
	cfg_args sh -c 'while [ ! -e /dev/shm/go ]; do sleep 0.1; done
		dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo $? >/dev/shm/rc; exec sleep 1000'
	cg_start
	rt events --interval 1s "$T_CID" >"$ev" 2>"$ev.err" </dev/null &
	evpid=$!
	cg_wait 50 grep -q '"type":"stats"' "$ev" || t_fail "no stats event from events --interval 1s: $(cat "$ev.err")"
	: >"$(cg_shm go)"
	cg_wait 100 test -s "$(cg_shm rc)" || t_fail "dd did not end"
	assert_eq "$(cat "$(cg_shm rc)")" 137 "exit status of dd past memory.max"
	case $(cg_file memory.events) in
	*"oom_kill "[1-9]*) ;;
	*) t_fail "no oom_kill in memory.events: $(cg_file memory.events)" ;;
	esac
	cg_wait 50 grep -q '"type":"oom"' "$ev" || t_fail "no oom event: $(cat "$ev" "$ev.err")"
	cg_delete --force
	i=0
	while ! cg_dead "$evpid"; do
		i=$((i + 1))
		[ $i -lt 50 ] || t_fail "events did not end with the container"
		sleep 0.1
	done
	wait "$evpid"
	assert_eq "$?" 0 "exit status of events: $(cat "$ev.err")"
	jq -se --arg id "$T_CID" 'all(.[]; (.type == "stats" or .type == "oom") and .id == $id)
		and (map(select(.type == "oom")) | length) == 1' "$ev" >/dev/null ||
		t_fail "not one oom event among stats events: $(cat "$ev")"
}

# ---------------------------------------------------------------- teardown

test_delete_stopped() {
	cfg_edit '.linux.resources.pids = {limit: 32}'
	cfg_args sh -c 'while [ ! -e /dev/shm/go ]; do sleep 0.1; done'
	cg_start
	: >"$(cg_shm go)"
	cg_wait 50 cg_status_is stopped || t_fail "the container did not stop: $(cg_status)"
	[ -d "$CG_DIR" ] || t_fail "$CG_DIR is gone before delete (state.json still names it)"
	cg_delete
}

test_delete_force_many_processes() {
	local n
	cfg_edit '.linux.resources.pids = {limit: 100}'
	cfg_args sh -c 'for i in $(seq 1 50); do sleep 1000 & done; : >/dev/shm/ready; wait'
	cg_start
	cg_wait 200 test -e "$(cg_shm ready)" || t_fail "the 50 processes did not start"
	cg_check pids.current 51
	n=$(rt ps --format json "$T_CID" | jq length) || t_fail "hutch ps --format json failed"
	assert_eq "$n" 51 "processes listed by hutch ps --format json"
	cg_delete --force
}

# A cgroup made inside the container's (as systemd or a nested runtime in
# the container would) goes with it.
test_delete_nested_cgroup() {
	local pid
	cfg_edit '.linux.resources.pids = {limit: 32}'
	cfg_args sh -c 'sleep 1000 & exec sleep 1000'
	cg_start
	cg_wait 30 eval '[ "$(wc -l <"$CG_DIR/cgroup.procs")" = 2 ]' || t_fail "the child did not start"
	pid=$(grep -vx "$T_PID" "$CG_DIR/cgroup.procs")
	mkdir "$CG_DIR/sub" && echo "$pid" >"$CG_DIR/sub/cgroup.procs" ||
		t_fail "cannot move $pid into $CG_DIR/sub"
	cg_delete --force
	cg_dead "$pid" || t_fail "process $pid in the nested cgroup survived delete --force"
}

# The init SIGKILLed from outside, its children (no pid namespace) still
# in the cgroup: delete kills them and removes every directory.
test_delete_after_init_killed() {
	local pids p
	cfg_edit '.linux.namespaces |= map(select(.type != "pid"))'
	cfg_args sh -c 'sleep 1000 & sleep 1000 & exec sleep 1000'
	cg_start
	cg_wait 50 eval '[ "$(wc -l <"$CG_DIR/cgroup.procs")" -ge 3 ]' || t_fail "the children did not start"
	pids=$(cat "$CG_DIR/cgroup.procs")
	kill -KILL "$T_PID"
	cg_wait 50 cg_status_is stopped || t_fail "not stopped after SIGKILL of its init: $(cg_status)"
	cg_delete
	for p in $pids; do
		cg_wait 20 cg_dead "$p" || t_fail "process $p of the container survived delete"
	done
}

# ---------------------------------------------------------------- exec, cgroupns

test_exec_in_cgroup() {
	local out pid
	cfg_edit '.linux.resources.pids = {limit: 32} | .process.args = ["sleep", "1000"]'
	cg_start
	out=$(rt exec "$T_CID" cat /proc/self/cgroup </dev/null 2>&1) || t_fail "hutch exec failed: $out"
	assert_eq "$out" "0::$CG_REL" "/proc/self/cgroup of an exec'd process"
	rt exec -d --pid-file "$T_DIR/exec.pid" "$T_CID" sleep 1000 </dev/null >/dev/null 2>&1 ||
		t_fail "hutch exec -d failed"
	pid=$(cat "$T_DIR/exec.pid")
	assert_eq "$(cat "/proc/$pid/cgroup")" "0::$CG_REL" "/proc/$pid/cgroup of a detached exec'd process"
	grep -qx "$pid" "$CG_DIR/cgroup.procs" || t_fail "$pid not in $CG_DIR/cgroup.procs"
	cg_check pids.current 2
	cg_delete --force
}

# A container at pids.max can still be exec'd into (to look, or to clean
# up): a process born into the cgroup (clone3 CLONE_INTO_CGROUP) is charged
# against the limit and refused (EAGAIN), one moved in is not; hutch falls
# back to moving it, as runc's exec does.
test_exec_at_pids_max() {
	local out
	cfg_edit '.linux.resources.pids = {limit: 1} | .process.args = ["sleep", "1000"]'
	cg_start
	cg_check pids.current 1
	out=$(rt exec "$T_CID" cat /proc/self/cgroup </dev/null 2>&1) ||
		t_fail "hutch exec into a container at pids.max failed: $out"
	assert_eq "$out" "0::$CG_REL" "/proc/self/cgroup of the exec'd process"
	cg_delete --force
}

test_cgroupns_root() {
	local out
	cfg_edit '.linux.namespaces += [{"type": "cgroup"}]'
	cfg_args sh -c 'cat /proc/self/cgroup >/dev/shm/cg; exec sleep 1000'
	cg_start
	cg_wait 50 test -s "$(cg_shm cg)" || t_fail "the init did not write its /proc/self/cgroup"
	assert_eq "$(cat "$(cg_shm cg)")" "0::/" "/proc/self/cgroup of the init in a cgroup namespace"
	assert_eq "$CG_REL" /hutch/c1 "the init's cgroup seen from the host"
	out=$(rt exec "$T_CID" cat /proc/self/cgroup </dev/null 2>&1) || t_fail "hutch exec failed: $out"
	assert_eq "$out" "0::/" "/proc/self/cgroup of a process exec'd into the cgroup namespace"
	cg_delete --force
}
