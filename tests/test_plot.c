/*
 * Tests of src/sp_plot: every chart of a real run is written as SVG and
 * PNG at the stated page size, repeated calls give identical files, values
 * without finite draws are left out, and bad paths and indices fail with
 * the right status instead of exiting.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_mc.h"
#include "sp_plot.h"
#include "sp_rng.h"
#include "sp_test.h"

#ifndef SCENARIO_DIR
#error "SCENARIO_DIR must be defined"
#endif

/* The run every test plots, and the directory the charts go to. */
typedef struct {
    sp_scenario sc;
    sp_compiled c;
    sp_result res;
    sp_report r;
    char dir[64];
} fixture;

/* Loads baseline.cfg and runs it with few draws (two blocks). */
static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    char path[512];
    snprintf(path, sizeof path, "%s/baseline.cfg", SCENARIO_DIR);
    sp_error err;
    sp_error_clear(&err);
    if (sp_config_load(path, &fx->sc, &err) != SP_OK ||
        sp_compile(&fx->sc, &fx->c, &err) != SP_OK)
        fail_msg("%s:%d: %s: %s", err.file, err.line, err.field, err.message);
    sp_mc_config cfg = {2 * SP_MC_BLOCK, 7, sp_rng_lookup(NULL), 1};
    sp_mc *mc = sp_mc_alloc(&fx->sc, &fx->c, &cfg, &err);
    assert_non_null(mc);
    sp_mc_run(mc, 0, sp_mc_blocks(mc));
    assert_int_equal(sp_mc_result(mc, &fx->res, &err), SP_OK);
    sp_mc_free(mc);
    fx->r = (sp_report){.sc = &fx->sc, .c = &fx->c, .res = &fx->res,
                        .seed = 7, .rng = "default", .threads = 1};
    strcpy(fx->dir, "/tmp/simplan_test_plot_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    assert_int_equal(rmdir(fx->dir), 0); /* every test removed its files */
    sp_result_destroy(&fx->res);
    sp_compiled_destroy(&fx->c);
    sp_scenario_destroy(&fx->sc);
    free(fx);
    return 0;
}

/* Reads up to `size` - 1 bytes of `path` into `buf` (NUL-terminated);
 * returns the file's size in bytes. */
static long read_head(const char *path, char *buf, size_t size)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        fail_msg("%s was not written", path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    return (long)sb.st_size;
}

/* The PNG's IHDR chunk (bytes 12-23) gives the stated width and height. */
static void assert_png_size(const char *path)
{
    unsigned char b[64];
    assert_true(read_head(path, (char *)b, sizeof b) > 24);
    assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(b + 12, "IHDR", 4);
    unsigned long w = (unsigned long)b[16] << 24 | (unsigned long)b[17] << 16 |
                      (unsigned long)b[18] << 8 | b[19];
    unsigned long h = (unsigned long)b[20] << 24 | (unsigned long)b[21] << 16 |
                      (unsigned long)b[22] << 8 | b[23];
    assert_int_equal(w, SP_PLOT_WIDTH);
    assert_int_equal(h, SP_PLOT_HEIGHT);
}

/* PLplot's svg driver writes the page size in points and a viewBox in
 * the same units: width="1000pt" height="700pt" viewBox="0 0 1000 700". */
static void assert_svg_size(const char *path)
{
    char head[4096], want[64];
    assert_true(read_head(path, head, sizeof head) > 100);
    assert_non_null(strstr(head, "<svg"));
    snprintf(want, sizeof want, "width=\"%dpt\"", SP_PLOT_WIDTH);
    assert_non_null(strstr(head, want));
    snprintf(want, sizeof want, "height=\"%dpt\"", SP_PLOT_HEIGHT);
    assert_non_null(strstr(head, want));
    snprintf(want, sizeof want, "viewBox=\"0 0 %d %d\"", SP_PLOT_WIDTH,
             SP_PLOT_HEIGHT);
    assert_non_null(strstr(head, want));
}

/* Writes chart `indicator` (SIZE_MAX: the target chart) of `r` in both
 * formats as DIR/stem.svg and .png, checks both and removes them. */
static void check_chart(const fixture *fx, const sp_report *r,
                        size_t indicator, const char *stem)
{
    char svg[256], png[256];
    snprintf(svg, sizeof svg, "%s/%s.svg", fx->dir, stem);
    snprintf(png, sizeof png, "%s/%s.png", fx->dir, stem);
    sp_error err;
    sp_error_clear(&err);
    for (int k = 0; k < 2; k++) {
        const char *path = k == 0 ? svg : png;
        sp_plot_format fmt = k == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
        sp_status st = indicator == SIZE_MAX
                           ? sp_plot_targets(path, fmt, r, &err)
                           : sp_plot_fan(path, fmt, r, indicator, &err);
        if (st != SP_OK)
            fail_msg("%s: %s", path, err.message);
    }
    assert_svg_size(svg);
    assert_png_size(png);
    assert_int_equal(unlink(svg), 0);
    assert_int_equal(unlink(png), 0);
}

