/*
 * sp_state: merge and (de)serialisation of run states.
 *
 * The reader trusts nothing but the checksum's proof that the bytes are
 * the ones written: every count, size, index and range is checked in the
 * type it is used in, and every array's size against the bytes left in
 * the file before anything is allocated, so a crafted file (checksum
 * recomputed) is refused with the name of the field, never overruns a
 * buffer, and never asks for more memory than the file's own size.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_state.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sp_digest.h"
#include "sp_measure.h"
#include "sp_rng.h"
#include "sp_scenario.h"

static const char magic[12] = {'S', 'I', 'M', 'P', 'L', 'A',
                               'N', 'S', 'T', 'A', 'T', 'E'};
static const uint32_t byte_order = 0x01020304u;

sp_state *sp_state_alloc(size_t n_q, size_t n_targets, size_t n_indicators,
                         size_t n_inputs, uint32_t replicates, uint32_t pairs,
                         const double *lo, const double *hi)
{
    if (n_inputs != 0 && n_targets > SIZE_MAX / 32 / n_inputs)
        return NULL; /* drivers[n_targets * n_inputs * 4] overflows */
    sp_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->n_q = n_q;
    s->n_targets = n_targets;
    s->n_indicators = n_indicators;
    s->n_inputs = n_inputs;
    s->slice = s->slices = 1;
    s->lo = malloc((n_q ? n_q : 1) * sizeof *s->lo);
    s->hi = malloc((n_q ? n_q : 1) * sizeof *s->hi);
    s->acc = s->lo && s->hi ? sp_accum_alloc(n_q, lo, hi) : NULL;
    s->met = calloc(n_targets ? n_targets : 1, sizeof *s->met);
    s->replicates = replicates;
    if (replicates > 0)
        s->met_rep = calloc((n_targets ? n_targets : 1) * replicates,
                            sizeof *s->met_rep);
    s->pairs = pairs;
    if (pairs)
        s->met_both = calloc(n_targets ? n_targets : 1, sizeof *s->met_both);
    s->clamps = calloc(n_indicators ? n_indicators : 1, sizeof *s->clamps);
    s->nonfinite =
        calloc(n_indicators ? n_indicators : 1, sizeof *s->nonfinite);
    s->drivers = calloc(n_targets * n_inputs * 4 + 1, sizeof *s->drivers);
    bool ok = sp_sumstack_init(&s->sums, n_q);
    if (!ok || !s->acc || !s->met || !s->clamps || !s->nonfinite ||
        !s->drivers || (replicates > 0 && !s->met_rep) ||
        (pairs && !s->met_both)) {
        sp_state_free(s);
        return NULL;
    }
    memcpy(s->lo, lo, n_q * sizeof *lo);
    memcpy(s->hi, hi, n_q * sizeof *hi);
    return s;
}

void sp_state_free(sp_state *s)
{
    if (s == NULL)
        return;
    free(s->scenario_name);
    free(s->scenario_text);
    free(s->lo);
    free(s->hi);
    sp_accum_free(s->acc);
    free(s->met);
    free(s->met_rep);
    free(s->met_both);
    free(s->clamps);
    free(s->nonfinite);
    free(s->drivers);
    sp_sumstack_destroy(&s->sums);
    sp_state_free(s->full_blocks);
    free(s);
}

uint64_t sp_state_end(const sp_state *s)
{
    return s->sums.depth ? sp_sumstack_end(&s->sums) : s->first;
}

bool sp_state_empty(const sp_state *s)
{
    return s->sums.depth == 0;
}

uint64_t sp_state_block_draws(uint64_t draws, uint64_t first, uint64_t last)
{
    uint64_t a =
        first > draws / SP_STATE_BLOCK ? draws : first * SP_STATE_BLOCK;
    uint64_t b = last > draws / SP_STATE_BLOCK ? draws : last * SP_STATE_BLOCK;
    return b > a ? b - a : 0;
}

void sp_state_interval(const sp_state *s, size_t k, uint64_t n, double *lo,
                       double *hi)
{
    if (s->replicates > 0)
        sp_replicate_interval(s->met_rep + k * s->replicates, s->replicates,
                              n / s->replicates, lo, hi);
    else if (s->pairs)
        sp_pair_interval(s->met[k], s->met_both[k], n, lo, hi);
    else
        sp_wilson_interval(s->met[k], n, SP_Z95, lo, hi);
}

bool sp_state_ends_partial(const sp_state *s)
{
    return s->draws % SP_STATE_BLOCK != 0 && !sp_state_empty(s) &&
           sp_state_end(s) == s->n_blocks;
}

