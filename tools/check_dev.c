// SPDX-License-Identifier: MIT
/*
 * check DEV: the device's items. The driver comes first: when it cannot do
 * devmem, that is the blocker and every other fix is moot. Then the
 * kernel's own answer (a dry-run bind), then the settings a bind needs,
 * each failure with the command that fixes it: `bind-rx --steer` where
 * steering is the fix.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "check.h"
#include "check_driver.h"
#include "ethtool.h"
#include "link_xdp.h"
#include "liburing_dmabuf.h"
#include "setup.h"

#define IFF_LOOPBACK_FLAG 0x8
#define MAX_PORT_RULES 8

struct dev_ctx {
	const struct check_opts *o;
	const char *dev;
	unsigned int ifindex;
	unsigned int queue;
	int nrx;
	const struct driver_info *drv;
	bool queue_bound;
	char steer[256];	/* the fix where steering is the fix */
	char no_fix[256];	/* the fix where the driver is the blocker */
	char release[65];
};

static bool sysfs_flag(const char *dev, unsigned int flag)
{
	char path[128];
	unsigned int flags = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", dev);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fscanf(f, "%x", &flags) != 1)
		flags = 0;
	fclose(f);
	return flags & flag;
}

/* A software device has no parent (bus) device to map DMA for. */
static bool parentless(const char *dev)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device", dev);
	return stat(path, &st) != 0;
}

static void check_driver(struct dev_ctx *c)
{
	static char moot[96];
	char name[32];
	int ret = ethtool_driver(c->dev, name, sizeof(name));
	const struct driver_info *d;

	/* lo has no drvinfo: its flag says what it is. */
	if (ret && sysfs_flag(c->dev, IFF_LOOPBACK_FLAG)) {
		snprintf(name, sizeof(name), "loopback");
		ret = 0;
	}
	if (ret) {
		check_item("driver", false, false, NULL,
			   "cannot read %s's driver (ETHTOOL_GDRVINFO: %s); the bind item is the kernel's answer",
			   c->dev, strerror(-ret));
		return;
	}
	d = driver_lookup(name);
	c->drv = d;
	if (!d) {
		check_item("driver", false, false, NULL,
			   "%s: not known whether it takes memory providers; the bind item is the kernel's answer",
			   name);
		return;
	}
	switch (d->cls) {
	case DRIVER_INCAPABLE:
		check_blocker("driver", c->no_fix, "%s (%s): this driver cannot do devmem",
			      name, d->note);
		snprintf(moot, sizeof(moot), "%s's driver cannot do devmem", c->dev);
		check_state.moot = moot;
		break;
	case DRIVER_CAPABLE_SOME:
		check_item("driver", false, false, NULL,
			   "%s (%s): takes memory providers on some kernels, which ones is not known here; the bind item is the kernel's answer",
			   name, d->note);
		break;
	default:
		if (release_at_least(c->release, d->min_major, d->min_minor)) {
			check_item("driver", true, true, NULL,
				   "%s (%s) takes memory providers for RX from Linux %u.%u; this is %s",
				   name, d->note, d->min_major, d->min_minor, c->release);
		} else {
			char fix[96];

			snprintf(fix, sizeof(fix), "Linux %u.%u or newer", d->min_major,
				 d->min_minor);
			check_blocker("driver", fix,
				      "%s (%s) takes memory providers for RX from Linux %u.%u; this is %s",
				      name, d->note, d->min_major, d->min_minor, c->release);
		}
		break;
	}
}

static void check_queues(struct dev_ctx *c)
{
	char fix[160];

	snprintf(fix, sizeof(fix),
		 "more RX queues let one be reserved for devmem: ethtool -L %s combined N", c->dev);
	check_item("rx-queues", c->nrx > 1, false, fix, "%s has %d RX queues", c->dev,
		   c->nrx > 0 ? c->nrx : 0);
	if (c->o->have_queue && (c->nrx <= 0 || c->queue >= (unsigned int)c->nrx)) {
		snprintf(fix, sizeof(fix), "pick a queue of uring-dmabuf queues %s", c->dev);
		check_item("queue", false, true, fix, "%s has no RX queue %u", c->dev, c->queue);
	}
}

static void check_bindings(struct dev_ctx *c)
{
	struct uring_dmabuf_queue q[MAX_QUEUES];
	char list[512] = "";
	int n, i, bound = 0;
	size_t len = 0;

	n = uring_dmabuf_queues(c->ifindex, q, MAX_QUEUES, NULL);
	if (n < 0) {
		check_item("bindings", false, false, NULL, "cannot list queues: %s",
			   strerror(-n));
		return;
	}
	for (i = 0; i < n && i < MAX_QUEUES; i++) {
		if (q[i].type || !q[i].dmabuf_id)
			continue;
		if (q[i].id == c->queue)
			c->queue_bound = true;
		if (len < sizeof(list) - 32)
			len += snprintf(list + len, sizeof(list) - len, " rx-%u:%u", q[i].id,
					q[i].dmabuf_id);
		bound++;
	}
	check_item("bindings", true, false, NULL, "%d RX queues bound to dma-bufs%s%s",
		   bound, bound ? " (queue:binding)" : "", list);
}

