/*
 * simplan: scenario simulation engine for development-plan targets.
 *
 * main() shows the whole flow:
 *   scenario file --sp_config_load--> scenario --sp_compile--> model
 *   --sp_mc_run (blocks, threads)--> accumulators --sp_mc_result--> result
 *   --sp_report_*--> table / CSV / JSON
 * It is the only place that prints errors and turns a status into the exit
 * code (0 ok, 1 usage, 2 scenario, 3 runtime or I/O).
 */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "sp_bench.h"
#include "sp_cli.h"
#include "sp_compile.h"
#include "sp_config.h"
#include "sp_mc.h"
#include "sp_output.h"
#include "sp_report.h"
#include "sp_rng.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Prints the error once, as "simplan: FILE:LINE: FIELD: message". */
static int report_error(const sp_error *err)
{
    fprintf(stderr, "simplan: ");
    if (err->file[0] != '\0') {
        if (err->line > 0)
            fprintf(stderr, "%s:%d: ", err->file, err->line);
        else
            fprintf(stderr, "%s: ", err->file);
    }
    fprintf(stderr, "error: ");
    if (err->field[0] != '\0')
        fprintf(stderr, "%s: ", err->field);
    fprintf(stderr, "%s (%s)\n", err->message, sp_strerror(err->status));
    return sp_status_exit_code(err->status);
}

/* Progress on stderr: only on a terminal, not with --quiet, and only once
 * the run has taken more than a second. */
typedef struct {
    bool enabled;
    double start;
    bool shown;
} progress;

static void progress_update(progress *p, uint64_t done_draws,
                            uint64_t total_draws)
{
    if (!p->enabled)
        return;
    double t = now_seconds() - p->start;
    if (t < 1.0)
        return;
    double rate = (double)done_draws / t;
    double eta = rate > 0 ? (double)(total_draws - done_draws) / rate : 0.0;
    fprintf(stderr, "\r%5.1f %%  %.3g draws/s  ETA %.0f s   ",
            100.0 * (double)done_draws / (double)total_draws, rate, eta);
    p->shown = true;
}

static void progress_end(progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r%*s\r", 50, "");
}

/* The optional parts this binary was built with, for --version. */
static const char *features(void)
{
    return "openmp "
#ifdef _OPENMP
           "on"
#else
           "off"
#endif
           ", json "
#ifdef SIMPLAN_HAVE_JSON
           "on"
#else
           "off"
#endif
           ", plots "
#ifdef SIMPLAN_HAVE_PLOTS
           "on";
#else
           "off";
#endif
}

/* Set by SIGINT and SIGTERM: the run stops at the next step and writes
 * nothing, so no result file is ever half-written. */
static volatile sig_atomic_t interrupted = 0;

static void on_signal(int sig)
{
    interrupted = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
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

/* Settings: the scenario's simulation group, overridden by options. */
static sp_status resolve(const sp_options *opt, const sp_scenario *sc,
                         sp_mc_config *cfg, const char **rng_name,
                         sp_error *err)
{
    cfg->draws = opt->draws ? opt->draws : sc->draws;
    cfg->seed = opt->has_seed ? opt->seed : sc->seed;
    *rng_name = opt->rng ? opt->rng : (sc->rng[0] ? sc->rng : SP_RNG_DEFAULT);
    cfg->rng = sp_rng_lookup(*rng_name);
    if (cfg->rng == NULL)
        return sp_error_set(err, opt->rng ? SP_ERR_USAGE : SP_ERR_RANGE,
                            opt->rng ? NULL : sc->file, 0,
                            opt->rng ? "--rng" : "simulation.rng",
                            "unknown generator '%s'; use xoshiro256ss or a "
                            "GSL generator name such as taus2 or mt19937",
                            *rng_name);
    cfg->threads = opt->threads;
#ifdef _OPENMP
    if (cfg->threads == 0)
        cfg->threads = omp_get_num_procs();
#endif
    if (cfg->threads <= 0)
        cfg->threads = 1;
    return SP_OK;
}

static sp_status write_report(const sp_options *opt, const sp_report *r,
                              sp_error *err)
{
    switch (opt->format) {
    case SP_FORMAT_CSV:
        return sp_report_csv(stdout, r, err);
    case SP_FORMAT_JSON:
        return sp_report_json(stdout, r, err);
    case SP_FORMAT_TABLE:
        break;
    }
    return sp_report_table(stdout, r, err);
}

/* Runs every block, in steps between which the progress line is updated
 * and an interruption is noticed. */
static sp_status simulate(const sp_options *opt, const sp_mc_config *cfg,
                          sp_mc *mc, double start, sp_error *err)
{
    progress bar = {!opt->quiet && isatty(STDERR_FILENO), start, false};
    uint64_t blocks = sp_mc_blocks(mc), step = 256;
    for (uint64_t k = 0; k < blocks && !interrupted; k += step) {
        uint64_t end = k + step < blocks ? k + step : blocks;
        sp_mc_run(mc, k, end);
        uint64_t done = end * SP_MC_BLOCK;
        progress_update(&bar, done < cfg->draws ? done : cfg->draws,
                        cfg->draws);
    }
    progress_end(&bar);
    if (interrupted)
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "interrupted by signal %d; no results were "
                            "written", (int)interrupted);
    return SP_OK;
}

