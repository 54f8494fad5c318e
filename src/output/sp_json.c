/*
 * sp_json: the JSON report of doc/model.md §11, built with jansson, and
 * the JSON of solve, sweep, fit, backtest and bench: the only file that
 * includes jansson.
 *
 * Key order is insertion order; reals are written with 17 significant
 * digits, so the file round-trips every double exactly. Values that are not
 * finite (a quantity with no finite draws) are written as null.
 */
#include "sp_backtest_report.h"
#include "sp_bench_report.h"
#include "sp_calib_report.h"
#include "sp_decision.h"
#include "sp_report.h"
#include "sp_rng.h"

#ifdef SIMPLAN_HAVE_JSON

#include <jansson.h>
#include <math.h>

static json_t *real_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Writes root to out, then a newline, and frees it. */
static sp_status dump_json(FILE *out, json_t *root, const char *what,
                           sp_error *err)
{
    int rc =
        root ? json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17))
             : -1;
    json_decref(root);
    if (rc != 0)
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "cannot write the JSON %s", what);
    fputc('\n', out);
    return sp_report_flush(out, err);
}

static json_t *stats_json(const sp_stats *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "mean", real_or_null(s->mean));
    json_object_set_new(o, "p05", real_or_null(s->p05));
    json_object_set_new(o, "p25", real_or_null(s->p25));
    json_object_set_new(o, "p50", real_or_null(s->p50));
    json_object_set_new(o, "p75", real_or_null(s->p75));
    json_object_set_new(o, "p95", real_or_null(s->p95));
    return o;
}

/* The scenario-discovery box of target k, or null. */
static json_t *box_json(const sp_report *r, size_t k)
{
    const sp_target_result *tr = &r->res->targets[k];
    if (!tr->has_box)
        return json_null();
    const sp_prim_box *b = &tr->box;
    json_t *o = json_object(), *rs = json_array();
    for (size_t j = 0; j < b->n_dims; j++) {
        if (!b->restricted[j])
            continue;
        char name[160];
        sp_report_input_name(r, j, name, sizeof name);
        json_t *one = json_object();
        json_object_set_new(one, "input", json_string(name));
        json_object_set_new(one, "at_least",
                            b->restricted[j] & 1 ? real_or_null(b->lo[j])
                                                 : json_null());
        json_object_set_new(one, "at_most",
                            b->restricted[j] & 2 ? real_or_null(b->hi[j])
                                                 : json_null());
        json_array_append_new(rs, one);
    }
    char text[1024];
    sp_report_box_text(r, k, text, sizeof text);
    json_object_set_new(o, "missed_where", rs);
    json_object_set_new(o, "coverage", json_real(b->coverage));
    json_object_set_new(o, "density", json_real(b->density));
    json_object_set_new(o, "support", json_real(b->support));
    json_object_set_new(o, "draws", json_integer((json_int_t)tr->box_draws));
    json_object_set_new(o, "text", json_string(text));
    return o;
}

