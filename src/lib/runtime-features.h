/*
 * features.h - the runtime-spec "features" document of hutch (features.md
 * and features-linux.md of the OCI runtime-spec): what this build
 * recognises in config.json and what it implements, for engines to query
 * before they create a container (`hutch features`).
 *
 * "Recognised" lists are taken from the same sources the config parser
 * uses (libcap's names, libseccomp's architectures, spec.h's namespaces,
 * hooks.h's kinds) or, where the parser keeps its table private, mirrored
 * here and checked against spec_parse() by tests/unit/test-features.c.
 * Only seccomp's supportedFlags depends on the host (its kernel and
 * libseccomp), as the spec intends.  Nothing here prints.
 */
#pragma once

#include "error.h"

/* The range of config.json ociVersion values hutch accepts and implements. */
#define FEATURES_OCI_VERSION_MIN "1.0.0"
#define FEATURES_OCI_VERSION_MAX "1.3.0"

/* The document as JSON indented like runc's, to be freed by the caller. */
int features_json(char **out, struct hutch_error *err);
