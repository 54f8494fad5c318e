/*
 * sp_data: the RFC 4180 reader of historical observations and its checks.
 *
 * The file is read whole (it is small: a few thousand published figures),
 * checked for NUL bytes and UTF-8, then cut into records. Unquoted field
 * text is used as it is; quoted fields are unescaped into one string
 * arena allocated once, which is large enough for every field of the file
 * because an unescaped field is never longer than its raw text.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_data.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_scenario.h"

/* The columns: the first six are required. */
enum {
    COL_REGION,
    COL_INDICATOR,
    COL_YEAR,
    COL_VALUE,
    COL_MEASURE,
    COL_SOURCE,
    COL_BASIS,
    COL_VINTAGE,
    COL_NOTE,
    N_COLUMNS
};
#define N_REQUIRED 6

static const char *const column_names[N_COLUMNS] = {
    "region", "indicator", "year",    "value", "measure",
    "source", "basis",     "vintage", "note"};

static const char *const measure_names[] = {"growth", "level"};

const char *sp_data_measure_name(sp_data_measure m)
{
    return measure_names[m == SP_DATA_LEVEL];
}

/* The reader's position in the text. */
typedef struct {
    const char *name; /* file name for messages */
    const char *p;    /* next byte */
    const char *end;
    int line;    /* line of *p */
    char *arena; /* next free byte of the string arena */
} reader;

/* One record's fields, pointing into the arena. */
typedef struct {
    char *field[N_COLUMNS + 1]; /* one spare to detect extra fields */
    size_t n;                   /* fields seen (may exceed the array) */
    int line;                   /* line the record starts on */
} record;

/* Checks that the text holds no NUL byte and is valid UTF-8; reports the
 * line of the first bad byte. */
static sp_status check_encoding(const char *name, const unsigned char *s,
                                size_t len, sp_error *err)
{
    int line = 1;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        size_t n = c < 0x80         ? 1
                   : (c >> 5) == 6  ? 2
                   : (c >> 4) == 14 ? 3
                   : (c >> 3) == 30 ? 4
                                    : 0;
        if (c == 0)
            return sp_error_set(err, SP_ERR_SYNTAX, name, line, NULL,
                                "the file holds a NUL byte: not a text file");
        bool ok = n > 0 && i + n <= len && !(n == 2 && c < 0xC2);
        for (size_t k = 1; ok && k < n; k++)
            ok = (s[i + k] & 0xC0) == 0x80;
        if (ok && n == 3) {
            unsigned v = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3Fu) << 6);
            ok = v >= 0x800 && (v < 0xD800 || v > 0xDFFF);
        } else if (ok && n == 4) {
            unsigned v = ((c & 0x07) << 18) | ((s[i + 1] & 0x3Fu) << 12);
            ok = v >= 0x10000 && v <= 0x10FFFF;
        }
        if (!ok)
            return sp_error_set(err, SP_ERR_SYNTAX, name, line, NULL,
                                "the text is not valid UTF-8 (byte 0x%02X)", c);
        line += c == '\n';
        i += n;
    }
    return SP_OK;
}

/* Reads one field into the arena; stops at the comma, line end or end of
 * text that follows it (not consumed). */
