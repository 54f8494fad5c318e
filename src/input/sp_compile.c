/*
 * sp_compile: scenario -> model.
 */
#include "sp_compile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sp_compiled_destroy(sp_compiled *c)
{
    sp_model_destroy(&c->model);
    free(c->names);
    free(c->correlation);
    memset(c, 0, sizeof *c);
}

static sp_status nomem(sp_error *err)
{
    return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                        "out of memory while compiling the scenario");
}

/* The factor a spec's sd_factor sets: 0 (not set) is 1. */
static double sd_factor_of(const sp_indicator_spec *spec)
{
    return spec->sd_factor > 0.0 ? spec->sd_factor : 1.0;
}

/* Per-year mean and sd of a stochastic indicator from its periods, the sd
 * times the indicator's sd_factor. */
static sp_status expand_path(const sp_scenario *sc,
                             const sp_indicator_spec *spec, sp_indicator *ind,
                             sp_error *err)
{
    double f = sd_factor_of(spec);
    int steps = sc->horizon - sc->base_year;
    ind->mean = calloc((size_t)steps, sizeof *ind->mean);
    ind->sd = calloc((size_t)steps, sizeof *ind->sd);
    if (ind->mean == NULL || ind->sd == NULL)
        return nomem(err);
    for (size_t p = 0; p < spec->n_path; p++) {
        const sp_period_spec *per = &spec->path[p];
        for (int y = per->from; y <= per->to; y++) {
            ind->mean[y - sc->base_year - 1] = per->mean;
            ind->sd[y - sc->base_year - 1] = per->sd * f;
        }
    }
    return SP_OK;
}

static sp_status build_indicators(const sp_scenario *sc, sp_compiled *c,
                                  sp_error *err)
{
    sp_model *m = &c->model;
    size_t n = sc->n_indicators;
    m->indicators = calloc(n, sizeof *m->indicators);
    m->stochastic = calloc(n, sizeof *m->stochastic);
    c->names = calloc(n, sizeof *c->names);
    if (!m->indicators || !m->stochastic || !c->names)
        return nomem(err);
    m->n_indicators = n;
    for (size_t i = 0; i < n; i++) {
        const sp_indicator_spec *spec = &sc->indicators[i];
        sp_indicator *ind = &m->indicators[i];
        c->names[i] = spec->name;
        ind->kind = spec->kind;
        if (spec->kind == SP_KIND_DERIVED)
            continue;
        ind->base = spec->base;
        ind->trend_sd = spec->trend_sd * sd_factor_of(spec);
        ind->logit = spec->logit;
        ind->ar1 = spec->ar1;
        ind->marginal = spec->marginal;
        m->stochastic[m->n_stochastic++] = i;
        sp_status st = expand_path(sc, spec, ind, err);
        if (st != SP_OK)
            return st;
    }
    return SP_OK;
}

/* Depth-first visit for the topological order; on a back edge writes the
 * cycle "a -> b -> a" into `cycle` and returns the index where it starts. */
typedef struct {
    size_t n;
    const size_t **deps; /* [n] dependencies of each derived indicator
                            (borrowed from its compiled formula) */
    size_t *n_deps;
    int *state; /* 0 new, 1 on stack, 2 done */
    size_t *stack;
    size_t depth;
    size_t *order;
    size_t n_order;
} topo;

static long visit(topo *t, const sp_scenario *sc, size_t i, char *cycle,
                  size_t size)
{
    if (t->state[i] == 2)
        return -1;
    if (t->state[i] == 1) {
        size_t start = 0;
        while (t->stack[start] != i)
            start++;
        size_t used = 0;
        for (size_t k = start; k < t->depth; k++)
            used +=
                (size_t)snprintf(cycle + used, size > used ? size - used : 0,
                                 "%s -> ", sc->indicators[t->stack[k]].name);
        snprintf(cycle + used, size > used ? size - used : 0, "%s",
                 sc->indicators[i].name);
        return (long)i;
    }
    t->state[i] = 1;
    t->stack[t->depth++] = i;
    for (size_t k = 0; k < t->n_deps[i]; k++) {
        size_t j = t->deps[i][k];
        if (sc->indicators[j].kind != SP_KIND_DERIVED)
            continue;
        long c = visit(t, sc, j, cycle, size);
        if (c >= 0)
            return c;
    }
    t->depth--;
    t->state[i] = 2;
    t->order[t->n_order++] = i;
    return -1;
}

