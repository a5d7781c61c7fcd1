// SPDX-License-Identifier: GPL-2.0
/*
 * 98-stress: worker processes create dma-bufs, map them through the test
 * importer, bind them to RX queues of the simulated NIC (each binding owned
 * by the worker's netlink socket) and drop them again, while the parent
 * SIGKILLs a random worker every so often and starts a new one, and a
 * sender process puts TCP frames on sim0a that sim0b's steering sends to
 * the queues being bound: the NIC writes payload into the dma-bufs while
 * bindings come and go. At the end every worker is killed, and every pin,
 * VmPin charge, module counter and attachment must come back.
 *
 *   URING_DMABUF_STRESS_SECONDS   how long (default 60; the debug lane 600)
 *
 * A bind may only fail because another worker holds the queue (EBUSY,
 * EEXIST), and at least one bind a second must succeed. Without the
 * simulated NIC (tests/kmod/simnic not built for this kernel, 6.1) the bind
 * and traffic part is skipped with the reason, the rest still runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
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

#define TX_IF "sim0a"
#define RX_IF "sim0b"
#define NR_WORKERS 3
#define NR_QUEUES 4
/* Queue q (1..NR_QUEUES-1) receives TCP to port PORT_BASE + q. */
/*
 * A queue of its own that the parent keeps bound for the whole run: a
 * page pool with a memory provider stays alive, so the kernel's
 * page_pool_mem_providers static key never flips back and forth while
 * frames are received. Each flip patches kernel text, and under QEMU's
 * TCG a CPU in the receive path then now and then executes the patching
 * int3 (an Oops in page_pool_alloc_netmems, seen on 7.2): a flake of the
 * emulator, not of the exporter, that the binds and kills would otherwise
 * trigger thousands of times a run.
 */
#define ANCHOR_QUEUE NR_QUEUES
#define ANCHOR_PAGES 16
#define PORT_BASE 5300
#define PAYLOAD 1400
#define MAX_REPORTED 5

static int dev = -1, importer = -1, family = -1, ifindex = -1;
static int anchor_sock = -1, anchor_buf = -1;
static void *anchor_mem = MAP_FAILED;

/* What the workers and the sender got done, shared across their lives. */
struct tally {
	long creates, imports, binds, taken, bind_unexpected, frames;
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

/*
 * The NIC, or why there is none (then binding is skipped): NULL if it is
 * set up, with every TCP flow to PORT_BASE + q steered to queue q.
 */
static const char *nic_setup(void)
{
	static char why[160];
	char rule[32];
	int err, q;

	err = simnic_load("pairs=1 queues=5");
	if (err == -ENOENT)
		return SIMNIC_MODULE " not available for this kernel (tests/kmod/simnic)";
	if (!t_ok(!err, "stress: modprobe " SIMNIC_MODULE)) {
		t_diag("%s", err == -EBUSY ? "an earlier program left it loaded and busy" :
		       "modprobe failed");
		exit(t_finish());
	}
	ifindex = (int)if_nametoindex(RX_IF);
	if (ifindex <= 0)
		return "no " RX_IF " after loading " SIMNIC_MODULE;
	if (if_set_up(RX_IF, 1) || if_set_up(TX_IF, 1))
		return "cannot bring " TX_IF " and " RX_IF " up";
	for (q = 1; q < NR_QUEUES; q++) {
		snprintf(rule, sizeof(rule), "%d %d", PORT_BASE + q, q);
		if (simnic_write(RX_IF, "steer", rule))
			return "cannot steer flows through " RX_IF "'s debugfs";
	}
	/* Everything else (ND, ARP) to queue 0. */
	simnic_write(RX_IF, "rss", "1");
	family = devmem_family();
	if (family < 0) {
		snprintf(why, sizeof(why), "no netdev netlink family: %s", errname(-family));
		return why;
	}
	/* The anchor (see ANCHOR_QUEUE), and a first bind to see that it works. */
	anchor_sock = nl_open(NETLINK_GENERIC);
	anchor_mem = mmap(NULL, ANCHOR_PAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	err = anchor_mem == MAP_FAILED ? -ENOMEM :
	      ud_create1(dev, anchor_mem, ANCHOR_PAGES * PAGE_SZ, 0);
	if (err >= 0) {
		anchor_buf = err;
		err = (int)bind_rx(anchor_sock, family, ifindex, ANCHOR_QUEUE,
				   anchor_buf, 0, NULL, 0);
		if (err > 0)
			err = 0;
	}
	if (err) {
		/* The kernel has devmem and the NIC is there: this is a failure. */
		t_ok(0, "stress: a first NETDEV_CMD_BIND_RX to %s", RX_IF);
		t_diag("%s", errname(-err));
		snprintf(why, sizeof(why), "NETDEV_CMD_BIND_RX to %s fails here: %s",
			 RX_IF, errname(-err));
		return why;
	}
	return NULL;
}

/*
 * Binds @buf to a random queue on @sock. A queue another worker holds is
 * refused with EEXIST (EBUSY while it restarts); anything else is a
 * failure, reported for the first few.
 */
static void bind_one(int id, int sock, int buf)
{
	int q = 1 + (int)(rnd() % (NR_QUEUES - 1));
	char ext[128] = "";
	long ret = bind_rx(sock, family, ifindex, q, buf, 0, ext, sizeof(ext));

	if (ret >= 0) {
		__atomic_add_fetch(&tally->binds, 1, __ATOMIC_RELAXED);
	} else if (ret == -EEXIST || ret == -EBUSY) {
		__atomic_add_fetch(&tally->taken, 1, __ATOMIC_RELAXED);
	} else if (__atomic_fetch_add(&tally->bind_unexpected, 1,
				      __ATOMIC_RELAXED) < MAX_REPORTED) {
		printf("# worker %d: NETDEV_CMD_BIND_RX to queue %d: %s%s%s\n",
		       id, q, errname((int)-ret), ext[0] ? ": " : "", ext);
	}
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
			bind_one(id, socks[s], bufs[s]);
		}
	}
}

