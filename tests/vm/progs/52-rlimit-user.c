// SPDX-License-Identifier: GPL-2.0
/*
 * RLIMIT_MEMLOCK holds the USER, not the creating mm: user nobody (uid
 * 65534) with a low limit cannot get past it by execve() (a fresh mm starts
 * at zero), by creating in children that pass the fds back over SCM_RIGHTS
 * and exit, or by fork(). The charge goes when the dma-buf is released,
 * whoever closes it, also a process of another user it was passed to
 * (which is charged nothing). CAP_IPC_LOCK lifts the limit (and does not
 * touch nobody's), but not the CAP_IPC_LOCK of a user namespace's root that
 * nobody made: that root is nobody, charged as nobody, and cannot raise
 * its limit. max_pinned_mb holds everyone, and CREATE_FIXED pays for its
 * own pin on top of io_uring's, exactly 2N for N registered bytes (also in
 * such a namespace). Every failure charges nothing.
 *
 * Each case runs in children so the limits and credentials die with them;
 * the exec case re-executes this program (EXEC_ARG, state in argv).
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/capability.h>

#include "common.h"
#include "uring.h"

#define NOBODY 65534
/* A second unprivileged user (no passwd entry needed), for fd passing. */
#define OTHER_USER 4242
/* RLIMIT_MEMLOCK of nobody in most cases. */
#define LIMIT (8 * MIB)
/* Each SCM_RIGHTS child's buffer: two fit the limit, the third does not. */
#define CHUNK (4 * MIB)
/* The registered buffer of the CREATE_FIXED case. */
#define FIXED_LEN (2 * MIB)
/* The module-wide cap set for the max_pinned_mb case, above the base. */
#define CAP_MB 16

#define EXEC_ARG "--exec-round"
/* Round 0 creates, 1 and 2 try again after execve(), 3 cleans up. */
#define EXEC_LAST 3
#define EXEC_MAX_FDS 8

extern char **environ;

static int dev;
static char self_exe[PATH_MAX];

/* --- what an unprivileged process can read ------------------------------ */

/* Without root there is no stat_refresh: VmPin and the module counters. */
struct light {
	long long vmpin_kb;
	long long bytes;
	long long buffers;
};

static void light_get(struct light *l)
{
	l->vmpin_kb = vmpin_kb();
	l->bytes = mod_counter("pinned_bytes");
	l->buffers = mod_counter("buffers");
}

static void light_diag(const struct light *a, const struct light *b)
{
	t_diag("VmPin %lld -> %lld kB, pinned_bytes %lld -> %lld, buffers %lld -> %lld",
	       a->vmpin_kb, b->vmpin_kb, a->bytes, b->bytes, a->buffers,
	       b->buffers);
}

/*
 * ret: what a create returned. Passes if it is -ENOMEM and VmPin and the
 * module counters did not move. Returns ret if it is an fd (the create
 * escaped the limit: the caller decides what to do with it), else -1.
 */
static int check_enomem(long ret, const struct light *before, const char *what)
{
	struct light after;

	light_get(&after);
	t_errno(ret, ENOMEM, "%s fails with ENOMEM", what);
	if (ret >= 0) {
		t_diag("the create escaped the limit: pinned_bytes %lld -> %lld",
		       before->bytes, after.bytes);
		return ret;
	}
	if (!t_ok(after.vmpin_kb == before->vmpin_kb &&
		  after.bytes == before->bytes &&
		  after.buffers == before->buffers,
		  "%s: the failed create charged nothing", what))
		light_diag(before, &after);
	return -1;
}

/* Passes if ret is an fd and VmPin and pinned_bytes grew by len. */
static int check_created(long ret, const struct light *before, size_t len,
			 const char *what)
{
	struct light after;

	light_get(&after);
	if (!t_ok(ret >= 0, "%s succeeds", what)) {
		t_diag("create: %s", errname(-ret));
		return -1;
	}
	if (!t_ok(after.bytes - before->bytes == (long long)len &&
		  after.vmpin_kb - before->vmpin_kb == (long long)(len / 1024),
		  "%s: pinned_bytes and VmPin grow by %zu KiB", what,
		  len / 1024))
		light_diag(before, &after);
	return ret;
}

static int create_enomem(const void *p, size_t len, const char *what)
{
	struct light before;

	light_get(&before);
	return check_enomem(ud_create1(dev, p, len, 0), &before, what);
}

