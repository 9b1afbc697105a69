# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# Terminals: with process.terminal and --console-socket the pty master goes
# to the engine's socket (SCM_RIGHTS) as runc sends it; consoleSize is
# applied; the process's stdio is the pty, from the container's own devpts.
# Without a console socket, create refuses; foreground `run` relays its own
# terminal to the container's.
# Sourced by lib.sh; see there for the helpers.

# con_recvtty: build tests/integration/helpers/recvtty.c into $T_DIR.
con_recvtty() {
	[[ -x $T_DIR/recvtty ]] && return 0
	command -v cc >/dev/null || t_skip "no C compiler (cc) for helpers/recvtty.c"
	cc -O -o "$T_DIR/recvtty" "$T_TESTDIR/helpers/recvtty.c" 2>"$T_DIR/cc.err" ||
		t_fail "building recvtty failed: $(<"$T_DIR/cc.err")"
}

# con_listen SOCK OUT [INPUT]: a receiver in the background (T_RECV).
con_listen() {
	con_recvtty
	"$T_DIR/recvtty" "$@" 2>"$T_DIR/recvtty.err" &
	T_RECV=$!
	t_defer "kill -KILL $T_RECV"
	wait_for 10 test -S "$1" || t_fail "recvtty did not listen: $(<"$T_DIR/recvtty.err")"
}

# con_wait_recv: the receiver exits once the container's side of the pty
# is closed; its exit status must be 0.
con_wait_recv() {
	wait_for 15 t__exited "$T_RECV" || t_fail "recvtty still waits: the terminal was not closed"
	wait "$T_RECV" || t_fail "recvtty failed: $(<"$T_DIR/recvtty.err")"
}

# con_out FILE: the terminal's output without carriage returns.
con_out() {
	tr -d '\r' <"$1"
}

# The shell of the container reads what is written to the master; stty
# size shows consoleSize; its stdin is a tty of the container's devpts.
test_console_socket_create_start() {
	local n=$$ out
	cfg_edit '.process.terminal = true | .process.consoleSize = {height: 33, width: 77}'
	ctr_args sh
	# Arithmetic: the echo of the input shows $((...)), only the shell's
	# output shows the number.
	con_listen "$T_DIR/console.sock" "$T_DIR/tty.out" \
		"echo hello-\$(($n + 1)); stty size; tty; test -t 0 && echo stdin-is-a-tty; exit"$'\n'
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt create --bundle "$T_BUNDLE" --console-socket "$T_DIR/console.sock" "$T_CID"
	assert_rc 0 "create --console-socket"
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	rt start "$T_CID"
	assert_rc 0 "start"
	con_wait_recv
	out=$(con_out "$T_DIR/tty.out")
	assert_match "$out" "^hello-$((n + 1))\$" "the shell got the input written to the master"
	assert_match "$out" '^33 77$' "stty size shows consoleSize {height: 33, width: 77}"
	assert_match "$out" '^/dev/pts/[0-9]+$' "tty names a pty"
	assert_match "$out" '^/dev/pts/0$' "the pty is from the container's own devpts instance"
	assert_match "$out" '^stdin-is-a-tty$' "stdin is a tty"
	# A name goes with the fd (runc sends "/dev/ptmx"; engines ignore it).
	[[ -s $T_DIR/tty.out.name ]] || t_fail "no name sent with the fd"
	wait_for 10 eval '[[ $(rt state "$T_CID"; jq -r .status <<<"$T_OUT") == stopped ]]' ||
		t_fail "the container did not stop after exit: $T_OUT"
	rt delete "$T_CID"
	assert_rc 0 "delete"
}

# run --detach with a console socket: the same for engines that use run.
test_console_socket_run_detach() {
	local out
	cfg_edit '.process.terminal = true | .process.consoleSize = {height: 40, width: 100}'
	ctr_args sh -c 'stty size; tty'
	con_listen "$T_DIR/console.sock" "$T_DIR/tty.out"
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	t_defer "timeout 10 '$RUNTIME' --root '$T_ROOT' delete --force '$T_CID'"
	rt run --detach --console-socket "$T_DIR/console.sock" --bundle "$T_BUNDLE" "$T_CID"
	assert_rc 0 "run --detach --console-socket"
	assert_eq "$T_OUT" "" "run --detach printed the container's output itself"
	con_wait_recv
	out=$(con_out "$T_DIR/tty.out")
	assert_match "$out" '^40 100$' "consoleSize"
	assert_match "$out" '^/dev/pts/[0-9]+$' "tty"
}

