// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated NIC's flow rules and channels, driven through the ethtool
 * ioctls (and ethtool netlink for channels) as ethtool(8) and the kernel's
 * ncdevmem drive a real devmem NIC:
 *
 * - every combination of src-ip, dst-ip, src-port, dst-port for tcp4 and
 *   tcp6 steers a real TCP flow to the rule's queue (the queue's own
 *   counters), and the same flow with one matched field changed does not
 *   (it goes to RSS, which sends everything to queue 0);
 * - locations: explicit, RX_CLS_LOC_ANY/FIRST/LAST, a full table; the
 *   lowest matching location wins; GRXCLSRLCNT/GRXCLSRLALL/GRXCLSRULE list
 *   exactly what is there; deletion;
 * - refusals: partial masks, tos, other flow types, FLOW_EXT, a queue out
 *   of range, drop actions, bad locations, each with its errno and nothing
 *   changed;
 * - channels: "-L rx N" really removes and brings back RX queues; the core
 *   refuses to go below a queue with a rule (ioctl) or a devmem binding
 *   (ioctl and netlink), and allows it past an unbound queue.
 */
#include <unistd.h>

#include "common.h"
#include "devmem_traffic.h"
#include "netdev.h"
#include "ntuple.h"

int main(void)
{
	int dev;

	t_init();
	if (!kernel_at_least(6, 12))
		t_skip_all("the simulated NIC needs 6.12+ (devmem)");
	dev = dev_open();
	load_simnic();
	if (setup_namespaces())
		goto out;
	if (!t_ok(add_addresses() == 0,
		  "second IPv4 addresses, IPv6 %s/%s and %s/%s", tx6[0], tx6[1],
		  rx6[0], rx6[1]))
		goto out;
	/* RSS: every flow no rule takes goes to queue 0. */
	t_ok(simnic_write(RX_IF, "rss", "1") == 0, "RSS over queue 0 only");

	check_shapes();
	check_locations();
	check_refusals();
	check_ntuple_off();
	check_channels(dev);
out:
	enter_ns(ns_init);
	close(ns_init);
	close(ns_tx);
	close(ns_rx);
	t_rmmod(SIMNIC_MODULE);
	if (dev >= 0)
		close(dev);
	return t_finish();
}
