# shellcheck shell=bash disable=SC2034,SC2016,SC2153 # T_WRAP and the like are read by lib.sh; $ meant for the container; T_ID from lib.sh
# `exec`: a process entering a running container is in the same namespaces,
# cgroup, capabilities, id mapping and rlimits as the container's init; the
# flags (-e -u -g --cwd --cap --no-new-privs --preserve-fds -d --pid-file
# --process -t); exit status and signals; a terminal driven through script(1);
# 50 concurrent execs; refusals (stopped, paused, unknown id).
# Sourced by lib.sh; see there for the helpers.

EX_NS=(user pid net ipc uts mnt cgroup time)

# ex_start [create]: start the test bundle (process `tail -f /dev/null`
# unless args were set) with `run -d`, or `create` + `start`; sets T_CID and
# T_INIT (the init's host pid, from `state`).  Deleted when the test ends.
ex_start() {
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	t_defer "rt delete -f $T_CID"
	if [[ ${1:-} == create ]]; then
		rt create --bundle "$T_BUNDLE" "$T_CID"
		assert_rc 0 "create"
		rt start "$T_CID"
		assert_rc 0 "start"
	else
		rt run -d --bundle "$T_BUNDLE" "$T_CID"
		assert_rc 0 "run -d"
	fi
	rt state "$T_CID"
	assert_rc 0 "state"
	assert_eq "$(jq -r .status <<<"$T_OUT")" running "state's status"
	T_INIT=$(jq -r .pid <<<"$T_OUT")
	assert_match "$T_INIT" '^[1-9][0-9]*$' "state's pid"
	[[ -d /proc/$T_INIT ]] || t_fail "state's pid $T_INIT does not exist"
}

# ex_tail: the container's process is `tail -f /dev/null`.
ex_tail() {
	ctr_args tail -f /dev/null
}

# ex [FLAGS...] -- CMD...: `exec [FLAGS...] $T_CID CMD...`; sets T_RC/T_OUT/T_ERR.
ex() {
	local flags=()
	while (($#)) && [[ $1 != -- ]]; do
		flags+=("$1")
		shift
	done
	shift
	rt exec "${flags[@]}" "$T_CID" "$@"
}

# ex_ok [FLAGS...] -- CMD...: as ex, and the exec must exit 0.
ex_ok() {
	ex "$@"
	[[ $T_RC == 0 ]] || t_fail "exec failed ($T_RC): stderr: $T_ERR; stdout: $T_OUT"
}

# ex_bg [FLAGS...] ID CMD...: `exec` in the background (signals at default
# disposition, as in an interactive shell); T_BGPID; collect with ctr_wait.
ex_bg() {
	HUTCH_IT_TAG=$T_TAG env --default-signal=INT,TERM,HUP,QUIT \
		"$RUNTIME" --root "$T_ROOT" exec "$@" </dev/null >"$T_DIR/out" 2>"$T_DIR/err" &
	T_BGPID=$!
}

# ex_detached CMD...: `exec -d --pid-file` CMD; its host pid in T_XPID.
ex_detached() {
	rm -f "$T_DIR/exec.pid"
	ex_ok -d --pid-file "$T_DIR/exec.pid" -- "$@"
	[[ -s $T_DIR/exec.pid ]] || t_fail "exec -d --pid-file wrote no pid file"
	T_XPID=$(<"$T_DIR/exec.pid")
	T_XPID=${T_XPID%$'\n'}
	assert_match "$T_XPID" '^[1-9][0-9]*$' "--pid-file content"
	[[ -d /proc/$T_XPID ]] || t_fail "exec'd pid $T_XPID (from --pid-file) is not running"
}

# ex_check_ns TYPE...: for each TYPE, `exec readlink /proc/self/ns/TYPE` is
# the init's; and it is not the host's.
ex_check_ns() {
	local t init host
	for t; do
		init=$(readlink "/proc/$T_INIT/ns/$t") || t_fail "readlink /proc/$T_INIT/ns/$t"
		host=$(readlink "/proc/$$/ns/$t")
		ex_ok -- readlink "/proc/self/ns/$t"
		assert_eq "$T_OUT" "$init" "exec'd process's $t namespace vs the init's"
		assert_ne "$T_OUT" "$host" "exec'd process's $t namespace is the host's"
	done
}

# ex_check_all_ns: every /proc/<init>/ns entry (also *_for_children) is the
# exec'd process's.
ex_check_all_ns() {
	local f t
	for f in /proc/"$T_INIT"/ns/*; do
		t=${f##*/}
		ex_ok -- readlink "/proc/self/ns/$t"
		assert_eq "$T_OUT" "$(readlink "$f")" "exec'd process's $t vs the init's"
	done
}

# ex_check_ps: `exec ps aux` lists the init (PID 1, its args) and the ps, nothing else.
ex_check_ps() {
	local init_args=$1 lines
	ex_ok -- ps aux
	lines=$(tail -n +2 <<<"$T_OUT")
	assert_eq "$(wc -l <<<"$lines")" 2 "ps aux inside lists exactly 2 processes: $T_OUT"
	assert_match "$(sed -n 1p <<<"$lines")" "^ *1 +[^ ]+ +$init_args\$" "PID 1 is the init"
	assert_match "$(sed -n 2p <<<"$lines")" '^ *[0-9]+ +[^ ]+ +ps aux$' "the other is the ps"
}

# ex_check_cgroup: the exec'd process T_XPID is in the init's cgroups (as
# the host sees them), which are the container's own.
ex_check_cgroup() {
	local mine init
	init=$(<"/proc/$T_INIT/cgroup")
	mine=$(<"/proc/$T_XPID/cgroup")
	assert_eq "$mine" "$init" "/proc/<exec'd pid>/cgroup vs /proc/<init>/cgroup"
	assert_ne "$init" "$(</proc/self/cgroup)" "the container has no cgroup of its own"
}

# --- capabilities (as test-process.sh)

EX_CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID
	SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW
	IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT
	SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
	AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM
	BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)

