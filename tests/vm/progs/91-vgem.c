// SPDX-License-Identifier: GPL-2.0
/*
 * 91-vgem: an in-tree importer takes our dma-buf. vgem imports with
 * DRM_IOCTL_PRIME_FD_TO_HANDLE: it attaches and maps (DMA_BIDIRECTIONAL)
 * before 6.17 and only attaches from 6.17 on. The import must work and the
 * attachment go away with the GEM handle; a read-only buffer is refused
 * before 6.17 and imported from 6.17 on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/types.h>

#include "common.h"

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

#define BUF_BYTES (4 * MIB)

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
					t_diag("vgem at %s", path);
					return fd;
				}
				close(fd);
			}
		}
		msleep(50);
	}
	return -1;
}

/* nr_attachments of @fd, or -errno. */
static long attachments_of(int dev, int fd)
{
	struct uring_dmabuf_info info;
	int ret = ud_info(dev, fd, &info);

	return ret < 0 ? ret : (long)info.nr_attachments;
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
	long ret = ioctl_ret(drm, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);

	if (ret < 0)
		return ret;
	*handle = args.handle;
	return 0;
}

static int gem_close(int drm, __u32 handle)
{
	struct drm_gem_close args = { .handle = handle };

	return ioctl_ret(drm, DRM_IOCTL_GEM_CLOSE, &args);
}

static void test_import(int dev, int drm, unsigned char *p)
{
	__u32 handle = 0, again = 0;
	long n;
	int fd, ret;

	fd = ud_create1(dev, p, BUF_BYTES, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "create a 4 MiB dma-buf")) {
		t_diag("create: %s", errname(-fd));
		return;
	}
	ret = prime_import(drm, fd, &handle);
	if (!t_ok(!ret && handle, "vgem imports it (PRIME_FD_TO_HANDLE)")) {
		t_diag("PRIME_FD_TO_HANDLE: %s", errname(-ret));
		close(fd);
		return;
	}
	n = attachments_of(dev, fd);
	if (!t_ok(n == 1, "INFO nr_attachments is 1 while vgem holds it"))
		t_diag("nr_attachments %ld", n);

	/* DRM keeps one GEM object per dma-buf and file: same handle. */
	ret = prime_import(drm, fd, &again);
	if (!t_ok(!ret && again == handle,
		  "a second import gives the same handle"))
		t_diag("%s, handle %u then %u", errname(-ret), handle, again);
	n = attachments_of(dev, fd);
	if (!t_ok(n == 1, "still one attachment"))
		t_diag("nr_attachments %ld", n);

	ret = gem_close(drm, handle);
	if (!t_ok(!ret, "GEM_CLOSE the handle"))
		t_diag("GEM_CLOSE: %s", errname(-ret));
	n = attachments_wait(dev, fd, 0);
	if (!t_ok(n == 0, "vgem detached after GEM_CLOSE"))
		t_diag("nr_attachments %ld", n);
	close(fd);
}

/*
 * vgem maps DMA_BIDIRECTIONAL at import before 6.17, which a read-only
 * buffer refuses (EACCES from our map_dma_buf); from 6.17 it only
 * attaches and the import works. Nothing may stay attached either way.
 */
static void test_import_readonly(int dev, int drm, unsigned char *p)
{
	__u32 handle = 0;
	long n;
	int fd, ret;

	fd = ud_create1(dev, p, BUF_BYTES, URING_DMABUF_CREATE_READONLY |
			URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "create a read-only dma-buf")) {
		t_diag("create: %s", errname(-fd));
		return;
	}
	ret = prime_import(drm, fd, &handle);
	if (kernel_at_least(6, 17)) {
		if (!t_ok(!ret, "read-only: vgem imports it (6.17+ only attaches)"))
			t_diag("PRIME_FD_TO_HANDLE: %s", errname(-ret));
	} else {
		t_errno(ret, EACCES, "read-only: vgem's import refused with EACCES "
			"(before 6.17 it maps DMA_BIDIRECTIONAL)");
	}
	if (!ret) {
		ret = gem_close(drm, handle);
		if (!t_ok(!ret, "read-only: GEM_CLOSE"))
			t_diag("GEM_CLOSE: %s", errname(-ret));
	}
	n = attachments_wait(dev, fd, 0);
	if (!t_ok(n == 0, "read-only import into vgem leaves nothing attached"))
		t_diag("nr_attachments %ld", n);
	close(fd);
}

int main(void)
{
	struct mem m;
	int dev, drm, loaded;

	t_init();
	dev = dev_open();
	/* A built-in vgem (debug kernels) needs no modprobe, which may fail. */
	loaded = system("modprobe vgem") == 0;
	drm = open_vgem();
	if (drm < 0 && !loaded)
		t_skip_all("vgem cannot be loaded");
	if (!t_ok(drm >= 0, "open vgem's DRM node"))
		return 1;

	if (!t_ok(!mem_alloc(&m, MEM_ANON, BUF_BYTES), "map 4 MiB"))
		return 1;
	memset(m.p, 0xa5, BUF_BYTES);

	test_import(dev, drm, m.p);
	test_import_readonly(dev, drm, m.p);

	mem_free(&m);
	close(drm);
	close(dev);
	return t_finish();
}
