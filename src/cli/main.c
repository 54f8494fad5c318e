/*
 * simplan: scenario simulation engine for development-plan targets.
 *
 * The command is a client of libsimplan and calls only its public
 * interface (include/simplan.h; tests/cli/test_layers.sh checks that this
 * folder includes nothing else of the project):
 *   argv --cli_parse--> options --simplan_scenario_load--> scenario
 *   --simplan_run / _solve / _sweep_run / _merge / _bench / _fit /
 *     _backtest_run--> result --simplan_result_write--> stdout
 * (with --out, the library writes DIR while it runs; batch starts one
 * `simplan run` per scenario and compares what they saved).
 * This file is the only place that prints errors and turns a status into
 * the exit code (0 ok, 1 usage, 2 scenario, 3 runtime or I/O).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_args.h"
#include "cli_batch.h"
#include "cli_calib.h"
#include "cli_signal.h"
#include "simplan.h"

/* The library names an option by its member in the option structures
 * (or the parameter); the command by its command-line option. */
static void cli_option_field(simplan_error *e)
{
    static const char *const names[][2] = {
        {"rng", "--rng"},
        {"variance_reduction", "--variance-reduction"},
        {"draws", "--draws"},
        {"seed", "--seed"},
        {"threads", "--threads"},
        {"force", "--force"},
        {"plots", "--plots"},
        {"resume", "--resume"},
        {"slice", "--slice"},
        {"precision", "--precision"},
        {"target", "--target"},
        {"range", "--range"},
        {"lever", "--vary"},
        {"axes", "--vary"},
        {"probability", "--prob"},
        {"tol", "--tol"},
        {"out_dir", "--out"},
        {"dir", "--out"},
        {"marginal", "--marginal"},
        {"format", "--format"},
        {"param_sets", "--param-sets"},
        {"checkpoint", "--checkpoint"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(e->field, names[i][0]) == 0) {
            snprintf(e->field, sizeof e->field, "%s", names[i][1]);
            return;
        }
}

/* Prints the error once, as "simplan: FILE:LINE: error: FIELD: message
 * (description)" (under MPI only on rank 0), and returns the exit code. */
static int report_error(const simplan_error *err)
{
    if (simplan_mpi_rank() == 0) {
        simplan_error e = *err;
        cli_option_field(&e);
        char msg[1200];
        simplan_error_format(&e, msg, sizeof msg);
        fprintf(stderr, "simplan: %s\n", msg);
    }
    return simplan_exit_code(err->status);
}

/* The command line as one string, arguments with spaces quoted. */
static char *command_line(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 3;
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        bool quote = strchr(argv[i], ' ') != NULL || argv[i][0] == '\0';
        strcat(s, i ? " " : "");
        strcat(s, quote ? "'" : "");
        strcat(s, argv[i]);
        strcat(s, quote ? "'" : "");
    }
    return s;
}

/* ---- printing ------------------------------------------------------------- */

simplan_status cli_stdout_check(simplan_error *err)
{
    int e = errno; /* of the write that failed, if one did */
    bool bad = fflush(stdout) != 0;
    if (bad)
        e = errno;
    if (!bad && !ferror(stdout))
        return SIMPLAN_OK;
    return cli_error(err, SIMPLAN_ERR_IO, NULL, 0, NULL,
                     "cannot write to standard output: %s",
                     strerror(e ? e : EIO));
}

simplan_status cli_print(simplan_status st, char **text, const size_t *len,
                         simplan_error *err)
{
    if (st == SIMPLAN_OK)
        fwrite(*text, 1, *len, stdout);
    simplan_free(*text);
    *text = NULL;
    return st == SIMPLAN_OK ? cli_stdout_check(err) : st;
}

static simplan_format format_of(cli_format f)
{
    return f == CLI_FORMAT_CSV    ? SIMPLAN_FORMAT_CSV
           : f == CLI_FORMAT_JSON ? SIMPLAN_FORMAT_JSON
                                  : SIMPLAN_FORMAT_TABLE;
}

/* A result's report on stdout, then its warnings: the precision warning
 * on stderr, a failed chart stage as an I/O error (the data files are
 * published). */
