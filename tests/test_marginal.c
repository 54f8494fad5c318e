/*
 * Tests of model/sp_marginal: closed forms of the split normal, unit
 * variance of t and uniform, and the copula transform.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sp_marginal.h"
#include "sp_test.h"

/* Closed form of the Bank of England two-piece normal with mode 0. */
static double split_cdf_closed(double skew, double x)
{
    double s1 = 1.0 / sqrt(1.0 + skew), s2 = 1.0 / sqrt(1.0 - skew);
    if (x < 0)
        return 2.0 * s1 / (s1 + s2) * gsl_cdf_ugaussian_P(x / s1);
    return 2.0 * s1 / (s1 + s2) * 0.5 +
           2.0 * s2 / (s1 + s2) * (gsl_cdf_ugaussian_P(x / s2) - 0.5);
}

static void split_normal_cdf_should_match_closed_form(void **state)
{
    (void)state;
    const double skews[] = {-0.6, -0.2, 0.0, 0.3, 0.8};
    for (int i = 0; i < 5; i++) {
        sp_marginal m = {SP_FAMILY_SPLIT_NORMAL, 0.0, skews[i]};
        for (double x = -5.0; x <= 5.0; x += 0.25)
            assert_close(sp_marginal_cdf(&m, x), split_cdf_closed(skews[i], x),
                         1e-14);
    }
}

static void split_normal_quantile_should_invert_cdf(void **state)
{
    (void)state;
    const double skews[] = {-0.6, 0.0, 0.3, 0.8};
    for (int i = 0; i < 4; i++) {
        sp_marginal m = {SP_FAMILY_SPLIT_NORMAL, 0.0, skews[i]};
        for (double p = 0.001; p < 1.0; p += 0.0125) {
            double x = sp_marginal_quantile(&m, p);
            assert_close(split_cdf_closed(skews[i], x), p, 1e-12);
        }
        /* The mode 0 has probability s1 / (s1 + s2) below it. */
        double s1 = 1.0 / sqrt(1.0 + skews[i]), s2 = 1.0 / sqrt(1.0 - skews[i]);
        assert_close(sp_marginal_quantile(&m, s1 / (s1 + s2)), 0.0, 1e-12);
    }
}

static void copula_transform_should_equal_quantile_of_phi(void **state)
{
    (void)state;
    sp_marginal ms[] = {{SP_FAMILY_SPLIT_NORMAL, 0, 0.4},
                        {SP_FAMILY_T, 5.0, 0},
                        {SP_FAMILY_UNIFORM, 0, 0},
                        {SP_FAMILY_NORMAL, 0, 0}};
    for (int i = 0; i < 4; i++)
        for (double z = -4.0; z <= 4.0; z += 0.5) {
            double x = sp_marginal_from_normal(&ms[i], z);
            assert_close(sp_marginal_cdf(&ms[i], x), gsl_cdf_ugaussian_P(z),
                         1e-10);
        }
}

/* Sample mean and variance of n transformed normals. The variance of the
 * sample variance is (mu4 - sigma^4) / n, with mu4 the fourth central
 * moment: 9/5 for the unit uniform, 3 (df - 2) / (df - 4) for the unit t. */
static void sample_moments(const sp_marginal *m, size_t n, double *mean,
                           double *var)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = sp_marginal_from_normal(m, gsl_ran_gaussian_ziggurat(r, 1));
        s += x;
        s2 += x * x;
    }
    gsl_rng_free(r);
    *mean = s / (double)n;
    *var = s2 / (double)n - *mean * *mean;
}

static void t_and_uniform_should_have_unit_variance(void **state)
{
    (void)state;
    const size_t n = 400000;
    struct {
        sp_marginal m;
        double mu4;
    } cases[] = {{{SP_FAMILY_UNIFORM, 0, 0}, 9.0 / 5.0},
                 {{SP_FAMILY_T, 10.0, 0}, 3.0 * 8.0 / 6.0},
                 {{SP_FAMILY_T, 6.0, 0}, 3.0 * 4.0 / 2.0}};
    for (int i = 0; i < 3; i++) {
        double mean, var;
        sample_moments(&cases[i].m, n, &mean, &var);
        assert_within_sigma(var, 1.0, sqrt((cases[i].mu4 - 1.0) / (double)n),
                            4.0);
        assert_within_sigma(mean, 0.0, sqrt(1.0 / (double)n), 4.0);
        assert_close(sp_marginal_variance(&cases[i].m), 1.0, 0.0);
    }
}

static void split_normal_moments_should_match_sample(void **state)
{
    (void)state;
    const size_t n = 400000;
    sp_marginal m = {SP_FAMILY_SPLIT_NORMAL, 0, 0.5};
    double mean, var;
    sample_moments(&m, n, &mean, &var);
    double v = sp_marginal_variance(&m);
    assert_within_sigma(mean, sp_marginal_mean(&m), sqrt(v / (double)n), 4.0);
    /* Fourth moment of a skewed two-piece normal is below 4 v^2 for
     * |skew| <= 0.5, which bounds the sample variance's variance. */
    assert_within_sigma(var, v, sqrt(3.0 * v * v / (double)n), 4.0);
}

/* The table's error against the exact transform, at 200,000 random points
 * over the whole grid, stays within its stated tolerance. */
static void transform_table_should_meet_its_error_bound(void **state)
{
    (void)state;
    sp_marginal ms[] = {{SP_FAMILY_T, 2.1, 0},
                        {SP_FAMILY_T, 5.0, 0},
                        {SP_FAMILY_T, 30.0, 0},
                        {SP_FAMILY_UNIFORM, 0, 0},
                        {SP_FAMILY_SPLIT_NORMAL, 0, -0.9},
                        {SP_FAMILY_SPLIT_NORMAL, 0, 0.3}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) {
        sp_marginal_table *t;
        assert_true(sp_marginal_table_alloc(&ms[i], &t));
        assert_non_null(t);
        assert_true(t->max_error <= SP_TABLE_TOL);
        double worst = 0;
        for (int k = 0; k < 200000; k++) {
            double z = -SP_TABLE_ZMAX + 2 * SP_TABLE_ZMAX * gsl_rng_uniform(r);
            double exact = sp_marginal_from_normal(&ms[i], z);
            double err = fabs(sp_marginal_table_eval(t, z) - exact) /
                         (1.0 + fabs(exact));
            worst = err > worst ? err : worst;
        }
        if (!(worst <= SP_TABLE_TOL))
            fail_msg("family %d: error %.3g above %.3g", (int)i, worst,
                     SP_TABLE_TOL);
        /* Outside the grid the exact transform is used. */
        assert_true(sp_marginal_table_eval(t, 9.0) ==
                    sp_marginal_from_normal(&ms[i], 9.0));
        sp_marginal_table_free(t);
    }
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_normal_cdf_should_match_closed_form),
        cmocka_unit_test(split_normal_quantile_should_invert_cdf),
        cmocka_unit_test(copula_transform_should_equal_quantile_of_phi),
        cmocka_unit_test(t_and_uniform_should_have_unit_variance),
        cmocka_unit_test(split_normal_moments_should_match_sample),
        cmocka_unit_test(transform_table_should_meet_its_error_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
