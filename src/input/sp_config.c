/*
 * sp_config: the libconfig scenario loader and its field-by-field checks.
 *
 * Each section has a reader that takes the libconfig setting and the field
 * path of that setting, checks its keys against the allowed list, reads the
 * values with typed getters that report file:line and field on failure, and
 * checks ranges. Cross-references are checked after all sections are read.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_config.h"

#include "sp_digest.h"
#include "sp_lever.h"
#include "sp_rng.h"
#include "sp_score.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An integer literal too wide for libconfig 1.5, which reads integers
 * without an L suffix through a 32-bit int: `value` is what it reads. */
typedef struct {
    int line;
    long long value;
} wide_int;

#define MAX_WIDE_INTS  64
#define MAX_FILE_BYTES (16u << 20) /* scenario files are text, 16 MiB max */

/* Loader context: the file name for messages and the caller's error. */
typedef struct {
    const char *file;
    sp_error *err;
    int n_lines; /* lines in the file, where a missing section would go */
    size_t n_wide;
    wide_int wide[MAX_WIDE_INTS];
} loader;

#define FIELD_MAX 160

static int line_of(const config_setting_t *s)
{
    return s ? (int)config_setting_source_line(s) : 0;
}

static sp_status fail(const loader *L, sp_status status,
                      const config_setting_t *at, const char *field,
                      const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static sp_status fail(const loader *L, sp_status status,
                      const config_setting_t *at, const char *field,
                      const char *fmt, ...)
{
    char msg[sizeof L->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sp_error_set(L->err, status, L->file, line_of(at), field, "%s", msg);
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static sp_status nomem(const loader *L)
{
    return sp_error_set(L->err, SP_ERR_NOMEM, L->file, 0, NULL,
                        "out of memory while reading the scenario");
}

/* True when `s` is well-formed UTF-8 (no overlongs, no surrogates). */
static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xE  ? 2
                : (c >> 3) == 0x1E ? 3
                                   : -1;
        if (n < 0 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4))
            return false;
        for (int k = 1; k <= n; k++)
            if ((p[k] & 0xC0) != 0x80)
                return false;
        if (n == 2 &&
            ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)))
            return false;
        if (n == 3 &&
            ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)))
            return false;
        p += n + 1;
    }
    return true;
}

static bool is_identifier(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* ---- keys ---------------------------------------------------------------- */

static bool in_list(const char *name, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(name, *allowed) == 0)
            return true;
    return false;
}

static void join_list(char *buf, size_t size, const char *const *allowed)
{
    buf[0] = '\0';
    for (size_t used = 0; *allowed; allowed++) {
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                         *allowed);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

/* Fails on the first member of group `g` that is not in `allowed`. */
static sp_status check_keys(const loader *L, const config_setting_t *g,
                            const char *path, const char *const *allowed)
{
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        if (name == NULL || in_list(name, allowed))
            continue;
        char list[256], field[FIELD_MAX];
        join_list(list, sizeof list, allowed);
        snprintf(field, sizeof field, "%s%s%s", path, *path ? "." : "", name);
        return fail(L, SP_ERR_UNKNOWN_KEY, m, field,
                    "unknown field '%s'; allowed here: %s", name, list);
    }
    return SP_OK;
}

/* ---- typed getters --------------------------------------------------------- */

static void member_path(char *buf, const char *path, const char *key)
{
    snprintf(buf, FIELD_MAX, "%s%s%s", path, *path ? "." : "", key);
}

/* Member `key` of `g`; fails with SP_ERR_MISSING when required and absent.
 * *out is NULL when optional and absent. */
static sp_status member(const loader *L, const config_setting_t *g,
                        const char *path, const char *key, bool required,
                        config_setting_t **out)
{
    *out = config_setting_get_member(g, key);
    if (*out == NULL && required) {
        char field[FIELD_MAX];
        member_path(field, path, key);
        if (config_setting_parent(g) == NULL)
            return sp_error_set(L->err, SP_ERR_MISSING, L->file, L->n_lines,
                                field,
                                "required section '%s' is missing "
                                "from the file",
                                key);
        return fail(L, SP_ERR_MISSING, g, field,
                    "required field '%s' is missing", key);
    }
    return SP_OK;
}

/* Fails if `s` is an integer that libconfig read wrapped to 32 bits. */
static sp_status check_wide(const loader *L, const config_setting_t *s,
                            const char *field)
{
    int type = config_setting_type(s);
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
        return SP_OK;
    long long v = config_setting_get_int64(s);
    for (size_t k = 0; k < L->n_wide; k++) {
        if (L->wide[k].line != line_of(s) || L->wide[k].value != v)
            continue;
        if (type == CONFIG_TYPE_INT64)
            return fail(L, SP_ERR_RANGE, s, field,
                        "this integer does not fit in 64 bits and would be "
                        "read as %lld",
                        v);
        return fail(L, SP_ERR_RANGE, s, field,
                    "this integer does not fit in 32 bits and would be read "
                    "as %lld; write it as a float (1e12) or with an L suffix "
                    "(1000000000000L)",
                    v);
    }
    return SP_OK;
}

static sp_status to_double(const loader *L, const config_setting_t *s,
                           const char *field, double *out)
{
    sp_status st = check_wide(L, s, field);
    if (st != SP_OK)
        return st;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        *out = (double)config_setting_get_int64(s);
        return SP_OK;
    case CONFIG_TYPE_FLOAT:
        *out = config_setting_get_float(s);
        if (!isfinite(*out))
            return fail(L, SP_ERR_RANGE, s, field, "must be a finite number");
        return SP_OK;
    default:
        return fail(L, SP_ERR_TYPE, s, field, "expected a number");
    }
}

static sp_status to_int(const loader *L, const config_setting_t *s,
                        const char *field, long long lo, long long hi,
                        long long *out)
{
    sp_status st = check_wide(L, s, field);
    if (st != SP_OK)
        return st;
    int type = config_setting_type(s);
    if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
        *out = config_setting_get_int64(s);
    } else if (type == CONFIG_TYPE_FLOAT) {
        /* Accept integral floats such as 1e6; reject 2.5. */
        double v = config_setting_get_float(s);
        if (!(v == floor(v)) || !(fabs(v) < 9.0e15))
            return fail(L, SP_ERR_TYPE, s, field, "expected an integer, got %g",
                        v);
        *out = (long long)v;
    } else {
        return fail(L, SP_ERR_TYPE, s, field, "expected an integer");
    }
    if (*out < lo || *out > hi)
        return fail(L, SP_ERR_RANGE, s, field,
                    "must be between %lld and %lld, got %lld", lo, hi, *out);
    return SP_OK;
}

static sp_status to_string(const loader *L, const config_setting_t *s,
                           const char *field, size_t max_len, char **out)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return fail(L, SP_ERR_TYPE, s, field, "expected a string in quotes");
    const char *v = config_setting_get_string(s);
    if (!utf8_valid(v))
        return fail(L, SP_ERR_TYPE, s, field, "text is not valid UTF-8");
    if (strlen(v) > max_len)
        return fail(L, SP_ERR_LIMIT, s, field,
                    "text is longer than %zu characters", max_len);
    *out = xstrdup(v);
    return *out ? SP_OK : nomem(L);
}

