// SPDX-License-Identifier: GPL-2.0
/*
 * RLIMIT_MEMLOCK: without CAP_IPC_LOCK a create over the limit fails with
 * ENOMEM and charges nothing, one within it shows in VmPin; with
 * CAP_IPC_LOCK the limit does not apply. Each case runs in a child so the
 * limits and credentials die with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "common.h"

#define LIMIT MIB

static unsigned char *mem;	/* 8 MiB populated anonymous memory */

static int set_memlock(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl) ? -errno : 0;
}

/* Drops CAP_IPC_LOCK from this process only; stays root otherwise. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective &= ~(1U << CAP_IPC_LOCK);
	data[0].permitted &= ~(1U << CAP_IPC_LOCK);
	data[0].inheritable &= ~(1U << CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	if (syscall(SYS_capget, &hdr, data) ||
	    (data[0].effective & (1U << CAP_IPC_LOCK)))
		return -EPERM;
	return 0;
}

/* VmPin and the module counter, the two things a non-root child can read. */
static void expect_fail(int dev, size_t len, const char *who)
{
	long long pin0 = vmpin_kb(), pin1;
	unsigned long long mod0 = 0, mod1 = 0;
	int fd;

	read_ull(SYSFS_CLASS "pinned_bytes", &mod0);
	fd = ud_create1(dev, mem, len, URING_DMABUF_CREATE_CLOEXEC);
	pin1 = vmpin_kb();
	read_ull(SYSFS_CLASS "pinned_bytes", &mod1);
	t_errno(fd, ENOMEM, "%s: %zu KiB over the 1 MiB limit fails with ENOMEM",
		who, len / 1024);
	if (fd >= 0)
		close(fd);
	if (!t_ok(pin1 == pin0 && mod1 == mod0,
		  "%s: the failed create charged nothing", who))
		t_diag("VmPin %lld -> %lld kB, pinned_bytes %llu -> %llu", pin0,
		       pin1, mod0, mod1);
}

/* Returns the fd; checks VmPin grew by exactly len. */
static int expect_charged(int dev, void *p, size_t len, const char *who)
{
	long long pin0 = vmpin_kb(), pin1;
	int fd = ud_create1(dev, p, len, URING_DMABUF_CREATE_CLOEXEC);

	if (!t_ok(fd >= 0, "%s: %zu KiB succeeds", who, len / 1024)) {
		t_diag("create: %s", errname(-fd));
		return -1;
	}
	pin1 = vmpin_kb();
	if (!t_ok(pin1 - pin0 == (long long)(len / 1024),
		  "%s: VmPin grows by %zu kB", who, len / 1024))
		t_diag("VmPin %lld -> %lld kB", pin0, pin1);
	return fd;
}

static void no_cap_checks(int dev, const char *who)
{
	long long pin0 = vmpin_kb();
	int a, b;

	expect_fail(dev, 4 * MIB, who);
	a = expect_charged(dev, mem, 512 * 1024, who);
	b = expect_charged(dev, mem + 512 * 1024, 512 * 1024, who);
	/* Exactly at the limit now: one page more is over it. */
	expect_fail(dev, PAGE_SZ, who);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (!t_ok(vmpin_kb() == pin0, "%s: VmPin back after close", who))
		t_diag("VmPin %lld -> %lld kB", pin0, vmpin_kb());
}

static void child_capset(int dev)
{
	const char *who = "root without CAP_IPC_LOCK";
	int err = set_memlock(LIMIT);

	if (!err)
		err = drop_ipc_lock();
	if (!t_ok(!err, "%s: set RLIMIT_MEMLOCK 1 MiB, drop the capability",
		  who)) {
		t_diag("%s", errname(-err));
		exit(1);
	}
	no_cap_checks(dev, who);
	exit(t_failed());
}

static void child_nobody(int dev)
{
	const char *who = "user nobody";
	int err = set_memlock(LIMIT);

	/* The device was opened as root: it may well be 0600. */
	if (!err && setuid(65534))
		err = -errno;
	if (!t_ok(!err, "%s: set RLIMIT_MEMLOCK 1 MiB, setuid(65534)", who)) {
		t_diag("%s", errname(-err));
		exit(1);
	}
	no_cap_checks(dev, who);
	exit(t_failed());
}

static void child_cap(int dev)
{
	const char *who = "root with CAP_IPC_LOCK";
	long long pin0 = vmpin_kb();
	int fd, err = set_memlock(LIMIT);

	if (!t_ok(!err, "%s: set RLIMIT_MEMLOCK 1 MiB", who))
		exit(1);
	fd = expect_charged(dev, mem, 4 * MIB, who);
	if (fd >= 0)
		close(fd);
	if (!t_ok(vmpin_kb() == pin0, "%s: VmPin back after close", who))
		t_diag("VmPin %lld -> %lld kB", pin0, vmpin_kb());
	exit(t_failed());
}

int main(void)
{
	struct pins base;
	pid_t pid;
	int dev;

	t_init();
	dev = dev_open();
	if (getuid() != 0)
		t_skip_all("needs root (uid %d)", (int)getuid());
	mem = mmap(NULL, 8 * MIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		t_skip_all("mmap 8 MiB: %s", strerror(errno));
	pins_get(&base);

	pid = t_fork();
	if (pid == 0)
		child_capset(dev);
	t_child(pid, "child without CAP_IPC_LOCK passed");

	pid = t_fork();
	if (pid == 0)
		child_nobody(dev);
	t_child(pid, "child as user nobody passed");

	pid = t_fork();
	if (pid == 0)
		child_cap(dev);
	t_child(pid, "child with CAP_IPC_LOCK passed");

	t_pins_back(&base, "after the children: everything released");
	munmap(mem, 8 * MIB);
	close(dev);
	return t_finish();
}
