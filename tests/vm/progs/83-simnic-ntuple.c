// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated NIC's flow rules and channels, driven through the ethtool
 * ioctls (and ethtool netlink for channels) as ethtool(8) and the kernel's
 * ncdevmem drive a real devmem NIC:
 *
 * - every combination of src-ip, dst-ip, src-port, dst-port for tcp4 and
 *   tcp6 steers a real TCP flow to the rule's queue (the queue's own
 *   counters), and the same flow with one matched field changed does not
 *   (it goes to RSS, which sends everything to queue 0);
 * - locations: explicit, RX_CLS_LOC_ANY/FIRST/LAST, a full table; the
 *   lowest matching location wins; GRXCLSRLCNT/GRXCLSRLALL/GRXCLSRULE list
 *   exactly what is there; deletion;
 * - refusals: partial masks, tos, other flow types, FLOW_EXT, a queue out
 *   of range, drop actions, bad locations, each with its errno and nothing
 *   changed;
 * - channels: "-L rx N" really removes and brings back RX queues; the core
 *   refuses to go below a queue with a rule (ioctl) or a devmem binding
 *   (ioctl and netlink), and allows it past an unbound queue.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"

#define NQ 4			/* the module's queues=4 */
#define MAX_RULES 64		/* SIMNIC_MAX_RULES */
#define FLOW_BYTES (32 * 1024)	/* one write, fits the socket buffers */
#define MIN_PKTS 20		/* data segments of FLOW_BYTES at MTU 1500 */
#define SPORT 40000
#define DPORT 5301

/* Index 0: the flow's addresses; 1: another one on the same port. */
static const char *const tx4[2] = { TX_ADDR, "198.18.0.3" };
static const char *const rx4[2] = { RX_ADDR, "198.18.0.4" };
static const char *const tx6[2] = { "fd00:5e::1", "fd00:5e::3" };
static const char *const rx6[2] = { "fd00:5e::2", "fd00:5e::4" };

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

/* --- ethtool ------------------------------------------------------------- */

/* SIOCETHTOOL on the receiving port (in its namespace); 0 or -errno. */
static int eth(void *cmd)
{
	struct ifreq ifr = {};

	ifr.ifr_data = cmd;
	return if_ioctl(RX_IF, SIOCETHTOOL, &ifr);
}

static void addr_of(const struct tuple *t, int rx, int which, void *out)
{
	const char *a = t->v6 ? (rx ? rx6 : tx6)[which] : (rx ? rx4 : tx4)[which];

	inet_pton(t->v6 ? AF_INET6 : AF_INET, a, out);
}

/* The spec of a rule matching @fields of @t. */
static void spec_fill(struct ethtool_rx_flow_spec *fs, const struct tuple *t,
		      unsigned int fields)
{
	memset(fs, 0, sizeof(*fs));
	fs->flow_type = t->v6 ? TCP_V6_FLOW : TCP_V4_FLOW;
	if (t->v6) {
		struct ethtool_tcpip6_spec *h = &fs->h_u.tcp_ip6_spec;
		struct ethtool_tcpip6_spec *m = &fs->m_u.tcp_ip6_spec;

		if (fields & F_SRC_IP) {
			addr_of(t, 0, t->src, h->ip6src);
			memset(m->ip6src, 0xff, sizeof(m->ip6src));
		}
		if (fields & F_DST_IP) {
			addr_of(t, 1, t->dst, h->ip6dst);
			memset(m->ip6dst, 0xff, sizeof(m->ip6dst));
		}
		if (fields & F_SPORT) {
			h->psrc = htons(t->sport);
			m->psrc = 0xffff;
		}
		if (fields & F_DPORT) {
			h->pdst = htons(t->dport);
			m->pdst = 0xffff;
		}
	} else {
		struct ethtool_tcpip4_spec *h = &fs->h_u.tcp_ip4_spec;
		struct ethtool_tcpip4_spec *m = &fs->m_u.tcp_ip4_spec;

		if (fields & F_SRC_IP) {
			addr_of(t, 0, t->src, &h->ip4src);
			m->ip4src = 0xffffffff;
		}
		if (fields & F_DST_IP) {
			addr_of(t, 1, t->dst, &h->ip4dst);
			m->ip4dst = 0xffffffff;
		}
		if (fields & F_SPORT) {
			h->psrc = htons(t->sport);
			m->psrc = 0xffff;
		}
		if (fields & F_DPORT) {
			h->pdst = htons(t->dport);
			m->pdst = 0xffff;
		}
	}
}

