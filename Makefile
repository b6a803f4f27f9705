# SPDX-License-Identifier: GPL-2.0
# obench: one entry point.  `make` builds everything, `make run` installs the
# dependencies and runs the default suite, `make check` runs the selftests.
#
# BPF objects:  bpf/X.bpf.c -> $(OUT)/bpf/X.bpf.o -> $(OUT)/skel/X.skel.h
# Harness:      harness/{core,net,kv,experiments}/ -> $(OUT)/libobench.a,
#               + harness/cli/ -> $(OUT)/obench
# Module:       kmod/ via Kbuild against $(KDIR)

OUT      ?= build
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= gcc
CFLAGS   ?= -O2 -g
KDIR_CLOUD := /usr/src/linux-headers-6.12.107+deb12-cloud-amd64
KDIR     ?= $(if $(wildcard /lib/modules/$(shell uname -r)/build/Makefile),/lib/modules/$(shell uname -r)/build,$(KDIR_CLOUD))

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(CURDIR)/%,%,$(2))";
endif

PKGS      := libbpf libxdp libnl-3.0 libnl-route-3.0 json-c capstone
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUT)/skel/%.skel.h,$(BPF_SRCS))
BPF_HDRS  := $(wildcard bpf/*.h) $(wildcard include/obench/*.h)
VMLINUX_H := $(OUT)/include/vmlinux.h

# harness/ is layered: core/ <- net/ <- kv/ <- experiments/ <- cli/
HARNESS_DIRS := core net kv experiments $(patsubst harness/%/,%,$(wildcard harness/experiments/*/))
LIB_SRCS  := $(foreach d,$(HARNESS_DIRS),$(wildcard harness/$(d)/*.c))
LIB_OBJS  := $(patsubst harness/%.c,$(OUT)/harness/%.o,$(LIB_SRCS))
CLI_OBJS  := $(patsubst harness/%.c,$(OUT)/harness/%.o,$(wildcard harness/cli/*.c))
HARNESS_HDRS := $(wildcard harness/*/*.h harness/*/*/*.h) $(wildcard include/obench/*.h)

GIT_REV   := $(shell git -C $(CURDIR) describe --always --dirty 2>/dev/null || echo unknown)

# gcc warns about snprintf truncation obench handles; clang does not know the flag
WARN_NO_TRUNC := $(if $(findstring clang,$(CC)),-Wno-unknown-warning-option,-Wno-format-truncation)
HOST_CFLAGS := -std=gnu11 $(CFLAGS) -Wall -Wextra -Werror $(WARN_NO_TRUNC) -D_GNU_SOURCE \
	-I$(OUT)/skel -I$(CURDIR)/include -I$(CURDIR)/harness $(PKG_CFLAGS) \
	-DOBENCH_GIT_REV='"$(GIT_REV)"' -DOBENCH_CLANG='"$(CLANG)"'
HOST_LIBS   := $(PKG_LIBS) -lelf -lz -lm -lpthread

BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-Wno-unused-function -fno-builtin \
	-I$(OUT)/include -I$(CURDIR)/bpf -I$(CURDIR)/include

.PHONY: all clean run check deps kmod kernel vmtest bpf fuzz fuzz-run asan-check
.DELETE_ON_ERROR:
# keep the BPF objects: `obench jit` loads them
.SECONDARY: $(BPF_OBJS)

all: $(OUT)/obench

bpf: $(SKELS)

$(VMLINUX_H):
	$(Q)mkdir -p $(@D)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(VMLINUX_H) $(BPF_HDRS)
	$(Q)mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/skel/%.skel.h: $(OUT)/bpf/%.bpf.o Makefile
	$(Q)mkdir -p $(@D)
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(OUT)/harness/%.o: harness/%.c $(HARNESS_HDRS) $(SKELS)
	$(Q)mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@

# complexity's native baseline: the workloads built as the kernel builds C
# (the paper's native code was gcc -O2 in the mlx5 driver).  NATIVE_LOOP_FLAGS
# shape the loops and go into the rows' notes; NATIVE_KBUILD_FLAGS are the
# rest of Debian 6.12's kbuild code-generation flags (`make V=1` of kmod/)
# that user space can take -- not -mcmodel=kernel, -fno-PIE, -mfentry,
# -fpatchable-function-entry or the return/indirect-branch thunks, which need
# the kernel's address space or symbols and touch no loop.
NATIVE_CC          ?= gcc
NATIVE_LOOP_FLAGS  := -O2 -fno-unroll-loops -fno-tree-vectorize -fno-strict-aliasing -mno-sse -mno-sse2
NATIVE_KBUILD_FLAGS := -fno-strict-overflow -fno-delete-null-pointer-checks -fno-common \
	-fno-jump-tables -fno-allow-store-data-races -fconserve-stack -fcf-protection=branch \
	-fstack-protector-strong -ftrivial-auto-var-init=zero -funsigned-char -fshort-wchar \
	-falign-functions=16 -falign-jumps=1 -falign-loops=1 -fno-asynchronous-unwind-tables \
	-fno-stack-clash-protection -mno-mmx -mno-3dnow -mno-avx -mno-80387 -mno-fp-ret-in-387 \
	-mno-red-zone -mpreferred-stack-boundary=3 -mskip-rax-setup -mharden-sls=all -mtune=generic
$(OUT)/harness/experiments/complexity/native_kbuild.o: harness/experiments/complexity/native_kbuild.c $(HARNESS_HDRS) Makefile
	$(Q)mkdir -p $(@D)
	$(call msg,KCC,$@)
	$(Q)$(NATIVE_CC) -std=gnu11 -g $(NATIVE_LOOP_FLAGS) $(NATIVE_KBUILD_FLAGS) -Wall -Wextra -Werror \
		-I$(CURDIR)/include -I$(CURDIR)/harness \
		-DOBENCH_NATIVE_FLAGS='"$(NATIVE_LOOP_FLAGS) + kbuild code-gen flags"' -c $< -o $@

$(OUT)/libobench.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcsP $@ $^	# P: full paths, kv/kvcache.o and experiments/kvcache.o both stay

$(OUT)/obench: $(CLI_OBJS) $(OUT)/libobench.a
	$(call msg,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(HOST_LIBS)

# The kernel module (built against KDIR, the Debian 6.12 cloud headers by default).
kmod:
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules $(if $(filter 1,$(V)),V=1,)

# The testbed kernel with kernel-patches/ applied, and the module against it
# (build/kernel/$(KVER)/); cached.  KVER=6.8 needs KSRC=<a 6.8 tree>.
KVER ?= 6.12
kernel:
	$(Q)./scripts/build-kernel $(KVER)

# Install every package obench needs (Debian 12).
deps:
	$(Q)./scripts/install-deps

# The default suite, report included.  Sub-makes re-read this file after
# deps, so pkg-config sees the libraries deps just installed.
run: deps
	$(Q)$(MAKE) all
	$(OUT)/obench run

# The tests: kselftest style, KTAP output.
check: deps
	$(Q)$(MAKE) -C selftests run_tests

vmtest: all kmod
	$(Q)$(MAKE) -C selftests run_vm_tests

# Coverage-guided fuzzing of the host side (libFuzzer, ASan, UBSan):
# `make fuzz` builds selftests/fuzz/fuzz_*.c against an instrumented harness
# in $(FUZZ_OUT); `make fuzz-run FUZZ_SECONDS=60` runs each target.
FUZZ_OUT ?= build/fuzz
FUZZ_CC  ?= clang-14
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst selftests/fuzz/%.c,$(FUZZ_OUT)/%,$(wildcard selftests/fuzz/fuzz_*.c))

fuzz:
	$(Q)$(MAKE) --no-print-directory OUT=$(FUZZ_OUT) CC=$(FUZZ_CC) \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(SAN)" fuzz-targets

fuzz-targets: $(FUZZ_TARGETS)

$(OUT)/fuzz_%: selftests/fuzz/fuzz_%.c $(OUT)/libobench.a $(OUT)/harness/cli/run_args.o
	$(call msg,FUZZ,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -fsanitize=fuzzer -o $@ $< $(OUT)/harness/cli/run_args.o \
		$(OUT)/libobench.a $(HOST_LIBS)

fuzz-run: fuzz
	$(Q)FUZZ_OUT=$(CURDIR)/$(FUZZ_OUT) selftests/fuzz/run.sh

# The selftests once more with the harness and tests built with ASan + UBSan.
ASAN_OUT ?= build/asan
asan-check: deps
	$(Q)$(MAKE) --no-print-directory -C selftests run_tests OUT=$(ASAN_OUT) \
		TOP_MAKEFLAGS='CC=$(FUZZ_CC) CFLAGS="-O1 -g $(SAN)"'

clean:
	rm -rf $(OUT)
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean >/dev/null 2>&1

# Selftest binaries: selftests/X.c -> $(OUT)/selftests/X, linked with the harness library.
$(OUT)/selftests/%: selftests/%.c selftests/ktap.h selftests/harness.h $(OUT)/libobench.a $(SKELS) $(HARNESS_HDRS)
	$(Q)mkdir -p $(@D)
	$(call msg,TEST,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -I$(CURDIR)/selftests -o $@ $< $(OUT)/libobench.a $(HOST_LIBS)
