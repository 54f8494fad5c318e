/*
 * simplan: scenario simulation engine for development-plan targets.
 *
 * main() shows the whole flow:
 *   scenario file --sp_config_load--> scenario --sp_compile--> model
 *   --sp_run_command: sp_mc_run (blocks, threads)--> state
 *   --sp_state_result--> result --sp_report_* / sp_output--> reports, files
 * (merge starts from the states of slices instead of running blocks).
 * It is the only place that prints errors and turns a status into the exit
 * code (0 ok, 1 usage, 2 scenario, 3 runtime or I/O).
 */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "sp_batch.h"
#include "sp_bench.h"
#include "sp_cli.h"
#include "sp_cmd_backtest.h"
#include "sp_cmd_fit.h"
#include "sp_compile.h"
#include "sp_config.h"
#include "sp_decide.h"
#include "sp_mc.h"
#include "sp_mpi.h"
#include "sp_run.h"
#include "sp_report.h"
#include "sp_rng.h"

/* Prints the error once, as "simplan: FILE:LINE: FIELD: message" (under
 * MPI only on rank 0), and returns the exit code. */
static int report_error(const sp_error *err)
{
    if (sp_mpi_rank() != 0)
        return sp_status_exit_code(err->status);
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
           "on"
#else
           "off"
#endif
           ", mpi "
#ifdef SIMPLAN_HAVE_MPI
           "on";
#else
           "off";
#endif
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

/* main() proper; with MPI every rank runs it, and only rank 0 prints. */
static int simplan_main(int argc, char **argv);

int main(int argc, char **argv)
{
    sp_error err;
    sp_error_clear(&err);
    int rank, size;
    if (sp_mpi_init(&argc, &argv, &rank, &size, &err) != SP_OK)
        return report_error(&err);
    int code = simplan_main(argc, argv);
    sp_mpi_finalize();
    return code;
}

static int simplan_main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is an I/O error, exit 3 */
    sp_command_line cl;
    sp_error err;
    sp_error_clear(&err);
    if (argc > 1 && strcmp(argv[1], "fit") == 0) {
        sp_fit_options fo;
        sp_status st = sp_cmd_fit_parse(argc - 1, argv + 1, &fo, &err);
        if (st == SP_OK)
            st = sp_cmd_fit_run(&fo, &err);
        return st == SP_OK ? 0 : report_error(&err);
    }
    if (argc > 1 && strcmp(argv[1], "backtest") == 0) {
        sp_backtest_cli bo;
        sp_status st = sp_cmd_backtest_parse(argc - 1, argv + 1, &bo, &err);
        if (st == SP_OK)
            st = sp_cmd_backtest_run(&bo, &err);
        return st == SP_OK ? 0 : report_error(&err);
    }
    /* Before parsing: getopt_long reorders argv. */
    char *cmdline = command_line(argc, argv);
    if (sp_cli_parse(argc, argv, &cl, &err) != SP_OK) {
        free(cmdline);
        return report_error(&err);
    }
    if (cl.command == SP_CMD_MERGE || cl.command == SP_CMD_BATCH) {
        sp_status st = cl.command == SP_CMD_MERGE
                           ? sp_run_merge(&cl.as.merge, cmdline, &err)
                           : sp_batch_command(&cl.as.batch, &err);
        free(cmdline);
        return st == SP_OK ? 0 : report_error(&err);
    }
    if (cl.command == SP_CMD_HELP || cl.command == SP_CMD_VERSION) {
        if (cl.command == SP_CMD_HELP)
            fputs(sp_cli_usage(), stdout);
        else
            printf("simplan %s (%s)\n", SIMPLAN_VERSION, features());
        free(cmdline);
        return 0;
    }
    if (cl.command == SP_CMD_BENCH) {
        sp_status st = sp_bench_command(&cl.as.bench, cl.scenario, &err);
        free(cmdline);
        return st == SP_OK ? 0 : report_error(&err);
    }
    /* The pipeline: scenario file -> scenario -> model -> command. */
    sp_scenario sc = {0};
    sp_compiled c = {0};
    sp_status st = sp_config_load(cl.scenario, &sc, &err);
    if (st == SP_OK)
        st = sp_compile(&sc, &c, &err);
    if (st == SP_OK && cl.command == SP_CMD_CHECK)
        st = sp_report_check(stdout, &sc, &c, &err);
    else if (st == SP_OK && cl.command == SP_CMD_SOLVE)
        st = sp_decide_solve(&cl.as.decide, &sc, &err);
    else if (st == SP_OK && cl.command == SP_CMD_SWEEP)
        st = sp_decide_sweep(&cl.as.decide, &sc, &err);
    else if (st == SP_OK)
        st = sp_run_command(&cl.as.run, &sc, &c, cmdline, &err);
    free(cmdline);
    sp_compiled_destroy(&c);
    sp_scenario_destroy(&sc);
    return st == SP_OK ? 0 : report_error(&err);
}
