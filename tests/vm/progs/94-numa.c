// SPDX-License-Identifier: GPL-2.0
/*
 * 94-numa: in a guest with two NUMA nodes (make vmtest-numa), INFO's
 * node_mask must say where a dma-buf's pages really are. Buffers are
 * placed with mbind() on node 0, on node 1, half on each (anonymous, THP,
 * hugetlb); each page's node is read with move_pages() (the kernel's view)
 * and from the memory block holding its PFN (sysfs, an independent view),
 * before the create and after it: the pin may have moved the pages (GUP
 * migrates them out of ZONE_MOVABLE first), and node_mask is about the
 * pages pinned. Writes through the process's mapping must show through the
 * dma-buf's mmap, so the pages looked at are the pinned ones. Pages of
 * anonymous memory and THP stay on their node through that migration (a
 * new page is allocated there first); a hugetlb page in ZONE_MOVABLE is
 * replaced with a free pool page outside it, from whichever node has one,
 * so only there a move is reported and not failed.
 *
 * Then the CLI: the simulated NIC loaded with numa_node=1 sits on node 1,
 * `bind-rx --numa auto` must put its memory there, and its NUMA line
 * ("NUMA node mask: 0x2 (asked for node 1)") must agree with where the
 * pages of its buffer are (/proc/PID/numa_maps of bind-rx while it holds
 * the binding); `--numa 0` likewise on the other node; with --hugepages
 * the line must tell the truth wherever the pin left the pages, and a hint
 * say so when that is not only the node asked for.
 *
 * With one node the program skips, unless the harness said this boot is
 * the NUMA lane (URING_DMABUF_VM_EXPECT holds "numa"): then it fails.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "machine.h"
#include "netdev.h"

#define CLI_SIZE (8 * MIB)

static struct zone_span zones[MAX_ZONES];
static int nr_zones;

struct placement {
	const char *what;
	enum mem_kind kind;
	size_t len;
	uint64_t first;		/* nodes asked for the first half */
	uint64_t second;	/* and for the second */
};

static const struct placement placements[] = {
	{ "anonymous 8 MiB on node 0", MEM_ANON, 8 * MIB, 1, 1 },
	{ "anonymous 8 MiB on node 1", MEM_ANON, 8 * MIB, 2, 2 },
	{ "anonymous 8 MiB, half on node 0, half on node 1", MEM_ANON,
	  8 * MIB, 1, 2 },
	{ "THP 4 MiB on node 1", MEM_THP, 4 * MIB, 2, 2 },
	{ "hugetlb 2 MiB x2, one on node 0, one on node 1", MEM_HUGE_2M,
	  4 * MIB, 1, 2 },
};

static uint64_t asked(const struct placement *pl, size_t page, size_t n)
{
	return page < n / 2 ? pl->first : pl->second;
}

/* Pages not on a node their half asked for; the nodes seen in *mask. */
static size_t misplaced(const struct placement *pl, const int *nodes,
			size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		bad += nodes[i] < 0 || nodes[i] > 62 ||
		       !(asked(pl, i, n) & (1ULL << nodes[i]));
	return bad;
}

/* The nodes of the memory blocks holding the PFNs of @n pages at @p. */
static int sysfs_nodes(const void *p, size_t n, uint64_t *mask,
		       size_t *unknown)
{
	uint64_t *pfns = calloc(n, sizeof(*pfns));
	size_t i;
	int ret, node;

	*mask = 0;
	*unknown = 0;
	if (!pfns)
		return -ENOMEM;
	ret = pagemap_pfns(p, n, pfns);
	for (i = 0; !ret && i < n; i++) {
		node = pfns[i] ? pfn_node(pfns[i]) : -1;
		if (node < 0 || node > 63)
			(*unknown)++;
		else
			*mask |= 1ULL << node;
	}
	free(pfns);
	return ret;
}