static json_t *target_json(const sp_report *r, size_t k)
{
    const sp_target_spec *t = &r->sc->targets[k];
    const sp_target_result *tr = &r->res->targets[k];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(t->id));
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "probability", json_real(tr->probability));
    json_object_set_new(o, "ci95", json_pack("[f, f]", tr->ci_lo, tr->ci_hi));
    json_object_set_new(o, "met", json_integer((json_int_t)tr->met));
    const sp_param_interval *pu = &tr->param;
    json_object_set_new(o, "parameter_uncertainty",
                        pu->done
                            ? json_pack("{s:f, s:[f, f], s:I, s:I}", "mean",
                                        pu->p_mean, "ci95", pu->lo, pu->hi,
                                        "sets", (json_int_t)pu->sets, "draws",
                                        (json_int_t)pu->draws)
                            : json_null());
    if (t->n_all > 0) {
        json_object_set_new(o, "measure", json_null());
        json_t *all = json_array();
        for (size_t j = 0; j < t->n_all; j++)
            json_array_append_new(all, json_string(t->all[j]));
        json_object_set_new(o, "all", all);
    } else {
        json_object_set_new(o, "measure", stats_json(&tr->measure));
        json_object_set_new(o, "indicator", json_string(t->indicator));
        json_object_set_new(o, "kind",
                            json_string(sp_measure_name(t->measure)));
        json_object_set_new(o, "from", json_integer(t->from));
        json_object_set_new(o, "to", json_integer(t->to));
        json_object_set_new(o, "op", json_string(sp_op_name(t->op)));
        if (sp_op_info_of(t->op)->range)
            json_object_set_new(o, "range", json_pack("[f, f]", t->lo, t->hi));
        else
            json_object_set_new(o, "value", json_real(t->value));
    }
    json_object_set_new(o, "source", json_string(t->source));
    json_t *drivers = json_array();
    for (size_t i = 0; i < tr->n_drivers; i++) {
        const sp_driver *d = &tr->drivers[i];
        char name[160];
        sp_report_input_name(r, d->input, name, sizeof name);
        json_t *one = json_object();
        json_object_set_new(one, "input", json_string(name));
        json_object_set_new(one, "effect", real_or_null(d->effect));
        json_object_set_new(one, "p_low", real_or_null(d->p_low));
        json_object_set_new(one, "p_high", real_or_null(d->p_high));
        json_object_set_new(one, "n_low", json_integer((json_int_t)d->n_low));
        json_object_set_new(one, "n_high", json_integer((json_int_t)d->n_high));
        json_array_append_new(drivers, one);
    }
    json_object_set_new(o, "drivers", drivers);
    json_object_set_new(o, "discovery", box_json(r, k));
    return o;
}

/* The observed years of indicator i: [{year, value, measure}], the value
 * as written in the scenario (a level); NULL when there are none. */
static json_t *observed_json(const sp_report *r, size_t i)
{
    double obs[SP_MAX_STEPS];
    size_t n_obs = sp_report_observed(r->sc, i, obs);
    if (n_obs == 0)
        return NULL;
    json_t *a = json_array();
    for (size_t t = 0; t < n_obs; t++)
        if (isfinite(obs[t]))
            json_array_append_new(a, json_pack("{s:i, s:f, s:s}", "year",
                                               r->sc->base_year + 1 + (int)t,
                                               "value", obs[t], "measure",
                                               "level"));
    return a;
}

static json_t *indicator_json(const sp_report *r, size_t i)
{
    static const char *const keys[] = {"mean", "p05", "p25",
                                       "p50",  "p75", "p95"};
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(r->sc->indicators[i].name));
    json_object_set_new(o, "kind",
                        json_string(sp_kind_name(r->sc->indicators[i].kind)));
    json_object_set_new(o, "unit", json_string(r->sc->indicators[i].unit));
    json_t *years = json_array();
    json_t *cols[6];
    for (int c = 0; c < 6; c++)
        cols[c] = json_array();
    for (int y = 0; y < r->res->n_years; y++) {
        const sp_stats *s =
            &r->res->indicators[i * (size_t)r->res->n_years + (size_t)y];
        double v[6] = {s->mean, s->p05, s->p25, s->p50, s->p75, s->p95};
        json_array_append_new(years, json_integer(r->sc->base_year + y));
        for (int c = 0; c < 6; c++)
            json_array_append_new(cols[c], real_or_null(v[c]));
    }
    json_object_set_new(o, "years", years);
    for (int c = 0; c < 6; c++)
        json_object_set_new(o, keys[c], cols[c]);
    json_object_set_new(o, "clamped",
                        json_integer((json_int_t)r->res->clamps[i]));
    json_t *observed = observed_json(r, i);
    if (observed != NULL)
        json_object_set_new(o, "observed", observed);
    return o;
}

