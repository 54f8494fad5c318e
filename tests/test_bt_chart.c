/*
 * Tests of src/output/sp_bt_chart: what the back-test charts show, against
 * values computed by hand. The binomial intervals are the exact quantiles
 * of Binomial(n, 0.1) (cumulative sums of C(n, k) 0.1^k 0.9^(n-k)); the
 * coverage curves count PITs whose distance from 0.5 is at most half the
 * level, for PITs chosen away from every level's edge; the projections
 * chart takes the first region of an indicator and one run of scores per
 * origin.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sp_bt_chart.h"
#include "sp_test.h"

/* Binomial(10, 0.1): P(X <= 0) = 0.349 >= 0.05, and P(X <= 2) = 0.930 <
 * 0.95 <= P(X <= 3) = 0.987: [0, 3]. Binomial(81, 0.1): P(X <= 3) =
 * 0.0328 < 0.05 <= P(X <= 4) = 0.0827 and P(X <= 12) = 0.9415 < 0.95 <=
 * P(X <= 13) = 0.9705: [4, 13]. Binomial(100, 0.1): P(X <= 4) = 0.0237,
 * P(X <= 5) = 0.0576, P(X <= 14) = 0.9274, P(X <= 15) = 0.9601: [5, 15].
 * With n = 1, P(X <= 0) = 0.9 < 0.95: [0, 1]; with n = 0, [0, 0]. */
static void binomial_intervals_should_be_the_exact_quantiles(void **state)
{
    (void)state;
    static const size_t n[5] = {10, 81, 100, 1, 0};
    static const size_t lo[5] = {0, 4, 5, 0, 0}, hi[5] = {3, 13, 15, 1, 0};
    for (int k = 0; k < 5; k++) {
        size_t a = 99, b = 99;
        sp_bt_chart_binomial_interval(n[k], 0.1, 0.9, &a, &b);
        assert_int_equal(a, lo[k]);
        assert_int_equal(b, hi[k]);
    }
    /* A fair coin, 20 tosses, central 50 %: P(X <= 7) = 0.1316 < 0.25 <=
     * P(X <= 8) = 0.2517 and P(X <= 11) = 0.7483 < 0.75 <= P(X <= 12) =
     * 0.8684: [8, 12]. */
    size_t a, b;
    sp_bt_chart_binomial_interval(20, 0.5, 0.5, &a, &b);
    assert_int_equal(a, 8);
    assert_int_equal(b, 12);
}

/* The PIT histogram of the real back-test of doc/calibration.md: 81
 * values in bins 12 11 13 3 7 10 8 1 2 14; four bins (3, 1, 2 and 14)
 * are outside [4, 13]. 60 of 81 inside the 90 % intervals is 0.741, below
 * 0.9 - 2.576 sqrt(0.09 / 81) = 0.814: over-confident. */
static void the_pit_chart_should_count_bins_outside_the_uniform_range(void **s)
{
    (void)s;
    sp_bt_tally t = {.n = 81,
                     .in50 = 36,
                     .in90 = 60,
                     .pit = {12, 11, 13, 3, 7, 10, 8, 1, 2, 14}};
    sp_bt_chart_pit h;
    sp_bt_chart_pit_of(&t, &h);
    assert_int_equal(h.n, 81);
    assert_close(h.expected, 8.1, 1e-12);
    assert_int_equal(h.lo, 4);
    assert_int_equal(h.hi, 13);
    assert_int_equal(h.outside, 4);
    for (int k = 0; k < SP_BT_PIT_BINS; k++)
        assert_int_equal(h.count[k], t.pit[k]);
    assert_string_equal(h.verdict, "over-confident");
    t.in90 = 73; /* 0.901 */
    sp_bt_chart_pit_of(&t, &h);
    assert_string_equal(h.verdict, "calibrated");
}

/* Eight scores: indicator 0 with PITs 0.5, 0.47, 0.62, 0.21, 0.96
 * (distances from 0.5: 0, 0.03, 0.12, 0.29, 0.46), indicator 1 with
 * 0.03, 0.74, 0.33 (0.47, 0.24, 0.17). Level a holds the distances up to
 * a / 2. */
