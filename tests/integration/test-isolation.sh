# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# What the container sees: its own process tree, hostname and domainname,
# network devices, IPC objects.
# Sourced by lib.sh; see there for the helpers.

# The process is PID 1 and `ps` lists only the container's processes (the
# shell and ps itself), none of the host's.
test_pid1_and_ps_sees_only_container() {
	# `set -- /proc/[0-9]*` runs in the shell itself: one process exactly
	ctr_sh_ok 'echo $$; ps -o pid,comm; set -- /proc/[0-9]*; echo $# $*'
	assert_eq "$(sed -n 1p <<<"$T_OUT")" 1 "the container process is PID 1"
	local procs
	procs=$(sed -n '3,$p' <<<"$T_OUT" | sed '$d')
	assert_eq "$(wc -l <<<"$procs")" 2 "ps lists two processes; got: $procs"
	assert_match "$(sed -n 1p <<<"$procs")" '^ *1 +sh$' "PID 1 is the shell"
	assert_match "$(sed -n 2p <<<"$procs")" '^ *[0-9]+ +(ps|sh)$' "the other is ps"
	assert_eq "$(sed -n '$p' <<<"$T_OUT")" "1 /proc/1" "process dirs in /proc"
}

test_ps_aux_busybox_no_host_processes() {
	ctr_sh_ok 'sleep 5 & ps; kill $!'
	# Host processes (e.g. the runtime, our test shell) would show up here.
	assert_not_contains "$T_OUT" "$RUNTIME"
	assert_not_contains "$T_OUT" lib.sh
	assert_eq "$(sed 1d <<<"$T_OUT" | wc -l)" 3 "sh, sleep, ps; got: $T_OUT"
}

test_hostname() {
	local host_hn
	host_hn=$(uname -n)
	cfg_edit '.hostname = "ctr-test-host"'
	ctr_sh_ok 'hostname; uname -n'
	assert_eq "$T_OUT" $'ctr-test-host\nctr-test-host'
	assert_eq "$(uname -n)" "$host_hn" "host's hostname changed"
}

# runc 1.1 ignores domainname (added in runc 1.2): fails against it.
test_domainname() {
	local host_dn
	host_dn=$(</proc/sys/kernel/domainname)
	cfg_edit '.hostname = "ctr-test-host" | .domainname = "ctr.example"'
	ctr_sh_ok 'cat /proc/sys/kernel/domainname'
	assert_eq "$T_OUT" ctr.example
	assert_eq "$(</proc/sys/kernel/domainname)" "$host_dn" "host's domainname changed"
}

# Changing the hostname inside changes it only inside.
test_hostname_set_inside_stays_inside() {
	local host_hn
	host_hn=$(uname -n)
	cfg_edit '.hostname = "before" | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	ctr_sh_ok 'hostname after; hostname'
	assert_eq "$T_OUT" after
	assert_eq "$(uname -n)" "$host_hn" "host's hostname changed"
}

# Only lo, and it is up.
test_net_only_lo_and_up() {
	ctr_sh_ok 'ls /sys/class/net; cat /sys/class/net/lo/flags; ip -o link'
	local lines
	mapfile -t lines <<<"$T_OUT"
	assert_eq "${lines[0]}" lo "network devices"
	assert_eq "$(((${lines[1]} & 1)))" 1 "IFF_UP in lo's flags ${lines[1]}"
	assert_eq "${#lines[@]}" 3 "one link; got: $T_OUT"
	assert_match "${lines[2]}" '^1: lo: <LOOPBACK,UP,LOWER_UP>'
}

test_net_lo_works() {
	cfg_edit '.process.capabilities |= with_entries(
		if .key == "inheritable" then . else .value += ["CAP_NET_RAW"] end)'
	ctr_sh_ok 'ip -4 addr show lo; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo ping-ok'
	assert_contains "$T_OUT" "inet 127.0.0.1/8"
	assert_contains "$T_OUT" ping-ok
}

# A POSIX message queue made inside is not seen on the host, nor is the
# host's seen inside (IPC namespace with its own mqueue mount).
test_ipc_mqueue_isolated() {
	local mq=$T_DIR/host-mqueue
	mkdir "$mq"
	mount -t mqueue none "$mq" || t_skip "cannot mount the host's mqueue fs"
	t_defer "rm -f '$mq/hutch-it-$$'; umount '$mq'"
	: >"$mq/hutch-it-$$" || t_fail "cannot create a message queue on the host"
	ctr_sh_ok 'ls /dev/mqueue; : > /dev/mqueue/inside; ls /dev/mqueue'
	assert_eq "$T_OUT" inside "queues seen inside"
	[[ ! -e $mq/inside ]] || {
		rm -f "$mq/inside"
		t_fail "the container's queue appeared on the host"
	}
}
