/*
 * sp_discover: inputs of a deterministic subsample, and PRIM boxes.
 */
#include "sp_discover.h"

#include <stdlib.h>
#include <string.h>

#include "sp_prim.h"

/* The inputs and misses of the targets flagged in `want`, gathered by
 * sp_mc_replay's batch function. */
typedef struct {
    const sp_model *m;
    const bool *want;
    size_t ni;
    float **x;
    unsigned char **y;
    double *row; /* [SP_MC_BATCH] */
} sample;

static void gather(const sp_model_ws *ws, size_t first, size_t b, void *ctx)
{
    sample *s = ctx;
    for (size_t k = 0; k < s->m->n_targets; k++) {
        if (!s->want[k])
            continue;
        for (size_t j = 0; j < s->ni; j++) {
            sp_model_input_row(s->m, ws, k, j, b, s->row);
            for (size_t d = 0; d < b; d++)
                s->x[k][(first + d) * s->ni + j] = (float)s->row[d];
        }
        for (size_t d = 0; d < b; d++)
            s->y[k][first + d] = !ws->met[k * ws->capacity + d];
    }
}

/* Inputs (x, row-major n x n_inputs per target) and misses (y) of the first
 * n draws, for the targets flagged in `want`. */
static sp_status sample_inputs(const sp_compiled *c, uint64_t seed,
                               const gsl_rng_type *type, size_t n,
                               const bool *want, float **x, unsigned char **y,
                               sp_error *err)
{
    const sp_model *m = &c->model;
    double *row = malloc(SP_MC_BATCH * sizeof *row);
    if (row == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for scenario discovery");
    sample s = {m, want, sp_model_n_inputs(m), x, y, row};
    sp_status st = sp_mc_replay(m, seed, type, n, gather, &s, err);
    free(row);
    return st;
}

sp_status sp_discover(const sp_scenario *sc, const sp_compiled *c,
                      uint64_t seed, const gsl_rng_type *rng, uint64_t draws,
                      sp_result *res, sp_error *err)
{
    (void)sc;
    const sp_model *m = &c->model;
    size_t nt = m->n_targets, ni = sp_model_n_inputs(m);
    size_t n =
        draws < SP_DISCOVER_MAX_DRAWS ? (size_t)draws : SP_DISCOVER_MAX_DRAWS;
    /* The sample is simulated once; inputs are kept in single precision
     * (ample for box bounds) and widened for one target at a time, so
     * memory stays near 4 bytes per draw, input and target. */
    bool *want = calloc(nt ? nt : 1, sizeof *want);
    float **x = calloc(nt ? nt : 1, sizeof *x);
    unsigned char **y = calloc(nt ? nt : 1, sizeof *y);
    double *xd = malloc((n ? n : 1) * (ni ? ni : 1) * sizeof *xd);
    sp_status st = want && x && y && xd ? SP_OK : SP_ERR_NOMEM;
    bool any = false;
    for (size_t k = 0; st == SP_OK && k < nt; k++) {
        double p = res->targets[k].probability;
        want[k] = p > SP_DISCOVER_P_MIN && p < SP_DISCOVER_P_MAX && ni > 0;
        if (!want[k])
            continue;
        any = true;
        x[k] = malloc((n ? n : 1) * ni * sizeof **x);
        y[k] = malloc(n ? n : 1);
        if (x[k] == NULL || y[k] == NULL)
            st = SP_ERR_NOMEM;
    }
    if (st == SP_ERR_NOMEM)
        sp_error_set(err, st, NULL, 0, NULL,
                     "out of memory for scenario discovery");
    if (st == SP_OK && any)
        st = sample_inputs(c, seed, rng, n, want, x, y, err);
    for (size_t k = 0; st == SP_OK && k < nt; k++) {
        if (!want[k])
            continue;
        for (size_t i = 0; i < n * ni; i++)
            xd[i] = (double)x[k][i];
        free(x[k]);
        x[k] = NULL;
        sp_target_result *tr = &res->targets[k];
        st = sp_prim_find(xd, y[k], n, ni, SP_PRIM_ALPHA, SP_PRIM_MIN_SUPPORT,
                          SP_PRIM_MIN_COVERAGE, &tr->box, err);
        tr->has_box = st == SP_OK;
        tr->box_draws = n;
    }
    for (size_t k = 0; k < nt && x && y; k++) {
        free(x[k]);
        free(y[k]);
    }
    free(want);
    free(x);
    free(y);
    free(xd);
    return st;
}
