/*
 * Tests of src/engine/sp_state: a state built by a real short run of a
 * shipped scenario survives serialisation bit for bit, slices merge into
 * exactly the whole run's state (full blocks included), and every field
 * of a state file that is damaged or out of range -- 0, 2^32, 2^63,
 * UINT64_MAX, -1 where the writer's type is signed -- is refused with a
 * message naming the field, the checksum recomputed so that the damage
 * reaches the field checks. Truncated files (a dense sample of lengths)
 * and flipped bytes are refused too, and out of memory while reading is
 * reported as out of memory, not as a damaged file.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_digest.h"
#include "sp_mc.h"
#include "sp_rng.h"
#include "sp_state.h"
#include "sp_test.h"
#include "sp_test_scenario.h"

#ifndef SCENARIO_DIR
#error "SCENARIO_DIR must be defined"
#endif

#define DRAWS           5000 /* 5 blocks, the last one partial (904 draws) */
#define ACC_BYTES_PER_Q (8u * (3u + SP_ACCUM_BINS + 2u))

/* Slice k of n of a run of `draws` (n = 0: the whole run), run through the
 * engine as `simplan run` does: full blocks, then the partial last one. */
static sp_mc *run_slice_vr(const loaded *l, uint64_t draws, uint32_t k,
                           uint32_t n, sp_vr vr)
{
    sp_mc_config cfg = {draws, 11, sp_rng_lookup(NULL), 2, vr};
    sp_error err;
    sp_mc *mc = sp_mc_alloc(&l->sc, &l->c, &cfg, &err);
    assert_non_null(mc);
    uint64_t first = 0, last = sp_mc_blocks(mc);
    if (n > 0) {
        sp_mc_set_slice(mc, k, n);
        sp_state_slice_range(sp_mc_blocks(mc), k, n, &first, &last);
    }
    bool partial = last == sp_mc_blocks(mc) && draws % SP_MC_BLOCK != 0;
    assert_true(sp_mc_run(mc, first, partial ? last - 1 : last));
    if (partial)
        assert_int_equal(sp_mc_run_partial_last(mc, &err), SP_OK);
    return mc;
}

static sp_mc *run_slice(const loaded *l, uint64_t draws, uint32_t k, uint32_t n)
{
    return run_slice_vr(l, draws, k, n, SP_VR_NONE);
}

/* The serialised state of a whole run of minimal.cfg (malloc'd). */
static char *run_bytes(uint64_t draws, sp_vr vr, size_t *size)
{
    loaded l;
    load(&l, "minimal.cfg");
    sp_mc *mc = run_slice_vr(&l, draws, 0, 0, vr);
    char *buf;
    sp_error err;
    assert_int_equal(sp_state_to_bytes(sp_mc_state(mc), &buf, size, &err),
                     SP_OK);
    sp_mc_free(mc);
    unload(&l);
    return buf;
}

static char *whole_run_bytes(size_t *size)
{
    return run_bytes(DRAWS, SP_VR_NONE, size);
}

/* The same with RQMC, two blocks per randomisation. */
static char *rqmc_run_bytes(size_t *size)
{
    return run_bytes(2 * SP_MC_REPLICATES * SP_MC_BLOCK, SP_VR_RQMC, size);
}

static sp_status read_back(const char *buf, size_t size, sp_state **out,
                           sp_error *err)
{
    sp_error_clear(err);
    return sp_state_from_bytes(buf, size, "test.simplan", out, err);
}

