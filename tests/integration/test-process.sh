# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# The container process: exit status, signals, capabilities, rlimits,
# noNewPrivileges, umask, user and groups, cwd, env, oomScoreAdj, PATH search.
# Sourced by lib.sh; see there for the helpers.

# --- exit status

test_exit_status_passthrough() {
	local n
	for n in 0 3 255; do
		ctr_sh "exit $n"
		assert_rc "$n" "exit $n"
	done
}

# Killed by a signal -> 128+N.  Without a pid namespace, because the init of
# a pid namespace ignores signals it has no handler for, even its own.
test_exit_killed_by_own_signal() {
	ns_del pid
	ctr_sh 'kill -KILL $$'
	assert_rc 137 "container killed by SIGKILL"
}

# The same from the host, via --pid-file (which must name the container's
# process as the host sees it).
test_exit_killed_from_host_pid_file() {
	local pid
	ctr_args sleep 30
	ctr_bg --pid-file "$T_DIR/pid"
	wait_for 10 test -s "$T_DIR/pid" || t_fail "pid file not written"
	pid=$(<"$T_DIR/pid")
	assert_match "$pid" '^[0-9]+$' "pid file content"
	grep -qsxz "HUTCH_IT_TAG=$T_TAG" "/proc/$pid/environ" ||
		t_fail "pid file ($pid) does not name the container process"
	wait_for 10 grep -qsxz 'sleep' "/proc/$pid/cmdline" ||
		t_fail "container process never ran its args"
	kill -KILL "$pid"
	ctr_wait
	assert_rc 137 "container killed by SIGKILL from the host"
}

# SIGTERM, SIGINT and SIGHUP sent to the runtime reach the container process.
signal_forward() {
	local sig=$1
	bind_add "$T_DIR/shared" /shared
	ctr_args sh -c "trap 'exit 42' $sig; touch /shared/ready; while :; do sleep 0.1; done"
	ctr_bg
	wait_for 10 test -e "$T_DIR/shared/ready" || {
		kill -KILL "$T_BGPID"
		t_fail "container did not start: $(<"$T_DIR/err")"
	}
	kill -"$sig" "$T_BGPID"
	ctr_wait
	assert_rc 42 "SIG$sig forwarded to the container"
}
test_signal_forward_TERM() { signal_forward TERM; }
test_signal_forward_INT() { signal_forward INT; }
test_signal_forward_HUP() { signal_forward HUP; }

# --- capabilities

CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID
	SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW
	IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT
	SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
	AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM
	BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)

# caps_mask NAME...: the /proc/PID/status hex mask of capability names.
caps_mask() {
	local name i mask=0 found
	for name; do
		found=
		for i in "${!CAP_NAMES[@]}"; do
			if [[ CAP_${CAP_NAMES[i]} == "$name" ]]; then
				mask=$((mask | (1 << i)))
				found=1
			fi
		done
		[[ -n $found ]] || t_fail "caps_mask: unknown capability $name"
	done
	printf '%016x' "$mask"
}

# set_caps BOUNDING INHERITABLE PERMITTED EFFECTIVE AMBIENT (space-separated
# names without CAP_, "" for none).
set_caps() {
	local names=() set i=0 json='{}'
	for set in bounding inheritable permitted effective ambient; do
		i=$((i + 1))
		json=$(jq -c --arg s "$set" --arg v "${!i}" \
			'.[$s] = ($v | split(" ") | map(select(. != "") | "CAP_" + .))' <<<"$json")
	done
	cfg_edit --argjson c "$json" '.process.capabilities = $c'
}