static sp_status to_identifier(const loader *L, const config_setting_t *s,
                               const char *field, char **out)
{
    sp_status st = to_string(L, s, field, SP_MAX_NAME, out);
    if (st != SP_OK)
        return st;
    if (!is_identifier(*out))
        return fail(L, SP_ERR_RANGE, s, field,
                    "'%s' is not a valid name: use letters, digits and _, "
                    "not starting with a digit",
                    *out);
    return SP_OK;
}

/* Reads number `key` of group `g` into *out; absent optional keys keep *out. */
static sp_status get_double(const loader *L, const config_setting_t *g,
                            const char *path, const char *key, bool required,
                            double *out)
{
    config_setting_t *m;
    sp_status st = member(L, g, path, key, required, &m);
    if (st != SP_OK || m == NULL)
        return st;
    char field[FIELD_MAX];
    member_path(field, path, key);
    return to_double(L, m, field, out);
}

static sp_status get_int(const loader *L, const config_setting_t *g,
                         const char *path, const char *key, bool required,
                         long long lo, long long hi, long long *out)
{
    config_setting_t *m;
    sp_status st = member(L, g, path, key, required, &m);
    if (st != SP_OK || m == NULL)
        return st;
    char field[FIELD_MAX];
    member_path(field, path, key);
    return to_int(L, m, field, lo, hi, out);
}

static sp_status get_year(const loader *L, const config_setting_t *g,
                          const char *path, const char *key, int lo, int hi,
                          int *out)
{
    long long v = 0;
    sp_status st = get_int(L, g, path, key, true, lo, hi, &v);
    *out = (int)v;
    return st;
}

/* Reads string `key`; an absent optional key gives `dflt` (copied). */
static sp_status get_string(const loader *L, const config_setting_t *g,
                            const char *path, const char *key, const char *dflt,
                            size_t max_len, char **out)
{
    config_setting_t *m;
    sp_status st = member(L, g, path, key, dflt == NULL, &m);
    if (st != SP_OK)
        return st;
    if (m == NULL) {
        *out = xstrdup(dflt);
        return *out ? SP_OK : nomem(L);
    }
    char field[FIELD_MAX];
    member_path(field, path, key);
    return to_string(L, m, field, max_len, out);
}

static sp_status check_range(const loader *L, const config_setting_t *g,
                             const char *path, const char *key, double v,
                             double lo, double hi, bool open_lo, bool open_hi,
                             const char *what)
{
    bool ok = (open_lo ? v > lo : v >= lo) && (open_hi ? v < hi : v <= hi);
    if (ok)
        return SP_OK;
    char field[FIELD_MAX];
    member_path(field, path, key);
    config_setting_t *m = config_setting_get_member(g, key);
    return fail(L, SP_ERR_RANGE, m ? m : g, field, "%s, got %g", what, v);
}

/* "SUBJECT must be > 2 WHY" or "SUBJECT must lie in (-1, 1) WHY" for a
 * range of a descriptor table. */
static void range_what(char *buf, size_t size, const char *subject,
                       const sp_range *r, const char *why)
{
    char text[64];
    bool two_sided = sp_range_text(r, text, sizeof text);
    snprintf(buf, size, "%s must %s %s%s%s", subject, two_sided ? "lie" : "be",
             text, why && *why ? " " : "", why ? why : "");
}

/* check_range() with the range of a descriptor table. */
static sp_status check_table_range(const loader *L, const config_setting_t *g,
                                   const char *path, const char *key, double v,
                                   const sp_range *r, const char *subject,
                                   const char *why)
{
    if (sp_range_holds(r, v))
        return SP_OK;
    char what[200];
    range_what(what, sizeof what, subject, r, why);
    return check_range(L, g, path, key, v, r->lo, r->hi, r->lo_open, r->hi_open,
                       what);
}

/* Appends `name` to the list in buf (of `size` bytes), after `sep` unless
 * it is the first. */
static void append_name(char *buf, size_t size, const char *sep,
                        const char *name)
{
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%s", used ? sep : "", name);
}

/* A list (or array) setting of 1..max elements. */
static sp_status get_list(const loader *L, const config_setting_t *g,
                          const char *path, const char *key, bool required,
                          size_t max, config_setting_t **out)
{
    sp_status st = member(L, g, path, key, required, out);
    if (st != SP_OK || *out == NULL)
        return st;
    char field[FIELD_MAX];
    member_path(field, path, key);
    if (!config_setting_is_list(*out))
        return fail(L, SP_ERR_TYPE, *out, field,
                    "expected a list in parentheses: ( { ... }, { ... } )");
    int n = config_setting_length(*out);
    if (n < 1)
        return fail(L, SP_ERR_RANGE, *out, field, "the list is empty");
    if ((size_t)n > max)
        return fail(L, SP_ERR_LIMIT, *out, field,
                    "%d entries; at most %zu are allowed", n, max);
    return SP_OK;
}

static sp_status expect_group(const loader *L, const config_setting_t *s,
                              const char *field)
{
    if (config_setting_is_group(s))
        return SP_OK;
    return fail(L, SP_ERR_TYPE, s, field, "expected a group in braces { ... }");
}

/* ---- sections -------------------------------------------------------------- */

static sp_status read_header(const loader *L, config_setting_t *root,
                             sp_scenario *sc)
{
    static const char *const keys[] = {"name",      "description", "region",
                                       "base_year", "horizon",     NULL};
    config_setting_t *g;
    sp_status st = member(L, root, "", "scenario", true, &g);
    if (st == SP_OK)
        st = expect_group(L, g, "scenario");
    if (st == SP_OK)
        st = check_keys(L, g, "scenario", keys);
    if (st == SP_OK)
        st = get_string(L, g, "scenario", "name", NULL, 200, &sc->name);
    if (st == SP_OK)
        st = get_string(L, g, "scenario", "description", "", 4000,
                        &sc->description);
    if (st == SP_OK)
        st = get_string(L, g, "scenario", "region", "World", 200, &sc->region);
    if (st == SP_OK)
        st = get_year(L, g, "scenario", "base_year", SP_MIN_YEAR,
                      SP_MAX_YEAR - 1, &sc->base_year);
    if (st == SP_OK) {
        long long hi = sc->base_year + SP_MAX_STEPS;
        long long h = 0;
        st = get_int(L, g, "scenario", "horizon", true, sc->base_year + 1,
                     hi > SP_MAX_YEAR ? SP_MAX_YEAR : hi, &h);
        sc->horizon = (int)h;
    }
    return st;
}

static sp_status read_simulation(const loader *L, config_setting_t *root,
                                 sp_scenario *sc)
{
    static const char *const keys[] = {"draws", "seed", "rng", NULL};
    config_setting_t *g;
    sp_status st = member(L, root, "", "simulation", true, &g);
    if (st == SP_OK)
        st = expect_group(L, g, "simulation");
    if (st == SP_OK)
        st = check_keys(L, g, "simulation", keys);
    long long v = 0;
    if (st == SP_OK)
        st = get_int(L, g, "simulation", "draws", true, 1,
                     (long long)SP_MAX_DRAWS, &v);
    sc->draws = (uint64_t)v;
    if (st == SP_OK)
        st = get_int(L, g, "simulation", "seed", true, 0, INT64_MAX, &v);
    sc->seed = (uint64_t)v;
    if (st == SP_OK)
        st = get_string(L, g, "simulation", "rng", "", 64, &sc->rng);
    if (st == SP_OK && sc->rng[0] != '\0' && sp_rng_lookup(sc->rng) == NULL)
        st = fail(L, SP_ERR_RANGE, config_setting_get_member(g, "rng"),
                  "simulation.rng",
                  "unknown generator '%s'; use xoshiro256ss "
                  "or a GSL generator name such as taus2 or mt19937",
                  sc->rng);
    return st;
}

