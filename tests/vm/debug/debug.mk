# The reliability lane, included by the top-level Makefile:
#
#   make debug-kernel    build (once, cached) the KASAN/lockdep/kmemleak kernel
#   make vmtest-debug    the whole VM suite on it, the fuzzer's 100,000 calls
#                        and the stress run included; any checker report fails
#   make vmtest-debug-budget   the same with a shorter fuzz and stress, run
#                        by make test only if it fits its time budget
#
# Variables: FUZZ_CALLS (100000), FUZZ_SECONDS (570), FUZZ_SEED,
# STRESS_SECONDS (600), VM_TIMEOUT, VM_TEST_TIMEOUT, VM_BOOT_TIMEOUT,
# VM_BOOT_TRIES, URING_DMABUF_CACHE; for vmtest-debug-budget also DEBUG_LANE
# (auto, or 0 to skip) and TEST_BUDGET_MINUTES (80).
DEBUG_LANE_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: debug-kernel vmtest-debug vmtest-debug-budget
debug-kernel:
	nice -n 10 $(DEBUG_LANE_DIR)/build-kernel.sh

vmtest-debug: progs tools bench-bin
	BUILD=$(BUILD) $(TOP)/tests/vm/run.sh vmtest debug

vmtest-debug-budget: progs tools bench-bin
	BUILD=$(BUILD) $(DEBUG_LANE_DIR)/run-budgeted.sh
