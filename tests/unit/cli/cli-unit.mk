# CMocka tests of the uring-dmabuf CLI, included by the top-level Makefile.
#
#   make unit-cli     build the CLI and the tests, run them; ends with
#                     "N passed, N failed, N skipped" (tests/unit/run-tests.sh)
#   make unit-cli-asan  the tests that run the binary, against a CLI
#                     built with ASan+UBSan (dynamic, from the same sources);
#                     a sanitizer report fails the test that ran it
#
# test_parse and test_output compile the real tools/parse.c and
# tools/output.c; test_usage, test_commands and test_transfer run the built
# binary; test_man checks the man page against every --help; test_completion
# drives the bash completion.

CLI_UNIT_DIR := $(TOP)/tests/unit/cli
CLI_UNIT_OUT := $(BUILD)/tests/unit/cli
CLI_UNIT_TOOL := $(BUILD)/tools/uring-dmabuf
CLI_UNIT_CFLAGS = $(CFLAGS) -U_FORTIFY_SOURCE \
	-I$(CLI_UNIT_DIR) -I$(TOP)/tools \
	-DCLI_TOOL='"$(CLI_UNIT_TOOL)"' -DCLI_VERSION='"$(VERSION)"' \
	-DCLI_MAN_PAGE='"$(TOP)/man/man8/uring-dmabuf.8"' \
	-DCLI_COMPLETION='"$(TOP)/completion/uring-dmabuf.bash"' \
	-DCLI_VM_DIR='"$(TOP)/tests/vm/progs"'

CLI_UNIT_NAMES := parse output usage commands transfer man completion
CLI_UNIT_BINS := $(addprefix $(CLI_UNIT_OUT)/test_,$(CLI_UNIT_NAMES))

# Per test: what it compiles in besides its own file, and its libraries.
cli_unit_src_parse := tools/parse.c
cli_unit_src_output := tools/output.c tests/unit/cli/json_check.c
CLI_UNIT_RUN := tests/unit/cli/run_cmd.c tests/unit/cli/expect.c tests/unit/cli/json_check.c
cli_unit_src_usage := $(CLI_UNIT_RUN)
cli_unit_src_commands := $(CLI_UNIT_RUN)
cli_unit_src_transfer := $(CLI_UNIT_RUN)
cli_unit_ld_transfer := -lpthread
cli_unit_src_man := $(CLI_UNIT_RUN) tests/unit/cli/help_text.c
cli_unit_src_completion := $(CLI_UNIT_RUN) tests/unit/cli/help_text.c

.PHONY: unit-cli unit-cli-asan
unit: unit-cli

$(CLI_UNIT_OUT)/test_%: $(CLI_UNIT_DIR)/test_%.c $(wildcard $(CLI_UNIT_DIR)/*.h) \
		$(CLI_UNIT_DIR)/cli-unit.mk $(wildcard $(TOP)/tools/*.h) \
		$(addprefix $(TOP)/,$(foreach t,$(CLI_UNIT_NAMES),$(cli_unit_src_$(t))))
	@mkdir -p $(@D)
	$(CC) $(CLI_UNIT_CFLAGS) -o $@ $< $(addprefix $(TOP)/,$(cli_unit_src_$*)) \
		$(cli_unit_ld_$*) -lcmocka

# The command and documentation tests run the binary that 'make tools' builds.
unit-cli: $(CLI_UNIT_BINS) tools
	@$(TOP)/tests/unit/run-tests.sh $(CLI_UNIT_BINS)

# The CLI under the sanitizers: every tools/ and lib/ source, linked dynamically.
CLI_ASAN_TOOL := $(CLI_UNIT_OUT)/uring-dmabuf-asan
$(CLI_ASAN_TOOL): $(wildcard $(TOP)/tools/*.[ch] $(TOP)/lib/*.[ch] $(TOP)/lib/include/*.h) \
		$(CLI_UNIT_DIR)/cli-unit.mk
	@mkdir -p $(@D)
	$(CC) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer $(WARN) -I$(TOP)/include -I$(TOP)/lib -I$(TOP)/lib/include \
		$(NL_CFLAGS) -DURING_DMABUF_TOOL_VERSION='"$(VERSION)"' -o $@ \
		$(wildcard $(TOP)/tools/*.c $(TOP)/lib/*.c) $(NL_LIBS) -luring

unit-cli-asan: $(addprefix $(CLI_UNIT_OUT)/test_,usage commands transfer man completion) \
		$(CLI_ASAN_TOOL)
	@URING_DMABUF_CLI=$(CLI_ASAN_TOOL) $(TOP)/tests/unit/run-tests.sh $(filter-out $(CLI_ASAN_TOOL),$^)