# Without a console socket create cannot hand the terminal to anyone: a
# clear error and nothing left (lib.sh checks the host after the test).
test_console_terminal_without_socket_fails() {
	cfg_edit '.process.terminal = true'
	ctr_args sh -c 'echo ran >/ran'
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt create --bundle "$T_BUNDLE" "$T_CID"
	[[ $T_RC != 0 ]] || {
		rt delete --force "$T_CID"
		t_fail "create with terminal true and no --console-socket succeeded"
	}
	assert_match "$T_ERR" 'console-socket|console socket' "the error names the missing console socket"
	rt state "$T_CID"
	assert_match "$T_ERR" 'container does not exist' "state after the failed create"
	rt run --detach --bundle "$T_BUNDLE" "$T_CID"
	[[ $T_RC != 0 ]] || t_fail "run --detach with terminal true and no --console-socket succeeded"
	assert_match "$T_ERR" 'console-socket|console socket' "run --detach's error"
	[[ ! -e $T_BUNDLE/rootfs/ran ]] || t_fail "the process ran"
	[[ -z $(ls -A "$T_ROOT" 2>/dev/null) ]] || t_fail "state left: $(ls -A "$T_ROOT")"
}

# A console socket nobody listens on: create fails, naming it.
test_console_socket_not_listening() {
	cfg_edit '.process.terminal = true'
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	rt create --bundle "$T_BUNDLE" --console-socket "$T_DIR/nobody.sock" "$T_CID"
	[[ $T_RC != 0 ]] || {
		rt delete --force "$T_CID"
		t_fail "create with a console socket nobody listens on succeeded"
	}
	assert_contains "$T_ERR" nobody.sock "the error names the socket"
}

# con_script CMD...: run CMD under script(1) (a pty of its own, as an
# interactive shell has), with con_input on its stdin; sets T_RC, T_OUT.
con_script() {
	local cmd
	command -v script >/dev/null || t_skip "no script(1) (util-linux)"
	printf -v cmd '%q ' "$@"
	printf '%s' "${CON_INPUT:-}" >"$T_DIR/script.in"
	HUTCH_IT_TAG=$T_TAG timeout -k 5 "$T_RUN_TIMEOUT" script -qec "$cmd" /dev/null \
		<"$T_DIR/script.in" >"$T_DIR/script.out" 2>"$T_DIR/script.err"
	T_RC=$?
	# script(1) writes a NUL to the terminal at the end of its input, which
	# the container's terminal echoes as "^@" (so it does with runc).
	T_OUT=$(tr -d '\r' <"$T_DIR/script.out" | sed 's/\^@//g')
	T_ERR=$(<"$T_DIR/script.err")
	((T_RC != 124)) || t_fail "foreground run under script timed out: $T_OUT $T_ERR"
}

# Foreground run with a terminal: hutch relays between its terminal and the
# container's pty; the exit status passes through.
test_console_foreground_run_exit_status() {
	cfg_edit '.process.terminal = true'
	ctr_args sh -c 'tty; test -t 0 && test -t 1 && echo all-ttys; exit 3'
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	con_script "$RUNTIME" --root "$T_ROOT" run --bundle "$T_BUNDLE" "$T_CID"
	assert_eq "$T_RC" 3 "exit status through the terminal relay (output: $T_OUT; stderr: $T_ERR)"
	assert_match "$T_OUT" '^/dev/pts/[0-9]+$' "tty in the container"
	assert_match "$T_OUT" '^all-ttys$' "stdin and stdout are ttys"
	[[ -z $(ls -A "$T_ROOT" 2>/dev/null) ]] || t_fail "state left: $(ls -A "$T_ROOT")"
}

# Input typed at run's terminal reaches the container's shell.
test_console_foreground_run_input() {
	local n=$$
	cfg_edit '.process.terminal = true'
	ctr_args sh
	T_N=$((T_N + 1))
	T_CID=$T_ID-$T_N
	CON_INPUT="echo typed-\$(($n + 2)); exit 4"$'\n'
	con_script "$RUNTIME" --root "$T_ROOT" run --bundle "$T_BUNDLE" "$T_CID"
	assert_eq "$T_RC" 4 "exit status (output: $T_OUT; stderr: $T_ERR)"
	assert_match "$T_OUT" "^typed-$((n + 2))\$" "the input reached the container's shell"
}
