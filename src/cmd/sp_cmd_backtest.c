/*
 * sp_cmd_backtest: options, loading and output of `simplan backtest`.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_cmd_backtest.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_backtest.h"
#include "sp_backtest_report.h"
#include "sp_config.h"
#include "sp_data.h"
#include "sp_mc.h"
#include "sp_output.h"
#ifdef SIMPLAN_HAVE_PLOTS
#include "sp_plot.h"
#endif
#include "sp_rng.h"
#include "sp_signal.h"

static sp_status bad(sp_error *err, const char *field, const char *what,
                     const char *arg)
{
    return sp_error_set(err, SP_ERR_USAGE, NULL, 0, field, "'%s' %s", arg,
                        what);
}

/* A whole number in [lo, hi]. */
static sp_status parse_long(const char *arg, const char *field, long lo,
                            long hi, long *out, sp_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) {
        char what[96];
        snprintf(what, sizeof what, "is not a whole number in %ld..%ld", lo,
                 hi);
        return bad(err, field, what, arg);
    }
    *out = v;
    return SP_OK;
}

/* FROM:TO or FROM:TO:STEP. */
static sp_status parse_origins(const char *arg, sp_backtest_cli *o,
                               sp_error *err)
{
    char buf[64];
    if (strlen(arg) >= sizeof buf)
        return bad(err, "--origins", "is not FROM:TO[:STEP]", arg);
    snprintf(buf, sizeof buf, "%s", arg);
    char *parts[3] = {buf, NULL, NULL};
    int n = 1;
    for (char *p = buf; *p && n <= 3; p++)
        if (*p == ':') {
            *p = '\0';
            if (n == 3)
                return bad(err, "--origins", "is not FROM:TO[:STEP]", arg);
            parts[n++] = p + 1;
        }
    if (n < 2)
        return bad(err, "--origins", "is not FROM:TO[:STEP]", arg);
    long from, to, step = 1;
    sp_status st =
        parse_long(parts[0], "--origins", SP_MIN_YEAR, SP_MAX_YEAR, &from, err);
    if (st == SP_OK)
        st = parse_long(parts[1], "--origins", SP_MIN_YEAR, SP_MAX_YEAR, &to,
                        err);
    if (st == SP_OK && n == 3)
        st = parse_long(parts[2], "--origins", 1, 100, &step, err);
    if (st != SP_OK)
        return st;
    if (from > to)
        return bad(err, "--origins", "starts after it ends", arg);
    o->from = (int)from;
    o->to = (int)to;
    o->step = (int)step;
    o->have_origins = true;
    return SP_OK;
}

static sp_status parse_option(int c, const char *arg, sp_backtest_cli *o,
                              sp_error *err)
{
    long v;
    sp_status st = SP_OK;
    switch (c) {
    case 'd':
        o->data = arg;
        break;
    case 'o':
        st = parse_origins(arg, o, err);
        break;
    case 'H':
        st = parse_long(arg, "--horizon", 1, 100, &v, err);
        o->horizon = (int)v;
        break;
    case 'L':
        st = parse_long(arg, "--history", 1, 100, &v, err);
        o->history = (int)v;
        break;
    case 'r':
        if (o->n_regions == SP_BT_MAX_REGIONS)
            return bad(err, "--region", "is one region too many (at most 256)",
                       arg);
        o->regions[o->n_regions++] = arg;
        break;
    case 'n':
        st = parse_long(arg, "--draws", 16, 100000000, &v, err);
        o->draws = (uint64_t)v;
        break;
    case 's':
        st = parse_long(arg, "--seed", 0, LONG_MAX, &v, err);
        o->seed = (uint64_t)v;
        o->have_seed = true;
        break;
    case 'S':
        st = parse_long(arg, "--search-draws", 0, 100000000, &v, err);
        if (st == SP_OK && v > 0 && v < 16)
            return bad(err, "--search-draws", "is not 0 (all) or at least 16",
                       arg);
        o->search_draws = (uint64_t)v;
        break;
    case 't':
        st = parse_long(arg, "--threads", 1, 1024, &v, err);
        o->threads = (int)v;
        break;
    case 'g':
        if (sp_rng_lookup(arg) == NULL)
            return bad(err, "--rng", "is not a known generator", arg);
        o->rng = arg;
        break;
    case 'f':
        if (strcmp(arg, "table") == 0)
            o->format = SP_BT_TABLE;
        else if (strcmp(arg, "json") == 0)
            o->format = SP_BT_JSON;
        else if (strcmp(arg, "csv") == 0)
            o->format = SP_BT_CSV;
        else
            return bad(err, "--format",
                       "is not a format; allowed: table, "
                       "json, csv",
                       arg);
        break;
    case 'O':
        o->out = arg;
        break;
    default:
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "unknown option or missing value (see simplan "
                            "--help)");
    }
    return st;
}

