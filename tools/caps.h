/* SPDX-License-Identifier: MIT */
/* Whether this process holds a capability (its effective set). */
#ifndef URING_DMABUF_TOOL_CAPS_H
#define URING_DMABUF_TOOL_CAPS_H

#include <stdbool.h>

bool cap_effective(unsigned int cap);

#endif
