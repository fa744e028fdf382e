# SPDX-License-Identifier: GPL-3.0-or-later
# Top-level Makefile: one non-recursive build of the whole bundle.
#
#   make deps        install every Debian package the build, tests and benchmarks need (root)
#   make [-j2]       build libraries, daemons, examples and tests into $(BUILD)/
#   make check       build and run all test tiers that can run here (unit, ASan, FUSE mounts,
#                    network namespaces, kernel module in QEMU); others are skipped with a reason
#   make demo        the maildir demo on a mounted volume
#   make bench       side-by-side benchmarks (native, bindfs, ours, GlusterFS 10.3)
#   make kmod        build the patched fuse.ko for Debian 12's kernel
#   make check-vm    the kernel-module tests in QEMU only
#   make install / uninstall

SHELL := /bin/bash
BUILD ?= build
.DEFAULT_GOAL := all

NOCONFIG_GOALS := deps help clean distclean
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
include config.mk
endif

# A fresh clone: install the build packages (only if missing) and configure with defaults.
config.mk:
	@scripts/install-deps.sh build
	./configure

# ---- flags -------------------------------------------------------------------------------
OPT ?= -O2
SAN :=
ifeq ($(ENABLE_ASAN),yes)
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT := -O1
endif
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
CPPFLAGS := -I. -Ilibfuse-patched/include -DBOOST_ASIO_SEPARATE_COMPILATION \
            -DBOOST_ASIO_NO_DEPRECATED -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE
CXXFLAGS := -std=c++20 $(OPT) -g1 -pthread -fno-omit-frame-pointer $(WARN) $(SAN) -MMD -MP
CFLAGS := -std=gnu11 $(OPT) -g1 -pthread $(WARN) $(SAN) -MMD -MP
LDFLAGS := -pthread $(SAN)
LDLIBS := -ldb
ifeq ($(HAVE_URING),yes)
CPPFLAGS += -DLFP_HAVE_URING=1
LDLIBS += -luring
endif

# ---- sources -----------------------------------------------------------------------------
find_src = $(shell find $(1) -name '*.cc' 2>/dev/null | sort)
CORE_SRC := $(call find_src,glusterfs/core)
RPC_SRC := $(call find_src,glusterfs/rpc)
XL_SRC := $(call find_src,glusterfs/xlators)
MOUNT_SRC := $(call find_src,glusterfs/mount)
LFP_SRC := $(call find_src,libfuse-patched/src)
LFP_STOCK_SRC := $(call find_src,libfuse-patched/stock)
LFP_COMMON_SRC := $(call find_src,libfuse-patched/common)
UNIT_SRC := $(call find_src,tests/unit)
MOUNT_TEST_SRC := $(call find_src,tests/mount)
HELPER_SRC := $(call find_src,tests/helpers)

obj = $(patsubst %.cc,$(BUILD)/obj/%.o,$(1))
LIB := $(BUILD)/lib
BIN := $(BUILD)/bin

$(LIB)/libgfcore.a: $(call obj,$(CORE_SRC))
$(LIB)/libgfrpc.a: $(call obj,$(RPC_SRC))
$(LIB)/libgfxlators.a: $(call obj,$(XL_SRC))
$(LIB)/libgfmount.a: $(call obj,$(MOUNT_SRC))
$(LIB)/liblfp.a: $(call obj,$(LFP_SRC) $(LFP_COMMON_SRC))
$(LIB)/liblfp-stock.a: $(call obj,$(LFP_STOCK_SRC) $(LFP_COMMON_SRC))

$(LIB)/%.a:
	@mkdir -p $(@D)
	@rm -f $@
	$(if $^,ar rcs $@ $^,ar rcs $@)

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# The FUSE library under the client: ours (bundled) or Debian's libfuse3 behind our API.
ifeq ($(WITH_FUSE),system)
CLIENT_FUSE := $(LIB)/liblfp-stock.a
CLIENT_FUSE_LIBS := -lfuse3
else
CLIENT_FUSE := $(LIB)/liblfp.a
CLIENT_FUSE_LIBS :=
endif

GF_LIBS := $(LIB)/libgfxlators.a $(LIB)/libgfrpc.a $(LIB)/libgfcore.a

# ---- programs -----------------------------------------------------------------------------
$(BIN)/glusterfs: $(call obj,glusterfs/daemon/glusterfs_main.cc glusterfs/daemon/daemon_util.cc) \
                  $(LIB)/libgfmount.a $(GF_LIBS) $(CLIENT_FUSE)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS) $(CLIENT_FUSE_LIBS)

