# shellcheck shell=bash disable=SC2016 # jq filters and container scripts: single quotes on purpose
# linux.seccomp enforced in the container: errno rules in `run` and in
# `exec`, kills, argument comparisons, an allow-list profile of the kind
# engines ship, SCMP_ACT_NOTIFY with a small listener, and the cache of
# compiled programs under --root (reused by run and exec, keyed exactly).
# Sourced by lib.sh; see there for the helpers.

# seccomp_set JSON: set linux.seccomp.
seccomp_set() {
	cfg_edit --argjson s "$1" '.linux.seccomp = $s'
}

# A profile allowing everything but the given rules (a JSON array).
seccomp_allow_but() {
	seccomp_set "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": $1}"
}

# busybox's mkdir may use either syscall, depending on its libc.
DENY_MKDIR='[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]'

test_seccomp_errno_in_run() {
	cfg_edit '.root.readonly = false'
	ctr_sh_ok 'mkdir /tmp/control && echo made'
	assert_contains "$T_OUT" made "mkdir without a filter"
	seccomp_allow_but "$DENY_MKDIR"
	ctr_sh 'mkdir /tmp/x; echo "mkdir=$?"; grep "^Seccomp:" /proc/self/status; echo alive'
	assert_rc 0 "the container runs under the filter"
	assert_contains "$T_ERR" "Operation not permitted" "mkdir under the filter"
	assert_contains "$T_OUT" "mkdir=1"
	assert_match "$T_OUT" 'Seccomp:[[:space:]]+2' "the process is in filter mode"
	assert_contains "$T_OUT" alive
	[[ ! -e $T_BUNDLE/rootfs/tmp/x ]] || t_fail "the directory was made despite the filter"
}

# ctr_running: start the test bundle's process in the background and wait
# until the container is running.
ctr_running() {
	ctr_bg
	wait_for 10 ctr__is_running || {
		kill -KILL "$T_BGPID" 2>/dev/null
		t_fail "container did not start: $(<"$T_DIR/err")"
	}
}

ctr__is_running() {
	local s
	s=$(HUTCH_IT_TAG=$T_TAG "$RUNTIME" --root "$T_ROOT" state "$T_CID" 2>/dev/null) &&
		[[ $(jq -r .status <<<"$s") == running ]]
}

# ctr_stop: SIGKILL the container's process from the host, collect `run`.
ctr_stop() {
	local pid
	pid=$(HUTCH_IT_TAG=$T_TAG "$RUNTIME" --root "$T_ROOT" state "$T_CID" | jq -r .pid)
	[[ $pid =~ ^[0-9]+$ ]] || t_fail "no pid in the state of $T_CID"
	kill -KILL "$pid"
	ctr_wait
}

# An exec'd process gets the container's filter too.
test_seccomp_errno_in_exec() {
	cfg_edit '.root.readonly = false'
	seccomp_allow_but "$DENY_MKDIR"
	ctr_args sleep 60
	ctr_running
	rt exec "$T_CID" sh -c 'mkdir /tmp/y; echo "mkdir=$?"; grep "^Seccomp:" /proc/self/status'
	assert_rc 0 "exec under the filter"
	assert_contains "$T_ERR" "Operation not permitted" "mkdir in exec"
	assert_contains "$T_OUT" "mkdir=1"
	assert_match "$T_OUT" 'Seccomp:[[:space:]]+2' "the exec'd process is in filter mode"
	rt exec "$T_CID" sh -c 'echo exec-ok'
	assert_rc 0
	assert_contains "$T_OUT" exec-ok
	ctr_stop
}

# Exit status 128+31: SIGSYS.  busybox's sh calls uname(2) as it starts, so
# uname runs on its own; sync shows the shell working up to the kill.
test_seccomp_kill_process() {
	seccomp_allow_but '[{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}]'
	ctr_args uname -a
	run_ctr
	assert_rc 159 "uname killed by SIGSYS"
	assert_eq "$T_OUT" "" "uname printed nothing"
	seccomp_allow_but '[{"names": ["sync"], "action": "SCMP_ACT_KILL_PROCESS"}]'
	ctr_sh 'echo alive; exec sync'
	assert_rc 159 "sync killed by SIGSYS"
	assert_contains "$T_OUT" alive "the shell ran before"
}

