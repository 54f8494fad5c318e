/*
 * sp_mc: blocks, threads, pilot ranges and the final statistics.
 */
#include "sp_mc.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#include "sp_accum.h"
#include "sp_rng.h"
#include "sp_sobol.h"

_Static_assert(SP_MC_BLOCK == SP_STATE_BLOCK,
               "state files count blocks of SP_MC_BLOCK draws");

#define CHUNK_BLOCKS 64 /* blocks run in parallel between ordered merges */

/* What one thread owns. */
typedef struct {
    gsl_rng *rng;
    /* RQMC only: each randomisation's sequence, scrambled when first used
       (it depends only on the seed and its index) */
    sp_sobol *sobol[SP_MC_REPLICATES];
    bool scrambled[SP_MC_REPLICATES];
    sp_model_ws *ws;
    sp_accum *acc;
    uint64_t *met_count; /* [n_targets] */
    uint64_t *met_rep;   /* [n_targets * SP_MC_REPLICATES], RQMC only */
    uint64_t *met_both;  /* [n_targets] pairs met twice, antithetic only */
    uint64_t *drivers;   /* [n_targets * n_inputs * 4], as in sp_state */
    double *input;       /* [n_rows * batch] the distinct input rows */
    double *met01;       /* [batch] one target's met flags as 1.0 / 0.0 */
} worker;

struct sp_mc {
    const sp_scenario *sc;
    const sp_compiled *c;
    sp_mc_config cfg;
    uint64_t n_blocks;
    size_t n_years;     /* steps + 1 */
    size_t n_q;         /* quantities: indicator-years, then targets */
    worker *workers;    /* [threads] */
    double *block_sums; /* [CHUNK_BLOCKS * n_q] */
    sp_state *state;    /* everything accumulated so far */
    size_t n_inputs;
    double *split; /* [n_targets * n_inputs * 2] lower, upper */
    /* Inputs of several targets that are the same row (the same trend
     * draw; the same innovations or event over the same window) are
     * computed once a batch: row_of[k * n_inputs + j] is the index of
     * target k's input j among the n_rows distinct rows, and row_first
     * [r] the (k * n_inputs + j) of the first that has it. */
    size_t n_rows;
    size_t *row_of, *row_first;
};

bool sp_vr_parse(const char *name, sp_vr *vr)
{
    if (strcmp(name, "none") == 0)
        *vr = SP_VR_NONE;
    else if (strcmp(name, "rqmc") == 0)
        *vr = SP_VR_RQMC;
    else if (strcmp(name, "antithetic") == 0)
        *vr = SP_VR_ANTITHETIC;
    else
        return false;
    return true;
}

/* Seed salt of the randomisations ("rqmc"). */
#define RQMC_SALT UINT64_C(0x72716d63)

/* Starts block k of a run on worker w: seeds its generator, and with RQMC
 * returns the block's randomisation at its first point (NULL without). The
 * scramble of a randomisation is drawn from (seed, index) only, the first
 * time the worker meets it: about 1000 instructions a draw were it drawn
 * again for every block (callgrind, baseline). */
static sp_sobol *start_block(const sp_mc_config *cfg, worker *w, uint64_t k)
{
    sp_sobol *q = NULL;
    if (cfg->vr == SP_VR_RQMC) {
        size_t r = (size_t)(k % SP_MC_REPLICATES);
        q = w->sobol[r];
        if (!w->scrambled[r]) {
            sp_rng_seed_block(w->rng, cfg->seed ^ RQMC_SALT, r);
            sp_sobol_scramble(q, w->rng);
            w->scrambled[r] = true;
        }
        sp_sobol_seek(q, k / SP_MC_REPLICATES * SP_MC_BLOCK);
    }
    sp_rng_seed_block(w->rng, cfg->seed, k);
    return q;
}

static void batch(const sp_model *m, sp_vr vr, gsl_rng *rng, sp_sobol *q,
                  size_t n, sp_model_ws *ws)
{
    if (vr == SP_VR_RQMC)
        sp_model_batch_qmc(m, q, n, ws);
    else if (vr == SP_VR_ANTITHETIC)
        sp_model_batch_antithetic(m, rng, n, ws);
    else
        sp_model_batch(m, rng, n, ws);
}

