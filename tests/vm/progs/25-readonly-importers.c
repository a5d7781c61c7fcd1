// SPDX-License-Identifier: GPL-2.0
/*
 * 25-readonly-importers: a READONLY dma-buf handed to a real importer that
 * writes into it must stay unwritten. The importer is V4L2's vivid, a
 * capture device with V4L2_MEMORY_DMABUF, in two instances: instance 0
 * with the vmalloc allocator (vb2_vmalloc: it only vmaps the dma-buf and
 * writes the frame through that mapping) and instance 1 with dma-contig
 * (it maps the dma-buf DMA_FROM_DEVICE).
 *
 * As user nobody: a root-owned mode-0444 file on a tmpfs, opened O_RDONLY
 * and mapped PROT_READ, and a memfd sealed F_SEAL_WRITE mapped read-only,
 * both exported READONLY and queued to each instance; vivid must be refused
 * somewhere and the bytes must stay as they were. A positive control shows
 * that vivid really writes a writable dma-buf through its vmap here.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/videodev2.h>

#include "common.h"

#define FRAME_W 640
#define FRAME_H 480
/* YUYV, 2 bytes a pixel: 614400 bytes, exactly 150 pages. */
#define FRAME_BYTES ((size_t)FRAME_W * FRAME_H * 2)
/* vivid's capture queue starts streaming once 2 buffers are queued (6.1). */
#define NR_BUFS 2
#define REGION (NR_BUFS * FRAME_BYTES)

#define NOBODY 65534
/* Bounded waits for a frame: vivid under TCG is slow. */
#define CONTROL_MS 20000
#define READONLY_MS 5000

enum { ALLOC_VMALLOC, ALLOC_DMA_CONTIG, NR_ALLOC };

static const char *const alloc_name[NR_ALLOC] = {
	"vmalloc (vmap importer)",
	"dma-contig (map importer)",
};

/* The capture node of vivid instance N, which uses allocator N. */
static char video_path[NR_ALLOC][32];
/* The private tmpfs holding the root-owned files. */
static char tmpdir[] = "/tmp/25-readonly.XXXXXX";

/* --- vivid ------------------------------------------------------------ */

static int vivid_in_kernel(void)
{
	char path[300], line[512];
	struct utsname u;
	int found = 0;
	FILE *f;

	if (uname(&u))
		return 0;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "/vivid.ko:") != NULL;
	fclose(f);
	return found;
}

static long xioctl(int fd, unsigned long req, void *arg)
{
	long ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

/* The vivid instance whose capture node path is, or -1. */
static int vivid_instance(const char *path)
{
	struct v4l2_capability cap;
	int fd, inst = -1;
	char want[32];

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&cap, 0, sizeof(cap));
	if (!xioctl(fd, VIDIOC_QUERYCAP, &cap) &&
	    !strcmp((char *)cap.driver, "vivid") &&
	    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE)) {
		for (int a = 0; a < NR_ALLOC && inst < 0; a++) {
			snprintf(want, sizeof(want), "platform:vivid-%03d", a);
			if (!strcmp((char *)cap.bus_info, want))
				inst = a;
		}
	}
	close(fd);
	return inst;
}

/*
 * Loads vivid with the two instances and finds their capture nodes by
 * QUERYCAP bus_info ("platform:vivid-00N"); 0 if both were found.
 */