static simplan_status print_result(const simplan_result *r, cli_format f,
                                   simplan_error *err)
{
    char *text = NULL;
    size_t len = 0;
    simplan_status st =
        cli_print(simplan_result_to_string(r, format_of(f), &text, &len, err),
                  &text, &len, err);
    if (st == SIMPLAN_OK && simplan_result_precision_warning(r))
        fprintf(stderr, "simplan: warning: %s\n",
                simplan_result_precision_warning(r));
    if (st == SIMPLAN_OK && simplan_result_chart_warning(r))
        st = cli_error(err, SIMPLAN_ERR_IO, NULL, 0, NULL, "%s",
                       simplan_result_chart_warning(r));
    return st;
}

/* ---- progress ------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Progress on stderr: only on a terminal, not with --quiet, and only once
 * the run has taken more than a second. */
typedef struct {
    double start;
    bool shown;
} progress;

static void progress_update(uint64_t done, uint64_t total, void *ctx)
{
    progress *p = ctx;
    double t = now_seconds() - p->start;
    if (t < 1.0)
        return;
    double rate = (double)done / t;
    double eta = rate > 0 ? (double)(total - done) / rate : 0.0;
    fprintf(stderr, "\r%5.1f %%  %.3g draws/s  ETA %.0f s   ",
            100.0 * (double)done / (double)total, rate, eta);
    p->shown = true;
}

static void progress_end(const progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r%*s\r", 50, "");
}

/* ---- commands ------------------------------------------------------------- */

/* The simulation options of a command line as run options. */
static void sim_options(const cli_sim_options *sim, simplan_cancel *cancel,
                        simplan_run_options *o)
{
    simplan_run_options_init(o);
    o->draws = sim->draws;
    o->has_seed = sim->has_seed;
    o->seed = sim->seed;
    o->threads = sim->threads;
    o->rng = sim->rng;
    o->variance_reduction = sim->vr;
    o->cancel = cancel;
}

static simplan_status load(const char *path, simplan_scenario **sc,
                           simplan_error *err)
{
    return simplan_scenario_load(path, sc, err);
}

static simplan_status cmd_check(const char *path, simplan_error *err)
{
    simplan_scenario *sc = NULL;
    char *text = NULL;
    simplan_status st = load(path, &sc, err);
    if (st == SIMPLAN_OK) {
        st = simplan_scenario_describe(sc, &text, err);
        size_t len = text ? strlen(text) : 0;
        st = cli_print(st, &text, &len, err);
    }
    simplan_scenario_free(sc);
    return st;
}

static simplan_status cmd_run(const cli_run_options *opt, const char *path,
                              const char *cmdline, simplan_error *err)
{
    simplan_scenario *sc = NULL;
    simplan_status st = load(path, &sc, err);
    if (st != SIMPLAN_OK)
        return st;
    simplan_run_options o;
    sim_options(&opt->sim, cli_signal_catch(), &o);
    o.precision = opt->precision;
    o.param_sets = opt->param_sets;
    o.out_dir = opt->out.dir;
    o.force = opt->out.force;
    o.plots = opt->out.plots;
    o.checkpoint = opt->checkpoint;
    o.resume = opt->resume;
    o.slice = opt->slice;
    o.slices = opt->slices;
    o.command_line = cmdline;
    progress bar = {now_seconds(), false};
    if (!opt->quiet && isatty(STDERR_FILENO)) {
        o.progress = progress_update;
        o.progress_ctx = &bar;
    }
    simplan_result *r = NULL;
    st = simplan_run(sc, &o, &r, err);
    progress_end(&bar);
    uint64_t first, end;
    if (st == SIMPLAN_OK && r != NULL &&
        simplan_result_is_slice(r, &first, &end)) {
        if (!opt->quiet)
            fprintf(stderr, "slice %u/%u: blocks %llu..%llu saved in %s/%s\n",
                    opt->slice, opt->slices, (unsigned long long)first,
                    (unsigned long long)end,
                    opt->out.dir ? opt->out.dir : opt->resume, "state.simplan");
    } else if (st == SIMPLAN_OK && r != NULL) {
        st = print_result(r, opt->format, err);
    }
    simplan_result_free(r);
    simplan_scenario_free(sc);
    return st;
}

