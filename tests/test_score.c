/*
 * Tests of model/sp_score: the PIT of a normal projection is its
 * distribution function; the sample CRPS equals its definition and, for a
 * normal sample, the closed form; interval coverage and the verdict tell a
 * calibrated projection from one with halved or doubled uncertainty.
 *
 * Tolerances: a PIT from n draws is within 4 sqrt(F (1 - F) / n) of F;
 * the CRPS of the n-point quantile sample of N(mu, s^2) differs from the
 * closed form by O(s / n), checked at 10 s / n.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <stdlib.h>

#include "sp_score.h"
#include "sp_test.h"

static void pit_should_be_the_normal_distribution_function(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    size_t n = 100000;
    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = 0.02 + 0.01 * gsl_ran_gaussian(r, 1.0);
    gsl_sort(x, 1, n);
    const double ys[5] = {-0.01, 0.01, 0.02, 0.035, 0.05};
    for (int k = 0; k < 5; k++) {
        double F = gsl_cdf_gaussian_P(ys[k] - 0.02, 0.01);
        assert_within_sigma(sp_score_pit(x, n, ys[k]), F,
                            sqrt(F * (1 - F) / (double)n) + 1e-12, 4);
    }
    assert_true(sp_score_pit(x, n, -1.0) == 0.0);
    assert_true(sp_score_pit(x, n, 1.0) == 1.0);
    const double ties[4] = {1.0, 1.0, 1.0, 1.0};
    assert_true(sp_score_pit(ties, 4, 1.0) == 0.5);
    free(x);
    gsl_rng_free(r);
}

static void crps_should_equal_its_definition(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2);
    double x[50];
    for (int i = 0; i < 50; i++)
        x[i] = gsl_ran_gaussian(r, 1.0);
    gsl_sort(x, 1, 50);
    const double ys[3] = {-3.0, 0.1, 0.7};
    for (int k = 0; k < 3; k++) {
        double a = 0.0, b = 0.0;
        for (int i = 0; i < 50; i++) {
            a += fabs(x[i] - ys[k]);
            for (int j = 0; j < 50; j++)
                b += fabs(x[i] - x[j]);
        }
        double def = a / 50.0 - b / (2.0 * 50.0 * 50.0);
        assert_close(sp_score_crps_sample(x, 50, ys[k]), def, 1e-12);
    }
    gsl_rng_free(r);
}

static void crps_of_a_normal_sample_should_match_the_closed_form(void **st)
{
    (void)st;
    size_t n = 20000;
    double *x = malloc(n * sizeof *x);
    const double mu = 0.05, s = 0.02;
    for (size_t i = 0; i < n; i++)
        x[i] = mu + s * gsl_cdf_ugaussian_Pinv(((double)i + 0.5) / (double)n);
    const double ys[4] = {0.05, 0.03, 0.09, -0.1};
    for (int k = 0; k < 4; k++)
        assert_close(sp_score_crps_sample(x, n, ys[k]),
                     sp_score_crps_normal(mu, s, ys[k]), 10.0 * s / (double)n);
    /* Closed-form values: at the mean, s (2 phi(0) - 1 / sqrt(pi)). */
    assert_close(sp_score_crps_normal(0.0, 1.0, 0.0),
                 2.0 * 0.3989422804014327 - 0.5641895835477563, 1e-15);
    free(x);
}

static void coverage_should_use_the_central_interval(void **state)
{
    (void)state;
    assert_true(sp_score_covered(0.05, 0.9));
    assert_true(sp_score_covered(0.95, 0.9));
    assert_false(sp_score_covered(0.049, 0.9));
    assert_true(sp_score_covered(0.5, 0.5));
    assert_false(sp_score_covered(0.8, 0.5));
}

/* Outcomes y ~ N(0, 1) scored against N(0, s^2): s = 1 is calibrated,
 * s = 0.5 over-confident (90 % intervals hold 59 %), s = 2 under-confident
 * (they hold 99.9 %). */
static void verdict_should_tell_halved_and_doubled_uncertainty(void **st)
{
    (void)st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    size_t n = 2000, inside[3] = {0, 0, 0};
    const double s[3] = {1.0, 0.5, 2.0};
    for (size_t i = 0; i < n; i++) {
        double y = gsl_ran_gaussian(r, 1.0);
        for (int k = 0; k < 3; k++)
            inside[k] +=
                (size_t)sp_score_covered(gsl_cdf_gaussian_P(y, s[k]), 0.9);
    }
    double se;
    assert_int_equal(sp_score_verdict(inside[0], n, &se),
                     SP_VERDICT_CALIBRATED);
    assert_close(se, sqrt(0.09 / 2000.0), 1e-15);
    assert_int_equal(sp_score_verdict(inside[1], n, &se),
                     SP_VERDICT_OVER_CONFIDENT);
    assert_int_equal(sp_score_verdict(inside[2], n, &se),
                     SP_VERDICT_UNDER_CONFIDENT);
    assert_string_equal(sp_verdict_name(SP_VERDICT_OVER_CONFIDENT),
                        "over-confident");
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pit_should_be_the_normal_distribution_function),
        cmocka_unit_test(crps_should_equal_its_definition),
        cmocka_unit_test(crps_of_a_normal_sample_should_match_the_closed_form),
        cmocka_unit_test(coverage_should_use_the_central_interval),
        cmocka_unit_test(verdict_should_tell_halved_and_doubled_uncertainty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