bool sp_state_same_run(const sp_state *a, const sp_state *b, char *why,
                       size_t size)
{
    const char *field = NULL;
    if (strcmp(a->version, b->version) != 0)
        field = "simplan version";
    else if (strcmp(a->sha256, b->sha256) != 0)
        field = "scenario (SHA-256)";
    else if (a->seed != b->seed)
        field = "seed";
    else if (a->draws != b->draws)
        field = "number of draws";
    else if (strcmp(a->rng, b->rng) != 0)
        field = "generator";
    else if (a->replicates != b->replicates || a->pairs != b->pairs)
        field = "variance reduction";
    else if (a->slices != b->slices)
        field = "number of slices";
    else if (a->n_q != b->n_q || a->n_targets != b->n_targets ||
             a->n_indicators != b->n_indicators || a->n_inputs != b->n_inputs ||
             memcmp(a->lo, b->lo, a->n_q * sizeof *a->lo) != 0 ||
             memcmp(a->hi, b->hi, a->n_q * sizeof *a->hi) != 0)
        field = "histogram ranges";
    if (field != NULL)
        snprintf(why, size, "%s differs", field);
    return field == NULL;
}

sp_status sp_state_merge(sp_state *into, const sp_state *from,
                         const char *from_name, sp_error *err)
{
    char why[100];
    if (!sp_state_same_run(into, from, why, sizeof why))
        return sp_error_set(err, SP_ERR_USAGE, from_name, 0, NULL,
                            "belongs to another run: %s", why);
    if (sp_state_empty(from))
        return SP_OK;
    if (sp_state_empty(into))
        into->first = from->first;
    else if (from->first != sp_state_end(into))
        return sp_error_set(err, SP_ERR_USAGE, from_name, 0, NULL,
                            "covers blocks %llu.. but the blocks before it "
                            "end at %llu: a slice is missing or repeated",
                            (unsigned long long)from->first,
                            (unsigned long long)sp_state_end(into));
    if (!sp_sumstack_append(&into->sums, &from->sums))
        return sp_error_set(err, SP_ERR_USAGE, from_name, 0, NULL,
                            "its block sums do not continue the others");
    sp_accum_merge(into->acc, from->acc);
    for (size_t k = 0; k < into->n_targets; k++)
        into->met[k] += from->met[k];
    for (size_t i = 0; i < into->n_targets * into->replicates; i++)
        into->met_rep[i] += from->met_rep[i];
    for (size_t k = 0; into->pairs && k < into->n_targets; k++)
        into->met_both[k] += from->met_both[k];
    for (size_t i = 0; i < into->n_indicators; i++) {
        into->clamps[i] += from->clamps[i];
        into->nonfinite[i] += from->nonfinite[i];
    }
    for (size_t i = 0; i < into->n_targets * into->n_inputs * 4; i++)
        into->drivers[i] += from->drivers[i];
    return SP_OK;
}

void sp_state_slice_range(uint64_t n_blocks, uint32_t k, uint32_t n,
                          uint64_t *first, uint64_t *last)
{
    *first = n_blocks * (k - 1) / n;
    *last = n_blocks * k / n;
}

/* Checks that parts[i] is a complete slice of the same run as parts[0]
 * and not seen before; records it in by_slice. */
static sp_status check_slice(sp_state *const *parts, const char *const *names,
                             size_t i, size_t *by_slice, sp_error *err)
{
    const sp_state *p = parts[i];
    char why[100];
    if (!sp_state_same_run(parts[0], p, why, sizeof why))
        return sp_error_set(err, SP_ERR_USAGE, names[i], 0, NULL,
                            "does not belong to the same run as %s: %s",
                            names[0], why);
    size_t k = p->slice - 1;
    if (by_slice[k] != SIZE_MAX)
        return sp_error_set(err, SP_ERR_USAGE, names[i], 0, NULL,
                            "slice %u/%u is given twice (also %s)", p->slice,
                            p->slices, names[by_slice[k]]);
    uint64_t first, last;
    sp_state_slice_range(p->n_blocks, p->slice, p->slices, &first, &last);
    bool complete = (first == last && sp_state_empty(p)) ||
                    (p->first == first && sp_state_end(p) == last);
    if (!complete)
        return sp_error_set(err, SP_ERR_USAGE, names[i], 0, NULL,
                            "slice %u/%u is incomplete: it covers blocks "
                            "%llu..%llu of %llu..%llu (resume it first)",
                            p->slice, p->slices, (unsigned long long)p->first,
                            (unsigned long long)sp_state_end(p),
                            (unsigned long long)first,
                            (unsigned long long)last);
    by_slice[k] = i;
    return SP_OK;
}

/* A copy of a state's identity with nothing accumulated. */
static sp_state *empty_like(const sp_state *p)
{
    sp_state *s =
        sp_state_alloc(p->n_q, p->n_targets, p->n_indicators, p->n_inputs,
                       p->replicates, p->pairs, p->lo, p->hi);
    if (s == NULL)
        return NULL;
    memcpy(s->version, p->version, sizeof s->version);
    memcpy(s->sha256, p->sha256, sizeof s->sha256);
    memcpy(s->rng, p->rng, sizeof s->rng);
    s->seed = p->seed;
    s->draws = p->draws;
    s->n_blocks = p->n_blocks;
    s->slice = p->slice;
    s->slices = p->slices;
    s->first = p->first;
    s->scenario_name = strdup(p->scenario_name);
    s->scenario_text = strdup(p->scenario_text);
    if (s->scenario_name == NULL || s->scenario_text == NULL) {
        sp_state_free(s);
        return NULL;
    }
    return s;
}