static uint64_t block_draws(const sp_mc *mc, uint64_t k)
{
    uint64_t first = k * SP_MC_BLOCK;
    uint64_t left = mc->cfg.draws - first;
    return left < SP_MC_BLOCK ? left : SP_MC_BLOCK;
}

/* Calls visit(ctx, q, row) for every quantity's row of the current batch;
 * joint targets have no measure and are skipped. */
static void for_each_row(const sp_mc *mc, const sp_model_ws *ws,
                         void (*visit)(void *, size_t, const double *),
                         void *ctx)
{
    const sp_model *m = &mc->c->model;
    for (size_t i = 0; i < m->n_indicators; i++)
        for (size_t t = 0; t < mc->n_years; t++)
            visit(ctx, sp_q_indicator(mc->n_years, i, t),
                  sp_model_row(ws, i, t));
    for (size_t k = 0; k < m->n_targets; k++)
        if (m->targets[k].n_all == 0)
            visit(ctx, sp_q_target(mc->n_years, m->n_indicators, k),
                  ws->measure + k * ws->capacity);
}

typedef struct {
    sp_accum *acc;
    double *sums;
    size_t n;
} batch_ctx;

static void add_row(void *vctx, size_t q, const double *row)
{
    batch_ctx *ctx = vctx;
    ctx->sums[q] += sp_accum_add_row(ctx->acc, q, row, ctx->n);
}

/* c[0..4) += the draws of x[0..n) at or below lo, those of them that met
 * the target (met01: 1.0 or 0.0), those at or above hi, and those of them
 * that met it. The counts are kept as doubles, exact below 2^53, so that
 * the loop runs two draws a step with SSE2 (about 5 instructions a draw
 * against 27 with byte flags and integer counts; callgrind). */
static void count_split(const double *x, const double *met01, size_t n,
                        double lo, double hi, uint64_t *c)
{
    double k[4] = {0.0, 0.0, 0.0, 0.0};
    size_t d = 0;
#ifdef __SSE2__
    __m128d vlo = _mm_set1_pd(lo), vhi = _mm_set1_pd(hi);
    __m128d one = _mm_set1_pd(1.0), zero = _mm_setzero_pd();
    __m128d n_lo = zero, m_lo = zero, n_hi = zero, m_hi = zero;
    for (; d + 2 <= n; d += 2) {
        __m128d v = _mm_loadu_pd(x + d), mt = _mm_loadu_pd(met01 + d);
        __m128d below = _mm_cmple_pd(v, vlo), above = _mm_cmpge_pd(v, vhi);
        n_lo = _mm_add_pd(n_lo, _mm_and_pd(below, one));
        m_lo = _mm_add_pd(m_lo, _mm_and_pd(below, mt));
        n_hi = _mm_add_pd(n_hi, _mm_and_pd(above, one));
        m_hi = _mm_add_pd(m_hi, _mm_and_pd(above, mt));
    }
    double lanes[2];
    __m128d all[4] = {n_lo, m_lo, n_hi, m_hi};
    for (int q = 0; q < 4; q++) {
        _mm_storeu_pd(lanes, all[q]);
        k[q] = lanes[0] + lanes[1];
    }
#endif
    for (; d < n; d++) {
        double below = x[d] <= lo, above = x[d] >= hi;
        k[0] += below;
        k[1] += below * met01[d];
        k[2] += above;
        k[3] += above * met01[d];
    }
    for (int q = 0; q < 4; q++)
        c[q] += (uint64_t)k[q];
}

/* Counts, for every target and input, the draws of the batch in the
 * lower and upper group of the input and how many of them met it. */
static void count_drivers(const sp_mc *mc, worker *w, size_t n)
{
    const sp_model *m = &mc->c->model;
    size_t ni = mc->n_inputs, cap = w->ws->capacity;
    for (size_t r = 0; r < mc->n_rows; r++)
        sp_model_input_row(m, w->ws, mc->row_first[r] / ni,
                           mc->row_first[r] % ni, n,
                           w->input + r * SP_MC_BATCH);
    for (size_t k = 0; k < m->n_targets; k++) {
        const unsigned char *met = w->ws->met + k * cap;
        for (size_t d = 0; d < n; d++)
            w->met01[d] = met[d];
        for (size_t j = 0; j < ni; j++) {
            const double *split = mc->split + (k * ni + j) * 2;
            count_split(w->input + mc->row_of[k * ni + j] * SP_MC_BATCH,
                        w->met01, n, split[0], split[1],
                        w->drivers + (k * ni + j) * 4);
        }
    }
}