/* ETHTOOL_SRXCLSRLINS of @fs to @queue at @loc; *got: where it went. */
static int rule_insert(const struct ethtool_rx_flow_spec *fs, uint64_t queue,
		       uint32_t loc, uint32_t *got)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_SRXCLSRLINS };
	int err;

	nfc.fs = *fs;
	nfc.fs.ring_cookie = queue;
	nfc.fs.location = loc;
	err = eth(&nfc);
	if (!err && got)
		*got = nfc.fs.location;
	return err;
}

static int rule_delete(uint32_t loc)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_SRXCLSRLDEL };

	nfc.fs.location = loc;
	return eth(&nfc);
}

static int rule_get(uint32_t loc, struct ethtool_rx_flow_spec *fs)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_GRXCLSRULE };
	int err;

	nfc.fs.location = loc;
	err = eth(&nfc);
	if (!err)
		*fs = nfc.fs;
	return err;
}

/* GRXCLSRLCNT then GRXCLSRLALL, as ethtool -n does: the count or -errno. */
static int rule_list(uint32_t *locs, uint64_t *data)
{
	static union {
		struct ethtool_rxnfc nfc;
		char buf[sizeof(struct ethtool_rxnfc) +
			 (MAX_RULES + 1) * sizeof(uint32_t)];
	} all;
	struct ethtool_rxnfc cnt = { .cmd = ETHTOOL_GRXCLSRLCNT };
	int err;

	memset(&all, 0, sizeof(all));
	err = eth(&cnt);
	if (err)
		return err;
	*data = cnt.data;
	if (cnt.rule_cnt > MAX_RULES)
		return -E2BIG;
	all.nfc.cmd = ETHTOOL_GRXCLSRLALL;
	all.nfc.rule_cnt = cnt.rule_cnt;
	err = eth(&all.nfc);
	if (err)
		return err;
	if (all.nfc.rule_cnt != cnt.rule_cnt)
		return -EPROTO;
	memcpy(locs, all.nfc.rule_locs, cnt.rule_cnt * sizeof(*locs));
	return (int)cnt.rule_cnt;
}

static int rule_count(void)
{
	uint32_t locs[MAX_RULES];
	uint64_t data;

	return rule_list(locs, &data);
}

/* The rule read back equals what was inserted (values and masks). */
static int rule_same(const struct ethtool_rx_flow_spec *a,
		     const struct ethtool_rx_flow_spec *b, uint64_t queue)
{
	return a->flow_type == b->flow_type && b->ring_cookie == queue &&
	       !memcmp(&a->h_u, &b->h_u, sizeof(a->h_u)) &&
	       !memcmp(&a->m_u, &b->m_u, sizeof(a->m_u));
}

static int channels_get(struct ethtool_channels *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->cmd = ETHTOOL_GCHANNELS;
	return eth(ch);
}

/* ETHTOOL_SCHANNELS with the TX count unchanged. */
static int channels_set_rx(unsigned int rx)
{
	struct ethtool_channels ch;
	int err = channels_get(&ch);

	if (err)
		return err;
	ch.cmd = ETHTOOL_SCHANNELS;
	ch.rx_count = rx;
	return eth(&ch);
}

/* The same through ethtool netlink (ethtool -L, ncdevmem); extack in @ext. */
static int channels_set_rx_nl(unsigned int rx, char *ext, size_t extlen)
{
	struct nlmsg m = {};
	struct genlmsghdr *g;
	struct nlattr *hdr;
	int fd, fam, err;

	fd = nl_open(NETLINK_GENERIC);
	if (fd < 0)
		return fd;
	fam = genl_family_id(fd, "ethtool");
	if (fam < 0) {
		close(fd);
		return fam;
	}
	m.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.nh.nlmsg_type = fam;
	g = NLMSG_DATA(&m.nh);
	g->cmd = ETHTOOL_MSG_CHANNELS_SET;
	g->version = ETHTOOL_GENL_VERSION;
	hdr = nla_nest(&m.nh, ETHTOOL_A_CHANNELS_HEADER);
	nla_add(&m.nh, ETHTOOL_A_HEADER_DEV_NAME, RX_IF, sizeof(RX_IF));
	nla_nest_end(&m.nh, hdr);
	nla_add_u32(&m.nh, ETHTOOL_A_CHANNELS_RX_COUNT, rx);
	err = nl_talk(fd, &m.nh, NULL, NULL, ext, extlen);
	close(fd);
	return err;
}

/*
 * RX queues the stack sees: /sys/class/net/DEV/queues/rx-N, counted in a
 * child that mounts a sysfs of the receiving namespace (the guest's shows
 * the initial one's devices). The count, or -1.
 */
static int sysfs_rx_queues(void)
{
	char path[96];
	struct stat st;
	int n = 0, status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("sysfs", "/sys", "sysfs", 0, NULL))
			_exit(255);
		for (;;) {
			snprintf(path, sizeof(path),
				 "/sys/class/net/%s/queues/rx-%d", RX_IF, n);
			if (stat(path, &st))
				_exit(n);
			n++;
		}
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

