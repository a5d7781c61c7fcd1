/* SPDX-License-Identifier: MIT */
/* What bind-rx and bind-tx share: holding a binding, or handing it down. */
#ifndef URING_DMABUF_TOOL_BIND_H
#define URING_DMABUF_TOOL_BIND_H

#include <signal.h>

#include "setup.h"

/* 0, or the exit status of a usage error (said). */
int bind_split_command(int *argc, char **argv, char ***cmd);
void bind_block_signals(sigset_t *old);
int bind_serve(char **cmd, const struct rx_opts *o, const struct rx_setup *s,
	       const sigset_t *old);

#endif
