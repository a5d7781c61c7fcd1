// SPDX-License-Identifier: MIT
/*
 * The steering journal: what uring_dmabuf_steer_apply() changed on a NIC,
 * with the values it found, written before each change so that a crash
 * leaves enough behind to put the NIC back. One text file per device,
 * replaced atomically (write, fsync, rename), in a root-only directory.
 *
 *	uring-dmabuf-steer-journal 1
 *	ifname sim0b
 *	ifindex 5
 *	pid 1234
 *	split 1			tcp-data-split found (ETHTOOL_TCP_DATA_SPLIT_*)
 *	hds-thresh 256		hds-thresh found
 *	ntuple off		ntuple was off
 *	rule tcp4 5201 1 7	flow type, port, queue, location ("-": not known yet)
 *	rss 4 0 1 2 3		the indirection table found, size first
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "steer.h"

/* A name the kernel could have given, and safe as a file name. */
int urd_ifname_ok(const char *ifname)
{
	size_t len, i;

	if (!ifname)
		return 0;
	len = strnlen(ifname, IF_NAMESIZE);
	if (!len || len >= IF_NAMESIZE || !strcmp(ifname, ".") ||
	    !strcmp(ifname, ".."))
		return 0;
	for (i = 0; i < len; i++)
		if (ifname[i] == '/' || ifname[i] == ':' ||
		    ifname[i] <= ' ' || ifname[i] == 0x7f)
			return 0;
	return 1;
}

int urd_journal_path(const char *dir, const char *ifname, char *buf,
		     size_t size)
{
	int n;

	if (!urd_ifname_ok(ifname))
		return -EINVAL;
	n = snprintf(buf, size, "%s/%s.journal", dir, ifname);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static const char *flow_name(uint32_t flow_type)
{
	return flow_type == URD_FLOW_TCP6 ? "tcp6" : "tcp4";
}

int urd_journal_format(const struct uring_dmabuf_steer *s, char **out,
		       size_t *len)
{
	FILE *f = open_memstream(out, len);
	unsigned int i;

	if (!f)
		return -ENOMEM;
	fprintf(f, "%s\nifname %s\nifindex %u\npid %ld\n", URD_JOURNAL_MAGIC,
		s->ifname, s->ifindex, s->pid);
	if (s->split_changed)
		fprintf(f, "split %u\n", s->old_split);
	if (s->thresh_changed)
		fprintf(f, "hds-thresh %u\n", s->old_thresh);
	if (s->ntuple_changed)
		fprintf(f, "ntuple off\n");
	for (i = 0; i < s->nr_rules; i++) {
		const struct urd_steer_rule *r = &s->rules[i];

		fprintf(f, "rule %s %u %u ", flow_name(r->flow_type), r->port,
			r->queue);
		if (r->loc == URD_LOC_UNKNOWN)
			fprintf(f, "-\n");
		else
			fprintf(f, "%ld\n", r->loc);
	}
	if (s->rss_changed) {
		fprintf(f, "rss %u", s->rss_size);
		for (i = 0; i < s->rss_size; i++)
			fprintf(f, " %u", s->rss_old[i]);
		fprintf(f, "\n");
	}
	if (fclose(f)) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* One unsigned number of at most @max from *@p; moves *@p past it. */
static int take_u(const char **p, unsigned long max, unsigned long *v)
{
	const char *s = *p;
	char *end;

	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return -EBADMSG;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *v > max || (*end != ' ' && *end != '\0'))
		return -EBADMSG;
	*p = end;
	return 0;
}

static int take_word(const char **p, const char *word)
{
	const char *s = *p;
	size_t n = strlen(word);

	while (*s == ' ')
		s++;
	if (strncmp(s, word, n) || (s[n] != ' ' && s[n] != '\0'))
		return -EBADMSG;
	*p = s + n;
	return 0;
}

static int at_end(const char *p)
{
	while (*p == ' ')
		p++;
	return *p == '\0' ? 0 : -EBADMSG;
}

static int parse_rule(const char *p, struct uring_dmabuf_steer *s)
{
	struct urd_steer_rule *r;
	unsigned long v;

	if (s->nr_rules >= URING_DMABUF_STEER_MAX_PORTS)
		return -EBADMSG;
	r = &s->rules[s->nr_rules];
	if (!take_word(&p, "tcp4"))
		r->flow_type = URD_FLOW_TCP4;
	else if (!take_word(&p, "tcp6"))
		r->flow_type = URD_FLOW_TCP6;
	else
		return -EBADMSG;
	if (take_u(&p, 65535, &v) || !v)
		return -EBADMSG;
	r->port = (uint16_t)v;
	if (take_u(&p, UINT32_MAX, &v))
		return -EBADMSG;
	r->queue = (uint32_t)v;
	if (!take_word(&p, "-")) {
		r->loc = URD_LOC_UNKNOWN;
	} else {
		if (take_u(&p, UINT32_MAX, &v))
			return -EBADMSG;
		r->loc = (long)v;
	}
	if (at_end(p))
		return -EBADMSG;
	s->nr_rules++;
	return 0;
}

static int parse_rss(const char *p, struct uring_dmabuf_steer *s)
{
	unsigned long v;
	uint32_t i;

	if (s->rss_changed || take_u(&p, URD_RSS_MAX, &v) || !v)
		return -EBADMSG;
	s->rss_old = calloc(v, sizeof(*s->rss_old));
	if (!s->rss_old)
		return -ENOMEM;
	s->rss_size = (uint32_t)v;
	s->rss_changed = 1;
	for (i = 0; i < s->rss_size; i++) {
		if (take_u(&p, UINT32_MAX, &v))
			return -EBADMSG;
		s->rss_old[i] = (uint32_t)v;
	}
	return at_end(p);
}

static int parse_line(const char *p, struct uring_dmabuf_steer *s)
{
	unsigned long v;

	if (!take_word(&p, "ifname")) {
		while (*p == ' ')
			p++;
		if (!urd_ifname_ok(p))
			return -EBADMSG;
		strcpy(s->ifname, p);
		return 0;
	}
	if (!take_word(&p, "ifindex")) {
		if (take_u(&p, UINT32_MAX, &v))
			return -EBADMSG;
		s->ifindex = (unsigned int)v;
		return at_end(p);
	}
	if (!take_word(&p, "pid")) {
		if (take_u(&p, INT_MAX, &v))
			return -EBADMSG;
		s->pid = (long)v;
		return at_end(p);
	}
	if (!take_word(&p, "split")) {
		if (s->split_changed || take_u(&p, 255, &v))
			return -EBADMSG;
		s->split_changed = 1;
		s->old_split = (uint8_t)v;
		return at_end(p);
	}
	if (!take_word(&p, "hds-thresh")) {
		if (s->thresh_changed || take_u(&p, UINT32_MAX, &v))
			return -EBADMSG;
		s->thresh_changed = 1;
		s->old_thresh = (uint32_t)v;
		return at_end(p);
	}
	if (!take_word(&p, "ntuple")) {
		if (s->ntuple_changed || take_word(&p, "off"))
			return -EBADMSG;
		s->ntuple_changed = 1;
		return at_end(p);
	}
	if (!take_word(&p, "rule"))
		return parse_rule(p, s);
	if (!take_word(&p, "rss"))
		return parse_rss(p, s);
	return -EBADMSG;
}

/*
 * Fills @s (zeroed here; s->rss_old to be freed by the caller, also on
 * error) from the journal @text. -EBADMSG for anything but a journal of
 * this version.
 */
int urd_journal_parse(const char *text, size_t len,
		      struct uring_dmabuf_steer *s)
{
	char *copy, *line, *next;
	int first = 1, ret = 0;

	memset(s, 0, sizeof(*s));
	if (!len || text[len - 1] != '\n' || memchr(text, '\0', len))
		return -EBADMSG;
	copy = strndup(text, len);
	if (!copy)
		return -ENOMEM;
	for (line = copy; *line && !ret; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		if (first)
			ret = strcmp(line, URD_JOURNAL_MAGIC) ? -EBADMSG : 0;
		else
			ret = parse_line(line, s);
		first = 0;
	}
	free(copy);
	if (!ret && (!s->ifname[0] || !s->ifindex))
		ret = -EBADMSG;
	return ret;
}

/* The directory, root's only: steering is root's business. */
static int make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0077))
		return -EPERM;
	return 0;
}

