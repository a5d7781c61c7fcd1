/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 83-simnic-ntuple: what its files share (see main.c): the receiving port's
 * ethtool calls (ethtool.c), addresses and real TCP flows counted per RX
 * queue (flows.c), the rule checks (rules.c), the channel checks
 * (channels.c).
 */
#ifndef SIMNIC_NTUPLE_H
#define SIMNIC_NTUPLE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ethtool.h>

#define NQ 4			/* the module's queues=4 */
#define MAX_RULES 64		/* SIMNIC_MAX_RULES */
#define FLOW_BYTES (32 * 1024)	/* one write, fits the socket buffers */
#define MIN_PKTS 20		/* data segments of FLOW_BYTES at MTU 1500 */
#define SPORT 40000
#define DPORT 5301

#define F_SRC_IP 1
#define F_DST_IP 2
#define F_SPORT 4
#define F_DPORT 8
#define F_ALL 15

/* A TCP flow: which of the two addresses each side uses, and the ports. */
struct tuple {
	int v6;
	int src, dst;
	int sport, dport;
};

/* Index 0: the flow's addresses; 1: another one on the same port. */
extern const char *const tx4[2], *const rx4[2], *const tx6[2], *const rx6[2];

/* ethtool.c: on RX_IF, in the current namespace; 0 or -errno. */
int eth(void *cmd);
void spec_fill(struct ethtool_rx_flow_spec *fs, const struct tuple *t,
	       unsigned int fields);
int rule_insert(const struct ethtool_rx_flow_spec *fs, uint64_t queue,
		uint32_t loc, uint32_t *got);
int rule_delete(uint32_t loc);
int rule_get(uint32_t loc, struct ethtool_rx_flow_spec *fs);
int rule_list(uint32_t *locs, uint64_t *data);
int rule_count(void);
int rule_same(const struct ethtool_rx_flow_spec *a,
	      const struct ethtool_rx_flow_spec *b, uint64_t queue);
int channels_get(struct ethtool_channels *ch);
int channels_set_rx(unsigned int rx);
int channels_set_rx_nl(unsigned int rx, char *ext, size_t extlen);

/* flows.c */
void addr_of(const struct tuple *t, int rx, int which, void *out);
int add_addresses(void);
int flow_run(const struct tuple *t, long long *d);
void diag_flow(const char *what, const long long *d);
int on_queue(const long long *d, int q);

/* rules.c */
void check_shapes(void);
void check_locations(void);
void check_refusals(void);
void check_ntuple_off(void);

/* channels.c */
void check_channels(int dev);

#endif /* SIMNIC_NTUPLE_H */
