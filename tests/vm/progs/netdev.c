// SPDX-License-Identifier: GPL-2.0
/* Network helpers of the guest test programs (see netdev.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "common.h"
#include "netdev.h"

/* include/uapi/linux/netdev.h (6.12); the build host's may predate it. */
#define NETDEV_FAMILY "netdev"
#define NETDEV_CMD_BIND_RX_ 13
#define NETDEV_CMD_BIND_TX_ 15	/* 6.16 */
#define NETDEV_A_DMABUF_IFINDEX_ 1
#define NETDEV_A_DMABUF_QUEUES_ 2
#define NETDEV_A_DMABUF_FD_ 3
#define NETDEV_A_DMABUF_ID_ 4
#define NETDEV_A_DMABUF_RX_PAGE_SIZE_ 5	/* 7.3 */
#define NETDEV_A_QUEUE_ID_ 1
#define NETDEV_A_QUEUE_TYPE_ 3
#define NETDEV_QUEUE_TYPE_RX_ 0

/* --- netlink ------------------------------------------------------------ */

void *nl_tail(struct nlmsghdr *nh)
{
	return (char *)nh + NLMSG_ALIGN(nh->nlmsg_len);
}

struct nlattr *nla_add(struct nlmsghdr *nh, int type, const void *data,
		       int len)
{
	struct nlattr *nla = nl_tail(nh);

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)nla + NLA_HDRLEN, data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(nla->nla_len);
	return nla;
}

void nla_add_u32(struct nlmsghdr *nh, int type, uint32_t v)
{
	nla_add(nh, type, &v, sizeof(v));
}

struct nlattr *nla_nest(struct nlmsghdr *nh, int type)
{
	return nla_add(nh, type | NLA_F_NESTED, NULL, 0);
}

void nla_nest_end(struct nlmsghdr *nh, struct nlattr *nest)
{
	nest->nla_len = (char *)nl_tail(nh) - (char *)nest;
}

#define nla_for_each(pos, start, len)					\
	for (pos = (struct nlattr *)(start);				\
	     (char *)pos + NLA_HDRLEN <= (char *)(start) + (len) &&	\
	     pos->nla_len >= NLA_HDRLEN &&				\
	     (char *)pos + pos->nla_len <= (char *)(start) + (len);	\
	     pos = (struct nlattr *)((char *)pos + NLA_ALIGN(pos->nla_len)))

#define nla_data(nla) ((void *)((char *)(nla) + NLA_HDRLEN))
#define nla_len(nla) ((int)(nla)->nla_len - NLA_HDRLEN)

int nl_open(int proto)
{
	int one = 1, fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

int nl_talk(int fd, struct nlmsghdr *req, nl_cb cb, void *arg, char *ext,
	    size_t extlen)
{
	/* Per thread: 96-fuzz's workers talk to netlink at once. */
	static __thread char rbuf[32768];
	struct nlmsghdr *nh;
	struct nlmsgerr *e;
	struct nlattr *a;
	int len, off;

	if (ext && extlen)
		ext[0] = '\0';
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = 1;
	if (send(fd, req, req->nlmsg_len, 0) < 0)
		return -errno;

	for (;;) {
		len = recv(fd, rbuf, sizeof(rbuf), 0);
		if (len < 0)
			return -errno;
		for (nh = (struct nlmsghdr *)rbuf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type != NLMSG_ERROR) {
				if (cb)
					cb(nh, arg);
				continue;
			}
			e = NLMSG_DATA(nh);
			if (ext && (nh->nlmsg_flags & NLM_F_ACK_TLVS)) {
				off = NLMSG_HDRLEN + sizeof(*e);
				nla_for_each(a, (char *)nh + off,
					     (int)nh->nlmsg_len - off)
					if (a->nla_type == NLMSGERR_ATTR_MSG)
						snprintf(ext, extlen, "%s",
							 (char *)nla_data(a));
			}
			return e->error;
		}
	}
}

/* --- devmem ------------------------------------------------------------- */

