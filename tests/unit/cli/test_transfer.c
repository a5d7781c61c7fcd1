// SPDX-License-Identifier: MIT
/*
 * recv and send of the built uring-dmabuf over loopback (copy mode, no
 * binding): the stream verifies, a refused connection and a bad binding
 * handed down by bind-rx fail with a message, --require-devmem explains,
 * --bytes takes exactly that many, a reset fails the sender, --timeout
 * ends waits, and output that cannot be written fails.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_test.h"
#include "expect.h"
#include "run_cmd.h"

/* recv as the COMMAND of bind-rx: a bad hand-down fails before listening. */
static void recv__malformed_inherited_env_exits_1(void **state)
{
	struct run r;

	(void)state;
	setenv("URING_DMABUF_FD", "three", 1);
	setenv("URING_DMABUF_SIZE", "4096", 1);
	setenv("URING_DMABUF_BINDING_ID", "1", 1);
	RUN(&r, "recv", "--port", "1");
	unsetenv("URING_DMABUF_FD");
	unsetenv("URING_DMABUF_SIZE");
	unsetenv("URING_DMABUF_BINDING_ID");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "Error: malformed URING_DMABUF_* environment"));
	assert_int_equal(r.out_len, 0);
	run_free(&r);
}

static void recv__inherited_fd_not_mappable_exits_1(void **state)
{
	struct run r;

	(void)state;
	/* fd 0 is /dev/null in the child: no mmap */
	setenv("URING_DMABUF_FD", "0", 1);
	setenv("URING_DMABUF_SIZE", "4096", 1);
	setenv("URING_DMABUF_BINDING_ID", "1", 1);
	RUN(&r, "recv", "--port", "1");
	unsetenv("URING_DMABUF_FD");
	unsetenv("URING_DMABUF_SIZE");
	unsetenv("URING_DMABUF_BINDING_ID");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "Error: cannot mmap the inherited dma-buf"));
	run_free(&r);
}

/* A port nobody listens on (the kernel picks it, then it is closed). */
static unsigned int unused_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned int port;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void send__refused_exits_1(void **state)
{
	char port[16];
	struct run r;

	(void)state;
	snprintf(port, sizeof(port), "%u", unused_port());
	RUN(&r, "send", "--addr", "127.0.0.1", "--port", port, "--size", "1M");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "Error: cannot connect to 127.0.0.1"));
	run_free(&r);
}

/* recv -j --verify in a thread (its output in @r when it ends). */
struct recv_job {
	char port[16];
	char *extra;	/* up to four more recv arguments, or NULL */
	char *extra2, *extra3, *extra4;
	struct run r;
	int ret;
};

/* run_argv, not run_cli: cmocka cannot fail a test from another thread. */
static void *receiver_thread(void *arg)
{
	struct recv_job *j = arg;
	char *argv[] = { (char *)cli_path(), "-j", "recv", "--port", j->port, "--verify",
			 j->extra, j->extra2, j->extra3, j->extra4, NULL };

	j->ret = run_argv(&j->r, argv);
	return NULL;
}

static void recv__loopback_copy_verifies(void **state)
{
	struct recv_job job;
	struct run s;
	pthread_t t;
	int i;

	(void)state;
	memset(&job, 0, sizeof(job));
	snprintf(job.port, sizeof(job.port), "%u", unused_port());
	assert_int_equal(pthread_create(&t, NULL, receiver_thread, &job), 0);
	/* retry until the receiver listens */
	for (i = 0; i < 100; i++) {
		RUN(&s, "send", "--addr", "127.0.0.1", "--port", job.port, "--size", "8M");
		if (!s.status)
			break;
		run_free(&s);
		usleep(50 * 1000);
	}
	if (s.status) {
		show(&s);
		fail_msg("send never connected");
	}
	assert_non_null(strstr(s.out, "sent 8388608 bytes"));
	run_free(&s);
	pthread_join(t, NULL);
	assert_int_equal(job.ret, 0);
	run_check_sanitizers(&job.r, "recv");
	if (job.r.status) {
		show(&job.r);
		fail_msg("recv failed");
	}
	expect_valid_json(&job.r);
	assert_non_null(strstr(job.r.out, "\"mode\":\"copy\""));
	assert_non_null(strstr(job.r.out, "\"bytes\":8388608,"));
	assert_non_null(strstr(job.r.out, "\"dmabuf_bytes\":0,"));
	assert_non_null(strstr(job.r.out, "\"bad_bytes\":0"));
	run_free(&job.r);
}