/* --plots (refused by a build without charts) and --no-plots; the last
 * one given counts. */
static sp_status parse_plots(int c, sp_backtest_cli *o, sp_error *err)
{
#ifndef SIMPLAN_HAVE_PLOTS
    if (c == 'G')
        return sp_error_set(err, SP_ERR_UNSUPPORTED, NULL, 0, "--plots",
                            "this simplan was built without charts "
                            "(configure with -DSIMPLAN_PLOTS=ON and PLplot)");
#else
    (void)err;
#endif
    o->plots = c == 'G';
    return SP_OK;
}

sp_status sp_cmd_backtest_parse(int argc, char **argv, sp_backtest_cli *o,
                                sp_error *err)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"origins", required_argument, NULL, 'o'},
        {"horizon", required_argument, NULL, 'H'},
        {"history", required_argument, NULL, 'L'},
        {"region", required_argument, NULL, 'r'},
        {"draws", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 't'},
        {"rng", required_argument, NULL, 'g'},
        {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'O'},
        {"force", no_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'q'},
        {"no-sd-factor", no_argument, NULL, 'x'},
        {"search-draws", required_argument, NULL, 'S'},
        {"plots", no_argument, NULL, 'G'},
        {"no-plots", no_argument, NULL, 'P'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->horizon = 5;
    o->history = 5;
    o->draws = 20000;
    o->sd_factor = true;
    o->search_draws = 5000;
    o->plots = true; /* charts by default with --out */
    opterr = 0;
    optind = 0; /* glibc: start afresh */
    int c, k = 0;
    while ((c = getopt_long(argc, argv, ":q", opts, &k)) != -1) {
        if (c == '?' || c == ':')
            return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                                "'%s': unknown option or missing value (see "
                                "simplan --help)",
                                argv[optind - 1]);
        if (c == 'G' || c == 'P') {
            sp_status st = parse_plots(c, o, err);
            if (st != SP_OK)
                return st;
            continue;
        }
        if (c == 'F' || c == 'q' || c == 'x') {
            o->force = o->force || c == 'F';
            o->quiet = o->quiet || c == 'q';
            o->sd_factor = o->sd_factor && c != 'x';
            continue;
        }
        if (optarg[0] == '\0')
            return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                                "--%s needs a value that is not empty",
                                opts[k].name);
        sp_status st = parse_option(c, optarg, o, err);
        if (st != SP_OK)
            return st;
    }
    if (optind < argc && strcmp(argv[optind], "backtest") == 0)
        optind++;
    if (optind < argc)
        o->scenario = argv[optind++];
    if (optind < argc)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "one scenario only; '%s' is one too many",
                            argv[optind]);
    if (o->scenario == NULL)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "backtest needs a scenario: simplan backtest "
                            "SCENARIO.cfg --data DATA.csv --origins FROM:TO");
    if (o->data == NULL)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--data",
                            "backtest needs the data to score against");
    if (!o->have_origins)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--origins",
                            "backtest needs the origin years FROM:TO");
    return SP_OK;
}

#ifdef SIMPLAN_HAVE_PLOTS
/* The charts of a back-test: pit.png, coverage.png, then
 * projections-NAME.png for each scored indicator. */
typedef struct {
    const sp_backtest_report *r;
    size_t n;                                               /* charts */
    size_t indicator[SP_MAX_INDICATORS];                    /* of chart 2 + k */
    char name[SP_MAX_INDICATORS + 2][4 * SP_MAX_NAME + 24]; /* files */
    const char *names[SP_MAX_INDICATORS + 2];
} bt_charts;

static sp_status draw_chart(const char *path, size_t k, const void *ctx,
                            sp_error *err)
{
    const bt_charts *c = ctx;
    if (k == 0)
        return sp_plot_bt_pit(path, SP_PLOT_PNG, c->r, err);
    if (k == 1)
        return sp_plot_bt_coverage(path, SP_PLOT_PNG, c->r, err);
    return sp_plot_bt_projections(path, SP_PLOT_PNG, c->r, c->indicator[k - 2],
                                  err);
}

/* Draws the charts into the result through the writer's chart stage; a
 * failed stage leaves its warning in the writer (see sp_output_charts)
 * and is no error here. */
