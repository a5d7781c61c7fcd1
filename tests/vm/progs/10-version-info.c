// SPDX-License-Identifier: GPL-2.0
/*
 * VERSION and INFO ioctls, their size/flags rules, the module's sysfs
 * counters and parameters, fdinfo and close-on-exec of a new dma-buf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define BUF_LEN (64 * 1024UL)

/* A struct padded with a tail the module does not know, all in one piece. */
union big_version {
	struct uring_dmabuf_version v;
	unsigned char raw[sizeof(struct uring_dmabuf_version) + 16];
};

union big_info {
	struct uring_dmabuf_info i;
	unsigned char raw[sizeof(struct uring_dmabuf_info) + 16];
};

static void test_version(int dev)
{
	struct uring_dmabuf_version v;
	unsigned long long param, counter;
	long ret = ud_version(dev, &v);

	if (!t_ok(ret == 0, "VERSION succeeds")) {
		t_diag("VERSION: %s", errname(-ret));
		return;
	}
	if (!t_ok(v.api_version == URING_DMABUF_API_VERSION,
		  "VERSION api_version is %d", URING_DMABUF_API_VERSION))
		t_diag("api_version %u", v.api_version);
	if (!t_ok((v.features & URING_DMABUF_FEAT_CREATE) &&
		  (v.features & URING_DMABUF_FEAT_READONLY) &&
		  (v.features & URING_DMABUF_FEAT_MMAP),
		  "VERSION features include CREATE, READONLY and MMAP"))
		t_diag("features 0x%llx", (unsigned long long)v.features);
	t_ok(v.max_ranges > 0, "VERSION max_ranges > 0 (%u)", v.max_ranges);
	t_ok(memchr(v.module_version, '\0', sizeof(v.module_version)) &&
	     v.module_version[0],
	     "VERSION module_version is a non-empty string (%.32s)",
	     v.module_version);

	if (!t_ok(read_ull(SYSFS_PARAM "max_ranges", &param) == 0 &&
		  param == v.max_ranges,
		  "parameter max_ranges matches VERSION"))
		t_diag("parameter %llu, VERSION %u", param, v.max_ranges);
	if (!t_ok(read_ull(SYSFS_PARAM "max_pinned_mb", &param) == 0 &&
		  param * MIB == v.max_bytes,
		  "parameter max_pinned_mb matches VERSION max_bytes"))
		t_diag("parameter %llu MiB, max_bytes %llu", param,
		       (unsigned long long)v.max_bytes);
	if (!t_ok(read_ull(SYSFS_CLASS "pinned_bytes", &counter) == 0 &&
		  counter == v.pinned_bytes,
		  "VERSION pinned_bytes matches the sysfs counter"))
		t_diag("sysfs %llu, VERSION %llu", counter,
		       (unsigned long long)v.pinned_bytes);
}

static void test_version_sizes(int dev)
{
	union big_version big;
	struct uring_dmabuf_version v;

	t_ok(sizeof(v) >= URING_DMABUF_VERSION_SIZE_VER0,
	     "struct uring_dmabuf_version is at least VER0 bytes");

	memset(&v, 0, sizeof(v));
	v.size = URING_DMABUF_VERSION_SIZE_VER0 - 8;
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_VERSION, &v), EINVAL,
		"VERSION with size smaller than VER0 fails with EINVAL");
	memset(&v, 0, sizeof(v));
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_VERSION, &v), EINVAL,
		"VERSION with size 0 fails with EINVAL");

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_VERSION, &big), 0,
		"VERSION with a larger struct and a zero tail succeeds");
	t_ok(big.v.api_version == URING_DMABUF_API_VERSION,
	     "VERSION with a larger struct fills api_version");

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.raw[sizeof(big) - 1] = 1;
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_VERSION, &big), EINVAL,
		"VERSION with a non-zero tail fails with EINVAL");

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.flags = 1;
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_VERSION, &v), EINVAL,
		"VERSION with flags != 0 fails with EINVAL");

	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_VERSION, (void *)16), EFAULT,
		"VERSION with an unreadable struct fails with EFAULT");
}