/*
 * Replaces the journal of s->ifname atomically; with @create, makes it
 * and fails with -EEXIST if there is one (two appliers cannot both win).
 */
int urd_journal_write(const struct uring_dmabuf_steer *s, int create)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	size_t len = 0, done = 0;
	char *text = NULL;
	int fd, ret;

	ret = urd_journal_path(s->dir, s->ifname, path, sizeof(path));
	if (!ret)
		ret = make_dir(s->dir);
	if (ret)
		return ret;
	ret = urd_journal_format(s, &text, &len);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret) {
		if (create)
			ret = link(tmp, path) ? -errno : 0;
		else
			ret = rename(tmp, path) ? -errno : 0;
	}
	if (ret || create)
		unlink(tmp);
	if (!ret) {
		/* The rename itself must reach the disk too. */
		fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
out:
	free(text);
	return ret;
}

/* -ENOENT if there is no journal for @ifname. */
int urd_journal_read(const char *dir, const char *ifname,
		     struct uring_dmabuf_steer *s)
{
	char path[PATH_MAX];
	char *text = NULL;
	ssize_t n;
	size_t len = 0;
	struct stat st;
	int fd, ret;

	memset(s, 0, sizeof(*s));
	ret = urd_journal_path(dir, ifname, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > URD_JOURNAL_MAX) {
		ret = -EBADMSG;
		goto out;
	}
	text = malloc((size_t)st.st_size);
	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, text + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EBADMSG;
			goto out;
		}
		len += (size_t)n;
	}
	ret = urd_journal_parse(text, len, s);
	if (!ret && strcmp(s->ifname, ifname))
		ret = -EBADMSG;
	if (!ret)
		snprintf(s->dir, sizeof(s->dir), "%s", dir);
out:
	free(text);
	close(fd);
	return ret;
}

int urd_journal_remove(const struct uring_dmabuf_steer *s)
{
	char path[PATH_MAX];
	int ret = urd_journal_path(s->dir, s->ifname, path, sizeof(path));

	if (ret)
		return ret;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}
