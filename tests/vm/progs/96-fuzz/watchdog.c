// SPDX-License-Identifier: GPL-2.0
/*
 * The stall watchdog: while the workers run, the call counter must move.
 * When it has not for URING_DMABUF_FUZZ_STALL seconds (default 60; 0 turns
 * the watchdog off), the run is stuck: it says what each thread was doing
 * (its op) and, from /proc, where each thread of ours and each forked child
 * waits (state, wchan, system call, kernel stack), then fails the run and
 * ends it, so that a hang is a "not ok" with evidence, not a bare timeout.
 *
 * It writes with dprintf(): a stuck thread may hold stdout's lock or ours.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static struct worker *const *watched;
static int nr_watched;
static long stall_seconds;
static atomic_int armed;
static pthread_t watchdog_thread;

/* One /proc file, its lines prefixed "#     ". */
static void dump_file(const char *dir, const char *name)
{
	char path[320], buf[4096], *line, *save;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		dprintf(1, "#     %s: %s\n", name, line);
}

/* comm, state, wchan, the system call (its number first) and the kernel stack. */
static void dump_task(const char *dir, const char *who)
{
	dprintf(1, "#   %s (%s)\n", who, dir);
	dump_file(dir, "comm");
	dump_file(dir, "wchan");
	dump_file(dir, "syscall");
	dump_file(dir, "stack");
	{
		char path[320], buf[512];
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s/stat", dir);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
			char *state;

			buf[n] = 0;
			state = strrchr(buf, ')');
			if (state && state[1])
				dprintf(1, "#     state: %c\n", state[2]);
		}
		if (fd >= 0)
			close(fd);
	}
}

/* The parent pid in /proc/PID/stat, or -1. */
static pid_t parent_of(const char *pid)
{
	char path[300], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && strlen(p) > 4 ? (pid_t)atoi(p + 4) : -1;
}

/* Every thread of ours, then every child process (killed afterwards). */
static void dump_tasks(pid_t children[], int *nr_children, int max)
{
	char dir[300];
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/proc/self/task/%s", e->d_name);
		dump_task(dir, "thread");
	}
	if (d)
		closedir(d);
	d = opendir("/proc");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || parent_of(e->d_name) != getpid())
			continue;
		snprintf(dir, sizeof(dir), "/proc/%s", e->d_name);
		dump_task(dir, "forked child");
		if (*nr_children < max)
			children[(*nr_children)++] = (pid_t)atoi(e->d_name);
	}
	if (d)
		closedir(d);
}

static void report_stall(long calls)
{
	pid_t children[64];
	int i, nr_children = 0;

	dprintf(1, "not ok fuzz: stalled: no call for %ld s, at %ld calls (seed %#llx); "
		"what each thread was doing:\n", stall_seconds, calls,
		(unsigned long long)F.seed);
	for (i = 0; i < nr_watched; i++)
		dprintf(1, "#   thread %d (tid %d): op %ld (%s), %ld calls\n", watched[i]->id,
			(int)watched[i]->tid, watched[i]->op_no,
			watched[i]->op ? watched[i]->op : "-", watched[i]->calls);
	dprintf(1, "#   forked children alive: %d\n", atomic_load(&F.children));
	dump_tasks(children, &nr_children, 64);
	dprintf(1, "# replay: URING_DMABUF_FUZZ_SEED=%#llx\n", (unsigned long long)F.seed);
	for (i = 0; i < nr_children; i++)
		kill(children[i], SIGKILL);
	/* Nothing after this would be trustworthy: the stuck threads hold state. */
	_exit(1);
}

static void *watchdog_main(void *arg)
{
	long last = -1, still = 0;

	(void)arg;
	for (;;) {
		long calls;

		sleep(1);
		calls = atomic_load(F.calls);
		if (!atomic_load(&armed) || calls != last) {
			last = calls;
			still = 0;
			continue;
		}
		if (++still >= stall_seconds)
			report_stall(calls);
	}
	return NULL;
}

void watchdog_start(struct worker *const *ws, int n)
{
	const char *v = getenv("URING_DMABUF_FUZZ_STALL");

	stall_seconds = v && *v ? strtol(v, NULL, 0) : 60;
	watched = ws;
	nr_watched = n;
	if (stall_seconds > 0)
		pthread_create(&watchdog_thread, NULL, watchdog_main, NULL);
}

void watchdog_arm(int on)
{
	atomic_store(&armed, on);
}
