// SPDX-License-Identifier: GPL-2.0
/*
 * Flow steering of the receiving port: ntuple rules "TCP over IPv4/IPv6
 * with these of source/destination address and port goes to queue Q"
 * (ethtool -N, or debugfs), then an RSS indirection table over the flow
 * hash for everything else (ethtool -X, or debugfs), so that queues can be
 * kept for devmem traffic alone. A rule matches its fields exactly, and
 * the lowest location that matches wins, as in a NIC's TCAM.
 *
 * Classification runs on every transmit of the peer, so rules are read
 * under RCU: a slot holds a rule that is replaced whole under steer->lock
 * and freed after a grace period.
 */
#include <linux/ethtool.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "simnic.h"

void simnic_steer_init(struct simnic_priv *priv)
{
	mutex_init(&priv->steer.lock);
	simnic_steer_default_indir(priv, priv->num_queues);
}

/* The ports are unregistered: nothing classifies any more. */
void simnic_steer_destroy(struct simnic_priv *priv)
{
	struct simnic_steer *st = &priv->steer;
	unsigned int i;

	for (i = 0; i < SIMNIC_MAX_RULES; i++)
		kfree(rcu_dereference_protected(st->rules[i], true));
	mutex_destroy(&st->lock);
}

static bool simnic_rule_matches(const struct simnic_match *m,
				const struct simnic_flow *flow)
{
	if (m->flow_type != flow->flow_type)
		return false;
	if ((m->fields & SIMNIC_MATCH_SRC_IP) &&
	    memcmp(m->src, flow->src, sizeof(m->src)))
		return false;
	if ((m->fields & SIMNIC_MATCH_DST_IP) &&
	    memcmp(m->dst, flow->dst, sizeof(m->dst)))
		return false;
	if ((m->fields & SIMNIC_MATCH_SRC_PORT) && m->sport != flow->sport)
		return false;
	if ((m->fields & SIMNIC_MATCH_DST_PORT) && m->dport != flow->dport)
		return false;
	return true;
}

unsigned int simnic_steer_classify(struct simnic_priv *priv,
				   struct sk_buff *skb)
{
	struct simnic_steer *st = &priv->steer;
	const struct simnic_rule *rule;
	struct simnic_flow flow;
	unsigned int i, q;

	simnic_parse(skb, &flow);
	if (flow.flow_type) {
		rcu_read_lock();
		for (i = 0; i < SIMNIC_MAX_RULES; i++) {
			rule = rcu_dereference(st->rules[i]);
			if (rule && simnic_rule_matches(&rule->match, &flow)) {
				q = rule->queue;
				rcu_read_unlock();
				return q;
			}
		}
		rcu_read_unlock();
	}

	return READ_ONCE(st->indir[skb_get_hash(skb) % SIMNIC_INDIR_SIZE]);
}

unsigned int simnic_steer_count(struct simnic_priv *priv)
{
	unsigned int i, n = 0;

	for (i = 0; i < SIMNIC_MAX_RULES; i++)
		if (rcu_access_pointer(priv->steer.rules[i]))
			n++;
	return n;
}

int simnic_steer_get(struct simnic_priv *priv, unsigned int loc,
		     struct simnic_match *match, u16 *queue)
{
	const struct simnic_rule *rule;
	int err = 0;

	if (loc >= SIMNIC_MAX_RULES)
		return -EINVAL;

	rcu_read_lock();
	rule = rcu_dereference(priv->steer.rules[loc]);
	if (rule) {
		*match = rule->match;
		*queue = rule->queue;
	} else {
		err = -ENOENT;
	}
	rcu_read_unlock();
	return err;
}

static bool simnic_match_equal(const struct simnic_match *a,
			       const struct simnic_match *b)
{
	return a->flow_type == b->flow_type && a->fields == b->fields &&
	       !memcmp(a->src, b->src, sizeof(a->src)) &&
	       !memcmp(a->dst, b->dst, sizeof(a->dst)) &&
	       a->sport == b->sport && a->dport == b->dport;
}

/*
 * The slot for a new rule: @loc itself, or the first (RX_CLS_LOC_ANY,
 * RX_CLS_LOC_FIRST) or last (RX_CLS_LOC_LAST) free one. RX_CLS_LOC_ANY
 * takes the slot of a rule with the same match instead, so that asking
 * twice updates the rule rather than shadowing it.
 */
static int simnic_steer_slot(struct simnic_steer *st, u32 loc,
			     const struct simnic_match *match)
{
	const struct simnic_rule *rule;
	int i, free = -ENOSPC;

	if (loc < SIMNIC_MAX_RULES)
		return loc;
	if (loc != RX_CLS_LOC_ANY && loc != RX_CLS_LOC_FIRST &&
	    loc != RX_CLS_LOC_LAST)
		return -EINVAL;

	for (i = 0; i < SIMNIC_MAX_RULES; i++) {
		rule = rcu_dereference_protected(st->rules[i],
						 lockdep_is_held(&st->lock));
		if (!rule) {
			if (free < 0 || loc == RX_CLS_LOC_LAST)
				free = i;
		} else if (loc == RX_CLS_LOC_ANY &&
			   simnic_match_equal(&rule->match, match)) {
			return i;
		}
	}
	return free;
}

