// SPDX-License-Identifier: MIT
/*
 * What bind-rx and bind-tx share: "-- COMMAND" off the arguments, signals
 * held back until teardown is safe, and then the binding held in the
 * foreground or handed to COMMAND.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind.h"
#include "cli.h"
#include "output.h"

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

/* What COMMAND learns from the environment (bind-tx has no queues). */
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
	if (o->nr_queues)
		setenv("URING_DMABUF_QUEUES", queues, 1);
}

/*
 * Runs COMMAND with @dmabuf_fd and @nl_fd inherited (the environment
 * describes them: set it first); forwards SIGINT/SIGTERM/SIGHUP to it;
 * returns its status.
 */
static int run_child(char **cmd, int dmabuf_fd, int nl_fd, const sigset_t *old)
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
static int hold(void)
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

/* Cuts "-- COMMAND [ARGS]" off argv: *cmd is NULL without "--". */
int bind_split_command(int *argc, char **argv, char ***cmd)
{
	int i;

	*cmd = NULL;
	for (i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			*cmd = argv + i + 1;
			*argc = i;
			break;
		}
	}
	if (*cmd && !(*cmd)[0])
		return usage_error("nothing after '--': give a COMMAND");
	return 0;
}

/* Signals wait until we can tear down cleanly, at any point. */
void bind_block_signals(sigset_t *old)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, old);
}

/* The binding to COMMAND (its exit status) or held until a signal (0). */
int bind_serve(char **cmd, const struct rx_opts *o, const struct rx_setup *s,
	       const sigset_t *old)
{
	if (!cmd)
		return hold();
	export_env(o, s);
	return run_child(cmd, s->dmabuf_fd, uring_dmabuf_binding_socket(s->binding), old);
}
