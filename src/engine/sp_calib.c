/*
 * sp_calib: series from the data set, their AR(1) fits and correlations.
 */
#include "sp_calib.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The figure chosen for one year. */
typedef struct {
    int year;
    double value;
    const sp_data_row *row;
} pick;

static bool region_in_data(const sp_data *d, const char *region)
{
    for (size_t i = 0; i < d->n_rows; i++)
        if (strcmp(d->rows[i].region, region) == 0)
            return true;
    return false;
}

/* The regions of the data as a list for messages ("a, b, c, ..."). */
static void region_list(const sp_data *d, char *buf, size_t size)
{
    size_t used = 0, shown = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n_rows && shown < 8; i++) {
        const char *r = d->rows[i].region;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(d->rows[j].region, r) == 0;
        if (seen)
            continue;
        int k = snprintf(buf + used, size - used, "%s%s", shown ? ", " : "", r);
        if (k < 0 || (size_t)k >= size - used)
            break;
        used += (size_t)k;
        shown++;
    }
}

/* The region to fit (see sp_calib_fit). */
static sp_status choose_region(const sp_scenario *sc, const sp_data *d,
                               const char *asked, char *out, size_t size,
                               sp_error *err)
{
    char list[256];
    region_list(d, list, sizeof list);
    if (asked != NULL) {
        if (!region_in_data(d, asked))
            return sp_error_set(err, SP_ERR_REFERENCE, d->file, 0, "--region",
                                "no rows for region '%s'; the "
                                "data has %s",
                                asked, list);
        snprintf(out, size, "%s", asked);
        return SP_OK;
    }
    if (strchr(list, ',') == NULL && list[0] != '\0') {
        snprintf(out, size, "%s", list);
        return SP_OK;
    }
    size_t k = 0;
    for (const char *p = sc->region; *p && k + 1 < size; p++)
        out[k++] = *p == ' ' ? '_' : (char)tolower((unsigned char)*p);
    out[k] = '\0';
    if (region_in_data(d, out))
        return SP_OK;
    return sp_error_set(err, SP_ERR_REFERENCE, d->file, 0, "--region",
                        "the data has several regions (%s) and none is the "
                        "scenario's region '%s': choose one with --region",
                        list, sc->region);
}

static int by_year(const void *a, const void *b)
{
    const pick *x = a, *y = b;
    return (x->year > y->year) - (x->year < y->year);
}

/* The rows of one series, one per year (a revision preferred to a first
 * release), sorted by year. *n_out picks are malloc'd into *out. */
static sp_status pick_rows(const sp_data *d, const char *region,
                           const char *indicator, sp_data_measure measure,
                           const sp_calib_options *o, pick **out, size_t *n_out,
                           sp_error *err)
{
    pick *p = malloc((d->n_rows ? d->n_rows : 1) * sizeof *p);
    if (p == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the series");
    size_t n = 0;
    for (size_t i = 0; i < d->n_rows; i++) {
        const sp_data_row *r = &d->rows[i];
        if (r->measure != measure || strcmp(r->region, region) != 0 ||
            strcmp(r->indicator, indicator) != 0 ||
            (o->from && r->year < o->from) || (o->to && r->year > o->to))
            continue;
        p[n++] = (pick){r->year, r->value, r};
    }
    qsort(p, n, sizeof *p, by_year);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && p[m - 1].year == p[i].year) {
            bool old_first = strcmp(p[m - 1].row->vintage, "first") == 0;
            bool new_first = strcmp(p[i].row->vintage, "first") == 0;
            if (!old_first && !new_first) {
                sp_status st = sp_error_set(
                    err, SP_ERR_DUPLICATE, d->file, p[i].row->line, "vintage",
                    "two current figures for %s %d (lines %d and "
                    "%d): mark the earlier one 'first'",
                    indicator, p[i].year, p[m - 1].row->line, p[i].row->line);
                free(p);
                return st;
            }
            if (old_first)
                p[m - 1] = p[i];
            continue;
        }
        p[m++] = p[i];
    }
    *out = p;
    *n_out = m;
    return SP_OK;
}