/* The keys of a `dist` group of family f: "family" and its parameters. */
static void dist_keys(const sp_family_info *f,
                      const char *keys[SP_FAMILY_MAX_PARAMS + 2])
{
    keys[0] = "family";
    for (size_t k = 0; k < f->n_params; k++)
        keys[k + 1] = f->params[k].name;
    keys[f->n_params + 1] = NULL;
}

static sp_status read_dist(const loader *L, config_setting_t *g,
                           const char *path, sp_marginal *m)
{
    char *family = NULL;
    sp_status st = expect_group(L, g, path);
    if (st == SP_OK)
        st = get_string(L, g, path, "family", NULL, 32, &family);
    if (st != SP_OK)
        return st;
    bool known = sp_family_parse(family, &m->family);
    free(family);
    if (!known) {
        char field[FIELD_MAX], list[256] = "";
        member_path(field, path, "family");
        for (size_t k = 0; k < sp_family_count(); k++)
            append_name(list, sizeof list, ", ", sp_family_name((sp_family)k));
        return fail(L, SP_ERR_RANGE, config_setting_get_member(g, "family"),
                    field, "unknown family; allowed: %s", list);
    }
    const sp_family_info *f = sp_family_info_of(m->family);
    const char *keys[SP_FAMILY_MAX_PARAMS + 2];
    dist_keys(f, keys);
    st = check_keys(L, g, path, keys);
    for (size_t k = 0; st == SP_OK && k < f->n_params; k++) {
        const sp_family_param *p = &f->params[k];
        double *v = sp_marginal_param(m, p);
        st = get_double(L, g, path, p->name, true, v);
        if (st == SP_OK)
            st = check_table_range(L, g, path, p->name, *v, &p->range, p->name,
                                   p->why);
    }
    return st;
}

static sp_status read_period(const loader *L, config_setting_t *g,
                             const char *path, const sp_scenario *sc,
                             sp_period_spec *p)
{
    static const char *const keys[] = {"from", "to",    "mean",
                                       "sd",   "sd_se", NULL};
    sp_status st = expect_group(L, g, path);
    if (st == SP_OK)
        st = check_keys(L, g, path, keys);
    if (st == SP_OK)
        st = get_year(L, g, path, "from", sc->base_year + 1, sc->horizon,
                      &p->from);
    if (st == SP_OK)
        st = get_year(L, g, path, "to", p->from, sc->horizon, &p->to);
    if (st == SP_OK)
        st = get_double(L, g, path, "mean", true, &p->mean);
    if (st == SP_OK)
        st = check_range(L, g, path, "mean", p->mean, -10.0, 10.0, false, false,
                         "mean must be between -10 and 10 (a yearly "
                         "rate of -1000 % to +1000 %, or share points)");
    if (st == SP_OK)
        st = get_double(L, g, path, "sd", true, &p->sd);
    if (st == SP_OK)
        st = check_range(L, g, path, "sd", p->sd, 0.0, 10.0, false, false,
                         "sd must be between 0 and 10");
    if (st == SP_OK)
        st = get_double(L, g, path, "sd_se", false, &p->sd_se);
    if (st == SP_OK)
        st = check_range(L, g, path, "sd_se", p->sd_se, 0.0, 10.0, false, false,
                         "sd_se must be between 0 and 10");
    p->line = line_of(g);
    return st;
}

/* Reads the path and checks that every projected year is covered once. */
static sp_status read_path(const loader *L, config_setting_t *g,
                           const char *path, const sp_scenario *sc,
                           sp_indicator_spec *ind)
{
    config_setting_t *list;
    sp_status st = get_list(L, g, path, "path", true, SP_MAX_STEPS, &list);
    if (st != SP_OK)
        return st;
    size_t n = (size_t)config_setting_length(list);
    ind->path = calloc(n, sizeof *ind->path);
    if (ind->path == NULL)
        return nomem(L);
    ind->n_path = n;
    int steps = sc->horizon - sc->base_year;
    int owner[SP_MAX_STEPS];
    for (int y = 0; y < steps; y++)
        owner[y] = -1;
    for (size_t k = 0; k < n && st == SP_OK; k++) {
        char field[FIELD_MAX];
        snprintf(field, sizeof field, "%s.path[%zu]", path, k);
        config_setting_t *pg = config_setting_get_elem(list, (unsigned)k);
        st = read_period(L, pg, field, sc, &ind->path[k]);
        for (int y = ind->path[k].from; st == SP_OK && y <= ind->path[k].to;
             y++) {
            int slot = y - sc->base_year - 1;
            if (owner[slot] >= 0)
                st = fail(L, SP_ERR_PERIODS, pg, field,
                          "year %d is already covered by path[%d]; periods "
                          "must not overlap",
                          y, owner[slot]);
            owner[slot] = (int)k;
        }
    }
    for (int y = 0; st == SP_OK && y < steps; y++) {
        if (owner[y] < 0) {
            char field[FIELD_MAX];
            member_path(field, path, "path");
            st = fail(L, SP_ERR_PERIODS, list, field,
                      "year %d is not covered; the periods must cover every "
                      "year from %d to %d exactly once",
                      sc->base_year + 1 + y, sc->base_year + 1, sc->horizon);
        }
    }
    return st;
}

static const char *const reserved_names[] = {"exp", "log", "sqrt",
                                             "min", "max", NULL};

/* scale = "linear" (default) or "logit": a share moved on the logit
 * scale never reaches 0 or 1, so it needs a base strictly inside. */
static sp_status read_scale(const loader *L, config_setting_t *g,
                            const char *path, sp_indicator_spec *ind)
{
    config_setting_t *m = config_setting_get_member(g, "scale");
    if (m == NULL)
        return SP_OK;
    char field[FIELD_MAX], *scale = NULL;
    member_path(field, path, "scale");
    sp_status st = get_string(L, g, path, "scale", NULL, 16, &scale);
    if (st == SP_OK && strcmp(scale, "logit") == 0) {
        if (ind->kind != SP_KIND_SHARE)
            st = fail(L, SP_ERR_RANGE, m, field,
                      "scale = \"logit\" is for share indicators");
        else if (!(ind->base > 0.0 && ind->base < 1.0))
            st = fail(L, SP_ERR_RANGE, m, field,
                      "a share on the logit scale needs a base strictly "
                      "between 0 and 1, got %g",
                      ind->base);
        ind->logit = st == SP_OK;
    } else if (st == SP_OK && strcmp(scale, "linear") != 0) {
        st = fail(L, SP_ERR_RANGE, m, field,
                  "unknown scale '%s'; allowed: linear, logit", scale);
    }
    free(scale);
    return st;
}

