/*
 * sp_model: the compiled scenario model and one Monte Carlo draw of it.
 *
 * A model holds the indicators with their per-year path parameters, the
 * compiled formulas of derived indicators, the Cholesky factor of the
 * copula correlation, the events and the targets, all resolved to indices
 * (src/input/sp_compile builds it). The model is read-only during a run and
 * shared by all threads; each thread owns an sp_model_ws workspace and a
 * generator it hands to sp_model_batch(). The model never allocates, seeds
 * or owns a generator.
 *
 * Draws are simulated in batches. Within a batch the values are stored by
 * column: the row of indicator i in step t holds that value for every draw
 * of the batch, so formulas run as vector operations and statistics are
 * gathered one quantity at a time.
 *
 * Time is counted in steps: step 0 is the base year, steps 1..n_steps the
 * projected years. Per draw and step t (doc/model.md §3, §4, §5):
 *   r_i[t] = mean_i[t] + u_i + e_i[t] + sum of event effects on i in t
 *   u_i    = trend_sd_i * w_i                 (w = L zeta, once per draw)
 *   e_i[t] = ar1_i e_i[t-1] + sd_i[t] eps_i[t], eps_i = F_i^-1(Phi(z_i)),
 *            z = L zeta (fresh zeta each step), e_i[0] = 0
 *   rate:  X[t] = X[t-1] (1 + max(r, -0.99))
 *   share: S[t] = min(1, max(0, S[t-1] + r))
 *   derived indicators are evaluated in dependency order from the same
 *   step's values (sp_expr programs, run over the whole batch).
 * With observed years (doc/model.md §6) the trend draws and the
 * innovations of steps 1..T (after the copula transform) of every draw are
 * corrected jointly, z += K (y - H z), before the steps are simulated, and
 * observed steps take their data. Without them nothing changes.
 * Variates are drawn in this fixed order, draw after draw: n_s trend
 * normals; then per step n_s innovation normals followed, for each event
 * active in the step, by one uniform and, if it occurs, one normal per
 * effect. Drawing is sequential; the arithmetic that follows runs over all
 * draws of the batch at once, so its loops vectorise.
 */
#ifndef SP_MODEL_H
#define SP_MODEL_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sp_expr.h"
#include "sp_marginal.h"
#include "sp_measure.h"
#include "sp_range.h"
#include "sp_sobol.h"
#include "sp_status.h"

typedef enum { SP_KIND_RATE, SP_KIND_SHARE, SP_KIND_DERIVED } sp_kind;

/* The kinds' descriptor table, read by the loader (names, the "allowed:"
 * list, which keys an indicator has, the range of its base and observed
 * values). */
typedef struct {
    sp_kind kind;
    const char *name; /* as written: "rate" */
    bool stochastic;  /* has base, path, trend_sd, ar1, dist and may be
                           observed and named by events and correlations */
    sp_range level;   /* allowed base and observed values */
} sp_kind_info;

/* Number of kinds; enum values are 0 .. count - 1. */
size_t sp_kind_count(void);
const sp_kind_info *sp_kind_info_of(sp_kind kind);

/* "rate", "share", "derived"; parse returns false if unknown. */
const char *sp_kind_name(sp_kind kind);
bool sp_kind_parse(const char *name, sp_kind *kind);

/* Lower bound on a rate's annual change: r[t] below it is clamped. */
#define SP_RATE_FLOOR (-0.99)

