/*
 * sp_cli: command-line parsing (getopt_long) into plain options.
 *
 * Every command owns its options (sp_run_options, sp_decide_options, ...):
 * the parser checks the command line against one table of long options
 * with the commands each accepts, then hands each command only its own.
 */
#ifndef SP_CLI_H
#define SP_CLI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sp_status.h"

typedef enum {
    SP_CMD_HELP,
    SP_CMD_VERSION,
    SP_CMD_RUN,
    SP_CMD_CHECK,
    SP_CMD_BENCH,
    SP_CMD_MERGE,
    SP_CMD_BATCH,
    SP_CMD_SOLVE,
    SP_CMD_SWEEP
} sp_command;

typedef enum { SP_FORMAT_TABLE, SP_FORMAT_CSV, SP_FORMAT_JSON } sp_format;

/* Overrides of the scenario's simulation group, for every command that
 * simulates. */
typedef struct {
    uint64_t draws; /* 0: from the scenario */
    bool has_seed;
    uint64_t seed;
    int threads;            /* 0: all cores */
    const char *rng;        /* NULL: from the scenario */
    const char *vr;         /* --variance-reduction, NULL: none */
    const atomic_int *stop; /* polled between steps: a signal's number or
                               SP_STOP_CANCEL stops the command; NULL
                               never (not an option: set by the caller) */
} sp_sim_options;

/* Where a result goes: --out DIR, --force, --plots / --no-plots. */
typedef struct {
    const char *dir; /* --out DIR, NULL for none */
    bool force;      /* reuse an existing DIR */
    bool plots;      /* charts in DIR (default on with --out in a
                               build with charts; off, and --plots refused,
                               in one without) */
} sp_out_options;

/* `simplan run` and `simplan check`. */
typedef struct {
    sp_sim_options sim;
    sp_out_options out;
    sp_format format;
    bool quiet;
    uint32_t slice, slices; /* --slice K/N, 0/0 for the whole run */
    const char *resume;     /* --resume DIR, NULL for none */
    double checkpoint;      /* seconds between state checkpoints in DIR */
    double precision;       /* stop when every 95 % half-width is below */
    long param_sets;        /* --param-sets: 0 the default, -1 none */
} sp_run_options;

/* `simplan solve` and `simplan sweep`. */
typedef struct {
    sp_sim_options sim;
    sp_out_options out;
    sp_format format;
    const char *target;  /* solve: target id */
    double prob;         /* solve: probability to reach */
    const char *vary[2]; /* solve: PATH; sweep: PATH=FROM:TO:STEPS */
    int n_vary;
    bool has_range; /* solve: --range LO:HI */
    double range_lo, range_hi;
    double tol; /* solve: bracket width to stop at */
} sp_decide_options;

/* `simplan merge PART...`. */
typedef struct {
    sp_out_options out;
    sp_format format;
    char **parts; /* state files or directories */
    int n_parts;
} sp_merge_options;

/* `simplan batch SCENARIO...` and `batch --collect DIR`. */
typedef struct {
    sp_sim_options sim;
    sp_out_options out; /* out.dir: the batch directory */
    bool quiet;
    char **scenarios; /* scenario files */
    int n_scenarios;
    int jobs;     /* scenarios run at once */
    bool collect; /* only collect the runs in --out */
} sp_batch_options;

/* `simplan bench [SCENARIO]`. */
typedef struct {
    sp_sim_options sim;
    sp_format format;  /* table or json */
    bool has_marginal; /* override every stochastic family */
    int marginal;      /* sp_family */
} sp_bench_options;

/* A parsed command line: the command, its scenario file (borrowed from
 * argv; NULL for bench without one, see sp_bench_default_scenario) and
 * the options of that command only. */
typedef struct {
    sp_command command;
    const char *scenario;
    union {
        sp_run_options run;       /* run, check */
        sp_decide_options decide; /* solve, sweep */
        sp_merge_options merge;
        sp_batch_options batch;
        sp_bench_options bench;
    } as;
} sp_command_line;

/* Parses argv into `cl` (which borrows strings from argv). SP_ERR_USAGE
 * with a message naming the option on bad usage; SP_ERR_UNSUPPORTED for
 * --format json in a build without jansson and --plots in one without
 * charts. Counts (--draws, --seed, --threads, --jobs, --slice) are
 * integers in decimal or exact scientific notation (1e6, 2.5e6). May be
 * called again on another argv. */
sp_status sp_cli_parse(int argc, char **argv, sp_command_line *cl,
                       sp_error *err);

/* True when `s` is a count in [lo, hi] as the count options take it: an
 * integer in decimal or exact scientific notation (1e6, 2.5e6), nothing
 * else; the value in *out. For counts inside other arguments (sweep's
 * STEPS). */
bool sp_cli_count(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* The --help text. */
const char *sp_cli_usage(void);

#endif /* SP_CLI_H */