# SCMP_ACT_KILL is a thread kill, the whole process when it has one thread.
test_seccomp_kill_thread() {
	seccomp_allow_but '[{"names": ["sync"], "action": "SCMP_ACT_KILL"}]'
	ctr_sh 'echo alive; exec sync'
	assert_rc 159 "sync killed by SIGSYS"
	assert_contains "$T_OUT" alive
}

# kill(2) denied only when its signal (argument 1) is SIGKILL.
test_seccomp_args_comparison() {
	seccomp_allow_but '[{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		"args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}]'
	ctr_sh 'sleep 30 & p=$!
		kill -9 $p; echo "kill9=$?"
		kill -15 $p; echo "kill15=$?"
		wait $p; echo "status=$?"'
	assert_rc 0 "the container runs under the filter"
	assert_contains "$T_OUT" "kill9=1" "kill -9 denied"
	assert_contains "$T_ERR" "Operation not permitted" "kill -9 denied with EPERM"
	assert_contains "$T_OUT" "kill15=0" "kill -15 allowed"
	assert_contains "$T_OUT" "status=143" "the sleep died of SIGTERM"
}

# An allow-list with defaultAction ERRNO, as engines ship (written here, not
# copied): the default config of `$RUNTIME spec` still starts and runs a
# shell, a syscall left out is denied, names unknown to this libseccomp or
# of other architectures are skipped.
ALLOW_LIST=(
	accept accept4 access alarm arch_prctl bind brk capget capset chdir chmod chown
	clock_getres clock_gettime clock_nanosleep close close_range connect copy_file_range
	creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_pwait epoll_wait
	eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64
	fallocate fchdir fchmod fchmodat fchown fchownat fcntl fdatasync fgetxattr flistxattr
	flock fork fstat fstatfs fsync ftruncate futex getcwd getdents getdents64 getegid
	geteuid getgid getgroups getitimer getpeername getpgid getpgrp getpid getppid
	getpriority getrandom getresgid getresuid getrlimit get_robust_list getrusage getsid
	getsockname getsockopt gettid gettimeofday getuid getxattr inotify_add_watch
	inotify_init1 inotify_rm_watch ioctl kill lchown lgetxattr link linkat listen
	listxattr llistxattr lseek lstat madvise membarrier memfd_create mincore mkdir mkdirat
	mknodat mlock mmap mprotect mremap msync munlock munmap nanosleep newfstatat open
	openat openat2 pause pipe pipe2 poll ppoll prctl pread64 preadv preadv2 prlimit64
	pselect6 pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recvfrom
	recvmmsg recvmsg rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction
	rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
	rt_sigtimedwait rt_tgsigqueueinfo sched_getaffinity sched_getparam
	sched_getscheduler sched_yield select sendfile sendmmsg sendmsg sendto set_robust_list
	set_tid_address setgid setgroups setitimer setpgid setregid setresgid setresuid
	setreuid setrlimit setsid setsockopt setuid shutdown sigaltstack signalfd4
	socketpair splice stat statfs statx symlink symlinkat sync sysinfo tee tgkill time
	timer_create timer_delete timer_gettime timer_settime timerfd_create timerfd_gettime
	timerfd_settime times tkill truncate umask uname unlink unlinkat utimensat vfork
	wait4 waitid write writev
	# of other architectures, and one no libseccomp knows
	chown32 fcntl64 fstat64 mmap2 _llseek socketcall stat64 ugetrlimit waitpid
	hutch_future_syscall
)

