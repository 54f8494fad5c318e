/*
 * Tests of model/sp_sobol: the defining properties of a Sobol' sequence
 * and of its randomisations. (tests/cli/test_sobol.sh compares the
 * unscrambled points with SciPy's.)
 */
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "sp_sobol.h"
#include "sp_test.h"

/* Dimension 0 in Gray code order: 0, 1/2, 3/4, 1/4, 3/8, 7/8, 5/8, 1/8. */
static void first_dimension_should_be_van_der_corput_in_gray_order(void **st)
{
    (void)st;
    sp_sobol *s = sp_sobol_alloc(1);
    assert_non_null(s);
    const double want[8] = {0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125};
    for (int i = 0; i < 8; i++, sp_sobol_next(s))
        assert_true(s->x[0] == (uint32_t)(want[i] * 0x1p32));
    sp_sobol_free(s);
}

/* Checks that the first 2^m points of every dimension fall one in each
 * interval of width 2^-m. */
static void check_stratified(sp_sobol *s, int m)
{
    size_t n = (size_t)1 << m;
    unsigned char *seen = malloc(n * s->dim);
    assert_non_null(seen);
    memset(seen, 0, n * s->dim);
    sp_sobol_seek(s, 0);
    for (size_t i = 0; i < n; i++, sp_sobol_next(s))
        for (size_t j = 0; j < s->dim; j++) {
            size_t cell = s->x[j] >> (SP_SOBOL_BITS - m);
            if (seen[j * n + cell]++)
                fail_msg("dimension %zu: two of %zu points in cell %zu", j, n,
                         cell);
        }
    free(seen);
}

static void every_dimension_should_be_stratified(void **st)
{
    (void)st;
    sp_sobol *s = sp_sobol_alloc(SP_SOBOL_MAX_DIM);
    assert_non_null(s);
    check_stratified(s, 10);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 11);
    sp_sobol_scramble(s, r);
    check_stratified(s, 10);
    gsl_rng_free(r);
    sp_sobol_free(s);
}

/* Dimensions 0 and 1 form a (0, m, 2)-net: each box of 2^-a by 2^-(m-a)
 * holds one of the first 2^m points, scrambled or not. */
static void check_net(sp_sobol *s, int m)
{
    size_t n = (size_t)1 << m;
    unsigned char *seen = malloc(n);
    assert_non_null(seen);
    for (int a = 0; a <= m; a++) {
        memset(seen, 0, n);
        sp_sobol_seek(s, 0);
        for (size_t i = 0; i < n; i++, sp_sobol_next(s)) {
            size_t c0 = a ? s->x[0] >> (SP_SOBOL_BITS - a) : 0;
            size_t c1 = m - a ? s->x[1] >> (SP_SOBOL_BITS - (m - a)) : 0;
            if (seen[(c0 << (m - a)) | c1]++)
                fail_msg("box %zu,%zu of 2^-%d x 2^-%d holds two points", c0,
                         c1, a, m - a);
        }
    }
    free(seen);
}

static void first_two_dimensions_should_be_a_zero_net(void **st)
{
    (void)st;
    sp_sobol *s = sp_sobol_alloc(2);
    assert_non_null(s);
    check_net(s, 12);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 3);
    sp_sobol_scramble(s, r);
    check_net(s, 12);
    gsl_rng_free(r);
    sp_sobol_free(s);
}

/* sp_sobol_seek(i) gives the point reached by i steps of sp_sobol_next. */
static void seek_should_equal_stepping(void **st)
{
    (void)st;
    sp_sobol *s = sp_sobol_alloc(64), *t = sp_sobol_alloc(64);
    assert_non_null(s);
    assert_non_null(t);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 5);
    sp_sobol_scramble(s, r);
    gsl_rng_set(r, 5);
    sp_sobol_scramble(t, r);
    for (uint64_t i = 0; i < 5000; i++, sp_sobol_next(s)) {
        if (i % 997 == 0 || i == 4096) {
            sp_sobol_seek(t, i);
            assert_memory_equal(s->x, t->x, 64 * sizeof *s->x);
        }
    }
    gsl_rng_free(r);
    sp_sobol_free(s);
    sp_sobol_free(t);
}

/* A scrambled point is uniform on [0, 1): over 20 000 randomisations the
 * coordinate of a fixed point has mean 1/2 and variance 1/12, and the
 * coordinates of two dimensions are uncorrelated, each within 5 sd
 * (sd of the mean sqrt(1/12 / n); of the variance estimate sqrt(1/180 /
 * n), the uniform's fourth central moment being 1/80; of the product mean
 * sqrt(1/144 / n)). */
static void scrambled_points_should_be_uniform(void **st)
{
    (void)st;
    sp_sobol *s = sp_sobol_alloc(8);
    assert_non_null(s);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 1);
    const size_t n = 20000;
    double sum[8] = {0}, sq[8] = {0}, cross = 0.0;
    for (size_t k = 0; k < n; k++) {
        sp_sobol_scramble(s, r);
        sp_sobol_seek(s, 37);
        for (size_t j = 0; j < 8; j++) {
            double u = sp_sobol_uniform(s, j);
            assert_true(u > 0.0 && u < 1.0);
            sum[j] += u;
            sq[j] += (u - 0.5) * (u - 0.5);
        }
        cross +=
            (sp_sobol_uniform(s, 3) - 0.5) * (sp_sobol_uniform(s, 6) - 0.5);
    }
    for (size_t j = 0; j < 8; j++) {
        assert_within_sigma(sum[j] / n, 0.5, sqrt(1.0 / 12 / n), 5);
        assert_within_sigma(sq[j] / n, 1.0 / 12, sqrt(1.0 / 180 / n), 5);
    }
    assert_within_sigma(cross / n, 0.0, sqrt(1.0 / 144 / n), 5);
    gsl_rng_free(r);
    sp_sobol_free(s);
}

static void dimension_out_of_range_should_be_refused(void **st)
{
    (void)st;
    assert_null(sp_sobol_alloc(0));
    assert_null(sp_sobol_alloc(SP_SOBOL_MAX_DIM + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            first_dimension_should_be_van_der_corput_in_gray_order),
        cmocka_unit_test(every_dimension_should_be_stratified),
        cmocka_unit_test(first_two_dimensions_should_be_a_zero_net),
        cmocka_unit_test(seek_should_equal_stepping),
        cmocka_unit_test(scrambled_points_should_be_uniform),
        cmocka_unit_test(dimension_out_of_range_should_be_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