ex_caps_mask() {
	local name i mask=0 found
	for name; do
		found=
		for i in "${!EX_CAP_NAMES[@]}"; do
			[[ CAP_${EX_CAP_NAMES[i]} == "$name" ]] && mask=$((mask | (1 << i))) found=1
		done
		[[ -n $found ]] || t_fail "ex_caps_mask: unknown capability $name"
	done
	printf '%016x' "$mask"
}

# ex_check_caps [EXTRA-CAP] [FLAGS...]: `exec grep ^Cap /proc/self/status` is
# the config's five sets (ambient as the kernel keeps it); EXTRA-CAP (or "")
# is expected added to the bounding, effective and permitted sets.
ex_check_caps() {
	local extra=$1 set field line got want names
	local -A expect
	shift
	for set in bounding inheritable permitted effective ambient; do
		mapfile -t names < <(jq -r --arg s "$set" '.process.capabilities[$s][]?' "$T_BUNDLE/config.json")
		case $set in bounding | permitted | effective) [[ -n $extra ]] && names+=("$extra") ;; esac
		expect[$set]=$(ex_caps_mask "${names[@]}")
	done
	expect[ambient]=$(printf '%016x' $((0x${expect[ambient]} & 0x${expect[inheritable]} & 0x${expect[permitted]})))
	ex_ok "$@" -- grep ^Cap /proc/self/status
	for field in CapBnd:bounding CapInh:inheritable CapPrm:permitted CapEff:effective CapAmb:ambient; do
		line=$(grep "^${field%%:*}:" <<<"$T_OUT") || t_fail "no ${field%%:*} line in: $T_OUT"
		got=${line##*[[:space:]]}
		want=${expect[${field#*:}]}
		assert_eq "$got" "$want" "exec'd ${field%%:*} vs process.capabilities.${field#*:}${extra:+ + $extra}"
	done
}

ex_set_caps() {
	local set i=0 json='{}'
	for set in bounding inheritable permitted effective ambient; do
		i=$((i + 1))
		json=$(jq -c --arg s "$set" --arg v "${!i}" \
			'.[$s] = ($v | split(" ") | map(select(. != "") | "CAP_" + .))' <<<"$json")
	done
	cfg_edit --argjson c "$json" '.process.capabilities = $c'
}

# --- the founding scenario

# create + start; every namespace of the default config, ps, hostname.
test_same_namespaces_as_init() {
	ex_tail
	cfg_edit '.hostname = "exec-ctr-host"'
	ex_start create
	ex_check_ns pid net ipc uts mnt
	ex_check_all_ns
	ex_check_ps 'tail -f /dev/null'
	ex_ok -- hostname
	assert_eq "$T_OUT" exec-ctr-host "exec hostname"
	assert_ne "$(hostname)" exec-ctr-host "the host's hostname"
}

# user + pid + net + ipc + uts + mount + cgroup + time at once, with id
# mappings and time offsets.
test_all_namespaces_at_once() {
	local t up host
	for t in "${EX_NS[@]}"; do
		[[ -e /proc/self/ns/$t ]] || t_skip "the kernel has no $t namespaces"
	done
	ex_tail
	cfg_edit '.hostname = "exec-all-ns"'
	for t in pid network ipc uts mount cgroup time; do ns_add "$t"; done
	userns_add 100000 65536
	cfg_edit '.linux.timeOffsets = {boottime: {secs: 1000000, nanosecs: 0},
		monotonic: {secs: 1000000, nanosecs: 0}}'
	ex_start
	ex_check_ns "${EX_NS[@]}"
	ex_check_all_ns
	ex_check_ps 'tail -f /dev/null'
	ex_ok -- hostname
	assert_eq "$T_OUT" exec-all-ns "exec hostname"
	ex_ok -- cat /proc/self/uid_map /proc/self/gid_map
	assert_eq "$(awk '{ $1 = $1; print }' <<<"$T_OUT")" $'0 100000 65536\n0 100000 65536' "uid_map gid_map"
	ex_ok -- cat /proc/uptime
	up=${T_OUT%% *}
	read -r host _ </proc/uptime
	awk -v c="$up" -v h="$host" 'BEGIN { d = c - h - 1000000; exit !(d > -30 && d < 30) }' ||
		t_fail "uptime of the exec'd process $up, host $host: not the container's (+1000000 s)"
	ex_check_caps ""
	ex_detached sleep 1000
	ex_check_cgroup
	# root in the container is host uid/gid 100000, not the host's root
	assert_match "$(grep -E '^(Uid|Gid):' "/proc/$T_XPID/status")" \
		$'^Uid:\t100000\t100000\t100000\t100000\nGid:\t100000\t100000\t100000\t100000$' \
		"exec'd process's host ids"
	# the cgroup namespace too: inside, it sees what the init sees
	ex_ok -- sh -c 'cat /proc/self/cgroup; echo; cat /proc/1/cgroup'
	assert_eq "$(sed -n '/^$/q; p' <<<"$T_OUT")" "$(sed '1,/^$/d' <<<"$T_OUT")" \
		"/proc/self/cgroup inside vs the init's"
}

# The same without a time namespace (pins the failure of the test above).
test_user_namespace_no_time() {
	[[ -e /proc/self/ns/user ]] || t_skip "no user namespaces"
	ex_tail
	for t in pid network ipc uts mount cgroup; do ns_add "$t"; done
	userns_add 100000 65536
	ex_start
	ex_check_ns user pid net ipc uts mnt cgroup
	ex_check_all_ns
	ex_ok -- cat /proc/self/uid_map
	assert_eq "$(awk '{ $1 = $1; print }' <<<"$T_OUT")" '0 100000 65536' "uid_map"
}

# ... and a time namespace without a user namespace.
test_time_namespace_no_user() {
	local up host
	[[ -e /proc/self/ns/time ]] || t_skip "no time namespaces"
	ex_tail
	ns_add time
	cfg_edit '.linux.timeOffsets = {boottime: {secs: 1000000, nanosecs: 0},
		monotonic: {secs: 1000000, nanosecs: 0}}'
	ex_start
	ex_check_ns time pid mnt
	ex_ok -- cat /proc/uptime
	up=${T_OUT%% *}
	read -r host _ </proc/uptime
	awk -v c="$up" -v h="$host" 'BEGIN { d = c - h - 1000000; exit !(d > -30 && d < 30) }' ||
		t_fail "uptime of the exec'd process $up, host $host: not shifted by 1000000 s"
}

# --- what the exec'd process gets from the container

test_cgroup_of_exec() {
	ex_tail
	ex_start
	ex_detached sleep 1000
	ex_check_cgroup
	assert_eq "$(readlink "/proc/$T_XPID/ns/pid")" "$(readlink "/proc/$T_INIT/ns/pid")" "pid ns of the detached exec"
}

test_caps_of_exec_default() {
	ex_tail
	ex_start
	ex_check_caps ""
}

test_caps_of_exec_custom() {
	ex_tail
	ex_set_caps "CHOWN NET_ADMIN SYS_TIME" "CHOWN NET_ADMIN" "CHOWN NET_ADMIN SYS_TIME" \
		"CHOWN NET_ADMIN SYS_TIME" "CHOWN NET_ADMIN"
	ex_start
	ex_check_caps ""
}

test_caps_of_exec_none() {
	ex_tail
	ex_set_caps "" "" "" "" ""
	ex_start
	ex_check_caps ""
}

# --cap adds to the bounding, effective and permitted sets, and works.
test_cap_flag_adds() {
	ex_tail
	ex_start
	ex_check_caps CAP_SYS_ADMIN --cap CAP_SYS_ADMIN
	ex -- sh -c 'mount -t tmpfs t /mnt'
	assert_ne "$T_RC" 0 "mount without CAP_SYS_ADMIN"
	ex_ok --cap CAP_SYS_ADMIN -- sh -c 'mount -t tmpfs t /mnt && grep " /mnt " /proc/self/mounts'
	assert_contains "$T_OUT" tmpfs
}

# The container's rlimits, not the runtime's.
test_rlimits_of_exec() {
	ex_tail
	cfg_edit '.process.rlimits = [
		{type: "RLIMIT_NOFILE", soft: 1234, hard: 4096},
		{type: "RLIMIT_MSGQUEUE", soft: 4321, hard: 8192},
		{type: "RLIMIT_CORE", soft: 0, hard: 12345}]'
	T_WRAP=(prlimit --nofile=2000:4096 --msgqueue=5000:8192 --core=100:12345)
	ex_start
	ex_ok -- cat /proc/self/limits
	assert_match "$T_OUT" '^Max open files +1234 +4096 ' "RLIMIT_NOFILE"
	assert_match "$T_OUT" '^Max msgqueue size +4321 +8192 ' "RLIMIT_MSGQUEUE"
	assert_match "$T_OUT" '^Max core file size +0 +12345 ' "RLIMIT_CORE"
}