/* Runs block k on worker w; its per-quantity sums go to `sums`. */
static void run_block(sp_mc *mc, worker *w, uint64_t k, double *sums)
{
    const sp_model *m = &mc->c->model;
    memset(sums, 0, mc->n_q * sizeof *sums);
    sp_sobol *q = start_block(&mc->cfg, w, k);
    uint64_t left = block_draws(mc, k);
    size_t rep = (size_t)(k % SP_MC_REPLICATES);
    while (left > 0) {
        size_t n = left < SP_MC_BATCH ? (size_t)left : SP_MC_BATCH;
        batch(m, mc->cfg.vr, w->rng, q, n, w->ws);
        batch_ctx ctx = {w->acc, sums, n};
        for_each_row(mc, w->ws, add_row, &ctx);
        for (size_t t = 0; t < m->n_targets; t++) {
            const unsigned char *met = w->ws->met + t * w->ws->capacity;
            uint64_t c = 0;
            for (size_t d = 0; d < n; d++)
                c += met[d];
            w->met_count[t] += c;
            if (w->met_rep != NULL)
                w->met_rep[t * SP_MC_REPLICATES + rep] += c;
            uint64_t both = 0;
            for (size_t d = 0; w->met_both != NULL && d + 1 < n; d += 2)
                both += met[d] & met[d + 1];
            if (w->met_both != NULL)
                w->met_both[t] += both;
        }
        count_drivers(mc, w, n);
        left -= n;
    }
}

uint64_t sp_mc_blocks(const sp_mc *mc)
{
    return mc->n_blocks;
}

/* Moves the workers' integer tallies into the state and clears them. */
static void fold_workers(sp_mc *mc)
{
    const sp_model *m = &mc->c->model;
    sp_state *st = mc->state;
    for (int t = 0; t < mc->cfg.threads; t++) {
        worker *w = &mc->workers[t];
        sp_accum_merge(st->acc, w->acc);
        sp_accum_clear(w->acc);
        for (size_t k = 0; k < m->n_targets; k++)
            st->met[k] += w->met_count[k];
        memset(w->met_count, 0, m->n_targets * sizeof *w->met_count);
        for (size_t i = 0; w->met_rep && i < m->n_targets * SP_MC_REPLICATES;
             i++) {
            st->met_rep[i] += w->met_rep[i];
            w->met_rep[i] = 0;
        }
        for (size_t k = 0; w->met_both && k < m->n_targets; k++) {
            st->met_both[k] += w->met_both[k];
            w->met_both[k] = 0;
        }
        size_t nd = m->n_targets * mc->n_inputs * 4;
        for (size_t i = 0; i < nd; i++)
            st->drivers[i] += w->drivers[i];
        memset(w->drivers, 0, nd * sizeof *w->drivers);
        for (size_t i = 0; i < m->n_indicators; i++) {
            st->clamps[i] += w->ws->clamps[i];
            st->nonfinite[i] += w->ws->nonfinite[i];
        }
        memset(w->ws->clamps, 0, m->n_indicators * sizeof(uint64_t));
        memset(w->ws->nonfinite, 0, m->n_indicators * sizeof(uint64_t));
    }
}

bool sp_mc_run(sp_mc *mc, uint64_t first, uint64_t last)
{
    if (!sp_state_empty(mc->state) && first != sp_state_end(mc->state))
        return false;
    if (sp_state_empty(mc->state))
        mc->state->first = first;
    for (uint64_t k0 = first; k0 < last; k0 += CHUNK_BLOCKS) {
        uint64_t k1 = k0 + CHUNK_BLOCKS < last ? k0 + CHUNK_BLOCKS : last;
        long long n = (long long)(k1 - k0);
#pragma omp parallel for schedule(dynamic, 1) num_threads(mc->cfg.threads)
        for (long long j = 0; j < n; j++) {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            run_block(mc, &mc->workers[tid], k0 + (uint64_t)j,
                      mc->block_sums + (size_t)j * mc->n_q);
        }
        for (long long j = 0; j < n; j++)
            sp_sumstack_push(&mc->state->sums, k0 + (uint64_t)j, 0,
                             mc->block_sums + (size_t)j * mc->n_q);
    }
    fold_workers(mc);
    return true;
}

