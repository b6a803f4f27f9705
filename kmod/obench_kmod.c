// SPDX-License-Identifier: GPL-2.0
/*
 * obench native-baseline kernel module.
 *
 * Provides kfuncs for the obench eBPF benchmarks:
 *   - obench_memcpy_rep_movs(): a "rep movsb" memory copy,
 *   - obench_native_fib() / obench_native_sum64(): the complexity
 *     workloads of include/obench/workloads.h compiled natively,
 * and the in-kernel memcpy benchmark (paper Table 6, "kernel module"
 * row) driven through /sys/kernel/debug/obench/memcpy_bench.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#include <obench/workloads.h>

#define OBENCH_OBJ_SIZE		1024
#define OBENCH_NR_OBJS		100
#define OBENCH_DEF_ITERS	1000
#define OBENCH_MAX_ITERS	10000000
#define OBENCH_RESULT_LEN	160

enum obench_method {
	OBENCH_METHOD_MEMCPY,
	OBENCH_METHOD_REP_MOVSB,
};

static const char * const obench_method_names[] = {
	[OBENCH_METHOD_MEMCPY]		= "memcpy",
	[OBENCH_METHOD_REP_MOVSB]	= "rep_movsb",
};

struct obench_bench {
	struct mutex lock;		/* serialises runs and @result */
	u8 *array;			/* OBENCH_NR_OBJS x OBENCH_OBJ_SIZE */
	u8 *obj;			/* the OBENCH_OBJ_SIZE source object */
	char result[OBENCH_RESULT_LEN];
	bool have_result;
};

static struct obench_bench bench;
static struct dentry *obench_dir;

/* Copy @len bytes with a single "rep movsb" (ERMS fast-string copy). */
static __always_inline void obench_rep_movsb(void *dst, const void *src,
					     size_t len)
{
	asm volatile("rep movsb"
		     : "+D" (dst), "+S" (src), "+c" (len)
		     : : "memory");
}

__bpf_kfunc_start_defs();

/**
 * obench_memcpy_rep_movs - copy memory with "rep movsb"
 * @dst: destination buffer
 * @dst__sz: size of @dst, checked by the verifier
 * @src: source buffer
 * @src__sz: size of @src, checked by the verifier
 *
 * Return: the number of bytes copied, min(@dst__sz, @src__sz).
 */
__bpf_kfunc int obench_memcpy_rep_movs(void *dst, u32 dst__sz,
				       const void *src, u32 src__sz)
{
	u32 len = min(dst__sz, src__sz);

	obench_rep_movsb(dst, src, len);
	return len;
}

/**
 * obench_native_fib - obench_fib() compiled natively
 * @n: Fibonacci index (capped at OBENCH_FIB_MAX_N)
 *
 * Return: fib(@n) modulo 2^64.
 */
__bpf_kfunc u64 obench_native_fib(u32 n)
{
	return obench_fib(n);
}

/**
 * obench_native_sum64 - obench_sum64() compiled natively
 * @data: buffer whose first OBENCH_SUM_BYTES bytes are summed
 * @data__sz: size of @data, checked by the verifier
 * @repeat: number of passes (capped at OBENCH_SUM_MAX_REPEAT)
 *
 * Return: the sum, or 0 if @data__sz < OBENCH_SUM_BYTES.
 */
__bpf_kfunc u64 obench_native_sum64(const u8 *data, u32 data__sz, u32 repeat)
{
	if (data__sz < OBENCH_SUM_BYTES)
		return 0;
	return obench_sum64(data, repeat);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(obench_kfunc_ids)
BTF_ID_FLAGS(func, obench_memcpy_rep_movs)
BTF_ID_FLAGS(func, obench_native_fib)
BTF_ID_FLAGS(func, obench_native_sum64)
BTF_KFUNCS_END(obench_kfunc_ids)

static const struct btf_kfunc_id_set obench_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &obench_kfunc_ids,
};

/*
 * One pass copies the 1 KB object into each of the 100 array elements.
 * Called with bench.lock held.
 */
