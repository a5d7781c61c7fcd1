// SPDX-License-Identifier: MIT
/*
 * The drivers known to take (or never to take) a memory provider. A driver
 * takes one when it restarts single queues (queue management ops) and
 * creates their page pools with PP_FLAG_ALLOW_UNREADABLE_NETMEM; the first
 * kernel where each does is below (bnxt_en and mlx5_core: no in-tree driver
 * sets the flag in 6.14.0, both do in 6.17.0). Software and paravirtual
 * devices have neither: no ethtool setting changes that.
 */
#include <stdio.h>
#include <string.h>

#include "check_driver.h"

static const struct driver_info drivers[] = {
	{ "bnxt_en", DRIVER_CAPABLE, 6, 17, "Broadcom NetXtreme-C/E" },
	{ "mlx5_core", DRIVER_CAPABLE, 6, 17, "NVIDIA/Mellanox ConnectX" },
	{ "gve", DRIVER_CAPABLE, 6, 18, "Google Virtual Ethernet" },
	{ "fbnic", DRIVER_CAPABLE, 6, 18, "Meta fbnic" },
	{ "idpf", DRIVER_CAPABLE_SOME, 0, 0, "Intel IDPF" },
	/* The simulated NIC of the tests (tests/kmod/simnic): 6.12+ only. */
	{ "uring_dmabuf_simnic", DRIVER_CAPABLE, 6, 12, "the simulated devmem NIC of uring-dmabuf's tests" },
	{ "loopback", DRIVER_INCAPABLE, 0, 0, "the loopback device" },
	{ "veth", DRIVER_INCAPABLE, 0, 0, "a virtual Ethernet pair" },
	{ "virtio_net", DRIVER_INCAPABLE, 0, 0, "a paravirtual NIC" },
	{ "tun", DRIVER_INCAPABLE, 0, 0, "a TUN/TAP device" },
	{ "bridge", DRIVER_INCAPABLE, 0, 0, "a software bridge" },
	{ "bonding", DRIVER_INCAPABLE, 0, 0, "a bond (bind the queues of a member NIC)" },
	{ "team", DRIVER_INCAPABLE, 0, 0, "a team device (bind the queues of a member NIC)" },
	{ "dummy", DRIVER_INCAPABLE, 0, 0, "a dummy device" },
	{ "macvlan", DRIVER_INCAPABLE, 0, 0, "a macvlan device (bind the queues of the lower NIC)" },
	{ "ipvlan", DRIVER_INCAPABLE, 0, 0, "an ipvlan device (bind the queues of the lower NIC)" },
	{ "vxlan", DRIVER_INCAPABLE, 0, 0, "a VXLAN tunnel" },
	{ "geneve", DRIVER_INCAPABLE, 0, 0, "a Geneve tunnel" },
	{ "wireguard", DRIVER_INCAPABLE, 0, 0, "a WireGuard tunnel" },
	{ "netdevsim", DRIVER_INCAPABLE, 0, 0, "netdevsim (its page pools never take a provider)" },
	{ "e1000", DRIVER_INCAPABLE, 0, 0, "an emulated Intel PRO/1000" },
	{ "e1000e", DRIVER_INCAPABLE, 0, 0, "Intel PRO/1000 PCIe" },
	{ "vmxnet3", DRIVER_INCAPABLE, 0, 0, "a VMware paravirtual NIC" },
	{ "hv_netvsc", DRIVER_INCAPABLE, 0, 0, "a Hyper-V paravirtual NIC" },
};

const struct driver_info *driver_lookup(const char *driver)
{
	size_t i;

	if (!driver)
		return NULL;
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i].name, driver))
			return &drivers[i];
	return NULL;
}

bool release_at_least(const char *release, unsigned int major, unsigned int minor)
{
	unsigned int maj, min;

	if (!release || sscanf(release, "%u.%u", &maj, &min) != 2)
		return false;
	return maj > major || (maj == major && min >= minor);
}

/* Built from the table, real hardware only: the simulated NIC is no advice. */
const char *driver_capable_list(void)
{
	static char list[256];
	size_t i, len = 0;

	if (list[0])
		return list;
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		const struct driver_info *d = &drivers[i];

		if (d->cls == DRIVER_INCAPABLE || !strcmp(d->name, "uring_dmabuf_simnic"))
			continue;
		if (d->cls == DRIVER_CAPABLE)
			len += snprintf(list + len, sizeof(list) - len, "%s%s %u.%u+",
					len ? ", " : "", d->name, d->min_major, d->min_minor);
		else
			len += snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? ", " : "", d->name);
		if (len >= sizeof(list))
			break;
	}
	return list;
}
