/*
 * sp_fit: the exact AR(1) likelihood, its profile maximum and the observed
 * information (formulas in sp_fit.h and doc/model.md §13.2).
 */
#include "sp_fit.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_min.h>
#include <math.h>
#include <stdlib.h>

#define GRID 199 /* phi values tried before Brent refines the best */

/* Years between value j-1 and value j. */
static int gap(const int *year, size_t j)
{
    return year ? year[j] - year[j - 1] : 1;
}

/* The residual d_j and its variance factor v_j (sp_fit.h). */
static void residual(const double *x, const int *year, size_t j, double mu,
                     double phi, double *d, double *v)
{
    if (j == 0) {
        *d = x[0] - mu;
        *v = 1.0 / (1.0 - phi * phi);
        return;
    }
    double pk = pow(phi, gap(year, j));
    *d = x[j] - mu - pk * (x[j - 1] - mu);
    *v = (1.0 - pk * pk) / (1.0 - phi * phi);
}

double sp_fit_ar1_loglik(const double *x, const int *year, size_t n, double mu,
                         double phi, double sigma)
{
    if (!(fabs(phi) < 1.0) || !(sigma > 0.0))
        return -HUGE_VAL;
    double s2 = sigma * sigma, ll = 0.0;
    for (size_t j = 0; j < n; j++) {
        double d, v;
        residual(x, year, j, mu, phi, &d, &v);
        ll -= 0.5 * (log(2.0 * M_PI * s2 * v) + d * d / (s2 * v));
    }
    return ll;
}

/* For a given phi: the maximising mu (generalised least squares on
 * d_j = a_j - mu b_j) and sigma^2; returns the profile log-likelihood. */
static double profile(const double *x, const int *year, size_t n, double phi,
                      double *mu_out, double *s2_out)
{
    double sab = 0.0, sbb = 0.0, slogv = 0.0;
    for (size_t j = 0; j < n; j++) {
        double pk = j ? pow(phi, gap(year, j)) : 0.0;
        double a = j ? x[j] - pk * x[j - 1] : x[0], b = 1.0 - pk;
        double v =
            j ? (1.0 - pk * pk) / (1.0 - phi * phi) : 1.0 / (1.0 - phi * phi);
        sab += a * b / v;
        sbb += b * b / v;
        slogv += log(v);
    }
    double mu = sab / sbb, q = 0.0;
    for (size_t j = 0; j < n; j++) {
        double d, v;
        residual(x, year, j, mu, phi, &d, &v);
        q += d * d / v;
    }
    double s2 = q / (double)n;
    *mu_out = mu;
    *s2_out = s2;
    if (!(s2 > 0.0))
        return -HUGE_VAL;
    return -0.5 * (double)n * (log(2.0 * M_PI * s2) + 1.0) - 0.5 * slogv;
}

typedef struct {
    const double *x;
    const int *year;
    size_t n;
} series;

static double neg_profile(double phi, void *p)
{
    const series *s = p;
    double mu, s2;
    return -profile(s->x, s->year, s->n, phi, &mu, &s2);
}

/* The phi that maximises the profile: the best of a grid, refined by
 * Brent's method between its neighbours. */
static double best_phi(series *s, bool *at_bound)
{
    double h = 2.0 * SP_FIT_PHI_BOUND / (GRID - 1), best = 0.0;
    double fbest = HUGE_VAL;
    int ibest = 0;
    for (int i = 0; i < GRID; i++) {
        double phi = -SP_FIT_PHI_BOUND + h * i;
        double f = neg_profile(phi, s);
        if (f < fbest) {
            fbest = f;
            best = phi;
            ibest = i;
        }
    }
    *at_bound = ibest == 0 || ibest == GRID - 1;
    if (*at_bound)
        return best;
    gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    if (m == NULL)
        return best;
    gsl_function F = {neg_profile, s};
    double lo = best - h, hi = best + h;
    if (gsl_min_fminimizer_set_with_values(m, &F, best, fbest, lo,
                                           neg_profile(lo, s), hi,
                                           neg_profile(hi, s)) == GSL_SUCCESS) {
        for (int it = 0; it < 100; it++) {
            if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS)
                break;
            lo = gsl_min_fminimizer_x_lower(m);
            hi = gsl_min_fminimizer_x_upper(m);
            if (gsl_min_test_interval(lo, hi, 1e-10, 0.0) == GSL_SUCCESS)
                break;
        }
        best = gsl_min_fminimizer_x_minimum(m);
    }
    gsl_min_fminimizer_free(m);
    return best;
}