/* The receiver listens on IPv6 and IPv4; send -j reports one document. */
static void recv__ipv6_loopback(void **state)
{
	struct recv_job job;
	struct run s;
	pthread_t t;
	int i;

	(void)state;
	memset(&job, 0, sizeof(job));
	snprintf(job.port, sizeof(job.port), "%u", unused_port());
	assert_int_equal(pthread_create(&t, NULL, receiver_thread, &job), 0);
	for (i = 0; i < 100; i++) {
		RUN(&s, "-j", "send", "--addr", "::1", "--port", job.port, "--size", "1M");
		if (!s.status || !strstr(s.err, "cannot connect"))
			break;
		run_free(&s);
		usleep(50 * 1000);
	}
	if (strstr(s.err, "cannot connect to ::1")) {
		run_free(&s);
		/* no IPv6 here: let the receiver go with an IPv4 sender */
		RUN(&s, "send", "--addr", "127.0.0.1", "--port", job.port, "--size", "1M");
		pthread_join(t, NULL);
		run_free(&s);
		run_free(&job.r);
		skip();
	}
	assert_int_equal(s.status, 0);
	expect_valid_json(&s);
	assert_non_null(strstr(s.out, "{\"schema_version\":1,\"bytes\":1048576,"));
	run_free(&s);
	pthread_join(t, NULL);
	run_check_sanitizers(&job.r, "recv");
	assert_int_equal(job.r.status, 0);
	assert_non_null(strstr(job.r.out, "\"bytes\":1048576,"));
	run_free(&job.r);
}

/* --require-devmem without a binding: the payload came copied, say how to steer. */
static void recv__require_devmem_in_copy_mode_exits_1(void **state)
{
	struct recv_job job;
	struct run s;
	pthread_t t;
	int i;

	(void)state;
	memset(&job, 0, sizeof(job));
	job.extra = "--require-devmem";
	snprintf(job.port, sizeof(job.port), "%u", unused_port());
	assert_int_equal(pthread_create(&t, NULL, receiver_thread, &job), 0);
	for (i = 0; i < 100; i++) {
		RUN(&s, "send", "--addr", "127.0.0.1", "--port", job.port, "--size", "64K");
		if (!s.status)
			break;
		run_free(&s);
		usleep(50 * 1000);
	}
	assert_int_equal(s.status, 0);
	run_free(&s);
	pthread_join(t, NULL);
	run_check_sanitizers(&job.r, "recv");
	if (job.r.status != 1 || !strstr(job.r.err, "65536 payload bytes arrived copied") ||
	    !strstr(job.r.err, "Hint: steer the flow to a bound queue: ethtool -N")) {
		show(&job.r);
		fail_msg("expected exit 1, the copied bytes and the steering hint");
	}
	/* the document is still complete: the numbers explain the failure */
	expect_valid_json(&job.r);
	assert_non_null(strstr(job.r.out, "\"linear_bytes\":65536,"));
	run_free(&job.r);
}

/* Sends @size bytes to the receiver of @job, retrying until it listens. */
static void send_to(struct recv_job *job, const char *size, struct run *s)
{
	int i;

	for (i = 0; i < 100; i++) {
		RUN(s, "send", "--addr", "127.0.0.1", "--port", job->port, "--size", size);
		if (!strstr(s->err, "cannot connect"))
			return;
		run_free(s);
		usleep(50 * 1000);
	}
	fail_msg("send never connected");
}

/*
 * --bytes N: exactly N, not the rest of the last read; closing with the
 * sender's other bytes unread resets the connection, which fails send.
 */
