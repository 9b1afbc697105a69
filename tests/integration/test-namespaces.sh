# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# Namespaces: for each type, a new one when the spec asks for it, the host's
# when it does not, and an existing one joined through `path`; user namespace
# id mapping and time namespace offsets.
# Sourced by lib.sh; see there for the helpers.

NS_TYPES=(pid network mount ipc uts user cgroup time)

# ns_proc TYPE: the name of TYPE under /proc/PID/ns.
ns_proc() {
	case $1 in
	network) echo net ;;
	mount) echo mnt ;;
	*) echo "$1" ;;
	esac
}

ns_require() {
	[[ -e /proc/self/ns/$(ns_proc "$1") ]] || t_skip "the kernel has no $1 namespaces"
}

# ns_of_ctr TYPE: run the container, its namespace of TYPE in T_OUT.
ns_of_ctr() {
	ctr_sh_ok "readlink /proc/self/ns/$(ns_proc "$1")"
	assert_match "$T_OUT" "^$(ns_proc "$1"):\[[0-9]+\]$" "readlink /proc/self/ns/$(ns_proc "$1")"
}

# --- new namespace when requested

ns_new() {
	local t=$1 host
	ns_require "$t"
	host=$(readlink "/proc/$$/ns/$(ns_proc "$t")")
	if [[ $t == user ]]; then
		userns_add 100000 65536
	else
		ns_add "$t"
	fi
	ns_of_ctr "$t"
	assert_ne "$T_OUT" "$host" "container's $t namespace is the host's"
}

# --- the host's namespace when not requested

ns_host() {
	local t=$1 host
	ns_require "$t"
	host=$(readlink "/proc/$$/ns/$(ns_proc "$t")")
	ns_del "$t"
	case $t in
	uts) cfg_edit 'del(.hostname, .domainname)' ;; # need a uts namespace
	user) cfg_edit 'del(.linux.uidMappings, .linux.gidMappings)' ;;
	time) cfg_edit 'del(.linux.timeOffsets)' ;;
	esac
	ns_of_ctr "$t"
	assert_eq "$T_OUT" "$host" "container's $t namespace"
}

# Without a mount namespace a runtime would build the container's root in the
# host's mount table.  Refusing that (as runc does) is fine; if the runtime
# does run it, the container must be in its caller's mount namespace.  Run in
# a throw-away mount namespace so that a wrong runtime cannot harm the host.
test_ns_mount_host() {
	ns_del mount
	T_WRAP=(unshare --mount --propagation private
		sh -c 'readlink /proc/self/ns/mnt >"$0" && exec "$@"' "$T_DIR/caller-mnt")
	ctr_sh 'readlink /proc/self/ns/mnt'
	if [[ $T_RC == 0 ]]; then
		assert_eq "$T_OUT" "$(<"$T_DIR/caller-mnt")" "container's mount namespace"
	else
		assert_match "$T_ERR" 'mount|namespace' "refusal names the mount namespace"
		[[ $T_ERR != *$'\n'* ]] || t_fail "error is more than one line: $T_ERR"
	fi
}

# --- joining an existing namespace through `path`

# hold_ns TYPE: create a namespace of TYPE outside any container and keep it
# alive until the test ends; sets HELD_PATH (a file naming it) and HELD_NS
# ("net:[1234]").  net, ipc, uts and cgroup namespaces are kept by a bind
# mount of their nsfs file (as `ip netns` does); pid, time, mount and user
# namespaces by a sleeping process.
hold_ns() {
	local t=$1 p upid pid host
	p=$(ns_proc "$t")
	host=$(readlink "/proc/$$/ns/$p")
	case $t in
	network | ipc | uts | cgroup)
		HELD_PATH=$T_DIR/ns-$p
		touch "$HELD_PATH"
		unshare --"$p"="$HELD_PATH" true || t_fail "unshare --$p=$HELD_PATH failed"
		t_defer "umount '$HELD_PATH'"
		;;
	pid | time)
		unshare --"$t" --fork sleep 60 &
		upid=$!
		t_defer "kill -KILL $upid; wait $upid"
		wait_for 5 first_child "$upid" || t_fail "unshare --$t --fork: no child"
		pid=$FIRST_CHILD
		t_defer "kill -KILL $pid"
		HELD_PATH=/proc/$pid/ns/$p
		;;
	mount | user)
		unshare --"$t" sleep 60 &
		pid=$!
		t_defer "kill -KILL $pid; wait $pid"
		HELD_PATH=/proc/$pid/ns/$p
		;;
	esac
	wait_for 5 eval "[[ \$(readlink '$HELD_PATH' 2>/dev/null || echo \"$p:[\$(stat -L -c %i '$HELD_PATH')]\") != '$host' ]]" ||
		t_fail "no new $t namespace at $HELD_PATH"
	HELD_NS="$p:[$(stat -L -c %i "$HELD_PATH")]"
	if [[ $t == user ]]; then
		echo '0 100000 65536' >"/proc/$pid/uid_map" &&
			echo '0 100000 65536' >"/proc/$pid/gid_map" || t_fail "cannot write id maps of $pid"
	fi
}

