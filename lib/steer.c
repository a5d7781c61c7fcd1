// SPDX-License-Identifier: MIT
/*
 * NIC steering for a devmem binding: header split on with hds-thresh 0,
 * ntuple on, one flow rule per port to a bound queue, the bound queues out
 * of the RSS indirection table, in that order. Everything is checked
 * before anything changes; each change is journaled before it is made;
 * restoring undoes exactly what was changed, in reverse order. The checks
 * before the first change are in steer_plan.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "steer.h"

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


/* The steps, each journaled before it is made. */
static int apply_steps(const struct uring_dmabuf_steer_params *p,
		       struct uring_dmabuf_steer *s, struct urd_steer_plan *pl,
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
			return urd_steer_fail(err, ret, "journal: %s", strerror(-ret));
		ret = urd_steer_nl_step(err, &nlerr,
			      urd_rings_set(s->ifindex, URD_SPLIT_ENABLED,
					    need_thresh ? 0 : -1, &nlerr));
		if (ret)
			return urd_steer_fail(err, ret, "tcp-data-split: ETHTOOL_MSG_RINGS_SET tcp-data-split on%s on %s: %s",
				    need_thresh ? " hds-thresh 0" : "", p->ifname,
				    strerror(-ret));
	}
	if (!pl->ntuple_on) {
		s->ntuple_changed = 1;
		ret = urd_journal_write(s, 0);
		if (ret)
			return urd_steer_fail(err, ret, "journal: %s", strerror(-ret));
		ret = urd_eth_ntuple_set(p->ifname, 1);
		if (ret)
			return urd_steer_fail(err, ret, "ntuple: ETHTOOL_SFLAGS ntuple on on %s: %s",
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
			return urd_steer_fail(err, ret, "flow rule: no free rule location on %s: %s",
				    p->ifname, strerror(-ret));
		s->nr_rules++;
		ret = urd_journal_write(s, 0);
		if (ret)
			return urd_steer_fail(err, ret, "journal: %s", strerror(-ret));
		ret = urd_eth_rule_insert(p->ifname, r, loc);
		if (ret)
			return urd_steer_fail(err, ret, "flow rule: ETHTOOL_SRXCLSRLINS %s dst-port %u action %u on %s: %s",
				    urd_flow_name(flow_type), r->port, r->queue,
				    p->ifname, strerror(-ret));
		ret = urd_journal_write(s, 0);
		if (ret)
			return urd_steer_fail(err, ret, "journal: %s", strerror(-ret));
	}
	if (memcmp(pl->rss, pl->new_rss, pl->rss_size * sizeof(*pl->rss))) {
		s->rss_changed = 1;
		s->rss_size = pl->rss_size;
		s->rss_old = pl->rss;
		pl->rss = NULL;
		ret = urd_journal_write(s, 0);
		if (ret)
			return urd_steer_fail(err, ret, "journal: %s", strerror(-ret));
		ret = urd_eth_indir_set(p->ifname, pl->new_rss, pl->rss_size);
		if (ret)
			return urd_steer_fail(err, ret, "rss: ETHTOOL_SRXFHINDIR without queue%s %u... on %s: %s",
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
			first = urd_steer_fail(err, ret, "rss: restoring the indirection table of %s: %s",
				     s->ifname, strerror(-ret));
	}
	for (i = s->nr_rules; i-- > 0;) {
		ret = undo_rule(s, &s->rules[i]);
		if (ret && !first)
			first = urd_steer_fail(err, ret, "flow rule: deleting %s dst-port %u on %s: %s",
				     urd_flow_name(s->rules[i].flow_type),
				     s->rules[i].port, s->ifname, strerror(-ret));
	}
	if (s->ntuple_changed) {
		ret = urd_eth_ntuple_set(s->ifname, 0);
		if (ret && !first)
			first = urd_steer_fail(err, ret, "ntuple: ETHTOOL_SFLAGS ntuple off on %s: %s",
				     s->ifname, strerror(-ret));
	}
	if (s->split_changed && s->old_split != URD_SPLIT_UNKNOWN) {
		ret = urd_steer_nl_step(err, &nlerr,
			      urd_rings_set(s->ifindex, s->old_split,
					    s->thresh_changed ? (long)s->old_thresh : -1,
					    &nlerr));
		if (ret && !first)
			first = urd_steer_fail(err, ret, "tcp-data-split: restoring it on %s: %s",
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
	struct urd_steer_plan pl = { 0 };
	struct uring_dmabuf_steer *s;
	uint32_t flow_type;
	unsigned int ifindex;
	int ret;

	urd_steer_clear_err(err);
	if (!out)
		return urd_steer_fail(err, -EINVAL, "params: no result pointer");
	*out = NULL;
	ret = urd_steer_check_params(p, err);
	if (ret)
		return ret;
	flow_type = p->proto == URING_DMABUF_STEER_TCP6 ? URD_FLOW_TCP6 :
							  URD_FLOW_TCP4;
	ifindex = if_nametoindex(p->ifname);
	if (!ifindex)
		return urd_steer_fail(err, -ENODEV, "device: no network device '%s'",
			    p->ifname);
	ret = urd_steer_refuse_journal(dir, p->ifname, err);
	if (ret)
		return ret;
	ret = urd_steer_make_plan(p, ifindex, flow_type, &pl, err);
	if (ret)
		goto out;
	s = calloc(1, sizeof(*s));
	if (!s) {
		ret = urd_steer_fail(err, -ENOMEM, "out of memory");
		goto out;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->ifname, sizeof(s->ifname), "%s", p->ifname);
	s->ifindex = ifindex;
	s->pid = (long)getpid();
	ret = urd_journal_write(s, 1);
	if (ret == -EEXIST) {
		ret = urd_steer_refuse_journal(dir, p->ifname, err);
		ret = ret ? ret : urd_steer_fail(err, -EEXIST, "journal: raced with another steering of %s",
				       p->ifname);
	} else if (ret) {
		ret = urd_steer_fail(err, ret, "journal: cannot write %s/%s.journal: %s",
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

	urd_steer_clear_err(err);
	if (!s)
		return 0;
	ret = undo_steps(s, err);
	if (!ret) {
		ret = urd_journal_remove(s);
		if (ret)
			urd_steer_fail(err, ret, "journal: cannot remove it: %s", strerror(-ret));
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

	urd_steer_clear_err(err);
	if (!urd_ifname_ok(ifname))
		return urd_steer_fail(err, -EINVAL, "params: bad interface name");
	s = calloc(1, sizeof(*s));
	if (!s)
		return urd_steer_fail(err, -ENOMEM, "out of memory");
	ret = urd_journal_read(dir, ifname, s);
	if (ret == -ENOENT) {
		ret = urd_steer_fail(err, ret, "journal: no steering journal of %s in %s",
			   ifname, dir);
		goto out;
	}
	if (ret) {
		ret = urd_steer_fail(err, ret, "journal: %s/%s.journal is unreadable or corrupt: %s",
			   dir, ifname, strerror(-ret));
		goto out;
	}
	if (urd_steer_owner_alive(s->pid)) {
		ret = urd_steer_fail(err, -EBUSY, "journal: %s is steered by running process %ld; it restores on exit",
			   ifname, s->pid);
		goto out;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		ret = urd_steer_fail(err, -ENODEV, "device: no network device '%s'", ifname);
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
