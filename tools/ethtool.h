/* SPDX-License-Identifier: MIT */
/* What `check` asks ethtool about: header split and ntuple filters. */
#ifndef URING_DMABUF_TOOL_ETHTOOL_H
#define URING_DMABUF_TOOL_ETHTOOL_H

enum split_state {
	SPLIT_UNKNOWN,	/* the driver does not report it */
	SPLIT_OFF,
	SPLIT_ON,
};

int ethtool_tcp_data_split(const char *dev, enum split_state *state);
int ethtool_ntuple(const char *dev, int *on);

#endif
