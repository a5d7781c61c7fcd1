/* SPDX-License-Identifier: MIT */
/*
 * The RX setup shared by bind-rx and recv: memory, dma-buf (ioctl or io_uring
 * fixed buffer), and the binding to the NIC's queues.
 */
#ifndef URING_DMABUF_TOOL_SETUP_H
#define URING_DMABUF_TOOL_SETUP_H

#include <getopt.h>
#include <stdbool.h>
#include <liburing.h>

#include "liburing_dmabuf.h"
#include "memory.h"
#include "parse.h"

#define NUMA_NONE -1
#define NUMA_AUTO -2

struct rx_opts {
	const char *dev;
	unsigned int queues[MAX_QUEUES];
	unsigned int nr_queues;
	uint64_t size;
	enum mem_kind kind;
	int numa;
	bool uring;
	unsigned int rx_page_size;
	/* bind-tx, send --devmem: the test pattern in the memory, READONLY */
	bool tx;
};

struct rx_setup {
	struct region mem;
	int dev_fd;
	int dmabuf_fd;
	bool have_ring;
	struct io_uring ring;
	unsigned int ifindex;
	int numa_node;
	struct uring_dmabuf_info info;
	struct uring_dmabuf_binding *binding;
};

void rx_opts_init(struct rx_opts *o);
/* getopt_long entries and their handler, shared by bind-rx and recv. */
extern const struct option rx_long_options[];
#define RX_OPTS_SHORT "q:s:"
void rx_options_merge(struct option *out, size_t max, const struct option *extra);
int rx_opts_parse(struct rx_opts *o, int opt, const char *arg);
int rx_opts_check(const struct rx_opts *o, bool need_dev);

/* The device, its queues and RLIMIT_MEMLOCK, before anything is allocated. */
int rx_setup_precheck(const struct rx_opts *o, struct rx_setup *s);
int dmabuf_setup(const struct rx_opts *o, struct rx_setup *s);
int rx_bind(const struct rx_opts *o, struct rx_setup *s);
int tx_bind(const struct rx_opts *o, struct rx_setup *s);
void rx_setup_print(const struct rx_opts *o, const struct rx_setup *s);
void rx_teardown(struct rx_setup *s);

int nic_numa_node(const char *dev);
int rx_queue_count(const char *dev);

#endif
