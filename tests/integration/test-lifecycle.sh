# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# The OCI lifecycle as engines and conformance suites drive it: create ->
# start -> stopped -> delete with `state` at each step, the errors of each
# wrong step (start twice, kill or delete in the wrong state, unknown ids,
# no id, an id in use), concurrency on the state directory, recycled pids,
# signals, run --detach, list, the JSON log and the global flags.
# Sourced by lib.sh; see there for the helpers.

# lc_id [SUFFIX]: a fresh container id of this test (sets T_CID).
lc_id() {
	T_N=$((T_N + 1))
	T_CID=$T_ID-${1:-$T_N}
}

# lc_create [CREATE-FLAGS...]: create (not start) the test bundle as a fresh
# id; must succeed; force-deleted when the test ends.
lc_create() {
	lc_id
	rt create --bundle "$T_BUNDLE" "$@" "$T_CID"
	assert_rc 0 "create $T_CID"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
}

# lc_state ID [JQ-FILTER]: `state ID` must succeed and print JSON; prints
# the filter's value (default: the whole state, compact).
lc_state() {
	rt state "$1"
	assert_rc 0 "state $1"
	jq -erc "${2:-.}" <<<"$T_OUT" 2>/dev/null ||
		t_fail "state $1: not JSON, or ${2:-.} is false or null: $T_OUT"
}

lc_status() { lc_state "$1" .status; }

# lc_is ID STATUS: for wait_for.
lc_is() {
	rt state "$1"
	[[ $T_RC == 0 ]] && [[ $(jq -r .status <<<"$T_OUT" 2>/dev/null) == "$2" ]]
}

# lc_wait_status ID STATUS
lc_wait_status() {
	wait_for 10 lc_is "$1" "$2" || t_fail "$1 never became $2; last state: $T_OUT $T_ERR"
}

# lc_shared: bind-mount $T_DIR/shared at /shared (for files the process
# writes where the test can see them).
lc_shared() {
	bind_add "$T_DIR/shared" /shared
}

# lc_fails MSG-ERE ARGS...: the runtime command fails (exit 1..127) with an
# error naming MSG-ERE on stderr.
lc_fails() {
	local re=$1
	shift
	rt "$@"
	[[ $T_RC != 0 ]] || t_fail "'$*' succeeded; stdout: $T_OUT"
	((T_RC < 128)) || t_fail "'$*' crashed or was killed: exit $T_RC; stderr: $T_ERR"
	[[ -n $T_ERR ]] || t_fail "'$*' failed (exit $T_RC) without an error message"
	[[ -z $re ]] || assert_match "$T_ERR" "$re" "'$*': error message"
}

# lc_ours: the pids of our live processes (zombies excluded), sorted.
lc_ours() {
	(t__procs | cut -d' ' -f1 | sort -n)
}

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

# --- the state machine

test_state_created_running_stopped() {
	local pid created st bundle
	lc_shared
	ctr_args sh -c 'touch /shared/started; while [ ! -e /shared/go ]; do sleep 0.05; done'
	lc_create --pid-file "$T_DIR/pid"
	bundle=$(readlink -f "$T_BUNDLE")

	# created: the init exists, waiting; it has not run the process yet.
	st=$(lc_state "$T_CID")
	jq -e --arg id "$T_CID" --arg b "$bundle" --arg r "$bundle/rootfs" '
		.status == "created" and .id == $id and .bundle == $b and .rootfs == $r
		and (.pid | type) == "number" and .pid > 1
		and (.ociVersion | test("^1\\.[0-9]+\\.[0-9]+"))
		and (.created | type) == "string"' <<<"$st" >/dev/null ||
		t_fail "state of a created container: $st"
	pid=$(jq -r .pid <<<"$st")
	created=$(jq -r .created <<<"$st")
	assert_match "$created" "$RFC3339" "created is RFC 3339"
	# The date is today's (UTC), give or take the midnight turn.
	assert_match "${created:0:10}" "^($(date -u +%F)|$(date -u -d '1 min ago' +%F))$" "created date"
	[[ -d /proc/$pid ]] || t_fail "state's pid $pid does not exist"
	! t__exited "$pid" || t_fail "state's pid $pid is a zombie"
	assert_ne "$(readlink "/proc/$pid/ns/mnt")" "$(readlink /proc/self/ns/mnt)" \
		"state's pid $pid is in the container's mount namespace"
	[[ ! -e $T_DIR/shared/started ]] || t_fail "the process ran before start"

	# --pid-file: the bare pid (containerd parses it with Atoi: no newline).
	[[ -f $T_DIR/pid ]] || t_fail "--pid-file not written by create"
	assert_eq "$(cat "$T_DIR/pid"; echo x)" "${pid}x" "--pid-file content (bare pid, no newline)"

	# running: same pid, the process is the container's args.
	rt start "$T_CID"
	assert_rc 0 "start"
	assert_eq "$T_OUT" "" "start prints nothing"
	wait_for 10 test -e "$T_DIR/shared/started" || t_fail "process did not run after start"
	st=$(lc_state "$T_CID")
	jq -e --argjson pid "$pid" --arg c "$created" \
		'.status == "running" and .pid == $pid and .created == $c' <<<"$st" >/dev/null ||
		t_fail "state of a running container: $st"

	# stopped: the process exits on its own; pid 0, the rest unchanged.
	touch "$T_DIR/shared/go"
	lc_wait_status "$T_CID" stopped
	st=$(lc_state "$T_CID")
	jq -e --arg id "$T_CID" --arg b "$bundle" --arg c "$created" '
		.status == "stopped" and .pid == 0 and .id == $id and .bundle == $b
		and .created == $c' <<<"$st" >/dev/null ||
		t_fail "state of a stopped container: $st"

	rt delete "$T_CID"
	assert_rc 0 "delete of a stopped container"
	lc_fails 'container does not exist' state "$T_CID"
	[[ -z $(ls -A "$T_ROOT") ]] || t_fail "--root not empty after delete: $(ls -A "$T_ROOT")"
}

