// SPDX-License-Identifier: MIT
/*
 * lib/steer.c against a fake NIC (the urd_* device calls of steer.h are
 * defined here): the order of the steps, the journal written before each
 * change (read back at the moment of the change), the refusals that change
 * nothing, the undo of a half-done apply, restore in reverse order, and the
 * journal replay of restore_dev after a "crash".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "steer.h"

#define NR_LOCS 16

static struct {
	int xdp;
	struct urd_rings rings;
	int ntuple;
	uint32_t nr_rings;
	int present[NR_LOCS];
	struct urd_steer_rule rule[NR_LOCS];
	int special;
	uint32_t rss[8];
	int fail_insert;	/* fail the Nth insert (1-based) with -ENOSPC */
	int inserts;
	char log[4096];
	char journal[8][4096];	/* the journal at each change */
	int changes;
} nic;

static char dir[32];

unsigned int __wrap_if_nametoindex(const char *name)
{
	return strcmp(name, "nosuch0") ? 7 : 0;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	size_t n = strlen(nic.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nic.log + n, sizeof(nic.log) - n, fmt, ap);
	va_end(ap);
}

/* What the journal said when a change was made. */
static void saw_change(void)
{
	char path[64];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/eth1.journal", dir);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, nic.journal[nic.changes], sizeof(nic.journal[0]) - 1);
		close(fd);
	}
	nic.journal[nic.changes][n > 0 ? n : 0] = '\0';
	if (nic.changes < 7)
		nic.changes++;
}

int urd_xdp_attached(unsigned int ifindex)
{
	assert_int_equal(ifindex, 7);
	return nic.xdp;
}

int urd_rings_get(unsigned int ifindex, struct urd_rings *r,
		  struct uring_dmabuf_nl_error *err)
{
	(void)ifindex;
	(void)err;
	*r = nic.rings;
	return 0;
}

int urd_rings_set(unsigned int ifindex, uint8_t split, long thresh,
		  struct uring_dmabuf_nl_error *err)
{
	(void)ifindex;
	(void)err;
	saw_change();
	logf_("rings %u %ld|", split, thresh);
	nic.rings.split = split;
	if (thresh >= 0)
		nic.rings.thresh = (uint32_t)thresh;
	return 0;
}

int urd_eth_ntuple_get(const char *ifname, int *on)
{
	(void)ifname;
	*on = nic.ntuple;
	return 0;
}

int urd_eth_ntuple_set(const char *ifname, int on)
{
	(void)ifname;
	saw_change();
	logf_("ntuple %d|", on);
	nic.ntuple = on;
	return 0;
}

int urd_eth_rx_rings(const char *ifname, uint32_t *nr)
{
	(void)ifname;
	*nr = nic.nr_rings;
	return 0;
}

int urd_eth_rule_list(const char *ifname, uint32_t **locs, uint32_t *nr,
		      uint32_t *table_size, int *special)
{
	uint32_t i;

	(void)ifname;
	*locs = malloc(NR_LOCS * sizeof(uint32_t));
	*nr = 0;
	for (i = 0; i < NR_LOCS; i++)
		if (nic.present[i])
			(*locs)[(*nr)++] = i;
	*table_size = NR_LOCS;
	*special = nic.special;
	return 0;
}

int urd_eth_rule_get(const char *ifname, uint32_t loc, struct urd_steer_rule *r)
{
	(void)ifname;
	if (loc >= NR_LOCS || !nic.present[loc])
		return -ENOENT;
	*r = nic.rule[loc];
	return 0;
}

int urd_eth_rule_insert(const char *ifname, struct urd_steer_rule *r, long loc)
{
	(void)ifname;
	saw_change();
	if (++nic.inserts == nic.fail_insert) {
		logf_("ins failed|");
		return -ENOSPC;
	}
	if (loc == RX_CLS_LOC_ANY_VALUE) {
		assert_true(nic.special);
		for (loc = NR_LOCS - 1; nic.present[loc]; loc--)
			;
	}
	assert_false(nic.present[loc]);
	nic.present[loc] = 1;
	nic.rule[loc] = *r;
	nic.rule[loc].loc = loc;
	r->loc = loc;
	logf_("ins %s %u %u @%ld|", r->flow_type == URD_FLOW_TCP6 ? "tcp6" : "tcp4",
	      r->port, r->queue, loc);
	return 0;
}