/* --- addresses and flows -------------------------------------------------- */

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

static int add_addresses(void)
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
static int flow_run(const struct tuple *t, long long *d)
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

static void diag_flow(const char *what, const long long *d)
{
	t_diag("%s: packets per RX queue %lld %lld %lld %lld", what, d[0], d[1],
	       d[2], d[3]);
}

/*
 * All of the flow's packets on queue @q: at least its data there, nothing
 * on the other rule queues, at most a few neighbour discovery frames on
 * queue 0 (RSS) if @q is not 0.
 */
static int on_queue(const long long *d, int q)
{
	int o;

	if (d[q] < MIN_PKTS)
		return 0;
	for (o = 1; o < NQ; o++)
		if (o != q && d[o])
			return 0;
	return q == 0 || d[0] <= 4;
}

static const char *fields_name(unsigned int f, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s", f ? "" : "(any tcp)",
		 f & F_SRC_IP ? " src-ip" : "", f & F_DST_IP ? " dst-ip" : "",
		 f & F_SPORT ? " src-port" : "", f & F_DPORT ? " dst-port" : "");
	return buf;
}

/* --- the checks ----------------------------------------------------------- */

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

static void check_shapes(void)
{
	unsigned int f;
	int v6;

	for (v6 = 0; v6 <= 1; v6++)
		for (f = 0; f <= F_ALL; f++)
			check_shape(v6, f, 1 + f % (NQ - 1));
}

/* Locations: explicit, ANY/FIRST/LAST, replacement, listing, priority. */
static void check_locations(void)
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

static void check_refusals(void)
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
static void check_ntuple_off(void)
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

/* The RX queue count everywhere: ethtool, sysfs, GRXRINGS, debugfs. */
static int rx_count_is(unsigned int n)
{
	struct ethtool_rxnfc rings = { .cmd = ETHTOOL_GRXRINGS };
	struct ethtool_channels ch;
	char buf[4096], key[16];
	int q, sysfs, debugfs = 0;

	if (channels_get(&ch) || eth(&rings) ||
	    simnic_read(RX_IF, "queues", buf, sizeof(buf)) < 0)
		return 0;
	sysfs = sysfs_rx_queues();
	for (q = 0; q < NQ; q++) {
		snprintf(key, sizeof(key), "rx%d ", q);
		if (strstr(buf, key))
			debugfs++;
	}
	if (ch.rx_count == n && ch.max_rx == NQ && ch.tx_count == NQ &&
	    ch.max_tx == NQ && !ch.combined_count && !ch.max_combined &&
	    rings.data == n && sysfs == (int)n && debugfs == (int)n)
		return 1;
	t_diag("want %u RX queues: channels rx %u/%u tx %u/%u combined %u/%u, GRXRINGS %llu, sysfs rx-N %d, debugfs rxN %d",
	       n, ch.rx_count, ch.max_rx, ch.tx_count, ch.max_tx,
	       ch.combined_count, ch.max_combined,
	       (unsigned long long)rings.data, sysfs, debugfs);
	return 0;
}

