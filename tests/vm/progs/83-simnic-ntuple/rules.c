// SPDX-License-Identifier: GPL-2.0
/*
 * 83-simnic-ntuple: the rules: every shape steering a real flow, locations
 * and listing, refusals, ntuple off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/ethtool.h>

#include "common.h"
#include "devmem_traffic.h"
#include "ntuple.h"

static const char *fields_name(unsigned int f, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s", f ? "" : "(any tcp)",
		 f & F_SRC_IP ? " src-ip" : "", f & F_DST_IP ? " dst-ip" : "",
		 f & F_SPORT ? " src-port" : "", f & F_DPORT ? " dst-port" : "");
	return buf;
}

/*
 * One rule of @fields to queue @q: it reads back as inserted, the flow
 * goes to @q, the same flow with its first matched field changed goes to
 * RSS (queue 0), and after the deletion the flow does too.
 */
static void check_shape(int v6, unsigned int fields, int q)
{
	struct tuple t = { .v6 = v6, .sport = SPORT, .dport = DPORT };
	struct tuple other = t;
	struct ethtool_rx_flow_spec fs, back;
	const char *fam = v6 ? "tcp6" : "tcp4";
	char name[64];
	long long d[NQ];
	uint32_t loc = 0;
	int err;

	fields_name(fields, name, sizeof(name));
	spec_fill(&fs, &t, fields);
	err = rule_insert(&fs, q, RX_CLS_LOC_ANY, &loc);
	if (!t_ok(!err, "%s%s queue %d: inserted (RX_CLS_LOC_ANY)", fam, name,
		  q)) {
		t_diag("ETHTOOL_SRXCLSRLINS: %s", strerror(-err));
		return;
	}
	err = rule_get(loc, &back);
	t_ok(!err && rule_same(&fs, &back, q),
	     "%s%s: rule %u reads back with its masks", fam, name, loc);

	err = flow_run(&t, d);
	if (!t_ok(!err && on_queue(d, q), "%s%s: the flow lands on queue %d",
		  fam, name, q)) {
		t_diag("flow: %s", err ? strerror(-err) : "ok");
		diag_flow("flow", d);
	}

	if (fields) {
		if (fields & F_SRC_IP)
			other.src = 1;
		else if (fields & F_DST_IP)
			other.dst = 1;
		else if (fields & F_SPORT)
			other.sport = SPORT + 1;
		else
			other.dport = DPORT + 1;
		err = flow_run(&other, d);
		if (!t_ok(!err && on_queue(d, 0),
			  "%s%s: a flow differing in one matched field goes to RSS (queue 0)",
			  fam, name)) {
			t_diag("flow: %s", err ? strerror(-err) : "ok");
			diag_flow("other flow", d);
		}
	}

	err = rule_delete(loc);
	t_ok(!err && rule_get(loc, &back) == -ENOENT && rule_count() == 0,
	     "%s%s: deleted, GRXCLSRULE ENOENT, none listed", fam, name);
	err = flow_run(&t, d);
	if (!t_ok(!err && on_queue(d, 0),
		  "%s%s: without the rule the flow goes to RSS (queue 0)", fam,
		  name)) {
		t_diag("flow: %s", err ? strerror(-err) : "ok");
		diag_flow("flow", d);
	}
}

void check_shapes(void)
{
	unsigned int f;
	int v6;

	for (v6 = 0; v6 <= 1; v6++)
		for (f = 0; f <= F_ALL; f++)
			check_shape(v6, f, 1 + f % (NQ - 1));
}

