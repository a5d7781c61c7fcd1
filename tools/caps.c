// SPDX-License-Identifier: MIT
/*
 * capget(2) without libcap: binding needs CAP_NET_ADMIN, and CAP_IPC_LOCK
 * lifts RLIMIT_MEMLOCK. The effective set, not the uid, is what the kernel
 * checks (a root in a container may lack both).
 */
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"

bool cap_effective(unsigned int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	if (cap >= 32 * _LINUX_CAPABILITY_U32S_3 || syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}
