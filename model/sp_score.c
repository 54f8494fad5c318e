/*
 * sp_score: PIT, interval coverage, CRPS and the calibration verdict;
 * the Brier score and reliability table of probability forecasts.
 */
#include "sp_score.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "sp_measure.h"

#define Z99 2.5758293035489004 /* Phi^-1(0.995) */

/* Index of the first x[i] >= y in the sorted sample (lower bound). */
static size_t lower_bound(const double *x, size_t n, double y)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < y)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the first x[i] > y. */
static size_t upper_bound(const double *x, size_t n, double y)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] <= y)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void sp_score_sort(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_double);
}

double sp_score_quantile(const double *x, size_t n, double q)
{
    double h = q * (double)(n - 1);
    size_t i = (size_t)h;
    if (i + 1 >= n)
        return x[n - 1];
    return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

double sp_score_pit(const double *x, size_t n, double y)
{
    size_t below = lower_bound(x, n, y), upto = upper_bound(x, n, y);
    return ((double)below + 0.5 * (double)(upto - below)) / (double)n;
}

double sp_score_pit_unsorted(const double *x, size_t n, double y)
{
    size_t below = 0, equal = 0;
    for (size_t i = 0; i < n; i++) {
        below += x[i] < y;
        equal += x[i] == y;
    }
    return ((double)below + 0.5 * (double)equal) / (double)n;
}

int sp_score_covered(double pit, double p)
{
    return pit >= (1.0 - p) / 2.0 && pit <= (1.0 + p) / 2.0;
}

/* With x sorted, sum_{i,j} |x_i - x_j| = 2 sum_i (2 i - n + 1) x_i
 * (0-based i), and sum_i |x_i - y| splits at y's rank. */
double sp_score_crps_sample(const double *x, size_t n, double y)
{
    size_t k = lower_bound(x, n, y);
    double below = 0.0, above = 0.0, pairs = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (i < k)
            below += y - x[i];
        else
            above += x[i] - y;
        pairs += (2.0 * (double)i - (double)n + 1.0) * x[i];
    }
    double dn = (double)n;
    return (below + above) / dn - pairs / (dn * dn);
}

double sp_score_crps_normal(double mu, double sd, double y)
{
    double z = (y - mu) / sd;
    return sd * (z * (2.0 * gsl_cdf_ugaussian_P(z) - 1.0) +
                 2.0 * gsl_ran_ugaussian_pdf(z) - 1.0 / sqrt(M_PI));
}

sp_verdict sp_score_verdict(size_t inside, size_t n, double *se)
{
    *se = n > 0 ? sqrt(0.09 / (double)n) : (double)NAN;
    if (n == 0)
        return SP_VERDICT_CALIBRATED;
    double cover = (double)inside / (double)n;
    if (cover < 0.9 - Z99 * *se)
        return SP_VERDICT_OVER_CONFIDENT;
    if (cover > 0.9 + Z99 * *se)
        return SP_VERDICT_UNDER_CONFIDENT;
    return SP_VERDICT_CALIBRATED;
}

const char *sp_verdict_name(sp_verdict v)
{
    switch (v) {
    case SP_VERDICT_OVER_CONFIDENT:
        return "over-confident";
    case SP_VERDICT_UNDER_CONFIDENT:
        return "under-confident";
    case SP_VERDICT_CALIBRATED:
        break;
    }
    return "calibrated";
}

void sp_score_brier(const double *p, const unsigned char *o, size_t n,
                    sp_brier *out)
{
    double sq = 0.0, occurred = 0.0, spread = 0.0, var = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = p[i] - (double)o[i];
        sq += e * e;
        occurred += (double)o[i];
        spread += p[i] * (1.0 - p[i]);
        double w = 1.0 - 2.0 * p[i];
        var += p[i] * (1.0 - p[i]) * w * w;
    }
    double dn = (double)n;
    out->n = n;
    out->brier = n ? sq / dn : (double)NAN;
    out->base_rate = n ? occurred / dn : (double)NAN;
    out->brier_climatology = out->base_rate * (1.0 - out->base_rate);
    out->skill = out->brier_climatology > 0.0
                     ? 1.0 - out->brier / out->brier_climatology
                     : (double)NAN;
    out->expected = n ? spread / dn : (double)NAN;
    out->expected_se = n ? sqrt(var) / dn : (double)NAN;
    out->z = out->expected_se > 0.0
                 ? (out->brier - out->expected) / out->expected_se
                 : (double)NAN;
    /* The sample variance of (p - o)^2 about its mean, in a second pass. */
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = p[i] - (double)o[i];
        double dev = e * e - out->brier;
        ss += dev * dev;
    }
    out->brier_se = n > 1 ? sqrt(ss / (dn - 1.0) / dn) : (double)NAN;
}

void sp_score_reliability(const double *p, const unsigned char *o, size_t n,
                          size_t n_bins, sp_reliability_bin *bins)
{
    for (size_t k = 0; k < n_bins; k++)
        bins[k] = (sp_reliability_bin){.lo = (double)k / (double)n_bins,
                                       .hi = (double)(k + 1) / (double)n_bins,
                                       .p_mean = 0.0};
    for (size_t i = 0; i < n; i++) {
        double scaled = floor(p[i] * (double)n_bins);
        size_t k = scaled <= 0.0                    ? 0
                   : scaled >= (double)(n_bins - 1) ? n_bins - 1
                                                    : (size_t)scaled;
        bins[k].n++;
        bins[k].met += o[i] != 0;
        bins[k].p_mean += p[i];
    }
    for (size_t k = 0; k < n_bins; k++) {
        sp_reliability_bin *b = &bins[k];
        if (b->n == 0) {
            b->p_mean = b->observed = (double)NAN;
            b->observed_lo = b->observed_hi = (double)NAN;
            continue;
        }
        b->p_mean /= (double)b->n;
        b->observed = (double)b->met / (double)b->n;
        sp_wilson_interval(b->met, b->n, SP_Z95, &b->observed_lo,
                           &b->observed_hi);
    }
}
