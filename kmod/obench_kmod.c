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
#ifdef OBENCH_HAVE_XDP_NATIVE
#include <net/xdp.h>
#endif

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

#ifdef OBENCH_HAVE_XDP_NATIVE
/*
 * The native counterparts of bpf/complexity.bpf.c's xdp_fib and xdp_sum64,
 * run at the XDP call site itself through xdp_native_register() (a kernel
 * with kernel-patches/ applied): user space loads and attaches the eBPF
 * program, the placeholder, then writes "fd=<its fd> fn=fib|sum64 arg=<n or
 * repeat>" to debugfs obench/native_xdp; "off" unregisters.  Reading the
 * file says what is registered.  Same semantics as the eBPF programs:
 * XDP_PASS, or XDP_ABORTED for sum64 on a frame shorter than 64 bytes.
 * The read also counts the native function's calls (runs=N) since load.
 */
static struct {
	struct mutex lock;	/* serialises writers of the registration */
	struct xdp_native_prog np;
	bool on;
	char fn[8];
} native;
static u32 native_arg;
static u64 native_sink;
static atomic64_t native_runs;	/* calls of the native function: proof it ran there */

static u32 obench_xdp_fib(struct xdp_buff *xdp)
{
	atomic64_inc(&native_runs);
	WRITE_ONCE(native_sink, obench_fib(READ_ONCE(native_arg)));
	return XDP_PASS;
}

static u32 obench_xdp_sum64(struct xdp_buff *xdp)
{
	atomic64_inc(&native_runs);
	if (xdp->data + OBENCH_SUM_BYTES > xdp->data_end)
		return XDP_ABORTED;
	WRITE_ONCE(native_sink, obench_sum64(xdp->data, READ_ONCE(native_arg)));
	return XDP_PASS;
}

static void obench_native_off(void)
{
	if (!native.on)
		return;
	xdp_native_unregister(&native.np);
	bpf_prog_put(native.np.placeholder);
	native.on = false;
}

/* "fd=N fn=fib|sum64 arg=N" in the writer's context (its fd table), or "off". */
static int obench_native_set(const char *req)
{
	char fn[8] = "";
	struct bpf_prog *prog;
	int fd, ret;
	u32 arg;

	if (sysfs_streq(req, "off")) {
		obench_native_off();
		return 0;
	}
	if (sscanf(req, "fd=%d fn=%7s arg=%u", &fd, fn, &arg) != 3)
		return -EINVAL;
	if (strcmp(fn, "fib") && strcmp(fn, "sum64"))
		return -EINVAL;
	if ((!strcmp(fn, "fib") && arg > OBENCH_FIB_MAX_N) ||
	    (!strcmp(fn, "sum64") && arg > OBENCH_SUM_MAX_REPEAT))
		return -ERANGE;
	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_XDP, false);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	obench_native_off();
	WRITE_ONCE(native_arg, arg);
	native.np.placeholder = prog;
	native.np.run = strcmp(fn, "fib") ? obench_xdp_sum64 : obench_xdp_fib;
	ret = xdp_native_register(&native.np);
	if (ret) {
		bpf_prog_put(prog);
		return ret;
	}
	strscpy(native.fn, fn, sizeof(native.fn));
	native.on = true;
	return 0;
}

static ssize_t obench_native_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	char *req;
	int ret;

	if (len >= 64)
		return -EINVAL;
	req = memdup_user_nul(ubuf, len);
	if (IS_ERR(req))
		return PTR_ERR(req);
	mutex_lock(&native.lock);
	ret = obench_native_set(strim(req));
	mutex_unlock(&native.lock);
	kfree(req);
	return ret ? ret : len;
}

static ssize_t obench_native_read(struct file *file, char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	char buf[96];
	int n;

	mutex_lock(&native.lock);
	if (native.on)
		n = scnprintf(buf, sizeof(buf), "fn=%s arg=%u prog_id=%u runs=%lld\n", native.fn,
			      READ_ONCE(native_arg), native.np.placeholder->aux->id,
			      atomic64_read(&native_runs));
	else
		n = scnprintf(buf, sizeof(buf), "off runs=%lld\n", atomic64_read(&native_runs));
	mutex_unlock(&native.lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations obench_native_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= obench_native_read,
	.write	= obench_native_write,
	.llseek	= default_llseek,
};

static void obench_native_init(void)
{
	mutex_init(&native.lock);
	debugfs_create_file("native_xdp", 0600, obench_dir, NULL, &obench_native_fops);
}

static void obench_native_exit(void)
{
	mutex_lock(&native.lock);
	obench_native_off();
	mutex_unlock(&native.lock);
}
#else
/* A stock kernel: the kfuncs only (no XDP call-site registration to use). */
static void obench_native_init(void) { }
static void obench_native_exit(void) { }
#endif

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
	obench_native_init();

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
	obench_native_exit();
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
