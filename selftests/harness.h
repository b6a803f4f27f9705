/* SPDX-License-Identifier: GPL-2.0 */
/*
 * obench's selftest harness, modelled on the kernel's kselftest_harness.h:
 * tests declare themselves, the harness counts the plan, runs each test
 * (once per fixture variant), runs the fixture's teardown even when a check
 * failed, and prints KTAP with the kselftest exit codes (0 pass, 1 fail,
 * 4 all skipped).
 *
 *   TEST(name) { EXPECT(cond, "fmt", ...); ASSERT(cond, ...); }
 *   FIXTURE(f) { fields };
 *   FIXTURE_SETUP(f) { self->x = ...; }          (self, variant, _t in scope)
 *   FIXTURE_TEARDOWN(f) { ... }
 *   FIXTURE_VARIANT(f) { fields };               optional
 *   FIXTURE_VARIANT_ADD(f, v) { .field = ... };  one line of data per variant
 *   TEST_F(f, name) { ... }                      runs once per variant
 *   SKIP(return, "why %d", x);                   marks the test skipped
 *   TH_LOG("fmt", ...);                          a "# " diagnostic line
 *   TEST_HARNESS_MAIN
 *
 * Tests run in the order they are declared, in one process (obench's tests
 * share expensive set-up such as namespaces or a memcached through
 * harness_once() and harness_at_end()).  EXPECT records a failure and goes on; ASSERT records it
 * and returns from the test body (the teardown still runs).
 */
#ifndef OBENCH_SELFTEST_HARNESS_H
#define OBENCH_SELFTEST_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

/* What a running test reports into. */
struct th_test {
	bool failed, skipped;
	char skip_reason[256];
};

struct th_variant {
	const char *name;
	const void *data;
	struct th_variant *next;
};

struct th_fixture {
	const char *name;
	size_t size;		/* of the fixture data */
	void (*setup)(struct th_test *_t, void *self, const void *variant);
	void (*teardown)(struct th_test *_t, void *self, const void *variant);
	struct th_variant *variants, **variants_tail;
};

struct th_case {
	const char *name;
	struct th_fixture *fixture;	/* NULL for TEST() */
	void (*fn)(struct th_test *_t, void *self, const void *variant);
	struct th_case *next;
};

struct th_state {
	struct th_case *cases, **tail;
	void (*at_end[16])(void);
	int n_at_end;
	int argc;
	char **argv;
};

/* One per test program (static: each test is its own executable). */
static struct th_state th_state = { .tail = &th_state.cases };

static inline void th_register(struct th_case *c)
{
	*th_state.tail = c;
	th_state.tail = &c->next;
}

static inline void th_register_variant(struct th_fixture *f, struct th_variant *v)
{
	if (!f->variants_tail)
		f->variants_tail = &f->variants;
	*f->variants_tail = v;
	f->variants_tail = &v->next;
}

/* Registers @fn to run after the last test (e.g. to tear down harness_once() state). */
static inline void harness_at_end(void (*fn)(void))
{
	if (th_state.n_at_end < 16)
		th_state.at_end[th_state.n_at_end++] = fn;
}

/* The program's arguments, for tests that take some (e.g. a module path). */
static inline int harness_argc(void) { return th_state.argc; }
static inline char **harness_argv(void) { return th_state.argv; }

