/*
 * Tests of the model's descriptor tables (model/sp_marginal, sp_measure,
 * sp_model's kinds, sp_range), walked entry by entry, so that a new
 * family, measure, operator or kind is checked without a new test: every
 * entry has a unique name that parses back to it; every family parameter
 * has a range holding its default and its search range; the loader
 * accepts every name with the table's defaults, and refuses a parameter
 * or level just outside the table's range with that range in the
 * message; and scenarios/README.md documents every name and range.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_config.h"
#include "sp_marginal.h"
#include "sp_measure.h"
#include "sp_model.h"
#include "sp_range.h"
#include "sp_test.h"

#ifndef SCENARIO_DIR
#error "SCENARIO_DIR must be defined"
#endif

/* A one-indicator scenario: indicator x of kind `kind` with `body` (its
 * keys after kind) and one target with `target` (its keys after the
 * indicator). */
static void scenario_text(char *buf, size_t size, const char *kind,
                          const char *body, const char *target)
{
    snprintf(buf, size,
             "scenario = { name = \"tables\"; base_year = 2020; "
             "horizon = 2023; };\n"
             "simulation = { draws = 10; seed = 1; };\n"
             "indicators = (\n"
             "  { name = \"x\"; kind = \"%s\"; %s }\n"
             ");\n"
             "targets = (\n"
             "  { id = \"a\"; name = \"a\"; indicator = \"x\"; %s }\n"
             ");\n",
             kind, body, target);
}

/* The keys of a rate indicator with `dist` (may be ""). */
static void rate_body(char *buf, size_t size, const char *dist)
{
    snprintf(buf, size,
             "base = 1.0; path = ( { from = 2021; to = 2023; mean = 0.01; "
             "sd = 0.01; } ); %s",
             dist);
}

static const char *const level_target =
    "measure = \"level\"; year = 2023; op = \">=\"; value = 1.0;";

/* Loads `text`; returns the status, the scenario destroyed. */
static sp_status load(const char *text, sp_error *err)
{
    sp_scenario sc = {0};
    sp_error_clear(err);
    sp_status st = sp_config_load_text("tables.cfg", text, &sc, err);
    if (st == SP_OK)
        sp_scenario_destroy(&sc);
    return st;
}

/* Fails unless `text` loads. */
static void assert_loads(const char *text)
{
    sp_error err;
    if (load(text, &err) != SP_OK)
        fail_msg("%s: %s\n%s", err.field, err.message, text);
}

/* Fails unless `text` is refused as out of range at `field` with the
 * range text of `r` in the message. */
static void assert_refused(const char *text, const char *field,
                           const sp_range *r)
{
    sp_error err;
    char want[64];
    sp_range_text(r, want, sizeof want);
    if (load(text, &err) != SP_ERR_RANGE)
        fail_msg("accepted or wrong status (%s):\n%s", err.message, text);
    assert_string_equal(err.field, field);
    if (strstr(err.message, want) == NULL)
        fail_msg("'%s' does not give the range '%s'", err.message, want);
}

/* Values just outside a range: below and above it where it is bounded;
 * returns how many. */
static size_t outside(const sp_range *r, double v[2])
{
    size_t n = 0;
    if (isfinite(r->lo))
        v[n++] = r->lo_open ? r->lo : r->lo - 1.0;
    if (isfinite(r->hi))
        v[n++] = r->hi_open ? r->hi : r->hi + 1.0;
    return n;
}

/* A value inside a range. */
static double inside(const sp_range *r)
{
    if (isfinite(r->lo) && isfinite(r->hi))
        return 0.5 * (r->lo + r->hi);
    if (isfinite(r->lo))
        return r->lo + 1.0;
    return isfinite(r->hi) ? r->hi - 1.0 : 0.0;
}

static void ranges_should_be_written_as_people_read_them(void **state)
{
    (void)state;
    char buf[64];
    sp_range gt2 = {2.0, HUGE_VAL, true, true};
    sp_range open = {-1.0, 1.0, true, true}, closed = {0.0, 1.0, false, false};
    assert_false(sp_range_text(&gt2, buf, sizeof buf));
    assert_string_equal(buf, "> 2");
    assert_true(sp_range_text(&open, buf, sizeof buf));
    assert_string_equal(buf, "in (-1, 1)");
    assert_true(sp_range_text(&closed, buf, sizeof buf));
    assert_string_equal(buf, "in [0, 1]");
    assert_false(sp_range_holds(&gt2, 2.0));
    assert_true(sp_range_holds(&closed, 1.0));
    assert_false(sp_range_holds(&closed, NAN));
    assert_true(sp_range_min(&open) > -1.0 && sp_range_max(&open) < 1.0);
}

/* Every family: a unique name that parses back, parameters with a name,
 * a range that holds the default and the search range, and a field
 * inside sp_marginal; sp_marginal_set_default sets the defaults. */
