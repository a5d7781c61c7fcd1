// SPDX-License-Identifier: MIT
/*
 * devmem TCP receive helpers: walking the control messages of
 * recvmsg(MSG_SOCK_DEVMEM), and giving frag tokens back in batches.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "private.h"

void uring_dmabuf_frags_begin(struct uring_dmabuf_frag_iter *it,
			      const struct msghdr *msg)
{
	if (!it)
		return;
	it->msg = msg;
	it->next = msg && msg->msg_control &&
		   msg->msg_controllen >= sizeof(struct cmsghdr) ?
		   CMSG_FIRSTHDR((struct msghdr *)msg) : NULL;
}

/*
 * Returns 1 and fills @frag, 0 at the end, -EPROTO for a malformed devmem
 * control message. At the end, -EMSGSIZE instead of 0 if the kernel had to
 * truncate the control messages (MSG_CTRUNC: give a larger control buffer);
 * the frags before that are valid and their tokens must still be returned.
 * Control messages of other kinds are skipped.
 */
int uring_dmabuf_frags_next(struct uring_dmabuf_frag_iter *it,
			    struct uring_dmabuf_frag *frag)
{
	const struct cmsghdr *cm;
	struct devmem_cmsg dc;
	const char *end;

	if (!it || !frag)
		return -EINVAL;
	if (!it->msg)
		return 0;
	end = (const char *)it->msg->msg_control + it->msg->msg_controllen;
	while ((cm = it->next)) {
		/* The kernel's lengths are trusted no further than the buffer. */
		if (cm->cmsg_len < sizeof(*cm) ||
		    cm->cmsg_len > (size_t)(end - (const char *)cm))
			return -EPROTO;
		it->next = CMSG_NXTHDR((struct msghdr *)it->msg,
				       (struct cmsghdr *)cm);
		if (cm->cmsg_level != SOL_SOCKET ||
		    (cm->cmsg_type != SO_DEVMEM_DMABUF &&
		     cm->cmsg_type != SO_DEVMEM_LINEAR))
			continue;
		if (cm->cmsg_len < CMSG_LEN(sizeof(dc)))
			return -EPROTO;
		memcpy(&dc, CMSG_DATA(cm), sizeof(dc));
		memset(frag, 0, sizeof(*frag));
		frag->len = dc.frag_size;
		frag->linear = cm->cmsg_type == SO_DEVMEM_LINEAR;
		if (!frag->linear) {
			frag->offset = dc.frag_offset;
			frag->token = dc.frag_token;
			frag->dmabuf_id = dc.dmabuf_id;
		}
		return 1;
	}
	if (it->msg && (it->msg->msg_flags & MSG_CTRUNC))
		return -EMSGSIZE;
	return 0;
}

void uring_dmabuf_tokens_init(struct uring_dmabuf_tokens *t, int sock)
{
	if (!t)
		return;
	memset(t, 0, sizeof(*t));
	t->sock = sock;
}

/* Returns 0, or -errno of the SO_DEVMEM_DONTNEED that failed. */
int uring_dmabuf_tokens_flush(struct uring_dmabuf_tokens *t)
{
	socklen_t len;
	int ret;

	if (!t)
		return -EINVAL;
	len = t->nr * sizeof(t->range[0]);
	if (!t->nr)
		return 0;
	ret = setsockopt(t->sock, SOL_SOCKET, SO_DEVMEM_DONTNEED, t->range, len);
	t->nr = 0;
	t->nr_frags = 0;
	if (ret < 0)
		return -errno;
	return 0;
}

/*
 * Consecutive tokens merge into one range. A batch is sent when it is full
 * or holds as many frags as the kernel frees in one call.
 */
int uring_dmabuf_tokens_add(struct uring_dmabuf_tokens *t, uint32_t token)
{
	int ret;

	if (!t)
		return -EINVAL;
	if (t->nr_frags == DEVMEM_MAX_DONTNEED_FRAGS) {
		ret = uring_dmabuf_tokens_flush(t);
		if (ret)
			return ret;
	}
	if (t->nr &&
	    t->range[t->nr - 1].start + t->range[t->nr - 1].count == token) {
		t->range[t->nr - 1].count++;
		t->nr_frags++;
		return 0;
	}
	if (t->nr == URING_DMABUF_TOKEN_BATCH) {
		ret = uring_dmabuf_tokens_flush(t);
		if (ret)
			return ret;
	}
	t->range[t->nr].start = token;
	t->range[t->nr].count = 1;
	t->nr++;
	t->nr_frags++;
	return 0;
}
