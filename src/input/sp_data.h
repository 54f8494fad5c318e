/*
 * sp_data: historical observations from a tidy CSV file (the files of data/).
 *
 * One row per published figure:
 *
 *   region,indicator,year,value,measure,source[,basis][,vintage][,note]
 *
 * in any column order, named by a header line. `measure` is "growth" (the
 * annual rate of change as a fraction, X[t]/X[t-1] - 1) or "level" (in the
 * indicator's unit; shares as fractions). `source` names the published
 * document and where it was found; `basis` the accounting basis where it
 * changed; `vintage` tells a first release from a revision ("first",
 * "revised", or any other word), so that both can be kept as rows.
 *
 * The reader is RFC 4180: fields in double quotes may hold commas, doubled
 * quotes and line breaks; lines may end in LF or CRLF; a UTF-8 byte-order
 * mark is skipped. It refuses, with FILE:LINE and the column name: a
 * missing or unknown column, a missing required value, a row with too few
 * or too many fields, a year outside SP_MIN_YEAR..SP_MAX_YEAR, a value that
 * is not a finite number, a growth rate at or below -1, an unknown
 * measure, a NUL byte or text that is not UTF-8, and two rows with the same
 * (region, indicator, year, measure, vintage).
 */
#ifndef SP_DATA_H
#define SP_DATA_H

#include <stddef.h>

#include "sp_csv.h"
#include "sp_status.h"

#define SP_DATA_MAX_BYTES SP_CSV_MAX_BYTES /* largest file read */
#define SP_DATA_MAX_FIELD SP_CSV_MAX_FIELD /* bytes of one field */

typedef enum { SP_DATA_GROWTH, SP_DATA_LEVEL } sp_data_measure;

/* One published figure. Strings are owned by the data set; optional ones
 * are "" when the column is absent or empty. */
typedef struct {
    const char *region;      /* e.g. "inner_mongolia" */
    const char *indicator;   /* an indicator name of a scenario */
    int year;                /* calendar year the figure is for */
    double value;            /* finite; growth > -1 */
    sp_data_measure measure; /* growth or level */
    const char *source;      /* the published document, where found */
    const char *basis;       /* accounting basis, or "" */
    const char *vintage;     /* "first", "revised", ..., or "" */
    const char *note;        /* free text, or "" */
    int line;                /* line of the row in the file */
} sp_data_row;

/* A loaded file: rows in file order. Plain data. */
typedef struct {
    char *file; /* path as given */
    size_t n_rows;
    sp_data_row *rows; /* [n_rows] */
    char *strings;     /* storage of every string of the rows */
} sp_data;

/* Reads `path` into `d` (zeroed by the caller). On failure `d` is left
 * empty and `err` names the file, line and column: SP_ERR_IO if the file
 * cannot be read, SP_ERR_LIMIT if it is larger than SP_DATA_MAX_BYTES,
 * a data status (exit code 2) for its content, SP_ERR_NOMEM. */
sp_status sp_data_load(const char *path, sp_data *d, sp_error *err);

/* The same from `len` bytes already in memory; `name` is used in
 * messages. */
sp_status sp_data_parse(const char *name, const char *text, size_t len,
                        sp_data *d, sp_error *err);

/* Frees what `d` holds and zeroes it; safe on a zeroed data set. */
void sp_data_destroy(sp_data *d);

/* "growth" or "level". */
const char *sp_data_measure_name(sp_data_measure m);

#endif /* SP_DATA_H */
