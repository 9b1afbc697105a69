/*
 * seccomp.c - linux.seccomp: compiled to BPF with libseccomp in the runtime,
 * installed with seccomp(2) by the container process.
 *
 * Compatibility choices follow runc: SCMP_ACT_KILL is a thread kill, ERRNO
 * and TRACE default to EPERM, rules repeating the default action and
 * syscall names this libseccomp does not know are skipped, and a rule with
 * several conditions on one argument becomes one rule per condition.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

/* libseccomp's own seccomp_program_load() (which we never call) has the name of
 * ours in seccomp.h: keep its declaration out of the way. */
#define seccomp_program_load libseccomp_seccomp_load
#include <seccomp.h>
#undef seccomp_program_load

#include "seccomp-enosys.h"
#include "seccomp.h"
#include "util.h"
#include "banned.h"

#define FIELD "linux.seccomp"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* SCMP_ACT_ERRNO/TRACE carry 16 bits of data; the errno goes in below. */
static const uint32_t seccomp_actions[] = {
    [SPEC_SECCOMP_KILL] = SCMP_ACT_KILL_THREAD,
    [SPEC_SECCOMP_KILL_PROCESS] = SCMP_ACT_KILL_PROCESS,
    [SPEC_SECCOMP_KILL_THREAD] = SCMP_ACT_KILL_THREAD,
    [SPEC_SECCOMP_TRAP] = SCMP_ACT_TRAP,
    [SPEC_SECCOMP_ERRNO] = SCMP_ACT_ERRNO(0),
    [SPEC_SECCOMP_TRACE] = SCMP_ACT_TRACE(0),
    [SPEC_SECCOMP_ALLOW] = SCMP_ACT_ALLOW,
    [SPEC_SECCOMP_LOG] = SCMP_ACT_LOG,
    [SPEC_SECCOMP_NOTIFY] = SCMP_ACT_NOTIFY,
};

