// SPDX-License-Identifier: MIT
/*
 * lib/devmem.c: walking synthesized recvmsg(MSG_SOCK_DEVMEM) control
 * buffers, and token batches sent through a wrapped setsockopt().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

#include "private.h"

/* ---- a wrapped setsockopt() that keeps what it was given ---------------- */

static struct {
	int calls;
	int sock, level, name;
	socklen_t len;
	unsigned char val[4096];
	int ret, err;	/* what to answer */
} so;

int __wrap_setsockopt(int sock, int level, int name, const void *val,
		      socklen_t len)
{
	so.calls++;
	so.sock = sock;
	so.level = level;
	so.name = name;
	so.len = len;
	assert_true(len <= sizeof(so.val));
	memcpy(so.val, val, len);
	errno = so.err;
	return so.ret;
}

static int reset(void **state)
{
	(void)state;
	memset(&so, 0, sizeof(so));
	return 0;
}

/* The kernel's struct dmabuf_token, as sent. */
struct sent_range {
	uint32_t start, count;
};

static const struct sent_range *sent(void)
{
	return (const struct sent_range *)so.val;
}

/* ---- control buffers ------------------------------------------------------ */

struct ctl {
	size_t len;
	unsigned char b[1024] __attribute__((aligned(8)));
};

static void put_cmsg(struct ctl *c, int level, int type, const void *data,
		     size_t len)
{
	struct cmsghdr *cm = (struct cmsghdr *)(c->b + c->len);

	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
	c->len += CMSG_SPACE(len);
}

static void put_devmem(struct ctl *c, int type, uint64_t off, uint32_t size,
		       uint32_t token, uint32_t id)
{
	struct devmem_cmsg d = {
		.frag_offset = off, .frag_size = size,
		.frag_token = token, .dmabuf_id = id,
	};

	put_cmsg(c, SOL_SOCKET, type, &d, sizeof(d));
}

static void msg_of(struct msghdr *m, struct ctl *c)
{
	memset(m, 0, sizeof(*m));
	m->msg_control = c->b;
	m->msg_controllen = c->len;
}

static void frags_begin__null_msg_ends_at_once(void **state)
{
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;

	(void)state;
	uring_dmabuf_frags_begin(&it, NULL);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 0);
}

static void frags_begin__no_control_ends_at_once(void **state)
{
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;
	struct msghdr m = { 0 };

	(void)state;
	uring_dmabuf_frags_begin(&it, &m);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 0);
	m.msg_flags = MSG_CTRUNC;	/* no room even for one cmsg */
	uring_dmabuf_frags_begin(&it, &m);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), -EMSGSIZE);
}

static void frags_next__dmabuf_and_linear_in_order(void **state)
{
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;
	struct msghdr m;
	struct ctl c = { 0 };

	(void)state;
	put_devmem(&c, SO_DEVMEM_DMABUF, 0x200000, 4096, 17, 3);
	put_devmem(&c, SO_DEVMEM_LINEAR, 0xdead, 66, 0xbeef, 9);
	put_devmem(&c, SO_DEVMEM_DMABUF, 1ULL << 40, 1000, 18, 3);
	msg_of(&m, &c);
	uring_dmabuf_frags_begin(&it, &m);

	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 1);
	assert_int_equal(f.offset, 0x200000);
	assert_int_equal(f.len, 4096);
	assert_int_equal(f.token, 17);
	assert_int_equal(f.dmabuf_id, 3);
	assert_int_equal(f.linear, 0);

	/* Linear bytes are in the iovec: no offset, token or binding. */
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 1);
	assert_int_equal(f.linear, 1);
	assert_int_equal(f.len, 66);
	assert_int_equal(f.offset, 0);
	assert_int_equal(f.token, 0);
	assert_int_equal(f.dmabuf_id, 0);

	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 1);
	assert_int_equal(f.offset, 1ULL << 40);
	assert_int_equal(f.token, 18);

	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 0);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 0);
}