static sp_status read_stochastic(const loader *L, config_setting_t *g,
                                 const char *path, const sp_scenario *sc,
                                 sp_indicator_spec *ind)
{
    static const char *const keys[] = {
        "name",   "kind",      "unit",     "variable",    "description",
        "base",   "path",      "trend_sd", "trend_sd_se", "ar1",
        "ar1_se", "sd_factor", "dist",     "scale",       NULL};
    sp_status st = check_keys(L, g, path, keys);
    if (st == SP_OK)
        st = get_double(L, g, path, "base", true, &ind->base);
    if (st == SP_OK) {
        char subject[64];
        snprintf(subject, sizeof subject, "the base of a %s indicator",
                 sp_kind_name(ind->kind));
        st = check_table_range(L, g, path, "base", ind->base,
                               &sp_kind_info_of(ind->kind)->level, subject, "");
    }
    if (st == SP_OK)
        st = read_path(L, g, path, sc, ind);
    if (st == SP_OK)
        st = get_double(L, g, path, "trend_sd", false, &ind->trend_sd);
    if (st == SP_OK)
        st = check_range(L, g, path, "trend_sd", ind->trend_sd, 0.0, 10.0,
                         false, false, "trend_sd must be between 0 and 10");
    if (st == SP_OK)
        st = get_double(L, g, path, "ar1", false, &ind->ar1);
    if (st == SP_OK)
        st = check_range(L, g, path, "ar1", ind->ar1, -1.0, 1.0, true, true,
                         "ar1 must lie in (-1, 1)");
    if (st == SP_OK)
        st = get_double(L, g, path, "trend_sd_se", false, &ind->trend_sd_se);
    if (st == SP_OK)
        st = check_range(L, g, path, "trend_sd_se", ind->trend_sd_se, 0.0, 10.0,
                         false, false, "trend_sd_se must be between 0 and 10");
    if (st == SP_OK)
        st = get_double(L, g, path, "ar1_se", false, &ind->ar1_se);
    if (st == SP_OK)
        st = check_range(L, g, path, "ar1_se", ind->ar1_se, 0.0, 10.0, false,
                         false, "ar1_se must be between 0 and 10");
    ind->sd_factor = 1.0;
    if (st == SP_OK)
        st = get_double(L, g, path, "sd_factor", false, &ind->sd_factor);
    if (st == SP_OK)
        st = check_range(L, g, path, "sd_factor", ind->sd_factor, 0.0, 100.0,
                         true, false,
                         "sd_factor must be above 0 and at most 100");
    config_setting_t *dist = config_setting_get_member(g, "dist");
    if (st == SP_OK && dist != NULL) {
        char field[FIELD_MAX];
        member_path(field, path, "dist");
        st = read_dist(L, dist, field, &ind->marginal);
    }
    if (st == SP_OK)
        st = read_scale(L, g, path, ind);
    return st;
}

static sp_status read_derived(const loader *L, config_setting_t *g,
                              const char *path, sp_indicator_spec *ind)
{
    static const char *const keys[] = {
        "name", "kind", "unit", "variable", "description", "formula", NULL};
    sp_status st = check_keys(L, g, path, keys);
    if (st == SP_OK)
        st = get_string(L, g, path, "formula", NULL, SP_MAX_FORMULA,
                        &ind->formula);
    ind->formula_line = line_of(config_setting_get_member(g, "formula"));
    return st;
}

static sp_status read_indicator(const loader *L, config_setting_t *g,
                                size_t index, sp_scenario *sc)
{
    sp_indicator_spec *ind = &sc->indicators[index];
    char path[FIELD_MAX];
    snprintf(path, sizeof path, "indicators[%zu]", index);
    ind->line = line_of(g);
    ind->marginal.family = SP_FAMILY_NORMAL;
    sp_status st = expect_group(L, g, path);
    if (st == SP_OK)
        st = member(L, g, path, "name", true, &(config_setting_t *){NULL});
    config_setting_t *name = config_setting_get_member(g, "name");
    if (st == SP_OK) {
        char field[FIELD_MAX];
        member_path(field, path, "name");
        st = to_identifier(L, name, field, &ind->name);
    }
    if (st == SP_OK && in_list(ind->name, reserved_names)) {
        char field[FIELD_MAX];
        member_path(field, path, "name");
        return fail(L, SP_ERR_RANGE, name, field,
                    "'%s' is the name of a formula function; choose another",
                    ind->name);
    }
    if (st == SP_OK) {
        char field[FIELD_MAX];
        member_path(field, path, "name");
        for (size_t j = 0; j < index; j++)
            if (strcmp(sc->indicators[j].name, ind->name) == 0)
                return fail(L, SP_ERR_DUPLICATE, name, field,
                            "indicator '%s' is already defined on line %d",
                            ind->name, sc->indicators[j].line);
        snprintf(path, sizeof path, "indicators.%s", ind->name);
    }
    char *kind = NULL;
    if (st == SP_OK)
        st = get_string(L, g, path, "kind", NULL, 16, &kind);
    if (st == SP_OK && !sp_kind_parse(kind, &ind->kind)) {
        char field[FIELD_MAX], list[256] = "";
        member_path(field, path, "kind");
        for (size_t k = 0; k < sp_kind_count(); k++)
            append_name(list, sizeof list, ", ", sp_kind_name((sp_kind)k));
        st = fail(L, SP_ERR_RANGE, config_setting_get_member(g, "kind"), field,
                  "unknown kind '%s'; allowed: %s", kind, list);
    }
    free(kind);
    if (st == SP_OK)
        st = get_string(L, g, path, "unit", "", 200, &ind->unit);
    if (st == SP_OK)
        st = get_string(L, g, path, "variable", ind->name, 200, &ind->variable);
    if (st == SP_OK)
        st = get_string(L, g, path, "description", "", 4000, &ind->description);
    if (st != SP_OK)
        return st;
    if (!sp_kind_info_of(ind->kind)->stochastic)
        return read_derived(L, g, path, ind);
    return read_stochastic(L, g, path, sc, ind);
}

static sp_status read_indicators(const loader *L, config_setting_t *root,
                                 sp_scenario *sc)
{
    config_setting_t *list;
    sp_status st =
        get_list(L, root, "", "indicators", true, SP_MAX_INDICATORS, &list);
    if (st != SP_OK)
        return st;
    size_t n = (size_t)config_setting_length(list);
    sc->indicators = calloc(n, sizeof *sc->indicators);
    if (sc->indicators == NULL)
        return nomem(L);
    for (size_t i = 0; i < n && st == SP_OK; i++) {
        sc->n_indicators = i + 1;
        st = read_indicator(L, config_setting_get_elem(list, (unsigned)i), i,
                            sc);
    }
    return st;
}

/* Resolves an indicator name that must be a rate or share. */
static sp_status stochastic_ref(const loader *L, const sp_scenario *sc,
                                const config_setting_t *at, const char *field,
                                const char *name)
{
    long k = sp_scenario_find_indicator(sc, name);
    if (k < 0)
        return fail(L, SP_ERR_REFERENCE, at, field,
                    "no indicator is called '%s'", name);
    if (!sp_kind_info_of(sc->indicators[k].kind)->stochastic)
        return fail(L, SP_ERR_REFERENCE, at, field,
                    "'%s' is %s; only rate and share indicators can be "
                    "named here",
                    name, sp_kind_name(sc->indicators[k].kind));
    return SP_OK;
}

