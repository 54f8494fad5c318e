/*
 * sp_scenario: ownership and look-ups of the plain scenario data.
 */
#include "sp_scenario.h"

#include <stdlib.h>
#include <string.h>

void sp_scenario_destroy(sp_scenario *sc)
{
    for (size_t i = 0; i < sc->n_indicators; i++) {
        sp_indicator_spec *ind = &sc->indicators[i];
        free(ind->name);
        free(ind->unit);
        free(ind->variable);
        free(ind->description);
        free(ind->path);
        free(ind->formula);
    }
    for (size_t i = 0; i < sc->n_correlations; i++) {
        free(sc->correlations[i].a);
        free(sc->correlations[i].b);
    }
    for (size_t i = 0; i < sc->n_events; i++) {
        sp_event_spec *ev = &sc->events[i];
        for (size_t j = 0; j < ev->n_effects; j++)
            free(ev->effects[j].indicator);
        free(ev->effects);
        free(ev->name);
    }
    for (size_t i = 0; i < sc->n_targets; i++) {
        sp_target_spec *t = &sc->targets[i];
        for (size_t j = 0; j < t->n_all; j++)
            free(t->all[j]);
        free(t->all);
        free(t->id);
        free(t->name);
        free(t->source);
        free(t->indicator);
    }
    for (size_t i = 0; i < sc->n_observed; i++)
        free(sc->observed[i].indicator);
    free(sc->observed);
    free(sc->indicators);
    free(sc->correlations);
    free(sc->events);
    free(sc->targets);
    free(sc->file);
    free(sc->text);
    free(sc->name);
    free(sc->description);
    free(sc->region);
    free(sc->rng);
    free(sc->backtest.command);
    free(sc->backtest.verdict);
    memset(sc, 0, sizeof *sc);
}

sp_status sp_scenario_copy_indicators(const sp_scenario *sc, sp_scenario *out)
{
    *out = *sc;
    out->indicators = calloc(sc->n_indicators ? sc->n_indicators : 1,
                             sizeof *out->indicators);
    if (out->indicators == NULL) {
        memset(out, 0, sizeof *out);
        return SP_ERR_NOMEM;
    }
    for (size_t i = 0; i < sc->n_indicators; i++) {
        const sp_indicator_spec *a = &sc->indicators[i];
        sp_indicator_spec *b = &out->indicators[i];
        *b = *a;
        b->path = malloc((a->n_path ? a->n_path : 1) * sizeof *b->path);
        if (b->path == NULL) {
            out->n_indicators = i;
            sp_scenario_free_indicators(out);
            return SP_ERR_NOMEM;
        }
        if (a->n_path)
            memcpy(b->path, a->path, a->n_path * sizeof *b->path);
    }
    return SP_OK;
}

void sp_scenario_free_indicators(sp_scenario *s)
{
    for (size_t i = 0; s->indicators && i < s->n_indicators; i++)
        free(s->indicators[i].path);
    free(s->indicators);
    memset(s, 0, sizeof *s);
}

long sp_scenario_find_indicator(const sp_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_indicators; i++)
        if (sc->indicators[i].name && strcmp(sc->indicators[i].name, name) == 0)
            return (long)i;
    return -1;
}

long sp_scenario_find_target(const sp_scenario *sc, const char *id)
{
    for (size_t i = 0; i < sc->n_targets; i++)
        if (sc->targets[i].id && strcmp(sc->targets[i].id, id) == 0)
            return (long)i;
    return -1;
}
