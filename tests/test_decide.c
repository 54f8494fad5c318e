/*
 * Tests of the pure parts of src/cmd/sp_decide: the grid of a sweep axis,
 * the monotonicity test solve uses to tell a probability out of reach
 * from one that is not monotone in the lever, and the bracket test; and
 * of the writers of its results (src/output/sp_decision): full target
 * ids in the sweep table, one CSV row per point and target, an
 * unresolved solution without sd or interval in every format.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_decide.h"
#include "sp_decision.h"
#include "sp_test.h"

/* What `write` puts on a stream, as a string the caller frees. */
#define CAPTURE(text, call)                                                    \
    do {                                                                       \
        size_t len_ = 0;                                                       \
        FILE *f_ = open_memstream(&(text), &len_);                             \
        assert_non_null(f_);                                                   \
        sp_error e_;                                                           \
        sp_error_clear(&e_);                                                   \
        sp_status st_ = call(f_, &e_);                                         \
        fclose(f_);                                                            \
        if (st_ != SP_OK)                                                      \
            fail_msg("%s: %s", #call, e_.message);                             \
    } while (0)

static void grid_runs_from_lo_to_hi_in_even_steps(void **state)
{
    (void)state;
    assert_close(sp_decide_grid(0.0, 0.03, 7, 0), 0.0, 0.0);
    assert_close(sp_decide_grid(0.0, 0.03, 7, 6), 0.03, 0.0);
    assert_close(sp_decide_grid(0.0, 0.03, 7, 3), 0.015, 1e-17);
    assert_close(sp_decide_grid(-1.0, 1.0, 2, 1), 1.0, 0.0);
    assert_close(sp_decide_grid(-1.0, 1.0, 9, 4), 0.0, 0.0);
    for (int i = 1; i < 1000; i++)
        assert_true(sp_decide_grid(0.1, 0.7, 1000, i) >
                    sp_decide_grid(0.1, 0.7, 1000, i - 1));
}

static void monotone_accepts_rising_falling_and_flat_sequences(void **state)
{
    (void)state;
    size_t peak = 99;
    const double rising[] = {0.0, 0.1, 0.1, 0.5, 1.0};
    assert_true(sp_decide_monotone(rising, 5, &peak));
    assert_int_equal(peak, 4);
    const double falling[] = {0.9, 0.9, 0.4, 0.0};
    assert_true(sp_decide_monotone(falling, 4, &peak));
    assert_int_equal(peak, 0);
    const double flat[] = {0.0, 0.0, 0.0};
    assert_true(sp_decide_monotone(flat, 3, &peak));
    assert_int_equal(peak, 0);
    assert_true(sp_decide_monotone(flat, 1, &peak));
}

static void monotone_finds_an_interior_peak_of_a_between_target(void **state)
{
    (void)state;
    size_t peak = 99;
    /* P of a `between` target: 0 at both ends, largest inside. */
    const double hump[] = {0.0, 0.0, 0.05, 0.3, 0.32, 0.2, 0.01, 0.0, 0.0};
    assert_false(sp_decide_monotone(hump, 9, &peak));
    assert_int_equal(peak, 4);
    const double dip[] = {0.9, 0.2, 0.9};
    assert_false(sp_decide_monotone(dip, 3, &peak));
    assert_int_equal(peak, 0);
    const double wiggle[] = {0.0, 0.2, 0.1, 0.3};
    assert_false(sp_decide_monotone(wiggle, 4, &peak));
    assert_int_equal(peak, 3);
}

static void bracket_holds_when_prob_lies_between_the_ends(void **state)
{
    (void)state;
    assert_true(sp_decide_bracketed(0.1, 0.9, 0.8));
    assert_true(sp_decide_bracketed(0.9, 0.1, 0.8));
    assert_true(sp_decide_bracketed(0.1, 0.8, 0.8));
    assert_false(sp_decide_bracketed(0.0, 0.0, 0.8));
    assert_false(sp_decide_bracketed(0.1, 0.5, 0.8));
    assert_false(sp_decide_bracketed(0.9, 0.95, 0.8));
}

/* Two targets, one with an id longer than the table's 14 columns, over
 * a grid of three values of one lever. */
static const char *const sweep_ids[] = {"gdp_2025_growth_about_five",
                                        "ei \"q\""};
static const double sweep_x[] = {0.0, 0.5, 1.0}, sweep_y[] = {0.0};
static const double sweep_p[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
static const double sweep_ci[12] = {0};
static const sp_sweep_report sweep = {.scenario = "s",
                                      .lever = "indicators.a.base",
                                      .x = sweep_x,
                                      .y = sweep_y,
                                      .nx = 3,
                                      .ny = 1,
                                      .n_targets = 2,
                                      .ids = sweep_ids,
                                      .p = sweep_p,
                                      .ci = sweep_ci,
                                      .draws = 10,
                                      .seed = 1};

static sp_status sweep_table(FILE *f, sp_error *e)
{
    return sp_sweep_table(f, &sweep, e);
}

static sp_status sweep_csv(FILE *f, sp_error *e)
{
    return sp_sweep_csv(f, &sweep, e);
}

static void sweep_writers_keep_ids_whole_and_write_every_point(void **state)
{
    (void)state;
    char *text = NULL;
    CAPTURE(text, sweep_table);
    assert_non_null(strstr(text, " gdp_2025_growth_about_five"));
    assert_non_null(strstr(text, "0.6000"));
    free(text);
    CAPTURE(text, sweep_csv);
    size_t rows = 0;
    for (const char *c = text; *c; c++)
        rows += *c == '\n';
    assert_int_equal(rows, 1 + 3 * 2);
    assert_non_null(strstr(text, ",\"ei \"\"q\"\"\",0.59999999999999998,"));
    free(text);
}

static const sp_solve_report flat = {.target = "t",
                                     .probability = 0.8,
                                     .lever = "indicators.a.base",
                                     .value = 2.0,
                                     .mc_sd = HUGE_VAL,
                                     .a = 1.0,
                                     .b = 3.0,
                                     .evaluations = 4,
                                     .draws = 10,
                                     .seed = 1};

static sp_status flat_csv(FILE *f, sp_error *e)
{
    return sp_solve_csv(f, &flat, e);
}

static sp_status flat_table(FILE *f, sp_error *e)
{
    return sp_solve_table(f, &flat, e);
}

#ifdef SIMPLAN_HAVE_JSON
static sp_status flat_json(FILE *f, sp_error *e)
{
    return sp_solve_json(f, &flat, e);
}
#endif

static void an_unresolved_solution_has_no_sd_in_any_format(void **state)
{
    (void)state;
    assert_false(sp_solve_resolved(&flat));
    char *text = NULL;
    CAPTURE(text, flat_csv);
    assert_non_null(strstr(text, ",2,,,,1,3,4,10,1\n"));
    free(text);
    CAPTURE(text, flat_table);
    assert_non_null(strstr(text, "not resolved"));
    assert_null(strstr(text, "inf"));
    free(text);
#ifdef SIMPLAN_HAVE_JSON
    CAPTURE(text, flat_json);
    assert_non_null(strstr(text, "\"mc_sd\": null"));
    assert_null(strstr(text, "inf"));
    free(text);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grid_runs_from_lo_to_hi_in_even_steps),
        cmocka_unit_test(monotone_accepts_rising_falling_and_flat_sequences),
        cmocka_unit_test(monotone_finds_an_interior_peak_of_a_between_target),
        cmocka_unit_test(bracket_holds_when_prob_lies_between_the_ends),
        cmocka_unit_test(sweep_writers_keep_ids_whole_and_write_every_point),
        cmocka_unit_test(an_unresolved_solution_has_no_sd_in_any_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
