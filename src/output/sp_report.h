/*
 * sp_report: the outputs of a run and of `simplan check`.
 *
 * table: a readable report for a terminal; csv: one tidy row per target;
 * json: the stable interface of doc/model.md §11 (sp_json.c, through
 * jansson).
 * Each writer formats into the given stream and reports write errors.
 */
#ifndef SP_REPORT_H
#define SP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "sp_compile.h"
#include "sp_result.h"
#include "sp_scenario.h"
#include "sp_status.h"

typedef struct {
    const sp_scenario *sc;
    const sp_compiled *c;
    const sp_result *res;
    uint64_t seed;   /* run settings as resolved */
    const char *rng; /* generator name */
    int threads;
    double elapsed; /* seconds of the simulation and its statistics
                            (scenario discovery excluded) */
    /* Written to summary.json only, when not NULL: */
    const char *command_line;    /* the full command line */
    const char *scenario_sha256; /* hex digest of the scenario file */
    const char *settings_out;    /* --out directory */
    int settings_plots;          /* plots written (0/1) */
    int settings_ranks;          /* MPI ranks of the run (0 or 1: one) */
    double precision;            /* --precision asked for, 0 if none */
    int precision_reached;       /* 1 if it stopped because it was met */
} sp_report;

sp_status sp_report_table(FILE *out, const sp_report *r, sp_error *err);
sp_status sp_report_csv(FILE *out, const sp_report *r, sp_error *err);

/* Writes s as one RFC 4180 field (in double quotes, quotes doubled). */
void sp_report_csv_string(FILE *out, const char *s);

/* The name of input j of the model (see sp_model_n_inputs) for reports:
 * "gdp trend", "gdp innovations", "event shock". */
void sp_report_input_name(const sp_report *r, size_t j, char *buf, size_t size);

/* The scenario-discovery box of target k as a sentence ("missed in 81 %
 * of draws where gdp trend > +0.48 pp/yr (coverage 70 %, density
 * 81 %)"); an empty string when there is none. */
void sp_report_box_text(const sp_report *r, size_t k, char *buf, size_t size);

/* One sentence on what the intervals cover and, when the scenario
 * records its back-test (`backtest = { ... }`), its verdict. */
void sp_report_calibration_text(const sp_report *r, char *buf, size_t size);

/* "with parameter uncertainty: P 0.38-0.51 (...)" for a target whose P
 * was also computed under the scenario's parameter uncertainty; false (and
 * "") when it was not. */
bool sp_report_param_text(const sp_target_result *tr, char *buf, size_t size);

/* The observed values of indicator i (an index into sc->indicators) by
 * year: values[t] is the value of year base_year + 1 + t, NaN for a year
 * that is not observed (years may have gaps); values has room for
 * SP_MAX_STEPS. Returns n, one past the last observed year's slot, 0 when
 * the indicator has no observed years. */
size_t sp_report_observed(const sp_scenario *sc, size_t i, double *values);

/* How many drivers reports show per target. */
#define SP_REPORT_DRIVERS 3

/* drivers.csv: every target's inputs with their effects:
 * target,rank,input,effect,p_low,p_high,n_low,n_high. */
sp_status sp_report_drivers_csv(FILE *out, const sp_report *r, sp_error *err);

/* indicators.csv: tidy long format, one row per indicator, year and
 * statistic (mean, p05, p25, p50, p75, p95): indicator,year,statistic,value.
 * Statistics without finite draws are left out. */
sp_status sp_report_indicators_csv(FILE *out, const sp_report *r,
                                   sp_error *err);

/* iamc.csv: the IAMC template (Model, Scenario, Region, Variable, Unit,
 * one column per year), one row per indicator and statistic, with the
 * variable "<variable>|Mean" or "<variable>|5th Percentile" and so on, so
 * that pyam reads it directly. */
sp_status sp_report_iamc_csv(FILE *out, const sp_report *r, sp_error *err);

/* report.md: the scenario, the settings, the target table, the warnings;
 * with `plots`, the target chart and a fan chart per indicator as images
 * (targets.png and fan_<name>.png beside it). */
sp_status sp_report_markdown(FILE *out, const sp_report *r, bool plots,
                             sp_error *err);

/* SP_ERR_UNSUPPORTED when built without jansson (SIMPLAN_JSON=OFF). */
sp_status sp_report_json(FILE *out, const sp_report *r, sp_error *err);

/* `simplan check`: the parsed model, and nothing run. */
sp_status sp_report_check(FILE *out, const sp_scenario *sc,
                          const sp_compiled *c, sp_error *err);

/* The warning of a --precision run that stopped at --draws without
 * reaching its half-width, into buf; false (buf untouched) otherwise.
 * Every report format lists it with the other warnings. */
bool sp_report_precision_warning(const sp_report *r, char *buf, size_t size);

/* Checks `out` for a write error after a report. */
sp_status sp_report_flush(FILE *out, sp_error *err);

#endif /* SP_REPORT_H */