struct family {
	int id;
	int has_bind_rx;
	int has_bind_tx;
};

static void family_cb(struct nlmsghdr *nh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct family *fam = arg;
	struct nlattr *a, *op, *oa;

	nla_for_each(a, (char *)g + GENL_HDRLEN, len) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			fam->id = *(uint16_t *)nla_data(a);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_OPS)
			continue;
		nla_for_each(op, nla_data(a), nla_len(a))
			nla_for_each(oa, nla_data(op), nla_len(op))
				if (oa->nla_type == CTRL_ATTR_OP_ID &&
				    *(uint32_t *)nla_data(oa) ==
				    NETDEV_CMD_BIND_RX_)
					fam->has_bind_rx = 1;
				else if (oa->nla_type == CTRL_ATTR_OP_ID &&
					 *(uint32_t *)nla_data(oa) ==
					 NETDEV_CMD_BIND_TX_)
					fam->has_bind_tx = 1;
	}
}

static int genl_family(int fd, const char *name, struct family *fam)
{
	struct nlmsg m = {};
	struct genlmsghdr *g;

	m.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.nh.nlmsg_type = GENL_ID_CTRL;
	g = NLMSG_DATA(&m.nh);
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	nla_add(&m.nh, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	memset(fam, 0, sizeof(*fam));
	return nl_talk(fd, &m.nh, family_cb, fam, NULL, 0);
}

int genl_family_id(int fd, const char *name)
{
	struct family fam;
	int err = genl_family(fd, name, &fam);

	if (err)
		return err;
	return fam.id ? fam.id : -ENOENT;
}

static int netdev_family(int tx)
{
	struct family fam;
	int fd, err;

	fd = nl_open(NETLINK_GENERIC);
	if (fd < 0)
		return fd;
	err = genl_family(fd, NETDEV_FAMILY, &fam);
	close(fd);
	if (err)
		return err;
	if (tx)
		return fam.has_bind_tx ? fam.id : -EOPNOTSUPP;
	return fam.has_bind_rx ? fam.id : -EOPNOTSUPP;
}

int devmem_family(void)
{
	return netdev_family(0);
}

int devmem_tx_family(void)
{
	return netdev_family(1);
}

static void bind_cb(struct nlmsghdr *nh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct nlattr *a;

	nla_for_each(a, (char *)g + GENL_HDRLEN, len)
		if (a->nla_type == NETDEV_A_DMABUF_ID_)
			*(uint32_t *)arg = *(uint32_t *)nla_data(a);
}

long bind_rx_queues(int fd, int family, int ifindex, const int *queues,
		    int nq, int dmabuf, unsigned int rx_page_size, char *ext,
		    size_t extlen)
{
	struct nlmsg m = {};
	struct genlmsghdr *g;
	struct nlattr *nest;
	uint32_t id = 0;
	int err, i;

	m.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.nh.nlmsg_type = family;
	g = NLMSG_DATA(&m.nh);
	g->cmd = NETDEV_CMD_BIND_RX_;
	g->version = 1;
	nla_add_u32(&m.nh, NETDEV_A_DMABUF_IFINDEX_, ifindex);
	nla_add_u32(&m.nh, NETDEV_A_DMABUF_FD_, dmabuf);
	for (i = 0; i < nq; i++) {
		nest = nla_nest(&m.nh, NETDEV_A_DMABUF_QUEUES_);
		nla_add_u32(&m.nh, NETDEV_A_QUEUE_ID_, queues[i]);
		nla_add_u32(&m.nh, NETDEV_A_QUEUE_TYPE_, NETDEV_QUEUE_TYPE_RX_);
		nla_nest_end(&m.nh, nest);
	}
	if (rx_page_size)
		nla_add_u32(&m.nh, NETDEV_A_DMABUF_RX_PAGE_SIZE_, rx_page_size);

	err = nl_talk(fd, &m.nh, bind_cb, &id, ext, extlen);
	return err ? err : (long)id;
}

long bind_tx(int fd, int family, int ifindex, int dmabuf, char *ext,
	     size_t extlen)
{
	struct nlmsg m = {};
	struct genlmsghdr *g;
	uint32_t id = 0;
	int err;

	m.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.nh.nlmsg_type = family;
	g = NLMSG_DATA(&m.nh);
	g->cmd = NETDEV_CMD_BIND_TX_;
	g->version = 1;
	nla_add_u32(&m.nh, NETDEV_A_DMABUF_IFINDEX_, ifindex);
	nla_add_u32(&m.nh, NETDEV_A_DMABUF_FD_, dmabuf);
	err = nl_talk(fd, &m.nh, bind_cb, &id, ext, extlen);
	return err ? err : (long)id;
}

long bind_rx(int fd, int family, int ifindex, int queue, int dmabuf,
	     unsigned int rx_page_size, char *ext, size_t extlen)
{
	return bind_rx_queues(fd, family, ifindex, &queue, 1, dmabuf,
			      rx_page_size, ext, extlen);
}

void kick_net_rx(int nsfd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(9) };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int fd, cpu, back;
	cpu_set_t all, one;

	back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (back < 0)
		return;
	if (sched_getaffinity(0, sizeof(all), &all) || enter_ns(nsfd)) {
		close(back);
		return;
	}
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (cpu = 0; fd >= 0 && cpu < cpus; cpu++) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			continue;
		sendto(fd, "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin));
	}
	if (fd >= 0)
		close(fd);
	sched_setaffinity(0, sizeof(all), &all);
	enter_ns(back);
	close(back);
}

