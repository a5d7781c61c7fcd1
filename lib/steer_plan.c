// SPDX-License-Identifier: MIT
/*
 * What NIC steering checks and reads before it changes anything: the
 * parameters, a journal left behind, XDP, header split support, rules
 * already there for the ports, the queues and the RSS table (and the table
 * it will set). Also the error messages of every step.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "steer.h"

/* Records the first failure: code and "STEP: what" (with the kernel's ack). */
int urd_steer_fail(struct uring_dmabuf_nl_error *err, int code,
		   const char *fmt, ...)
{
	char kmsg[sizeof(err->msg)];
	va_list ap;

	if (!err || err->code)
		return code;
	snprintf(kmsg, sizeof(kmsg), "%s", err->msg);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (kmsg[0]) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, " (%s)", kmsg);
	}
	err->code = code;
	return code;
}

void urd_steer_clear_err(struct uring_dmabuf_nl_error *err)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->attr = -1;
	}
}

/* The kernel's extack of a netlink step, kept for urd_steer_fail()'s message. */
int urd_steer_nl_step(struct uring_dmabuf_nl_error *err,
		   struct uring_dmabuf_nl_error *nlerr, int ret)
{
	if (ret && err && !err->code) {
		snprintf(err->msg, sizeof(err->msg), "%s", nlerr->msg);
		err->attr = nlerr->attr;
	}
	return ret;
}

const char *urd_flow_name(uint32_t flow_type)
{
	return flow_type == URD_FLOW_TCP6 ? "tcp6" : "tcp4";
}

int urd_steer_check_params(const struct uring_dmabuf_steer_params *p,
			struct uring_dmabuf_nl_error *err)
{
	unsigned int i, j;

	if (!p || p->size < sizeof(*p))
		return urd_steer_fail(err, -EINVAL, "params: size must be sizeof(struct uring_dmabuf_steer_params)");
	if (p->flags)
		return urd_steer_fail(err, -EINVAL, "params: unknown flags 0x%x", p->flags);
	if (!urd_ifname_ok(p->ifname))
		return urd_steer_fail(err, -EINVAL, "params: bad interface name");
	if (!p->queues || !p->nr_queues || p->nr_queues > URD_RSS_MAX)
		return urd_steer_fail(err, -EINVAL, "params: no queues");
	if (!p->ports || !p->nr_ports ||
	    p->nr_ports > URING_DMABUF_STEER_MAX_PORTS)
		return urd_steer_fail(err, -EINVAL, "params: 1 to %d ports",
			    URING_DMABUF_STEER_MAX_PORTS);
	if (p->proto != URING_DMABUF_STEER_TCP4 &&
	    p->proto != URING_DMABUF_STEER_TCP6)
		return urd_steer_fail(err, -EINVAL, "params: proto must be tcp4 or tcp6");
	for (i = 0; i < p->nr_ports; i++) {
		if (!p->ports[i])
			return urd_steer_fail(err, -EINVAL, "params: port 0");
		for (j = 0; j < i; j++)
			if (p->ports[j] == p->ports[i])
				return urd_steer_fail(err, -EINVAL, "params: port %u given twice",
					    p->ports[i]);
	}
	return 0;
}

/* The pid that journaled, if it still runs (its steering is not stale). */
int urd_steer_owner_alive(long pid)
{
	if (pid <= 0 || pid == (long)getpid())
		return 0;
	return !kill((pid_t)pid, 0) || errno == EPERM;
}

int urd_steer_refuse_journal(const char *dir, const char *ifname,
			  struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_steer old;
	int ret = urd_journal_read(dir, ifname, &old);

	free(old.rss_old);
	if (ret == -ENOENT)
		return 0;
	if (!ret && urd_steer_owner_alive(old.pid))
		return urd_steer_fail(err, -EBUSY, "journal: %s is steered by running process %ld",
			    ifname, old.pid);
	return urd_steer_fail(err, -EEXIST, "journal: a stale steering journal of %s exists in %s: run 'uring-dmabuf restore %s' first",
		    ifname, dir, ifname);
}

/* Whether a rule already steers @port of @flow_type; -errno if unknown. */
static int find_conflict(const char *ifname, uint32_t flow_type,
			 const uint16_t *ports, unsigned int nr_ports,
			 struct urd_steer_rule *hit)
{
	uint32_t *locs, nr, size, i;
	unsigned int j;
	int special, ret;

	ret = urd_eth_rule_list(ifname, &locs, &nr, &size, &special);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		if (urd_eth_rule_get(ifname, locs[i], hit) ||
		    hit->flow_type != flow_type)
			continue;
		for (j = 0; j < nr_ports; j++)
			if (hit->port == ports[j]) {
				free(locs);
				return 1;
			}
	}
	free(locs);
	return 0;
}

