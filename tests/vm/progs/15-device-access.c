// SPDX-License-Identifier: GPL-2.0
/*
 * 15-device-access: what packaging/udev/70-uring-dmabuf.rules does to
 * /dev/uring_dmabuf, applied by hand (the guest has no udev): the rule file
 * is read where make install puts it, its GROUP and MODE are applied to the
 * node, then a process of uid 65534 with that group as a supplementary group
 * opens the device and makes a dma-buf, and one without the group gets
 * EACCES. The group must exist (make install creates it from
 * packaging/sysusers/uring-dmabuf.conf; the initramfs from that file too).
 * The node's owner and mode are put back at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define RULES_DEFAULT "/usr/lib/udev/rules.d/70-uring-dmabuf.rules"
#define NOBODY 65534
#define BUF_LEN (64 * 1024UL)

/* The keys of the rule line that names our device. */
struct rule {
	char kernel[64];	/* KERNEL== */
	char subsystem[64];	/* SUBSYSTEM==, "" if absent */
	char group[64];		/* GROUP= */
	char owner[64];		/* OWNER=, "" if absent */
	char mode[16];		/* MODE= */
};

/*
 * One udev rule line: comma-separated KEY OP "VALUE" items. Copies the
 * values of the keys above; 1 if the line parsed.
 */
static int parse_rule_line(const char *line, struct rule *r)
{
	const char *p = line;

	memset(r, 0, sizeof(*r));
	while (*p) {
		char key[32], op[3], *dst = NULL;
		size_t kl = 0, ol = 0, vl = 0, dsize = 0;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p || *p == '\n')
			break;
		while ((*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '{' ||
		       *p == '}' || (*p >= 'a' && *p <= 'z'))
			if (kl < sizeof(key) - 1)
				key[kl++] = *p++;
			else
				return 0;
		key[kl] = '\0';
		while (*p && strchr("=!+-:", *p) && ol < sizeof(op) - 1)
			op[ol++] = *p++;
		op[ol] = '\0';
		if (!kl || !ol || *p != '"')
			return 0;
		p++;
		if (!strcmp(key, "KERNEL") && !strcmp(op, "=="))
			dst = r->kernel, dsize = sizeof(r->kernel);
		else if (!strcmp(key, "SUBSYSTEM") && !strcmp(op, "=="))
			dst = r->subsystem, dsize = sizeof(r->subsystem);
		else if (!strcmp(key, "GROUP") && strcmp(op, "=="))
			dst = r->group, dsize = sizeof(r->group);
		else if (!strcmp(key, "OWNER") && strcmp(op, "=="))
			dst = r->owner, dsize = sizeof(r->owner);
		else if (!strcmp(key, "MODE") && strcmp(op, "=="))
			dst = r->mode, dsize = sizeof(r->mode);
		while (*p && *p != '"') {
			if (dst && vl < dsize - 1)
				dst[vl++] = *p;
			p++;
		}
		if (*p != '"')
			return 0;
		p++;
	}
	return 1;
}

/* The rule for KERNEL=="uring_dmabuf" in @path; 0 or -errno/-ENOENT. */
static int read_rule(const char *path, struct rule *out)
{
	char line[1024];
	struct rule r;
	FILE *f = fopen(path, "re");
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !parse_rule_line(line, &r))
			continue;
		if (!strcmp(r.kernel, "uring_dmabuf")) {
			*out = r;
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

/* The gid of @name in /etc/group (no NSS in a static binary), or -1. */
static long group_gid(const char *name)
{
	char line[512];
	size_t n = strlen(name);
	FILE *f = fopen("/etc/group", "re");
	long gid = -1;

	while (f && gid < 0 && fgets(line, sizeof(line), f)) {
		char *colon;

		if (strncmp(line, name, n) || line[n] != ':')
			continue;
		colon = strchr(line + n + 1, ':');
		if (colon)
			gid = strtol(colon + 1, NULL, 10);
	}
	if (f)
		fclose(f);
	return gid;
}

/* In a child: uid and gid 65534, @gid the only extra group (-1: none). */
static int become_nobody(long gid)
{
	gid_t g = gid;

	if (setgroups(gid >= 0 ? 1 : 0, &g) || setgid(NOBODY) ||
	    setuid(NOBODY)) {
		t_ok(0, "drop to uid %d", NOBODY);
		t_diag("%s", strerror(errno));
		return 0;
	}
	return 1;
}

/* uid 65534 in the rule's group: opens the device and makes a dma-buf. */
static void child_member(const char *group, long gid)
{
	unsigned char *mem;
	int dev, fd;

	if (!become_nobody(gid))
		exit(1);
	dev = open(URING_DMABUF_DEVICE, O_RDWR | O_CLOEXEC);
	if (!t_ok(dev >= 0, "uid %d in group %s opens %s", NOBODY, group,
		  URING_DMABUF_DEVICE)) {
		t_diag("open: %s", strerror(errno));
		exit(1);
	}
	mem = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fd = mem == MAP_FAILED ? -ENOMEM :
		ud_create1(dev, mem, BUF_LEN, URING_DMABUF_CREATE_CLOEXEC);
	if (!t_ok(fd >= 0, "uid %d in group %s creates a 64 KiB dma-buf",
		  NOBODY, group))
		t_diag("create: %s", errname(-fd));
	else
		close(fd);
	close(dev);
	exit(t_failed());
}

/* uid 65534 without it: EACCES for reading and for writing. */
static void child_outsider(const char *group)
{
	static const struct {
		int flags;
		const char *name;
	} modes[] = {
		{ O_RDWR, "O_RDWR" },
		{ O_RDONLY, "O_RDONLY" },
	};
	unsigned int i;
	int fd;

	if (!become_nobody(-1))
		exit(1);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		fd = open(URING_DMABUF_DEVICE, modes[i].flags | O_CLOEXEC);
		if (!t_ok(fd < 0 && errno == EACCES,
			  "uid %d outside group %s: open %s fails with EACCES",
			  NOBODY, group, modes[i].name)) {
			t_diag("open: %s", fd < 0 ? errname(errno) : "succeeded");
			if (fd >= 0)
				close(fd);
		}
	}
	exit(t_failed());
}