sp_status sp_report_json(FILE *out, const sp_report *r, sp_error *err)
{
    json_t *root = json_object();
    json_object_set_new(root, "simplan_version", json_string(SIMPLAN_VERSION));
    json_object_set_new(root, "scenario",
                        json_pack("{s:s, s:s, s:i, s:i}", "name", r->sc->name,
                                  "file", r->sc->file, "base_year",
                                  r->sc->base_year, "horizon", r->sc->horizon));
    json_object_set_new(root, "draws", json_integer((json_int_t)r->res->draws));
    json_object_set_new(root, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(root, "rng", json_string(r->rng));
    const gsl_rng_type *type = sp_rng_lookup(r->rng);
    json_object_set_new(root, "normal_method",
                        type ? json_string(sp_rng_normal_method(type))
                             : json_null());
    json_object_set_new(
        root, "variance_reduction",
        r->res->replicates > 0
            ? json_pack("{s:s, s:i, s:i, s:s}", "method", "rqmc", "replicates",
                        (int)r->res->replicates, "dimensions",
                        (int)sp_model_n_variates(&r->c->model), "interval",
                        "replicates-t")
        : r->res->pairs
            ? json_pack("{s:s, s:s}", "method", "antithetic", "interval",
                        "pairs")
            : json_pack("{s:s, s:s}", "method", "none", "interval", "wilson"));
    json_object_set_new(root, "threads", json_integer(r->threads));
    json_object_set_new(root, "elapsed_seconds", json_real(r->elapsed));
    if (r->precision > 0)
        json_object_set_new(root, "precision",
                            json_pack("{s:f, s:b, s:I}", "half_width",
                                      r->precision, "reached",
                                      r->precision_reached, "draws_used",
                                      (json_int_t)r->res->draws));
    char calibration[1400];
    sp_report_calibration_text(r, calibration, sizeof calibration);
    const sp_backtest_record *b = &r->sc->backtest;
    json_object_set_new(
        root, "calibration",
        json_pack("{s:s, s:o}", "text", calibration, "backtest",
                  b->present ? json_pack("{s:s, s:s, s:f, s:I}", "command",
                                         b->command, "verdict", b->verdict,
                                         "coverage90", b->coverage90, "scored",
                                         (json_int_t)b->scored)
                             : json_null()));
    json_t *targets = json_array();
    for (size_t k = 0; k < r->sc->n_targets; k++)
        json_array_append_new(targets, target_json(r, k));
    json_object_set_new(root, "targets", targets);
    json_t *inds = json_array();
    for (size_t i = 0; i < r->sc->n_indicators; i++)
        json_array_append_new(inds, indicator_json(r, i));
    json_object_set_new(root, "indicators", inds);
    json_t *warnings = json_array();
    char precision[200];
    if (sp_report_precision_warning(r, precision, sizeof precision))
        json_array_append_new(warnings, json_string(precision));
    for (size_t w = 0; w < r->res->n_warnings; w++)
        json_array_append_new(warnings, json_string(r->res->warnings[w]));
    json_object_set_new(root, "warnings", warnings);
    if (r->command_line != NULL) {
        json_object_set_new(root, "command_line", json_string(r->command_line));
        json_object_set_new(root, "scenario_sha256",
                            json_string(r->scenario_sha256));
        json_object_set_new(
            root, "settings",
            json_pack("{s:I, s:I, s:s, s:i, s:i, s:s, s:b}", "draws",
                      (json_int_t)r->res->draws, "seed", (json_int_t)r->seed,
                      "rng", r->rng, "threads", r->threads, "ranks",
                      r->settings_ranks > 0 ? r->settings_ranks : 1, "out",
                      r->settings_out, "plots", r->settings_plots));
    }
    return dump_json(out, root, "report", err);
}

/* ---- solve and sweep ---------------------------------------------------- */

sp_status sp_solve_json(FILE *out, const sp_solve_report *s, sp_error *err)
{
    bool resolved = sp_solve_resolved(s);
    json_t *o = json_object();
    json_object_set_new(o, "target", json_string(s->target));
    json_object_set_new(o, "probability", json_real(s->probability));
    json_object_set_new(o, "lever", json_string(s->lever));
    json_object_set_new(o, "value", json_real(s->value));
    json_object_set_new(o, "mc_sd",
                        resolved ? json_real(s->mc_sd) : json_null());
    json_object_set_new(o, "ci95",
                        resolved
                            ? json_pack("[f, f]", s->value - 1.96 * s->mc_sd,
                                        s->value + 1.96 * s->mc_sd)
                            : json_pack("[n, n]"));
    json_object_set_new(o, "bracket", json_pack("[f, f]", s->a, s->b));
    json_object_set_new(o, "p_bracket", json_pack("[f, f]", s->p_a, s->p_b));
    json_object_set_new(o, "range", json_pack("[f, f]", s->lo, s->hi));
    json_object_set_new(o, "p_range", json_pack("[f, f]", s->p_lo, s->p_hi));
    json_object_set_new(o, "evaluations", json_integer(s->evaluations));
    json_object_set_new(o, "draws", json_integer((json_int_t)s->draws));
    json_object_set_new(o, "seed", json_integer((json_int_t)s->seed));
    return dump_json(out, o, "solution", err);
}

sp_status sp_sweep_json(FILE *out, const sp_sweep_report *s, sp_error *err)
{
    json_t *o = json_object(), *points = json_array();
    json_object_set_new(o, "scenario", json_string(s->scenario));
    json_object_set_new(o, "lever", json_string(s->lever));
    if (s->lever2 != NULL)
        json_object_set_new(o, "lever2", json_string(s->lever2));
    json_object_set_new(o, "draws", json_integer((json_int_t)s->draws));
    json_object_set_new(o, "seed", json_integer((json_int_t)s->seed));
    for (size_t j = 0; j < s->ny; j++)
        for (size_t i = 0; i < s->nx; i++) {
            json_t *pt = json_object(), *ts = json_array();
            json_object_set_new(pt, "value", json_real(s->x[i]));
            if (s->lever2 != NULL)
                json_object_set_new(pt, "value2", json_real(s->y[j]));
            for (size_t k = 0; k < s->n_targets; k++) {
                size_t at = (j * s->nx + i) * s->n_targets + k;
                json_array_append_new(
                    ts, json_pack("{s:s, s:f, s:[f, f]}", "id", s->ids[k],
                                  "probability", s->p[at], "ci95",
                                  s->ci[2 * at], s->ci[2 * at + 1]));
            }
            json_object_set_new(pt, "targets", ts);
            json_array_append_new(points, pt);
        }
    json_object_set_new(o, "points", points);
    return dump_json(out, o, "sweep", err);
}

/* ---- fit ------------------------------------------------------------------ */

static json_t *calib_indicator_json(const sp_calib *c, size_t i)
{
    const sp_calib_indicator *ci = &c->ind[i];
    const sp_fit_ar1 *f = &ci->fit;
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(ci->name));
    json_object_set_new(o, "region", json_string(c->region));
    json_object_set_new(o, "kind", json_string(sp_kind_name(ci->kind)));
    json_object_set_new(o, "n", json_integer((json_int_t)ci->n));
    json_object_set_new(o, "from",
                        ci->n ? json_integer(ci->from) : json_null());
    json_object_set_new(o, "to", ci->n ? json_integer(ci->to) : json_null());
    json_object_set_new(o, "fitted", json_boolean(ci->fitted));
    double nan = NAN;
    json_object_set_new(o, "mean", real_or_null(ci->fitted ? f->mu : nan));
    json_object_set_new(o, "mean_se",
                        real_or_null(ci->fitted ? f->mu_se : nan));
    json_object_set_new(o, "sd", real_or_null(ci->fitted ? f->sigma : nan));
    json_object_set_new(o, "sd_se",
                        real_or_null(ci->fitted ? f->sigma_se : nan));
    json_object_set_new(o, "ar1", real_or_null(ci->fitted ? f->phi : nan));
    json_object_set_new(o, "ar1_se",
                        real_or_null(ci->fitted ? f->phi_se : nan));
    json_object_set_new(o, "ar1_at_bound",
                        json_boolean(ci->fitted && f->at_bound));
    json_object_set_new(o, "loglik",
                        real_or_null(ci->fitted ? f->loglik : nan));
    const sp_fit_trend *t = &ci->trend;
    bool te = ci->trend_estimated;
    json_object_set_new(o, "trend_sd", real_or_null(te ? t->tau : nan));
    json_object_set_new(o, "trend_sd_se", real_or_null(te ? t->tau_se : nan));
    json_object_set_new(o, "trend_sd_lo", real_or_null(te ? t->tau_lo : nan));
    json_object_set_new(o, "trend_sd_hi", real_or_null(te ? t->tau_hi : nan));
    json_object_set_new(o, "trend_level", real_or_null(te ? t->level : nan));
    json_object_set_new(o, "trend_n", json_integer((json_int_t)ci->n_dep));
    json_object_set_new(o, "trend_bias", real_or_null(te ? t->bias : nan));
    json_object_set_new(o, "trend_bias_se",
                        real_or_null(te ? t->bias_se : nan));
    json_object_set_new(o, "trend_noise_sd",
                        real_or_null(te ? sqrt(t->noise_var) : nan));
    json_object_set_new(o, "method",
                        json_string("exact Gaussian AR(1) "
                                    "maximum likelihood"));
    if (c->plans_file != NULL)
        json_object_set_new(o, "trend_method",
                            json_string(sp_calib_trend_method(ci)));
    if (c->plans_file != NULL && !te)
        json_object_set_new(o, "trend_reason", json_string(ci->trend_reason));
    json_t *deps = json_array();
    for (size_t k = 0; k < ci->n_dep; k++) {
        const sp_calib_departure *d = &ci->dep[k];
        json_array_append_new(
            deps,
            json_pack("{s:s, s:s, s:i, s:i, s:f, s:f, s:f, s:f}", "region",
                      d->region, "plan", d->plan, "from", d->from, "to", d->to,
                      "target", d->target, "outcome", d->outcome, "departure",
                      d->departure, "noise_sd", sqrt(d->noise_var)));
    }
    json_object_set_new(o, "departures", deps);
    if (!ci->fitted)
        json_object_set_new(o, "reason", json_string(ci->reason));
    json_t *years = json_array(), *values = json_array();
    for (size_t j = 0; j < ci->n; j++) {
        json_array_append_new(years, json_integer(ci->year[j]));
        json_array_append_new(values, json_real(ci->x[j]));
    }
    json_object_set_new(o, "years", years);
    json_object_set_new(o, "values", values);
    return o;
}