typedef struct {
    sp_kind kind;         /* rate, share or derived */
    double base;          /* base-year value (derived: from its formula) */
    double *mean;         /* [n_steps] path mean of projected step t at t-1 */
    double *sd;           /* [n_steps] innovation scale, same indexing */
    double trend_sd;      /* sd of the once-per-draw trend shift u */
    bool logit;           /* share moved on the logit scale:
                             S[t] = 1 / (1 + exp(-(logit S[t-1] + r))) */
    double ar1;           /* AR(1) coefficient of e, in (-1, 1) */
    sp_marginal marginal; /* family of eps */
    sp_marginal_table *table; /* copula transform of a non-normal family,
                                 NULL: normal, or the exact transform */
    sp_expr formula;          /* derived only: compiled formula */
    /* Observed years (on-track mode): step t (1 <= t <= last_obs) is fixed
     * to obs[t-1] when that is not NaN; n_obs steps are observed. The
     * trend and innovations of every stochastic indicator are drawn from
     * their distribution given all observations of the model (m->cond,
     * sp_model_condition); obs_mu and obs_sigma are then the conditional
     * mean and sd of this indicator's trend shift u. Events are not
     * applied in steps 1..last_obs. */
    int n_obs;
    int last_obs;
    double *obs; /* [last_obs] observed levels, NaN where not observed */
    double obs_mu, obs_sigma;
} sp_indicator;

typedef struct {
    size_t slot; /* stochastic indicator hit, index into stochastic */
    double mean; /* mean added to r[t] when the event occurs */
    double sd;   /* sd of the added amount */
} sp_effect;

typedef struct {
    double probability; /* chance of occurring in each active step */
    int first_step;     /* first and last active steps, 1..n_steps */
    int last_step;
    size_t n_effects;
    sp_effect *effects;
} sp_event;

typedef struct {
    size_t n_all;            /* > 0: joint target over the targets in `all` */
    size_t *all;             /* indices of simple targets (joint only) */
    sp_measure_kind measure; /* simple targets: the measure, */
    size_t indicator;        /* of this indicator, */
    int from_step;           /* between these steps (level: to_step only), */
    int to_step;
    sp_op op; /* compared by op with value or [lo, hi] */
    double value;
    double lo;
    double hi;
} sp_target;

/* The observations of a model as linear constraints on its latent
 * Gaussian vector z (doc/model.md §6.2): z = (w_s for every stochastic
 * slot s; eps_{s,t} for steps t = 1..n_steps and every slot), latent index
 * s for w_s and n_s * t + s for eps_{s,t}. Each observation is a row of H
 * with data y; every conditioned draw corrects its prior z by
 * z += K (y - H z), K = Sigma H' (H Sigma H' + ridge I)^-1. */
typedef struct {
    int n_steps;     /* T: the last observed step of any indicator */
    size_t n_latent; /* n_s * (T + 1) */
    size_t n_rows;   /* observations */
    double *h;       /* [n_rows * n_latent] H, row-major */
    double *gain;    /* [n_latent * n_rows] K, row-major */
    double *y;       /* [n_rows] data of each row */
    double *corr;    /* [n_s * n_s] the correlation R = L L' */
    size_t n_active; /* latent components touched by H or K */
    size_t *active;  /* [n_active] their indices, increasing */
    double ridge;    /* the ridge added to H Sigma H' */
} sp_condition;

typedef struct {
    int base_year; /* calendar year of step 0 */
    int n_steps;   /* projected years, horizon - base_year */
    size_t n_indicators;
    sp_indicator *indicators; /* [n_indicators] */
    size_t n_stochastic;
    size_t *stochastic; /* [n_stochastic] indices of rate/share */
    double *chol;       /* [n_s*n_s] lower Cholesky factor, row-major;
                                  NULL when all correlations are 0 */
    size_t n_derived;
    size_t *derived_order; /* [n_derived] evaluation order */
    size_t n_events;
    sp_event *events; /* [n_events] */
    size_t n_targets;
    sp_target *targets; /* [n_targets] */
    sp_condition *cond; /* NULL: nothing observed */
} sp_model;

/* Frees everything a model owns (arrays allocated with malloc, compiled
 * formulas) and zeroes it. Safe on a zeroed model. */
void sp_model_destroy(sp_model *m);

/* Builds the copula transform tables of the non-normal stochastic
 * indicators. SP_ERR_NOMEM if allocation fails. A family whose table
 * cannot reach SP_TABLE_TOL keeps the exact transform. */
sp_status sp_model_build_tables(sp_model *m, sp_error *err);