/* Fills ci->x and ci->year: growth rates as they are, or the increments
 * of levels of consecutive years on one basis. */
static sp_status build_series(const pick *p, size_t n, sp_calib_indicator *ci,
                              sp_error *err)
{
    ci->x = malloc((n ? n : 1) * sizeof *ci->x);
    ci->year = malloc((n ? n : 1) * sizeof *ci->year);
    ci->z = malloc((n ? n : 1) * sizeof *ci->z);
    if (!ci->x || !ci->year || !ci->z)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the series");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (ci->kind == SP_KIND_RATE) {
            ci->x[m] = p[i].value;
            ci->year[m++] = p[i].year;
        } else if (i > 0 && p[i].year == p[i - 1].year + 1 &&
                   strcmp(p[i].row->basis, p[i - 1].row->basis) == 0) {
            ci->x[m] = p[i].value - p[i - 1].value;
            ci->year[m++] = p[i].year;
        }
    }
    ci->n = m;
    ci->from = m ? ci->year[0] : 0;
    ci->to = m ? ci->year[m - 1] : 0;
    return SP_OK;
}

/* The series of indicator `index` and its fit, if long enough. */
static sp_status fit_indicator(const sp_scenario *sc, const sp_data *d,
                               const char *region, const sp_calib_options *o,
                               size_t index, sp_calib_indicator *ci,
                               sp_error *err)
{
    const sp_indicator_spec *spec = &sc->indicators[index];
    ci->name = spec->name;
    ci->index = index;
    ci->kind = spec->kind;
    pick *p = NULL;
    size_t n = 0;
    sp_data_measure measure =
        spec->kind == SP_KIND_RATE ? SP_DATA_GROWTH : SP_DATA_LEVEL;
    sp_status st = pick_rows(d, region, spec->name, measure, o, &p, &n, err);
    ci->n_rows = n;
    if (st == SP_OK)
        st = build_series(p, n, ci, err);
    free(p);
    if (st != SP_OK)
        return st;
    if (ci->n < SP_FIT_MIN_N) {
        snprintf(ci->reason, sizeof ci->reason,
                 "%zu %s (from %zu data rows) are too few to estimate from "
                 "(at least %d)",
                 ci->n,
                 ci->kind == SP_KIND_RATE
                     ? "annual growth rates"
                     : "increments between consecutive years",
                 ci->n_rows, SP_FIT_MIN_N);
        return SP_OK;
    }
    sp_error fe;
    sp_error_clear(&fe);
    if (sp_fit_ar1_mle(ci->x, ci->year, ci->n, &ci->fit, &fe) != SP_OK) {
        snprintf(ci->reason, sizeof ci->reason, "%s", fe.message);
        return SP_OK;
    }
    ci->fitted = true;
    sp_fit_ar1_innovations(ci->x, ci->year, ci->n, &ci->fit, ci->z);
    return SP_OK;
}

/* The innovation of year y in a fitted series if it is a one-year step. */
static bool one_year_innovation(const sp_calib_indicator *ci, int y, double *z)
{
    for (size_t j = 1; j < ci->n; j++)
        if (ci->year[j] == y && ci->year[j - 1] == y - 1) {
            *z = ci->z[j];
            return true;
        }
    return false;
}

/* Correlations between every two fitted indicators with >= 3 common
 * one-year innovations. */
static sp_status correlations(sp_calib *c, sp_error *err)
{
    size_t cap = c->n_ind * c->n_ind / 2 + 1;
    c->corr = calloc(cap, sizeof *c->corr);
    double *a = malloc(sizeof(double) * 2 * (SP_MAX_YEAR - SP_MIN_YEAR + 1));
    if (c->corr == NULL || a == NULL) {
        free(a);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the correlations");
    }
    double *b = a + (SP_MAX_YEAR - SP_MIN_YEAR + 1);
    for (size_t i = 0; i < c->n_ind; i++)
        for (size_t k = i + 1; k < c->n_ind; k++) {
            const sp_calib_indicator *x = &c->ind[i], *y = &c->ind[k];
            if (!x->fitted || !y->fitted)
                continue;
            size_t n = 0;
            for (size_t j = 1; j < x->n; j++)
                if (one_year_innovation(x, x->year[j], &a[n]) &&
                    one_year_innovation(y, x->year[j], &b[n]))
                    n++;
            sp_calib_corr r = {i, k, n, NAN, NAN};
            sp_error ce;
            if (n >= 3 &&
                sp_fit_correlation(a, b, n, &r.rho, &r.rho_se, &ce) == SP_OK)
                c->corr[c->n_corr++] = r;
        }
    free(a);
    return SP_OK;
}