static simplan_status cmd_merge(const cli_merge_options *opt,
                                const char *cmdline, simplan_error *err)
{
    if (opt->out.dir != NULL) {
        simplan_status st =
            simplan_out_dir_check(opt->out.dir, opt->out.force, err);
        if (st != SIMPLAN_OK)
            return st;
    }
    cli_signal_catch();
    simplan_result *r = NULL;
    simplan_status st = simplan_merge((const char *const *)opt->parts,
                                      (size_t)opt->n_parts, &r, err);
    if (st == SIMPLAN_OK && cli_signal_caught())
        st = cli_signal_error(err, "stopped after the simulation; no "
                                   "results were written");
    if (st == SIMPLAN_OK)
        st = simplan_result_set_command_line(r, cmdline, err);
    if (st == SIMPLAN_OK && opt->out.dir != NULL)
        st = simplan_result_save(r, opt->out.dir, opt->out.force,
                                 opt->out.plots, err);
    if (st == SIMPLAN_OK)
        st = print_result(r, opt->format, err);
    simplan_result_free(r);
    return st;
}

static simplan_status cmd_solve(const cli_decide_options *opt, const char *path,
                                simplan_error *err)
{
    simplan_scenario *sc = NULL;
    simplan_status st = load(path, &sc, err);
    if (st == SIMPLAN_OK && opt->out.dir != NULL)
        st = simplan_out_dir_check(opt->out.dir, opt->out.force, err);
    simplan_run_options o;
    sim_options(&opt->sim, cli_signal_catch(), &o);
    simplan_solve_spec spec;
    simplan_solve_spec_init(&spec);
    spec.target = opt->target;
    spec.probability = opt->prob;
    spec.lever = opt->vary[0];
    spec.has_range = opt->has_range;
    spec.lo = opt->range_lo;
    spec.hi = opt->range_hi;
    spec.tol = opt->tol;
    simplan_solution sol;
    if (st == SIMPLAN_OK)
        st = simplan_solve(sc, &spec, &o, &sol, err);
    if (st == SIMPLAN_OK && opt->out.dir != NULL) /* saved before stdout */
        st = simplan_solution_save(sc, &spec, &sol, opt->out.dir,
                                   opt->out.force, err);
    char *text = NULL;
    size_t len = 0;
    if (st == SIMPLAN_OK)
        st = cli_print(simplan_solution_to_string(sc, &spec, &sol,
                                                  format_of(opt->format), &text,
                                                  &len, err),
                       &text, &len, err);
    simplan_scenario_free(sc);
    return st;
}

/* PATH=FROM:TO:STEPS into an axis; the library checks the values. */
static simplan_status parse_axis(const char *spec, char *path, size_t size,
                                 simplan_axis *a, simplan_error *err)
{
    const char *eq = strrchr(spec, '=');
    const char *c1 = eq ? strchr(eq + 1, ':') : NULL;
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    char *end1 = NULL, *end2 = NULL;
    uint64_t steps = 0;
    if (eq != NULL && c1 != NULL && c2 != NULL && (size_t)(eq - spec) < size) {
        a->from = strtod(eq + 1, &end1);
        a->to = strtod(c1 + 1, &end2);
    }
    if (eq == NULL || c1 == NULL || c2 == NULL || (size_t)(eq - spec) >= size ||
        end1 != c1 || end1 == eq + 1 || end2 != c2 || end2 == c1 + 1 ||
        simplan_parse_count(c2 + 1, 2, 1000, &steps) != SIMPLAN_COUNT_OK ||
        a->from == a->to || a->from != a->from || a->to != a->to)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, "--vary",
                         "'%s': expected PATH=FROM:TO:STEPS with 2 <= "
                         "STEPS <= 1000",
                         spec);
    snprintf(path, size, "%.*s", (int)(eq - spec), spec);
    a->lever = path;
    a->steps = (int)steps;
    return SIMPLAN_OK;
}

static simplan_status cmd_sweep(const cli_decide_options *opt, const char *path,
                                simplan_error *err)
{
    simplan_scenario *sc = NULL;
    simplan_status st = load(path, &sc, err);
    char paths[2][200];
    simplan_axis axes[2];
    for (int a = 0; a < opt->n_vary && st == SIMPLAN_OK; a++)
        st = parse_axis(opt->vary[a], paths[a], sizeof paths[a], &axes[a], err);
    if (st == SIMPLAN_OK && opt->out.dir != NULL) /* before the work */
        st = simplan_out_dir_check(opt->out.dir, opt->out.force, err);
    simplan_run_options o;
    sim_options(&opt->sim, cli_signal_catch(), &o);
    simplan_sweep *sw = NULL;
    if (st == SIMPLAN_OK)
        st = simplan_sweep_run(sc, axes, (size_t)opt->n_vary, &o, &sw, err);
    /* The files first, so the results are saved before stdout; a failed
     * chart stage fails after the report is printed, as run does. */
    if (st == SIMPLAN_OK && opt->out.dir != NULL)
        st = simplan_sweep_save(sw, opt->out.dir, opt->out.force,
                                opt->out.plots, err);
    char *text = NULL;
    size_t len = 0;
    if (st == SIMPLAN_OK)
        st = cli_print(simplan_sweep_to_string(sw, format_of(opt->format),
                                               &text, &len, err),
                       &text, &len, err);
    if (st == SIMPLAN_OK && simplan_sweep_chart_warning(sw))
        st = cli_error(err, SIMPLAN_ERR_IO, NULL, 0, NULL, "%s",
                       simplan_sweep_chart_warning(sw));
    simplan_sweep_free(sw);
    simplan_scenario_free(sc);
    return st;
}

