/* SPDX-License-Identifier: MIT */
/* bind-rx --steer and restore: the CLI side of uring_dmabuf_steer_*. */
#ifndef URING_DMABUF_TOOL_STEER_H
#define URING_DMABUF_TOOL_STEER_H

#include <getopt.h>
#include <stdint.h>

#include "liburing_dmabuf.h"

struct rx_opts;

struct steer_opts {
	uint16_t ports[URING_DMABUF_STEER_MAX_PORTS];
	unsigned int nr_ports;
	unsigned int proto;
	struct uring_dmabuf_steer *applied;
};

extern const struct option steer_long_options[];
void steer_opts_init(struct steer_opts *so);
/* 1 if @opt was --steer/--proto and parsed, 0 if not ours, <0 if bad. */
int steer_opts_parse(struct steer_opts *so, int opt, const char *arg);
int steer_opts_check(const struct steer_opts *so);
/* Applies steering for @o's device and queues; prints what failed. */
int steer_start(const struct rx_opts *o, struct steer_opts *so);
void steer_print(const struct rx_opts *o, const struct steer_opts *so);
/* Restores (after the unbind); 0, or -errno with the error printed. */
int steer_stop(struct steer_opts *so);

#endif
