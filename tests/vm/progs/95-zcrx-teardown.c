// SPDX-License-Identifier: GPL-2.0
/*
 * 95-zcrx-teardown: tearing down an io_uring zcrx ifq on the simulated NIC
 * (tests/kmod/simnic) while a sender streams into it, each case on a
 * freshly loaded NIC:
 *
 *   close    the receiver closes its ring (and then its socket) mid-stream;
 *   kill     SIGKILL of the receiving process mid-stream;
 *   unplug   the NIC module removed while the ifq is registered and the
 *            stream runs; the ring closed after.
 *
 * Each: nothing stays pinned once the page pools drain, no memory
 * provider is left on the queue (the EEXIST users report on re-registering
 * with real NICs), and the same queue then takes a devmem binding of our
 * dma-buf and carries a devmem stream (the NIC reloaded for unplug). The
 * harness fails a boot whose console shows a WARN. Skips without zcrx
 * (before 6.15; Debian: 7.x), like 95-zcrx.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"
#include "zcrx.h"

#define AREA_BYTES (16 * MIB)
#define FLOWING (4 * MIB)	/* received before the teardown */
#define STREAM (1024 * MIB)	/* more than flows before the teardown */
#define HANG_LIMIT 20		/* s: a side still running is hung */
#define DEVMEM_BYTES (8 * MIB)	/* the devmem stream afterwards */

enum teardown { CLOSE_RING, KILL, UNPLUG };

static const char *const case_name[] = {
	[CLOSE_RING] = "close", [KILL] = "kill", [UNPLUG] = "unplug",
};

/* The receiver's progress, in memory shared with the parent. */
struct progress {
	volatile uint64_t bytes;
	volatile int registered;	/* 1, or -errno */
};

static struct progress *prog;
static int dev, family;

