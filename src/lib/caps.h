/*
 * caps.h - the process's capability sets, exactly as the config lists them.
 *
 * Order matters and is enforced here: the bounding set is cut first (it
 * needs CAP_SETPCAP, still held), the uid switch happens between
 * caps_prepare_uid_switch() and caps_apply() so that permitted capabilities
 * survive it, then effective/permitted/inheritable are set and the ambient
 * set raised last (ambient needs the cap in permitted and inheritable).
 */
#pragma once

#include "error.h"
#include "spec.h"

/* Drop every capability not in the bounding set and keep the permitted set
 * across the coming setuid(). */
int caps_prepare_uid_switch(const struct spec_process *process, struct hutch_error *err);

/* Set effective, permitted, inheritable and ambient exactly. */
int caps_apply(const struct spec_process *process, struct hutch_error *err);
