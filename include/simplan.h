/*
 * simplan.h: the C interface of libsimplan, the scenario simulation engine
 * for development-plan targets.
 *
 * One header is the whole interface; doc/api.md walks through a complete
 * program. The pieces:
 *
 *   simplan_scenario   a scenario read from a libconfig file or string,
 *                      whose numbers can be changed by field path;
 *   simplan_run        the Monte Carlo run of a scenario into a
 *                      simplan_result (targets, indicators, drivers,
 *                      warnings), written in any report format or saved
 *                      as a result directory;
 *   simplan_solve      the value of one scenario number at which a target
 *                      reaches a probability;
 *   simplan_sweep      every target's probability over a grid of one or
 *                      two numbers;
 *   simplan_merge      the result of a run made of slices saved apart.
 *
 * Conventions, for every function:
 *   - A fallible function returns a simplan_status and, when it fails,
 *     fills the caller's simplan_error (if not NULL) with the file, line
 *     and field path of the problem and a sentence saying what is wrong
 *     and what is allowed. On failure no output argument is set to an
 *     object the caller must free.
 *   - Objects are opaque. Whoever receives one through an `**out`
 *     argument owns it and frees it with its _free function; every _free
 *     accepts NULL. Strings returned as `const char *` belong to the
 *     object they came from and live as long as it does. Strings and
 *     buffers returned through `char **` are the caller's, freed with
 *     simplan_free().
 *   - Nothing prints, exits, aborts or installs signal handlers.
 *   - There is no global mutable state: different objects may be used
 *     from different threads at once (two runs on two threads give the
 *     results each gives alone). One object must not be used from two
 *     threads at once, except simplan_cancel_request().
 *   - GSL's error handler: GSL aborts on an error unless told otherwise.
 *     The first call into libsimplan that can reach GSL turns it off for
 *     the process (gsl_set_error_handler_off, once, thread-safe), and
 *     simplan checks GSL's return codes itself. A host program that
 *     installs its own handler afterwards gets its handler called for
 *     errors simplan would have handled.
 *
 * Versioning: the library's SONAME carries SIMPLAN_VERSION_MAJOR. Within
 * one major version functions are only added and the option structures
 * the caller fills (simplan_run_options, simplan_solve_spec,
 * simplan_bench_options, simplan_fit_options, simplan_backtest_options)
 * only grow at their end; callers set them up with their _init function
 * before filling the fields they need.
 */
#ifndef SIMPLAN_H
#define SIMPLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SIMPLAN_BUILDING_LIBRARY) && defined(__GNUC__)
#define SIMPLAN_API __attribute__((visibility("default")))
#else
#define SIMPLAN_API
#endif

#define SIMPLAN_VERSION_MAJOR 0
#define SIMPLAN_VERSION_MINOR 1
#define SIMPLAN_VERSION_PATCH 0

/* ---- status codes and the error record ---------------------------------- */

/* What kind of failure. The exit code of the `simplan` command for each
 * is simplan_exit_code(): 0 ok, 1 usage, 2 scenario, 3 runtime or I/O. */
typedef enum {
    SIMPLAN_OK = 0,
    SIMPLAN_ERR_USAGE,       /* a bad argument (1) */
    SIMPLAN_ERR_SYNTAX,      /* the scenario text does not parse (2) */
    SIMPLAN_ERR_TYPE,        /* a field of the wrong type (2) */
    SIMPLAN_ERR_MISSING,     /* a required field is missing (2) */
    SIMPLAN_ERR_UNKNOWN_KEY, /* a field simplan does not know (2) */
    SIMPLAN_ERR_RANGE,       /* a value out of its range (2) */
    SIMPLAN_ERR_DUPLICATE,   /* two elements with one name (2) */
    SIMPLAN_ERR_REFERENCE,   /* a name that refers to nothing (2) */
    SIMPLAN_ERR_PERIODS,     /* path periods miss projected years (2) */
    SIMPLAN_ERR_FORMULA,     /* a formula that is not valid (2) */
    SIMPLAN_ERR_CYCLE,       /* formulas that depend on each other (2) */
    SIMPLAN_ERR_CORRELATION, /* a correlation matrix that is not one (2) */
    SIMPLAN_ERR_LIMIT,       /* a size limit exceeded (2) */
    SIMPLAN_ERR_BASE_VALUE,  /* a base-year value outside its domain (2) */
    SIMPLAN_ERR_IO,          /* a file could not be read or written (3) */
    SIMPLAN_ERR_NOMEM,       /* out of memory (3) */
    SIMPLAN_ERR_NUMERIC,     /* a numerical failure (3) */
    SIMPLAN_ERR_UNSUPPORTED, /* not in this build (JSON, plots, MPI) (3) */
    SIMPLAN_ERR_CANCELLED    /* stopped by simplan_cancel_request (3) */
} simplan_status;