$(BIN)/glusterfsd: $(call obj,glusterfs/daemon/glusterfsd_main.cc glusterfs/daemon/daemon_util.cc) \
                   $(GF_LIBS)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# The self-heal tool: the client graph in-process, no FUSE.
$(BIN)/gluster-heal: $(call obj,glusterfs/daemon/gluster_heal_main.cc glusterfs/daemon/daemon_util.cc) \
                     $(GF_LIBS)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BIN)/gluster-rebalance: $(call obj,glusterfs/daemon/gluster_rebalance_main.cc glusterfs/daemon/daemon_util.cc) \
                          $(GF_LIBS)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BIN)/mount.glusterfs: glusterfs/daemon/mount.glusterfs.in config.mk
	@mkdir -p $(@D)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' $< >$@
	chmod 755 $@

# The passthrough example, built twice from one source: on our library and on stock libfuse3;
# passthrough-static (ours, -static) runs in a QEMU guest that has no matching libc.
PASSTHROUGH_SRC := $(wildcard libfuse-patched/examples/passthrough*.cc)
$(BIN)/passthrough: $(call obj,$(PASSTHROUGH_SRC)) $(LIB)/liblfp.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ $(filter -luring,$(LDLIBS))

$(BIN)/passthrough-stock: $(call obj,$(PASSTHROUGH_SRC)) $(LIB)/liblfp-stock.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ -lfuse3

$(BIN)/passthrough-static: $(call obj,$(PASSTHROUGH_SRC)) $(LIB)/liblfp.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -static $^ -o $@ $(filter -luring,$(LDLIBS))

# Notifications checked against a real mount, on both libraries (tests/lfp/run-passthrough-tier.sh).
LFP_TEST_BINS := $(BUILD)/tests/lfp/notify_check $(BUILD)/tests/lfp/notify_check-stock
$(BUILD)/tests/lfp/notify_check: $(call obj,tests/lfp/notify_check.cc) $(LIB)/liblfp.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ $(filter -luring,$(LDLIBS))

$(BUILD)/tests/lfp/notify_check-stock: $(call obj,tests/lfp/notify_check.cc) $(LIB)/liblfp-stock.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ -lfuse3

# libFuzzer over the lfp request decoder and dispatcher (clang, ASan); run by tests/fuzz/run.sh.
LFP_FUZZ_SRC := tests/fuzz/lfp_request_fuzz.cc $(LFP_SRC) $(LFP_COMMON_SRC)
$(BUILD)/fuzz/lfp_request_fuzz: $(LFP_FUZZ_SRC)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined \
	  -fno-omit-frame-pointer -pthread $(LFP_FUZZ_SRC) -o $@ $(filter -luring,$(LDLIBS))

# libFuzzer over the wire decoder (frame header, envelopes, every fop's request and reply,
# handshake and volfile messages); run by tests/fuzz/run.sh. Links the codec and the core
# types it touches, all instrumented.
RPC_FUZZ_SRC := tests/fuzz/rpc_frame_fuzz.cc glusterfs/rpc/wire.cc glusterfs/rpc/fop_codec.cc \
                $(addprefix glusterfs/core/,fd.cc gfid.cc inode.cc payload.cc types.cc)