static void every_family_should_be_complete(void **state)
{
    (void)state;
    assert_true(sp_family_count() >= 1);
    for (size_t k = 0; k < sp_family_count(); k++) {
        const sp_family_info *f = sp_family_info_of((sp_family)k);
        sp_family parsed;
        assert_int_equal(f->family, k);
        assert_true(f->name != NULL && f->name[0] != '\0');
        assert_true(sp_family_parse(f->name, &parsed));
        assert_int_equal(parsed, k);
        assert_true(f->n_params <= SP_FAMILY_MAX_PARAMS);
        sp_marginal m;
        sp_marginal_set_default(&m, (sp_family)k);
        assert_int_equal(m.family, k);
        for (size_t j = 0; j < f->n_params; j++) {
            const sp_family_param *p = &f->params[j];
            assert_true(p->name != NULL && p->name[0] != '\0');
            assert_true(p->offset + sizeof(double) <= sizeof(sp_marginal));
            assert_true(sp_range_holds(&p->range, p->dflt));
            assert_true(sp_range_holds(&p->range, p->search_lo));
            assert_true(sp_range_holds(&p->range, p->search_hi));
            assert_true(p->search_lo < p->search_hi);
            assert_true(sp_marginal_param_value(&m, p) == p->dflt);
        }
    }
}

/* Every measure, operator and kind: a unique name that parses back. */
static void every_measure_op_and_kind_should_parse_back(void **state)
{
    (void)state;
    for (size_t k = 0; k < sp_measure_count(); k++) {
        const sp_measure_info *mi = sp_measure_info_of((sp_measure_kind)k);
        sp_measure_kind parsed;
        assert_int_equal(mi->kind, k);
        assert_true(sp_measure_parse(mi->name, &parsed) && parsed == k);
        assert_true(mi->n_years == 1 || mi->n_years == 2);
        assert_true(mi->formula != NULL && mi->formula[0] != '\0');
    }
    for (size_t k = 0; k < sp_op_count(); k++) {
        const sp_op_info *oi = sp_op_info_of((sp_op)k);
        sp_op parsed;
        assert_int_equal(oi->op, k);
        assert_true(sp_op_parse(oi->name, &parsed) && parsed == k);
        /* The side says where the operator holds. */
        if (oi->range) {
            assert_int_equal(oi->side, 0);
            assert_true(sp_op_holds((sp_op)k, 0.5, 0.0, 0.0, 1.0));
            assert_false(sp_op_holds((sp_op)k, 1.5, 0.0, 0.0, 1.0));
        } else {
            assert_true(oi->side == 1 || oi->side == -1);
            assert_true(sp_op_holds((sp_op)k, oi->side, 0.0, 0.0, 0.0));
            assert_false(sp_op_holds((sp_op)k, -oi->side, 0.0, 0.0, 0.0));
        }
    }
    for (size_t k = 0; k < sp_kind_count(); k++) {
        const sp_kind_info *ki = sp_kind_info_of((sp_kind)k);
        sp_kind parsed;
        assert_int_equal(ki->kind, k);
        assert_true(sp_kind_parse(ki->name, &parsed) && parsed == k);
    }
}

/* The `dist` group of family f with every parameter at `values` (NULL:
 * the defaults). */
static void dist_group(char *buf, size_t size, const sp_family_info *f,
                       const double *values)
{
    size_t used =
        (size_t)snprintf(buf, size, "dist = { family = \"%s\";", f->name);
    for (size_t j = 0; j < f->n_params; j++)
        used += (size_t)snprintf(buf + used, size - used, " %s = %.17g;",
                                 f->params[j].name,
                                 values ? values[j] : f->params[j].dflt);
    snprintf(buf + used, size - used, " };");
}

/* The loader accepts every family with its defaults and refuses each
 * parameter just outside its range, naming the field and the range; an
 * unknown family's message lists every family. */
static void the_loader_should_follow_the_family_table(void **state)
{
    (void)state;
    char dist[512], body[1024], text[4096];
    for (size_t k = 0; k < sp_family_count(); k++) {
        const sp_family_info *f = sp_family_info_of((sp_family)k);
        dist_group(dist, sizeof dist, f, NULL);
        rate_body(body, sizeof body, dist);
        scenario_text(text, sizeof text, "rate", body, level_target);
        assert_loads(text);
        for (size_t j = 0; j < f->n_params; j++) {
            double values[SP_FAMILY_MAX_PARAMS], bad[2];
            for (size_t i = 0; i < f->n_params; i++)
                values[i] = f->params[i].dflt;
            size_t n_bad = outside(&f->params[j].range, bad);
            for (size_t b = 0; b < n_bad; b++) {
                char field[128];
                values[j] = bad[b];
                dist_group(dist, sizeof dist, f, values);
                rate_body(body, sizeof body, dist);
                scenario_text(text, sizeof text, "rate", body, level_target);
                snprintf(field, sizeof field, "indicators.x.dist.%s",
                         f->params[j].name);
                assert_refused(text, field, &f->params[j].range);
            }
        }
    }
    rate_body(body, sizeof body, "dist = { family = \"no_such\"; };");
    scenario_text(text, sizeof text, "rate", body, level_target);
    sp_error err;
    assert_int_equal(load(text, &err), SP_ERR_RANGE);
    for (size_t k = 0; k < sp_family_count(); k++)
        assert_non_null(strstr(err.message, sp_family_name((sp_family)k)));
}

