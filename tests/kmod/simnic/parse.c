// SPDX-License-Identifier: GPL-2.0
/*
 * The NIC's frame parser, shared by flow steering (which queue) and header
 * split (where the payload starts). It reads the frame from its start, as
 * hardware sees it on the wire: untagged Ethernet, then IPv4 without
 * fragmentation or IPv6 whose next header is TCP. Anything else is not a
 * TCP flow to it and is neither steered by port nor split.
 */
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>

#include "simnic.h"

/* Offset of the TCP header, or 0; sets the flow type and addresses. */
static unsigned int simnic_parse_l3(const struct sk_buff *skb,
				    struct simnic_flow *flow)
{
	struct ipv6hdr _ip6, *ip6;
	struct iphdr _ip4, *ip4;
	struct ethhdr _eth, *eth;

	eth = skb_header_pointer(skb, 0, sizeof(_eth), &_eth);
	if (!eth)
		return 0;

	switch (eth->h_proto) {
	case htons(ETH_P_IP):
		ip4 = skb_header_pointer(skb, ETH_HLEN, sizeof(_ip4), &_ip4);
		if (!ip4 || ip4->ihl < 5 || ip4->protocol != IPPROTO_TCP ||
		    ip_is_fragment(ip4))
			return 0;
		flow->src[0] = ip4->saddr;
		flow->dst[0] = ip4->daddr;
		flow->flow_type = TCP_V4_FLOW;
		return ETH_HLEN + ip4->ihl * 4;
	case htons(ETH_P_IPV6):
		ip6 = skb_header_pointer(skb, ETH_HLEN, sizeof(_ip6), &_ip6);
		if (!ip6 || ip6->nexthdr != IPPROTO_TCP)
			return 0;
		memcpy(flow->src, &ip6->saddr, sizeof(flow->src));
		memcpy(flow->dst, &ip6->daddr, sizeof(flow->dst));
		flow->flow_type = TCP_V6_FLOW;
		return ETH_HLEN + sizeof(*ip6);
	default:
		return 0;
	}
}

void simnic_parse(const struct sk_buff *skb, struct simnic_flow *flow)
{
	struct tcphdr _th, *th;
	unsigned int off;

	memset(flow, 0, sizeof(*flow));

	off = simnic_parse_l3(skb, flow);
	if (!off)
		return;

	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	if (!th || th->doff < 5 || off + th->doff * 4 > skb->len) {
		flow->flow_type = 0;
		return;
	}

	flow->sport = ntohs(th->source);
	flow->dport = ntohs(th->dest);
	flow->hlen = off + th->doff * 4;
}
