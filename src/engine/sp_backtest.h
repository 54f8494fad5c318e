/*
 * sp_backtest: a scenario's projections scored against what happened
 * (`simplan backtest`, doc/model.md §15).
 *
 * For each region of the data (or those asked for) and each origin year T,
 * the scenario is re-anchored: its base year becomes T - L (L years of
 * history), its horizon T + H, and its path periods, events and years keep
 * their offsets from the base year (the scenario's step s is year
 * T - L + s). The region's data up to T enter through the observed-year
 * machinery: a share's base is its level row at T - L and its level rows
 * of the same basis in T - L + 1 .. T are observed; a rate is an index
 * (base 1) whose observed levels compound its published growth rates from
 * T - L + 1 while they run without a gap. The re-anchored scenario is
 * projected with `draws` draws, the same random streams for every origin
 * and region (common random numbers), and every later data row of a
 * stochastic indicator, years T + 1 .. T + H, is scored in its own
 * measure: a growth row against the projected annual rate X[y] / X[y-1] -
 * 1, a level row of a share (same basis as its base) against the projected
 * level. A share without a level row at T - L is not scored at that origin.
 *
 * Each scored value gets its PIT, whether it lies in the central 50 % and
 * 90 % intervals, and its CRPS (model/sp_score.h); the tallies are pooled,
 * by indicator and by horizon, with the verdict of sp_score_verdict. The
 * sd factor is the common factor of every innovation sd and trend_sd for
 * which the pooled 90 % coverage reaches 0.9, found by bisection on log f
 * with the same random streams; the sd factor of each scored indicator
 * multiplies only its own sd and trend_sd and is found by a bisection of
 * all of them at once, each on its own 90 % coverage.
 *
 * The scenario's targets are moved so that its base year falls on the
 * origin T (a window [a, b] of a scenario with base year B becomes
 * [a + T - B, b + T - B]). A simple target on a rate or share is scored
 * at a case when its window ends in T + 1 .. T + H, starts no earlier
 * than T - L, and the region's data give its realised measure: for a rate
 * (change and cagr only) the growth rows of every year after the window's
 * start up to its end, compounded; for an anchored share its level rows,
 * of its base's basis, at the window's years. P is the share of the
 * case's draws that meet the target, the outcome whether the realised
 * measure meets it; they are pooled and by target into a Brier score and
 * a reliability table (model/sp_score.h).
 *
 * Cases (region, origin) run in parallel with OpenMP, each alone on its
 * own streams, so results are bit-identical for any thread count.
 */
#ifndef SP_BACKTEST_H
#define SP_BACKTEST_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sp_data.h"
#include "sp_scenario.h"
#include "sp_status.h"

#include "sp_score.h"

#define SP_BT_PIT_BINS         10
#define SP_BT_RELIABILITY_BINS 10

/* One scored value. */
typedef struct {
    const char *region; /* borrowed from the data */
    int origin;         /* T */
    int year;           /* T + 1 .. T + H */
    size_t indicator;   /* index into the scenario's indicators */
    sp_data_measure measure;
    double value; /* realised */
    int line;     /* its data row */
    double pit, crps;
    double p05, p25, p50, p75, p95; /* the projection's quantiles */
    bool in50, in90;
} sp_bt_score;

/* One scored target: a target of the scenario at one case. */
typedef struct {
    const char *region; /* borrowed from the data */
    int origin;         /* T */
    size_t target;      /* index into the scenario's targets */
    int from, to;       /* its re-anchored years (level: both the year) */
    double value;       /* the realised measure */
    double p;           /* share of the case's draws that meet it */
    bool met;           /* whether the realised measure meets it */
} sp_bt_target_score;

/* The Brier score and reliability table of a set of scored targets. */
typedef struct {
    sp_brier brier;
    sp_reliability_bin reliability[SP_BT_RELIABILITY_BINS];
} sp_bt_target_tally;

/* The sd factor of one indicator. */
typedef struct {
    bool found;                          /* false: outside [1/8, 8] */
    double factor;                       /* when found */
    double coverage90_lo, coverage90_hi; /* every factor 1/8, every 8 */
    double coverage90; /* at every indicator's factor (1/8 or 8 where not
                          found): 0.9 or just above unless correlated
                          indicators pull it (doc/model.md §15.3) */
} sp_bt_sd_factor;

/* Counts of a set of scored values. */
typedef struct {
    size_t n, in50, in90;
    size_t pit[SP_BT_PIT_BINS];
    double crps_sum;
} sp_bt_tally;

typedef struct {
    const char *const *regions; /* NULL: every region of the data */
    size_t n_regions;
    int from, to, step; /* origins from, from + step, ... <= to */
    int horizon;        /* H >= 1 */
    int history;        /* L >= 1 */
    uint64_t draws;     /* per case */
    uint64_t seed;
    const gsl_rng_type *rng;
    int threads;    /* >= 1 */
    bool sd_factor; /* search the sd factors */
    /* The search's runs use each case's first min(search_draws, draws)
     * draws (0: all); the coverage at the factors found is from all. */
    uint64_t search_draws;
} sp_backtest_options;

typedef struct {
    size_t n_scores;
    sp_bt_score *scores; /* [n_scores] by region, origin, indicator, year */
    size_t n_cases;      /* (region, origin) pairs with a scored value */
    sp_bt_tally pooled;
    size_t n_indicators;
    sp_bt_tally *by_indicator; /* [n_indicators] scenario order */
    int horizon;
    sp_bt_tally *by_horizon; /* [horizon], index h - 1 */
    bool sd_factor_found;    /* false: not searched, or outside the range */
    double sd_factor;        /* when found */
    double coverage90_lo, coverage90_hi; /* at the ends of the search */
    uint64_t search_draws;       /* each case's draws in the search's runs */
    sp_bt_sd_factor *sd_factors; /* [n_indicators]; NULL unless searched;
                                    meaningful where by_indicator has n */
    size_t n_regions;            /* regions with a scored value */
    size_t n_target_scores;
    sp_bt_target_score *target_scores; /* by region, origin, target */
    sp_bt_target_tally targets;        /* every scored target */
    size_t n_targets;
    sp_bt_target_tally *by_target; /* [n_targets] scenario order */
} sp_backtest;

/* Runs the back-test. Errors name the option: SP_ERR_USAGE for a horizon
 * plus history longer than the scenario's projected years or an empty
 * origin range, SP_ERR_REFERENCE for an unknown region, SP_ERR_RANGE when
 * no region has data up to the first origin or nothing can be scored,
 * SP_ERR_NOMEM; a scenario that does not compile after re-anchoring gives
 * its own error. */
sp_status sp_backtest_run(const sp_scenario *sc, const sp_data *d,
                          const sp_backtest_options *o, sp_backtest *out,
                          sp_error *err);

void sp_backtest_destroy(sp_backtest *b);

/* The quantities of a tally. */
double sp_bt_coverage(size_t inside, size_t n);
double sp_bt_coverage_se(double p, size_t n);

#endif /* SP_BACKTEST_H */