sp_state *sp_state_copy(const sp_state *s)
{
    sp_state *c = empty_like(s);
    sp_error ignored;
    if (c == NULL || sp_state_merge(c, s, "", &ignored) != SP_OK) {
        sp_state_free(c);
        return NULL;
    }
    if (s->full_blocks &&
        (c->full_blocks = sp_state_copy(s->full_blocks)) == NULL) {
        sp_state_free(c);
        return NULL;
    }
    return c;
}

/* The full blocks of the merged run when its last slice kept its own:
 * slices 1..N-1, then the last slice's full blocks. */
static sp_status merge_full_blocks(sp_state *const *parts,
                                   const char *const *names,
                                   const size_t *by_slice, uint32_t slices,
                                   sp_state *all, sp_error *err)
{
    const sp_state *last = parts[by_slice[slices - 1]];
    if (last->full_blocks == NULL)
        return SP_OK;
    sp_state *pre = empty_like(parts[0]);
    if (pre == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory merging states");
    pre->first = 0;
    sp_status st = SP_OK;
    for (uint32_t k = 0; k + 1 < slices && st == SP_OK; k++)
        st = sp_state_merge(pre, parts[by_slice[k]], names[by_slice[k]], err);
    if (st == SP_OK)
        st = sp_state_merge(pre, last->full_blocks, names[by_slice[slices - 1]],
                            err);
    if (st != SP_OK) {
        sp_state_free(pre);
        return st;
    }
    pre->slice = pre->slices = 1;
    all->full_blocks = pre;
    return SP_OK;
}

sp_status sp_state_merge_slices(sp_state *const *parts,
                                const char *const *names, size_t n,
                                sp_state **out, sp_error *err)
{
    *out = NULL;
    if (n == 0)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "no state files to merge");
    uint32_t slices = parts[0]->slices;
    size_t *by_slice = malloc(slices * sizeof *by_slice);
    sp_state *all = empty_like(parts[0]);
    if (by_slice == NULL || all == NULL) {
        free(by_slice);
        sp_state_free(all);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory merging states");
    }
    for (uint32_t k = 0; k < slices; k++)
        by_slice[k] = SIZE_MAX;
    sp_status st = SP_OK;
    for (size_t i = 0; i < n && st == SP_OK; i++)
        st = check_slice(parts, names, i, by_slice, err);
    for (uint32_t k = 0; k < slices && st == SP_OK; k++) {
        if (by_slice[k] == SIZE_MAX)
            st = sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                              "slice %u/%u is missing", k + 1, slices);
        else
            st = sp_state_merge(all, parts[by_slice[k]], names[by_slice[k]],
                                err);
    }
    if (st == SP_OK)
        st = merge_full_blocks(parts, names, by_slice, slices, all, err);
    free(by_slice);
    if (st != SP_OK) {
        sp_state_free(all);
        return st;
    }
    all->slice = all->slices = 1;
    *out = all;
    return SP_OK;
}

/* ---- serialisation --------------------------------------------------------- */

static bool put(FILE *f, const void *p, size_t n)
{
    return n == 0 || fwrite(p, 1, n, f) == n;
}

static bool put_u64(FILE *f, uint64_t v)
{
    return put(f, &v, sizeof v);
}

static bool put_text(FILE *f, const char *s)
{
    uint64_t n = strlen(s);
    return put_u64(f, n) && put(f, s, n);
}

/* What a state accumulated over its blocks (not its identity or shape). */
static bool write_accumulated(const sp_state *s, FILE *f)
{
    bool ok =
        put_u64(f, s->first) && sp_accum_write(s->acc, f) &&
        put(f, s->met, s->n_targets * sizeof *s->met) &&
        put(f, s->met_rep, s->n_targets * s->replicates * sizeof *s->met_rep) &&
        put(f, s->met_both,
            s->pairs ? s->n_targets * sizeof *s->met_both : 0) &&
        put(f, s->clamps, s->n_indicators * sizeof *s->clamps) &&
        put(f, s->nonfinite, s->n_indicators * sizeof *s->nonfinite) &&
        put(f, s->drivers,
            s->n_targets * s->n_inputs * 4 * sizeof *s->drivers) &&
        put_u64(f, s->sums.depth);
    for (size_t k = 0; ok && k < s->sums.depth; k++)
        ok = put_u64(f, s->sums.first[k]) &&
             put_u64(f, (uint64_t)s->sums.level[k]) &&
             put(f, s->sums.sum + k * s->n_q, s->n_q * sizeof(double));
    return ok;
}

