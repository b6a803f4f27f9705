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
#include "ktap.h"
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

int main(void)
{
	struct complexity_bpf *s;
	unsigned char pkts[3][128];
	struct jit_code c = { 0 };
	struct jit_loop l;
	uint64_t addr;
	void *code;
	size_t len, i, p;
	bool ok;

	ktap_plan(6);
	if (geteuid()) {
		ktap_print("needs root to load BPF programs");
		return KSFT_SKIP;
	}
	bpfutil_quiet_libbpf();
	s = complexity_bpf__open_and_load();
	if (!s) {
		ktap_print("the kernel rejected complexity.bpf.o");
		ktap_result(0, "load");
		ktap_finish();
	}
	build_udp_frame(pkts[0], 64);
	for (i = 0; i < sizeof(pkts[1]); i++) {
		pkts[1][i] = (unsigned char)(0xff - i);		/* large bytes: carries */
		pkts[2][i] = (unsigned char)(i * 37 + 11);
	}

	ok = true;
	for (i = 0; i < sizeof(fib_ns) / sizeof(fib_ns[0]); i++) {
		s->bss->fib_n = fib_ns[i];
		s->bss->fib_result = ~0ULL;
		if (!run_ok(bpf_program__fd(s->progs.xdp_fib), pkts[0], 64) ||
		    s->bss->fib_result != native_fib(fib_ns[i])) {
			ktap_print("fib(%u): bpf %llu native %llu", fib_ns[i],
				   (unsigned long long)s->bss->fib_result,
				   (unsigned long long)native_fib(fib_ns[i]));
			ok = false;
		}
	}
	ktap_result(ok && native_fib(10) == 55 && native_fib(93) == 12200160415121876738ULL,
		    "fib_bpf_equals_native");

	ok = true;
	for (p = 0; p < 3; p++) {
		size_t plen = p ? sizeof(pkts[p]) : 64;

		for (i = 0; i < sizeof(sum_xs) / sizeof(sum_xs[0]); i++) {
			s->bss->sum_repeat = sum_xs[i];
			s->bss->sum_result = ~0ULL;
			if (!run_ok(bpf_program__fd(s->progs.xdp_sum64), pkts[p], plen) ||
			    s->bss->sum_result != native_sum64(pkts[p], sum_xs[i])) {
				ktap_print("sum64(pkt %zu, %u): bpf %llu native %llu", p, sum_xs[i],
					   (unsigned long long)s->bss->sum_result,
					   (unsigned long long)native_sum64(pkts[p], sum_xs[i]));
				ok = false;
			}
		}
	}
	ktap_result(ok && native_sum64(pkts[1], 2) == 2 * (64 * 0xff - 63 * 32),
		    "sum64_bpf_equals_native");

	/* shorter than 64 bytes: the program's bounds check must refuse it */
	{
		__u32 ret = 0;

		s->bss->sum_result = 7;
		ok = testrun_once(bpf_program__fd(s->progs.xdp_sum64), pkts[0], 40, NULL, NULL, &ret) == 0 &&
		     ret == XDP_ABORTED && s->bss->sum_result == 7;
		ktap_result(ok, "sum64_short_packet_aborted");
	}

	ok = jit_prog_image(bpf_program__fd(s->progs.xdp_sum64), &code, &len, &addr) == 0;
	if (ok) {
		ok = jit_disasm(code, len, addr, &c) == 0 && c.n > 0 && ends_in_return(&c);
		free(code);
	}
	ktap_result(ok, "jit_disassembly_has_return");

	ok = c.n && jit_innermost_loop(&c, &l) == 0 && l.byte_loads >= 1 && l.insns > l.byte_loads;
	if (ok)
		ktap_print("JIT sum64 loop: %u insns, %u byte loads, %u stack accesses",
			   l.insns, l.byte_loads, l.stack_accesses);
	ktap_result(ok, "jit_loop_found_in_sum64");
	jit_code_free(&c);

	ok = jit_native_code(native_symbol(NATIVE_SUM64), native_address(NATIVE_SUM64), &code, &len) == 0;
	if (ok) {
		ok = jit_disasm(code, len, (uint64_t)(unsigned long)native_address(NATIVE_SUM64), &c) == 0 &&
		     jit_innermost_loop(&c, &l) == 0 && l.byte_loads >= 1;
		free(code);
		if (ok)
			ktap_print("native sum64 loop: %u insns, %u byte loads, %u stack accesses",
				   l.insns, l.byte_loads, l.stack_accesses);
		jit_code_free(&c);
	}
	ktap_result(ok, "native_loop_found_in_sum64");

	complexity_bpf__destroy(s);
	ktap_finish();
	return 0;
}
