#include "caps.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "util.h"
#include "banned.h"

static bool
has(const struct spec_process *p, enum spec_cap_set set, int cap)
{
	return (p->caps[set] >> cap) & 1;
}

int
caps_prepare_uid_switch(const struct spec_process *p, struct hutch_error *err)
{
	int last = (int)cap_max_bits();

	for (int cap = 0; cap < last && cap < 64; cap++) {
		if (has(p, SPEC_CAP_BOUNDING, cap))
			continue;
		/* EINVAL: a capability this kernel does not know; nothing to drop. */
		if (cap_drop_bound(cap) < 0 && errno != EINVAL)
			return error_sys(err, errno, "drop capability %d from the bounding set",
			                 cap);
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return error_sys(err, errno, "keep capabilities across the uid switch");
	return 0;
}

static int
fill_set(cap_t caps, const struct spec_process *p, enum spec_cap_set set, cap_flag_t flag)
{
	cap_value_t list[64];
	int n = 0, last = (int)cap_max_bits();

	for (int cap = 0; cap < last && cap < 64; cap++)
		if (has(p, set, cap))
			list[n++] = cap;
	return n ? cap_set_flag(caps, flag, n, list, CAP_SET) : 0;
}

int
caps_apply(const struct spec_process *p, struct hutch_error *err)
{
	cap_t caps = cap_init(); /* all clear */
	int last = (int)cap_max_bits();
	int r = 0;

	if (!caps)
		return error_sys(err, errno, "allocate capability sets");
	if (fill_set(caps, p, SPEC_CAP_EFFECTIVE, CAP_EFFECTIVE) < 0 ||
	    fill_set(caps, p, SPEC_CAP_PERMITTED, CAP_PERMITTED) < 0 ||
	    fill_set(caps, p, SPEC_CAP_INHERITABLE, CAP_INHERITABLE) < 0)
		r = error_sys(err, errno, "build capability sets");
	else if (cap_set_proc(caps) < 0)
		r = error_sys(err, errno, "set capabilities");
	cap_free(caps);
	if (r < 0)
		return r;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return error_sys(err, errno, "reset keep-capabilities");
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return error_sys(err, errno, "clear the ambient set");
	/* The kernel only allows an ambient capability that is also permitted
	 * and inheritable.  runc's default config lists ambient ones without an
	 * inheritable set; like runc, raise what can be raised and skip the
	 * rest, so the process ends up with exactly what the kernel allows. */
	for (int cap = 0; cap < last && cap < 64; cap++)
		if (has(p, SPEC_CAP_AMBIENT, cap) && has(p, SPEC_CAP_PERMITTED, cap) &&
		    has(p, SPEC_CAP_INHERITABLE, cap) && cap_set_ambient(cap, CAP_SET) < 0)
			return error_sys(err, errno, "raise ambient capability %d", cap);
	return 0;
}