static bool write_body(const sp_state *s, FILE *f)
{
    uint32_t version = SP_STATE_VERSION;
    bool ok = put(f, magic, sizeof magic) && put(f, &version, 4) &&
              put(f, &byte_order, 4) && put_text(f, s->version) &&
              put_text(f, s->sha256) && put_text(f, s->scenario_name) &&
              put_text(f, s->scenario_text) && put_u64(f, s->seed) &&
              put_u64(f, s->draws) && put_text(f, s->rng) &&
              put_u64(f, s->n_blocks) && put_u64(f, s->slice) &&
              put_u64(f, s->slices) && put_u64(f, s->replicates) &&
              put_u64(f, s->pairs) && put_u64(f, s->n_q) &&
              put_u64(f, s->n_targets) && put_u64(f, s->n_indicators) &&
              put_u64(f, s->n_inputs) &&
              put(f, s->lo, s->n_q * sizeof *s->lo) &&
              put(f, s->hi, s->n_q * sizeof *s->hi) &&
              write_accumulated(s, f) && put_u64(f, s->full_blocks != NULL);
    return ok &&
           (s->full_blocks == NULL || write_accumulated(s->full_blocks, f));
}

sp_status sp_state_to_bytes(const sp_state *s, char **buf, size_t *size,
                            sp_error *err)
{
    *buf = NULL;
    *size = 0;
    FILE *f = open_memstream(buf, size);
    if (f == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for a state");
    bool ok = write_body(s, f);
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        free(*buf);
        *buf = NULL;
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for a state");
    }
    /* Append the checksum of everything before it. */
    char *grown = realloc(*buf, *size + SP_DIGEST_SIZE);
    if (grown == NULL) {
        free(*buf);
        *buf = NULL;
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for a state");
    }
    *buf = grown;
    sp_digest(grown, *size, (uint8_t *)grown + *size);
    *size += SP_DIGEST_SIZE;
    return SP_OK;
}

sp_status sp_state_save(const sp_state *s, const char *path, sp_error *err)
{
    char *buf;
    size_t size;
    sp_status st = sp_state_to_bytes(s, &buf, &size, err);
    if (st != SP_OK)
        return st;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    bool ok = f != NULL && fwrite(buf, 1, size, f) == size;
    ok = (f == NULL || fclose(f) == 0) && ok;
    free(buf);
    if (ok && rename(tmp, path) == 0)
        return SP_OK;
    st = sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                      "cannot write the state file: %s", strerror(errno));
    unlink(tmp);
    return st;
}

/* ---- reading ---------------------------------------------------------------- */

/* Bytes one quantity's histogram takes in the file (sp_accum_write:
 * count, min, max, underflow, bins, overflow). */
#define ACCUM_BYTES_PER_Q (8u * (3u + SP_ACCUM_BINS + 2u))

/* The body of a state file being read, and where refusals go. */
typedef struct {
    FILE *f;
    size_t left;      /* bytes of the body not read yet */
    const char *name; /* file (or rank) named in messages */
    sp_error *err;
} reader;

static sp_status refuse(reader *r, const char *field, const char *what)
{
    return sp_error_set(r->err, SP_ERR_USAGE, r->name, 0, field,
                        "invalid state file: %s", what);
}

/* Fails unless `count` items of `size` bytes fit in what is left of the
 * file: the bound on every allocation the reader makes. */
static sp_status need(reader *r, const char *field, uint64_t count, size_t size)
{
    if (count > r->left / size)
        return sp_error_set(r->err, SP_ERR_USAGE, r->name, 0, field,
                            "invalid state file: %llu items of %zu bytes, "
                            "but only %zu bytes are left (truncated or "
                            "inconsistent)",
                            (unsigned long long)count, size, r->left);
    return SP_OK;
}

static sp_status rd(reader *r, const char *field, void *p, size_t n)
{
    if (n > r->left || (n > 0 && fread(p, 1, n, r->f) != n))
        return refuse(r, field, "the file ends inside this field");
    r->left -= n;
    return SP_OK;
}

/* A 64-bit field that must lie in [lo, hi]. */
static sp_status rd_u64(reader *r, const char *field, uint64_t lo, uint64_t hi,
                        uint64_t *v)
{
    sp_status st = rd(r, field, v, sizeof *v);
    if (st == SP_OK && (*v < lo || *v > hi))
        st = sp_error_set(r->err, SP_ERR_USAGE, r->name, 0, field,
                          "invalid state file: %llu is outside %llu .. %llu",
                          (unsigned long long)*v, (unsigned long long)lo,
                          (unsigned long long)hi);
    return st;
}