# check_caps: the container's Cap* lines equal the config's five sets.  The
# kernel only keeps an ambient capability that is also permitted and
# inheritable, so that is what is expected for CapAmb.
check_caps() {
	local cfg=$T_BUNDLE/config.json set line field want got
	local -A expect
	for set in bounding inheritable permitted effective ambient; do
		mapfile -t names < <(jq -r --arg s "$set" '.process.capabilities[$s][]?' "$cfg")
		expect[$set]=$(caps_mask "${names[@]}")
	done
	expect[ambient]=$(printf '%016x' $((0x${expect[ambient]} & 0x${expect[inheritable]} & 0x${expect[permitted]})))
	ctr_sh_ok 'grep ^Cap /proc/self/status'
	for field in CapBnd:bounding CapInh:inheritable CapPrm:permitted CapEff:effective CapAmb:ambient; do
		line=$(grep "^${field%%:*}:" <<<"$T_OUT") || t_fail "no ${field%%:*} line in: $T_OUT"
		got=${line##*[[:space:]]}
		want=${expect[${field#*:}]}
		assert_eq "$got" "$want" "${field%%:*} vs process.capabilities.${field#*:}"
	done
}

test_caps_default_spec() {
	check_caps
}

test_caps_root_custom() {
	set_caps "CHOWN NET_ADMIN SYS_TIME" "CHOWN NET_ADMIN" "CHOWN NET_ADMIN SYS_TIME" \
		"CHOWN NET_ADMIN SYS_TIME" "CHOWN NET_ADMIN"
	check_caps
}

# A non-root process keeps across execve only its ambient capabilities.
test_caps_non_root() {
	cfg_edit '.process.user = {uid: 1000, gid: 1000}'
	set_caps "CHOWN KILL NET_RAW SYS_NICE SETUID" "NET_RAW SYS_NICE" "NET_RAW SYS_NICE" \
		"NET_RAW SYS_NICE" "NET_RAW SYS_NICE"
	check_caps
}

# Every capability the host's bounding set holds (a runtime cannot grant
# more; this VM for one lacks CAP_SYS_RESOURCE).
test_caps_all_of_host() {
	local hostbnd i all=()
	hostbnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
	for i in "${!CAP_NAMES[@]}"; do
		((0x$hostbnd & (1 << i))) && all+=("${CAP_NAMES[i]}")
	done
	((${#all[@]} > 30)) || t_skip "the host bounding set holds only ${#all[@]} capabilities"
	set_caps "${all[*]}" "${all[*]}" "${all[*]}" "${all[*]}" "${all[*]}"
	check_caps
	assert_eq "$(caps_mask CAP_CHECKPOINT_RESTORE)" 0000010000000000 "cap table"
}

test_caps_none() {
	set_caps "" "" "" "" ""
	check_caps
}

# --- rlimits

# Within the host's hard limits: this VM has no CAP_SYS_RESOURCE.
test_rlimits() {
	ctr_args sh -c 'ulimit -n; ulimit -Hn; cat /proc/self/limits'
	cfg_edit '.process.rlimits = [
		{type: "RLIMIT_NOFILE", soft: 1234, hard: 4096},
		{type: "RLIMIT_NPROC", soft: 100, hard: 200},
		{type: "RLIMIT_CORE", soft: 0, hard: "@@MAX@@"}]'
	cfg_raw '"@@MAX@@"' 18446744073709551615
	run_ctr
	assert_rc 0
	assert_eq "$(sed -n 1p <<<"$T_OUT")" 1234 "ulimit -n"
	assert_eq "$(sed -n 2p <<<"$T_OUT")" 4096 "ulimit -Hn"
	assert_match "$T_OUT" '^Max open files +1234 +4096 ' "RLIMIT_NOFILE"
	assert_match "$T_OUT" '^Max processes +100 +200 ' "RLIMIT_NPROC"
	assert_match "$T_OUT" '^Max core file size +0 +unlimited ' "RLIMIT_CORE"
}

# --- noNewPrivileges, umask, oomScoreAdj

test_no_new_privileges_true() {
	cfg_edit '.process.noNewPrivileges = true'
	ctr_sh_ok 'grep ^NoNewPrivs: /proc/self/status'
	assert_match "$T_OUT" '^NoNewPrivs:[[:space:]]+1$'
}

test_no_new_privileges_false() {
	cfg_edit '.process.noNewPrivileges = false'
	ctr_sh_ok 'grep ^NoNewPrivs: /proc/self/status'
	assert_match "$T_OUT" '^NoNewPrivs:[[:space:]]+0$'
}

test_umask() {
	cfg_edit '.process.user.umask = 23' # 0027
	mount_add /tmp tmpfs tmpfs # the default root is read-only
	ctr_sh_ok 'umask; touch /tmp/f; stat -c %a /tmp/f'
	assert_eq "$T_OUT" $'0027\n640'
}

test_oom_score_adj() {
	cfg_edit '.process.oomScoreAdj = 123'
	ctr_sh_ok 'cat /proc/self/oom_score_adj'
	assert_eq "$T_OUT" 123
}

# --- user and groups

test_user_uid_gid_additional_gids() {
	cfg_edit '.process.user = {uid: 1000, gid: 1001, additionalGids: [5, 2000]}'
	ctr_sh_ok 'id -u; id -g; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	assert_eq "$(sed -n 1p <<<"$T_OUT")" 1000 "id -u"
	assert_eq "$(sed -n 2p <<<"$T_OUT")" 1001 "id -g"
	assert_match "$T_OUT" $'^Uid:\t1000\t1000\t1000\t1000$' "all four uids"
	assert_match "$T_OUT" $'^Gid:\t1001\t1001\t1001\t1001$' "all four gids"
	assert_match "$T_OUT" '^Groups:[[:space:]]+5 2000[[:space:]]*$' "additionalGids"
}

# The runtime's own supplementary groups must not leak into the container.
test_user_no_additional_gids_clears_groups() {
	cfg_edit '.process.user = {uid: 0, gid: 0}'
	T_WRAP=(setpriv --groups "4,24")
	ctr_sh_ok 'grep ^Groups: /proc/self/status'
	assert_match "$T_OUT" '^Groups:[[:space:]]*$' "host groups 4,24 leaked"
}

test_root_additional_gids() {
	cfg_edit '.process.user = {uid: 0, gid: 0, additionalGids: [20, 10]}'
	ctr_sh_ok 'grep ^Groups: /proc/self/status'
	assert_match "$T_OUT" '^Groups:[[:space:]]+10 20[[:space:]]*$'
}

# --- cwd, env, args

test_cwd() {
	cfg_edit '.process.cwd = "/etc"'
	ctr_args pwd
	run_ctr
	assert_rc 0
	assert_eq "$T_OUT" /etc
}

# The environment is exactly process.env (a runtime may add HOME when the
# config has none), nothing of the runtime's own environment.
test_env_exact() {
	cfg_edit --arg tag "HUTCH_IT_TAG=$T_TAG" \
		'.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "EMPTY=", "WITH_EQ=a=b", $tag]'
	ctr_args env
	T_WRAP=(env HUTCH_HOST_ONLY=leaked)
	run_ctr
	assert_rc 0
	assert_eq "$(grep -v '^HOME=/' <<<"$T_OUT" | sort)" \
		"$(printf '%s\n' "PATH=/bin:/usr/bin" "FOO=bar baz" "EMPTY=" "WITH_EQ=a=b" "HUTCH_IT_TAG=$T_TAG" | sort)"
	assert_not_contains "$T_OUT" HUTCH_HOST_ONLY
}

# HOME, when process.env has none, is the user's home directory in the
# container's /etc/passwd, else "/" (as runc); one given is kept.  The same
# for exec.
test_home_from_container_passwd() {
	cfg_edit '.process.env = ["PATH=/bin"]'
	ctr_sh_ok 'echo "home=$HOME"; env | grep -c "^HOME="'
	assert_eq "$T_OUT" "home=/root
1" "uid 0 (root:...:/root in the image)"
	cfg_edit '.process.user = {uid: 1000, gid: 1000}'
	ctr_sh_ok 'echo "home=$HOME"'
	assert_eq "$T_OUT" "home=/tmp" "uid 1000 (user:...:/tmp in the image)"
	cfg_edit '.process.user = {uid: 4242, gid: 4242}'
	ctr_sh_ok 'echo "home=$HOME"'
	assert_eq "$T_OUT" "home=/" "a uid without a passwd line"
	cfg_edit '.process.user = {uid: 0, gid: 0} | .process.env = ["PATH=/bin", "HOME=/given"]'
	ctr_sh_ok 'echo "home=$HOME"'
	assert_eq "$T_OUT" "home=/given" "HOME given in process.env"

	cfg_edit '.process.env = ["PATH=/bin"]'
	ctr_args sleep 60
	ctr_bg
	wait_for 10 rt_running || t_fail "the container did not start"
	rt exec --user 1000:1000 "$T_CID" sh -c 'echo "home=$HOME"'
	assert_eq "$T_OUT" "home=/tmp" "exec --user 1000"
	rt exec --env HOME=/mine "$T_CID" sh -c 'echo "home=$HOME"'
	assert_eq "$T_OUT" "home=/mine" "exec --env HOME"
	rt kill "$T_CID" KILL
	ctr_wait
}

rt_running() {
	rt state "$T_CID"
	[[ $(jq -r .status <<<"$T_OUT" 2>/dev/null) == running ]]
}

# args[0] without a slash is searched in the container's PATH (process.env),
# not the host's.
test_args_path_search() {
	mkdir -p "$T_BUNDLE/rootfs/custom"
	printf '#!/bin/sh\necho custom-hello\n' >"$T_BUNDLE/rootfs/custom/hello"
	chmod 755 "$T_BUNDLE/rootfs/custom/hello"
	cfg_edit '.process.env = (.process.env | map(select(startswith("PATH=") | not))) + ["PATH=/custom:/bin"]'
	ctr_args hello
	run_ctr
	assert_rc 0
	assert_eq "$T_OUT" custom-hello
}

# process.apparmorProfile / selinuxLabel: applied where the module is
# enabled on the host (a profile that is not loaded then fails the start,
# naming the field), ignored where it is not, as runc does.
test_lsm_labels_follow_the_host() {
	local aa=0 se=0
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] && aa=1
	[[ $(stat -f -c %T /sys/fs/selinux 2>/dev/null) == selinux ]] && se=1
	cfg_edit '.process.apparmorProfile = "hutch-test-no-such-profile"'
	ctr_args true
	run_ctr
	if ((aa)); then
		assert_ne "$T_RC" 0 "a profile that is not loaded"
		assert_contains "$T_ERR" "process.apparmorProfile 'hutch-test-no-such-profile'"
	else
		assert_rc 0 "apparmorProfile on a host without AppArmor: $T_ERR"
	fi
	cfg_edit 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:hutch_no_such_t:s0"'
	run_ctr
	if ((se)); then
		assert_ne "$T_RC" 0 "a context the policy does not know"
		assert_contains "$T_ERR" "process.selinuxLabel"
	else
		assert_rc 0 "selinuxLabel on a host without SELinux: $T_ERR"
	fi
}
