// SPDX-License-Identifier: MIT
/*
 * NIC steering for a devmem binding: header split on with hds-thresh 0,
 * ntuple on, one flow rule per port to a bound queue, the bound queues out
 * of the RSS indirection table, in that order. Everything is checked
 * before anything changes; each change is journaled before it is made;
 * restoring undoes exactly what was changed, in reverse order.
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
static int fail(struct uring_dmabuf_nl_error *err, int code, const char *fmt,
		...)
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

static void clear_err(struct uring_dmabuf_nl_error *err)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->attr = -1;
	}
}

/* The kernel's extack of a netlink step, kept for fail()'s message. */
static int nl_step(struct uring_dmabuf_nl_error *err,
		   struct uring_dmabuf_nl_error *nlerr, int ret)
{
	if (ret && err && !err->code) {
		snprintf(err->msg, sizeof(err->msg), "%s", nlerr->msg);
		err->attr = nlerr->attr;
	}
	return ret;
}

static const char *proto_name(uint32_t flow_type)
{
	return flow_type == URD_FLOW_TCP6 ? "tcp6" : "tcp4";
}

static int check_params(const struct uring_dmabuf_steer_params *p,
			struct uring_dmabuf_nl_error *err)
{
	unsigned int i, j;

	if (!p || p->size < sizeof(*p))
		return fail(err, -EINVAL, "params: size must be sizeof(struct uring_dmabuf_steer_params)");
	if (p->flags)
		return fail(err, -EINVAL, "params: unknown flags 0x%x", p->flags);
	if (!urd_ifname_ok(p->ifname))
		return fail(err, -EINVAL, "params: bad interface name");
	if (!p->queues || !p->nr_queues || p->nr_queues > URD_RSS_MAX)
		return fail(err, -EINVAL, "params: no queues");
	if (!p->ports || !p->nr_ports ||
	    p->nr_ports > URING_DMABUF_STEER_MAX_PORTS)
		return fail(err, -EINVAL, "params: 1 to %d ports",
			    URING_DMABUF_STEER_MAX_PORTS);
	if (p->proto != URING_DMABUF_STEER_TCP4 &&
	    p->proto != URING_DMABUF_STEER_TCP6)
		return fail(err, -EINVAL, "params: proto must be tcp4 or tcp6");
	for (i = 0; i < p->nr_ports; i++) {
		if (!p->ports[i])
			return fail(err, -EINVAL, "params: port 0");
		for (j = 0; j < i; j++)
			if (p->ports[j] == p->ports[i])
				return fail(err, -EINVAL, "params: port %u given twice",
					    p->ports[i]);
	}
	return 0;
}

/* The pid that journaled, if it still runs (its steering is not stale). */
static int owner_alive(long pid)
{
	if (pid <= 0 || pid == (long)getpid())
		return 0;
	return !kill((pid_t)pid, 0) || errno == EPERM;
}