sp_status sp_mc_run_partial_last(sp_mc *mc, sp_error *err)
{
    sp_state *st = mc->state;
    uint64_t last = mc->n_blocks - 1;
    if (mc->cfg.draws % SP_MC_BLOCK == 0 ||
        (!sp_state_empty(st) && sp_state_end(st) != last))
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "the state does not end before a partial "
                            "last block");
    if (sp_state_empty(st))
        st->first = last;
    sp_state_free(st->full_blocks);
    st->full_blocks = sp_state_copy(st);
    if (st->full_blocks == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the run state");
    sp_mc_run(mc, last, mc->n_blocks);
    return SP_OK;
}

void sp_mc_set_slice(sp_mc *mc, uint32_t k, uint32_t n)
{
    mc->state->slice = k;
    mc->state->slices = n;
}

void sp_mc_truncate(sp_mc *mc, uint64_t n_blocks)
{
    mc->n_blocks = n_blocks;
    mc->cfg.draws = n_blocks * SP_MC_BLOCK;
    mc->state->n_blocks = n_blocks;
    mc->state->draws = mc->cfg.draws;
}

int sp_mc_default_threads(void)
{
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

const sp_state *sp_mc_state(const sp_mc *mc)
{
    return mc->state;
}

sp_status sp_mc_resume(sp_mc *mc, const sp_state *saved, sp_error *err)
{
    if (!sp_state_empty(mc->state))
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "a run can only be resumed before it starts");
    return sp_state_merge(mc->state, saved, saved->scenario_name, err);
}

/* ---- set-up ------------------------------------------------------------- */

typedef struct {
    double *pilot; /* [n_q * n_pilot] */
    size_t n_pilot;
    size_t offset; /* draws stored so far */
    size_t n;      /* draws in the current batch */
} pilot_ctx;

static void keep_row(void *vctx, size_t q, const double *row)
{
    pilot_ctx *ctx = vctx;
    memcpy(ctx->pilot + q * ctx->n_pilot + ctx->offset, row,
           ctx->n * sizeof *row);
}

/* Runs the first blocks once to fix each quantity's histogram range. The
 * pilot's draws are drawn again by the run itself. */
