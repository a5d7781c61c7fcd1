// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs knobs for guests without ethtool, visible from every network
 * namespace: /sys/kernel/debug/uring_dmabuf_simnic/<ifname>/ (the name at
 * creation time)
 *
 *   steer   read: the rules, "LOC tcp4|tcp6 PORT QUEUE" per line (PORT
 *           "any" without a dst-port), then "src-ip A", "dst-ip A",
 *           "src-port P" for what else the rule matches
 *           write "PORT QUEUE": steer TCP (IPv4 and IPv6) to dst port PORT
 *           to QUEUE ("ethtool -N DEV flow-type tcp4 dst-port PORT action
 *           QUEUE", and tcp6); "PORT -1" deletes them
 *   rss     read: the indirection table; write "N": spread the remaining
 *           flows over queues 0..N-1 ("ethtool -X DEV equal N")
 *   queues  read: per queue state and counters (rxN, then txN lines)
 *   ethtool read: the ring settings and the ntuple feature, what
 *           "ethtool -g" and "ethtool -k" show ("rx-ring N",
 *           "tcp-data-split N" as ETHTOOL_TCP_DATA_SPLIT_*, "hds-thresh N",
 *           "ntuple on|off"), to compare a device before and after;
 *           write "N": hds-thresh N ("ethtool -G DEV hds-thresh N", 6.14+)
 *   dma_test  behind an IOMMU only: write "IOVA COOKIE [stale] [cpu]"
 *           (numbers, 0x for hex): the device writes SIMNIC_DMA_TEST_LEN
 *           bytes of COOKIE (8 bytes, little endian, repeated) to IOVA,
 *           through the edu device's DMA engine on a PCI function, else
 *           (or with "cpu") through the simulated path of the RX payload
 *           (refused where the IOMMU maps nothing); with
 *           "stale", only if IOVA does not translate (else "result
 *           skipped": the IOVA was given to another mapping, which a test
 *           must not overwrite); read: "iova 0x... translated 0|1 engine
 *           edu|cpu result done|written|refused|skipped|error -N"
 */
#include <linux/debugfs.h>
#include <linux/ethtool.h>
#include <linux/kernel.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "simnic.h"

static struct dentry *simnic_debugfs_root;

/* An address of a rule, as ethtool -n shows it. */
static void simnic_steer_show_ip(struct seq_file *m, const char *name,
				 const struct simnic_match *match,
				 const __be32 *addr)
{
	if (match->flow_type == TCP_V4_FLOW)
		seq_printf(m, " %s %pI4", name, addr);
	else
		seq_printf(m, " %s %pI6c", name, addr);
}

/* "LOC tcp4|tcp6 DPORT QUEUE" (DPORT "any" if not matched), then extras. */
static int simnic_steer_show(struct seq_file *m, void *v)
{
	struct simnic_priv *priv = m->private;
	struct simnic_match match;
	u16 queue;
	u32 loc;

	for (loc = 0; loc < SIMNIC_MAX_RULES; loc++) {
		if (simnic_steer_get(priv, loc, &match, &queue))
			continue;
		seq_printf(m, "%u %s", loc,
			   match.flow_type == TCP_V4_FLOW ? "tcp4" : "tcp6");
		if (match.fields & SIMNIC_MATCH_DST_PORT)
			seq_printf(m, " %u %u", match.dport, queue);
		else
			seq_printf(m, " any %u", queue);
		if (match.fields & SIMNIC_MATCH_SRC_IP)
			simnic_steer_show_ip(m, "src-ip", &match, match.src);
		if (match.fields & SIMNIC_MATCH_DST_IP)
			simnic_steer_show_ip(m, "dst-ip", &match, match.dst);
		if (match.fields & SIMNIC_MATCH_SRC_PORT)
			seq_printf(m, " src-port %u", match.sport);
		seq_putc(m, '\n');
	}
	return 0;
}

static int simnic_steer_open(struct inode *inode, struct file *file)
{
	return single_open(file, simnic_steer_show, inode->i_private);
}

static int simnic_steer_add(struct simnic_priv *priv, u16 port, u16 queue)
{
	static const u32 flows[] = { TCP_V4_FLOW, TCP_V6_FLOW };
	struct simnic_match match = {
		.fields = SIMNIC_MATCH_DST_PORT,
		.dport = port,
	};
	unsigned int i;
	u32 loc;
	int err;

	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		loc = RX_CLS_LOC_ANY;
		match.flow_type = flows[i];
		err = simnic_steer_insert(priv, &loc, &match, queue);
		if (err)
			return err;
	}
	return 0;
}

