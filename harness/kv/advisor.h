/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The offload advisor of the paper's §3.2: when does moving an application's
 * fast path into an eBPF program that runs first (XDP) pay?
 *
 * Let C be the cost of serving one request without the offload, rho*C the
 * cost of the eBPF program per request, and omega the fraction of requests
 * the fast path serves on its own.  A fast-path request then costs rho*C
 * (only the program runs); a slow-path request costs C + rho*C (the program
 * runs, gives up, and user space does all of C).  The expected cost after
 * offloading is the weighted sum
 *
 *     E = omega*rho*C + (1 - omega)*(1 + rho)*C
 *       = (omega*rho + 1 + rho - omega - omega*rho) * C
 *       = (1 + rho - omega) * C
 *
 * and the offload pays when E < C, i.e. 1 + rho - omega < 1, i.e.
 *
 *     rho < omega.
 *
 * So the break-even fast-path fraction is omega* = rho: above it the offload
 * wins, at or below it it loses (at omega == rho it only breaks even; with
 * rho >= 1 it can never win, since omega <= 1).
 *
 * Pure arithmetic; obench advise (cmd_advise.c) is the command around it.
 */
#ifndef OBENCH_ADVISOR_H
#define OBENCH_ADVISOR_H

#include <stdbool.h>
#include <stddef.h>

/* omega* = rho; NaN if @rho is negative or not finite. */
double advisor_break_even(double rho);

/* E / C = 1 + rho - omega; NaN on input outside rho >= 0, 0 <= omega <= 1. */
double advisor_relative_cost(double rho, double omega);

/* rho = (cost of the eBPF program per request) / (cost per request without it); NaN if not > 0. */
double advisor_rho(double ebpf_cost, double cost_without);

/*
 * The verdict as one line in @buf, e.g. "offload pays: omega 0.30 > break-even
 * 0.12 (expected cost 0.82 C per request)".  Returns 1 if it pays, 0 if not,
 * -1 on input out of range (@buf then says why).
 */
int advisor_verdict(double omega, double rho, char *buf, size_t len);

/*
 * Where two measured cost curves cross: a[i] (with the offload) and b[i]
 * (without) at fast-path fractions x[i] (increasing).  Linear interpolation
 * of d = a - b at its first change of sign from >= 0 to < 0.  Returns 0 and
 * *cross; 1 if the offload is already cheaper at x[0] (*cross = x[0]);
 * 2 if it never gets cheaper (*cross = NaN); -1 on bad input.
 */
int advisor_crossover(const double *x, const double *a, const double *b, size_t n,
		      double *cross);



#endif
