// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide live counters, readable by anyone under
 * /sys/class/misc/uring_dmabuf/: buffers, pinned_bytes, attachments.
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/sysfs.h>

#include "uring_dmabuf.h"

static atomic64_t nr_buffers = ATOMIC64_INIT(0);
static atomic64_t nr_pinned_pages = ATOMIC64_INIT(0);
static atomic64_t nr_attachments = ATOMIC64_INIT(0);

void uring_dmabuf_stats_buffer(long delta)
{
	atomic64_add(delta, &nr_buffers);
}

void uring_dmabuf_stats_attachment(long delta)
{
	atomic64_add(delta, &nr_attachments);
}

/* Returns the new total, so the module-wide cap is checked race-free. */
long uring_dmabuf_stats_pin(long nr_pages)
{
	return atomic64_add_return(nr_pages, &nr_pinned_pages);
}

u64 uring_dmabuf_stats_pinned_pages(void)
{
	return atomic64_read(&nr_pinned_pages);
}

static ssize_t buffers_show(struct device *dev, struct device_attribute *attr,
			    char *out)
{
	return sysfs_emit(out, "%lld\n", (long long)atomic64_read(&nr_buffers));
}
static DEVICE_ATTR_RO(buffers);

static ssize_t pinned_bytes_show(struct device *dev,
				 struct device_attribute *attr, char *out)
{
	return sysfs_emit(out, "%llu\n",
			  uring_dmabuf_stats_pinned_pages() << PAGE_SHIFT);
}
static DEVICE_ATTR_RO(pinned_bytes);

static ssize_t attachments_show(struct device *dev,
				struct device_attribute *attr, char *out)
{
	return sysfs_emit(out, "%lld\n",
			  (long long)atomic64_read(&nr_attachments));
}
static DEVICE_ATTR_RO(attachments);

static struct attribute *uring_dmabuf_attrs[] = {
	&dev_attr_buffers.attr,
	&dev_attr_pinned_bytes.attr,
	&dev_attr_attachments.attr,
	NULL,
};

static const struct attribute_group uring_dmabuf_attr_group = {
	.attrs = uring_dmabuf_attrs,
};

const struct attribute_group *uring_dmabuf_attr_groups[] = {
	&uring_dmabuf_attr_group,
	NULL,
};
