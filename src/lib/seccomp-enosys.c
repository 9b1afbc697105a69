#include "seccomp-enosys.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#define seccomp_program_load libseccomp_seccomp_load
#include <seccomp.h>
#undef seccomp_program_load

#include "util.h"
#include "banned.h"

/* x32 syscalls reach seccomp as AUDIT_ARCH_X86_64 with this bit set. */
#define X32_SYSCALL_BIT 0x40000000u

#define MAX_STUB 256

struct stub {
	struct sock_filter insn[MAX_STUB];
	size_t n;
	size_t to_main[MAX_STUB]; /* "ja main" instructions, fixed up at the end */
	size_t n_to_main;
};

static void
emit(struct stub *st, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	st->insn[st->n++] = (struct sock_filter){.code = code, .jt = jt, .jf = jf, .k = k};
}

static void
to_main(struct stub *st)
{
	st->to_main[st->n_to_main++] = st->n;
	emit(st, BPF_JMP | BPF_JA, 0, 0, 0);
}

/* nr (in A) above max: ENOSYS; else on to the profile. */
static void
above(struct stub *st, uint32_t max)
{
	emit(st, BPF_JMP | BPF_JGT | BPF_K, max, 0, 1);
	emit(st, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA), 0, 0);
	to_main(st);
}

/* The largest number of a syscall the profile names on this architecture;
 * -1 when it names none there. */
static int64_t
largest(const struct spec_seccomp *s, unsigned int arch)
{
	int64_t max = -1;

	for (size_t i = 0; i < s->n_rules; i++)
		for (char **name = s->rules[i].names; name && *name; name++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, *name);

			if (nr >= 0 && nr > max)
				max = nr; /* negative: a pseudo-syscall, not on this arch */
		}
	return max;
}

static bool
has_arch(const unsigned int *arches, size_t n, unsigned int arch)
{
	for (size_t i = 0; i < n; i++)
		if (arches[i] == arch)
			return true;
	return false;
}

int
seccomp_enosys_stub(const struct spec_seccomp *s, const unsigned int *arches, size_t n_arches,
                    struct sock_filter **out, size_t *n, struct hutch_error *err)
{
	static struct stub st; /* 4 KiB: not on the stack */
	int64_t max64 = -1, max32 = -1;

	*out = NULL;
	*n = 0;
	if (s->default_action == SPEC_SECCOMP_ALLOW || s->default_action == SPEC_SECCOMP_LOG)
		return 0;
	st.n = st.n_to_main = 0;
	emit(&st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	for (size_t i = 0; i < n_arches; i++) {
		int64_t max;
		size_t jump;

		if (arches[i] == SCMP_ARCH_X32 || arches[i] == SCMP_ARCH_X86_64)
			continue; /* one block for both, below */
		max = largest(s, arches[i]);
		if (max < 0)
			continue;
		if (st.n + 8 > MAX_STUB)
			return error_msg(err, E2BIG, "linux.seccomp: too many architectures");
		jump = st.n;
		emit(&st, BPF_JMP | BPF_JEQ | BPF_K, arches[i], 0, 0);
		emit(&st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
		above(&st, (uint32_t)max);
		st.insn[jump].jf = (uint8_t)(st.n - jump - 1); /* to the next block */
	}
	if (has_arch(arches, n_arches, SCMP_ARCH_X86_64))
		max64 = largest(s, SCMP_ARCH_X86_64);
	if (has_arch(arches, n_arches, SCMP_ARCH_X32))
		max32 = largest(s, SCMP_ARCH_X32);
	if (max64 >= 0 || max32 >= 0) {
		size_t jump = st.n, split;

		emit(&st, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 0);
		emit(&st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
		split = st.n;
		emit(&st, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 0);
		if (max64 >= 0)
			above(&st, (uint32_t)max64);
		else
			to_main(&st);
		st.insn[split].jt = (uint8_t)(st.n - split - 1); /* x32 syscalls */
		if (max32 >= 0)
			above(&st, (uint32_t)max32);
		else
			to_main(&st);
		st.insn[jump].jf = (uint8_t)(st.n - jump - 1);
	}
	if (st.n == 1)
		return 0; /* no architecture named anything */
	to_main(&st);     /* an architecture without a block */
	for (size_t i = 0; i < st.n_to_main; i++)
		st.insn[st.to_main[i]].k = (uint32_t)(st.n - st.to_main[i] - 1);
	*out = xmalloc(st.n * sizeof(**out));
	memcpy(*out, st.insn, st.n * sizeof(**out));
	*n = st.n;
	return 0;
}
