/*
 * sp_cmd_fit: options, loading and output of `simplan fit`.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_cmd_fit.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_calib.h"
#include "sp_calib_report.h"
#include "sp_config.h"
#include "sp_data.h"
#include "sp_plans.h"

static sp_status usage_error(sp_error *err, const char *field, const char *fmt,
                             const char *arg)
    __attribute__((format(printf, 3, 0)));

/* SP_ERR_USAGE with a message that shows `arg` (or nothing, with "%s"
 * and ""). */
static sp_status usage_error(sp_error *err, const char *field, const char *fmt,
                             const char *arg)
{
    char msg[400];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(msg, sizeof msg, fmt, arg);
#pragma GCC diagnostic pop
    return sp_error_set(err, SP_ERR_USAGE, NULL, 0, field, "%s", msg);
}

static sp_status parse_year(const char *arg, const char *field, int *out,
                            sp_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || errno != 0 || v < SP_MIN_YEAR ||
        v > SP_MAX_YEAR)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, field,
                            "'%s' is not a year between %d and %d", arg,
                            SP_MIN_YEAR, SP_MAX_YEAR);
    *out = (int)v;
    return SP_OK;
}

static sp_status parse_option(int c, const char *arg, sp_fit_options *o,
                              sp_error *err)
{
    switch (c) {
    case 's':
        o->scenario = arg;
        return SP_OK;
    case 'i':
        if (o->n_indicators == SP_FIT_MAX_INDICATORS)
            return usage_error(err, "--indicator", "at most 64 indicators%s",
                               "");
        o->indicators[o->n_indicators++] = arg;
        return SP_OK;
    case 'r':
        o->region = arg;
        return SP_OK;
    case 'p':
        o->plans = arg;
        return SP_OK;
    case 'F':
        return parse_year(arg, "--from", &o->from, err);
    case 'T':
        return parse_year(arg, "--to", &o->to, err);
    case 'f':
        if (strcmp(arg, "table") == 0)
            o->format = SP_FIT_TABLE;
        else if (strcmp(arg, "json") == 0)
            o->format = SP_FIT_JSON;
        else if (strcmp(arg, "cfg") == 0)
            o->format = SP_FIT_CFG;
        else
            return usage_error(err, "--format",
                               "unknown format '%s'; "
                               "allowed: table, json, cfg",
                               arg);
        return SP_OK;
    default:
        return usage_error(err, NULL, "%s",
                           "unknown option or missing "
                           "value (see simplan --help)");
    }
}

sp_status sp_cmd_fit_parse(int argc, char **argv, sp_fit_options *o,
                           sp_error *err)
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
        sp_status st = parse_option(c, optarg, o, err);
        if (st != SP_OK)
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
    return SP_OK;
}

sp_status sp_cmd_fit_run(const sp_fit_options *o, sp_error *err)
{
    sp_scenario sc = {0};
    sp_data d = {0};
    sp_plans p = {0};
    sp_calib c = {0};
    sp_status st = sp_config_load(o->scenario, &sc, err);
    if (st == SP_OK)
        st = sp_data_load(o->data, &d, err);
    if (st == SP_OK && o->plans)
        st = sp_plans_load(o->plans, &p, err);
    sp_calib_options co = {
        o->region,       o->from,
        o->to,           o->n_indicators ? o->indicators : NULL,
        o->n_indicators, o->plans ? &p : NULL};
    if (st == SP_OK)
        st = sp_calib_fit(&sc, &d, &co, &c, err);
    if (st == SP_OK && o->format == SP_FIT_JSON)
        st = sp_calib_report_json(stdout, &sc, &c, err);
    else if (st == SP_OK && o->format == SP_FIT_CFG)
        st = sp_calib_report_cfg(stdout, &sc, &c, err);
    else if (st == SP_OK)
        st = sp_calib_report_table(stdout, &sc, &c, err);
    sp_calib_destroy(&c);
    sp_plans_destroy(&p);
    sp_data_destroy(&d);
    sp_scenario_destroy(&sc);
    return st;
}