/*
 * The sender: TCP frames with PAYLOAD bytes from sim0a to sim0b, to each
 * steered port in turn, until killed. Nothing listens (sim0b has no
 * address): the stack drops them, after the NIC wrote their payload into
 * whatever the queue's page pool holds, a bound dma-buf's net_iovs or not.
 */
static void sender(void)
{
	static unsigned char frame[sizeof(struct ether_header) +
				   sizeof(struct iphdr) + sizeof(struct tcphdr) + PAYLOAD];
	struct ether_header *eth = (struct ether_header *)frame;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct tcphdr *th = (struct tcphdr *)(ip + 1);
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	struct timespec pause = { 0, 2 * 1000 * 1000 };
	struct ifreq src = {}, dst = {};
	uint32_t seq = 0;
	int fd, q;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	to.sll_ifindex = (int)if_nametoindex(TX_IF);
	if (fd < 0 || !to.sll_ifindex || if_ioctl(TX_IF, SIOCGIFHWADDR, &src) ||
	    if_ioctl(RX_IF, SIOCGIFHWADDR, &dst)) {
		printf("# sender: no packet socket on %s: %s\n", TX_IF, strerror(errno));
		_exit(1);
	}
	memcpy(to.sll_addr, dst.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(eth->ether_dhost, dst.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(eth->ether_shost, src.ifr_hwaddr.sa_data, ETH_ALEN);
	eth->ether_type = htons(ETHERTYPE_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->tot_len = htons(sizeof(frame) - sizeof(*eth));
	ip->saddr = htonl(0xc6126201);	/* 198.18.98.1 */
	ip->daddr = htonl(0xc6126202);	/* 198.18.98.2 */
	th->source = htons(40000);
	th->doff = 5;
	th->ack = 1;
	memset(th + 1, 0x98, PAYLOAD);
	for (;;) {
		for (q = 1; q < NR_QUEUES; q++) {
			th->dest = htons(PORT_BASE + q);
			th->seq = htonl(seq);
			seq += PAYLOAD;
			if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&to,
				   sizeof(to)) == (ssize_t)sizeof(frame))
				__atomic_add_fetch(&tally->frames, 1, __ATOMIC_RELAXED);
		}
		/* About a thousand frames a second: the workers need the CPUs. */
		nanosleep(&pause, NULL);
	}
}

/* Payload bytes the NIC wrote into bound dma-bufs, over queues 1.. */
static long long unreadable_bytes(void)
{
	long long sum = 0, n;
	int q;

	for (q = 1; q < NR_QUEUES; q++) {
		n = queue_stat(RX_IF, q, "unreadable_bytes");
		if (n < 0)
			return -1;
		sum += n;
	}
	return sum;
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
	long long unreadable0 = -1;
	pid_t sender_pid = -1;
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
	if (no_nic) {
		t_skip(no_nic, "stress: bind to the simulated NIC");
		t_skip(no_nic, "stress: traffic through the simulated NIC");
	} else {
		t_diag("binding to %s queues 1-%d, TCP frames from %s to each", RX_IF,
		       NR_QUEUES - 1, TX_IF);
		unreadable0 = unreadable_bytes();
		fflush(stdout);
		sender_pid = fork();
		if (sender_pid == 0)
			sender();
	}

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
	if (sender_pid > 0) {
		kill(sender_pid, SIGKILL);
		waitpid(sender_pid, &status, 0);
		if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
			crashes++;
	}
	if (anchor_sock >= 0)
		close(anchor_sock);
	if (anchor_buf >= 0)
		close(anchor_buf);
	if (anchor_mem != MAP_FAILED)
		munmap(anchor_mem, ANCHOR_PAGES * PAGE_SZ);
	t_ok(!crashes, "stress: %ld workers killed in %ld s, none died on its own", kills, seconds);
	t_diag("%ld creates, %ld importer maps, %ld binds, %ld refused as taken, "
	       "%ld refused otherwise, %ld frames sent", tally->creates, tally->imports,
	       tally->binds, tally->taken, tally->bind_unexpected, tally->frames);
	if (!no_nic) {
		long long written = unreadable_bytes() - unreadable0;

		if (!t_ok(tally->binds >= seconds, "stress: bind to the simulated NIC: "
			  "at least one bind a second"))
			t_diag("%ld binds in %ld s", tally->binds, seconds);
		if (!t_ok(!tally->bind_unexpected, "stress: every refused bind was a taken "
			  "queue (EEXIST or EBUSY)"))
			t_diag("%ld refused otherwise (the first ones above)",
			       tally->bind_unexpected);
		if (!t_ok(tally->frames > 0 && unreadable0 >= 0 && written > 0,
			  "stress: traffic through the simulated NIC into bound dma-bufs"))
			t_diag("%ld frames sent, unreadable bytes %lld before, %lld written",
			       tally->frames, unreadable0, written);
		else
			t_diag("%lld payload bytes written into bound dma-bufs", written);
	}

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
	if (module_loaded(SIMNIC_MODULE))
		t_rmmod(SIMNIC_MODULE);
	if (importer >= 0)
		close(importer);
	close(dev);
	return t_finish();
}