int urd_eth_rule_delete(const char *ifname, uint32_t loc)
{
	(void)ifname;
	logf_("del @%u|", loc);
	if (loc >= NR_LOCS || !nic.present[loc])
		return -ENOENT;
	nic.present[loc] = 0;
	return 0;
}

int urd_eth_indir_get(const char *ifname, uint32_t **table, uint32_t *size)
{
	(void)ifname;
	*table = malloc(sizeof(nic.rss));
	memcpy(*table, nic.rss, sizeof(nic.rss));
	*size = 8;
	return 0;
}

int urd_eth_indir_set(const char *ifname, const uint32_t *table, uint32_t size)
{
	uint32_t i;

	(void)ifname;
	saw_change();
	if (!size) {
		logf_("rss default|");
		for (i = 0; i < 8; i++)
			nic.rss[i] = i % nic.nr_rings;
		return 0;
	}
	assert_int_equal(size, 8);
	logf_("rss");
	for (i = 0; i < 8; i++)
		logf_(" %u", table[i]);
	logf_("|");
	memcpy(nic.rss, table, sizeof(nic.rss));
	return 0;
}

/* A NIC with everything to change: split off, hds-thresh 256, ntuple off. */
static int fresh(void **state)
{
	uint32_t i;

	(void)state;
	memset(&nic, 0, sizeof(nic));
	nic.rings = (struct urd_rings){ .has_split = 1, .split = URD_SPLIT_DISABLED,
					.has_thresh = 1, .thresh = 256,
					.thresh_max = 1024 };
	nic.nr_rings = 4;
	nic.special = 1;
	for (i = 0; i < 8; i++)
		nic.rss[i] = i % 4;
	strcpy(dir, "/tmp/urd-steer-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int cleanup(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static const unsigned int q1[] = { 1 };
static const uint16_t ports2[] = { 5201, 5202 };

static struct uring_dmabuf_steer_params params(void)
{
	return (struct uring_dmabuf_steer_params){
		.size = sizeof(struct uring_dmabuf_steer_params),
		.ifname = "eth1", .queues = q1, .nr_queues = 1,
		.ports = ports2, .nr_ports = 2, .proto = URING_DMABUF_STEER_TCP4,
	};
}

static int journal_exists(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/eth1.journal", dir);
	return !access(path, F_OK);
}

static void apply__every_step_journaled_before_it_changes(void **state)
{
	struct uring_dmabuf_steer_params p = params();
	struct uring_dmabuf_nl_error err;
	struct uring_dmabuf_steer *s;

	(void)state;
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), 0);
	assert_non_null(s);
	assert_int_equal(err.code, 0);
	/* In order; queue 1's RSS entries go to queues 0, 2, 3 in turn. */
	assert_string_equal(nic.log,
		"rings 2 0|ntuple 1|ins tcp4 5201 1 @15|ins tcp4 5202 1 @14|"
		"rss 0 2 2 3 0 3 2 3|");
	assert_int_equal(nic.changes, 5);
	assert_non_null(strstr(nic.journal[0], "\nsplit 1\nhds-thresh 256\n"));
	assert_null(strstr(nic.journal[0], "ntuple"));
	assert_non_null(strstr(nic.journal[1], "\nntuple off\n"));
	assert_non_null(strstr(nic.journal[2], "\nrule tcp4 5201 1 -\n"));
	assert_non_null(strstr(nic.journal[3], "\nrule tcp4 5201 1 15\nrule tcp4 5202 1 -\n"));
	assert_non_null(strstr(nic.journal[4], "\nrss 8 0 1 2 3 0 1 2 3\n"));
	assert_true(journal_exists());

	memset(nic.log, 0, sizeof(nic.log));
	assert_int_equal(uring_dmabuf_steer_restore(s, &err), 0);
	/* Reverse order; the default table comes back as the default. */
	assert_string_equal(nic.log,
		"rss default|del @14|del @15|ntuple 0|rings 1 256|");
	assert_false(journal_exists());
	assert_int_equal(nic.rings.split, URD_SPLIT_DISABLED);
	assert_int_equal(nic.rings.thresh, 256);
}