int main(void)
{
	const char *path = getenv("URING_DMABUF_UDEV_RULES");
	struct stat before, now;
	unsigned long mode;
	struct rule r;
	char *end;
	long gid;
	int ret, fd;
	pid_t pid;

	t_init();
	if (!path || !*path)
		path = RULES_DEFAULT;
	fd = dev_open();	/* skips the whole program without the module */
	close(fd);

	ret = read_rule(path, &r);
	if (!t_ok(!ret, "%s has a rule for KERNEL==\"uring_dmabuf\"", path)) {
		t_diag("%s", strerror(-ret));
		return t_finish();
	}
	t_diag("rule: SUBSYSTEM \"%s\", GROUP \"%s\", OWNER \"%s\", MODE \"%s\"",
	       r.subsystem, r.group, r.owner, r.mode);
	if (r.subsystem[0]) {
		char sys[128];

		snprintf(sys, sizeof(sys), "/sys/class/%s/uring_dmabuf",
			 r.subsystem);
		t_ok(access(sys, F_OK) == 0,
		     "the rule's SUBSYSTEM \"%s\" is the device's (%s)",
		     r.subsystem, sys);
	}
	mode = strtoul(r.mode, &end, 8);
	if (!t_ok(r.group[0] && r.mode[0] && !*end && mode <= 07777,
		  "the rule sets GROUP and an octal MODE"))
		return t_finish();
	if (!t_ok(!(mode & 07), "the rule's MODE %04lo gives others nothing",
		  mode))
		return t_finish();
	gid = group_gid(r.group);
	if (!t_ok(gid > 0, "group %s exists (sysusers.d) with gid %ld",
		  r.group, gid))
		return t_finish();
	if (r.owner[0] && !t_ok(!strcmp(r.owner, "root"),
				"the rule's OWNER is root"))
		return t_finish();

	if (stat(URING_DMABUF_DEVICE, &before)) {
		t_ok(0, "stat %s", URING_DMABUF_DEVICE);
		return t_finish();
	}
	t_diag("%s before: mode %04o, uid %u, gid %u", URING_DMABUF_DEVICE,
	       before.st_mode & 07777, before.st_uid, before.st_gid);

	/* What udev does with the rule: group, then mode. */
	if (!t_ok(!chown(URING_DMABUF_DEVICE, 0, gid) &&
		  !chmod(URING_DMABUF_DEVICE, mode) &&
		  !stat(URING_DMABUF_DEVICE, &now) &&
		  (now.st_mode & 07777) == mode && now.st_gid == (gid_t)gid &&
		  now.st_uid == 0,
		  "apply the rule: %s root:%s mode %04lo", URING_DMABUF_DEVICE,
		  r.group, mode)) {
		t_diag("%s", strerror(errno));
	} else {
		pid = t_fork();
		if (pid == 0)
			child_member(r.group, gid);
		t_child(pid, "uid %d in group %s", NOBODY, r.group);
		pid = t_fork();
		if (pid == 0)
			child_outsider(r.group);
		t_child(pid, "uid %d outside group %s", NOBODY, r.group);
	}

	if (!t_ok(!chown(URING_DMABUF_DEVICE, before.st_uid, before.st_gid) &&
		  !chmod(URING_DMABUF_DEVICE, before.st_mode & 07777) &&
		  !stat(URING_DMABUF_DEVICE, &now) &&
		  now.st_mode == before.st_mode && now.st_uid == before.st_uid &&
		  now.st_gid == before.st_gid,
		  "restore %s to mode %04o, uid %u, gid %u", URING_DMABUF_DEVICE,
		  before.st_mode & 07777, before.st_uid, before.st_gid))
		t_diag("%s", strerror(errno));
	return t_finish();
}