static sp_status read_correlation(const loader *L, config_setting_t *g,
                                  size_t index, sp_scenario *sc)
{
    static const char *const keys[] = {"a", "b", "rho", NULL};
    sp_correlation_spec *c = &sc->correlations[index];
    char path[FIELD_MAX], fa[FIELD_MAX], fb[FIELD_MAX];
    snprintf(path, sizeof path, "correlations[%zu]", index);
    member_path(fa, path, "a");
    member_path(fb, path, "b");
    c->line = line_of(g);
    sp_status st = expect_group(L, g, path);
    if (st == SP_OK)
        st = check_keys(L, g, path, keys);
    if (st == SP_OK)
        st = get_string(L, g, path, "a", NULL, SP_MAX_NAME, &c->a);
    if (st == SP_OK)
        st = get_string(L, g, path, "b", NULL, SP_MAX_NAME, &c->b);
    if (st == SP_OK)
        st = stochastic_ref(L, sc, config_setting_get_member(g, "a"), fa, c->a);
    if (st == SP_OK)
        st = stochastic_ref(L, sc, config_setting_get_member(g, "b"), fb, c->b);
    if (st == SP_OK && strcmp(c->a, c->b) == 0)
        st = fail(L, SP_ERR_RANGE, config_setting_get_member(g, "b"), fb,
                  "an indicator's correlation with itself is 1; name two "
                  "different indicators");
    if (st == SP_OK)
        st = get_double(L, g, path, "rho", true, &c->rho);
    if (st == SP_OK)
        st = check_range(L, g, path, "rho", c->rho, -1.0, 1.0, false, false,
                         "rho must lie in [-1, 1]");
    for (size_t j = 0; st == SP_OK && j < index; j++) {
        const sp_correlation_spec *o = &sc->correlations[j];
        if ((strcmp(o->a, c->a) == 0 && strcmp(o->b, c->b) == 0) ||
            (strcmp(o->a, c->b) == 0 && strcmp(o->b, c->a) == 0))
            st = fail(L, SP_ERR_DUPLICATE, g, path,
                      "the pair (%s, %s) is already given on line %d", c->a,
                      c->b, o->line);
    }
    return st;
}

/* The start of a group naming a rate or share indicator (an event effect,
 * an observation): the group, its keys, and `indicator` resolved. */
static sp_status read_stochastic_ref(const loader *L, config_setting_t *g,
                                     const char *path, const sp_scenario *sc,
                                     const char *const *keys, char **name)
{
    char field[FIELD_MAX];
    member_path(field, path, "indicator");
    sp_status st = expect_group(L, g, path);
    if (st == SP_OK)
        st = check_keys(L, g, path, keys);
    if (st == SP_OK)
        st = get_string(L, g, path, "indicator", NULL, SP_MAX_NAME, name);
    if (st == SP_OK)
        st = stochastic_ref(L, sc, config_setting_get_member(g, "indicator"),
                            field, *name);
    return st;
}

static sp_status read_effect(const loader *L, config_setting_t *g,
                             const char *path, const sp_scenario *sc,
                             sp_effect_spec *ef)
{
    static const char *const keys[] = {"indicator", "mean", "sd", NULL};
    ef->line = line_of(g);
    sp_status st = read_stochastic_ref(L, g, path, sc, keys, &ef->indicator);
    if (st == SP_OK)
        st = get_double(L, g, path, "mean", true, &ef->mean);
    if (st == SP_OK)
        st = get_double(L, g, path, "sd", true, &ef->sd);
    if (st == SP_OK)
        st = check_range(L, g, path, "sd", ef->sd, 0.0, 10.0, false, false,
                         "sd must be between 0 and 10");
    return st;
}

static sp_status read_event(const loader *L, config_setting_t *g, size_t index,
                            sp_scenario *sc)
{
    static const char *const keys[] = {"name", "probability", "from",
                                       "to",   "effects",     NULL};
    sp_event_spec *ev = &sc->events[index];
    char path[FIELD_MAX];
    snprintf(path, sizeof path, "events[%zu]", index);
    ev->line = line_of(g);
    sp_status st = expect_group(L, g, path);
    if (st == SP_OK)
        st = check_keys(L, g, path, keys);
    if (st == SP_OK)
        st = get_string(L, g, path, "name", NULL, 200, &ev->name);
    char name_field[FIELD_MAX];
    member_path(name_field, path, "name");
    for (size_t j = 0; st == SP_OK && j < index; j++)
        if (strcmp(sc->events[j].name, ev->name) == 0)
            st = fail(L, SP_ERR_DUPLICATE, config_setting_get_member(g, "name"),
                      name_field, "event '%s' is already defined on line %d",
                      ev->name, sc->events[j].line);
    if (st == SP_OK && is_identifier(ev->name))
        snprintf(path, sizeof path, "events.%s", ev->name);
    if (st == SP_OK)
        st = get_double(L, g, path, "probability", true, &ev->probability);
    if (st == SP_OK)
        st = check_range(L, g, path, "probability", ev->probability, 0.0, 1.0,
                         false, false, "probability must lie in [0, 1]");
    if (st == SP_OK)
        st = get_year(L, g, path, "from", sc->base_year + 1, sc->horizon,
                      &ev->from);
    if (st == SP_OK)
        st = get_year(L, g, path, "to", ev->from, sc->horizon, &ev->to);
    config_setting_t *list = NULL;
    if (st == SP_OK)
        st = get_list(L, g, path, "effects", true, SP_MAX_EFFECTS, &list);
    if (st != SP_OK)
        return st;
    size_t n = (size_t)config_setting_length(list);
    ev->effects = calloc(n, sizeof *ev->effects);
    if (ev->effects == NULL)
        return nomem(L);
    for (size_t k = 0; k < n && st == SP_OK; k++) {
        char field[FIELD_MAX];
        snprintf(field, sizeof field, "%s.effects[%zu]", path, k);
        ev->n_effects = k + 1;
        st = read_effect(L, config_setting_get_elem(list, (unsigned)k), field,
                         sc, &ev->effects[k]);
    }
    return st;
}

/* Reads `all = ["a", "b"]` of a joint target. */
static sp_status read_joint(const loader *L, config_setting_t *g,
                            const char *path, sp_target_spec *t)
{
    static const char *const keys[] = {"id", "name", "source", "all", NULL};
    sp_status st = check_keys(L, g, path, keys);
    config_setting_t *all = config_setting_get_member(g, "all");
    char field[FIELD_MAX];
    member_path(field, path, "all");
    if (st != SP_OK)
        return st;
    if (!config_setting_is_array(all) && !config_setting_is_list(all))
        return fail(L, SP_ERR_TYPE, all, field,
                    "expected an array of target ids: [\"a\", \"b\"]");
    int n = config_setting_length(all);
    if (n < 1)
        return fail(L, SP_ERR_RANGE, all, field,
                    "a joint target needs at least one member id");
    if (n > SP_MAX_JOINT)
        return fail(L, SP_ERR_LIMIT, all, field,
                    "%d member ids; at most %d are allowed", n, SP_MAX_JOINT);
    t->all = calloc((size_t)n, sizeof *t->all);
    if (t->all == NULL)
        return nomem(L);
    for (int k = 0; k < n && st == SP_OK; k++) {
        t->n_all = (size_t)k + 1;
        st = to_string(L, config_setting_get_elem(all, (unsigned)k), field,
                       SP_MAX_NAME, &t->all[k]);
    }
    return st;
}

