/*
 * cli_backtest: `simplan backtest SCENARIO.cfg --data DATA.csv --origins
 * FROM:TO[:STEP] [--horizon H] [--history L] [--region R]... [--draws N]
 * [--seed S] [--threads T] [--rng NAME] [--no-sd-factor]
 * [--search-draws N] [--format table|json|csv] [--out DIR] [--force]
 * [--plots | --no-plots] [--quiet]`: its options, then
 * simplan_backtest_run; with --out the files are saved before the report
 * goes to stdout, and a failed chart stage ends the command with its
 * warning (exit 3) after the data files are published, as run does.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli_calib.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_batch.h"
#include "simplan.h"

#define BT_MAX_REGIONS 256 /* --region given at most this often */

typedef enum { BT_TABLE, BT_JSON, BT_CSV } bt_format;

/* `simplan backtest`'s options. */
typedef struct {
    const char *scenario; /* SCENARIO.cfg, borrowed from argv */
    const char *data;     /* --data */
    int from, to, step;   /* --origins; step 1 by default */
    bool have_origins;
    int horizon, history; /* --horizon (5), --history (5) */
    const char *regions[BT_MAX_REGIONS];
    size_t n_regions;
    uint64_t draws; /* --draws, default 20000 */
    uint64_t seed;  /* --seed; have_seed false: the scenario's */
    bool have_seed;
    int threads;           /* --threads, 0: all cores */
    const char *rng;       /* --rng, NULL: the scenario's */
    bool sd_factor;        /* false with --no-sd-factor */
    uint64_t search_draws; /* --search-draws, default 5000; 0: all */
    bt_format format;
    const char *out; /* --out DIR */
    bool force, quiet;
    bool plots; /* charts in DIR: true unless --no-plots */
} backtest_cli;

static simplan_status bad(simplan_error *err, const char *field,
                          const char *what, const char *arg)
{
    return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, field, "'%s' %s", arg,
                     what);
}

/* A whole number in [lo, hi]. */
static simplan_status parse_long(const char *arg, const char *field, long lo,
                                 long hi, long *out, simplan_error *err)
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
    return SIMPLAN_OK;
}

/* FROM:TO or FROM:TO:STEP. */
static simplan_status parse_origins(const char *arg, backtest_cli *o,
                                    simplan_error *err)
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
    simplan_status st = parse_long(parts[0], "--origins", CLI_MIN_YEAR,
                                   CLI_MAX_YEAR, &from, err);
    if (st == SIMPLAN_OK)
        st = parse_long(parts[1], "--origins", CLI_MIN_YEAR, CLI_MAX_YEAR, &to,
                        err);
    if (st == SIMPLAN_OK && n == 3)
        st = parse_long(parts[2], "--origins", 1, 100, &step, err);
    if (st != SIMPLAN_OK)
        return st;
    if (from > to)
        return bad(err, "--origins", "starts after it ends", arg);
    o->from = (int)from;
    o->to = (int)to;
    o->step = (int)step;
    o->have_origins = true;
    return SIMPLAN_OK;
}

static simplan_status parse_option(int c, const char *arg, backtest_cli *o,
                                   simplan_error *err)
{
    long v;
    simplan_status st = SIMPLAN_OK;
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
        if (o->n_regions == BT_MAX_REGIONS)
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
        if (st == SIMPLAN_OK && v > 0 && v < 16)
            return bad(err, "--search-draws", "is not 0 (all) or at least 16",
                       arg);
        o->search_draws = (uint64_t)v;
        break;
    case 't':
        st = parse_long(arg, "--threads", 1, 1024, &v, err);
        o->threads = (int)v;
        break;
    case 'g':
        if (!simplan_rng_valid(arg))
            return bad(err, "--rng", "is not a known generator", arg);
        o->rng = arg;
        break;
    case 'f':
        if (strcmp(arg, "table") == 0)
            o->format = BT_TABLE;
        else if (strcmp(arg, "json") == 0)
            o->format = BT_JSON;
        else if (strcmp(arg, "csv") == 0)
            o->format = BT_CSV;
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
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                         "unknown option or missing value (see simplan "
                         "--help)");
    }
    return st;
}

