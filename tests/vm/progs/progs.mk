# Guest test programs: one static binary per NN-name.c into $(BUILD)/vm/progs/,
# run in sorted order inside the QEMU guest. Included by the top-level
# Makefile; also usable alone: make -f tests/vm/progs/progs.mk progs
PROGS_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TOP ?= $(abspath $(PROGS_DIR)/../../..)
BUILD ?= $(TOP)/build
CC ?= cc
CFLAGS ?= -O2 -g -Wall -Wextra -Werror -I$(TOP)/include

PROGS_OUT := $(BUILD)/vm/progs
# Objects live apart so that the run directory holds only test programs.
PROGS_OBJ := $(BUILD)/vm/progs-obj
# bookworm's liburing 2.3, linked statically: the guest has no liburing.
PROGS_LIBURING ?= /usr/lib/x86_64-linux-gnu/liburing.a
# <linux/uring_dmabuf.h> as it is installed, from include/uapi.
PROGS_CFLAGS = $(CFLAGS) -D_GNU_SOURCE -I$(TOP)/include/uapi -I$(PROGS_DIR)

PROGS_NAMES := $(sort $(basename $(notdir $(wildcard $(PROGS_DIR)/[0-9][0-9]-*.c))))
PROGS_BINS := $(addprefix $(PROGS_OUT)/,$(PROGS_NAMES))
# The shared helpers, linked into every program (see README.md).
PROGS_SHARED := $(PROGS_OBJ)/common.o $(PROGS_OBJ)/netdev.o

.PHONY: progs
progs: $(PROGS_BINS)

$(PROGS_OBJ)/%.o: $(PROGS_DIR)/%.c $(wildcard $(PROGS_DIR)/*.h) $(TOP)/include/uapi/linux/uring_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(PROGS_CFLAGS) -c -o $@ $<

$(PROGS_BINS): $(PROGS_OUT)/%: $(PROGS_OBJ)/%.o $(PROGS_SHARED)
	@mkdir -p $(@D)
	$(CC) $(PROGS_CFLAGS) -static -o $@ $^ $(PROGS_LIBURING)
