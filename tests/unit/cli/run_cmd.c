// SPDX-License-Identifier: MIT
/* fork/exec with stdout and stderr in temporary files (no pipe deadlocks). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_test.h"
#include "run_cmd.h"

const char *cli_path(void)
{
	const char *p = getenv("URING_DMABUF_CLI");

	return p && *p ? p : CLI_TOOL;
}

/* The whole of @f as a NUL-terminated string. */
static char *slurp(FILE *f, size_t *len)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	if (n < 0)
		n = 0;
	buf = calloc(1, (size_t)n + 1);
	if (!buf)
		return NULL;
	rewind(f);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	return buf;
}

int run_argv(struct run *r, char *const argv[])
{
	FILE *out = tmpfile(), *err = tmpfile();
	int status, ret = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (!out || !err) {
		ret = -errno;
		goto done;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto done;
	}
	if (!pid) {
		/* stdin from /dev/null: nothing may wait for a terminal */
		if (!freopen("/dev/null", "r", stdin))
			_exit(126);
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		ret = -errno;
		goto done;
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fseek(out, 0, SEEK_END);
	fseek(err, 0, SEEK_END);
	r->out = slurp(out, &r->out_len);
	r->err = slurp(err, &r->err_len);
	if (!r->out || !r->err)
		ret = -ENOMEM;
done:
	if (out)
		fclose(out);
	if (err)
		fclose(err);
	return ret;
}

int run_cli(struct run *r, ...)
{
	char *argv[32];
	va_list ap;
	int n = 0, ret;

	argv[n++] = (char *)cli_path();
	va_start(ap, r);
	while (n < 31 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	ret = run_argv(r, argv);
	if (!ret)
		run_check_sanitizers(r, argv[1]);
	return ret;
}

/* make unit-cli-asan: any sanitizer report fails the test (main thread only). */
void run_check_sanitizers(const struct run *r, const char *what)
{
	if (strstr(r->err, "Sanitizer") || strstr(r->err, "runtime error:"))
		fail_msg("uring-dmabuf %s: sanitizer report:\n%s", what ? what : "", r->err);
}

int run_shell(struct run *r, const char *cmdline)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmdline, NULL };

	return run_argv(r, argv);
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}