static sp_status write_charts(sp_output *w, const sp_backtest_report *r,
                              sp_error *err)
{
    bt_charts *c = calloc(1, sizeof *c);
    if (c == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the charts");
    c->r = r;
    snprintf(c->name[0], sizeof c->name[0], "pit.png");
    snprintf(c->name[1], sizeof c->name[1], "coverage.png");
    c->n = 2;
    for (size_t i = 0; i < r->b->n_indicators && i < SP_MAX_INDICATORS; i++)
        if (r->b->by_indicator[i].n > 0) {
            c->indicator[c->n - 2] = i;
            snprintf(c->name[c->n], sizeof c->name[0], "projections-%s.png",
                     r->sc->indicators[i].name);
            c->n++;
        }
    for (size_t k = 0; k < c->n; k++)
        c->names[k] = c->name[k];
    sp_output_charts(w, c->names, c->n, draw_chart, c);
    free(c);
    return SP_OK;
}
#endif

/* Writes scores.csv, summary.json and the charts into o->out; a chart
 * stage that failed is no error here: its warning goes to `warning` (""
 * when none). */
static sp_status write_out(const sp_backtest_cli *o,
                           const sp_backtest_report *r, char *warning,
                           size_t size, sp_error *err)
{
    sp_output_options oo = {o->out, o->force, o->plots, sp_signal_flag()};
    sp_output *w = NULL;
    sp_status st = sp_output_begin(&oo, &w, err);
    if (st == SP_OK)
        st = sp_output_file(w, "scores.csv", sp_backtest_report_csv, r, err);
    if (st == SP_OK)
        st = sp_output_file(w, "targets.csv", sp_backtest_report_targets_csv, r,
                            err);
#ifdef SIMPLAN_HAVE_JSON
    if (st == SP_OK)
        st = sp_output_file(w, "summary.json", sp_backtest_report_json, r, err);
#endif
#ifdef SIMPLAN_HAVE_PLOTS
    if (st == SP_OK && o->plots)
        st = write_charts(w, r, err);
#endif
    if (st == SP_OK)
        st = sp_output_publish(w, err);
    snprintf(warning, size, "%s",
             st == SP_OK && sp_output_warning(w) ? sp_output_warning(w) : "");
    sp_output_free(w);
    return st;
}

sp_status sp_cmd_backtest_run(const sp_backtest_cli *o, sp_error *err)
{
#ifndef SIMPLAN_HAVE_JSON
    if (o->format == SP_BT_JSON)
        return sp_backtest_report_json(stdout, NULL, err);
#endif
    sp_scenario sc = {0};
    sp_data d = {0};
    sp_backtest b = {0};
    sp_status st = sp_config_load(o->scenario, &sc, err);
    if (st == SP_OK)
        st = sp_data_load(o->data, &d, err);
    sp_backtest_options bo = {.regions = o->n_regions ? o->regions : NULL,
                              .n_regions = o->n_regions,
                              .from = o->from,
                              .to = o->to,
                              .step = o->step ? o->step : 1,
                              .horizon = o->horizon,
                              .history = o->history,
                              .draws = o->draws,
                              .seed = o->have_seed ? o->seed : sc.seed,
                              .rng = sp_rng_lookup(o->rng ? o->rng : sc.rng),
                              .threads = o->threads ? o->threads
                                                    : sp_mc_default_threads(),
                              .sd_factor = o->sd_factor,
                              .search_draws = o->search_draws};
    if (st == SP_OK)
        st = sp_backtest_run(&sc, &d, &bo, &b, err);
    sp_backtest_report r = {&sc, d.file, &bo, &b};
    char warning[512] = "";
    if (st == SP_OK && o->out)
        st = write_out(o, &r, warning, sizeof warning, err);
    if (st == SP_OK && !(o->quiet && o->out)) {
        if (o->format == SP_BT_JSON)
            st = sp_backtest_report_json(stdout, &r, err);
        else if (o->format == SP_BT_CSV)
            st = sp_backtest_report_csv(stdout, &r, err);
        else
            st = sp_backtest_report_table(stdout, &r, err);
    }
    if (st == SP_OK)
        st = sp_output_stdout(err);
    if (st == SP_OK && warning[0] != '\0') /* as run: the data are saved */
        st = sp_error_set(err, SP_ERR_IO, NULL, 0, NULL, "%s", warning);
    sp_backtest_destroy(&b);
    sp_data_destroy(&d);
    sp_scenario_destroy(&sc);
    return st;
}
