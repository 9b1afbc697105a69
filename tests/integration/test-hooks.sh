# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# OCI hooks: prestart, createRuntime, createContainer, startContainer,
# poststart, poststop.  Each runs once, in order, at its moment and in its
# namespace, with the state JSON on stdin, its args and env; a failing
# prestart/createRuntime/createContainer hook fails `create` (nothing runs,
# nothing is left); a failing poststart/poststop hook only warns; a hook
# over its timeout is killed and its step fails.
# Sourced by lib.sh; see there for the helpers.

HK_KINDS=(prestart createRuntime createContainer startContainer poststart poststop)

# hk_setup: the hook script, on the host ($T_DIR/hook.sh) and in the rootfs
# (/hook.sh, for startContainer), and the log dir $T_DIR/hooklog, mounted
# at /hooklog in the container.  `hook.sh KIND DIR [EXIT]` saves its stdin
# as DIR/KIND.N.json, appends "KIND STATUS" to DIR/log, records its mount
# namespace, the state pid's network namespace and command line, and its
# environment, then exits EXIT.
hk_setup() {
	cat >"$T_DIR/hook.sh" <<'EOF'
#!/bin/sh
kind=$1 dir=$2
n=1
while [ -e "$dir/$kind.$n.json" ]; do n=$((n + 1)); done
f=$dir/$kind.$n
cat >"$f.json"
status=$(sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p' "$f.json")
pid=$(sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p' "$f.json")
readlink /proc/self/ns/mnt >"$f.mntns" 2>&1
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
	readlink "/proc/$pid/ns/net" >"$f.netns" 2>&1
	tr '\0' ' ' <"/proc/$pid/cmdline" >"$f.cmdline" 2>&1
fi
env >"$f.env"
echo "$kind $status" >>"$dir/log"
exit "${3:-0}"
EOF
	chmod 755 "$T_DIR/hook.sh"
	cp "$T_DIR/hook.sh" "$T_BUNDLE/rootfs/hook.sh"
	bind_add "$T_DIR/hooklog" /hooklog
}

# hk_json KIND [EXIT]: one hook entry running hook.sh for KIND.
hk_json() {
	local kind=$1 path=$T_DIR/hook.sh dir=$T_DIR/hooklog
	if [[ $kind == startContainer ]]; then
		path=/hook.sh dir=/hooklog
	fi
	jq -nc --arg p "$path" --arg k "$kind" --arg d "$dir" --arg e "${2:-0}" \
		'{path: $p, args: ["hook.sh", $k, $d, $e],
		  env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOOK_ENV=env-of-" + $k]}'
}

# hk_add KIND JSON...: append hook entries to hooks.KIND.
hk_add() {
	local kind=$1 j
	shift
	for j; do
		cfg_edit --arg k "$kind" --argjson h "$j" '.hooks[$k] += [$h]'
	done
}

hk_log() { cat "$T_DIR/hooklog/log" 2>/dev/null; }

# hk_create [ID]: create the bundle (must succeed); force-deleted at the end.
hk_create() {
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt create --bundle "$T_BUNDLE" "$T_CID"
	assert_rc 0 "create"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
}

hk_status() {
	rt state "$1"
	jq -r .status <<<"$T_OUT"
}

# hk_check_json KIND N STATUS-ERE PID: hook KIND's Nth stdin was the state;
# PID -1: any number, 0: a real one (> 0), else that pid.
hk_check_json() {
	local f=$T_DIR/hooklog/$1.$2.json
	[[ -s $f ]] || t_fail "$1 hook got no state on stdin"
	jq -e --arg id "$T_CID" --arg b "$(readlink -f "$T_BUNDLE")" --arg s "^($3)\$" --argjson pid "$4" '
		.id == $id and .bundle == $b and (.status | test($s))
		and (.ociVersion | test("^1\\.")) and (.pid | type) == "number"
		and ($pid < 0 or ($pid == 0 and .pid > 0) or ($pid > 0 and .pid == $pid))' "$f" >/dev/null ||
		t_fail "$1 hook's state (want status /$3/, pid $4): $(<"$f")"
}

# Every kind once, in order, each at its step: create runs prestart,
# createRuntime, createContainer; start runs startContainer (before the
# process) and poststart (after it, before start returns); delete runs
# poststop.
test_hooks_all_kinds_in_order() {
	local k pid hostmnt ctrmnt hostnet want
	hk_setup
	for k in "${HK_KINDS[@]}"; do
		hk_add "$k" "$(hk_json "$k")"
	done
	ctr_args sh -c 'cat /hooklog/log >/hooklog/seen-by-process; exec sleep 30'
	hk_create
	rt state "$T_CID"
	pid=$(jq -r .pid <<<"$T_OUT")
	assert_eq "$(hk_log | awk '{ print $1 }')" $'prestart\ncreateRuntime\ncreateContainer' "hooks run by create"
	assert_match "$(hk_log)" '^prestart (creating|created)$' "prestart's status"
	assert_match "$(hk_log)" '^createRuntime (creating|created)$' "createRuntime's status"
	assert_match "$(hk_log)" '^createContainer (creating|created)$' "createContainer's status"
	hk_check_json prestart 1 'creating|created' "$pid"
	hk_check_json createRuntime 1 'creating|created' "$pid"
	hk_check_json createContainer 1 'creating|created' -1

	# Namespaces: createRuntime/prestart in the runtime's mount namespace,
	# createContainer in the container's; the container's network
	# namespace exists when prestart runs (what CNI plugins rely on).
	hostmnt=$(readlink /proc/self/ns/mnt)
	ctrmnt=$(readlink "/proc/$pid/ns/mnt")
	hostnet=$(readlink /proc/self/ns/net)
	assert_ne "$ctrmnt" "$hostmnt" "the container has its own mount namespace"
	assert_eq "$(<"$T_DIR/hooklog/prestart.1.mntns")" "$hostmnt" "prestart's mount namespace"
	assert_eq "$(<"$T_DIR/hooklog/createRuntime.1.mntns")" "$hostmnt" "createRuntime's mount namespace"
	assert_eq "$(<"$T_DIR/hooklog/createContainer.1.mntns")" "$ctrmnt" "createContainer's mount namespace"
	assert_eq "$(<"$T_DIR/hooklog/prestart.1.netns")" "$(readlink "/proc/$pid/ns/net")" \
		"prestart sees the container's network namespace"
	assert_ne "$(<"$T_DIR/hooklog/prestart.1.netns")" "$hostnet" "container network namespace"
	# env is the hook's env, not the runtime's.
	for k in prestart createRuntime createContainer; do
		assert_contains "$(<"$T_DIR/hooklog/$k.1.env")" "HOOK_ENV=env-of-$k" "$k hook's env"
		assert_not_contains "$(<"$T_DIR/hooklog/$k.1.env")" HUTCH_IT_TAG "$k hook's env"
	done

	rt start "$T_CID"
	assert_rc 0 "start: $T_ERR"
	# poststart ran before start returned.
	want=$'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart'
	assert_eq "$(hk_log | awk '{ print $1 }')" "$want" "hooks after start"
	assert_match "$(hk_log)" '^startContainer (creating|created|running)$' "startContainer's status"
	assert_match "$(hk_log)" '^poststart running$' "poststart's status"
	hk_check_json startContainer 1 'creating|created|running' -1
	hk_check_json poststart 1 running "$pid"
	assert_eq "$(<"$T_DIR/hooklog/startContainer.1.mntns")" "$ctrmnt" "startContainer's mount namespace"
	assert_eq "$(<"$T_DIR/hooklog/poststart.1.mntns")" "$hostmnt" "poststart's mount namespace"
	assert_contains "$(<"$T_DIR/hooklog/startContainer.1.env")" "HOOK_ENV=env-of-startContainer"
	# startContainer ran before the process; poststart after it exec'd.
	wait_for 10 test -e "$T_DIR/hooklog/seen-by-process" || t_fail "the process did not run"
	assert_contains "$(<"$T_DIR/hooklog/seen-by-process")" startContainer \
		"startContainer had run when the process started"
	assert_match "$(<"$T_DIR/hooklog/poststart.1.cmdline")" '^(sh -c|sleep 30)' \
		"poststart: the container's pid runs the process (not the runtime)"

	rt kill "$T_CID" KILL
	assert_rc 0 "kill"
	wait_for 10 eval '[[ $(hk_status "$T_CID") == stopped ]]' || t_fail "container did not stop"
	assert_eq "$(hk_log | wc -l)" 5 "hooks run by kill or a stopped container"
	rt delete "$T_CID"
	assert_rc 0 "delete"
	assert_eq "$(hk_log | awk '{ print $1 }')" "$want"$'\npoststop' "hooks after delete"
	assert_match "$(hk_log)" '^poststop stopped$' "poststop's status"
	hk_check_json poststop 1 stopped -1
	assert_eq "$(<"$T_DIR/hooklog/poststop.1.mntns")" "$hostmnt" "poststop's mount namespace"
	for k in "${HK_KINDS[@]}"; do
		[[ ! -e $T_DIR/hooklog/$k.2.json ]] || t_fail "$k ran twice"
	done
}

# `run`: the same hooks, once each, in order, poststop after the process
# exited and before run returns.
test_hooks_run_foreground() {
	local k
	hk_setup
	for k in "${HK_KINDS[@]}"; do
		hk_add "$k" "$(hk_json "$k")"
	done
	ctr_args sh -c 'echo process >>/hooklog/log; exit 7'
	run_ctr
	assert_rc 7 "run's exit status with hooks"
	# The process and poststart may race; everything else is ordered.
	assert_eq "$(hk_log | awk '$1 != "process" { print $1 }')" "$(printf '%s\n' "${HK_KINDS[@]}")" \
		"hooks of run, in order"
	assert_eq "$(hk_log | grep -c '^process')" 1 "the process ran once"
	assert_match "$(hk_log)" '^poststop stopped$' "poststop's status"
	[[ -z $(ls -A "$T_ROOT" 2>/dev/null) ]] || t_fail "run left state: $(ls -A "$T_ROOT")"
}

# Several hooks of one kind run in their order.
test_hooks_same_kind_in_array_order() {
	local a b
	hk_setup
	a=$(jq -c '.args[1] = "createRuntime-a"' <<<"$(hk_json createRuntime)")
	b=$(jq -c '.args[1] = "createRuntime-b"' <<<"$(hk_json createRuntime)")
	hk_add createRuntime "$a" "$b" "$(jq -c '.args[1] = "createRuntime-c"' <<<"$a")"
	ctr_args true
	run_ctr
	assert_rc 0 "run: $T_ERR"
	assert_eq "$(hk_log | awk '{ print $1 }')" $'createRuntime-a\ncreateRuntime-b\ncreateRuntime-c'
}

# hk_failing_create KIND: a failing KIND hook makes create (and run) fail,
# the process never runs, nothing is left (lib.sh checks the host after
# the test).
hk_failing_create() {
	local kind=$1
	hk_setup
	hk_add "$kind" "$(hk_json "$kind" 3)"
	ctr_args sh -c 'touch /hooklog/process-ran'
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt create --bundle "$T_BUNDLE" "$T_CID"
	[[ $T_RC != 0 ]] || {
		rt delete --force "$T_CID"
		t_fail "create succeeded with a failing $kind hook"
	}
	assert_match "$T_ERR" "$kind|hook" "create's error names the hook"
	assert_match "$(hk_log)" "^$kind (creating|created)\$" "$kind ran once"
	rt state "$T_CID"
	assert_match "$T_ERR" 'container does not exist' "state after the failed create"
	rt start "$T_CID"
	[[ $T_RC != 0 ]] || t_fail "start after a failed create succeeded"
	sleep 0.2
	[[ ! -e $T_DIR/hooklog/process-ran ]] || t_fail "the process ran"
	# run: the same.
	run_ctr
	[[ $T_RC != 0 ]] || t_fail "run succeeded with a failing $kind hook"
	assert_match "$T_ERR" "$kind|hook" "run's error names the hook"
	[[ ! -e $T_DIR/hooklog/process-ran ]] || t_fail "the process ran (run)"
	[[ -z $(ls -A "$T_ROOT" 2>/dev/null) ]] || t_fail "state left: $(ls -A "$T_ROOT")"
}

test_hooks_failing_createRuntime() { hk_failing_create createRuntime; }
test_hooks_failing_prestart() { hk_failing_create prestart; }
test_hooks_failing_createContainer() { hk_failing_create createContainer; }

# A failing startContainer hook fails start; the process never runs.
test_hooks_failing_startContainer() {
	hk_setup
	hk_add startContainer "$(hk_json startContainer 3)"
	ctr_args sh -c 'touch /hooklog/process-ran; sleep 30'
	hk_create
	rt start "$T_CID"
	local rc=$T_RC err=$T_ERR
	sleep 0.3
	[[ ! -e $T_DIR/hooklog/process-ran ]] || t_fail "the process ran after a failing startContainer hook"
	[[ $rc != 0 ]] || t_fail "start succeeded with a failing startContainer hook"
	assert_match "$err" "startContainer|hook" "start's error names the hook"
	assert_match "$(hk_log)" '^startContainer ' "the hook ran"
}

# hk_failing_after KIND: two KIND hooks, the first failing: the step still
# succeeds with a warning, and the second hook runs.
test_hooks_failing_poststart_warns() {
	local second
	hk_setup
	second=$(jq -c '.args[1] = "poststart-second"' <<<"$(hk_json poststart)")
	hk_add poststart "$(hk_json poststart 3)" "$second"
	ctr_args sleep 30
	hk_create
	rt start "$T_CID"
	assert_rc 0 "start with a failing poststart hook: $T_ERR"
	assert_eq "$(hk_log | awk '{ print $1 }')" $'poststart\npoststart-second' "both poststart hooks ran"
	assert_match "$T_ERR" 'poststart|hook' "start warns about the failed hook"
	assert_eq "$(hk_status "$T_CID")" running "the container runs on"
}

test_hooks_failing_poststop_warns() {
	local second
	hk_setup
	second=$(jq -c '.args[1] = "poststop-second"' <<<"$(hk_json poststop)")
	hk_add poststop "$(hk_json poststop 3)" "$second"
	ctr_args sleep 30
	hk_create
	rt start "$T_CID"
	assert_rc 0 "start"
	rt delete --force "$T_CID"
	assert_rc 0 "delete with a failing poststop hook: $T_ERR"
	assert_eq "$(hk_log | awk '{ print $1 }')" $'poststop\npoststop-second' "both poststop hooks ran"
	assert_match "$T_ERR" 'poststop|hook' "delete warns about the failed hook"
	rt state "$T_CID"
	assert_match "$T_ERR" 'container does not exist' "deleted despite the failed hook"
}

# A hook over its timeout is killed and its step fails.
test_hooks_timeout_kills_and_fails() {
	local start
	hk_setup
	# The hook is sleep itself: killing it leaves no child behind.
	hk_add createRuntime "$(jq -nc '{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}')"
	ctr_args sh -c 'touch /hooklog/process-ran'
	start=$SECONDS
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt create --bundle "$T_BUNDLE" "$T_CID"
	[[ $T_RC != 0 ]] || {
		rt delete --force "$T_CID"
		t_fail "create succeeded with a hook over its timeout"
	}
	((SECONDS - start <= 6)) || t_fail "the 1 s timeout took $((SECONDS - start)) s"
	assert_match "$T_ERR" 'time' "create's error says the hook timed out"
	wait_for 2 eval '! t__procs | grep -q "sleep 3[0]"' || t_fail "the hook still runs: $(t__procs)"
	[[ ! -e $T_DIR/hooklog/process-ran ]] || t_fail "the process ran"
	# poststart over its timeout: killed, start warns and succeeds.
	make_bundle "$T_DIR/b2"
	CFG=$T_DIR/b2/config.json cfg_edit \
		'.process.args = ["sleep", "30"] | .hooks.poststart = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt create --bundle "$T_DIR/b2" "$T_CID"
	assert_rc 0 "create"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	start=$SECONDS
	rt start "$T_CID"
	assert_rc 0 "start with a poststart hook over its timeout: $T_ERR"
	((SECONDS - start <= 6)) || t_fail "the 1 s poststart timeout took $((SECONDS - start)) s"
}

# A hook path that does not exist fails create, naming the path.
test_hooks_missing_path() {
	hk_setup
	hk_add createRuntime '{"path": "/no/such/hook-xyz"}'
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt create --bundle "$T_BUNDLE" "$T_CID"
	[[ $T_RC != 0 ]] || {
		rt delete --force "$T_CID"
		t_fail "create succeeded with a missing hook"
	}
	assert_contains "$T_ERR" /no/such/hook-xyz "create's error"
}

# The state given to createContainer and startContainer hooks names a real
# pid (runc gives the process's pid as the container sees it), not 0.
test_hooks_container_side_state_has_pid() {
	hk_setup
	hk_add createContainer "$(hk_json createContainer)"
	hk_add startContainer "$(hk_json startContainer)"
	ctr_args sleep 30
	hk_create
	rt start "$T_CID"
	assert_rc 0 "start"
	hk_check_json createContainer 1 'creating|created' 0
	hk_check_json startContainer 1 'creating|created|running' 0
}
