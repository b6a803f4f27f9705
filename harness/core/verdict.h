/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Does our run reproduce one of the paper's claims?  A claim (core/paper.c)
 * says what the paper found, as a region our figure must fall in: an effect
 * with a direction and size, no meaningful difference, an order, or a bound.
 * Our figure is a ratio of two rows' medians (or one row's own median) with
 * a 95 % interval from the samples of both rows (core/interval.h).
 *
 *   reproduced    the whole interval lies inside the claim's region (and, for
 *                 an effect or an order, outside "no effect")
 *   differs       the whole interval lies outside the region
 *   inconclusive  anything else -- the interval straddles an edge, too few
 *                 samples, a noisy machine, a validity condition not met,
 *                 the run's first and second halves of rounds on different
 *                 sides (drift) -- always with the reason
 * A claim whose region overlaps "no effect" cannot be an effect or an order:
 * the selftests check every claim of the table for that.
 */
#ifndef OBENCH_VERDICT_H
#define OBENCH_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/interval.h"
#include "core/results.h"

enum claim_kind {
	CLAIM_EFFECT,		/* a change of a direction and size */
	CLAIM_NO_DIFF,		/* |change| within a stated band */
	CLAIM_ORDER,		/* A above (or below) B, by more than noise */
	CLAIM_BOUND,		/* at least / at most a value */
};

enum verdict {
	VERDICT_REPRODUCED,
	VERDICT_DIFFERS,
	VERDICT_INCONCLUSIVE,
	VERDICT_NOT_MEASURED,	/* a row is missing or skipped in this run */
};

/* A row that must lie in [min, max] for the comparison to mean anything. */
struct claim_gate {
	const char *config, *metric;
	double min, max;
	const char *why;	/* said when the gate fails, e.g. "receiver not saturated" */
};

struct claim {
	const char *experiment;
	const char *name;	/* what is compared, for the reader */
	const char *metric;
	const char *num, *den;	/* configurations; den NULL: num's own value is judged */
	enum claim_kind kind;
	double paper;		/* the paper's figure in the same terms (NAN: none given) */
	double lo, hi;		/* the region: reproduced when our interval is inside */
	double null_lo, null_hi;	/* EFFECT/ORDER: "no effect", to be excluded */
	const char *claim;	/* what the paper claims, in one line */
	const char *why;	/* why this region and tolerance, in one line */
	const char *ref;	/* "Table 3" */
	const char *takeaway;	/* the Table 7 section it supports, "§4.1" */
	struct claim_gate gate;	/* optional (gate.config NULL: none) */
	/*
	 * A failed gate makes our figure a lower bound (the side that should have
	 * been the limit was not): the figure may still reproduce a claim of "at
	 * least", it can never differ from one.  False: a failed gate judges nothing.
	 */
	bool gate_lower_bound;
	int min_cpus;		/* judged only with at least this many CPUs (0: any) */
	bool hardware_only;	/* the host and the testbed VM cannot measure it */
	bool exact;		/* a count, not a timing (instructions): one value, no interval */
	bool paired;		/* num and den sampled in the same interleaved rounds */
};

/* What a verdict was reached on. */
struct judgement {
	enum verdict verdict;
	bool have_interval;
	struct interval ci;
	size_t n_num, n_den;	/* samples on each side */
	char why[320];		/* the reason for anything but a plain verdict */
};

/* What the run says about its machine, for the conditions of a claim. */
struct verdict_context {
	const char *tier;	/* "host", "testbed-vm ...", "hardware" */
	int cpus;
	bool noisy;		/* the experiment ran while the machine was disturbed */
	const char *noise;	/* how, for the reason */
};

/* The verdict of an interval against a claim's region (pure: the selftests drive it). */
enum verdict verdict_of_interval(const struct claim *c, const struct interval *ci,
				 char *why, size_t len);

/* Judges @c on the rows of @rs (the claim's experiment) in @ctx. */
void verdict_judge(const struct claim *c, const struct result_set *rs,
		   const struct verdict_context *ctx, struct judgement *out);

/* True when @c's region and its "no effect" region overlap (a table error for effects/orders). */
bool claim_passes_at_null(const struct claim *c);

const char *verdict_name(enum verdict v);
const char *claim_kind_name(enum claim_kind k);

/* "[lo, hi]" with open ends as "≥ lo" / "≤ hi", for the report. */
void claim_region_text(const struct claim *c, char *buf, size_t len);

#endif
