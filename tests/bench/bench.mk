# Included by the top-level Makefile: the benchmark program (static, runs in
# the VM guest) and `make bench KERNEL=6.12 [BENCH_ARGS=--quick]`.
BENCH_SRCS := $(addprefix $(TOP)/tests/bench/,bench.c methods.c memory.c stats.c)
BENCH_BIN := $(BUILD)/bench/bench

.PHONY: bench bench-bin
bench-bin: $(BENCH_BIN)

$(BENCH_BIN): $(BENCH_SRCS) $(wildcard $(TOP)/tests/bench/*.h) $(TOP)/include/uapi/linux/uring_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(TOP)/include/uapi -static -o $@ $(BENCH_SRCS) -luring
