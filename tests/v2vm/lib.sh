# tests/v2vm/lib.sh - the library of the in-VM tests (busybox sh, not bash).
#
# A test file (tests/v2vm/tests/*.sh) is a set of functions named test_*,
# each written `test_NAME() {` at the start of a line.  The VM's /init runs
# each one in its own `sh` process (this library and the file sourced), under
# a timeout, and prints `ok FILE::NAME`, `FAIL FILE::NAME: REASON` or
# `skip FILE::NAME: REASON`.  A test passes when it returns 0 without a
# verdict; the first verdict recorded wins (also from a $(...) subshell).
#
# Per test:
#   HUTCH     the hutch binary (/usr/local/bin/hutch)
#   T_NAME    FILE::NAME
#   T_DIR     a private directory on /tmp (removed afterwards)
#   T_BUNDLE  $T_DIR/bundle: a busybox rootfs + `hutch spec` config.json made
#             non-interactive (terminal false) running `true`
#   T_ROOT    hutch's --root for this test
# After the test /init runs `hutch delete --force` on every container left
# under $T_ROOT, then turns a pass into a FAIL if a process, a mount or a
# cgroup directory was left behind, and removes them.
#
# jq is in the VM (with its libraries) for config.json edits: cfg_edit.

# ---------------------------------------------------------------- verdicts

t_log() { printf '%s\n' "$*" >&2; }

t__verdict() {
	[ -s "$T_RESULT" ] || printf '%s\n' "$*" >"$T_RESULT"
}

# t_fail REASON: fail the test (exits the current shell).
t_fail() {
	t_log "FAIL: $*"
	t__verdict "FAIL $*"
	exit 1
}

# t_skip REASON: the test cannot run here, for a reason shown.
t_skip() {
	t_log "SKIP: $*"
	t__verdict "skip $*"
	exit 77
}

# t_ok: pass now (returning 0 from the test function does the same).
t_ok() {
	t__verdict "ok"
	exit 0
}

# t__run FN: run one test function (called by /init).
t__run() {
	local rc
	"$1"
	rc=$?
	if [ "$rc" = 0 ]; then
		t__verdict "ok"
	else
		t__verdict "FAIL $1 returned $rc"
	fi
	exit "$rc"
}

# ---------------------------------------------------------------- asserts

# assert_eq GOT WANT [WHAT]
assert_eq() {
	[ "$1" = "$2" ] || t_fail "${3:-values differ}: expected '$2', got '$1'"
}

# assert_contains HAYSTACK NEEDLE [WHAT]
assert_contains() {
	case $1 in
	*"$2"*) ;;
	*) t_fail "${3:-missing text}: '$2' not in: $1" ;;
	esac
}

# ---------------------------------------------------------------- bundles

# cfg_edit [JQ-OPTIONS...] FILTER: patch ${CFG:-$T_BUNDLE/config.json} in
# place, e.g. cfg_edit --argjson n 5 '.linux.resources.pids.limit = $n'.
cfg_edit() {
	local cfg="${CFG:-$T_BUNDLE/config.json}"
	jq "$@" <"$cfg" >"$cfg.new" && [ -s "$cfg.new" ] && mv "$cfg.new" "$cfg" ||
		t_fail "cfg_edit failed: $*"
}

# cfg_args ARG...: set .process.args to ARG... (any string, "-c" included).
cfg_args() {
	local cfg="${CFG:-$T_BUNDLE/config.json}" n=$# i=0 a refs=""
	# Rotate each arg into a `--arg aN VALUE` triple for jq.
	while [ "$i" -lt "$n" ]; do
		a=$1
		shift
		set -- "$@" --arg "a$i" "$a"
		refs="$refs${refs:+,}\$a$i"
		i=$((i + 1))
	done
	jq "$@" ".process.args = [$refs]" <"$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg" ||
		t_fail "cfg_args failed"
}

# make_bundle DIR: another fresh bundle like $T_BUNDLE.
make_bundle() {
	mkdir -p "$1" && cp -a /v2vm/bundle/. "$1/" &&
		jq '.process.terminal = false | .process.args = ["true"]' \
			/v2vm/bundle/config.json >"$1/config.json" ||
		t_fail "make_bundle $1 failed"
}

# ---------------------------------------------------------------- running

# rt ARG...: hutch with this test's --root.
rt() {
	"$HUTCH" --root "$T_ROOT" "$@"
}

# ctr_run ARG...: run the bundle's container with process.args = ARG...
# (no ARG: keep config.json's).  Sets T_RC, T_OUT (stdout), T_ERR (stderr);
# never fails the test by itself.  T_CID is the container's id.
T_SEQ=0
ctr_run() {
	[ $# -gt 0 ] && cfg_args "$@"
	T_SEQ=$((T_SEQ + 1))
	T_CID="c$T_SEQ"
	rt run --bundle "$T_BUNDLE" "$T_CID" <"/dev/null" >"$T_DIR/out" 2>"$T_DIR/err"
	T_RC=$?
	T_OUT=$(cat "$T_DIR/out")
	T_ERR=$(cat "$T_DIR/err")
	t_log "run $T_CID: exit $T_RC${T_OUT:+; stdout: $T_OUT}${T_ERR:+; stderr: $T_ERR}"
}

# ctr_run_ok ARG...: as ctr_run, and it must exit 0.
ctr_run_ok() {
	ctr_run "$@"
	[ "$T_RC" = 0 ] || t_fail "container ${*:-(config args)} exited $T_RC: ${T_ERR:-no stderr}"
}

# ctr_detach ID: `hutch run -d` the bundle as ID (output to $T_DIR/ID.log);
# sets T_PID to its init's pid (from `hutch state`).
ctr_detach() {
	rt run -d --bundle "$T_BUNDLE" "$1" </dev/null >"$T_DIR/$1.log" 2>&1 ||
		t_fail "hutch run -d $1 failed: $(cat "$T_DIR/$1.log")"
	T_PID=$(rt state "$1" | jq -r .pid) && [ -n "$T_PID" ] && [ "$T_PID" != null ] ||
		t_fail "hutch state $1 gave no pid"
}