# process.user.umask and process.oomScoreAdj of the config, not the runtime's.
test_umask_oom_score_adj_of_exec() {
	ex_tail
	cfg_edit '.process.user.umask = 23 | .process.oomScoreAdj = 123' # umask 0027
	ex_start
	ex_ok -- sh -c 'umask; cat /proc/self/oom_score_adj'
	assert_eq "$T_OUT" $'0027\n123' "umask and oom_score_adj of the exec'd process"
}

# noNewPrivileges false in the config; --no-new-privs sets it.
test_no_new_privs() {
	ex_tail
	cfg_edit '.process.noNewPrivileges = false'
	ex_start
	ex_ok -- grep ^NoNewPrivs: /proc/self/status
	assert_match "$T_OUT" '^NoNewPrivs:[[:space:]]+0$' "without --no-new-privs"
	ex_ok --no-new-privs -- grep ^NoNewPrivs: /proc/self/status
	assert_match "$T_OUT" '^NoNewPrivs:[[:space:]]+1$' "with --no-new-privs"
}

# Signals the runtime was started with ignored (a background job of a
# script ignores SIGINT and SIGQUIT, nohup SIGHUP) are not ignored by the
# exec'd process: it starts with default dispositions, as under runc.
test_signals_not_ignored() {
	ex_tail
	ex_start
	# shellcheck disable=SC2054 # commas: one argument of env
	T_WRAP=(env --ignore-signal=INT,QUIT,HUP,TERM,USR1)
	ex_ok -- grep -E '^Sig(Ign|Blk):' /proc/self/status
	assert_match "$T_OUT" '^SigIgn:[[:space:]]+0+$' "ignored signals of the exec'd process"
	assert_match "$T_OUT" '^SigBlk:[[:space:]]+0+$' "blocked signals of the exec'd process"
}