static void every_chart_should_be_written_at_the_stated_size(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < fx->sc.n_indicators; i++)
        check_chart(fx, &fx->r, i, fx->sc.indicators[i].name);
    check_chart(fx, &fx->r, SIZE_MAX, "targets");
}

/* Reads the whole of a small file; the caller frees it. */
static char *slurp(const char *path, long *size)
{
    char head[8];
    *size = read_head(path, head, sizeof head);
    char *buf = malloc((size_t)*size + 1);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, (size_t)*size, f), (size_t)*size);
    fclose(f);
    return buf;
}

static void repeated_calls_should_write_identical_files(void **state)
{
    fixture *fx = *state;
    sp_error err;
    for (int k = 0; k < 2; k++) {
        sp_plot_format fmt = k == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
        char a[256], b[256];
        snprintf(a, sizeof a, "%s/a.%s", fx->dir, k == 0 ? "svg" : "png");
        snprintf(b, sizeof b, "%s/b.%s", fx->dir, k == 0 ? "svg" : "png");
        assert_int_equal(sp_plot_fan(a, fmt, &fx->r, 0, &err), SP_OK);
        assert_int_equal(sp_plot_targets(b, fmt, &fx->r, &err), SP_OK);
        assert_int_equal(sp_plot_fan(b, fmt, &fx->r, 0, &err), SP_OK);
        long na, nb;
        char *fa = slurp(a, &na), *fb = slurp(b, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(fa, fb, (size_t)na);
        free(fa);
        free(fb);
        assert_int_equal(unlink(a), 0);
        assert_int_equal(unlink(b), 0);
    }
}

static void a_missing_directory_should_give_an_io_error(void **state)
{
    fixture *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/no/such/dir/chart.png", fx->dir);
    sp_error err;
    sp_error_clear(&err);
    for (int k = 0; k < 2; k++) {
        sp_plot_format fmt = k == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
        assert_int_equal(sp_plot_fan(path, fmt, &fx->r, 0, &err), SP_ERR_IO);
        assert_int_equal(err.status, SP_ERR_IO);
        assert_string_equal(err.file, path);
        assert_true(strlen(err.message) > 0);
        assert_int_equal(sp_plot_targets(path, fmt, &fx->r, &err), SP_ERR_IO);
    }
    /* The module is still usable after a failure. */
    check_chart(fx, &fx->r, 1, "after_error");
}

static void an_indicator_out_of_range_should_be_rejected(void **state)
{
    fixture *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/bad.svg", fx->dir);
    sp_error err;
    assert_int_equal(sp_plot_fan(path, SP_PLOT_SVG, &fx->r,
                                 fx->sc.n_indicators, &err),
                     SP_ERR_RANGE);
    assert_int_equal(access(path, F_OK), -1); /* nothing written */
}

/* Statistics without finite draws (NaN) are left out of the chart: a
 * missing year splits the bands, a missing median at a target's `from`
 * year drops the target, a missing probability shows as "n/a". */
static void values_without_finite_draws_should_be_left_out(void **state)
{
    fixture *fx = *state;
    sp_result res = fx->res;
    size_t n = res.n_indicators * (size_t)res.n_years;
    res.indicators = malloc(n * sizeof *res.indicators);
    res.targets = malloc(res.n_targets * sizeof *res.targets);
    memcpy(res.indicators, fx->res.indicators, n * sizeof *res.indicators);
    memcpy(res.targets, fx->res.targets, res.n_targets * sizeof *res.targets);
    for (size_t i = 0; i < res.n_indicators; i++) {
        sp_stats *s = &res.indicators[i * (size_t)res.n_years];
        s[0].p50 = NAN; /* every target from the base year loses its anchor */
        s[3].p05 = s[3].p95 = NAN;
        s[7] = (sp_stats){0, NAN, NAN, NAN, NAN, NAN, NAN};
    }
    res.targets[0].probability = res.targets[0].ci_lo = NAN;
    sp_report r = fx->r;
    r.res = &res;
    for (size_t i = 0; i < res.n_indicators; i++)
        check_chart(fx, &r, i, "nan");
    check_chart(fx, &r, SIZE_MAX, "nan_targets");
    free(res.indicators);
    free(res.targets);
}

static void a_scenario_without_targets_should_still_plot(void **state)
{
    fixture *fx = *state;
    sp_scenario sc = fx->sc;
    sc.n_targets = 0;
    sp_report r = fx->r;
    r.sc = &sc;
    check_chart(fx, &r, 0, "no_targets_fan");
    check_chart(fx, &r, SIZE_MAX, "no_targets");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_chart_should_be_written_at_the_stated_size),
        cmocka_unit_test(repeated_calls_should_write_identical_files),
        cmocka_unit_test(a_missing_directory_should_give_an_io_error),
        cmocka_unit_test(an_indicator_out_of_range_should_be_rejected),
        cmocka_unit_test(values_without_finite_draws_should_be_left_out),
        cmocka_unit_test(a_scenario_without_targets_should_still_plot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
