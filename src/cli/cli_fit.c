/*
 * cli_fit: `simplan fit DATA.csv --scenario SCENARIO.cfg [--indicator
 * NAME]... [--region R] [--from Y] [--to Y] [--plans PLANS.csv]
 * [--format table|json|cfg]`: its options, then simplan_fit.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli_calib.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_batch.h"
#include "simplan.h"

#define FIT_MAX_INDICATORS 64 /* --indicator given at most this often */

/* `simplan fit`'s options. */
typedef struct {
    const char *data;     /* DATA.csv, borrowed from argv */
    const char *scenario; /* --scenario */
    const char *region;   /* --region, NULL: see simplan_fit */
    const char *plans;    /* --plans: targets and outcomes for trend_sd */
    int from, to;         /* --from, --to; 0: no bound */
    const char *indicators[FIT_MAX_INDICATORS]; /* --indicator */
    size_t n_indicators;
    simplan_format format;
} fit_options;

static simplan_status usage_error(simplan_error *err, const char *field,
                                  const char *fmt, const char *arg)
    __attribute__((format(printf, 3, 0)));

/* SIMPLAN_ERR_USAGE with a message that shows `arg` (or nothing, with "%s"
 * and ""). */
static simplan_status usage_error(simplan_error *err, const char *field,
                                  const char *fmt, const char *arg)
{
    char msg[400];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(msg, sizeof msg, fmt, arg);
#pragma GCC diagnostic pop
    return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, field, "%s", msg);
}

static simplan_status parse_year(const char *arg, const char *field, int *out,
                                 simplan_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || errno != 0 || v < CLI_MIN_YEAR ||
        v > CLI_MAX_YEAR)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, field,
                         "'%s' is not a year between %d and %d", arg,
                         CLI_MIN_YEAR, CLI_MAX_YEAR);
    *out = (int)v;
    return SIMPLAN_OK;
}

static simplan_status parse_option(int c, const char *arg, fit_options *o,
                                   simplan_error *err)
{
    switch (c) {
    case 's':
        o->scenario = arg;
        return SIMPLAN_OK;
    case 'i':
        if (o->n_indicators == FIT_MAX_INDICATORS)
            return usage_error(err, "--indicator", "at most 64 indicators%s",
                               "");
        o->indicators[o->n_indicators++] = arg;
        return SIMPLAN_OK;
    case 'r':
        o->region = arg;
        return SIMPLAN_OK;
    case 'p':
        o->plans = arg;
        return SIMPLAN_OK;
    case 'F':
        return parse_year(arg, "--from", &o->from, err);
    case 'T':
        return parse_year(arg, "--to", &o->to, err);
    case 'f':
        if (strcmp(arg, "table") == 0)
            o->format = SIMPLAN_FORMAT_TABLE;
        else if (strcmp(arg, "json") == 0)
            o->format = SIMPLAN_FORMAT_JSON;
        else if (strcmp(arg, "cfg") == 0)
            o->format = SIMPLAN_FORMAT_CFG;
        else
            return usage_error(err, "--format",
                               "unknown format '%s'; "
                               "allowed: table, json, cfg",
                               arg);
        return SIMPLAN_OK;
    default:
        return usage_error(err, NULL, "%s",
                           "unknown option or missing "
                           "value (see simplan --help)");
    }
}

static simplan_status fit_parse(int argc, char **argv, fit_options *o,
                                simplan_error *err)
{
    static const struct option opts[] = {
        {"scenario", required_argument, NULL, 's'},
        {"indicator", required_argument, NULL, 'i'},
        {"region", required_argument, NULL, 'r'},
        {"plans", required_argument, NULL, 'p'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    opterr = 0;
    optind = 0; /* glibc: start afresh (getopt_long may have run before) */
    int c, k = 0;
    while ((c = getopt_long(argc, argv, ":", opts, &k)) != -1) {
        if (c == '?' || c == ':')
            return usage_error(err, NULL,
                               "'%s': unknown option or missing "
                               "value (see simplan --help)",
                               argv[optind - 1]);
        if (optarg[0] == '\0')
            return usage_error(err, NULL,
                               "--%s needs a value that is not "
                               "empty",
                               opts[k].name);
        simplan_status st = parse_option(c, optarg, o, err);
        if (st != SIMPLAN_OK)
            return st;
    }
    /* getopt_long moved the operands to the end: "fit" and DATA.csv. */
    if (optind < argc && strcmp(argv[optind], "fit") == 0)
        optind++;
    if (optind < argc)
        o->data = argv[optind++];
    if (optind < argc)
        return usage_error(err, NULL,
                           "one data file only; '%s' is one too "
                           "many",
                           argv[optind]);
    if (o->data == NULL)
        return usage_error(err, NULL, "%s",
                           "fit needs a data file: simplan "
                           "fit DATA.csv --scenario SCENARIO.cfg");
    if (o->scenario == NULL)
        return usage_error(err, "--scenario", "%s",
                           "fit needs the scenario "
                           "whose indicators it fits");
    if (o->from && o->to && o->from > o->to)
        return usage_error(err, "--from", "%s", "--from is after --to");
    return SIMPLAN_OK;
}

simplan_status cli_fit(int argc, char **argv, simplan_error *err)
{
    fit_options o;
    simplan_status st = fit_parse(argc, argv, &o, err);
    simplan_scenario *sc = NULL;
    if (st == SIMPLAN_OK)
        st = simplan_scenario_load(o.scenario, &sc, err);
    simplan_fit_options fo;
    simplan_fit_options_init(&fo);
    fo.data = o.data;
    fo.region = o.region;
    fo.plans = o.plans;
    fo.from = o.from;
    fo.to = o.to;
    fo.indicators = o.indicators;
    fo.n_indicators = o.n_indicators;
    char *text = NULL;
    size_t len = 0;
    if (st == SIMPLAN_OK)
        st = cli_print(simplan_fit(sc, &fo, o.format, &text, &len, err), &text,
                       &len, err);
    simplan_scenario_free(sc);
    return st;
}
