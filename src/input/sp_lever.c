/*
 * sp_lever: the numbers of a scenario by field path, for solve, sweep and
 * the `#@set PATH = VALUE` lines of a changed scenario.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_lever.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_lever(sp_lever *lv, double *value, double valid_lo,
                      double valid_hi, double lo, double hi)
{
    lv->value = value;
    lv->valid_lo = valid_lo;
    lv->valid_hi = valid_hi;
    lv->lo = fmax(lo, valid_lo);
    lv->hi = fmin(hi, valid_hi);
}

/* A spread for default search ranges: the value's size, at least 0.05. */
static double spread(double v)
{
    return fmax(fabs(v), 0.05);
}

/* A parameter `dist.NAME` of the indicator's marginal family, with the
 * range and search range of the family's descriptor table. */
static bool lever_dist(sp_indicator_spec *ind, const char *rest, sp_lever *lv)
{
    const sp_family_info *f = sp_family_info_of(ind->marginal.family);
    if (strncmp(rest, "dist.", 5) != 0)
        return false;
    for (size_t k = 0; k < f->n_params; k++) {
        const sp_family_param *p = &f->params[k];
        if (strcmp(rest + 5, p->name) != 0)
            continue;
        set_lever(lv, sp_marginal_param(&ind->marginal, p),
                  sp_range_min(&p->range), sp_range_max(&p->range),
                  p->search_lo, p->search_hi);
        return true;
    }
    return false;
}

static bool lever_indicator(sp_scenario *sc, const char *name, const char *rest,
                            sp_lever *lv)
{
    long i = sp_scenario_find_indicator(sc, name);
    if (i < 0 || sc->indicators[i].kind == SP_KIND_DERIVED)
        return false;
    sp_indicator_spec *ind = &sc->indicators[i];
    size_t k;
    char key[16], tail;
    if (lever_dist(ind, rest, lv))
        return true;
    if (strcmp(rest, "base") == 0) {
        bool share = ind->kind == SP_KIND_SHARE;
        set_lever(lv, &ind->base, share ? 0.0 : 1e-300, share ? 1.0 : HUGE_VAL,
                  ind->base / 2,
                  share ? fmin(1.0, ind->base * 2) : ind->base * 2);
    } else if (strcmp(rest, "trend_sd") == 0) {
        set_lever(lv, &ind->trend_sd, 0.0, 10.0, 0.0,
                  3 * spread(ind->trend_sd));
    } else if (strcmp(rest, "ar1") == 0) {
        set_lever(lv, &ind->ar1, -0.999, 0.999, -0.95, 0.95);
    } else if (sscanf(rest, "path[%zu].%15[a-z]%c", &k, key, &tail) == 2 &&
               k < ind->n_path && strcmp(key, "mean") == 0) {
        double *v = &ind->path[k].mean;
        set_lever(lv, v, -HUGE_VAL, HUGE_VAL, *v - 0.1, *v + 0.1);
    } else if (sscanf(rest, "path[%zu].%15[a-z]%c", &k, key, &tail) == 2 &&
               k < ind->n_path && strcmp(key, "sd") == 0) {
        double *v = &ind->path[k].sd;
        set_lever(lv, v, 0.0, 10.0, 0.0, 3 * spread(*v));
    } else {
        return false;
    }
    return true;
}

static bool lever_event(sp_scenario *sc, const char *path, sp_lever *lv)
{
    for (size_t e = 0; e < sc->n_events; e++) {
        sp_event_spec *ev = &sc->events[e];
        size_t len = strlen(ev->name), k;
        char key[16], tail;
        if (strncmp(path, ev->name, len) != 0 || path[len] != '.')
            continue;
        const char *rest = path + len + 1;
        if (strcmp(rest, "probability") == 0) {
            set_lever(lv, &ev->probability, 0.0, 1.0, 0.0, 1.0);
            return true;
        }
        if (sscanf(rest, "effects[%zu].%15[a-z]%c", &k, key, &tail) == 2 &&
            k < ev->n_effects) {
            double *v = strcmp(key, "sd") == 0     ? &ev->effects[k].sd
                        : strcmp(key, "mean") == 0 ? &ev->effects[k].mean
                                                   : NULL;
            if (v == NULL)
                return false;
            if (v == &ev->effects[k].sd)
                set_lever(lv, v, 0.0, 10.0, 0.0, 3 * spread(*v));
            else
                set_lever(lv, v, -HUGE_VAL, HUGE_VAL, *v - 0.1, *v + 0.1);
            return true;
        }
    }
    return false;
}

static bool lever_target(sp_scenario *sc, const char *id, const char *rest,
                         sp_lever *lv)
{
    long k = sp_scenario_find_target(sc, id);
    if (k < 0 || sc->targets[k].n_all > 0)
        return false;
    sp_target_spec *t = &sc->targets[k];
    double *v = NULL;
    if (strcmp(rest, "value") == 0 && t->op != SP_OP_BETWEEN)
        v = &t->value;
    else if (strcmp(rest, "range[0]") == 0 && t->op == SP_OP_BETWEEN)
        v = &t->lo;
    else if (strcmp(rest, "range[1]") == 0 && t->op == SP_OP_BETWEEN)
        v = &t->hi;
    if (v == NULL)
        return false;
    set_lever(lv, v, -HUGE_VAL, HUGE_VAL, *v - spread(*v), *v + spread(*v));
    return true;
}

