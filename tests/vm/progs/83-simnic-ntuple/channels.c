// SPDX-License-Identifier: GPL-2.0
/*
 * 83-simnic-ntuple: channels: "-L rx N" really removes and brings back RX
 * queues; the core refuses to go below a rule's or a devmem-bound queue.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/ethtool.h>
#include <linux/netlink.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"
#include "ntuple.h"

/*
 * RX queues the stack sees: /sys/class/net/DEV/queues/rx-N, counted in a
 * child that mounts a sysfs of the receiving namespace (the guest's shows
 * the initial one's devices). The count, or -1.
 */
static int sysfs_rx_queues(void)
{
	char path[96];
	struct stat st;
	int n = 0, status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("sysfs", "/sys", "sysfs", 0, NULL))
			_exit(255);
		for (;;) {
			snprintf(path, sizeof(path),
				 "/sys/class/net/%s/queues/rx-%d", RX_IF, n);
			if (stat(path, &st))
				_exit(n);
			n++;
		}
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

/* The RX queue count everywhere: ethtool, sysfs, GRXRINGS, debugfs. */
static int rx_count_is(unsigned int n)
{
	struct ethtool_rxnfc rings = { .cmd = ETHTOOL_GRXRINGS };
	struct ethtool_channels ch;
	char buf[4096], key[16];
	int q, sysfs, debugfs = 0;

	if (channels_get(&ch) || eth(&rings) ||
	    simnic_read(RX_IF, "queues", buf, sizeof(buf)) < 0)
		return 0;
	sysfs = sysfs_rx_queues();
	for (q = 0; q < NQ; q++) {
		snprintf(key, sizeof(key), "rx%d ", q);
		if (strstr(buf, key))
			debugfs++;
	}
	if (ch.rx_count == n && ch.max_rx == NQ && ch.tx_count == NQ &&
	    ch.max_tx == NQ && !ch.combined_count && !ch.max_combined &&
	    rings.data == n && sysfs == (int)n && debugfs == (int)n)
		return 1;
	t_diag("want %u RX queues: channels rx %u/%u tx %u/%u combined %u/%u, GRXRINGS %llu, sysfs rx-N %d, debugfs rxN %d",
	       n, ch.rx_count, ch.max_rx, ch.tx_count, ch.max_tx,
	       ch.combined_count, ch.max_combined,
	       (unsigned long long)rings.data, sysfs, debugfs);
	return 0;
}

void check_channels(int dev)
{
	struct tuple t = { .sport = SPORT, .dport = DPORT };
	struct ethtool_rx_flow_spec fs;
	struct ethtool_channels ch;
	char ext[256] = "";
	long long d[NQ];
	struct mem m;
	int nl = -1, fam, dbuf = -1, ifindex, err;
	uint32_t loc = 0;
	long binding;

	t_ok(rx_count_is(NQ), "channels: rx %d tx %d of max %d/%d, separate (no combined)",
	     NQ, NQ, NQ, NQ);
	if (!channels_get(&ch)) {
		ch.cmd = ETHTOOL_SCHANNELS;
		ch.tx_count = NQ - 1;
		t_errno(eth(&ch), EINVAL, "tx %d: EINVAL (TX queues are the wire's)",
			NQ - 1);
	}

	/* A rule to queue 3 keeps it. */
	spec_fill(&fs, &t, F_DPORT);
	err = rule_insert(&fs, 3, RX_CLS_LOC_ANY, &loc);
	t_ok(!err, "a rule to queue 3");
	t_errno(channels_set_rx(3), EINVAL,
		"rx 3 with a rule to queue 3: EINVAL (the core's ntuple check)");
	t_ok(rx_count_is(NQ), "... still %d RX queues", NQ);
	err = flow_run(&t, d);
	if (!t_ok(!err && on_queue(d, 3), "... and queue 3 gets its flow"))
		diag_flow("flow", d);
	rule_delete(loc);

	/*
	 * Bound to queue 1: shrinking past unbound queue 3 works, past queue
	 * 1 not. (The core also refuses rx 2, which would keep queue 1: its
	 * check is "count <= bound queue + 1", on 6.12 as on 7.x.)
	 */
	fam = devmem_family();
	if (fam < 0) {
		t_skip("no NETDEV_CMD_BIND_RX", "channels with a devmem binding");
		return;
	}
	nl = nl_open(NETLINK_GENERIC);
	if (mem_alloc(&m, MEM_ANON, 4 << 20)) {
		t_ok(0, "4 MiB for a dma-buf");
		return;
	}
	memset(m.p, 0, m.len);
	dbuf = ud_create1(dev, m.p, m.len, 0);
	ifindex = if_nametoindex(RX_IF);
	binding = dbuf >= 0 && nl >= 0 ?
		  bind_rx(nl, fam, ifindex, 1, dbuf, 0, ext, sizeof(ext)) : -EIO;
	if (!t_ok(binding >= 0, "a dma-buf bound to RX queue 1")) {
		t_diag("bind: %s (%s)", strerror((int)-binding), ext);
		goto out;
	}
	err = channels_set_rx(3);
	if (!t_ok(!err && rx_count_is(3),
		  "rx 3 (queue 3 unbound) while queue 1 is bound: works, 3 RX queues"))
		t_diag("ETHTOOL_SCHANNELS: %s", strerror(-err));
	t_errno(channels_set_rx(1), EINVAL,
		"rx 1 (ioctl) with queue 1 bound: EINVAL (the core's memory provider check)");
	err = channels_set_rx_nl(1, ext, sizeof(ext));
	t_ok(err == -EINVAL && strstr(ext, "memory provider"),
	     "rx 1 (ethtool netlink) with queue 1 bound: EINVAL, \"%s\"", ext);
	t_ok(rx_count_is(3), "... still 3 RX queues");
	close(nl);
	nl = -1;
	t_ok(wait_attachments(dev, dbuf, 0, ns_rx), "unbound (socket closed)");
	err = channels_set_rx_nl(1, ext, sizeof(ext));
	if (!t_ok(!err && rx_count_is(1),
		  "rx 1 (ethtool netlink) once unbound: works"))
		t_diag("ETHTOOL_MSG_CHANNELS_SET: %s (%s)", strerror(-err), ext);
	t_errno(channels_set_rx(0), EINVAL, "rx 0: EINVAL");
	t_errno(channels_set_rx(NQ + 1), EINVAL, "rx %d of max %d: EINVAL",
		NQ + 1, NQ);

	/* Down and up while fewer; then all back, queue 3 steered again. */
	err = if_set_up(RX_IF, 0);
	if (!err)
		err = channels_set_rx(2);
	if (!err)
		err = channels_set_rx(NQ);
	if (!err)
		err = if_set_up(RX_IF, 1);
	t_ok(!err && rx_count_is(NQ), "down: rx 2, rx %d, up: %d RX queues",
	     NQ, NQ);
	/* The driver's RSS table followed the counts: queue 0 only again. */
	if (!err)
		err = simnic_write(RX_IF, "rss", "1");
	if (!err)
		err = rule_insert(&fs, 3, RX_CLS_LOC_ANY, &loc);
	if (!err) {
		/* The carrier comes back with the port. */
		msleep(200);
		err = flow_run(&t, d);
	}
	if (!t_ok(!err && on_queue(d, 3),
		  "queue 3 back: a rule steers a flow to it"))
		diag_flow("flow", d);
	rule_delete(loc);
out:
	if (nl >= 0)
		close(nl);
	if (dbuf >= 0)
		close(dbuf);
	mem_free(&m);
}