static void check_channels(int dev)
{
	struct tuple t = { .sport = SPORT, .dport = DPORT };
	struct ethtool_rx_flow_spec fs;
	struct ethtool_channels ch;
	char ext[256] = "";
	long long d[NQ];
	struct mem m;
	int nl = -1, fam, dbuf = -1, ifindex, err;
	uint32_t loc = 0;
	long binding;

	t_ok(rx_count_is(NQ), "channels: rx %d tx %d of max %d/%d, separate (no combined)",
	     NQ, NQ, NQ, NQ);
	if (!channels_get(&ch)) {
		ch.cmd = ETHTOOL_SCHANNELS;
		ch.tx_count = NQ - 1;
		t_errno(eth(&ch), EINVAL, "tx %d: EINVAL (TX queues are the wire's)",
			NQ - 1);
	}

	/* A rule to queue 3 keeps it. */
	spec_fill(&fs, &t, F_DPORT);
	err = rule_insert(&fs, 3, RX_CLS_LOC_ANY, &loc);
	t_ok(!err, "a rule to queue 3");
	t_errno(channels_set_rx(3), EINVAL,
		"rx 3 with a rule to queue 3: EINVAL (the core's ntuple check)");
	t_ok(rx_count_is(NQ), "... still %d RX queues", NQ);
	err = flow_run(&t, d);
	if (!t_ok(!err && on_queue(d, 3), "... and queue 3 gets its flow"))
		diag_flow("flow", d);
	rule_delete(loc);

	/*
	 * Bound to queue 1: shrinking past unbound queue 3 works, past queue
	 * 1 not. (The core also refuses rx 2, which would keep queue 1: its
	 * check is "count <= bound queue + 1", on 6.12 as on 7.x.)
	 */
	fam = devmem_family();
	if (fam < 0) {
		t_skip("no NETDEV_CMD_BIND_RX", "channels with a devmem binding");
		return;
	}
	nl = nl_open(NETLINK_GENERIC);
	if (mem_alloc(&m, MEM_ANON, 4 << 20)) {
		t_ok(0, "4 MiB for a dma-buf");
		return;
	}
	memset(m.p, 0, m.len);
	dbuf = ud_create1(dev, m.p, m.len, 0);
	ifindex = if_nametoindex(RX_IF);
	binding = dbuf >= 0 && nl >= 0 ?
		  bind_rx(nl, fam, ifindex, 1, dbuf, 0, ext, sizeof(ext)) : -EIO;
	if (!t_ok(binding >= 0, "a dma-buf bound to RX queue 1")) {
		t_diag("bind: %s (%s)", strerror((int)-binding), ext);
		goto out;
	}
	err = channels_set_rx(3);
	if (!t_ok(!err && rx_count_is(3),
		  "rx 3 (queue 3 unbound) while queue 1 is bound: works, 3 RX queues"))
		t_diag("ETHTOOL_SCHANNELS: %s", strerror(-err));
	t_errno(channels_set_rx(1), EINVAL,
		"rx 1 (ioctl) with queue 1 bound: EINVAL (the core's memory provider check)");
	err = channels_set_rx_nl(1, ext, sizeof(ext));
	t_ok(err == -EINVAL && strstr(ext, "memory provider"),
	     "rx 1 (ethtool netlink) with queue 1 bound: EINVAL, \"%s\"", ext);
	t_ok(rx_count_is(3), "... still 3 RX queues");
	close(nl);
	nl = -1;
	t_ok(wait_attachments(dev, dbuf, 0, ns_rx), "unbound (socket closed)");
	err = channels_set_rx_nl(1, ext, sizeof(ext));
	if (!t_ok(!err && rx_count_is(1),
		  "rx 1 (ethtool netlink) once unbound: works"))
		t_diag("ETHTOOL_MSG_CHANNELS_SET: %s (%s)", strerror(-err), ext);
	t_errno(channels_set_rx(0), EINVAL, "rx 0: EINVAL");
	t_errno(channels_set_rx(NQ + 1), EINVAL, "rx %d of max %d: EINVAL",
		NQ + 1, NQ);

	/* Down and up while fewer; then all back, queue 3 steered again. */
	err = if_set_up(RX_IF, 0);
	if (!err)
		err = channels_set_rx(2);
	if (!err)
		err = channels_set_rx(NQ);
	if (!err)
		err = if_set_up(RX_IF, 1);
	t_ok(!err && rx_count_is(NQ), "down: rx 2, rx %d, up: %d RX queues",
	     NQ, NQ);
	/* The driver's RSS table followed the counts: queue 0 only again. */
	if (!err)
		err = simnic_write(RX_IF, "rss", "1");
	if (!err)
		err = rule_insert(&fs, 3, RX_CLS_LOC_ANY, &loc);
	if (!err) {
		/* The carrier comes back with the port. */
		msleep(200);
		err = flow_run(&t, d);
	}
	if (!t_ok(!err && on_queue(d, 3),
		  "queue 3 back: a rule steers a flow to it"))
		diag_flow("flow", d);
	rule_delete(loc);
out:
	if (nl >= 0)
		close(nl);
	if (dbuf >= 0)
		close(dbuf);
	mem_free(&m);
}

int main(void)
{
	int dev;

	t_init();
	if (!kernel_at_least(6, 12))
		t_skip_all("the simulated NIC needs 6.12+ (devmem)");
	dev = dev_open();
	load_simnic();
	if (setup_namespaces())
		goto out;
	if (!t_ok(add_addresses() == 0,
		  "second IPv4 addresses, IPv6 %s/%s and %s/%s", tx6[0], tx6[1],
		  rx6[0], rx6[1]))
		goto out;
	/* RSS: every flow no rule takes goes to queue 0. */
	t_ok(simnic_write(RX_IF, "rss", "1") == 0, "RSS over queue 0 only");

	check_shapes();
	check_locations();
	check_refusals();
	check_ntuple_off();
	check_channels(dev);
out:
	enter_ns(ns_init);
	close(ns_init);
	close(ns_tx);
	close(ns_rx);
	t_rmmod(SIMNIC_MODULE);
	if (dev >= 0)
		close(dev);
	return t_finish();
}
