// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf bind-rx DEV --queues LIST [...] [-- COMMAND [ARGS]]: hold the
 * binding in the foreground, or hand it to COMMAND.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind.h"
#include "cli.h"
#include "output.h"
#include "setup.h"
#include "steer.h"

static const char usage_bind_rx[] =
	"Usage: uring-dmabuf bind-rx [-j] [-p] DEV --queues LIST [--size SIZE]\n"
	"          [--hugepages[=2M|1G] | --thp | --4k | --shmem] [--numa NODE|auto]\n"
	"          [--uring] [--rx-page-size SIZE]\n"
	"          [--steer PORT[,PORT...] [--proto tcp4|tcp6]] [-- COMMAND [ARGS...]]\n"
	"Allocate SIZE bytes (default 64M, THP), turn them into a dma-buf (with --uring\n"
	"through an io_uring registered buffer), bind it to DEV's RX queues LIST\n"
	"(3, 2-5, 1,3,8-11) and print the binding. Without COMMAND, hold the binding\n"
	"until SIGINT/SIGTERM, then unbind. With COMMAND, run it with the binding\n"
	"inherited and described in the environment (what bind-rx prints goes to\n"
	"stderr then: stdout is COMMAND's):\n"
	"  URING_DMABUF_FD          the dma-buf fd (mmap it to read received payload)\n"
	"  URING_DMABUF_NL_FD       the netlink socket holding the binding\n"
	"  URING_DMABUF_BINDING_ID  the binding id (dmabuf_id in devmem cmsgs)\n"
	"  URING_DMABUF_SIZE        the dma-buf's size in bytes\n"
	"  URING_DMABUF_IFNAME, URING_DMABUF_QUEUES\n"
	"and exit with its status.\n"
	"--steer sets DEV up for those TCP destination ports first (header split\n"
	"on, hds-thresh 0, ntuple on, a flow rule per port to the queues, the\n"
	"queues out of RSS; --proto tcp4 by default), journaled in /run/uring-dmabuf,\n"
	"and puts DEV back as it was when the binding goes. After a crash or\n"
	"SIGKILL: uring-dmabuf restore DEV.\n";

static void set_env_u64(const char *name, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	setenv(name, buf, 1);
}

static void keep_on_exec(int fd)
{
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
}

static void export_env(const struct rx_opts *o, const struct rx_setup *s)
{
	/* Up to MAX_QUEUES ids of up to 10 digits and a comma each. */
	static char queues[MAX_QUEUES * 11 + 1];
	size_t len = 0;
	unsigned int i;

	queues[0] = '\0';
	for (i = 0; i < o->nr_queues; i++)
		len += snprintf(queues + len, sizeof(queues) - len, "%s%u",
				i ? "," : "", o->queues[i]);
	set_env_u64("URING_DMABUF_FD", (unsigned long long)s->dmabuf_fd);
	set_env_u64("URING_DMABUF_NL_FD",
		    (unsigned long long)uring_dmabuf_binding_socket(s->binding));
	set_env_u64("URING_DMABUF_BINDING_ID", uring_dmabuf_binding_id(s->binding));
	set_env_u64("URING_DMABUF_SIZE", s->info.bytes);
	setenv("URING_DMABUF_IFNAME", o->dev, 1);
	setenv("URING_DMABUF_QUEUES", queues, 1);
}

/*
 * Runs COMMAND with @dmabuf_fd and @nl_fd inherited (the environment
 * describes them: set it first); forwards SIGINT/SIGTERM/SIGHUP to it;
 * returns its status.
 */
int bind_run_child(char **cmd, int dmabuf_fd, int nl_fd, const sigset_t *old)
{
	sigset_t wait_set;
	int sig, status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		err_msg("fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (!pid) {
		sigprocmask(SIG_SETMASK, old, NULL);
		keep_on_exec(dmabuf_fd);
		keep_on_exec(nl_fd);
		execvp(cmd[0], cmd);
		err_msg("cannot run %s: %s", cmd[0], strerror(errno));
		_exit(127);
	}
	sigemptyset(&wait_set);
	sigaddset(&wait_set, SIGCHLD);
	sigaddset(&wait_set, SIGINT);
	sigaddset(&wait_set, SIGTERM);
	sigaddset(&wait_set, SIGHUP);
	for (;;) {
		if (sigwait(&wait_set, &sig))
			continue;
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Holds the binding until SIGINT/SIGTERM/SIGHUP (they are blocked). */
int bind_hold(void)
{
	sigset_t wait_set;
	int sig;

	sigemptyset(&wait_set);
	sigaddset(&wait_set, SIGINT);
	sigaddset(&wait_set, SIGTERM);
	sigaddset(&wait_set, SIGHUP);
	fflush(stdout);
	while (sigwait(&wait_set, &sig))
		;
	return EXIT_OK;
}

int cmd_bind_rx(int argc, char **argv)
{
	static struct option opts[32];
	static struct rx_opts o;
	static struct steer_opts so;
	struct rx_setup s;
	sigset_t block, old;
	bool exit_now = false;
	char **cmd = NULL;
	int i, opt, ret, status;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			cmd = argv + i + 1;
			argc = i;
			break;
		}
	}
	if (cmd && !cmd[0])
		return usage_error("nothing after '--': give a COMMAND");
	rx_options_merge(opts, sizeof(opts) / sizeof(opts[0]), steer_long_options);
	rx_opts_init(&o);
	steer_opts_init(&so);
	while ((opt = cli_getopt(argc, argv, COMMON_SHORT RX_OPTS_SHORT, opts)) != -1) {
		if (common_opt(opt, usage_bind_rx, &exit_now)) {
			if (exit_now)
				return EXIT_OK;
			continue;
		}
		ret = steer_opts_parse(&so, opt, optarg);
		if (!ret)
			ret = rx_opts_parse(&o, opt, optarg);
		if (ret < 0)
			return usage_hint();
		if (!ret)
			return EXIT_USAGE;	/* cli_getopt() said why */
	}
	if (optind < argc)
		o.dev = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (rx_opts_check(&o, true) || steer_opts_check(&so))
		return usage_hint();

	/* Signals wait until we can tear down cleanly, at any point. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);

	/*
	 * Steering first (6.14+ binds only with header split on), once what
	 * dmabuf_setup() would refuse has been ruled out: the device is left
	 * alone for a bad queue or a --size over RLIMIT_MEMLOCK.
	 */
	memset(&s, 0, sizeof(s));
	if (so.nr_ports && (rx_setup_precheck(&o, &s) || steer_start(&o, &so)))
		return EXIT_FAIL;
	ret = dmabuf_setup(&o, &s);
	if (!ret)
		ret = rx_bind(&o, &s);
	if (ret) {
		rx_teardown(&s);
		steer_stop(&so);
		return EXIT_FAIL;
	}
	/* With COMMAND, stdout is the command's alone: one document on it. */
	if (cmd)
		out_set_file(stderr);
	out_init(cli.json, cli.pretty);
	rx_setup_print(&o, &s);
	steer_print(&o, &so);
	out_finish();
	if (cmd)
		export_env(&o, &s);
	status = cmd ? bind_run_child(cmd, s.dmabuf_fd,
				      uring_dmabuf_binding_socket(s.binding),
				      &old) : bind_hold();
	rx_teardown(&s);
	if (steer_stop(&so) && !status)
		status = EXIT_FAIL;
	return status;
}