/* log L at theta = (mu, phi, sigma). */
static double ll_at(const series *s, const double *theta)
{
    return sp_fit_ar1_loglik(s->x, s->year, s->n, theta[0], theta[1], theta[2]);
}

/* Standard errors from the inverse of minus the Hessian of log L over the
 * first k parameters of theta (k = 3, or 2 when phi is at its bound and
 * held fixed: then mu and sigma are indexed 0 and 2). */
static void observed_information(const series *s, const double *theta,
                                 bool phi_fixed, double *se)
{
    size_t idx[3] = {0, 1, 2}, k = 3;
    if (phi_fixed) {
        idx[1] = 2;
        k = 2;
    }
    double h[3] = {1e-3 * theta[2], 1e-4, 1e-3 * theta[2]};
    double hess[9];
    double f0 = ll_at(s, theta);
    for (size_t a = 0; a < k; a++)
        for (size_t b = a; b < k; b++) {
            size_t i = idx[a], j = idx[b];
            double t[3] = {theta[0], theta[1], theta[2]}, val;
            if (i == j) {
                t[i] = theta[i] + h[i];
                double fp = ll_at(s, t);
                t[i] = theta[i] - h[i];
                double fm = ll_at(s, t);
                val = (fp - 2.0 * f0 + fm) / (h[i] * h[i]);
            } else {
                double f[4];
                for (int q = 0; q < 4; q++) {
                    t[i] = theta[i] + (q & 1 ? -h[i] : h[i]);
                    t[j] = theta[j] + (q & 2 ? -h[j] : h[j]);
                    f[q] = ll_at(s, t);
                }
                val = (f[0] - f[1] - f[2] + f[3]) / (4.0 * h[i] * h[j]);
            }
            hess[a * k + b] = hess[b * k + a] = -val;
        }
    se[0] = se[1] = se[2] = NAN;
    gsl_matrix_view info = gsl_matrix_view_array(hess, k, k);
    if (gsl_linalg_cholesky_decomp1(&info.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_invert(&info.matrix) != GSL_SUCCESS)
        return;
    for (size_t a = 0; a < k; a++) {
        double var = gsl_matrix_get(&info.matrix, a, a);
        se[idx[a]] = var > 0.0 ? sqrt(var) : (double)NAN;
    }
}

sp_status sp_fit_ar1_mle(const double *x, const int *year, size_t n,
                         sp_fit_ar1 *out, sp_error *err)
{
    if (n < SP_FIT_MIN_N)
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, NULL,
                            "%zu values are too few to estimate an AR(1) "
                            "(at least %d are needed)",
                            n, SP_FIT_MIN_N);
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(x[j]))
            return sp_error_set(err, SP_ERR_RANGE, NULL, 0, NULL,
                                "value %zu is not finite", j + 1);
        if (j > 0 && year != NULL && year[j] <= year[j - 1])
            return sp_error_set(err, SP_ERR_RANGE, NULL, 0, NULL,
                                "the years must increase (%d after %d)",
                                year[j], year[j - 1]);
    }
    double lo = x[0], hi = x[0];
    for (size_t j = 1; j < n; j++) {
        lo = fmin(lo, x[j]);
        hi = fmax(hi, x[j]);
    }
    if (!(hi > lo))
        return sp_error_set(err, SP_ERR_NUMERIC, NULL, 0, NULL,
                            "the series is constant: there is no variation "
                            "to estimate from");
    series s = {x, year, n};
    bool at_bound;
    double phi = best_phi(&s, &at_bound), mu, s2;
    profile(x, year, n, phi, &mu, &s2);
    if (!(s2 > 0.0) || !isfinite(mu))
        return sp_error_set(err, SP_ERR_NUMERIC, NULL, 0, NULL,
                            "the series has no variation to estimate from");
    double theta[3] = {mu, phi, sqrt(s2)}, se[3];
    observed_information(&s, theta, at_bound, se);
    *out = (sp_fit_ar1){
        n, mu, phi, theta[2], se[0], se[1], se[2], ll_at(&s, theta), at_bound};
    return SP_OK;
}

