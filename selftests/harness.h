/* SPDX-License-Identifier: GPL-2.0 */
/*
 * obench's selftest harness, modelled on the kernel's kselftest_harness.h:
 * tests declare themselves, the harness counts the plan, runs each test
 * (once per fixture variant), runs the fixture's teardown even when a check
 * failed, and prints KTAP with the kselftest exit codes (0 pass, 1 fail,
 * 4 all skipped).  selftests/README.md shows a whole test file.
 *
 *   TEST(name) { EXPECT(cond, "fmt", ...); ASSERT(cond, ...); }
 *   FIXTURE(f) { fields };
 *   FIXTURE_SETUP(f) { self->x = ...; }          (self, variant, _t in scope)
 *   FIXTURE_TEARDOWN(f) { ... }                  (both optional)
 *   FIXTURE_VARIANT(f) { fields };               optional
 *   FIXTURE_VARIANT_ADD(f, v) { .field = ... };  one line of data per variant
 *   TEST_F(f, name) { ... }                      runs once per variant
 *   SKIP(return, "why %d", x);                   marks the test skipped
 *   TH_LOG("fmt", ...);                          a "# " diagnostic line
 *   SETUP_ONCE(&once, build);                    shared state, see harness_once()
 *   TEST_HARNESS_MAIN                            or main() calling harness_main()
 *
 * Tests run in the order they are declared, in one process (obench's tests
 * share expensive set-up such as namespaces or a memcached through
 * harness_once() and harness_at_end()).  EXPECT records a failure and goes
 * on; ASSERT records it and returns from the function it is in (the
 * teardown still runs).  A helper function that checks takes the test as
 * `struct th_test *_t` and is called with `_t`; ASSERT needs it to return void.
 *
 * Names: TEST(n) is "n"; TEST_F(f, n) is "f.n", or "f.v.n" for variant v
 * (the kernel's order).  `prog -l` lists them, `prog -t GLOB` (repeatable)
 * runs only the tests whose name matches; other arguments are left to the
 * tests (harness_argc/harness_argv).
 */
#ifndef OBENCH_SELFTEST_HARNESS_H
#define OBENCH_SELFTEST_HARNESS_H

#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

#define TH_MAX_AT_END	16
#define TH_MAX_GLOBS	16

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
	void (*setup)(struct th_test *_t, void *self, const void *variant);
	void (*teardown)(struct th_test *_t, void *self, const void *variant);
	struct th_variant *variants, **variants_tail;
};

struct th_case {
	const char *name;
	struct th_fixture *fixture;	/* NULL for TEST() */
	void (*fn)(struct th_test *_t, void *self, const void *variant);
	size_t size;			/* of the fixture's data */
	struct th_case *next;
};

