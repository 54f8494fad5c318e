/*
 * sp_result: the numbers of a finished run, built from its state.
 *
 * A result holds, for every target, P(met) with its 95 % Wilson interval,
 * the spread of its measure, its drivers and (when scenario discovery ran)
 * the box where it is missed; for every indicator and year the mean and
 * quantiles; and the run's warnings as sentences. It is plain data that
 * the report writers (src/output) read; it is built from a complete
 * sp_state only, never from the Monte Carlo driver, so the writers need
 * not know how the draws were made (threads, slices, ranks).
 *
 * The state's quantities are laid out indicator-year first, then one per
 * target: sp_q_indicator and sp_q_target give the index.
 */
#ifndef SP_RESULT_H
#define SP_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sp_compile.h"
#include "sp_prim.h"
#include "sp_scenario.h"
#include "sp_state.h"
#include "sp_status.h"

/* Quantity index of indicator i in step `step` (0 = base year), and of
 * target k, in a state of n_years years and n_indicators indicators. */
static inline size_t sp_q_indicator(size_t n_years, size_t i, size_t step)
{
    return i * n_years + step;
}

static inline size_t sp_q_target(size_t n_years, size_t n_indicators, size_t k)
{
    return n_indicators * n_years + k;
}

/* Summary statistics of one quantity over the draws. */
typedef struct {
    uint64_t n; /* finite values */
    double mean, p05, p25, p50, p75, p95;
} sp_stats;

/* How much one input of a draw moves the chance of meeting a target:
 * P(met) among draws whose input is in the upper group minus P(met) in
 * the lower group (see sp_model_input_split). */
typedef struct {
    size_t input;  /* index, see sp_model_n_inputs */
    double effect; /* p_high - p_low */
    double p_low, p_high;
    uint64_t n_low, n_high; /* draws in each group */
} sp_driver;

/* P(met) with the scenario's parameter uncertainty (sp_paramunc.h). */
typedef struct {
    bool done;      /* the scenario gives standard errors and it ran */
    size_t sets;    /* parameter sets drawn */
    uint64_t draws; /* draws per set */
    double p_mean;  /* mean of P over the sets */
    double lo, hi;  /* central 95 % interval of P over the sets */
} sp_param_interval;

typedef struct {
    uint64_t met; /* draws in which the target is met */
    uint64_t draws;
    double probability;  /* met / draws */
    double ci_lo, ci_hi; /* 95 % Wilson interval, or from the
                            randomisations with RQMC, the pairs with
                            antithetic pairs */
    sp_stats measure;    /* distribution of the measure (simple) */
    size_t n_drivers;
    sp_driver *drivers; /* [n_drivers] by decreasing |effect| */
    bool has_box;       /* scenario discovery ran (sp_discover) */
    sp_prim_box box;    /* where the target is missed */
    size_t box_draws;   /* draws the box was found on */
    sp_param_interval param;
} sp_target_result;

typedef struct {
    uint64_t draws;
    uint32_t replicates; /* RQMC randomisations (doc/model.md §7.6); 0 for
                            plain Monte Carlo and Wilson intervals */
    uint32_t pairs;      /* 1 with antithetic pairs (§7.7) */
    size_t n_targets;
    sp_target_result *targets; /* [n_targets] */
    size_t n_indicators;
    int n_years;          /* base year .. horizon */
    sp_stats *indicators; /* [n_indicators * n_years] */
    uint64_t *clamps;     /* [n_indicators] clamped steps */
    uint64_t *nonfinite;  /* [n_indicators] non-finite values */
    size_t n_warnings;
    char **warnings; /* [n_warnings] sentences */
} sp_result;

/* Fills `res` (zeroed by the caller) from a complete state (all blocks of
 * the run: a whole run, or a merge of slices or ranks); scenario and model
 * give the names and the layout. SP_ERR_USAGE if the state does not cover
 * every block, SP_ERR_NOMEM when out of memory. */
sp_status sp_state_result(const sp_state *st, const sp_scenario *sc,
                          const sp_compiled *c, sp_result *res, sp_error *err);

/* Frees what `res` holds and zeroes it; safe on a zeroed result. */
void sp_result_destroy(sp_result *res);

#endif /* SP_RESULT_H */
