/* SPDX-License-Identifier: MIT */
/* Parsing of command-line values: sizes, queue lists, memory kinds. */
#ifndef URING_DMABUF_TOOL_PARSE_H
#define URING_DMABUF_TOOL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define MAX_QUEUES 1024

int parse_size(const char *s, uint64_t *out);
int parse_u32(const char *s, unsigned int *out);
int parse_queue_list(const char *s, unsigned int *queues, unsigned int max,
		     unsigned int *nr);
/* "5201" or "5201,5202": ports 1-65535, each once, at most @max. */
int parse_port_list(const char *s, uint16_t *ports, unsigned int max,
		    unsigned int *nr);

enum mem_kind {
	MEM_4K,		/* anonymous, THP off (MADV_NOHUGEPAGE) */
	MEM_THP,	/* anonymous, MADV_HUGEPAGE */
	MEM_HUGE_2M,	/* MAP_HUGETLB 2 MiB */
	MEM_HUGE_1G,	/* MAP_HUGETLB 1 GiB */
	MEM_SHMEM,	/* memfd, MAP_SHARED */
};

int parse_mem_kind(const char *s, enum mem_kind *out);
const char *mem_kind_name(enum mem_kind kind);
uint64_t mem_kind_align(enum mem_kind kind);

#endif
