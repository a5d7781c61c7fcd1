// SPDX-License-Identifier: GPL-2.0
/*
 * 98-stress: worker processes create dma-bufs, map them through the test
 * importer, bind them to RX queues of the simulated NIC (each binding owned
 * by the worker's netlink socket) and drop them again, while the parent
 * SIGKILLs a random worker every so often and starts a new one. At the end
 * every worker is killed, and every pin, VmPin charge, module counter and
 * attachment must come back.
 *
 *   URING_DMABUF_STRESS_SECONDS   how long (default 60; the debug lane 600)
 *
 * Without the simulated NIC (tests/kmod/simnic not built for this kernel)
 * the bind part is skipped with the reason, the rest still runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "importer_uapi.h"
#include "netdev.h"

#define SIMNIC "uring_dmabuf_simnic"
#define RX_IF "sim0b"
#define NR_WORKERS 3
#define NR_QUEUES 4

static int dev = -1, importer = -1, family = -1, ifindex = -1;

/* What the workers got done, shared across their lives. */
struct tally {
	long creates, imports, binds, bind_errors;
};
static struct tally *tally;

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The NIC, or why there is none: then binding is skipped. */
static const char *nic_setup(void)
{
	static char why[160];
	int fd, err;

	if (access("/sys/module/" SIMNIC, F_OK) &&
	    system("modprobe " SIMNIC " pairs=1 queues=4 >/dev/null 2>&1"))
		return SIMNIC " not available for this kernel (tests/kmod/simnic)";
	ifindex = (int)if_nametoindex(RX_IF);
	if (ifindex <= 0)
		return "no " RX_IF " after loading " SIMNIC;
	if (if_set_up(RX_IF, 1))
		return "cannot bring " RX_IF " up";
	family = devmem_family();
	if (family < 0) {
		snprintf(why, sizeof(why), "no netdev netlink family: %s", errname(-family));
		return why;
	}
	/* One bind to see that it works here at all. */
	fd = nl_open(NETLINK_GENERIC);
	{
		void *mem = mmap(NULL, 16 * PAGE_SZ, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int buf = mem == MAP_FAILED ? -ENOMEM : ud_create1(dev, mem, 16 * PAGE_SZ, 0);

		err = buf < 0 ? buf : (int)bind_rx(fd, family, ifindex, 1, buf, 0, NULL, 0);
		if (err > 0)
			err = 0;
		if (buf >= 0)
			close(buf);
		if (mem != MAP_FAILED)
			munmap(mem, 16 * PAGE_SZ);
	}
	close(fd);
	if (err) {
		snprintf(why, sizeof(why), "NETDEV_CMD_BIND_RX to %s fails here: %s",
			 RX_IF, errname(-err));
		return why;
	}
	return NULL;
}

/* A worker: forever create, map, bind, drop; the parent kills it. */
static void worker(int id)
{
	enum { SLOTS = 6 };
	int bufs[SLOTS], socks[SLOTS], i;
	struct mem mem[SLOTS];

	rng_state ^= (uint64_t)id * 0x51ed27ULL ^ (uint64_t)getpid();
	for (i = 0; i < SLOTS; i++)
		bufs[i] = socks[i] = -1;
	memset(mem, 0, sizeof(mem));
	for (;;) {
		int s = (int)(rnd() % SLOTS);
		static const enum mem_kind kinds[] = { MEM_ANON, MEM_MEMFD, MEM_HUGE_2M, MEM_THP };
		enum mem_kind kind = kinds[rnd() % 4];
		size_t len = kind == MEM_HUGE_2M || kind == MEM_THP ? SZ_2M :
			     (1 + rnd() % 64) * PAGE_SZ;

		if (bufs[s] >= 0) {
			close(bufs[s]);
			bufs[s] = -1;
			if (socks[s] >= 0 && rnd() % 2) {
				close(socks[s]); /* unbind */
				socks[s] = -1;
			}
			mem_free(&mem[s]);
			continue;
		}
		if (mem_alloc(&mem[s], kind, len))
			continue;
		memset(mem[s].p, id, len);
		bufs[s] = ud_create1(dev, mem[s].p, len, (unsigned int)(rnd() % 2) *
				     URING_DMABUF_CREATE_CLOEXEC);
		__atomic_add_fetch(&tally->creates, 1, __ATOMIC_RELAXED);
		if (bufs[s] < 0) {
			printf("not ok stress: worker %d: CREATE of %zu bytes of %s: %s\n",
			       id, len, mem_kind_name(kind), errname(-bufs[s]));
			exit(1);
		}
		if (importer >= 0 && rnd() % 3 == 0) {
			struct importer_check chk = { .fd = bufs[s], .dir = (uint32_t)(rnd() % 3) };

			if (!ioctl(importer, IMPORTER_IOC_CHECK, &chk))
				__atomic_add_fetch(&tally->imports, 1, __ATOMIC_RELAXED);
		}
		if (family >= 0 && rnd() % 2) {
			if (socks[s] >= 0)
				close(socks[s]);
			socks[s] = nl_open(NETLINK_GENERIC);
			/* EEXIST when another worker holds the queue: fine. */
			if (bind_rx(socks[s], family, ifindex,
				    1 + (int)(rnd() % (NR_QUEUES - 1)), bufs[s],
				    0, NULL, 0) >= 0)
				__atomic_add_fetch(&tally->binds, 1, __ATOMIC_RELAXED);
			else
				__atomic_add_fetch(&tally->bind_errors, 1, __ATOMIC_RELAXED);
		}
	}
}

static pid_t spawn(int id)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		worker(id);
		_exit(0);
	}
	return pid;
}

