# Included by the top-level Makefile: liburing-dmabuf, shared and static.
LIB_SRCS := $(addprefix $(TOP)/lib/,device.c fixed.c netlink.c nlmsg.c devmem.c)
LIB_OBJS := $(patsubst $(TOP)/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
LIB_SONAME := liburing-dmabuf.so.$(word 1,$(subst ., ,$(VERSION)))
LIB_SO := $(BUILD)/lib/liburing-dmabuf.so.$(VERSION)
LIB_A := $(BUILD)/lib/liburing-dmabuf.a
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
LIB_CFLAGS := $(CFLAGS) -fPIC -I$(TOP)/lib/include $(NL_CFLAGS)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man

.PHONY: lib install-lib uninstall-lib
all: lib
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

install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/liburing-dmabuf.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(PC_SED) $(TOP)/lib/liburing-dmabuf.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/liburing-dmabuf.pc
	install -m 0644 $(TOP)/lib/include/liburing_dmabuf.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 $(TOP)/include/uapi/linux/uring_dmabuf.h $(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf/

uninstall-lib:
	rm -f $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME) \
		$(DESTDIR)$(LIBDIR)/liburing-dmabuf.so $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_A)) \
		$(DESTDIR)$(LIBDIR)/pkgconfig/liburing-dmabuf.pc \
		$(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf.h \
		$(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf/uring_dmabuf.h
	rmdir $(DESTDIR)$(INCLUDEDIR)/liburing_dmabuf 2>/dev/null || :
