# list, ps and features: what engines read about containers and about the
# runtime.  Output formats are runc's (1.1.5): list's table and JSON, ps's
# JSON array of host pids (containerd's shim parses it) and its filtered
# ps(1) table.
# Sourced by lib.sh; see there for the helpers.

# ctr_create [ID]: create (not start) a container of the test bundle running
# `sleep 30`; sets T_CID; deleted when the test ends.
ctr_create() {
	T_N=$((T_N + 1))
	T_CID=${1:-$T_ID-$T_N}
	rt create --bundle "$T_BUNDLE" "$T_CID"
	assert_rc 0 "create $T_CID"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
}

# ctr_pid ID: the init pid from `state`.
ctr_pid() {
	rt state "$1"
	jq -r .pid <<<"$T_OUT"
}

# tree_pids PID: PID and its descendants as the host sees them, one a line,
# sorted (what ps --format json must answer without cgroups).
tree_pids() {
	ps -e -o pid=,ppid=,stat= | awk -v root="$1" '
		$3 !~ /^Z/ { parent[$1] = $2 }
		END {
			for (p in parent) {
				for (q = p; q > 1; q = parent[q]) if (q == root) { print p; break }
			}
		}' | sort -n
}

# --- list

test_list_empty() {
	# --root does not exist yet: an empty list, not an error.
	[[ ! -e $T_ROOT ]] || t_fail "$T_ROOT exists before the first container"
	rt list
	assert_rc 0 "list of a missing root"
	assert_match "$T_OUT" '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$' "table header"
	rt list --format json
	assert_rc 0
	assert_eq "$T_OUT" null "empty list as json"
	rt list -q
	assert_rc 0
	assert_eq "$T_OUT" "" "empty list, quiet"
}

test_list_one() {
	local pid row
	ctr_args sleep 30
	ctr_create
	pid=$(ctr_pid "$T_CID")
	rt list
	assert_rc 0
	row=$(sed -n 2p <<<"$T_OUT")
	assert_match "$row" "^$T_CID +$pid +created +$T_BUNDLE +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +root$" "table row"
	[[ $(wc -l <<<"$T_OUT") == 2 ]] || t_fail "one container, two lines expected: $T_OUT"

	rt start "$T_CID"
	assert_rc 0 "start"
	rt list -q
	assert_eq "$T_OUT" "$T_CID" "list -q"
	rt list -f json
	assert_rc 0
	jq -e --arg id "$T_CID" --argjson pid "$pid" --arg b "$T_BUNDLE" '
		length == 1 and .[0].id == $id and .[0].pid == $pid and .[0].status == "running"
		and .[0].bundle == $b and (.[0].rootfs | type) == "string"
		and (.[0].created | type) == "string" and .[0].owner == "root"
		and (.[0].ociVersion | type) == "string"' <<<"$T_OUT" >/dev/null ||
		t_fail "list -f json: $T_OUT"

	# Stopped: pid 0, as runc shows it.
	kill -KILL "$pid"
	wait_for 10 t__exited "$pid" || t_fail "container process did not die"
	rt list --format json
	jq -e '.[0].status == "stopped" and .[0].pid == 0' <<<"$T_OUT" >/dev/null ||
		t_fail "stopped container in list: $T_OUT"
}

# Columns are aligned as Go's tabwriter aligns runc's: each as wide as its
# widest cell plus 3; rows sorted by id.
test_list_table_alignment() {
	ctr_args sleep 30
	ctr_create "$T_ID-b"
	ctr_create "$T_ID-a-longer-id"
	rt list
	assert_rc 0
	awk -v a="$T_ID-a-longer-id" -v b="$T_ID-b" '
		NR == 1 { col = index($0, "PID") }
		NR == 2 && $1 != a { print "row 1 is " $1; exit 1 }
		NR == 3 && $1 != b { print "row 2 is " $1; exit 1 }
		NR > 1 && substr($0, col, 1) == " " { print "PID not at column " col ": " $0; exit 1 }
		NR > 1 && substr($0, col - 3, 3) != "   " { print "padding: " $0; exit 1 }
		END { if (NR != 3) { print NR " lines"; exit 1 } }' <<<"$T_OUT" >"$T_DIR/why" ||
		t_fail "table: $(<"$T_DIR/why"): $T_OUT"
}

test_list_bad_flags() {
	rt list --format yaml
	[[ $T_RC != 0 ]] || t_fail "list --format yaml accepted"
	assert_match "$T_ERR" 'invalid format option'
	rt list extra
	[[ $T_RC != 0 ]] || t_fail "list with an argument accepted"
}

# --- ps

