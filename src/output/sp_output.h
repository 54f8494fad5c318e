/*
 * sp_output: the one writer of result directories (`--out DIR`).
 *
 * Every command that saves results (run, merge, batch, sweep, solve)
 * writes them through a writer: sp_output_begin() checks DIR and creates
 * a fresh private directory beside it (".NAME.XXXXXX" in DIR's parent,
 * mode 0700 until published); the files of the result are written into it
 * one by one, each created exclusively without following symbolic links,
 * every write, flush, sync and close checked, errors naming the file and
 * the system's reason; sp_output_publish() syncs it and moves it into
 * place in one step: a rename when DIR does not exist, and with force an
 * exchange with the existing DIR (renameat2 RENAME_EXCHANGE), after which
 * the old run is removed. So DIR always holds exactly one complete run,
 * never a mix of two, and concurrent writers end with one of their runs.
 * A writer freed before publishing (an error, a signal) removes its
 * private directory and leaves DIR as it was.
 *
 * Charts are drawn in a child process after every data file: if it fails
 * or dies (PLplot's text layout can crash under a memory limit), the data
 * files are still published, report.md does not link the missing charts,
 * and sp_output_warning() says what happened.
 *
 * A run's state file is also saved through here: as part of the result,
 * and, while the run goes on, as checkpoints (a directory holding only the
 * state file, published the same way: as DIR when DIR held no run, as
 * DIR.resume beside a complete run that --force will replace only when
 * this one is complete).
 */
#ifndef SP_OUTPUT_H
#define SP_OUTPUT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sp_report.h"
#include "sp_state.h"
#include "sp_status.h"

typedef struct {
    const char *dir;        /* result directory */
    bool force;             /* replace an existing directory */
    bool plots;             /* write the charts */
    const atomic_int *stop; /* non-zero when a signal asked to stop
                                     (NULL: never); checked before each
                                     file and before publishing */
} sp_output_options;

typedef struct sp_output sp_output; /* one result being written */

/* Writes one file's content to `out`; returns SP_OK or fills `err`. The
 * writer checks `out` for write errors itself. */
typedef sp_status (*sp_output_fn)(FILE *out, const void *ctx, sp_error *err);

/* Draws chart `k` of a chart set to `path` (a file in the private
 * directory); runs in the child process. */
typedef sp_status (*sp_output_chart_fn)(const char *path, size_t k,
                                        const void *ctx, sp_error *err);

/* Starts a result for o->dir: refuses a DIR that exists without o->force
 * (or is not a directory, or is a symbolic link) and creates the private
 * directory, so a long run learns at its start that it cannot save. `o`
 * must outlive the writer. On SP_OK *out is the writer (free it with
 * sp_output_free); SP_ERR_IO, SP_ERR_USAGE or SP_ERR_NOMEM otherwise. */
sp_status sp_output_begin(const sp_output_options *o, sp_output **out,
                          sp_error *err);

/* Removes the private directory unless the result was published, and
 * frees the writer. NULL is allowed. */
void sp_output_free(sp_output *w);

/* Writes file `name` (no '/') of the result: the bytes, or what `fn`
 * writes for `ctx`. SP_ERR_IO "cannot write DIR/name: reason" on failure;
 * SP_ERR_NOMEM when the content does not fit in memory. */
sp_status sp_output_bytes(sp_output *w, const char *name, const void *buf,
                          size_t size, sp_error *err);
sp_status sp_output_file(sp_output *w, const char *name, sp_output_fn fn,
                         const void *ctx, sp_error *err);

/* Writes run state `s` as the result's state file (SP_STATE_FILE), which
 * merge, batch --collect and --resume read. */
sp_status sp_output_state(sp_output *w, const sp_state *s, sp_error *err);

/* Writes the report files of `r`: summary.json (with jansson),
 * targets.csv, indicators.csv, iamc.csv, drivers.csv, then with o->plots
 * the charts (targets and one fan chart per indicator, SVG and PNG, in a
 * child process), then report.md, which links only the charts that were
 * written. A failed chart stage is not an error here (see
 * sp_output_warning). */
sp_status sp_output_report(sp_output *w, const sp_report *r, sp_error *err);

/* Draws the n charts named `names` (file names in DIR) by calling `fn`
 * for each in a child process (fn gets a path inside the private
 * directory and should verify what it wrote, as sp_plot does), then
 * checks that each is there. Returns true when all were written;
 * otherwise removes those that were, records the warning (the child's
 * error, or the signal that killed it) and returns false. */
bool sp_output_charts(sp_output *w, const char *const *names, size_t n,
                      sp_output_chart_fn fn, const void *ctx);

/* The warning of a failed chart stage ("the charts were not written:
 * ..."), or NULL. */
const char *sp_output_warning(const sp_output *w);

/* Moves the finished result into place as DIR (see the top). A signal
 * seen before the move fails with SP_ERR_IO and leaves DIR as it was. */
sp_status sp_output_publish(sp_output *w, sp_error *err);

/* Publishes a directory holding only file `name` with these bytes (a
 * checkpoint of a run still going on): as DIR when DIR did not exist or
 * holds only a state file (a checkpoint, this writer's or another's);
 * beside it, as DIR.resume, while DIR still holds the run's result that
 * was there when the writer began (a
 * checkpoint never replaces a complete run; --resume DIR.resume continues
 * it, and publishing the whole result removes DIR.resume). The writer's
 * own files are untouched. */
sp_status sp_output_checkpoint(sp_output *w, const char *name, const void *buf,
                               size_t size, sp_error *err);

/* sp_output_checkpoint of run state `s` as SP_STATE_FILE. */
sp_status sp_output_checkpoint_state(sp_output *w, const sp_state *s,
                                     sp_error *err);

/* Where the last checkpoint is: DIR or DIR.resume. */
const char *sp_output_checkpoint_dir(const sp_output *w);

/* Replaces file `name` of the existing directory `dir` in one step:
 * written under a fresh temporary name (created exclusively, symbolic
 * links not followed), synced, renamed. For files beside result
 * directories (batch comparison tables). */
sp_status sp_output_replace_file(const char *dir, const char *name,
                                 sp_output_fn fn, const void *ctx,
                                 sp_error *err);

/* Flushes stdout: SP_ERR_IO "cannot write to standard output: reason"
 * when it failed (a closed pipe included, SIGPIPE being ignored). */
sp_status sp_output_stdout(sp_error *err);

#endif /* SP_OUTPUT_H */