test_seccomp_allow_list_profile() {
	local names profile
	names=$(json_array "${ALLOW_LIST[@]}")
	profile=$(jq -n --argjson names "$names" '{
		defaultAction: "SCMP_ACT_ERRNO",
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		syscalls: [
			{names: $names, action: "SCMP_ACT_ALLOW"},
			{names: ["socket"], action: "SCMP_ACT_ALLOW",
				args: [{index: 0, value: 40, op: "SCMP_CMP_NE"}]},
			{names: ["personality"], action: "SCMP_ACT_ALLOW",
				args: [{index: 0, value: 0, op: "SCMP_CMP_EQ"}]},
			{names: ["personality"], action: "SCMP_ACT_ALLOW",
				args: [{index: 0, value: 4294967295, op: "SCMP_CMP_EQ"}]},
			{names: ["clone"], action: "SCMP_ACT_ALLOW",
				args: [{index: 0, value: 2114060288, op: "SCMP_CMP_MASKED_EQ"}]},
			{names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38}
		]}')
	[[ $(uname -m) == x86_64 ]] || profile=$(jq 'del(.architectures)' <<<"$profile")
	seccomp_set "$profile"
	ctr_sh 'echo hello; ls / >/dev/null && echo listed; (echo sub) | cat
		nice -n 5 true; echo "nice=$?"
		grep "^Seccomp" /proc/self/status'
	assert_rc 0 "a shell runs under the allow-list: $T_ERR"
	assert_contains "$T_OUT" hello
	assert_contains "$T_OUT" listed
	assert_contains "$T_OUT" sub "fork and pipes"
	assert_contains "$T_OUT" "nice=1" "setpriority is not in the list"
	assert_match "$T_OUT" 'Seccomp:[[:space:]]+2'
}

# ---- SCMP_ACT_NOTIFY

# seccomp_agent_start: a listener on $T_DIR/agent.sock that appends each
# container process state it receives as a line to $T_DIR/states and
# answers every notification with ENOSPC.  Compiled here: a shell cannot
# take an fd out of SCM_RIGHTS.
seccomp_agent_start() {
	local cc
	cc=$(command -v cc || command -v gcc) || t_skip "no C compiler for the notify agent"
	cat >"$T_DIR/agent.c" <<-'EOF'
		#include <errno.h>
		#include <fcntl.h>
		#include <linux/seccomp.h>
		#include <poll.h>
		#include <stdio.h>
		#include <string.h>
		#include <sys/ioctl.h>
		#include <sys/socket.h>
		#include <sys/un.h>
		#include <unistd.h>

		static int take(int srv, int out)
		{
			char buf[65536], cbuf[CMSG_SPACE(sizeof(int))];
			struct iovec iov = {buf, sizeof(buf) - 1};
			struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
					   .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
			struct cmsghdr *cm;
			int c = accept(srv, NULL, NULL), fd = -1;
			ssize_t n = c < 0 ? -1 : recvmsg(c, &m, 0);

			if (n <= 0 || !(cm = CMSG_FIRSTHDR(&m)) || cm->cmsg_type != SCM_RIGHTS)
				return fprintf(stderr, "no fd came\n"), -1;
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
			buf[n++] = '\n';
			if (write(out, buf, n) != n)
				return perror("write"), -1;
			close(c);
			return fd;
		}

		static void answer(int fd)
		{
			struct seccomp_notif req;
			struct seccomp_notif_resp resp;

			memset(&req, 0, sizeof(req));
			if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
				return;
			memset(&resp, 0, sizeof(resp));
			resp.id = req.id;
			resp.error = -ENOSPC;
			ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		}

		int main(int argc, char **argv)
		{
			struct sockaddr_un sa = {.sun_family = AF_UNIX};
			struct pollfd p[16] = {{.events = POLLIN}};
			int n = 1, out, i;

			if (argc != 3)
				return 2;
			snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
			p[0].fd = socket(AF_UNIX, SOCK_STREAM, 0);
			out = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
			if (out < 0 || bind(p[0].fd, (struct sockaddr *)&sa, sizeof(sa)) ||
			    listen(p[0].fd, 4))
				return perror("listen"), 1;
			while (poll(p, n, 30000) > 0) {
				if ((p[0].revents & POLLIN) && n < 16 && (i = take(p[0].fd, out)) >= 0)
					p[n++] = (struct pollfd){.fd = i, .events = POLLIN};
				for (i = 1; i < n; i++) {
					if (p[i].revents & POLLIN)
						answer(p[i].fd);
					else if (p[i].revents)
						p[i].fd = -1;
				}
			}
			return 0;
		}
	EOF
	"$cc" -O -o "$T_DIR/agent" "$T_DIR/agent.c" 2>"$T_DIR/agent.log" ||
		t_fail "building the notify agent failed: $(<"$T_DIR/agent.log")"
	"$T_DIR/agent" "$T_DIR/agent.sock" "$T_DIR/states" 2>"$T_DIR/agent.err" &
	t_defer "kill -KILL $!"
	wait_for 10 test -S "$T_DIR/agent.sock" ||
		t_fail "the agent did not listen: $(<"$T_DIR/agent.err")"
}

