# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# Bad input to `run`: each is refused with a non-zero exit below 128 (no
# crash), nothing on stdout, exactly one line on stderr naming the field or
# cause (starting with "hutch: " when the runtime is hutch), and (checked by lib.sh after every test) nothing left behind: the
# host's mounts, cgroup dirs, processes and the runtime's --root are as
# before.
#
# The regex after bad_input is what the error line must contain (ERE,
# case-insensitive); for config fields it is the field's JSON path, as in
# `hutch: linux.namespaces[5].type: unknown namespace 'foo'`.
#
# runc 1.1.5 is less strict: the tests marked "runc: FAILS" fail against it
# (it accepts the input, or its message does not name the field), which is
# fine: they are written for hutch.
# Sourced by lib.sh; see there for the helpers.

# bad_check REGEX: the last run (rt/run_ctr) was refused as described above.
bad_check() {
	# Under ASan (tests/run.sh's sanitizer stage) a child that _exit()s on
	# its own stack makes ASan print a 3-line warning about the stack
	# switch (google/sanitizers#189); it is not hutch's output.
	if [[ ${HUTCH_SANITIZED:-} == 1 ]]; then
		T_ERR=$(printf '%s\n' "$T_ERR" | sed '/^==[0-9]*==WARNING: ASan is ignoring requested __asan_handle_no_return/,+2d')
	fi
	[[ $T_RC != 0 ]] || t_fail "accepted (exit 0); stdout: $T_OUT; stderr: $T_ERR"
	((T_RC < 128)) || t_fail "crashed or killed by a signal: exit $T_RC; stderr: $T_ERR"
	[[ -n $T_ERR ]] || t_fail "no error message (exit $T_RC)"
	[[ $T_ERR != *$'\n'* ]] || t_fail "error is not one line: $T_ERR"
	[[ -z $T_OUT ]] || t_fail "output on stdout: $T_OUT"
	assert_match "$T_ERR" "$1" "error does not name the cause"
	# hutch's main() prints the one error as "hutch: MESSAGE"
	[[ ${RUNTIME##*/} != hutch* || $T_ERR == "hutch: "* ]] ||
		t_fail "error does not start with 'hutch: ': $T_ERR"
	t_log "error: $T_ERR" # shown with -v
}

# bad_input REGEX [RUN-FLAGS...]: run the test bundle, expect a refusal.
bad_input() {
	local re=$1
	shift
	run_ctr "$@"
	bad_check "$re"
}

CONFIG() { echo "$T_BUNDLE/config.json"; }

# --- JSON syntax and shape

test_bad_invalid_json() { # runc: FAILS (message does not name config.json)
	printf '{ "ociVersion": "1.0.2", nope }\n' >"$(CONFIG)"
	bad_input 'config\.json'
}

test_bad_truncated_json() { # runc: FAILS (idem)
	local s
	s=$(<"$(CONFIG)")
	printf '%s' "${s:0:${#s}/2}" >"$(CONFIG)"
	bad_input 'config\.json'
}

test_bad_empty_file() { # runc: FAILS (idem)
	: >"$(CONFIG)"
	bad_input 'config\.json'
}

test_bad_root_not_object() { # runc: FAILS (idem)
	echo '[1, 2, 3]' >"$(CONFIG)"
	bad_input 'config\.json'
}

test_bad_deeply_nested_json() { # runc: FAILS (idem)
	local deep
	deep=$(printf '%*s' 100000 '' | tr ' ' '[')
	cfg_raw '"process"' "\"x-unknown\": $deep, \"process\""
	bad_input 'config\.json'
}

test_bad_duplicate_json_keys() { # runc: FAILS (accepts it: Go's decoder takes the last)
	local s
	s=$(<"$(CONFIG)")
	printf '{"ociVersion": "1.0.0", %s\n' "${s#\{}" >"$(CONFIG)"
	bad_input 'ociVersion|duplicate'
}

test_bad_ten_mb_config() { # runc: FAILS (accepts it)
	head -c 10485760 /dev/zero | tr '\0' a >"$T_DIR/big"
	cfg_edit --rawfile v "$T_DIR/big" '.annotations.big = $v'
	bad_input 'config\.json|too (large|big)|larger'
}

test_bad_missing_config() {
	rm "$(CONFIG)"
	bad_input 'config\.json'
}

test_bad_missing_bundle() {
	rt run --bundle "$T_DIR/no-such-bundle" "$T_ID-x"
	bad_check 'no-such-bundle'
}

# --- ociVersion

test_bad_oci_version() { # runc: FAILS (accepts it)
	cfg_edit '.ociVersion = "banana"'
	bad_input 'ociVersion'
}

test_bad_oci_version_missing() { # runc: FAILS (accepts it)
	cfg_edit 'del(.ociVersion)'
	bad_input 'ociVersion'
}

# --- wrong types

test_bad_args_as_string() {
	cfg_edit '.process.args = "sh"'
	bad_input 'process\.args'
}

test_bad_uid_as_string() {
	cfg_edit '.process.user.uid = "0"'
	bad_input 'process\.user\.uid'
}

test_bad_mounts_not_array() {
	cfg_edit '.mounts = {}'
	bad_input 'mounts'
}

test_bad_namespace_type_not_string() {
	cfg_edit '.linux.namespaces += [{type: 5}]'
	bad_input 'linux\.namespaces'
}

# --- numbers

test_bad_negative_uid() {
	cfg_edit '.process.user.uid = -1'
	bad_input 'process\.user\.uid'
}

test_bad_uid_overflow() {
	cfg_edit '.process.user.uid = 4294967296'
	bad_input 'process\.user\.uid'
}

test_bad_int64_overflow() {
	cfg_edit '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: "@@N@@"}]'
	cfg_raw '"@@N@@"' 99999999999999999999999
	bad_input 'process\.rlimits'
}

test_bad_rlimit_soft_above_hard() { # runc: FAILS (fails late, message lacks the field)
	cfg_edit '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 2048, hard: 1024}]'
	bad_input 'process\.rlimits|RLIMIT_NOFILE'
}

test_bad_rlimit_name() {
	cfg_edit '.process.rlimits += [{type: "RLIMIT_FOO", soft: 1, hard: 1}]'
	bad_input 'process\.rlimits|RLIMIT_FOO'
}

# --- strings

test_bad_long_hostname() {
	cfg_edit --arg h "$(printf '%*s' 102400 '' | tr ' ' h)" '.hostname = $h'
	bad_input 'hostname'
}

test_bad_unknown_capability() { # runc: FAILS (warns and ignores it)
	cfg_edit '.process.capabilities.bounding += ["CAP_FOO"]'
	bad_input 'process\.capabilities|CAP_FOO'
}

# --- root

test_bad_missing_root() {
	cfg_edit 'del(.root)'
	bad_input '(^|[^a-z])root'
}

test_bad_missing_root_path() { # runc: FAILS (takes the bundle dir as rootfs)
	cfg_edit 'del(.root.path)'
	bad_input 'root\.path'
}

test_bad_empty_root_path() { # runc: FAILS (idem)
	cfg_edit '.root.path = ""'
	bad_input 'root\.path'
}

test_bad_nonexistent_rootfs() {
	cfg_edit '.root.path = "no-such-rootfs"'
	bad_input 'no-such-rootfs'
}

test_bad_rootfs_is_a_file() {
	cfg_edit '.root.path = "config.json"'
	bad_input 'root|config\.json|not a directory'
}

# --- namespaces

test_bad_unknown_namespace() { # runc: FAILS (message lacks the field)
	ns_add foo
	bad_input 'linux\.namespaces'
}

test_bad_duplicate_namespace() { # runc: FAILS (idem)
	cfg_edit '.linux.namespaces += [{type: "pid"}]'
	bad_input 'linux\.namespaces'
}

test_bad_namespace_path_not_a_namespace() { # runc: FAILS (three log lines)
	ns_add network /etc/passwd
	bad_input 'linux\.namespaces|/etc/passwd'
}

test_bad_namespace_path_nonexistent() {
	ns_add network /nonexistent/netns
	bad_input 'linux\.namespaces|/nonexistent/netns'
}

test_bad_namespace_path_wrong_type() { # runc: FAILS (idem)
	ns_add network /proc/self/ns/ipc
	bad_input 'linux\.namespaces|/proc/self/ns/ipc'
}

test_bad_overlapping_uid_maps() { # runc: FAILS (three log lines)
	userns_add 100000 65536
	cfg_edit '.linux.uidMappings += [{containerID: 1000, hostID: 200000, size: 10}]'
	bad_input 'linux\.uidMappings|uid.?map'
}

test_bad_uid_map_size_zero() { # runc: FAILS (message lacks the field)
	userns_add 100000 65536
	cfg_edit '.linux.uidMappings[0].size = 0'
	bad_input 'linux\.uidMappings|uid.?map'
}

test_bad_hostname_without_uts_namespace() {
	ns_del uts
	cfg_edit '.hostname = "h"'
	bad_input 'hostname|uts'
}

test_bad_sysctl_net_without_net_namespace() {
	ns_del network
	cfg_edit '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	bad_input 'linux\.sysctl|net\.ipv4\.ip_forward'
}

# --- mounts and devices

test_bad_mount_option() {
	mount_add /mnt/bad tmpfs tmpfs size=bogus
	bad_input 'mounts|/mnt/bad'
}

test_bad_mount_relative_destination() { # runc: FAILS (accepts it with a warning)
	mount_add mnt/rel tmpfs tmpfs
	bad_input 'mounts|destination|mnt/rel'
}

test_bad_mount_missing_destination() { # runc: FAILS (several lines)
	cfg_edit '.mounts += [{type: "tmpfs", source: "tmpfs"}]'
	bad_input 'mounts|destination'
}

test_bad_device_type() { # runc: FAILS (message lacks the field)
	cfg_edit '.linux.devices = [{path: "/dev/x", type: "x", major: 1, minor: 3}]'
	bad_input 'linux\.devices'
}

# --- process

test_bad_missing_process() {
	cfg_edit 'del(.process)'
	bad_input 'process'
}

test_bad_empty_args() { # runc: FAILS (idem)
	cfg_edit '.process.args = []'
	bad_input 'process\.args'
}

test_bad_command_not_found() {
	ctr_args no-such-command
	bad_input 'no-such-command'
}

test_bad_command_not_executable() {
	ctr_args /etc/passwd
	bad_input '/etc/passwd'
}

test_bad_cwd_relative() { # runc: FAILS (idem)
	cfg_edit '.process.cwd = "tmp"'
	bad_input 'process\.cwd'
}

# --- command line

test_bad_unknown_flag() { # runc: FAILS (prints its usage on stdout)
	bad_input 'no-such-flag' --no-such-flag
}

# Control characters of the input (here a newline and an escape sequence in
# the id) are shown escaped: still one line, on stderr and in the text log.
test_bad_id_with_control_characters() {
	rt --log "$T_DIR/log" run --bundle "$T_BUNDLE" $'x\nhutch: forged line\e[2J'
	bad_check 'invalid container id.*\\x0a.*\\x1b'
	assert_eq "$(wc -l <"$T_DIR/log")" 1 "lines in the text log"
}
test_bad_no_container_id() { # runc: FAILS (idem)
	rt run --bundle "$T_BUNDLE"
	bad_check '(^|[^a-z])id([^a-z]|$)|container.?id|argument'
}

test_bad_container_id_with_slash() {
	rt run --bundle "$T_BUNDLE" ../escape
	bad_check '(^|[^a-z])id([^a-z]|$)|\.\./escape'
	[[ ! -e $T_DIR/escape ]] || t_fail "state written outside --root"
}