/* The loader accepts every measure (with `year` or `from`/`to` as its
 * table says) and every operator (with `value` or `range`). */
static void the_loader_should_follow_the_measure_and_op_tables(void **state)
{
    (void)state;
    char body[1024], target[512], text[4096];
    rate_body(body, sizeof body, "");
    for (size_t k = 0; k < sp_measure_count(); k++) {
        const sp_measure_info *mi = sp_measure_info_of((sp_measure_kind)k);
        for (size_t o = 0; o < sp_op_count(); o++) {
            const sp_op_info *oi = sp_op_info_of((sp_op)o);
            snprintf(
                target, sizeof target,
                "measure = \"%s\"; %s op = "
                "\"%s\"; %s",
                mi->name,
                mi->n_years == 1 ? "year = 2023;" : "from = 2020; to = 2023;",
                oi->name, oi->range ? "range = [0.0, 1.0];" : "value = 0.5;");
            scenario_text(text, sizeof text, "rate", body, target);
            assert_loads(text);
        }
    }
}

/* The loader accepts every kind and refuses a base of a stochastic kind
 * just outside the kind's level range, with the range in the message. */
static void the_loader_should_follow_the_kind_table(void **state)
{
    (void)state;
    char body[1024], text[4096];
    for (size_t k = 0; k < sp_kind_count(); k++) {
        const sp_kind_info *ki = sp_kind_info_of((sp_kind)k);
        if (!ki->stochastic) {
            scenario_text(text, sizeof text, ki->name, "formula = \"1.5\";",
                          level_target);
            assert_loads(text);
            continue;
        }
        double bad[2];
        size_t n_bad = outside(&ki->level, bad);
        for (size_t b = 0; b <= n_bad; b++) {
            double base = b < n_bad ? bad[b] : inside(&ki->level);
            snprintf(body, sizeof body,
                     "base = %.17g; path = ( { from = "
                     "2021; to = 2023; mean = 0.0; sd = 0.01; } );",
                     base);
            scenario_text(text, sizeof text, ki->name, body, level_target);
            if (b < n_bad)
                assert_refused(text, "indicators.x.base", &ki->level);
            else
                assert_loads(text);
        }
    }
}

/* Reads scenarios/README.md whole; the caller frees it. */
static char *read_format_doc(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/README.md", SCENARIO_DIR);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Fails unless `doc` contains `want`. */
static void assert_documented(const char *doc, const char *want)
{
    if (strstr(doc, want) == NULL)
        fail_msg("scenarios/README.md does not document %s", want);
}

/* The format reference documents every family with each parameter and
 * its range, every measure, operator and kind, as the tables give them. */
static void the_format_reference_should_document_every_entry(void **state)
{
    (void)state;
    char *doc = read_format_doc();
    char want[256], range[64];
    for (size_t k = 0; k < sp_family_count(); k++) {
        const sp_family_info *f = sp_family_info_of((sp_family)k);
        snprintf(want, sizeof want, "family = \"%s\";", f->name);
        assert_documented(doc, want);
        for (size_t j = 0; j < f->n_params; j++) {
            sp_range_text(&f->params[j].range, range, sizeof range);
            snprintf(want, sizeof want, "`%s` float, `%s`", f->params[j].name,
                     range);
            assert_documented(doc, want);
        }
    }
    for (size_t k = 0; k < sp_measure_count(); k++) {
        const sp_measure_info *mi = sp_measure_info_of((sp_measure_kind)k);
        snprintf(want, sizeof want, "- `%s`: `%s`", mi->name, mi->formula);
        assert_documented(doc, want);
    }
    for (size_t k = 0; k < sp_op_count(); k++) {
        snprintf(want, sizeof want, "`\"%s\"`", sp_op_name((sp_op)k));
        assert_documented(doc, want);
    }
    for (size_t k = 0; k < sp_kind_count(); k++) {
        snprintf(want, sizeof want, "`\"%s\"`", sp_kind_name((sp_kind)k));
        assert_documented(doc, want);
    }
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranges_should_be_written_as_people_read_them),
        cmocka_unit_test(every_family_should_be_complete),
        cmocka_unit_test(every_measure_op_and_kind_should_parse_back),
        cmocka_unit_test(the_loader_should_follow_the_family_table),
        cmocka_unit_test(the_loader_should_follow_the_measure_and_op_tables),
        cmocka_unit_test(the_loader_should_follow_the_kind_table),
        cmocka_unit_test(the_format_reference_should_document_every_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