static int create_ok(const void *p, size_t len, unsigned int flags,
		     const char *what)
{
	struct light before;

	light_get(&before);
	return check_created(ud_create1(dev, p, len, flags), &before, len, what);
}

/* pinned_bytes is exactly base + extra. */
static int t_bytes_at(long long base, long long extra, const char *fmt, ...)
	PRINTF(3, 4);
static int t_bytes_at(long long base, long long extra, const char *fmt, ...)
{
	long long now = mod_counter("pinned_bytes");
	char desc[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	if (t_ok(now - base == extra, "%s", desc))
		return 1;
	t_diag("pinned_bytes %lld, want %lld + %lld", now, base, extra);
	return 0;
}

/* --- credentials and memory --------------------------------------------- */

static int set_memlock(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl) ? -errno : 0;
}

static int has_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	return !!(data[0].effective & (1U << CAP_IPC_LOCK));
}

/* In a child: RLIMIT_MEMLOCK = limit, then uid/gid @uid without caps. */
static void become_user(uid_t uid, const char *name, rlim_t limit,
			const char *what)
{
	int err = set_memlock(limit);

	if (!err && setgroups(0, NULL))
		err = -errno;
	if (!err && setgid(uid))
		err = -errno;
	if (!err && setuid(uid))
		err = -errno;
	if (!err && (getuid() != uid || geteuid() != uid))
		err = -EPERM;
	if (!err && has_ipc_lock() != 0)
		err = -EPERM;
	if (!t_ok(!err, "%s: user %s with RLIMIT_MEMLOCK %llu KiB, no "
		  "CAP_IPC_LOCK", what, name, (unsigned long long)limit / 1024)) {
		t_diag("%s", errname(-err));
		exit(1);
	}
}

static void become_nobody(rlim_t limit, const char *what)
{
	become_user(NOBODY, "nobody", limit, what);
}

/*
 * After become_nobody(): a new user namespace in which this process is
 * root (uid and gid 0 mapped to nobody) with every capability there,
 * CAP_IPC_LOCK included. Exits on failure.
 */
static void enter_userns(const char *what)
{
	int err = 0;

	/* setuid() left it non-dumpable: its uid_map would be root's. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		err = -errno;
	if (!err && unshare(CLONE_NEWUSER))
		err = -errno;
	if (!err)
		err = write_text("/proc/self/setgroups", "deny");
	if (!err)
		err = write_text("/proc/self/uid_map", "0 65534 1");
	if (!err)
		err = write_text("/proc/self/gid_map", "0 65534 1");
	if (!err && (getuid() != 0 || geteuid() != 0))
		err = -EPERM;
	if (!err && has_ipc_lock() != 1)
		err = -EPERM;
	if (!t_ok(!err, "%s: nobody in a new user namespace is uid 0 there "
		  "with CAP_IPC_LOCK", what)) {
		t_diag("%s (uid %d)", errname(-err), (int)getuid());
		exit(1);
	}
}

/* Populated private anonymous memory, or the child gives up. */
static unsigned char *populated(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		t_ok(0, "mmap %zu KiB", len / 1024);
		t_diag("mmap: %s", strerror(errno));
		exit(1);
	}
	return p;
}

/* --- a) execve() ---------------------------------------------------------- */

/* Never returns: executes round `round` of this program with the state. */
static void exec_next(const char *exe, int round, long long base,
		      int failed, const int *fds, int nfds)
{
	char a_round[16], a_dev[16], a_base[32], a_failed[16];
	char a_fds[EXEC_MAX_FDS * 12 + 1] = "";
	char *argv[] = { (char *)exe, EXEC_ARG, a_round, a_dev, a_base,
			 a_failed, a_fds, NULL };
	size_t off = 0;
	int i;

	snprintf(a_round, sizeof(a_round), "%d", round);
	snprintf(a_dev, sizeof(a_dev), "%d", dev);
	snprintf(a_base, sizeof(a_base), "%lld", base);
	snprintf(a_failed, sizeof(a_failed), "%d", failed || t_failed());
	for (i = 0; i < nfds; i++)
		off += snprintf(a_fds + off, sizeof(a_fds) - off, "%s%d",
				i ? "," : "", fds[i]);
	fflush(stdout);
	fflush(stderr);
	execve(exe, argv, environ);
	t_ok(0, "exec round %d: execve(%s)", round, exe);
	t_diag("execve: %s", strerror(errno));
	exit(1);
}

