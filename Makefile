# uring-dmabuf: top-level build and test entry points.
#
#   make            build the module (for KDIR or every installed header set),
#                   the library and the CLI
#   make deps       install build/test dependencies, fetch kernels, chroots
#   make test       unit tests + VM tests on the whole kernel matrix
#   make vmtest     VM tests only (KERNELS="6.12 7.2" for a subset)
#   make check      static checks (uapi header, checkpatch, -Werror, W=1)

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD ?= $(TOP)/build
VERSION := $(shell cat $(TOP)/VERSION)

CC ?= cc
WARN := -Wall -Wextra -Werror
override CFLAGS += -O2 -g $(WARN) -I$(TOP)/include

.PHONY: all deps test vmtest vmshell check clean
all:

include $(TOP)/module/module.mk
include $(TOP)/lib/lib.mk
-include $(TOP)/tools/tools.mk
-include $(TOP)/tests/unit/unit.mk
include $(TOP)/tests/vm/vm.mk
-include $(TOP)/tests/vm/progs/progs.mk
-include $(TOP)/tests/kmod/kmod.mk
-include $(TOP)/tests/bench/bench.mk
-include $(TOP)/tests/vm/debug/debug.mk
-include $(TOP)/tests/unit/cli/cli-unit.mk

clean:
	rm -rf $(BUILD)
	$(MAKE) -C $(TOP)/module clean-local

check:
	BUILD=$(BUILD) $(TOP)/scripts/check.sh

# Installation: library, CLI, headers, man pages, completion, udev rule and
# the group it names (sysusers.d). (The module installs through DKMS: make
# dkms-install, then dkms(8).) After the files, scripts/post-install.sh
# creates the group, reloads udev and runs ldconfig, unless DESTDIR is set.
UDEVDIR ?= /usr/lib/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UDEV_RULE := 70-uring-dmabuf.rules
SYSUSERS_CONF := uring-dmabuf.conf

.PHONY: install install-docs install-system uninstall uninstall-docs uninstall-system
install: install-lib install-tools install-docs install-system
	DESTDIR="$(DESTDIR)" $(TOP)/scripts/post-install.sh install $(SYSUSERSDIR)/$(SYSUSERS_CONF)

install-docs:
	for s in 3 4 8; do \
		[ -d $(TOP)/man/man$$s ] || continue; \
		install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $(TOP)/man/man$$s/*.$$s $(DESTDIR)$(MANDIR)/man$$s/; \
	done
	if [ -f $(TOP)/completion/uring-dmabuf.bash ]; then \
		install -d $(DESTDIR)$(COMPLETIONDIR); \
		install -m 0644 $(TOP)/completion/uring-dmabuf.bash $(DESTDIR)$(COMPLETIONDIR)/uring-dmabuf; \
	fi

install-system:
	install -d $(DESTDIR)$(UDEVDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0644 $(TOP)/packaging/udev/$(UDEV_RULE) $(DESTDIR)$(UDEVDIR)/
	install -m 0644 $(TOP)/packaging/sysusers/$(SYSUSERS_CONF) $(DESTDIR)$(SYSUSERSDIR)/

# What install put in place, and nothing else: the group stays.
uninstall: uninstall-lib uninstall-tools uninstall-docs uninstall-system
	DESTDIR="$(DESTDIR)" $(TOP)/scripts/post-install.sh uninstall

uninstall-docs:
	for s in 3 4 8; do \
		[ -d $(TOP)/man/man$$s ] || continue; \
		for f in $(TOP)/man/man$$s/*.$$s; do \
			rm -f $(DESTDIR)$(MANDIR)/man$$s/$${f##*/}; \
		done; \
	done
	rm -f $(DESTDIR)$(COMPLETIONDIR)/uring-dmabuf

uninstall-system:
	rm -f $(DESTDIR)$(UDEVDIR)/$(UDEV_RULE) $(DESTDIR)$(SYSUSERSDIR)/$(SYSUSERS_CONF)