static void frags_next__skips_unrelated_cmsgs(void **state)
{
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;
	struct msghdr m;
	struct ctl c = { 0 };
	uint64_t ts[2] = { 1, 2 };
	int one = 1;

	(void)state;
	put_cmsg(&c, SOL_SOCKET, SO_TIMESTAMP, ts, sizeof(ts));
	put_devmem(&c, SO_DEVMEM_DMABUF, 4096, 10, 1, 1);
	/* The devmem type numbers at another level are someone else's. */
	put_cmsg(&c, 0 /* SOL_IP */, SO_DEVMEM_DMABUF, &one, sizeof(one));
	put_cmsg(&c, SOL_SOCKET, SO_DEVMEM_DONTNEED, &one, sizeof(one));
	put_devmem(&c, SO_DEVMEM_DMABUF, 8192, 20, 2, 1);
	msg_of(&m, &c);
	uring_dmabuf_frags_begin(&it, &m);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 1);
	assert_int_equal(f.token, 1);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 1);
	assert_int_equal(f.token, 2);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 0);
}

static void frags_next__short_devmem_cmsg_is_eproto(void **state)
{
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;
	struct msghdr m;
	struct ctl c = { 0 };
	uint64_t half[2] = { 4096, 10 };

	(void)state;
	put_devmem(&c, SO_DEVMEM_DMABUF, 4096, 10, 1, 1);
	put_cmsg(&c, SOL_SOCKET, SO_DEVMEM_DMABUF, half, sizeof(half));
	msg_of(&m, &c);
	uring_dmabuf_frags_begin(&it, &m);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 1);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), -EPROTO);
}

static void frags_next__ctrunc_is_emsgsize_after_valid_frags(void **state)
{
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;
	struct msghdr m;
	struct ctl c = { 0 };

	(void)state;
	put_devmem(&c, SO_DEVMEM_DMABUF, 0, 4096, 5, 1);
	put_devmem(&c, SO_DEVMEM_DMABUF, 4096, 4096, 6, 1);
	msg_of(&m, &c);
	m.msg_flags = MSG_CTRUNC;
	uring_dmabuf_frags_begin(&it, &m);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 1);
	assert_int_equal(f.token, 5);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), 1);
	assert_int_equal(f.token, 6);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), -EMSGSIZE);
}

/*
 * A first cmsg whose cmsg_len claims more than the control buffer holds:
 * the buffer ends at a PROT_NONE page, so reading past it faults.
 */
static void frags_next__cmsg_len_past_buffer_is_eproto(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;
	struct cmsghdr *cm;
	struct msghdr m = { 0 };
	unsigned char *map;
	size_t len = CMSG_LEN(8);

	(void)state;
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, page, PROT_NONE), 0);
	cm = (struct cmsghdr *)(map + page - len);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SO_DEVMEM_DMABUF;
	cm->cmsg_len = CMSG_LEN(sizeof(struct devmem_cmsg));
	m.msg_control = cm;
	m.msg_controllen = len;
	uring_dmabuf_frags_begin(&it, &m);
	assert_int_equal(uring_dmabuf_frags_next(&it, &f), -EPROTO);
	munmap(map, 2 * page);
}

static void frags_next__null_args_are_einval(void **state)
{
	struct uring_dmabuf_frag_iter it;
	struct uring_dmabuf_frag f;

	(void)state;
	uring_dmabuf_frags_begin(&it, NULL);
	assert_int_equal(uring_dmabuf_frags_next(&it, NULL), -EINVAL);
	assert_int_equal(uring_dmabuf_frags_next(NULL, &f), -EINVAL);
	uring_dmabuf_frags_begin(NULL, NULL);	/* must not crash */
}

static void tokens_init__empty_batch_for_sock(void **state)
{
	struct uring_dmabuf_tokens t;

	(void)state;
	memset(&t, 0xff, sizeof(t));
	uring_dmabuf_tokens_init(&t, 12);
	assert_int_equal(t.sock, 12);
	assert_int_equal(t.nr, 0);
	assert_int_equal(t.nr_frags, 0);
}

static void tokens_flush__empty_batch_sends_nothing(void **state)
{
	struct uring_dmabuf_tokens t;

	(void)state;
	uring_dmabuf_tokens_init(&t, 12);
	assert_int_equal(uring_dmabuf_tokens_flush(&t), 0);
	assert_int_equal(so.calls, 0);
}