static sp_status read_simple_target(const loader *L, config_setting_t *g,
                                    const char *path, const sp_scenario *sc,
                                    sp_target_spec *t)
{
    static const char *const keys_level[] = {
        "id",   "name", "source", "indicator", "measure",
        "year", "op",   "value",  "range",     NULL};
    static const char *const keys_span[] = {
        "id", "name", "source", "indicator", "measure", "from",
        "to", "op",   "value",  "range",     NULL};
    char *measure = NULL, *op = NULL;
    char field[FIELD_MAX];
    sp_status st =
        get_string(L, g, path, "indicator", NULL, SP_MAX_NAME, &t->indicator);
    member_path(field, path, "indicator");
    if (st == SP_OK && sp_scenario_find_indicator(sc, t->indicator) < 0)
        st =
            fail(L, SP_ERR_REFERENCE, config_setting_get_member(g, "indicator"),
                 field, "no indicator is called '%s'", t->indicator);
    if (st == SP_OK)
        st = get_string(L, g, path, "measure", NULL, 16, &measure);
    if (st == SP_OK && !sp_measure_parse(measure, &t->measure)) {
        char list[256] = "";
        member_path(field, path, "measure");
        for (size_t k = 0; k < sp_measure_count(); k++)
            append_name(list, sizeof list, ", ",
                        sp_measure_name((sp_measure_kind)k));
        st = fail(L, SP_ERR_RANGE, config_setting_get_member(g, "measure"),
                  field, "unknown measure '%s'; allowed: %s", measure, list);
    }
    free(measure);
    if (st != SP_OK)
        return st;
    if (sp_measure_info_of(t->measure)->n_years == 1) {
        st = check_keys(L, g, path, keys_level);
        if (st == SP_OK)
            st = get_year(L, g, path, "year", sc->base_year, sc->horizon,
                          &t->year);
        t->from = t->to = t->year;
    } else {
        st = check_keys(L, g, path, keys_span);
        if (st == SP_OK)
            st = get_year(L, g, path, "from", sc->base_year, sc->horizon - 1,
                          &t->from);
        if (st == SP_OK)
            st = get_year(L, g, path, "to", t->from + 1, sc->horizon, &t->to);
    }
    if (st == SP_OK)
        st = get_string(L, g, path, "op", NULL, 16, &op);
    if (st == SP_OK && !sp_op_parse(op, &t->op)) {
        char list[256] = "";
        member_path(field, path, "op");
        for (size_t k = 0; k < sp_op_count(); k++)
            append_name(list, sizeof list, ", ", sp_op_name((sp_op)k));
        st = fail(L, SP_ERR_RANGE, config_setting_get_member(g, "op"), field,
                  "unknown op '%s'; allowed: %s", op, list);
    }
    free(op);
    if (st != SP_OK)
        return st;
    config_setting_t *value = config_setting_get_member(g, "value");
    config_setting_t *range = config_setting_get_member(g, "range");
    if (!sp_op_info_of(t->op)->range) {
        member_path(field, path, "range");
        if (range != NULL)
            return fail(L, SP_ERR_UNKNOWN_KEY, range, field,
                        "'range' is only for op = \"between\"; use 'value'");
        return get_double(L, g, path, "value", true, &t->value);
    }
    member_path(field, path, "value");
    if (value != NULL)
        return fail(L, SP_ERR_UNKNOWN_KEY, value, field,
                    "op = \"between\" takes 'range = [lo, hi]', not 'value'");
    member_path(field, path, "range");
    st = member(L, g, path, "range", true, &range);
    if (st == SP_OK &&
        (!config_setting_is_array(range) || config_setting_length(range) != 2))
        st = fail(L, SP_ERR_TYPE, range, field,
                  "expected two numbers: range = [lo, hi]");
    if (st == SP_OK)
        st = to_double(L, config_setting_get_elem(range, 0), field, &t->lo);
    if (st == SP_OK)
        st = to_double(L, config_setting_get_elem(range, 1), field, &t->hi);
    if (st == SP_OK && !(t->lo <= t->hi))
        st = fail(L, SP_ERR_RANGE, range, field,
                  "lo must not exceed hi, got [%g, %g]", t->lo, t->hi);
    return st;
}

static sp_status read_target(const loader *L, config_setting_t *g, size_t index,
                             sp_scenario *sc)
{
    sp_target_spec *t = &sc->targets[index];
    char path[FIELD_MAX];
    snprintf(path, sizeof path, "targets[%zu]", index);
    t->line = line_of(g);
    sp_status st = expect_group(L, g, path);
    if (st == SP_OK)
        st = member(L, g, path, "id", true, &(config_setting_t *){NULL});
    if (st == SP_OK) {
        char field[FIELD_MAX];
        member_path(field, path, "id");
        st =
            to_identifier(L, config_setting_get_member(g, "id"), field, &t->id);
    }
    for (size_t j = 0; st == SP_OK && j < index; j++)
        if (strcmp(sc->targets[j].id, t->id) == 0)
            return fail(L, SP_ERR_DUPLICATE, config_setting_get_member(g, "id"),
                        strcat(path, ".id"),
                        "target id '%s' is already used on line %d", t->id,
                        sc->targets[j].line);
    if (st != SP_OK)
        return st;
    snprintf(path, sizeof path, "targets.%s", t->id);
    st = get_string(L, g, path, "name", NULL, 400, &t->name);
    if (st == SP_OK)
        st = get_string(L, g, path, "source", "", 1000, &t->source);
    if (st != SP_OK)
        return st;
    if (config_setting_get_member(g, "all") != NULL)
        return read_joint(L, g, path, t);
    return read_simple_target(L, g, path, sc, t);
}

static sp_status read_observation(const loader *L, config_setting_t *g,
                                  size_t index, sp_scenario *sc)
{
    static const char *const keys[] = {"indicator", "year", "value", NULL};
    sp_observed_spec *o = &sc->observed[index];
    char path[FIELD_MAX];
    snprintf(path, sizeof path, "observed[%zu]", index);
    o->line = line_of(g);
    sp_status st = read_stochastic_ref(L, g, path, sc, keys, &o->indicator);
    if (st == SP_OK)
        st = get_year(L, g, path, "year", sc->base_year + 1, sc->horizon,
                      &o->year);
    if (st == SP_OK)
        st = get_double(L, g, path, "value", true, &o->value);
    if (st != SP_OK)
        return st;
    long i = sp_scenario_find_indicator(sc, o->indicator);
    char subject[64];
    snprintf(subject, sizeof subject, "an observed value of a %s indicator",
             sp_kind_name(sc->indicators[i].kind));
    return check_table_range(L, g, path, "value", o->value,
                             &sp_kind_info_of(sc->indicators[i].kind)->level,
                             subject, "");
}

/* Each indicator's observed years may have gaps (the loader has checked
 * that every year is a projected year) but no repeats. */
