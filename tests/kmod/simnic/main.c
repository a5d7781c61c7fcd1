// SPDX-License-Identifier: GPL-2.0
/*
 * uring_dmabuf_simnic: module parameters, and one device per pair of
 * ports: QEMU "edu" PCI functions first, when the machine has them (pci.c:
 * the IOMMU lane, where only a PCI device is translated), then platform
 * devices for the other pairs, on the NUMA node numa_node. The device is
 * the ports' parent and their DMA device (64-bit mask, max segment size from
 * dma_max_seg), as a PCI function is for a real NIC; its driver's probe
 * creates the two netdevs and remove (module unload, or unbinding the
 * device through sysfs) destroys them, devmem bindings or not.
 */
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "simnic.h"

#define SIMNIC_DRV_NAME		"uring_dmabuf_simnic"
#define SIMNIC_MAX_PAIRS	16

static unsigned int pairs = 1;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "Pairs of connected ports simNa<->simNb (1-16, default 1)");

static unsigned int queues = 4;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "RX and TX queues per port (1-16, default 4)");

static unsigned int ring_size = 1024;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size, "Frames an RX queue holds before its sender stops (64-16384, default 1024)");

static unsigned int dma_max_seg = 65536;
module_param(dma_max_seg, uint, 0444);
MODULE_PARM_DESC(dma_max_seg, "Max DMA segment size of the device in bytes (>= page size, default 65536)");

/* (the kernel's per-CPU numa_node takes the plain name) */
static int dev_numa_node = NUMA_NO_NODE;
module_param_named(numa_node, dev_numa_node, int, 0444);
MODULE_PARM_DESC(numa_node, "NUMA node of the platform devices, as firmware would set it (-1: none, default)");

static bool tcp_data_split = true;
module_param(tcp_data_split, bool, 0444);
MODULE_PARM_DESC(tcp_data_split, "Header split on at start, as 'ethtool -G DEV tcp-data-split on' (default Y)");

struct simnic_pair {
	int id;
	struct net_device *a;
	struct net_device *b;
};

static struct platform_device *simnic_pdevs[SIMNIC_MAX_PAIRS];
/* Pair numbers (the N of simNa), in probe order, and how many there are. */
static DEFINE_IDA(simnic_ids);
static atomic_t simnic_nr_pairs = ATOMIC_INIT(0);

int simnic_dma_setup(struct device *dev)
{
	int err;

	err = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (err)
		return err;
	dma_set_max_seg_size(dev, dma_max_seg);
	return 0;
}

/*
 * The two ports on @dev, which is their DMA device; @edu is the DMA engine
 * of a PCI function for dma_test, NULL for a platform device.
 */
int simnic_pair_create(struct device *dev, struct simnic_edu *edu)
{
	const struct simnic_config cfg = {
		.queues = queues,
		.ring_size = ring_size,
		.dma_max_seg = dma_max_seg,
		.tcp_data_split = tcp_data_split,
	};
	char name[IFNAMSIZ];
	struct simnic_pair *pair;
	int err;

	pair = devm_kzalloc(dev, sizeof(*pair), GFP_KERNEL);
	if (!pair)
		return -ENOMEM;
	pair->id = ida_alloc_max(&simnic_ids, pairs - 1, GFP_KERNEL);
	if (pair->id < 0)
		return pair->id == -ENOSPC ? -ENODEV : pair->id;

	snprintf(name, sizeof(name), "sim%da", pair->id);
	pair->a = simnic_netdev_create(dev, name, &cfg, edu);
	if (IS_ERR(pair->a)) {
		err = PTR_ERR(pair->a);
		goto err_free_id;
	}

	snprintf(name, sizeof(name), "sim%db", pair->id);
	pair->b = simnic_netdev_create(dev, name, &cfg, edu);
	if (IS_ERR(pair->b)) {
		err = PTR_ERR(pair->b);
		goto err_free_a;
	}

	err = simnic_netdev_link(pair->a, pair->b);
	if (err)
		goto err_free_b;

	dev_set_drvdata(dev, pair);
	atomic_inc(&simnic_nr_pairs);
	dev_info(dev, "%s <-> %s, %u queues%s\n", pair->a->name, pair->b->name,
		 queues, device_iommu_mapped(dev) ? ", behind an IOMMU" : "");
	return 0;

err_free_b:
	free_netdev(pair->b);
err_free_a:
	free_netdev(pair->a);
err_free_id:
	ida_free(&simnic_ids, pair->id);
	return err;
}

