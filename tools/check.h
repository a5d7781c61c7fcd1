/* SPDX-License-Identifier: MIT */
/*
 * uring-dmabuf check: its options, the item printer shared by the host and
 * device checks, and the one blocker the summary names.
 */
#ifndef URING_DMABUF_TOOL_CHECK_H
#define URING_DMABUF_TOOL_CHECK_H

#include <stdbool.h>
#include <stdint.h>

struct check_opts {
	const char *dev;
	bool have_queue;
	unsigned int queue;	/* the queue to try; default: the last RX queue */
	unsigned int port;	/* 0: none given */
	uint64_t size;		/* 0: none given */
	const char *size_arg;	/* as typed, for the fix lines */
};

struct check_state {
	int failures;
	char blocker[64];	/* the item that blocks devmem, "" if none */
	char blocker_detail[384];
	/* Set once the driver is known not to do devmem: other fixes are moot. */
	const char *moot;
};

extern struct check_state check_state;

/*
 * One item: required ones decide the exit status, others only inform.
 * Once check_state.moot is set a failure is shown without its fix, as a
 * warning: nothing but another NIC helps.
 */
void check_item(const char *name, bool ok, bool required, const char *fix,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A failed required item that is the blocker, whatever failed before it. */
void check_blocker(const char *name, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void check_dev(const struct check_opts *o);

/* The dry run: a one-page dma-buf bound to one queue, unbound at once. */
enum dry_bind_result {
	DRY_NOT_TRIED,
	DRY_BOUND,
	DRY_REFUSED,
};

struct dry_bind {
	enum dry_bind_result result;
	int err;		/* -errno of the refusal */
	char msg[256];		/* the kernel's extack message, or why not tried */
};

void dry_bind(const char *dev, unsigned int ifindex, unsigned int queue,
	      bool parentless, struct dry_bind *r);

#endif