int wait_attachments(int dev, int fd, unsigned int want, int nsfd)
{
	struct uring_dmabuf_info info = {};
	double t0 = mono_sec();
	int i;

	for (i = 0; i < 300; i++) {
		if (ud_info(dev, fd, &info) == 0 &&
		    info.nr_attachments == want) {
			if (mono_sec() - t0 > 1)
				t_diag("%u attachment(s) after %.1f s", want,
				       mono_sec() - t0);
			return 1;
		}
		if (i % 10 == 9)
			kick_net_rx(nsfd);
		msleep(100);
	}
	t_diag("still %u attachment(s) after %.1f s", info.nr_attachments,
	       mono_sec() - t0);
	return 0;
}

/* --- namespaces ----------------------------------------------------------- */

int enter_ns(int nsfd)
{
	return setns(nsfd, CLONE_NEWNET) ? -errno : 0;
}

int new_netns(void)
{
	int back, fd;

	back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (back < 0)
		return -errno;
	if (unshare(CLONE_NEWNET)) {
		fd = -errno;
		close(back);
		return fd;
	}
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	if (enter_ns(back)) {
		if (fd >= 0)
			close(fd);
		fd = -EIO;
	}
	close(back);
	return fd;
}

int link_set_netns(const char *ifname, int nsfd)
{
	struct nlmsg m = {};
	struct ifinfomsg *ifi;
	int fd, err;

	fd = nl_open(NETLINK_ROUTE);
	if (fd < 0)
		return fd;
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	m.nh.nlmsg_type = RTM_NEWLINK;
	ifi = NLMSG_DATA(&m.nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = if_nametoindex(ifname);
	if (!ifi->ifi_index) {
		close(fd);
		return -ENODEV;
	}
	nla_add_u32(&m.nh, IFLA_NET_NS_FD, nsfd);
	err = nl_talk(fd, &m.nh, NULL, NULL, NULL, 0);
	close(fd);
	return err;
}

int tcp_connect_pair(int rx_ns, int tx_ns, const char *addr, int port,
		     int *afd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 30 };
	int one = 1, lfd, cfd = -1;

	inet_pton(AF_INET, addr, &sin.sin_addr);
	*afd = -1;
	if (enter_ns(rx_ns))
		return -EIO;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -errno;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 1))
		goto err;

	if (enter_ns(tx_ns))
		goto err;
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		goto err;
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(cfd, (struct sockaddr *)&sin, sizeof(sin)))
		goto err;
	if (enter_ns(rx_ns))
		goto err;

	*afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (*afd < 0)
		goto err;
	setsockopt(*afd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	close(lfd);
	return cfd;

err:
	one = -errno;
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	enter_ns(rx_ns);
	return one ? one : -EIO;
}

