/*
 * hooks.h - the OCI hooks: programs run at fixed points of the lifecycle
 * with the container's state JSON on their stdin.
 *
 * hooks_run() runs one kind's list in order, from the calling process's
 * namespaces (the caller picks the moment and the namespace), each with its
 * own args, env and timeout.  It stops at the first failure and reports it;
 * whether that failure is fatal (prestart, createRuntime, createContainer,
 * startContainer) or a warning (poststart, poststop) is the caller's call.
 */
#pragma once

#include "error.h"
#include "spec.h"

const char *hooks_kind_name(enum spec_hook_kind kind);

int hooks_run(const struct spec_hook_list *list, enum spec_hook_kind kind, const char *state_json,
              struct hutch_error *err);
