// SPDX-License-Identifier: GPL-2.0
/* The guest machine's physical memory: see machine.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mempolicy.h>

#include "common.h"
#include "machine.h"

/* /proc/kpageflags's PG_reserved bit (kernel-internal, not in uapi) */
#define KPF_RESERVED 32

int vm_expects(const char *word)
{
	const char *e = getenv("URING_DMABUF_VM_EXPECT");
	size_t wl = strlen(word);

	/* A comma-separated list (uring_dmabuf_vm.expect=numa,movable). */
	while (e && *e) {
		size_t l = strcspn(e, ",");

		if (l == wl && !memcmp(e, word, wl))
			return 1;
		e += l + (e[l] == ',');
	}
	return 0;
}

uint64_t nodes_online(void)
{
	char buf[256], *p = buf, *end;
	uint64_t mask = 0;
	unsigned long a, b;

	if (read_text(NODE_SYSFS "online", buf, sizeof(buf)) < 0)
		return 0;
	/* "0", "0-1", "0,2-3" */
	while (*p >= '0' && *p <= '9') {
		a = b = strtoul(p, &end, 10);
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (; a <= b && a < 64; a++)
			mask |= 1ULL << a;
		p = end + (*end == ',');
	}
	return mask;
}

int mbind_nodes(void *addr, size_t len, uint64_t mask)
{
	/* 64 bits in longs of either size (the programs may be built -m32) */
	unsigned long m[64 / (8 * sizeof(unsigned long))];
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		m[i] = (unsigned long)(mask >> (i * 8 * sizeof(unsigned long)));
	if (syscall(SYS_mbind, addr, len, MPOL_BIND, m, 64UL, 0UL))
		return -errno;
	return 0;
}

int pages_nodes(const void *addr, size_t n, int *nodes, uint64_t *mask,
		size_t *missing)
{
	void **pages = calloc(n, sizeof(*pages));
	size_t i;

	if (!pages)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		pages[i] = (char *)addr + i * PAGE_SZ;
	/* pid 0, no target nodes: only the status (the node) of each page */
	if (syscall(SYS_move_pages, 0, n, pages, NULL, nodes, 0)) {
		int err = -errno;

		free(pages);
		return err;
	}
	free(pages);
	*mask = 0;
	*missing = 0;
	for (i = 0; i < n; i++) {
		if (nodes[i] >= 0)
			*mask |= 1ULL << (nodes[i] < 63 ? nodes[i] : 63);
		else
			(*missing)++;
	}
	return 0;
}

int pagemap_pfns(const void *addr, size_t n, uint64_t *pfns)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)addr / PAGE_SZ * 8);
	ssize_t r;
	size_t i;

	if (fd < 0)
		return -errno;
	r = pread(fd, pfns, n * 8, off);
	close(fd);
	if (r != (ssize_t)(n * 8))
		return r < 0 ? -errno : -EIO;
	for (i = 0; i < n; i++) {
		uint64_t e = pfns[i];

		/* bit 63: present; bits 0-54: the PFN */
		pfns[i] = (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
	}
	return 0;
}

uint64_t block_pages(void)
{
	static uint64_t pages;
	char buf[64];

	if (!pages && read_text(MEMORY_SYSFS "block_size_bytes", buf,
				sizeof(buf)) > 0)
		pages = strtoull(buf, NULL, 16) / PAGE_SZ;
	return pages;
}

long long block_reserved_pages(uint64_t block)
{
	uint64_t bp = block_pages(), flags[512], i, done;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	long long nr = 0;
	ssize_t r;

	if (fd < 0)
		return -errno;
	for (done = 0; bp && done < bp; done += 512) {
		r = pread(fd, flags, sizeof(flags), (off_t)((block * bp + done) * 8));
		if (r != (ssize_t)sizeof(flags)) {
			nr = r < 0 ? -errno : -EIO;
			break;
		}
		for (i = 0; i < 512; i++)
			nr += (flags[i] >> KPF_RESERVED) & 1;
	}
	close(fd);
	return bp ? nr : -ENOENT;
}

int pfn_node(uint64_t pfn)
{
	uint64_t online = nodes_online(), bp = block_pages();
	char path[128];
	int n;

	if (!bp)
		return -1;
	for (n = 0; n < 64; n++) {
		if (!(online & (1ULL << n)))
			continue;
		snprintf(path, sizeof(path), NODE_SYSFS "node%d/memory%llu", n,
			 (unsigned long long)(pfn / bp));
		if (!access(path, F_OK))
			return n;
	}
	return -1;
}

int zones_read(struct zone_span *z, int max)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	char line[256], name[16];
	unsigned long long v;
	int nr = 0, node;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %15s", &node, name) == 2) {
			if (nr == max)
				break;
			memset(&z[nr], 0, sizeof(z[nr]));
			z[nr].node = node;
			snprintf(z[nr].name, sizeof(z[nr].name), "%s", name);
			nr++;
		} else if (!nr) {
			continue;
		} else if (sscanf(line, " spanned %llu", &v) == 1) {
			z[nr - 1].spanned = v;
		} else if (sscanf(line, " present %llu", &v) == 1) {
			z[nr - 1].present = v;
		} else if (sscanf(line, " start_pfn: %llu", &v) == 1) {
			z[nr - 1].start_pfn = v;
		}
	}
	fclose(f);
	return nr;
}

const struct zone_span *pfn_zone(const struct zone_span *z, int nr,
				 uint64_t pfn)
{
	int i;

	for (i = 0; i < nr; i++)
		if (z[i].present && pfn >= z[i].start_pfn &&
		    pfn - z[i].start_pfn < z[i].spanned)
			return &z[i];
	return NULL;
}

int pfn_in_movable(const struct zone_span *z, int nr, uint64_t pfn)
{
	const struct zone_span *s = pfn_zone(z, nr, pfn);

	return s && !strcmp(s->name, "Movable");
}

static void on_alarm(int sig)
{
	(void)sig;	/* only there to interrupt the write */
}

static void block_write_child(uint64_t block, const char *state,
			      unsigned int secs)
{
	struct sigaction sa;
	char path[128];
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: the write returns */
	sigaction(SIGALRM, &sa, NULL);
	snprintf(path, sizeof(path), MEMORY_SYSFS "memory%llu/state",
		 (unsigned long long)block);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(errno & 0xff);
	alarm(secs);
	if (write(fd, state, strlen(state)) < 0)
		_exit(errno & 0xff);
	_exit(0);
}

int block_set_state(uint64_t block, const char *state, unsigned int secs)
{
	double deadline = mono_sec() + secs + 20;
	int status;
	pid_t pid;

	pid = t_fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		block_write_child(block, state, secs);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (mono_sec() > deadline) {
			kill(pid, SIGKILL);
			msleep(1000);
			waitpid(pid, &status, WNOHANG);
			return -ETIMEDOUT;
		}
		msleep(50);
	}
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

const char *block_state(uint64_t block, char *buf, size_t size)
{
	char path[128];
	int n;

	snprintf(path, sizeof(path), MEMORY_SYSFS "memory%llu/state",
		 (unsigned long long)block);
	n = read_text(path, buf, size);
	if (n < 0)
		n = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return buf;
}