# `state` keeps saying stopped after the process exits, until delete, and
# nothing of the runtime stays behind to watch the process: after create
# the only process left is the container's init.
test_stopped_until_delete_no_monitor() {
	local pid i
	ctr_args sh -c 'exit 3'
	lc_create
	pid=$(lc_state "$T_CID" .pid)
	assert_eq "$(lc_ours | tr '\n' ' ')" "$pid " "after create, only the container's init runs"
	rt start "$T_CID"
	assert_rc 0 "start"
	lc_wait_status "$T_CID" stopped
	assert_eq "$(lc_ours)" "" "processes left after the container stopped"
	for i in 1 2 3; do
		lc_state "$T_CID" '.status == "stopped" and .pid == 0' >/dev/null ||
			t_fail "state #$i after the exit: $T_OUT"
		rt list --format json
		jq -e --arg id "$T_CID" '.[] | select(.id == $id) | .status == "stopped"' \
			<<<"$T_OUT" >/dev/null || t_fail "list after the exit: $T_OUT"
		sleep 0.1
	done
	rt delete "$T_CID"
	assert_rc 0 "delete"
	lc_fails 'container does not exist' state "$T_CID"
}

# prctl's syscall number, as lib.sh found it (for a subreaper of our own).
lc_prctl_nr() {
	t__subreaper_cmd || t_skip "cannot make a child subreaper with perl"
	[[ ${T_SUBREAPER[2]} =~ syscall\(([0-9]+), ]] || t_fail "no prctl number in: ${T_SUBREAPER[*]}"
	echo "${BASH_REMATCH[1]}"
}

# A container whose init exited but was not reaped (its subreaper does not
# wait) is a zombie: stopped, pid 0; delete works.
test_zombie_is_stopped() {
	local nr reaper pid
	nr=$(lc_prctl_nr)
	ctr_args true
	lc_id
	# A subreaper that runs `create`, reaps only it, then sleeps without
	# reaping anything else: the init is re-parented to it.
	HUTCH_IT_TAG=$T_TAG perl -e '
		syscall('"$nr"', 36, 1, 0, 0, 0) == 0 or die "prctl: $!";
		my $p = fork // die; if (!$p) { exec @ARGV or die "exec: $!" }
		waitpid($p, 0); open(my $f, ">", "'"$T_DIR"'/create.rc.tmp") or die;
		print $f ($? >> 8), "\n"; close $f; rename("'"$T_DIR"'/create.rc.tmp", "'"$T_DIR"'/create.rc");
		sleep 60' "$RUNTIME" --root "$T_ROOT" create --bundle "$T_BUNDLE" "$T_CID" \
		</dev/null >"$T_DIR/create.out" 2>&1 &
	reaper=$!
	t_defer "kill -KILL $reaper"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	wait_for 15 test -e "$T_DIR/create.rc" || t_fail "create did not finish"
	assert_eq "$(<"$T_DIR/create.rc")" 0 "create under a subreaper: $(<"$T_DIR/create.out")"
	pid=$(lc_state "$T_CID" .pid)
	rt start "$T_CID"
	assert_rc 0 "start"
	wait_for 10 eval "[[ \$(awk '{ print \$3 }' /proc/$pid/stat 2>/dev/null) == Z ]]" ||
		t_fail "the init ($pid) did not become a zombie: $(cat "/proc/$pid/stat" 2>&1)"
	lc_state "$T_CID" '.status == "stopped" and .pid == 0' >/dev/null ||
		t_fail "a zombie init is not reported stopped: $T_OUT"
	lc_fails 'not running' kill "$T_CID" KILL
	rt delete "$T_CID"
	assert_rc 0 "delete of a container whose init is a zombie"
	kill -KILL "$reaper"
	wait "$reaper" 2>/dev/null
}

# --- start

# Start twice: the second fails, and the process runs once.
test_start_twice_runs_once() {
	lc_shared
	ctr_args sh -c 'echo ran >>/shared/count; touch /shared/ready; sleep 30'
	lc_create
	rt start "$T_CID"
	assert_rc 0 "first start"
	wait_for 10 test -e "$T_DIR/shared/ready" || t_fail "process did not run"
	lc_fails 'running|not in created|cannot start' start "$T_CID"
	lc_fails '' start "$T_CID"
	sleep 0.2
	assert_eq "$(wc -l <"$T_DIR/shared/count")" 1 "the process ran once"
	assert_eq "$(lc_status "$T_CID")" running "state after a failed second start"
	# Stopped: start still fails, still once.
	rt kill "$T_CID" KILL
	assert_rc 0 "kill"
	lc_wait_status "$T_CID" stopped
	lc_fails 'stopped|cannot start' start "$T_CID"
	assert_eq "$(lc_status "$T_CID")" stopped "state after start of a stopped container"
	assert_eq "$(wc -l <"$T_DIR/shared/count")" 1 "the process ran once"
}

# Five starts at once: exactly one succeeds, the process runs once.
test_start_concurrent_runs_once() {
	local i ok=0 pids=()
	lc_shared
	ctr_args sh -c 'echo ran >>/shared/count; sleep 30'
	lc_create
	for i in 1 2 3 4 5; do
		HUTCH_IT_TAG=$T_TAG timeout -k 5 20 "$RUNTIME" --root "$T_ROOT" start "$T_CID" \
			</dev/null >"$T_DIR/start.$i.out" 2>"$T_DIR/start.$i.err" &
		pids+=($!)
	done
	for i in 1 2 3 4 5; do
		if wait "${pids[i - 1]}"; then
			ok=$((ok + 1))
		else
			[[ -s $T_DIR/start.$i.err ]] || t_fail "a start failed without a message"
		fi
	done
	assert_eq "$ok" 1 "starts that succeeded"
	wait_for 10 test -s "$T_DIR/shared/count" || t_fail "process did not run"
	sleep 0.2
	assert_eq "$(wc -l <"$T_DIR/shared/count")" 1 "the process ran once"
	assert_eq "$(lc_status "$T_CID")" running
}

# --- kill

test_kill_stopped_fails() {
	local before
	ctr_args true
	lc_create
	rt start "$T_CID"
	assert_rc 0 "start"
	lc_wait_status "$T_CID" stopped
	before=$(lc_state "$T_CID")
	lc_fails 'container not running|not running' kill "$T_CID"
	lc_fails 'not running' kill "$T_CID" KILL
	lc_fails 'not running' kill "$T_CID" 9
	assert_eq "$(lc_state "$T_CID")" "$before" "kill changed a stopped container's state"
	rt delete "$T_CID"
	assert_rc 0 "delete after the failed kills"
}

# kill works on a created container (the init has not run the process).
test_kill_created() {
	local pid
	lc_shared
	ctr_args sh -c 'touch /shared/ran'
	lc_create
	pid=$(lc_state "$T_CID" .pid)
	rt kill "$T_CID" KILL
	assert_rc 0 "kill of a created container"
	lc_wait_status "$T_CID" stopped
	wait_for 5 t__exited "$pid" || t_fail "init $pid still alive"
	[[ ! -e $T_DIR/shared/ran ]] || t_fail "the process ran"
	lc_fails '' start "$T_CID"
	[[ ! -e $T_DIR/shared/ran ]] || t_fail "the process ran after start of a killed container"
}

# `kill ID` (SIGTERM, the default) stops a created container: its init has
# not run the process yet, nothing of the container handles the signal
# (runc's waiting init dies of it too; engines stop with SIGTERM first).
test_kill_created_default_signal() {
	local pid
	ctr_args sleep 30
	lc_create
	pid=$(lc_state "$T_CID" .pid)
	rt kill "$T_CID"
	assert_rc 0 "kill (SIGTERM) of a created container"
	wait_for 5 lc_is "$T_CID" stopped ||
		t_fail "a created container ignored SIGTERM: status $(lc_status "$T_CID"), init $pid alive"
}

# kill ID 9 (containerd's shim), KILL and SIGKILL.
test_kill_sigkill_forms() {
	local sig
	ctr_args sleep 30
	for sig in 9 KILL SIGKILL; do
		lc_create
		rt start "$T_CID"
		assert_rc 0 "start"
		rt kill "$T_CID" "$sig"
		assert_rc 0 "kill $sig"
		lc_wait_status "$T_CID" stopped
		rt delete "$T_CID"
		assert_rc 0 "delete after kill $sig"
	done
}

# The default signal is SIGTERM; names with and without SIG, numbers.
test_kill_signal_names_and_numbers() {
	local want=() spec sig got=0
	lc_shared
	ctr_args sh -c 'for s in TERM USR1 USR2 HUP INT; do trap "echo $s >>/shared/sigs" $s; done
		touch /shared/ready; while :; do sleep 0.05; done'
	lc_create
	rt start "$T_CID"
	assert_rc 0 "start"
	wait_for 10 test -e "$T_DIR/shared/ready" || t_fail "process did not start"
	for spec in "" USR1 SIGUSR2 1 SIGINT 15 TERM; do
		case $spec in
		"" | 15 | TERM) sig=TERM ;;
		1) sig=HUP ;;
		*) sig=${spec#SIG} ;;
		esac
		want+=("$sig")
		got=$((got + 1))
		# shellcheck disable=SC2086 # "" means no signal argument
		rt kill "$T_CID" $spec
		assert_rc 0 "kill ID $spec"
		wait_for 5 eval '(($(cat "$T_DIR/shared/sigs" 2>/dev/null | wc -l) >= got))' ||
			t_fail "signal '${spec:-default}' not received; got: $(cat "$T_DIR/shared/sigs" 2>&1)"
	done
	assert_eq "$(cat "$T_DIR/shared/sigs")" "$(printf '%s\n' "${want[@]}")" "signals received"
	lc_fails 'signal' kill "$T_CID" NOSUCHSIG
	lc_fails 'signal' kill "$T_CID" 99999
	assert_eq "$(lc_status "$T_CID")" running "after kills with bad signals"
	rt kill "$T_CID" KILL
	assert_rc 0
	lc_wait_status "$T_CID" stopped
}