static void test_info(int dev, void *mem)
{
	struct uring_dmabuf_info info;
	int fd, ret;

	fd = ud_create1(dev, mem, BUF_LEN, 0);
	if (!t_ok(fd >= 0, "create 64 KiB for INFO")) {
		t_diag("create: %s", errname(-fd));
		return;
	}
	ret = ud_info(dev, fd, &info);
	if (t_ok(ret == 0, "INFO on our dma-buf succeeds")) {
		t_ok(info.bytes == BUF_LEN, "INFO bytes is 64 KiB (%llu)",
		     (unsigned long long)info.bytes);
		t_ok(info.nr_segments >= 1 && info.nr_segments <= 16,
		     "INFO nr_segments is 1..16 for 16 pages (%llu)",
		     (unsigned long long)info.nr_segments);
		t_ok(info.huge_bytes <= info.bytes,
		     "INFO huge_bytes <= bytes (%llu)",
		     (unsigned long long)info.huge_bytes);
		t_ok(info.node_mask != 0, "INFO node_mask is non-zero (0x%llx)",
		     (unsigned long long)info.node_mask);
		t_ok(info.nr_attachments == 0, "INFO nr_attachments is 0 (%u)",
		     info.nr_attachments);
		t_ok(info.create_flags == 0, "INFO create_flags is 0 (0x%x)",
		     info.create_flags);
	} else {
		t_diag("INFO: %s", errname(-ret));
	}
	t_ok(!fd_cloexec(fd), "create without CLOEXEC: FD_CLOEXEC not set");
	close(fd);

	fd = ud_create1(dev, mem, BUF_LEN,
			URING_DMABUF_CREATE_CLOEXEC | URING_DMABUF_CREATE_READONLY);
	if (!t_ok(fd >= 0, "create with CLOEXEC|READONLY")) {
		t_diag("create: %s", errname(-fd));
		return;
	}
	t_ok(fd_cloexec(fd), "create with CLOEXEC: FD_CLOEXEC set");
	ret = ud_info(dev, fd, &info);
	if (!t_ok(ret == 0 && info.create_flags == URING_DMABUF_CREATE_READONLY,
		  "INFO create_flags is READONLY (CLOEXEC belongs to the fd)"))
		t_diag("ret %s, create_flags 0x%x", errname(-ret),
		       info.create_flags);
	close(fd);
}

static void test_info_errors(int dev, void *mem)
{
	struct uring_dmabuf_info info;
	union big_info big;
	int fd, memfd, pipefd[2];

	fd = ud_create1(dev, mem, BUF_LEN, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "create 64 KiB for INFO errors")) {
		t_diag("create: %s", errname(-fd));
		return;
	}
	memset(&info, 0, sizeof(info));
	info.size = URING_DMABUF_INFO_SIZE_VER0 - 8;
	info.fd = fd;
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_INFO, &info), EINVAL,
		"INFO with size smaller than VER0 fails with EINVAL");

	memset(&big, 0, sizeof(big));
	big.i.size = sizeof(big);
	big.i.fd = fd;
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_INFO, &big), 0,
		"INFO with a larger struct and a zero tail succeeds");
	t_ok(big.i.bytes == BUF_LEN, "INFO with a larger struct fills bytes");
	memset(&big, 0, sizeof(big));
	big.i.size = sizeof(big);
	big.i.fd = fd;
	big.raw[sizeof(big) - 3] = 1;
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_INFO, &big), EINVAL,
		"INFO with a non-zero tail fails with EINVAL");

	ud_info(dev, fd, &info);
	info.flags = 1;
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_INFO, &info), EINVAL,
		"INFO with flags != 0 fails with EINVAL");
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.fd = fd;
	info.__reserved = 1;
	t_errno(ioctl_ret(dev, URING_DMABUF_IOC_INFO, &info), EINVAL,
		"INFO with __reserved != 0 fails with EINVAL");

	/* Readable but not writable: the answer cannot be given. */
	{
		struct uring_dmabuf_info *ro = mmap(NULL, 4096,
						    PROT_READ | PROT_WRITE,
						    MAP_PRIVATE | MAP_ANONYMOUS,
						    -1, 0);

		memset(ro, 0, sizeof(*ro));
		ro->size = sizeof(*ro);
		ro->fd = fd;
		mprotect(ro, 4096, PROT_READ);
		t_errno(ioctl_ret(dev, URING_DMABUF_IOC_INFO, ro), EFAULT,
			"INFO with a read-only struct fails with EFAULT");
		munmap(ro, 4096);
	}
	close(fd);

	memfd = memfd_create("not_a_dmabuf", MFD_CLOEXEC);
	t_errno(ud_info(dev, memfd, &info), EINVAL,
		"INFO on a memfd fails with EINVAL");
	close(memfd);
	if (pipe(pipefd) == 0) {
		t_errno(ud_info(dev, pipefd[0], &info), EINVAL,
			"INFO on a pipe fails with EINVAL");
		close(pipefd[0]);
		close(pipefd[1]);
	}
	t_errno(ud_info(dev, dev, &info), EINVAL,
		"INFO on the device fd itself fails with EINVAL");
	t_errno(ud_info(dev, 4000, &info), EBADF,
		"INFO on a closed fd number fails with EBADF");
	t_errno(ud_info(dev, -1, &info), EBADF,
		"INFO on fd -1 fails with EBADF");
}

