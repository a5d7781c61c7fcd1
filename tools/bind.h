/* SPDX-License-Identifier: MIT */
/* What bind-rx and bind-tx share: holding a binding, or handing it down. */
#ifndef URING_DMABUF_TOOL_BIND_H
#define URING_DMABUF_TOOL_BIND_H

#include <signal.h>

int bind_run_child(char **cmd, int dmabuf_fd, int nl_fd, const sigset_t *old);
int bind_hold(void);

#endif