static void round_trip_should_give_the_same_bytes_and_result(void **state)
{
    (void)state;
    loaded l;
    load(&l, "minimal.cfg");
    sp_mc *mc = run_slice(&l, DRAWS, 0, 0);
    const sp_state *s = sp_mc_state(mc);
    assert_non_null(s->full_blocks);
    assert_true(sp_state_ends_partial(s));
    char *buf, *again;
    size_t size, size2;
    sp_error err;
    assert_int_equal(sp_state_to_bytes(s, &buf, &size, &err), SP_OK);
    sp_state *back;
    assert_int_equal(read_back(buf, size, &back, &err), SP_OK);
    assert_int_equal(sp_state_to_bytes(back, &again, &size2, &err), SP_OK);
    assert_int_equal(size, size2);
    assert_memory_equal(buf, again, size);
    assert_non_null(back->full_blocks);
    assert_int_equal(sp_state_end(back->full_blocks), sp_state_end(s) - 1);
    /* The report of the read-back state is the run's. */
    sp_result a = {0}, b = {0};
    assert_int_equal(sp_mc_result(mc, &a, &err), SP_OK);
    assert_int_equal(sp_state_result(back, &l.sc, &l.c, &b, &err), SP_OK);
    assert_memory_equal(a.indicators, b.indicators,
                        a.n_indicators * (size_t)a.n_years *
                            sizeof *a.indicators);
    for (size_t k = 0; k < a.n_targets; k++)
        assert_int_equal(a.targets[k].met, b.targets[k].met);
    sp_result_destroy(&a);
    sp_result_destroy(&b);
    free(buf);
    free(again);
    sp_state_free(back);
    sp_mc_free(mc);
    unload(&l);
}

static void merged_slices_should_equal_the_whole_run_byte_for_byte(void **st)
{
    (void)st;
    loaded l;
    load(&l, "minimal.cfg");
    sp_mc *whole = run_slice(&l, DRAWS, 0, 0);
    sp_mc *p1 = run_slice(&l, DRAWS, 1, 2), *p2 = run_slice(&l, DRAWS, 2, 2);
    assert_null(sp_mc_state(p1)->full_blocks);
    assert_non_null(sp_mc_state(p2)->full_blocks);
    sp_state *parts[2] = {sp_state_copy(sp_mc_state(p2)),
                          sp_state_copy(sp_mc_state(p1))};
    const char *names[2] = {"p2", "p1"};
    sp_state *all;
    sp_error err;
    assert_int_equal(sp_state_merge_slices(parts, names, 2, &all, &err), SP_OK);
    char *a, *b;
    size_t na, nb;
    assert_int_equal(sp_state_to_bytes(sp_mc_state(whole), &a, &na, &err),
                     SP_OK);
    assert_int_equal(sp_state_to_bytes(all, &b, &nb, &err), SP_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    sp_state_free(all);
    sp_state_free(parts[0]);
    sp_state_free(parts[1]);
    sp_mc_free(whole);
    sp_mc_free(p1);
    sp_mc_free(p2);
    unload(&l);
}

/* A state whose shape is not its scenario's (a crafted file can be
 * self-consistent) is refused before its arrays are read. */
static void a_state_of_another_shape_should_not_be_reported(void **state)
{
    (void)state;
    loaded l;
    load(&l, "minimal.cfg");
    sp_mc *mc = run_slice(&l, DRAWS, 0, 0);
    sp_state *s = sp_state_copy(sp_mc_state(mc));
    assert_non_null(s);
    size_t *fields[] = {&s->n_q, &s->n_targets, &s->n_indicators, &s->n_inputs};
    for (size_t i = 0; i < 4; i++) {
        size_t keep = *fields[i];
        *fields[i] = keep ? keep - 1 : 1;
        sp_result res = {0};
        sp_error err;
        assert_int_equal(sp_state_result(s, &l.sc, &l.c, &res, &err),
                         SP_ERR_USAGE);
        assert_non_null(strstr(err.message, "is not its scenario's"));
        sp_result_destroy(&res);
        *fields[i] = keep;
    }
    sp_state_free(s);
    sp_mc_free(mc);
    unload(&l);
}

/* ---- the layout of a state file, for damaging one field --------------- */

typedef struct {
    const char *name; /* as the reader names it */
    size_t offset;
} field;

typedef struct {
    field f[64];
    size_t n;
    size_t n_q;
} layout;

static uint64_t u64_at(const char *buf, size_t off)
{
    uint64_t v;
    memcpy(&v, buf + off, sizeof v);
    return v;
}

static void mark(layout *l, const char *name, size_t off)
{
    assert_true(l->n < sizeof l->f / sizeof l->f[0]);
    l->f[l->n].name = name;
    l->f[l->n++].offset = off;
}

static size_t offset_of(const layout *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->f[i].name, name) == 0)
            return l->f[i].offset;
    fail_msg("no field %s", name);
    return 0;
}