sp_status sp_calib_report_json(FILE *out, const sp_scenario *sc,
                               const sp_calib *c, sp_error *err)
{
    json_t *root = json_object();
    json_object_set_new(root, "simplan_version", json_string(SIMPLAN_VERSION));
    json_object_set_new(root, "scenario", json_string(sc->file));
    json_object_set_new(root, "data", json_string(c->data_file));
    json_object_set_new(root, "region", json_string(c->region));
    json_object_set_new(root, "plans",
                        c->plans_file ? json_string(c->plans_file)
                                      : json_null());
    json_t *inds = json_array();
    for (size_t i = 0; i < c->n_ind; i++)
        json_array_append_new(inds, calib_indicator_json(c, i));
    json_object_set_new(root, "indicators", inds);
    json_t *corr = json_array();
    for (size_t k = 0; k < c->n_corr; k++)
        json_array_append_new(corr, json_pack("{s:s, s:s, s:f, s:f, s:I}", "a",
                                              c->ind[c->corr[k].a].name, "b",
                                              c->ind[c->corr[k].b].name, "rho",
                                              c->corr[k].rho, "rho_se",
                                              c->corr[k].rho_se, "n",
                                              (json_int_t)c->corr[k].n));
    json_object_set_new(root, "correlations", corr);
    return dump_json(out, root, "report", err);
}