/* Where a failure is and what it is. Plain data owned by the caller;
 * `line` is 0 and `file` and `field` are "" when they do not apply. */
typedef struct {
    simplan_status status;
    char file[256];    /* file the problem is in */
    int line;          /* 1-based line in `file`, 0 if unknown */
    char field[160];   /* field path, e.g. "indicators.gdp.path[0].sd" */
    char message[512]; /* what is wrong and what is allowed */
} simplan_error;

/* Clears `err` to SIMPLAN_OK with empty strings. */
SIMPLAN_API void simplan_error_clear(simplan_error *err);

/* "value out of range" for a status; never NULL. */
SIMPLAN_API const char *simplan_strerror(simplan_status status);

/* "SIMPLAN_ERR_RANGE" for a status; never NULL. */
SIMPLAN_API const char *simplan_status_name(simplan_status status);

/* The `simplan` command's exit code for a status: 0, 1, 2 or 3. */
SIMPLAN_API int simplan_exit_code(simplan_status status);

/* The error as the command prints it, "FILE:LINE: error: FIELD: message
 * (description)", into buf (truncated to size, always terminated);
 * returns the length it needed, as snprintf. */
SIMPLAN_API int simplan_error_format(const simplan_error *err, char *buf,
                                     size_t size);

/* ---- the library --------------------------------------------------------- */

/* "0.1.0": the version of the library actually loaded. */
SIMPLAN_API const char *simplan_version(void);

/* The optional parts it was built with: "openmp on, json on, plots on,
 * mpi on" (each "on" or "off"). */
SIMPLAN_API const char *simplan_features(void);

/* Frees a string or buffer the library handed over through `char **`. */
SIMPLAN_API void simplan_free(void *p);

/* ---- scenarios ----------------------------------------------------------- */

typedef struct simplan_scenario simplan_scenario;

/* Reads and checks the scenario file at `path` (syntax, types, ranges,
 * references; doc/model.md). SIMPLAN_ERR_IO when it cannot be read, a
 * scenario status (exit code 2) naming file, line and field otherwise. */
SIMPLAN_API simplan_status simplan_scenario_load(const char *path,
                                                 simplan_scenario **out,
                                                 simplan_error *err);

/* The same from libconfig text in memory, which is how a scenario is
 * built in code. `name` (NULL: "<string>") stands for the file in error
 * messages and reports. */
SIMPLAN_API simplan_status simplan_scenario_from_string(const char *text,
                                                        const char *name,
                                                        simplan_scenario **out,
                                                        simplan_error *err);

/* An independent copy of `sc`, its changed numbers included. */
SIMPLAN_API simplan_status simplan_scenario_copy(const simplan_scenario *sc,
                                                 simplan_scenario **out,
                                                 simplan_error *err);

SIMPLAN_API void simplan_scenario_free(simplan_scenario *sc);

/* Sets the number at field `path`, as solve and sweep vary it:
 *   indicators.NAME.base | trend_sd | ar1 | dist.df | dist.skew |
 *     path[K].mean | path[K].sd,
 *   correlations[K].rho,
 *   events.NAME.probability | effects[K].mean | effects[K].sd,
 *   targets.ID.value | range[0] | range[1].
 * SIMPLAN_ERR_USAGE when the scenario has no such number,
 * SIMPLAN_ERR_RANGE (the field named) for a value it does not allow.
 * Checks that need the whole scenario (a correlation matrix that stays
 * positive definite) are made by simplan_scenario_check and every run.
 * A changed scenario records the change: its digest
 * (simplan_scenario_sha256) is that of its text followed by one line
 * "#@set PATH = VALUE" (VALUE printed with %.17g) per change, in order:
 * the loader applies such lines, so a state file made from the changed
 * scenario reproduces it (doc/api.md). */
