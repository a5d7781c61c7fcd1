// SPDX-License-Identifier: GPL-2.0
/*
 * uring_dmabuf_importer: a test-only dma-buf importer. The misc device
 * IMPORTER_DEVICE takes a dma-buf fd and reports what a device with the
 * given DMA limits receives from its exporter (see importer_uapi.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "importer.h"

struct importer_file {
	struct mutex lock; /* protects kept */
	struct importer_mapping *kept;
};

static struct miscdevice importer_misc;

static int importer_open(struct inode *inode, struct file *file)
{
	struct importer_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int importer_release(struct inode *inode, struct file *file)
{
	struct importer_file *f = file->private_data;

	if (f->kept)
		importer_mapping_release(f->kept);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static int importer_ioctl_check(struct importer_file *f, void __user *uarg)
{
	struct importer_check chk = {};
	int ret;

	/* Everything from attach_err on is output, left zero here. */
	if (copy_from_user(&chk, uarg,
			   offsetof(struct importer_check, attach_err)))
		return -EFAULT;
	if (chk.flags & ~IMPORTER_CHECK_FLAGS_ALL || chk.__pad ||
	    chk.dir > IMPORTER_DIR_FROM_DEVICE ||
	    chk.cpu_dir > IMPORTER_DIR_FROM_DEVICE)
		return -EINVAL;

	mutex_lock(&f->lock);
	if ((chk.flags & IMPORTER_CHECK_KEEP) && f->kept)
		ret = -EBUSY;
	else
		ret = importer_run_check(importer_misc.this_device, &chk,
					 chk.flags & IMPORTER_CHECK_KEEP ?
					 &f->kept : NULL);
	mutex_unlock(&f->lock);
	if (ret)
		return ret;

	return copy_to_user(uarg, &chk, sizeof(chk)) ? -EFAULT : 0;
}

static int importer_ioctl_release(struct importer_file *f)
{
	int ret = 0;

	mutex_lock(&f->lock);
	if (f->kept) {
		importer_mapping_release(f->kept);
		f->kept = NULL;
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static long importer_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct importer_file *f = file->private_data;

	switch (cmd) {
	case IMPORTER_IOC_CHECK:
		return importer_ioctl_check(f, (void __user *)arg);
	case IMPORTER_IOC_RELEASE:
		return importer_ioctl_release(f);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations importer_fops = {
	.owner = THIS_MODULE,
	.open = importer_open,
	.release = importer_release,
	.unlocked_ioctl = importer_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice importer_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "uring_dmabuf_importer",
	.fops = &importer_fops,
};

module_misc_device(importer_misc);

MODULE_DESCRIPTION("Test-only dma-buf importer for uring-dmabuf");
MODULE_LICENSE("GPL");
/* Spelled so on every kernel; see compat.h. */
MODULE_INFO(import_ns, "DMA_BUF");
