/*
 * sp_status: the one table of status codes and the caller-owned error record.
 *
 * Every fallible function in simplan returns an sp_status and, when it fails,
 * fills an sp_error supplied by the caller with where the problem is (file,
 * line, field path) and a sentence saying what is wrong and what is allowed.
 * Nothing below main() prints, exits or aborts; main() maps the status to the
 * process exit code with sp_status_exit_code().
 */
#ifndef SP_STATUS_H
#define SP_STATUS_H

#include <stddef.h>

/* X(name, exit code, description). Exit codes: 0 ok, 1 usage, 2 scenario,
 * 3 runtime or I/O. */
#define SP_STATUS_TABLE(X)                                                     \
    X(SP_OK, 0, "ok")                                                          \
    X(SP_ERR_USAGE, 1, "usage error")                                          \
    X(SP_ERR_SYNTAX, 2, "syntax error")                                        \
    X(SP_ERR_TYPE, 2, "wrong type")                                            \
    X(SP_ERR_MISSING, 2, "missing field")                                      \
    X(SP_ERR_UNKNOWN_KEY, 2, "unknown field")                                  \
    X(SP_ERR_RANGE, 2, "value out of range")                                   \
    X(SP_ERR_DUPLICATE, 2, "duplicate name")                                   \
    X(SP_ERR_REFERENCE, 2, "unknown reference")                                \
    X(SP_ERR_PERIODS, 2, "path periods do not cover the projected years")      \
    X(SP_ERR_FORMULA, 2, "invalid formula")                                    \
    X(SP_ERR_CYCLE, 2, "dependency cycle")                                     \
    X(SP_ERR_CORRELATION, 2, "invalid correlation matrix")                     \
    X(SP_ERR_LIMIT, 2, "size limit exceeded")                                  \
    X(SP_ERR_BASE_VALUE, 2, "invalid base-year value")                         \
    X(SP_ERR_IO, 3, "input/output error")                                      \
    X(SP_ERR_NOMEM, 3, "out of memory")                                        \
    X(SP_ERR_NUMERIC, 3, "numerical failure")                                  \
    X(SP_ERR_UNSUPPORTED, 3, "not supported by this build")                    \
    X(SP_ERR_CANCELLED, 3, "cancelled")

typedef enum {
#define SP_STATUS_ENUM(name, code, text) name,
    SP_STATUS_TABLE(SP_STATUS_ENUM)
#undef SP_STATUS_ENUM
        SP_STATUS_COUNT
} sp_status;

/* Short description of a status ("value out of range"); never NULL. */
const char *sp_strerror(sp_status status);

/* Symbolic name of a status ("SP_ERR_RANGE"); never NULL. */
const char *sp_status_name(sp_status status);

/* Process exit code for a status: 0, 1, 2 or 3. */
int sp_status_exit_code(sp_status status);

/* The error record. Plain data, owned by the caller; `line` is 0 and `file`
 * and `field` are empty when they do not apply. */
typedef struct {
    sp_status status;  /* what kind of failure */
    char file[256];    /* file the problem is in */
    int line;          /* 1-based line in `file`, 0 if unknown */
    char field[160];   /* field path, e.g. "indicators.gdp.path[0].sd" */
    char message[512]; /* what is wrong and what is allowed */
} sp_error;

/* Clears `err` to SP_OK with empty strings. */
void sp_error_clear(sp_error *err);

/* Fills `err` (if not NULL) and returns `status`, so a failing function can
 * `return sp_error_set(err, SP_ERR_RANGE, file, line, field, "...", ...)`.
 * `file` and `field` may be NULL. Strings are truncated to fit. */
sp_status sp_error_set(sp_error *err, sp_status status, const char *file,
                       int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif /* SP_STATUS_H */