/* Locations: explicit, ANY/FIRST/LAST, replacement, listing, priority. */
void check_locations(void)
{
	struct tuple t = { .sport = SPORT, .dport = DPORT };
	struct ethtool_rx_flow_spec fs, fs5, back;
	uint32_t locs[MAX_RULES], loc, i;
	uint64_t data;
	long long d[NQ];
	int n, err, ok;

	spec_fill(&fs5, &t, F_ALL);
	err = rule_insert(&fs5, 2, 5, &loc);
	t_ok(!err && loc == 5, "5-tuple rule at explicit location 5");
	spec_fill(&fs, &t, F_DPORT);
	err = rule_insert(&fs, 3, 9, &loc);
	t_ok(!err && loc == 9, "dst-port rule at explicit location 9");
	err = rule_insert(&fs5, 2, RX_CLS_LOC_FIRST, &loc);
	t_ok(!err && loc == 0, "RX_CLS_LOC_FIRST takes location 0 (got %u)",
	     loc);
	err = rule_insert(&fs5, 2, RX_CLS_LOC_LAST, &loc);
	t_ok(!err && loc == MAX_RULES - 1,
	     "RX_CLS_LOC_LAST takes location %d (got %u)", MAX_RULES - 1, loc);
	/* The same match again with ANY: updated in place, not duplicated. */
	err = rule_insert(&fs, 1, RX_CLS_LOC_ANY, &loc);
	t_ok(!err && loc == 9 && !rule_get(9, &back) && back.ring_cookie == 1,
	     "RX_CLS_LOC_ANY with the match of location 9 updates it (got %u)",
	     loc);

	n = rule_list(locs, &data);
	t_ok(n == 4 && locs[0] == 0 && locs[1] == 5 && locs[2] == 9 &&
	     locs[3] == MAX_RULES - 1,
	     "GRXCLSRLCNT/GRXCLSRLALL list locations 0 5 9 63 (%d rules)", n);
	t_ok((data & RX_CLS_LOC_SPECIAL) &&
	     (data & ~(uint64_t)RX_CLS_LOC_SPECIAL) == MAX_RULES,
	     "GRXCLSRLCNT: table of %d, driver-chosen locations (data %#llx)",
	     MAX_RULES, (unsigned long long)data);

	/* Location 0 (5-tuple, queue 2) before 9 (dst-port, queue 1). */
	err = flow_run(&t, d);
	if (!t_ok(!err && on_queue(d, 2),
		  "two rules match: the lower location (0, queue 2) wins"))
		diag_flow("flow", d);
	/* Explicit location: replaces what is there. */
	err = rule_insert(&fs, 3, 0, &loc);
	t_ok(!err && rule_count() == 4 && !rule_get(0, &back) &&
	     rule_same(&fs, &back, 3),
	     "an explicit location replaces its rule (still 4 rules)");
	err = flow_run(&t, d);
	if (!t_ok(!err && on_queue(d, 3),
		  "the replaced location 0 (dst-port, queue 3) steers now"))
		diag_flow("flow", d);

	ok = 1;
	for (i = 0; i < 4; i++)
		ok &= rule_delete(locs[i]) == 0;
	t_ok(ok && rule_count() == 0, "all four deleted by location");

	/* A full table: ENOSPC for a driver-chosen location, not for one given. */
	ok = 1;
	for (i = 0; i < MAX_RULES; i++) {
		t.sport = SPORT + 10 + i;
		spec_fill(&fs, &t, F_SPORT | F_DPORT);
		ok &= rule_insert(&fs, 1, RX_CLS_LOC_ANY, &loc) == 0 &&
		      loc == i;
	}
	t_ok(ok && rule_count() == MAX_RULES,
	     "%d rules fill the table in order", MAX_RULES);
	t.sport = SPORT + 9;
	spec_fill(&fs, &t, F_SPORT | F_DPORT);
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL), ENOSPC,
		"one more with RX_CLS_LOC_ANY: ENOSPC");
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_FIRST, NULL), ENOSPC,
		"one more with RX_CLS_LOC_FIRST: ENOSPC");
	ok = 1;
	for (i = 0; i < MAX_RULES; i++)
		ok &= rule_delete(i) == 0;
	t_ok(ok && rule_count() == 0, "the full table deleted");
}