/* Pages of the @n at @p that are in ZONE_MOVABLE now. */
static size_t movable_pages(const void *p, size_t n)
{
	uint64_t *pfns = calloc(n, sizeof(*pfns));
	size_t i, mov = 0;

	if (pfns && !pagemap_pfns(p, n, pfns))
		for (i = 0; i < n; i++)
			mov += pfns[i] && pfn_in_movable(zones, nr_zones, pfns[i]);
	free(pfns);
	return mov;
}

/* A write through the process's mapping shows through the dma-buf's. */
static int same_pages(struct mem *m, int fd)
{
	volatile uint64_t *map = dmabuf_map(fd, m->len, PROT_READ, 0);
	size_t off;
	int same = 1;

	if ((void *)map == MAP_FAILED)
		return 0;
	for (off = 0; off < m->len; off += PAGE_SZ) {
		*(volatile uint64_t *)(m->p + off) = 0x6e756d61ULL ^ off;
		same &= map[off / 8] == (0x6e756d61ULL ^ off);
	}
	munmap((void *)map, m->len);
	return same;
}

static void check_placement(int dev, const struct placement *pl)
{
	size_t n = pl->len / PAGE_SZ, missing = 0, unknown = 0, bad, in_movable;
	uint64_t want = pl->first | pl->second, before = 0, after = 0, sys = 0;
	struct uring_dmabuf_info info;
	int *nodes = calloc(n, sizeof(*nodes));
	char why[128];
	struct mem m;
	int fd, ret;

	ret = nodes ? mem_alloc(&m, pl->kind, pl->len) : -ENOMEM;
	if (ret) {
		snprintf(why, sizeof(why), "cannot map it: %s", strerror(-ret));
		t_skip(why, "%s", pl->what);
		free(nodes);
		return;
	}
	ret = mbind_nodes(m.p, pl->len / 2, pl->first);
	if (!ret)
		ret = mbind_nodes(m.p + pl->len / 2, pl->len / 2, pl->second);
	if (!t_ok(!ret, "%s: mbind", pl->what)) {
		t_diag("mbind: %s", strerror(-ret));
		goto out;
	}
	pattern_fill(m.p, pl->len, 94, 0);	/* faults in under the policy */
	in_movable = movable_pages(m.p, n);
	ret = pages_nodes(m.p, n, nodes, &before, &missing);
	bad = misplaced(pl, nodes, n);
	if (!t_ok(!ret && !missing && !bad && before == want,
		  "%s: the pages are where mbind put them (nodes 0x%llx)",
		  pl->what, (unsigned long long)before))
		t_diag("move_pages %s, %zu pages not present, %zu on another "
		       "node, nodes 0x%llx, want 0x%llx", errname(-ret),
		       missing, bad, (unsigned long long)before,
		       (unsigned long long)want);

	fd = ud_create1(dev, m.p, pl->len, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: create", pl->what)) {
		t_diag("create: %s", errname(-fd));
		goto out;
	}
	ret = ud_info(dev, fd, &info);
	t_ok(same_pages(&m, fd),
	     "%s: the process's pages are the dma-buf's (a write shows "
	     "through its mmap)", pl->what);
	/* The pinned pages: the kernel's node of each, and sysfs's. */
	ret = ret ? ret : pages_nodes(m.p, n, nodes, &after, &missing);
	bad = misplaced(pl, nodes, n);
	if (!t_ok(!ret && !missing && info.node_mask == after,
		  "%s: INFO node_mask 0x%llx is the nodes of the pinned pages",
		  pl->what, (unsigned long long)info.node_mask))
		t_diag("info/move_pages %s, %zu pages not present, nodes "
		       "0x%llx", errname(-ret), missing,
		       (unsigned long long)after);
	ret = sysfs_nodes(m.p, n, &sys, &unknown);
	if (!t_ok(!ret && !unknown && sys == info.node_mask,
		  "%s: node_mask agrees with the memory blocks of the pinned "
		  "PFNs", pl->what))
		t_diag("pagemap %s, %zu PFNs in no node's block, their nodes "
		       "0x%llx", errname(-ret), unknown,
		       (unsigned long long)sys);
	/* GUP's migration out of ZONE_MOVABLE prefers the page's own node. */
	if ((bad || info.node_mask != want) && pl->kind == MEM_HUGE_2M &&
	    in_movable) {
		snprintf(why, sizeof(why), "the pin moved %zu of the %zu pages "
			 "that were in ZONE_MOVABLE to another node's pool page "
			 "(node_mask 0x%llx)", bad, in_movable,
			 (unsigned long long)info.node_mask);
		t_skip(why, "%s: the pinned pages stayed on the nodes asked for",
		       pl->what);
	} else if (!t_ok(!bad && info.node_mask == want,
			 "%s: the pinned pages stayed on the nodes asked for",
			 pl->what)) {
		t_diag("%zu pages moved to another node by the pin (%zu were "
		       "in ZONE_MOVABLE), node_mask 0x%llx", bad, in_movable,
		       (unsigned long long)info.node_mask);
	}
	close(fd);
out:
	mem_free(&m);
	free(nodes);
}