void simnic_pair_destroy(struct device *dev)
{
	struct simnic_pair *pair = dev_get_drvdata(dev);

	simnic_netdev_destroy_pair(pair->a, pair->b);
	ida_free(&simnic_ids, pair->id);
	atomic_dec(&simnic_nr_pairs);
}

static int simnic_probe(struct platform_device *pdev)
{
	int err;

	err = simnic_dma_setup(&pdev->dev);
	if (err)
		return err;
	return simnic_pair_create(&pdev->dev, NULL);
}

static void simnic_remove(struct platform_device *pdev)
{
	simnic_pair_destroy(&pdev->dev);
}

static struct platform_driver simnic_driver = {
	.driver = {
		.name = SIMNIC_DRV_NAME,
	},
	.probe = simnic_probe,
	.remove = simnic_remove,
};

static void simnic_pdevs_unregister(void)
{
	int i;

	for (i = SIMNIC_MAX_PAIRS - 1; i >= 0; i--) {
		platform_device_unregister(simnic_pdevs[i]);
		simnic_pdevs[i] = NULL;
	}
}

/* Platform devices for the pairs that no PCI function took. */
static int simnic_pdevs_register(void)
{
	struct platform_device *pdev;
	unsigned int i, more = pairs - atomic_read(&simnic_nr_pairs);
	int err;

	for (i = 0; i < more; i++) {
		pdev = platform_device_alloc(SIMNIC_DRV_NAME, i);
		if (!pdev)
			return -ENOMEM;
		/* Before the driver binds: the netdevs and page pools follow it. */
		set_dev_node(&pdev->dev, dev_numa_node);
		err = platform_device_add(pdev);
		if (err) {
			platform_device_put(pdev);
			return err;
		}
		simnic_pdevs[i] = pdev;
		/* Probe ran synchronously; it failed if there is no pair. */
		if (!platform_get_drvdata(pdev))
			return -ENODEV;
	}
	return 0;
}

static int simnic_check_params(void)
{
	if (!pairs || pairs > SIMNIC_MAX_PAIRS) {
		pr_err("pairs=%u: must be 1-%u\n", pairs, SIMNIC_MAX_PAIRS);
		return -EINVAL;
	}
	if (!queues || queues > SIMNIC_MAX_QUEUES) {
		pr_err("queues=%u: must be 1-%u\n", queues, SIMNIC_MAX_QUEUES);
		return -EINVAL;
	}
	if (ring_size < SIMNIC_MIN_RING || ring_size > SIMNIC_MAX_RING) {
		pr_err("ring_size=%u: must be %u-%u\n", ring_size,
		       SIMNIC_MIN_RING, SIMNIC_MAX_RING);
		return -EINVAL;
	}
	if (dev_numa_node != NUMA_NO_NODE &&
	    (dev_numa_node < 0 || dev_numa_node >= MAX_NUMNODES ||
	     !node_online(dev_numa_node))) {
		pr_err("numa_node=%d: not an online node\n", dev_numa_node);
		return -EINVAL;
	}
	if (dma_max_seg < PAGE_SIZE) {
		pr_err("dma_max_seg=%u: must be at least %lu\n", dma_max_seg,
		       PAGE_SIZE);
		return -EINVAL;
	}
	return 0;
}

static int __init simnic_init(void)
{
	int err;

	err = simnic_check_params();
	if (err)
		return err;

	simnic_debugfs_init();

	err = simnic_pci_register();
	if (err)
		goto err_debugfs_exit;

	err = platform_driver_register(&simnic_driver);
	if (err)
		goto err_pci_unregister;

	err = simnic_pdevs_register();
	if (err)
		goto err_pdevs_unregister;

	return 0;

err_pdevs_unregister:
	simnic_pdevs_unregister();
	platform_driver_unregister(&simnic_driver);
err_pci_unregister:
	simnic_pci_unregister();
err_debugfs_exit:
	simnic_debugfs_exit();
	return err;
}

static void __exit simnic_exit(void)
{
	simnic_pdevs_unregister();
	platform_driver_unregister(&simnic_driver);
	simnic_pci_unregister();
	simnic_debugfs_exit();
}

module_init(simnic_init);
module_exit(simnic_exit);

MODULE_DESCRIPTION("uring-dmabuf test-only simulated devmem NIC pair");
MODULE_LICENSE("GPL");
