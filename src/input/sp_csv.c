/*
 * sp_csv: the RFC 4180 reader shared by the data-file readers.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef sp_csv_reader reader;

/* One raw record: fields in file order. */
typedef struct {
    char *field[SP_CSV_MAX_COLUMNS + 1]; /* one spare to detect extra fields */
    size_t n; /* fields seen (may exceed the array) */
    int line; /* line the record starts on */
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
            if ((size_t)(dst - *out) > SP_CSV_MAX_FIELD)
                return sp_error_set(err, SP_ERR_LIMIT, r->name, open_line, NULL,
                                    "a field is longer than %d bytes",
                                    SP_CSV_MAX_FIELD);
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
            if ((size_t)(dst - *out) > SP_CSV_MAX_FIELD)
                return sp_error_set(err, SP_ERR_LIMIT, r->name, r->line, NULL,
                                    "a field is longer than %d bytes",
                                    SP_CSV_MAX_FIELD);
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
        if (rec->n < SP_CSV_MAX_COLUMNS + 1)
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

/* Skips empty lines; false at the end of the text. */
static bool skip_blank_lines(reader *r)
{
    while (r->p < r->end &&
           (*r->p == '\n' ||
            (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n'))) {
        r->p += *r->p == '\r' ? 2 : 1;
        r->line++;
    }
    return r->p < r->end;
}

/* "a, b, c and optionally d, e" (optional = true) or "a, b, c, d, e". */
static void column_list(const sp_csv_schema *s, bool optional, char *buf,
                        size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < s->n; k++) {
        const char *sep = k == 0                           ? ""
                          : optional && k == s->n_required ? " and optionally "
                                                           : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", sep, s->names[k]);
        if (w < 0 || (size_t)w >= size - used)
            return;
        used += (size_t)w;
    }
}

/* Maps the header's fields to columns. */
static sp_status read_header(reader *r, const record *h, sp_error *err)
{
    const sp_csv_schema *s = r->schema;
    char list[512];
    for (int k = 0; k < s->n; k++)
        r->col_of[k] = -1;
    r->n_header = h->n;
    if (h->n > (size_t)s->n) {
        column_list(s, true, list, sizeof list);
        return sp_error_set(err, SP_ERR_UNKNOWN_KEY, r->name, h->line, NULL,
                            "the header has %zu columns; the columns are %s",
                            h->n, list);
    }
    for (size_t j = 0; j < h->n; j++) {
        int k = 0;
        while (k < s->n && strcmp(h->field[j], s->names[k]) != 0)
            k++;
        if (k == s->n) {
            column_list(s, false, list, sizeof list);
            return sp_error_set(err, SP_ERR_UNKNOWN_KEY, r->name, h->line,
                                h->field[j], "unknown column; allowed: %s",
                                list);
        }
        if (r->col_of[k] >= 0)
            return sp_error_set(err, SP_ERR_DUPLICATE, r->name, h->line,
                                h->field[j],
                                "the column appears twice in the header");
        r->col_of[k] = (int)j;
    }
    for (int k = 0; k < s->n_required; k++)
        if (r->col_of[k] < 0)
            return sp_error_set(err, SP_ERR_MISSING, r->name, h->line,
                                s->names[k],
                                "the header has no '%s' column (the first "
                                "line must name the columns)",
                                s->names[k]);
    return SP_OK;
}

sp_status sp_csv_begin(sp_csv_reader *r, const char *name, const char *text,
                       size_t len, const sp_csv_schema *schema, char **strings,
                       sp_error *err)
{
    *strings = NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    sp_status st = check_encoding(name, (const unsigned char *)text, len, err);
    if (st != SP_OK)
        return st;
    /* An unescaped field is no longer than its raw text, plus its NUL:
     * 2 len + 2 bytes hold every field of the file. */
    *strings = malloc(2 * len + 2);
    if (*strings == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, name, 0, NULL,
                            "out of memory for the data file");
    *r = (reader){.name = name,
                  .p = text,
                  .end = text + len,
                  .line = 1,
                  .arena = *strings,
                  .schema = schema};
    if (!skip_blank_lines(r)) {
        char list[512];
        column_list(schema, true, list, sizeof list);
        return sp_error_set(err, SP_ERR_MISSING, name, r->line, NULL,
                            "the file is empty; the first line must name "
                            "the columns %s",
                            list);
    }
    record header;
    st = read_record(r, &header, err);
    return st == SP_OK ? read_header(r, &header, err) : st;
}

sp_status sp_csv_next(sp_csv_reader *r, sp_csv_row *row, bool *got,
                      sp_error *err)
{
    *got = false;
    if (!skip_blank_lines(r))
        return SP_OK;
    record rec;
    sp_status st = read_record(r, &rec, err);
    if (st != SP_OK)
        return st;
    if (rec.n != r->n_header)
        return sp_error_set(err, SP_ERR_SYNTAX, r->name, rec.line, NULL,
                            "the row has %zu fields, the header %zu", rec.n,
                            r->n_header);
    static char none[1]; /* an absent optional column */
    const sp_csv_schema *s = r->schema;
    row->line = rec.line;
    for (int k = 0; k < s->n; k++)
        row->column[k] = r->col_of[k] >= 0 ? rec.field[r->col_of[k]] : none;
    for (int k = 0; k < s->n_required; k++)
        if (*sp_csv_trim(row->column[k]) == '\0')
            return sp_error_set(err, SP_ERR_MISSING, r->name, rec.line,
                                s->names[k], "the %s is empty", s->names[k]);
    *got = true;
    return SP_OK;
}

sp_status sp_csv_read_table(const char *name, const char *text, size_t len,
                            const sp_csv_schema *schema, size_t row_size,
                            sp_csv_row_fn fn, sp_csv_table *t, sp_error *err)
{
    memset(t, 0, sizeof *t);
    sp_csv_reader r;
    size_t name_len = strlen(name) + 1, cap = 0;
    sp_status st = sp_csv_begin(&r, name, text, len, schema, &t->strings, err);
    if (st == SP_OK && (t->file = malloc(name_len)) == NULL)
        st = sp_error_set(err, SP_ERR_NOMEM, name, 0, NULL,
                          "out of memory for the data file");
    if (st == SP_OK)
        memcpy(t->file, name, name_len);
    while (st == SP_OK) {
        sp_csv_row rec;
        bool got;
        st = sp_csv_next(&r, &rec, &got, err);
        if (st != SP_OK || !got)
            break;
        if (t->n_rows == cap) {
            size_t n = cap ? 2 * cap : 64;
            void *rows = realloc(t->rows, n * row_size);
            if (rows == NULL) {
                st = sp_error_set(err, SP_ERR_NOMEM, name, rec.line, NULL,
                                  "out of memory for the data rows");
                break;
            }
            t->rows = rows;
            cap = n;
        }
        void *row = (char *)t->rows + t->n_rows++ * row_size;
        memset(row, 0, row_size);
        st = fn(&r, &rec, row, err);
    }
    if (st == SP_OK && t->n_rows == 0)
        st = sp_error_set(err, SP_ERR_MISSING, name, r.line, NULL,
                          "the file has a header but no rows");
    if (st != SP_OK)
        sp_csv_table_free(t);
    return st;
}

void sp_csv_table_free(sp_csv_table *t)
{
    free(t->file);
    free(t->rows);
    free(t->strings);
    memset(t, 0, sizeof *t);
}

/* Leading and trailing ASCII blanks of a numeric field do not matter. */
const char *sp_csv_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

sp_status sp_csv_year(const sp_csv_reader *r, int line, char *text,
                      const char *column, long lo, long hi, int *out,
                      sp_error *err)
{
    const char *s = sp_csv_trim(text);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0)
        return sp_error_set(err, SP_ERR_TYPE, r->name, line, column,
                            "'%s' is not a whole year", s);
    if (v < lo || v > hi)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, column,
                            "the year must be between %ld and %ld, got %ld", lo,
                            hi, v);
    *out = (int)v;
    return SP_OK;
}