# kill --all reaches every process of the container: without a pid
# namespace killing the init alone would leave its children and an exec'd
# process running.
test_kill_all() {
	local pid
	lc_shared
	ns_del pid
	ctr_args sh -c 'trap "" TERM; sleep 31 & sleep 32 & touch /shared/ready; wait'
	lc_create
	rt start "$T_CID"
	assert_rc 0 "start"
	wait_for 10 test -e "$T_DIR/shared/ready" || t_fail "process did not start"
	pid=$(lc_state "$T_CID" .pid)
	rt exec --detach "$T_CID" sleep 33
	assert_rc 0 "exec --detach"
	wait_for 5 eval '(($(lc_ours | wc -l) == 4))' ||
		t_fail "expected 4 processes: $(t__procs | tr '\n' ';')"
	rt kill --all "$T_CID" KILL
	assert_rc 0 "kill --all ID KILL"
	wait_for 10 eval '[[ -z $(lc_ours) ]]' ||
		t_fail "processes survived kill --all: $(t__procs | tr '\n' ';')"
	lc_wait_status "$T_CID" stopped
	rt delete "$T_CID"
	assert_rc 0 "delete"
}

# --- delete

test_delete_running_without_force_fails() {
	local before pid
	ctr_args sleep 30
	lc_create
	# created
	before=$(lc_state "$T_CID")
	pid=$(jq -r .pid <<<"$before")
	lc_fails 'not stopped|running|created' delete "$T_CID"
	assert_eq "$(lc_state "$T_CID")" "$before" "delete without --force changed a created container"
	# running
	rt start "$T_CID"
	assert_rc 0 "start"
	before=$(lc_state "$T_CID")
	lc_fails 'not stopped|running' delete "$T_CID"
	assert_eq "$(lc_state "$T_CID")" "$before" "delete without --force changed a running container"
	[[ -d /proc/$pid ]] && ! t__exited "$pid" || t_fail "the process died"
	# --force: killed and gone.
	rt delete --force "$T_CID"
	assert_rc 0 "delete --force of a running container"
	wait_for 5 t__exited "$pid" || t_fail "process $pid survived delete --force"
	lc_fails 'container does not exist' state "$T_CID"
	[[ -z $(ls -A "$T_ROOT") ]] || t_fail "--root not empty: $(ls -A "$T_ROOT")"
}

