#!/bin/bash
# Integration test library and runner for hutch.
#
# A test file (tests/integration/test-*.sh) is a set of bash functions named
# test_*; it is sourced by this library, never run on its own.  Each test runs
# in its own bash process (a child subreaper, so that anything the runtime
# leaks is re-parented to it and can be seen and killed) under a hard timeout.
#
# Per test the library provides:
#   T_NAME      file::function
#   T_DIR       a private temp dir (0755, removed afterwards)
#   T_BUNDLE    a ready bundle: rootfs (busybox) + config.json from `RUNTIME spec`
#   T_ROOT      the runtime's --root (state dir), private to the test
#   T_ID        a unique container id prefix; T_CID the id of the last run_ctr
#   T_TAG       a unique tag put into the environment of everything the test
#               starts (the runtime, and the container's process.env), used to
#               find leaked processes
# and, before the test, a host_snapshot; after a test that passed, its
# deferred cleanups run and assert_nothing_left compares the host with the
# snapshot: mounts, cgroup dirs, the host's /dev nodes, --root contents and
# our processes.
#
# Helpers: cfg_edit (jq on config.json), cfg_raw (textual, last), ctr_args,
# ns_add/ns_del/userns_add, mount_add/bind_add, run_ctr/ctr_sh/ctr_sh_ok (set
# T_RC T_OUT T_ERR), rt (any runtime command), ctr_bg/ctr_wait, wait_for
# (bounded polling, never a bare sleep), t_defer, assert_*, t_fail, t_skip.
# An assertion failing inside $(...) still fails the test.
#
# Run:   bash tests/integration/lib.sh [-k PATTERN]... [-v] [FILE...]
#        (or tests/run.sh, which also builds and runs the unit tests)
# Env:   RUNTIME (default $top/${BUILD_DIR:-build}/hutch), T_TEST_TIMEOUT (s),
#        CI=true (a skip not matching a pattern in HUTCH_ALLOW_SKIP fails),
#        T_KEEP=1 (keep the temp dirs of failed tests for inspection).

