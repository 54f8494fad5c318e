/*
 * Tests of model/sp_prim: PRIM recovers a known failure box, with and
 * without label noise; finds nothing real when the outcome ignores the
 * inputs; handles single-class outcomes, tied and constant inputs; is
 * deterministic; agrees exactly with a brute-force reference; and rejects
 * every out-of-range argument.
 *
 * The samples: n points uniform on [0, 1]^d from GSL's mt19937 with a fixed
 * seed. The failure box is x0 > 0.6 and x2 < 0.3 (support 0.12); x1, x3 and
 * any further inputs are irrelevant.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sp_prim.h"
#include "sp_test.h"

/* Points and outcomes of one test. */
typedef struct {
    size_t n, d;
    double *x;        /* [n d], row-major */
    unsigned char *y; /* [n] */
} sample;

/* Returns n points uniform on [0, 1]^d drawn from `r`, all y = 0. */
static sample sample_uniform(size_t n, size_t d, gsl_rng *r)
{
    sample s = {n, d, malloc(n * d * sizeof(double)), calloc(n, 1)};
    assert_non_null(s.x);
    assert_non_null(s.y);
    for (size_t i = 0; i < n * d; i++)
        s.x[i] = gsl_rng_uniform(r);
    return s;
}

/* Returns n points in [0, 1]^d with y = 1 exactly in the failure box, then
 * each y flipped with probability `flip`. */
static sample sample_box(size_t n, size_t d, unsigned long seed, double flip)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    sample s = sample_uniform(n, d, r);
    for (size_t i = 0; i < n; i++) {
        const double *row = s.x + i * d;
        s.y[i] = row[0] > 0.6 && row[2] < 0.3;
        if (flip > 0.0 && gsl_rng_uniform(r) < flip)
            s.y[i] ^= 1;
    }
    gsl_rng_free(r);
    return s;
}

/* Returns n points in [0, 1]^d with y Bernoulli(p), independent of x. */
static sample sample_null(size_t n, size_t d, unsigned long seed, double p)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    sample s = sample_uniform(n, d, r);
    for (size_t i = 0; i < n; i++)
        s.y[i] = gsl_rng_uniform(r) < p;
    gsl_rng_free(r);
    return s;
}

/* Frees the arrays of a sample. */
static void sample_free(sample *s)
{
    free(s->x);
    free(s->y);
}

/* Runs sp_prim_find with the default parameters and min_coverage, failing
 * the test on any error. */
static sp_prim_box find(const sample *s, double min_coverage)
{
    sp_prim_box box;
    sp_error err;
    sp_status st = sp_prim_find(s->x, s->y, s->n, s->d, SP_PRIM_ALPHA,
                                SP_PRIM_MIN_SUPPORT, min_coverage, &box, &err);
    if (st != SP_OK)
        fail_msg("sp_prim_find: %s", err.message);
    return box;
}

/* Asserts that the statistics of `box` are those of the points it
 * contains. */
static void assert_counts_match(const sp_prim_box *box, const sample *s)
{
    size_t inside = 0, ones = 0, total_ones = 0;
    for (size_t i = 0; i < s->n; i++) {
        total_ones += s->y[i];
        if (sp_prim_box_contains(box, s->x + i * s->d)) {
            inside++;
            ones += s->y[i];
        }
    }
    assert_int_equal(box->n_inside, inside);
    assert_int_equal(box->n_ones, ones);
    assert_true(box->support == (double)inside / (double)s->n);
    assert_true(box->density == (double)ones / (double)inside);
    assert_true(box->coverage ==
                (total_ones ? (double)ones / (double)total_ones : 0.0));
}

/* Asserts that exactly dims 0 (lower side) and 2 (upper side) are
 * restricted, with bounds within `tol` of 0.6 and 0.3. */
