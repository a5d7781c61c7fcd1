// SPDX-License-Identifier: GPL-2.0
/*
 * URING_DMABUF_CMD_CREATE_FIXED(_RO) through IORING_OP_URING_CMD: random
 * cmd_op, uring_cmd_flags, buffer indexes, ranges in and around the
 * registered buffers, sometimes forced to io-wq (IOSQE_ASYNC); and
 * unregistering/re-registering the buffers while dma-bufs made from them
 * live on.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz.h"
#include "uring.h"

/* Submits one command and returns cqe->res (or a submit error). */
static int submit_cmd(struct worker *w, uint32_t cmd_op, uint32_t cmd_flags,
		      uint16_t buf_index, uint64_t addr, uint64_t len,
		      uint8_t sqe_flags)
{
	struct __kernel_timespec ts = { .tv_sec = 60 };
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe)
		return -EBUSY;
	uring_prep_create_fixed(sqe, F.dev, cmd_op, cmd_flags, buf_index, addr, len,
				sqe_flags);
	ret = io_uring_submit(&w->ring);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe_timeout(&w->ring, &cqe, &ts);
	if (ret < 0) {
		fuzz_fail(w, "CREATE_FIXED: no completion within 60 s (%s)",
			  errname(-ret));
		atomic_store(&F.stop, 1);
		return ret;
	}
	ret = cqe->res;
	io_uring_cqe_seen(&w->ring, cqe);
	return ret;
}

void op_create_fixed(struct worker *w)
{
	struct rng *r = &w->rng;
	uint32_t cmd_op = URING_DMABUF_CMD_CREATE_FIXED, cmd_flags = IORING_URING_CMD_FIXED;
	uint16_t idx;
	struct region *reg;
	uint64_t addr, len;
	int bad_index = 0, unknown_op = 0, shape_bad = 0, outside = 0, ro, ret, fails;
	uint8_t sqe_flags = chance(r, 20) ? IOSQE_ASYNC : 0;

	if (!w->ring_ok || !w->nr_fixed)
		return;
	if (chance(r, 30))
		cmd_op = URING_DMABUF_CMD_CREATE_FIXED_RO;
	if (chance(r, 4)) {
		cmd_op = chance(r, 50) ? 0xDB42 + (uint32_t)rnd_below(r, 14) : (uint32_t)rnd(r);
		unknown_op = cmd_op != URING_DMABUF_CMD_CREATE_FIXED &&
			     cmd_op != URING_DMABUF_CMD_CREATE_FIXED_RO;
	}
	ro = cmd_op == URING_DMABUF_CMD_CREATE_FIXED_RO;
	if (chance(r, 4))
		cmd_flags = 0;

	idx = (uint16_t)rnd_below(r, w->nr_fixed);
	if (chance(r, 4)) {
		idx = chance(r, 50) ? (uint16_t)w->nr_fixed : (uint16_t)rnd(r);
		bad_index = idx >= w->nr_fixed;
	}
	reg = w->fixed[idx < w->nr_fixed ? idx : 0];
	addr = (uintptr_t)reg->p + rnd_below(r, reg->len / PAGE_SZ) * PAGE_SZ;
	len = (1 + rnd_below(r, ((uintptr_t)reg->p + reg->len - addr) / PAGE_SZ)) * PAGE_SZ;
	switch (rnd_below(r, 30)) {
	case 0:
		addr += 1 + rnd_below(r, PAGE_SZ - 1);
		shape_bad = 1;
		break;
	case 1:
		len += 1 + rnd_below(r, PAGE_SZ - 1);
		shape_bad = 1;
		break;
	case 2:
		len = 0;
		shape_bad = 1;
		break;
	case 3:
		addr = ~0ULL & ~(PAGE_SZ - 1);
		len = 2 * PAGE_SZ;
		shape_bad = 1;
		break;
	case 4: /* past the end of the registered buffer */
		len = (uintptr_t)reg->p + reg->len - addr + PAGE_SZ * (1 + rnd_below(r, 8));
		outside = 1;
		break;
	case 5: /* before its start */
		addr = (uintptr_t)reg->p - PAGE_SZ * (1 + rnd_below(r, 8));
		outside = 1;
		break;
	case 6: /* the whole buffer */
		addr = (uintptr_t)reg->p;
		len = reg->len;
		break;
	default:
		break;
	}

	ret = submit_cmd(w, cmd_op, cmd_flags, idx, addr, len, sqe_flags);
	fuzz_count(w);
	fails = atomic_load(&F.failures);
	/*
	 * io_uring checks the index at prep time on some kernels and at issue
	 * time on others, so a bad index may also win over our own checks.
	 */
	if (bad_index && cmd_flags) {
		int allowed[2] = { EFAULT, unknown_op ? ENOTTY : EINVAL };
		int n = unknown_op || shape_bad ? 2 : 1;

		expect(w, ret < 0 ? ret : 0, allowed, n, "CREATE_FIXED bad index");
	} else if (unknown_op) {
		EXPECT(w, ret < 0 ? ret : 0, "CREATE_FIXED unknown cmd_op", ENOTTY);
	} else if (!cmd_flags || shape_bad) {
		EXPECT(w, ret < 0 ? ret : 0, "CREATE_FIXED", EINVAL);
	} else if (outside) {
		EXPECT(w, ret < 0 ? ret : 0, "CREATE_FIXED outside the buffer", EFAULT);
	} else {
		EXPECT(w, ret < 0 ? ret : 0, "CREATE_FIXED", 0);
	}
	if (atomic_load(&F.failures) != fails)
		t_diag("  cmd_op %#x flags %#x index %u (%u registered) addr %#llx len %#llx "
		       "buffer %s %p+%#zx", cmd_op, cmd_flags, idx, w->nr_fixed,
		       (unsigned long long)addr, (unsigned long long)len,
		       region_name(reg->kind), (void *)reg->p, reg->len);
	if (ret < 0)
		return;
	if (outside || shape_bad || bad_index || unknown_op || !cmd_flags) {
		close(ret); /* already reported; its range is not the buffer's */
		return;
	}
	if (!fd_cloexec(ret))
		fuzz_fail(w, "CREATE_FIXED: fd %d is not close-on-exec", ret);
	{
		struct dbuf *b = buf_add(w, ret, len, ro, 1);

		b->nr = reg->coherent;
		b->must_alias = range_aliases(reg, len);
		b->r[0].reg = reg;
		b->r[0].off = addr - (uintptr_t)reg->p;
		b->r[0].len = len;
		if (chance(r, 30))
			buf_check_info(w, b);
		if (chance(r, 20))
			buf_check_coherent(w, b, "CREATE_FIXED");
	}
}