static inline void th_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void th_log(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define TH_LOG(...) th_log(__VA_ARGS__)

/* Records a failed check with where it was and why. */
#define EXPECT(cond, ...) do {							\
	if (!(cond)) {								\
		th_log("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);	\
		th_log(__VA_ARGS__);						\
		_t->failed = true;						\
	}									\
} while (0)

#define ASSERT(cond, ...) do {							\
	if (!(cond)) {								\
		th_log("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);	\
		th_log(__VA_ARGS__);						\
		_t->failed = true;						\
		return;								\
	}									\
} while (0)

/* Marks the test skipped with a reason, then runs @statement (e.g. return). */
#define SKIP(statement, ...) do {						\
	snprintf(_t->skip_reason, sizeof(_t->skip_reason), __VA_ARGS__);	\
	_t->skipped = true;							\
	statement;								\
} while (0)

#define TEST(name)								\
	static void th_fn_##name(struct th_test *_t, void *self, const void *variant); \
	static struct th_case th_case_##name = { #name, NULL, th_fn_##name, NULL }; \
	__attribute__((constructor)) static void th_reg_##name(void)		\
	{ th_register(&th_case_##name); }					\
	static void th_fn_##name(struct th_test *_t, void *self __attribute__((unused)), \
				 const void *variant __attribute__((unused)))

#define FIXTURE_DATA(f) struct th_fixture_data_##f
#define FIXTURE_VARIANT_TYPE(f) struct th_fixture_variant_##f

#define FIXTURE(f)								\
	static struct th_fixture th_fixture_##f;				\
	FIXTURE_DATA(f)

#define FIXTURE_VARIANT(f) FIXTURE_VARIANT_TYPE(f)

#define FIXTURE_SETUP(f)							\
	static void th_setup_##f(struct th_test *_t, FIXTURE_DATA(f) *self,	\
				 const FIXTURE_VARIANT_TYPE(f) *variant);	\
	static void th_setup_wrap_##f(struct th_test *_t, void *self, const void *variant) \
	{ th_setup_##f(_t, self, variant); }					\
	static void th_setup_##f(struct th_test *_t __attribute__((unused)),	\
				 FIXTURE_DATA(f) *self __attribute__((unused)),	\
				 const FIXTURE_VARIANT_TYPE(f) *variant __attribute__((unused)))

#define FIXTURE_TEARDOWN(f)							\
	static void th_teardown_##f(struct th_test *_t, FIXTURE_DATA(f) *self,	\
				    const FIXTURE_VARIANT_TYPE(f) *variant);	\
	static void th_teardown_wrap_##f(struct th_test *_t, void *self, const void *variant) \
	{ th_teardown_##f(_t, self, variant); }					\
	static struct th_fixture th_fixture_##f = {				\
		#f, sizeof(FIXTURE_DATA(f)), th_setup_wrap_##f, th_teardown_wrap_##f, \
		NULL, NULL };							\
	static void th_teardown_##f(struct th_test *_t __attribute__((unused)),	\
				    FIXTURE_DATA(f) *self __attribute__((unused)), \
				    const FIXTURE_VARIANT_TYPE(f) *variant __attribute__((unused)))

#define FIXTURE_VARIANT_ADD(f, v)						\
	static const FIXTURE_VARIANT_TYPE(f) th_variant_data_##f##_##v;		\
	static struct th_variant th_variant_##f##_##v = {			\
		#v, &th_variant_data_##f##_##v, NULL };				\
	__attribute__((constructor)) static void th_reg_variant_##f##_##v(void) \
	{ th_register_variant(&th_fixture_##f, &th_variant_##f##_##v); }	\
	static const FIXTURE_VARIANT_TYPE(f) th_variant_data_##f##_##v =

/* A test on fixture @f (which needs both FIXTURE_SETUP and FIXTURE_TEARDOWN). */
#define TEST_F(f, name)								\
	static void th_fn_##f##_##name(struct th_test *_t, FIXTURE_DATA(f) *self, \
				       const FIXTURE_VARIANT_TYPE(f) *variant);	\
	static void th_wrap_##f##_##name(struct th_test *_t, void *self, const void *variant) \
	{ th_fn_##f##_##name(_t, self, variant); }				\
	static struct th_case th_case_##f##_##name = {				\
		#f "." #name, &th_fixture_##f, th_wrap_##f##_##name, NULL };	\
	__attribute__((constructor)) static void th_reg_##f##_##name(void)	\
	{ th_register(&th_case_##f##_##name); }					\
	static void th_fn_##f##_##name(struct th_test *_t __attribute__((unused)), \
				       FIXTURE_DATA(f) *self __attribute__((unused)), \
				       const FIXTURE_VARIANT_TYPE(f) *variant __attribute__((unused)))

/*
 * Shared state built once for the whole program: the first harness_once()
 * runs @build (0 when the state is up; otherwise a reason in @o->why and
 * KSFT_SKIP or KSFT_FAIL), later calls return what the first returned.
 */
struct harness_once {
	bool done;
	int rc;
	char why[256];
};

static inline int harness_once(struct harness_once *o, int (*build)(char *why, size_t len))
{
	if (!o->done) {
		o->done = true;
		o->rc = build(o->why, sizeof(o->why));
	}
	return o->rc;
}

static inline int th_count(void)
{
	struct th_case *c;
	struct th_variant *v;
	int n = 0;

	for (c = th_state.cases; c; c = c->next) {
		if (!c->fixture || !c->fixture->variants) {
			n++;
			continue;
		}
		for (v = c->fixture->variants; v; v = v->next)
			n++;
	}
	return n;
}

static inline void th_run_one(struct th_case *c, const struct th_variant *v, int num,
			      int *pass, int *fail, int *skip)
{
	struct th_test t = { 0 };
	const void *vdata = v ? v->data : NULL;
	void *self = NULL;
	char name[256];

	snprintf(name, sizeof(name), "%s%s%s", c->name, v ? "." : "", v ? v->name : "");
	if (c->fixture) {
		self = calloc(1, c->fixture->size ? c->fixture->size : 1);
		if (self)
			c->fixture->setup(&t, self, vdata);
		else
			t.failed = true;
	}
	if (self || !c->fixture) {
		if (!t.failed && !t.skipped)
			c->fn(&t, self, vdata);
		if (c->fixture)
			c->fixture->teardown(&t, self, vdata);
	}
	free(self);
	if (t.failed) {
		(*fail)++;
		printf("not ok %d %s\n", num, name);
	} else if (t.skipped) {
		(*skip)++;
		printf("ok %d %s # SKIP %s\n", num, name, t.skip_reason);
	} else {
		(*pass)++;
		printf("ok %d %s\n", num, name);
	}
	fflush(stdout);
}

static inline int th_main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0, num = 0, i;
	struct th_case *c;
	struct th_variant *v;

	th_state.argc = argc;
	th_state.argv = argv;
	printf("TAP version 13\n1..%d\n", th_count());
	fflush(stdout);
	for (c = th_state.cases; c; c = c->next) {
		if (!c->fixture || !c->fixture->variants) {
			th_run_one(c, NULL, ++num, &pass, &fail, &skip);
			continue;
		}
		for (v = c->fixture->variants; v; v = v->next)
			th_run_one(c, v, ++num, &pass, &fail, &skip);
	}
	for (i = th_state.n_at_end - 1; i >= 0; i--)
		th_state.at_end[i]();
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass, fail, skip);
	fflush(stdout);
	if (fail)
		return KSFT_FAIL;
	return pass == 0 && skip > 0 ? KSFT_SKIP : KSFT_PASS;
}

#define TEST_HARNESS_MAIN							\
	int main(int argc, char **argv) { return th_main(argc, argv); }

#endif
