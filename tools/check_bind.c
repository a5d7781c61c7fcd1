// SPDX-License-Identifier: MIT
/*
 * The kernel's own answer to "can this queue take a dma-buf": bind a
 * one-page dma-buf to it and unbind at once. The queue restarts twice
 * (traffic on it pauses for that long). Tried only where it can answer:
 * the module loaded, NETDEV_CMD_BIND_RX present, CAP_NET_ADMIN held, and
 * not on a device without a parent before 6.18 (dma_buf_attach() WARNs).
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "caps.h"
#include "check.h"
#include "check_driver.h"
#include "liburing_dmabuf.h"

/* Why not, in r->msg; false if nothing stands in the way. */
static bool cannot_try(const char *dev, bool parentless, struct dry_bind *r)
{
	struct utsname u;
	struct stat st;

	uname(&u);
	if (stat("/sys/module/uring_dmabuf", &st))
		snprintf(r->msg, sizeof(r->msg), "the uring_dmabuf module is not loaded");
	else if (uring_dmabuf_netdev_has_cmd(URING_DMABUF_NL_BIND_RX) <= 0)
		snprintf(r->msg, sizeof(r->msg), "the kernel has no NETDEV_CMD_BIND_RX");
	else if (!cap_effective(CAP_NET_ADMIN))
		snprintf(r->msg, sizeof(r->msg), "binding needs CAP_NET_ADMIN");
	else if (parentless && !release_at_least(u.release, 6, 18))
		snprintf(r->msg, sizeof(r->msg),
			 "%s has no parent device, and Linux before 6.18 WARNs on a bind to one",
			 dev);
	else
		return false;
	return true;
}

void dry_bind(const char *dev, unsigned int ifindex, unsigned int queue,
	      bool parentless, struct dry_bind *r)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uring_dmabuf_bind_params p = {
		.ifindex = ifindex,
		.queues = &queue,
		.nr_queues = 1,
	};
	struct uring_dmabuf_binding *b = NULL;
	struct uring_dmabuf_nl_error nlerr;
	struct iovec iov;
	void *mem;
	int fd, dmabuf, ret;

	memset(r, 0, sizeof(*r));
	r->result = DRY_NOT_TRIED;
	if (cannot_try(dev, parentless, r))
		return;
	fd = uring_dmabuf_open();
	if (fd < 0) {
		snprintf(r->msg, sizeof(r->msg), "cannot open %s: %s", URING_DMABUF_DEVICE,
			 strerror(-fd));
		return;
	}
	mem = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(r->msg, sizeof(r->msg), "cannot map a page: %s", strerror(errno));
		goto out_close;
	}
	iov.iov_base = mem;
	iov.iov_len = (size_t)page;
	dmabuf = uring_dmabuf_create(fd, &iov, 1, URING_DMABUF_CREATE_CLOEXEC);
	if (dmabuf < 0) {
		snprintf(r->msg, sizeof(r->msg), "cannot create a one-page dma-buf: %s",
			 strerror(-dmabuf));
		goto out_unmap;
	}
	p.dmabuf_fd = dmabuf;
	ret = uring_dmabuf_bind_rx(&p, &b, &nlerr);
	if (ret) {
		r->result = DRY_REFUSED;
		r->err = ret;
		snprintf(r->msg, sizeof(r->msg), "%s", nlerr.msg);
	} else {
		r->result = DRY_BOUND;
		uring_dmabuf_unbind(b);
	}
	close(dmabuf);
out_unmap:
	munmap(mem, (size_t)page);
out_close:
	close(fd);
}
