/*
 * Tests of model/sp_fit: the exact AR(1) log-likelihood equals the
 * multivariate normal density of the series (gaps included); the maximum
 * likelihood estimates recover known parameters and their standard errors
 * cover them at the nominal rate; series too short, disordered or constant
 * are refused. The variance of an AR(1) period mean equals the double sum
 * of its covariances; trend_sd from plan departures recovers a known
 * trend_sd, its interval covers at its level, and it matches its closed
 * form on a worked example.
 *
 * Statistical checks use fixed seeds. A parameter check passes when the
 * estimate lies within 4 asymptotic standard errors of the truth (the
 * asymptotic variances of the Gaussian AR(1): sigma^2 / ((1 - phi)^2 n)
 * for mu, (1 - phi^2) / n for phi, sigma^2 / (2 n) for sigma); a coverage
 * check passes within 4 binomial standard errors of 0.95.
 */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sp_fit.h"

#define MAX_N 2000

/* A stationary AR(1) observed at the given years (consecutive if NULL). */
static void simulate(gsl_rng *r, double mu, double phi, double sigma,
                     const int *year, size_t n, double *x)
{
    double e = sigma / sqrt(1.0 - phi * phi) * gsl_ran_gaussian(r, 1.0);
    x[0] = mu + e;
    for (size_t j = 1; j < n; j++) {
        int k = year ? year[j] - year[j - 1] : 1;
        for (int s = 0; s < k; s++)
            e = phi * e + sigma * gsl_ran_gaussian(r, 1.0);
        x[j] = mu + e;
    }
}

/* log N(x; mu 1, S) with S_ij = sigma^2 phi^|y_i - y_j| / (1 - phi^2),
 * through the Cholesky factor of S: an independent closed form. */
static double mvn_loglik(const double *x, const int *year, size_t n, double mu,
                         double phi, double sigma)
{
    gsl_matrix *S = gsl_matrix_alloc(n, n);
    gsl_vector *d = gsl_vector_alloc(n);
    for (size_t i = 0; i < n; i++) {
        gsl_vector_set(d, i, x[i] - mu);
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(S, i, j,
                           sigma * sigma * pow(phi, abs(year[i] - year[j])) /
                               (1.0 - phi * phi));
    }
    assert_int_equal(gsl_linalg_cholesky_decomp1(S), GSL_SUCCESS);
    double logdet = 0.0;
    for (size_t i = 0; i < n; i++)
        logdet += 2.0 * log(gsl_matrix_get(S, i, i));
    gsl_vector *w = gsl_vector_alloc(n);
    gsl_linalg_cholesky_solve(S, d, w);
    double q;
    gsl_blas_ddot(d, w, &q);
    gsl_matrix_free(S);
    gsl_vector_free(d);
    gsl_vector_free(w);
    return -0.5 * ((double)n * log(2.0 * M_PI) + logdet + q);
}

static void loglik_should_equal_the_multivariate_normal_density(void **st)
{
    (void)st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    const int year[12] = {2000, 2001, 2003, 2004, 2005, 2008,
                          2009, 2010, 2012, 2013, 2017, 2018};
    const double phis[4] = {-0.6, 0.0, 0.3, 0.9};
    double x[12];
    for (int p = 0; p < 4; p++) {
        simulate(r, 0.05, phis[p], 0.02, year, 12, x);
        double a = sp_fit_ar1_loglik(x, year, 12, 0.04, phis[p], 0.025);
        double b = mvn_loglik(x, year, 12, 0.04, phis[p], 0.025);
        assert_true(fabs(a - b) < 1e-9 * fabs(b));
    }
    assert_true(sp_fit_ar1_loglik(x, year, 12, 0.0, 1.0, 0.1) == -HUGE_VAL);
    assert_true(sp_fit_ar1_loglik(x, year, 12, 0.0, 0.5, 0.0) == -HUGE_VAL);
    gsl_rng_free(r);
}

/* Checks an estimate against the truth within 4 asymptotic sd. */
static void check_recovery(const sp_fit_ar1 *f, double mu, double phi,
                           double sigma, double n_eff)
{
    double se_mu = sigma / ((1.0 - phi) * sqrt(n_eff));
    double se_phi = sqrt((1.0 - phi * phi) / n_eff);
    double se_sigma = sigma / sqrt(2.0 * n_eff);
    if (fabs(f->mu - mu) > 4.0 * se_mu || fabs(f->phi - phi) > 4.0 * se_phi ||
        fabs(f->sigma - sigma) > 4.0 * se_sigma)
        fail_msg("estimate (%g, %g, %g) against truth (%g, %g, %g)", f->mu,
                 f->phi, f->sigma, mu, phi, sigma);
    /* The reported standard errors agree with the asymptotic ones. */
    assert_true(fabs(f->mu_se / se_mu - 1.0) < 0.3);
    assert_true(fabs(f->phi_se / se_phi - 1.0) < 0.3);
    assert_true(fabs(f->sigma_se / se_sigma - 1.0) < 0.3);
}

