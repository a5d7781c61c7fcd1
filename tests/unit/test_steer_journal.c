// SPDX-License-Identifier: MIT
/*
 * lib/steer_journal.c: the journal's text both ways, strict parsing of
 * what a crash or a hand may leave, interface names that are safe file
 * names, and the files themselves (atomic replace, exclusive create,
 * root-only directory) in a scratch directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "steer.h"

#define T(fn) cmocka_unit_test(fn)

static uint32_t rss_old[8] = { 0, 1, 2, 0, 1, 2, 0, 1 };

static void sample(struct uring_dmabuf_steer *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->ifname, "eth1");
	s->ifindex = 7;
	s->pid = 4242;
	s->split_changed = 1;
	s->old_split = URD_SPLIT_DISABLED;
	s->thresh_changed = 1;
	s->old_thresh = 256;
	s->ntuple_changed = 1;
	s->nr_rules = 2;
	s->rules[0] = (struct urd_steer_rule){ URD_FLOW_TCP4, 5201, 3, 17 };
	s->rules[1] = (struct urd_steer_rule){ URD_FLOW_TCP6, 5202, 4,
					       URD_LOC_UNKNOWN };
	s->rss_changed = 1;
	s->rss_size = 8;
	s->rss_old = rss_old;
}

static const char sample_text[] =
	"uring-dmabuf-steer-journal 1\n"
	"ifname eth1\n"
	"ifindex 7\n"
	"pid 4242\n"
	"split 1\n"
	"hds-thresh 256\n"
	"ntuple off\n"
	"rule tcp4 5201 3 17\n"
	"rule tcp6 5202 4 -\n"
	"rss 8 0 1 2 0 1 2 0 1\n";

static void journal_format__every_step_in_order(void **state)
{
	struct uring_dmabuf_steer s;
	char *text;
	size_t len;

	(void)state;
	sample(&s);
	assert_int_equal(urd_journal_format(&s, &text, &len), 0);
	assert_int_equal(len, strlen(sample_text));
	assert_string_equal(text, sample_text);
	free(text);
}

static void journal_format__only_what_changed(void **state)
{
	struct uring_dmabuf_steer s;
	char *text;
	size_t len;

	(void)state;
	memset(&s, 0, sizeof(s));
	strcpy(s.ifname, "sim0a");
	s.ifindex = 3;
	s.pid = 1;
	assert_int_equal(urd_journal_format(&s, &text, &len), 0);
	assert_string_equal(text, "uring-dmabuf-steer-journal 1\nifname sim0a\nifindex 3\npid 1\n");
	free(text);
}

static void journal_parse__round_trip(void **state)
{
	struct uring_dmabuf_steer s, want;

	(void)state;
	sample(&want);
	assert_int_equal(urd_journal_parse(sample_text, strlen(sample_text), &s), 0);
	assert_string_equal(s.ifname, "eth1");
	assert_int_equal(s.ifindex, 7);
	assert_int_equal(s.pid, 4242);
	assert_true(s.split_changed);
	assert_int_equal(s.old_split, URD_SPLIT_DISABLED);
	assert_true(s.thresh_changed);
	assert_int_equal(s.old_thresh, 256);
	assert_true(s.ntuple_changed);
	assert_int_equal(s.nr_rules, 2);
	assert_memory_equal(&s.rules[0], &want.rules[0], sizeof(s.rules[0]));
	assert_int_equal(s.rules[1].flow_type, URD_FLOW_TCP6);
	assert_int_equal(s.rules[1].port, 5202);
	assert_int_equal(s.rules[1].queue, 4);
	assert_int_equal(s.rules[1].loc, URD_LOC_UNKNOWN);
	assert_true(s.rss_changed);
	assert_int_equal(s.rss_size, 8);
	assert_memory_equal(s.rss_old, rss_old, sizeof(rss_old));
	free(s.rss_old);
}

/* Each line of the sample broken in one way: every one is -EBADMSG. */
static void journal_parse__rejects_damage(void **state)
{
	static const char *const bad[] = {
		"",
		"uring-dmabuf-steer-journal 2\nifname eth1\nifindex 7\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7",	/* no \n */
		"uring-dmabuf-steer-journal 1\nifindex 7\n",		/* no name */
		"uring-dmabuf-steer-journal 1\nifname eth1\n",		/* no index */
		"uring-dmabuf-steer-journal 1\nifname ../x\nifindex 7\n",
		"uring-dmabuf-steer-journal 1\nifname a/b\nifindex 7\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7x\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex -7\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 99999999999\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nsplit 256\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nsplit 1\nsplit 1\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nntuple on\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrule udp4 1 1 1\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrule tcp4 0 1 1\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrule tcp4 65536 1 1\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrule tcp4 80 1\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrule tcp4 80 1 1 9\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrss 4 0 1 2\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrss 2 0 1 2\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrss 0\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrss 99999999 0\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nrss 1 0\nrss 1 0\n",
		"uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\nmystery 1\n",
	};
	struct uring_dmabuf_steer s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = urd_journal_parse(bad[i], strlen(bad[i]), &s);

		free(s.rss_old);
		if (ret != -EBADMSG)
			fail_msg("case %zu: got %d, want -EBADMSG:\n%s", i, ret, bad[i]);
	}
	/* A NUL inside is no journal either. */
	assert_int_equal(urd_journal_parse("uring-dmabuf-steer-journal 1\n\0\n", 31, &s),
			 -EBADMSG);
}