/*
 * A round after execve(): argv is EXEC_ARG ROUND DEV BASE FAILED FDS. The
 * fds (not close-on-exec) are the dma-bufs this chain holds; BASE is
 * pinned_bytes before round 0 created.
 */
static void exec_round(int argc, char **argv)
{
	int fds[EXEC_MAX_FDS], nfds = 0, round, failed, held = 1, i, fd;
	unsigned char *mem;
	long long base;
	char *s, *end;
	char what[160];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 7) {
		t_ok(0, "exec round: %d arguments", argc);
		exit(1);
	}
	round = atoi(argv[2]);
	dev = atoi(argv[3]);
	base = atoll(argv[4]);
	failed = atoi(argv[5]);
	for (s = argv[6]; *s && nfds < EXEC_MAX_FDS; s = end + (*end == ',')) {
		fds[nfds++] = strtol(s, &end, 10);
		if (end == s)
			break;
	}
	for (i = 0; i < nfds; i++)
		held &= fcntl(fds[i], F_GETFD) >= 0;
	t_ok(held && fcntl(dev, F_GETFD) >= 0 && getuid() == NOBODY,
	     "exec round %d: still user nobody, the device fd and %d dma-buf "
	     "fd(s) survived execve()", round, nfds);
	t_diag("exec round %d: VmPin of the fresh mm %lld kB", round,
	       vmpin_kb());

	if (round < EXEC_LAST) {
		/* Round 1 asks for the whole limit again, round 2 a page. */
		size_t len = round == 1 ? LIMIT : PAGE_SZ;

		t_bytes_at(base, LIMIT, "exec round %d: pinned_bytes still "
			   "holds round 0's 8 MiB", round);
		mem = populated(len);
		snprintf(what, sizeof(what), "exec round %d: nobody at its "
			 "8 MiB limit (held across execve()), create of %zu KiB",
			 round, len / 1024);
		fd = create_enomem(mem, len, what);
		/* An escaped buffer stays held: the next rounds show it. */
		if (fd >= 0 && nfds < EXEC_MAX_FDS)
			fds[nfds++] = fd;
		else if (fd >= 0)
			close(fd);
		munmap(mem, len);
		exec_next(argv[0], round + 1, base, failed, fds, nfds);
	}

	for (i = 0; i < nfds; i++)
		close(fds[i]);
	t_bytes_at(base, 0, "exec last round: closing the held dma-buf(s) "
		   "brings pinned_bytes back");
	mem = populated(LIMIT);
	fd = create_ok(mem, LIMIT, URING_DMABUF_CREATE_CLOEXEC,
		       "exec last round: the user is uncharged, 8 MiB");
	if (fd >= 0)
		close(fd);
	t_bytes_at(base, 0, "exec last round: pinned_bytes back after close");
	munmap(mem, LIMIT);
	close(dev);
	exit(failed || t_failed());
}

static void test_exec(void)
{
	struct pins base;
	unsigned char *mem;
	long long bytes;
	pid_t pid;
	int fd;

	pins_get(&base);
	pid = t_fork();
	if (pid == 0) {
		become_nobody(LIMIT, "exec round 0");
		/* A copy of the device fd that survives execve(). */
		dev = dup(dev);
		mem = populated(LIMIT);
		bytes = mod_counter("pinned_bytes");
		fd = create_ok(mem, LIMIT, 0,
			       "exec round 0: nobody creates 8 MiB (not CLOEXEC)");
		if (fd < 0)
			exit(1);
		exec_next(self_exe, 1, bytes, 0, &fd, 1);
	}
	t_child(pid, "exec: the chain of execve() rounds passed");
	t_pins_back(&base, "exec: everything released");
}

/* --- b) SCM_RIGHTS ------------------------------------------------------ */

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte = 'D';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

/* The fd that came with the byte, -1 if none (or no byte). */
static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * A child as nobody creates len bytes, expecting success (want 0) or
 * ENOMEM, and sends whatever fd it got to the parent (send), then exits.
 */
static pid_t scm_child(int sock, size_t len, int want, int send,
		       const char *what)
{
	unsigned char *mem;
	pid_t pid = t_fork();
	int fd;

	if (pid != 0)
		return pid;
	become_nobody(LIMIT, what);
	mem = populated(len);
	if (want)
		fd = create_enomem(mem, len, what);
	else
		fd = create_ok(mem, len, URING_DMABUF_CREATE_CLOEXEC, what);
	if (!send && fd >= 0) {
		close(fd);
		fd = -1;
	}
	if (!t_ok(send_fd(sock, fd) == 0, "%s: send to the parent", what))
		exit(1);
	exit(t_failed());
}