static void apply__changes_only_what_differs(void **state)
{
	struct uring_dmabuf_steer_params p = params();
	struct uring_dmabuf_steer *s;
	static const uint32_t custom[8] = { 0, 2, 0, 2, 0, 2, 0, 2 };

	(void)state;
	nic.rings.split = URD_SPLIT_ENABLED;
	nic.rings.thresh = 0;
	nic.ntuple = 1;
	memcpy(nic.rss, custom, sizeof(custom));	/* queue 1 already out */
	p.nr_ports = 1;
	p.proto = URING_DMABUF_STEER_TCP6;
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, NULL), 0);
	assert_string_equal(nic.log, "ins tcp6 5201 1 @15|");
	memset(nic.log, 0, sizeof(nic.log));
	assert_int_equal(uring_dmabuf_steer_restore(s, NULL), 0);
	assert_string_equal(nic.log, "del @15|");
}

static void apply__custom_table_restored_exactly(void **state)
{
	struct uring_dmabuf_steer_params p = params();
	struct uring_dmabuf_steer *s;
	static const uint32_t custom[8] = { 0, 1, 2, 0, 1, 2, 0, 1 };

	(void)state;
	memcpy(nic.rss, custom, sizeof(custom));	/* "equal 3" */
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, NULL), 0);
	/* Queue 1's entries go to 0 and 2, never to 3 (not in the table). */
	assert_non_null(strstr(nic.log, "rss 0 2 2 0 0 2 0 2|"));
	assert_int_equal(uring_dmabuf_steer_restore(s, NULL), 0);
	assert_memory_equal(nic.rss, custom, sizeof(custom));
}

static void apply__refusals_change_nothing(void **state)
{
	struct uring_dmabuf_steer_params p = params();
	struct uring_dmabuf_nl_error err;
	struct uring_dmabuf_steer *s;
	static const unsigned int all[] = { 0, 1, 2, 3 };
	static const unsigned int far[] = { 4 };

	(void)state;
	nic.xdp = 1;
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -EBUSY);
	assert_null(s);
	assert_int_equal(strncmp(err.msg, "xdp: ", 5), 0);
	nic.xdp = 0;

	nic.rings.has_split = 0;
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -EOPNOTSUPP);
	assert_int_equal(strncmp(err.msg, "tcp-data-split: ", 16), 0);
	nic.rings.has_split = 1;

	nic.present[3] = 1;
	nic.rule[3] = (struct urd_steer_rule){ URD_FLOW_TCP4, 5202, 0, 3 };
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -EEXIST);
	assert_string_equal(err.msg, "flow rule: rule 3 of eth1 already steers tcp4 dst-port 5202 (to queue 0)");
	/* The same port for the other flow type is no conflict. */
	nic.rule[3].flow_type = URD_FLOW_TCP6;

	p.queues = all;
	p.nr_queues = 4;
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -EINVAL);
	assert_int_equal(strncmp(err.msg, "rss: every RX queue", 19), 0);
	p.queues = far;
	p.nr_queues = 1;
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -ERANGE);
	p = params();
	p.ifname = "nosuch0";
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -ENODEV);

	assert_string_equal(nic.log, "");
	assert_int_equal(nic.changes, 0);
	assert_false(journal_exists());
}

static void apply__bad_params_are_einval(void **state)
{
	static const uint16_t zero[] = { 0 }, twice[] = { 80, 80 };
	struct uring_dmabuf_steer_params p;
	struct uring_dmabuf_steer *s;
	int i;

	(void)state;
	for (i = 0; i < 9; i++) {
		p = params();
		switch (i) {
		case 0: p.size = 0; break;
		case 1: p.flags = 1; break;
		case 2: p.ifname = "../x"; break;
		case 3: p.nr_queues = 0; break;
		case 4: p.ports = zero; p.nr_ports = 1; break;
		case 5: p.ports = twice; break;
		case 6: p.proto = 0; break;
		case 7: p.nr_ports = URING_DMABUF_STEER_MAX_PORTS + 1; break;
		case 8: p.ifname = NULL; break;
		}
		if (urd_steer_apply_in(dir, &p, &s, NULL) != -EINVAL)
			fail_msg("case %d is not -EINVAL", i);
	}
	assert_int_equal(urd_steer_apply_in(dir, NULL, &s, NULL), -EINVAL);
	p = params();
	assert_int_equal(urd_steer_apply_in(dir, &p, NULL, NULL), -EINVAL);
	assert_string_equal(nic.log, "");
}

