/*
 * sp_lever: one number of a scenario found by its field path, as error
 * messages name it: indicators.NAME.base | trend_sd | ar1 | dist.df |
 * dist.skew | path[K].mean | path[K].sd, correlations[K].rho,
 * events.NAME.probability | effects[K].mean | effects[K].sd,
 * targets.ID.value | range[0] | range[1].
 *
 * solve and sweep vary a lever; a changed scenario (simplan_scenario_set)
 * records each change as a line of its text,
 *     #@set PATH = VALUE
 * a libconfig comment that the loader applies, in order, after reading
 * the rest: the text, and so its SHA-256 and the state files that carry
 * it, always say what was run.
 */
#ifndef SP_LEVER_H
#define SP_LEVER_H

#include "sp_scenario.h"
#include "sp_status.h"

#define SP_LEVER_PATH       160 /* longest field path, with its NUL */
#define SP_LEVER_SET_PREFIX "#@set "

/* A scenario number found by its path. */
typedef struct {
    double *value;   /* inside the scenario */
    double valid_lo; /* the values the scenario allows */
    double valid_hi;
    double lo, hi; /* default range to search */
    char path[SP_LEVER_PATH];
} sp_lever;

/* Finds the number at `path` in `sc`; SP_ERR_USAGE naming `field` and
 * the accepted forms when there is none. */
sp_status sp_lever_find(sp_scenario *sc, const char *path, const char *field,
                        sp_lever *out, sp_error *err);

/* Sets the number at `path` to `value`: SP_ERR_USAGE (field `path`) when
 * there is none, SP_ERR_RANGE when the value is not finite or outside
 * what the field allows; errors name `file` and `line` (NULL, 0: none). */
sp_status sp_lever_set(sp_scenario *sc, const char *path, double value,
                       const char *file, int line, sp_error *err);

/* The number at `path`. */
sp_status sp_lever_get(const sp_scenario *sc, const char *path, double *value,
                       sp_error *err);

/* Applies the `#@set PATH = VALUE` lines of `text` (those starting a
 * line) to `sc`, in order; a malformed one is SP_ERR_SYNTAX at its line. */
sp_status sp_lever_apply_sets(sp_scenario *sc, const char *text, sp_error *err);

#endif /* SP_LEVER_H */