$(BUILD)/fuzz/rpc_frame_fuzz: $(RPC_FUZZ_SRC) $(wildcard glusterfs/rpc/*.h glusterfs/core/*.h)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -fno-omit-frame-pointer -pthread $(RPC_FUZZ_SRC) -o $@

PROGRAMS := $(BIN)/glusterfs $(BIN)/glusterfsd $(BIN)/gluster-heal $(BIN)/gluster-rebalance \
            $(BIN)/mount.glusterfs
EXAMPLES := $(if $(wildcard libfuse-patched/examples/passthrough.cc),$(BIN)/passthrough $(BIN)/passthrough-stock $(BIN)/passthrough-static)

# ---- tests ---------------------------------------------------------------------------------
$(BUILD)/tests/unit_tests: $(call obj,$(UNIT_SRC)) $(LIB)/libgfmount.a $(GF_LIBS) $(LIB)/liblfp.a
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lgtest -lgtest_main

# The POSIX mount-tier suite: runs against any directory (MOUNT_DIR), so it links no project code.
$(BUILD)/tests/mount_tests: $(call obj,$(MOUNT_TEST_SRC))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ -lgtest -lgtest_main

# Small test programs (lock contention, mmap, xattr probes): one binary per source file.
HELPERS := $(patsubst tests/helpers/%.cc,$(BUILD)/tests/helpers/%,$(HELPER_SRC))
$(BUILD)/tests/helpers/%: $(BUILD)/obj/tests/helpers/%.o
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@

# Tools that drive a volume from inside their process (the net tier's load generator): one
# binary per source file, on the project libraries and the unit tests' TestClient.
TOOL_SRC := $(call find_src,tests/tools)
TOOLS := $(patsubst tests/tools/%.cc,$(BUILD)/tests/tools/%,$(TOOL_SRC))
$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(BUILD)/obj/tests/unit/support/fop_helpers.o \
                        $(GF_LIBS)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS)

TEST_BINS := $(BUILD)/tests/unit_tests $(BUILD)/tests/mount_tests $(HELPERS)
TEST_BINS += $(LFP_TEST_BINS) $(TOOLS)

# ---- goals -----------------------------------------------------------------------------------
.PHONY: all programs examples tests check check-unit check-asan check-vm demo bench deps kmod \
        install uninstall clean distclean help
# With ./configure --enable-kernel-module the patched fuse.ko is part of the default build.
all: programs examples tests $(if $(filter yes,$(ENABLE_KMOD)),kmod)
programs: $(PROGRAMS)
examples: $(EXAMPLES)
tests: $(TEST_BINS)

deps:
	scripts/install-deps.sh all

check:
	@scripts/install-deps.sh test || echo "make check: some test packages could not be installed; their tiers will be skipped"
	@$(MAKE) --no-print-directory all
	@# The asan tier runs the unit tests only: build nothing else twice.
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan ENABLE_ASAN=yes $(BUILD)/asan/tests/unit_tests
	tests/run-tests.sh --build $(BUILD) --asan-build $(BUILD)/asan

check-unit: tests
	$(BUILD)/tests/unit_tests

check-vm: all
	tests/run-tests.sh --build $(BUILD) --only vm

demo:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory all
	scripts/demo.sh --build $(BUILD)

bench:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory all
	scripts/bench.sh --build $(BUILD)
	@# Every comparison runs even when an earlier one fails; make bench fails if any did. The
	@# last one compares our FUSE library with stock libfuse3 on the same passthrough filesystem.
	scripts/bench/heal-time.sh --build $(BUILD); h=$$?; \
	scripts/bench/rebalance-time.sh --build $(BUILD); r=$$?; \
	scripts/bench-fuse-lib --build $(BUILD); f=$$?; [ $$h = 0 ] && [ $$r = 0 ] && [ $$f = 0 ]

kmod:
	kernel/build.sh $(if $(KERNEL_ABI),--kernel $(KERNEL_ABI)) --out $(BUILD)/kernel

DESTDIR ?=
install: programs
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MOUNT_HELPER_DIR) \
	        $(DESTDIR)$(PREFIX)/share/glusterfs/examples
	install -m 755 $(BIN)/glusterfs $(BIN)/glusterfsd $(BIN)/gluster-heal $(BIN)/gluster-rebalance \
	        $(DESTDIR)$(SBINDIR)/
	install -m 755 $(BIN)/mount.glusterfs $(DESTDIR)$(MOUNT_HELPER_DIR)/
	install -m 644 share/examples/*.vol $(DESTDIR)$(PREFIX)/share/glusterfs/examples/
	@if [ "$(ENABLE_KMOD)" = yes ]; then kernel/build.sh $(if $(KERNEL_ABI),--kernel $(KERNEL_ABI)) --out $(BUILD)/kernel --install "$(DESTDIR)"; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/glusterfs $(DESTDIR)$(SBINDIR)/glusterfsd $(DESTDIR)$(SBINDIR)/gluster-heal \
	      $(DESTDIR)$(SBINDIR)/gluster-rebalance
	rm -f $(DESTDIR)$(MOUNT_HELPER_DIR)/mount.glusterfs
	rm -rf $(DESTDIR)$(PREFIX)/share/glusterfs/examples
	-rmdir $(DESTDIR)$(PREFIX)/share/glusterfs 2>/dev/null
	@if [ "$(ENABLE_KMOD)" = yes ]; then kernel/build.sh $(if $(KERNEL_ABI),--kernel $(KERNEL_ABI)) --uninstall "$(DESTDIR)"; fi

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -f config.mk

help:
	@sed -n '2,14p' Makefile | sed 's/^# \{0,1\}//'

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