seccomp_notify_mkdir() {
	cfg_edit '.root.readonly = false'
	seccomp_set "$(jq -n --arg p "$T_DIR/agent.sock" '{
		defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, listenerMetadata: "it-meta",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}')"
}

# assert_state LINE: the runtime-spec's container process state, for T_CID.
assert_state() {
	jq -e --arg id "$T_CID" '.fds == ["seccompFd"] and .metadata == "it-meta"
		and (.pid | type) == "number" and .pid > 0 and .state.id == $id
		and (.ociVersion | type) == "string"' <<<"$1" >/dev/null ||
		t_fail "not the container process state of $T_CID: $1"
}

test_seccomp_notify_listener() {
	seccomp_agent_start
	seccomp_notify_mkdir
	ctr_sh 'mkdir /tmp/n; echo "mkdir=$?"; echo alive'
	assert_rc 0 "the container runs with a listener: $T_ERR"
	assert_contains "$T_ERR" "No space left on device" "the agent answered mkdir"
	assert_contains "$T_OUT" alive
	[[ ! -e $T_BUNDLE/rootfs/tmp/n ]] || t_fail "mkdir ran despite the agent's answer"
	wait_for 5 test -s "$T_DIR/states" || t_fail "the agent received no state"
	assert_state "$(head -n 1 "$T_DIR/states")"
}

# The state is sent whole, however long: annotations (engines add many)
# and the bundle path are in it.
test_seccomp_notify_state_with_annotations() {
	seccomp_agent_start
	seccomp_notify_mkdir
	cfg_edit '.annotations = ([range(40)] | map({key: "org.example.key\(.)",
		value: ("v" * 100)}) | from_entries)'
	ctr_sh 'mkdir /tmp/n; echo alive'
	assert_rc 0 "the container runs with a listener: $T_ERR"
	assert_contains "$T_ERR" "No space left on device" "the agent answered mkdir"
	wait_for 5 test -s "$T_DIR/states" || t_fail "the agent received no state"
	assert_state "$(head -n 1 "$T_DIR/states")"
	jq -e '.state.annotations | length == 40' <<<"$(head -n 1 "$T_DIR/states")" >/dev/null ||
		t_fail "annotations missing from the state: $(head -c 300 "$T_DIR/states")"
}

# Each exec'd process sends its own listener fd.
test_seccomp_notify_listener_exec() {
	seccomp_agent_start
	seccomp_notify_mkdir
	ctr_args sleep 60
	ctr_running
	rt exec "$T_CID" sh -c 'mkdir /tmp/e; echo "mkdir=$?"'
	assert_rc 0 "exec with a listener: $T_ERR"
	assert_contains "$T_ERR" "No space left on device" "the agent answered mkdir in exec"
	ctr_stop
	[[ $(wc -l <"$T_DIR/states") == 2 ]] || t_fail "expected 2 states: $(<"$T_DIR/states")"
	assert_state "$(sed -n 2p "$T_DIR/states")"
}

# The listener must be reachable: a missing one fails the start, named.
test_seccomp_notify_listener_missing() {
	seccomp_set "$(jq -n --arg p "$T_DIR/none.sock" '{
		defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p,
		syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}')"
	run_ctr
	assert_ne "$T_RC" 0 "run without a listener"
	assert_contains "$T_ERR" "linux.seccomp.listenerPath"
}

# ---------------------------------------------------------------- the compiled-filter cache

