/*
 * Tests of src/engine/sp_accum: histogram quantiles against exact sample
 * quantiles, exact merging, and order-independent pairwise sums.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sp_accum.h"
#include "sp_test.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Exact p-quantile of sorted x by the same rule (rank p n, linear). */
static double exact_quantile(const double *x, size_t n, double p)
{
    double h = p * (double)n - 0.5;
    size_t i = (size_t)floor(h);
    double f = h - (double)i;
    return i + 1 < n ? x[i] + f * (x[i + 1] - x[i]) : x[n - 1];
}

/* Quantiles from the histogram must be within 0.1 % of (p95 - p05) of
 * the exact sample quantiles (doc/model.md §8.3). */
static void check_quantiles(double (*draw)(gsl_rng *))
{
    const size_t n = 200000, pilot = 4096;
    double *x = malloc(n * sizeof *x), *s = malloc(pilot * sizeof *s);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t i = 0; i < n; i++)
        x[i] = draw(r);
    memcpy(s, x, pilot * sizeof *s);
    double lo, hi;
    sp_accum_pilot_range(s, pilot, &lo, &hi);
    sp_accum *a = sp_accum_alloc(1, &lo, &hi);
    for (size_t i = 0; i < n; i++)
        sp_accum_add(a, 0, x[i]);
    qsort(x, n, sizeof *x, cmp);
    double spread = exact_quantile(x, n, 0.95) - exact_quantile(x, n, 0.05);
    const double ps[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int k = 0; k < 5; k++) {
        bool in_range;
        double q = sp_accum_quantile(a, 0, ps[k], &in_range);
        assert_true(in_range);
        assert_close(q, exact_quantile(x, n, ps[k]), 1e-3 * spread);
    }
    assert_true(sp_accum_bin_width(a, 0) <= 1e-3 * spread);
    assert_int_equal(sp_accum_count(a, 0), n);
    assert_close(sp_accum_min(a, 0), x[0], 0);
    assert_close(sp_accum_max(a, 0), x[n - 1], 0);
    sp_accum_free(a);
    gsl_rng_free(r);
    free(x);
    free(s);
}

static double draw_normal(gsl_rng *r)
{
    return 3.0 + 0.2 * gsl_ran_gaussian(r, 1);
}
static double draw_t3(gsl_rng *r)
{
    return gsl_ran_tdist(r, 3.0);
}
static double draw_lognormal(gsl_rng *r)
{
    return gsl_ran_lognormal(r, 0, 0.5);
}

static void quantiles_should_be_accurate_for_normal(void **state)
{
    (void)state;
    check_quantiles(draw_normal);
}

static void quantiles_should_be_accurate_for_heavy_tails(void **state)
{
    (void)state;
    check_quantiles(draw_t3);
}

static void quantiles_should_be_accurate_for_skewed(void **state)
{
    (void)state;
    check_quantiles(draw_lognormal);
}

static void constant_quantity_should_give_exact_quantiles(void **state)
{
    (void)state;
    double s[10] = {17359.8, 17359.8, 17359.8, 17359.8, 17359.8,
                    17359.8, 17359.8, 17359.8, 17359.8, 17359.8};
    double lo, hi;
    sp_accum_pilot_range(s, 10, &lo, &hi);
    sp_accum *a = sp_accum_alloc(1, &lo, &hi);
    for (int i = 0; i < 1000; i++)
        sp_accum_add(a, 0, 17359.8);
    assert_true(sp_accum_quantile(a, 0, 0.05, NULL) == 17359.8);
    assert_true(sp_accum_quantile(a, 0, 0.95, NULL) == 17359.8);
    sp_accum_free(a);
}

