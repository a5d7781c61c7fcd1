// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf check [DEV]: everything devmem TCP into our dma-bufs needs,
 * each failed item with the command that fixes it, and the one item that
 * blocks devmem named at the end. The host items are here, the device's in
 * check_dev.c.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "caps.h"
#include "check.h"
#include "cli.h"
#include "liburing_dmabuf.h"
#include "module_files.h"
#include "output.h"
#include "parse.h"

static const char usage_check[] =
	"Usage: uring-dmabuf check [-j] [-p] [DEV [--queues Q] [--port PORT]] [--size SIZE]\n"
	"Check the module, the device node, kernel devmem support, CAP_NET_ADMIN, the\n"
	"locked-memory limit (against --size) and huge pages; with DEV also its\n"
	"driver, a dry-run bind of one page to queue Q (default: the last RX queue),\n"
	"header split, ntuple filters and rules for PORT, RSS, XDP, existing\n"
	"bindings and NUMA node. Exit 0 only if all required items pass.\n"
	"  -q, --queues Q   the RX queue to check (one queue)\n"
	"      --port PORT  a TCP port whose flow rule to look for\n"
	"  -s, --size SIZE  the dma-buf size to check RLIMIT_MEMLOCK against\n";

struct check_state check_state;

static void set_blocker(const char *name, const char *detail)
{
	snprintf(check_state.blocker, sizeof(check_state.blocker), "%s", name);
	snprintf(check_state.blocker_detail, sizeof(check_state.blocker_detail), "%s", detail);
}

static void item_va(const char *name, bool ok, bool required, bool blocker,
		    const char *fix, const char *fmt, va_list ap)
{
	char detail[384];
	size_t len;

	vsnprintf(detail, sizeof(detail), fmt, ap);
	if (!ok && check_state.moot) {
		len = strlen(detail);
		snprintf(detail + len, sizeof(detail) - len, " (moot: %s)", check_state.moot);
		required = false;
		fix = NULL;
	}
	if (!ok && required) {
		check_state.failures++;
		if (!check_state.blocker[0] || blocker)
			set_blocker(name, detail);
	}
	out_open_object(NULL);
	out_str("item", ok ? "  [ ok ] %s: " : required ? "  [FAIL] %s: " : "  [warn] %s: ",
		name);
	out_bool("ok", NULL, ok);
	out_bool("required", NULL, required);
	out_str("detail", "%s\n", detail);
	if (!ok && fix)
		out_str("fix", "         fix: %s\n", fix);
	out_close_object();
}

void check_item(const char *name, bool ok, bool required, const char *fix,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	item_va(name, ok, required, false, fix, fmt, ap);
	va_end(ap);
}

void check_blocker(const char *name, const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	item_va(name, false, true, true, fix, fmt, ap);
	va_end(ap);
}

/* Not loaded: is it installed for this kernel, so that modprobe finds it? */
static void module_missing(void)
{
	char dir[320], path[512], fix[640];
	struct utsname u;

	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	switch (module_installed(dir, "uring_dmabuf", path, sizeof(path))) {
	case MODULE_INSTALLED:
		check_item("module", false, true, "modprobe uring_dmabuf",
			   "uring_dmabuf is not loaded (installed for %s: %s)", u.release, path);
		break;
	case MODULE_NOT_INDEXED:
		check_item("module", false, true, "depmod -a && modprobe uring_dmabuf",
			   "uring_dmabuf is not loaded; %s is there but modules.dep does not list it",
			   path);
		break;
	default:
		snprintf(fix, sizeof(fix),
			 "install it for %s (the uring-dmabuf-dkms package, or make dkms-install and "
			 "dkms install uring-dmabuf/VERSION: see the README), then modprobe uring_dmabuf",
			 u.release);
		check_item("module", false, true, fix,
			   "uring_dmabuf is not loaded and not installed for Linux %s", u.release);
		break;
	}
}

static void check_module(void)
{
	struct uring_dmabuf_version ver;
	struct stat st;
	int fd;

	if (stat("/sys/module/uring_dmabuf", &st)) {
		module_missing();
		return;
	}
	fd = uring_dmabuf_open();
	if (fd < 0) {
		check_item("module", true, true, NULL, "loaded");
		check_item("device", false, true,
			   "run as root, or grant access to /dev/uring_dmabuf with a udev rule",
			   "cannot open %s: %s", URING_DMABUF_DEVICE, strerror(-fd));
		return;
	}
	if (uring_dmabuf_version(fd, &ver))
		memset(&ver, 0, sizeof(ver));
	close(fd);
	check_item("module", true, true, NULL, "uring_dmabuf %s (API %u)",
		   ver.module_version, ver.api_version);
	check_item("device", true, true, NULL, "%s is accessible", URING_DMABUF_DEVICE);
}

