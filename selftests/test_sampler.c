// SPDX-License-Identifier: GPL-2.0
/*
 * The core sampler: configurations interleaved round by round, switched-off
 * ones never measured, and adaptive sampling that adds rounds only while a
 * median is unsure and only within its capacity and time budget; a reload
 * halfway lands in the middle of the kept rounds.
 */
#include <math.h>

#include "harness.h"
#include "core/measure.h"

static const struct experiment fake = { .name = "fake" };

struct trace {
	int calls[4];
	int order[64];
	int n;
	unsigned int seed;
	double spread;		/* relative noise of configuration 0's values */
};

static int step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	struct trace *t = ctx;

	(void)env;
	(void)round;
	t->calls[conf]++;
	if (t->n < 64)
		t->order[t->n++] = conf;
	t->seed = t->seed * 1103515245u + 12345u;
	sample[0] = 100 * (1 + t->spread * ((double)((t->seed >> 8) % 2001) / 1000 - 1));
	return 0;
}

static struct exp_env env_of(double target, double budget)
{
	return (struct exp_env){ .exp = &fake, .samples = 10, .warmup = 2, .tier = "host",
				 .adapt_target = target, .adapt_budget_s = budget };
}

TEST(rounds_interleave_configurations)
{
	struct exp_env env = env_of(0, 0);
	struct trace t = { 0 };
	bool off[3] = { false, true, false };
	struct sampler s = { .nconf = 3, .off = off, .step = step, .ctx = &t };
	double *out = sampler_alloc(&env, &s);

	ASSERT(out && sample_interleaved(&env, &s, out) == 0, "sampling failed");
	EXPECT(s.done == 12, "12 rounds (2 warm-up + 10), got %zu", s.done);
	EXPECT(t.calls[0] == 12 && t.calls[1] == 0 && t.calls[2] == 12,
	       "calls %d/%d/%d: the switched-off configuration must never run", t.calls[0],
	       t.calls[1], t.calls[2]);
	EXPECT(t.order[0] == 0 && t.order[1] == 2 && t.order[2] == 0 && t.order[3] == 2,
	       "configurations alternate within each round");
	free(out);
}

TEST(adaptive_stops_when_sure)
{
	struct exp_env env = env_of(0.05, 10);
	struct trace t = { .spread = 0.001 };
	struct sampler s = { .nconf = 1, .step = step, .ctx = &t, .adaptive = true };
	double *out = sampler_alloc(&env, &s);

	ASSERT(out && sample_interleaved(&env, &s, out) == 0, "sampling failed");
	EXPECT(s.done == 12, "quiet values need no extra round, got %zu", s.done);
	free(out);
}

TEST(adaptive_adds_rounds_while_unsure_up_to_capacity)
{
	struct exp_env env = env_of(0.001, 10);
	struct trace t = { .spread = 0.5 };
	struct sampler s = { .nconf = 1, .step = step, .ctx = &t, .adaptive = true };
	double *out = sampler_alloc(&env, &s);

	ASSERT(out && sample_interleaved(&env, &s, out) == 0, "sampling failed");
	EXPECT(s.done == sampler_capacity(&env, &s) && s.done == 36,
	       "noisy values: rounds up to the capacity (36), got %zu", s.done);
	EXPECT(sampler_rounds(&env, &s) == s.done, "the series holds the rounds measured");
	free(out);
}

TEST(adaptive_respects_the_time_budget)
{
	struct exp_env env = env_of(0.001, 0);
	struct trace t = { .spread = 0.5 };
	struct sampler s = { .nconf = 1, .step = step, .ctx = &t, .adaptive = true };
	double *out = sampler_alloc(&env, &s);

	ASSERT(out && sample_interleaved(&env, &s, out) == 0, "sampling failed");
	EXPECT(s.done == 12, "no budget, no extra round: got %zu", s.done);
	free(out);
}

TEST(a_fixed_sampler_never_adds_rounds)
{
	struct exp_env env = env_of(0.001, 10);
	struct trace t = { .spread = 0.5 };
	struct sampler s = { .nconf = 1, .step = step, .ctx = &t };
	double *out = sampler_alloc(&env, &s);

	ASSERT(out && sample_interleaved(&env, &s, out) == 0, "sampling failed");
	EXPECT(s.done == 12, "not adaptive: the profile's 12 rounds, got %zu", s.done);
	free(out);
}

static int halfway(void *ctx)
{
	struct trace *t = ctx;

	t->calls[3]++;		/* reloads */
	t->calls[2] = t->n;	/* steps measured before it */
	return 0;
}

/* A reload halfway: once, at the middle of the kept rounds, and no adaptive rounds after. */
TEST(halfway_reload_splits_the_kept_rounds)
{
	struct exp_env env = env_of(0.001, 10);
	struct trace t = { .spread = 0.5 };
	struct sampler s = { .nconf = 1, .step = step, .ctx = &t, .adaptive = true,
			     .halfway = halfway };
	double *out = sampler_alloc(&env, &s);

	ASSERT(out && sample_interleaved(&env, &s, out) == 0, "sampling failed");
	EXPECT(t.calls[3] == 1, "reloaded %d times, want once", t.calls[3]);
	EXPECT(t.calls[2] == 2 + 5, "reloaded after %d rounds, want 2 warm-up + 5 of 10 kept", t.calls[2]);
	EXPECT(s.done == 12, "adaptive rounds added after a halfway reload: %zu rounds", s.done);
	free(out);
}

TEST_HARNESS_MAIN