/* The accumulated part from `off` (first, acc, met, clamps, nonfinite,
 * drivers, sums); returns the offset after it. */
static size_t walk_accumulated(layout *l, const char *buf, size_t off, int full,
                               uint64_t nt, uint64_t ni, uint64_t nin,
                               uint64_t rep, uint64_t pairs)
{
    static const char *names[2][8] = {
        {"first", "acc", "met", "drivers", "sums.depth", "sums.first",
         "sums.level", "sums"},
        {"full_blocks.first", "full_blocks.acc", "full_blocks.met",
         "full_blocks.drivers", "full_blocks.sums.depth",
         "full_blocks.sums.first", "full_blocks.sums.level",
         "full_blocks.sums"}};
    const char *const *nm = names[full];
    mark(l, nm[0], off);
    off += 8;
    mark(l, nm[1], off);
    off += l->n_q * ACC_BYTES_PER_Q;
    mark(l, nm[2], off);
    off += nt * 8;
    if (rep > 0)
        mark(l, full ? "full_blocks.met_rep" : "met_rep", off);
    off += nt * rep * 8;
    if (pairs)
        mark(l, full ? "full_blocks.met_both" : "met_both", off);
    off += nt * pairs * 8 + 2 * ni * 8;
    mark(l, nm[3], off);
    off += nt * nin * 32;
    mark(l, nm[4], off);
    uint64_t depth = u64_at(buf, off);
    off += 8;
    mark(l, nm[5], off);
    mark(l, nm[6], off + 8);
    mark(l, nm[7], off + 16);
    return off + depth * (16 + l->n_q * 8);
}

static layout walk(const char *buf, size_t size)
{
    layout l = {.n = 0};
    size_t off = 20;
    const char *texts[] = {"version", "sha256", "scenario_name",
                           "scenario_text"};
    for (int i = 0; i < 4; i++) {
        mark(&l, texts[i], off);
        off += 8 + u64_at(buf, off);
    }
    mark(&l, "seed", off);
    mark(&l, "draws", off + 8);
    mark(&l, "rng", off + 16);
    off += 24 + u64_at(buf, off + 16);
    const char *counts[] = {"n_blocks",   "slice",        "slices",
                            "replicates", "pairs",        "n_q",
                            "n_targets",  "n_indicators", "n_inputs"};
    for (int i = 0; i < 9; i++, off += 8)
        mark(&l, counts[i], off);
    uint64_t rep = u64_at(buf, offset_of(&l, "replicates"));
    uint64_t pairs = u64_at(buf, offset_of(&l, "pairs"));
    l.n_q = u64_at(buf, offset_of(&l, "n_q"));
    uint64_t nt = u64_at(buf, offset_of(&l, "n_targets"));
    uint64_t ni = u64_at(buf, offset_of(&l, "n_indicators"));
    uint64_t nin = u64_at(buf, offset_of(&l, "n_inputs"));
    mark(&l, "lo", off);
    mark(&l, "hi", off + l.n_q * 8);
    off += 16 * l.n_q;
    off = walk_accumulated(&l, buf, off, 0, nt, ni, nin, rep, pairs);
    mark(&l, "full_blocks", off);
    if (u64_at(buf, off) != 0)
        off = walk_accumulated(&l, buf, off + 8, 1, nt, ni, nin, rep, pairs);
    else
        off += 8;
    assert_int_equal(off, size - SP_DIGEST_SIZE);
    return l;
}

/* A copy of buf with `len` bytes at `off` replaced and the checksum
 * recomputed. */