static sp_status read_field(reader *r, char **out, sp_error *err)
{
    char *dst = r->arena;
    *out = dst;
    if (r->p < r->end && *r->p == '"') {
        int open_line = r->line;
        r->p++;
        for (;;) {
            if (r->p >= r->end)
                return sp_error_set(err, SP_ERR_SYNTAX, r->name, open_line,
                                    NULL, "a quoted field is not closed");
            char c = *r->p++;
            if (c == '"' && r->p < r->end && *r->p == '"') {
                r->p++;
            } else if (c == '"') {
                break;
            }
            r->line += c == '\n';
            *dst++ = c;
            if ((size_t)(dst - *out) > SP_DATA_MAX_FIELD)
                return sp_error_set(err, SP_ERR_LIMIT, r->name, open_line, NULL,
                                    "a field is longer than %d bytes",
                                    SP_DATA_MAX_FIELD);
        }
        if (r->p < r->end && *r->p != ',' && *r->p != '\n' &&
            !(*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n'))
            return sp_error_set(err, SP_ERR_SYNTAX, r->name, r->line, NULL,
                                "text after the closing quote of a field");
    } else {
        while (r->p < r->end && *r->p != ',' && *r->p != '\n') {
            if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
                break;
            if (*r->p == '"')
                return sp_error_set(err, SP_ERR_SYNTAX, r->name, r->line, NULL,
                                    "a quote inside an unquoted field "
                                    "(quote the whole field and double the "
                                    "quote)");
            *dst++ = *r->p++;
            if ((size_t)(dst - *out) > SP_DATA_MAX_FIELD)
                return sp_error_set(err, SP_ERR_LIMIT, r->name, r->line, NULL,
                                    "a field is longer than %d bytes",
                                    SP_DATA_MAX_FIELD);
        }
    }
    *dst++ = '\0';
    r->arena = dst;
    return SP_OK;
}

/* Reads the record at r->p (which is at a line start) up to and including
 * its line end. */
static sp_status read_record(reader *r, record *rec, sp_error *err)
{
    rec->n = 0;
    rec->line = r->line;
    for (;;) {
        char *f;
        sp_status st = read_field(r, &f, err);
        if (st != SP_OK)
            return st;
        if (rec->n < N_COLUMNS + 1)
            rec->field[rec->n] = f;
        rec->n++;
        if (r->p >= r->end)
            return SP_OK;
        char c = *r->p++;
        if (c == ',')
            continue;
        if (c == '\r')
            r->p++; /* read_field stopped at "\r\n" */
        r->line++;
        return SP_OK;
    }
}

/* True at an empty line (skipped between records). */
static bool at_blank_line(const reader *r)
{
    return *r->p == '\n' ||
           (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n');
}

/* Maps the header's fields to columns: col_of[k] is the field index of
 * column k, or -1 when an optional column is absent. */
static sp_status read_header(const reader *r, const record *h, int *col_of,
                             sp_error *err)
{
    for (int k = 0; k < N_COLUMNS; k++)
        col_of[k] = -1;
    if (h->n > N_COLUMNS)
        return sp_error_set(err, SP_ERR_UNKNOWN_KEY, r->name, h->line, NULL,
                            "the header has %zu columns; the columns are "
                            "region, indicator, year, value, measure, source "
                            "and optionally basis, vintage, note",
                            h->n);
    for (size_t j = 0; j < h->n; j++) {
        int k = 0;
        while (k < N_COLUMNS && strcmp(h->field[j], column_names[k]) != 0)
            k++;
        if (k == N_COLUMNS)
            return sp_error_set(err, SP_ERR_UNKNOWN_KEY, r->name, h->line,
                                h->field[j],
                                "unknown column; allowed: "
                                "region, indicator, year, value, measure, "
                                "source, basis, vintage, note");
        if (col_of[k] >= 0)
            return sp_error_set(err, SP_ERR_DUPLICATE, r->name, h->line,
                                h->field[j],
                                "the column appears twice in "
                                "the header");
        col_of[k] = (int)j;
    }
    for (int k = 0; k < N_REQUIRED; k++)
        if (col_of[k] < 0)
            return sp_error_set(err, SP_ERR_MISSING, r->name, h->line,
                                column_names[k],
                                "the header has no '%s' "
                                "column (the first line must name the "
                                "columns)",
                                column_names[k]);
    return SP_OK;
}

/* Leading and trailing ASCII blanks of a numeric field do not matter. */
static const char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static sp_status parse_year(const reader *r, int line, char *text, int *year,
                            sp_error *err)
{
    const char *s = trim(text);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0)
        return sp_error_set(err, SP_ERR_TYPE, r->name, line, "year",
                            "'%s' is not a whole year", s);
    if (v < SP_MIN_YEAR || v > SP_MAX_YEAR)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, "year",
                            "the year must be between %d and %d, got %ld",
                            SP_MIN_YEAR, SP_MAX_YEAR, v);
    *year = (int)v;
    return SP_OK;
}

static sp_status parse_value(const reader *r, int line, char *text,
                             double *value, sp_error *err)
{
    const char *s = trim(text);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || end == s || strpbrk(s, "xX") != NULL)
        return sp_error_set(err, SP_ERR_TYPE, r->name, line, "value",
                            "'%s' is not a number", s);
    if (*end == '%')
        return sp_error_set(err, SP_ERR_TYPE, r->name, line, "value",
                            "'%s': write percentages as fractions "
                            "(5.2 %% is 0.052)",
                            s);
    if (*end != '\0')
        return sp_error_set(err, SP_ERR_TYPE, r->name, line, "value",
                            "'%s' is not a number", s);
    if (!isfinite(v) || errno == ERANGE)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, "value",
                            "'%s' is not a finite number", s);
    *value = v;
    return SP_OK;
}

