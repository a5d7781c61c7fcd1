# uring-dmabuf: the product's build and installation. The tests have one
# makefile of their own, tests/Makefile, included at the end.
#
#   make              the module (for KDIR, else every /lib/modules/*/build),
#                     the library and the CLI
#   make module | lib | tools
#   make install      library, CLI, headers, man pages, completion, udev rule
#                     and its group [DESTDIR= PREFIX=/usr/local]; make uninstall
#   make dkms-install the module's source set for DKMS [DESTDIR=]
#   make deb          the Debian packages (debian/) into build/deb/;
#                     make deb-check: the same, then lintian (scripts/deb.sh)
#   make check        static checks and the harness self-tests (scripts/check.sh)
#   make clean
#
#   make demo         the whole path on the simulated NIC, in a VM   } tests/
#   make test         every test on every kernel of the matrix       } Makefile

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD ?= $(TOP)/build
VERSION := $(shell cat $(TOP)/VERSION)

CC ?= cc
WARN := -Wall -Wextra -Werror
override CFLAGS += -O2 -g $(WARN) -I$(TOP)/include

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
UDEVDIR ?= /usr/lib/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

.PHONY: all module lib tools check clean dkms-install deb deb-check
all: module lib tools

# --- the module -----------------------------------------------------------
# Each kernel builds in its own copy, so builds for several kernels never
# share object files.
MODULE_KDIRS := $(if $(KDIR),$(KDIR),$(wildcard /lib/modules/*/build))
MODULE_SOURCES := $(wildcard $(TOP)/module/*.c $(TOP)/module/*.h) \
	$(TOP)/module/Kbuild $(TOP)/module/Makefile $(TOP)/module/probe.sh
DKMS_SRC = $(DESTDIR)/usr/src/uring-dmabuf-$(VERSION)

module:
	@if [ -z "$(strip $(MODULE_KDIRS))" ]; then \
		echo "module: no kernel headers found under /lib/modules/*/build;" \
		     "install linux-headers-\$$(uname -r) or pass KDIR=/path/to/build (skipping)"; \
		exit 0; \
	fi; \
	set -e; for kdir in $(MODULE_KDIRS); do \
		kver=$$(basename $$(dirname $$kdir)); \
		[ -n "$(KDIR)" ] && kver=$$(make -s -C $$kdir kernelrelease 2>/dev/null || echo custom); \
		out=$(BUILD)/module/$$kver; \
		mkdir -p $$out/module $$out/include/uapi/linux; \
		cp $(MODULE_SOURCES) $$out/module/; \
		cp $(TOP)/include/uapi/linux/uring_dmabuf.h $$out/include/uapi/linux/; \
		cp $(TOP)/VERSION $$out/; \
		echo "  MODULE  $$kver"; \
		$(MAKE) -s -C $$kdir M=$$out/module modules; \
	done

dkms-install:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/module $(DKMS_SRC)/include/uapi/linux
	install -m 0644 $(TOP)/dkms.conf $(TOP)/VERSION $(DKMS_SRC)/
	install -m 0644 $(filter-out %/probe.sh,$(MODULE_SOURCES)) $(DKMS_SRC)/module/
	install -m 0755 $(TOP)/module/probe.sh $(DKMS_SRC)/module/
	install -m 0644 $(TOP)/include/uapi/linux/uring_dmabuf.h $(DKMS_SRC)/include/uapi/linux/

# --- liburing-dmabuf, shared and static -------------------------------------
LIB_SRCS := $(addprefix $(TOP)/lib/,device.c fixed.c netlink.c nlmsg.c devmem.c devmem_tx.c \
	steer.c steer_plan.c steer_journal.c ethtool_nl.c ethtool_ioctl.c rtnl_xdp.c)
LIB_OBJS := $(patsubst $(TOP)/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
LIB_SONAME := liburing-dmabuf.so.$(word 1,$(subst ., ,$(VERSION)))
LIB_SO := $(BUILD)/lib/liburing-dmabuf.so.$(VERSION)
LIB_A := $(BUILD)/lib/liburing-dmabuf.a
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
NL_STATIC_LIBS = $(shell pkg-config --static --libs libnl-genl-3.0)
LIB_CFLAGS := $(CPPFLAGS) $(CFLAGS) -fPIC -I$(TOP)/lib/include $(NL_CFLAGS)

lib: $(LIB_SO) $(LIB_A) $(BUILD)/lib/liburing-dmabuf.pc

$(BUILD)/lib/%.o: $(TOP)/lib/%.c $(wildcard $(TOP)/lib/*.h $(TOP)/lib/include/*.h) $(TOP)/include/uapi/linux/uring_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(LIB_SO): $(LIB_OBJS) $(TOP)/lib/liburing-dmabuf.map
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,-z,defs \
		-Wl,--version-script=$(TOP)/lib/liburing-dmabuf.map \
		-o $@ $(LIB_OBJS) $(NL_LIBS) -luring $(LDFLAGS)
	ln -sf $(notdir $@) $(BUILD)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(BUILD)/lib/liburing-dmabuf.so

$(LIB_A): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|'

$(BUILD)/lib/liburing-dmabuf.pc: $(TOP)/lib/liburing-dmabuf.pc.in $(TOP)/VERSION
	@mkdir -p $(@D)
	$(PC_SED) $< > $@

# --- the uring-dmabuf CLI ----------------------------------------------------
# Two links of the same objects: TOOL with the static library, one
# self-contained binary for the test guests' busybox initramfs and the tests;
# TOOL_INSTALLED with the shared library, what make install puts in place
# (a static glibc binary cannot resolve names the host's way).
TOOL_SRCS := $(wildcard $(TOP)/tools/*.c)
TOOL_OBJS := $(patsubst $(TOP)/tools/%.c,$(BUILD)/tools/%.o,$(TOOL_SRCS))
TOOL := $(BUILD)/tools/uring-dmabuf
TOOL_CFLAGS := $(CPPFLAGS) $(CFLAGS) -I$(TOP)/lib/include $(NL_CFLAGS) \
	-DURING_DMABUF_TOOL_VERSION='"$(VERSION)"'

TOOL_INSTALLED := $(BUILD)/tools/installed/uring-dmabuf

tools: $(TOOL) $(TOOL_INSTALLED)

$(BUILD)/tools/%.o: $(TOP)/tools/%.c $(wildcard $(TOP)/tools/*.h) $(TOP)/lib/include/liburing_dmabuf.h
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -c $< -o $@

$(TOOL): $(TOOL_OBJS) $(LIB_A)
	$(CC) -static -o $@ $(TOOL_OBJS) $(LIB_A) $(NL_STATIC_LIBS) -luring -lpthread $(LDFLAGS)

$(TOOL_INSTALLED): $(TOOL_OBJS) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $(TOOL_OBJS) -L$(BUILD)/lib -l:$(LIB_SONAME) $(NL_LIBS) -luring $(LDFLAGS)

# --- installation ------------------------------------------------------------
# (The module installs through DKMS: make dkms-install, then dkms(8).) After
# the files, scripts/post-install.sh creates the group, reloads udev and runs
# ldconfig, unless DESTDIR is set. make uninstall takes back what install put
# in place, and nothing else: the group stays.
UDEV_RULE := 70-uring-dmabuf.rules
SYSUSERS_CONF := uring-dmabuf.conf

.PHONY: install uninstall
install: lib tools
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf $(DESTDIR)$(UDEVDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 $(TOOL_INSTALLED) $(DESTDIR)$(BINDIR)/
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/liburing-dmabuf.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(PC_SED) $(TOP)/lib/liburing-dmabuf.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/liburing-dmabuf.pc
	install -m 0644 $(TOP)/lib/include/liburing_dmabuf.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 $(TOP)/include/uapi/linux/uring_dmabuf.h $(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf/
	for s in 3 4 8; do \
		[ -d $(TOP)/man/man$$s ] || continue; \
		install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $(TOP)/man/man$$s/*.$$s $(DESTDIR)$(MANDIR)/man$$s/; \
	done
	install -d $(DESTDIR)$(COMPLETIONDIR)
	install -m 0644 $(TOP)/completion/uring-dmabuf.bash $(DESTDIR)$(COMPLETIONDIR)/uring-dmabuf
	install -m 0644 $(TOP)/packaging/udev/$(UDEV_RULE) $(DESTDIR)$(UDEVDIR)/
	install -m 0644 $(TOP)/packaging/sysusers/$(SYSUSERS_CONF) $(DESTDIR)$(SYSUSERSDIR)/
	DESTDIR="$(DESTDIR)" $(TOP)/scripts/post-install.sh install $(SYSUSERSDIR)/$(SYSUSERS_CONF)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(notdir $(TOOL)) \
		$(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME) \
		$(DESTDIR)$(LIBDIR)/liburing-dmabuf.so $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_A)) \
		$(DESTDIR)$(LIBDIR)/pkgconfig/liburing-dmabuf.pc \
		$(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf.h \
		$(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf/uring_dmabuf.h \
		$(DESTDIR)$(COMPLETIONDIR)/uring-dmabuf \
		$(DESTDIR)$(UDEVDIR)/$(UDEV_RULE) $(DESTDIR)$(SYSUSERSDIR)/$(SYSUSERS_CONF)
	for f in $(wildcard $(TOP)/man/man[348]/*.[348]); do \
		s=$${f##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${f##*/}; \
	done
	rmdir $(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf 2>/dev/null || :
	DESTDIR="$(DESTDIR)" $(TOP)/scripts/post-install.sh uninstall

# --- Debian packages ------------------------------------------------------------
# Built from a copy of the tree in $(BUILD)/deb/src (dpkg-buildpackage writes
# beside the source directory); the module is built by DKMS where the
# package is installed, not here.
deb:
	BUILD=$(BUILD) $(TOP)/scripts/deb.sh build

deb-check:
	BUILD=$(BUILD) $(TOP)/scripts/deb.sh check

# --- checks, cleaning ----------------------------------------------------------
check:
	BUILD=$(BUILD) $(TOP)/scripts/check.sh

clean:
	rm -rf $(BUILD)
	$(MAKE) -C $(TOP)/module clean-local

include $(TOP)/tests/Makefile
