/*
 * sp_decide: what it would take -- `simplan solve` (the value of one
 * scenario number at which a target reaches a probability) and `simplan
 * sweep` (every target's probability over a grid of one or two numbers).
 *
 * A lever is a number of the scenario named by its field path, as in
 * error messages: indicators.NAME.base | trend_sd | ar1 | dist.df |
 * dist.skew | path[K].mean | path[K].sd, correlations[K].rho,
 * events.NAME.probability | effects[K].mean | effects[K].sd,
 * targets.ID.value | range[0] | range[1]. Every evaluation recompiles the
 * scenario with the lever set and runs it with the same seed and draws:
 * common random numbers, so the probability moves only because the lever
 * did, and is monotone in it whenever the target's measure is.
 */
#ifndef SP_DECIDE_H
#define SP_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "sp_options.h"
#include "sp_decision.h"
#include "sp_lever.h"
#include "sp_scenario.h"
#include "sp_status.h"

/* ---- the pure parts of solve and sweep --------------------------------- */

/* Point i of n >= 2 evenly spaced points from lo to hi (both included). */
double sp_decide_grid(double lo, double hi, int n, int i);

/* True when p[0..n) never goes down, or never goes up (ties allowed);
 * *peak is the index of the largest p (the first of equals). */
bool sp_decide_monotone(const double *p, size_t n, size_t *peak);

/* True when `prob` lies between P at the two ends of a range (inclusive):
 * bisection can then keep it bracketed. */
bool sp_decide_bracketed(double p_lo, double p_hi, double prob);

/* How many interior points solve evaluates, when the ends of the range do
 * not bracket P, to tell a P out of reach from a P that is not monotone
 * in the lever (a `between` target peaks inside the range). */
#define SP_DECIDE_INTERIOR 7

/* One axis of a sweep: `steps` points from `from` to `to` (from < to). */
typedef struct {
    sp_lever lever;
    double from, to;
    int steps;
} sp_sweep_axis;

/* A computed sweep: its report borrows the grid, the ids and the
 * probabilities held here and the names of the scenario it ran. */
typedef struct {
    sp_sweep_report r;
    sp_sweep_axis ax[2];
    int n_axes;
    double *p, *ci; /* as sp_sweep_report */
} sp_sweep_result;

/* The computations of solve and sweep, without --out, --format or signal
 * handlers: opt->sim.stop is polled between and within evaluations.
 * `sc` is changed while they run and restored before they return. The
 * solve report borrows opt->target and opt->vary[0]; the sweep result,
 * freed by sp_sweep_result_free (also after a failure), borrows nothing
 * of opt. */
sp_status sp_decide_solve_compute(const sp_decide_options *opt, sp_scenario *sc,
                                  sp_solve_report *r, sp_error *err);
sp_status sp_decide_sweep_compute(const sp_decide_options *opt, sp_scenario *sc,
                                  sp_sweep_result *res, sp_error *err);
void sp_sweep_result_free(sp_sweep_result *res);

/* DIR/solve.csv and (with jansson) DIR/solve.json, published. */
sp_status sp_decide_solve_save(const char *dir, bool force,
                               const atomic_int *stop, const sp_solve_report *r,
                               sp_error *err);

/* DIR/sweep.csv and, with `plots`, the charts, published; a chart stage
 * that failed is no error here: its warning goes to `warning` ("" when
 * none). */
sp_status sp_decide_sweep_save(const char *dir, bool force, bool plots,
                               const atomic_int *stop, const sp_scenario *sc,
                               const sp_sweep_result *res, char *warning,
                               size_t size, sp_error *err);

#endif /* SP_DECIDE_H */