static sp_status check_observed_years(const loader *L, config_setting_t *list,
                                      const sp_scenario *sc)
{
    for (size_t a = 0; a < sc->n_observed; a++) {
        const sp_observed_spec *o = &sc->observed[a];
        for (size_t b = a + 1; b < sc->n_observed; b++) {
            const sp_observed_spec *p = &sc->observed[b];
            if (strcmp(p->indicator, o->indicator) != 0 || p->year != o->year)
                continue;
            char field[FIELD_MAX];
            snprintf(field, sizeof field, "observed[%zu].year", b);
            return fail(L, SP_ERR_DUPLICATE,
                        config_setting_get_elem(list, (unsigned)b), field,
                        "%s %d is observed twice (lines %d and %d)",
                        o->indicator, o->year, o->line, p->line);
        }
    }
    return SP_OK;
}

/* Joint targets may name only simple targets that exist. */
static sp_status check_joint_members(const loader *L, config_setting_t *list,
                                     const sp_scenario *sc)
{
    for (size_t i = 0; i < sc->n_targets; i++) {
        const sp_target_spec *t = &sc->targets[i];
        config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        config_setting_t *all = config_setting_get_member(g, "all");
        char field[FIELD_MAX];
        snprintf(field, sizeof field, "targets.%s.all", t->id);
        for (size_t k = 0; k < t->n_all; k++) {
            long j = sp_scenario_find_target(sc, t->all[k]);
            if (j < 0)
                return fail(L, SP_ERR_REFERENCE, all, field,
                            "no target has id '%s'", t->all[k]);
            if (sc->targets[j].n_all > 0)
                return fail(L, SP_ERR_REFERENCE, all, field,
                            "'%s' is itself a joint target; list its members "
                            "instead",
                            t->all[k]);
        }
    }
    return SP_OK;
}

typedef sp_status (*element_reader)(const loader *, config_setting_t *, size_t,
                                    sp_scenario *);

/* Reads optional list `key` of the root with `read`, counting into *n. */
static sp_status read_list(const loader *L, config_setting_t *root,
                           const char *key, size_t max, size_t elem_size,
                           void **items, size_t *n, element_reader read,
                           sp_scenario *sc)
{
    config_setting_t *list;
    sp_status st = get_list(L, root, "", key, false, max, &list);
    if (st != SP_OK || list == NULL)
        return st;
    size_t len = (size_t)config_setting_length(list);
    *items = calloc(len, elem_size);
    if (*items == NULL)
        return nomem(L);
    for (size_t i = 0; i < len && st == SP_OK; i++) {
        *n = i + 1;
        st = read(L, config_setting_get_elem(list, (unsigned)i), i, sc);
    }
    return st;
}

/* backtest = { command; verdict; coverage90; scored; }: optional. */
static sp_status read_backtest(const loader *L, config_setting_t *root,
                               sp_scenario *sc)
{
    static const char *const keys[] = {"command", "verdict", "coverage90",
                                       "scored", NULL};
    config_setting_t *g = config_setting_get_member(root, "backtest");
    if (g == NULL)
        return SP_OK;
    sp_backtest_record *b = &sc->backtest;
    sp_status st = expect_group(L, g, "backtest");
    if (st == SP_OK)
        st = check_keys(L, g, "backtest", keys);
    if (st == SP_OK)
        st = get_string(L, g, "backtest", "command", NULL, 1000, &b->command);
    if (st == SP_OK)
        st = get_string(L, g, "backtest", "verdict", NULL, 32, &b->verdict);
    if (st == SP_OK) {
        bool known = false;
        for (int v = SP_VERDICT_CALIBRATED; v <= SP_VERDICT_UNDER_CONFIDENT;
             v++)
            known = known || strcmp(b->verdict, sp_verdict_name(v)) == 0;
        if (!known)
            st = fail(L, SP_ERR_RANGE, config_setting_get_member(g, "verdict"),
                      "backtest.verdict",
                      "unknown verdict '%s'; allowed: calibrated, "
                      "over-confident, under-confident",
                      b->verdict);
    }
    if (st == SP_OK)
        st = get_double(L, g, "backtest", "coverage90", true, &b->coverage90);
    if (st == SP_OK)
        st = check_range(L, g, "backtest", "coverage90", b->coverage90, 0.0,
                         1.0, false, false, "coverage90 must be in [0, 1]");
    if (st == SP_OK)
        st =
            get_int(L, g, "backtest", "scored", true, 1, INT64_MAX, &b->scored);
    b->line = line_of(g);
    b->present = st == SP_OK;
    return st;
}

static sp_status read_root(const loader *L, config_t *cfg, sp_scenario *sc)
{
    static const char *const keys[] = {
        "scenario",     "simulation", "indicators",
        "correlations", "events",     "targets",
        "observed",     "backtest",   NULL};
    config_setting_t *root = config_root_setting(cfg);
    sp_status st = check_keys(L, root, "", keys);
    if (st == SP_OK)
        st = read_header(L, root, sc);
    if (st == SP_OK)
        st = read_simulation(L, root, sc);
    if (st == SP_OK)
        st = read_indicators(L, root, sc);
    if (st == SP_OK) {
        config_setting_t *c = config_setting_get_member(root, "correlations");
        sc->line_correlations = line_of(c);
        st = read_list(L, root, "correlations",
                       (size_t)SP_MAX_INDICATORS * SP_MAX_INDICATORS,
                       sizeof *sc->correlations, (void **)&sc->correlations,
                       &sc->n_correlations, read_correlation, sc);
    }
    if (st == SP_OK)
        st = read_list(L, root, "events", SP_MAX_EVENTS, sizeof *sc->events,
                       (void **)&sc->events, &sc->n_events, read_event, sc);
    if (st == SP_OK) {
        config_setting_t *list;
        st = get_list(L, root, "", "targets", true, SP_MAX_TARGETS, &list);
        if (st == SP_OK)
            st = read_list(L, root, "targets", SP_MAX_TARGETS,
                           sizeof *sc->targets, (void **)&sc->targets,
                           &sc->n_targets, read_target, sc);
        if (st == SP_OK)
            st = check_joint_members(L, list, sc);
    }
    if (st == SP_OK)
        st = read_list(L, root, "observed",
                       (size_t)SP_MAX_INDICATORS * SP_MAX_STEPS,
                       sizeof *sc->observed, (void **)&sc->observed,
                       &sc->n_observed, read_observation, sc);
    config_setting_t *obs = config_setting_get_member(root, "observed");
    if (st == SP_OK && obs != NULL)
        st = check_observed_years(L, obs, sc);
    if (st == SP_OK)
        st = read_backtest(L, root, sc);
    return st;
}

/* Records integer literals of `text` that libconfig 1.5 would wrap to 32
 * bits (decimal or hex, no L suffix), with the value it would read.
 * Strings and comments are skipped. */
