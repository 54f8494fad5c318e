/*
 * sp_score: PIT, interval coverage, CRPS and the calibration verdict.
 */
#include "sp_score.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

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
