# Included by the top-level Makefile: the benchmark program (static, runs in
# the VM guest) and `make bench KERNEL=6.12 [BENCH_ARGS=--quick]`.
# The memory comes from the guest suite's allocator (tests/vm/progs/common.c).
BENCH_SRCS := $(addprefix $(TOP)/tests/bench/,bench.c bind.c methods.c memory.c stats.c) \
	$(TOP)/tests/vm/progs/common.c
BENCH_BIN := $(BUILD)/bench/bench

.PHONY: bench bench-bin
bench-bin: $(BENCH_BIN)

$(BENCH_BIN): $(BENCH_SRCS) $(wildcard $(TOP)/tests/bench/*.h) $(TOP)/tests/vm/progs/common.h \
		$(TOP)/include/uapi/linux/uring_dmabuf.h $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -I$(TOP)/include/uapi -I$(TOP)/lib/include \
		-I$(TOP)/tests/vm/progs -static -o $@ $(BENCH_SRCS) \
		$(LIB_A) $(shell pkg-config --static --libs libnl-genl-3.0) -luring -lpthread