static void merged_halves_should_equal_the_whole(void **state)
{
    (void)state;
    double lo = -4, hi = 4;
    sp_accum *whole = sp_accum_alloc(1, &lo, &hi);
    sp_accum *h1 = sp_accum_alloc(1, &lo, &hi);
    sp_accum *h2 = sp_accum_alloc(1, &lo, &hi);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < 50000; i++) {
        double v = gsl_ran_gaussian(r, 1.0);
        sp_accum_add(whole, 0, v);
        sp_accum_add(i % 3 ? h1 : h2, 0, v);
    }
    sp_accum_merge(h1, h2);
    const double ps[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int k = 0; k < 5; k++)
        assert_true(sp_accum_quantile(h1, 0, ps[k], NULL) ==
                    sp_accum_quantile(whole, 0, ps[k], NULL));
    assert_int_equal(sp_accum_count(h1, 0), 50000);
    gsl_rng_free(r);
    sp_accum_free(whole);
    sp_accum_free(h1);
    sp_accum_free(h2);
}

/* The total of pushed blocks is the pairwise sum: for 5 blocks it is
 * ((v0 + v1) + (v2 + v3)) + v4, whatever the magnitudes. */
static void sumstack_should_add_in_a_fixed_pairwise_order(void **state)
{
    (void)state;
    sp_sumstack t;
    assert_true(sp_sumstack_init(&t, 1));
    double v[5] = {1e16, 1.0, -1e16, 1.0, 0.5};
    for (int i = 0; i < 5; i++)
        assert_true(sp_sumstack_push(&t, (uint64_t)i, 0, &v[i]));
    double total;
    sp_sumstack_total(&t, &total);
    double expected = ((v[0] + v[1]) + (v[2] + v[3])) + v[4];
    assert_true(total == expected);
    assert_int_equal(sp_sumstack_end(&t), 5);
    /* A block that does not continue the stack is refused. */
    assert_false(sp_sumstack_push(&t, 7, 0, &v[0]));
    sp_sumstack_destroy(&t);
}

/* Stacks built over slices and appended in order are bit for bit the
 * stack of all blocks pushed one by one, for any cut points. */
static void sumstack_should_not_depend_on_how_blocks_are_sliced(void **state)
{
    (void)state;
    enum { N = 1000 };
    static double v[N][2];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < N; i++) {
        v[i][0] =
            gsl_ran_gaussian(r, 1.0) * pow(10.0, gsl_rng_uniform_int(r, 12));
        v[i][1] = gsl_rng_uniform(r);
    }
    sp_sumstack whole;
    sp_sumstack_init(&whole, 2);
    for (int i = 0; i < N; i++)
        sp_sumstack_push(&whole, (uint64_t)i, 0, v[i]);
    double expected[2];
    sp_sumstack_total(&whole, expected);
    for (int trial = 0; trial < 50; trial++) {
        int cuts = 1 + (int)gsl_rng_uniform_int(r, 7);
        int at[9] = {0};
        for (int c = 1; c <= cuts; c++)
            at[c] = (int)gsl_rng_uniform_int(r, N);
        at[cuts + 1] = N;
        /* sort the cut points */
        for (int a = 1; a <= cuts; a++)
            for (int b2 = a + 1; b2 <= cuts; b2++)
                if (at[b2] < at[a]) {
                    int x = at[a];
                    at[a] = at[b2];
                    at[b2] = x;
                }
        sp_sumstack all;
        sp_sumstack_init(&all, 2);
        for (int c = 0; c <= cuts; c++) {
            sp_sumstack part;
            sp_sumstack_init(&part, 2);
            for (int i = at[c]; i < at[c + 1]; i++)
                sp_sumstack_push(&part, (uint64_t)i, 0, v[i]);
            assert_true(sp_sumstack_append(&all, &part));
            sp_sumstack_destroy(&part);
        }
        double total[2];
        sp_sumstack_total(&all, total);
        assert_true(total[0] == expected[0] && total[1] == expected[1]);
        assert_int_equal(all.depth, whole.depth);
        sp_sumstack_destroy(&all);
    }
    sp_sumstack_destroy(&whole);
    gsl_rng_free(r);
}

/* The pilot range is built from the exact 2.5 % and 97.5 % order
 * statistics (found by selection, checked here against a full sort), for
 * samples with ties and odd sizes. */