/* Records the observed levels of indicator `ind`: obs[t-1] for steps
 * t = 1..n, NaN for a step that is not observed (copied). Call it for
 * every observed indicator, then sp_model_condition. */
sp_status sp_model_observe(sp_model *m, size_t ind, const double *obs, int n,
                           sp_error *err);

/* Builds m->cond from the recorded observations, once the correlation is
 * set (doc/model.md §6.2): the rows of H and their data, K, and for every
 * stochastic indicator obs_mu and obs_sigma. Conditioning is joint: an
 * observation moves the trends and innovations of every indicator
 * correlated with the observed one. It is exact for normal innovations
 * whose observed levels are linear in z (shares, and rates observed in
 * consecutive years); a rate observed after a gap is linearised around its
 * path mean. No-op when nothing is observed. SP_ERR_NOMEM, or
 * SP_ERR_NUMERIC if H Sigma H' cannot be factored. */
sp_status sp_model_condition(sp_model *m, sp_error *err);

/* The mean and sd, given every observation, of the driver deviation
 * r[t] - mean[t] = u + e[t] of stochastic slot s in step t (1 <= t <= T,
 * events aside), or of its trend shift u for t = 0, under the Gaussian
 * prior of z. False if the model is not conditioned or t is beyond T. */
bool sp_model_conditional_moments(const sp_model *m, size_t s, int t,
                                  double *mean, double *sd);

/* Sets m->chol from the n_s x n_s correlation matrix `corr` (row-major, in
 * the order of m->stochastic). Leaves chol NULL if corr is the identity.
 * Fails with SP_ERR_CORRELATION if the matrix is not positive definite and
 * SP_ERR_NOMEM if allocation fails. */
sp_status sp_model_set_correlation(sp_model *m, const double *corr,
                                   sp_error *err);

/* Per-thread workspace for batches of up to `capacity` draws. The values,
 * measures, met flags and counters are the output; the rest is scratch.
 * Scratch vectors hold one entry per draw of the batch. */
typedef struct {
    size_t capacity;     /* draws per batch */
    size_t n_years;      /* n_steps + 1 */
    double *values;      /* [n_indicators * n_years * capacity]; see
                             sp_model_row() */
    double *measure;     /* [n_targets * capacity]; NaN for joint targets */
    unsigned char *met;  /* [n_targets * capacity], 0 or 1 */
    uint64_t *clamps;    /* [n_indicators] clamped rate/share steps, summed */
    uint64_t *nonfinite; /* [n_indicators] non-finite derived values, summed */
    double *normals;     /* [n_years * n_s * capacity] iid normals: step 0
                             the trend draws, step t the innovations */
    double *shocks;      /* [n_steps * n_s * capacity] summed event effects
                             (NULL without events) */
    double *trend;       /* [n_s * capacity] u */
    double *ar;          /* [n_s * capacity] e[t-1] */
    double *rate;        /* [capacity] r[t] of one indicator */
    double *sum;         /* [capacity] scratch of the Cholesky product */
    double *eps;         /* [capacity] innovations of one indicator */
    double *latent;      /* [n_latent * capacity] conditioned z (NULL when
                             nothing is observed) */
    double *resid;       /* [n_rows * capacity] y - H z (same) */
    unsigned char *occurs; /* [n_events * n_steps * capacity] 1 if the event
                             occurred in that step of that draw */
    double **out;          /* [n_s] row (slot, step 0) of each stochastic
                             indicator; step t is out[s] + t * capacity */
    double *stack;         /* [max formula depth * capacity] */
    const double **vars;   /* [n_indicators] rows bound for a formula */
    double *pair; /* [sp_model_n_variates] variates of an antithetic pair's
                     first draw */
} sp_model_ws;

/* Allocates a workspace; NULL when out of memory. */
sp_model_ws *sp_model_ws_alloc(const sp_model *m, size_t capacity);
void sp_model_ws_free(sp_model_ws *ws);

