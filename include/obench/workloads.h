/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The complexity workloads (paper Fig. 14), written once and compiled three
 * ways: by clang for BPF (bpf/complexity.bpf.c), by the kernel's compiler for
 * the module's native kfuncs (kmod/), and by the host compiler for the
 * user-space native baseline (harness/).  The includer provides the
 * __u8/__u32/__u64 types and the OBENCH_INLINE qualifier.
 */
#ifndef OBENCH_WORKLOADS_H
#define OBENCH_WORKLOADS_H

#ifndef OBENCH_INLINE
#define OBENCH_INLINE static inline
#endif

/* Largest n / repeat count the BPF verifier has to walk. */
#define OBENCH_FIB_MAX_N	2048
#define OBENCH_SUM_MAX_REPEAT	1024
#define OBENCH_SUM_BYTES	64

/* Iterative Fibonacci, modulo 2^64: compute heavy, no memory traffic. */
OBENCH_INLINE __u64 obench_fib(__u32 n)
{
	__u64 a = 0, b = 1, t;
	__u32 i;

	for (i = 0; i < n && i < OBENCH_FIB_MAX_N; i++) {
		t = a + b;
		a = b;
		b = t;
	}
	return a;
}

/* Sum of the first 64 bytes of @data, @repeat times: memory/branch heavy. */
OBENCH_INLINE __u64 obench_sum64(const __u8 *data, __u32 repeat)
{
	__u64 sum = 0;
	__u32 r, i;

	for (r = 0; r < repeat && r < OBENCH_SUM_MAX_REPEAT; r++)
		for (i = 0; i < OBENCH_SUM_BYTES; i++)
			sum += data[i];
	return sum;
}

#endif /* OBENCH_WORKLOADS_H */