/* Checks and stores one data record as a row. */
static sp_status make_row(const reader *r, const record *rec, const int *col_of,
                          size_t n_header, sp_data_row *row, sp_error *err)
{
    if (rec->n != n_header)
        return sp_error_set(err, SP_ERR_SYNTAX, r->name, rec->line, NULL,
                            "the row has %zu fields, the header %zu", rec->n,
                            n_header);
    static char none[1]; /* an absent optional column */
    char *f[N_COLUMNS];
    for (int k = 0; k < N_COLUMNS; k++)
        f[k] = col_of[k] >= 0 ? rec->field[col_of[k]] : none;
    for (int k = 0; k < N_REQUIRED; k++)
        if (*trim(f[k]) == '\0')
            return sp_error_set(err, SP_ERR_MISSING, r->name, rec->line,
                                column_names[k], "the %s is empty",
                                column_names[k]);
    row->line = rec->line;
    row->region = f[COL_REGION];
    row->indicator = f[COL_INDICATOR];
    row->source = f[COL_SOURCE];
    row->basis = f[COL_BASIS];
    row->vintage = f[COL_VINTAGE];
    row->note = f[COL_NOTE];
    const char *m = trim(f[COL_MEASURE]);
    if (strcmp(m, "growth") == 0)
        row->measure = SP_DATA_GROWTH;
    else if (strcmp(m, "level") == 0)
        row->measure = SP_DATA_LEVEL;
    else
        return sp_error_set(err, SP_ERR_RANGE, r->name, rec->line, "measure",
                            "unknown measure '%s'; allowed: growth, level", m);
    sp_status st = parse_year(r, rec->line, f[COL_YEAR], &row->year, err);
    if (st == SP_OK)
        st = parse_value(r, rec->line, f[COL_VALUE], &row->value, err);
    if (st == SP_OK && row->measure == SP_DATA_GROWTH && row->value <= -1.0)
        return sp_error_set(err, SP_ERR_RANGE, r->name, rec->line, "value",
                            "a growth rate is a fraction above -1, got %g "
                            "(write 5.2 %% as 0.052)",
                            row->value);
    return st;
}

