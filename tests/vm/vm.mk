# VM test harness entry points, included by the top-level Makefile.
#
#   make deps                    install build/test dependencies, fetch the
#                                kernels, prepare the build chroots (root)
#   make vmtest [KERNELS="6.12 7.2"]  boot each kernel in QEMU and run the tests
#   make vmshell [KERNEL=6.12]   a shell in the guest, test programs in /tests
#   make vmtest-swiotlb          a second, short boot of SWIOTLB_KERNELS (6.12 7.3)
#                                with swiotlb=force, running only 92-swiotlb
#   make test                    deps + unit + vmtest, one closing tally
#
# Variables: KERNELS, KERNEL, BUILD, URING_DMABUF_CACHE (default
# /var/cache/uring-dmabuf), VM_TIMEOUT, VM_TEST_TIMEOUT, VM_BOOT_TIMEOUT
# (seconds), VM_BOOT_TRIES.

KERNELS ?= 6.1 6.12 7.2 7.3
KERNEL ?= 6.12
VM_RUN = BUILD=$(BUILD) $(TOP)/tests/vm/run.sh

.PHONY: deps unit progs vmtest vmtest-swiotlb vmshell test demo bench

# Unit tests and test programs add their recipes and prerequisites in their
# own makefiles; these stay valid (and empty) without them.
unit:
progs:

deps:
	$(TOP)/scripts/deps.sh $(KERNELS)

vmtest: progs tools bench-bin
	$(VM_RUN) vmtest $(KERNELS)

# Every streaming DMA mapping bounced through swiotlb, whose mappings are at
# most 256 KiB: the exporter must split its runs to dma_max_mapping_size().
# The program must run and not skip there (VM_MUST_RUN, and VM_EXPECT tells
# it this is the swiotlb boot); inside make test the build vmtest made a
# moment ago is booted again (VM_REUSE_SINCE), so this costs one boot per
# kernel: about 12 s each on two idle cores (2.5 min alone, with the builds).
# Only kernels of KERNELS (make test KERNELS="6.1" boots none of them).
SWIOTLB_KERNELS ?= $(filter 6.12 7.3,$(KERNELS))
SWIOTLB_TESTS ?= 92-swiotlb
vmtest-swiotlb: progs tools bench-bin
ifeq ($(strip $(SWIOTLB_KERNELS)),)
	@echo "skipped:"
	@echo "  swiotlb: no kernel of SWIOTLB_KERNELS (6.12 7.3) in KERNELS ($(KERNELS))"
	@echo "0 passed, 0 failed, 1 skipped"
else
	VM_LABEL=swiotlb VM_APPEND="swiotlb=force" VM_EXPECT=swiotlb \
	VM_TESTS="$(SWIOTLB_TESTS)" VM_MUST_RUN="$(SWIOTLB_TESTS)" \
	VM_REUSE_SINCE="$${URING_DMABUF_TEST_START:-}" \
		$(VM_RUN) vmtest $(SWIOTLB_KERNELS)
endif

vmshell: progs tools bench-bin
	$(VM_RUN) vmshell $(KERNEL)

# make demo: the whole path on the simulated NIC, in one guest (6.12 unless
# DEMO_KERNEL says otherwise); sets itself up like make test.
DEMO_KERNEL ?= 6.12
demo:
	$(TOP)/scripts/deps.sh $(DEMO_KERNEL)
	$(MAKE) -C $(TOP) progs tools bench-bin
	$(VM_RUN) demo $(DEMO_KERNEL)

# make bench KERNEL=6.12 [BENCH_ARGS="--quick"]: the benchmark in a guest
# with room for 1 GiB buffers of every kind.
comma := ,
empty :=
space := $(empty) $(empty)
bench: progs tools bench-bin
	VM_MEM=6G VM_HUGEPAGES_2M=1100 VM_TIMEOUT=1800 \
	VM_APPEND="$(if $(strip $(BENCH_ARGS)),uring_dmabuf_vm.args=$(subst $(space),$(comma),$(strip $(BENCH_ARGS))))" \
		$(VM_RUN) bench $(KERNEL)

# One after the other, also under make -j; vmtest runs even if unit fails,
# and the last line sums both. The start time is the debug lane's budget's.
test:
	@URING_DMABUF_TEST_START=$${URING_DMABUF_TEST_START:-$$(date +%s)} && export URING_DMABUF_TEST_START && \
	$(MAKE) -C $(TOP) deps && \
	BUILD=$(BUILD) MAKE="$(MAKE)" KERNELS="$(KERNELS)" $(TOP)/tests/vm/test-all.sh