static void coverage_curves_should_count_pits_within_half_the_level(void **s)
{
    (void)s;
    static const double pit[8] = {0.5,  0.47, 0.62, 0.21,
                                  0.96, 0.03, 0.74, 0.33};
    sp_bt_score scores[8];
    memset(scores, 0, sizeof scores);
    for (int k = 0; k < 8; k++) {
        scores[k].region = "r";
        scores[k].pit = pit[k];
        scores[k].indicator = k < 5 ? 0 : 1;
    }
    sp_backtest b = {.n_scores = 8, .scores = scores, .n_indicators = 3};
    static const size_t pooled[9] = {2, 2, 3, 4, 5, 6, 6, 6, 6};
    static const size_t first[9] = {2, 2, 3, 3, 3, 4, 4, 4, 4};
    static const size_t second[9] = {0, 0, 0, 1, 2, 2, 2, 2, 2};
    sp_bt_chart_curve c0, c1, cp, none;
    sp_bt_chart_coverage_of(&b, SP_BT_CHART_POOLED, &cp);
    sp_bt_chart_coverage_of(&b, 0, &c0);
    sp_bt_chart_coverage_of(&b, 1, &c1);
    sp_bt_chart_coverage_of(&b, 2, &none);
    assert_int_equal(cp.n, 8);
    assert_int_equal(c0.n, 5);
    assert_int_equal(c1.n, 3);
    assert_int_equal(none.n, 0);
    for (int k = 0; k < SP_BT_CHART_LEVELS; k++) {
        assert_close(cp.level[k], 0.1 * (k + 1), 1e-15);
        assert_int_equal(cp.inside[k], pooled[k]);
        assert_int_equal(c0.inside[k], first[k]);
        assert_int_equal(c1.inside[k], second[k]);
        assert_close(cp.coverage[k], pooled[k] / 8.0, 1e-15);
        assert_close(c0.coverage[k], first[k] / 5.0, 1e-15);
        assert_true(isnan(none.coverage[k]) && isnan(none.band_lo[k]));
    }
    /* The band: a -+ 1.959964 sqrt(a (1 - a) / 8), clamped to [0, 1].
     * a = 0.5: 0.5 -+ 0.346476; a = 0.1: [0, 0.307886]; a = 0.9:
     * [0.692114, 1]. */
    assert_close(cp.band_lo[4], 0.153524, 1e-6);
    assert_close(cp.band_hi[4], 0.846476, 1e-6);
    assert_close(cp.band_lo[0], 0.0, 0.0);
    assert_close(cp.band_hi[0], 0.307886, 1e-6);
    assert_close(cp.band_lo[8], 0.692114, 1e-6);
    assert_close(cp.band_hi[8], 1.0, 0.0);
}

/* Scores in the back-test's order (region, origin, indicator, year):
 * region a, origin 2010: indicator 0 in 2011 and 2012, indicator 1 in
 * 2011; origin 2011: indicator 0 in 2012 and 2014; region b, origin 2010:
 * indicators 0 and 2 in 2011. */
static void projections_should_take_the_first_region_and_each_origin(void **s)
{
    (void)s;
    static const struct {
        const char *region;
        int origin, year;
        size_t indicator;
    } rows[8] = {{"a", 2010, 2011, 0}, {"a", 2010, 2012, 0},
                 {"a", 2010, 2011, 1}, {"a", 2011, 2012, 0},
                 {"a", 2011, 2014, 0}, {"b", 2010, 2011, 0},
                 {"b", 2010, 2011, 2}, {"b", 2011, 2012, 2}};
    sp_bt_score scores[8];
    memset(scores, 0, sizeof scores);
    for (int k = 0; k < 8; k++)
        scores[k] = (sp_bt_score){.region = rows[k].region,
                                  .origin = rows[k].origin,
                                  .year = rows[k].year,
                                  .indicator = rows[k].indicator};
    sp_backtest b = {.n_scores = 8, .scores = scores, .n_indicators = 4};
    sp_bt_chart_origin o[4];
    const char *region = NULL;
    assert_int_equal(sp_bt_chart_origins_of(&b, 0, &region, o, 4), 2);
    assert_string_equal(region, "a");
    assert_int_equal(o[0].origin, 2010);
    assert_int_equal(o[0].first, 0);
    assert_int_equal(o[0].n, 2);
    assert_int_equal(o[1].origin, 2011);
    assert_int_equal(o[1].first, 3);
    assert_int_equal(o[1].n, 2);
    assert_int_equal(sp_bt_chart_origins_of(&b, 1, &region, o, 4), 1);
    assert_string_equal(region, "a");
    assert_int_equal(o[0].first, 2);
    assert_int_equal(o[0].n, 1);
    /* Indicator 2 is scored only in region b. */
    assert_int_equal(sp_bt_chart_origins_of(&b, 2, &region, o, 4), 2);
    assert_string_equal(region, "b");
    assert_int_equal(o[0].first, 6);
    assert_int_equal(o[1].first, 7);
    /* Room for fewer: the count, and only the first written. */
    memset(o, 0, sizeof o);
    assert_int_equal(sp_bt_chart_origins_of(&b, 0, &region, o, 1), 2);
    assert_int_equal(o[0].n, 2);
    assert_int_equal(o[1].n, 0);
    assert_int_equal(sp_bt_chart_origins_of(&b, 0, &region, NULL, 0), 2);
    /* An indicator without scores has no region. */
    assert_int_equal(sp_bt_chart_origins_of(&b, 3, &region, o, 4), 0);
    assert_null(region);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binomial_intervals_should_be_the_exact_quantiles),
        cmocka_unit_test(
            the_pit_chart_should_count_bins_outside_the_uniform_range),
        cmocka_unit_test(
            coverage_curves_should_count_pits_within_half_the_level),
        cmocka_unit_test(
            projections_should_take_the_first_region_and_each_origin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