SIMPLAN_API simplan_status simplan_scenario_set(simplan_scenario *sc,
                                                const char *path, double value,
                                                simplan_error *err);

/* The number at field `path` (the forms of simplan_scenario_set). */
SIMPLAN_API simplan_status simplan_scenario_get(const simplan_scenario *sc,
                                                const char *path, double *value,
                                                simplan_error *err);

/* Compiles the scenario as a run would (formulas, dependency order,
 * correlation matrices): SIMPLAN_OK when it can run. */
SIMPLAN_API simplan_status simplan_scenario_check(const simplan_scenario *sc,
                                                  simplan_error *err);

/* The report of `simplan check` (the parsed model, nothing run) as text
 * the caller frees with simplan_free. */
SIMPLAN_API simplan_status simplan_scenario_describe(const simplan_scenario *sc,
                                                     char **text,
                                                     simplan_error *err);

/* The scenario's `name`, its file (or the name given to from_string),
 * and the hex SHA-256 digest that reports and state files record. */
SIMPLAN_API const char *simplan_scenario_name(const simplan_scenario *sc);
SIMPLAN_API const char *simplan_scenario_file(const simplan_scenario *sc);
SIMPLAN_API const char *simplan_scenario_sha256(const simplan_scenario *sc);

/* Base year and horizon (the last projected year). */
SIMPLAN_API int simplan_scenario_base_year(const simplan_scenario *sc);
SIMPLAN_API int simplan_scenario_horizon(const simplan_scenario *sc);

/* Its targets (ids) and indicators (names), in file order; NULL for an
 * index out of range. */
SIMPLAN_API size_t simplan_scenario_n_targets(const simplan_scenario *sc);
SIMPLAN_API const char *simplan_scenario_target_id(const simplan_scenario *sc,
                                                   size_t k);
SIMPLAN_API size_t simplan_scenario_n_indicators(const simplan_scenario *sc);
SIMPLAN_API const char *
simplan_scenario_indicator_name(const simplan_scenario *sc, size_t i);

/* ---- stopping a run ------------------------------------------------------ */

/* A stop request a host can make from another thread or from a signal
 * handler while a run, solve or sweep is computing: the computation stops
 * at its next step (at most 256 blocks of 1024 draws) and fails with
 * SIMPLAN_ERR_CANCELLED. */
typedef struct simplan_cancel simplan_cancel;

/* NULL when out of memory. */
SIMPLAN_API simplan_cancel *simplan_cancel_new(void);
SIMPLAN_API void simplan_cancel_free(simplan_cancel *c);

/* Requests the stop; async-signal-safe and thread-safe. */
SIMPLAN_API void simplan_cancel_request(simplan_cancel *c);

/* The same from a handler of signal `sig` (> 0): the computation then
 * fails as the command does on that signal, SIMPLAN_ERR_IO "interrupted
 * by signal SIG". */
SIMPLAN_API void simplan_cancel_request_signal(simplan_cancel *c, int sig);

/* 1 once requested (until reset), else 0. */
SIMPLAN_API int simplan_cancel_requested(const simplan_cancel *c);

/* Clears the request, for the next computation. */
SIMPLAN_API void simplan_cancel_reset(simplan_cancel *c);

/* ---- runs ---------------------------------------------------------------- */

/* Called between the steps of a run with the draws done and to do (of
 * this call: a resumed run counts from where it resumed). */
typedef void (*simplan_progress_fn)(uint64_t done, uint64_t total, void *ctx);

