/*
 * cli_args: command-line parsing (getopt_long) into plain options.
 *
 * Every command owns its options (cli_run_options, cli_decide_options, ...):
 * the parser checks the command line against one table of long options
 * with the commands each accepts, then hands each command only its own.
 */
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "simplan.h"

#define CLI_MAX_DRAWS 100000000000ULL /* 1e11 draws, the library's limit */

typedef enum {
    CLI_CMD_HELP,
    CLI_CMD_VERSION,
    CLI_CMD_RUN,
    CLI_CMD_CHECK,
    CLI_CMD_BENCH,
    CLI_CMD_MERGE,
    CLI_CMD_BATCH,
    CLI_CMD_SOLVE,
    CLI_CMD_SWEEP
} cli_command;

typedef enum { CLI_FORMAT_TABLE, CLI_FORMAT_CSV, CLI_FORMAT_JSON } cli_format;

/* Overrides of the scenario's simulation group, for every command that
 * simulates. */
typedef struct {
    uint64_t draws; /* 0: from the scenario */
    bool has_seed;
    uint64_t seed;
    int threads;     /* 0: all cores */
    const char *rng; /* NULL: from the scenario */
    const char *vr;  /* --variance-reduction, NULL: none */
} cli_sim_options;

/* Where a result goes: --out DIR, --force, --plots / --no-plots. */
typedef struct {
    const char *dir; /* --out DIR, NULL for none */
    bool force;      /* reuse an existing DIR */
    bool plots;      /* charts in DIR (default on with --out in a
                               build with charts; off, and --plots refused,
                               in one without) */
} cli_out_options;

/* `simplan run` and `simplan check`. */
typedef struct {
    cli_sim_options sim;
    cli_out_options out;
    cli_format format;
    bool quiet;
    uint32_t slice, slices; /* --slice K/N, 0/0 for the whole run */
    const char *resume;     /* --resume DIR, NULL for none */
    double checkpoint;      /* seconds between state checkpoints in DIR */
    double precision;       /* stop when every 95 % half-width is below */
    long param_sets;        /* --param-sets: 0 the default, -1 none */
} cli_run_options;

/* `simplan solve` and `simplan sweep`. */
typedef struct {
    cli_sim_options sim;
    cli_out_options out;
    cli_format format;
    const char *target;  /* solve: target id */
    double prob;         /* solve: probability to reach */
    const char *vary[2]; /* solve: PATH; sweep: PATH=FROM:TO:STEPS */
    int n_vary;
    bool has_range; /* solve: --range LO:HI */
    double range_lo, range_hi;
    double tol; /* solve: bracket width to stop at */
} cli_decide_options;

/* `simplan merge PART...`. */
typedef struct {
    cli_out_options out;
    cli_format format;
    char **parts; /* state files or directories */
    int n_parts;
} cli_merge_options;

/* `simplan batch SCENARIO...` and `batch --collect DIR`. */
typedef struct {
    cli_sim_options sim;
    cli_out_options out; /* out.dir: the batch directory */
    bool quiet;
    char **scenarios; /* scenario files */
    int n_scenarios;
    int jobs;     /* scenarios run at once */
    bool collect; /* only collect the runs in --out */
} cli_batch_options;

/* `simplan bench [SCENARIO]`. */
typedef struct {
    cli_sim_options sim;
    cli_format format;    /* table or json */
    bool has_marginal;    /* override every stochastic family */
    const char *marginal; /* its name (simplan_family_name) */
} cli_bench_options;

/* A parsed command line: the command, its scenario file (borrowed from
 * argv; NULL for bench without one, see simplan_default_scenario) and
 * the options of that command only. */
typedef struct {
    cli_command command;
    const char *scenario;
    union {
        cli_run_options run;       /* run, check */
        cli_decide_options decide; /* solve, sweep */
        cli_merge_options merge;
        cli_batch_options batch;
        cli_bench_options bench;
    } as;
} cli_command_line;

/* Fills `err` (if not NULL) and returns `status`, for the parsers. */
simplan_status cli_error(simplan_error *err, simplan_status status,
                         const char *file, int line, const char *field,
                         const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* True when the library was built with the optional part `name` ("json",
 * "plots", "mpi", "openmp"; simplan_features). */
bool cli_has_feature(const char *name);

/* Parses argv into `cl` (which borrows strings from argv). SIMPLAN_ERR_USAGE
 * with a message naming the option on bad usage; SIMPLAN_ERR_UNSUPPORTED for
 * --format json in a build without jansson and --plots in one without
 * charts. Counts (--draws, --seed, --threads, --jobs, --slice) are
 * integers in decimal or exact scientific notation (1e6, 2.5e6). May be
 * called again on another argv. */
simplan_status cli_parse(int argc, char **argv, cli_command_line *cl,
                         simplan_error *err);

/* True when `s` is a count in [lo, hi] as the count options take it: an
 * integer in decimal or exact scientific notation (1e6, 2.5e6), nothing
 * else; the value in *out. For counts inside other arguments (sweep's
 * STEPS). */
bool cli_count(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* The --help text. */
const char *cli_usage(void);

#endif /* CLI_ARGS_H */