static void mle_should_recover_known_parameters_over_seeds(void **st)
{
    (void)st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    static double x[MAX_N];
    const double cases[3][3] = {
        {0.05, 0.5, 0.02}, {-0.03, -0.4, 0.01}, {0.0, 0.0, 0.015}};
    for (unsigned long seed = 1; seed <= 8; seed++)
        for (int c = 0; c < 3; c++) {
            gsl_rng_set(r, seed);
            simulate(r, cases[c][0], cases[c][1], cases[c][2], NULL, 800, x);
            sp_fit_ar1 f;
            sp_error err;
            assert_int_equal(sp_fit_ar1_mle(x, NULL, 800, &f, &err), SP_OK);
            assert_false(f.at_bound);
            check_recovery(&f, cases[c][0], cases[c][1], cases[c][2], 800);
        }
    gsl_rng_free(r);
}

static void mle_should_recover_parameters_from_a_gappy_series(void **st)
{
    (void)st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    static double x[MAX_N];
    static int year[MAX_N];
    for (unsigned long seed = 1; seed <= 4; seed++) {
        gsl_rng_set(r, 100 + seed);
        size_t n = 0;
        for (int y = 0; n < 1000; y++)
            if (gsl_rng_uniform(r) < 0.75) /* a quarter of the years missing */
                year[n++] = 1000 + y;
        simulate(r, 0.05, 0.6, 0.02, year, n, x);
        sp_fit_ar1 f;
        sp_error err;
        assert_int_equal(sp_fit_ar1_mle(x, year, n, &f, &err), SP_OK);
        /* Gaps lose some information: the check uses n itself, which is
         * within 4 sd for a quarter of the years missing. */
        double se_phi = sqrt((1.0 - 0.36) / (double)n);
        assert_true(fabs(f.phi - 0.6) < 5.0 * se_phi);
        assert_true(fabs(f.mu - 0.05) < 5.0 * 0.02 / (0.4 * sqrt((double)n)));
        assert_true(fabs(f.sigma - 0.02) < 5.0 * 0.02 / sqrt(2.0 * (double)n));
    }
    gsl_rng_free(r);
}

static void mle_should_be_a_maximum_of_the_likelihood(void **st)
{
    (void)st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    double x[25];
    simulate(r, 0.07, 0.3, 0.03, NULL, 25, x);
    sp_fit_ar1 f;
    sp_error err;
    assert_int_equal(sp_fit_ar1_mle(x, NULL, 25, &f, &err), SP_OK);
    const double step[3] = {1e-3, 1e-3, 1e-4};
    for (int i = 0; i < 3; i++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            double t[3] = {f.mu, f.phi, f.sigma};
            t[i] += sgn * step[i];
            assert_true(sp_fit_ar1_loglik(x, NULL, 25, t[0], t[1], t[2]) <=
                        f.loglik + 1e-12);
        }
    gsl_rng_free(r);
}

/* Over 400 replications of n = 100, the 95 % intervals mu +- 1.96 se and
 * sigma +- 1.96 se cover the truth at 0.95 within 4 binomial sd (0.044). */
static void standard_errors_should_cover_at_the_nominal_rate(void **st)
{
    (void)st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    double x[100];
    int cover_mu = 0, cover_sigma = 0, reps = 400;
    for (int k = 0; k < reps; k++) {
        simulate(r, 0.05, 0.4, 0.02, NULL, 100, x);
        sp_fit_ar1 f;
        sp_error err;
        assert_int_equal(sp_fit_ar1_mle(x, NULL, 100, &f, &err), SP_OK);
        cover_mu += fabs(f.mu - 0.05) <= 1.96 * f.mu_se;
        cover_sigma += fabs(f.sigma - 0.02) <= 1.96 * f.sigma_se;
    }
    double tol = 4.0 * sqrt(0.95 * 0.05 / reps);
    assert_true(fabs((double)cover_mu / reps - 0.95) < tol);
    assert_true(fabs((double)cover_sigma / reps - 0.95) < tol);
    gsl_rng_free(r);
}