/* How to run. Zero fields mean "as the scenario says". */
typedef struct {
    uint64_t draws; /* Monte Carlo draws; 0: simulation.draws */
    int has_seed;   /* 1: use `seed`; 0: simulation.seed */
    uint64_t seed;
    int threads;     /* OpenMP threads; 0: all cores. Results do not
                        depend on it. */
    const char *rng; /* "xoshiro256ss" or a GSL generator name
                        ("mt19937", "taus2"); NULL: simulation.rng */
    const char *variance_reduction; /* NULL or "none", "rqmc",
                                       "antithetic" (doc/model.md §7.6) */
    double precision;       /* > 0: stop once every target's 95 % half-width
                         is below it (at most `draws`) */
    long param_sets;        /* parameter-uncertainty sets: 0 the default,
                         -1 none, else how many */
    simplan_cancel *cancel; /* NULL, or polled between steps */
    /* Where the run goes while it runs, as `simplan run --out DIR`: */
    const char *out_dir;    /* NULL: nothing is written (the result can be
                            saved later with simplan_result_save) */
    int force;              /* reuse an existing out_dir */
    int plots;              /* charts in out_dir (builds with PLplot) */
    double checkpoint;      /* seconds between state checkpoints in out_dir;
                            0: 60 */
    const char *resume;     /* a result directory (or state file) whose
                            finished blocks are kept: the run continues
                            it, in place unless out_dir is given */
    uint32_t slice, slices; /* slice K of N (1 <= K <= N): this call runs
                               its share of the blocks and its result
                               holds only its state; 0, 0: the whole run */
    simplan_progress_fn progress; /* NULL, or called between steps */
    void *progress_ctx;           /* passed to progress */
    const char *command_line;     /* recorded in summary.json; NULL: "" */
} simplan_run_options;

/* Fills `opt` with the defaults (every field zero or NULL). */
SIMPLAN_API void simplan_run_options_init(simplan_run_options *opt);

typedef struct simplan_result simplan_result;

/* Runs the scenario (with its changed numbers) into a new result: the
 * probability that each target is met with its 95 % interval, the spread
 * of its measure, the inputs that drive it, the box of inputs where it
 * fails (scenario discovery), each indicator's distribution by year and
 * the run's warnings -- the numbers `simplan run` reports, bit for bit,
 * for the same scenario, draws, seed, generator and variance reduction.
 * `opt` NULL: the defaults. Errors: a scenario status when it does not
 * compile, SIMPLAN_ERR_USAGE for a bad option (the field named as the
 * member of simplan_run_options, e.g. "rng"), SIMPLAN_ERR_NOMEM,
 * SIMPLAN_ERR_CANCELLED (with out_dir, a stopped run leaves its finished
 * blocks there for `resume`), SIMPLAN_ERR_IO for out_dir (field
 * "out_dir"); a failed chart stage leaves simplan_result_chart_warning. Under MPI
 * (simplan_mpi_init) with more than one rank, every rank runs one slice
 * and only rank 0 receives the result: the others get *out == NULL. */
SIMPLAN_API simplan_status simplan_run(const simplan_scenario *sc,
                                       const simplan_run_options *opt,
                                       simplan_result **out,
                                       simplan_error *err);

SIMPLAN_API void simplan_result_free(simplan_result *r);

/* The scenario the result was run from (a copy it owns). */
SIMPLAN_API const simplan_scenario *
simplan_result_scenario(const simplan_result *r);

/* The settings as resolved: draws made, seed, generator name, threads
 * (0 for a merge). */
SIMPLAN_API uint64_t simplan_result_draws(const simplan_result *r);
SIMPLAN_API uint64_t simplan_result_seed(const simplan_result *r);
SIMPLAN_API const char *simplan_result_rng(const simplan_result *r);
SIMPLAN_API int simplan_result_threads(const simplan_result *r);

/* 1 when the result is a slice's (run options slice/slices): it holds
 * its state only, covering blocks [*first, *end) (either may be NULL),
 * and can be saved and merged but not read or written. */
SIMPLAN_API int simplan_result_is_slice(const simplan_result *r,
                                        uint64_t *first, uint64_t *end);

/* The warning of a `precision` run that stopped at `draws` without
 * reaching its half-width (every report lists it too), or NULL. */
SIMPLAN_API const char *
simplan_result_precision_warning(const simplan_result *r);

/* Why the charts are missing when the chart stage of out_dir or of the
 * last simplan_result_save failed (the data files are published), or
 * NULL. */
SIMPLAN_API const char *simplan_result_chart_warning(const simplan_result *r);

/* Sets the command line simplan_result_save records in summary.json
 * (copied). */
SIMPLAN_API simplan_status simplan_result_set_command_line(simplan_result *r,
                                                           const char *line,
                                                           simplan_error *err);

/* Summary of one quantity over the draws: finite values, mean and
 * quantiles. */
typedef struct {
    uint64_t n;
    double mean, p05, p25, p50, p75, p95;
} simplan_stats;