# --- flags

# The spec's env, -e overriding by (whole) name and adding; nothing of the
# runtime's own environment.
test_env() {
	ex_tail
	cfg_edit --arg tag "HUTCH_IT_TAG=$T_TAG" \
		'.process.env = ["PATH=/bin:/usr/bin", "TERM=xterm", "KEEP=1", "FOO=spec", $tag]'
	ex_start
	T_WRAP=(env HUTCH_HOST_ONLY=leaked)
	ex_ok -e FOO=exec -e NEW=a=b -e TER=short -e KEEPX=2 -- env
	assert_eq "$(grep -v '^HOME=/' <<<"$T_OUT" | sort)" \
		"$(printf '%s\n' PATH=/bin:/usr/bin TERM=xterm KEEP=1 FOO=exec "HUTCH_IT_TAG=$T_TAG" \
			NEW=a=b TER=short KEEPX=2 | sort)" "env of the exec'd process"
	ex_ok -- env
	assert_contains "$T_OUT" FOO=spec "without -e, the spec's env"
}

# The same name given twice: the last wins, once (as runc and docker).
test_env_repeated_last_wins() {
	ex_tail
	ex_start
	ex_ok -e DUP=first -e DUP=second -e TERM=one -e TERM=two -- env
	assert_eq "$(grep -E '^(DUP|TERM)=' <<<"$T_OUT" | sort)" $'DUP=second\nTERM=two' \
		"env after -e DUP=first -e DUP=second -e TERM=one -e TERM=two"
}