static void mle_should_refuse_short_disordered_or_constant_series(void **st)
{
    (void)st;
    double x[12] = {0.05, 0.06, 0.04, 0.05, 0.07, 0.03,
                    0.05, 0.06, 0.04, 0.05, 0.02, 0.08};
    int year[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    sp_fit_ar1 f;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(sp_fit_ar1_mle(x, year, SP_FIT_MIN_N - 1, &f, &err),
                     SP_ERR_RANGE);
    year[5] = 5;
    assert_int_equal(sp_fit_ar1_mle(x, year, 12, &f, &err), SP_ERR_RANGE);
    year[5] = 6;
    x[3] = NAN;
    assert_int_equal(sp_fit_ar1_mle(x, year, 12, &f, &err), SP_ERR_RANGE);
    for (int i = 0; i < 12; i++)
        x[i] = 0.05;
    assert_int_equal(sp_fit_ar1_mle(x, year, 12, &f, &err), SP_ERR_NUMERIC);
}

static void correlation_should_recover_a_known_rho(void **st)
{
    (void)st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    static double a[MAX_N], b[MAX_N];
    const double rho = 0.6;
    for (int i = 0; i < 500; i++) {
        a[i] = gsl_ran_gaussian(r, 1.0);
        b[i] = rho * a[i] + sqrt(1 - rho * rho) * gsl_ran_gaussian(r, 1.0);
    }
    double est, se;
    sp_error err;
    assert_int_equal(sp_fit_correlation(a, b, 500, &est, &se, &err), SP_OK);
    assert_true(fabs(est - rho) < 4.0 * (1 - rho * rho) / sqrt(500.0));
    assert_true(fabs(se - (1 - est * est) / sqrt(500.0)) < 1e-15);
    assert_int_equal(sp_fit_correlation(a, b, 2, &est, &se, &err),
                     SP_ERR_RANGE);
    gsl_rng_free(r);
}

/* Var(mean of e_1..e_h) from the covariances of the AR(1) started at 0:
 * Cov(e_p, e_q) = sigma^2 sum_{s <= min(p,q)} phi^(p-s) phi^(q-s). */
static double mean_var_by_covariances(double sigma, double phi, int h)
{
    double sum = 0.0;
    for (int p = 1; p <= h; p++)
        for (int q = 1; q <= h; q++)
            for (int s = 1; s <= (p < q ? p : q); s++)
                sum += sigma * sigma * pow(phi, p - s) * pow(phi, q - s);
    return sum / ((double)h * h);
}

static void period_mean_variance_should_equal_the_covariance_sum(void **st)
{
    (void)st;
    const double phis[] = {-0.7, 0.0, 0.3, 0.87, 1.0};
    for (size_t i = 0; i < sizeof phis / sizeof *phis; i++)
        for (int h = 1; h <= 10; h++) {
            double want = mean_var_by_covariances(0.02, phis[i], h);
            double got = sp_fit_ar1_mean_var(0.02, phis[i], h);
            assert_true(fabs(got - want) <= 1e-12 * want);
        }
}

/* n departures D = u + mean(e_1..e_h), u ~ N(0, tau^2), e the AR(1). */
static void simulate_departures(gsl_rng *r, double tau, double sigma,
                                double phi, int h, size_t n, double *d)
{
    for (size_t k = 0; k < n; k++) {
        double e = 0.0, sum = 0.0;
        for (int t = 0; t < h; t++) {
            e = phi * e + gsl_ran_gaussian(r, sigma);
            sum += e;
        }
        d[k] = gsl_ran_gaussian(r, tau) + sum / h;
    }
}

static void trend_sd_should_recover_a_known_value_over_seeds(void **st)
{
    (void)st;
    const double tau = 0.015, sigma = 0.02, phi = 0.5;
    const size_t n = 400;
    static double d[400], v[400];
    double noise = sp_fit_ar1_mean_var(sigma, phi, 5);
    for (size_t k = 0; k < n; k++)
        v[k] = noise;
    /* Asymptotic se of the moment estimator: sqrt(2 / n) (tau^2 + V) /
     * (2 tau). */
    double se = sqrt(2.0 / n) * (tau * tau + noise) / (2.0 * tau);
    for (unsigned long seed = 1; seed <= 4; seed++) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, seed);
        simulate_departures(r, tau, sigma, phi, 5, n, d);
        sp_fit_trend t;
        sp_error err;
        assert_int_equal(sp_fit_trend_sd(d, v, n, 0.9, &t, &err), SP_OK);
        if (fabs(t.tau - tau) > 4.0 * se)
            fail_msg("seed %lu: trend_sd %g, true %g, 4 se %g", seed, t.tau,
                     tau, 4.0 * se);
        assert_true(fabs(t.tau_se - se) < 0.5 * se);
        assert_true(t.tau_lo <= t.tau && t.tau <= t.tau_hi);
        gsl_rng_free(r);
    }
}

