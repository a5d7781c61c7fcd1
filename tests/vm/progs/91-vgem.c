// SPDX-License-Identifier: GPL-2.0
/*
 * 91-vgem: an in-tree importer takes our dma-buf. vgem imports with
 * DRM_IOCTL_PRIME_FD_TO_HANDLE: it attaches and maps (DMA_BIDIRECTIONAL)
 * before 6.17 and only attaches from 6.17 on; either way the import must
 * work and the attachment must go away with the GEM handle.
 *
 * Self-contained on purpose (libc and the uapi headers only).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/uring_dmabuf.h>

#if defined(__has_include) && __has_include(<drm/drm.h>)
#include <drm/drm.h>
#else
/* The few bits of the kernel's include/uapi/drm/drm.h used here. */
struct drm_version {
	int version_major;
	int version_minor;
	int version_patchlevel;
	__kernel_size_t name_len;
	char *name;
	__kernel_size_t date_len;
	char *date;
	__kernel_size_t desc_len;
	char *desc;
};

struct drm_gem_close {
	__u32 handle;
	__u32 pad;
};

struct drm_prime_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
};

#define DRM_IOCTL_BASE 'd'
#define DRM_IOCTL_VERSION _IOWR(DRM_IOCTL_BASE, 0x00, struct drm_version)
#define DRM_IOCTL_GEM_CLOSE _IOW(DRM_IOCTL_BASE, 0x09, struct drm_gem_close)
#define DRM_IOCTL_PRIME_FD_TO_HANDLE \
	_IOWR(DRM_IOCTL_BASE, 0x2e, struct drm_prime_handle)
#endif

#define MIB (1024UL * 1024UL)
#define BUF_BYTES (4 * MIB)

static int failed;

static void vline(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
}

__attribute__((format(printf, 2, 3)))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(cond ? "ok " : "not ok ", fmt, ap);
	va_end(ap);
	if (!cond)
		failed = 1;
	return cond;
}

__attribute__((format(printf, 1, 2)))
static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("# ", fmt, ap);
	va_end(ap);
}

