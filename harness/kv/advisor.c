// SPDX-License-Identifier: GPL-2.0
/* The §3.2 break-even arithmetic (advisor.h). */
#include "kv/advisor.h"

#include <math.h>
#include <stdio.h>

double advisor_break_even(double rho)
{
	return isfinite(rho) && rho >= 0 ? rho : NAN;
}

double advisor_relative_cost(double rho, double omega)
{
	if (!isfinite(rho) || rho < 0 || !isfinite(omega) || omega < 0 || omega > 1)
		return NAN;
	return 1 + rho - omega;
}

double advisor_rho(double ebpf_cost, double cost_without)
{
	if (!isfinite(ebpf_cost) || !isfinite(cost_without) || ebpf_cost < 0 || cost_without <= 0)
		return NAN;
	return ebpf_cost / cost_without;
}

int advisor_verdict(double omega, double rho, char *buf, size_t len)
{
	double cost;

	if (!isfinite(omega) || omega < 0 || omega > 1) {
		snprintf(buf, len, "omega must be a fraction in [0, 1], got %g", omega);
		return -1;
	}
	if (!isfinite(rho) || rho < 0) {
		snprintf(buf, len, "rho must be a number >= 0, got %g", rho);
		return -1;
	}
	cost = advisor_relative_cost(rho, omega);
	if (omega > rho) {
		snprintf(buf, len, "offload pays: omega %.2f > break-even %.2f "
			 "(expected cost %.2f C per request)", omega, rho, cost);
		return 1;
	}
	snprintf(buf, len, "offload does not pay: omega %.2f %s break-even %.2f "
		 "(expected cost %.2f C per request)%s", omega, omega == rho ? "=" : "<",
		 rho, cost, rho >= 1 ? "; rho >= 1: no fast-path fraction can pay" : "");
	return 0;
}

int advisor_crossover(const double *x, const double *a, const double *b, size_t n,
		      double *cross)
{
	size_t i;

	*cross = NAN;
	if (!n)
		return -1;
	for (i = 0; i < n; i++)
		if (!isfinite(x[i]) || !isfinite(a[i]) || !isfinite(b[i]) ||
		    (i && x[i] <= x[i - 1]))
			return -1;
	if (a[0] - b[0] < 0) {
		*cross = x[0];
		return 1;
	}
	for (i = 1; i < n; i++) {
		double d0 = a[i - 1] - b[i - 1], d1 = a[i] - b[i];

		if (d1 < 0) {
			*cross = x[i - 1] + (x[i] - x[i - 1]) * d0 / (d0 - d1);
			return 0;
		}
	}
	return 2;
}