static int vivid_load(void)
{
	char path[32], params[128];
	int i, n, inst, found = 0;

	/* Another program's vivid would have other parameters. */
	if (!access("/sys/module/vivid", F_OK) && system("rmmod vivid"))
		t_diag("vivid was loaded and could not be unloaded");
	if (!t_ok(system("modprobe vivid n_devs=2 node_types=0x1,0x1 allocators=0,1") == 0,
		  "modprobe vivid n_devs=2 node_types=0x1,0x1 allocators=0,1"))
		return -1;
	if (read_text("/sys/module/vivid/parameters/allocators", params,
		      sizeof(params)) > 0) {
		params[strcspn(params, "\n")] = 0;
		t_diag("vivid allocators: %s", params);
	}

	/* devtmpfs adds the nodes at registration; allow a slow guest. */
	for (n = 0; n < 50 && found != 3; n++) {
		if (n)
			msleep(100);
		for (i = 0; i < 64 && found != 3; i++) {
			snprintf(path, sizeof(path), "/dev/video%d", i);
			inst = vivid_instance(path);
			if (inst < 0)
				continue;
			memcpy(video_path[inst], path, sizeof(path));
			found |= 1 << inst;
		}
	}
	if (!t_ok(found == 3, "vivid: a capture node per instance (QUERYCAP bus_info)"))
		return -1;
	for (i = 0; i < NR_ALLOC; i++) {
		t_diag("instance %d, %s: %s", i, alloc_name[i], video_path[i]);
		if (!t_ok(!chmod(video_path[i], 0666), "chmod 0666 %s",
			  video_path[i])) {
			t_diag("chmod: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* What one capture attempt got, step by step. */
struct capture {
	int setup_err;			/* open, S_INPUT, S_FMT or REQBUFS */
	const char *setup_step;
	unsigned int sizeimage;
	int qbuf_err[NR_BUFS];
	int nr_queued;
	int streamon_err;
	int streamoff_err;
	int dqbuf_err;			/* first DQBUF error but EAGAIN */
	int poll_err;			/* poll reported POLLERR */
	int nr_done;			/* dequeued without V4L2_BUF_FLAG_ERROR */
	int nr_flag_error;		/* dequeued with V4L2_BUF_FLAG_ERROR */
	int done_index;			/* buffer of the first good frame, or -1 */
	unsigned int bytesused;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int vivid_setup(int vid, struct capture *c)
{
	struct v4l2_requestbuffers req;
	struct v4l2_format fmt;
	int input = 0;

	c->setup_step = "S_INPUT 0 (webcam)";
	c->setup_err = -xioctl(vid, VIDIOC_S_INPUT, &input);
	if (c->setup_err)
		return -1;

	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt.fmt.pix.width = FRAME_W;
	fmt.fmt.pix.height = FRAME_H;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	c->setup_step = "S_FMT 640x480 YUYV";
	c->setup_err = -xioctl(vid, VIDIOC_S_FMT, &fmt);
	if (c->setup_err)
		return -1;
	c->sizeimage = fmt.fmt.pix.sizeimage;
	if (fmt.fmt.pix.width != FRAME_W || fmt.fmt.pix.height != FRAME_H ||
	    fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV ||
	    c->sizeimage > FRAME_BYTES) {
		t_diag("S_FMT gave %ux%u %.4s, sizeimage %u",
		       fmt.fmt.pix.width, fmt.fmt.pix.height,
		       (char *)&fmt.fmt.pix.pixelformat, c->sizeimage);
		c->setup_err = ERANGE;
		return -1;
	}

	memset(&req, 0, sizeof(req));
	req.count = NR_BUFS;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_DMABUF;
	c->setup_step = "REQBUFS DMABUF";
	c->setup_err = -xioctl(vid, VIDIOC_REQBUFS, &req);
	if (!c->setup_err && req.count < NR_BUFS) {
		t_diag("REQBUFS gave %u buffers", req.count);
		c->setup_err = ENOBUFS;
	}
	return c->setup_err ? -1 : 0;
}

/* Waits up to ms for the first frame; dequeues everything done meanwhile. */
static void vivid_wait(int vid, struct capture *c, int ms)
{
	long long end = now_ms() + ms;
	struct v4l2_buffer b;
	struct pollfd p;
	long left, ret;

	while (c->nr_done + c->nr_flag_error < c->nr_queued &&
	       !c->nr_done && (left = end - now_ms()) > 0) {
		p.fd = vid;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, left) <= 0)
			continue;
		if (p.revents & POLLERR) {
			c->poll_err = 1;
			return;
		}
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		ret = xioctl(vid, VIDIOC_DQBUF, &b);
		if (ret == -EAGAIN)
			continue;
		if (ret) {
			c->dqbuf_err = -ret;
			return;
		}
		if (b.flags & V4L2_BUF_FLAG_ERROR) {
			c->nr_flag_error++;
		} else {
			c->nr_done++;
			c->done_index = b.index;
			c->bytesused = b.bytesused;
		}
	}
}

/* Queues one dma-buf per buffer to vivid instance alloc and streams. */
static void vivid_capture(int alloc, const int *fds, int ms,
			  struct capture *c)
{
	struct v4l2_buffer b;
	int vid, i, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	memset(c, 0, sizeof(*c));
	c->done_index = -1;
	vid = open(video_path[alloc], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (vid < 0) {
		c->setup_step = "open";
		c->setup_err = errno;
		return;
	}
	if (vivid_setup(vid, c))
		goto out;

	for (i = 0; i < NR_BUFS; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		b.m.fd = fds[i];
		b.length = FRAME_BYTES;
		c->qbuf_err[i] = -xioctl(vid, VIDIOC_QBUF, &b);
		if (!c->qbuf_err[i])
			c->nr_queued++;
	}
	c->streamon_err = -xioctl(vid, VIDIOC_STREAMON, &type);
	if (!c->streamon_err && c->nr_queued)
		vivid_wait(vid, c, ms);
	if (!c->streamon_err)
		c->streamoff_err = -xioctl(vid, VIDIOC_STREAMOFF, &type);
out:
	/* The close drops vivid's references to the dma-bufs (REQBUFS 0). */
	close(vid);
}

static void capture_diag(const struct capture *c)
{
	int i;

	if (c->setup_err) {
		t_diag("vivid setup failed at %s: %s", c->setup_step,
		       errname(c->setup_err));
		return;
	}
	for (i = 0; i < NR_BUFS; i++)
		t_diag("QBUF %d: %s", i,
		       c->qbuf_err[i] ? errname(c->qbuf_err[i]) : "queued");
	t_diag("STREAMON: %s, STREAMOFF: %s",
	       c->streamon_err ? errname(c->streamon_err) : "ok",
	       c->streamoff_err ? errname(c->streamoff_err) : "ok");
	t_diag("DQBUF: %d frame(s) done, %d flagged V4L2_BUF_FLAG_ERROR%s%s%s",
	       c->nr_done, c->nr_flag_error,
	       c->dqbuf_err ? ", then DQBUF " : "",
	       c->dqbuf_err ? errname(c->dqbuf_err) : "",
	       c->poll_err ? ", then POLLERR" : "");
}

/* Refused somewhere, and no frame completed into the buffers. */
static int capture_refused(const struct capture *c)
{
	int i, refused = c->streamon_err || c->dqbuf_err || c->poll_err ||
			 c->nr_flag_error;

	for (i = 0; i < NR_BUFS; i++)
		refused |= c->qbuf_err[i] != 0;
	return refused && !c->nr_done;
}

/* --- the memory --------------------------------------------------------- */

/* NR_BUFS dma-bufs, one per frame of region p; 0 or -errno. */
static int make_dmabufs(int dev, const unsigned char *p, unsigned int flags,
			int *fds)
{
	int i, j;

	for (i = 0; i < NR_BUFS; i++) {
		fds[i] = ud_create1(dev, p + i * FRAME_BYTES, FRAME_BYTES,
				    flags | URING_DMABUF_CREATE_CLOEXEC);
		if (fds[i] < 0) {
			int err = fds[i];

			for (j = 0; j < i; j++)
				close(fds[j]);
			return err;
		}
	}
	return 0;
}

static void close_dmabufs(int *fds)
{
	int i;

	for (i = 0; i < NR_BUFS; i++)
		close(fds[i]);
}

/* Offset of the first byte of fd unlike the pattern, -1 if none, -2 on error. */
static long long file_check(int fd, uint64_t seed)
{
	unsigned char *buf = malloc(REGION);
	long long bad = -2;

	if (buf && pread(fd, buf, REGION, 0) == (ssize_t)REGION)
		bad = pattern_check(buf, REGION, seed, 0);
	free(buf);
	return bad;
}

static uint64_t file_seed(int alloc)
{
	return 250 + alloc;
}

static void file_path(int alloc, char *path, size_t len)
{
	snprintf(path, len, "%s/frames-%d", tmpdir, alloc);
}

/* As root: a private tmpfs with one root-owned 0444 file per allocator. */
static int make_files(void)
{
	unsigned char *buf;
	char path[64];
	struct statfs sfs;
	int a, fd, ok = 1;

	if (!t_ok(mkdtemp(tmpdir) != NULL, "mkdtemp %s", tmpdir))
		return -1;
	if (!t_ok(!mount("tmpfs", tmpdir, "tmpfs", 0, "mode=0755"),
		  "mount a tmpfs on %s", tmpdir)) {
		t_diag("mount: %s", strerror(errno));
		rmdir(tmpdir);
		return -1;
	}
	if (!t_ok(!statfs(tmpdir, &sfs) && sfs.f_type == TMPFS_MAGIC,
		  "%s is a tmpfs", tmpdir))
		return -1;
	buf = malloc(REGION);
	if (!buf)
		return -1;
	for (a = 0; a < NR_ALLOC; a++) {
		file_path(a, path, sizeof(path));
		pattern_fill(buf, REGION, file_seed(a), 0);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		ok = fd >= 0 && write(fd, buf, REGION) == (ssize_t)REGION &&
		     !fchmod(fd, 0444) && !fchown(fd, 0, 0);
		if (fd >= 0)
			close(fd);
		if (!t_ok(ok, "root-owned 0444 file of %zu bytes on the tmpfs (%s)",
			  REGION, alloc_name[a]))
			break;
	}
	free(buf);
	return ok ? 0 : -1;
}

static void remove_files(void)
{
	char path[64];
	int a;

	for (a = 0; a < NR_ALLOC; a++) {
		file_path(a, path, sizeof(path));
		unlink(path);
	}
	umount(tmpdir);
	rmdir(tmpdir);
}

/* --- the cases (as nobody) ---------------------------------------------- */

/* Writable anonymous memory: vivid's vmalloc instance must write a frame. */
static void test_control(int dev)
{
	const char *what = "control: writable anonymous dma-buf, vmalloc";
	struct capture c;
	long long bad;
	struct mem m;
	int fds[NR_BUFS], err;

	if (!t_ok(!mem_alloc(&m, MEM_ANON, REGION), "%s: map %zu bytes",
		  what, REGION))
		return;
	pattern_fill(m.p, REGION, 240, 0);
	err = make_dmabufs(dev, m.p, 0, fds);
	if (!t_ok(!err, "%s: create", what)) {
		t_diag("create: %s", errname(-err));
		mem_free(&m);
		return;
	}
	vivid_capture(ALLOC_VMALLOC, fds, CONTROL_MS, &c);
	if (!t_ok(c.nr_done > 0, "%s: vivid completes a frame into it", what))
		capture_diag(&c);
	if (c.nr_done > 0) {
		bad = pattern_check(m.p + c.done_index * FRAME_BYTES,
				    FRAME_BYTES, 240, 0);
		if (!t_ok(bad >= 0, "%s: the frame's bytes were written by vivid",
			  what))
			t_diag("buffer %d (bytesused %u) still holds the fill pattern",
			       c.done_index, c.bytesused);
	}
	close_dmabufs(fds);
	mem_free(&m);
}

static void check_readonly_capture(int dev, int alloc, const char *what,
				   const unsigned char *p, int check_fd,
				   uint64_t seed)
{
	struct capture c;
	long long bad;
	int fds[NR_BUFS], err;

	err = make_dmabufs(dev, p, URING_DMABUF_CREATE_READONLY, fds);
	if (!t_ok(!err, "%s: READONLY dma-bufs over it", what)) {
		t_diag("create: %s", errname(-err));
		return;
	}
	vivid_capture(alloc, fds, READONLY_MS, &c);
	if (!t_ok(!c.setup_err, "%s: vivid open, S_FMT, REQBUFS(DMABUF)", what))
		capture_diag(&c);
	if (!c.setup_err) {
		if (!t_ok(capture_refused(&c), "%s: vivid is refused", what))
			t_diag("(no refusal, %d frame(s) completed)", c.nr_done);
		capture_diag(&c);
	}
	close_dmabufs(fds);

	bad = file_check(check_fd, seed);
	if (!t_ok(bad == -1, "%s: bytes unchanged", what)) {
		if (bad == -2)
			t_diag("cannot read it back: %s", strerror(errno));
		else
			t_diag("first difference at offset %lld", bad);
	}
}

/* The root-owned 0444 file, opened O_RDONLY and mapped PROT_READ. */
static void test_file(int dev, int alloc)
{
	char path[64], what[128];
	unsigned char *p;
	int fd;

	snprintf(what, sizeof(what), "read-only tmpfs file, %s",
		 alloc_name[alloc]);
	file_path(alloc, path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (!t_ok(fd < 0 && errno == EACCES,
		  "%s: nobody cannot open it for writing", what)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: open O_RDONLY", what)) {
		t_diag("open: %s", strerror(errno));
		return;
	}
	p = mmap(NULL, REGION, PROT_READ, MAP_SHARED, fd, 0);
	if (!t_ok(p != MAP_FAILED, "%s: mmap PROT_READ, MAP_SHARED", what)) {
		t_diag("mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	check_readonly_capture(dev, alloc, what, p, fd, file_seed(alloc));
	munmap(p, REGION);
	close(fd);
}

/* A memfd sealed against writes, mapped read-only. */
static void test_sealed_memfd(int dev, int alloc)
{
	const uint64_t seed = 260 + alloc;
	unsigned char *buf, *p;
	char what[128];
	int fd, ok;

	snprintf(what, sizeof(what), "memfd sealed F_SEAL_WRITE, %s",
		 alloc_name[alloc]);
	fd = memfd_create("25-sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	buf = malloc(REGION);
	ok = fd >= 0 && buf && !ftruncate(fd, REGION);
	if (ok) {
		pattern_fill(buf, REGION, seed, 0);
		ok = pwrite(fd, buf, REGION, 0) == (ssize_t)REGION &&
		     !fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
			    F_SEAL_GROW | F_SEAL_SEAL);
	}
	free(buf);
	if (!t_ok(ok, "%s: fill and seal", what)) {
		t_diag("%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!t_ok(p == MAP_FAILED && errno == EPERM,
		  "%s: a writable shared mapping is refused (EPERM)", what)) {
		if (p != MAP_FAILED)
			munmap(p, REGION);
		else
			t_diag("mmap: %s", errname(errno));
	}
	p = mmap(NULL, REGION, PROT_READ, MAP_SHARED, fd, 0);
	if (!t_ok(p != MAP_FAILED, "%s: mmap PROT_READ, MAP_SHARED", what)) {
		t_diag("mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	check_readonly_capture(dev, alloc, what, p, fd, seed);
	munmap(p, REGION);
	close(fd);
}

static void child_nobody(void)
{
	int dev, a;

	if (!t_ok(!setgroups(0, NULL) && !setgid(NOBODY) && !setuid(NOBODY) &&
		  geteuid() == NOBODY, "setuid(%d): user nobody", NOBODY)) {
		t_diag("%s", strerror(errno));
		exit(1);
	}
	dev = dev_open();
	test_control(dev);
	for (a = 0; a < NR_ALLOC; a++) {
		test_file(dev, a);
		test_sealed_memfd(dev, a);
	}
	close(dev);
	exit(t_failed());
}

int main(void)
{
	pid_t pid;
	int dev;

	t_init();
	dev = dev_open();
	close(dev);
	if (getuid() != 0)
		t_skip_all("needs root to prepare (uid %d)", (int)getuid());
	if (!vivid_in_kernel())
		t_skip_all("no vivid module in this kernel (CONFIG_VIDEO_VIVID)");
	if (vivid_load())
		return 1;
	if (make_files()) {
		remove_files();
		return 1;
	}

	pid = t_fork();
	if (pid == 0)
		child_nobody();
	t_child(pid, "the cases as user nobody passed");

	remove_files();
	t_ok(system("rmmod vivid") == 0, "rmmod vivid");
	return t_finish();
}