int main(void)
{
	long seconds = 60;
	const char *env = getenv("URING_DMABUF_STRESS_SECONDS"), *no_nic;
	pid_t pids[NR_WORKERS];
	long kills = 0, crashes = 0;
	unsigned long long att;
	struct pins base, now;
	double end;
	int i, status;

	t_init();
	tally = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		t_skip_all("no shared memory for the tally");
	if (env && *env)
		seconds = strtol(env, NULL, 0);
	dev = dev_open();
	pins_get(&base);
	rng_state = (uint64_t)time(NULL);
	printf("# stress for %ld s, seed %#llx\n", seconds, (unsigned long long)rng_state);
	if (!system("modprobe uring_dmabuf_importer 2>/dev/null"))
		importer = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);
	no_nic = nic_setup();
	if (no_nic)
		t_skip(no_nic, "stress: bind to the simulated NIC");
	else
		t_diag("binding to %s queues 1-%d", RX_IF, NR_QUEUES - 1);

	for (i = 0; i < NR_WORKERS; i++)
		pids[i] = spawn(i);
	end = (double)time(NULL) + (double)seconds;
	while ((double)time(NULL) < end) {
		struct timespec ts = { 0, (long)(200 + rnd() % 1500) * 1000 * 1000 };

		nanosleep(&ts, NULL);
		i = (int)(rnd() % NR_WORKERS);
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
		if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
			crashes++;
		kills++;
		pids[i] = spawn(i);
	}
	for (i = 0; i < NR_WORKERS; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
	}
	t_ok(!crashes, "stress: %ld workers killed in %ld s, none died on its own", kills, seconds);
	t_diag("%ld creates, %ld importer maps, %ld binds (%ld refused: queue taken)",
	       tally->creates, tally->imports, tally->binds, tally->bind_errors);

	/* Bindings go once the page pools give back every net_iov. */
	for (i = 0; i < 300; i++) {
		pins_get(&now);
		if (!read_ull(SYSFS_CLASS "attachments", &att) && !att &&
		    now.gup == base.gup && now.mod_bytes == base.mod_bytes &&
		    now.mod_buffers == base.mod_buffers)
			break;
		usleep(100 * 1000);
	}
	if (!t_ok(i < 300, "stress: every pin, buffer and attachment released"))
		pins_diag(&base, &now);
	if (!no_nic && system("rmmod " SIMNIC " 2>/dev/null"))
		t_diag("rmmod " SIMNIC " failed");
	if (importer >= 0)
		close(importer);
	close(dev);
	return t_finish();
}
