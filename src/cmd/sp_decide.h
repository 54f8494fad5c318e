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

#include "sp_cli.h"
#include "sp_scenario.h"
#include "sp_status.h"

/* A scenario number found by its path. */
typedef struct {
    double *value;    /* inside the scenario */
    double valid_lo;  /* the values the scenario allows */
    double valid_hi;
    double lo, hi;    /* default range to search */
    char path[160];
} sp_lever;

/* Finds the number at `path` in `sc`; SP_ERR_USAGE naming the path and
 * the accepted forms when there is none. */
sp_status sp_lever_find(sp_scenario *sc, const char *path, sp_lever *out,
                        sp_error *err);

/* `simplan solve` and `simplan sweep`. */
sp_status sp_decide_solve(const sp_options *opt, sp_scenario *sc,
                          sp_error *err);
sp_status sp_decide_sweep(const sp_options *opt, sp_scenario *sc,
                          sp_error *err);

#endif /* SP_DECIDE_H */