/* The fix for a refused bind, from the errno and the kernel's message. */
static const char *bind_fix(struct dev_ctx *c, const struct dry_bind *r, char *buf,
			    size_t len)
{
	if (strstr(r->msg, "tcp-data-split") || strstr(r->msg, "hds-thresh"))
		return c->steer;
	if (strstr(r->msg, "XDP")) {
		snprintf(buf, len, "detach the XDP program: ip link set %s xdp off", c->dev);
		return buf;
	}
	switch (r->err) {
	case -EPERM:
		return "run as root (CAP_NET_ADMIN)";
	case -EEXIST:
	case -EBUSY:
		snprintf(buf, len, "rx-%u is bound or in use: pick another with --queues (uring-dmabuf queues %s)",
			 c->queue, c->dev);
		return buf;
	case -EOPNOTSUPP:
	case -ENODATA:
		return c->no_fix;
	default:
		return NULL;
	}
}

static void check_bind(struct dev_ctx *c)
{
	struct dry_bind r;
	char fix[192];
	bool driver_says_no;

	if (c->queue_bound) {
		r.result = DRY_NOT_TRIED;
		snprintf(r.msg, sizeof(r.msg), "rx-%u is bound already", c->queue);
	} else if (c->nrx <= 0 || c->queue >= (unsigned int)c->nrx) {
		r.result = DRY_NOT_TRIED;
		snprintf(r.msg, sizeof(r.msg), "%s has no RX queue %u", c->dev, c->queue);
	} else {
		dry_bind(c->dev, c->ifindex, c->queue, parentless(c->dev), &r);
	}
	switch (r.result) {
	case DRY_BOUND:
		check_item("bind", true, true, NULL,
			   "the kernel bound a one-page dma-buf to rx-%u and released it at once",
			   c->queue);
		check_item("queue-mgmt", true, false, NULL,
			   "the driver restarts rx-%u with a memory provider", c->queue);
		return;
	case DRY_NOT_TRIED:
		check_item("bind", false, false, NULL, "a dry-run bind to rx-%u was not tried: %s",
			   c->queue, r.msg);
		check_item("queue-mgmt", false, false, NULL,
			   "unknown: only a bind asks the driver");
		return;
	default:
		break;
	}
	driver_says_no = r.err == -EOPNOTSUPP || r.err == -ENODATA;
	/* The kernel's no for a driver not in the table: that is the blocker. */
	if (driver_says_no && !check_state.moot && (!c->drv || c->drv->cls != DRIVER_CAPABLE))
		check_blocker("bind", bind_fix(c, &r, fix, sizeof(fix)),
			      "the kernel refused rx-%u: %s%s%s", c->queue, strerror(-r.err),
			      r.msg[0] ? ": " : "", r.msg);
	else
		check_item("bind", false, true, bind_fix(c, &r, fix, sizeof(fix)),
			   "the kernel refused rx-%u: %s%s%s", c->queue, strerror(-r.err),
			   r.msg[0] ? ": " : "", r.msg);
	if (r.err == -ENODATA)
		check_item("queue-mgmt", false, false, NULL,
			   "rx-%u restarts, but its page pool takes no memory provider (ENODATA)",
			   c->queue);
	else if (r.err == -EOPNOTSUPP)
		check_item("queue-mgmt", false, false, NULL,
			   "no: the kernel answered EOPNOTSUPP%s%s (no queue management ops, or no DMA device)",
			   r.msg[0] ? ": " : "", r.msg);
	else
		check_item("queue-mgmt", false, false, NULL,
			   "unknown: the kernel refused before restarting rx-%u", c->queue);
}

static void check_rings(struct dev_ctx *c)
{
	struct ring_state rs;
	int ret = ethtool_rings(c->dev, &rs);

	check_item("header-split", !ret && rs.split == SPLIT_ON, true, c->steer,
		   ret ? "cannot read ring parameters (does the driver support them?): %s" :
		   rs.split == SPLIT_ON ? "tcp-data-split on%s" :
		   rs.split == SPLIT_OFF ? "tcp-data-split off%s" :
		   "the driver does not report tcp-data-split%s",
		   ret ? strerror(-ret) : "");
	if (ret)
		return;
	if (!rs.has_hds_thresh)
		check_item("hds-thresh", true, true, NULL,
			   "not reported (%s)", release_at_least(c->release, 6, 14) ?
			   "the driver has no threshold" :
			   "Linux before 6.14 neither reports nor checks it");
	else
		check_item("hds-thresh", rs.hds_thresh == 0, true, c->steer,
			   "hds-thresh %u%s", rs.hds_thresh,
			   rs.hds_thresh ? " (devmem needs 0: every header split)" : "");
}