T_LIB=$(readlink -f "${BASH_SOURCE[0]}")
T_TESTDIR=${T_LIB%/*}
T_TOP=${T_TESTDIR%/tests/integration}
: "${BUILD_DIR:=build}"
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$T_TOP/$BUILD_DIR
: "${RUNTIME:=$BUILD_DIR/hutch}"
# Tests change directories: a relative path to the runtime would break.
[[ $RUNTIME != */* || $RUNTIME == /* ]] || RUNTIME=$PWD/$RUNTIME
: "${T_TEST_TIMEOUT:=60}"
: "${T_RUN_TIMEOUT:=20}"
export RUNTIME BUILD_DIR

# ---------------------------------------------------------------- reporting

t_log() { printf '%s\n' "$*" >&2; }

# t_fail MSG: fail the current test (exits its process; cleanup runs).
t_fail() {
	local i loc=""
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		case ${FUNCNAME[i]} in
		t_* | assert_* | run_ctr | ctr_* | rt | bad_input*) continue ;;
		esac
		loc="${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
		break
	done
	t_log "FAIL: ${loc:+$loc: }$*"
	# Inside $(...) or a pipeline: make the test process itself fail.
	[[ $BASHPID != "$$" ]] && kill -USR1 $$
	exit 1
}

# t_skip REASON: the test cannot run here for a real reason (counted, shown).
t_skip() {
	t_log "SKIP: $*"
	exit 77
}

# ---------------------------------------------------------------- assertions

assert_eq() {
	[[ $1 == "$2" ]] || t_fail "${3:-values differ}: expected '$2', got '$1'"
}

assert_ne() {
	[[ $1 != "$2" ]] || t_fail "${3:-values are equal}: both are '$1'"
}

# assert_contains HAYSTACK NEEDLE [MSG]: fixed-string containment.
assert_contains() {
	[[ $1 == *"$2"* ]] || t_fail "${3:-missing text}: '$2' not in: $1"
}

assert_not_contains() {
	[[ $1 != *"$2"* ]] || t_fail "${3:-unexpected text}: '$2' found in: $1"
}

# assert_match STRING ERE [MSG]: extended regex, case-insensitive.
assert_match() {
	grep -qiE -- "$2" <<<"$1" || t_fail "${3:-no match}: /$2/ does not match: $1"
}

# assert_fail CMD...: the command must exit non-zero.
assert_fail() {
	if "$@" >/dev/null 2>&1; then
		t_fail "command unexpectedly succeeded: $*"
	fi
}

assert_ok() {
	"$@" >/dev/null 2>&1 || t_fail "command failed ($?): $*"
}

# assert_rc N [MSG]: the last run_ctr/rt exited with N.
assert_rc() {
	[[ $T_RC == "$1" ]] ||
		t_fail "${2:-exit status}: expected $1, got $T_RC; stderr: $T_ERR; stdout: $T_OUT"
}

# wait_for SECONDS CMD...: poll (10 ms steps) until CMD succeeds; 1 on timeout.
wait_for() {
	local deadline=$((SECONDS + $1 + 1)) n=0
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		((n++ < 20)) && sleep 0.01 || sleep 0.05
	done
}

# ---------------------------------------------------------------- bundles

# t__template: build the shared rootfs and config.json once per run.
t__template() {
	local tpl=$T_RUNDIR/template bb a
	[[ -f $tpl/config.json ]] && return 0
	bb=${BUSYBOX:-$(command -v busybox)} || {
		t_log "busybox not found (install busybox-static)"
		return 1
	}
	mkdir -p "$tpl/rootfs"/{bin,dev,proc,sys,etc,root,tmp,mnt} || return 1
	chmod 1777 "$tpl/rootfs/tmp"
	# Kept beside the rootfs and hard-linked into each bundle (copying 2 MB
	# per test costs more than the test).
	cp "$bb" "$tpl/busybox" || return 1
	(
		cd "$tpl/rootfs/bin" &&
			if perl -e 1 2>/dev/null; then
				# shellcheck disable=SC2046 # one applet name per word
				perl -e 'for (@ARGV) { $_ eq "busybox" or symlink("busybox", $_) or die "$_: $!" }' \
					$("$tpl/busybox" --list)
			else
				for a in $("$tpl/busybox" --list); do
					[[ $a == busybox ]] || ln -s busybox "$a" || exit 1
				done
			fi
	) || return 1
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'user:x:1000:1000:user:/tmp:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$tpl/rootfs/etc/passwd"
	printf '%s\n' 'root:x:0:' 'tty:x:5:' 'user:x:1000:' 'nogroup:x:65534:' \
		>"$tpl/rootfs/etc/group"
	if ! "$RUNTIME" spec --bundle "$tpl" >"$T_RUNDIR/spec.log" 2>&1; then
		t_log "'$RUNTIME spec --bundle DIR' failed: $(cat "$T_RUNDIR/spec.log")"
		return 1
	fi
	jq -e '.process and .root' "$tpl/config.json" >/dev/null ||
		{ t_log "'$RUNTIME spec' wrote no usable config.json"; return 1; }
}

# make_bundle [DIR]: a fresh bundle (busybox rootfs + the runtime's default
# config, made non-interactive and tagged); DIR defaults to $T_BUNDLE.
make_bundle() {
	local dir=${1:-$T_BUNDLE}
	mkdir -p "$dir" && chmod 755 "$dir" &&
		cp -a "$T_RUNDIR/template/rootfs" "$dir/rootfs" &&
		{ ln "$T_RUNDIR/template/busybox" "$dir/rootfs/bin/busybox" 2>/dev/null ||
			cp "$T_RUNDIR/template/busybox" "$dir/rootfs/bin/busybox"; } &&
		jq --arg tag "HUTCH_IT_TAG=$T_TAG" '
			.process.terminal = false
			| .process.args = ["true"]
			| .process.env += [$tag]' \
			"$T_RUNDIR/template/config.json" >"$dir/config.json" ||
		t_fail "make_bundle $dir failed"
}

# cfg_edit [JQ-OPTIONS...] FILTER: patch $CFG (default the test bundle's
# config.json) in place with jq, e.g. cfg_edit --arg h x '.hostname = $h'.
cfg_edit() {
	local cfg=${CFG:-$T_BUNDLE/config.json}
	# stdin, not a file argument: --args takes every remaining argument
	jq "$@" <"$cfg" >"$cfg.new" && [[ -s $cfg.new ]] && mv "$cfg.new" "$cfg" ||
		t_fail "cfg_edit failed: $*"
}

# cfg_raw OLD NEW: textual replacement in config.json (for JSON jq cannot
# produce: big integers, duplicate keys, broken syntax).  Make it the last
# edit: jq rewrites integers above 2^53 as floats.
cfg_raw() {
	local cfg=${CFG:-$T_BUNDLE/config.json} s
	s=$(<"$cfg")
	[[ $s == *"$1"* ]] || t_fail "cfg_raw: '$1' not in config.json"
	printf '%s\n' "${s//"$1"/"$2"}" >"$cfg"
}

# json_array ARG...: print the arguments as a JSON array of strings (jq's
# --args would take an argument like "-c" as its own option).
json_array() {
	local opts=() refs=() i=0 a
	for a; do
		opts+=(--arg "a$i" "$a")
		refs+=("\$a$i")
		i=$((i + 1))
	done
	local IFS=,
	jq -nc "${opts[@]}" "[${refs[*]}]"
}

# ctr_args ARG...: set process.args.
ctr_args() {
	cfg_edit --argjson a "$(json_array "$@")" '.process.args = $a'
}

# ns_add TYPE [PATH] / ns_del TYPE: edit linux.namespaces.
ns_add() {
	if (($# > 1)); then
		cfg_edit --arg t "$1" --arg p "$2" \
			'.linux.namespaces = ([.linux.namespaces[]? | select(.type != $t)] + [{type: $t, path: $p}])'
	else
		cfg_edit --arg t "$1" \
			'.linux.namespaces = ([.linux.namespaces[]? | select(.type != $t)] + [{type: $t}])'
	fi
}

ns_del() {
	cfg_edit --arg t "$1" '.linux.namespaces |= map(select(.type != $t))'
}

# userns_add [HOSTID] [SIZE]: user namespace mapping container 0 -> HOSTID.
userns_add() {
	ns_add user
	cfg_edit --argjson h "${1:-100000}" --argjson n "${2:-65536}" '
		.linux.uidMappings = [{containerID: 0, hostID: $h, size: $n}]
		| .linux.gidMappings = [{containerID: 0, hostID: $h, size: $n}]'
}

# mount_add DEST TYPE SOURCE [OPTION...]: append a mount to config.json.
mount_add() {
	local dest=$1 type=$2 src=$3
	shift 3
	cfg_edit --arg d "$dest" --arg t "$type" --arg s "$src" --argjson o "$(json_array "$@")" \
		'.mounts += [{destination: $d, type: $t, source: $s, options: $o}]'
}

# bind_add HOSTDIR DEST [OPTION...]: bind-mount HOSTDIR (created, mode 0777)
# at DEST; options default to rbind,rw.
bind_add() {
	local src=$1 dest=$2
	shift 2
	mkdir -p "$src" && chmod 777 "$src"
	(($#)) || set -- rbind rw
	mount_add "$dest" bind "$src" "$@"
}

# ---------------------------------------------------------------- running

# rt ARG...: run "$RUNTIME --root $T_ROOT ARG..." under a timeout; sets T_RC,
# T_OUT, T_ERR.  A hang is always a failure.  The array T_WRAP, if set, is a
# command prefix for the runtime (e.g. T_WRAP=(setpriv --groups 4)).
rt() {
	local start=$SECONDS
	HUTCH_IT_TAG=$T_TAG timeout -k 5 "$T_RUN_TIMEOUT" "${T_WRAP[@]}" "$RUNTIME" --root "$T_ROOT" "$@" \
		</dev/null >"$T_DIR/out" 2>"$T_DIR/err"
	T_RC=$?
	T_OUT=$(<"$T_DIR/out")
	T_ERR=$(<"$T_DIR/err")
	if ((T_RC == 124 || T_RC == 137)) && ((SECONDS - start >= T_RUN_TIMEOUT - 1)); then
		t_fail "runtime timed out after ${T_RUN_TIMEOUT}s: $RUNTIME $*"
	fi
	return 0
}

# run_ctr [RUN-FLAGS...]: `run` the test bundle with a fresh container id.
run_ctr() {
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt run --bundle "$T_BUNDLE" "$@" "$T_CID"
}

# ctr_sh SCRIPT [RUN-FLAGS...]: run `sh -c SCRIPT` in the container.
ctr_sh() {
	ctr_args sh -c "$1"
	shift
	run_ctr "$@"
}

# ctr_sh_ok SCRIPT: as ctr_sh, and the container must exit 0.
ctr_sh_ok() {
	ctr_sh "$@"
	[[ $T_RC == 0 ]] || t_fail "container failed ($T_RC): stderr: $T_ERR; stdout: $T_OUT"
}

# ctr_bg [RUN-FLAGS...]: start `run` in the background (signals at default
# disposition, as in an interactive shell); sets T_BGPID.  Collect it with
# ctr_wait.
ctr_bg() {
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	HUTCH_IT_TAG=$T_TAG env --default-signal=INT,TERM,HUP,QUIT "${T_WRAP[@]}" \
		"$RUNTIME" --root "$T_ROOT" run --bundle "$T_BUNDLE" "$@" "$T_CID" \
		</dev/null >"$T_DIR/out" 2>"$T_DIR/err" &
	T_BGPID=$!
}

# ctr_wait [SECONDS]: wait for the background runtime; sets T_RC/T_OUT/T_ERR.
ctr_wait() {
	wait_for "${1:-$T_RUN_TIMEOUT}" t__exited "$T_BGPID" ||
		t_fail "runtime (pid $T_BGPID) did not exit"
	wait "$T_BGPID"
	T_RC=$?
	T_OUT=$(<"$T_DIR/out")
	T_ERR=$(<"$T_DIR/err")
}

t__exited() {
	local st
	[[ -r /proc/$1/stat ]] || return 0
	st=$(<"/proc/$1/stat") 2>/dev/null || return 0
	st=${st##*) }
	[[ ${st%% *} == Z ]]
}

# t_defer CMD: run CMD (eval'd) when the test ends, last deferred first.
t_defer() {
	T_DEFERRED=("$1" "${T_DEFERRED[@]}")
}

t__run_deferred() {
	local c
	for c in "${T_DEFERRED[@]}"; do
		eval "$c" >/dev/null 2>&1
	done
	T_DEFERRED=()
}

# ---------------------------------------------------------------- host state

# t__procs: our processes: descendants of the test process plus anything
# carrying our tag, excluding the subshells and commands computing this (the
# descendants of every process between this function and the test process);
# zombies skipped.
t__procs() {
	local self=$BASHPID tagged
	tagged=$(grep -lsxz -- "HUTCH_IT_TAG=$T_TAG" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|^/proc/||; s|/environ$||' | tr '\n' ' ')
	ps -e -o pid=,ppid=,stat=,args= | awk -v root=$$ -v self="$self" -v tagged="$tagged" '
		{ pid[NR] = $1; ppid[$1] = $2; st[$1] = $3
		  line = $0; sub(/^ *[0-9]+ +[0-9]+ +[^ ]+ +/, "", line); cmd[$1] = line }
		function under(p, a,   n) {
			for (n = 0; p > 1 && n < 4096; n++) { if (p == a) return 1; p = ppid[p] }
			return 0
		}
		END {
			n = split(tagged, t, " "); for (i = 1; i <= n; i++) tag[t[i]] = 1
			for (p = self; p > 1 && p != root && n++ < 4096; p = ppid[p]) mine[p] = 1
			for (i = 1; i <= NR; i++) {
				p = pid[i]
				if (p == root || st[p] ~ /^Z/) continue
				skip = 0
				for (q = p; q > 1 && q != root && !skip; q = ppid[q]) if (q in mine) skip = 1
				if (skip) continue
				if (under(p, root) || (p in tag)) print p " " cmd[p]
			}
		}'
}

# host_snapshot: the host state a run must leave unchanged.  Mount and cgroup
# entries of other concurrent test runs are left out.
host_snapshot() {
	local other="hutch-it[.-]"
	echo "## mounts"
	awk '{ $1 = ""; $2 = ""; print }' /proc/self/mountinfo |
		awk -v mine="$T_RUNDIR" -v re="$other" 'index($0, mine) || $0 !~ re' | sort
	echo "## cgroups"
	# hutch's default parent (hutch/<id>) is shared by every run: only our
	# own containers' directories below it count.
	find /sys/fs/cgroup -type d 2>/dev/null |
		awk -v mine="$T_RUNID" -v re="$other" 'index($0, mine) || ($0 !~ re && $0 !~ /\/hutch(\/|$)/)' |
		t__cgroup_filter | sort
	# A runtime that bind-mounts the host's device nodes into the container
	# and then chmods or chowns them there changes the host's nodes.
	echo "## host device nodes"
	stat -c '%n %F %t:%T %a %u:%g' /dev/null /dev/zero /dev/full /dev/random \
		/dev/urandom /dev/tty 2>&1
	echo "## runtime root"
	# (less the compiled seccomp programs, a cache shared by containers)
	[[ -d $T_ROOT ]] && find "$T_ROOT" -mindepth 1 -not -path "$T_ROOT/@seccomp-cache*" | sort
	echo "## processes"
	# in a subshell: sed and sort are then not children of the test process
	(t__procs | sed 's/^[0-9]* //' | sort)
}

# t__cgroup_filter: drop the siblings of our own cgroup (and their subtrees)
# in each hierarchy: whatever runs next to the test suite (other services,
# other sessions) creates and removes cgroups there.
t__cgroup_filter() {
	awk '
		FILENAME == "/proc/self/mountinfo" {
			for (i = 7; $i != "-"; i++) ;
			if ($(i + 1) == "cgroup2") mp["0"] = $5
			else if ($(i + 1) == "cgroup") { n++; cmp[n] = $5; cso[n] = "," $(i + 3) "," }
			next
		}
		FILENAME == "/proc/self/cgroup" {
			split($0, f, ":"); path = substr($0, length(f[1]) + length(f[2]) + 3)
			if (path == "/" || path == "") next
			dir = ""
			if (f[1] == "0" && f[2] == "") dir = mp["0"]
			else for (k = 1; k <= n; k++) {
				nc = split(f[2], c, ","); ok = 1
				for (j = 1; j <= nc; j++) if (index(cso[k], "," c[j] ",") == 0) ok = 0
				if (ok) dir = cmp[k]
			}
			if (dir == "") next
			own[++m] = dir path
			sub(/\/[^\/]*$/, "", path)
			sib[m] = dir path "/"
			next
		}
		{
			for (k = 1; k <= m; k++)
				if (index($0, sib[k]) == 1 && $0 != own[k] && index($0, own[k] "/") != 1) next
			print
		}' /proc/self/mountinfo /proc/self/cgroup -
}

# assert_nothing_left: compare the host with the snapshot of t_begin; waits
# up to 2 s for things that end asynchronously (process exit, lazy umount).
assert_nothing_left() {
	local before=$T_DIR/snap.before after=$T_DIR/snap.after
	wait_for 2 t__same_as_before
	diff -u "$before" "$after" >"$T_DIR/snap.diff" && return 0
	t_fail "left behind on the host (- before, + after):
$(tail -n +3 "$T_DIR/snap.diff")"
}

t__same_as_before() {
	host_snapshot >"$T_DIR/snap.after"
	cmp -s "$T_DIR/snap.before" "$T_DIR/snap.after"
}

# ---------------------------------------------------------------- test life

# t_begin NAME: set up the per-test state (called by the runner).
t_begin() {
	T_NAME=$1
	T_DIR=$(mktemp -d "$T_RUNDIR/t.XXXXXX") || exit 1
	chmod 755 "$T_DIR"
	T_ROOT=$T_DIR/state
	T_BUNDLE=$T_DIR/bundle
	T_SEQ=${T_SEQ:-$$}
	T_ID=hutch-it-$T_RUNID-$T_SEQ
	T_CID=$T_ID-0
	T_TAG=$T_RUNID-$T_SEQ
	T_N=0 T_RC='' T_OUT='' T_ERR=''
	T_DEFERRED=()
	T_WRAP=()
	trap t__cleanup EXIT
	trap 't_log "interrupted: $T_NAME"; exit 1' TERM INT HUP
	trap 'exit 1' USR1
	make_bundle "$T_BUNDLE"
	host_snapshot >"$T_DIR/snap.before"
}

# t__end: a test function returned: cleanups, then the leak check.
t__end() {
	t__run_deferred
	assert_nothing_left
	T_PASSED=1
}

# t__cleanup: whatever happened, leave nothing behind.
t__cleanup() {
	local rc=$? i p pids mnts d
	trap - EXIT TERM INT HUP USR1
	t__run_deferred
	for ((i = 0; i < 50; i++)); do
		pids=$(t__procs | cut -d' ' -f1)
		[[ -z $pids ]] && break
		((i == 0)) && t_log "cleanup: killing leftover processes: $(t__procs | tr '\n' ';')"
		kill -KILL $pids 2>/dev/null
		wait 2>/dev/null
		sleep 0.02
	done
	if [[ -d $T_ROOT ]]; then
		for d in "$T_ROOT"/*; do
			[[ -d $d ]] && timeout 5 "$RUNTIME" --root "$T_ROOT" delete -f "${d##*/}" >/dev/null 2>&1
		done
	fi
	t__rm_cgroups "$T_ID"
	mnts=$(awk -v d="$T_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	for p in $mnts; do
		umount -l "$p" 2>/dev/null
	done
	if [[ ${T_KEEP:-} == 1 && -z ${T_PASSED:-} ]]; then
		t_log "kept $T_DIR"
	elif ! awk -v d="$T_DIR" 'index($5, d) == 1 { exit 1 }' /proc/self/mountinfo; then
		t_log "cleanup: mounts remain under $T_DIR, not removing it"
	else
		rm -rf --one-file-system "$T_DIR"
	fi
	exit "$rc"
}