static void tokens_add__consecutive_tokens_merge(void **state)
{
	static const uint32_t in[] = { 5, 6, 7, 10, 11, 3, 4, 4 };
	struct uring_dmabuf_tokens t;
	unsigned int i;

	(void)state;
	uring_dmabuf_tokens_init(&t, 12);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_int_equal(uring_dmabuf_tokens_add(&t, in[i]), 0);
	assert_int_equal(so.calls, 0);
	assert_int_equal(uring_dmabuf_tokens_flush(&t), 0);

	assert_int_equal(so.calls, 1);
	assert_int_equal(so.sock, 12);
	assert_int_equal(so.level, SOL_SOCKET);
	assert_int_equal(so.name, SO_DEVMEM_DONTNEED);
	assert_int_equal(so.len, 4 * sizeof(struct sent_range));
	assert_int_equal(sent()[0].start, 5);
	assert_int_equal(sent()[0].count, 3);
	assert_int_equal(sent()[1].start, 10);
	assert_int_equal(sent()[1].count, 2);
	assert_int_equal(sent()[2].start, 3);
	assert_int_equal(sent()[2].count, 2);
	/* A repeated token is not "consecutive": its own range. */
	assert_int_equal(sent()[3].start, 4);
	assert_int_equal(sent()[3].count, 1);

	/* The batch is empty again. */
	assert_int_equal(uring_dmabuf_tokens_flush(&t), 0);
	assert_int_equal(so.calls, 1);
}

static void tokens_add__flush_at_128_ranges(void **state)
{
	struct uring_dmabuf_tokens t;
	unsigned int i;

	(void)state;
	uring_dmabuf_tokens_init(&t, 3);
	for (i = 0; i < URING_DMABUF_TOKEN_BATCH; i++)
		assert_int_equal(uring_dmabuf_tokens_add(&t, 2 * i), 0);
	assert_int_equal(so.calls, 0);
	/* The 129th range does not fit: the 128 go first. */
	assert_int_equal(uring_dmabuf_tokens_add(&t, 1000), 0);
	assert_int_equal(so.calls, 1);
	assert_int_equal(so.len, 128 * sizeof(struct sent_range));
	for (i = 0; i < 128; i++) {
		assert_int_equal(sent()[i].start, 2 * i);
		assert_int_equal(sent()[i].count, 1);
	}
	assert_int_equal(t.nr, 1);
	assert_int_equal(t.range[0].start, 1000);
	assert_int_equal(t.nr_frags, 1);
}

static void tokens_add__full_batch_still_merges(void **state)
{
	struct uring_dmabuf_tokens t;
	unsigned int i;

	(void)state;
	uring_dmabuf_tokens_init(&t, 3);
	for (i = 0; i < URING_DMABUF_TOKEN_BATCH; i++)
		uring_dmabuf_tokens_add(&t, 2 * i);
	/* Extends the last range: no flush needed. */
	assert_int_equal(uring_dmabuf_tokens_add(&t, 2 * 127 + 1), 0);
	assert_int_equal(so.calls, 0);
	assert_int_equal(t.range[127].count, 2);
}

static void tokens_add__flush_at_1024_frags(void **state)
{
	struct uring_dmabuf_tokens t;
	unsigned int i;

	(void)state;
	uring_dmabuf_tokens_init(&t, 3);
	for (i = 0; i < DEVMEM_MAX_DONTNEED_FRAGS; i++)
		assert_int_equal(uring_dmabuf_tokens_add(&t, 100 + i), 0);
	assert_int_equal(so.calls, 0);
	/* The kernel frees at most 1024 frags per call: the rest would leak. */
	assert_int_equal(uring_dmabuf_tokens_add(&t, 100 + i), 0);
	assert_int_equal(so.calls, 1);
	assert_int_equal(so.len, sizeof(struct sent_range));
	assert_int_equal(sent()[0].start, 100);
	assert_int_equal(sent()[0].count, 1024);
	assert_int_equal(t.nr, 1);
	assert_int_equal(t.range[0].start, 100 + 1024);
	assert_int_equal(t.range[0].count, 1);
}