/*
 * Installs a rule at *loc (replacing the rule there) or where the special
 * location says, and reports the slot used in *loc.
 */
int simnic_steer_insert(struct simnic_priv *priv, u32 *loc,
			const struct simnic_match *match, u16 queue)
{
	struct simnic_steer *st = &priv->steer;
	struct simnic_rule *rule, *old;
	int slot;

	if (match->flow_type != TCP_V4_FLOW && match->flow_type != TCP_V6_FLOW)
		return -EOPNOTSUPP;
	if (queue >= READ_ONCE(priv->num_queues))
		return -EINVAL;

	rule = kzalloc(sizeof(*rule), GFP_KERNEL);
	if (!rule)
		return -ENOMEM;
	rule->match = *match;
	rule->queue = queue;

	mutex_lock(&st->lock);
	slot = simnic_steer_slot(st, *loc, match);
	if (slot < 0) {
		mutex_unlock(&st->lock);
		kfree(rule);
		return slot;
	}
	old = rcu_replace_pointer(st->rules[slot], rule,
				  lockdep_is_held(&st->lock));
	mutex_unlock(&st->lock);

	if (old)
		kfree_rcu(old, rcu);
	*loc = slot;
	return 0;
}

int simnic_steer_delete(struct simnic_priv *priv, unsigned int loc)
{
	struct simnic_steer *st = &priv->steer;
	struct simnic_rule *old;

	if (loc >= SIMNIC_MAX_RULES)
		return -EINVAL;

	mutex_lock(&st->lock);
	old = rcu_replace_pointer(st->rules[loc], NULL,
				  lockdep_is_held(&st->lock));
	mutex_unlock(&st->lock);

	if (!old)
		return -ENOENT;
	kfree_rcu(old, rcu);
	return 0;
}

/* ntuple off: every rule goes, as on a NIC that clears its filter table. */
void simnic_steer_flush(struct simnic_priv *priv)
{
	struct simnic_steer *st = &priv->steer;
	struct simnic_rule *rule;
	unsigned int i;

	mutex_lock(&st->lock);
	for (i = 0; i < SIMNIC_MAX_RULES; i++) {
		rule = rcu_replace_pointer(st->rules[i], NULL,
					   lockdep_is_held(&st->lock));
		if (rule)
			kfree_rcu(rule, rcu);
	}
	mutex_unlock(&st->lock);
}

/* Deletes the rules matching destination port @port of every flow type. */
int simnic_steer_delete_port(struct simnic_priv *priv, u16 port)
{
	struct simnic_steer *st = &priv->steer;
	struct simnic_rule *rule;
	unsigned int i;
	int err = -ENOENT;

	mutex_lock(&st->lock);
	for (i = 0; i < SIMNIC_MAX_RULES; i++) {
		rule = rcu_dereference_protected(st->rules[i],
						 lockdep_is_held(&st->lock));
		if (rule && (rule->match.fields & SIMNIC_MATCH_DST_PORT) &&
		    rule->match.dport == port) {
			RCU_INIT_POINTER(st->rules[i], NULL);
			kfree_rcu(rule, rcu);
			err = 0;
		}
	}
	mutex_unlock(&st->lock);
	return err;
}

/* Entries must be valid queue indexes (checked by the caller). */
void simnic_steer_set_indir(struct simnic_priv *priv, const u32 *indir)
{
	struct simnic_steer *st = &priv->steer;
	unsigned int i;

	mutex_lock(&st->lock);
	for (i = 0; i < SIMNIC_INDIR_SIZE; i++)
		WRITE_ONCE(st->indir[i], indir[i]);
	mutex_unlock(&st->lock);
}

void simnic_steer_get_indir(struct simnic_priv *priv, u32 *indir)
{
	unsigned int i;

	for (i = 0; i < SIMNIC_INDIR_SIZE; i++)
		indir[i] = READ_ONCE(priv->steer.indir[i]);
}

/* The driver's own table: queues 0..@n-1 in turn. */
void simnic_steer_default_indir(struct simnic_priv *priv, unsigned int n)
{
	struct simnic_steer *st = &priv->steer;
	unsigned int i;

	mutex_lock(&st->lock);
	for (i = 0; i < SIMNIC_INDIR_SIZE; i++)
		WRITE_ONCE(st->indir[i], ethtool_rxfh_indir_default(i, n));
	mutex_unlock(&st->lock);
}