static sp_status order_derived(const sp_scenario *sc, sp_compiled *c,
                               sp_error *err)
{
    size_t n = sc->n_indicators;
    topo t = {0};
    t.n = n;
    t.deps = calloc(n, sizeof *t.deps);
    t.n_deps = calloc(n, sizeof *t.n_deps);
    t.state = calloc(n, sizeof *t.state);
    t.stack = calloc(n, sizeof *t.stack);
    t.order = calloc(n, sizeof *t.order);
    sp_status st = (t.deps && t.n_deps && t.state && t.stack && t.order)
                       ? SP_OK
                       : nomem(err);
    for (size_t i = 0; i < n && st == SP_OK; i++) {
        const sp_indicator_spec *spec = &sc->indicators[i];
        if (spec->kind != SP_KIND_DERIVED)
            continue;
        sp_expr *e = &c->model.indicators[i].formula;
        char msg[400], field[160];
        snprintf(field, sizeof field, "indicators.%s.formula", spec->name);
        sp_status fs =
            sp_expr_compile(spec->formula, c->names, n, e, msg, sizeof msg);
        if (fs != SP_OK) {
            st = sp_error_set(err, fs, sc->file, spec->formula_line, field,
                              "%s", msg);
            break;
        }
        t.deps[i] = e->vars;
        t.n_deps[i] = e->n_vars;
    }
    for (size_t i = 0; i < n && st == SP_OK; i++) {
        if (sc->indicators[i].kind != SP_KIND_DERIVED)
            continue;
        char cycle[400];
        long at = visit(&t, sc, i, cycle, sizeof cycle);
        if (at >= 0) {
            char field[160];
            snprintf(field, sizeof field, "indicators.%s.formula",
                     sc->indicators[at].name);
            st = sp_error_set(err, SP_ERR_CYCLE, sc->file,
                              sc->indicators[at].formula_line, field,
                              "derived indicators depend on each other in a "
                              "cycle: %s",
                              cycle);
        }
    }
    if (st == SP_OK) {
        sp_model *m = &c->model;
        m->derived_order =
            calloc(t.n_order ? t.n_order : 1, sizeof *m->derived_order);
        if (m->derived_order == NULL) {
            st = nomem(err);
        } else {
            memcpy(m->derived_order, t.order, t.n_order * sizeof *t.order);
            m->n_derived = t.n_order;
        }
    }
    free(t.deps);
    free(t.n_deps);
    free(t.state);
    free(t.stack);
    free(t.order);
    return st;
}

static size_t slot_of(const sp_model *m, size_t indicator)
{
    for (size_t s = 0; s < m->n_stochastic; s++)
        if (m->stochastic[s] == indicator)
            return s;
    return 0;
}

static sp_status build_correlation(const sp_scenario *sc, sp_compiled *c,
                                   sp_error *err)
{
    sp_model *m = &c->model;
    size_t ns = m->n_stochastic;
    c->correlation = calloc(ns ? ns * ns : 1, sizeof *c->correlation);
    if (c->correlation == NULL)
        return nomem(err);
    for (size_t s = 0; s < ns; s++)
        c->correlation[s * ns + s] = 1.0;
    for (size_t k = 0; k < sc->n_correlations; k++) {
        const sp_correlation_spec *cs = &sc->correlations[k];
        size_t a = slot_of(m, (size_t)sp_scenario_find_indicator(sc, cs->a));
        size_t b = slot_of(m, (size_t)sp_scenario_find_indicator(sc, cs->b));
        c->correlation[a * ns + b] = c->correlation[b * ns + a] = cs->rho;
    }
    sp_status st = sp_model_set_correlation(m, c->correlation, err);
    if (st == SP_ERR_CORRELATION) {
        err->line = sc->line_correlations;
        snprintf(err->file, sizeof err->file, "%s", sc->file);
    }
    return st;
}

static sp_status build_events(const sp_scenario *sc, sp_model *m, sp_error *err)
{
    if (sc->n_events == 0)
        return SP_OK;
    m->events = calloc(sc->n_events, sizeof *m->events);
    if (m->events == NULL)
        return nomem(err);
    m->n_events = sc->n_events;
    for (size_t k = 0; k < sc->n_events; k++) {
        const sp_event_spec *es = &sc->events[k];
        sp_event *ev = &m->events[k];
        ev->probability = es->probability;
        ev->first_step = es->from - sc->base_year;
        ev->last_step = es->to - sc->base_year;
        ev->effects = calloc(es->n_effects, sizeof *ev->effects);
        if (ev->effects == NULL)
            return nomem(err);
        ev->n_effects = es->n_effects;
        for (size_t j = 0; j < es->n_effects; j++) {
            long i = sp_scenario_find_indicator(sc, es->effects[j].indicator);
            ev->effects[j].slot = slot_of(m, (size_t)i);
            ev->effects[j].mean = es->effects[j].mean;
            ev->effects[j].sd = es->effects[j].sd;
        }
    }
    return SP_OK;
}

