/*
 * sp_bt_chart: bin counts, bands and coverage curves of the back-test
 * charts (see sp_bt_chart.h).
 */
#include "sp_bt_chart.h"

#include <gsl/gsl_cdf.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "sp_backtest_report.h"
#include "sp_score.h"

/* The smallest k in 0..n with P(X <= k) >= q for X ~ Binomial(n, p),
 * q < 1 (P(X <= n) = 1, so there is one). */
static size_t binomial_quantile(unsigned n, double p, double q)
{
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (gsl_cdf_binomial_P(mid, p, n) >= q)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void sp_bt_chart_binomial_interval(size_t n, double p, double level, size_t *lo,
                                   size_t *hi)
{
    unsigned m = n > UINT_MAX ? UINT_MAX : (unsigned)n;
    *lo = binomial_quantile(m, p, 0.5 * (1.0 - level));
    *hi = binomial_quantile(m, p, 0.5 * (1.0 + level));
}

void sp_bt_chart_pit_of(const sp_bt_tally *t, sp_bt_chart_pit *out)
{
    memset(out, 0, sizeof *out);
    out->n = t->n;
    out->expected = (double)t->n / SP_BT_PIT_BINS;
    sp_bt_chart_binomial_interval(t->n, 1.0 / SP_BT_PIT_BINS, 0.9, &out->lo,
                                  &out->hi);
    for (int k = 0; k < SP_BT_PIT_BINS; k++) {
        out->count[k] = t->pit[k];
        out->outside += t->pit[k] < out->lo || t->pit[k] > out->hi;
    }
    double se;
    out->verdict = sp_backtest_verdict(t, &se);
}

void sp_bt_chart_coverage_of(const sp_backtest *b, size_t indicator,
                             sp_bt_chart_curve *out)
{
    memset(out, 0, sizeof *out);
    for (int k = 0; k < SP_BT_CHART_LEVELS; k++)
        out->level[k] = (double)(k + 1) / 10.0;
    for (size_t j = 0; j < b->n_scores; j++) {
        const sp_bt_score *s = &b->scores[j];
        if (indicator != SP_BT_CHART_POOLED && s->indicator != indicator)
            continue;
        out->n++;
        for (int k = 0; k < SP_BT_CHART_LEVELS; k++)
            out->inside[k] += (size_t)sp_score_covered(s->pit, out->level[k]);
    }
    double z = gsl_cdf_ugaussian_Pinv(0.975);
    for (int k = 0; k < SP_BT_CHART_LEVELS; k++) {
        double a = out->level[k];
        out->coverage[k] = sp_bt_coverage(out->inside[k], out->n);
        double half = z * sp_bt_coverage_se(a, out->n);
        out->band_lo[k] = out->n ? fmax(0.0, a - half) : (double)NAN;
        out->band_hi[k] = out->n ? fmin(1.0, a + half) : (double)NAN;
    }
}

size_t sp_bt_chart_origins_of(const sp_backtest *b, size_t indicator,
                              const char **region, sp_bt_chart_origin *out,
                              size_t cap)
{
    *region = NULL;
    size_t n = 0, last = 0; /* last: the index of the last score taken */
    for (size_t j = 0; j < b->n_scores; j++) {
        const sp_bt_score *s = &b->scores[j];
        if (s->indicator != indicator)
            continue;
        if (*region == NULL)
            *region = s->region;
        if (strcmp(s->region, *region) != 0)
            continue;
        /* A score right after the last one, of the same origin, extends
         * that origin's run. */
        bool extends =
            n > 0 && last + 1 == j && b->scores[last].origin == s->origin;
        if (extends && n <= cap)
            out[n - 1].n++;
        else if (!extends && n < cap)
            out[n] = (sp_bt_chart_origin){s->origin, j, 1};
        n += !extends;
        last = j;
    }
    return n;
}
