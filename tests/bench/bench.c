// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf benchmarks, run in one boot: time to make a dma-buf from
 * memory of each kind (ours by ioctl and by io_uring fixed buffer, in-tree
 * udmabuf on memfds, io_uring buffer registration as the cost of pinning at
 * all, the system dma-heap), time to release it, the segments an importer
 * with a 4 GiB segment limit receives, and mmap + touch. Not a test: it
 * asserts nothing about speed. Prints a table, then one JSON document.
 *
 * Fairness: every method gets the same untimed warm-up round on each
 * buffer, then the timed runs go round robin (run i starts with the i-th
 * method), so that no method always comes first or last, nor gets its runs
 * in one block while the machine is in one state.
 *
 *   bench [--quick] [--runs N] [--bind IFNAME]... [--bind-only]
 *
 * --bind also times NETDEV_CMD_BIND_RX of 1 GiB (ours against udmabuf) on
 * queue 1 of IFNAME and the kernel memory each binding costs (given twice:
 * on both ports, one after the other); --bind-only leaves the rest out
 * (make bench-iommu).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/uring_dmabuf.h>

#include "../kmod/importer/importer_uapi.h"
#include "bind.h"
#include "memory.h"
#include "methods.h"
#include "stats.h"

struct result {
	enum kind kind;
	enum method method;
	size_t len;
	int err;
	struct samples create, release, touch;
	struct samples command;		/* uring-dmabuf fixed: the command alone */
	long long segments;		/* our INFO, -1 if n/a */
	long long importer_segments;	/* as a 4 GiB-limit importer sees it */
};

#define MAX_RESULTS 128
static struct result results[MAX_RESULTS];
static int nr_results;

/* Segments an importer allowed 4 GiB segments receives, or -1. */
static long long importer_segments(int fd)
{
	struct importer_check c = {
		.fd = fd, .max_seg_size = 0xfffff000u,
		.dir = IMPORTER_DIR_FROM_DEVICE, .cpu_dir = IMPORTER_DIR_FROM_DEVICE,
	};
	int dev = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);
	long long n = -1;

	if (dev < 0)
		return -1;
	if (!ioctl(dev, IMPORTER_IOC_CHECK, &c) && !c.attach_err && !c.map_err)
		n = (long long)c.nr_segments;
	close(dev);
	return n;
}

static long long info_segments(int dev_fd, int fd)
{
	struct uring_dmabuf_info info = { .size = sizeof(info), .fd = fd };

	return ioctl(dev_fd, URING_DMABUF_IOC_INFO, &info) ? -1 :
	       (long long)info.nr_segments;
}

/* mmap the dma-buf and read one byte of every page. */
static double mmap_touch_ms(int fd, size_t len)
{
	volatile const char *p;
	double t0 = now_ms();
	unsigned long sum = 0;
	size_t i;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	for (i = 0; i < len; i += 4096)
		sum += p[i];
	munmap((void *)p, len);
	(void)sum;
	return now_ms() - t0;
}

static double touch_original_ms(const struct mem *m)
{
	volatile const unsigned char *p = m->p;
	double t0 = now_ms();
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < m->len; i += 4096)
		sum += p[i];
	(void)sum;
	return now_ms() - t0;
}

static struct result *new_result(const struct mem *m, enum method meth)
{
	struct result *r = &results[nr_results++];

	memset(r, 0, sizeof(*r));
	r->kind = mem_bench_kind(m);
	r->method = meth;
	r->len = m->len;
	r->segments = r->importer_segments = -1;
	return r;
}

/* One timed run of one method; a failure ends that method's results. */
static void measure_once(int dev_fd, struct mem *m, struct result *r)
{
	struct made made;

	r->err = method_create(r->method, dev_fd, m, &made);
	if (r->err)
		return;
	samples_add(&r->create, made.create_ms);
	if (r->method == OURS_FIXED)
		samples_add(&r->command, made.command_ms);
	if (!r->touch.n && made.fd >= 0) {
		r->segments = r->method <= OURS_FIXED ?
			      info_segments(dev_fd, made.fd) : -1;
		r->importer_segments = importer_segments(made.fd);
		samples_add(&r->touch, mmap_touch_ms(made.fd, m->len));
	}
	samples_add(&r->release, method_release(&made));
}

/* Every method on one buffer: the warm-up round, then runs rounds. */
static void measure(int dev_fd, struct mem *m, int runs)
{
	struct result *rs[NR_METHODS];
	struct made warm;
	int nr = 0, i, j;
	enum method meth;

	for (meth = 0; meth < NR_METHODS && nr_results < MAX_RESULTS; meth++) {
		if (meth == DMA_HEAP && mem_bench_kind(m) != ANON_4K)
			continue;	/* its own memory: once per size */
		rs[nr++] = new_result(m, meth);
	}
	/*
	 * Untimed, once per method: the first long-term pin migrates pages
	 * out of movable zones, first uses fill caches and allocate what is
	 * kept; whichever method came first would pay for it. A method that
	 * cannot take this memory says so here.
	 */
	for (j = 0; j < nr; j++) {
		rs[j]->err = method_create(rs[j]->method, dev_fd, m, &warm);
		if (!rs[j]->err)
			method_release(&warm);
	}
	for (i = 0; i < runs; i++)
		for (j = 0; j < nr; j++) {
			struct result *r = rs[(i + j) % nr];

			if (!r->err)
				measure_once(dev_fd, m, r);
		}
}

static void print_ms(const struct samples *s)
{
	if (!s->n) {
		printf(" %22s", "-");
		return;
	}
	printf(" %9.3f [%5.2f-%5.2f]", samples_median(s), samples_min(s), samples_max(s));
}