void sp_fit_ar1_innovations(const double *x, const int *year, size_t n,
                            const sp_fit_ar1 *fit, double *z)
{
    for (size_t j = 0; j < n; j++) {
        double d, v;
        residual(x, year, j, fit->mu, fit->phi, &d, &v);
        z[j] = j == 0 ? (double)NAN : d / (fit->sigma * sqrt(v));
    }
}

sp_status sp_fit_correlation(const double *a, const double *b, size_t n,
                             double *rho, double *rho_se, sp_error *err)
{
    if (n < 3)
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, NULL,
                            "%zu common values are too few for a "
                            "correlation",
                            n);
    double ma = 0.0, mb = 0.0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (!(saa > 0.0) || !(sbb > 0.0))
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, NULL,
                            "a series has no variation over the common "
                            "years");
    *rho = sab / sqrt(saa * sbb);
    *rho_se = (1.0 - *rho * *rho) / sqrt((double)n);
    return SP_OK;
}

double sp_fit_ar1_mean_var(double sigma, double phi, int h)
{
    double sum = 0.0;
    for (int j = 1; j <= h; j++) {
        int k = h - j + 1; /* steps from j to h */
        double b = fabs(1.0 - phi) < 1e-12 ? (double)k
                                           : (1.0 - pow(phi, k)) / (1.0 - phi);
        sum += b * b;
    }
    return sigma * sigma * sum / ((double)h * h);
}

sp_status sp_fit_trend_sd(const double *departure, const double *noise_var,
                          size_t n, double level, sp_fit_trend *out,
                          sp_error *err)
{
    *out = (sp_fit_trend){.n = n, .level = level};
    if (n < SP_FIT_TREND_MIN_N)
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "trend_sd",
                            "%zu departures are too few to estimate trend_sd "
                            "from (at least %d)",
                            n, SP_FIT_TREND_MIN_N);
    if (!(level > 0.0 && level < 1.0))
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "level",
                            "the interval level must be in (0, 1)");
    double sq = 0.0, sum = 0.0, v = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(departure[k]) || !isfinite(noise_var[k]) ||
            noise_var[k] < 0.0)
            return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "trend_sd",
                                "departure %zu or its noise variance is not "
                                "a finite number (variance >= 0)",
                                k);
        sq += departure[k] * departure[k];
        sum += departure[k];
        v += noise_var[k];
    }
    double dn = (double)n;
    out->mean_sq = sq / dn;
    out->bias = sum / dn;
    double var = (sq - dn * out->bias * out->bias) / (dn - 1.0);
    out->bias_se = sqrt(var > 0.0 ? var : 0.0) / sqrt(dn);
    out->noise_var = v / dn;
    double tau2 = out->mean_sq - out->noise_var;
    out->tau = tau2 > 0.0 ? sqrt(tau2) : 0.0;
    double se2 = out->mean_sq * sqrt(2.0 / dn);
    out->tau_se = out->tau > 0.0 ? se2 / (2.0 * out->tau) : (double)NAN;
    double a = (1.0 - level) / 2.0;
    double hi2 = sq / gsl_cdf_chisq_Pinv(a, dn) - out->noise_var;
    double lo2 = sq / gsl_cdf_chisq_Pinv(1.0 - a, dn) - out->noise_var;
    out->tau_lo = lo2 > 0.0 ? sqrt(lo2) : 0.0;
    out->tau_hi = hi2 > 0.0 ? sqrt(hi2) : 0.0;
    return SP_OK;
}