static char *damaged(const char *buf, size_t size, size_t off,
                     const void *bytes, size_t len)
{
    char *d = malloc(size);
    assert_non_null(d);
    memcpy(d, buf, size);
    memcpy(d + off, bytes, len);
    sp_digest(d, size - SP_DIGEST_SIZE, (uint8_t *)d + size - SP_DIGEST_SIZE);
    return d;
}

/* Asserts that the file with field `name` set to v is refused, naming
 * `want` (the field itself unless the value is in its range but
 * contradicts another field, which is then named). */
static void expect_refused(const char *buf, size_t size, const layout *l,
                           const char *name, uint64_t v, const char *want)
{
    char *d = damaged(buf, size, offset_of(l, name), &v, sizeof v);
    sp_state *s = NULL;
    sp_error err;
    sp_status st = read_back(d, size, &s, &err);
    free(d);
    if (st != SP_ERR_USAGE || s != NULL)
        fail_msg("%s = %llu: status %s, not refused", name,
                 (unsigned long long)v, sp_status_name(st));
    if (strcmp(err.field, want) != 0)
        fail_msg("%s = %llu: refused naming '%s' (%s), not '%s'", name,
                 (unsigned long long)v, err.field, err.message, want);
    assert_non_null(strstr(err.message, "invalid state file"));
}

#define P32 ((uint64_t)1 << 32)
#define P63 ((uint64_t)1 << 63)

static void every_out_of_range_count_should_be_refused_naming_it(void **st)
{
    (void)st;
    size_t size;
    char *buf = whole_run_bytes(&size);
    layout l = walk(buf, size);
    /* Values outside each field's bound, in its own type. */
    const char *fields[] = {"version",       "sha256", "scenario_name",
                            "scenario_text", "rng",    "n_blocks",
                            "slices",        "n_q",    "n_indicators"};
    const uint64_t bad[] = {0, P32, P63, UINT64_MAX, UINT64_MAX - 7};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        for (size_t j = 0; j < sizeof bad / sizeof *bad; j++)
            expect_refused(buf, size, &l, fields[i], bad[j], fields[i]);
    const uint64_t big[] = {P32, P63, UINT64_MAX};
    const char *no_zero[] = {"slice",
                             "n_targets",
                             "n_inputs",
                             "first",
                             "sums.depth",
                             "sums.first",
                             "sums.level",
                             "met",
                             "acc",
                             "full_blocks",
                             "full_blocks.first",
                             "full_blocks.sums.depth",
                             "full_blocks.sums.first",
                             "full_blocks.sums.level",
                             "full_blocks.met",
                             "full_blocks.acc"};
    for (size_t i = 0; i < sizeof no_zero / sizeof *no_zero; i++)
        for (size_t j = 0; j < sizeof big / sizeof *big; j++)
            expect_refused(buf, size, &l, no_zero[i], big[j], no_zero[i]);
    /* A node level of 0 (and -1 as the writer's int) ends the node early:
     * the next node, or the full blocks' end, no longer fits. */
    expect_refused(buf, size, &l, "sums.level", 0, "sums.first");
    expect_refused(buf, size, &l, "full_blocks.sums.level", 0,
                   "full_blocks.acc");
    /* Driver counts exist when the scenario has inputs. */
    if (u64_at(buf, offset_of(&l, "n_inputs")) > 0)
        for (size_t j = 0; j < sizeof big / sizeof *big; j++) {
            expect_refused(buf, size, &l, "drivers", big[j], "drivers");
            expect_refused(buf, size, &l, "full_blocks.drivers", big[j],
                           "full_blocks.drivers");
        }
    /* draws: 0 and past 1e11 are its own; 2^32 contradicts n_blocks. */
    expect_refused(buf, size, &l, "draws", 0, "draws");
    expect_refused(buf, size, &l, "draws", P63, "draws");
    expect_refused(buf, size, &l, "draws", UINT64_MAX, "draws");
    expect_refused(buf, size, &l, "draws", P32, "n_blocks");
    expect_refused(buf, size, &l, "slice", 0, "slice");
    expect_refused(buf, size, &l, "slice", 2, "slice"); /* of 1 slice */
    expect_refused(buf, size, &l, "slices", 1000001, "slices");
    free(buf);
}