static void scan_wide_ints(loader *L, const char *text)
{
    int line = 1;
    for (const char *p = text; *p;) {
        if (*p == '\n') {
            line++;
            p++;
        } else if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                else if (*p == '\n')
                    line++;
            }
            p += *p == '"';
        } else if (*p == '#' || (*p == '/' && p[1] == '/')) {
            while (*p && *p != '\n')
                p++;
        } else if (*p == '/' && p[1] == '*') {
            for (p += 2; *p && !(*p == '*' && p[1] == '/'); p++)
                line += *p == '\n';
            p += *p ? 2 : 0;
        } else if (*p >= '0' && *p <= '9') {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(p, &end, 0);
            bool is_int =
                *end != '.' && *end != 'e' && *end != 'E' && *end != 'L';
            /* With an L suffix libconfig reads 64 bits, saturating. */
            if (*end == 'L' && (v > INT64_MAX || errno == ERANGE) &&
                L->n_wide < MAX_WIDE_INTS) {
                L->wide[L->n_wide++] = (wide_int){line, INT64_MAX};
                if (p > text && p[-1] == '-')
                    L->wide[L->n_wide - 1].value = INT64_MIN;
            }
            if (is_int && (v > INT32_MAX || errno == ERANGE) &&
                L->n_wide < MAX_WIDE_INTS) {
                /* What (int)strtol(...) yields: the low 32 bits. */
                uint32_t low = (uint32_t)(errno == ERANGE ? UINT64_MAX : v);
                int32_t wrapped = (int32_t)low;
                L->wide[L->n_wide++] = (wide_int){line, wrapped};
                if (p > text && p[-1] == '-')
                    L->wide[L->n_wide - 1].value = -(long long)wrapped;
            }
            p = end > p ? end : p + 1;
            while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' ||
                   *p == 'E' || *p == 'L' || *p == '+' || *p == '-')
                p++;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   *p == '_') {
            while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || *p == '_')
                p++;
        } else {
            p++;
        }
    }
}

/* Reads a whole regular file of at most MAX_FILE_BYTES into a
 * NUL-terminated buffer; fails on NUL bytes, which libconfig would treat
 * as the end of the text. */
static sp_status read_text(const loader *L, const char *path, char **out)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return sp_error_set(L->err, SP_ERR_IO, path, 0, NULL,
                            "cannot open the scenario file: %s",
                            strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return sp_error_set(L->err, SP_ERR_IO, path, 0, NULL,
                            "not a regular file; give a scenario file");
    if (sb.st_size > (off_t)MAX_FILE_BYTES)
        return sp_error_set(L->err, SP_ERR_LIMIT, path, 0, NULL,
                            "the file has %lld bytes; scenario files are "
                            "limited to %u",
                            (long long)sb.st_size, MAX_FILE_BYTES);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sp_error_set(L->err, SP_ERR_IO, path, 0, NULL,
                            "cannot open the scenario file: %s",
                            strerror(errno));
    char *buf = malloc(MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE_BYTES + 1, f) : 0;
    bool bad = buf == NULL || ferror(f) || n > MAX_FILE_BYTES;
    fclose(f);
    if (bad) {
        free(buf);
        return buf ? sp_error_set(L->err, SP_ERR_IO, path, 0, NULL,
                                  "cannot read the scenario file")
                   : nomem(L);
    }
    buf[n] = '\0';
    const char *nul = memchr(buf, '\0', n);
    if (nul != NULL) {
        int line = 1;
        for (const char *p = buf; p < nul; p++)
            line += *p == '\n';
        free(buf);
        return sp_error_set(L->err, SP_ERR_SYNTAX, path, line, NULL,
                            "the file contains a NUL byte; a scenario is "
                            "a text file");
    }
    *out = buf;
    return SP_OK;
}

/* The first line with an unterminated string before line `limit`, or 0:
 * libconfig reports such an error where its scanner stopped, often lines
 * later. Comments and escaped quotes are skipped. */
static int unterminated_string_line(const char *text, int limit)
{
    int line = 1;
    for (const char *p = text; *p && line <= limit; p++) {
        if (*p == '\n') {
            line++;
        } else if (*p == '#' || (*p == '/' && p[1] == '/')) {
            while (p[1] && p[1] != '\n')
                p++;
        } else if (*p == '"') {
            int start = line;
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                else if (*p == '\n')
                    return start;
            }
            if (*p == '\0')
                return start;
        }
    }
    return 0;
}

/* The line of the first @include directive, or 0. */
static int include_line(const char *text)
{
    int line = 1;
    for (const char *p = text; *p; p++) {
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "@include", 8) == 0)
            return line;
        while (*p && *p != '\n')
            p++;
        if (*p == '\0')
            break;
        line++;
    }
    return 0;
}

/* Parses `text` (owned by the caller) as the scenario `name`. */
static sp_status load_text(loader *L, const char *text, sp_scenario *sc)
{
    /* A UTF-8 byte-order mark is not part of the syntax. */
    if ((unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        text += 3;
    scan_wide_ints(L, text);
    L->n_lines = 1;
    for (const char *p = text; *p; p++)
        L->n_lines += *p == '\n' && p[1] != '\0';
    config_t cfg;
    config_init(&cfg);
    int ok = config_read_string(&cfg, text);
    sp_status st = SP_OK;
    if (ok == CONFIG_TRUE && include_line(text) > 0) {
        config_destroy(&cfg);
        return sp_error_set(L->err, SP_ERR_SYNTAX, L->file, include_line(text),
                            NULL,
                            "@include is not supported: a scenario is one "
                            "file, recorded whole (with its SHA-256) in the "
                            "results and state files");
    }
    int open_string =
        ok != CONFIG_TRUE
            ? unterminated_string_line(text, config_error_line(&cfg))
            : 0;
    if (open_string > 0) {
        st = sp_error_set(L->err, SP_ERR_SYNTAX, L->file, open_string, NULL,
                          "a string opened here is not closed on this line "
                          "(strings are in double quotes on one line)");
    } else if (ok != CONFIG_TRUE) {
        const char *msg = config_error_text(&cfg);
        st = sp_error_set(L->err, SP_ERR_SYNTAX, L->file,
                          config_error_line(&cfg), NULL,
                          "%s (libconfig syntax: key = value; groups { }, "
                          "lists ( ), arrays [ ])",
                          msg ? msg : "cannot parse");
    } else {
        sc->file = xstrdup(L->file);
        sc->text_len = strlen(text);
        sc->text = malloc(sc->text_len + 1);
        if (sc->file == NULL || sc->text == NULL) {
            st = nomem(L);
        } else {
            memcpy(sc->text, text, sc->text_len + 1);
            sp_digest_hex(text, sc->text_len, sc->sha256);
            st = read_root(L, &cfg, sc);
            if (st == SP_OK)
                st = sp_lever_apply_sets(sc, text, L->err);
        }
    }
    config_destroy(&cfg);
    if (st != SP_OK)
        sp_scenario_destroy(sc);
    return st;
}

sp_status sp_config_load(const char *path, sp_scenario *sc, sp_error *err)
{
    loader L = {path, err, 0, 0, {{0, 0}}};
    char *text = NULL;
    sp_status st = read_text(&L, path, &text);
    if (st != SP_OK || text == NULL)
        return st;
    st = load_text(&L, text, sc);
    free(text);
    return st;
}

sp_status sp_config_load_text(const char *name, const char *text,
                              sp_scenario *sc, sp_error *err)
{
    loader L = {name, err, 0, 0, {{0, 0}}};
    return load_text(&L, text, sc);
}