static void test_scm(void)
{
	static const char *const names[] = { "first", "second", "third" };
	int sv[2], fds[3], nfds = 0, i, fd;
	char what[128];
	struct pins base;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		t_ok(0, "scm: socketpair");
		return;
	}
	pins_get(&base);
	for (i = 0; i < 3; i++) {
		snprintf(what, sizeof(what), "scm: %s child (nobody, 8 MiB "
			 "limit) creates 4 MiB", names[i]);
		pid = scm_child(sv[1], CHUNK, i == 2 ? ENOMEM : 0, 1, what);
		fd = pid > 0 ? recv_fd(sv[0]) : -1;
		t_child(pid, "scm: %s child exited", names[i]);
		if (fd >= 0)
			fds[nfds++] = fd;
		t_bytes_at(base.mod_bytes, (long long)(i < 2 ? i + 1 : 2) * CHUNK,
			   "scm: after the %s child exited, the parent holds "
			   "%d MiB", names[i], i < 2 ? 4 * (i + 1) : 8);
	}
	t_ok(nfds == 2, "scm: the parent received 2 dma-buf fds (got %d)",
	     nfds);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	t_pins_back(&base, "scm: the parent (root) closed the fds, everything "
		    "released");
	pid = scm_child(sv[1], LIMIT, 0, 0,
			"scm: after the parent closed the fds, a new nobody "
			"child creates 8 MiB");
	if (pid > 0)
		recv_fd(sv[0]);
	t_child(pid, "scm: the fourth child exited");
	t_pins_back(&base, "scm: the fourth child's buffer released");
	close(sv[0]);
	close(sv[1]);
}

/* --- c) fork() ---------------------------------------------------------- */

static void fork_holder(int fd, int go, unsigned char *mem)
{
	char c;

	if (read(go, &c, 1) != 1)
		exit(2);
	create_enomem(mem, PAGE_SZ, "fork: the child holding the inherited "
		      "8 MiB, create of 4 KiB");
	close(fd);
	exit(t_failed());
}

static void fork_creator(void)
{
	struct light start, now;
	unsigned char *mem;
	int fd, go[2];
	pid_t pid;

	become_nobody(LIMIT, "fork");
	mem = populated(LIMIT);
	light_get(&start);
	fd = create_ok(mem, LIMIT, 0, "fork: nobody creates 8 MiB");
	if (fd < 0 || pipe(go))
		exit(1);
	pid = t_fork();
	if (pid == 0) {
		close(go[1]);
		fork_holder(fd, go[0], mem);
	}
	close(go[0]);
	close(fd);
	light_get(&now);
	if (!t_ok(now.bytes - start.bytes == LIMIT &&
		  now.vmpin_kb - start.vmpin_kb == LIMIT / 1024,
		  "fork: the creator closed its copy, the child's keeps "
		  "pinned_bytes and the creator's VmPin at 8 MiB"))
		light_diag(&start, &now);
	fd = create_enomem(mem, PAGE_SZ, "fork: the creator after closing "
			   "its copy (the child holds it), create of 4 KiB");
	if (fd >= 0)
		close(fd);
	if (write(go[1], "g", 1) != 1)
		t_diag("write to the holder: %s", strerror(errno));
	close(go[1]);
	t_child(pid, "fork: the holding child passed");
	light_get(&now);
	if (!t_ok(now.bytes == start.bytes && now.vmpin_kb == start.vmpin_kb,
		  "fork: the last holder closed, pinned_bytes and VmPin back"))
		light_diag(&start, &now);
	fd = create_ok(mem, LIMIT, 0, "fork: then the user creates 8 MiB "
		       "again");
	if (fd >= 0)
		close(fd);
	exit(t_failed());
}

static void test_fork(void)
{
	struct pins base;
	pid_t pid;

	pins_get(&base);
	pid = t_fork();
	if (pid == 0)
		fork_creator();
	t_child(pid, "fork: the creating child passed");
	t_pins_back(&base, "fork: everything released");
}

/* --- d) CAP_IPC_LOCK ------------------------------------------------------ */

