// SPDX-License-Identifier: GPL-2.0
/*
 * uring_dmabuf: export io_uring registered buffers or ranges of a process's
 * memory as dma-bufs, for devmem TCP (NETDEV_CMD_BIND_RX) and other
 * importers. This file: module parameters, the misc device, dispatch.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "uring_dmabuf.h"

unsigned int uring_dmabuf_max_ranges = 4096;
module_param_named(max_ranges, uring_dmabuf_max_ranges, uint, 0444);
MODULE_PARM_DESC(max_ranges, "Most ranges in one URING_DMABUF_IOC_CREATE (default 4096)");

unsigned long uring_dmabuf_max_pinned_mb;
module_param_named(max_pinned_mb, uring_dmabuf_max_pinned_mb, ulong, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Module-wide cap on pinned memory in MiB, 0 = only RLIMIT_MEMLOCK (default 0)");

static long uring_dmabuf_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case URING_DMABUF_IOC_VERSION:
		return uring_dmabuf_ioctl_version(uarg);
	case URING_DMABUF_IOC_CREATE:
		return uring_dmabuf_ioctl_create(uarg);
	case URING_DMABUF_IOC_INFO:
		return uring_dmabuf_ioctl_info(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations uring_dmabuf_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = uring_dmabuf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.uring_cmd = uring_dmabuf_uring_cmd,
	.llseek = noop_llseek,
};

/*
 * 0666: a caller gets no more than io_uring buffer registration gives any
 * user. It pins only memory it may access, with the
 * access it has (checked on what was pinned, seals included), charged to
 * its user's RLIMIT_MEMLOCK; READONLY stays read-only for every importer;
 * binding to a NIC needs CAP_NET_ADMIN. The udev rule narrows it to a group.
 */
static struct miscdevice uring_dmabuf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "uring_dmabuf",
	.fops = &uring_dmabuf_fops,
	.groups = uring_dmabuf_attr_groups,
	.mode = 0666,
};

static int __init uring_dmabuf_init(void)
{
	int err = misc_register(&uring_dmabuf_misc);

	if (err)
		pr_err("cannot register /dev/uring_dmabuf: %d\n", err);
	return err;
}

static void __exit uring_dmabuf_exit(void)
{
	misc_deregister(&uring_dmabuf_misc);
}

module_init(uring_dmabuf_init);
module_exit(uring_dmabuf_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Export io_uring registered buffers and user memory as dma-bufs");
MODULE_AUTHOR("uring-dmabuf developers");
MODULE_VERSION(URING_DMABUF_VERSION);
uring_dmabuf_import_ns_dma_buf();