static simplan_status cmd_bench(const cli_bench_options *opt, const char *path,
                                simplan_error *err)
{
    if (opt->format == CLI_FORMAT_CSV)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, "--format",
                         "bench writes table or json, not csv");
    char dflt[4096];
    simplan_status st = SIMPLAN_OK;
    if (path == NULL) {
        st = simplan_default_scenario(dflt, sizeof dflt, err);
        path = dflt;
    }
    simplan_scenario *sc = NULL;
    if (st == SIMPLAN_OK)
        st = load(path, &sc, err);
    simplan_bench_options o;
    simplan_bench_options_init(&o);
    o.draws = opt->sim.draws;
    o.has_seed = opt->sim.has_seed;
    o.seed = opt->sim.seed;
    o.threads = opt->sim.threads;
    o.rng = opt->sim.rng;
    o.marginal = opt->has_marginal ? opt->marginal : NULL;
    char *text = NULL;
    size_t len = 0;
    if (st == SIMPLAN_OK)
        st = cli_print(
            simplan_bench(sc, &o, format_of(opt->format), &text, &len, err),
            &text, &len, err);
    simplan_scenario_free(sc);
    return st;
}

/* main() proper; with MPI every rank runs it, and only rank 0 prints. */
static int simplan_main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is an I/O error, exit 3 */
    simplan_error err;
    simplan_error_clear(&err);
    if (argc > 1 && strcmp(argv[1], "fit") == 0) {
        simplan_status st = cli_fit(argc - 1, argv + 1, &err);
        return st == SIMPLAN_OK ? 0 : report_error(&err);
    }
    if (argc > 1 && strcmp(argv[1], "backtest") == 0) {
        simplan_status st = cli_backtest(argc - 1, argv + 1, &err);
        return st == SIMPLAN_OK ? 0 : report_error(&err);
    }
    /* Before parsing: getopt_long reorders argv. */
    char *cmdline = command_line(argc, argv);
    cli_command_line cl;
    if (cli_parse(argc, argv, &cl, &err) != SIMPLAN_OK) {
        free(cmdline);
        return report_error(&err);
    }
    simplan_status st = SIMPLAN_OK;
    switch (cl.command) {
    case CLI_CMD_HELP:
        fputs(cli_usage(), stdout);
        break;
    case CLI_CMD_VERSION:
        printf("simplan %s (%s)\n", simplan_version(), simplan_features());
        break;
    case CLI_CMD_CHECK:
        st = cmd_check(cl.scenario, &err);
        break;
    case CLI_CMD_RUN:
        st = cmd_run(&cl.as.run, cl.scenario, cmdline, &err);
        break;
    case CLI_CMD_MERGE:
        st = cmd_merge(&cl.as.merge, cmdline, &err);
        break;
    case CLI_CMD_SOLVE:
        st = cmd_solve(&cl.as.decide, cl.scenario, &err);
        break;
    case CLI_CMD_SWEEP:
        st = cmd_sweep(&cl.as.decide, cl.scenario, &err);
        break;
    case CLI_CMD_BATCH:
        st = cli_batch(&cl.as.batch, &err);
        break;
    case CLI_CMD_BENCH:
        st = cmd_bench(&cl.as.bench, cl.scenario, &err);
        break;
    }
    free(cmdline);
    return st == SIMPLAN_OK ? 0 : report_error(&err);
}

int main(int argc, char **argv)
{
    simplan_error err;
    simplan_error_clear(&err);
    if (simplan_mpi_init(&argc, &argv, &err) != SIMPLAN_OK)
        return report_error(&err);
    int code = simplan_main(argc, argv);
    simplan_mpi_finalize();
    return code;
}
