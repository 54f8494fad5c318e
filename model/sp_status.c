/*
 * sp_status: status descriptions, exit codes and the error record.
 */
#include "sp_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int exit_code;
    const char *text;
} status_info[SP_STATUS_COUNT] = {
#define SP_STATUS_INFO(name, code, text) {#name, code, text},
    SP_STATUS_TABLE(SP_STATUS_INFO)
#undef SP_STATUS_INFO
};

static int status_valid(sp_status status)
{
    return (int)status >= 0 && status < SP_STATUS_COUNT;
}

const char *sp_strerror(sp_status status)
{
    return status_valid(status) ? status_info[status].text : "unknown status";
}

const char *sp_status_name(sp_status status)
{
    return status_valid(status) ? status_info[status].name : "SP_ERR_?";
}

int sp_status_exit_code(sp_status status)
{
    return status_valid(status) ? status_info[status].exit_code : 3;
}

void sp_error_clear(sp_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
    err->status = SP_OK;
}

sp_status sp_error_set(sp_error *err, sp_status status, const char *file,
                       int line, const char *field, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}