/* One target of a result. The strings belong to the result. */
typedef struct {
    const char *id, *name, *source; /* as in the scenario ("" if none) */
    uint64_t met, draws;
    double probability;    /* met / draws */
    double ci_lo, ci_hi;   /* 95 % interval (Wilson's; with RQMC or
                            antithetic pairs, from their spread) */
    simplan_stats measure; /* its measure; n = 0 for a joint target */
    const char *failure;   /* where it is missed (scenario discovery), as
                              a sentence; "" when none was found */
    int has_param;         /* P under parameter uncertainty was run */
    double param_mean, param_lo, param_hi;
} simplan_target;

SIMPLAN_API size_t simplan_result_n_targets(const simplan_result *r);

/* Target k; SIMPLAN_ERR_USAGE for k out of range. */
SIMPLAN_API simplan_status simplan_result_target(const simplan_result *r,
                                                 size_t k, simplan_target *out,
                                                 simplan_error *err);

/* Indicators (scenario order) and years base_year .. horizon. */
SIMPLAN_API size_t simplan_result_n_indicators(const simplan_result *r);
SIMPLAN_API const char *simplan_result_indicator_name(const simplan_result *r,
                                                      size_t i);

/* Indicator i in calendar `year`; SIMPLAN_ERR_USAGE out of range. Where
 * no draw was finite, n is 0 and the statistics are NaN. */
SIMPLAN_API simplan_status simplan_result_indicator(const simplan_result *r,
                                                    size_t i, int year,
                                                    simplan_stats *out,
                                                    simplan_error *err);

/* How one input moves a target's chance: P(met) among draws whose input
 * is in its upper group minus P(met) in its lower group. */
typedef struct {
    const char *input; /* "gdp trend", "gdp innovations", "event shock" */
    double effect;     /* p_high - p_low */
    double p_low, p_high;
    uint64_t n_low, n_high;
} simplan_driver;

/* Target k's drivers, by decreasing |effect|. */
SIMPLAN_API size_t simplan_result_n_drivers(const simplan_result *r, size_t k);
SIMPLAN_API simplan_status simplan_result_driver(const simplan_result *r,
                                                 size_t k, size_t j,
                                                 simplan_driver *out,
                                                 simplan_error *err);

/* The run's warnings, as sentences. */
SIMPLAN_API size_t simplan_result_n_warnings(const simplan_result *r);
SIMPLAN_API const char *simplan_result_warning(const simplan_result *r,
                                               size_t i);

/* The report formats (doc/model.md §11). */
typedef enum {
    SIMPLAN_FORMAT_TABLE,          /* the readable report */
    SIMPLAN_FORMAT_CSV,            /* targets.csv: a row per target */
    SIMPLAN_FORMAT_JSON,           /* the JSON report (needs jansson) */
    SIMPLAN_FORMAT_INDICATORS_CSV, /* indicators.csv, tidy long form */
    SIMPLAN_FORMAT_DRIVERS_CSV,    /* drivers.csv */
    SIMPLAN_FORMAT_IAMC_CSV,       /* iamc.csv, the IAMC template */
    SIMPLAN_FORMAT_MARKDOWN,       /* report.md, without charts */
    SIMPLAN_FORMAT_CFG             /* a scenario file (simplan_fit) */
} simplan_format;

/* Writes the result to `out` in `format`; SIMPLAN_ERR_IO on a write error,
 * SIMPLAN_ERR_UNSUPPORTED for JSON in a build without jansson. */
SIMPLAN_API simplan_status simplan_result_write(const simplan_result *r,
                                                simplan_format format,
                                                FILE *out, simplan_error *err);

/* The same into a new string (`len` may be NULL), freed by simplan_free. */
SIMPLAN_API simplan_status simplan_result_to_string(const simplan_result *r,
                                                    simplan_format format,
                                                    char **text, size_t *len,
                                                    simplan_error *err);

/* Saves the result as the directory `simplan run --out DIR` writes (state
 * file, report files, charts when `plots` and the build has them),
 * published whole or not at all. An existing DIR is refused
 * (SIMPLAN_ERR_IO, field "dir") unless `force`; SIMPLAN_ERR_UNSUPPORTED
 * for `plots` in a build without charts. A chart stage that fails is not
 * an error: the data files are published and simplan_result_chart_warning
 * says why the charts are missing. A slice's result saves its state. */