/* Registers the worker's fixed regions as buffers 0..nr_fixed-1. */
static int register_fixed(struct worker *w)
{
	struct iovec iov[sizeof(w->fixed) / sizeof(w->fixed[0])];
	int i;

	for (i = 0; i < w->nr_fixed; i++) {
		iov[i].iov_base = w->fixed[i]->p;
		iov[i].iov_len = w->fixed[i]->len;
	}
	return io_uring_register_buffers(&w->ring, iov, (unsigned int)w->nr_fixed);
}

/* dma-bufs made from the buffers must outlive their unregistration. */
void op_reregister(struct worker *w)
{
	int ret;

	if (!w->ring_ok || !w->nr_fixed)
		return;
	ret = io_uring_unregister_buffers(&w->ring);
	fuzz_count(w);
	if (!EXPECT(w, ret, "io_uring_unregister_buffers", 0))
		return;
	if (chance(&w->rng, 50)) {
		/* Nothing registered now: any index is a bad one. */
		struct region *reg = w->fixed[0];

		ret = submit_cmd(w, URING_DMABUF_CMD_CREATE_FIXED, IORING_URING_CMD_FIXED,
				 0, (uintptr_t)reg->p, PAGE_SZ, 0);
		fuzz_count(w);
		EXPECT(w, ret < 0 ? ret : 0, "CREATE_FIXED with no buffers registered",
		       EFAULT);
		if (ret >= 0)
			close(ret);
	}
	ret = register_fixed(w);
	if (!EXPECT(w, ret, "io_uring_register_buffers", 0))
		w->ring_ok = 0;
}

int fixed_init(struct worker *w)
{
	static const enum region_kind kinds[] = { RK_ANON, RK_MEMFD, RK_HUGETLB, RK_THP,
						  RK_ALIAS };
	size_t k;
	int i, ret;

	ret = io_uring_queue_init(8, &w->ring, 0);
	if (ret < 0)
		return ret;
	w->nr_fixed = 0;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (i = 0; i < w->arena.nr; i++)
			if (w->arena.r[i].kind == kinds[k])
				w->fixed[w->nr_fixed++] = &w->arena.r[i];
	/* Registered per epoch (fixed_epoch), so try it once here. */
	ret = register_fixed(w);
	if (ret < 0) {
		io_uring_queue_exit(&w->ring);
		return ret;
	}
	io_uring_unregister_buffers(&w->ring);
	w->ring_ok = 1;
	return 0;
}

/*
 * Registered only while an epoch runs: how many pins a registration holds
 * varies (io_uring keeps one per huge folio only while the folio is still
 * PMD-mapped, and a fork splits a pinned THP's PMD), so the counters are
 * compared with nothing registered.
 */
void fixed_epoch(struct worker *w, int start)
{
	if (!w->ring_ok)
		return;
	if (start && register_fixed(w))
		w->ring_ok = 0;
	else if (!start)
		io_uring_unregister_buffers(&w->ring);
}