static const char *err_name(int err)
{
	const char *name = err ? strerrorname_np(err) : "0";

	return name ? name : "E?";
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* 1 if the DRM node open at @fd is driven by vgem. */
static int is_vgem(int fd)
{
	struct drm_version v;
	char name[32] = "";

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.name_len = sizeof(name) - 1;
	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return 0;
	return !strcmp(name, "vgem");
}

/* Opens vgem's render node (or its primary node); -1 if none. */
static int open_vgem(void)
{
	static const char *const patterns[] = {
		"/dev/dri/renderD%d", "/dev/dri/card%d",
	};
	char path[64];
	unsigned int p;
	int try, i, fd;

	/* devtmpfs adds the nodes while vgem loads; allow a slow guest. */
	for (try = 0; try < 20; try++) {
		for (p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
			for (i = 0; i < 64; i++) {
				snprintf(path, sizeof(path), patterns[p],
					 p ? i : 128 + i);
				fd = open(path, O_RDWR | O_CLOEXEC);
				if (fd < 0)
					continue;
				if (is_vgem(fd)) {
					diag("vgem at %s", path);
					return fd;
				}
				close(fd);
			}
		}
		msleep(50);
	}
	return -1;
}

static int ud_create(int dev, const void *addr, size_t len, unsigned int flags)
{
	struct uring_dmabuf_range r = { .addr = (uintptr_t)addr, .len = len };
	struct uring_dmabuf_create c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = flags | URING_DMABUF_CREATE_CLOEXEC;
	c.ranges = (uintptr_t)&r;
	c.nr_ranges = 1;
	if (ioctl(dev, URING_DMABUF_IOC_CREATE, &c))
		return -errno;
	return c.fd;
}

/* nr_attachments of @fd, or -errno. */
static long attachments_of(int dev, int fd)
{
	struct uring_dmabuf_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.fd = fd;
	if (ioctl(dev, URING_DMABUF_IOC_INFO, &info))
		return -errno;
	return info.nr_attachments;
}

/* Waits briefly for the attachment count to reach @want. */
static long attachments_wait(int dev, int fd, long want)
{
	long n = attachments_of(dev, fd);
	int i;

	for (i = 0; i < 40 && n != want; i++) {
		msleep(50);
		n = attachments_of(dev, fd);
	}
	return n;
}

static int prime_import(int drm, int fd, __u32 *handle)
{
	struct drm_prime_handle args = { .fd = fd };

	if (ioctl(drm, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args))
		return -errno;
	*handle = args.handle;
	return 0;
}

static int gem_close(int drm, __u32 handle)
{
	struct drm_gem_close args = { .handle = handle };

	return ioctl(drm, DRM_IOCTL_GEM_CLOSE, &args) ? -errno : 0;
}

static void test_import(int dev, int drm, unsigned char *p)
{
	__u32 handle = 0, again = 0;
	long n;
	int fd, ret;

	fd = ud_create(dev, p, BUF_BYTES, 0);
	if (!ok(fd >= 0, "create a 4 MiB dma-buf")) {
		diag("create: %s", err_name(-fd));
		return;
	}
	ret = prime_import(drm, fd, &handle);
	if (!ok(!ret && handle, "vgem imports it (PRIME_FD_TO_HANDLE)")) {
		diag("PRIME_FD_TO_HANDLE: %s", err_name(-ret));
		close(fd);
		return;
	}
	n = attachments_of(dev, fd);
	if (!ok(n == 1, "INFO nr_attachments is 1 while vgem holds it"))
		diag("nr_attachments %ld", n);

	/* DRM keeps one GEM object per dma-buf and file: same handle. */
	ret = prime_import(drm, fd, &again);
	if (!ok(!ret && again == handle, "a second import gives the same handle"))
		diag("%s, handle %u then %u", err_name(-ret), handle, again);
	n = attachments_of(dev, fd);
	if (!ok(n == 1, "still one attachment"))
		diag("nr_attachments %ld", n);

	ret = gem_close(drm, handle);
	if (!ok(!ret, "GEM_CLOSE the handle"))
		diag("GEM_CLOSE: %s", err_name(-ret));
	n = attachments_wait(dev, fd, 0);
	if (!ok(n == 0, "vgem detached after GEM_CLOSE"))
		diag("nr_attachments %ld", n);
	close(fd);
}

/*
 * vgem maps DMA_BIDIRECTIONAL before 6.17, which a read-only buffer refuses;
 * from 6.17 it only attaches. Either is fine; nothing may stay attached.
 */
static void test_import_readonly(int dev, int drm, unsigned char *p)
{
	__u32 handle = 0;
	long n;
	int fd, ret;

	fd = ud_create(dev, p, BUF_BYTES, URING_DMABUF_CREATE_READONLY);
	if (!ok(fd >= 0, "create a read-only dma-buf")) {
		diag("create: %s", err_name(-fd));
		return;
	}
	ret = prime_import(drm, fd, &handle);
	if (ret)
		diag("read-only import refused: %s (vgem maps for writing)",
		     err_name(-ret));
	else
		diag("read-only import accepted (vgem only attaches)");
	if (!ret) {
		ret = gem_close(drm, handle);
		if (!ok(!ret, "read-only: GEM_CLOSE"))
			diag("GEM_CLOSE: %s", err_name(-ret));
	}
	n = attachments_wait(dev, fd, 0);
	if (!ok(n == 0, "read-only import into vgem leaves nothing attached"))
		diag("nr_attachments %ld", n);
	close(fd);
}

int main(void)
{
	unsigned char *p;
	int dev, drm, loaded;

	setvbuf(stdout, NULL, _IOLBF, 0);

	dev = open(URING_DMABUF_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("# SKIP cannot open %s: %s\n", URING_DMABUF_DEVICE,
		       strerror(errno));
		return 77;
	}
	/* A built-in vgem (debug kernels) needs no modprobe, which may fail. */
	loaded = system("modprobe vgem") == 0;
	drm = open_vgem();
	if (drm < 0 && !loaded) {
		printf("# SKIP vgem cannot be loaded\n");
		return 77;
	}
	if (!ok(drm >= 0, "open vgem's DRM node"))
		return 1;

	p = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ok(p != MAP_FAILED, "map 4 MiB"))
		return 1;
	memset(p, 0xa5, BUF_BYTES);

	test_import(dev, drm, p);
	test_import_readonly(dev, drm, p);

	munmap(p, BUF_BYTES);
	close(drm);
	close(dev);
	return failed;
}