static void test_counters(int dev, void *mem)
{
	unsigned long long b0, p0, a0, b1, p1, a1, b2, p2;
	struct uring_dmabuf_version v;
	int fd;

	if (!t_ok(read_ull(SYSFS_CLASS "buffers", &b0) == 0 &&
		  read_ull(SYSFS_CLASS "pinned_bytes", &p0) == 0 &&
		  read_ull(SYSFS_CLASS "attachments", &a0) == 0,
		  "sysfs counters buffers, pinned_bytes, attachments readable"))
		return;
	fd = ud_create1(dev, mem, BUF_LEN, URING_DMABUF_CREATE_CLOEXEC);
	if (fd < 0) {
		t_ok(0, "create 64 KiB for counters");
		t_diag("create: %s", errname(-fd));
		return;
	}
	read_ull(SYSFS_CLASS "buffers", &b1);
	read_ull(SYSFS_CLASS "pinned_bytes", &p1);
	read_ull(SYSFS_CLASS "attachments", &a1);
	if (!t_ok(b1 == b0 + 1, "sysfs buffers goes up by one on create"))
		t_diag("%llu -> %llu", b0, b1);
	if (!t_ok(p1 == p0 + BUF_LEN,
		  "sysfs pinned_bytes goes up by 64 KiB on create"))
		t_diag("%llu -> %llu", p0, p1);
	if (!t_ok(a1 == a0, "sysfs attachments unchanged by create"))
		t_diag("%llu -> %llu", a0, a1);
	if (!t_ok(ud_version(dev, &v) == 0 && v.pinned_bytes == p1,
		  "VERSION pinned_bytes shows the new buffer"))
		t_diag("VERSION %llu, sysfs %llu",
		       (unsigned long long)v.pinned_bytes, p1);
	close(fd);
	read_ull(SYSFS_CLASS "buffers", &b2);
	read_ull(SYSFS_CLASS "pinned_bytes", &p2);
	if (!t_ok(b2 == b0 && p2 == p0,
		  "sysfs buffers and pinned_bytes back after close"))
		t_diag("buffers %llu -> %llu, pinned_bytes %llu -> %llu", b0,
		       b2, p0, p2);
}

static void test_fdinfo(int dev, void *mem)
{
	char path[64], text[1024], *line;
	int fd = ud_create1(dev, mem, BUF_LEN, URING_DMABUF_CREATE_CLOEXEC);

	if (fd < 0) {
		t_ok(0, "create 64 KiB for fdinfo");
		t_diag("create: %s", errname(-fd));
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (read_text(path, text, sizeof(text)) < 0) {
		t_ok(0, "fdinfo of the dma-buf readable");
		close(fd);
		return;
	}
	line = strstr(text, "exp_name:");
	if (!t_ok(line && !strncmp(line + strspn(line + 9, " \t") + 9,
				   "uring_dmabuf\n", 13),
		  "fdinfo of the dma-buf names exp_name uring_dmabuf"))
		t_diag("fdinfo: %s", text);
	line = strstr(text, "size:");
	t_ok(line && strtoull(line + 5, NULL, 10) == BUF_LEN,
	     "fdinfo of the dma-buf shows size 65536");
	close(fd);
}

int main(void)
{
	void *mem;
	int dev;

	t_init();
	dev = dev_open();
	mem = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		t_skip_all("mmap 64 KiB: %s", strerror(errno));

	test_version(dev);
	test_version_sizes(dev);
	test_info(dev, mem);
	test_info_errors(dev, mem);
	test_counters(dev, mem);
	test_fdinfo(dev, mem);

	munmap(mem, BUF_LEN);
	close(dev);
	return t_finish();
}
