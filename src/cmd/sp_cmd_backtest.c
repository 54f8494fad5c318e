/*
 * sp_cmd_backtest: the files of a back-test in a result directory.
 */
#include "sp_cmd_backtest.h"

#include <stdio.h>
#include <stdlib.h>

#include "sp_output.h"
#ifdef SIMPLAN_HAVE_PLOTS
#include "sp_plot.h"
#endif

#ifdef SIMPLAN_HAVE_PLOTS
/* The charts of a back-test: pit.png, coverage.png, then
 * projections-NAME.png for each scored indicator. */
typedef struct {
    const sp_backtest_report *r;
    size_t n;                                               /* charts */
    size_t indicator[SP_MAX_INDICATORS];                    /* of chart 2 + k */
    char name[SP_MAX_INDICATORS + 2][4 * SP_MAX_NAME + 24]; /* files */
    const char *names[SP_MAX_INDICATORS + 2];
} bt_charts;

static sp_status draw_chart(const char *path, size_t k, const void *ctx,
                            sp_error *err)
{
    const bt_charts *c = ctx;
    if (k == 0)
        return sp_plot_bt_pit(path, SP_PLOT_PNG, c->r, err);
    if (k == 1)
        return sp_plot_bt_coverage(path, SP_PLOT_PNG, c->r, err);
    return sp_plot_bt_projections(path, SP_PLOT_PNG, c->r, c->indicator[k - 2],
                                  err);
}

/* Draws the charts into the result through the writer's chart stage; a
 * failed stage leaves its warning in the writer (see sp_output_charts)
 * and is no error here. */
static sp_status write_charts(sp_output *w, const sp_backtest_report *r,
                              sp_error *err)
{
    bt_charts *c = calloc(1, sizeof *c);
    if (c == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the charts");
    c->r = r;
    snprintf(c->name[0], sizeof c->name[0], "pit.png");
    snprintf(c->name[1], sizeof c->name[1], "coverage.png");
    c->n = 2;
    for (size_t i = 0; i < r->b->n_indicators && i < SP_MAX_INDICATORS; i++)
        if (r->b->by_indicator[i].n > 0) {
            c->indicator[c->n - 2] = i;
            snprintf(c->name[c->n], sizeof c->name[0], "projections-%s.png",
                     r->sc->indicators[i].name);
            c->n++;
        }
    for (size_t k = 0; k < c->n; k++)
        c->names[k] = c->name[k];
    sp_output_charts(w, c->names, c->n, draw_chart, c);
    free(c);
    return SP_OK;
}
#endif

sp_status sp_backtest_save(const char *dir, bool force, bool plots,
                           const sp_backtest_report *r, char *warning,
                           size_t size, sp_error *err)
{
    sp_output_options oo = {dir, force, plots, NULL};
    sp_output *w = NULL;
    sp_status st = sp_output_begin(&oo, &w, err);
    if (st == SP_OK)
        st = sp_output_file(w, "scores.csv", sp_backtest_report_csv, r, err);
    if (st == SP_OK)
        st = sp_output_file(w, "targets.csv", sp_backtest_report_targets_csv, r,
                            err);
#ifdef SIMPLAN_HAVE_JSON
    if (st == SP_OK)
        st = sp_output_file(w, "summary.json", sp_backtest_report_json, r, err);
#endif
#ifdef SIMPLAN_HAVE_PLOTS
    if (st == SP_OK && plots)
        st = write_charts(w, r, err);
#endif
    if (st == SP_OK)
        st = sp_output_publish(w, err);
    snprintf(warning, size, "%s",
             st == SP_OK && sp_output_warning(w) ? sp_output_warning(w) : "");
    sp_output_free(w);
    return st;
}
