/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of uring_dmabuf_importer, shared by its source files. */
#ifndef _IMPORTER_H
#define _IMPORTER_H

#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/types.h>

#include "importer_uapi.h"

struct dma_buf;
struct dma_buf_attachment;
struct sg_table;

/* One dma-buf attached and mapped by one device of our own. */
struct importer_mapping {
	struct dma_buf *dmabuf;
	struct device *dev;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

struct device *importer_dev_create(struct device *parent,
				   const struct importer_check *chk);
void importer_dev_destroy(struct device *dev);

int importer_pci_register(void);
void importer_pci_unregister(void);
struct device *importer_pci_get(void);
bool importer_dma_to_phys(struct device *dev, dma_addr_t dma,
			  phys_addr_t *phys);

int importer_run_check(struct device *parent, struct importer_check *chk,
		       struct importer_mapping **kept);
void importer_mapping_release(struct importer_mapping *m);
int importer_mapping_pfns(struct importer_mapping *m,
			  struct importer_pfns *req);

#endif /* _IMPORTER_H */