static sp_status pilot_ranges(sp_mc *mc, double *lo, double *hi, sp_error *err)
{
    uint64_t blocks =
        mc->n_blocks < SP_MC_PILOT_BLOCKS ? mc->n_blocks : SP_MC_PILOT_BLOCKS;
    size_t total = 0;
    for (uint64_t k = 0; k < blocks; k++)
        total += (size_t)block_draws(mc, k);
    pilot_ctx ctx = {calloc(mc->n_q * total, sizeof(double)), total, 0, 0};
    if (ctx.pilot == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the pilot sample");
    worker *w = &mc->workers[0];
    for (uint64_t k = 0; k < blocks; k++) {
        sp_sobol *q = start_block(&mc->cfg, w, k);
        uint64_t left = block_draws(mc, k);
        while (left > 0) {
            ctx.n = left < SP_MC_BATCH ? (size_t)left : SP_MC_BATCH;
            batch(&mc->c->model, mc->cfg.vr, w->rng, q, ctx.n, w->ws);
            for_each_row(mc, w->ws, keep_row, &ctx);
            ctx.offset += ctx.n;
            left -= ctx.n;
        }
    }
    for (size_t q = 0; q < mc->n_q; q++)
        sp_accum_pilot_range(ctx.pilot + q * total, total, &lo[q], &hi[q]);
    free(ctx.pilot);
    /* The pilot's counters are not part of the run. */
    memset(w->ws->clamps, 0, mc->c->model.n_indicators * sizeof(uint64_t));
    memset(w->ws->nonfinite, 0, mc->c->model.n_indicators * sizeof(uint64_t));
    return SP_OK;
}

/* The distinct input rows (see row_of); false when out of memory. */
static bool distinct_rows(sp_mc *mc)
{
    const sp_model *m = &mc->c->model;
    size_t ni = mc->n_inputs, n = m->n_targets * ni;
    mc->row_of = calloc(n + 1, sizeof *mc->row_of);
    mc->row_first = calloc(n + 1, sizeof *mc->row_first);
    if (!mc->row_of || !mc->row_first)
        return false;
    mc->n_rows = 0;
    for (size_t kj = 0; kj < n; kj++) {
        size_t k = kj / ni, j = kj % ni, r = 0;
        int first, last, f2, l2;
        bool on = sp_model_input_window(m, k, j, &first, &last);
        for (; r < mc->n_rows; r++) {
            size_t k2 = mc->row_first[r] / ni, j2 = mc->row_first[r] % ni;
            if (j2 != j)
                continue;
            bool on2 = sp_model_input_window(m, k2, j2, &f2, &l2);
            if (j < m->n_stochastic || (!on && !on2) ||
                (on && on2 && first == f2 && last == l2))
                break;
        }
        if (r == mc->n_rows)
            mc->row_first[mc->n_rows++] = kj;
        mc->row_of[kj] = r;
    }
    return true;
}

static sp_status worker_init(sp_mc *mc, worker *w, sp_error *err)
{
    const sp_model *m = &mc->c->model;
    w->rng = gsl_rng_alloc(mc->cfg.rng);
    w->ws = sp_model_ws_alloc(m, SP_MC_BATCH);
    w->met_count =
        calloc(m->n_targets ? m->n_targets : 1, sizeof *w->met_count);
    w->drivers =
        calloc(m->n_targets * mc->n_inputs * 4 + 1, sizeof *w->drivers);
    w->input =
        calloc((mc->n_rows ? mc->n_rows : 1) * SP_MC_BATCH, sizeof *w->input);
    w->met01 = calloc(SP_MC_BATCH, sizeof *w->met01);
    bool rqmc = mc->cfg.vr == SP_VR_RQMC, rqmc_ok = true;
    if (rqmc) {
        for (size_t r = 0; r < SP_MC_REPLICATES; r++) {
            w->sobol[r] = sp_sobol_alloc(sp_model_n_variates(m));
            rqmc_ok = rqmc_ok && w->sobol[r] != NULL;
        }
        w->met_rep =
            calloc((m->n_targets ? m->n_targets : 1) * SP_MC_REPLICATES,
                   sizeof *w->met_rep);
    }
    bool pairs = mc->cfg.vr == SP_VR_ANTITHETIC;
    if (pairs)
        w->met_both =
            calloc(m->n_targets ? m->n_targets : 1, sizeof *w->met_both);
    if (!w->rng || !w->ws || !w->met_count || !w->drivers || !w->input ||
        !w->met01 || (rqmc && (!rqmc_ok || !w->met_rep)) ||
        (pairs && !w->met_both))
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for a worker thread");
    return SP_OK;
}

static void worker_destroy(worker *w)
{
    gsl_rng_free(w->rng);
    sp_model_ws_free(w->ws);
    sp_accum_free(w->acc);
    free(w->met_count);
    free(w->met_rep);
    free(w->met_both);
    for (size_t r = 0; r < SP_MC_REPLICATES; r++)
        sp_sobol_free(w->sobol[r]);
    free(w->drivers);
    free(w->input);
    free(w->met01);
}

/* The empty state of this run, with its identity. */
static sp_status init_state(sp_mc *mc, const double *lo, const double *hi,
                            sp_error *err)
{
    const sp_model *m = &mc->c->model;
    sp_state *s =
        sp_state_alloc(mc->n_q, m->n_targets, m->n_indicators, mc->n_inputs,
                       mc->cfg.vr == SP_VR_RQMC ? SP_MC_REPLICATES : 0,
                       mc->cfg.vr == SP_VR_ANTITHETIC, lo, hi);
    if (s == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the run state");
    mc->state = s;
    snprintf(s->version, sizeof s->version, "%s", SIMPLAN_VERSION);
    snprintf(s->sha256, sizeof s->sha256, "%s", mc->sc->sha256);
    snprintf(s->rng, sizeof s->rng, "%s", mc->cfg.rng->name);
    s->seed = mc->cfg.seed;
    s->draws = mc->cfg.draws;
    s->n_blocks = mc->n_blocks;
    s->scenario_name = malloc(strlen(mc->sc->file) + 1);
    s->scenario_text = malloc(mc->sc->text_len + 1);
    if (s->scenario_name == NULL || s->scenario_text == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the run state");
    memcpy(s->scenario_name, mc->sc->file, strlen(mc->sc->file) + 1);
    memcpy(s->scenario_text, mc->sc->text, mc->sc->text_len + 1);
    return SP_OK;
}

/* a * b, or SIZE_MAX when it overflows. */
static size_t mul_sat(size_t a, size_t b)
{
    size_t r;
    return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}

static size_t add_sat(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Bytes the statistics of a run need: histograms per thread and in the
 * state, the pilot sample, the block sums and the drivers' counts. */
static size_t memory_needed(size_t n_q, size_t n_targets, size_t n_inputs,
                            int threads)
{
    size_t hist = mul_sat(mul_sat(n_q, SP_ACCUM_BINS + 2), sizeof(uint64_t));
    size_t total = mul_sat(hist, (size_t)threads + 1);
    total = add_sat(
        total, mul_sat(mul_sat(n_q, (size_t)SP_MC_PILOT_BLOCKS * SP_MC_BLOCK),
                       sizeof(double)));
    total = add_sat(total, mul_sat(mul_sat(n_q, CHUNK_BLOCKS + SP_SUMSTACK_MAX),
                                   sizeof(double)));
    return add_sat(total,
                   mul_sat(mul_sat(n_targets, n_inputs),
                           4 * sizeof(uint64_t) * ((size_t)threads + 1)));
}

sp_mc *sp_mc_alloc(const sp_scenario *sc, const sp_compiled *c,
                   const sp_mc_config *cfg, sp_error *err)
{
    size_t n_q = c->model.n_indicators * ((size_t)c->model.n_steps + 1) +
                 c->model.n_targets;
    size_t need = memory_needed(n_q, c->model.n_targets,
                                sp_model_n_inputs(&c->model), cfg->threads);
    if (need > SP_MC_MAX_MEMORY) {
        sp_error_set(err, SP_ERR_LIMIT, sc->file, 0, NULL,
                     "the statistics of %zu quantities (indicators x years "
                     "+ targets) need %.1f GiB with %d threads; the limit is "
                     "%.0f GiB: use fewer indicators, years or --threads",
                     n_q, (double)need / (1u << 30), cfg->threads,
                     (double)SP_MC_MAX_MEMORY / (1u << 30));
        return NULL;
    }
    if (cfg->vr == SP_VR_RQMC) {
        size_t dim = sp_model_n_variates(&c->model);
        uint64_t unit = (uint64_t)SP_MC_REPLICATES * SP_MC_BLOCK;
        if (dim > SP_SOBOL_MAX_DIM) {
            sp_error_set(err, SP_ERR_LIMIT, sc->file, 0, NULL,
                         "a draw of this scenario takes %zu random variates; "
                         "--variance-reduction rqmc has Sobol' points of at "
                         "most %d dimensions",
                         dim, SP_SOBOL_MAX_DIM);
            return NULL;
        }
        if (cfg->draws % unit != 0 ||
            cfg->draws / unit > (UINT64_C(1) << 32) / SP_MC_BLOCK - 1) {
            sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--draws",
                         "--variance-reduction rqmc needs a multiple of "
                         "%llu draws (%d randomisations of whole blocks), at "
                         "most 2^32 per randomisation; %llu is not: %llu "
                         "or %llu would do",
                         (unsigned long long)unit, SP_MC_REPLICATES,
                         (unsigned long long)cfg->draws,
                         (unsigned long long)(cfg->draws < unit
                                                  ? unit
                                                  : cfg->draws / unit * unit),
                         (unsigned long long)((cfg->draws / unit + 1) * unit));
            return NULL;
        }
    }
    if (cfg->vr == SP_VR_ANTITHETIC && cfg->draws % 2 != 0) {
        sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--draws",
                     "--variance-reduction antithetic draws pairs: %llu "
                     "draws is odd",
                     (unsigned long long)cfg->draws);
        return NULL;
    }
    sp_mc *mc = calloc(1, sizeof *mc);
    if (mc == NULL) {
        sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        return NULL;
    }
    mc->sc = sc;
    mc->c = c;
    mc->cfg = *cfg;
    mc->n_blocks = (cfg->draws + SP_MC_BLOCK - 1) / SP_MC_BLOCK;
    mc->n_years = (size_t)c->model.n_steps + 1;
    mc->n_q = c->model.n_indicators * mc->n_years + c->model.n_targets;
    mc->workers = calloc((size_t)cfg->threads, sizeof *mc->workers);
    mc->n_inputs = sp_model_n_inputs(&c->model);
    mc->split =
        calloc(c->model.n_targets * mc->n_inputs * 2 + 1, sizeof *mc->split);
    for (size_t k = 0; mc->split && k < c->model.n_targets; k++)
        for (size_t j = 0; j < mc->n_inputs; j++)
            sp_model_input_split(&c->model, k, j,
                                 &mc->split[(k * mc->n_inputs + j) * 2],
                                 &mc->split[(k * mc->n_inputs + j) * 2 + 1]);
    bool rows = distinct_rows(mc);
    mc->block_sums = calloc(CHUNK_BLOCKS * mc->n_q, sizeof *mc->block_sums);
    double *lo = calloc(mc->n_q, sizeof *lo);
    double *hi = calloc(mc->n_q, sizeof *hi);
    sp_status st = SP_OK;
    if (!mc->workers || !mc->block_sums || !lo || !hi || !mc->split || !rows)
        st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                          "out of memory for the accumulators");
    for (int t = 0; t < cfg->threads && st == SP_OK; t++)
        st = worker_init(mc, &mc->workers[t], err);
    if (st == SP_OK)
        st = pilot_ranges(mc, lo, hi, err);
    for (int t = 0; t < cfg->threads && st == SP_OK; t++) {
        mc->workers[t].acc = sp_accum_alloc(mc->n_q, lo, hi);
        if (mc->workers[t].acc == NULL)
            st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                              "out of memory for the quantile histograms "
                              "(%zu quantities x %d threads)",
                              mc->n_q, cfg->threads);
    }
    if (st == SP_OK)
        st = init_state(mc, lo, hi, err);
    free(lo);
    free(hi);
    if (st != SP_OK) {
        sp_mc_free(mc);
        return NULL;
    }
    return mc;
}