static void check_kernel(void)
{
	int rx = uring_dmabuf_netdev_has_cmd(URING_DMABUF_NL_BIND_RX);
	int tx = uring_dmabuf_netdev_has_cmd(URING_DMABUF_NL_BIND_TX);

	check_item("devmem-rx", rx > 0, true,
		   "devmem TCP needs Linux 6.12 or newer with CONFIG_NET_DEVMEM",
		   rx > 0 ? "NETDEV_CMD_BIND_RX is supported" :
		   "the kernel has no NETDEV_CMD_BIND_RX");
	check_item("devmem-tx", tx > 0, false, "devmem TX needs Linux 6.16 or newer",
		   tx > 0 ? "NETDEV_CMD_BIND_TX is supported" :
		   "the kernel has no NETDEV_CMD_BIND_TX");
	check_item("cap-net-admin", cap_effective(CAP_NET_ADMIN), true,
		   "run as root: binding a dma-buf to a queue needs CAP_NET_ADMIN",
		   cap_effective(CAP_NET_ADMIN) ? "this process has CAP_NET_ADMIN" :
		   "this process lacks CAP_NET_ADMIN");
}

static void check_memlock(const struct check_opts *o)
{
	bool ipc_lock = cap_effective(CAP_IPC_LOCK);
	uint64_t need = o->size ? o->size : 64ULL << 20;
	struct rlimit rl;
	char fix[160];

	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY) {
		check_item("memlock", true, !!o->size, NULL, "RLIMIT_MEMLOCK unlimited");
		return;
	}
	snprintf(fix, sizeof(fix),
		 "ulimit -l %llu or more (LimitMEMLOCK= for services), or CAP_IPC_LOCK",
		 (unsigned long long)(need + 1023) >> 10);
	/* Without --size: 64 MiB (bind-rx's default) is advice, not a requirement. */
	check_item("memlock", rl.rlim_cur >= need || ipc_lock, !!o->size, fix,
		   "RLIMIT_MEMLOCK %llu KiB%s%s%s", (unsigned long long)rl.rlim_cur >> 10,
		   o->size ? ", --size " : "", o->size ? o->size_arg : "",
		   rl.rlim_cur >= need ? (o->size ? " fits" : "") :
		   ipc_lock ? " (CAP_IPC_LOCK: the limit does not apply)" :
		   o->size ? " does not fit" : " (bind-rx's default 64M does not fit)");
}

static void check_hugepages(void)
{
	unsigned long long free_2m = 0;
	FILE *f;

	f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "re");
	if (f) {
		if (fscanf(f, "%llu", &free_2m) != 1)
			free_2m = 0;
		fclose(f);
	}
	check_item("hugepages", free_2m > 0, false,
		   "echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
		   "%llu free 2 MiB huge pages (fewest segments per GiB)", free_2m);
}

/* 0 if parsed, EXIT_USAGE (an Error: line and a hint printed) if not. */
static int parse_check_opts(int argc, char **argv, struct check_opts *o, bool *exit_now)
{
	static const struct option opts[] = {
		COMMON_LONG,
		{ "queues", required_argument, NULL, 'q' },
		{ "port", required_argument, NULL, 'P' },
		{ "size", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = cli_getopt(argc, argv, COMMON_SHORT "q:s:", opts)) != -1) {
		switch (opt) {
		case 'q':
			if (parse_u32(optarg, &o->queue))
				return usage_error("bad queue '%s' (one RX queue index, e.g. 3)", optarg);
			o->have_queue = true;
			break;
		case 'P':
			if (parse_u32(optarg, &o->port) || !o->port || o->port > 65535)
				return usage_error("bad port '%s' (1-65535)", optarg);
			break;
		case 's':
			if (parse_size(optarg, &o->size) || !o->size)
				return usage_error("bad size '%s' (examples: 4096, 64M, 1G)", optarg);
			o->size_arg = optarg;
			break;
		case '?':
			return EXIT_USAGE;	/* cli_getopt() said why */
		default:
			if (!common_opt(opt, usage_check, exit_now))
				return usage_hint();
			if (*exit_now)
				return 0;
		}
	}
	if (optind < argc)
		o->dev = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->dev && (o->have_queue || o->port))
		return usage_error("--queues and --port need a device: check DEV --queues Q --port PORT");
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o;
	bool exit_now = false;
	int ret;

	ret = parse_check_opts(argc, argv, &o, &exit_now);
	if (ret)
		return ret;
	if (exit_now)
		return EXIT_OK;
	memset(&check_state, 0, sizeof(check_state));
	out_init(cli.json, cli.pretty);
	out_open_array("checks");
	check_module();
	check_kernel();
	check_memlock(&o);
	check_hugepages();
	if (o.dev)
		check_dev(&o);
	out_close_array();
	out_u64("failed", check_state.failures ? "%llu required checks failed\n" : NULL,
		check_state.failures);
	if (check_state.blocker[0]) {
		out_str("blocker", "blocked by: %s", check_state.blocker);
		out_text(": %s\n", check_state.blocker_detail);
	}
	out_finish();
	return check_state.failures ? EXIT_FAIL : EXIT_OK;
}
