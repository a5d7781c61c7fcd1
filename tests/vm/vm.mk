# VM test harness entry points, included by the top-level Makefile.
#
#   make deps                    install build/test dependencies, fetch the
#                                kernels, prepare the build chroots (root)
#   make vmtest [KERNELS="6.12 7.2"]  boot each kernel in QEMU and run the tests
#   make vmshell [KERNEL=6.12]   a shell in the guest, test programs in /tests
#   make test                    deps + unit + vmtest, one closing tally
#
# Variables: KERNELS, KERNEL, BUILD, URING_DMABUF_CACHE (default
# /var/cache/uring-dmabuf), VM_TIMEOUT, VM_TEST_TIMEOUT (seconds).

KERNELS ?= 6.1 6.12 7.2 7.3
KERNEL ?= 6.12
VM_RUN = BUILD=$(BUILD) $(TOP)/tests/vm/run.sh

.PHONY: deps unit progs vmtest vmshell test

# Unit tests and test programs add their recipes and prerequisites in their
# own makefiles; these stay valid (and empty) without them.
unit:
progs:

deps:
	$(TOP)/scripts/deps.sh $(KERNELS)

vmtest: progs
	$(VM_RUN) vmtest $(KERNELS)

vmshell: progs
	$(VM_RUN) vmshell $(KERNEL)

# One after the other, also under make -j; vmtest runs even if unit fails,
# and the last line sums both.
test:
	$(MAKE) -C $(TOP) deps
	@BUILD=$(BUILD) MAKE="$(MAKE)" $(TOP)/tests/vm/test-all.sh