static ssize_t simnic_steer_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct simnic_priv *priv = file_inode(file)->i_private;
	unsigned int port;
	char buf[32];
	int queue, err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	if (sscanf(buf, "%u %d", &port, &queue) != 2 || port > U16_MAX)
		return -EINVAL;
	if (queue < 0)
		err = simnic_steer_delete_port(priv, port);
	else if (queue >= priv->num_queues)
		err = -EINVAL;
	else
		err = simnic_steer_add(priv, port, queue);
	return err ? err : len;
}

static const struct file_operations simnic_steer_fops = {
	.owner = THIS_MODULE,
	.open = simnic_steer_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = simnic_steer_write,
};

static int simnic_rss_show(struct seq_file *m, void *v)
{
	struct simnic_priv *priv = m->private;
	u32 indir[SIMNIC_INDIR_SIZE];
	unsigned int i;

	simnic_steer_get_indir(priv, indir);
	for (i = 0; i < SIMNIC_INDIR_SIZE; i++)
		seq_printf(m, "%u%c", indir[i], (i + 1) % 16 ? ' ' : '\n');
	return 0;
}

static int simnic_rss_open(struct inode *inode, struct file *file)
{
	return single_open(file, simnic_rss_show, inode->i_private);
}

static ssize_t simnic_rss_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct simnic_priv *priv = file_inode(file)->i_private;
	u32 indir[SIMNIC_INDIR_SIZE];
	unsigned int n, i;
	int err;

	err = kstrtouint_from_user(ubuf, len, 0, &n);
	if (err)
		return err;
	if (!n || n > priv->num_queues)
		return -EINVAL;

	for (i = 0; i < SIMNIC_INDIR_SIZE; i++)
		indir[i] = ethtool_rxfh_indir_default(i, n);
	simnic_steer_set_indir(priv, indir);
	return len;
}

static const struct file_operations simnic_rss_fops = {
	.owner = THIS_MODULE,
	.open = simnic_rss_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = simnic_rss_write,
};