SIMPLAN_API simplan_status simplan_result_save(simplan_result *r,
                                               const char *dir, int force,
                                               int plots, simplan_error *err);

/* The result of a run whose slices were saved apart (`run --slice K/N
 * --out DIR` or simplan_result_save): `parts` are n state files or
 * directories holding one, which together cover every block once. Their
 * scenario comes from the state files. */
SIMPLAN_API simplan_status simplan_merge(const char *const *parts, size_t n,
                                         simplan_result **out,
                                         simplan_error *err);

/* ---- what it would take: solve and sweep -------------------------------- */

/* solve: the value of the number at `lever` (a field path, as
 * simplan_scenario_set takes) at which target `target` is met with
 * probability `probability`. */
typedef struct {
    const char *target;
    double probability; /* in (0, 1) */
    const char *lever;
    int has_range; /* 1: search [lo, hi]; 0: a default range around the
                      scenario's value, within what it allows */
    double lo, hi;
    double tol; /* bracket width to stop at; 0: 1e-5 of the range */
} simplan_solve_spec;

SIMPLAN_API void simplan_solve_spec_init(simplan_solve_spec *spec);

typedef struct {
    double value; /* the lever's value at the root */
    int resolved; /* 1 when P changes near the root, so mc_sd holds */
    double mc_sd; /* Monte Carlo sd of the root */
    double a, b;  /* the final bracket */
    double p_a, p_b;
    double lo, hi; /* the range searched, and P at its ends */
    double p_lo, p_hi;
    int evaluations; /* runs made */
    uint64_t draws, seed;
} simplan_solution;

/* Bracketed bisection with common random numbers (every evaluation runs
 * the same draws and seed). Errors: SIMPLAN_ERR_USAGE for an unknown
 * target or lever, SIMPLAN_ERR_RANGE when the range cannot reach the
 * probability or P is not monotone in the lever there. */
SIMPLAN_API simplan_status simplan_solve(const simplan_scenario *sc,
                                         const simplan_solve_spec *spec,
                                         const simplan_run_options *opt,
                                         simplan_solution *out,
                                         simplan_error *err);

/* One axis of a sweep: `steps` (2..1000) evenly spaced values of the
 * number at `lever` from `from` to `to`, both included. */
typedef struct {
    const char *lever;
    double from, to;
    int steps;
} simplan_axis;

typedef struct simplan_sweep simplan_sweep;

/* Runs the scenario at every point of the grid of one or two axes
 * (common random numbers). */
SIMPLAN_API simplan_status simplan_sweep_run(
    const simplan_scenario *sc, const simplan_axis *axes, size_t n_axes,
    const simplan_run_options *opt, simplan_sweep **out, simplan_error *err);

SIMPLAN_API void simplan_sweep_free(simplan_sweep *sw);

/* Grid points (nx * ny, x fastest) and targets. */
SIMPLAN_API size_t simplan_sweep_n_points(const simplan_sweep *sw);
SIMPLAN_API size_t simplan_sweep_n_targets(const simplan_sweep *sw);

/* Point i: the lever values (y is NaN with one axis) and, for target k,
 * P and its 95 % interval. SIMPLAN_ERR_USAGE out of range. */
SIMPLAN_API simplan_status simplan_sweep_point(const simplan_sweep *sw,
                                               size_t i, size_t k, double *x,
                                               double *y, double *p,
                                               double *ci_lo, double *ci_hi,
                                               simplan_error *err);

/* sweep.csv (SIMPLAN_FORMAT_CSV), the table or JSON, into a new string. */
SIMPLAN_API simplan_status simplan_sweep_to_string(const simplan_sweep *sw,
                                                   simplan_format format,
                                                   char **text, size_t *len,
                                                   simplan_error *err);

/* The solution as `simplan solve` writes it (table, CSV or JSON), into a
 * new string; `sc` and `spec` are those it was solved from. */
SIMPLAN_API simplan_status simplan_solution_to_string(
    const simplan_scenario *sc, const simplan_solve_spec *spec,
    const simplan_solution *s, simplan_format format, char **text, size_t *len,
    simplan_error *err);

/* DIR/solve.csv and (with jansson) DIR/solve.json, published whole; an
 * existing DIR only with `force`. */