static void apply__failure_midway_undoes_the_steps_made(void **state)
{
	struct uring_dmabuf_steer_params p = params();
	struct uring_dmabuf_nl_error err;
	struct uring_dmabuf_steer *s;

	(void)state;
	nic.fail_insert = 2;
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -ENOSPC);
	assert_null(s);
	assert_int_equal(strncmp(err.msg, "flow rule: ETHTOOL_SRXCLSRLINS tcp4 dst-port 5202 action 1 on eth1", 66), 0);
	assert_string_equal(nic.log,
		"rings 2 0|ntuple 1|ins tcp4 5201 1 @15|ins failed|"
		"del @15|ntuple 0|rings 1 256|");
	assert_false(journal_exists());
}

static long dead_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void write_journal(const char *text)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/eth1.journal", dir);
	chmod(dir, 0700);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void apply__stale_journal_names_restore(void **state)
{
	struct uring_dmabuf_steer_params p = params();
	struct uring_dmabuf_nl_error err;
	struct uring_dmabuf_steer *s;
	char text[256];

	(void)state;
	snprintf(text, sizeof(text),
		 "uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\npid %ld\n",
		 dead_pid());
	write_journal(text);
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "run 'uring-dmabuf restore eth1' first"));
	/* A running owner: busy, not stale. */
	snprintf(text, sizeof(text),
		 "uring-dmabuf-steer-journal 1\nifname eth1\nifindex 7\npid %ld\n",
		 (long)getppid());
	write_journal(text);
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -EBUSY);
	assert_int_equal(urd_steer_restore_dev_in(dir, "eth1", &err), -EBUSY);
	/* Even a corrupt journal refuses (and names restore). */
	write_journal("junk\n");
	assert_int_equal(urd_steer_apply_in(dir, &p, &s, &err), -EEXIST);
	assert_string_equal(nic.log, "");
}

/* After a crash between journaling a rule and hearing its location. */
static void restore_dev__replays_the_journal(void **state)
{
	struct uring_dmabuf_nl_error err;
	char text[512];

	(void)state;
	nic.rings.split = URD_SPLIT_ENABLED;
	nic.rings.thresh = 0;
	nic.ntuple = 1;
	nic.present[9] = 1;
	nic.rule[9] = (struct urd_steer_rule){ URD_FLOW_TCP4, 5201, 1, 9 };
	nic.present[4] = 1;	/* another rule now at the recorded location */
	nic.rule[4] = (struct urd_steer_rule){ URD_FLOW_TCP4, 80, 0, 4 };
	nic.present[5] = 1;	/* ours, at its recorded location */
	nic.rule[5] = (struct urd_steer_rule){ URD_FLOW_TCP4, 5203, 1, 5 };
	snprintf(text, sizeof(text),
		 "uring-dmabuf-steer-journal 1\nifname eth1\nifindex 3\npid %ld\n"
		 "split 1\nntuple off\nrule tcp4 5202 1 4\nrule tcp4 5203 1 5\n"
		 "rule tcp4 5201 1 -\nrss 8 0 0 0 0 0 0 0 0\n", dead_pid());
	write_journal(text);
	assert_int_equal(urd_steer_restore_dev_in(dir, "eth1", &err), 0);
	assert_string_equal(nic.log,
		"rss 0 0 0 0 0 0 0 0|del @9|del @5|ntuple 0|rings 1 -1|");
	assert_true(nic.present[4]);	/* not ours: left alone */
	assert_false(journal_exists());
	assert_int_equal(urd_steer_restore_dev_in(dir, "eth1", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no steering journal of eth1"));
	assert_int_equal(urd_steer_restore_dev_in(dir, "a/b", &err), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(apply__every_step_journaled_before_it_changes),
		T(apply__changes_only_what_differs),
		T(apply__custom_table_restored_exactly),
		T(apply__refusals_change_nothing),
		T(apply__bad_params_are_einval),
		T(apply__failure_midway_undoes_the_steps_made),
		T(apply__stale_journal_names_restore),
		T(restore_dev__replays_the_journal),
	};

	return unit_run("steer", tests);
}