static int obench_memcpy_run(enum obench_method method, u64 iters)
{
	size_t len = OBENCH_OBJ_SIZE;
	u64 start, total, copies, whole, frac, i;
	unsigned int j;

	/* Hide the constant size so memcpy() is the kernel's, not inlined. */
	OPTIMIZER_HIDE_VAR(len);

	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		u8 *dst = bench.array;

		if (method == OBENCH_METHOD_MEMCPY) {
			for (j = 0; j < OBENCH_NR_OBJS; j++, dst += len)
				memcpy(dst, bench.obj, len);
		} else {
			for (j = 0; j < OBENCH_NR_OBJS; j++, dst += len)
				obench_rep_movsb(dst, bench.obj, len);
		}
		barrier();
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	total = ktime_get_ns() - start;

	copies = iters * OBENCH_NR_OBJS;
	whole = div64_u64(total, copies);
	frac = div64_u64((total - whole * copies) * 1000, copies);
	snprintf(bench.result, sizeof(bench.result),
		 "ns_per_copy=%llu.%03llu copies=%llu total_ns=%llu method=%s\n",
		 whole, frac, copies, total, obench_method_names[method]);
	bench.have_result = true;
	return 0;
}

/*
 * Accepts space separated "iterations=N" and "method=memcpy|rep_movsb"
 * tokens (both optional) and runs the benchmark.
 */
static ssize_t obench_bench_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	enum obench_method method = OBENCH_METHOD_MEMCPY;
	u64 iters = OBENCH_DEF_ITERS;
	char buf[96], *p, *tok;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	p = strim(buf);
	while ((tok = strsep(&p, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (!strncmp(tok, "iterations=", 11)) {
			ret = kstrtou64(tok + 11, 0, &iters);
			if (ret)
				return ret;
			if (!iters || iters > OBENCH_MAX_ITERS)
				return -ERANGE;
		} else if (!strncmp(tok, "method=", 7)) {
			ret = match_string(obench_method_names,
					   ARRAY_SIZE(obench_method_names),
					   tok + 7);
			if (ret < 0)
				return ret;
			method = ret;
		} else {
			return -EINVAL;
		}
	}

	ret = mutex_lock_interruptible(&bench.lock);
	if (ret)
		return ret;
	ret = obench_memcpy_run(method, iters);
	mutex_unlock(&bench.lock);

	return ret ? ret : count;
}

static ssize_t obench_bench_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char out[OBENCH_RESULT_LEN];
	int ret;

	ret = mutex_lock_interruptible(&bench.lock);
	if (ret)
		return ret;
	if (!bench.have_result) {
		ret = obench_memcpy_run(OBENCH_METHOD_MEMCPY, OBENCH_DEF_ITERS);
		if (ret) {
			mutex_unlock(&bench.lock);
			return ret;
		}
	}
	strscpy(out, bench.result, sizeof(out));
	mutex_unlock(&bench.lock);

	return simple_read_from_buffer(ubuf, count, ppos, out, strlen(out));
}

static const struct file_operations obench_bench_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= obench_bench_read,
	.write	= obench_bench_write,
	.llseek	= default_llseek,
};

static int __init obench_init(void)
{
	unsigned int i;
	int ret;

	mutex_init(&bench.lock);
	bench.array = kvzalloc(OBENCH_NR_OBJS * OBENCH_OBJ_SIZE, GFP_KERNEL);
	bench.obj = kmalloc(OBENCH_OBJ_SIZE, GFP_KERNEL);
	if (!bench.array || !bench.obj) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < OBENCH_OBJ_SIZE; i++)
		bench.obj[i] = i * 7 + 1;

	obench_dir = debugfs_create_dir("obench", NULL);
	if (IS_ERR(obench_dir)) {
		ret = PTR_ERR(obench_dir);
		goto err_free;
	}
	debugfs_create_file("memcpy_bench", 0600, obench_dir, NULL,
			    &obench_bench_fops);

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &obench_kfunc_set);
	if (!ret)
		ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_SCHED_CLS,
						&obench_kfunc_set);
	if (!ret)
		ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL,
						&obench_kfunc_set);
	if (ret) {
		pr_err("registering kfuncs failed: %d\n", ret);
		goto err_debugfs;
	}

	pr_info("loaded\n");
	return 0;

err_debugfs:
	debugfs_remove_recursive(obench_dir);
err_free:
	kfree(bench.obj);
	kvfree(bench.array);
	return ret;
}

static void __exit obench_exit(void)
{
	/* Kfunc sets are dropped with the module's BTF; no unregister API. */
	debugfs_remove_recursive(obench_dir);
	kfree(bench.obj);
	kvfree(bench.array);
	mutex_destroy(&bench.lock);
	pr_info("unloaded\n");
}

module_init(obench_init);
module_exit(obench_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("obench");
MODULE_DESCRIPTION("obench native baseline: kfuncs and in-kernel memcpy benchmark");
