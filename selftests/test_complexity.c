// SPDX-License-Identifier: GPL-2.0
/*
 * complexity: the XDP builds of fib/sum64 return the native results for
 * several n / X and packets; the JIT image disassembles and ends in a return;
 * the loop analysis finds the sum64 loop in both the JIT and the native code.
 */
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "complexity.skel.h"
#include "core/jit.h"
#include "harness.h"
#include "experiments/complexity/native_workloads.h"

static const __u32 fib_ns[] = { 0, 1, 2, 10, 93, 100, 1000, 2047, 2048, 5000 };
static const __u32 sum_xs[] = { 0, 1, 2, 7, 64, 1023, 1024, 4096 };

static bool run_ok(int fd, const unsigned char *pkt, size_t len)
{
	__u32 ret = 0;

	return testrun_once(fd, pkt, len, NULL, NULL, &ret) == 0 && ret == XDP_PASS;
}

/* A return: `ret`, or (return thunks) `leave` then a jmp out of the image. */
static bool ends_in_return(const struct jit_code *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->insns[i].ret)
			return true;
		if (i + 1 < c->n && !strcmp(c->insns[i].text, "leave") && c->insns[i + 1].uncond &&
		    (c->insns[i + 1].target < c->insns[0].addr ||
		     c->insns[i + 1].target > c->insns[c->n - 1].addr))
			return true;
	}
	return false;
}

/* complexity.bpf.o, loaded once for all the tests (freed at the end). */
static struct complexity_bpf *skel;

static void skel_free(void)
{
	complexity_bpf__destroy(skel);
}

static int skel_load(char *why, size_t len)
{
	if (geteuid())
		return harness_reason(why, len, KSFT_SKIP, "needs root to load BPF programs");
	skel = complexity_bpf__open_and_load();
	if (!skel)
		return harness_reason(why, len, KSFT_FAIL, "the kernel rejected complexity.bpf.o");
	harness_at_end(skel_free);
	return 0;
}

static struct harness_once skel_once;

FIXTURE(complexity) {
	unsigned char pkts[3][128];	/* a UDP frame (64 B used), then two byte patterns */
	struct jit_code code;
};

FIXTURE_SETUP(complexity)
{
	size_t i;

	SETUP_ONCE(&skel_once, skel_load);
	build_udp_frame(self->pkts[0], 64);
	for (i = 0; i < sizeof(self->pkts[1]); i++) {
		self->pkts[1][i] = (unsigned char)(0xff - i);		/* large bytes: carries */
		self->pkts[2][i] = (unsigned char)(i * 37 + 11);
	}
}

FIXTURE_TEARDOWN(complexity)
{
	jit_code_free(&self->code);
}

TEST_F(complexity, fib_bpf_equals_native)
{
	size_t i;

	for (i = 0; i < sizeof(fib_ns) / sizeof(fib_ns[0]); i++) {
		skel->bss->fib_n = fib_ns[i];
		skel->bss->fib_result = ~0ULL;
		EXPECT(run_ok(bpf_program__fd(skel->progs.xdp_fib), self->pkts[0], 64) &&
		       skel->bss->fib_result == native_fib(fib_ns[i]),
		       "fib(%u): bpf %llu native %llu", fib_ns[i],
		       (unsigned long long)skel->bss->fib_result,
		       (unsigned long long)native_fib(fib_ns[i]));
	}
	EXPECT(native_fib(10) == 55 && native_fib(93) == 12200160415121876738ULL,
	       "native fib(10) %llu fib(93) %llu", (unsigned long long)native_fib(10),
	       (unsigned long long)native_fib(93));
}

TEST_F(complexity, sum64_bpf_equals_native)
{
	size_t i, p;

	for (p = 0; p < 3; p++) {
		size_t plen = p ? sizeof(self->pkts[p]) : 64;

		for (i = 0; i < sizeof(sum_xs) / sizeof(sum_xs[0]); i++) {
			skel->bss->sum_repeat = sum_xs[i];
			skel->bss->sum_result = ~0ULL;
			EXPECT(run_ok(bpf_program__fd(skel->progs.xdp_sum64), self->pkts[p], plen) &&
			       skel->bss->sum_result == native_sum64(self->pkts[p], sum_xs[i]),
			       "sum64(pkt %zu, %u): bpf %llu native %llu", p, sum_xs[i],
			       (unsigned long long)skel->bss->sum_result,
			       (unsigned long long)native_sum64(self->pkts[p], sum_xs[i]));
		}
	}
	EXPECT(native_sum64(self->pkts[1], 2) == 2 * (64 * 0xff - 63 * 32),
	       "native sum64(pkt 1, 2) %llu",
	       (unsigned long long)native_sum64(self->pkts[1], 2));
}

/* shorter than 64 bytes: the program's bounds check must refuse it */
TEST_F(complexity, sum64_short_packet_aborted)
{
	__u32 ret = 0;
	int err;

	skel->bss->sum_result = 7;
	err = testrun_once(bpf_program__fd(skel->progs.xdp_sum64), self->pkts[0], 40, NULL, NULL, &ret);
	EXPECT(err == 0 && ret == XDP_ABORTED && skel->bss->sum_result == 7,
	       "test run %d, action %u, sum %llu", err, ret,
	       (unsigned long long)skel->bss->sum_result);
}

/* Disassembles xdp_sum64's JIT image into @c. */
static void jit_sum64(struct th_test *_t, struct jit_code *c)
{
	uint64_t addr;
	void *code;
	size_t len;
	int err;

	err = jit_prog_image(bpf_program__fd(skel->progs.xdp_sum64), &code, &len, &addr);
	ASSERT(err == 0, "no JIT image of xdp_sum64: %s", strerror(-err));
	err = jit_disasm(code, len, addr, c);
	free(code);
	ASSERT(err == 0 && c->n > 0, "cannot disassemble the JIT image (%d)", err);
}

TEST_F(complexity, jit_disassembly_has_return)
{
	jit_sum64(_t, &self->code);
	EXPECT(self->code.n && ends_in_return(&self->code), "the JIT image does not end in a return");
}

TEST_F(complexity, jit_loop_found_in_sum64)
{
	struct jit_loop l;

	jit_sum64(_t, &self->code);
	ASSERT(self->code.n && jit_innermost_loop(&self->code, &l) == 0 &&
	       l.byte_loads >= 1 && l.insns > l.byte_loads, "no byte-loading loop in the JIT code");
	TH_LOG("JIT sum64 loop: %u insns, %u byte loads, %u stack accesses",
	       l.insns, l.byte_loads, l.stack_accesses);
}

/* The loop analysis on the compiler's own sum64 (no BPF: no root needed). */
TEST(native_loop_found_in_sum64)
{
	struct jit_code c = { 0 };
	struct jit_loop l;
	void *code;
	size_t len;
	bool ok;

	ASSERT(jit_native_code(native_symbol(NATIVE_SUM64), native_address(NATIVE_SUM64),
			       &code, &len) == 0, "cannot read native sum64's code");
	ok = jit_disasm(code, len, (uint64_t)(unsigned long)native_address(NATIVE_SUM64), &c) == 0 &&
	     jit_innermost_loop(&c, &l) == 0 && l.byte_loads >= 1;
	free(code);
	EXPECT(ok, "no byte-loading loop in native sum64");
	if (ok)
		TH_LOG("native sum64 loop: %u insns, %u byte loads, %u stack accesses",
		       l.insns, l.byte_loads, l.stack_accesses);
	jit_code_free(&c);
}

int main(int argc, char **argv)
{
	bpfutil_quiet_libbpf();
	return harness_main(argc, argv);
}
