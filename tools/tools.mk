# Included by the top-level Makefile: the uring-dmabuf CLI, linked with the
# static library (one self-contained binary, also for the VM guest).
TOOL_SRCS := $(wildcard $(TOP)/tools/*.c)
TOOL_OBJS := $(patsubst $(TOP)/tools/%.c,$(BUILD)/tools/%.o,$(TOOL_SRCS))
TOOL := $(BUILD)/tools/uring-dmabuf
TOOL_CFLAGS := $(CFLAGS) -I$(TOP)/lib/include $(NL_CFLAGS) \
	-DURING_DMABUF_TOOL_VERSION='"$(VERSION)"'
BINDIR ?= $(PREFIX)/bin

.PHONY: tools install-tools uninstall-tools
all: tools
tools: $(TOOL)

$(BUILD)/tools/%.o: $(TOP)/tools/%.c $(wildcard $(TOP)/tools/*.h) $(TOP)/lib/include/liburing_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -c $< -o $@

# Static, so the same binary runs in the test guests' busybox initramfs.
$(TOOL): $(TOOL_OBJS) $(LIB_A)
	$(CC) -static -o $@ $(TOOL_OBJS) $(LIB_A) $(shell pkg-config --static --libs libnl-genl-3.0) -luring -lpthread $(LDFLAGS)

install-tools: tools
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(TOOL) $(DESTDIR)$(BINDIR)/

uninstall-tools:
	rm -f $(DESTDIR)$(BINDIR)/$(notdir $(TOOL))