/* A length-prefixed text of min..max bytes without NUL; malloc'd. */
static sp_status rd_text(reader *r, const char *field, uint64_t min,
                         uint64_t max, char **out)
{
    uint64_t n;
    *out = NULL;
    sp_status st = rd_u64(r, field, min, max, &n);
    if (st == SP_OK)
        st = need(r, field, n, 1);
    if (st != SP_OK)
        return st;
    char *s = malloc((size_t)n + 1);
    if (s == NULL)
        return sp_error_set(r->err, SP_ERR_NOMEM, r->name, 0, field,
                            "out of memory reading a state");
    st = rd(r, field, s, (size_t)n);
    s[n] = '\0';
    if (st == SP_OK && memchr(s, '\0', (size_t)n) != NULL)
        st = refuse(r, field, "the text holds a NUL byte");
    if (st != SP_OK) {
        free(s);
        return st;
    }
    *out = s;
    return SP_OK;
}

/* A text of min..size-1 bytes into dst[size]. */
static sp_status rd_fixed_text(reader *r, const char *field, uint64_t min,
                               char *dst, size_t size)
{
    char *s;
    sp_status st = rd_text(r, field, min, size - 1, &s);
    if (st == SP_OK)
        memcpy(dst, s, strlen(s) + 1);
    free(s);
    return st;
}

/* Identity and shape, read before the state is allocated. */
typedef struct {
    char version[16], sha256[65], rng[64];
    char *name, *text;
    uint64_t seed, draws, n_blocks, slice, slices, replicates, pairs;
    uint64_t n_q, n_targets, n_indicators, n_inputs;
} header;

/* The scenario's SHA-256 is 64 lowercase hex digits, and the text's. */
static sp_status check_sha(reader *r, const header *h)
{
    if (strlen(h->sha256) != 64 || strspn(h->sha256, "0123456789abcdef") != 64)
        return refuse(r, "sha256", "not 64 hexadecimal digits");
    char hex[65];
    sp_digest_hex(h->text, strlen(h->text), hex);
    if (strcmp(hex, h->sha256) != 0)
        return refuse(r, "sha256", "does not match the scenario text");
    return SP_OK;
}

static sp_status read_identity(reader *r, uint32_t version, header *h)
{
    sp_status st =
        rd_fixed_text(r, "version", 1, h->version, sizeof h->version);
    if (st == SP_OK)
        st = rd_fixed_text(r, "sha256", 64, h->sha256, sizeof h->sha256);
    if (st == SP_OK)
        st = rd_text(r, "scenario_name", 1, SP_STATE_MAX_NAME - 1, &h->name);
    if (st == SP_OK)
        st = rd_text(r, "scenario_text", 1, SP_STATE_MAX_TEXT, &h->text);
    if (st == SP_OK)
        st = check_sha(r, h);
    if (st == SP_OK)
        st = rd_u64(r, "seed", 0, UINT64_MAX, &h->seed);
    if (st == SP_OK)
        st = rd_u64(r, "draws", 1, SP_MAX_DRAWS, &h->draws);
    if (st == SP_OK)
        st = rd_fixed_text(r, "rng", 1, h->rng, sizeof h->rng);
    if (st == SP_OK && sp_rng_lookup(h->rng) == NULL)
        st = refuse(r, "rng", "not a generator this simplan knows");
    uint64_t blocks = (h->draws + SP_STATE_BLOCK - 1) / SP_STATE_BLOCK;
    if (st == SP_OK)
        st = rd_u64(r, "n_blocks", blocks, blocks, &h->n_blocks);
    if (st == SP_OK)
        st = rd_u64(r, "slice", 1, SP_STATE_MAX_SLICES, &h->slice);
    if (st == SP_OK)
        st = rd_u64(r, "slices", 1, SP_STATE_MAX_SLICES, &h->slices);
    if (st == SP_OK && h->slice > h->slices)
        st = refuse(r, "slice", "the slice number exceeds the slices");
    h->replicates = 0;
    if (st == SP_OK && version >= 4)
        st =
            rd_u64(r, "replicates", 0, SP_STATE_MAX_REPLICATES, &h->replicates);
    if (st == SP_OK && h->replicates > 0 &&
        h->draws % (h->replicates * SP_STATE_BLOCK) != 0)
        st = refuse(r, "replicates",
                    "the draws are not whole blocks of every randomisation");
    h->pairs = 0;
    if (st == SP_OK && version >= 4)
        st = rd_u64(r, "pairs", 0, 1, &h->pairs);
    if (st == SP_OK && h->pairs && (h->replicates > 0 || h->draws % 2 != 0))
        st = refuse(r, "pairs",
                    h->replicates ? "antithetic pairs and randomisations "
                                    "together"
                                  : "an odd number of draws in pairs");
    return st;
}