/* --- the CLI: bind-rx --numa ------------------------------------------- */

/*
 * The nodes holding bind-rx's buffer: the mapping numa_maps shows with a
 * "bind:" policy (the CLI mbind()s it) in @pid, its bytes on them in
 * *bytes (numa_maps counts pages of kernelpagesize_kB); 0, or -1 if none.
 */
static int numa_maps_nodes(pid_t pid, uint64_t *mask, long long *bytes,
			   char *policy, size_t plen)
{
	char path[64], line[512], *tok, *save;
	long long pages, kb;
	int found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	*mask = 0;
	*bytes = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, " bind:"))
			continue;
		found = 0;
		pages = 0;
		kb = 4;
		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			int node;
			long long cnt;

			if (!strncmp(tok, "bind:", 5)) {
				snprintf(policy, plen, "%s", tok);
			} else if (sscanf(tok, "N%d=%lld", &node, &cnt) == 2 &&
				   node >= 0 && node < 64) {
				*mask |= 1ULL << node;
				pages += cnt;
			} else {
				sscanf(tok, "kernelpagesize_kB=%lld", &kb);
			}
		}
		*bytes += pages * kb * 1024;
	}
	fclose(f);
	return found;
}

/* bind-rx holding its binding, its output in @out; the pid or -errno. */
static pid_t bind_rx_start(const char *numa, const char *kind,
			   const char *out)
{
	char size[32];
	pid_t pid;

	snprintf(size, sizeof(size), "%lu", CLI_SIZE);
	pid = t_fork();
	if (pid)
		return pid < 0 ? -errno : pid;
	/* one open file for both, so neither overwrites the other */
	if (!freopen(out, "w", stdout) || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
		_exit(126);
	execlp("uring-dmabuf", "uring-dmabuf", "bind-rx", "sim0a", "--queues",
	       "1", "--size", size, "--numa", numa, kind, (char *)NULL);
	_exit(127);
}

/* Waits for bind-rx's NUMA line; its mask, or -1 if it never came. */
static long long numa_line(pid_t pid, const char *out, char *text,
			   size_t tlen)
{
	double end = mono_sec() + 60;
	unsigned long long mask;
	const char *l;
	int status;

	while (mono_sec() < end) {
		text[0] = '\0';
		read_text(out, text, tlen);
		l = strstr(text, "NUMA node mask: ");
		if (l && strchr(l, '\n') &&
		    sscanf(l, "NUMA node mask: %llx", &mask) == 1)
			return (long long)mask;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			read_text(out, text, tlen);	/* all it said */
			return -1;	/* exited: it failed */
		}
		msleep(100);
	}
	return -1;
}

/*
 * bind-rx --numa @numa (@kind: a memory option, or NULL): its NUMA line
 * says the nodes its buffer's pages are on, and asked-for node @node; with
 * @landed, those pages are all on @node. Hugetlb pages need not be: the
 * pin may swap a pool page in ZONE_MOVABLE for one of another node (the
 * placement checks above show when).
 */