static void recv__bytes_exact_and_reset_fails_send(void **state)
{
	struct recv_job job;
	struct run s;
	pthread_t t;

	(void)state;
	memset(&job, 0, sizeof(job));
	job.extra = "--bytes";
	job.extra2 = "100001";
	snprintf(job.port, sizeof(job.port), "%u", unused_port());
	assert_int_equal(pthread_create(&t, NULL, receiver_thread, &job), 0);
	send_to(&job, "8M", &s);
	pthread_join(t, NULL);
	run_check_sanitizers(&job.r, "recv");
	if (job.r.status || !strstr(job.r.out, "\"bytes\":100001,") ||
	    !strstr(job.r.out, "\"bad_bytes\":0")) {
		show(&job.r);
		fail_msg("expected recv --bytes 100001 to take exactly 100001 bytes");
	}
	if (s.status != 1 || !strstr(s.err, "the receiver reset the connection") || s.out_len) {
		show(&s);
		fail_msg("expected send to fail on the reset");
	}
	run_free(&s);
	run_free(&job.r);
}

/* --bytes more than the sender sends: the short stream fails recv. */
static void recv__bytes_short_stream_exits_1(void **state)
{
	struct recv_job job;
	struct run s;
	pthread_t t;

	(void)state;
	memset(&job, 0, sizeof(job));
	job.extra = "--bytes";
	job.extra2 = "2M";
	snprintf(job.port, sizeof(job.port), "%u", unused_port());
	assert_int_equal(pthread_create(&t, NULL, receiver_thread, &job), 0);
	send_to(&job, "1M", &s);
	assert_int_equal(s.status, 0);
	run_free(&s);
	pthread_join(t, NULL);
	if (job.r.status != 1 ||
	    !strstr(job.r.err, "the sender closed after 1048576 of the 2097152 bytes of --bytes")) {
		show(&job.r);
		fail_msg("expected exit 1 for a stream shorter than --bytes");
	}
	run_free(&job.r);
}

/* recv --timeout: no sender, no endless wait. */
static void recv__timeout_without_sender_exits_1(void **state)
{
	char port[16], want[96];
	struct run r;

	(void)state;
	snprintf(port, sizeof(port), "%u", unused_port());
	RUN(&r, "recv", "--port", port, "--timeout", "1");
	snprintf(want, sizeof(want), "Error: no connection on port %s within 1 s (--timeout)", port);
	if (r.status != 1 || !strstr(r.err, want)) {
		show(&r);
		fail_msg("expected exit 1 and '%s'", want);
	}
	run_free(&r);
}

/* send --timeout: a peer that never reads stops the sender after SEC s. */
static void send__timeout_on_a_peer_that_never_reads(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	char port[16];
	struct run r;
	int lfd;

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	snprintf(port, sizeof(port), "%u", ntohs(sa.sin_port));
	/* the kernel completes the handshake; nobody ever reads */
	RUN(&r, "send", "--addr", "127.0.0.1", "--port", port, "--size", "1G",
	    "--timeout", "1");
	close(lfd);
	if (r.status != 1 || !strstr(r.err, "no progress for 1 s (--timeout)")) {
		show(&r);
		fail_msg("expected exit 1 after 1 s without progress");
	}
	run_free(&r);
}

/* A connection to the receiver of @job, retrying until it listens. */
static int connect_job(const struct recv_job *job)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int i, fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)atoi(job->port));
	for (i = 0; i < 100; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		usleep(50 * 1000);
	}
	fail_msg("recv never listened");
	return -1;
}

