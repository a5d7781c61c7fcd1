# SPDX-License-Identifier: MIT
# CMocka unit tests of liburing-dmabuf, included by the top-level Makefile.
# One binary per lib/ source file; each compiles the real source and stands
# in for the kernel, liburing and libnl with -Wl,--wrap (as rpma and OpenVPN).
# test_man holds the manual against the version script.
#
#   make unit            build and run every test; ends "N passed, N failed, N skipped"
#   make unit-valgrind   the same under valgrind (any error or leak fails)
#   make man-check       every man page renders without a warning, and every
#                        function of the version script has a page

UNIT_DIR := $(TOP)/tests/unit
UNIT_OUT := $(BUILD)/tests/unit
UNIT_CFLAGS = $(CFLAGS) -U_FORTIFY_SOURCE \
	-I$(UNIT_DIR) -I$(TOP)/lib -I$(TOP)/lib/include $(NL_CFLAGS)
UNIT_NAMES := device fixed nlmsg netlink devmem man
UNIT_BINS := $(addprefix $(UNIT_OUT)/test_,$(UNIT_NAMES))

# Per test: library sources compiled in, helpers, what is wrapped, libraries.
unit_src_device := lib/device.c
unit_ld_device := -Wl,--wrap=open,--wrap=ioctl
unit_src_fixed := lib/fixed.c
unit_ld_fixed := -Wl,--wrap=io_uring_submit,--wrap=__io_uring_get_cqe -luring
unit_src_nlmsg := lib/nlmsg.c tests/unit/nlbuf.c
unit_ld_nlmsg := $(NL_LIBS)
unit_src_netlink := lib/netlink.c lib/nlmsg.c tests/unit/nlbuf.c
unit_ld_netlink := -Wl,--wrap=nl_socket_alloc,--wrap=nl_socket_free,--wrap=genl_connect \
	-Wl,--wrap=nl_send_auto,--wrap=nl_socket_get_fd,--wrap=setsockopt \
	-Wl,--wrap=nl_socket_get_cb,--wrap=nl_cb_put $(NL_LIBS)
unit_src_devmem := lib/devmem.c
unit_ld_devmem := -Wl,--wrap=setsockopt
# Not a lib/ file: the manual against the version script (man-check.sh).
unit_ld_man := -DUNIT_TOP='"$(TOP)"'

UNIT_HDRS := $(wildcard $(UNIT_DIR)/*.h $(TOP)/lib/*.h $(TOP)/lib/include/*.h) \
	$(TOP)/include/uapi/linux/uring_dmabuf.h

.PHONY: unit unit-tests unit-valgrind unit-probe man-check
unit: unit-tests

# The gate: cmocka and a linker that knows --wrap (GNU ld, gold, lld).
unit-probe:
	@echo 'int main(void) { return 0; }' | \
		$(CC) -x c - -o /dev/null -Wl,--wrap=open -lcmocka 2>/dev/null || \
		{ echo "unit: $(CC) cannot link -lcmocka with -Wl,--wrap=..." \
		       "(libcmocka-dev missing? make deps)"; exit 1; }

# Rebuilt when the flags change (another CC or CFLAGS).
$(UNIT_OUT)/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(UNIT_CFLAGS)' | cmp -s - $@ || echo '$(CC) $(UNIT_CFLAGS)' > $@
FORCE:

$(UNIT_OUT)/test_%: $(UNIT_DIR)/test_%.c $(UNIT_HDRS) $(UNIT_OUT)/cflags $(UNIT_DIR)/unit.mk \
		$(addprefix $(TOP)/,$(foreach t,$(UNIT_NAMES),$(unit_src_$(t)))) | unit-probe
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(addprefix $(TOP)/,$(unit_src_$*)) \
		$(unit_ld_$*) -lcmocka

# Other test fragments (included later) join the one run, and so the one
# "N passed, N failed, N skipped" sum, with:
#   UNIT_EXTRA_BINS += $(THEIR_BINS)
#   unit-tests unit-valgrind: $(THEIR_BINS)
unit-tests: $(UNIT_BINS)
	@$(UNIT_DIR)/run-tests.sh $(UNIT_BINS) $(UNIT_EXTRA_BINS)

unit-valgrind: $(UNIT_BINS)
	@$(UNIT_DIR)/run-tests.sh --valgrind $(UNIT_BINS) $(UNIT_EXTRA_BINS)

man-check:
	@$(UNIT_DIR)/man-check.sh $(TOP)
