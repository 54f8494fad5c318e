/*
 * sp_finish: discovery, report, result files and stdout, in that order.
 */
#include "sp_finish.h"

#include <stdio.h>

#include "sp_discover.h"
#include "sp_mpi.h"
#include "sp_paramunc.h"
#include "sp_report.h"
#include "sp_rng.h"
#include "sp_stop.h"

sp_status sp_finish_files(const sp_finish *f, sp_finish_out *o,
                          const sp_report *plain, sp_error *err)
{
    sp_report r = *plain;
    r.command_line = f->command_line ? f->command_line : "";
    r.scenario_sha256 = f->sc->sha256;
    r.settings_out = o->oo->dir;
    r.settings_plots = o->oo->plots;
    r.settings_ranks = sp_mpi_size();
    sp_status st = f->state ? sp_output_state(o->w, f->state, err) : SP_OK;
    if (st == SP_OK)
        st = sp_output_report(o->w, &r, err);
    if (st == SP_OK)
        st = sp_output_publish(o->w, err);
    o->chart_warning = st == SP_OK ? sp_output_warning(o->w) : NULL;
    return st;
}

sp_status sp_finish_analyse(const sp_finish *f, const atomic_int *stop,
                            const char *what, sp_error *err)
{
    const gsl_rng_type *type = sp_rng_lookup(f->rng);
    sp_status st = sp_stop_check(stop, err, what);
    if (st == SP_OK && type != NULL)
        st = sp_discover(f->sc, f->c, f->seed, type, f->draws, f->res, err);
    if (st == SP_OK && type != NULL)
        st = sp_paramunc(f->sc, f->seed, type, f->draws,
                         f->param_sets < 0    ? 0
                         : f->param_sets == 0 ? SP_PARAM_SETS
                                              : (size_t)f->param_sets,
                         f->threads, f->res, err);
    if (st == SP_OK)
        st = sp_stop_check(stop, err, what);
    return st;
}

sp_report sp_finish_plain_report(const sp_finish *f)
{
    const gsl_rng_type *type = sp_rng_lookup(f->rng);
    return (sp_report){
        .sc = f->sc,
        .c = f->c,
        .res = f->res,
        .seed = f->seed,
        .rng = type ? type->name : f->rng,
        .threads = f->threads,
        .elapsed = f->elapsed,
        .precision = f->precision,
        .precision_reached = f->precise,
    };
}

sp_status sp_finish_report(const sp_finish *f, sp_finish_out *o, sp_error *err)
{
    o->chart_warning = NULL;
    sp_status st = sp_finish_analyse(
        f, o->stop,
        o->w ? "stopped after the simulation; no report was written"
             : "stopped after the simulation; no results were written",
        err);
    if (st != SP_OK)
        return st;
    const sp_report r = sp_finish_plain_report(f);
    if (o->w != NULL)
        st = sp_finish_files(f, o, &r, err);
    return st;
}