/* Lines of @s holding @what. */
static int count_lines(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

/*
 * --interval 1 over a stream that trickles for 2.5 s: a line per second
 * and one at the end, with -j on stderr (stdout stays one document).
 */
static void recv__interval_prints_live_lines(void **state)
{
	static unsigned char pat[1000];
	struct recv_job job;
	pthread_t t;
	size_t i;
	int fd;

	(void)state;
	memset(&job, 0, sizeof(job));
	job.extra = "--interval";
	job.extra2 = "1";
	snprintf(job.port, sizeof(job.port), "%u", unused_port());
	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (unsigned char)(i % 251);
	assert_int_equal(pthread_create(&t, NULL, receiver_thread, &job), 0);
	fd = connect_job(&job);
	assert_int_equal(write(fd, pat, 500), 500);
	usleep(2500 * 1000);
	assert_int_equal(write(fd, pat + 500, 500), 500);
	close(fd);
	pthread_join(t, NULL);
	run_check_sanitizers(&job.r, "recv");
	if (job.r.status || count_lines(job.r.err, " MB/s ") < 3 ||
	    count_lines(job.r.err, " frags/s  (") < 3 ||
	    !strstr(job.r.err, "(1000 bytes in total)")) {
		show(&job.r);
		fail_msg("expected at least 3 interval lines on stderr, the last at 1000 bytes");
	}
	expect_valid_json(&job.r);
	assert_non_null(strstr(job.r.out, "\"bytes\":1000,"));
	assert_non_null(strstr(job.r.out, "\"bad_bytes\":0"));
	run_free(&job.r);
}

/*
 * --timeout still counts with --interval (poll() wakes at each tick, the
 * socket's timeout never runs out): a silent connection ends after 1 s.
 */
static void recv__interval_keeps_the_timeout(void **state)
{
	struct recv_job job;
	pthread_t t;
	int fd;

	(void)state;
	memset(&job, 0, sizeof(job));
	job.extra = "--interval";
	job.extra2 = "1";
	job.extra3 = "--timeout";
	job.extra4 = "2";
	snprintf(job.port, sizeof(job.port), "%u", unused_port());
	assert_int_equal(pthread_create(&t, NULL, receiver_thread, &job), 0);
	fd = connect_job(&job);
	pthread_join(t, NULL);	/* the connection stays open, and silent */
	close(fd);
	if (job.r.status != 1 ||
	    !strstr(job.r.err, "Error: no data for 2 s after 0 bytes (--timeout)") ||
	    count_lines(job.r.err, " MB/s ") < 2) {
		show(&job.r);
		fail_msg("expected interval lines, then exit 1 on the timeout");
	}
	run_free(&job.r);
}

/* Output that cannot be written is a failure, not a silent success. */
static void version__write_error_on_stdout_exits_1(void **state)
{
	char cmd[512];
	struct run r;

	(void)state;
	if (access("/dev/full", W_OK))
		skip();
	snprintf(cmd, sizeof(cmd), "%s version >/dev/full", cli_path());
	assert_int_equal(run_shell(&r, cmd), 0);
	if (r.status != 1 ||
	    !strstr(r.err, "Error: cannot write to standard output: No space left on device")) {
		show(&r);
		fail_msg("expected exit 1 on a write error");
	}
	run_free(&r);
	snprintf(cmd, sizeof(cmd), "%s -j help >/dev/full", cli_path());
	assert_int_equal(run_shell(&r, cmd), 0);
	assert_int_equal(r.status, 1);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recv__malformed_inherited_env_exits_1),
		cmocka_unit_test(recv__inherited_fd_not_mappable_exits_1),
		cmocka_unit_test(send__refused_exits_1),
		cmocka_unit_test(recv__loopback_copy_verifies),
		cmocka_unit_test(recv__ipv6_loopback),
		cmocka_unit_test(recv__require_devmem_in_copy_mode_exits_1),
		cmocka_unit_test(recv__bytes_exact_and_reset_fails_send),
		cmocka_unit_test(recv__bytes_short_stream_exits_1),
		cmocka_unit_test(recv__timeout_without_sender_exits_1),
		cmocka_unit_test(send__timeout_on_a_peer_that_never_reads),
		cmocka_unit_test(version__write_error_on_stdout_exits_1),
		cmocka_unit_test(recv__interval_prints_live_lines),
		cmocka_unit_test(recv__interval_keeps_the_timeout),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("cli_transfer", tests, NULL, NULL);
}
