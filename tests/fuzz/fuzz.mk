# The fuzzer and the stress run (tests/fuzz/), included by the top-level
# Makefile. `make progs` puts them into the VM suite as
# $(BUILD)/vm/progs/96-fuzz and 98-stress: run without arguments (as the
# guest runner does) they make short runs; the debug lane (tests/vm/debug/)
# asks for 100,000 calls and 10 minutes through their environment.
FUZZ_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TOP ?= $(abspath $(FUZZ_DIR)/../..)
BUILD ?= $(TOP)/build
CC ?= cc

FUZZ_OBJ := $(BUILD)/fuzz
FUZZ_BIN := $(BUILD)/vm/progs/96-fuzz
STRESS_BIN := $(BUILD)/vm/progs/98-stress
FUZZ_LIBURING ?= /usr/lib/x86_64-linux-gnu/liburing.a
FUZZ_CFLAGS = -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread \
	-I$(TOP)/include/uapi -I$(TOP)/tests/vm/progs -I$(TOP)/tests/kmod/importer
FUZZ_SRCS := $(wildcard $(FUZZ_DIR)/*.c)
FUZZ_OBJS := $(patsubst $(FUZZ_DIR)/%.c,$(FUZZ_OBJ)/%.o,$(FUZZ_SRCS)) $(FUZZ_OBJ)/common.o
FUZZ_DEPS := $(wildcard $(FUZZ_DIR)/*.h) $(TOP)/tests/vm/progs/common.h \
	$(TOP)/include/uapi/linux/uring_dmabuf.h $(TOP)/tests/kmod/importer/importer_uapi.h

.PHONY: progs fuzz-progs
progs: fuzz-progs
fuzz-progs: $(FUZZ_BIN) $(STRESS_BIN)

$(FUZZ_OBJ)/%.o: $(FUZZ_DIR)/%.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -c -o $@ $<

# The test programs' helpers, built apart so that each makefile owns its objects.
$(FUZZ_OBJ)/common.o: $(TOP)/tests/vm/progs/common.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BIN): $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -static -o $@ $^ $(FUZZ_LIBURING)

STRESS_OBJS := $(FUZZ_OBJ)/stress/stress.o $(FUZZ_OBJ)/stress/nl.o $(FUZZ_OBJ)/common.o

$(FUZZ_OBJ)/stress/%.o: $(FUZZ_DIR)/stress/%.c $(wildcard $(FUZZ_DIR)/stress/*.h) $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(STRESS_BIN): $(STRESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -static -o $@ $^