static void check_steering(struct dev_ctx *c)
{
	struct port_rule rules[MAX_PORT_RULES];
	unsigned int total, i;
	int ntuple = 0, ret, n;
	char fix[384];

	ret = ethtool_ntuple(c->dev, &ntuple);
	check_item("flow-steering", !ret && ntuple, true, c->steer,
		   ret ? "cannot read ethtool flags: %s" : ntuple ?
		   "ntuple filters on%s" : "ntuple filters off%s", ret ? strerror(-ret) : "");
	if (!c->o->port) {
		check_item("steer-rule", false, false, NULL,
			   "not checked: --port PORT names the flow to look for");
		return;
	}
	n = ethtool_port_rules(c->dev, (uint16_t)c->o->port, rules, MAX_PORT_RULES, &total);
	if (n == -EOPNOTSUPP) {
		check_item("steer-rule", false, true, NULL,
			   "%s lists no flow rules (Operation not supported): it cannot steer port %u to a queue",
			   c->dev, c->o->port);
		return;
	}
	if (n < 0) {
		check_item("steer-rule", false, true, c->steer, "cannot read the flow rules: %s",
			   strerror(-n));
		return;
	}
	if (!n) {
		check_item("steer-rule", false, true, c->steer,
			   "no rule steers TCP port %u (%u rules on %s)", c->o->port, total, c->dev);
		return;
	}
	for (i = 0; i < (unsigned int)n && i < MAX_PORT_RULES; i++) {
		const char *fam = rules[i].flow_type == TCP_V6_FLOW ? "tcp6" : "tcp4";

		if (rules[i].queue == c->queue) {
			check_item("steer-rule", true, true, NULL,
				   "rule %u steers %s dst-port %u to rx-%u", rules[i].location, fam,
				   c->o->port, c->queue);
			continue;
		}
		snprintf(fix, sizeof(fix), "delete it (ethtool -N %s delete %u), then: %s",
			 c->dev, rules[i].location, c->steer);
		check_item("steer-rule", false, true, fix,
			   "rule %u steers %s dst-port %u to queue %lld, not rx-%u",
			   rules[i].location, fam, c->o->port, (long long)rules[i].queue, c->queue);
	}
}

static void check_rss(struct dev_ctx *c)
{
	unsigned int hits, size;
	int ret = ethtool_rss_hits(c->dev, c->queue, &hits, &size);

	if (ret)
		check_item("rss", false, false, NULL, "cannot read the RSS indirection table: %s",
			   strerror(-ret));
	else if (hits)
		check_item("rss", false, false, c->steer,
			   "rx-%u takes %u of %u RSS table entries: other flows would land in the dma-buf",
			   c->queue, hits, size);
	else
		check_item("rss", true, false, NULL, "rx-%u is out of the RSS table (%u entries)",
			   c->queue, size);
}

static void check_xdp(struct dev_ctx *c)
{
	static const char *const off[] = { "xdp", "xdpdrv", "xdpgeneric", "xdpoffload", "xdp" };
	struct xdp_state xs;
	char fix[128];
	int ret = link_xdp(c->ifindex, &xs);

	if (ret) {
		check_item("xdp", false, false, NULL, "cannot read %s's XDP state: %s", c->dev,
			   strerror(-ret));
		return;
	}
	snprintf(fix, sizeof(fix), "detach it: ip link set %s %s off", c->dev,
		 off[xs.attached < 5 ? xs.attached : 0]);
	if (xs.attached)
		check_item("xdp", false, true, fix,
			   "XDP program %u attached (%s): the kernel refuses a memory provider beside it",
			   xs.prog_id, xdp_mode_name(xs.attached));
	else
		check_item("xdp", true, true, NULL, "no XDP program attached");
}

void check_dev(const struct check_opts *o)
{
	struct dev_ctx c = { .o = o, .dev = o->dev };
	char port[16] = "PORT";
	struct utsname u;

	c.ifindex = if_nametoindex(o->dev);
	if (!c.ifindex) {
		check_item("netdev", false, true, "name an existing interface (ip link)",
			   "no network device '%s'", o->dev);
		return;
	}
	uname(&u);
	snprintf(c.release, sizeof(c.release), "%s", u.release);
	c.nrx = rx_queue_count(o->dev);
	c.queue = o->have_queue ? o->queue : c.nrx > 0 ? (unsigned int)c.nrx - 1 : 0;
	if (o->port)
		snprintf(port, sizeof(port), "%u", o->port);
	snprintf(c.steer, sizeof(c.steer), "uring-dmabuf bind-rx %s --queues %u --size %s --steer %s",
		 o->dev, c.queue, o->size_arg ? o->size_arg : "64M", port);

	snprintf(c.no_fix, sizeof(c.no_fix),
		 "none on %s: use a NIC whose driver takes memory providers (%s)", o->dev,
		 driver_capable_list());
	check_driver(&c);
	check_queues(&c);
	check_bindings(&c);
	check_bind(&c);
	check_rings(&c);
	check_steering(&c);
	check_rss(&c);
	check_xdp(&c);
	check_item("numa", true, false, NULL, "%s is on NUMA node %d (-1: none)", o->dev,
		   nic_numa_node(o->dev));
}
