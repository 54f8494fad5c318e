/*
 * sp_finish: the one tail of every command that reports a simulation.
 *
 * run (whole, resumed or under MPI), merge and batch --collect all end the
 * same way, and only here: the run's result (sp_result, built from its
 * complete state) gets its scenario-discovery boxes (sp_discover), the
 * report is built once, with designated initialisers, and its files are
 * written into DIR through the result writer -- the state file first when
 * there is one, then the data files, then the charts -- and published.
 * The caller prints the report afterwards (the command through the
 * public interface). A stop request is honoured before discovery and
 * before anything is published.
 */
#ifndef SP_FINISH_H
#define SP_FINISH_H

#include <stdbool.h>
#include <stdint.h>

#include "sp_options.h"
#include "sp_compile.h"
#include "sp_output.h"
#include "sp_report.h"
#include "sp_result.h"
#include "sp_scenario.h"
#include "sp_state.h"
#include "sp_status.h"

/* A finished simulation, as the report needs it. */
typedef struct {
    const sp_scenario *sc;
    const sp_compiled *c;
    sp_result *res; /* its numbers; discovery adds the boxes */
    uint64_t seed;
    const char *rng;          /* generator name as recorded */
    uint64_t draws;           /* draws discovery simulates again from */
    int threads;              /* 0 for a merge (its slices' threads) */
    double elapsed;           /* seconds of the simulation and its
                                 statistics (discovery excluded) */
    double precision;         /* --precision asked for, 0 if none */
    long param_sets;          /* parameter sets (sp_paramunc.h): 0 the
                                 default SP_PARAM_SETS, -1 none */
    bool precise;             /* it was reached */
    const sp_state *state;    /* written into DIR as its state file, or
                                 NULL when the caller wrote it already */
    const char *command_line; /* recorded in summary.json */
} sp_finish;

/* Where the report goes. */
typedef struct {
    sp_output *w; /* the result being written, or NULL */
    const sp_output_options *oo;
    const char *chart_warning; /* out: set when the chart stage failed
                                  (the data files are published) */
    const atomic_int *stop;    /* polled before and after the analyses
                                  (sp_stop_check); NULL: never */
} sp_finish_out;

/* The analyses after the simulation: scenario discovery and the
 * parameter sets, which add to f->res; `stop` (NULL: never) is checked
 * before and after them, failing with sp_stop_check's error and `what`. */
sp_status sp_finish_analyse(const sp_finish *f, const atomic_int *stop,
                            const char *what, sp_error *err);

/* The report of a finished simulation, for the writers (borrowing f). */
sp_report sp_finish_plain_report(const sp_finish *f);

/* The report's files in o->w (the state file first when f->state is
 * set), published; a failed chart stage sets o->chart_warning. `plain`
 * is sp_finish_plain_report(f). */
sp_status sp_finish_files(const sp_finish *f, sp_finish_out *o,
                          const sp_report *plain, sp_error *err);

/* Discovery, the parameter sets, then the report's files in DIR
 * (published) when o->w is set. A chart
 * stage that failed sets o->chart_warning and is not an error here: the
 * caller decides (run exits 3, batch still compares). */
sp_status sp_finish_report(const sp_finish *f, sp_finish_out *o, sp_error *err);

#endif /* SP_FINISH_H */
