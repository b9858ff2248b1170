/*
 * graph_read.c — a file's content in large chunks, inflated if it is gzip.
 *
 * The gzip test is the magic bytes 1f 8b at the start of the file, not its name.  Only
 * read() is used (no seek), so pipes work too.  Concatenated gzip members are read as
 * one stream, and bytes after the last member that do not start a new member are
 * ignored, as gzip(1) and zlib's gzread do.
 */
#define _DEFAULT_SOURCE   /* open, read, O_CLOEXEC, madvise under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph_internal.h"

enum { RAW_CHUNK = 1 << 20 };

static gb_status io_error(gb_reader *r, const char *what, int errnum)
{
    return gb_graph_fail(r->err, GB_EIO, 0, 0, "cannot %s '%s': %s", what, r->path,
                         strerror(errnum));
}

/* read() until cap bytes or end of file. */
static int64_t read_full(gb_reader *r, void *dst, size_t cap)
{
    size_t got = 0;
    while (got < cap && !r->raw_eof) {
        ssize_t k = read(r->fd, (char *)dst + got, cap - got);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return io_error(r, "read", errno);
        }
        if (k == 0)
            r->raw_eof = 1;
        got += (size_t)k;
        r->raw_bytes += k;
    }
    return (int64_t)got;
}

/* Moves unconsumed input to the front of r->in and reads more after it. */
static gb_status refill(gb_reader *r)
{
    if (r->zs.avail_in > 0 && r->zs.next_in != r->in)
        memmove(r->in, r->zs.next_in, r->zs.avail_in);
    r->zs.next_in = r->in;
    int64_t got = read_full(r, r->in + r->zs.avail_in, r->in_cap - r->zs.avail_in);
    if (got < 0)
        return (gb_status)got;
    r->zs.avail_in += (uInt)got;
    return GB_OK;
}

gb_status gb_reader_open(gb_reader *r, const char *path, gb_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->err = err;
    r->in_cap = RAW_CHUNK;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return io_error(r, "open", errno);
    struct stat info;
    r->regular = fstat(r->fd, &info) == 0 && S_ISREG(info.st_mode);
    r->size = r->regular ? (int64_t)info.st_size : 0;
    r->in = malloc(r->in_cap);
    if (r->in == NULL)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", path);
    r->zs.next_in = r->in;
    gb_status st = refill(r);
    if (st != GB_OK)
        return st;
    r->gzip = r->zs.avail_in >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b;
    if (r->gzip) {
        /* 16 + MAX_WBITS: expect a gzip header and trailer. */
        int zst = inflateInit2(&r->zs, 16 + MAX_WBITS);
        if (zst != Z_OK)
            return zst == Z_MEM_ERROR
                ? gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", path)
                : gb_graph_fail(err, GB_EIO, 0, 0, "cannot read '%s': zlib init failed", path);
        r->inflating = 1;
    }
    return GB_OK;
}

static int64_t read_plain(gb_reader *r, char *dst, size_t cap)
{
    size_t got = r->zs.avail_in < cap ? r->zs.avail_in : cap;
    memcpy(dst, r->zs.next_in, got);
    r->zs.next_in += got;
    r->zs.avail_in -= (uInt)got;
    if (got < cap) {
        int64_t more = read_full(r, dst + got, cap - got);
        if (more < 0)
            return more;
        got += (size_t)more;
    }
    if (got < cap)
        r->done = 1;
    return (int64_t)got;
}

static int64_t read_gzip(gb_reader *r, char *dst, size_t cap)
{
    gb_status st;
    r->zs.next_out = (Bytef *)dst;
    r->zs.avail_out = (uInt)cap;
    while (r->zs.avail_out > 0) {
        if (r->zs.avail_in == 0 && !r->raw_eof && (st = refill(r)) != GB_OK)
            return st;
        int zst = inflate(&r->zs, Z_NO_FLUSH);
        if (zst == Z_STREAM_END) {
            /* Another member follows only if the next bytes are the gzip magic. */
            if (r->zs.avail_in < 2 && !r->raw_eof && (st = refill(r)) != GB_OK)
                return st;
            if (r->zs.avail_in >= 2 && r->zs.next_in[0] == 0x1f && r->zs.next_in[1] == 0x8b) {
                inflateReset(&r->zs);
                continue;
            }
            r->done = 1;
            break;
        }
        if (zst == Z_MEM_ERROR)
            return gb_graph_fail(r->err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", r->path);
        /* Z_BUF_ERROR: no progress; with the input exhausted the stream is cut short. */
        if (zst == Z_BUF_ERROR && r->zs.avail_in == 0 && r->raw_eof)
            return gb_graph_fail(r->err, GB_EIO, 0, 0,
                                 "cannot read '%s': the gzip data is truncated", r->path);
        if (zst != Z_OK && zst != Z_BUF_ERROR)
            return gb_graph_fail(r->err, GB_EIO, 0, 0, "cannot read '%s': corrupt gzip data (%s)",
                                 r->path, r->zs.msg != NULL ? r->zs.msg : "inflate failed");
    }
    return (int64_t)(cap - r->zs.avail_out);
}

int64_t gb_reader_read(gb_reader *r, char *dst, size_t cap)
{
    if (r->done || cap == 0)
        return 0;
    /* zlib counts in uInt; the caller's buffer can be larger, so fill it in pieces. */
    size_t got = 0;
    while (got < cap && !r->done) {
        size_t piece = cap - got < (1u << 30) ? cap - got : (1u << 30);
        int64_t k = r->gzip ? read_gzip(r, dst + got, piece) : read_plain(r, dst + got, piece);
        if (k < 0)
            return k;
        got += (size_t)k;
    }
    return (int64_t)got;
}

void gb_reader_close(gb_reader *r)
{
    if (r->inflating)
        inflateEnd(&r->zs);
    if (r->fd >= 0)
        close(r->fd);
    free(r->in);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

void gb_advise_hugepages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    /* madvise wants page alignment: cover the whole pages inside [p, p + bytes). */
    uintptr_t page = 4096, start = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)p + bytes) & ~(page - 1);
    if (bytes >= (4u << 20) && end > start)
        madvise((void *)start, end - start, MADV_HUGEPAGE);   /* only a hint: errors ignored */
#else
    (void)p;
    (void)bytes;
#endif
}
