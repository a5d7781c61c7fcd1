// SPDX-License-Identifier: GPL-2.0
/*
 * 94-movable: a guest booted with movablecore= (make vmtest-numa) has a
 * ZONE_MOVABLE, where user memory lands first and whose pages the kernel
 * must be able to migrate (memory offlining, compaction). A long-term pin
 * must therefore not hold a page there: pin_user_pages(FOLL_LONGTERM) and
 * memfd_pin_folios() migrate such pages out before pinning. Checked for
 * CREATE of anonymous, THP, shmem, hugetlb 2 MiB and 1 GiB memory, and
 * for CREATE_FIXED: the pages' PFNs (/proc/self/pagemap) lie in
 * ZONE_MOVABLE's span (/proc/zoneinfo) before the create, which shows the
 * check can fail, and none of them does after it (pins.c). Then memory
 * offlining (offline.c): the movable blocks the buffer's pages came from
 * go offline while the dma-buf is held and after it is gone, and come back
 * online; the block holding its pinned pages refuses to go offline, within
 * a timeout, without hanging.
 *
 * CMA (the other place a long-term pin must not stay) is not covered:
 * 6.12's Debian kernel has no CONFIG_CMA, 7.3's reserves no area
 * (CONFIG_CMA_SIZE_MBYTES=0), and one given with cma= lies either in
 * ZONE_MOVABLE (where this check covers it already) or in a zone below,
 * which user pages reach only once their node's ZONE_MOVABLE is full.
 *
 * Without a ZONE_MOVABLE the program skips, unless the harness said this
 * boot is the movable lane (URING_DMABUF_VM_EXPECT holds "movable"):
 * then it fails.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "movable.h"

struct zone_span zones[MAX_ZONES];
int nr_zones;

int main(void)
{
	uint64_t movable = 0;
	int dev, i;

	t_init();
	nr_zones = zones_read(zones, MAX_ZONES);
	for (i = 0; i < nr_zones; i++) {
		if (strcmp(zones[i].name, "Movable") || !zones[i].present)
			continue;
		movable += zones[i].present;
		t_diag("node %d ZONE_MOVABLE: PFNs 0x%llx-0x%llx, %llu MiB "
		       "present", zones[i].node,
		       (unsigned long long)zones[i].start_pfn,
		       (unsigned long long)(zones[i].start_pfn +
					    zones[i].spanned - 1),
		       (unsigned long long)(zones[i].present * PAGE_SZ / MIB));
	}
	if (!movable) {
		if (vm_expects("movable")) {
			t_ok(0, "a ZONE_MOVABLE in the movable lane's guest");
			t_diag("/proc/zoneinfo: %d zones, none Movable with "
			       "present pages: the harness asked for it "
			       "(uring_dmabuf_vm.expect=movable), see "
			       "movablecore= in tests/Makefile", nr_zones);
			return t_finish();
		}
		t_skip_all("no ZONE_MOVABLE (make vmtest-numa boots with "
			   "movablecore=)");
	}
	if (geteuid())
		t_skip_all("PFNs in /proc/self/pagemap need root");
	dev = dev_open();
	check_pins(dev);
	check_offline(dev);
	close(dev);
	return t_finish();
}
