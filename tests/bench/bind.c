// SPDX-License-Identifier: MIT
/*
 * Binding cost: the same 1 GiB of hugetlb memfd memory exported by us and by
 * udmabuf, bound to one RX queue of the simulated NIC, timed, with the
 * kernel memory (slab + vmalloc) the binding adds. devmem keeps one genpool
 * chunk and one owner struct per DMA segment, so segments are the cost.
 * Behind an IOMMU (the NIC's device in an IOMMU group: make bench-iommu)
 * the mapping also writes the IOMMU's page tables, and the segments are
 * the merged IOVA ranges; each row says which DMA path it measured.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <liburing_dmabuf.h>

#include "bind.h"
#include "stats.h"

/* "iommu" if the NIC's DMA device is translated by an IOMMU, else "direct". */
static const char *dma_path(const char *ifname)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/iommu_group", ifname);
	return access(path, F_OK) ? "direct" : "iommu";
}

/* Slab + vmalloc in KiB, from /proc/meminfo. */
static long long kernel_kib(void)
{
	char key[64];
	long long v, sum = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld kB", key, &v) == 2)
		if (!strcmp(key, "Slab:") || !strcmp(key, "VmallocUsed:"))
			sum += v;
	fclose(f);
	return sum;
}

/* The stack frees a binding once its page pool has every buffer back. */
static void settle(void)
{
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");

	sleep(3);
	if (f) {
		fputs("2\n", f);
		fclose(f);
	}
}

static int bind_once(unsigned int ifindex, unsigned int queue, int fd,
		     double *ms, long long *kib)
{
	struct uring_dmabuf_bind_params p = {
		.ifindex = ifindex, .dmabuf_fd = fd, .queues = &queue, .nr_queues = 1,
	};
	struct uring_dmabuf_binding *b;
	struct uring_dmabuf_nl_error err;
	long long before = kernel_kib();
	double t0 = now_ms();
	int ret;

	ret = uring_dmabuf_bind_rx(&p, &b, &err);
	*ms = now_ms() - t0;
	*kib = kernel_kib() - before;
	if (ret) {
		printf("# bind: %s%s%s\n", strerror(-ret), err.msg[0] ? ": " : "", err.msg);
		return ret;
	}
	uring_dmabuf_unbind(b);
	settle();
	return 0;
}

int bench_bind(int dev_fd, const char *ifname, unsigned int queue, int runs)
{
	static const enum method methods[] = { OURS_IOCTL, UDMABUF };
	double t_med[2] = { 0 };
	unsigned int ifindex = if_nametoindex(ifname);
	struct samples t, kib;
	struct made made;
	struct mem mem;
	double ms;
	long long k;
	int i, m, ret;

	if (!ifindex)
		return -ENODEV;
	if (mem_get(&mem, MEMFD_HUGETLB, 1UL << 30))
		return -ENOMEM;
	printf("\nNETDEV_CMD_BIND_RX of 1 GiB of hugetlb memfd to %s queue %u, DMA %s"
	       " (median [min-max] of %d):\n", ifname, queue, dma_path(ifname), runs);
	for (m = 0; m < 2; m++) {
		memset(&t, 0, sizeof(t));
		memset(&kib, 0, sizeof(kib));
		ret = method_create(methods[m], dev_fd, &mem, &made);
		if (ret) {
			printf("  %-19s n/a (%s)\n", method_name(methods[m]), strerror(-ret));
			continue;
		}
		for (i = 0; i < runs; i++) {
			if (bind_once(ifindex, queue, made.fd, &ms, &k))
				break;
			samples_add(&t, ms);
			samples_add(&kib, (double)k);
		}
		method_release(&made);
		if (!t.n)
			continue;
		t_med[m] = samples_median(&t);
		printf("  %-19s bind %9.3f ms [%.2f-%.2f]  kernel memory %+8.0f KiB\n",
		       method_name(methods[m]), t_med[m], samples_min(&t),
		       samples_max(&t), samples_median(&kib));
		printf("BENCH-BIND {\"method\":\"%s\",\"dma\":\"%s\",\"bind_ms\":%.4f,\"kernel_kib\":%.0f,\"runs\":%d}\n",
		       method_name(methods[m]), dma_path(ifname), t_med[m],
		       samples_median(&kib), t.n);
	}
	if (t_med[0] > 0 && t_med[1] > 0)
		printf("  bind time ours / udmabuf: %.3f\n", t_med[0] / t_med[1]);
	mem_put(&mem);
	return 0;
}