static void assert_failure_box(const sp_prim_box *box, double tol)
{
    assert_int_equal(box->restricted[0], 1);
    assert_int_equal(box->restricted[2], 2);
    for (size_t j = 0; j < box->n_dims; j++)
        if (j != 0 && j != 2)
            assert_int_equal(box->restricted[j], 0);
    assert_int_equal(sp_prim_box_n_restrictions(box), 2);
    assert_close(box->lo[0], 0.6, tol);
    assert_close(box->hi[2], 0.3, tol);
    assert_true(box->hi[0] == HUGE_VAL && box->lo[2] == -HUGE_VAL);
}

static void clean_failure_box_should_be_found_on_dims_0_and_2_only(void **state)
{
    (void)state;
    sample s = sample_box(20000, 4, 20240611, 0.0);
    sp_prim_box box = find(&s, SP_PRIM_MIN_COVERAGE);
    assert_failure_box(&box, 0.03);
    assert_true(box.density >= 0.9);
    assert_true(box.coverage >= 0.8);
    assert_counts_match(&box, &s);
    sp_prim_box_destroy(&box);
    sample_free(&s);
}

/* With 10 % of the labels flipped the box holds 90 % misses and 55 % of
 * all misses, so the coverage floor of 0.5 leaves only a few peels past
 * the true box; those chase noise and are pruned. A box whose bounds are
 * off by 0.05 still has density above 0.8. */
static void
noisy_labels_should_still_give_dims_0_and_2_within_0_05(void **state)
{
    (void)state;
    sample s = sample_box(20000, 4, 20240612, 0.1);
    sp_prim_box box = find(&s, SP_PRIM_MIN_COVERAGE);
    assert_failure_box(&box, 0.05);
    assert_true(box.density >= 0.8);
    assert_true(box.coverage >= SP_PRIM_MIN_COVERAGE);
    assert_counts_match(&box, &s);
    sp_prim_box_destroy(&box);
    sample_free(&s);
}

/* With y Bernoulli(0.3) independent of x there is nothing to find. What is
 * asserted: the density is within 4 sigma of 0.3, sigma = sqrt(0.3 * 0.7 /
 * n_inside) (the binomial error of a box of that size); at most one side is
 * restricted; and the support is at least 0.5. Why pruning removes the
 * noise: a restriction cutting a fraction f of the m points of a box moves
 * its density by about sqrt(0.21 f / m) per sigma of noise, 0.0025 for
 * f = 0.3 and m = 10000, so one that adds SP_PRIM_PRUNE_DENSITY = 0.01 is a
 * 4-sigma event. */
static void
independent_outcome_should_give_mean_density_and_no_real_box(void **state)
{
    (void)state;
    sample s = sample_null(20000, 4, 20240613, 0.3);
    sp_prim_box box = find(&s, SP_PRIM_MIN_COVERAGE);
    double sigma = sqrt(0.3 * 0.7 / (double)box.n_inside);
    assert_within_sigma(box.density, 0.3, sigma, 4);
    assert_true(sp_prim_box_n_restrictions(&box) <= 1);
    assert_true(box.support >= 0.5);
    assert_counts_match(&box, &s);
    sp_prim_box_destroy(&box);
    sample_free(&s);
}

/* Asserts that `box` has no restriction and holds every point. */
static void assert_unrestricted(const sp_prim_box *box, const sample *s)
{
    assert_int_equal(box->n_dims, s->d);
    assert_int_equal(sp_prim_box_n_restrictions(box), 0);
    for (size_t j = 0; j < box->n_dims; j++)
        assert_true(box->lo[j] == -HUGE_VAL && box->hi[j] == HUGE_VAL);
    assert_int_equal(box->n_inside, s->n);
    assert_true(box->support == 1.0);
    assert_int_equal(box->n_peels, 0);
}

