/*
 * Tests of model/sp_score: the PIT of a normal projection is its
 * distribution function; the sample CRPS equals its definition and, for a
 * normal sample, the closed form; interval coverage and the verdict tell a
 * calibrated projection from one with halved or doubled uncertainty; the
 * Brier score and the reliability table equal their definitions on cases
 * computed by hand, and tell right probabilities from over-confident ones.
 *
 * Tolerances: a PIT from n draws is within 4 sqrt(F (1 - F) / n) of F;
 * the CRPS of the n-point quantile sample of N(mu, s^2) differs from the
 * closed form by O(s / n), checked at 10 s / n; the Brier score of right
 * probabilities is within 4 of its sds (the sd of BS - E, sp_score.h) of
 * its expectation E.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <stdlib.h>
#include <string.h>

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

/* The counting PIT and the sorted sample's PIT agree exactly, ties
 * included (mid-rank), and so do the sort and quantile helpers with the
 * order statistics worked by hand. */
static void unsorted_pit_should_equal_the_sorted_one(void **state)
{
    (void)state;
    double x[] = {0.3, -1.0, 0.3, 2.5, 0.0, 0.3, -0.2, 1.0};
    size_t n = sizeof x / sizeof *x;
    double y[] = {-2.0, -1.0, 0.0, 0.3, 0.31, 2.5, 3.0};
    double u[8];
    memcpy(u, x, sizeof x);
    sp_score_sort(x, n);
    for (size_t k = 0; k + 1 < n; k++)
        assert_true(x[k] <= x[k + 1]);
    for (size_t k = 0; k < sizeof y / sizeof *y; k++)
        assert_true(sp_score_pit_unsorted(u, n, y[k]) ==
                    sp_score_pit(x, n, y[k]));
    /* 0.3 three times among 8, 3 values below it: (3 + 1.5) / 8 */
    assert_true(sp_score_pit_unsorted(u, n, 0.3) == 4.5 / 8.0);
    /* sorted: -1 -0.2 0 0.3 0.3 0.3 1 2.5; type 7: h = q (n - 1) */
    assert_true(sp_score_quantile(x, n, 0.0) == -1.0);
    assert_true(sp_score_quantile(x, n, 1.0) == 2.5);
    assert_true(fabs(sp_score_quantile(x, n, 0.5) - 0.3) < 1e-15);
    assert_true(fabs(sp_score_quantile(x, n, 0.25) - (-0.2 + 0.75 * 0.2)) <
                1e-15);
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

/* Four forecasts worked by hand: (p - o)^2 = 0.01, 0.36, 0.04, 0.81. */
static void brier_should_equal_its_definition_worked_by_hand(void **st)
{
    (void)st;
    const double p[4] = {0.1, 0.4, 0.8, 0.9};
    const unsigned char o[4] = {0, 1, 1, 0};
    sp_brier b;
    sp_score_brier(p, o, 4, &b);
    assert_int_equal(b.n, 4);
    assert_close(b.brier, 1.22 / 4.0, 1e-15);
    /* sample sd of the four squares about 0.305, over sqrt(4) */
    assert_close(b.brier_se, sqrt(0.4153 / 3.0 / 4.0), 1e-15);
    assert_close(b.base_rate, 0.5, 1e-15);
    assert_close(b.brier_climatology, 0.25, 1e-15);
    assert_close(b.skill, 1.0 - 0.305 / 0.25, 1e-14);
    /* p (1 - p) = 0.09, 0.24, 0.16, 0.09 */
    assert_close(b.expected, 0.58 / 4.0, 1e-15);
    /* p (1 - p) (1 - 2p)^2 = 0.0576, 0.0096, 0.0576, 0.0576 */
    assert_close(b.expected_se, sqrt(0.1824) / 4.0, 1e-15);
    /* BS - E = mean (o - p)(1 - 2p) = (-0.08 + 0.12 - 0.12 + 0.72) / 4 */
    assert_close(b.z, 0.16 / (sqrt(0.1824) / 4.0), 1e-12);
}

static void brier_should_say_what_is_not_defined(void **st)
{
    (void)st;
    sp_brier b;
    sp_score_brier(NULL, NULL, 0, &b);
    assert_int_equal(b.n, 0);
    assert_true(isnan(b.brier) && isnan(b.brier_se) && isnan(b.base_rate));
    assert_true(isnan(b.skill) && isnan(b.expected) && isnan(b.z));
    /* every event happened: the climatology is perfect, skill undefined;
     * p = 0.5 everywhere: the sd of BS - E is 0, z undefined */
    const double p[2] = {0.5, 0.5};
    const unsigned char o[2] = {1, 1};
    sp_score_brier(p, o, 2, &b);
    assert_close(b.brier, 0.25, 1e-15);
    assert_close(b.brier_climatology, 0.0, 0.0);
    assert_true(isnan(b.skill) && isnan(b.z));
    assert_close(b.brier_se, 0.0, 0.0);
    sp_score_brier(p, o, 1, &b);
    assert_true(isnan(b.brier_se));
}

/* Seven forecasts in 10 bins: bin 0 gets 0.05, 0.05 and 0 (one event),
 * bin 1 gets 0.15 (none), bin 5 0.55 (one), bin 9 0.95 and 1 (two). */
static void reliability_should_bin_by_hand(void **st)
{
    (void)st;
    const double p[7] = {0.05, 0.05, 0.15, 0.55, 0.95, 1.0, 0.0};
    const unsigned char o[7] = {0, 1, 0, 1, 1, 1, 0};
    sp_reliability_bin b[10];
    sp_score_reliability(p, o, 7, 10, b);
    const size_t n[10] = {3, 1, 0, 0, 0, 1, 0, 0, 0, 2};
    const size_t met[10] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 2};
    for (int k = 0; k < 10; k++) {
        assert_close(b[k].lo, k / 10.0, 1e-15);
        assert_close(b[k].hi, (k + 1) / 10.0, 1e-15);
        assert_int_equal(b[k].n, n[k]);
        assert_int_equal(b[k].met, met[k]);
        if (n[k] == 0)
            assert_true(isnan(b[k].p_mean) && isnan(b[k].observed) &&
                        isnan(b[k].observed_lo) && isnan(b[k].observed_hi));
    }
    assert_close(b[0].p_mean, 0.1 / 3.0, 1e-15);
    assert_close(b[0].observed, 1.0 / 3.0, 1e-15);
    /* Wilson 95 % for 1 of 3, from its formula (doc/model.md §7.4) */
    assert_close(b[0].observed_lo, 0.06149194472039621, 1e-12);
    assert_close(b[0].observed_hi, 0.7923403991979522, 1e-12);
    assert_close(b[1].observed_lo, 0.0, 0.0);
    assert_close(b[1].observed_hi, 0.7934506856227626, 1e-12);
    assert_close(b[9].p_mean, 0.975, 1e-15);
    assert_close(b[9].observed, 1.0, 0.0);
    assert_close(b[9].observed_lo, 0.34238022750665303, 1e-12);
    assert_close(b[9].observed_hi, 1.0, 0.0);
}