# t__rm_cgroups ID: remove cgroups named after container ids starting with
# ID: they are unique to one test, so any cgroup named so is ours.
t__rm_cgroups() {
	find /sys/fs/cgroup -depth -type d \( -name "*$1" -o -name "*$1-*" \) \
		-exec rmdir {} + 2>/dev/null
}

# ---------------------------------------------------------------- runner

# t__subreaper_cmd: set T_SUBREAPER to a command prefix that makes the
# command a child subreaper (prctl PR_SET_CHILD_SUBREAPER, kept across
# execve), so that processes leaked below it are re-parented to it, not to
# PID 1.  perl-base is essential in Debian; syscall.ph (libperl) is not,
# hence the table of prctl's number.
t__subreaper_cmd() {
	local nr
	T_SUBREAPER=()
	case $(uname -m) in
	x86_64) nr=157 ;;
	aarch64 | riscv64 | loongarch64) nr=167 ;;
	i?86 | armv* | s390x) nr=172 ;;
	ppc64*) nr=171 ;;
	esac
	nr=$(perl -e 'eval { require "syscall.ph" } and print &SYS_prctl or print "'"${nr:-}"'"' 2>/dev/null)
	[[ -n $nr ]] && perl -e "syscall($nr, 36, 1, 0, 0, 0) == 0 or exit 1" 2>/dev/null || return 1
	T_SUBREAPER=(perl -e "syscall($nr, 36, 1, 0, 0, 0) == 0 or die \"prctl: \$!\"; exec @ARGV or die \"exec: \$!\"")
}