/* ---- backtest ------------------------------------------------------------ */

static json_t *tally_json(const sp_bt_tally *t)
{
    double se90;
    const char *verdict = sp_backtest_verdict(t, &se90);
    json_t *o = json_object();
    json_object_set_new(o, "scored", json_integer((json_int_t)t->n));
    json_object_set_new(o, "coverage50",
                        real_or_null(sp_bt_coverage(t->in50, t->n)));
    json_object_set_new(o, "coverage50_se",
                        real_or_null(sp_bt_coverage_se(0.5, t->n)));
    json_object_set_new(o, "coverage90",
                        real_or_null(sp_bt_coverage(t->in90, t->n)));
    json_object_set_new(o, "coverage90_se", real_or_null(se90));
    json_t *h = json_array();
    for (int k = 0; k < SP_BT_PIT_BINS; k++)
        json_array_append_new(h, json_integer((json_int_t)t->pit[k]));
    json_object_set_new(o, "pit_histogram", h);
    json_object_set_new(
        o, "crps_mean",
        real_or_null(t->n ? t->crps_sum / (double)t->n : (double)NAN));
    json_object_set_new(o, "verdict", json_string(verdict));
    return o;
}

/* The Brier score and reliability table of a set of scored targets; with
 * none, the numbers are null and the table too. */
