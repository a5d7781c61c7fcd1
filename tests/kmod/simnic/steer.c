// SPDX-License-Identifier: GPL-2.0
/*
 * Flow steering of the receiving port: ntuple rules "TCP over IPv4/IPv6 to
 * destination port P goes to queue Q" (ethtool -N, or debugfs), then an
 * RSS indirection table over the flow hash for everything else (ethtool
 * -X, or debugfs), so that queues can be kept for devmem traffic alone.
 *
 * Classification runs on every transmit of the peer, so rules are read
 * without locks: each slot is one u64 (valid, flow type, port, queue)
 * written whole under steer->lock.
 */
#include <linux/bitfield.h>
#include <linux/ethtool.h>
#include <linux/skbuff.h>

#include "simnic.h"

#define SIMNIC_RULE_PORT	GENMASK_ULL(15, 0)
#define SIMNIC_RULE_QUEUE	GENMASK_ULL(31, 16)
#define SIMNIC_RULE_FLOW	GENMASK_ULL(39, 32)
#define SIMNIC_RULE_VALID	BIT_ULL(63)

static u64 simnic_rule_pack(u32 flow_type, u16 port, u16 queue)
{
	return SIMNIC_RULE_VALID | FIELD_PREP(SIMNIC_RULE_FLOW, flow_type) |
	       FIELD_PREP(SIMNIC_RULE_PORT, port) |
	       FIELD_PREP(SIMNIC_RULE_QUEUE, queue);
}

void simnic_steer_init(struct simnic_priv *priv)
{
	struct simnic_steer *st = &priv->steer;
	unsigned int i;

	mutex_init(&st->lock);
	for (i = 0; i < SIMNIC_INDIR_SIZE; i++)
		st->indir[i] = ethtool_rxfh_indir_default(i, priv->num_queues);
}

void simnic_steer_destroy(struct simnic_priv *priv)
{
	mutex_destroy(&priv->steer.lock);
}

unsigned int simnic_steer_classify(struct simnic_priv *priv,
				   struct sk_buff *skb)
{
	struct simnic_steer *st = &priv->steer;
	struct simnic_flow flow;
	unsigned int i;
	u64 rule;

	simnic_parse(skb, &flow);
	if (flow.flow_type) {
		for (i = 0; i < SIMNIC_MAX_RULES; i++) {
			rule = READ_ONCE(st->rules[i]);
			if ((rule & SIMNIC_RULE_VALID) &&
			    FIELD_GET(SIMNIC_RULE_FLOW, rule) == flow.flow_type &&
			    FIELD_GET(SIMNIC_RULE_PORT, rule) == flow.dport)
				return FIELD_GET(SIMNIC_RULE_QUEUE, rule);
		}
	}

	return READ_ONCE(st->indir[skb_get_hash(skb) % SIMNIC_INDIR_SIZE]);
}

unsigned int simnic_steer_count(struct simnic_priv *priv)
{
	unsigned int i, n = 0;

	for (i = 0; i < SIMNIC_MAX_RULES; i++)
		if (READ_ONCE(priv->steer.rules[i]) & SIMNIC_RULE_VALID)
			n++;
	return n;
}

int simnic_steer_get(struct simnic_priv *priv, unsigned int loc,
		     u32 *flow_type, u16 *port, u16 *queue)
{
	u64 rule;

	if (loc >= SIMNIC_MAX_RULES)
		return -EINVAL;
	rule = READ_ONCE(priv->steer.rules[loc]);
	if (!(rule & SIMNIC_RULE_VALID))
		return -ENOENT;

	*flow_type = FIELD_GET(SIMNIC_RULE_FLOW, rule);
	*port = FIELD_GET(SIMNIC_RULE_PORT, rule);
	*queue = FIELD_GET(SIMNIC_RULE_QUEUE, rule);
	return 0;
}

/*
 * Installs a rule at *loc, or with *loc == RX_CLS_LOC_ANY replaces the
 * rule for the same flow type and port or takes the first free slot, and
 * reports the slot used in *loc.
 */
int simnic_steer_insert(struct simnic_priv *priv, u32 *loc, u32 flow_type,
			u16 port, u16 queue)
{
	struct simnic_steer *st = &priv->steer;
	unsigned int i, slot = SIMNIC_MAX_RULES;
	u64 rule, mask;

	if (flow_type != TCP_V4_FLOW && flow_type != TCP_V6_FLOW)
		return -EOPNOTSUPP;
	if (queue >= priv->num_queues)
		return -EINVAL;
	if (*loc != RX_CLS_LOC_ANY && *loc >= SIMNIC_MAX_RULES)
		return -EINVAL;

	mask = SIMNIC_RULE_VALID | SIMNIC_RULE_FLOW | SIMNIC_RULE_PORT;
	rule = simnic_rule_pack(flow_type, port, queue);

	mutex_lock(&st->lock);
	if (*loc != RX_CLS_LOC_ANY) {
		slot = *loc;
	} else {
		for (i = 0; i < SIMNIC_MAX_RULES; i++) {
			if ((st->rules[i] & mask) == (rule & mask)) {
				slot = i;
				break;
			}
			if (slot == SIMNIC_MAX_RULES &&
			    !(st->rules[i] & SIMNIC_RULE_VALID))
				slot = i;
		}
	}
	if (slot < SIMNIC_MAX_RULES)
		WRITE_ONCE(st->rules[slot], rule);
	mutex_unlock(&st->lock);

	if (slot == SIMNIC_MAX_RULES)
		return -ENOSPC;
	*loc = slot;
	return 0;
}

int simnic_steer_delete(struct simnic_priv *priv, unsigned int loc)
{
	struct simnic_steer *st = &priv->steer;
	int err = 0;

	if (loc >= SIMNIC_MAX_RULES)
		return -EINVAL;

	mutex_lock(&st->lock);
	if (st->rules[loc] & SIMNIC_RULE_VALID)
		WRITE_ONCE(st->rules[loc], 0);
	else
		err = -ENOENT;
	mutex_unlock(&st->lock);
	return err;
}

/* Deletes the rules for @port of every flow type. */
int simnic_steer_delete_port(struct simnic_priv *priv, u16 port)
{
	struct simnic_steer *st = &priv->steer;
	unsigned int i;
	int err = -ENOENT;

	mutex_lock(&st->lock);
	for (i = 0; i < SIMNIC_MAX_RULES; i++) {
		if ((st->rules[i] & SIMNIC_RULE_VALID) &&
		    FIELD_GET(SIMNIC_RULE_PORT, st->rules[i]) == port) {
			WRITE_ONCE(st->rules[i], 0);
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