static void trend_sd_interval_should_cover_at_its_level(void **st)
{
    (void)st;
    const double tau = 0.02, sigma = 0.01, phi = 0.3;
    const int reps = 1000;
    double d[8], v[8];
    for (int k = 0; k < 8; k++)
        v[k] = sp_fit_ar1_mean_var(sigma, phi, 5);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 17);
    int covered = 0;
    for (int i = 0; i < reps; i++) {
        simulate_departures(r, tau, sigma, phi, 5, 8, d);
        sp_fit_trend t;
        sp_error err;
        assert_int_equal(sp_fit_trend_sd(d, v, 8, 0.9, &t, &err), SP_OK);
        covered += t.tau_lo <= tau && tau <= t.tau_hi;
    }
    /* Exact for normal departures with equal noise: coverage 0.9 within 4
     * binomial standard errors. */
    double tol = 4.0 * sqrt(0.9 * 0.1 / reps);
    assert_true(fabs((double)covered / reps - 0.9) < tol);
    gsl_rng_free(r);
}

static void
trend_sd_should_match_its_closed_form_and_refuse_bad_input(void **st)
{
    (void)st;
    const double d[3] = {0.01, -0.02, 0.03}, v[3] = {1e-4, 1e-4, 1e-4};
    sp_fit_trend t;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(sp_fit_trend_sd(d, v, 3, 0.9, &t, &err), SP_OK);
    double ms = (1e-4 + 4e-4 + 9e-4) / 3.0;
    assert_true(fabs(t.mean_sq - ms) < 1e-18);
    assert_true(fabs(t.tau - sqrt(ms - 1e-4)) < 1e-15);
    assert_true(fabs(t.bias - 0.02 / 3.0) < 1e-17);
    double hi = sqrt(3.0 * ms / gsl_cdf_chisq_Pinv(0.05, 3.0) - 1e-4);
    double lo2 = 3.0 * ms / gsl_cdf_chisq_Pinv(0.95, 3.0) - 1e-4;
    assert_true(fabs(t.tau_hi - hi) < 1e-15);
    assert_true(fabs(t.tau_lo - (lo2 > 0 ? sqrt(lo2) : 0.0)) < 1e-15);
    /* All noise: trend_sd 0 and no standard error. */
    const double big[3] = {1.0, 1.0, 1.0};
    assert_int_equal(sp_fit_trend_sd(d, big, 3, 0.9, &t, &err), SP_OK);
    assert_true(t.tau == 0.0 && isnan(t.tau_se) && t.tau_lo == 0.0);
    assert_int_equal(sp_fit_trend_sd(d, v, 2, 0.9, &t, &err), SP_ERR_RANGE);
    const double bad[3] = {0.01, NAN, 0.0}, neg[3] = {1e-4, -1e-4, 1e-4};
    assert_int_equal(sp_fit_trend_sd(bad, v, 3, 0.9, &t, &err), SP_ERR_RANGE);
    assert_int_equal(sp_fit_trend_sd(d, neg, 3, 0.9, &t, &err), SP_ERR_RANGE);
    assert_int_equal(sp_fit_trend_sd(d, v, 3, 1.0, &t, &err), SP_ERR_RANGE);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loglik_should_equal_the_multivariate_normal_density),
        cmocka_unit_test(mle_should_recover_known_parameters_over_seeds),
        cmocka_unit_test(mle_should_recover_parameters_from_a_gappy_series),
        cmocka_unit_test(mle_should_be_a_maximum_of_the_likelihood),
        cmocka_unit_test(standard_errors_should_cover_at_the_nominal_rate),
        cmocka_unit_test(mle_should_refuse_short_disordered_or_constant_series),
        cmocka_unit_test(correlation_should_recover_a_known_rho),
        cmocka_unit_test(period_mean_variance_should_equal_the_covariance_sum),
        cmocka_unit_test(trend_sd_should_recover_a_known_value_over_seeds),
        cmocka_unit_test(trend_sd_interval_should_cover_at_its_level),
        cmocka_unit_test(
            trend_sd_should_match_its_closed_form_and_refuse_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
