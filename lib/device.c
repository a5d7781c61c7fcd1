// SPDX-License-Identifier: MIT
/* The uring_dmabuf device: open, version, create, info. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "liburing_dmabuf.h"
#include "private.h"

int uring_dmabuf_lib_major(void)
{
	return URING_DMABUF_LIB_MAJOR;
}

int uring_dmabuf_lib_minor(void)
{
	return URING_DMABUF_LIB_MINOR;
}

/*
 * -ENOENT: the module is not loaded (no device node); -EACCES: the node's
 * permissions deny this user.
 */
int uring_dmabuf_open(void)
{
	int fd = open(URING_DMABUF_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int dev_ioctl(int dev_fd, unsigned long req, void *arg)
{
	return ioctl(dev_fd, req, arg) < 0 ? -errno : 0;
}

int uring_dmabuf_version(int dev_fd, struct uring_dmabuf_version *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	return dev_ioctl(dev_fd, URING_DMABUF_IOC_VERSION, out);
}

/* Returns the new dma-buf fd (close-on-exec, whatever @flags say). */
int uring_dmabuf_create(int dev_fd, const struct iovec *iov, unsigned int nr,
			unsigned int flags)
{
	/* Close-on-exec like every descriptor of this library. */
	struct uring_dmabuf_create args = {
		.size = sizeof(args),
		.flags = flags | URING_DMABUF_CREATE_CLOEXEC,
		.nr_ranges = nr,
	};
	struct uring_dmabuf_range *ranges;
	unsigned int i;
	int err;

	if (!iov || !nr)
		return -EINVAL;
	ranges = calloc(nr, sizeof(*ranges));
	if (!ranges)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		ranges[i].addr = (uintptr_t)iov[i].iov_base;
		ranges[i].len = iov[i].iov_len;
	}
	args.ranges = (uintptr_t)ranges;
	err = dev_ioctl(dev_fd, URING_DMABUF_IOC_CREATE, &args);
	free(ranges);
	return err ? err : args.fd;
}

int uring_dmabuf_info(int dev_fd, int dmabuf_fd, struct uring_dmabuf_info *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->fd = dmabuf_fd;
	return dev_ioctl(dev_fd, URING_DMABUF_IOC_INFO, out);
}