test_ps_json_is_the_process_tree() {
	local pid want got
	ctr_args sh -c 'sleep 30 & (sleep 31 & sleep 32 & wait) & wait'
	ctr_create
	rt start "$T_CID"
	assert_rc 0 "start"
	pid=$(ctr_pid "$T_CID")
	# Four children: two sleeps, a subshell and its two sleeps.
	wait_for 10 eval '(($(tree_pids "$pid" | wc -l) == 5))' ||
		t_fail "container processes did not start: $(tree_pids "$pid" | tr '\n' ' ')"
	rt ps --format json "$T_CID"
	assert_rc 0 "ps --format json"
	assert_match "$T_OUT" '^\[[0-9]+(,[0-9]+)*\]$' "a JSON array of pids"
	got=$(jq -r '.[]' <<<"$T_OUT" | sort -n)
	want=$(tree_pids "$pid")
	assert_eq "$got" "$want" "ps json: init and its descendants"
}

test_ps_table() {
	local pid
	ctr_args sleep 30
	ctr_create
	pid=$(ctr_pid "$T_CID")
	# Created: the init waits for start, and is the container's process.
	rt ps -f json "$T_CID"
	assert_eq "$T_OUT" "[$pid]" "ps json of a created container"
	rt start "$T_CID"
	rt ps "$T_CID"
	assert_rc 0 "ps (table, -ef)"
	assert_match "$(head -n 1 <<<"$T_OUT")" '^UID +PID +PPID ' "ps -ef header"
	[[ $(wc -l <<<"$T_OUT") == 2 ]] || t_fail "header and one process expected: $T_OUT"
	awk -v p="$pid" 'NR == 2 && $2 != p { exit 1 }' <<<"$T_OUT" || t_fail "wrong process: $T_OUT"
	# ps options after the id go to ps(1).
	rt ps "$T_CID" -o pid,comm
	assert_rc 0 "ps ID -o pid,comm"
	assert_match "$(head -n 1 <<<"$T_OUT")" '^ *PID +COMMAND$' "ps -o pid,comm header"
	assert_match "$(tail -n +2 <<<"$T_OUT")" "^ *$pid +sleep\$" "ps -o pid,comm lines"
	# Without a PID column the lines cannot be told apart.
	rt ps "$T_CID" -o comm
	[[ $T_RC != 0 ]] || t_fail "ps without a PID column accepted: $T_OUT"
	assert_match "$T_ERR" 'pid'
}

test_ps_stopped_and_unknown() {
	local pid
	ctr_args sleep 30
	ctr_create
	pid=$(ctr_pid "$T_CID")
	kill -KILL "$pid"
	wait_for 10 t__exited "$pid" || t_fail "container process did not die"
	# runc answers a stopped container with no processes, not an error.
	rt ps -f json "$T_CID"
	assert_rc 0 "ps of a stopped container"
	assert_eq "$T_OUT" null
	rt ps "$T_CID"
	assert_rc 0
	assert_match "$T_OUT" '^UID +PID ' "header only"
	[[ $(wc -l <<<"$T_OUT") == 1 ]] || t_fail "header only expected: $T_OUT"

	rt ps -f json "$T_ID-nonexistent"
	[[ $T_RC != 0 ]] || t_fail "ps of an unknown container succeeded"
	assert_match "$T_ERR" 'container does not exist'
	rt ps --format yaml "$T_CID"
	[[ $T_RC != 0 ]] || t_fail "ps --format yaml accepted"
}

# --- features

test_features() { # runc: FAILS (1.1.5 has no time namespace and no seccomp flags)
	rt features
	assert_rc 0 "features"
	jq -e '
		(.ociVersionMin | type) == "string" and (.ociVersionMax | type) == "string"
		and (.hooks | index("createRuntime")) and (.hooks | length) == 6
		and (.mountOptions | index("rbind")) and (.mountOptions | index("rro"))
		and (.linux.namespaces | sort) == ["cgroup","ipc","mount","network","pid","time","user","uts"]
		and (.linux.capabilities | index("CAP_SYS_ADMIN"))
		and (.linux.cgroup | type) == "object"
		and .linux.seccomp.enabled == true
		and (.linux.seccomp.actions | index("SCMP_ACT_ERRNO"))
		and (.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ"))
		and (.linux.seccomp.archs | length) > 0
		and ((.linux.seccomp.supportedFlags - .linux.seccomp.knownFlags) == [])
		and (.annotations | type) == "object"' <<<"$T_OUT" >/dev/null ||
		t_fail "features document lacks expected keys: $T_OUT"
	# Every capability of this kernel is known (a newer kernel than the
	# build's libcap would be the exception, not this test's concern).
	local last
	last=$(</proc/sys/kernel/cap_last_cap)
	jq -e --argjson n "$((last + 1))" '(.linux.capabilities | length) >= $n' <<<"$T_OUT" >/dev/null ||
		t_fail "fewer capabilities than the kernel's $((last + 1))"
}
