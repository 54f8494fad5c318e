/*
 * sp_state: the accumulated, mergeable state of a run over a contiguous
 * range of blocks, and its versioned, checksummed file.
 *
 * A state holds everything the report needs -- histograms, counts, min and
 * max of every quantity, met counts, clamp and non-finite counts, and the
 * pairwise sums of the blocks covered -- plus what identifies the run: the
 * scenario's text and SHA-256, seed, draws, generator and simplan version.
 * Two states of the same run whose block ranges touch merge into the state
 * of their union, bit for bit what one process would have accumulated
 * (integers add; sums combine in the fixed tree of sp_sumstack). This is
 * how slices (`run --slice K/N`), MPI ranks, `merge` and `--resume` give
 * exactly the single-process result.
 *
 * A run whose draw count is not a multiple of SP_STATE_BLOCK ends in a
 * partial block. The state that covers it also keeps, in `full_blocks`,
 * the same state without that block: a resume with more draws continues
 * from there and runs the block again at its new size, so the result is
 * bit for bit that of a single run of the new draw count.
 *
 * File: "SIMPLANSTATE" magic, format version, a byte-order mark, the
 * fields, and a SHA-256 of everything before it. Written under a
 * temporary name and renamed, so a file on disk is always complete. The
 * reader checks every field against its bound in the type it is used in,
 * and the sizes it allocates against the bytes the file holds, before
 * allocating; a refusal names the field.
 */
#ifndef SP_STATE_H
#define SP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sp_accum.h"
#include "sp_status.h"

#define SP_STATE_VERSION        4u
#define SP_STATE_FILE           "state.simplan" /* name inside a result directory */
#define SP_STATE_BLOCK          1024u    /* draws per block (= SP_MC_BLOCK) */
#define SP_STATE_MAX_SLICES     1000000u /* most slices of one run */
#define SP_STATE_MAX_TARGETS    65535u   /* bounds of the shape fields */
#define SP_STATE_MAX_INDICATORS 65535u
#define SP_STATE_MAX_INPUTS     65535u
#define SP_STATE_MAX_NAME       4096u /* bytes of the scenario's file name */
#define SP_STATE_MAX_TEXT       (16u << 20) /* bytes of the scenario's text */
#define SP_STATE_MAX_REPLICATES 1024u       /* randomisations of an RQMC run */

typedef struct sp_state {
    /* Identity of the run. */
    char version[16];    /* simplan version that wrote it */
    char sha256[65];     /* of the scenario text */
    char *scenario_name; /* file name the scenario was read from */
    char *scenario_text; /* the scenario itself */
    uint64_t seed, draws;
    char rng[64];
    uint64_t n_blocks;      /* blocks of the whole run */
    uint32_t slice, slices; /* slice K of N (1-based), or 1 of 1 */
    /* Randomised quasi-Monte Carlo: the independent randomisations, block
       k belonging to k mod replicates (doc/model.md §7.6); 0 for plain
       Monte Carlo. */
    uint32_t replicates;
    /* Antithetic pairs (doc/model.md §7.7): 1 when draws 2j and 2j + 1 are
       mirrors, 0 otherwise. */
    uint32_t pairs;
    /* Shape. */
    size_t n_q, n_targets, n_indicators;
    size_t n_inputs; /* per-draw inputs seen by the drivers */
    double *lo, *hi; /* [n_q] histogram ranges (from the pilot) */
    /* Accumulated over blocks [first, sums end). */
    uint64_t first; /* first block covered */
    sp_accum *acc;
    uint64_t *met;       /* [n_targets] */
    uint64_t *met_rep;   /* [n_targets * replicates], NULL without: the
                            draws of each randomisation that met it */
    uint64_t *met_both;  /* [n_targets], NULL without pairs: the pairs of
                            which both draws met it */
    uint64_t *clamps;    /* [n_indicators] */
    uint64_t *nonfinite; /* [n_indicators] */
    uint64_t *drivers;   /* [n_targets * n_inputs * 4]: draws in the
                                lower group, of which met; draws in the
                                upper group, of which met */
    sp_sumstack sums;
    /* Owned, or NULL: when the state covers the run's partial last block,
       the same state without it (same identity, ends one block earlier). */
    struct sp_state *full_blocks;
} sp_state;

/* An empty state of the given shape and ranges, with `replicates`
 * randomisations (0 without RQMC) and `pairs` 1 for antithetic pairs;
 * NULL when out of memory. Identity fields are filled by the caller. */
sp_state *sp_state_alloc(size_t n_q, size_t n_targets, size_t n_indicators,
                         size_t n_inputs, uint32_t replicates, uint32_t pairs,
                         const double *lo, const double *hi);
void sp_state_free(sp_state *s);

/* A deep copy of `s` (full_blocks included); NULL when out of memory. */
sp_state *sp_state_copy(const sp_state *s);

/* Blocks covered: [s->first, sp_state_end(s)). */
uint64_t sp_state_end(const sp_state *s);
bool sp_state_empty(const sp_state *s);

/* Adds `from` (same run, starting where `into` ends, or `into` empty) to
 * `into`. SP_ERR_USAGE naming the mismatch otherwise. */
sp_status sp_state_merge(sp_state *into, const sp_state *from,
                         const char *from_name, sp_error *err);

/* True when both states come from the same run (scenario, seed, draws,
 * generator, version, shape); otherwise writes which field differs. */
bool sp_state_same_run(const sp_state *a, const sp_state *b, char *why,
                       size_t size);

/* Blocks [*first, *last) of slice K of N (1-based) of a run of n_blocks:
 * contiguous ranges, as even as integer division makes them. */
void sp_state_slice_range(uint64_t n_blocks, uint32_t k, uint32_t n,
                          uint64_t *first, uint64_t *last);

/* Merges slice states into the state of the whole run: all must be of the
 * same run, each slice 1..N exactly once and complete. Errors name the
 * offending part (names[i]) and say what is wrong; SP_ERR_NOMEM when out
 * of memory. When the last slice keeps its full blocks, so does the
 * merged state. */
sp_status sp_state_merge_slices(sp_state *const *parts,
                                const char *const *names, size_t n,
                                sp_state **out, sp_error *err);

/* Draws in blocks [first, last) of a run of `draws` draws. */
uint64_t sp_state_block_draws(uint64_t draws, uint64_t first, uint64_t last);

/* The 95 % interval of target k's P over the state's first n draws (all
 * its draws, or the full blocks at a --precision boundary): Wilson's, the
 * randomisations' with RQMC, the pairs' with antithetic pairs
 * (doc/model.md §7.4, §7.6, §7.7). */
void sp_state_interval(const sp_state *s, size_t k, uint64_t n, double *lo,
                       double *hi);

/* True when the run's last block is partial and the state covers it. */
bool sp_state_ends_partial(const sp_state *s);

/* Writes the state (and its full_blocks) to `path` (through a temporary
 * file). */
sp_status sp_state_save(const sp_state *s, const char *path, sp_error *err);

/* Reads a state file; verifies magic, version, byte order, checksum and
 * every field. SP_ERR_IO for unreadable files, SP_ERR_NOMEM when out of
 * memory, SP_ERR_USAGE for invalid ones (the message names the field). */
sp_status sp_state_load(const char *path, sp_state **out, sp_error *err);

/* The same through memory, for MPI: a malloc'd buffer and its size. */
sp_status sp_state_to_bytes(const sp_state *s, char **buf, size_t *size,
                            sp_error *err);
sp_status sp_state_from_bytes(const char *buf, size_t size, const char *name,
                              sp_state **out, sp_error *err);

#endif /* SP_STATE_H */