test_user_and_additional_gids() {
	ex_tail
	ex_start
	ex_ok -u 1000:1000 --additional-gids 5 --additional-gids 2000 -- \
		sh -c 'id -u; id -g; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	assert_eq "$(sed -n 1p <<<"$T_OUT")" 1000 "id -u"
	assert_eq "$(sed -n 2p <<<"$T_OUT")" 1000 "id -g"
	assert_match "$T_OUT" $'^Uid:\t1000\t1000\t1000\t1000$' "all four uids"
	assert_match "$T_OUT" $'^Gid:\t1000\t1000\t1000\t1000$' "all four gids"
	assert_match "$T_OUT" '^Groups:[[:space:]]+5 2000[[:space:]]*$' "--additional-gids"
	# without -u: the spec's user (root, no groups)
	ex_ok -- sh -c 'id -u; id -g; grep ^Groups: /proc/self/status'
	assert_match "$T_OUT" $'^0\n0\nGroups:[[:space:]]*$' "the spec's user"
}

test_cwd() {
	ex_tail
	ex_start
	ex_ok --cwd /etc -- pwd
	assert_eq "$T_OUT" /etc "--cwd /etc"
	ex_ok -- pwd
	assert_eq "$T_OUT" / "the spec's cwd"
}

# --preserve-fds 1 passes fd 3 (and not fd 4); without it fd 3 is closed.
test_preserve_fds() {
	ex_tail
	ex_start
	echo "fd-three-content" >"$T_DIR/f3"
	echo "fd-four-content" >"$T_DIR/f4"
	ex_ok --preserve-fds 1 -- sh -c 'cat <&3; cat <&4 || echo no-fd-4' 3<"$T_DIR/f3" 4<"$T_DIR/f4"
	assert_eq "$T_OUT" $'fd-three-content\nno-fd-4' "--preserve-fds 1"
	ex -- sh -c 'cat <&3' 3<"$T_DIR/f3"
	assert_ne "$T_RC" 0 "fd 3 without --preserve-fds: $T_OUT"
	assert_not_contains "$T_OUT" fd-three-content "fd 3 leaked without --preserve-fds"
	ex_ok -- sh -c 'ls /proc/self/fd/'
	# the ls has its own directory fd open: 0 1 2 and one more
	assert_eq "$(tr '\n' ' ' <<<"$T_OUT")" "0 1 2 3 " "fds of the exec'd process (3 is ls's)"
}

# -d returns at once; --pid-file names the process in the container.
test_detach_pid_file() {
	local start=$SECONDS
	ex_tail
	mount_add /tmp tmpfs tmpfs # the default root is read-only
	ex_start
	ex_detached sh -c 'echo detached-$((6*7)) >/tmp/marker && exec sleep 1000'
	((SECONDS - start < 10)) || t_fail "exec -d did not return at once"
	wait_for 5 grep -qsxz sleep "/proc/$T_XPID/cmdline" || t_fail "the detached process is not the sleep"
	grep -qsxz "HUTCH_IT_TAG=$T_TAG" "/proc/$T_XPID/environ" ||
		t_fail "pid file ($T_XPID) does not name the exec'd process"
	assert_eq "$(readlink "/proc/$T_XPID/ns/mnt")" "$(readlink "/proc/$T_INIT/ns/mnt")" "mount ns"
	ex_ok -- cat /tmp/marker
	assert_eq "$T_OUT" detached-42
	ex_ok -- ps -o pid,args
	assert_match "$T_OUT" '^ *[0-9]+ +sleep 1000$' "the detached process in the container's ps"
}

