/*
 * sp_bt_chart: what the charts of `simplan backtest --out` show, computed
 * without PLplot so that it can be tested on its own (the drawing is in
 * sp_plot.c).
 *
 * Three charts (doc/model.md §15.5):
 *   pit.png         the pooled PIT histogram in SP_BT_PIT_BINS bins, with
 *                   the count n / bins a uniform PIT would give and the
 *                   central 90 % interval of each bin's count under
 *                   Binomial(n, 1 / bins);
 *   coverage.png    the share of realised values inside the central
 *                   interval of level a (sp_score_covered) at a = 0.1,
 *                   0.2, ..., 0.9, pooled and by indicator, against a,
 *                   with the 95 % binomial band a +- 1.96 sqrt(a (1 - a)
 *                   / n) of the pooled n;
 *   projections-NAME.png  for one region, each origin's median and 90 %
 *                   band over its scored years of one indicator, and the
 *                   realised values.
 */
#ifndef SP_BT_CHART_H
#define SP_BT_CHART_H

#include <stddef.h>

#include "sp_backtest.h"

/* The central `level` interval [*lo, *hi] of a Binomial(n, p) count:
 * *lo is the smallest k with P(X <= k) >= (1 - level) / 2 and *hi the
 * smallest k with P(X <= k) >= (1 + level) / 2, so that P(X < lo) <
 * (1 - level) / 2 and P(X > hi) <= (1 - level) / 2 (the interval holds
 * at least `level` of the probability). Found by bisection on
 * gsl_cdf_binomial_P. 0 <= p <= 1, 0 < level < 1; n at most UINT_MAX. */
void sp_bt_chart_binomial_interval(size_t n, double p, double level, size_t *lo,
                                   size_t *hi);

/* The PIT histogram chart of a tally. */
typedef struct {
    size_t n;                     /* values scored */
    size_t count[SP_BT_PIT_BINS]; /* of bin k: PIT in [k, k + 1) / bins */
    double expected;              /* n / bins */
    size_t lo, hi;                /* central 90 % interval of a count */
    size_t outside;               /* bins whose count is outside it */
    const char *verdict;          /* sp_backtest_verdict of the tally */
} sp_bt_chart_pit;

/* Fills `out` from tally `t` (the counts are the tally's). */
void sp_bt_chart_pit_of(const sp_bt_tally *t, sp_bt_chart_pit *out);

/* The nominal levels of the coverage chart: 0.1, 0.2, ..., 0.9. */
#define SP_BT_CHART_LEVELS 9

/* Tallies over every indicator (for sp_bt_chart_coverage_of). */
#define SP_BT_CHART_POOLED ((size_t)-1)

/* The coverage curve of one set of scored values. */
typedef struct {
    size_t n;                            /* values */
    double level[SP_BT_CHART_LEVELS];    /* nominal: (k + 1) / 10 */
    size_t inside[SP_BT_CHART_LEVELS];   /* values in that interval */
    double coverage[SP_BT_CHART_LEVELS]; /* inside / n; NaN when n = 0 */
    double band_lo[SP_BT_CHART_LEVELS];  /* level -+ 1.96 se, se = */
    double band_hi[SP_BT_CHART_LEVELS];  /* sqrt(level (1 - level) / n),
                                             clamped to [0, 1] */
} sp_bt_chart_curve;

/* The coverage curve of the scores of indicator `indicator` of `b`, or
 * of every score with SP_BT_CHART_POOLED: a score is inside the central
 * interval of level a when sp_score_covered(pit, a). */
void sp_bt_chart_coverage_of(const sp_backtest *b, size_t indicator,
                             sp_bt_chart_curve *out);

/* One origin's scored values on a projections chart: the scores
 * b->scores[first .. first + n), consecutive years of one region and
 * indicator. */
typedef struct {
    int origin;
    size_t first, n;
} sp_bt_chart_origin;

/* The projections chart of indicator `indicator`: its region (*region,
 * borrowed from the scores; NULL when the indicator has no score) is the
 * region of the first score of that indicator in the order of b->scores,
 * and the origins with a scored value of it there go to `out` (room for
 * `cap`), in the order of the scores. Returns the number of such origins
 * (which may exceed `cap`: only the first `cap` are written). */
size_t sp_bt_chart_origins_of(const sp_backtest *b, size_t indicator,
                              const char **region, sp_bt_chart_origin *out,
                              size_t cap);

#endif /* SP_BT_CHART_H */