/* 20 000 events drawn from their own p ~ U(0, 1): BS within 4 sd of E,
 * and every reliability bin's observed frequency within 4 binomial se of
 * its mean p. The same outcomes forecast over-confidently (p pushed
 * towards 0 and 1, logit times 3) score worse and fail Spiegelhalter's
 * test (z > 4); forecasting the base rate has skill 0 to rounding. */
static void brier_should_tell_right_from_over_confident_probabilities(void **s)
{
    (void)s;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 4);
    size_t n = 20000;
    double *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
    double *c = malloc(n * sizeof *c);
    unsigned char *o = malloc(n);
    for (size_t i = 0; i < n; i++) {
        p[i] = gsl_rng_uniform(r);
        o[i] = gsl_rng_uniform(r) < p[i];
        double l = 3.0 * log(p[i] / (1.0 - p[i]));
        q[i] = 1.0 / (1.0 + exp(-l));
    }
    sp_brier right, over, clim;
    sp_score_brier(p, o, n, &right);
    assert_within_sigma(right.brier, right.expected, right.expected_se, 4);
    assert_close(right.expected, 1.0 / 6.0, 4.0 * sqrt(1.0 / 180.0 / n));
    sp_reliability_bin b[10];
    sp_score_reliability(p, o, n, 10, b);
    for (int k = 0; k < 10; k++)
        assert_within_sigma(
            b[k].observed, b[k].p_mean,
            sqrt(b[k].p_mean * (1 - b[k].p_mean) / (double)b[k].n), 4);
    sp_score_brier(q, o, n, &over);
    assert_true(over.brier > right.brier + 4.0 * right.brier_se);
    assert_true(over.z > 4.0);
    for (size_t i = 0; i < n; i++)
        c[i] = right.base_rate;
    sp_score_brier(c, o, n, &clim);
    assert_close(clim.brier, right.brier_climatology, 1e-12);
    assert_close(clim.skill, 0.0, 1e-9);
    free(p);
    free(q);
    free(c);
    free(o);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pit_should_be_the_normal_distribution_function),
        cmocka_unit_test(unsorted_pit_should_equal_the_sorted_one),
        cmocka_unit_test(crps_should_equal_its_definition),
        cmocka_unit_test(crps_of_a_normal_sample_should_match_the_closed_form),
        cmocka_unit_test(coverage_should_use_the_central_interval),
        cmocka_unit_test(verdict_should_tell_halved_and_doubled_uncertainty),
        cmocka_unit_test(brier_should_equal_its_definition_worked_by_hand),
        cmocka_unit_test(brier_should_say_what_is_not_defined),
        cmocka_unit_test(reliability_should_bin_by_hand),
        cmocka_unit_test(
            brier_should_tell_right_from_over_confident_probabilities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