static void tokens_add__1024_frags_over_several_ranges(void **state)
{
	struct uring_dmabuf_tokens t;
	uint32_t sum = 0;
	unsigned int i;

	(void)state;
	uring_dmabuf_tokens_init(&t, 3);
	/* 8 ranges of 128 frags each. */
	for (i = 0; i < 1024; i++)
		uring_dmabuf_tokens_add(&t, (i / 128) * 1000 + i % 128);
	assert_int_equal(so.calls, 0);
	uring_dmabuf_tokens_add(&t, 50000);
	assert_int_equal(so.calls, 1);
	assert_int_equal(so.len, 8 * sizeof(struct sent_range));
	for (i = 0; i < 8; i++)
		sum += sent()[i].count;
	assert_int_equal(sum, 1024);
}

static void tokens_flush__count_returned_is_success(void **state)
{
	struct uring_dmabuf_tokens t;

	(void)state;
	so.ret = 3;	/* the kernel returns how many frags it freed */
	uring_dmabuf_tokens_init(&t, 3);
	uring_dmabuf_tokens_add(&t, 1);
	uring_dmabuf_tokens_add(&t, 2);
	uring_dmabuf_tokens_add(&t, 9);
	assert_int_equal(uring_dmabuf_tokens_flush(&t), 0);
}

static void tokens_flush__setsockopt_error_is_negative_errno(void **state)
{
	struct uring_dmabuf_tokens t;

	(void)state;
	so.ret = -1;
	so.err = ENOTSOCK;
	uring_dmabuf_tokens_init(&t, 3);
	uring_dmabuf_tokens_add(&t, 1);
	assert_int_equal(uring_dmabuf_tokens_flush(&t), -ENOTSOCK);
	/* The batch is dropped, not retried forever. */
	assert_int_equal(t.nr, 0);
	assert_int_equal(t.nr_frags, 0);
}

static void tokens_add__flush_error_is_negative_errno(void **state)
{
	struct uring_dmabuf_tokens t;
	unsigned int i;

	(void)state;
	uring_dmabuf_tokens_init(&t, 3);
	for (i = 0; i < URING_DMABUF_TOKEN_BATCH; i++)
		uring_dmabuf_tokens_add(&t, 2 * i);
	so.ret = -1;
	so.err = EINVAL;
	assert_int_equal(uring_dmabuf_tokens_add(&t, 1000), -EINVAL);
	assert_int_equal(so.calls, 1);
}

static void tokens__null_batch_is_einval(void **state)
{
	(void)state;
	assert_int_equal(uring_dmabuf_tokens_add(NULL, 1), -EINVAL);
	assert_int_equal(uring_dmabuf_tokens_flush(NULL), -EINVAL);
	uring_dmabuf_tokens_init(NULL, 3);	/* must not crash */
	assert_int_equal(so.calls, 0);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(frags_begin__null_msg_ends_at_once),
		T(frags_begin__no_control_ends_at_once),
		T(frags_next__dmabuf_and_linear_in_order),
		T(frags_next__skips_unrelated_cmsgs),
		T(frags_next__short_devmem_cmsg_is_eproto),
		T(frags_next__ctrunc_is_emsgsize_after_valid_frags),
		T(frags_next__cmsg_len_past_buffer_is_eproto),
		T(frags_next__null_args_are_einval),
		T(tokens_init__empty_batch_for_sock),
		T(tokens_flush__empty_batch_sends_nothing),
		T(tokens_add__consecutive_tokens_merge),
		T(tokens_add__flush_at_128_ranges),
		T(tokens_add__full_batch_still_merges),
		T(tokens_add__flush_at_1024_frags),
		T(tokens_add__1024_frags_over_several_ranges),
		T(tokens_flush__count_returned_is_success),
		T(tokens_flush__setsockopt_error_is_negative_errno),
		T(tokens_add__flush_error_is_negative_errno),
		T(tokens__null_batch_is_einval),
	};

	return unit_run("devmem", tests);
}