static void journal_parse__at_most_max_ports_rules(void **state)
{
	char text[8192];
	struct uring_dmabuf_steer s;
	size_t n;
	int i;

	(void)state;
	n = (size_t)sprintf(text, "uring-dmabuf-steer-journal 1\nifname e\nifindex 1\n");
	for (i = 1; i <= URING_DMABUF_STEER_MAX_PORTS; i++)
		n += (size_t)sprintf(text + n, "rule tcp4 %d 0 %d\n", i, i);
	assert_int_equal(urd_journal_parse(text, n, &s), 0);
	assert_int_equal(s.nr_rules, URING_DMABUF_STEER_MAX_PORTS);
	n += (size_t)sprintf(text + n, "rule tcp4 9999 0 1\n");
	assert_int_equal(urd_journal_parse(text, n, &s), -EBADMSG);
}

static void ifname_ok__file_name_safe(void **state)
{
	(void)state;
	assert_true(urd_ifname_ok("eth1"));
	assert_true(urd_ifname_ok("enp0s31f6.100"));
	assert_true(urd_ifname_ok("abcdefghijklmno"));		/* 15 */
	assert_false(urd_ifname_ok("abcdefghijklmnop"));	/* 16 */
	assert_false(urd_ifname_ok(""));
	assert_false(urd_ifname_ok(NULL));
	assert_false(urd_ifname_ok("."));
	assert_false(urd_ifname_ok(".."));
	assert_false(urd_ifname_ok("a/b"));
	assert_false(urd_ifname_ok("a b"));
	assert_false(urd_ifname_ok("a\nb"));
	assert_false(urd_ifname_ok("a:b"));
}

static char dir[32];

static int scratch(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/urd-journal-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int scratch_rm(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void journal_write__create_exclusive_then_replace(void **state)
{
	struct uring_dmabuf_steer s, back;
	char path[128], sub[48];
	struct stat st;

	(void)state;
	sample(&s);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(s.dir, sizeof(s.dir), "%s", sub);
	assert_int_equal(urd_journal_write(&s, 1), 0);
	/* The directory is made 0700, the file 0600. */
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/eth1.journal", sub);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A second applier loses; a replacement wins. */
	assert_int_equal(urd_journal_write(&s, 1), -EEXIST);
	s.rules[1].loc = 18;
	assert_int_equal(urd_journal_write(&s, 0), 0);
	assert_int_equal(urd_journal_read(sub, "eth1", &back), 0);
	assert_int_equal(back.rules[1].loc, 18);
	assert_string_equal(back.dir, sub);
	free(back.rss_old);
	/* No temporary file stays behind. */
	snprintf(path, sizeof(path), "%s/eth1.journal.%ld.tmp", sub, (long)getpid());
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(urd_journal_remove(&s), 0);
	assert_int_equal(urd_journal_read(sub, "eth1", &back), -ENOENT);
	assert_int_equal(urd_journal_remove(&s), 0);	/* gone is fine */
}

static void journal_write__refuses_open_directory(void **state)
{
	struct uring_dmabuf_steer s;
	char sub[48];

	(void)state;
	sample(&s);
	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(s.dir, sizeof(s.dir), "%s", sub);
	assert_int_equal(urd_journal_write(&s, 1), -EPERM);
}

static void journal_read__corrupt_and_foreign(void **state)
{
	struct uring_dmabuf_steer s;
	char path[128];
	int fd;

	(void)state;
	assert_int_equal(urd_journal_read(dir, "../etc", &s), -EINVAL);
	snprintf(path, sizeof(path), "%s/eth2.journal", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "garbage\n", 8), 8);
	close(fd);
	assert_int_equal(urd_journal_read(dir, "eth2", &s), -EBADMSG);
	/* A journal that names another device than its file. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, sample_text, strlen(sample_text)),
			 (ssize_t)strlen(sample_text));
	close(fd);
	assert_int_equal(urd_journal_read(dir, "eth2", &s), -EBADMSG);
	free(s.rss_old);
	/* A symlink is not followed. */
	unlink(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(urd_journal_read(dir, "eth2", &s), -ELOOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(journal_format__every_step_in_order),
		T(journal_format__only_what_changed),
		T(journal_parse__round_trip),
		T(journal_parse__rejects_damage),
		T(journal_parse__at_most_max_ports_rules),
		T(ifname_ok__file_name_safe),
		cmocka_unit_test_setup_teardown(journal_write__create_exclusive_then_replace,
						scratch, scratch_rm),
		cmocka_unit_test_setup_teardown(journal_write__refuses_open_directory,
						scratch, scratch_rm),
		cmocka_unit_test_setup_teardown(journal_read__corrupt_and_foreign,
						scratch, scratch_rm),
	};

	return unit_run("steer_journal", tests);
}