sp_status sp_csv_number(const sp_csv_reader *r, int line, char *text,
                        const char *column, double *out, sp_error *err)
{
    const char *s = sp_csv_trim(text);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || end == s || strpbrk(s, "xX") != NULL)
        return sp_error_set(err, SP_ERR_TYPE, r->name, line, column,
                            "'%s' is not a number", s);
    if (*end == '%')
        return sp_error_set(err, SP_ERR_TYPE, r->name, line, column,
                            "'%s': write percentages as fractions "
                            "(5.2 %% is 0.052)",
                            s);
    if (*end != '\0')
        return sp_error_set(err, SP_ERR_TYPE, r->name, line, column,
                            "'%s' is not a number", s);
    if (!isfinite(v) || errno == ERANGE)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, column,
                            "'%s' is not a finite number", s);
    *out = v;
    return SP_OK;
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

sp_status sp_csv_read_file(const char *path, char **buf, size_t *len,
                           sp_error *err)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                            "cannot open the data file: %s", strerror(errno));
    sp_status st = read_all(f, path, SP_CSV_MAX_BYTES, buf, len, err);
    fclose(f);
    if (st == SP_OK && *len > SP_CSV_MAX_BYTES) {
        free(*buf);
        *buf = NULL;
        st = sp_error_set(err, SP_ERR_LIMIT, path, 0, NULL,
                          "the data file is larger than %zu MiB",
                          SP_CSV_MAX_BYTES >> 20);
    }
    return st;
}