static int refuse_journal(const char *dir, const char *ifname,
			  struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_steer old;
	int ret = urd_journal_read(dir, ifname, &old);

	free(old.rss_old);
	if (ret == -ENOENT)
		return 0;
	if (!ret && owner_alive(old.pid))
		return fail(err, -EBUSY, "journal: %s is steered by running process %ld",
			    ifname, old.pid);
	return fail(err, -EEXIST, "journal: a stale steering journal of %s exists in %s: run 'uring-dmabuf restore %s' first",
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

/* A free location, for drivers that cannot pick one (no RX_CLS_LOC_ANY). */
static int rule_location(const char *ifname, long *loc)
{
	uint32_t *locs, nr, size, i, cand;
	int special, ret;

	ret = urd_eth_rule_list(ifname, &locs, &nr, &size, &special);
	if (ret)
		return ret;
	if (special) {
		*loc = RX_CLS_LOC_ANY_VALUE;
		free(locs);
		return 0;
	}
	for (cand = 0; cand < size; cand++) {
		for (i = 0; i < nr && locs[i] != cand; i++)
			;
		if (i == nr)
			break;
	}
	free(locs);
	if (cand >= size)
		return -ENOSPC;
	*loc = cand;
	return 0;
}

struct plan {
	struct urd_rings rings;
	int ntuple_on;
	uint32_t nr_rings;
	uint32_t *rss;		/* the table found */
	uint32_t rss_size;
	uint32_t *new_rss;	/* the table without the bound queues */
};

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
static int make_plan(const struct uring_dmabuf_steer_params *p,
		     unsigned int ifindex, uint32_t flow_type,
		     struct plan *pl, struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_nl_error nlerr;
	struct urd_steer_rule hit;
	uint32_t i, n, *keep;
	int ret;

	ret = urd_xdp_attached(ifindex);
	if (ret < 0)
		return fail(err, ret, "xdp: cannot query %s (RTM_GETLINK): %s",
			    p->ifname, strerror(-ret));
	if (ret)
		return fail(err, -EBUSY, "xdp: an XDP program is attached to %s; devmem cannot bind its queues",
			    p->ifname);
	ret = nl_step(err, &nlerr, urd_rings_get(ifindex, &pl->rings, &nlerr));
	if (ret)
		return fail(err, ret, "tcp-data-split: ETHTOOL_MSG_RINGS_GET on %s: %s",
			    p->ifname, strerror(-ret));
	if (!pl->rings.has_split)
		return fail(err, -EOPNOTSUPP, "tcp-data-split: the driver of %s does not report header split",
			    p->ifname);
	ret = urd_eth_ntuple_get(p->ifname, &pl->ntuple_on);
	if (ret)
		return fail(err, ret, "ntuple: ETHTOOL_GFLAGS on %s: %s",
			    p->ifname, strerror(-ret));
	ret = find_conflict(p->ifname, flow_type, p->ports, p->nr_ports, &hit);
	if (ret < 0)
		return fail(err, ret, "flow rule: the driver of %s cannot list ntuple rules (ETHTOOL_GRXCLSRLALL): %s",
			    p->ifname, strerror(-ret));
	if (ret)
		return fail(err, -EEXIST, "flow rule: rule %ld of %s already steers %s dst-port %u (to queue %u)",
			    hit.loc, p->ifname, proto_name(flow_type), hit.port,
			    hit.queue);
	ret = urd_eth_rx_rings(p->ifname, &pl->nr_rings);
	if (ret)
		return fail(err, ret, "rss: ETHTOOL_GRXRINGS on %s: %s",
			    p->ifname, strerror(-ret));
	for (i = 0; i < p->nr_queues; i++)
		if (p->queues[i] >= pl->nr_rings)
			return fail(err, -ERANGE, "rss: %s has RX queues 0-%u; there is no queue %u",
				    p->ifname, pl->nr_rings - 1, p->queues[i]);
	ret = urd_eth_indir_get(p->ifname, &pl->rss, &pl->rss_size);
	if (ret)
		return fail(err, ret, "rss: the indirection table of %s (ETHTOOL_GRXFHINDIR): %s",
			    p->ifname, strerror(-ret));
	keep = calloc(pl->nr_rings, sizeof(*keep));
	pl->new_rss = calloc(pl->rss_size, sizeof(*pl->new_rss));
	if (!keep || !pl->new_rss) {
		free(keep);
		return fail(err, -ENOMEM, "rss: out of memory");
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
		return fail(err, -EINVAL, "rss: every RX queue of %s would be bound; leave one for other flows",
			    p->ifname);
	}
	for (i = 0; i < pl->rss_size; i++)
		pl->new_rss[i] = is_bound(p, pl->rss[i]) ? keep[i % n] : pl->rss[i];
	free(keep);
	return 0;
}

/* The steps, each journaled before it is made. */
static int apply_steps(const struct uring_dmabuf_steer_params *p,
		       struct uring_dmabuf_steer *s, struct plan *pl,
		       uint32_t flow_type, struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_nl_error nlerr;
	int need_thresh = pl->rings.has_thresh && pl->rings.thresh != 0;
	unsigned int i;
	long loc;
	int ret;

	if (pl->rings.split != URD_SPLIT_ENABLED || need_thresh) {
		s->split_changed = 1;
		s->old_split = pl->rings.split;
		s->thresh_changed = need_thresh;
		s->old_thresh = pl->rings.thresh;
		ret = urd_journal_write(s, 0);
		if (ret)
			return fail(err, ret, "journal: %s", strerror(-ret));
		ret = nl_step(err, &nlerr,
			      urd_rings_set(s->ifindex, URD_SPLIT_ENABLED,
					    need_thresh ? 0 : -1, &nlerr));
		if (ret)
			return fail(err, ret, "tcp-data-split: ETHTOOL_MSG_RINGS_SET tcp-data-split on%s on %s: %s",
				    need_thresh ? " hds-thresh 0" : "", p->ifname,
				    strerror(-ret));
	}
	if (!pl->ntuple_on) {
		s->ntuple_changed = 1;
		ret = urd_journal_write(s, 0);
		if (ret)
			return fail(err, ret, "journal: %s", strerror(-ret));
		ret = urd_eth_ntuple_set(p->ifname, 1);
		if (ret)
			return fail(err, ret, "ntuple: ETHTOOL_SFLAGS ntuple on on %s: %s",
				    p->ifname, strerror(-ret));
	}
	for (i = 0; i < p->nr_ports; i++) {
		struct urd_steer_rule *r = &s->rules[s->nr_rules];

		r->flow_type = flow_type;
		r->port = p->ports[i];
		r->queue = p->queues[i % p->nr_queues];
		r->loc = URD_LOC_UNKNOWN;
		ret = rule_location(p->ifname, &loc);
		if (ret)
			return fail(err, ret, "flow rule: no free rule location on %s: %s",
				    p->ifname, strerror(-ret));
		s->nr_rules++;
		ret = urd_journal_write(s, 0);
		if (ret)
			return fail(err, ret, "journal: %s", strerror(-ret));
		ret = urd_eth_rule_insert(p->ifname, r, loc);
		if (ret)
			return fail(err, ret, "flow rule: ETHTOOL_SRXCLSRLINS %s dst-port %u action %u on %s: %s",
				    proto_name(flow_type), r->port, r->queue,
				    p->ifname, strerror(-ret));
		ret = urd_journal_write(s, 0);
		if (ret)
			return fail(err, ret, "journal: %s", strerror(-ret));
	}
	if (memcmp(pl->rss, pl->new_rss, pl->rss_size * sizeof(*pl->rss))) {
		s->rss_changed = 1;
		s->rss_size = pl->rss_size;
		s->rss_old = pl->rss;
		pl->rss = NULL;
		ret = urd_journal_write(s, 0);
		if (ret)
			return fail(err, ret, "journal: %s", strerror(-ret));
		ret = urd_eth_indir_set(p->ifname, pl->new_rss, pl->rss_size);
		if (ret)
			return fail(err, ret, "rss: ETHTOOL_SRXFHINDIR without queue%s %u... on %s: %s",
				    p->nr_queues > 1 ? "s" : "", p->queues[0],
				    p->ifname, strerror(-ret));
	}
	return 0;
}

/* Undoes a journaled rule; a location now holding another rule is left. */
static int undo_rule(const struct uring_dmabuf_steer *s,
		     const struct urd_steer_rule *r)
{
	uint32_t *locs, nr, size, i;
	struct urd_steer_rule now;
	int special, ret;

	if (r->loc != URD_LOC_UNKNOWN) {
		ret = urd_eth_rule_get(s->ifname, (uint32_t)r->loc, &now);
		if (ret == -ENOENT || ret == -EINVAL)
			return 0;	/* already gone */
		if (ret)
			return ret;
		if (now.flow_type != r->flow_type || now.port != r->port ||
		    now.queue != r->queue)
			return 0;
		return urd_eth_rule_delete(s->ifname, (uint32_t)r->loc);
	}
	/* Journaled, then a crash: was it inserted? Look for it. */
	ret = urd_eth_rule_list(s->ifname, &locs, &nr, &size, &special);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		if (urd_eth_rule_get(s->ifname, locs[i], &now) ||
		    now.flow_type != r->flow_type || now.port != r->port ||
		    now.queue != r->queue)
			continue;
		ret = urd_eth_rule_delete(s->ifname, locs[i]);
		break;
	}
	free(locs);
	return ret;
}

/* The default table ethtool would make (i mod rings): restore it as such. */
static int rss_is_default(const struct uring_dmabuf_steer *s)
{
	uint32_t rings, i;

	if (urd_eth_rx_rings(s->ifname, &rings) || !rings)
		return 0;
	for (i = 0; i < s->rss_size; i++)
		if (s->rss_old[i] != i % rings)
			return 0;
	return 1;
}

/* Every step undone, last first; goes on past failures, reports the first. */
static int undo_steps(struct uring_dmabuf_steer *s,
		      struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_nl_error nlerr;
	int ret, first = 0;
	unsigned int i;

	if (s->rss_changed) {
		ret = rss_is_default(s) ?
		      urd_eth_indir_set(s->ifname, NULL, 0) :
		      urd_eth_indir_set(s->ifname, s->rss_old, s->rss_size);
		if (ret && !first)
			first = fail(err, ret, "rss: restoring the indirection table of %s: %s",
				     s->ifname, strerror(-ret));
	}
	for (i = s->nr_rules; i-- > 0;) {
		ret = undo_rule(s, &s->rules[i]);
		if (ret && !first)
			first = fail(err, ret, "flow rule: deleting %s dst-port %u on %s: %s",
				     proto_name(s->rules[i].flow_type),
				     s->rules[i].port, s->ifname, strerror(-ret));
	}
	if (s->ntuple_changed) {
		ret = urd_eth_ntuple_set(s->ifname, 0);
		if (ret && !first)
			first = fail(err, ret, "ntuple: ETHTOOL_SFLAGS ntuple off on %s: %s",
				     s->ifname, strerror(-ret));
	}
	if (s->split_changed && s->old_split != URD_SPLIT_UNKNOWN) {
		ret = nl_step(err, &nlerr,
			      urd_rings_set(s->ifindex, s->old_split,
					    s->thresh_changed ? (long)s->old_thresh : -1,
					    &nlerr));
		if (ret && !first)
			first = fail(err, ret, "tcp-data-split: restoring it on %s: %s",
				     s->ifname, strerror(-ret));
	}
	return first;
}

static void steer_free(struct uring_dmabuf_steer *s)
{
	if (s) {
		free(s->rss_old);
		free(s);
	}
}

/* The library entry with the journal directory given (tests use their own). */
int urd_steer_apply_in(const char *dir,
		       const struct uring_dmabuf_steer_params *p,
		       struct uring_dmabuf_steer **out,
		       struct uring_dmabuf_nl_error *err)
{
	struct plan pl = { 0 };
	struct uring_dmabuf_steer *s;
	uint32_t flow_type;
	unsigned int ifindex;
	int ret;

	clear_err(err);
	if (!out)
		return fail(err, -EINVAL, "params: no result pointer");
	*out = NULL;
	ret = check_params(p, err);
	if (ret)
		return ret;
	flow_type = p->proto == URING_DMABUF_STEER_TCP6 ? URD_FLOW_TCP6 :
							  URD_FLOW_TCP4;
	ifindex = if_nametoindex(p->ifname);
	if (!ifindex)
		return fail(err, -ENODEV, "device: no network device '%s'",
			    p->ifname);
	ret = refuse_journal(dir, p->ifname, err);
	if (ret)
		return ret;
	ret = make_plan(p, ifindex, flow_type, &pl, err);
	if (ret)
		goto out;
	s = calloc(1, sizeof(*s));
	if (!s) {
		ret = fail(err, -ENOMEM, "out of memory");
		goto out;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->ifname, sizeof(s->ifname), "%s", p->ifname);
	s->ifindex = ifindex;
	s->pid = (long)getpid();
	ret = urd_journal_write(s, 1);
	if (ret == -EEXIST) {
		ret = refuse_journal(dir, p->ifname, err);
		ret = ret ? ret : fail(err, -EEXIST, "journal: raced with another steering of %s",
				       p->ifname);
	} else if (ret) {
		ret = fail(err, ret, "journal: cannot write %s/%s.journal: %s",
			   dir, p->ifname, strerror(-ret));
	}
	if (ret) {
		steer_free(s);
		goto out;
	}
	ret = apply_steps(p, s, &pl, flow_type, err);
	if (ret) {
		/* Half done: put back what was changed; the first error stays. */
		if (!undo_steps(s, NULL))
			urd_journal_remove(s);
		steer_free(s);
		goto out;
	}
	*out = s;
out:
	free(pl.rss);
	free(pl.new_rss);
	return ret;
}

int uring_dmabuf_steer_apply(const struct uring_dmabuf_steer_params *params,
			     struct uring_dmabuf_steer **out,
			     struct uring_dmabuf_nl_error *err)
{
	return urd_steer_apply_in(URD_STEER_DIR, params, out, err);
}

/* Undoes and frees @s; the journal goes only if everything was undone. */
int uring_dmabuf_steer_restore(struct uring_dmabuf_steer *s,
			       struct uring_dmabuf_nl_error *err)
{
	int ret;

	clear_err(err);
	if (!s)
		return 0;
	ret = undo_steps(s, err);
	if (!ret) {
		ret = urd_journal_remove(s);
		if (ret)
			fail(err, ret, "journal: cannot remove it: %s", strerror(-ret));
	}
	steer_free(s);
	return ret;
}

int urd_steer_restore_dev_in(const char *dir, const char *ifname,
			     struct uring_dmabuf_nl_error *err)
{
	struct uring_dmabuf_steer *s;
	unsigned int ifindex;
	int ret;

	clear_err(err);
	if (!urd_ifname_ok(ifname))
		return fail(err, -EINVAL, "params: bad interface name");
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(err, -ENOMEM, "out of memory");
	ret = urd_journal_read(dir, ifname, s);
	if (ret == -ENOENT) {
		ret = fail(err, ret, "journal: no steering journal of %s in %s",
			   ifname, dir);
		goto out;
	}
	if (ret) {
		ret = fail(err, ret, "journal: %s/%s.journal is unreadable or corrupt: %s",
			   dir, ifname, strerror(-ret));
		goto out;
	}
	if (owner_alive(s->pid)) {
		ret = fail(err, -EBUSY, "journal: %s is steered by running process %ld; it restores on exit",
			   ifname, s->pid);
		goto out;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		ret = fail(err, -ENODEV, "device: no network device '%s'", ifname);
		goto out;
	}
	s->ifindex = ifindex;	/* the same name, maybe a new index */
	return uring_dmabuf_steer_restore(s, err);
out:
	steer_free(s);
	return ret;
}

int uring_dmabuf_steer_restore_dev(const char *ifname,
				   struct uring_dmabuf_nl_error *err)
{
	return urd_steer_restore_dev_in(URD_STEER_DIR, ifname, err);
}
