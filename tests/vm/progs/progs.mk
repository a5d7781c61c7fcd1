# The guest suite: every program the guest runs, built into $(BUILD)/vm/progs/
# where tests/vm/guest/run-tests runs them in name order. Three shapes, told
# apart by the name:
#   NN-name.c      one static binary
#   NN-name/       one static binary from every .c in the directory
#   NN-name.sh     a busybox-sh script; cli-lib.sh is inlined at its
#                  '. "${0%/*}/cli-lib.sh"' line (the guest gets executables only)
# Every binary links the shared helpers common.c and netdev.c (README.md).
PROGS_DIR := $(TOP)/tests/vm/progs
PROGS_OUT := $(BUILD)/vm/progs
# Objects live apart so that the run directory holds only test programs.
PROGS_OBJ := $(BUILD)/vm/progs-obj
# bookworm's liburing 2.3, linked statically: the guest has no liburing.
PROGS_LIBURING ?= /usr/lib/x86_64-linux-gnu/liburing.a
# <linux/uring_dmabuf.h> as it is installed, from include/uapi.
PROGS_CFLAGS = $(CFLAGS) -D_GNU_SOURCE -pthread -I$(TOP)/include/uapi -I$(PROGS_DIR) \
	-I$(TOP)/tests/kmod/importer
PROGS_HDRS := $(wildcard $(PROGS_DIR)/*.h $(PROGS_DIR)/*/*.h) \
	$(TOP)/include/uapi/linux/uring_dmabuf.h $(TOP)/tests/kmod/importer/importer_uapi.h

PROGS_C := $(sort $(basename $(notdir $(wildcard $(PROGS_DIR)/[0-9][0-9]-*.c))))
PROGS_MULTI := $(sort $(notdir $(patsubst %/,%,$(wildcard $(PROGS_DIR)/[0-9][0-9]-*/))))
PROGS_SH := $(sort $(notdir $(wildcard $(PROGS_DIR)/[0-9][0-9]-*.sh)))
PROGS_SHARED := $(PROGS_OBJ)/common.o $(PROGS_OBJ)/netdev.o
PROGS_ALL := $(addprefix $(PROGS_OUT)/,$(PROGS_C) $(PROGS_MULTI) $(PROGS_SH))

.PHONY: progs
progs: $(PROGS_ALL)

$(PROGS_OBJ)/%.o: $(PROGS_DIR)/%.c $(PROGS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PROGS_CFLAGS) -c -o $@ $<

$(addprefix $(PROGS_OUT)/,$(PROGS_C)): $(PROGS_OUT)/%: $(PROGS_OBJ)/%.o $(PROGS_SHARED)
	@mkdir -p $(@D)
	$(CC) $(PROGS_CFLAGS) -static -o $@ $^ $(PROGS_LIBURING)

# NN-name/: its objects under $(PROGS_OBJ)/NN-name/ (the %.o rule above).
.SECONDEXPANSION:
$(addprefix $(PROGS_OUT)/,$(PROGS_MULTI)): $(PROGS_OUT)/%: \
		$$(patsubst $(PROGS_DIR)/%.c,$(PROGS_OBJ)/%.o,$$(wildcard $(PROGS_DIR)/$$*/*.c)) \
		$(PROGS_SHARED)
	@mkdir -p $(@D)
	$(CC) $(PROGS_CFLAGS) -static -o $@ $^ $(PROGS_LIBURING)

$(addprefix $(PROGS_OUT)/,$(PROGS_SH)): $(PROGS_OUT)/%: $(PROGS_DIR)/% $(PROGS_DIR)/cli-lib.sh
	@mkdir -p $(@D)
	sed -e '/^\. "$${0%\/\*}\/cli-lib\.sh"$$/{r $(PROGS_DIR)/cli-lib.sh' -e 'd;}' $< >$@.tmp
	@grep -q '^CLI=' $@.tmp || { echo "$<: cli-lib.sh not inlined" >&2; rm -f $@.tmp; exit 1; }
	chmod 0755 $@.tmp
	mv -f $@.tmp $@
