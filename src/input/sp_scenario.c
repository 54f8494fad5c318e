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
    memset(sc, 0, sizeof *sc);
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