/* The plan figure as what the model's driver moves by: an annual rate for
 * a rate indicator (NAN for a level), the end level (logit for a logit
 * share) for a share (NAN for a rate). */
static double plan_value(const sp_plan_row *r, sp_kind kind, bool logit)
{
    if (kind == SP_KIND_RATE)
        return sp_plan_annual_rate(r);
    if (r->measure != SP_PLAN_LEVEL)
        return NAN;
    if (!logit)
        return r->value;
    return r->value > 0.0 && r->value < 1.0 ? log(r->value / (1.0 - r->value))
                                            : (double)NAN;
}

/* The outcome paired with target t: the outcome of the same region, plan,
 * indicator and period; else, for a rate, one over the first years of the
 * period (at least SP_PARTIAL_MIN_YEARS), compared as annual rates; else
 * NULL. Only periods inside --from .. --to count: an outcome reported
 * after the years fitted is not known at the scenario's start. */
#define SP_PARTIAL_MIN_YEARS 3
static const sp_plan_row *matching_outcome(const sp_plans *p,
                                           const sp_plan_row *t, sp_kind kind,
                                           const sp_calib_options *opt)
{
    if (opt->from && t->from < opt->from)
        return NULL;
    const sp_plan_row *partial = NULL;
    for (size_t j = 0; j < p->n_rows; j++) {
        const sp_plan_row *o = &p->rows[j];
        if (o->figure != SP_PLAN_OUTCOME || strcmp(o->region, t->region) ||
            strcmp(o->plan, t->plan) || strcmp(o->indicator, t->indicator) ||
            o->from != t->from || (opt->to && o->to > opt->to))
            continue;
        if (o->to == t->to)
            return o;
        if (kind == SP_KIND_RATE && o->to < t->to &&
            o->to - o->from + 1 >= SP_PARTIAL_MIN_YEARS &&
            (partial == NULL || o->to > partial->to))
            partial = o;
    }
    return partial;
}

/* trend_sd of one indicator from every (target, outcome) pair of the plan
 * table for it, pooled over regions and plans. */
static sp_status plan_departures(const sp_scenario *sc, const sp_plans *p,
                                 const sp_calib_options *opt,
                                 sp_calib_indicator *ci, sp_error *err)
{
    const sp_indicator_spec *spec = &sc->indicators[ci->index];
    /* Without a fit, the noise of a period mean is the scenario's own:
     * the sd of its first path period and its ar1. */
    double sd0 = spec->n_path ? spec->path[0].sd : 0.0;
    ci->dep = calloc(p->n_rows ? p->n_rows : 1, sizeof *ci->dep);
    double *d = malloc((p->n_rows ? p->n_rows : 1) * 2 * sizeof *d);
    if (ci->dep == NULL || d == NULL) {
        free(d);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the plan departures");
    }
    for (size_t i = 0; i < p->n_rows; i++) {
        const sp_plan_row *t = &p->rows[i];
        if (t->figure != SP_PLAN_TARGET || strcmp(t->indicator, ci->name) != 0)
            continue;
        const sp_plan_row *o = matching_outcome(p, t, ci->kind, opt);
        if (o == NULL)
            continue;
        double a = plan_value(t, ci->kind, spec->logit);
        double b = plan_value(o, ci->kind, spec->logit);
        if (!isfinite(a) || !isfinite(b))
            continue;
        int h = o->to - o->from + 1; /* the years the outcome covers */
        sp_calib_departure *x = &ci->dep[ci->n_dep++];
        *x = (sp_calib_departure){
            .region = t->region,
            .plan = t->plan,
            .from = o->from,
            .to = o->to,
            .target = a,
            .outcome = b,
            .departure = ci->kind == SP_KIND_RATE ? b - a : (b - a) / h,
            .target_line = t->line,
            .outcome_line = o->line};
        x->noise_var = ci->fitted
                           ? sp_fit_ar1_mean_var(ci->fit.sigma, ci->fit.phi, h)
                           : sp_fit_ar1_mean_var(sd0, spec->ar1, h);
    }
    ci->trend_noise_fitted = ci->fitted;
    for (size_t k = 0; k < ci->n_dep; k++) {
        d[k] = ci->dep[k].departure;
        d[ci->n_dep + k] = ci->dep[k].noise_var;
    }
    sp_error te;
    sp_error_clear(&te);
    if (sp_fit_trend_sd(d, d + ci->n_dep, ci->n_dep, 0.9, &ci->trend, &te) ==
        SP_OK)
        ci->trend_estimated = true;
    else
        snprintf(ci->trend_reason, sizeof ci->trend_reason,
                 "%zu (target, outcome) pairs in %s are too few (at least "
                 "%d)",
                 ci->n_dep, p->file, SP_FIT_TREND_MIN_N);
    free(d);
    return SP_OK;
}