static void single_class_outcomes_should_give_an_unrestricted_box(void **state)
{
    (void)state;
    sample s = sample_box(500, 3, 7, 0.0);
    memset(s.y, 0, s.n);
    sp_prim_box box = find(&s, SP_PRIM_MIN_COVERAGE);
    assert_unrestricted(&box, &s);
    assert_true(box.density == 0.0 && box.coverage == 0.0);
    assert_int_equal(box.n_ones, 0);
    sp_prim_box_destroy(&box);
    memset(s.y, 1, s.n);
    box = find(&s, SP_PRIM_MIN_COVERAGE);
    assert_unrestricted(&box, &s);
    assert_true(box.density == 1.0 && box.coverage == 1.0);
    assert_int_equal(box.n_ones, s.n);
    sp_prim_box_destroy(&box);
    sample_free(&s);
}

static void same_input_should_give_an_identical_box(void **state)
{
    (void)state;
    sample s = sample_box(20000, 6, 99, 0.1);
    sp_prim_box a = find(&s, SP_PRIM_MIN_COVERAGE);
    sp_prim_box b = find(&s, SP_PRIM_MIN_COVERAGE);
    size_t d = s.d;
    assert_memory_equal(a.restricted, b.restricted, d * sizeof(int));
    assert_memory_equal(a.lo, b.lo, d * sizeof(double));
    assert_memory_equal(a.hi, b.hi, d * sizeof(double));
    assert_true(a.n_inside == b.n_inside && a.n_ones == b.n_ones);
    assert_true(a.n_peels == b.n_peels);
    assert_true(a.density == b.density && a.coverage == b.coverage &&
                a.support == b.support);
    sp_prim_box_destroy(&a);
    sp_prim_box_destroy(&b);
    sample_free(&s);
}

/* x0 takes the ten values 0..9 (100 points each), x1 is constant and x2 is
 * uniform; y = 1 exactly when x0 >= 7. Every cut of x0 removes whole
 * values, a cut of x1 would remove every point and is skipped, so the box
 * is x0 >= 7 exactly. */
static void tied_values_should_never_be_split(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    sample s = sample_uniform(1000, 3, r);
    gsl_rng_free(r);
    for (size_t i = 0; i < s.n; i++) {
        s.x[i * 3] = (double)(i % 10);
        s.x[i * 3 + 1] = 5.0;
        s.y[i] = i % 10 >= 7;
    }
    sp_prim_box box = find(&s, SP_PRIM_MIN_COVERAGE);
    assert_int_equal(box.restricted[0], 1);
    assert_true(box.lo[0] == 7.0);
    assert_int_equal(sp_prim_box_n_restrictions(&box), 1);
    assert_true(box.density == 1.0 && box.coverage == 1.0);
    assert_int_equal(box.n_inside, 300);
    sp_prim_box_destroy(&box);
    sample_free(&s);
}

/* Pruning only widens a box, so the chosen box's coverage floor and the
 * peeling's support floor both hold for the result. */
static void min_coverage_and_min_support_should_bound_the_box(void **state)
{
    (void)state;
    sample s = sample_box(5000, 5, 11, 0.1);
    const double floors[] = {0.0, 0.3, 0.5, 0.8, 1.0};
    for (size_t f = 0; f < sizeof floors / sizeof *floors; f++) {
        sp_prim_box box = find(&s, floors[f]);
        assert_true(box.coverage >= floors[f]);
        assert_true(box.support >= SP_PRIM_MIN_SUPPORT);
        assert_counts_match(&box, &s);
        sp_prim_box_destroy(&box);
    }
    sample_free(&s);
}

/* ---- A brute-force reference: the rules of sp_prim.h applied literally,
 * recounting every point for every candidate. ---- */

/* Reference state: the points and the bounds of the current box. */
typedef struct {
    const sample *s;
    double *lo, *hi; /* [d] */
} ref_box;

/* Returns true when point i lies within the bounds of the box. */
static bool ref_inside(const ref_box *b, size_t i)
{
    for (size_t j = 0; j < b->s->d; j++) {
        double v = b->s->x[i * b->s->d + j];
        if (v < b->lo[j] || v > b->hi[j])
            return false;
    }
    return true;
}