static const enum scmp_compare seccomp_ops[] = {
    [SPEC_SECCOMP_OP_NE] = SCMP_CMP_NE,
    [SPEC_SECCOMP_OP_LT] = SCMP_CMP_LT,
    [SPEC_SECCOMP_OP_LE] = SCMP_CMP_LE,
    [SPEC_SECCOMP_OP_EQ] = SCMP_CMP_EQ,
    [SPEC_SECCOMP_OP_GE] = SCMP_CMP_GE,
    [SPEC_SECCOMP_OP_GT] = SCMP_CMP_GT,
    [SPEC_SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* The spec's flags (the first SPEC_FLAGS) and the seccomp(2) flags hutch
 * adds itself, by name for the message when the kernel refuses one. */
#define SPEC_FLAGS 4
static const struct {
	const char *name;
	unsigned int bit;
} seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
    {"SECCOMP_FILTER_FLAG_NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER},
    {"SECCOMP_FILTER_FLAG_TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH},
};

/* The syscall seccomp_program_load() sends the listener fd with: were it notified,
 * the process would wait for an agent that has no fd to answer with. */
#define NOTIFY_SEND_SYSCALL "sendmsg"

static int
action_value(enum spec_seccomp_action action, bool has_errno, uint32_t errno_ret, const char *field,
             struct hutch_error *err)
{
	uint32_t ret = has_errno ? errno_ret : EPERM;

	if (action != SPEC_SECCOMP_ERRNO && action != SPEC_SECCOMP_TRACE)
		return 0;
	/* Above 16 bits the value would be masked into another errno (or 0,
	 * a fake success); the kernel itself caps it at MAX_ERRNO. */
	if (ret > 0xffff)
		return error_msg(err, EINVAL, "%s: errno %u out of range (at most 65535)", field,
		                 ret);
	return (int)ret;
}

static int
map_flags(const struct spec_seccomp *s, bool notify, unsigned int *out, struct hutch_error *err)
{
	unsigned int flags = 0;
	size_t i, j;

	for (i = 0; s->flags && s->flags[i]; i++) {
		for (j = 0; j < SPEC_FLAGS && strcmp(seccomp_flags[j].name, s->flags[i]) != 0; j++)
			;
		if (j == SPEC_FLAGS)
			return error_msg(err, EINVAL,
			                 FIELD ".flags[%zu]: unknown seccomp flag '%s'", i,
			                 s->flags[i]);
		flags |= seccomp_flags[j].bit;
	}
	if (notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* With TSYNC the kernel could not tell a listener fd from the id
		 * of a thread that failed to sync, and refuses the pair unless
		 * told to report that failure as ESRCH. */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	} else {
		/* It only changes how a listener waits; the kernel refuses it
		 * without one, and a generic profile may carry it anyway. */
		flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	*out = flags;
	return 0;
}

static int
add_arches(scmp_filter_ctx ctx, char **arches, struct hutch_error *err)
{
	for (size_t i = 0; arches && arches[i]; i++) {
		const char *prefix = "SCMP_ARCH_";
		char lower[32];
		size_t n = strlen(prefix), k;
		uint32_t token = 0;
		int r;

		/* libseccomp spells SCMP_ARCH_X86_64 "x86_64". */
		if (strncmp(arches[i], prefix, n) == 0 && strlen(arches[i] + n) < sizeof(lower)) {
			for (k = 0; arches[i][n + k]; k++)
				lower[k] = (char)tolower((unsigned char)arches[i][n + k]);
			lower[k] = '\0';
			token = seccomp_arch_resolve_name(lower);
		}
		if (token == 0)
			return error_msg(err, EINVAL,
			                 FIELD ".architectures[%zu]: unknown architecture '%s'", i,
			                 arches[i]);
		r = seccomp_arch_add(ctx, token);
		if (r < 0 && r != -EEXIST)
			return error_sys(err, -r,
			                 FIELD ".architectures[%zu]: add architecture '%s'", i,
			                 arches[i]);
	}
	return 0;
}

static bool
shares_index(const struct spec_seccomp_rule *rule)
{
	unsigned int seen = 0;

	for (size_t i = 0; i < rule->n_args; i++) {
		if (seen & (1U << rule->args[i].index))
			return true;
		seen |= 1U << rule->args[i].index;
	}
	return false;
}

static struct scmp_arg_cmp
arg_cmp(const struct spec_seccomp_arg *a)
{
	/* For MASKED_EQ, value is the mask and valueTwo the expected value,
	 * the order libseccomp takes them in. */
	return (struct scmp_arg_cmp){.arg = a->index,
	                             .op = seccomp_ops[a->op],
	                             .datum_a = a->value,
	                             .datum_b = a->value_two};
}

/* Add one syscall of a rule.  Conditions on distinct arguments all have to
 * hold (one libseccomp rule).  libseccomp refuses two conditions on the
 * same argument in one rule; runc then adds one rule per condition, so that
 * any of them matches, and profiles written for runc expect that. */
static int
add_syscall(scmp_filter_ctx ctx, uint32_t action, int nr, const struct spec_seccomp_rule *rule)
{
	struct scmp_arg_cmp cmp[6];
	int r = 0;

	if (shares_index(rule)) {
		for (size_t i = 0; i < rule->n_args && r >= 0; i++) {
			cmp[0] = arg_cmp(&rule->args[i]);
			r = seccomp_rule_add_array(ctx, action, nr, 1, cmp);
		}
		return r;
	}
	/* Distinct indexes 0..5 (the parser checked the range): at most 6. */
	for (size_t i = 0; i < rule->n_args; i++)
		cmp[i] = arg_cmp(&rule->args[i]);
	return seccomp_rule_add_array(ctx, action, nr, (unsigned int)rule->n_args, cmp);
}

/* Returns the number of syscalls added. */
static int
add_rule(scmp_filter_ctx ctx, const struct spec_seccomp_rule *rule, size_t i, uint32_t def,
         struct hutch_error *err)
{
	char field[64], errno_field[80];
	uint32_t action = seccomp_actions[rule->action];
	int r, added = 0;

	snprintf(field, sizeof(field), FIELD ".syscalls[%zu]", i);
	snprintf(errno_field, sizeof(errno_field), "%s.errnoRet", field);
	r = action_value(rule->action, rule->has_errno_ret, rule->errno_ret, errno_field, err);
	if (r < 0)
		return r;
	action |= (uint32_t)r;
	/* libseccomp refuses a rule that repeats the default action. */
	if (action == def)
		return 0;
	for (size_t k = 0; rule->names[k]; k++) {
		const char *name = rule->names[k];
		int nr;

		if (rule->action == SPEC_SECCOMP_NOTIFY && strcmp(name, NOTIFY_SEND_SYSCALL) == 0)
			return error_msg(
			    err, EINVAL,
			    "%s: SCMP_ACT_NOTIFY cannot be used for '%s', which sends the listener fd",
			    field, name);
		/* Unknown to this libseccomp (newer than it, or misspelt):
		 * skipped, as runc does, so that one profile serves many
		 * hosts.  Pseudo-numbers of other architectures' syscalls are
		 * kept: libseccomp maps them for each architecture. */
		nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = add_syscall(ctx, action, nr, rule);
		if (r < 0)
			return error_sys(err, -r, "%s: add rule for '%s'", field, name);
		added++;
	}
	return added;
}

static int
export_bpf(scmp_filter_ctx ctx, struct seccomp_program *out, struct hutch_error *err)
{
	_cleanup_close_ int fd = memfd_create("hutch-seccomp", MFD_CLOEXEC);
	_cleanup_free_ void *bpf = NULL;
	struct stat st;
	size_t size;
	int r;

	if (fd < 0)
		return error_sys(err, errno, FIELD ": memfd_create for the filter");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return error_sys(err, -r, FIELD ": export the filter");
	if (fstat(fd, &st) < 0)
		return error_sys(err, errno, FIELD ": stat the exported filter");
	size = (size_t)st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter) != 0)
		return error_msg(err, EIO, FIELD ": libseccomp exported %zu bytes of BPF", size);
	/* The kernel's limit: refuse here rather than in the container. */
	if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return error_msg(err, E2BIG,
		                 FIELD
		                 ": the filter has %zu instructions, the kernel takes at most %d",
		                 size / sizeof(struct sock_filter), BPF_MAXINSNS);
	bpf = xmalloc(size);
	if (pread(fd, bpf, size, 0) != (ssize_t)size)
		return error_sys(err, errno ? errno : EIO, FIELD ": read back the exported filter");
	out->bpf = TAKE_PTR(bpf);
	out->len = size / sizeof(struct sock_filter);
	return 0;
}

static int
build(scmp_filter_ctx ctx, const struct spec_seccomp *s, uint32_t def, struct hutch_error *err)
{
	int r, added = 0;

	/* no_new_privs is the runtime's decision (process.noNewPrivileges),
	 * and hutch loads the program itself: libseccomp must not set it. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return error_sys(err, -r, FIELD ": set filter attributes");
	r = add_arches(ctx, s->architectures, err);
	for (size_t i = 0; r >= 0 && i < s->n_rules; i++) {
		r = add_rule(ctx, &s->rules[i], i, def, err);
		added += r > 0 ? r : 0;
	}
	if (r < 0)
		return r;
	/* A binary tree of syscalls instead of a linear list: long profiles
	 * cost every syscall fewer comparisons.  runc's threshold, but counted
	 * in syscalls really added: libseccomp <= 2.5.4 builds a broken tree
	 * when there are none. */
	if (added > 32)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return error_sys(err, -r, FIELD ": set filter attributes");
	return 0;
}

/* The architectures of ctx, for the -ENOSYS stub.  s390 and s390x are
 * left out: their kernels hand seccomp unknown syscalls as number 0
 * (runc special-cases them). */
static size_t
filter_arches(scmp_filter_ctx ctx, unsigned int *out, size_t max)
{
	static const unsigned int known[] = {
	    SCMP_ARCH_X86,     SCMP_ARCH_X86_64,   SCMP_ARCH_X32,         SCMP_ARCH_ARM,
	    SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS,     SCMP_ARCH_MIPS64,      SCMP_ARCH_MIPS64N32,
	    SCMP_ARCH_MIPSEL,  SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC,
	    SCMP_ARCH_PPC64,   SCMP_ARCH_PPC64LE,  SCMP_ARCH_PARISC,      SCMP_ARCH_PARISC64,
	    SCMP_ARCH_RISCV64,
	};
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(known) && n < max; i++)
		if (seccomp_arch_exist(ctx, known[i]) == 0)
			out[n++] = known[i];
	return n;
}

/* Put the -ENOSYS stub (seccomp-enosys.h) in front of the program. */
static int
prepend_enosys_stub(const struct spec_seccomp *s, scmp_filter_ctx ctx, struct seccomp_program *p,
                    struct hutch_error *err)
{
	unsigned int arches[32];
	size_t n_arches = filter_arches(ctx, arches, ARRAY_SIZE(arches)), n;
	_cleanup_free_ struct sock_filter *stub = NULL;
	struct sock_filter *all;
	int r = seccomp_enosys_stub(s, arches, n_arches, &stub, &n, err);

	if (r < 0 || n == 0)
		return r;
	if (p->len + n > BPF_MAXINSNS)
		return error_msg(err, E2BIG,
		                 FIELD
		                 ": the filter has %zu instructions, the kernel takes at most %d",
		                 p->len + n, BPF_MAXINSNS);
	all = xmalloc((p->len + n) * sizeof(*all));
	memcpy(all, stub, n * sizeof(*all));
	memcpy(all + n, p->bpf, p->len * sizeof(*all));
	free(p->bpf);
	p->bpf = all;
	p->len += n;
	return 0;
}

int
seccomp_program_compile(const struct spec_seccomp *s, struct seccomp_program *out,
                        struct hutch_error *err)
{
	struct seccomp_program p = {0};
	scmp_filter_ctx ctx;
	uint32_t def = seccomp_actions[s->default_action];
	int r;

	*out = p;
	for (size_t i = 0; i < s->n_rules; i++)
		p.notify = p.notify || s->rules[i].action == SPEC_SECCOMP_NOTIFY;
	r = map_flags(s, p.notify, &p.flags, err);
	if (r < 0)
		return r;
	r = action_value(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
	                 FIELD ".defaultErrnoRet", err);
	if (r < 0)
		return r;
	def |= (uint32_t)r;
	/* The kernel has no notify default, and the parser refused it. */
	ctx = s->default_action == SPEC_SECCOMP_NOTIFY ? NULL : seccomp_init(def);
	if (!ctx)
		return error_msg(err, EINVAL, FIELD ".defaultAction: refused by libseccomp");
	r = build(ctx, s, def, err);
	if (r >= 0)
		r = export_bpf(ctx, &p, err);
	if (r >= 0)
		r = prepend_enosys_stub(s, ctx, &p, err);
	seccomp_release(ctx);
	if (r < 0) {
		seccomp_program_release(&p);
		return r;
	}
	*out = p;
	return 0;
}

int
seccomp_listener_connect(const char *path, struct hutch_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	_cleanup_close_ int fd = -1;

	if (n >= sizeof(sa.sun_path))
		return error_msg(err, ENAMETOOLONG,
		                 FIELD ".listenerPath: '%s' is too long for a unix socket", path);
	memcpy(sa.sun_path, path, n + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_sys(err, errno, FIELD ".listenerPath: socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return error_sys(err, errno, FIELD ".listenerPath: connect to '%s'", path);
	return TAKE_FD(fd);
}

/* The kernel says EINVAL for any flag it does not know: find which.  With
 * no program the call fails with EFAULT when the flags are fine, before it
 * installs anything. */
static int
load_error(unsigned int flags, int errnum, struct hutch_error *err)
{
	for (size_t i = 0; errnum == EINVAL && i < ARRAY_SIZE(seccomp_flags); i++) {
		unsigned int bit = seccomp_flags[i].bit, probe = bit;

		if (!(flags & bit))
			continue;
		if (bit == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
			probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, probe, NULL) < 0 &&
		    errno == EINVAL)
			return error_sys(
			    err, errnum,
			    "load the seccomp filter: flag %s not supported by this kernel",
			    seccomp_flags[i].name);
		flags &= ~bit;
	}
	if (errnum == EINVAL && flags)
		return error_sys(err, errnum, "load the seccomp filter: unknown flags 0x%x", flags);
	return error_sys(err, errnum, "load the seccomp filter (" FIELD ")");
}

/* Send the listener fd with the state as the runtime-spec describes:
 * SCM_RIGHTS with the JSON as the payload.  No allocation: this runs in the
 * container process. */
static int
send_listener(int sock, int fd, const char *state, struct hutch_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	size_t len = strlen(state), off = 0;
	struct iovec iov;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	memset(&c, 0, sizeof(c));
	msg.msg_control = c.buf;
	msg.msg_controllen = sizeof(c.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	while (off < len) {
		ssize_t n;

		iov.iov_base = (char *)state + off;
		iov.iov_len = len - off;
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_sys(err, errno,
			                 "send the seccomp listener fd to " FIELD ".listenerPath");
		/* The fd went with the first bytes; the rest is plain data. */
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
		off += (size_t)n;
	}
	return 0;
}

int
seccomp_program_load(const struct seccomp_program *p, int listener_sock, const char *state_json,
                     struct hutch_error *err)
{
	struct sock_fprog prog = {.len = (unsigned short)p->len, .filter = p->bpf};
	long fd;
	int r;

	if (p->notify && (listener_sock < 0 || !state_json || !state_json[0]))
		return error_msg(err, EINVAL,
		                 FIELD ": SCMP_ACT_NOTIFY needs a listener and a state");
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
	if (fd < 0)
		return load_error(p->flags, errno, err);
	if (!p->notify)
		return 0;
	r = send_listener(listener_sock, (int)fd, state_json, err);
	close((int)fd);
	return r;
}

void
seccomp_program_release(struct seccomp_program *p)
{
	if (!p)
		return;
	free(p->bpf);
	*p = (struct seccomp_program){0};
}
