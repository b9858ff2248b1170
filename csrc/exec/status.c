/*
 * status.c — status names and filling a gb_error.  Nothing here prints: messages are
 * formatted into the caller's buffer and Python raises them.
 */
#include <stdarg.h>
#include <stdio.h>

#include "exec_internal.h"

const char *gb_strerror(int status)
{
    switch (status) {
    case GB_OK: return "ok";
    case GB_EINVAL: return "invalid plan or argument";
    case GB_ENOMEM: return "out of memory";
    case GB_EZERODIV: return "integer division by zero";
    case GB_EITER: return "iteration limit exceeded";
    case GB_EINTR: return "interrupted";
    case GB_EINDEX: return "index out of range";
    case GB_EVALUE: return "invalid value";
    case GB_EIO: return "input/output error";
    case GB_EPARSE: return "malformed input file";
    case GB_EBUDGET: return "the load does not fit in the memory budget";
    default: return "unknown status";
    }
}

void gb_err_clear(gb_error *err)
{
    if (err != NULL) {
        err->code = GB_OK;
        err->loc = -1;
        err->line = 0;
        err->col = 0;
        err->message[0] = '\0';
        err->bytes = 0;
    }
}

gb_status gb_err_set(gb_error *err, gb_status code, int64_t loc, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->code = code;
        err->loc = loc;
        err->line = 0;
        err->col = 0;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}
