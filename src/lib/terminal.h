/*
 * terminal.h - the container's terminal (process.terminal).
 *
 * The pty is made inside the container, from its own devpts instance, so
 * that the process's /dev/pts/N is valid where it runs.  Its master end
 * goes over a unix socket with SCM_RIGHTS: to the engine's --console-socket
 * (containerd, podman), or to hutch itself when `run` holds the terminal in
 * the foreground and relays between the user's terminal and the pty.
 */
#pragma once

#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* Parent: connect to an engine's console socket (a path). */
int terminal_connect(const char *path, struct hutch_error *err);

/* Child, after pivot_root: make the pty, send its master over sock, and
 * make the slave the process's controlling terminal and stdio. */
int terminal_setup(const struct spec_process *p, int sock, struct hutch_error *err);

/* Parent: receive the master fd sent by terminal_setup(). */
int terminal_recv_master(int sock, struct hutch_error *err);

/* Foreground run: relay stdin -> master and master -> stdout (stdin in raw
 * mode when it is a terminal, window size kept in sync) until the process
 * exits; forward other signals from sigfd to it.  Returns the wait status. */
int terminal_relay(int master, pid_t pid, int sigfd, struct hutch_error *err);
