/*
 * fuzz_data: libFuzzer harness for the CSV reader of historical data.
 *
 * The input is the file's bytes. The reader must return a status, never
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
#include "sp_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
