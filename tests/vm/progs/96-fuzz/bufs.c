// SPDX-License-Identifier: GPL-2.0
/*
 * The dma-bufs a worker holds, what their creation promised, and the checks
 * run on them: INFO agrees, and a word written through the source memory
 * reads back through an mmap of the dma-buf (the very pages are pinned).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

struct dbuf *buf_add(struct worker *w, int fd, uint64_t bytes, int readonly,
		     int cloexec)
{
	struct dbuf *b;

	if (w->nr_bufs == BUF_MAX)
		buf_drop(w, &w->bufs[rnd_below(&w->rng, BUF_MAX)]);
	b = &w->bufs[w->nr_bufs++];
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->bytes = bytes;
	b->readonly = readonly;
	b->cloexec = cloexec;
	return b;
}

struct dbuf *buf_pick(struct worker *w)
{
	struct dbuf *b;

	if (!w->nr_bufs)
		return NULL;
	b = &w->bufs[rnd_below(&w->rng, w->nr_bufs)];
	return b;
}

/* Closes the fd and the mapping (either may be gone already). */
void buf_drop(struct worker *w, struct dbuf *b)
{
	if (b->fd >= 0) {
		close(b->fd);
		fuzz_count(w);
	}
	if (b->map)
		munmap(b->map, b->map_len);
	*b = w->bufs[--w->nr_bufs];
}

void buf_close_all(struct worker *w)
{
	while (w->nr_bufs)
		buf_drop(w, &w->bufs[w->nr_bufs - 1]);
}

/* The source byte behind offset off of the dma-buf, or NULL. */
static unsigned char *source_at(struct dbuf *b, uint64_t off)
{
	int i;

	for (i = 0; i < b->nr; i++) {
		if (off < b->r[i].len)
			return b->r[i].reg->p + b->r[i].off + off;
		off -= b->r[i].len;
	}
	return NULL;
}

int buf_check_coherent(struct worker *w, struct dbuf *b, const char *what)
{
	uint64_t off, word = rnd(&w->rng), got;
	unsigned char *src, *map;
	int ok;

	if (!b->nr || b->fd < 0)
		return 1;
	off = rnd_below(&w->rng, b->bytes / 8) * 8;
	src = source_at(b, off);
	if (!src)
		return 1;
	map = mmap(NULL, b->bytes, PROT_READ, MAP_SHARED, b->fd, 0);
	fuzz_count(w);
	if (map == MAP_FAILED) {
		fuzz_fail(w, "%s: mmap PROT_READ of a %llu-byte dma-buf: %s", what,
			  (unsigned long long)b->bytes, errname(errno));
		return 0;
	}
	memcpy(src, &word, 8);
	memcpy(&got, map + off, 8);
	ok = got == word;
	if (!ok)
		fuzz_fail(w, "%s: byte %llu of the dma-buf is not the source memory "
			  "(%s): wrote %#llx, read %#llx", what,
			  (unsigned long long)off, region_name(b->r[0].reg->kind),
			  (unsigned long long)word, (unsigned long long)got);
	munmap(map, b->bytes);
	return ok;
}

void buf_check_info(struct worker *w, struct dbuf *b)
{
	struct uring_dmabuf_info info;
	long ret;

	if (b->fd < 0)
		return;
	ret = ud_info(F.dev, b->fd, &info);
	fuzz_count(w);
	if (!EXPECT(w, ret, "INFO of a live dma-buf", 0))
		return;
	if (info.bytes != b->bytes ||
	    info.create_flags != (b->readonly ? URING_DMABUF_CREATE_READONLY : 0u) ||
	    !info.nr_segments || info.nr_segments > info.bytes / PAGE_SZ ||
	    info.huge_bytes > info.bytes || !info.node_mask)
		fuzz_fail(w, "INFO: bytes %llu (want %llu) create_flags %#x (readonly %d) "
			  "nr_segments %llu huge_bytes %llu node_mask %#llx",
			  (unsigned long long)info.bytes, (unsigned long long)b->bytes,
			  info.create_flags, b->readonly,
			  (unsigned long long)info.nr_segments,
			  (unsigned long long)info.huge_bytes,
			  (unsigned long long)info.node_mask);
}
