/*
 * sp_scenario: a scenario as written in the file, validated field by field.
 *
 * Plain data with the line of every element, so that later checks (formula
 * references, cycles, the correlation matrix) can still name file and line.
 * sp_config_load() fills it from a libconfig file; tests may build one by
 * hand. sp_compile() turns it into the model.
 */
#ifndef SP_SCENARIO_H
#define SP_SCENARIO_H

#include <stdint.h>
#include <stddef.h>

#include "sp_marginal.h"
#include "sp_measure.h"
#include "sp_model.h"

/* Limits, checked by the loader with a clear error. */
#define SP_MAX_DRAWS      100000000000ULL /* 1e11 draws */
#define SP_MIN_YEAR       1000
#define SP_MAX_YEAR       9999
#define SP_MAX_STEPS      200 /* projected years, horizon - base_year */
#define SP_MAX_INDICATORS 256
#define SP_MAX_EVENTS     256
#define SP_MAX_EFFECTS    64 /* per event */
#define SP_MAX_TARGETS    1024
#define SP_MAX_JOINT      64   /* members of one joint target */
#define SP_MAX_FORMULA    1024 /* characters */
#define SP_MAX_NAME       64   /* characters of an indicator name or id */

typedef struct {
    int from, to;    /* inclusive calendar years */
    double mean, sd; /* path mean and innovation scale */
    double sd_se;    /* standard error of sd, 0 if not given */
    int line;
} sp_period_spec;

typedef struct {
    char *name;        /* identifier */
    char *unit;        /* free text, "" if not given */
    char *variable;    /* IAMC variable name, default the name */
    char *description; /* free text, "" if not given */
    sp_kind kind;
    double base; /* rate/share only */
    size_t n_path;
    sp_period_spec *path;
    double trend_sd;      /* default 0 */
    bool logit;           /* share on the logit scale (scale = "logit") */
    double ar1;           /* default 0 */
    double ar1_se;        /* standard errors of ar1 and trend_sd, */
    double trend_sd_se;   /* 0 if not given (sp_paramunc.h) */
    double sd_factor;     /* scales every sd, trend_sd and their se
                             (from a back-test); 0 (not set) is 1 */
    sp_marginal marginal; /* default normal */
    char *formula;        /* derived only */
    int line;             /* line of the indicator's group */
    int formula_line;
} sp_indicator_spec;

typedef struct {
    char *a, *b; /* indicator names */
    double rho;
    int line;
} sp_correlation_spec;

typedef struct {
    char *indicator;
    double mean, sd;
    int line;
} sp_effect_spec;

typedef struct {
    char *name;
    double probability;
    int from, to;
    size_t n_effects;
    sp_effect_spec *effects;
    int line;
} sp_event_spec;

typedef struct {
    char *indicator; /* a rate or share indicator */
    int year;        /* base_year+1 .. horizon */
    double value;    /* observed level */
    int line;
} sp_observed_spec;

typedef struct {
    char *id, *name, *source;
    size_t n_all; /* > 0: joint target */
    char **all;   /* member ids */
    char *indicator;
    sp_measure_kind measure;
    int year;     /* level: the year; copied to `to` */
    int from, to; /* change/cagr/delta */
    sp_op op;
    double value, lo, hi;
    int line;
} sp_target_spec;

/* The back-test a scenario records of itself (`backtest = { ... }`):
 * the command that produced it and what it found; a test reruns it. */
typedef struct {
    bool present;
    char *command; /* "simplan backtest ..." */
    char *verdict; /* "calibrated", "over-confident", "under-confident" */
    double coverage90;
    long long scored;
    int line;
} sp_backtest_record;

typedef struct {
    char *file; /* path as given */
    char *text; /* the file's text, as read */
    size_t text_len;
    char sha256[65]; /* SHA-256 of the text, hex */
    char *name;
    char *description;
    char *region; /* IAMC region, default "World" */
    int base_year, horizon;
    uint64_t draws;
    uint64_t seed;
    char *rng; /* generator name, "" for the default */
    size_t n_indicators;
    sp_indicator_spec *indicators;
    size_t n_correlations;
    sp_correlation_spec *correlations;
    size_t n_events;
    sp_event_spec *events;
    size_t n_targets;
    sp_target_spec *targets;
    size_t n_observed;
    sp_observed_spec *observed;
    int line_correlations; /* line of the correlations list, 0 if absent */
    sp_backtest_record backtest;
} sp_scenario;

/* Frees every string and array a scenario owns (malloc'd) and zeroes it. */
void sp_scenario_destroy(sp_scenario *sc);

/* A copy of `sc` that owns its own indicators array and their paths, so
 * that their numbers can be changed; every string and every other array
 * is borrowed from `sc`, which must outlive the copy. SP_ERR_NOMEM (the
 * copy is then zeroed and needs no freeing). */
sp_status sp_scenario_copy_indicators(const sp_scenario *sc, sp_scenario *out);

/* Frees what sp_scenario_copy_indicators allocated and zeroes `s`. */
void sp_scenario_free_indicators(sp_scenario *s);

/* Index of the indicator called `name`, or -1. */
long sp_scenario_find_indicator(const sp_scenario *sc, const char *name);

/* Index of the target with id `id`, or -1. */
long sp_scenario_find_target(const sp_scenario *sc, const char *id);

#endif /* SP_SCENARIO_H */