sp_status sp_lever_find(sp_scenario *sc, const char *path, const char *field,
                        sp_lever *out, sp_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", path);
    char name[128];
    size_t k;
    char tail;
    bool found = false;
    const char *dot;
    if (strncmp(path, "indicators.", 11) == 0 &&
        (dot = strchr(path + 11, '.')) != NULL &&
        (size_t)(dot - path - 11) < sizeof name) {
        snprintf(name, sizeof name, "%.*s", (int)(dot - path - 11), path + 11);
        found = lever_indicator(sc, name, dot + 1, out);
    } else if (sscanf(path, "correlations[%zu].rho%c", &k, &tail) == 1 &&
               k < sc->n_correlations) {
        set_lever(out, &sc->correlations[k].rho, -1.0, 1.0, -0.99, 0.99);
        found = true;
    } else if (strncmp(path, "events.", 7) == 0) {
        found = lever_event(sc, path + 7, out);
    } else if (strncmp(path, "targets.", 8) == 0 &&
               (dot = strchr(path + 8, '.')) != NULL &&
               (size_t)(dot - path - 8) < sizeof name) {
        snprintf(name, sizeof name, "%.*s", (int)(dot - path - 8), path + 8);
        found = lever_target(sc, name, dot + 1, out);
    }
    if (!found)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, field,
                            "'%s' is not a number of this scenario; use e.g. "
                            "indicators.NAME.path[0].mean, "
                            "indicators.NAME.trend_sd, correlations[0].rho, "
                            "events.NAME.probability or targets.ID.value",
                            path);
    return SP_OK;
}

sp_status sp_lever_set(sp_scenario *sc, const char *path, double value,
                       const char *file, int line, sp_error *err)
{
    sp_lever lv;
    sp_status st = sp_lever_find(sc, path, path, &lv, err);
    if (st != SP_OK) {
        if (err != NULL) {
            snprintf(err->file, sizeof err->file, "%s", file ? file : "");
            err->line = line;
        }
        return st;
    }
    if (!isfinite(value) || value < lv.valid_lo || value > lv.valid_hi)
        return sp_error_set(err, SP_ERR_RANGE, file, line, path,
                            "%.17g is outside the values it allows, [%g, %g]",
                            value, lv.valid_lo, lv.valid_hi);
    *lv.value = value;
    return SP_OK;
}

sp_status sp_lever_get(const sp_scenario *sc, const char *path, double *value,
                       sp_error *err)
{
    sp_lever lv;
    /* Only read through the lever: the scenario is not changed. */
    sp_scenario *s = (sp_scenario *)(uintptr_t)sc;
    sp_status st = sp_lever_find(s, path, path, &lv, err);
    if (st == SP_OK)
        *value = *lv.value;
    return st;
}

/* "#@set PATH = VALUE" at the start of `line` (up to its end): the path
 * and value; false for any other line. */
static bool set_line(const char *line, char *path, size_t size, double *value,
                     bool *malformed)
{
    *malformed = false;
    if (strncmp(line, SP_LEVER_SET_PREFIX, strlen(SP_LEVER_SET_PREFIX)) != 0)
        return false;
    const char *p = line + strlen(SP_LEVER_SET_PREFIX);
    const char *eq = strchr(p, '=');
    const char *nl = strchr(p, '\n');
    if (nl == NULL)
        nl = p + strlen(p);
    *malformed = true;
    if (eq == NULL || eq > nl)
        return true;
    const char *end = eq;
    while (end > p && end[-1] == ' ')
        end--;
    if (end == p || (size_t)(end - p) >= size)
        return true;
    snprintf(path, size, "%.*s", (int)(end - p), p);
    char *stop;
    errno = 0;
    *value = strtod(eq + 1, &stop);
    while (stop < nl && (*stop == ' ' || *stop == '\r'))
        stop++;
    if (stop == eq + 1 || stop != nl || errno == ERANGE)
        return true;
    *malformed = false;
    return true;
}

sp_status sp_lever_apply_sets(sp_scenario *sc, const char *text, sp_error *err)
{
    int line = 1;
    for (const char *p = text; *p; line++) {
        char path[SP_LEVER_PATH];
        double value;
        bool malformed;
        if (set_line(p, path, sizeof path, &value, &malformed)) {
            if (malformed)
                return sp_error_set(err, SP_ERR_SYNTAX, sc->file, line, NULL,
                                    "expected " SP_LEVER_SET_PREFIX
                                    "PATH = NUMBER");
            sp_status st = sp_lever_set(sc, path, value, sc->file, line, err);
            if (st != SP_OK)
                return st;
        }
        const char *nl = strchr(p, '\n');
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return SP_OK;
}