test_delete_force_created_and_short_flag() {
	local pid
	ctr_args sleep 30
	lc_create
	pid=$(lc_state "$T_CID" .pid)
	rt delete -f "$T_CID"
	assert_rc 0 "delete -f of a created container"
	wait_for 5 t__exited "$pid" || t_fail "init $pid survived delete -f"
	lc_fails 'container does not exist' state "$T_CID"
	lc_fails 'container does not exist' delete -f "$T_CID"
}

# delete removes the cgroup the runtime created, and no other: not the
# parent it found, nor a sibling.
test_delete_removes_own_cgroup_only() {
	local base parent d found=0
	base=
	if grep -qE "^[0-9]+:([^:]*,)?memory(,[^:]*)?:" /proc/self/cgroup; then
		base=/sys/fs/cgroup/memory
	elif [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		base=/sys/fs/cgroup
	fi
	[[ -d $base ]] || t_skip "no memory cgroup hierarchy"
	lc_id
	parent=$T_ID-parent
	mkdir -p "$base/$parent/$T_ID-sibling" || t_fail "mkdir $base/$parent"
	t_defer "rmdir '$base/$parent/$T_ID-sibling' '$base/$parent'"
	cfg_edit --arg p "/$parent/$T_CID" '.linux.cgroupsPath = $p'
	ctr_args sleep 30
	rt create --bundle "$T_BUNDLE" "$T_CID"
	assert_rc 0 "create with cgroupsPath /$parent/$T_CID"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	for d in /sys/fs/cgroup/*/"$parent/$T_CID" /sys/fs/cgroup/"$parent/$T_CID"; do
		[[ -d $d ]] && found=$((found + 1))
	done
	((found > 0)) || t_fail "no cgroup $parent/$T_CID was created"
	rt delete --force "$T_CID"
	assert_rc 0 "delete --force"
	for d in /sys/fs/cgroup/*/"$parent/$T_CID" /sys/fs/cgroup/"$parent/$T_CID"; do
		[[ ! -d $d ]] || t_fail "cgroup $d left after delete"
	done
	[[ -d $base/$parent/$T_ID-sibling ]] || t_fail "delete removed a sibling cgroup"
	[[ -d $base/$parent ]] || t_fail "delete removed the parent cgroup it did not create"
	# The parent in the other hierarchies did not exist: the runtime made it,
	# so it removes it too.
	for d in /sys/fs/cgroup/*/"$parent" /sys/fs/cgroup/"$parent"; do
		[[ $d == "$base/$parent" || ! -d $d ]] ||
			t_fail "cgroup $d, made by the runtime for cgroupsPath /$parent/$T_CID, left after delete"
	done
}

# An interrupted create (an engine's timeout killed it; here: SIGKILL
# while a createRuntime hook runs) leaves a state directory without a
# state: `delete --force` must clear it (runc removes it too), with the
# cgroup it made, and the id is usable again.
test_delete_after_interrupted_create() {
	local cpid hook
	printf '#!/bin/sh\necho $$ >"$1"\nexec /bin/sleep 30\n' >"$T_DIR/hook.sh"
	chmod 755 "$T_DIR/hook.sh"
	cfg_edit --arg h "$T_DIR/hook.sh" --arg p "$T_DIR/hook.pid" \
		'.hooks.createRuntime = [{path: $h, args: ["hook.sh", $p], env: ["PATH=/usr/bin:/bin"]}]'
	ctr_args sleep 30
	lc_id
	HUTCH_IT_TAG=$T_TAG "$RUNTIME" --root "$T_ROOT" create --bundle "$T_BUNDLE" "$T_CID" \
		</dev/null >"$T_DIR/create.out" 2>&1 &
	cpid=$!
	wait_for 10 test -s "$T_DIR/hook.pid" || t_fail "the hook did not run: $(<"$T_DIR/create.out")"
	hook=$(<"$T_DIR/hook.pid")
	t_defer "kill -KILL $hook"
	kill -KILL "$cpid"
	wait "$cpid" 2>/dev/null
	kill -KILL "$hook"
	rt delete --force "$T_CID"
	assert_rc 0 "delete --force after an interrupted create: $T_ERR"
	[[ -z $(ls -A "$T_ROOT") ]] || t_fail "state left: $(ls -A "$T_ROOT")"
	cfg_edit 'del(.hooks)'
	rt create --bundle "$T_BUNDLE" "$T_CID"
	assert_rc 0 "create of the id again"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
}

# --- ids

test_unknown_id() {
	local id=$T_ID-nosuch
	lc_fails 'container does not exist' state "$id"
	lc_fails 'container does not exist' start "$id"
	lc_fails 'container does not exist' kill "$id"
	lc_fails 'container does not exist' kill "$id" 9
	lc_fails 'container does not exist' kill --all "$id" KILL
	lc_fails 'container does not exist' delete "$id"
	lc_fails 'container does not exist' delete --force "$id"
	lc_fails 'container does not exist' exec "$id" true
	lc_fails 'container does not exist' exec --detach "$id" true
	lc_fails 'container does not exist' ps "$id"
	lc_fails 'container does not exist' ps --format json "$id"
	# The same with an existing --root holding another container.
	ctr_args sleep 30
	lc_create
	lc_fails 'container does not exist' state "$id"
	lc_fails 'container does not exist' delete --force "$id"
	assert_eq "$(lc_status "$T_CID")" created "the other container"
}

test_every_command_needs_an_id() {
	local cmd
	for cmd in create run start state kill delete exec ps "kill --all" "delete --force" \
		"create --bundle $T_BUNDLE" "run --bundle $T_BUNDLE --detach" "exec --detach"; do
		# shellcheck disable=SC2086 # the words are the command line
		lc_fails '' $cmd
	done
	[[ ! -e $T_ROOT ]] || [[ -z $(ls -A "$T_ROOT") ]] || t_fail "something was created: $(ls -A "$T_ROOT")"
}

test_create_refuses_id_in_use() {
	local before
	lc_shared
	ctr_args sh -c 'echo ran >>/shared/count; sleep 30'
	lc_create
	before=$(lc_state "$T_CID")
	lc_fails "already exists" create --bundle "$T_BUNDLE" "$T_CID"
	lc_fails "already exists" run --bundle "$T_BUNDLE" "$T_CID"
	lc_fails "already exists" run --detach --bundle "$T_BUNDLE" "$T_CID"
	assert_eq "$(lc_state "$T_CID")" "$before" "the first container changed"
	[[ ! -e $T_DIR/shared/count ]] || t_fail "a process ran"
	rt start "$T_CID"
	assert_rc 0 "start of the first container"
	wait_for 10 test -s "$T_DIR/shared/count" || t_fail "process did not run"
	assert_eq "$(wc -l <"$T_DIR/shared/count")" 1 "processes that ran"
}

# --- create's stdio

# The container process inherits create's stdin, stdout and stderr.
test_create_stdio_inherited() {
	ctr_args sh -c 'read line; echo "out:$line"; echo "err:$line" >&2'
	echo from-stdin >"$T_DIR/in"
	lc_id
	HUTCH_IT_TAG=$T_TAG timeout -k 5 "$T_RUN_TIMEOUT" "$RUNTIME" --root "$T_ROOT" \
		create --bundle "$T_BUNDLE" "$T_CID" <"$T_DIR/in" >"$T_DIR/c.out" 2>"$T_DIR/c.err"
	assert_eq "$?" 0 "create: $(cat "$T_DIR/c.err")"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	assert_eq "$(cat "$T_DIR/c.out" "$T_DIR/c.err")" "" "create itself printed"
	rt start "$T_CID"
	assert_rc 0 "start"
	assert_eq "$T_OUT$T_ERR" "" "the process wrote to start's stdio"
	lc_wait_status "$T_CID" stopped
	assert_eq "$(<"$T_DIR/c.out")" "out:from-stdin" "create's stdout"
	assert_eq "$(<"$T_DIR/c.err")" "err:from-stdin" "create's stderr"
}

# --- concurrency

test_concurrent_create_20_ids() {
	local i pids=() fails=""
	ctr_args sleep 30
	for i in $(seq 1 20); do
		HUTCH_IT_TAG=$T_TAG timeout -k 5 30 "$RUNTIME" --root "$T_ROOT" \
			create --bundle "$T_BUNDLE" "$T_ID-c$i" </dev/null >"$T_DIR/c$i.out" 2>"$T_DIR/c$i.err" &
		pids+=($!)
	done
	for i in $(seq 1 20); do
		t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_ID-c$i'"
		wait "${pids[i - 1]}" || fails+=" c$i: $(<"$T_DIR/c$i.err")"
	done
	[[ -z $fails ]] || t_fail "concurrent creates failed:$fails"
	rt list -q
	assert_rc 0 "list -q"
	assert_eq "$(sort <<<"$T_OUT")" "$(for i in $(seq 1 20); do echo "$T_ID-c$i"; done | sort)" "list -q"
	rt list --format json
	jq -e 'length == 20 and all(.[]; .status == "created" and .pid > 0)
		and ([.[].pid] | unique | length) == 20' <<<"$T_OUT" >/dev/null ||
		t_fail "list after 20 creates: $T_OUT"
	assert_eq "$(lc_ours | wc -l)" 20 "processes after 20 creates"
	# Delete them all at once.
	pids=()
	for i in $(seq 1 20); do
		HUTCH_IT_TAG=$T_TAG timeout -k 5 30 "$RUNTIME" --root "$T_ROOT" delete --force "$T_ID-c$i" \
			</dev/null >/dev/null 2>"$T_DIR/d$i.err" &
		pids+=($!)
	done
	for i in $(seq 1 20); do
		wait "${pids[i - 1]}" || fails+=" d$i: $(<"$T_DIR/d$i.err")"
	done
	[[ -z $fails ]] || t_fail "concurrent deletes failed:$fails"
	rt list -q
	assert_eq "$T_OUT" "" "list after deleting all"
	[[ -z $(ls -A "$T_ROOT") ]] || t_fail "--root not empty: $(ls -A "$T_ROOT")"
}

test_concurrent_create_one_id() {
	local i pids=() won=0 err
	ctr_args sleep 30
	lc_id one
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	for i in $(seq 1 20); do
		HUTCH_IT_TAG=$T_TAG timeout -k 5 30 "$RUNTIME" --root "$T_ROOT" \
			create --bundle "$T_BUNDLE" "$T_CID" </dev/null >"$T_DIR/c$i.out" 2>"$T_DIR/c$i.err" &
		pids+=($!)
	done
	for i in $(seq 1 20); do
		if wait "${pids[i - 1]}"; then
			won=$((won + 1))
		else
			err=$(<"$T_DIR/c$i.err")
			assert_match "$err" 'already exists' "a losing create's error"
		fi
	done
	assert_eq "$won" 1 "creates of one id that succeeded"
	lc_state "$T_CID" '.status == "created" and .pid > 0' >/dev/null || t_fail "state: $T_OUT"
	assert_eq "$(lc_ours | tr '\n' ' ')" "$(lc_state "$T_CID" .pid) " "one init, nothing else"
	rt list -q
	assert_eq "$T_OUT" "$T_CID" "list -q"
	rt delete --force "$T_CID"
	assert_rc 0 "delete --force"
	[[ -z $(ls -A "$T_ROOT") ]] || t_fail "--root not empty: $(ls -A "$T_ROOT")"
}

# --- recycled pids

# The init died and its pid now belongs to an unrelated process (faked:
# state.json's pid is edited to name a sleep of ours, the recorded start
# time kept).  The container is stopped, and nothing the runtime does to
# "it" may touch the unrelated process.
test_recycled_pid_is_stopped() {
	local pid other sf
	ctr_args sleep 30
	lc_create
	rt start "$T_CID"
	assert_rc 0 "start"
	pid=$(lc_state "$T_CID" .pid)
	kill -KILL "$pid"
	wait_for 10 t__exited "$pid" || t_fail "init $pid did not die"
	sleep 60 &
	other=$!
	t_defer "kill -KILL $other"
	sf=$T_ROOT/$T_CID/state.json
	[[ -f $sf ]] || t_skip "the runtime keeps no $sf to edit"
	if jq -e 'has("init_process_pid")' "$sf" >/dev/null; then # runc's
		jq -c --argjson p "$other" '.init_process_pid = $p' "$sf" >"$sf.new"
	else
		jq -e --argjson old "$pid" '.pid == $old' "$sf" >/dev/null ||
			t_fail "state.json has no pid $pid: $(<"$sf")"
		jq -c --argjson p "$other" '.pid = $p' "$sf" >"$sf.new"
	fi
	mv "$sf.new" "$sf" || t_fail "edit $sf"
	lc_state "$T_CID" '.status == "stopped" and .pid == 0' >/dev/null ||
		t_fail "a recycled pid taken for the container: $T_OUT"
	rt list --format json
	jq -e '.[0].status == "stopped" and .[0].pid == 0' <<<"$T_OUT" >/dev/null ||
		t_fail "list with a recycled pid: $T_OUT"
	lc_fails 'not running' kill "$T_CID" KILL
	rt ps --format json "$T_CID"
	[[ $T_OUT != *"$other"* ]] || t_fail "ps shows the unrelated process: $T_OUT"
	lc_fails '' exec "$T_CID" true
	rt delete "$T_CID"
	assert_rc 0 "delete (without --force) of the stopped container"
	! t__exited "$other" || t_fail "the runtime killed the process that reused the pid"
	kill -KILL "$other"
	wait "$other" 2>/dev/null
}

# --- run --detach

test_run_detach_returns_while_running() {
	local pid start=$SECONDS
	lc_shared
	ctr_args sh -c 'touch /shared/ready; exec sleep 30'
	lc_id
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	rt run --detach --bundle "$T_BUNDLE" --pid-file "$T_DIR/pid" "$T_CID"
	assert_rc 0 "run --detach"
	((SECONDS - start < 10)) || t_fail "run --detach waited for the process"
	wait_for 10 test -e "$T_DIR/shared/ready" || t_fail "process did not run"
	pid=$(lc_state "$T_CID" .pid)
	assert_eq "$(lc_status "$T_CID")" running "state after run --detach"
	assert_eq "$(cat "$T_DIR/pid"; echo x)" "${pid}x" "--pid-file of run --detach"
	assert_eq "$(lc_ours | tr '\n' ' ')" "$pid " "only the container's process runs"
	rt kill "$T_CID" KILL
	assert_rc 0 "kill"
	lc_wait_status "$T_CID" stopped
	rt delete "$T_CID"
	assert_rc 0 "delete"
}

# -d is the short form.
test_run_d_short_flag() {
	ctr_args sleep 30
	lc_id
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	rt run -d --bundle "$T_BUNDLE" "$T_CID"
	assert_rc 0 "run -d"
	assert_eq "$(lc_status "$T_CID")" running
}

# --- list

test_list_shows_containers() {
	local a b
	ctr_args sleep 30
	lc_create
	a=$T_CID
	lc_create
	b=$T_CID
	rt start "$b"
	assert_rc 0 "start $b"
	rt list
	assert_rc 0 "list"
	assert_match "$(head -n 1 <<<"$T_OUT")" '^ID +PID +STATUS +BUNDLE +CREATED +OWNER' "list header"
	assert_match "$T_OUT" "^$a +[0-9]+ +created +$T_BUNDLE " "list row of $a"
	assert_match "$T_OUT" "^$b +[0-9]+ +running +$T_BUNDLE " "list row of $b"
	rt list -q
	assert_rc 0 "list -q"
	assert_eq "$T_OUT" "$(printf '%s\n' "$a" "$b" | sort)" "list -q"
	rt list --format json
	assert_rc 0 "list --format json"
	jq -e --arg a "$a" --arg b "$b" '
		length == 2
		and (map(select(.id == $a))[0].status == "created")
		and (map(select(.id == $b))[0].status == "running")
		and all(.[]; (.pid | type) == "number" and (.created | type) == "string")' \
		<<<"$T_OUT" >/dev/null || t_fail "list --format json: $T_OUT"
	rt list --format=json
	assert_rc 0 "list --format=json"
	jq -e 'length == 2' <<<"$T_OUT" >/dev/null || t_fail "list --format=json: $T_OUT"
}

# --- logs

# lc_log_check FILE CAUSE-ERE: FILE holds exactly one line, a JSON object
# with level "error", msg naming the cause, and an RFC 3339 time (what
# conmon and containerd's shim read).
lc_log_check() {
	local file=$1 re=$2 line
	[[ -s $file ]] || t_fail "no log written to $file"
	assert_eq "$(wc -l <"$file")" 1 "log lines in $file: $(<"$file")"
	line=$(<"$file")
	jq -e 'type == "object"' <<<"$line" >/dev/null || t_fail "log line is not a JSON object: $line"
	assert_eq "$(jq -r .level <<<"$line")" error "log level"
	assert_match "$(jq -r .msg <<<"$line")" "$re" "log msg"
	assert_match "$(jq -r .time <<<"$line")" "$RFC3339" "log time"
}

test_log_json_failing_create() {
	# A cause found by the runtime itself: the rootfs does not exist.
	cfg_edit '.root.path = "no-such-rootfs"'
	lc_id
	lc_fails 'no-such-rootfs' --log "$T_DIR/log1.json" --log-format json \
		create --bundle "$T_BUNDLE" "$T_CID"
	lc_log_check "$T_DIR/log1.json" 'no-such-rootfs'

	# A cause found inside the container: args[0] is not in the rootfs
	# (conmon's form of the flags).
	make_bundle "$T_DIR/b2"
	CFG=$T_DIR/b2/config.json cfg_edit '.process.args = ["/no/such/binary-xyz"]'
	lc_id
	rt --log-format=json --log="$T_DIR/log2.json" create --bundle "$T_DIR/b2" "$T_CID"
	if [[ $T_RC == 0 ]]; then
		# A runtime may find out only at start.
		t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
		rt --log-format=json --log="$T_DIR/log2.json" start "$T_CID"
		[[ $T_RC != 0 ]] || t_fail "a missing args[0] was not reported by create nor start"
	fi
	lc_log_check "$T_DIR/log2.json" 'binary-xyz'

	# Text format: the message as text.
	lc_id
	lc_fails '' --log "$T_DIR/log3.txt" --log-format text create --bundle "$T_BUNDLE" "$T_CID"
	assert_contains "$(<"$T_DIR/log3.txt")" no-such-rootfs "text log"
	[[ ! -e $T_ROOT ]] || [[ -z $(ls -A "$T_ROOT") ]] || t_fail "failed creates left: $(ls -A "$T_ROOT")"
}

# An error of any command goes to the log: containerd's shim reads the last
# error line after `kill`, `delete`, `state` too.
test_log_json_other_commands() {
	rt --log "$T_DIR/log.json" --log-format json state "$T_ID-nosuch"
	[[ $T_RC != 0 ]] || t_fail "state of an unknown id succeeded"
	lc_log_check "$T_DIR/log.json" 'container does not exist'
	rm -f "$T_DIR/log.json"
	rt --log "$T_DIR/log.json" --log-format json kill "$T_ID-nosuch" 9
	lc_log_check "$T_DIR/log.json" 'container does not exist'
	# Appended, not truncated: an engine gives one file to all commands.
	rt --log "$T_DIR/log.json" --log-format json delete "$T_ID-nosuch"
	assert_eq "$(wc -l <"$T_DIR/log.json")" 2 "log lines after two failures"
	jq -se 'length == 2 and all(.[]; .level == "error")' "$T_DIR/log.json" >/dev/null ||
		t_fail "log: $(<"$T_DIR/log.json")"
}

# --- global flags

test_version() {
	rt --version
	assert_rc 0 "--version"
	assert_match "$(head -n 1 <<<"$T_OUT")" '^hutch version [0-9]' "--version"
	rt -v
	assert_rc 0 "-v"
	assert_match "$(head -n 1 <<<"$T_OUT")" '^hutch version [0-9]' "-v"
}

test_global_flag_forms() {
	local out
	ctr_args sleep 30
	lc_create
	# rt passes --root DIR; both forms by hand, flags after it too.
	out=$("$RUNTIME" --root="$T_ROOT" state "$T_CID") || t_fail "--root=DIR state"
	jq -e '.status == "created"' <<<"$out" >/dev/null || t_fail "--root=DIR state: $out"
	out=$("$RUNTIME" --root "$T_ROOT" state "$T_CID") || t_fail "--root DIR state"
	jq -e '.status == "created"' <<<"$out" >/dev/null || t_fail "--root DIR state: $out"
	out=$("$RUNTIME" --debug --root "$T_ROOT" --log "$T_DIR/log" --log-format json \
		--rootless false list -q) || t_fail "--debug --root --log --log-format --rootless list"
	assert_eq "$out" "$T_CID" "list -q with all global flags"
	out=$("$RUNTIME" --log="$T_DIR/log" --log-format=json --root="$T_ROOT" --rootless=false list -q) ||
		t_fail "--flag=value forms"
	assert_eq "$out" "$T_CID" "list -q with --flag=value forms"
	# Per-command flags in both forms.
	lc_id
	rt create --bundle="$T_BUNDLE" --pid-file="$T_DIR/pid2" "$T_CID"
	assert_rc 0 "create --bundle=DIR --pid-file=FILE"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	assert_eq "$(<"$T_DIR/pid2")" "$(lc_state "$T_CID" .pid)" "--pid-file=FILE"
	lc_id
	(cd "$T_BUNDLE" && rt create -b . "$T_CID")
	rt state "$T_CID"
	assert_rc 0 "create -b ."
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	lc_fails 'flag|option' --no-such-global-flag list
}

# containerd's shim passes --systemd-cgroup to every command when its
# SystemdCgroup option is set: state and list accept it.
test_systemd_cgroup_flag_accepted() {
	ctr_args sleep 30
	lc_create
	rt --systemd-cgroup state "$T_CID"
	assert_rc 0 "--systemd-cgroup state"
	jq -e '.status == "created"' <<<"$T_OUT" >/dev/null || t_fail "state: $T_OUT"
	rt --systemd-cgroup list -q
	assert_rc 0 "--systemd-cgroup list"
	assert_eq "$T_OUT" "$T_CID"
	rt --systemd-cgroup kill "$T_CID" KILL
	assert_rc 0 "--systemd-cgroup kill"
	lc_wait_status "$T_CID" stopped
	rt --systemd-cgroup delete "$T_CID"
	assert_rc 0 "--systemd-cgroup delete"
}
