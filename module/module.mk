# Included by the top-level Makefile: building the module for one or more
# kernels, and installing its DKMS source tree.
#
#   make module                  for KDIR, else for every /lib/modules/*/build
#   make dkms-install [DESTDIR=] copy the source set to /usr/src/uring-dmabuf-VERSION

MODULE_KDIRS := $(if $(KDIR),$(KDIR),$(wildcard /lib/modules/*/build))
DKMS_SRC = $(DESTDIR)/usr/src/uring-dmabuf-$(VERSION)
MODULE_SOURCES := $(wildcard $(TOP)/module/*.c $(TOP)/module/*.h) \
	$(TOP)/module/Kbuild $(TOP)/module/Makefile $(TOP)/module/probe.sh

.PHONY: module dkms-install
all: module

# Each kernel builds in its own copy, so builds for several kernels never
# share object files.
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