static void cap_nobody(void)
{
	unsigned char *mem;
	int fd, extra;

	become_nobody(LIMIT, "cap");
	mem = populated(LIMIT);
	fd = create_ok(mem, LIMIT, 0, "cap: nobody creates its 8 MiB while "
		       "root holds 16 MiB");
	extra = create_enomem(mem, PAGE_SZ, "cap: nobody at its limit, "
			      "create of 4 KiB");
	if (extra >= 0)
		close(extra);
	if (fd >= 0)
		close(fd);
	exit(t_failed());
}

static void cap_root(void)
{
	unsigned char *mem;
	pid_t pid;
	int fd;

	if (!t_ok(!set_memlock(MIB) && has_ipc_lock() == 1,
		  "cap: root with CAP_IPC_LOCK, RLIMIT_MEMLOCK 1 MiB"))
		exit(1);
	mem = populated(2 * LIMIT);
	fd = create_ok(mem, 2 * LIMIT, 0, "cap: root with CAP_IPC_LOCK "
		       "creates 16 MiB past its 1 MiB limit");
	pid = t_fork();
	if (pid == 0)
		cap_nobody();
	t_child(pid, "cap: the nobody child passed");
	if (fd >= 0)
		close(fd);
	exit(t_failed());
}

static void test_cap(void)
{
	struct pins base;
	pid_t pid;

	pins_get(&base);
	pid = t_fork();
	if (pid == 0)
		cap_root();
	t_child(pid, "cap: the root child passed");
	t_pins_back(&base, "cap: everything released");
}

/* --- e) max_pinned_mb ----------------------------------------------------- */

static void capmb_nobody(void)
{
	unsigned char *mem;
	int fd, extra;

	/* A limit that is never what stops it: the cap must. */
	become_nobody(4 * LIMIT, "max_pinned_mb");
	mem = populated(LIMIT);
	extra = create_enomem(mem, LIMIT, "max_pinned_mb: nobody (limit "
			      "32 MiB) 8 MiB past the cap");
	if (extra >= 0)
		close(extra);
	fd = create_ok(mem, CHUNK, 0, "max_pinned_mb: nobody creates 4 MiB "
		       "up to the cap");
	extra = create_enomem(mem + CHUNK, PAGE_SZ, "max_pinned_mb: nobody "
			      "at the cap, create of 4 KiB");
	if (extra >= 0)
		close(extra);
	if (fd >= 0)
		close(fd);
	exit(t_failed());
}

/* headroom: bytes left under the cap; root takes all but CHUNK of it. */
static void capmb_root(size_t headroom)
{
	unsigned char *mem;
	pid_t pid;
	int fd, extra;

	if (!t_ok(!set_memlock(MIB) && has_ipc_lock() == 1,
		  "max_pinned_mb: root with CAP_IPC_LOCK, RLIMIT_MEMLOCK 1 MiB"))
		exit(1);
	mem = populated(headroom);
	fd = create_ok(mem, headroom - CHUNK, 0, "max_pinned_mb: root with "
		       "CAP_IPC_LOCK creates all but 4 MiB of the cap");
	extra = create_enomem(mem, LIMIT, "max_pinned_mb: root with "
			      "CAP_IPC_LOCK, 8 MiB past the cap");
	if (extra >= 0)
		close(extra);
	pid = t_fork();
	if (pid == 0)
		capmb_nobody();
	t_child(pid, "max_pinned_mb: the nobody child passed");
	if (fd >= 0)
		close(fd);
	exit(t_failed());
}

static void test_max_pinned(void)
{
	char orig[64], now[64], val[32];
	unsigned long long cap_mb;
	struct pins base;
	pid_t pid;
	int err;

	err = read_text(SYSFS_PARAM "max_pinned_mb", orig, sizeof(orig));
	if (err < 0) {
		t_skip("no max_pinned_mb parameter", "max_pinned_mb");
		return;
	}
	orig[strcspn(orig, "\n")] = '\0';
	pins_get(&base);
	cap_mb = (base.mod_bytes + MIB - 1) / MIB + CAP_MB;
	snprintf(val, sizeof(val), "%llu", cap_mb);
	err = write_text(SYSFS_PARAM "max_pinned_mb", val);
	if (!t_ok(!err, "max_pinned_mb: set to %s (pinned_bytes now %lld)",
		  val, base.mod_bytes)) {
		t_diag("write: %s", errname(-err));
		return;
	}
	pid = t_fork();
	if (pid == 0)
		capmb_root(cap_mb * MIB - base.mod_bytes);
	t_child(pid, "max_pinned_mb: the root child passed");
	err = write_text(SYSFS_PARAM "max_pinned_mb", orig);
	if (!t_ok(!err && read_text(SYSFS_PARAM "max_pinned_mb", now,
				    sizeof(now)) > 0 &&
		  strtoull(now, NULL, 10) == strtoull(orig, NULL, 10),
		  "max_pinned_mb: restored to %s", orig))
		t_diag("write: %s, reads %s", errname(-err), now);
	t_pins_back(&base, "max_pinned_mb: everything released");
}