/* The row of indicator i at step t: one value per draw of the batch. */
static inline double *sp_model_row(const sp_model_ws *ws, size_t i, size_t t)
{
    return ws->values + (i * ws->n_years + t) * ws->capacity;
}

/* Simulates n <= capacity draws, in order, from `rng`: fills the rows of
 * every indicator and step, the target measures and met flags, and adds to
 * the clamp and non-finite counters. Allocates nothing. */
void sp_model_batch(const sp_model *m, gsl_rng *rng, size_t n, sp_model_ws *ws);

/* Variates a draw takes from a point of a quasi-random sequence: one
 * coordinate per variate, in the order of doc/model.md §4.4, with every
 * event's effects given their coordinates whether or not the event
 * occurs (so that each variate keeps its coordinate in every draw). */
size_t sp_model_n_variates(const sp_model *m);

/* sp_model_batch with the variates of draw d taken from point d of q
 * (n points from q's current one, which it leaves after them): a
 * uniform coordinate u as the event's U, Phi^-1(u) as a normal. q must
 * have sp_model_n_variates(m) dimensions. */
void sp_model_batch_qmc(const sp_model *m, sp_sobol *q, size_t n,
                        sp_model_ws *ws);

/* sp_model_batch with antithetic pairs: draws 2j and 2j + 1 (n even) take
 * the variates of the fixed layout of sp_model_n_variates, draw 2j from
 * rng (normals by gsl_ran_gaussian_ziggurat, uniforms by
 * gsl_rng_uniform, in that order) and draw 2j + 1 their mirror: -z for
 * each normal, 1 - U for each uniform. */
void sp_model_batch_antithetic(const sp_model *m, gsl_rng *rng, size_t n,
                               sp_model_ws *ws);

/* ---- Inputs of a draw, for drivers and scenario discovery ---------------
 *
 * The uncertain inputs of a draw, seen from target k: for each stochastic
 * indicator (in m->stochastic order) its trend draw z (a standard normal),
 * then for each its mean innovation normal over the target's window (the
 * steps after `from` up to `to`; for a level target, all steps up to the
 * year; for a joint target, the union of its members' windows) without the
 * indicator's observed steps, a normal with variance 1 / (steps averaged);
 * then for each event the number of steps of the window in which it
 * occurred and could act (sp_model_input_window). Inputs are on the normal
 * scale before the copula transform, so their distributions are known
 * exactly whatever the marginal families. */
size_t sp_model_n_inputs(const sp_model *m);

/* The window of target k: steps first..last (1-based, inclusive). */
void sp_model_target_window(const sp_model *m, size_t k, int *first, int *last);

/* The steps of target k's window on which input j acts, first..last: for
 * a trend draw the target's window; for an indicator's innovations the
 * window's projected steps of that indicator (its observed steps are data:
 * their innovations are drawn but never used); for an event the window's
 * steps in which it is active and hits at least one projected indicator
 * (events are not applied to observed steps). Returns false when no step
 * is left: the input is then the constant 0 and cannot move the target.
 * Without observed years this is the target's window (for an event, its
 * part in the event's years). */
bool sp_model_input_window(const sp_model *m, size_t k, size_t j, int *first,
                           int *last);

/* Input j of target k for draws 0..n-1 of the batch into out[0..n): the
 * trend draw, the mean innovation normal over sp_model_input_window, or
 * the event's occurrences in it (0 for every draw when it is empty). */
void sp_model_input_row(const sp_model *m, const sp_model_ws *ws, size_t k,
                        size_t j, size_t n, double *out);

/* The split of input j of target k into a lower and an upper group: the
 * lower third (x <= *lo) and upper third (x >= *hi) of its distribution
 * for the normal inputs; for event counts, no occurrence (x <= 0) against
 * at least one (x >= 1). An input with an empty window gets
 * -HUGE_VAL and HUGE_VAL: no draw falls in either group. */
void sp_model_input_split(const sp_model *m, size_t k, size_t j, double *lo,
                          double *hi);

#endif /* SP_MODEL_H */
