/*
 * sp_state: merge and (de)serialisation of run states.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sp_digest.h"

static const char magic[12] = {'S', 'I', 'M', 'P', 'L', 'A',
                               'N', 'S', 'T', 'A', 'T', 'E'};
static const uint32_t byte_order = 0x01020304u;

sp_state *sp_state_alloc(size_t n_q, size_t n_targets, size_t n_indicators,
                         size_t n_inputs, const double *lo, const double *hi)
{
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
    s->clamps = calloc(n_indicators ? n_indicators : 1, sizeof *s->clamps);
    s->nonfinite = calloc(n_indicators ? n_indicators : 1,
                          sizeof *s->nonfinite);
    s->drivers = calloc(n_targets * n_inputs * 4 + 1, sizeof *s->drivers);
    bool ok = sp_sumstack_init(&s->sums, n_q);
    if (!ok || !s->acc || !s->met || !s->clamps || !s->nonfinite ||
        !s->drivers) {
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
    free(s->clamps);
    free(s->nonfinite);
    free(s->drivers);
    sp_sumstack_destroy(&s->sums);
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
    else if (a->slices != b->slices)
        field = "number of slices";
    else if (a->n_q != b->n_q || a->n_targets != b->n_targets ||
             a->n_indicators != b->n_indicators ||
             a->n_inputs != b->n_inputs ||
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
                            p->slice, p->slices,
                            (unsigned long long)p->first,
                            (unsigned long long)sp_state_end(p),
                            (unsigned long long)first,
                            (unsigned long long)last);
    by_slice[k] = i;
    return SP_OK;
}

/* A copy of a state's identity with nothing accumulated. */
static sp_state *empty_like(const sp_state *p)
{
    sp_state *s = sp_state_alloc(p->n_q, p->n_targets, p->n_indicators,
                                 p->n_inputs, p->lo, p->hi);
    if (s == NULL)
        return NULL;
    memcpy(s->version, p->version, sizeof s->version);
    memcpy(s->sha256, p->sha256, sizeof s->sha256);
    memcpy(s->rng, p->rng, sizeof s->rng);
    s->seed = p->seed;
    s->draws = p->draws;
    s->n_blocks = p->n_blocks;
    s->slices = p->slices;
    s->scenario_name = strdup(p->scenario_name);
    s->scenario_text = strdup(p->scenario_text);
    if (s->scenario_name == NULL || s->scenario_text == NULL) {
        sp_state_free(s);
        return NULL;
    }
    return s;
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

static bool write_body(const sp_state *s, FILE *f)
{
    uint32_t version = SP_STATE_VERSION;
    bool ok = put(f, magic, sizeof magic) && put(f, &version, 4) &&
              put(f, &byte_order, 4) && put_text(f, s->version) &&
              put_text(f, s->sha256) && put_text(f, s->scenario_name) &&
              put_text(f, s->scenario_text) && put_u64(f, s->seed) &&
              put_u64(f, s->draws) && put_text(f, s->rng) &&
              put_u64(f, s->n_blocks) && put_u64(f, s->slice) &&
              put_u64(f, s->slices) && put_u64(f, s->n_q) &&
              put_u64(f, s->n_targets) && put_u64(f, s->n_indicators) &&
              put_u64(f, s->n_inputs) &&
              put(f, s->lo, s->n_q * sizeof *s->lo) &&
              put(f, s->hi, s->n_q * sizeof *s->hi) &&
              put_u64(f, s->first) && sp_accum_write(s->acc, f) &&
              put(f, s->met, s->n_targets * sizeof *s->met) &&
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

static bool get(FILE *f, void *p, size_t n)
{
    return n == 0 || fread(p, 1, n, f) == n;
}

static bool get_u64(FILE *f, uint64_t *v)
{
    return get(f, v, sizeof *v);
}

/* A length-prefixed string of at most `max` bytes, NUL-terminated. */
static char *get_text(FILE *f, uint64_t max)
{
    uint64_t n;
    if (!get_u64(f, &n) || n > max)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s == NULL || !get(f, s, (size_t)n)) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return s;
}

static bool get_fixed_text(FILE *f, char *dst, size_t size)
{
    char *s = get_text(f, size - 1);
    if (s == NULL)
        return false;
    snprintf(dst, size, "%s", s);
    free(s);
    return true;
}

/* Reads the fields after the header into a new state. */
static sp_state *read_body(FILE *f)
{
    char version[16], sha[65], rng[64];
    uint64_t seed, draws, n_blocks, slice, slices, n_q, nt, ni, nin;
    char *name = NULL, *text = NULL;
    bool ok = get_fixed_text(f, version, sizeof version) &&
              get_fixed_text(f, sha, sizeof sha) &&
              (name = get_text(f, 4096)) != NULL &&
              (text = get_text(f, 16u << 20)) != NULL && get_u64(f, &seed) &&
              get_u64(f, &draws) && get_fixed_text(f, rng, sizeof rng) &&
              get_u64(f, &n_blocks) && get_u64(f, &slice) &&
              get_u64(f, &slices) && get_u64(f, &n_q) && get_u64(f, &nt) &&
              get_u64(f, &ni) && get_u64(f, &nin) && n_q < (1u << 24) &&
              nt < (1u << 16) && ni < (1u << 16) && nin < (1u << 16) &&
              slice >= 1 && slice <= slices;
    double *lo = ok ? malloc((n_q ? n_q : 1) * sizeof *lo) : NULL;
    double *hi = ok ? malloc((n_q ? n_q : 1) * sizeof *hi) : NULL;
    ok = ok && lo && hi && get(f, lo, n_q * sizeof *lo) &&
         get(f, hi, n_q * sizeof *hi);
    sp_state *s = ok ? sp_state_alloc(n_q, nt, ni, nin, lo, hi) : NULL;
    free(lo);
    free(hi);
    if (s == NULL) {
        free(name);
        free(text);
        return NULL;
    }
    snprintf(s->version, sizeof s->version, "%s", version);
    snprintf(s->sha256, sizeof s->sha256, "%s", sha);
    snprintf(s->rng, sizeof s->rng, "%s", rng);
    s->scenario_name = name;
    s->scenario_text = text;
    s->seed = seed;
    s->draws = draws;
    s->n_blocks = n_blocks;
    s->slice = (uint32_t)slice;
    s->slices = (uint32_t)slices;
    uint64_t depth = 0;
    ok = get_u64(f, &s->first) && sp_accum_read(s->acc, f) &&
         get(f, s->met, nt * sizeof *s->met) &&
         get(f, s->clamps, ni * sizeof *s->clamps) &&
         get(f, s->nonfinite, ni * sizeof *s->nonfinite) &&
         get(f, s->drivers, nt * nin * 4 * sizeof *s->drivers) &&
         get_u64(f, &depth) && depth <= SP_SUMSTACK_MAX;
    double *node = ok ? malloc((n_q ? n_q : 1) * sizeof *node) : NULL;
    for (uint64_t k = 0; ok && k < depth; k++) {
        uint64_t first, level;
        ok = node && get_u64(f, &first) && get_u64(f, &level) &&
             get(f, node, n_q * sizeof *node) &&
             sp_sumstack_push(&s->sums, first, (int)level, node);
    }
    free(node);
    if (!ok || fgetc(f) != EOF) {
        sp_state_free(s);
        return NULL;
    }
    return s;
}

sp_status sp_state_from_bytes(const char *buf, size_t size,
                              const char *name, sp_state **out,
                              sp_error *err)
{
    *out = NULL;
    uint8_t digest[SP_DIGEST_SIZE];
    size_t header = sizeof magic + 8;
    if (size < header + SP_DIGEST_SIZE || memcmp(buf, magic, sizeof magic))
        return sp_error_set(err, SP_ERR_USAGE, name, 0, NULL,
                            "not a simplan state file");
    uint32_t version, order;
    memcpy(&version, buf + sizeof magic, 4);
    memcpy(&order, buf + sizeof magic + 4, 4);
    if (version != SP_STATE_VERSION || order != byte_order)
        return sp_error_set(err, SP_ERR_USAGE, name, 0, NULL,
                            "state file format %u (byte order %08x); this "
                            "simplan reads format %u written on this kind "
                            "of machine", version, order, SP_STATE_VERSION);
    sp_digest(buf, size - SP_DIGEST_SIZE, digest);
    if (memcmp(digest, buf + size - SP_DIGEST_SIZE, SP_DIGEST_SIZE) != 0)
        return sp_error_set(err, SP_ERR_USAGE, name, 0, NULL,
                            "checksum mismatch: the state file is damaged");
    FILE *f = fmemopen((void *)(uintptr_t)(buf + header),
                       size - header - SP_DIGEST_SIZE, "rb");
    if (f == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, name, 0, NULL,
                            "out of memory reading a state");
    *out = read_body(f);
    fclose(f);
    if (*out == NULL)
        return sp_error_set(err, SP_ERR_USAGE, name, 0, NULL,
                            "the state file is inconsistent");
    return SP_OK;
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
    sp_status st = bad ? sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                                      "cannot read the state file")
                       : sp_state_from_bytes(buf ? buf : "", size, path, out,
                                             err);
    free(buf);
    return st;
}