static sp_status build_targets(const sp_scenario *sc, sp_model *m,
                               sp_error *err)
{
    m->targets = calloc(sc->n_targets, sizeof *m->targets);
    if (m->targets == NULL)
        return nomem(err);
    m->n_targets = sc->n_targets;
    for (size_t k = 0; k < sc->n_targets; k++) {
        const sp_target_spec *ts = &sc->targets[k];
        sp_target *t = &m->targets[k];
        if (ts->n_all > 0) {
            t->all = calloc(ts->n_all, sizeof *t->all);
            if (t->all == NULL)
                return nomem(err);
            t->n_all = ts->n_all;
            for (size_t j = 0; j < ts->n_all; j++)
                t->all[j] = (size_t)sp_scenario_find_target(sc, ts->all[j]);
            continue;
        }
        t->measure = ts->measure;
        t->indicator = (size_t)sp_scenario_find_indicator(sc, ts->indicator);
        t->from_step = ts->from - sc->base_year;
        t->to_step = ts->to - sc->base_year;
        t->op = ts->op;
        t->value = ts->value;
        t->lo = ts->lo;
        t->hi = ts->hi;
    }
    return SP_OK;
}

/* Base-year values of the derived indicators, from the base row. */
static sp_status derived_base(const sp_scenario *sc, sp_compiled *c,
                              sp_error *err)
{
    sp_model *m = &c->model;
    double *row = calloc(m->n_indicators, sizeof *row);
    if (row == NULL)
        return nomem(err);
    for (size_t i = 0; i < m->n_indicators; i++)
        row[i] = m->indicators[i].base;
    sp_status st = SP_OK;
    for (size_t k = 0; k < m->n_derived && st == SP_OK; k++) {
        size_t i = m->derived_order[k];
        double v = sp_expr_eval1(&m->indicators[i].formula, row);
        row[i] = m->indicators[i].base = v;
        if (!isfinite(v)) {
            char field[160];
            snprintf(field, sizeof field, "indicators.%s.formula",
                     sc->indicators[i].name);
            st =
                sp_error_set(err, SP_ERR_BASE_VALUE, sc->file,
                             sc->indicators[i].formula_line, field,
                             "the formula gives %s at the base year %d "
                             "(a division by zero, or the log or square "
                             "root of a negative number?); it must be "
                             "finite",
                             isnan(v) ? "no number (NaN)" : "an infinite value",
                             sc->base_year);
        }
    }
    free(row);
    return st;
}

/* Observed years of each indicator, by step (NaN where a year is not
 * observed), into the model. */
static sp_status build_observed(const sp_scenario *sc, sp_model *m,
                                sp_error *err)
{
    double obs[SP_MAX_STEPS];
    for (size_t i = 0; i < sc->n_indicators; i++) {
        int n = 0, line = 0;
        for (int t = 0; t < SP_MAX_STEPS; t++)
            obs[t] = NAN;
        for (size_t k = 0; k < sc->n_observed; k++) {
            const sp_observed_spec *o = &sc->observed[k];
            if (strcmp(o->indicator, sc->indicators[i].name) != 0)
                continue;
            if (sc->indicators[i].logit && !(o->value > 0.0 && o->value < 1.0))
                return sp_error_set(err, SP_ERR_RANGE, sc->file, o->line,
                                    "observed.value",
                                    "%s is a share on the logit scale: an "
                                    "observed value must lie strictly "
                                    "between 0 and 1, got %g",
                                    o->indicator, o->value);
            int step = o->year - sc->base_year;
            obs[step - 1] = o->value;
            n = step > n ? step : n;
            line = o->line;
        }
        if (n == 0)
            continue;
        sp_status st = sp_model_observe(m, i, obs, n, err);
        if (st != SP_OK) {
            err->line = line;
            snprintf(err->file, sizeof err->file, "%s", sc->file);
            return st;
        }
    }
    return SP_OK;
}

/* The joint conditioning on every observation, once the correlation is
 * known; a failure names the first observation. */
static sp_status build_condition(const sp_scenario *sc, sp_model *m,
                                 sp_error *err)
{
    if (sc->n_observed == 0)
        return SP_OK;
    sp_status st = sp_model_condition(m, err);
    if (st != SP_OK) {
        err->line = sc->observed[0].line;
        snprintf(err->file, sizeof err->file, "%s", sc->file);
    }
    return st;
}

sp_status sp_compile(const sp_scenario *sc, sp_compiled *out, sp_error *err)
{
    out->model.base_year = sc->base_year;
    out->model.n_steps = sc->horizon - sc->base_year;
    sp_status st = build_indicators(sc, out, err);
    if (st == SP_OK)
        st = order_derived(sc, out, err);
    if (st == SP_OK)
        st = build_observed(sc, &out->model, err);
    if (st == SP_OK)
        st = sp_model_build_tables(&out->model, err);
    if (st == SP_OK)
        st = build_correlation(sc, out, err);
    if (st == SP_OK)
        st = build_condition(sc, &out->model, err);
    if (st == SP_OK)
        st = build_events(sc, &out->model, err);
    if (st == SP_OK)
        st = build_targets(sc, &out->model, err);
    if (st == SP_OK)
        st = derived_base(sc, out, err);
    if (st != SP_OK)
        sp_compiled_destroy(out);
    return st;
}