SIMPLAN_API simplan_status simplan_solution_save(const simplan_scenario *sc,
                                                 const simplan_solve_spec *spec,
                                                 const simplan_solution *s,
                                                 const char *dir, int force,
                                                 simplan_error *err);

/* DIR/sweep.csv and, with `plots`, its charts (a curve chart for one
 * axis, a heat map per target for two), published whole. A chart stage
 * that fails is not an error: the data file is published and
 * simplan_sweep_chart_warning says why the charts are missing. */
SIMPLAN_API simplan_status simplan_sweep_save(simplan_sweep *sw,
                                              const char *dir, int force,
                                              int plots, simplan_error *err);

/* Why the last simplan_sweep_save has no charts, or NULL. */
SIMPLAN_API const char *simplan_sweep_chart_warning(const simplan_sweep *sw);

/* SIMPLAN_OK when `dir` could be used as an output directory now: new, or
 * existing with `force` (for checking before long work). */
SIMPLAN_API simplan_status simplan_out_dir_check(const char *dir, int force,
                                                 simplan_error *err);

/* ---- comparing runs ------------------------------------------------------ */

/* The results of several runs side by side, as `simplan batch` writes
 * them: SIMPLAN_FORMAT_CSV (comparison.csv: scenario, target, P, interval,
 * one row each), SIMPLAN_FORMAT_MARKDOWN (comparison.md: a table, a
 * column per scenario) or SIMPLAN_FORMAT_TABLE (the same for a
 * terminal). results[i] NULL marks a run that failed ("failed" in the
 * tables); names[i] heads its column. */
SIMPLAN_API simplan_status simplan_compare_to_string(
    const simplan_result *const *results, const char *const *names, size_t n,
    simplan_format format, char **text, size_t *len, simplan_error *err);

/* DIR/comparison.csv and DIR/comparison.md, each replaced in one step. */
SIMPLAN_API simplan_status simplan_compare_save(
    const simplan_result *const *results, const char *const *names, size_t n,
    const char *dir, simplan_error *err);

/* ---- timing the core ----------------------------------------------------- */

typedef struct {
    uint64_t draws; /* 0: 1e6 */
    int has_seed;   /* 0: the scenario's seed */
    uint64_t seed;
    int threads;          /* the "all threads" run; 0: all cores */
    const char *rng;      /* NULL: the scenario's */
    const char *marginal; /* NULL, or a family (simplan_family_name) every
                             stochastic indicator is given */
} simplan_bench_options;

SIMPLAN_API void simplan_bench_options_init(simplan_bench_options *opt);

/* `simplan bench`: the time per draw of the scenario on one thread and
 * on `threads`, against the time to draw its random variates alone, and
 * the peak memory, as a table (SIMPLAN_FORMAT_TABLE) or JSON, into a new
 * string. Timings vary between machines and runs. */
SIMPLAN_API simplan_status simplan_bench(const simplan_scenario *sc,
                                         const simplan_bench_options *opt,
                                         simplan_format format, char **text,
                                         size_t *len, simplan_error *err);

/* The marginal families a scenario's `dist` may name, and their
 * parameters with defaults (NULL past the end). */
SIMPLAN_API size_t simplan_family_count(void);
SIMPLAN_API const char *simplan_family_name(size_t k);
SIMPLAN_API const char *simplan_family_param(size_t k, size_t j, double *dflt);

/* ---- calibration: fit and backtest (doc/calibration.md) ----------------- */

/* `simplan fit`: the scenario's stochastic indicators estimated from an
 * observed history. */
typedef struct {
    const char *data;              /* DATA.csv (doc/calibration.md) */
    const char *region;            /* NULL: the scenario's region */
    const char *plans;             /* NULL, or PLANS.csv for trend_sd */
    int from, to;                  /* years used; 0: no bound */
    const char *const *indicators; /* NULL: all that the data have */
    size_t n_indicators;
} simplan_fit_options;

SIMPLAN_API void simplan_fit_options_init(simplan_fit_options *opt);

/* The estimates as a table, JSON, or (SIMPLAN_FORMAT_CFG) the scenario
 * file with the estimates written into it, into a new string. Errors
 * name the data file's line and column. */