static void values_that_contradict_others_should_be_refused(void **st)
{
    (void)st;
    size_t size;
    char *buf = whole_run_bytes(&size);
    layout l = walk(buf, size);
    uint64_t n_blocks = u64_at(buf, offset_of(&l, "n_blocks"));
    uint64_t n_q = u64_at(buf, offset_of(&l, "n_q"));
    expect_refused(buf, size, &l, "n_blocks", n_blocks + 1, "n_blocks");
    expect_refused(buf, size, &l, "n_blocks", n_blocks - 1, "n_blocks");
    expect_refused(buf, size, &l, "n_q", n_q + 1, "n_q");
    expect_refused(buf, size, &l, "n_q", n_q - 1, "n_q");
    expect_refused(buf, size, &l, "first", n_blocks + 1, "first");
    expect_refused(buf, size, &l, "first", 1, "sums.first");
    expect_refused(buf, size, &l, "sums.level", 63, "sums.level");
    expect_refused(buf, size, &l, "sums.level", 3, "sums.level");
    expect_refused(buf, size, &l, "sums.depth", SP_SUMSTACK_MAX + 1,
                   "sums.depth");
    expect_refused(buf, size, &l, "met", DRAWS + 1, "met");
    expect_refused(buf, size, &l, "acc", DRAWS + 1, "acc");
    expect_refused(buf, size, &l, "full_blocks", 2, "full_blocks");
    expect_refused(buf, size, &l, "full_blocks.met", 4 * 1024 + 1,
                   "full_blocks.met");
    expect_refused(buf, size, &l, "full_blocks.sums.depth", 0,
                   "full_blocks.acc");
    /* Another draw count whose last block is not partial: no full blocks
     * may be kept (n_blocks stays 5). */
    expect_refused(buf, size, &l, "draws", 5 * 1024, "full_blocks");
    /* Ranges: non-finite or not increasing. */
    double bad_lo[] = {NAN, INFINITY, -INFINITY, 1e308};
    for (size_t i = 0; i < 4; i++) {
        char *d = damaged(buf, size, offset_of(&l, "lo"), &bad_lo[i], 8);
        sp_state *s;
        sp_error err;
        assert_int_equal(read_back(d, size, &s, &err), SP_ERR_USAGE);
        assert_true(strcmp(err.field, "lo") == 0 ||
                    strcmp(err.field, "hi") == 0);
        free(d);
    }
    /* A scenario text that no longer matches its SHA-256. */
    char *d = damaged(buf, size, offset_of(&l, "scenario_text") + 8, "@", 1);
    sp_state *s;
    sp_error err;
    assert_int_equal(read_back(d, size, &s, &err), SP_ERR_USAGE);
    assert_string_equal(err.field, "sha256");
    free(d);
    d = damaged(buf, size, offset_of(&l, "rng") + 8, "Q", 1);
    assert_int_equal(read_back(d, size, &s, &err), SP_ERR_USAGE);
    assert_string_equal(err.field, "rng");
    free(d);
    free(buf);
}

/* Asserts that s serialises to buf, byte for byte. */
static void assert_writes_back(const sp_state *s, const char *buf, size_t size)
{
    char *again;
    size_t again_size;
    sp_error err;
    assert_int_equal(sp_state_to_bytes(s, &again, &again_size, &err), SP_OK);
    assert_int_equal(again_size, size);
    assert_memory_equal(again, buf, size);
    free(again);
}

/* An RQMC state keeps each randomisation's met counts: it reads back to
 * the same bytes, and a count out of range, one that breaks the sum met,
 * or a replicate count out of range is refused naming the field. */