static int simnic_qstats_show(struct seq_file *m, void *v)
{
	struct simnic_priv *priv = m->private;
	struct simnic_rx_stats s;
	struct simnic_tx_stats t;
	unsigned int i;

	for (i = 0; i < priv->num_queues; i++) {
		simnic_rx_stats_read(&priv->rxq[i], &s);
		seq_printf(m,
			   "rx%u bound=%d packets=%llu bytes=%llu split=%llu payload_bytes=%llu unreadable_bytes=%llu alloc_fail=%llu dropped=%llu dma_refused=%llu last_dma=%llu zcrx_frags=%llu zcrx_bytes=%llu\n",
			   i, simnic_rxq_bound(priv, i), s.packets, s.bytes,
			   s.split, s.payload_bytes, s.unreadable_bytes,
			   s.alloc_fail, s.dropped, s.dma_refused,
			   (u64)READ_ONCE(priv->rxq[i].last_dma),
			   s.zcrx_frags, s.zcrx_bytes);
	}
	for (i = 0; i < priv->max_queues; i++) {
		simnic_tx_stats_read(&priv->tx_stats[i], &t);
		seq_printf(m, "tx%u packets=%llu bytes=%llu dropped=%llu stop=%llu devmem_bytes=%llu dma_refused=%llu\n",
			   i, t.packets, t.bytes, t.dropped, t.stop,
			   t.devmem_bytes, t.dma_refused);
	}
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(simnic_qstats);

static int simnic_ethtool_show(struct seq_file *m, void *v)
{
	struct simnic_priv *priv = m->private;

	seq_printf(m, "rx-ring %u\ntcp-data-split %u\nhds-thresh %u\nntuple %s\n",
		   READ_ONCE(priv->ring_size), READ_ONCE(priv->hds_config),
		   READ_ONCE(priv->hds_thresh),
		   READ_ONCE(priv->dev->features) & NETIF_F_NTUPLE ? "on" : "off");
	return 0;
}

static int simnic_ethtool_open(struct inode *inode, struct file *file)
{
	return single_open(file, simnic_ethtool_show, inode->i_private);
}

/* Under RTNL, as "ethtool -G" (its ring ops run with RTNL held). */
static ssize_t simnic_ethtool_write(struct file *file, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	struct simnic_priv *priv = file_inode(file)->i_private;
	unsigned int thresh;
	int err;

	if (!SIMNIC_HDS_THRESH_SETTABLE)
		return -EOPNOTSUPP;
	err = kstrtouint_from_user(ubuf, len, 0, &thresh);
	if (err)
		return err;
	if (thresh > PAGE_SIZE)
		return -EINVAL;
	rtnl_lock();
	WRITE_ONCE(priv->hds_thresh, thresh);
	simnic_set_netdev_cfg(priv->dev, READ_ONCE(priv->hds_config), thresh);
	rtnl_unlock();
	return len;
}

static const struct file_operations simnic_ethtool_fops = {
	.owner = THIS_MODULE,
	.open = simnic_ethtool_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = simnic_ethtool_write,
};

static int simnic_dma_test_show(struct seq_file *m, void *v)
{
	struct simnic_priv *priv = m->private;

	mutex_lock(&priv->dma_test_lock);
	seq_printf(m, "%s\n", priv->dma_test);
	mutex_unlock(&priv->dma_test_lock);
	return 0;
}

static int simnic_dma_test_open(struct inode *inode, struct file *file)
{
	return single_open(file, simnic_dma_test_show, inode->i_private);
}

static ssize_t simnic_dma_test_write(struct file *file,
				     const char __user *ubuf, size_t len,
				     loff_t *ppos)
{
	struct simnic_priv *priv = file_inode(file)->i_private;
	unsigned long long iova, cookie;
	char buf[64], w[2][8];
	bool stale = false, cpu = false;
	int err, n, i;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	n = sscanf(buf, "%lli %lli %7s %7s", &iova, &cookie, w[0], w[1]);
	if (n < 2)
		return -EINVAL;
	for (i = 0; i < n - 2; i++) {
		if (!strcmp(w[i], "stale"))
			stale = true;
		else if (!strcmp(w[i], "cpu"))
			cpu = true;
		else
			return -EINVAL;
	}
	err = simnic_dma_test(priv, iova, cookie, stale, cpu);
	return err ? err : len;
}

static const struct file_operations simnic_dma_test_fops = {
	.owner = THIS_MODULE,
	.open = simnic_dma_test_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = simnic_dma_test_write,
};

void simnic_debugfs_add(struct simnic_priv *priv)
{
	struct dentry *dir;

	dir = debugfs_create_dir(priv->dev->name, simnic_debugfs_root);
	debugfs_create_file("steer", 0600, dir, priv, &simnic_steer_fops);
	debugfs_create_file("rss", 0600, dir, priv, &simnic_rss_fops);
	debugfs_create_file("queues", 0400, dir, priv, &simnic_qstats_fops);
	debugfs_create_file("ethtool", 0600, dir, priv, &simnic_ethtool_fops);
	debugfs_create_file("dma_test", 0600, dir, priv, &simnic_dma_test_fops);
	priv->debugfs = dir;
}

void simnic_debugfs_remove(struct simnic_priv *priv)
{
	debugfs_remove(priv->debugfs);
	priv->debugfs = NULL;
}

void simnic_debugfs_init(void)
{
	simnic_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
}

void simnic_debugfs_exit(void)
{
	debugfs_remove(simnic_debugfs_root);
}
