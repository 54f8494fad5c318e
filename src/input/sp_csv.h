/*
 * sp_csv: the RFC 4180 core shared by the readers of the data files
 * (sp_data: observations; sp_plans: plan targets and outcomes).
 *
 * A table is read whole from memory: a UTF-8 byte-order mark is skipped,
 * the text is checked for NUL bytes and UTF-8, the header is mapped onto a
 * schema (columns in any order; the first n_required columns must be
 * present), and records are then read one by one. Fields in double quotes
 * may hold commas, doubled quotes and line breaks; lines end in LF or
 * CRLF; empty lines between records are skipped. Field text lives in one
 * arena allocated once, large enough for every field of the file because
 * an unescaped field is never longer than its raw text.
 */
#ifndef SP_CSV_H
#define SP_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "sp_status.h"

#define SP_CSV_MAX_COLUMNS 16
#define SP_CSV_MAX_FIELD   4096               /* bytes of one field */
#define SP_CSV_MAX_BYTES   ((size_t)64 << 20) /* largest file read */

/* The columns a table may have: names[0 .. n_required) must be present. */
typedef struct {
    const char *const *names;
    int n;
    int n_required;
} sp_csv_schema;

typedef struct {
    const char *name; /* file name for messages */
    const char *p;    /* next byte */
    const char *end;
    int line;    /* line of *p */
    char *arena; /* next free byte of the string arena */
    const sp_csv_schema *schema;
    int col_of[SP_CSV_MAX_COLUMNS]; /* field index of each column, or -1 */
    size_t n_header;                /* fields of the header */
} sp_csv_reader;

/* One record's fields mapped onto the schema's columns: an absent optional
 * column is "". */
typedef struct {
    char *column[SP_CSV_MAX_COLUMNS];
    int line; /* line the record starts on */
} sp_csv_row;

/* Starts reading `len` bytes of `text` (file `name`): checks the encoding,
 * allocates the string arena into *strings (the caller frees it) and reads
 * the header against `schema`. Errors name the file and line (and the
 * column where there is one): SP_ERR_SYNTAX, SP_ERR_MISSING (empty file or
 * a required column absent), SP_ERR_UNKNOWN_KEY, SP_ERR_DUPLICATE,
 * SP_ERR_NOMEM. */
sp_status sp_csv_begin(sp_csv_reader *r, const char *name, const char *text,
                       size_t len, const sp_csv_schema *schema, char **strings,
                       sp_error *err);

/* Reads the next record into *row. Returns SP_OK with *got = false at the
 * end of the text. A record whose field count differs from the header's
 * and a required column left empty are errors. */
sp_status sp_csv_next(sp_csv_reader *r, sp_csv_row *row, bool *got,
                      sp_error *err);

/* Checks one record and stores it into `row`, a zeroed row of the
 * table (see sp_csv_read_table). */
typedef sp_status (*sp_csv_row_fn)(const sp_csv_reader *r, sp_csv_row *rec,
                                   void *row, sp_error *err);

/* A table of rows of one size, as its reader owns it. */
typedef struct {
    char *file; /* the name given */
    size_t n_rows;
    void *rows;    /* [n_rows] of row_size bytes, in file order */
    char *strings; /* the string arena every row points into */
} sp_csv_table;

/* Reads a whole table: sp_csv_begin, then every record through `fn` into
 * rows of `row_size` bytes. A header without rows is SP_ERR_MISSING. On
 * failure the table is left empty. */
sp_status sp_csv_read_table(const char *name, const char *text, size_t len,
                            const sp_csv_schema *schema, size_t row_size,
                            sp_csv_row_fn fn, sp_csv_table *t, sp_error *err);

void sp_csv_table_free(sp_csv_table *t);

/* Leading and trailing ASCII blanks removed in place. */
const char *sp_csv_trim(char *s);

/* A year in [lo, hi] / a finite number, from column `column`. */
sp_status sp_csv_year(const sp_csv_reader *r, int line, char *text,
                      const char *column, long lo, long hi, int *out,
                      sp_error *err);
sp_status sp_csv_number(const sp_csv_reader *r, int line, char *text,
                        const char *column, double *out, sp_error *err);

/* Reads file `path` (at most SP_CSV_MAX_BYTES) into a malloc'd buffer. */
sp_status sp_csv_read_file(const char *path, char **buf, size_t *len,
                           sp_error *err);

#endif /* SP_CSV_H */