/* --- f) CREATE_FIXED ------------------------------------------------------ */

/*
 * As nobody (in a user namespace of its own if userns) with RLIMIT_MEMLOCK
 * limit: register FIXED_LEN, CREATE_FIXED it. Where that succeeds (2L),
 * the two charges are separate: at the limit with both, and after
 * unregistering io_uring's is gone while the dma-buf's stays.
 */
static void fixed_child(rlim_t limit, int want, int userns)
{
	const char *who = userns ? "userns: CREATE_FIXED" : "CREATE_FIXED";
	struct io_uring ring;
	struct light before;
	unsigned char *mem, *other;
	struct iovec iov;
	char lim[32], what[200];
	int ret, fd, more, extra;

	become_nobody(limit, who);
	if (userns)
		enter_userns(who);
	if (limit % MIB)
		snprintf(lim, sizeof(lim), "%llu KiB",
			 (unsigned long long)limit / 1024);
	else
		snprintf(lim, sizeof(lim), "%llu MiB",
			 (unsigned long long)limit / MIB);
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret < 0) {
		t_skip("io_uring not available to user nobody",
		       "%s with RLIMIT_MEMLOCK %s", who, lim);
		t_diag("io_uring_queue_init: %s", errname(-ret));
		exit(0);
	}
	/*
	 * Apart from the registered buffer: in one mapping, a THP across
	 * both would be charged whole by 6.1's io_uring registration.
	 */
	other = populated(FIXED_LEN);
	mem = populated(FIXED_LEN);
	iov.iov_base = mem;
	iov.iov_len = FIXED_LEN;
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (!t_ok(ret == 0, "%s, limit %s: register %lu MiB (io_uring charges "
		  "the user)", who, lim, FIXED_LEN / MIB)) {
		t_diag("io_uring_register_buffers: %s", errname(-ret));
		exit(1);
	}
	snprintf(what, sizeof(what), "%s, limit %s: the whole %lu MiB "
		 "registered buffer", who, lim, FIXED_LEN / MIB);
	light_get(&before);
	ret = uring_create_fixed(&ring, dev, URING_DMABUF_CMD_CREATE_FIXED,
				 IORING_URING_CMD_FIXED, 0, (uintptr_t)mem,
				 FIXED_LEN);
	if (want)
		fd = check_enomem(ret, &before, what);
	else
		fd = check_created(ret, &before, FIXED_LEN, what);
	if (fd >= 0 && !want) {
		snprintf(what, sizeof(what), "%s, limit %s: registration and "
			 "dma-buf hold it all, create of 4 KiB", who, lim);
		more = create_enomem(other, PAGE_SZ, what);
		if (more >= 0)
			close(more);
		/* Unregistering uncharges now; a ring exit would from a worker. */
		io_uring_unregister_buffers(&ring);
		snprintf(what, sizeof(what), "%s, limit %s: unregistered (io_uring's "
			 "charge gone, the dma-buf's kept), create of %lu MiB",
			 who, lim, FIXED_LEN / MIB);
		more = create_ok(other, FIXED_LEN, 0, what);
		snprintf(what, sizeof(what), "%s, limit %s: the dma-buf and that "
			 "create hold it all, create of 4 KiB", who, lim);
		extra = create_enomem(mem, PAGE_SZ, what);
		if (extra >= 0)
			close(extra);
		if (more >= 0)
			close(more);
	}
	if (fd >= 0)
		close(fd);
	io_uring_unregister_buffers(&ring);
	io_uring_queue_exit(&ring);
	exit(t_failed());
}

static int has_create_fixed(void)
{
	struct uring_dmabuf_version ver;

	return ud_version(dev, &ver) != 0 ||
	       (ver.features & URING_DMABUF_FEAT_CREATE_FIXED);
}

