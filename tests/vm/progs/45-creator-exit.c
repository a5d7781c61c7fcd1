// SPDX-License-Identifier: GPL-2.0
/*
 * The creating process exits while another one holds the dma-buf: a child
 * creates (through io_uring, or the ioctl), passes the fd over a unix
 * socket and exits; the parent still reads the child's bytes, and closing
 * the fd releases every pin the child took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common.h"
#include "uring.h"

#define LEN (512 * 1024UL)
#define SEED 71

static int send_fd(int sock, int fd)
{
	char data = 'F', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(cbuf, 0, sizeof(cbuf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

/* The passed fd, or -1 if the child sent none (it reported why). */
static int recv_fd(int sock)
{
	char data, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* In the child: returns the new dma-buf fd or -errno. */
static int child_create(int dev, int use_uring, unsigned char *p)
{
	struct iovec iov = { p, LEN };
	struct io_uring ring;
	int fd, ret;

	if (!use_uring)
		return ud_create1(dev, p, LEN, URING_DMABUF_CREATE_CLOEXEC);
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret < 0)
		return ret;
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret < 0)
		return ret;
	fd = uring_create_fixed(&ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
				IORING_URING_CMD_FIXED, 0, (uintptr_t)p, LEN);
	/* Exit tears the ring down: no unregister, like a crash would. */
	return fd;
}

static void child(int dev, int sock, int use_uring, const char *how)
{
	unsigned char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd;

	if (p == MAP_FAILED)
		exit(1);
	pattern_fill(p, LEN, SEED, 0);
	fd = child_create(dev, use_uring, p);
	if (!t_ok(fd >= 0, "child: create through %s", how)) {
		t_diag("create: %s", errname(-fd));
		exit(1);
	}
	if (!t_ok(send_fd(sock, fd) == 0, "child: send the dma-buf fd"))
		exit(1);
	exit(0);
}

static void test_exit(int dev, int use_uring, const char *how)
{
	struct pins base, now;
	unsigned char *map;
	int sv[2], fd;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		t_ok(0, "socketpair");
		return;
	}
	pins_get(&base);
	pid = t_fork();
	if (pid == 0) {
		close(sv[0]);
		child(dev, sv[1], use_uring, how);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	close(sv[0]);
	t_child(pid, "%s: creating child exited cleanly", how);
	if (fd < 0) {
		t_ok(0, "%s: received the dma-buf fd", how);
		return;
	}
	pins_get(&now);
	if (!t_ok(now.mod_bytes - base.mod_bytes == (long long)LEN,
		  "%s: the dma-buf still pins its 512 KiB after the creator "
		  "exited", how))
		t_diag("pinned_bytes %lld -> %lld", base.mod_bytes,
		       now.mod_bytes);
	map = dmabuf_map(fd, LEN, PROT_READ, 0);
	if (t_ok(map != MAP_FAILED, "%s: mmap after the creator exited", how)) {
		long long bad = pattern_check(map, LEN, SEED, 0);

		if (!t_ok(bad < 0, "%s: the creator's bytes are readable", how))
			t_diag("first difference at offset %lld", bad);
		munmap(map, LEN);
	}
	close(fd);
	/* sv[] closed, fd closed: base.fds minus the two socket ends. */
	base.fds -= 2;
	t_pins_back(&base, "%s: closing the last fd releases the child's pins",
		    how);
}

int main(void)
{
	struct uring_dmabuf_version ver;
	int dev;

	t_init();
	dev = dev_open();
	test_exit(dev, 0, "ioctl");
	if (ud_version(dev, &ver) == 0 &&
	    !(ver.features & URING_DMABUF_FEAT_CREATE_FIXED))
		t_skip("no URING_DMABUF_FEAT_CREATE_FIXED",
		       "io_uring: creator exit");
	else
		test_exit(dev, 1, "io_uring");
	close(dev);
	return t_finish();
}