/* n_q = n_indicators x years + n_targets, with at least one year. */
static sp_status read_shape(reader *r, header *h)
{
    sp_status st = rd_u64(r, "n_q", 1, SIZE_MAX, &h->n_q);
    if (st == SP_OK)
        st = rd_u64(r, "n_targets", 0, SP_STATE_MAX_TARGETS, &h->n_targets);
    if (st == SP_OK)
        st = rd_u64(r, "n_indicators", 1, SP_STATE_MAX_INDICATORS,
                    &h->n_indicators);
    if (st == SP_OK)
        st = rd_u64(r, "n_inputs", 0, SP_STATE_MAX_INPUTS, &h->n_inputs);
    if (st != SP_OK)
        return st;
    uint64_t per_year = h->n_q > h->n_targets ? h->n_q - h->n_targets : 0;
    if (per_year < h->n_indicators || per_year % h->n_indicators != 0)
        return refuse(r, "n_q", "not n_indicators x years + n_targets");
    /* Arrays allocated from the shape must fit in the file. */
    st = need(r, "n_targets", h->n_targets, sizeof(uint64_t));
    if (st == SP_OK)
        st = need(r, "n_indicators", h->n_indicators, 2 * sizeof(uint64_t));
    if (st == SP_OK)
        st = need(r, "n_inputs", h->n_targets * h->n_inputs * 4,
                  sizeof(uint64_t));
    if (st == SP_OK)
        st = need(r, "replicates", h->n_targets * (h->replicates + h->pairs),
                  sizeof(uint64_t));
    if (st != SP_OK)
        return st;
    /* Each quantity has two range bounds and a histogram in the file. */
    return need(r, "n_q", h->n_q, 2 * sizeof(double) + ACCUM_BYTES_PER_Q);
}

/* Histogram ranges: finite, increasing, with a finite bin width. */
static sp_status read_ranges(reader *r, size_t n_q, double *lo, double *hi)
{
    sp_status st = rd(r, "lo", lo, n_q * sizeof *lo);
    if (st == SP_OK)
        st = rd(r, "hi", hi, n_q * sizeof *hi);
    for (size_t q = 0; q < n_q && st == SP_OK; q++) {
        double bins = SP_ACCUM_BINS / (hi[q] - lo[q]);
        if (!isfinite(lo[q]) || !isfinite(hi[q]) || !(lo[q] < hi[q]) ||
            !isfinite(bins))
            st = sp_error_set(r->err, SP_ERR_USAGE, r->name, 0,
                              isfinite(lo[q]) ? "hi" : "lo",
                              "invalid state file: the range [%g, %g] of "
                              "quantity %zu is not finite and increasing",
                              lo[q], hi[q], q);
    }
    return st;
}

/* The state of the header's identity and shape, ranges read; NULL with
 * `err` set on failure. Takes the header's texts. */
static sp_state *state_of(reader *r, header *h)
{
    size_t n_q = (size_t)h->n_q;
    double *lo = malloc(n_q * sizeof *lo), *hi = malloc(n_q * sizeof *hi);
    sp_status st = lo && hi
                       ? SP_OK
                       : sp_error_set(r->err, SP_ERR_NOMEM, r->name, 0, NULL,
                                      "out of memory reading a "
                                      "state");
    if (st == SP_OK)
        st = read_ranges(r, n_q, lo, hi);
    sp_state *s =
        st == SP_OK
            ? sp_state_alloc(n_q, (size_t)h->n_targets, (size_t)h->n_indicators,
                             (size_t)h->n_inputs, (uint32_t)h->replicates,
                             (uint32_t)h->pairs, lo, hi)
            : NULL;
    free(lo);
    free(hi);
    if (s == NULL) {
        if (st == SP_OK)
            sp_error_set(r->err, SP_ERR_NOMEM, r->name, 0, NULL,
                         "out of memory reading a state");
        return NULL;
    }
    memcpy(s->version, h->version, sizeof s->version);
    memcpy(s->sha256, h->sha256, sizeof s->sha256);
    memcpy(s->rng, h->rng, sizeof s->rng);
    s->scenario_name = h->name;
    s->scenario_text = h->text;
    h->name = h->text = NULL;
    s->seed = h->seed;
    s->draws = h->draws;
    s->n_blocks = h->n_blocks;
    s->slice = (uint32_t)h->slice;
    s->slices = (uint32_t)h->slices;
    return s;
}

/* "prefix.field" into buf: field names of the full-blocks section. */
static const char *field_name(char *buf, size_t size, const char *prefix,
                              const char *field)
{
    snprintf(buf, size, "%s%s", prefix, field);
    return buf;
}

/* The block sums: depth nodes continuing from s->first, each inside the
 * range the state may cover (its slice), level 0..62. */
static sp_status read_sums(reader *r, sp_state *s, const char *prefix,
                           uint64_t last)
{
    char fb[64];
    uint64_t depth;
    sp_status st = rd_u64(r, field_name(fb, sizeof fb, prefix, "sums.depth"), 0,
                          SP_SUMSTACK_MAX, &depth);
    if (st == SP_OK)
        st = need(r, fb, depth, 16 + s->n_q * sizeof(double));
    double *node = malloc((s->n_q ? s->n_q : 1) * sizeof *node);
    if (st == SP_OK && node == NULL)
        st = sp_error_set(r->err, SP_ERR_NOMEM, r->name, 0, NULL,
                          "out of memory reading a state");
    for (uint64_t k = 0; k < depth && st == SP_OK; k++) {
        uint64_t first, level, start = k ? sp_state_end(s) : s->first;
        st = rd_u64(r, field_name(fb, sizeof fb, prefix, "sums.first"), start,
                    start, &first);
        if (st == SP_OK)
            st = rd_u64(r, field_name(fb, sizeof fb, prefix, "sums.level"), 0,
                        62, &level);
        if (st == SP_OK && ((uint64_t)1 << level) > last - first)
            st = refuse(r, fb,
                        "the node reaches past the blocks this "
                        "state may cover");
        if (st == SP_OK)
            st = rd(r, field_name(fb, sizeof fb, prefix, "sums"), node,
                    s->n_q * sizeof *node);
        if (st == SP_OK && !sp_sumstack_push(&s->sums, first, (int)level, node))
            st = refuse(r, fb, "the node does not continue the others");
    }
    free(node);
    return st;
}