/* Counts the points inside the box and the 1s among them. */
static void ref_count(const ref_box *b, size_t *inside, size_t *ones)
{
    *inside = *ones = 0;
    for (size_t i = 0; i < b->s->n; i++)
        if (ref_inside(b, i)) {
            (*inside)++;
            *ones += b->s->y[i];
        }
}

/* Orders doubles ascending for qsort. */
static int compare_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

/* Sorts the values of dimension j inside the box into vals; returns how
 * many there are. */
static size_t ref_values(const ref_box *b, size_t j, double *vals)
{
    size_t m = 0;
    for (size_t i = 0; i < b->s->n; i++)
        if (ref_inside(b, i))
            vals[m++] = b->s->x[i * b->s->d + j];
    qsort(vals, m, sizeof *vals, compare_double);
    return m;
}

/* Tries the cut of k points on one side of dimension j: returns false if
 * it removes every point, else its new bound and the points it leaves. */
static bool ref_cut(const ref_box *b, size_t j, int upper, size_t k,
                    double *vals, double *bound, size_t *left,
                    size_t *left_ones)
{
    size_t m = ref_values(b, j, vals), removed = 0;
    double cut = upper ? vals[m - k] : vals[k - 1];
    for (size_t q = 0; q < m; q++)
        removed += upper ? vals[q] >= cut : vals[q] <= cut;
    if (removed == m)
        return false;
    *bound = upper ? vals[m - removed - 1] : vals[removed];
    double *side = upper ? &b->hi[j] : &b->lo[j];
    double saved = *side;
    *side = *bound;
    ref_count(b, left, left_ones);
    *side = saved;
    return true;
}

/* Makes the best peel of the reference box, appending its bounds to lo and
 * hi (d values per step); returns false when peeling stops. */
static bool ref_peel(ref_box *b, double *vals, size_t inside)
{
    size_t k = (size_t)(SP_PRIM_ALPHA * (double)inside), d = b->s->d;
    k = k < 1 ? 1 : k;
    size_t best_left = 0, best_j = 0, in0, ones0;
    int best_upper = -1;
    double best_bound = 0.0, best_gain = 0.0;
    ref_count(b, &in0, &ones0);
    double m0 = (double)ones0 / (double)in0;
    for (size_t j = 0; j < d; j++)
        for (int upper = 0; upper <= 1; upper++) {
            double bound;
            size_t left, ones;
            if (!ref_cut(b, j, upper, k, vals, &bound, &left, &ones))
                continue;
            /* Gain of the mean per point removed. */
            double gain =
                ((double)ones / (double)left - m0) / (double)(inside - left);
            if (best_upper < 0 || gain > best_gain ||
                (gain == best_gain && left > best_left)) {
                best_left = left, best_gain = gain, best_j = j;
                best_upper = upper, best_bound = bound;
            }
        }
    if (best_upper < 0 ||
        (double)best_left < SP_PRIM_MIN_SUPPORT * (double)b->s->n)
        return false;
    memcpy(b->lo + d, b->lo, d * sizeof *b->lo);
    memcpy(b->hi + d, b->hi, d * sizeof *b->hi);
    b->lo += d, b->hi += d;
    *(best_upper ? &b->hi[best_j] : &b->lo[best_j]) = best_bound;
    return true;
}

/* Removes restrictions of the reference box while the best removal lowers
 * the density by less than SP_PRIM_PRUNE_DENSITY. */
