/* SPDX-License-Identifier: GPL-2.0 */
/* Generic netlink for the stress run: the netdev family and BIND_RX. */
#ifndef URING_DMABUF_STRESS_NL_H
#define URING_DMABUF_STRESS_NL_H

/* A NETLINK_GENERIC socket, or -errno. */
int nl_open(void);
/* The id of the "netdev" family, or -errno. */
int nl_netdev_family(int fd);
/* Binds dmabuf to RX queue of ifindex, owned by fd; 0 or -errno. */
int nl_bind_rx(int fd, int family, int ifindex, int queue, int dmabuf);

#endif
