/*
 * fuzz.h - the libFuzzer entry point that every fuzz-*.c defines.  The same
 * file links either with libFuzzer (-Dfuzz=true, clang) or with replay.c,
 * which feeds it each file of a corpus directory under `meson test`.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