static json_t *target_tally_json(const sp_bt_target_tally *t)
{
    const sp_brier *b = &t->brier;
    json_t *o = json_object();
    json_object_set_new(o, "scored", json_integer((json_int_t)b->n));
    json_object_set_new(o, "brier", real_or_null(b->brier));
    json_object_set_new(o, "brier_se", real_or_null(b->brier_se));
    json_object_set_new(o, "base_rate", real_or_null(b->base_rate));
    json_object_set_new(o, "brier_climatology",
                        real_or_null(b->brier_climatology));
    json_object_set_new(o, "skill", real_or_null(b->skill));
    json_object_set_new(o, "expected_brier", real_or_null(b->expected));
    json_object_set_new(o, "expected_brier_se", real_or_null(b->expected_se));
    json_object_set_new(o, "spiegelhalter_z", real_or_null(b->z));
    if (b->n == 0) {
        json_object_set_new(o, "reliability", json_null());
        return o;
    }
    json_t *rel = json_array();
    for (int k = 0; k < SP_BT_RELIABILITY_BINS; k++) {
        const sp_reliability_bin *c = &t->reliability[k];
        json_t *bin = json_object();
        json_object_set_new(bin, "lo", json_real(c->lo));
        json_object_set_new(bin, "hi", json_real(c->hi));
        json_object_set_new(bin, "n", json_integer((json_int_t)c->n));
        json_object_set_new(bin, "p_mean", real_or_null(c->p_mean));
        json_object_set_new(bin, "observed", real_or_null(c->observed));
        json_object_set_new(bin, "observed_lo", real_or_null(c->observed_lo));
        json_object_set_new(bin, "observed_hi", real_or_null(c->observed_hi));
        json_array_append_new(rel, bin);
    }
    json_object_set_new(o, "reliability", rel);
    return o;
}

/* "targets": pooled, with by_target keyed by target id. */
static json_t *targets_json(const sp_backtest_report *r)
{
    const sp_backtest *b = r->b;
    json_t *o = target_tally_json(&b->targets);
    json_t *by = json_object();
    for (size_t k = 0; k < b->n_targets; k++)
        if (b->by_target[k].brier.n > 0)
            json_object_set_new(by, r->sc->targets[k].id,
                                target_tally_json(&b->by_target[k]));
    json_object_set_new(o, "by_target", by);
    return o;
}

sp_status sp_backtest_report_json(FILE *out, const void *ctx, sp_error *err)
{
    const sp_backtest_report *r = ctx;
    const sp_backtest *b = r->b;
    const sp_backtest_options *o = r->o;
    json_t *root = tally_json(&b->pooled);
    json_object_set_new(root, "simplan_version", json_string(SIMPLAN_VERSION));
    json_object_set_new(root, "scenario", json_string(r->sc->file));
    json_object_set_new(root, "data", json_string(r->data_file));
    json_object_set_new(root, "origins",
                        json_pack("{s:i, s:i, s:i}", "from", o->from, "to",
                                  o->to, "step", o->step));
    json_object_set_new(root, "horizon", json_integer(o->horizon));
    json_object_set_new(root, "history", json_integer(o->history));
    json_object_set_new(root, "draws", json_integer((json_int_t)o->draws));
    json_object_set_new(root, "seed", json_integer((json_int_t)o->seed));
    json_object_set_new(root, "regions",
                        json_integer((json_int_t)b->n_regions));
    json_object_set_new(root, "cases", json_integer((json_int_t)b->n_cases));
    json_object_set_new(root, "sd_factor",
                        b->sd_factor_found ? json_real(b->sd_factor)
                                           : json_null());
    json_object_set_new(root, "search_draws",
                        o->sd_factor ? json_integer((json_int_t)b->search_draws)
                                     : json_null());
    json_t *by_ind = json_array();
    for (size_t i = 0; i < b->n_indicators; i++) {
        if (b->by_indicator[i].n == 0)
            continue;
        json_t *t = tally_json(&b->by_indicator[i]);
        json_object_set_new(t, "indicator",
                            json_string(r->sc->indicators[i].name));
        const sp_bt_sd_factor *g = b->sd_factors ? &b->sd_factors[i] : NULL;
        json_object_set_new(t, "sd_factor",
                            g && g->found ? json_real(g->factor) : json_null());
        json_object_set_new(t, "coverage90_at_sd_factors",
                            real_or_null(g ? g->coverage90 : (double)NAN));
        json_array_append_new(by_ind, t);
    }
    json_object_set_new(root, "by_indicator", by_ind);
    json_t *by_h = json_array();
    for (int h = 1; h <= b->horizon; h++) {
        if (b->by_horizon[h - 1].n == 0)
            continue;
        json_t *t = tally_json(&b->by_horizon[h - 1]);
        json_object_set_new(t, "horizon", json_integer(h));
        json_array_append_new(by_h, t);
    }
    json_object_set_new(root, "by_horizon", by_h);
    json_object_set_new(root, "targets", targets_json(r));
    return dump_json(out, root, "report", err);
}

