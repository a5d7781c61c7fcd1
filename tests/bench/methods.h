/* SPDX-License-Identifier: MIT */
/* Ways to turn memory into a dma-buf (or at least to pin it), side by side. */
#ifndef URING_DMABUF_BENCH_METHODS_H
#define URING_DMABUF_BENCH_METHODS_H

#include "memory.h"

enum method { OURS_IOCTL, OURS_FIXED, UDMABUF, URING_REGISTER, DMA_HEAP, NR_METHODS };

#include <liburing.h>

/* What a method made: a dma-buf fd, or (io_uring register) a ring. */
struct made {
	enum method method;
	int fd;
	struct io_uring ring;
	int have_ring;
	/*
	 * What the method takes to give a dma-buf (or the pin) from memory
	 * the process holds; for uring-dmabuf fixed the registration that
	 * pins plus the command, as IORING_REGISTER_BUFFERS is timed alone.
	 */
	double create_ms;
	/* uring-dmabuf fixed: the command alone, from a registered buffer. */
	double command_ms;
};

const char *method_name(enum method m);
/* 0, -EOPNOTSUPP if the method cannot take this memory, or -errno. */
int method_create(enum method m, int dev_fd, const struct mem *mem,
		  struct made *out);
/* Gives it back; returns the milliseconds that took. */
double method_release(struct made *made);

#endif