/* --plots (refused by a build without charts) and --no-plots; the last
 * one given counts. */
static simplan_status parse_plots(int c, backtest_cli *o, simplan_error *err)
{
    if (c == 'G' && !cli_has_feature("plots"))
        return cli_error(err, SIMPLAN_ERR_UNSUPPORTED, NULL, 0, "--plots",
                         "this simplan was built without charts "
                         "(configure with -DSIMPLAN_PLOTS=ON and PLplot)");
    o->plots = c == 'G';
    return SIMPLAN_OK;
}

static simplan_status backtest_parse(int argc, char **argv, backtest_cli *o,
                                     simplan_error *err)
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
            return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                             "'%s': unknown option or missing value (see "
                             "simplan --help)",
                             argv[optind - 1]);
        if (c == 'G' || c == 'P') {
            simplan_status st = parse_plots(c, o, err);
            if (st != SIMPLAN_OK)
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
            return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                             "--%s needs a value that is not empty",
                             opts[k].name);
        simplan_status st = parse_option(c, optarg, o, err);
        if (st != SIMPLAN_OK)
            return st;
    }
    if (optind < argc && strcmp(argv[optind], "backtest") == 0)
        optind++;
    if (optind < argc)
        o->scenario = argv[optind++];
    if (optind < argc)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                         "one scenario only; '%s' is one too many",
                         argv[optind]);
    if (o->scenario == NULL)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                         "backtest needs a scenario: simplan backtest "
                         "SCENARIO.cfg --data DATA.csv --origins FROM:TO");
    if (o->data == NULL)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, "--data",
                         "backtest needs the data to score against");
    if (!o->have_origins)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, "--origins",
                         "backtest needs the origin years FROM:TO");
    return SIMPLAN_OK;
}

simplan_status cli_backtest(int argc, char **argv, simplan_error *err)
{
    backtest_cli o;
    simplan_status st = backtest_parse(argc, argv, &o, err);
    if (st != SIMPLAN_OK)
        return st;
    if (o.format == BT_JSON && !cli_has_feature("json"))
        return cli_error(err, SIMPLAN_ERR_UNSUPPORTED, NULL, 0, "--format",
                         "this simplan was built without JSON support "
                         "(configure with -DSIMPLAN_JSON=ON and jansson)");
    simplan_scenario *sc = NULL;
    st = simplan_scenario_load(o.scenario, &sc, err);
    simplan_backtest_options bo;
    simplan_backtest_options_init(&bo);
    bo.data = o.data;
    bo.from = o.from;
    bo.to = o.to;
    bo.step = o.step;
    bo.horizon = o.horizon;
    bo.history = o.history;
    bo.regions = o.regions;
    bo.n_regions = o.n_regions;
    bo.draws = o.draws;
    bo.has_seed = o.have_seed;
    bo.seed = o.seed;
    bo.threads = o.threads;
    bo.rng = o.rng;
    bo.no_sd_factor = !o.sd_factor;
    bo.search_draws = o.search_draws;
    bo.all_search_draws = o.search_draws == 0;
    simplan_backtest *bt = NULL;
    if (st == SIMPLAN_OK)
        st = simplan_backtest_run(sc, &bo, &bt, err);
    if (st == SIMPLAN_OK && o.out)
        st = simplan_backtest_save(bt, o.out, o.force, o.plots, err);
    if (st == SIMPLAN_OK && !(o.quiet && o.out)) {
        simplan_format f = o.format == BT_JSON  ? SIMPLAN_FORMAT_JSON
                           : o.format == BT_CSV ? SIMPLAN_FORMAT_CSV
                                                : SIMPLAN_FORMAT_TABLE;
        char *text = NULL;
        size_t len = 0;
        st = cli_print(simplan_backtest_to_string(bt, f, &text, &len, err),
                       &text, &len, err);
    }
    if (st == SIMPLAN_OK)
        st = cli_stdout_check(err);
    if (st == SIMPLAN_OK && simplan_backtest_chart_warning(bt))
        st = cli_error(err, SIMPLAN_ERR_IO, NULL, 0, NULL, "%s",
                       simplan_backtest_chart_warning(bt));
    simplan_backtest_free(bt);
    simplan_scenario_free(sc);
    return st;
}
