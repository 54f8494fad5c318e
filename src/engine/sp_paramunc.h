/*
 * sp_paramunc: P(met) with the uncertainty of the scenario's estimated
 * parameters (doc/model.md §16).
 *
 * The Wilson interval of a target is Monte Carlo error only: it says how
 * well `draws` draws pin down P for the parameters as written. When the
 * parameters were estimated (`simplan fit` writes `sd_se`, `ar1_se` and
 * `trend_sd_se` beside the values), P itself is uncertain. This module
 * draws SP_PARAM_SETS parameter sets from their sampling distributions,
 * runs the first min(draws, SP_PARAM_DRAWS) draws of the run under each set
 * and under the scenario's own parameters (the same random streams for
 * every set, so the sets differ by their parameters only), and takes as
 * P of set m the run's P plus set m's difference from the own parameters
 * on those draws (clipped to [0, 1]); it reports the mean of these over
 * the sets and their central 95 % interval.
 *
 * Sampling distributions, one standard normal z per indicator and
 * parameter, drawn in a fixed order (sd, ar1, trend_sd of each stochastic
 * indicator in scenario order, whether or not it has a standard error):
 *   - sd: sd * exp(z * sd_se / sd) for every period of the indicator (one
 *     z for all its periods: they come from one fit) -- lognormal with
 *     median sd, and the delta-method standard error sd_se;
 *   - ar1: tanh(atanh(ar1) + z * ar1_se / (1 - ar1^2)) -- normal on
 *     Fisher's z scale, so it stays in (-1, 1);
 *   - trend_sd: |trend_sd + z * trend_sd_se| -- a normal folded at 0.
 * The estimates are taken as independent (the fit does not give their
 * covariance). The parameter sets come from their own streams, seeded from
 * the run seed (see sp_paramunc.c), so the interval is the same for any
 * thread, slice or rank count.
 */
#ifndef SP_PARAMUNC_H
#define SP_PARAMUNC_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "sp_compile.h"
#include "sp_result.h"
#include "sp_scenario.h"
#include "sp_status.h"

#define SP_PARAM_SETS  200  /* parameter sets */
#define SP_PARAM_DRAWS 5000 /* draws per set, at most */
#define SP_PARAM_LEVEL 0.95 /* of the interval across sets */

/* Whether the scenario gives a standard error for any parameter. */
bool sp_paramunc_wanted(const sp_scenario *sc);

/* One parameter drawn from its sampling distribution with standard
 * normal z (see the top). */
double sp_param_draw_sd(double sd, double se, double z);
double sp_param_draw_ar1(double ar1, double se, double z);
double sp_param_draw_trend_sd(double trend_sd, double se, double z);

/* Fills res->targets[k].param for every target, when the scenario wants
 * it and `sets` > 0, from `sets` parameter sets (SP_PARAM_SETS by
 * default) and the run with `seed`, generator `rng` and `draws`; the sets
 * run on `threads` threads. A set whose scenario does not compile is an error
 * naming it. */
sp_status sp_paramunc(const sp_scenario *sc, uint64_t seed,
                      const gsl_rng_type *rng, uint64_t draws, size_t sets,
                      int threads, sp_result *res, sp_error *err);

#endif /* SP_PARAMUNC_H */