static void rqmc_counts_should_round_trip_and_be_checked(void **st)
{
    (void)st;
    size_t size;
    char *buf = rqmc_run_bytes(&size);
    layout l = walk(buf, size);
    assert_int_equal(u64_at(buf, offset_of(&l, "replicates")),
                     SP_MC_REPLICATES);
    sp_state *s = NULL;
    sp_error err;
    assert_int_equal(read_back(buf, size, &s, &err), SP_OK);
    assert_int_equal(s->replicates, SP_MC_REPLICATES);
    uint64_t sum = 0;
    for (uint32_t r = 0; r < s->replicates; r++)
        sum += s->met_rep[r];
    assert_int_equal(sum, s->met[0]);
    assert_writes_back(s, buf, size);
    uint64_t first = u64_at(buf, offset_of(&l, "met_rep"));
    expect_refused(buf, size, &l, "met_rep", first + 1, "met_rep");
    expect_refused(buf, size, &l, "met_rep", P63, "met_rep");
    expect_refused(buf, size, &l, "replicates", SP_STATE_MAX_REPLICATES + 1,
                   "replicates");
    expect_refused(buf, size, &l, "replicates", P32, "replicates");
    /* 32 768 draws are not whole blocks of 3 randomisations */
    expect_refused(buf, size, &l, "replicates", 3, "replicates");
    sp_state_free(s);
    free(buf);
}

/* An antithetic state keeps each target's pairs met twice: it reads back
 * to the same bytes, and more such pairs than its met count allows, or a
 * pairs flag other than 0 or 1, is refused naming the field. */
static void pair_counts_should_round_trip_and_be_checked(void **st)
{
    (void)st;
    size_t size;
    char *buf = run_bytes(DRAWS, SP_VR_ANTITHETIC, &size);
    layout l = walk(buf, size);
    assert_int_equal(u64_at(buf, offset_of(&l, "pairs")), 1);
    sp_state *s = NULL;
    sp_error err;
    assert_int_equal(read_back(buf, size, &s, &err), SP_OK);
    assert_int_equal(s->pairs, 1);
    assert_true(s->met_both[0] > 0 && 2 * s->met_both[0] <= s->met[0]);
    assert_writes_back(s, buf, size);
    uint64_t met = u64_at(buf, offset_of(&l, "met"));
    expect_refused(buf, size, &l, "met_both", met / 2 + 1, "met_both");
    expect_refused(buf, size, &l, "met_both", P63, "met_both");
    expect_refused(buf, size, &l, "pairs", 2, "pairs");
    sp_state_free(s);
    free(buf);
}

/* Every shorter file (a dense sample: every length through the identity
 * and shape, then 400 spread over the rest, and each field's edges), with
 * and without the checksum recomputed over what is left. */
static void truncated_files_should_be_refused(void **st)
{
    (void)st;
    size_t size;
    char *buf = whole_run_bytes(&size);
    layout l = walk(buf, size);
    size_t body = size - SP_DIGEST_SIZE;
    char *d = malloc(size);
    assert_non_null(d);
    size_t stride = body / 400 + 1;
    for (size_t n = 0; n < body; n += n < 4096 ? 1 : stride) {
        sp_state *s;
        sp_error err;
        assert_int_not_equal(read_back(buf, n, &s, &err), SP_OK);
        assert_null(s);
        memcpy(d, buf, n);
        sp_digest(d, n, (uint8_t *)d + n);
        sp_status rc = read_back(d, n + SP_DIGEST_SIZE, &s, &err);
        if (rc != SP_ERR_USAGE || s != NULL)
            fail_msg("truncated to %zu bytes (checksum recomputed): %s", n,
                     sp_status_name(rc));
    }
    for (size_t i = 0; i < l.n; i++)
        for (size_t n = l.f[i].offset - 1; n <= l.f[i].offset + 9; n++) {
            sp_state *s;
            sp_error err;
            memcpy(d, buf, n);
            sp_digest(d, n, (uint8_t *)d + n);
            assert_int_equal(read_back(d, n + SP_DIGEST_SIZE, &s, &err),
                             SP_ERR_USAGE);
        }
    free(d);
    free(buf);
}