static void print_table(void)
{
	int i;

	printf("%-17s %6s %-19s %22s %22s %9s %9s %10s %10s\n", "memory", "size",
	       "method", "create ms med[min-max]", "release ms", "segments",
	       "importer", "mmap+touch", "command ms");
	for (i = 0; i < nr_results; i++) {
		const struct result *r = &results[i];

		printf("%-17s %5zuM %-19s", kind_name(r->kind), r->len >> 20,
		       method_name(r->method));
		if (r->err) {
			printf(" %s\n", r->err == -EOPNOTSUPP ? "n/a" : strerror(-r->err));
			continue;
		}
		print_ms(&r->create);
		print_ms(&r->release);
		printf(" %9lld %9lld", r->segments, r->importer_segments);
		if (r->touch.n)
			printf(" %10.3f", samples_median(&r->touch));
		else
			printf(" %10s", "-");
		if (r->command.n)
			printf(" %10.3f", samples_median(&r->command));
		printf("\n");
	}
}

static const struct result *find(enum kind k, enum method m, size_t len)
{
	int i;

	for (i = 0; i < nr_results; i++)
		if (results[i].kind == k && results[i].method == m &&
		    results[i].len == len && !results[i].err)
			return &results[i];
	return NULL;
}

/* ours / reference, from the same boot: memfds against udmabuf, all
 * kinds against io_uring registration (the cost of pinning at all).
 */
static void print_ratios(size_t *sizes, int nr_sizes)
{
	static const enum method refs[] = { UDMABUF, URING_REGISTER };
	int s, k, r;

	printf("\nratios (median create time, ours / reference; < 1 is faster):\n");
	for (s = 0; s < nr_sizes; s++) {
		for (k = 0; k < NR_KINDS; k++) {
			const struct result *ours = find(k, OURS_IOCTL, sizes[s]);

			for (r = 0; r < 2 && ours; r++) {
				const struct result *ref = find(k, refs[r], sizes[s]);

				if (!ref || samples_median(&ref->create) <= 0)
					continue;
				printf("  %-17s %5zuM ioctl/%-18s %6.2f\n", kind_name(k),
				       sizes[s] >> 20, method_name(refs[r]),
				       samples_median(&ours->create) /
				       samples_median(&ref->create));
			}
		}
	}
}

static void print_json(void)
{
	int i;

	printf("\nBENCH-JSON {\"results\":[");
	for (i = 0; i < nr_results; i++) {
		const struct result *r = &results[i];

		printf("%s{\"memory\":\"%s\",\"bytes\":%zu,\"method\":\"%s\",\"error\":%d",
		       i ? "," : "", kind_name(r->kind), r->len, method_name(r->method), r->err);
		if (!r->err)
			printf(",\"create_ms\":%.4f,\"create_min_ms\":%.4f,\"create_max_ms\":%.4f,"
			       "\"release_ms\":%.4f,\"runs\":%d,\"segments\":%lld,"
			       "\"importer_segments\":%lld,\"mmap_touch_ms\":%.4f",
			       samples_median(&r->create), samples_min(&r->create),
			       samples_max(&r->create), samples_median(&r->release),
			       r->create.n, r->segments, r->importer_segments,
			       samples_median(&r->touch));
		if (!r->err && r->command.n)
			printf(",\"command_ms\":%.4f,\"command_min_ms\":%.4f,"
			       "\"command_max_ms\":%.4f", samples_median(&r->command),
			       samples_min(&r->command), samples_max(&r->command));
		printf("}");
	}
	printf("]}\n");
}

int main(int argc, char **argv)
{
	size_t sizes[4] = { 64UL << 20, 1UL << 30 };
	int nr_sizes = 2, runs = 5, i, k, s, dev_fd;
	const char *bind_if[2] = { NULL, NULL };
	int nr_bind = 0, bind_only = 0;
	struct mem mem;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			nr_sizes = 1;
			runs = 3;
		} else if (!strcmp(argv[i], "--bind") && i + 1 < argc && nr_bind < 2) {
			bind_if[nr_bind++] = argv[++i];
		} else if (!strcmp(argv[i], "--bind-only")) {
			bind_only = 1;
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = atoi(argv[++i]);
			if (runs < 1 || runs > MAX_RUNS)
				runs = 5;
		} else {
			fprintf(stderr, "usage: bench [--quick] [--runs N] [--bind IFNAME]... [--bind-only]\n");
			return 2;
		}
	}
	dev_fd = open(URING_DMABUF_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		perror(URING_DMABUF_DEVICE);
		return 1;
	}
	printf("# uring-dmabuf benchmark: %d runs per figure, median [min-max]\n", runs);
	for (s = 0; s < nr_sizes && !bind_only; s++) {
		for (k = 0; k < NR_KINDS; k++) {
			if (mem_get(&mem, k, sizes[s])) {
				printf("# %s %zuM: cannot allocate, skipped\n", kind_name(k),
				       sizes[s] >> 20);
				continue;
			}
			measure(dev_fd, &mem, runs);
			printf("# %s %zuM: touching the original mapping: %.3f ms\n",
			       kind_name(k), sizes[s] >> 20, touch_original_ms(&mem));
			mem_put(&mem);
		}
	}
	if (!bind_only) {
		print_table();
		print_ratios(sizes, nr_sizes);
		print_json();
	}
	for (i = 0; i < nr_bind; i++)
		bench_bind(dev_fd, bind_if[i], 1, runs);
	close(dev_fd);
	return 0;
}