void check_refusals(void)
{
	struct tuple t = { .sport = SPORT, .dport = DPORT };
	struct tuple t6 = { .v6 = 1, .sport = SPORT, .dport = DPORT };
	struct ethtool_rx_flow_spec fs;

	spec_fill(&fs, &t, F_ALL);
	fs.m_u.tcp_ip4_spec.ip4src = htonl(0xffffff00);
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL), EOPNOTSUPP,
		"tcp4 src-ip with mask 255.255.255.0: EOPNOTSUPP");
	spec_fill(&fs, &t, F_ALL);
	fs.m_u.tcp_ip4_spec.pdst = htons(0xff00);
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL), EOPNOTSUPP,
		"tcp4 dst-port with mask 0xff00: EOPNOTSUPP");
	spec_fill(&fs, &t6, F_ALL);
	fs.m_u.tcp_ip6_spec.ip6dst[3] = 0;
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL), EOPNOTSUPP,
		"tcp6 dst-ip with a /96 mask: EOPNOTSUPP");
	spec_fill(&fs, &t6, F_DPORT);
	fs.m_u.tcp_ip6_spec.psrc = htons(1);
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL), EOPNOTSUPP,
		"tcp6 src-port with mask 0x0001: EOPNOTSUPP");
	spec_fill(&fs, &t, F_DPORT);
	fs.m_u.tcp_ip4_spec.tos = 0xff;
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL), EOPNOTSUPP,
		"tcp4 with tos: EOPNOTSUPP");
	spec_fill(&fs, &t, F_DPORT);
	fs.flow_type = UDP_V4_FLOW;
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL), EOPNOTSUPP,
		"udp4: EOPNOTSUPP");
	spec_fill(&fs, &t, F_DPORT);
	fs.flow_type |= FLOW_EXT;
	fs.m_ext.vlan_tci = htons(0xfff);
	t_errno(rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL), EOPNOTSUPP,
		"tcp4 with FLOW_EXT (vlan): EOPNOTSUPP");
	spec_fill(&fs, &t, F_DPORT);
	t_errno(rule_insert(&fs, RX_CLS_FLOW_DISC, RX_CLS_LOC_ANY, NULL),
		EOPNOTSUPP, "action drop (RX_CLS_FLOW_DISC): EOPNOTSUPP");
	t_errno(rule_insert(&fs, NQ, RX_CLS_LOC_ANY, NULL), EINVAL,
		"queue %d of %d: EINVAL", NQ, NQ);
	t_errno(rule_insert(&fs, 1, MAX_RULES, NULL), EINVAL,
		"location %d (table of %d): EINVAL", MAX_RULES, MAX_RULES);
	t_errno(rule_insert(&fs, 1, 0xfffffff0, NULL), EINVAL,
		"location 0xfffffff0 (not a special one): EINVAL");
	t_errno(rule_delete(3), ENOENT, "deleting an empty location: ENOENT");
	t_errno(rule_delete(MAX_RULES), EINVAL,
		"deleting location %d: EINVAL", MAX_RULES);
	t_errno(rule_get(3, &fs), ENOENT, "GRXCLSRULE of an empty location: ENOENT");
	t_ok(rule_count() == 0, "no refusal left a rule");
}

/* ethtool -K DEV ntuple off (legacy ETHTOOL_SFLAGS) clears the rules. */
void check_ntuple_off(void)
{
	struct tuple t = { .sport = SPORT, .dport = DPORT };
	struct ethtool_value flags = { .cmd = ETHTOOL_GFLAGS };
	struct ethtool_rx_flow_spec fs;
	int err;

	spec_fill(&fs, &t, F_DPORT);
	err = rule_insert(&fs, 1, RX_CLS_LOC_ANY, NULL);
	spec_fill(&fs, &t, F_ALL);
	if (!err)
		err = rule_insert(&fs, 2, 7, NULL);
	if (!err)
		err = eth(&flags);
	if (!t_ok(!err && rule_count() == 2 && (flags.data & ETH_FLAG_NTUPLE),
		  "two rules, ntuple on"))
		return;
	flags.cmd = ETHTOOL_SFLAGS;
	flags.data &= ~ETH_FLAG_NTUPLE;
	err = eth(&flags);
	t_ok(!err && rule_count() == 0, "ntuple off: the rules are gone");
	flags.data |= ETH_FLAG_NTUPLE;
	err = eth(&flags);
	flags.cmd = ETHTOOL_GFLAGS;
	t_ok(!err && !eth(&flags) && (flags.data & ETH_FLAG_NTUPLE) &&
	     rule_insert(&fs, 2, RX_CLS_LOC_ANY, NULL) == 0 &&
	     rule_count() == 1 && rule_delete(0) == 0,
	     "ntuple on again: a rule goes in");
}