SIMPLAN_API simplan_status simplan_fit(const simplan_scenario *sc,
                                       const simplan_fit_options *opt,
                                       simplan_format format, char **text,
                                       size_t *len, simplan_error *err);

/* `simplan backtest`: the scenario re-anchored at past origins and its
 * forecasts scored against what happened. */
typedef struct {
    const char *data;           /* DATA.csv */
    int from, to, step;         /* origins from..to by step (0: 1) */
    int horizon, history;       /* 0: 5 and 5 */
    const char *const *regions; /* NULL: every region of the data */
    size_t n_regions;
    uint64_t draws; /* 0: 20000 */
    int has_seed;   /* 0: the scenario's seed */
    uint64_t seed;
    int threads;           /* 0: all cores */
    const char *rng;       /* NULL: the scenario's */
    int no_sd_factor;      /* 1: skip the sd-factor searches */
    uint64_t search_draws; /* draws of the searches; 0: 5000 */
    int all_search_draws;  /* 1: the searches use every draw */
} simplan_backtest_options;

SIMPLAN_API void simplan_backtest_options_init(simplan_backtest_options *o);

typedef struct simplan_backtest simplan_backtest;

SIMPLAN_API simplan_status simplan_backtest_run(
    const simplan_scenario *sc, const simplan_backtest_options *opt,
    simplan_backtest **out, simplan_error *err);

SIMPLAN_API void simplan_backtest_free(simplan_backtest *bt);

/* Its report: table, JSON or CSV (the scores), into a new string. */
SIMPLAN_API simplan_status
simplan_backtest_to_string(const simplan_backtest *bt, simplan_format format,
                           char **text, size_t *len, simplan_error *err);

/* DIR/scores.csv, DIR/targets.csv, DIR/summary.json and, with `plots`,
 * the charts, published whole. A chart stage that fails is not an error:
 * the data files are published and simplan_backtest_chart_warning says
 * why the charts are missing. */
SIMPLAN_API simplan_status simplan_backtest_save(simplan_backtest *bt,
                                                 const char *dir, int force,
                                                 int plots, simplan_error *err);

/* Why the last simplan_backtest_save has no charts, or NULL. */
SIMPLAN_API const char *
simplan_backtest_chart_warning(const simplan_backtest *bt);

/* ---- MPI and the command line --------------------------------------------- */

/* Initialises MPI for a program started by mpirun or srun (as the
 * `simplan` command does) and makes simplan_run split every run over the
 * ranks; a no-op returning SIMPLAN_OK in a build without MPI or when the
 * program was not started under MPI. MPI is process-wide: call it once,
 * from the main thread, before any run, and simplan_mpi_finalize once
 * at the end. */
SIMPLAN_API simplan_status simplan_mpi_init(int *argc, char ***argv,
                                            simplan_error *err);
SIMPLAN_API void simplan_mpi_finalize(void);

/* This process's rank (0 without MPI) and the number of ranks (1). */
SIMPLAN_API int simplan_mpi_rank(void);
SIMPLAN_API int simplan_mpi_size(void);

/* A count as the command line takes counts: an integer in decimal or
 * exact scientific notation (1e6, 2.5e6), nothing else. */
typedef enum {
    SIMPLAN_COUNT_OK,       /* *out holds the value */
    SIMPLAN_COUNT_SYNTAX,   /* not a number: junk, a sign, hex, empty */
    SIMPLAN_COUNT_FRACTION, /* a number, but not an integer (1.5) */
    SIMPLAN_COUNT_RANGE     /* an integer outside [lo, hi] */
} simplan_count;

SIMPLAN_API simplan_count simplan_parse_count(const char *s, uint64_t lo,
                                              uint64_t hi, uint64_t *out);

/* 1 when `name` is a generator simplan_run accepts ("xoshiro256ss" or a
 * GSL generator name), else 0. */
SIMPLAN_API int simplan_rng_valid(const char *name);

/* The path of the shipped baseline scenario for this library: the source
 * tree's when the running program is in the build tree, else the
 * installed one; SIMPLAN_ERR_IO naming where it looked when there is
 * none. */
SIMPLAN_API simplan_status simplan_default_scenario(char *buf, size_t size,
                                                    simplan_error *err);

#ifdef __cplusplus
}
#endif

#endif /* SIMPLAN_H */