/* sp_accum_add_row against sp_accum_add value by value and the sum in the
 * order its header states (chunks of 256, value d in partial sum d mod 4,
 * (s0 + s1) + (s2 + s3)): the same bins, count, min and max, and the same
 * sum bit for bit, for lengths that do and do not fill a chunk or a lane,
 * with values in both tails and, in one case, NaNs and infinities in the
 * row, which are skipped. */
static void add_row_should_equal_value_by_value(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 11);
    const size_t lengths[] = {1, 3, 4, 255, 256, 257, 1000, 1027};
    double lo = -2.0, hi = 2.0, v[1027];
    for (size_t c = 0; c < 2 * sizeof lengths / sizeof *lengths; c++) {
        size_t n = lengths[c / 2];
        bool special = c % 2 == 1;
        for (size_t d = 0; d < n; d++) {
            v[d] = 3.0 * gsl_ran_gaussian(r, 1.0); /* some out of range */
            if (special && d % 97 == 5)
                v[d] = d % 3 == 0 ? NAN : d % 3 == 1 ? INFINITY : -INFINITY;
        }
        sp_accum *a = sp_accum_alloc(1, &lo, &hi);
        sp_accum *b = sp_accum_alloc(1, &lo, &hi);
        assert_non_null(a);
        assert_non_null(b);
        double sum = sp_accum_add_row(a, 0, v, n);
        double lanes[4] = {0.0};
        size_t kept = 0;
        for (size_t first = 0; first < n; first += 256) {
            double part[4] = {0.0};
            for (size_t d = first; d < n && d < first + 256; d++)
                if (isfinite(v[d])) {
                    part[(d - first) % 4] += v[d];
                    sp_accum_add(b, 0, v[d]);
                    kept++;
                }
            for (int l = 0; l < 4; l++)
                lanes[l] += part[l];
        }
        double want = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
        assert_memory_equal(&sum, &want, sizeof sum);
        assert_int_equal(sp_accum_count(a, 0), kept);
        assert_true(sp_accum_min(a, 0) == sp_accum_min(b, 0));
        assert_true(sp_accum_max(a, 0) == sp_accum_max(b, 0));
        for (int k = 1; k < 100; k++) {
            double p = k / 100.0;
            assert_true(sp_accum_quantile(a, 0, p, NULL) ==
                        sp_accum_quantile(b, 0, p, NULL));
        }
        sp_accum_free(a);
        sp_accum_free(b);
    }
    gsl_rng_free(r);
}

static void pilot_range_should_use_exact_order_statistics(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    const size_t sizes[] = {1, 2, 7, 100, 4096, 4097};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        for (size_t i = 0; i < n; i++)
            x[i] = y[i] = floor(10.0 * gsl_ran_gaussian(r, 1.0)); /* ties */
        qsort(y, n, sizeof *y, cmp);
        double a = y[(size_t)floor(0.025 * (double)(n - 1))];
        double b = y[(size_t)ceil(0.975 * (double)(n - 1))];
        double lo, hi;
        sp_accum_pilot_range(x, n, &lo, &hi);
        if (b > a) {
            assert_close(lo, a - 0.25 * (b - a), 1e-12);
            assert_close(hi, b + 0.25 * (b - a), 1e-12);
        } else {
            assert_true(lo < a && hi > a);
        }
        free(x);
        free(y);
    }
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quantiles_should_be_accurate_for_normal),
        cmocka_unit_test(quantiles_should_be_accurate_for_heavy_tails),
        cmocka_unit_test(quantiles_should_be_accurate_for_skewed),
        cmocka_unit_test(constant_quantity_should_give_exact_quantiles),
        cmocka_unit_test(pilot_range_should_use_exact_order_statistics),
        cmocka_unit_test(merged_halves_should_equal_the_whole),
        cmocka_unit_test(add_row_should_equal_value_by_value),
        cmocka_unit_test(sumstack_should_add_in_a_fixed_pairwise_order),
        cmocka_unit_test(sumstack_should_not_depend_on_how_blocks_are_sliced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