static void a_flipped_byte_should_fail_the_checksum(void **st)
{
    (void)st;
    size_t size;
    char *buf = whole_run_bytes(&size);
    for (size_t off = 20; off < size; off += 1 + off / 8) {
        buf[off] ^= 0x40;
        sp_state *s;
        sp_error err;
        assert_int_equal(read_back(buf, size, &s, &err), SP_ERR_USAGE);
        assert_non_null(strstr(err.message, "checksum mismatch"));
        buf[off] ^= 0x40;
    }
    buf[0] ^= 1; /* the magic */
    sp_state *s;
    sp_error err;
    assert_int_equal(read_back(buf, size, &s, &err), SP_ERR_USAGE);
    assert_non_null(strstr(err.message, "not a simplan state file"));
    free(buf);
}

/* Address space in use now, from /proc/self/statm (bytes). */
static size_t address_space(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    int got = f ? fscanf(f, "%lu", &pages) : 0;
    if (f)
        fclose(f);
    return got == 1 ? (size_t)pages * 4096 : 0;
}

/* In a fresh process (no free heap left by earlier tests): reads the state
 * file `path` into memory, then parses it with only 256 KiB more address
 * space than it uses; exits with the status. */
static int read_with_little_memory(const char *path)
{
    FILE *f = fopen(path, "rb");
    static char buf[8 << 20];
    size_t size = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f == NULL || size == sizeof buf)
        return 100;
    fclose(f);
    struct rlimit low;
    if (getrlimit(RLIMIT_AS, &low) != 0 || address_space() == 0)
        return 101;
    low.rlim_cur = address_space() + 256 * 1024;
    if (setrlimit(RLIMIT_AS, &low) != 0)
        return 102;
    sp_state *s;
    sp_error err;
    sp_status st = read_back(buf, size, &s, &err);
    fprintf(stderr, "%s\n", err.message);
    sp_state_free(s);
    return (int)st;
}

static const char *self_path;

/* Reading a good file without the memory for it says so (exit 3), never
 * that the file is damaged: the user must not delete it. */
static void out_of_memory_should_not_be_called_a_damaged_file(void **st)
{
    (void)st;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* the sanitizer reserves the address space a limit would cut */
#else
    size_t size;
    char *buf = whole_run_bytes(&size);
    char path[] = "/tmp/test_state.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' --read-with-little-memory %s 2> %s.err",
             self_path, path, path);
    int rc = system(cmd);
    char errfile[64], line[256] = "";
    snprintf(errfile, sizeof errfile, "%s.err", path);
    FILE *e = fopen(errfile, "r");
    if (e && fgets(line, sizeof line, e) == NULL)
        line[0] = '\0';
    if (e)
        fclose(e);
    unlink(errfile);
    unlink(path);
    free(buf);
    if (!WIFEXITED(rc) || WEXITSTATUS(rc) != SP_ERR_NOMEM)
        fail_msg("exit %d, not out of memory: %s", WEXITSTATUS(rc), line);
    assert_non_null(strstr(line, "out of memory"));
#endif
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--read-with-little-memory") == 0)
        return read_with_little_memory(argv[2]);
    self_path = argv[0];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_should_give_the_same_bytes_and_result),
        cmocka_unit_test(
            merged_slices_should_equal_the_whole_run_byte_for_byte),
        cmocka_unit_test(a_state_of_another_shape_should_not_be_reported),
        cmocka_unit_test(every_out_of_range_count_should_be_refused_naming_it),
        cmocka_unit_test(values_that_contradict_others_should_be_refused),
        cmocka_unit_test(truncated_files_should_be_refused),
        cmocka_unit_test(rqmc_counts_should_round_trip_and_be_checked),
        cmocka_unit_test(pair_counts_should_round_trip_and_be_checked),
        cmocka_unit_test(a_flipped_byte_should_fail_the_checksum),
        cmocka_unit_test(out_of_memory_should_not_be_called_a_damaged_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