/* Writes stdout's report and, with --out, the result files. */
static sp_status report(const sp_options *opt, const sp_output_options *oo,
                        sp_report *r, const char *cmdline, sp_error *err)
{
    sp_status st = write_report(opt, r, err);
    if (st != SP_OK || oo->dir == NULL)
        return st;
    r->command_line = cmdline ? cmdline : "";
    r->scenario_sha256 = r->sc->sha256;
    r->settings_out = oo->dir;
    r->settings_plots = oo->plots;
    if (st == SP_OK)
        st = sp_output_write(oo, r, err);
    r->command_line = NULL;
    return st;
}

static sp_status run(const sp_options *opt, const sp_scenario *sc,
                     const sp_compiled *c, const char *cmdline, sp_error *err)
{
    sp_mc_config cfg;
    const char *rng_name;
    sp_status st = resolve(opt, sc, &cfg, &rng_name, err);
    sp_output_options oo = {opt->out, opt->force, opt->plots};
    bool created = false;
    if (st == SP_OK && oo.dir != NULL)
        st = sp_output_prepare(&oo, &created, err);
    if (st != SP_OK)
        return st;
    catch_signals();
    double start = now_seconds();
    sp_mc *mc = sp_mc_alloc(sc, c, &cfg, err);
    st = mc ? simulate(opt, &cfg, mc, start, err) : err->status;
    sp_result res = {0};
    if (st == SP_OK)
        st = sp_mc_result(mc, &res, err);
    double elapsed = now_seconds() - start;
    sp_mc_free(mc);
    if (st == SP_OK) {
        sp_report r = {sc, c, &res, cfg.seed, rng_name, cfg.threads, elapsed,
                       NULL, NULL, NULL, 0};
        st = report(opt, &oo, &r, cmdline, err);
    }
    sp_result_destroy(&res);
    if (st != SP_OK && created)
        sp_output_abandon(&oo);
    return st;
}

/* `simplan bench`: the same scenario timed against the variate bound. */
static sp_status bench(const sp_options *opt, const sp_scenario *sc,
                       const sp_compiled *c, sp_error *err)
{
    sp_mc_config cfg;
    const char *rng_name;
    sp_status st = resolve(opt, sc, &cfg, &rng_name, err);
    if (st != SP_OK)
        return st;
    sp_bench_config bc = {opt->draws ? opt->draws : 1000000, cfg.seed,
                          cfg.rng, cfg.threads};
    sp_bench_result r;
    st = sp_bench_run(sc, c, &bc, &r, err);
    if (st == SP_OK) {
        sp_bench_print(stdout, sc, &bc, rng_name, &r);
        st = sp_report_flush(stdout, err);
    }
    return st;
}

/* bench --marginal: every stochastic indicator gets the family. */
static void override_marginals(sp_scenario *sc, int family)
{
    for (size_t i = 0; i < sc->n_indicators; i++) {
        sp_marginal *m = &sc->indicators[i].marginal;
        m->family = (sp_family)family;
        m->df = 5.0;
        m->skew = 0.3;
    }
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    sp_options opt;
    sp_error err;
    sp_error_clear(&err);
    /* Before parsing: getopt_long reorders argv. */
    char *cmdline = command_line(argc, argv);
    if (sp_cli_parse(argc, argv, &opt, &err) != SP_OK) {
        free(cmdline);
        return report_error(&err);
    }
    if (opt.command == SP_CMD_HELP || opt.command == SP_CMD_VERSION) {
        if (opt.command == SP_CMD_HELP)
            fputs(sp_cli_usage(), stdout);
        else
            printf("simplan %s (%s)\n", SIMPLAN_VERSION, features());
        free(cmdline);
        return 0;
    }
    sp_scenario sc = {0};
    sp_compiled c = {0};
    sp_status st = sp_config_load(opt.scenario, &sc, &err);
    if (st == SP_OK && opt.has_marginal)
        override_marginals(&sc, opt.marginal);
    if (st == SP_OK)
        st = sp_compile(&sc, &c, &err);
    if (st == SP_OK && opt.command == SP_CMD_CHECK)
        st = sp_report_check(stdout, &sc, &c, &err);
    else if (st == SP_OK && opt.command == SP_CMD_BENCH)
        st = bench(&opt, &sc, &c, &err);
    else if (st == SP_OK)
        st = run(&opt, &sc, &c, cmdline, &err);
    free(cmdline);
    sp_compiled_destroy(&c);
    sp_scenario_destroy(&sc);
    return st == SP_OK ? 0 : report_error(&err);
}