sp_status sp_bench_report_json(FILE *out, const sp_bench_report *r,
                               sp_error *err)
{
    json_t *root = json_object();
    json_object_set_new(root, "simplan_version", json_string(SIMPLAN_VERSION));
    json_object_set_new(
        root, "scenario",
        json_pack("{s:s, s:s}", "name", r->scenario, "file", r->file));
    json_object_set_new(root, "draws", json_integer((json_int_t)r->draws));
    json_object_set_new(root, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(root, "rng", json_string(r->rng));
    json_object_set_new(root, "normal_method", json_string(r->normal_method));
    json_object_set_new(root, "marginal",
                        r->marginal ? json_string(r->marginal) : json_null());
    json_object_set_new(root, "threads", json_integer(r->threads));
    json_object_set_new(root, "normals_per_draw",
                        real_or_null(r->normals_per_draw));
    json_object_set_new(root, "uniforms_per_draw",
                        real_or_null(r->uniforms_per_draw));
    json_object_set_new(root, "ns_per_draw", real_or_null(r->ns_per_draw_1));
    json_object_set_new(root, "bound_ns_per_draw", real_or_null(r->bound_ns));
    json_object_set_new(root, "bound_ratio",
                        real_or_null(r->ns_per_draw_1 / r->bound_ns));
    json_object_set_new(root, "draws_per_s_1",
                        real_or_null(1e9 / r->ns_per_draw_1));
    json_object_set_new(root, "draws_per_s_all",
                        real_or_null(1e9 / r->ns_per_draw_all));
    json_object_set_new(root, "ns_per_draw_per_core",
                        real_or_null(r->ns_per_draw_all * r->threads));
    json_object_set_new(root, "thread_scaling", real_or_null(r->scaling));
    json_object_set_new(root, "peak_rss_mib",
                        json_real((double)r->peak_rss_kib / 1024.0));
    return dump_json(out, root, "bench report", err);
}

#else

sp_status sp_report_json(FILE *out, const sp_report *r, sp_error *err)
{
    (void)out;
    (void)r;
    return sp_error_set(err, SP_ERR_UNSUPPORTED, NULL, 0, "--format",
                        "this simplan was built without JSON support "
                        "(configure with -DSIMPLAN_JSON=ON and jansson)");
}

/* Without jansson: --format json is refused by the command line already;
 * these say the same if called. */
static sp_status no_json(sp_error *err)
{
    return sp_error_set(err, SP_ERR_UNSUPPORTED, NULL, 0, "--format",
                        "this simplan was built without JSON support "
                        "(configure with -DSIMPLAN_JSON=ON and jansson)");
}

sp_status sp_solve_json(FILE *out, const sp_solve_report *s, sp_error *err)
{
    (void)out;
    (void)s;
    return no_json(err);
}

sp_status sp_sweep_json(FILE *out, const sp_sweep_report *s, sp_error *err)
{
    (void)out;
    (void)s;
    return no_json(err);
}

sp_status sp_calib_report_json(FILE *out, const sp_scenario *sc,
                               const sp_calib *c, sp_error *err)
{
    (void)out;
    (void)sc;
    (void)c;
    return no_json(err);
}

sp_status sp_backtest_report_json(FILE *out, const void *r, sp_error *err)
{
    (void)out;
    (void)r;
    return no_json(err);
}

sp_status sp_bench_report_json(FILE *out, const sp_bench_report *r,
                               sp_error *err)
{
    (void)out;
    (void)r;
    return no_json(err);
}

#endif