static void test_fixed(void)
{
	static const struct {
		rlim_t limit;
		int want;
		const char *name;
	} cases[] = {
		{ FIXED_LEN, ENOMEM, "L" },
		{ 2 * FIXED_LEN - PAGE_SZ, ENOMEM, "2L - 4 KiB" },
		{ 2 * FIXED_LEN, 0, "2L" },
	};
	struct pins base;
	unsigned int i;
	pid_t pid;

	if (!has_create_fixed()) {
		t_skip("no URING_DMABUF_FEAT_CREATE_FIXED", "CREATE_FIXED");
		return;
	}
	pins_get(&base);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid = t_fork();
		if (pid == 0)
			fixed_child(cases[i].limit, cases[i].want, 0);
		t_child(pid, "CREATE_FIXED: the child with the limit %s passed",
			cases[i].name);
		t_pins_back(&base, "CREATE_FIXED with %s: everything released",
			    cases[i].name);
	}
}

/* --- g) a user namespace's root --------------------------------------------- */

/* Debian's switch for unprivileged user namespaces (absent upstream). */
#define USERNS_SYSCTL "/proc/sys/kernel/unprivileged_userns_clone"

/*
 * Nobody's own namespace root: at nobody's limit despite CAP_IPC_LOCK
 * there, unable to raise the limit; holds its buffer until told (go).
 */
static void userns_holder(int ready, int go)
{
	struct rlimit rl = { 2 * LIMIT, 2 * LIMIT };
	unsigned char *mem;
	int fd, more;
	char c;

	become_nobody(LIMIT, "userns");
	enter_userns("userns");
	mem = populated(2 * LIMIT);
	more = create_enomem(mem, 2 * LIMIT, "userns: the namespace root "
			     "(nobody, 8 MiB limit), create of 16 MiB");
	if (more >= 0)
		close(more);
	fd = create_ok(mem, LIMIT, 0, "userns: the namespace root creates "
		       "8 MiB");
	more = create_enomem(mem + LIMIT, PAGE_SZ, "userns: the namespace root "
			     "at nobody's limit, create of 4 KiB");
	if (more >= 0)
		close(more);
	t_errno(setrlimit(RLIMIT_MEMLOCK, &rl) ? -errno : 0, EPERM,
		"userns: the namespace root cannot raise its RLIMIT_MEMLOCK");
	if (write(ready, "r", 1) != 1 || read(go, &c, 1) != 1)
		t_diag("userns: the parent went away");
	if (fd >= 0)
		close(fd);
	exit(t_failed());
}

/* A plain nobody process (no namespace of its own): create len, want or not. */
static void nobody_child(size_t len, int want, const char *what)
{
	pid_t pid = t_fork();
	unsigned char *mem;
	int fd;

	if (pid == 0) {
		become_nobody(LIMIT, what);
		mem = populated(len);
		if (want)
			fd = create_enomem(mem, len, what);
		else
			fd = create_ok(mem, len, 0, what);
		if (fd >= 0)
			close(fd);
		exit(t_failed());
	}
	t_child(pid, "%s: the child passed", what);
}