/* Counts are at most the draws of the blocks covered; a driver group
 * holds at most the draws, of which at most all met the target. */
static sp_status check_counts(reader *r, const sp_state *s, const char *prefix)
{
    char fb[64];
    uint64_t n = sp_state_block_draws(s->draws, s->first, sp_state_end(s));
    for (size_t q = 0; q < s->n_q; q++)
        if (sp_accum_count(s->acc, q) > n)
            return refuse(r, field_name(fb, sizeof fb, prefix, "acc"),
                          "more values than draws");
    for (size_t k = 0; k < s->n_targets; k++)
        if (s->met[k] > n)
            return refuse(r, field_name(fb, sizeof fb, prefix, "met"),
                          "more draws met than run");
    for (size_t k = 0; k < s->n_targets && s->replicates > 0; k++) {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < s->replicates; i++) {
            uint64_t c = s->met_rep[k * s->replicates + i];
            if (c > n || sum > n - c)
                return refuse(r, field_name(fb, sizeof fb, prefix, "met_rep"),
                              "more draws met than run");
            sum += c;
        }
        if (sum != s->met[k])
            return refuse(r, field_name(fb, sizeof fb, prefix, "met_rep"),
                          "the randomisations' counts do not add up to met");
    }
    /* b pairs met twice and met - 2 b once: at most the n / 2 pairs */
    for (size_t k = 0; k < s->n_targets && s->pairs; k++)
        if (s->met_both[k] > s->met[k] / 2 ||
            s->met[k] - s->met_both[k] > n / 2)
            return refuse(r, field_name(fb, sizeof fb, prefix, "met_both"),
                          "more pairs than the draws make");
    for (size_t i = 0; i < s->n_targets * s->n_inputs; i++) {
        const uint64_t *c = s->drivers + 4 * i;
        if (c[0] > n || c[2] > n - c[0] || c[1] > c[0] || c[3] > c[2])
            return refuse(r, field_name(fb, sizeof fb, prefix, "drivers"),
                          "group counts exceed the draws");
    }
    return SP_OK;
}

/* What write_accumulated wrote, into s (allocated to the right shape). The
 * blocks covered lie inside the state's slice. */
static sp_status read_accumulated(reader *r, sp_state *s, const char *prefix)
{
    char fb[64];
    uint64_t first, last;
    sp_state_slice_range(s->n_blocks, s->slice, s->slices, &first, &last);
    size_t nt = s->n_targets, ni = s->n_indicators;
    sp_status st = rd_u64(r, field_name(fb, sizeof fb, prefix, "first"), 0,
                          last, &s->first);
    if (st == SP_OK)
        st = need(r, field_name(fb, sizeof fb, prefix, "acc"), s->n_q,
                  ACCUM_BYTES_PER_Q);
    if (st == SP_OK && !sp_accum_read(s->acc, r->f))
        st = refuse(r, fb, "the file ends inside this field");
    if (st == SP_OK)
        r->left -= s->n_q * ACCUM_BYTES_PER_Q;
    if (st == SP_OK)
        st = rd(r, field_name(fb, sizeof fb, prefix, "met"), s->met,
                nt * sizeof *s->met);
    if (st == SP_OK)
        st = rd(r, field_name(fb, sizeof fb, prefix, "met_rep"), s->met_rep,
                nt * s->replicates * sizeof *s->met_rep);
    if (st == SP_OK)
        st = rd(r, field_name(fb, sizeof fb, prefix, "met_both"), s->met_both,
                s->pairs ? nt * sizeof *s->met_both : 0);
    if (st == SP_OK)
        st = rd(r, field_name(fb, sizeof fb, prefix, "clamps"), s->clamps,
                ni * sizeof *s->clamps);
    if (st == SP_OK)
        st = rd(r, field_name(fb, sizeof fb, prefix, "nonfinite"), s->nonfinite,
                ni * sizeof *s->nonfinite);
    if (st == SP_OK)
        st = rd(r, field_name(fb, sizeof fb, prefix, "drivers"), s->drivers,
                nt * s->n_inputs * 4 * sizeof *s->drivers);
    if (st == SP_OK)
        st = read_sums(r, s, prefix, last);
    if (st == SP_OK && !sp_state_empty(s) && s->first < first)
        st = refuse(r, field_name(fb, sizeof fb, prefix, "first"),
                    "the blocks start before the state's slice");
    return st == SP_OK ? check_counts(r, s, prefix) : st;
}