# sc_traced: T_WRAP runs the runtime under strace, memfd_create calls (the
# compile's export) into $T_DIR/strace.
sc_traced() {
	command -v strace >/dev/null || t_skip "no strace"
	T_WRAP=(env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$T_DIR/strace" -e trace=memfd_create -e signal=none)
}

sc_compiled() {
	grep -q 'memfd_create("hutch-seccomp"' "$T_DIR/strace"
}

# The first container with a profile compiles it; the next `run` and every
# `exec` take the program from --root/@seccomp-cache, and it is enforced
# just the same.  A different profile is compiled (a key differing in one
# errno value only).
test_seccomp_cache_reused() {
	local f
	cfg_edit '.root.readonly = false'
	seccomp_allow_but "$DENY_MKDIR"
	sc_traced
	ctr_sh 'mkdir /tmp/x; echo "mkdir=$?"'
	assert_contains "$T_OUT" "mkdir=1" "first run"
	sc_compiled || t_fail "the first run did not compile the filter"
	f=$(find "$T_ROOT/@seccomp-cache" -type f)
	assert_eq "$(wc -l <<<"$f")" 1 "one cache entry: $f"
	ctr_sh 'mkdir /tmp/x; echo "mkdir=$?"'
	assert_contains "$T_OUT" "mkdir=1" "second run, from the cache"
	sc_compiled && t_fail "the second run compiled the filter again"
	T_WRAP=()
	ctr_args sleep 60
	ctr_running
	sc_traced
	rt exec "$T_CID" sh -c 'mkdir /tmp/y; echo "mkdir=$?"'
	T_WRAP=()
	assert_contains "$T_OUT" "mkdir=1" "exec, from the cache"
	sc_compiled && t_fail "exec compiled the filter again"
	ctr_stop
	seccomp_allow_but "${DENY_MKDIR/\"errnoRet\": 1/\"errnoRet\": 13}"
	sc_traced
	ctr_sh 'mkdir /tmp/x; echo "mkdir=$?"'
	T_WRAP=()
	assert_contains "$T_ERR" "Permission denied" "the other profile's errno"
	sc_compiled || t_fail "a different profile was not compiled"
	assert_eq "$(find "$T_ROOT/@seccomp-cache" -type f | wc -l)" 2 "cache entries"
}

# A cache entry is only used when its whole key matches: an allow-all
# program planted under the file name of a deny profile (as a hash
# collision would) is not loaded; the deny profile is compiled and holds.
test_seccomp_cache_planted_entry_ignored() {
	local deny allow
	cfg_edit '.root.readonly = false'
	seccomp_allow_but '[{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]'
	ctr_sh 'true'
	assert_rc 0 "the allow profile"
	allow=$(find "$T_ROOT/@seccomp-cache" -type f)
	seccomp_allow_but "$DENY_MKDIR"
	ctr_sh 'true'
	assert_rc 0 "the deny profile"
	deny=$(find "$T_ROOT/@seccomp-cache" -type f -not -path "$allow")
	[[ -f $deny && -f $allow ]] || t_fail "no two cache entries: $(ls "$T_ROOT/@seccomp-cache")"
	cp "$allow" "$deny"
	sc_traced
	ctr_sh 'mkdir /tmp/x; echo "mkdir=$?"'
	T_WRAP=()
	assert_contains "$T_OUT" "mkdir=1" "the deny profile with a planted entry"
	sc_compiled || t_fail "the planted entry was used instead of compiling"
}

# The runtime's own work is done before the filter: without HOME in
# process.env it reads the image's /etc/passwd, which a profile killing
# open/openat must not turn into a SIGSYS of the container (found in
# review; runc resolves HOME before seccomp too).
test_seccomp_home_lookup_before_filter() {
	cfg_edit '.process.env = ["PATH=/bin"]'
	seccomp_allow_but '[{"names": ["open", "openat"], "action": "SCMP_ACT_KILL_PROCESS"}]'
	ctr_args /bin/echo hi
	run_ctr
	assert_rc 0 "echo under a profile killing openat: $T_ERR"
	assert_eq "$T_OUT" hi
}