test_exit_codes() {
	ex_tail
	ex_start
	ex -- sh -c 'exit 3'
	assert_rc 3 "exit 3"
	ex -- sh -c 'exit 0'
	assert_rc 0 "exit 0"
	ex -- sh -c 'exit 255'
	assert_rc 255 "exit 255"
	ex -- sh -c 'kill -KILL $$'
	assert_rc 137 "killed by SIGKILL"
	ex -- sh -c 'kill -TERM $$'
	assert_rc 143 "killed by SIGTERM"
}

# The exec'd process is not PID 1: it can be killed from the host.
test_exit_killed_from_host() {
	ex_tail
	ex_start
	ex_bg --pid-file "$T_DIR/x.pid" "$T_CID" sleep 1000
	wait_for 10 test -s "$T_DIR/x.pid" || t_fail "no pid file: $(<"$T_DIR/err")"
	wait_for 5 grep -qsxz sleep "/proc/$(<"$T_DIR/x.pid")/cmdline" || t_fail "not the sleep"
	kill -USR2 "$(<"$T_DIR/x.pid")"
	ctr_wait
	assert_rc $((128 + 12)) "exec'd process killed by SIGUSR2"
}

# Signals to the foreground `hutch exec` reach the process.
ex_signal_forward() {
	local sig=$1
	ex_tail
	ex_start
	ex_bg "$T_CID" sh -c "trap 'echo got-$sig; exit 42' $sig; echo ready; while :; do sleep 0.1; done"
	wait_for 10 grep -qx ready "$T_DIR/out" || t_fail "exec'd process did not start: $(<"$T_DIR/err")"
	kill -"$sig" "$T_BGPID"
	ctr_wait
	assert_rc 42 "SIG$sig forwarded to the exec'd process"
	assert_contains "$T_OUT" "got-$sig"
}
test_signal_forward_TERM() { ex_signal_forward TERM; }
test_signal_forward_INT() { ex_signal_forward INT; }
test_signal_forward_HUP() { ex_signal_forward HUP; }

# --process FILE: the process JSON (as containerd sends it).
test_process_json() {
	ex_tail
	ex_start
	jq -n --arg tag "HUTCH_IT_TAG=$T_TAG" '{
		terminal: false,
		user: {uid: 1000, gid: 1000, additionalGids: [2000]},
		args: ["sh", "-c", "echo \"$0 $1\"; id -u; id -g; pwd; echo \"V=$V\"; grep -E \"^(Groups|CapEff|NoNewPrivs):\" /proc/self/status; exit 7", "a0", "a1"],
		env: ["PATH=/bin", "V=from-json", $tag],
		cwd: "/etc",
		capabilities: {bounding: ["CAP_KILL", "CAP_CHOWN"], effective: ["CAP_KILL"],
			permitted: ["CAP_KILL"], inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"]},
		noNewPrivileges: true
	}' >"$T_DIR/process.json"
	ex --process "$T_DIR/process.json" --
	assert_rc 7 "the process's exit status"
	assert_eq "$(sed -n 1,5p <<<"$T_OUT")" $'a0 a1\n1000\n1000\n/etc\nV=from-json' "args, user, cwd, env"
	assert_match "$T_OUT" '^Groups:[[:space:]]+2000[[:space:]]*$' "additionalGids"
	assert_match "$T_OUT" "^CapEff:[[:space:]]+$(ex_caps_mask CAP_KILL)$" "capabilities"
	assert_match "$T_OUT" '^NoNewPrivs:[[:space:]]+1$' "noNewPrivileges"
	# the same validation as config.json's process
	jq '.cwd = "etc"' "$T_DIR/process.json" >"$T_DIR/bad.json"
	ex --process "$T_DIR/bad.json" --
	assert_ne "$T_RC" 0 "--process with a relative cwd"
	assert_match "$T_ERR" 'cwd' "error names the field"
	jq 'del(.args)' "$T_DIR/process.json" >"$T_DIR/bad.json"
	ex --process "$T_DIR/bad.json" --
	assert_ne "$T_RC" 0 "--process without args"
	ex --process "$T_DIR/process.json" -- true
	assert_ne "$T_RC" 0 "--process and a command"
}

test_command_not_found() {
	ex_tail
	ex_start
	ex -- no-such-cmd-xyz arg
	assert_rc 127 "command not found"
	assert_contains "$T_ERR" no-such-cmd-xyz "the error names the command"
	ex -- /bin/no-such-path-xyz
	assert_rc 127 "absolute path not found"
	assert_contains "$T_ERR" /bin/no-such-path-xyz "the error names the command"
}