void sp_mc_free(sp_mc *mc)
{
    if (mc == NULL)
        return;
    for (int t = 0; mc->workers && t < mc->cfg.threads; t++)
        worker_destroy(&mc->workers[t]);
    free(mc->workers);
    free(mc->block_sums);
    free(mc->split);
    free(mc->row_of);
    free(mc->row_first);
    sp_state_free(mc->state);
    free(mc);
}

sp_state *sp_mc_take_state(sp_mc *mc)
{
    sp_state *s = mc->state;
    mc->state = NULL;
    return s;
}

sp_status sp_mc_result(sp_mc *mc, sp_result *res, sp_error *err)
{
    return sp_state_result(mc->state, mc->sc, mc->c, res, err);
}

sp_status sp_mc_replay(const sp_model *m, uint64_t seed,
                       const gsl_rng_type *type, size_t n, sp_mc_batch_fn fn,
                       void *ctx, sp_error *err)
{
    gsl_rng *rng = gsl_rng_alloc(type);
    sp_model_ws *ws = sp_model_ws_alloc(m, SP_MC_BATCH);
    if (rng == NULL || ws == NULL) {
        gsl_rng_free(rng);
        sp_model_ws_free(ws);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for replaying the run's draws");
    }
    for (size_t k0 = 0; k0 * SP_MC_BLOCK < n; k0++) {
        sp_rng_seed_block(rng, seed, k0);
        size_t first = k0 * SP_MC_BLOCK;
        size_t block = n - first < SP_MC_BLOCK ? n - first : SP_MC_BLOCK;
        for (size_t off = 0; off < block; off += SP_MC_BATCH) {
            size_t b = block - off < SP_MC_BATCH ? block - off : SP_MC_BATCH;
            sp_model_batch(m, rng, b, ws);
            fn(ws, first + off, b, ctx);
        }
    }
    gsl_rng_free(rng);
    sp_model_ws_free(ws);
    return SP_OK;
}

void sp_mc_count_met(const sp_model_ws *ws, size_t n_targets, size_t b,
                     uint64_t *met)
{
    for (size_t k = 0; k < n_targets; k++) {
        const unsigned char *m = ws->met + k * ws->capacity;
        uint64_t c = 0;
        for (size_t d = 0; d < b; d++)
            c += m[d];
        met[k] += c;
    }
}