/* Whether indicator `name` is to be fitted. */
static bool wanted(const sp_calib_options *o, const char *name)
{
    if (o->indicators == NULL)
        return true;
    for (size_t i = 0; i < o->n_indicators; i++)
        if (strcmp(o->indicators[i], name) == 0)
            return true;
    return false;
}

/* Every name asked for is a stochastic indicator of the scenario. */
static sp_status check_names(const sp_scenario *sc, const sp_calib_options *o,
                             sp_error *err)
{
    for (size_t i = 0; o->indicators && i < o->n_indicators; i++) {
        long k = sp_scenario_find_indicator(sc, o->indicators[i]);
        if (k < 0 || sc->indicators[k].kind == SP_KIND_DERIVED)
            return sp_error_set(err, SP_ERR_REFERENCE, sc->file, 0,
                                "--indicator",
                                "'%s' is not a rate or share "
                                "indicator of the scenario",
                                o->indicators[i]);
    }
    return SP_OK;
}

sp_status sp_calib_fit(const sp_scenario *sc, const sp_data *d,
                       const sp_calib_options *o, sp_calib *out, sp_error *err)
{
    memset(out, 0, sizeof *out);
    out->data_file = d->file;
    sp_status st = check_names(sc, o, err);
    if (st == SP_OK)
        st = choose_region(sc, d, o->region, out->region, sizeof out->region,
                           err);
    if (st != SP_OK)
        return st;
    out->ind =
        calloc(sc->n_indicators ? sc->n_indicators : 1, sizeof *out->ind);
    if (out->ind == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the fits");
    for (size_t i = 0; i < sc->n_indicators && st == SP_OK; i++) {
        if (sc->indicators[i].kind == SP_KIND_DERIVED ||
            !wanted(o, sc->indicators[i].name))
            continue;
        sp_calib_indicator *ci = &out->ind[out->n_ind++];
        st = fit_indicator(sc, d, out->region, o, i, ci, err);
        /* Without a single row the indicator is left out, unless named. */
        if (st == SP_OK && ci->n_rows == 0 && o->indicators == NULL) {
            free(ci->x);
            free(ci->year);
            free(ci->z);
            memset(ci, 0, sizeof *ci);
            out->n_ind--;
        }
    }
    if (st == SP_OK)
        st = correlations(out, err);
    if (o->plans != NULL)
        out->plans_file = o->plans->file;
    for (size_t i = 0; o->plans && st == SP_OK && i < out->n_ind; i++)
        st = plan_departures(sc, o->plans, o, &out->ind[i], err);
    if (st != SP_OK)
        sp_calib_destroy(out);
    return st;
}

void sp_calib_destroy(sp_calib *c)
{
    for (size_t i = 0; c->ind && i < c->n_ind; i++) {
        free(c->ind[i].x);
        free(c->ind[i].year);
        free(c->ind[i].z);
        free(c->ind[i].dep);
    }
    free(c->ind);
    free(c->corr);
    memset(c, 0, sizeof *c);
}
