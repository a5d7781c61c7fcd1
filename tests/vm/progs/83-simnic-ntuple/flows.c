// SPDX-License-Identifier: GPL-2.0
/*
 * 83-simnic-ntuple: the flows: addresses of both ends (a second IPv4 and two
 * IPv6 each), and one TCP flow at a time, counted per RX queue by the NIC.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"
#include "ntuple.h"

const char *const tx4[2] = { TX_ADDR, "198.18.0.3" };
const char *const rx4[2] = { RX_ADDR, "198.18.0.4" };
const char *const tx6[2] = { "fd00:5e::1", "fd00:5e::3" };
const char *const rx6[2] = { "fd00:5e::2", "fd00:5e::4" };

void addr_of(const struct tuple *t, int rx, int which, void *out)
{
	const char *a = t->v6 ? (rx ? rx6 : tx6)[which] : (rx ? rx4 : tx4)[which];

	inet_pton(t->v6 ? AF_INET6 : AF_INET, a, out);
}

/* RTM_NEWADDR @addr/@plen on @ifname (IPv6 without DAD); 0 or -errno. */
static int addr_add(const char *ifname, int family, const char *addr,
		    int plen)
{
	struct nlmsg m = {};
	struct ifaddrmsg *ifa;
	unsigned char a[16];
	int fd, err;

	fd = nl_open(NETLINK_ROUTE);
	if (fd < 0)
		return fd;
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	m.nh.nlmsg_type = RTM_NEWADDR;
	m.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = NLMSG_DATA(&m.nh);
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	ifa->ifa_index = if_nametoindex(ifname);
	inet_pton(family, addr, a);
	nla_add(&m.nh, IFA_LOCAL, a, family == AF_INET6 ? 16 : 4);
	nla_add(&m.nh, IFA_ADDRESS, a, family == AF_INET6 ? 16 : 4);
	err = nl_talk(fd, &m.nh, NULL, NULL, NULL, 0);
	close(fd);
	return err;
}

int add_addresses(void)
{
	int err;

	err = enter_ns(ns_tx);
	if (!err)
		err = addr_add(TX_IF, AF_INET, tx4[1], 24);
	if (!err)
		err = addr_add(TX_IF, AF_INET6, tx6[0], 64);
	if (!err)
		err = addr_add(TX_IF, AF_INET6, tx6[1], 64);
	if (!err)
		err = enter_ns(ns_rx);
	if (!err)
		err = addr_add(RX_IF, AF_INET, rx4[1], 24);
	if (!err)
		err = addr_add(RX_IF, AF_INET6, rx6[0], 64);
	if (!err)
		err = addr_add(RX_IF, AF_INET6, rx6[1], 64);
	enter_ns(ns_rx);
	return err;
}

static socklen_t sockaddr_of(const struct tuple *t, int rx,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (t->v6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(rx ? t->dport : t->sport);
		addr_of(t, rx, rx ? t->dst : t->src, &s6->sin6_addr);
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(rx ? t->dport : t->sport);
	addr_of(t, rx, rx ? t->dst : t->src, &s4->sin_addr);
	return sizeof(*s4);
}

static void packets(long long *p)
{
	int q;

	for (q = 0; q < NQ; q++)
		p[q] = queue_stat(RX_IF, q, "packets");
}

/*
 * The flow @t: connect, FLOW_BYTES one way, read to EOF, reset (no
 * TIME_WAIT: the next flow may reuse the ports). @d: packets each RX
 * queue of the receiving port took meanwhile. 0 or -errno.
 */
int flow_run(const struct tuple *t, long long *d)
{
	static char buf[FLOW_BYTES];
	struct timeval tv = { .tv_sec = 10 };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_storage la, ca;
	socklen_t llen, clen;
	int one = 1, lfd, cfd = -1, afd = -1, err = 0, q;
	long long before[NQ], after[NQ];
	size_t got = 0;
	ssize_t n;

	packets(before);
	llen = sockaddr_of(t, 1, &la);
	clen = sockaddr_of(t, 0, &ca);
	enter_ns(ns_rx);
	lfd = socket(la.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -errno;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&la, llen) || listen(lfd, 1))
		goto fail;
	if (enter_ns(ns_tx))
		goto fail;
	cfd = socket(ca.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		goto fail;
	setsockopt(cfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (bind(cfd, (struct sockaddr *)&ca, clen) ||
	    connect(cfd, (struct sockaddr *)&la, llen))
		goto fail;
	enter_ns(ns_rx);
	afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (afd < 0)
		goto fail;
	setsockopt(afd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(buf, 0x5a, sizeof(buf));
	if (send(cfd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) ||
	    shutdown(cfd, SHUT_WR))
		goto fail;
	while ((n = recv(afd, buf, sizeof(buf), 0)) > 0)
		got += n;
	if (n < 0)
		goto fail;
	if (got != sizeof(buf))
		err = -EPROTO;
	goto out;
fail:
	err = -errno;
out:
	if (cfd >= 0) {
		setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(cfd);
	}
	if (afd >= 0)
		close(afd);
	close(lfd);
	enter_ns(ns_rx);
	/* The reset, counted before we look. */
	msleep(20);
	packets(after);
	for (q = 0; q < NQ; q++)
		d[q] = after[q] - before[q];
	return err ? err : 0;
}

void diag_flow(const char *what, const long long *d)
{
	t_diag("%s: packets per RX queue %lld %lld %lld %lld", what, d[0], d[1],
	       d[2], d[3]);
}

/*
 * All of the flow's packets on queue @q: at least its data there, nothing
 * on the other rule queues, at most a few neighbour discovery frames on
 * queue 0 (RSS) if @q is not 0.
 */
int on_queue(const long long *d, int q)
{
	int o;

	if (d[q] < MIN_PKTS)
		return 0;
	for (o = 1; o < NQ; o++)
		if (o != q && d[o])
			return 0;
	return q == 0 || d[0] <= 4;
}