# --- a terminal, driven as a person would (script(1), input through a fifo)

# ex_tty_start CMD: run the shell command CMD in a new terminal of 33x111
# rows/cols under script(1); type into it with ex_tty_type, read it with
# ex_tty_expect.  Its exit status is printed as "cmd-exit=N", then
# "tty-restored" if the terminal's modes are as before.
ex_tty_start() {
	command -v script >/dev/null || t_skip "script (util-linux) not installed"
	mkfifo "$T_DIR/tty.in"
	HUTCH_IT_TAG=$T_TAG timeout -k 5 50 script -qfec \
		"stty rows 33 cols 111; s=\$(stty -g); $1; echo cmd-exit=\$?;
		[ \"\$(stty -g)\" = \"\$s\" ] && echo tty-restored || echo tty-not-restored" /dev/null \
		<"$T_DIR/tty.in" >"$T_DIR/tty.out" 2>&1 &
	T_TTYPID=$!
	exec 7>"$T_DIR/tty.in"
	t_defer "exec 7>&-"
}

ex_tty_type() {
	printf '%b' "$1" >&7
}

# ex_tty_expect ERE [SECONDS]: wait until the terminal's output matches.
ex_tty_expect() {
	wait_for "${2:-10}" grep -qaE -- "$1" "$T_DIR/tty.out" ||
		t_fail "terminal: /$1/ not seen; output: $(tr -d '\r' <"$T_DIR/tty.out" | cat -v)"
}

# ex_in_ctr_ps ERE: the container's ps (from a separate exec) matches.
ex_in_ctr_ps() {
	rt exec "$T_CID" ps -o pid,args
	grep -qE -- "$1" <<<"$T_OUT"
}

ex_tty_session() {
	local hutch_pid pts
	ex_start
	ex_tty_start "$RUNTIME --root $T_ROOT exec -t $T_CID sh"
	ex_tty_type 'echo hi-$$\n'
	ex_tty_expect 'hi-[0-9]+'
	ex_tty_type 'stty size\n'
	ex_tty_expect '^33 111'
	# Ctrl-C reaches the container's sleep, not hutch
	ex_tty_type 'sleep 100\n'
	wait_for 10 ex_in_ctr_ps '^ *[0-9]+ +sleep 100$' || t_fail "the sleep 100 never ran: $T_OUT"
	# the process whose command line ends so (not script's, nor its sh's)
	hutch_pid=$(ps -e -o pid=,args= | awk -v c="--root $T_ROOT exec -t $T_CID sh" \
		'{ p = $1; sub(/^ *[0-9]+ /, "") }
		length($0) >= length(c) && substr($0, length($0) - length(c) + 1) == c { print p }')
	assert_match "$hutch_pid" '^[0-9]+$' "hutch exec -t's pid"
	ex_tty_type '\003'
	wait_for 5 eval '! ex_in_ctr_ps "sleep 100"' || t_fail "Ctrl-C did not interrupt the sleep"
	kill -0 "$hutch_pid" 2>/dev/null || t_fail "Ctrl-C killed hutch"
	ex_tty_type 'echo after-$((6*7))\n'
	ex_tty_expect 'after-42'
	# a new window size (SIGWINCH to hutch, relayed)
	pts=$(readlink "/proc/$hutch_pid/fd/0")
	assert_match "$pts" '^/dev/pts/[0-9]+$' "hutch's terminal"
	stty -F "$pts" rows 20 cols 70 || t_fail "stty -F $pts"
	ex_tty_type 'stty size\n'
	ex_tty_expect '^20 70'
	ex_tty_type 'exit 5\n'
	ex_tty_expect 'cmd-exit=5'
	ex_tty_expect 'tty-(not-)?restored'
	ex_tty_expect 'tty-restored' 0
	wait_for 10 t__exited "$T_TTYPID" || t_fail "script did not end"
	wait "$T_TTYPID"
}

test_tty_interactive() {
	ex_tail
	ex_tty_session
}

test_tty_interactive_userns() {
	[[ -e /proc/self/ns/user ]] || t_skip "no user namespaces"
	ex_tail
	userns_add 100000 65536
	ex_tty_session
}

# --- many at once; refusals

test_concurrent_50() {
	local i pids=() rc bad=()
	ex_tail
	ex_start
	for ((i = 0; i < 50; i++)); do
		HUTCH_IT_TAG=$T_TAG timeout -k 5 40 "$RUNTIME" --root "$T_ROOT" exec "$T_CID" \
			sh -c "echo ok-$i; readlink /proc/self/ns/pid" \
			</dev/null >"$T_DIR/c$i.out" 2>"$T_DIR/c$i.err" &
		pids+=($!)
	done
	for ((i = 0; i < 50; i++)); do
		wait "${pids[i]}"
		rc=$?
		[[ $rc == 0 && $(<"$T_DIR/c$i.out") == "ok-$i"$'\n'"$(readlink "/proc/$T_INIT/ns/pid")" ]] ||
			bad+=("#$i rc=$rc out=$(<"$T_DIR/c$i.out") err=$(<"$T_DIR/c$i.err")")
	done
	((${#bad[@]} == 0)) || t_fail "${#bad[@]} of 50 concurrent execs failed: ${bad[*]}"
	ex_check_ps 'tail -f /dev/null'
}

# ex_is_stopped: `state` says the container is stopped.
ex_is_stopped() {
	rt state "$T_CID"
	[[ $(jq -r .status <<<"$T_OUT" 2>/dev/null) == stopped ]]
}

# A container whose init has exited.
test_refuse_stopped() {
	ctr_args true
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	t_defer "rt delete -f $T_CID"
	rt run -d --bundle "$T_BUNDLE" "$T_CID"
	assert_rc 0 "run -d"
	wait_for 10 ex_is_stopped || t_fail "container did not stop: $T_OUT"
	ex -- echo should-not-run
	assert_ne "$T_RC" 0 "exec into a stopped container"
	assert_not_contains "$T_OUT" should-not-run
	assert_match "$T_ERR" 'stopped|not running' "error says why"
	rt state "$T_CID"
	assert_rc 0 "the container is still there after the refused exec"
}

# A running container whose init is killed from the host.
test_refuse_killed_init() {
	ex_tail
	ex_start
	kill -KILL "$T_INIT"
	wait_for 5 t__exited "$T_INIT" || t_fail "init $T_INIT did not die"
	ex -- echo should-not-run
	assert_ne "$T_RC" 0 "exec into a container whose init died"
	assert_not_contains "$T_OUT" should-not-run
	assert_match "$T_ERR" 'stopped|not running' "error says why"
}

# The init's pid now names another process (pid recycled): exec must not
# enter that process's namespaces.  Simulated by pointing hutch's state.json
# at a host process of ours (hutch-specific: skipped without that file).
test_refuse_recycled_pid() {
	local st decoy
	ex_tail
	ex_start
	st=$T_ROOT/$T_CID/state.json
	jq -e '.pid' "$st" >/dev/null 2>&1 || t_skip "no state.json with a pid in the state dir"
	kill -KILL "$T_INIT"
	wait_for 5 t__exited "$T_INIT" || t_fail "init $T_INIT did not die"
	sleep 1000 &
	decoy=$!
	t_defer "kill -KILL $decoy"
	jq --argjson p "$decoy" '.pid = $p' "$st" >"$st.new" || t_fail "rewrite $st"
	mv "$st.new" "$st"
	ex -- sh -c 'echo entered; readlink /proc/self/ns/mnt'
	assert_ne "$T_RC" 0 "exec through a recycled pid"
	assert_not_contains "$T_OUT" entered "exec ran in the namespaces of pid $decoy"
	assert_match "$T_ERR" 'stopped|not running' "error says why"
}

test_refuse_paused() {
	ex_tail
	ex_start
	rt pause "$T_CID"
	[[ $T_RC == 0 ]] || t_skip "pause not implemented: $T_ERR"
	t_defer "rt resume $T_CID"
	rt state "$T_CID"
	assert_eq "$(jq -r .status <<<"$T_OUT")" paused "state after pause"
	ex -- echo should-not-run
	assert_ne "$T_RC" 0 "exec into a paused container"
	assert_not_contains "$T_OUT" should-not-run
	assert_match "$T_ERR" 'paused' "error says why"
	rt resume "$T_CID"
	assert_rc 0 "resume"
	ex_check_ps 'tail -f /dev/null'
}

test_refuse_unknown_id() {
	T_CID=$T_ID-nonexistent
	ex -- echo should-not-run
	assert_ne "$T_RC" 0 "exec into an unknown id"
	assert_not_contains "$T_OUT" should-not-run
	assert_contains "$T_ERR" "container does not exist"
}
