/*
 * graph_internal.h — what the graph_*.c files share; not part of the API.
 *
 *   graph.c          the gb_graph struct, CSR building (count degrees, prefix sum, fill),
 *                    gb_graph_from_arrays, accessors, id lookup
 *   graph_names.c    the name table (interning node names)
 *   graph_ids.c      integer-id compaction to dense indices
 *   graph_load.c     the edge-list parser
 *   graph_numbers.c  integer ids and float weights from tokens
 *   graph_read.c     reading a file in chunks, inflating it if it is gzip
 */
#ifndef GRAPH_INTERNAL_H
#define GRAPH_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <zlib.h>

#include "graphbuild.h"

/* Interned node names.  While a file loads, names live in records ([len u32][index i64]
 * [bytes]) appended to one buffer, and each table slot holds the top 16 bits of the
 * name's hash and its record offset, so a lookup touches the table once and one record.
 * gb_names_finish then lays the names out as bytes/offsets for the API (name i is
 * bytes[offsets[i] .. offsets[i+1])) and refills the slots with (hash tag, index). */
typedef struct gb_names {
    int finished;
    int64_t count;             /* names */
    uint64_t *table;           /* open addressing, linear probing; empty = UINT64_MAX */
    uint64_t mask;             /* capacity - 1 */
    char *records;             /* until finished */
    int64_t nrecords, cap_records;
    char *bytes;               /* once finished */
    int64_t *offsets;          /* once finished: count + 1 entries */
} gb_names;

struct gb_graph {
    int64_t n;                 /* nodes */
    int64_t m;                 /* input edges */
    int directed, weighted;
    int64_t *out_offsets, *out_neighbors;
    double *out_weights;
    /* An undirected graph's in-CSR aliases its out-CSR: freed once. */
    int64_t *in_offsets, *in_neighbors;
    double *in_weights;
    int ids_kind;              /* gb_ids_kind */
    int64_t *int_ids;          /* GB_IDS_INT: n ascending ids */
    gb_names names;            /* GB_IDS_NAME */
};

/* Fills *err (if not NULL) and returns code; fmt is printf-style. */
gb_status gb_graph_fail(gb_error *err, gb_status code, int64_t line, int64_t col,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
gb_status gb_graph_vfail(gb_error *err, gb_status code, int64_t line, int64_t col,
                         const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
void gb_graph_clear_error(gb_error *err);

/* Builds both CSRs from dense-index edges (already validated); ids are left unset
 * (ids_kind GB_IDS_INT, int_ids NULL) for the caller to attach. */
gb_status gb_graph_build(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                         const double *weights, int directed, gb_graph **out, gb_error *err);

/* ---- names (graph_names.c) ---- */
gb_status gb_names_init(gb_names *t);
uint64_t gb_names_hash(const char *s, int64_t len);
/* Prefetch hints for a batch of lookups: first the slot, later (once the slot is in
 * cache) the record it points to, so many lookups wait for memory at once. */
void gb_names_prefetch_slot(const gb_names *t, uint64_t hash);
void gb_names_prefetch_record(const gb_names *t, uint64_t hash);
/* Index of the name (hash = gb_names_hash(s, len)), adding it if new; before finish. */
gb_status gb_names_intern(gb_names *t, const char *s, int64_t len, uint64_t hash,
                          int64_t *index);
gb_status gb_names_finish(gb_names *t);
/* Index of the name or -1; after finish. */
int64_t gb_names_find(const gb_names *t, const char *s, int64_t len);
void gb_names_free(gb_names *t);

/* ---- integer ids (graph_ids.c) ---- */
/* Rewrites the non-negative ids in src[0..m) and dst[0..m) in place to dense ranks
 * 0..n-1 in ascending id order; *sorted_ids gets the n distinct ids (malloc'd). */
gb_status gb_compact_int_ids(int64_t *src, int64_t *dst, int64_t m, int64_t **sorted_ids,
                             int64_t *n, gb_error *err);

/* ---- number tokens (graph_numbers.c) ---- */
/* A non-negative decimal of len bytes that fits int64 (1 if so); *canonical is 0 if it
 * has leading zeros, so spelling the value back would not give the token. */
int gb_parse_id(const char *s, int64_t len, int64_t *value, int *canonical);
/* 1 and the exactly rounded value if [s, end) is a short plain decimal, else 0. */
int gb_parse_float_fast(const char *s, const char *end, double *out);

/* ---- file reading (graph_read.c) ---- */
typedef struct gb_reader {
    const char *path;
    gb_error *err;
    int fd;
    int gzip;                /* the file starts with the gzip magic 1f 8b */
    int regular;             /* a regular file, so it can be read again (not a pipe) */
    int raw_eof;             /* read() returned 0 */
    int done;                /* no more bytes to return */
    int inflating;           /* zs is initialized */
    z_stream zs;
    unsigned char *in;       /* raw bytes not yet consumed: zs.next_in, zs.avail_in */
    size_t in_cap;
} gb_reader;

/* Opens path and sniffs the gzip magic; GB_EIO names the path and strerror.  The
 * reader must be closed even when opening fails. */
gb_status gb_reader_open(gb_reader *r, const char *path, gb_error *err);
/* Fills dst with up to cap bytes of (decompressed) content; fewer only at the end.
 * Returns the count, or a negative gb_status with err set. */
int64_t gb_reader_read(gb_reader *r, char *dst, size_t cap);
void gb_reader_close(gb_reader *r);

/* Asks for transparent huge pages on a large array that is accessed at random (hash
 * tables, CSR fill, id maps): with 4 KiB pages those accesses mostly miss the TLB. */
void gb_advise_hugepages(void *p, size_t bytes);

#endif
