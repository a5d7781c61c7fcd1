/* SPDX-License-Identifier: MIT */
/*
 * Which NIC drivers take a memory provider (a dma-buf) for their RX queues,
 * from which kernel on: check's verdict on a device's driver.
 */
#ifndef URING_DMABUF_TOOL_CHECK_DRIVER_H
#define URING_DMABUF_TOOL_CHECK_DRIVER_H

#include <stdbool.h>

enum driver_class {
	DRIVER_UNKNOWN,		/* not in the table: only the kernel can tell */
	DRIVER_CAPABLE,		/* takes memory providers from min_major.min_minor */
	DRIVER_CAPABLE_SOME,	/* takes them in some kernels; which is not known here */
	DRIVER_INCAPABLE,	/* cannot do devmem on any kernel */
};

struct driver_info {
	const char *name;	/* ETHTOOL_GDRVINFO's driver name */
	enum driver_class cls;
	unsigned int min_major, min_minor;
	const char *note;	/* what it is, for the detail line */
};

/* The table's entry for @driver, or NULL. */
const struct driver_info *driver_lookup(const char *driver);

/* "6.12.118+deb12-amd64" is at least @major.@minor; false if unparsable. */
bool release_at_least(const char *release, unsigned int major, unsigned int minor);

/* The list of capable drivers for a fix line ("bnxt_en 6.17+, ..."). */
const char *driver_capable_list(void);

#endif
