/*
 * cgroup-v2-devices.c - linux.resources.devices on cgroup v2.
 *
 * v2 has no devices.allow file: the policy is a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the cgroup, which the kernel runs on every open and
 * mknod of a device node.  It is generated here from the rules, with no
 * library: a few dozen instructions.
 *
 * Semantics are v1's: the list starts from "allow all"; a rule for all
 * devices ('a', any major and minor, all access) resets the default; each
 * later rule overrides the earlier ones.  So the program tests the rules
 * after the last reset from the last to the first, and the first match
 * decides; none matching gives the default.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util.h"
#include "banned.h"

#define MAX_INSNS 4096

struct program {
	struct bpf_insn insns[MAX_INSNS];
	size_t n;
};

static void
emit(struct program *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n < MAX_INSNS)
		p->insns[p->n++] = (struct bpf_insn){
		    .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

static bool
resets(const struct spec_device_rule *r)
{
	return r->type == 'a' && r->major < 0 && r->minor < 0 && strlen(r->access) == 3;
}

static int
access_bits(const char *access)
{
	int bits = 0;

	for (const char *c = access; *c; c++)
		bits |= *c == 'r'   ? BPF_DEVCG_ACC_READ
		        : *c == 'w' ? BPF_DEVCG_ACC_WRITE
		                    : BPF_DEVCG_ACC_MKNOD;
	return bits;
}

/* One rule: each test jumps past the block when it does not match. */
static void
emit_rule(struct program *p, const struct spec_device_rule *r)
{
	size_t jumps[4], n_jumps = 0;
	int bits = access_bits(r->access);

	if (r->type != 'a') {
		jumps[n_jumps++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
		     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	}
	if (bits != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
		/* Every access asked for must be one the rule names. */
		emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, ~bits);
		jumps[n_jumps++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, 0, 0);
	}
	if (r->major >= 0) {
		jumps[n_jumps++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)r->major);
	}
	if (r->minor >= 0) {
		jumps[n_jumps++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)r->minor);
	}
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < n_jumps && p->n < MAX_INSNS; i++)
		p->insns[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
}

static void
build(struct program *p, const struct spec_device_rule *rules, size_t n)
{
	_cleanup_free_ const struct spec_device_rule **all =
	    xcalloc(n + cgroup_n_default_devices, sizeof(*all));
	size_t count = 0, first = 0;
	bool allow = true;

	for (size_t i = 0; i < n; i++)
		all[count++] = &rules[i];
	for (size_t i = 0; i < cgroup_n_default_devices; i++)
		all[count++] = &cgroup_default_devices[i];
	for (size_t i = 0; i < count; i++) {
		if (resets(all[i])) {
			allow = all[i]->allow;
			first = i + 1;
		}
	}
	/* r2 = device type, r3 = access asked for, r4 = major, r5 = minor */
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
	for (size_t i = count; i > first; i--)
		emit_rule(p, all[i - 1]);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

int
cgroup_v2_devices_apply(const char *dir, const struct spec_device_rule *rules, size_t n,
                        struct hutch_error *err)
{
	static struct program prog; /* 32 KiB: not on the stack */
	_cleanup_close_ int prog_fd = -1, dir_fd = -1;
	union bpf_attr load = {0}, attach = {0};

	if (n > 1000)
		return error_msg(err, E2BIG, "linux.resources.devices: too many rules");
	prog.n = 0;
	build(&prog, rules, n);
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uintptr_t)prog.insns;
	load.insn_cnt = (uint32_t)prog.n;
	load.license = (uintptr_t) "Apache-2.0";
	prog_fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
	if (prog_fd < 0)
		return error_sys(err, errno, "linux.resources.devices: load the device program");
	dir_fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dir_fd < 0)
		return error_sys(err, errno, "open '%s'", dir);
	attach.target_fd = (uint32_t)dir_fd;
	attach.attach_bpf_fd = (uint32_t)prog_fd;
	attach.attach_type = BPF_CGROUP_DEVICE;
	attach.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach)) < 0)
		return error_sys(err, errno,
		                 "linux.resources.devices: attach the device program to '%s'", dir);
	return 0;
}
