# The CLI's VM tests, included by the top-level Makefile: busybox-sh scripts
# NN-cli-*.sh copied, executable, into $(BUILD)/vm/progs/ where the harness
# picks up test programs. The guest gets only executables, so cli-lib.sh is
# inlined at each script's '. "${0%/*}/cli-lib.sh"' line instead of shipped.

CLI_VM_DIR := $(TOP)/tests/vm/cli
CLI_VM_NAMES := $(sort $(notdir $(wildcard $(CLI_VM_DIR)/[0-9][0-9]-cli-*.sh)))
CLI_VM_OUT := $(addprefix $(BUILD)/vm/progs/,$(CLI_VM_NAMES))

.PHONY: vm-cli-tests
progs: vm-cli-tests
vm-cli-tests: $(CLI_VM_OUT)

$(CLI_VM_OUT): $(BUILD)/vm/progs/%: $(CLI_VM_DIR)/% $(CLI_VM_DIR)/cli-lib.sh $(CLI_VM_DIR)/cli.mk
	@mkdir -p $(@D)
	sed -e '/^\. "$${0%\/\*}\/cli-lib\.sh"$$/{r $(CLI_VM_DIR)/cli-lib.sh' -e 'd;}' $< >$@.tmp
	@grep -q '^CLI=' $@.tmp || { echo "$<: cli-lib.sh not inlined" >&2; rm -f $@.tmp; exit 1; }
	chmod 0755 $@.tmp
	mv -f $@.tmp $@