/* The full blocks kept beside a state that ends in the run's partial last
 * block: they end one block earlier and start where the state starts. */
static sp_status read_full_blocks(reader *r, sp_state *s, uint32_t version)
{
    uint64_t present = 0;
    sp_status st =
        version < 3 ? SP_OK : rd_u64(r, "full_blocks", 0, 1, &present);
    if (st != SP_OK || !present)
        return st;
    if (!sp_state_ends_partial(s))
        return refuse(r, "full_blocks",
                      "present, but the state does not "
                      "cover a partial last block");
    st = need(r, "full_blocks", s->n_q, ACCUM_BYTES_PER_Q);
    if (st != SP_OK)
        return st;
    s->full_blocks = empty_like(s);
    if (s->full_blocks == NULL)
        return sp_error_set(r->err, SP_ERR_NOMEM, r->name, 0, NULL,
                            "out of memory reading a state");
    st = read_accumulated(r, s->full_blocks, "full_blocks.");
    const sp_state *f = s->full_blocks;
    if (st == SP_OK && (sp_state_end(f) != s->n_blocks - 1 ||
                        (!sp_state_empty(f) && f->first != s->first)))
        st = refuse(r, "full_blocks.first",
                    "the full blocks are not the "
                    "state without its last block");
    return st;
}

/* Reads the fields after the magic, version and byte order into *out. */
static sp_status read_body(reader *r, uint32_t version, sp_state **out)
{
    header h = {0};
    sp_status st = read_identity(r, version, &h);
    if (st == SP_OK)
        st = read_shape(r, &h);
    sp_state *s = st == SP_OK ? state_of(r, &h) : NULL;
    free(h.name);
    free(h.text);
    if (s == NULL)
        return st != SP_OK ? st : r->err->status;
    st = read_accumulated(r, s, "");
    if (st == SP_OK)
        st = read_full_blocks(r, s, version);
    if (st == SP_OK && (r->left != 0 || fgetc(r->f) != EOF))
        st = refuse(r, NULL, "bytes follow its last field");
    if (st != SP_OK) {
        sp_state_free(s);
        return st;
    }
    *out = s;
    return SP_OK;
}

sp_status sp_state_from_bytes(const char *buf, size_t size, const char *name,
                              sp_state **out, sp_error *err)
{
    *out = NULL;
    uint8_t digest[SP_DIGEST_SIZE];
    size_t header_size = sizeof magic + 8;
    if (size < header_size + SP_DIGEST_SIZE || memcmp(buf, magic, sizeof magic))
        return sp_error_set(err, SP_ERR_USAGE, name, 0, NULL,
                            "not a simplan state file");
    uint32_t version, order;
    memcpy(&version, buf + sizeof magic, 4);
    memcpy(&order, buf + sizeof magic + 4, 4);
    if (version < 2 || version > SP_STATE_VERSION || order != byte_order)
        return sp_error_set(err, SP_ERR_USAGE, name, 0, NULL,
                            "state file format %u (byte order %08x); this "
                            "simplan reads formats 2 and %u written on this "
                            "kind of machine",
                            version, order, SP_STATE_VERSION);
    sp_digest(buf, size - SP_DIGEST_SIZE, digest);
    if (memcmp(digest, buf + size - SP_DIGEST_SIZE, SP_DIGEST_SIZE) != 0)
        return sp_error_set(err, SP_ERR_USAGE, name, 0, NULL,
                            "checksum mismatch: the state file is damaged");
    size_t body = size - header_size - SP_DIGEST_SIZE;
    if (body == 0)
        return sp_error_set(err, SP_ERR_USAGE, name, 0, "version",
                            "invalid state file: the file ends inside this "
                            "field");
    FILE *f = fmemopen((void *)(uintptr_t)(buf + header_size), body, "rb");
    if (f == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, name, 0, NULL,
                            "out of memory reading a state");
    reader r = {f, body, name, err};
    sp_status st = read_body(&r, version, out);
    fclose(f);
    return st;
}

sp_status sp_state_load(const char *path, sp_state **out, sp_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                            "cannot open the state file: %s", strerror(errno));
    char *buf = NULL;
    size_t size = 0, cap = 0, n;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (size + n > cap) {
            cap = 2 * (size + n);
            char *grown = realloc(buf, cap);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return sp_error_set(err, SP_ERR_NOMEM, path, 0, NULL,
                                    "out of memory reading a state");
            }
            buf = grown;
        }
        memcpy(buf + size, chunk, n);
        size += n;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    sp_status st =
        bad ? sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                           "cannot read the state file")
            : sp_state_from_bytes(buf ? buf : "", size, path, out, err);
    free(buf);
    return st;
}
