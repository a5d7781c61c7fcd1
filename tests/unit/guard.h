/* SPDX-License-Identifier: MIT */
/*
 * A copy of a message that ends exactly where a PROT_NONE page begins, so
 * that a parser reading one byte past the message faults instead of
 * silently reading the rest of a test buffer.
 */
#ifndef UNIT_GUARD_H
#define UNIT_GUARD_H

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static inline void *guarded(const void *data, size_t len)
{
	static unsigned char *map;
	long page = sysconf(_SC_PAGESIZE);

	if (!map) {
		map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED || mprotect(map + page, page, PROT_NONE))
			return NULL;
	}
	if (len > (size_t)page)
		return NULL;
	return memcpy(map + page - len, data, len);
}

#endif /* UNIT_GUARD_H */
