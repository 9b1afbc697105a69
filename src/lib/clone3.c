#include "clone3.h"

#include <errno.h>
#include <sys/syscall.h>

#include "banned.h"

#if defined(__x86_64__)

pid_t
clone3_run(struct clone_args *args, int (*fn)(void *), void *arg)
{
	/* syscall preserves every register but rax, rcx and r11, and the
	 * child starts with a copy of them: fn (rdx) and arg (r8) survive
	 * into it.  The child aligns its new stack, calls fn(arg) and exits
	 * with the result; the parent falls through with the pid. */
	register void *arg_reg __asm__("r8") = arg;
	long ret;

	__asm__ volatile("syscall\n\t"
	                 "test %%rax, %%rax\n\t"
	                 "jnz 1f\n\t"
	                 "xor %%ebp, %%ebp\n\t"
	                 "and $-16, %%rsp\n\t"
	                 "mov %%r8, %%rdi\n\t"
	                 "call *%%rdx\n\t"
	                 "mov %%eax, %%edi\n\t"
	                 "mov %[nr_exit], %%eax\n\t"
	                 "syscall\n\t"
	                 "hlt\n\t"
	                 "1:\n\t"
	                 : "=a"(ret)
	                 : "a"((long)SYS_clone3), "D"(args), "S"(sizeof(*args)), "d"(fn),
	                   "r"(arg_reg), [nr_exit] "i"(SYS_exit)
	                 : "rcx", "r11", "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (pid_t)ret;
}

#else

pid_t
clone3_run(struct clone_args *args, int (*fn)(void *), void *arg)
{
	(void)args, (void)fn, (void)arg;
	errno = ENOSYS;
	return -1;
}

#endif