static int wait_exit(pid_t pid, double secs)
{
	double t0 = mono_sec();
	int status;

	while (mono_sec() - t0 < secs) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		msleep(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/*
 * The receiving process: registers the ifq in the RX namespace with a
 * user area and receives until told; for close, closes its ring at
 * FLOWING bytes, then its socket, and exits.
 */
static void receiver(int afd, enum teardown c)
{
	struct zc_area_reg area = { .len = AREA_BYTES };
	struct zcrx_result r;
	struct zcrx z;
	void *mem;
	int ret;

	alarm(HANG_LIMIT * 3);
	mem = mmap(NULL, AREA_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = mem == MAP_FAILED ? -ENOMEM : zcrx_ring_init(&z, 64);
	if (!ret) {
		area.addr = (uintptr_t)mem;
		ret = zcrx_register(&z, RX_IF, DEVMEM_QUEUE, &area, mem, 1024);
	}
	prog->registered = ret ? ret : 1;
	if (ret)
		_exit(1);
	z.progress = &prog->bytes;
	zcrx_recv(&z, afd, tag_seed(case_name[c]), c == CLOSE_RING ? FLOWING : 0,
		  &r);
	if (r.err || r.eof || r.bad_data)
		_exit(2);
	zcrx_close(&z);
	close(afd);
	_exit(0);
}

/* Streams the pattern until send() fails, as the stream outlives us. */
static void sender(int fd, enum teardown c)
{
	alarm(HANG_LIMIT * 3);
	send_pattern(fd, tag_seed(case_name[c]), STREAM);
}

static int setup(const char *tag)
{
	int err = simnic_load("pairs=1 queues=4");

	if (err == -ENOENT)
		t_skip_all(SIMNIC_MODULE " not built for this kernel");
	if (!t_ok(!err, "%s: modprobe " SIMNIC_MODULE, tag))
		return -1;
	enter_ns(ns_init);
	ns_tx = new_netns();
	ns_rx = new_netns();
	err = ns_tx < 0 || ns_rx < 0 ? -ENOSPC : 0;
	if (!err)
		err = link_set_netns(TX_IF, ns_tx);
	if (!err)
		err = link_set_netns(RX_IF, ns_rx);
	if (!err)
		err = enter_ns(ns_tx);
	if (!err)
		err = if_setup(TX_IF, TX_ADDR);
	if (!err)
		err = if_set_up("lo", 1);
	if (!err)
		err = enter_ns(ns_rx);
	if (!err)
		err = if_setup(RX_IF, RX_ADDR);
	if (!err)
		err = simnic_write(RX_IF, "steer", "5201 1");
	if (!err)
		err = simnic_write(RX_IF, "rss", "1");
	if (!t_ok(!err, "%s: ports in two namespaces, port %d steered to queue %d",
		  tag, PORT, DEVMEM_QUEUE)) {
		t_diag("%s", strerror(-err));
		return -1;
	}
	return 0;
}

static void drop_namespaces(void)
{
	enter_ns(ns_init);
	if (ns_tx >= 0)
		close(ns_tx);
	if (ns_rx >= 0)
		close(ns_rx);
	ns_tx = ns_rx = -1;
}

/* The queue takes a devmem binding again, and carries a stream. */
static void devmem_after(const char *tag)
{
	struct devbuf db = { .fd = -1, .buf_size = PAGE_SZ, .port = PORT };
	char ext[256] = "", dtag[64];
	unsigned char *mem;
	long id;
	int nl;

	enter_ns(ns_rx);
	mem = mmap(NULL, AREA_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return;
	memset(mem, 0xa5, AREA_BYTES);
	db.fd = ud_create1(dev, mem, AREA_BYTES, URING_DMABUF_CREATE_CLOEXEC);
	nl = nl_open(NETLINK_GENERIC);
	id = db.fd < 0 || nl < 0 ? -EBADF :
	     bind_rx(nl, family, if_nametoindex(RX_IF), DEVMEM_QUEUE, db.fd, 0,
		     ext, sizeof(ext));
	if (t_ok(id > 0, "%s: then queue %d takes a devmem binding (no provider left behind)",
		 tag, DEVMEM_QUEUE)) {
		db.mem = mem;
		db.bytes = AREA_BYTES;
		db.binding = id;
		snprintf(dtag, sizeof(dtag), "%s: devmem after zcrx", tag);
		devmem_transfer(dtag, &db, 1500, DEVMEM_BYTES);
	} else {
		t_diag("bind: %s %s", errname(-id), ext);
		dump_queues(RX_IF);
	}
	if (nl >= 0)
		close(nl);
	if (db.fd >= 0) {
		wait_attachments(dev, db.fd, 0, ns_tx);
		close(db.fd);
	}
	munmap(mem, AREA_BYTES);
}

static void unplug(const char *tag)
{
	pid_t pid;
	int st, ret;

	/* In a child: an unregister that waits on the ifq forever hangs. */
	pid = t_fork();
	if (pid == 0) {
		alarm(HANG_LIMIT);
		ret = module_remove(SIMNIC_MODULE);
		_exit(ret ? 1 : 0);
	}
	st = wait_exit(pid, HANG_LIMIT);
	t_ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	     "%s: the NIC module goes with the ifq registered", tag);
}

static void teardown_case(enum teardown c)
{
	const char *tag = case_name[c];
	double t0 = mono_sec();
	struct pins base;
	int afd, cfd, st;
	pid_t rx, tx;

	memset((void *)prog, 0, sizeof(*prog));
	if (setup(tag))
		goto out;
	pins_get(&base);
	cfd = tcp_connect_pair(ns_rx, ns_tx, RX_ADDR, PORT, &afd);
	if (!t_ok(cfd >= 0, "%s: TCP connection", tag))
		goto out;

	rx = t_fork();
	if (rx == 0) {
		close(cfd);
		receiver(afd, c);
	}
	close(afd);
	while (!prog->registered && mono_sec() - t0 < 10)
		msleep(10);
	tx = t_fork();
	if (tx == 0) {
		enter_ns(ns_tx);
		sender(cfd, c);
	}
	close(cfd);
	while (prog->registered > 0 && prog->bytes < FLOWING &&
	       mono_sec() - t0 < HANG_LIMIT)
		msleep(10);
	if (!t_ok(prog->registered > 0 && prog->bytes >= FLOWING,
		  "%s: ifq registered, %lu MiB streamed in with RECV_ZC", tag,
		  FLOWING / MIB))
		t_diag("registered %d, %llu bytes", prog->registered,
		       (unsigned long long)prog->bytes);

	switch (c) {
	case CLOSE_RING:
		st = wait_exit(rx, HANG_LIMIT);
		t_ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		     "%s: the receiver closed its ring mid-stream", tag);
		break;
	case KILL:
		kill(rx, SIGKILL);
		st = wait_exit(rx, HANG_LIMIT);
		t_ok(st >= 0 && WIFSIGNALED(st), "%s: the receiver is killed",
		     tag);
		break;
	case UNPLUG:
		unplug(tag);
		/* The ring, still open in the receiver, closes last. */
		kill(rx, SIGKILL);
		wait_exit(rx, HANG_LIMIT);
		/* Its port gone too, the sender would wait out its timeout. */
		kill(tx, SIGKILL);
		break;
	}
	st = wait_exit(tx, HANG_LIMIT);
	t_ok(st >= 0, "%s: the sender ends (status %#x), no hang", tag,
	     st < 0 ? 0 : st);

	if (c != UNPLUG && !t_ok(wait_stat(RX_IF, DEVMEM_QUEUE, "bound", 0),
				 "%s: no provider left on queue %d", tag,
				 DEVMEM_QUEUE))
		dump_queues(RX_IF);
	t_ok(zcrx_wait_released(&base, ns_tx),
	     "%s: nothing pinned once the page pools drain", tag);
	if (c == UNPLUG) {
		drop_namespaces();
		if (setup("unplug, reloaded"))
			goto out;
	}
	devmem_after(tag);
	t_diag("%s: case %.1f s", tag, mono_sec() - t0);
out:
	drop_namespaces();
}

int main(void)
{
	enum teardown c;

	t_init();
	zcrx_skip_unless_supported();
	/* Its receivers register user areas. */
	if (zcrx_user_area_refused())
		t_skip_all("%s", zcrx_user_area_refused());
	family = devmem_family();
	if (family < 0)
		t_skip_all("kernel without devmem TCP (no NETDEV_CMD_BIND_RX)");
	dev = dev_open();
	ns_init = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	prog = mmap(NULL, sizeof(*prog), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!t_ok(ns_init >= 0 && prog != MAP_FAILED, "namespace fd and memory"))
		return t_finish();

	for (c = CLOSE_RING; c <= UNPLUG; c++)
		teardown_case(c);

	if (module_loaded(SIMNIC_MODULE))
		t_rmmod(SIMNIC_MODULE);
	munmap((void *)prog, sizeof(*prog));
	close(ns_init);
	close(dev);
	return t_finish();
}
