/*
 * lsm.h - process.apparmorProfile and process.selinuxLabel.
 *
 * Each becomes the label the process takes at execve, when that security
 * module is enabled on the host, and is ignored otherwise, as runc does: the
 * same config (an engine's default profile) runs on hosts with either.
 * Whether a module is enabled is decided on the host side before the clone
 * (the container's /sys is not the host's); the process writes its own
 * procfs attr files, checked to be procfs, before its seccomp filter and
 * capability drop can get in the way.
 */
#pragma once

#include "error.h"
#include "spec.h"

struct lsm_labels {
	const char *apparmor; /* profile to change to on exec, or NULL */
	const char *selinux;  /* exec context, or NULL */
};

/* The labels of p that apply on this host. */
void lsm_labels_for(const struct spec_process *p, struct lsm_labels *out);

/* In the process (its /proc mounted): set them for the coming execve. */
int lsm_apply(const struct lsm_labels *l, struct hutch_error *err);
