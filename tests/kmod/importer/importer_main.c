// SPDX-License-Identifier: GPL-2.0
/*
 * uring_dmabuf_importer: a test-only dma-buf importer. The misc device
 * IMPORTER_DEVICE takes a dma-buf fd and reports what a device with the
 * given DMA limits receives from its exporter (see importer_uapi.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
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

/*
 * One check at a time: the PCI function, when there is one, is every
 * check's device, and each sets its own DMA limits on it.
 */
static DEFINE_MUTEX(importer_check_lock);

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
	mutex_lock(&importer_check_lock);
	if ((chk.flags & IMPORTER_CHECK_KEEP) && f->kept)
		ret = -EBUSY;
	else
		ret = importer_run_check(importer_misc.this_device, &chk,
					 chk.flags & IMPORTER_CHECK_KEEP ?
					 &f->kept : NULL);
	mutex_unlock(&importer_check_lock);
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

static int importer_ioctl_pfns(struct importer_file *f, void __user *uarg)
{
	struct importer_pfns req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	mutex_lock(&f->lock);
	ret = f->kept ? importer_mapping_pfns(f->kept, &req) : -ENOENT;
	mutex_unlock(&f->lock);
	if (ret && ret != -ENOSPC)
		return ret;
	if (copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return ret;
}

/* Whether an IOVA of the PCI function still leads to memory. */
static int importer_ioctl_translate(void __user *uarg)
{
	struct importer_translate tr;
	struct device *dev;
	phys_addr_t phys;

	if (copy_from_user(&tr, uarg, sizeof(tr)))
		return -EFAULT;
	if (tr.__pad)
		return -EINVAL;
	dev = importer_pci_get();
	if (!dev)
		return -ENODEV;
	if (!device_iommu_mapped(dev)) {
		put_device(dev);
		return -ENODEV;
	}
	tr.translated = importer_dma_to_phys(dev, tr.dma_addr, &phys);
	put_device(dev);
	return copy_to_user(uarg, &tr, sizeof(tr)) ? -EFAULT : 0;
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
	case IMPORTER_IOC_TRANSLATE:
		return importer_ioctl_translate((void __user *)arg);
	case IMPORTER_IOC_PFNS:
		return importer_ioctl_pfns(f, (void __user *)arg);
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

static int __init importer_init(void)
{
	int ret;

	ret = importer_pci_register();
	if (ret)
		return ret;
	ret = misc_register(&importer_misc);
	if (ret)
		importer_pci_unregister();
	return ret;
}

static void __exit importer_exit(void)
{
	misc_deregister(&importer_misc);
	importer_pci_unregister();
}

module_init(importer_init);
module_exit(importer_exit);

MODULE_DESCRIPTION("Test-only dma-buf importer for uring-dmabuf");
MODULE_LICENSE("GPL");
/* Spelled so on every kernel; see compat.h. */
MODULE_INFO(import_ns, "DMA_BUF");