# first_child PID: sets FIRST_CHILD to a child of PID; 1 if it has none.
first_child() {
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	FIRST_CHILD=${c%% *}
	[[ -n $FIRST_CHILD ]]
}

ns_join() {
	local t=$1
	ns_require "$t"
	hold_ns "$t"
	[[ $t == user ]] && userns_add 100000 65536
	ns_add "$t" "$HELD_PATH"
	ns_of_ctr "$t"
	assert_eq "$T_OUT" "$HELD_NS" "container did not join the $t namespace at $HELD_PATH"
}

for t in "${NS_TYPES[@]}"; do
	eval "test_ns_${t}_new() { ns_new $t; }"
	[[ $t == mount ]] || eval "test_ns_${t}_host() { ns_host $t; }"
	eval "test_ns_${t}_join_path() { ns_join $t; }"
done
unset t

# --- user namespace: container root is the mapped host uid

test_userns_file_owner_on_host() {
	ns_require user
	userns_add 100000 65536
	bind_add "$T_DIR/shared" /shared
	mkdir "$T_BUNDLE/rootfs/shared" # container root may not create it
	ctr_sh_ok 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /shared/f; mkdir /shared/d'
	assert_eq "$(sed -n 1,2p <<<"$T_OUT" | tr '\n' ' ')" "0 0 " "ids inside"
	assert_match "$(sed -n 3p <<<"$T_OUT")" '^ *0 +100000 +65536$' "uid_map"
	assert_match "$(sed -n 4p <<<"$T_OUT")" '^ *0 +100000 +65536$' "gid_map"
	assert_eq "$(stat -c %u:%g "$T_DIR/shared/f")" 100000:100000 "owner on the host of a file made by container root"
	assert_eq "$(stat -c %u:%g "$T_DIR/shared/d")" 100000:100000 "owner on the host of a dir made by container root"
}

# A non-zero container uid maps too: uid 1000 inside -> 101000 outside.
test_userns_non_root_owner_on_host() {
	ns_require user
	userns_add 100000 65536
	cfg_edit '.process.user = {uid: 1000, gid: 1000}'
	bind_add "$T_DIR/shared" /shared
	mkdir "$T_BUNDLE/rootfs/shared"
	ctr_sh_ok 'touch /shared/f'
	assert_eq "$(stat -c %u:%g "$T_DIR/shared/f")" 101000:101000
}

# --- time namespace offsets

test_timens_offsets_uptime() {
	local host ctr
	ns_require time
	ns_add time
	cfg_edit '.linux.timeOffsets = {boottime: {secs: 1000000, nanosecs: 0},
		monotonic: {secs: 1000000, nanosecs: 0}}'
	ctr_sh_ok 'cat /proc/uptime'
	read -r host _ </proc/uptime
	ctr=${T_OUT%% *}
	# uptime inside = host's + 1000000 s (give or take the run's duration)
	awk -v c="$ctr" -v h="$host" 'BEGIN { d = c - h - 1000000; exit !(d > -30 && d < 30) }' ||
		t_fail "uptime inside $ctr, host $host: not shifted by 1000000 s"
}

test_timens_without_offsets() {
	local host ctr
	ns_require time
	ns_add time
	ctr_sh_ok 'cat /proc/uptime'
	read -r host _ </proc/uptime
	ctr=${T_OUT%% *}
	awk -v c="$ctr" -v h="$host" 'BEGIN { d = c - h; exit !(d > -30 && d < 30) }' ||
		t_fail "uptime inside $ctr, host $host: shifted without timeOffsets"
}