static int is_bound(const struct uring_dmabuf_steer_params *p, uint32_t q)
{
	unsigned int i;

	for (i = 0; i < p->nr_queues; i++)
		if (p->queues[i] == q)
			return 1;
	return 0;
}

static int in_table(const uint32_t *t, uint32_t size, uint32_t q)
{
	uint32_t i;

	for (i = 0; i < size; i++)
		if (t[i] == q)
			return 1;
	return 0;
}

/* Everything read and checked; nothing changed yet. */
int urd_steer_make_plan(const struct uring_dmabuf_steer_params *p,
		     unsigned int ifindex, uint32_t flow_type,
		     struct urd_steer_plan *pl, struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_nl_error nlerr;
	struct urd_steer_rule hit;
	uint32_t i, n, *keep;
	int ret;

	ret = urd_xdp_attached(ifindex);
	if (ret < 0)
		return urd_steer_fail(err, ret, "xdp: cannot query %s (RTM_GETLINK): %s",
			    p->ifname, strerror(-ret));
	if (ret)
		return urd_steer_fail(err, -EBUSY, "xdp: an XDP program is attached to %s; devmem cannot bind its queues",
			    p->ifname);
	ret = urd_steer_nl_step(err, &nlerr, urd_rings_get(ifindex, &pl->rings, &nlerr));
	if (ret)
		return urd_steer_fail(err, ret, "tcp-data-split: ETHTOOL_MSG_RINGS_GET on %s: %s",
			    p->ifname, strerror(-ret));
	if (!pl->rings.has_split)
		return urd_steer_fail(err, -EOPNOTSUPP, "tcp-data-split: the driver of %s does not report header split",
			    p->ifname);
	ret = urd_eth_ntuple_get(p->ifname, &pl->ntuple_on);
	if (ret)
		return urd_steer_fail(err, ret, "ntuple: ETHTOOL_GFLAGS on %s: %s",
			    p->ifname, strerror(-ret));
	ret = find_conflict(p->ifname, flow_type, p->ports, p->nr_ports, &hit);
	if (ret < 0)
		return urd_steer_fail(err, ret, "flow rule: the driver of %s cannot list ntuple rules (ETHTOOL_GRXCLSRLALL): %s",
			    p->ifname, strerror(-ret));
	if (ret)
		return urd_steer_fail(err, -EEXIST, "flow rule: rule %ld of %s already steers %s dst-port %u (to queue %u)",
			    hit.loc, p->ifname, urd_flow_name(flow_type), hit.port,
			    hit.queue);
	ret = urd_eth_rx_rings(p->ifname, &pl->nr_rings);
	if (ret)
		return urd_steer_fail(err, ret, "rss: ETHTOOL_GRXRINGS on %s: %s",
			    p->ifname, strerror(-ret));
	for (i = 0; i < p->nr_queues; i++)
		if (p->queues[i] >= pl->nr_rings)
			return urd_steer_fail(err, -ERANGE, "rss: %s has RX queues 0-%u; there is no queue %u",
				    p->ifname, pl->nr_rings - 1, p->queues[i]);
	ret = urd_eth_indir_get(p->ifname, &pl->rss, &pl->rss_size);
	if (ret)
		return urd_steer_fail(err, ret, "rss: the indirection table of %s (ETHTOOL_GRXFHINDIR): %s",
			    p->ifname, strerror(-ret));
	keep = calloc(pl->nr_rings, sizeof(*keep));
	pl->new_rss = calloc(pl->rss_size, sizeof(*pl->new_rss));
	if (!keep || !pl->new_rss) {
		free(keep);
		return urd_steer_fail(err, -ENOMEM, "rss: out of memory");
	}
	/* Other flows go where they went, minus the bound queues. */
	for (i = n = 0; i < pl->nr_rings; i++)
		if (!is_bound(p, i) && in_table(pl->rss, pl->rss_size, i))
			keep[n++] = i;
	if (!n)
		for (i = 0; i < pl->nr_rings; i++)
			if (!is_bound(p, i))
				keep[n++] = i;
	if (!n) {
		free(keep);
		return urd_steer_fail(err, -EINVAL, "rss: every RX queue of %s would be bound; leave one for other flows",
			    p->ifname);
	}
	for (i = 0; i < pl->rss_size; i++)
		pl->new_rss[i] = is_bound(p, pl->rss[i]) ? keep[i % n] : pl->rss[i];
	free(keep);
	return 0;
}
