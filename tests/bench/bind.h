/* SPDX-License-Identifier: MIT */
/* NETDEV_CMD_BIND_RX latency and the kernel memory a binding costs. */
#ifndef URING_DMABUF_BENCH_BIND_H
#define URING_DMABUF_BENCH_BIND_H

#include "memory.h"
#include "methods.h"

/* Prints its rows; returns 0, or -errno if no NIC can take a binding. */
int bench_bind(int dev_fd, const char *ifname, unsigned int queue, int runs);

#endif