# t__sweep SEQ: after test number SEQ ended (maybe killed by its timeout
# before its own cleanup): kill what is left of it, remove its cgroups and
# mounts, and its temp dir unless T_KEEP=1.  Prints what it had to clean.
t__sweep() {
	local T_TAG=$T_RUNID-$1 id=hutch-it-$T_RUNID-$1 pids i p
	for ((i = 0; i < 50; i++)); do
		pids=$(t__procs | cut -d' ' -f1)
		[[ -z $pids ]] && break
		((i == 0)) && echo "runner: killed leftover processes: $(t__procs | tr '\n' ';')"
		kill -KILL $pids 2>/dev/null
		sleep 0.02
	done
	t__rm_cgroups "$id"
	for p in $(awk -v d="$T_RUNDIR/t." 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		echo "runner: unmounted leftover $p"
		umount -l "$p"
	done
	[[ ${T_KEEP:-} == 1 ]] || rm -rf --one-file-system "$T_RUNDIR"/t.*
}

t__one() {
	local file=$1 fn=$2
	set -u
	# shellcheck disable=SC1090
	source "$file" || exit 1
	t_begin "${file##*/}::$fn"
	"$fn"
	t__end
	exit 0
}

# t__list FILE: the test functions of FILE, in file order (generated ones last).
t__list() {
	local all
	all=$(bash -c 'source "$1"; source "$2"; declare -F' _ "$T_LIB" "$1" |
		awk '$3 ~ /^test_/ { print $3 }')
	[[ -n $all ]] || return 0
	{
		grep -oE '^test_[A-Za-z0-9_]+' "$1"
		echo "$all"
	} | awk '!seen[$0]++' | grep -xF -e "$all"
}

t__match() {
	local name=$1 p
	((${#T_FILTERS[@]} == 0)) && return 0
	for p in "${T_FILTERS[@]}"; do
		[[ $name == *$p* ]] && return 0
	done
	return 1
}

t__skip_allowed() {
	local p
	for p in ${HUTCH_ALLOW_SKIP:-}; do
		[[ $1 == *$p* ]] && return 0
	done
	return 1
}

# t__rundir_setup: the run's scratch dir, on a tmpfs of its own when possible
# (creating the bundles on this VM's ext4 costs more than running them).
t__rundir_setup() {
	T_RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/hutch-it.XXXXXX") || return 1
	chmod 755 "$T_RUNDIR"
	if mount -t tmpfs -o mode=0755,size=2g hutch-it "$T_RUNDIR" 2>/dev/null; then
		T_RUNDIR_TMPFS=1
	fi
}

t__rundir_teardown() {
	[[ -n ${T_RUNDIR:-} && -d $T_RUNDIR ]] || return 0
	if compgen -G "$T_RUNDIR/t.*" >/dev/null; then
		t_log "note: test dirs kept in $T_RUNDIR${T_RUNDIR_TMPFS:+ (a tmpfs: umount it when done)}"
		return 0
	fi
	if [[ -n ${T_RUNDIR_TMPFS:-} ]]; then
		umount "$T_RUNDIR" && rmdir "$T_RUNDIR"
	else
		rm -rf --one-file-system "$T_RUNDIR"
	fi
}

# t_main [-k PATTERN]... [-v] [FILE...]: run tests, print `N passed, M failed`
# (unless T_NO_SUMMARY=1); counts also go to $T_COUNTS_FILE.
t_main() {
	local files=() f fn name rc start el reason log verbose=0 own_rundir=0 seq=0
	local pass=0 fail=0 skip=0
	T_FILTERS=()
	while (($#)); do
		case $1 in
		-k) T_FILTERS+=("$2"); shift 2 ;;
		-k*) T_FILTERS+=("${1#-k}"); shift ;;
		-v) verbose=1; shift ;;
		-h | --help)
			sed -n '2,/^$/p' "$T_LIB" | sed 's/^# \{0,1\}//'
			return 0 ;;
		*) files+=("$1"); shift ;;
		esac
	done
	((${#files[@]})) || files=("$T_TESTDIR"/test-*.sh)

	if [[ ${EUID:-$(id -u)} != 0 ]]; then
		t_log "integration tests need root"
		fail=1
	elif [[ ! -x $RUNTIME ]]; then
		t_log "runtime '$RUNTIME' not found or not executable (set RUNTIME=)"
		fail=1
	fi
	if [[ -z ${T_RUNDIR:-} ]]; then
		t__rundir_setup || return 1
		own_rundir=1
		trap 't__rundir_teardown; exit 1' INT TERM HUP PIPE
	fi
	T_RUNID=${T_RUNDIR##*.}
	export T_RUNDIR T_RUNID
	if ((fail == 0)) && ! t__template; then
		fail=1
	fi
	# Each test is a child subreaper: what a runtime leaks stays visible.
	t__subreaper_cmd ||
		t_log "note: cannot make tests child subreapers (perl), leaked processes found by tag only"
	mkdir -p "$T_RUNDIR/logs"

	((fail)) || for f in "${files[@]}"; do
		f=$(readlink -f "$f")
		[[ -f $f ]] || { t_log "no such test file: $f"; fail=$((fail + 1)); continue; }
		for fn in $(t__list "$f"); do
			name="${f##*/}::${fn#test_}"
			t__match "$name" || continue
			log="$T_RUNDIR/logs/${f##*/}.$fn.log"
			start=$EPOCHREALTIME
			seq=$((seq + 1))
			T_SEQ=$seq timeout -k 5 "$T_TEST_TIMEOUT" "${T_SUBREAPER[@]}" \
				bash "$T_LIB" --one "$f" "$fn" </dev/null >"$log" 2>&1
			rc=$?
			t__sweep "$seq" >>"$log" 2>&1
			el=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2fs", b - a }')
			if ((rc == 0)); then
				pass=$((pass + 1))
				printf 'ok   %s (%s)\n' "$name" "$el"
				((verbose)) && sed 's/^/     | /' "$log"
			elif ((rc == 77)); then
				reason=$(sed -n 's/^SKIP: //p' "$log" | head -n 1)
				if [[ ${CI:-} == true ]] && ! t__skip_allowed "$name"; then
					fail=$((fail + 1))
					printf 'FAIL %s: unexpected skip in CI: %s\n' "$name" "$reason"
				else
					skip=$((skip + 1))
					printf 'skip %s: %s\n' "$name" "$reason"
				fi
			else
				fail=$((fail + 1))
				((rc == 124 || rc == 137)) && echo "FAIL: test timed out after ${T_TEST_TIMEOUT}s" >>"$log"
				printf 'FAIL %s (%s, exit %s)\n' "$name" "$el" "$rc"
				sed 's/^/     | /' "$log"
			fi
		done
	done

	[[ -n ${T_COUNTS_FILE:-} ]] && echo "$pass $fail $skip" >"$T_COUNTS_FILE"
	if ((own_rundir)); then
		t__rundir_teardown
		trap - INT TERM HUP PIPE
	fi
	if [[ ${T_NO_SUMMARY:-} != 1 ]]; then
		printf '%d passed, %d failed' "$pass" "$fail"
		((skip)) && printf ', %d skipped' "$skip"
		echo
	fi
	((fail == 0))
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	if [[ ${1:-} == --one ]]; then
		t__one "$2" "$3"
	fi
	# The runner is a subreaper too: what outlives a test killed by its
	# timeout comes back to it, and t__sweep kills it.
	if [[ -z ${T_IS_RUNNER:-} ]] && t__subreaper_cmd; then
		T_IS_RUNNER=1 exec "${T_SUBREAPER[@]}" bash "$T_LIB" "$@"
	fi
	t_main "$@"
	exit
fi