static void ref_prune(ref_box *b)
{
    for (;;) {
        size_t inside, ones, best_r = 0;
        ref_count(b, &inside, &ones);
        double density = (double)ones / (double)inside, best = -HUGE_VAL;
        for (size_t r = 0; r < 2 * b->s->d; r++) {
            double *side = r % 2 ? &b->hi[r / 2] : &b->lo[r / 2];
            double saved = *side;
            if (isinf(saved))
                continue;
            *side = r % 2 ? HUGE_VAL : -HUGE_VAL;
            ref_count(b, &inside, &ones);
            *side = saved;
            if ((double)ones / (double)inside > best)
                best = (double)ones / (double)inside, best_r = r;
        }
        if (!(density - best < SP_PRIM_PRUNE_DENSITY))
            return;
        *(best_r % 2 ? &b->hi[best_r / 2] : &b->lo[best_r / 2]) =
            best_r % 2 ? HUGE_VAL : -HUGE_VAL;
    }
}

/* Runs the reference search; returns the chosen step and leaves the
 * pruned bounds in lo[0..d) and hi[0..d). lo and hi have room for n + 1
 * steps. */
static size_t ref_find(const sample *s, double *lo, double *hi, double *vals)
{
    ref_box b = {s, lo, hi};
    for (size_t j = 0; j < s->d; j++)
        lo[j] = -HUGE_VAL, hi[j] = HUGE_VAL;
    size_t inside = s->n, ones = 0, steps = 0;
    while (ref_peel(&b, vals, inside)) {
        steps++;
        ref_count(&b, &inside, &ones);
    }
    size_t total_ones = 0, best = 0;
    for (size_t i = 0; i < s->n; i++)
        total_ones += s->y[i];
    double best_density = (double)total_ones / (double)s->n;
    for (size_t t = 1; t <= steps; t++) {
        ref_box bt = {s, lo + t * s->d, hi + t * s->d};
        ref_count(&bt, &inside, &ones);
        if ((double)ones < SP_PRIM_MIN_COVERAGE * (double)total_ones)
            break;
        if ((double)ones / (double)inside > best_density)
            best_density = (double)ones / (double)inside, best = t;
    }
    memmove(lo, lo + best * s->d, s->d * sizeof *lo);
    memmove(hi, hi + best * s->d, s->d * sizeof *hi);
    b = (ref_box){s, lo, hi};
    ref_prune(&b);
    return best;
}

/* Small samples (50, 120 or 400 points) with heavy ties (inputs on a grid
 * of 6 values) and a noisy box, where every rule of the fast search
 * matters: small counts make equal means of different cuts common, so the
 * tie rules are exercised too. The two must agree exactly. */
/* sp_prim_find against ref_find on sample s, then frees s. */
static void check_against_reference(sample *s)
{
    double *lo = malloc((s->n + 1) * s->d * sizeof *lo);
    double *hi = malloc((s->n + 1) * s->d * sizeof *hi);
    double *vals = malloc(s->n * sizeof *vals);
    assert_true(lo && hi && vals);
    size_t steps = ref_find(s, lo, hi, vals);
    sp_prim_box box = find(s, SP_PRIM_MIN_COVERAGE);
    assert_int_equal(box.n_peels, steps);
    assert_memory_equal(box.lo, lo, s->d * sizeof *lo);
    assert_memory_equal(box.hi, hi, s->d * sizeof *hi);
    assert_counts_match(&box, s);
    sp_prim_box_destroy(&box);
    free(lo), free(hi), free(vals);
    sample_free(s);
}

/* Ties on a grid of 0.2; then, as scenario discovery's inputs are,
 * values widened from floats, of both signs, with zeros of both signs
 * (the sort drops the low bits that are 0 in every magnitude). */
static void fast_search_should_match_a_brute_force_reference(void **state)
{
    (void)state;
    const size_t sizes[3] = {50, 120, 400};
    for (unsigned long seed = 1; seed <= 60; seed++) {
        sample s = sample_box(sizes[seed % 3], 3, seed, 0.15);
        for (size_t i = 0; i < s.n * s.d; i++)
            s.x[i] = floor(6.0 * s.x[i]) / 5.0;
        check_against_reference(&s);
        s = sample_box(sizes[seed % 3], 3, seed, 0.15);
        for (size_t i = 0; i < s.n * s.d; i++) {
            float f = (float)(3.0 * s.x[i] - 1.5);
            s.x[i] = i % 11 == 0 ? (i % 2 ? -0.0 : 0.0) : (double)f;
        }
        check_against_reference(&s);
    }
}

