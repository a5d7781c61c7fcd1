// SPDX-License-Identifier: MIT
/*
 * uring-dmabuf check with an XDP program attached to the simulated NIC (a
 * two-instruction, frags-aware XDP_PASS program, generic mode): the xdp
 * item fails with the command that detaches it, and the kernel refuses the
 * dry-run bind for the same reason; bind-rx --steer refuses before it
 * changes anything; detached, both checks pass again. A shell script cannot
 * load BPF here (busybox ip has no xdp), hence C.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "netdev.h"

#define DEV "sim0a"

/* r0 = XDP_PASS; exit */
static int load_xdp_pass(char *log, size_t len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	/* 6.14+ installs no single-buffer program beside tcp-data-split. */
	attr.prog_flags = BPF_F_XDP_HAS_FRAGS;
	attr.insns = (uint64_t)(unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (uint64_t)(unsigned long)"GPL";
	attr.log_buf = (uint64_t)(unsigned long)log;
	attr.log_size = (uint32_t)len;
	attr.log_level = 1;
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* RTM_SETLINK IFLA_XDP {FD, FLAGS=SKB_MODE}; @prog -1 detaches. */
static int set_xdp(int ifindex, int prog, char *ext, size_t extlen)
{
	struct nlmsg m;
	struct ifinfomsg *ifi;
	struct nlattr *xdp;
	int fd, ret;

	memset(&m, 0, sizeof(m));
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	m.nh.nlmsg_type = RTM_SETLINK;
	m.nh.nlmsg_flags = NLM_F_REQUEST;
	ifi = NLMSG_DATA(&m.nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	xdp = nla_nest(&m.nh, IFLA_XDP);
	nla_add_u32(&m.nh, IFLA_XDP_FD, (uint32_t)prog);
	nla_add_u32(&m.nh, IFLA_XDP_FLAGS, XDP_FLAGS_SKB_MODE);
	nla_nest_end(&m.nh, xdp);
	fd = nl_open(NETLINK_ROUTE);
	if (fd < 0)
		return fd;
	ret = nl_talk(fd, &m.nh, NULL, NULL, ext, extlen);
	close(fd);
	return ret;
}

/* The CLI's stdout for @args (a shell word list), its exit status in *rc. */
static int run_cli(const char *args, char *out, size_t len, int *rc)
{
	const char *cli = getenv("URING_DMABUF_CLI");
	char cmd[256];
	size_t n = 0, got;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", cli ? cli : "uring-dmabuf", args);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (n + 1 < len && (got = fread(out + n, 1, len - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	st = pclose(p);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

static void show(const char *out)
{
	const char *line = out, *nl;

	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		t_diag("%.*s", (int)(nl - line), line);
		if (!*nl)
			break;
	}
}

static void check_with_xdp(void)
{
	static char out[16384];
	int rc;

	if (!t_ok(run_cli("check " DEV, out, sizeof(out), &rc) == 0, "run check " DEV " with XDP"))
		return;
	if (!t_ok(rc == 1 && strstr(out, "[FAIL] xdp: XDP program ") &&
		  strstr(out, " attached (generic): the kernel refuses a memory provider beside it"),
		  "check " DEV " with XDP: the xdp item fails, exit 1"))
		show(out);
	if (!t_ok(strstr(out, "fix: detach it: ip link set " DEV " xdpgeneric off") != NULL,
		  "check " DEV " with XDP: the fix detaches it"))
		show(out);
	/* The kernel says the same: EEXIST, its message naming XDP. */
	if (!t_ok(strstr(out, "[FAIL] bind: the kernel refused rx-3: File exists") &&
		  strstr(out, "XDP") &&
		  strstr(out, "fix: detach the XDP program: ip link set " DEV " xdp off"),
		  "check " DEV " with XDP: the dry-run bind is refused (EEXIST, XDP)"))
		show(out);
	if (!t_ok(run_cli("-j check " DEV, out, sizeof(out), &rc) == 0 && rc == 1 &&
		  strstr(out, "\"item\":\"xdp\",\"ok\":false,\"required\":true"),
		  "-j check " DEV " with XDP: xdp not ok, required"))
		show(out);
}

/* The simulated NIC's ring, ntuple, rule and RSS state, as its debugfs shows it. */
static void nic_state(char *buf, size_t len)
{
	static const char *const files[] = { "ethtool", "steer", "rss" };
	size_t used = 0, i, n;
	char path[128];
	FILE *f;

	buf[0] = 0;
	for (i = 0; i < sizeof(files) / sizeof(files[0]) && used + 1 < len; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/" SIMNIC_MODULE "/" DEV "/%s", files[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf + used, 1, len - used - 1, f);
		used += n;
		buf[used] = 0;
		fclose(f);
	}
}

/* bind-rx --steer refuses beside XDP before it changes anything. */
static void steer_with_xdp(void)
{
	static char out[16384], before[8192], after[8192];
	int rc;

	nic_state(before, sizeof(before));
	if (!t_ok(run_cli("bind-rx " DEV " --queues 1 --size 4M --steer 5201 -- true",
			  out, sizeof(out), &rc) == 0, "run bind-rx " DEV " --steer with XDP"))
		return;
	if (!t_ok(rc == 1 && strstr(out, "xdp: an XDP program is attached to " DEV) &&
		  strstr(out, "ip link set " DEV " xdp off"),
		  "bind-rx " DEV " --steer with XDP: refused (exit 1), naming XDP and the fix"))
		show(out);
	nic_state(after, sizeof(after));
	if (!t_ok(before[0] && !strcmp(before, after),
		  "bind-rx " DEV " --steer with XDP: the device is left as it was (debugfs ethtool, steer, rss)")) {
		t_diag("before:");
		show(before);
		t_diag("after:");
		show(after);
	}
	t_ok(access("/run/uring-dmabuf/" DEV ".journal", F_OK) && errno == ENOENT,
	     "bind-rx " DEV " --steer with XDP: no journal left");
}

static void check_without_xdp(void)
{
	static char out[16384];
	int rc;

	if (!t_ok(run_cli("check " DEV, out, sizeof(out), &rc) == 0 &&
		  strstr(out, "[ ok ] xdp: no XDP program attached") &&
		  strstr(out, "[ ok ] bind: the kernel bound a one-page dma-buf to rx-3"),
		  "check " DEV " after detaching: xdp and the dry-run bind ok"))
		show(out);
}

int main(void)
{
	static char log[4096];
	char ext[256] = "";
	int ifindex, prog, ret;

	t_init();
	if (devmem_family() < 0)
		t_skip_all("kernel without devmem TCP (no NETDEV_CMD_BIND_RX)");
	/* The program is loaded first: a kernel without bpf() skips whole. */
	prog = load_xdp_pass(log, sizeof(log));
	if (prog == -ENOSYS)
		t_skip_all("kernel without the bpf() system call (CONFIG_BPF_SYSCALL)");
	ret = simnic_load("pairs=1 queues=4");
	if (ret == -ENOENT)
		t_skip_all(SIMNIC_MODULE " not built for this kernel");
	if (!t_ok(ret == 0, "modprobe " SIMNIC_MODULE))
		return t_finish();
	ifindex = (int)if_nametoindex(DEV);
	if (!t_ok(ifindex > 0 && if_set_up(DEV, 1) == 0, DEV " up"))
		goto out;

	if (!t_ok(prog >= 0, "load an XDP_PASS program")) {
		t_diag("%s: %s", errname(-prog), log);
		goto out;
	}
	ret = set_xdp(ifindex, prog, ext, sizeof(ext));
	if (!t_ok(ret == 0, "attach it to " DEV " (generic)")) {
		t_diag("%s: %s", errname(-ret), ext);
		close(prog);
		goto out;
	}
	check_with_xdp();
	steer_with_xdp();
	ret = set_xdp(ifindex, -1, ext, sizeof(ext));
	if (!t_ok(ret == 0, "detach it"))
		t_diag("%s: %s", errname(-ret), ext);
	close(prog);
	check_without_xdp();
out:
	t_rmmod(SIMNIC_MODULE);
	return t_finish();
}