static void test_userns(void)
{
	int ready[2], go[2], restore = 0;
	char old[16] = "";
	struct pins base;
	pid_t pid;
	char c;

	if (access("/proc/self/ns/user", F_OK)) {
		t_skip("no user namespaces in this kernel (CONFIG_USER_NS)",
		       "userns: a namespace root is charged as nobody");
		return;
	}
	if (read_text(USERNS_SYSCTL, old, sizeof(old)) > 0 && old[0] == '0') {
		if (!t_ok(!write_text(USERNS_SYSCTL, "1"),
			  "userns: allow unprivileged user namespaces"))
			return;
		restore = 1;
	}
	pins_get(&base);
	if (pipe(ready) || pipe(go)) {
		t_ok(0, "userns: pipes");
		return;
	}
	pid = t_fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		userns_holder(ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	if (pid > 0 && read(ready[0], &c, 1) == 1) {
		t_bytes_at(base.mod_bytes, LIMIT, "userns: the namespace root "
			   "holds 8 MiB");
		nobody_child(PAGE_SZ, ENOMEM, "userns: nobody outside the "
			       "namespace, whose root holds 8 MiB, create of "
			       "4 KiB");
	}
	if (write(go[1], "g", 1) != 1)
		t_diag("userns: the holder went away");
	close(go[1]);
	close(ready[0]);
	t_child(pid, "userns: the namespace root passed");
	t_pins_back(&base, "userns: the namespace root exited, everything "
		    "released");
	nobody_child(LIMIT, 0, "userns: then nobody outside creates 8 MiB");

	if (has_create_fixed()) {
		pid = t_fork();
		if (pid == 0)
			fixed_child(FIXED_LEN, ENOMEM, 1);
		t_child(pid, "userns: CREATE_FIXED: the child with the limit L "
			"passed");
		pid = t_fork();
		if (pid == 0)
			fixed_child(2 * FIXED_LEN, 0, 1);
		t_child(pid, "userns: CREATE_FIXED: the child with the limit 2L "
			"passed");
		t_pins_back(&base, "userns: CREATE_FIXED: everything released");
	} else {
		t_skip("no URING_DMABUF_FEAT_CREATE_FIXED", "userns: CREATE_FIXED");
	}
	if (restore)
		t_ok(!write_text(USERNS_SYSCTL, old), "userns: %s restored",
		     USERNS_SYSCTL);
}

/* --- h) SCM_RIGHTS to another user ------------------------------------------ */

/*
 * User OTHER_USER receives nobody's dma-buf: its own limit is untouched
 * (it creates its whole limit besides); it closes the fd when told.
 */
static void other_receiver(int sock)
{
	unsigned char *mem;
	int fd, own;
	char c;

	become_user(OTHER_USER, "4242", LIMIT, "scm to another user");
	fd = recv_fd(sock);
	if (!t_ok(fd >= 0, "scm to another user: user 4242 received nobody's "
		  "dma-buf"))
		exit(1);
	mem = populated(LIMIT);
	own = create_ok(mem, LIMIT, 0, "scm to another user: user 4242 "
			"(8 MiB limit), holding nobody's 8 MiB, creates 8 MiB of "
			"its own");
	if (own >= 0)
		close(own);
	if (write(sock, "r", 1) != 1 || read(sock, &c, 1) != 1)
		t_diag("scm to another user: the parent went away");
	close(fd);
	if (write(sock, "c", 1) != 1)
		t_diag("scm to another user: the parent went away");
	exit(t_failed());
}

static void test_scm_other_user(void)
{
	struct pins base;
	pid_t receiver, creator;
	int sv[2];
	char c;

	pins_get(&base);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		t_ok(0, "scm to another user: socketpair");
		return;
	}
	receiver = t_fork();
	if (receiver == 0) {
		close(sv[0]);
		other_receiver(sv[1]);
	}
	/* The receiver's end is its alone: its exit is EOF here. */
	close(sv[1]);
	creator = scm_child(sv[0], LIMIT, 0, 1, "scm to another user: nobody "
			    "creates 8 MiB and sends it to user 4242");
	t_child(creator, "scm to another user: the creator exited");
	if (receiver > 0 && read(sv[0], &c, 1) == 1) {
		t_bytes_at(base.mod_bytes, LIMIT, "scm to another user: "
			   "nobody's 8 MiB lives on in user 4242's process");
		nobody_child(PAGE_SZ, ENOMEM, "scm to another user: nobody, "
			       "whose 8 MiB user 4242 holds, create of 4 KiB");
	}
	if (write(sv[0], "g", 1) != 1 || read(sv[0], &c, 1) != 1)
		t_diag("scm to another user: the receiver went away");
	t_bytes_at(base.mod_bytes, 0, "scm to another user: user 4242 closed "
		   "it, pinned_bytes back");
	t_child(receiver, "scm to another user: the receiver passed");
	nobody_child(LIMIT, 0, "scm to another user: then nobody creates "
		       "8 MiB (uncharged by user 4242's close)");
	close(sv[0]);
	t_pins_back(&base, "scm to another user: everything released");
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], EXEC_ARG))
		exec_round(argc, argv);
	t_init();
	dev = dev_open();
	if (getuid() != 0)
		t_skip_all("needs root (uid %d)", (int)getuid());
	if (has_ipc_lock() != 1)
		t_skip_all("needs CAP_IPC_LOCK");
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		t_skip_all("readlink /proc/self/exe: %s", strerror(errno));
	self_exe[n] = '\0';

	test_exec();
	test_scm();
	test_scm_other_user();
	test_fork();
	test_cap();
	test_max_pinned();
	test_fixed();
	test_userns();
	close(dev);
	return t_finish();
}