/* Asserts that sp_prim_find fails with `status` naming `field`, leaving an
 * empty box. */
static void assert_rejected(const double *x, const unsigned char *y, size_t n,
                            size_t d, double alpha, double min_support,
                            double min_coverage, sp_status status,
                            const char *field)
{
    sp_prim_box box;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(
        sp_prim_find(x, y, n, d, alpha, min_support, min_coverage, &box, &err),
        status);
    assert_int_equal(err.status, status);
    assert_string_equal(err.field, field);
    assert_true(err.message[0] != '\0');
    assert_true(box.n_dims == 0 && box.restricted == NULL && box.lo == NULL &&
                box.hi == NULL);
    sp_prim_box_destroy(&box);
}

static void out_of_range_arguments_should_be_range_errors(void **state)
{
    (void)state;
    double x[4] = {0.1, 0.2, 0.3, 0.4};
    unsigned char y[4] = {0, 1, 0, 1}, bad_y[4] = {0, 1, 2, 1};
    double a = SP_PRIM_ALPHA, ms = SP_PRIM_MIN_SUPPORT,
           mc = SP_PRIM_MIN_COVERAGE;
    double nan = (double)NAN;
    sp_status e = SP_ERR_RANGE;
    assert_rejected(x, y, 0, 1, a, ms, mc, e, "n");
    assert_rejected(x, y, 4, 0, a, ms, mc, e, "n_dims");
    assert_rejected(x, y, 4, 1, 0.0, ms, mc, e, "alpha");
    assert_rejected(x, y, 4, 1, 1.0, ms, mc, e, "alpha");
    assert_rejected(x, y, 4, 1, nan, ms, mc, e, "alpha");
    assert_rejected(x, y, 4, 1, a, -0.1, mc, e, "min_support");
    assert_rejected(x, y, 4, 1, a, 1.5, mc, e, "min_support");
    assert_rejected(x, y, 4, 1, a, ms, nan, e, "min_coverage");
    assert_rejected(x, y, 4, 1, a, ms, 1.01, e, "min_coverage");
    assert_rejected(x, bad_y, 4, 1, a, ms, mc, e, "y");
    x[2] = nan;
    assert_rejected(x, y, 4, 1, a, ms, mc, e, "x");
    x[2] = HUGE_VAL;
    assert_rejected(x, y, 2, 2, a, ms, mc, e, "x");
}

/* The box's arrays for SIZE_MAX / 2 dimensions cannot be sized; the
 * overflow is caught before any allocation and before x is read. */
static void unsizable_box_should_be_out_of_memory(void **state)
{
    (void)state;
    double x[1] = {0.5};
    unsigned char y[1] = {1};
    assert_rejected(x, y, 1, SIZE_MAX / 2, SP_PRIM_ALPHA, SP_PRIM_MIN_SUPPORT,
                    SP_PRIM_MIN_COVERAGE, SP_ERR_NOMEM, "n_dims");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            clean_failure_box_should_be_found_on_dims_0_and_2_only),
        cmocka_unit_test(
            noisy_labels_should_still_give_dims_0_and_2_within_0_05),
        cmocka_unit_test(
            independent_outcome_should_give_mean_density_and_no_real_box),
        cmocka_unit_test(single_class_outcomes_should_give_an_unrestricted_box),
        cmocka_unit_test(same_input_should_give_an_identical_box),
        cmocka_unit_test(tied_values_should_never_be_split),
        cmocka_unit_test(min_coverage_and_min_support_should_bound_the_box),
        cmocka_unit_test(fast_search_should_match_a_brute_force_reference),
        cmocka_unit_test(out_of_range_arguments_should_be_range_errors),
        cmocka_unit_test(unsizable_box_should_be_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