/* Orders rows by (region, indicator, year, measure, vintage), then line. */
static int by_key(const void *a, const void *b)
{
    const sp_data_row *x = *(const sp_data_row *const *)a;
    const sp_data_row *y = *(const sp_data_row *const *)b;
    int c = strcmp(x->region, y->region);
    if (c == 0)
        c = strcmp(x->indicator, y->indicator);
    if (c == 0)
        c = (x->year > y->year) - (x->year < y->year);
    if (c == 0)
        c = (int)x->measure - (int)y->measure;
    if (c == 0)
        c = strcmp(x->vintage, y->vintage);
    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* Refuses two rows with one key, naming the later one's line. */
static sp_status check_duplicates(const sp_data *d, sp_error *err)
{
    if (d->n_rows < 2)
        return SP_OK;
    const sp_data_row **idx = malloc(d->n_rows * sizeof *idx);
    if (idx == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, d->file, 0, NULL,
                            "out of memory for the data rows");
    for (size_t i = 0; i < d->n_rows; i++)
        idx[i] = &d->rows[i];
    qsort(idx, d->n_rows, sizeof *idx, by_key);
    sp_status st = SP_OK;
    for (size_t i = 1; i < d->n_rows && st == SP_OK; i++) {
        const sp_data_row *x = idx[i - 1], *y = idx[i];
        if (strcmp(x->region, y->region) == 0 &&
            strcmp(x->indicator, y->indicator) == 0 && x->year == y->year &&
            x->measure == y->measure && strcmp(x->vintage, y->vintage) == 0)
            st = sp_error_set(
                err, SP_ERR_DUPLICATE, d->file, y->line, "vintage",
                "a second row for %s %s %d %s%s%s "
                "(the first is line %d); give revisions their "
                "own vintage",
                y->region, y->indicator, y->year,
                sp_data_measure_name(y->measure),
                y->vintage[0] ? " vintage " : "", y->vintage, x->line);
    }
    free(idx);
    return st;
}

/* Appends a zeroed row, growing the array by doubling. */
static sp_data_row *add_row(sp_data *d, size_t *cap)
{
    if (d->n_rows == *cap) {
        size_t n = *cap ? 2 * *cap : 64;
        sp_data_row *rows = realloc(d->rows, n * sizeof *rows);
        if (rows == NULL)
            return NULL;
        d->rows = rows;
        *cap = n;
    }
    sp_data_row *row = &d->rows[d->n_rows++];
    memset(row, 0, sizeof *row);
    return row;
}

/* Reads every record after the header into rows. */
static sp_status read_rows(reader *r, const int *col_of, size_t n_header,
                           sp_data *d, sp_error *err)
{
    size_t cap = 0;
    record rec;
    while (r->p < r->end) {
        if (at_blank_line(r)) {
            r->p += *r->p == '\r' ? 2 : 1;
            r->line++;
            continue;
        }
        sp_status st = read_record(r, &rec, err);
        if (st != SP_OK)
            return st;
        sp_data_row *row = add_row(d, &cap);
        if (row == NULL)
            return sp_error_set(err, SP_ERR_NOMEM, r->name, rec.line, NULL,
                                "out of memory for the data rows");
        st = make_row(r, &rec, col_of, n_header, row, err);
        if (st != SP_OK)
            return st;
    }
    if (d->n_rows == 0)
        return sp_error_set(err, SP_ERR_MISSING, r->name, r->line, NULL,
                            "the file has a header but no rows");
    return SP_OK;
}

sp_status sp_data_parse(const char *name, const char *text, size_t len,
                        sp_data *d, sp_error *err)
{
    memset(d, 0, sizeof *d);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    sp_status st = check_encoding(name, (const unsigned char *)text, len, err);
    if (st != SP_OK)
        return st;
    size_t name_len = strlen(name) + 1;
    d->file = malloc(name_len);
    /* An unescaped field is no longer than its raw text, plus its NUL:
     * 2 len + 2 bytes hold every field of the file. */
    d->strings = malloc(2 * len + 2);
    if (d->file == NULL || d->strings == NULL) {
        sp_data_destroy(d);
        return sp_error_set(err, SP_ERR_NOMEM, name, 0, NULL,
                            "out of memory for the data file");
    }
    memcpy(d->file, name, name_len);
    reader r = {name, text, text + len, 1, d->strings};
    while (r.p < r.end && at_blank_line(&r)) {
        r.p += *r.p == '\r' ? 2 : 1;
        r.line++;
    }
    if (r.p >= r.end) {
        sp_data_destroy(d);
        return sp_error_set(err, SP_ERR_MISSING, name, r.line, NULL,
                            "the file is empty; the first line must name "
                            "the columns region,indicator,year,value,"
                            "measure,source");
    }
    record header;
    int col_of[N_COLUMNS];
    st = read_record(&r, &header, err);
    if (st == SP_OK)
        st = read_header(&r, &header, col_of, err);
    if (st == SP_OK)
        st = read_rows(&r, col_of, header.n, d, err);
    if (st == SP_OK)
        st = check_duplicates(d, err);
    if (st != SP_OK)
        sp_data_destroy(d);
    return st;
}

/* Reads the whole stream into a malloc'd buffer, stopping after max + 1
 * bytes: *len > max tells that the stream is longer than max. */
static sp_status read_all(FILE *f, const char *path, size_t max, char **buf,
                          size_t *len, sp_error *err)
{
    size_t cap = max < 65536 ? max + 1 : 65536, n = 0;
    char *b = malloc(cap);
    if (b == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, path, 0, NULL,
                            "out of memory for the data file");
    for (;;) {
        if (n == cap) {
            if (cap > max)
                break;
            size_t c = cap > max / 2 ? max + 1 : 2 * cap;
            char *nb = realloc(b, c);
            if (nb == NULL) {
                free(b);
                return sp_error_set(err, SP_ERR_NOMEM, path, 0, NULL,
                                    "out of memory for the data file");
            }
            b = nb;
            cap = c;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0 && ferror(f)) {
            int e = errno;
            free(b);
            return sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                                "cannot read the data file: %s", strerror(e));
        }
        if (got == 0)
            break;
    }
    *buf = b;
    *len = n;
    return SP_OK;
}

sp_status sp_data_load(const char *path, sp_data *d, sp_error *err)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                            "cannot open the data file: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0;
    sp_status st = read_all(f, path, SP_DATA_MAX_BYTES, &buf, &len, err);
    fclose(f);
    if (st == SP_OK && len > SP_DATA_MAX_BYTES)
        st = sp_error_set(err, SP_ERR_LIMIT, path, 0, NULL,
                          "the data file is larger than %zu MiB",
                          SP_DATA_MAX_BYTES >> 20);
    else if (st == SP_OK)
        st = sp_data_parse(path, buf, len, d, err);
    free(buf);
    return st;
}

void sp_data_destroy(sp_data *d)
{
    free(d->file);
    free(d->rows);
    free(d->strings);
    memset(d, 0, sizeof *d);
}