/* --- interfaces, in the current network namespace ---------------------- */

int if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

int if_set_up(const char *ifname, int up)
{
	struct ifreq ifr = {};
	int err;

	err = if_ioctl(ifname, SIOCGIFFLAGS, &ifr);
	if (err)
		return err;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return if_ioctl(ifname, SIOCSIFFLAGS, &ifr);
}

int if_setup(const char *ifname, const char *addr)
{
	struct sockaddr_in *sin;
	struct ifreq ifr = {};
	int err;

	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	err = if_ioctl(ifname, SIOCSIFADDR, &ifr);
	if (err)
		return err;

	memset(&ifr, 0, sizeof(ifr));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	err = if_ioctl(ifname, SIOCSIFNETMASK, &ifr);
	if (err)
		return err;

	return if_set_up(ifname, 1);
}

/* --- kernel modules ----------------------------------------------------- */

int module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

int module_remove(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

int t_rmmod(const char *name)
{
	char path[128], refs[32] = "?";
	int err = module_remove(name);

	if (t_ok(!err, "rmmod %s", name))
		return 1;
	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	if (read_text(path, refs, sizeof(refs)) > 0)
		refs[strcspn(refs, "\n")] = 0;
	t_diag("delete_module: %s, refcnt %s", errname(-err), refs);
	return 0;
}

/* Whether modules.dep of the running kernel lists the module at all. */
static int module_available(const char *name)
{
	char path[256], line[512], want[128];
	struct utsname u;
	int found = 0;
	FILE *f;

	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	snprintf(want, sizeof(want), "/%s.ko", name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	fclose(f);
	return found;
}

int simnic_load(const char *params)
{
	char cmd[256];
	int ret;

	if (module_loaded(SIMNIC_MODULE) && module_remove(SIMNIC_MODULE))
		return -EBUSY;
	if (!module_available(SIMNIC_MODULE))
		return -ENOENT;
	snprintf(cmd, sizeof(cmd), "modprobe " SIMNIC_MODULE " %s >/dev/null 2>&1",
		 params);
	ret = system(cmd);
	if (ret == 0 && !module_loaded(SIMNIC_MODULE))
		return -ENODEV;
	return ret;
}

int simnic_read(const char *ifname, const char *file, char *buf, size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), SIMNIC_DEBUGFS "%s/%s", ifname, file);
	return read_text(path, buf, size);
}

int simnic_write(const char *ifname, const char *file, const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), SIMNIC_DEBUGFS "%s/%s", ifname, file);
	return write_text(path, text);
}

/* The line of queue @q of kind @dir ("rx" or "tx") holds "KEY=value". */
static long long stat_of(const char *ifname, const char *dir, int q, const char *key)
{
	char buf[4096], prefix[16], k[48], *line, *p, *save;

	if (simnic_read(ifname, "queues", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(prefix, sizeof(prefix), "%s%d ", dir, q);
	snprintf(k, sizeof(k), " %s=", key);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		p = strstr(line, k);
		return p ? strtoll(p + strlen(k), NULL, 10) : -1;
	}
	return -1;
}

long long queue_stat(const char *ifname, int q, const char *key)
{
	return stat_of(ifname, "rx", q, key);
}

long long tx_queue_stat(const char *ifname, int q, const char *key)
{
	return stat_of(ifname, "tx", q, key);
}

/* Reads and drops the zero-copy notifications there are. */
void zc_reap_discard(int fd)
{
	char ctrl[256];
	struct msghdr msg;

	do {
		memset(&msg, 0, sizeof(msg));
		msg.msg_control = ctrl;
		msg.msg_controllen = sizeof(ctrl);
	} while (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0);
}

int wait_stat(const char *ifname, int q, const char *key, long long want)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (queue_stat(ifname, q, key) == want)
			return 1;
		msleep(100);
	}
	return 0;
}