static void check_bind_numa(const char *numa, const char *kind, int node,
			    int landed)
{
	char out[64], text[4096], policy[32] = "", want_line[64], what[64];
	long long mask, bytes = 0;
	uint64_t where = 0;
	int status, found, hinted;
	pid_t pid;

	snprintf(what, sizeof(what), "bind-rx sim0a --numa %s%s%s", numa,
		 kind ? " " : "", kind ? kind : "");
	snprintf(out, sizeof(out), "/tmp/94-numa-bind.out");
	pid = bind_rx_start(numa, kind, out);
	if (!t_ok(pid > 0, "%s: starts", what)) {
		t_diag("fork: %s", errname(-pid));
		return;
	}
	mask = numa_line(pid, out, text, sizeof(text));
	found = mask >= 0 ? numa_maps_nodes(pid, &where, &bytes, policy,
					    sizeof(policy)) : -1;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (!t_ok(mask >= 0, "%s: binds and prints its NUMA line", what)) {
		t_diag("bind-rx's output: %s", text);
		return;
	}
	snprintf(want_line, sizeof(want_line),
		 "NUMA node mask: 0x%llx (asked for node %d)",
		 (unsigned long long)where, node);
	if (!t_ok(!found && bytes >= (long long)CLI_SIZE &&
		  (uint64_t)mask == where && strstr(text, want_line),
		  "%s: the NUMA line says where its %lu MiB are (\"%s\", "
		  "numa_maps %s)", what, CLI_SIZE / MIB, want_line, policy))
		t_diag("numa_maps: %s mapping, %lld bytes on nodes 0x%llx; "
		       "bind-rx's output: %s", found ? "no bind:" : "a bind:",
		       bytes, (unsigned long long)where, text);
	hinted = strstr(text, "Hint: the pinned pages are on NUMA nodes") != NULL;
	if (!t_ok(hinted == (where != 1ULL << node), "%s: a hint about the "
		  "nodes exactly when the pages are not all on node %d (%s)",
		  what, node, hinted ? "hinted" : "none"))
		t_diag("bind-rx's output: %s", text);
	if (landed && !t_ok(where == 1ULL << node, "%s: its buffer is on "
			    "node %d", what, node))
		t_diag("on nodes 0x%llx", (unsigned long long)where);
	t_ok(WIFEXITED(status) && !WEXITSTATUS(status),
	     "%s: SIGTERM unbinds, exit 0", what);
	unlink(out);
}

static void check_cli(void)
{
	unsigned long long node = 99;
	int fam = devmem_family();

	if (fam < 0) {
		t_skip("no devmem TCP before 6.12", "bind-rx --numa auto");
		return;
	}
	if (!t_ok(!simnic_load("numa_node=1"),
		  "modprobe " SIMNIC_MODULE " numa_node=1"))
		return;
	if_set_up("sim0a", 1);
	if (!t_ok(!read_ull("/sys/class/net/sim0a/device/numa_node", &node) &&
		  node == 1, "sim0a's device is on node 1 (sysfs numa_node)"))
		t_diag("numa_node %llu", node);
	check_bind_numa("auto", NULL, 1, 1);
	check_bind_numa("0", NULL, 0, 1);
	check_bind_numa("auto", "--hugepages", 1, 0);
	t_rmmod(SIMNIC_MODULE);
}

int main(void)
{
	uint64_t online;
	size_t i;
	int dev;

	t_init();
	online = nodes_online();
	if ((online & 3) != 3) {
		if (vm_expects("numa")) {
			t_ok(0, "nodes 0 and 1 online in the NUMA lane's guest");
			t_diag("online nodes 0x%llx: the harness asked for two "
			       "(uring_dmabuf_vm.expect=numa), the guest has "
			       "not got them: see VM_QEMU_ARGS in tests/Makefile",
			       (unsigned long long)online);
			return t_finish();
		}
		t_skip_all("one NUMA node (make vmtest-numa boots two)");
	}
	nr_zones = zones_read(zones, MAX_ZONES);
	dev = dev_open();
	for (i = 0; i < sizeof(placements) / sizeof(placements[0]); i++)
		check_placement(dev, &placements[i]);
	close(dev);
	check_cli();
	return t_finish();
}