struct th_state {
	struct th_case *cases, **tail;
	void (*at_end[TH_MAX_AT_END])(void);
	int n_at_end;
	int argc;			/* what the harness's own options left */
	char **argv;
	const char *globs[TH_MAX_GLOBS];	/* -t: run only these */
	int n_globs;
	int pass, fail, skip;
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

static inline void th_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Prints a KTAP diagnostic: "# " before every line of the message ('\r' dropped). */
static inline void th_log(const char *fmt, ...)
{
	bool line_start = true;
	const char *text, *c;
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	text = msg ? msg : "(no memory for a diagnostic)";
	for (c = text; *c; c++) {
		if (*c == '\r')
			continue;
		if (line_start)
			fputs("# ", stdout);
		putchar(*c);
		line_start = *c == '\n';
	}
	if (!*text)
		fputs("#", stdout);
	if (!line_start || !*text)
		putchar('\n');
	free(msg);
	fflush(stdout);
}

#define TH_LOG(...) th_log(__VA_ARGS__)

/*
 * Registers @fn to run after the last test (e.g. to tear down harness_once()
 * state), last registered first.  A full table is a bug in the test program:
 * it stops at once rather than leave something behind unnoticed.
 */
static inline void harness_at_end(void (*fn)(void))
{
	if (th_state.n_at_end == TH_MAX_AT_END) {
		th_log("harness_at_end: more than %d clean-ups", TH_MAX_AT_END);
		exit(KSFT_FAIL);
	}
	th_state.at_end[th_state.n_at_end++] = fn;
}

/* The program's arguments (argv[0] first), for tests that take some (e.g. a module path). */
static inline int harness_argc(void) { return th_state.argc; }
static inline char **harness_argv(void) { return th_state.argv; }

/* @rel resolved against this test program's directory, e.g. "../obench" for build/obench. */
static inline void harness_exe_relative(const char *rel, char *buf, size_t len)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(buf, len, "%s/%s", self, rel);
}

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
	static struct th_case th_case_##name = { #name, NULL, th_fn_##name, 0, NULL }; \
	__attribute__((constructor)) static void th_reg_##name(void)		\
	{ th_register(&th_case_##name); }					\
	static void th_fn_##name(struct th_test *_t __attribute__((unused)),	\
				 void *self __attribute__((unused)),		\
				 const void *variant __attribute__((unused)))

#define FIXTURE_DATA(f) struct th_fixture_data_##f
#define FIXTURE_VARIANT_TYPE(f) struct th_fixture_variant_##f

#define FIXTURE(f)								\
	FIXTURE_VARIANT_TYPE(f);						\
	static struct th_fixture th_fixture_##f = { #f, NULL, NULL, NULL, NULL }; \
	FIXTURE_DATA(f)

#define FIXTURE_VARIANT(f) FIXTURE_VARIANT_TYPE(f)

#define FIXTURE_SETUP(f)							\
	static void th_setup_##f(struct th_test *_t, FIXTURE_DATA(f) *self,	\
				 const FIXTURE_VARIANT_TYPE(f) *variant);	\
	static void th_setup_wrap_##f(struct th_test *_t, void *self, const void *variant) \
	{ th_setup_##f(_t, self, variant); }					\
	__attribute__((constructor)) static void th_reg_setup_##f(void)	\
	{ th_fixture_##f.setup = th_setup_wrap_##f; }				\
	static void th_setup_##f(struct th_test *_t __attribute__((unused)),	\
				 FIXTURE_DATA(f) *self __attribute__((unused)),	\
				 const FIXTURE_VARIANT_TYPE(f) *variant __attribute__((unused)))

/*
 * Runs after every test of the fixture, also when its setup or the test
 * failed or skipped half-way: it must cope with a partly set-up fixture
 * (the data starts zeroed).  Setup and teardown are both optional.
 */
#define FIXTURE_TEARDOWN(f)							\
	static void th_teardown_##f(struct th_test *_t, FIXTURE_DATA(f) *self,	\
				    const FIXTURE_VARIANT_TYPE(f) *variant);	\
	static void th_teardown_wrap_##f(struct th_test *_t, void *self, const void *variant) \
	{ th_teardown_##f(_t, self, variant); }					\
	__attribute__((constructor)) static void th_reg_teardown_##f(void)	\
	{ th_fixture_##f.teardown = th_teardown_wrap_##f; }			\
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

/* A test on fixture @f: setup, this body (unless the setup failed or skipped), teardown. */
#define TEST_F(f, name)								\
	static void th_fn_##f##_##name(struct th_test *_t, FIXTURE_DATA(f) *self, \
				       const FIXTURE_VARIANT_TYPE(f) *variant);	\
	static void th_wrap_##f##_##name(struct th_test *_t, void *self, const void *variant) \
	{ th_fn_##f##_##name(_t, self, variant); }				\
	static struct th_case th_case_##f##_##name = {				\
		#name, &th_fixture_##f, th_wrap_##f##_##name, sizeof(FIXTURE_DATA(f)), NULL }; \
	__attribute__((constructor)) static void th_reg_##f##_##name(void)	\
	{ th_register(&th_case_##f##_##name); }					\
	static void th_fn_##f##_##name(struct th_test *_t __attribute__((unused)), \
				       FIXTURE_DATA(f) *self __attribute__((unused)), \
				       const FIXTURE_VARIANT_TYPE(f) *variant __attribute__((unused)))

/*
 * Shared state built once for the whole program: the first harness_once()
 * runs @build (0 when the state is up; otherwise a reason in @o->why and
 * KSFT_SKIP or KSFT_FAIL), later calls return what the first returned.
 * @build registers its clean-up with harness_at_end().
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

/* For a harness_once() build: writes the reason into @why and returns @rc. */
static inline int harness_reason(char *why, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int harness_reason(char *why, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * In a test or a fixture's setup: harness_once(@o, @build), then the test
 * skips if the build skipped and fails if it failed, with the build's reason.
 */
#define SETUP_ONCE(o, build) do {						\
	int _once_rc = harness_once((o), (build));				\
									\
	if (_once_rc == KSFT_SKIP)						\
		SKIP(return, "%s", (o)->why);					\
	if (_once_rc != KSFT_PASS) {						\
		th_log("%s:%d: shared set-up failed: %s", __FILE__, __LINE__, (o)->why); \
		_t->failed = true;						\
		return;								\
	}									\
} while (0)

/* The KTAP name of test @c on variant @v (NULL: none). */
static inline void th_name(const struct th_case *c, const struct th_variant *v,
			   char *buf, size_t len)
{
	if (!c->fixture)
		snprintf(buf, len, "%s", c->name);
	else
		snprintf(buf, len, "%s.%s%s%s", c->fixture->name, v ? v->name : "",
			 v ? "." : "", c->name);
}

static inline bool th_selected(const char *name)
{
	int i;

	for (i = 0; i < th_state.n_globs; i++)
		if (!fnmatch(th_state.globs[i], name, 0))
			return true;
	return th_state.n_globs == 0;
}

typedef void th_visit_fn(struct th_case *c, const struct th_variant *v,
			 const char *name, int num);

/* Calls @visit (if any) on every selected (test, variant) in order; returns how many. */
static inline int th_walk(th_visit_fn *visit)
{
	const struct th_variant *v;
	struct th_case *c;
	char name[256];
	int num = 0;

	for (c = th_state.cases; c; c = c->next) {
		v = c->fixture ? c->fixture->variants : NULL;
		do {
			th_name(c, v, name, sizeof(name));
			if (th_selected(name)) {
				num++;
				if (visit)
					visit(c, v, name, num);
			}
			v = v ? v->next : NULL;
		} while (v);
	}
	return num;
}

static inline void th_list_one(struct th_case *c, const struct th_variant *v,
			       const char *name, int num)
{
	(void)c, (void)v, (void)num;
	printf("%s\n", name);
}

static inline void th_run_one(struct th_case *c, const struct th_variant *v,
			      const char *name, int num)
{
	struct th_fixture *f = c->fixture;
	const void *vdata = v ? v->data : NULL;
	struct th_test t = { 0 };
	void *self = NULL;

	if (f && !(self = calloc(1, c->size ? c->size : 1))) {
		th_log("%s: no memory for the fixture", name);
		t.failed = true;
	} else {
		if (f && f->setup)
			f->setup(&t, self, vdata);
		if (!t.failed && !t.skipped)
			c->fn(&t, self, vdata);
		if (f && f->teardown)
			f->teardown(&t, self, vdata);
	}
	free(self);
	if (t.failed) {
		th_state.fail++;
		printf("not ok %d %s\n", num, name);
	} else if (t.skipped) {
		th_state.skip++;
		printf("ok %d %s # SKIP %s\n", num, name, t.skip_reason);
	} else {
		th_state.pass++;
		printf("ok %d %s\n", num, name);
	}
	fflush(stdout);
}

/*
 * Takes the harness's options out of @argv (-l, -t GLOB, -h) and leaves the
 * rest to harness_argv().  Returns -1 to go on, else the exit code.
 */
static inline int th_options(int argc, char **argv)
{
	bool list = false;
	int i, kept = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l")) {
			list = true;
		} else if (!strcmp(argv[i], "-t") && i + 1 < argc &&
			   th_state.n_globs < TH_MAX_GLOBS) {
			th_state.globs[th_state.n_globs++] = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "-t")) {
			fprintf(stderr, "usage: %s [-l] [-t GLOB]... [test arguments]\n"
				"  -l       list the tests\n"
				"  -t GLOB  run only the tests whose name matches (up to %d)\n",
				argv[0], TH_MAX_GLOBS);
			return strcmp(argv[i], "-h") ? KSFT_FAIL : KSFT_PASS;
		} else {
			argv[kept++] = argv[i];
		}
	}
	argv[kept] = NULL;
	th_state.argc = kept;
	th_state.argv = argv;
	if (list) {
		th_walk(th_list_one);
		return KSFT_PASS;
	}
	return -1;
}

/* Runs the declared tests: the body of TEST_HARNESS_MAIN, for a main() of one's own. */
static inline int harness_main(int argc, char **argv)
{
	int rc = th_options(argc, argv), i;

	if (rc >= 0)
		return rc;
	printf("TAP version 13\n1..%d\n", th_walk(NULL));
	fflush(stdout);
	th_walk(th_run_one);
	for (i = th_state.n_at_end - 1; i >= 0; i--)
		th_state.at_end[i]();
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       th_state.pass, th_state.fail, th_state.skip);
	fflush(stdout);
	if (th_state.fail)
		return KSFT_FAIL;
	return th_state.pass == 0 && th_state.skip > 0 ? KSFT_SKIP : KSFT_PASS;
}

#define TEST_HARNESS_MAIN							\
	int main(int argc, char **argv) { return harness_main(argc, argv); }

#endif
