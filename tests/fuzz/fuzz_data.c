/*
 * fuzz_data: libFuzzer harness for the CSV readers of historical data and
 * of plan targets and outcomes.
 *
 * The input is the file's bytes, given to both readers. The reader must return a status, never
 * crash, leak or read out of bounds; on success every row keeps the
 * promises of sp_data.h (finite values, growth above -1, years in range,
 * required strings not empty, lines ascending), and on failure the data
 * set is empty and the error names the file and a line.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sp_data.h"
#include "sp_plans.h"
#include "sp_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The plan reader keeps the promises of sp_plans.h. */
static void check_plans(const uint8_t *data, size_t size)
{
    sp_plans p;
    sp_error err;
    sp_error_clear(&err);
    sp_status st =
        sp_plans_parse("fuzz.csv", (const char *)data, size, &p, &err);
    if (st != SP_OK) {
        if (p.n_rows != 0 || p.rows != NULL || err.status != st ||
            strcmp(err.file, "fuzz.csv") != 0 || err.message[0] == '\0')
            abort();
        return;
    }
    int last = 0;
    for (size_t i = 0; i < p.n_rows; i++) {
        const sp_plan_row *r = &p.rows[i];
        if (!isfinite(r->value) || r->from > r->to || r->from < SP_MIN_YEAR ||
            r->to > SP_MAX_YEAR || r->line <= last || r->source[0] == '\0' ||
            (r->measure != SP_PLAN_LEVEL && r->value <= -1.0) ||
            (r->measure != SP_PLAN_LEVEL && !isfinite(sp_plan_annual_rate(r))))
            abort();
        last = r->line;
    }
    sp_plans_destroy(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_plans(data, size);
    sp_data d;
    sp_error err;
    sp_error_clear(&err);
    sp_status st =
        sp_data_parse("fuzz.csv", (const char *)data, size, &d, &err);
    if (st != SP_OK) {
        if (d.n_rows != 0 || d.rows != NULL || err.status != st ||
            strcmp(err.file, "fuzz.csv") != 0 || err.message[0] == '\0')
            abort();
        return 0;
    }
    int last = 0;
    for (size_t i = 0; i < d.n_rows; i++) {
        const sp_data_row *r = &d.rows[i];
        if (!isfinite(r->value) || r->year < SP_MIN_YEAR ||
            r->year > SP_MAX_YEAR || r->line <= last || r->region[0] == '\0' ||
            r->indicator[0] == '\0' || r->source[0] == '\0' ||
            (r->measure == SP_DATA_GROWTH && r->value <= -1.0))
            abort();
        last = r->line;
    }
    sp_data_destroy(&d);
    return 0;
}
