/*
 * graph_internal.h — what the graph_*.c files share; not part of the API.
 *
 *   graph.c          the gb_graph struct, CSR building (count degrees, prefix sum, fill),
 *                    gb_graph_from_arrays, accessors, id lookup
 *   graph_squish.c   the load policies: counting and dropping self-loops and duplicates
 *   graph_threads.c  running a function on a few pthreads
 *   graph_names.c    the name table (interning node names)
 *   graph_ids.c      integer-id compaction to dense indices
 *   graph_load.c     gb_graph_load_edgelist: format detection, the read loop, finishing
 *   graph_parse.c    the text tokenizer and edge-list lines (columns, header line)
 *   graph_edges.c    batched lines become edges: integer, named or dense ids, weights
 *   graph_fast.c     the common all-digits line, read in one pass
 *   graph_mtx.c      Matrix Market banner, size line and entries
 *   graph_numbers.c  integer ids and float weights from tokens
 *   graph_read.c     reading a file in chunks, inflating it if it is gzip
 *   graph_gen.c      GAP's Kronecker and uniform random generators
 *   graph_hash.c     the 128-bit hash of files and payloads
 *   graph_budget.c   a load's peak bytes and the memory budget (gb_load_options.max_bytes)
 *   graph_binary.c   the binary graph file (save, map and validate)
 *   graph_write.c    writing a graph as an edge list or Matrix Market file
 *   graph_relabel.c  the CSR in another node order (gb_graph_relabel), results back
 */
#ifndef GRAPH_INTERNAL_H
#define GRAPH_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <zlib.h>

#include "csr_index.h"
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
    int borrowed;              /* bytes and offsets live in a mapped file: not freed */
    int64_t limit;             /* records + table may not grow past this; 0: no limit */
} gb_names;

/* One stored direction: offsets[n + 1] and neighbors[arcs] of the graph's index widths
 * (gb_graph.off_bytes, nbr_bytes: 4 = int32_t, 8 = int64_t), weights[arcs] if stored. */
typedef struct gb_csr {
    void *off;
    void *nbr;
    double *w;
} gb_csr;

struct gb_graph {
    int64_t n;                 /* nodes */
    int64_t m;                 /* input edges kept */
    int directed, weighted;    /* weighted: weights are stored (gb_graph_stats.weights_dropped:
                                  the input had weights that were not) */
    /* Index widths of every stored CSR (both directions have the same n and arcs):
     * neighbors 4 while n <= INT32_MAX, offsets 4 while arcs <= INT32_MAX, else 8;
     * wider as wide (gb_load_options.wide_index: 0, 1 or 2) says.
     * graphbuild/runtime/graph_layout.py states the same rule. */
    int off_bytes, nbr_bytes, wide;
    gb_csr out;
    /* Undirected: in is out (freed once).  Directed: in.off is NULL until the transpose
     * is built (gb_graph_build_in_edges); its lists are sorted by tail, each tail's arcs
     * in out-list (input) order, however and whenever it is built. */
    gb_csr in;
    int owns_out, owns_in;     /* the arrays were malloc'd here (not in the mapping) */
    int ids_kind;              /* gb_ids_kind */
    int64_t *int_ids;          /* GB_IDS_INT: n ascending ids */
    gb_names names;            /* GB_IDS_NAME */
    gb_graph_stats stats;
    /* gb_node_order: GB_LAYOUT_ORIGINAL, or the CSR is in another node order (graph_relabel.c)
     * and perm[position] is the input index, inv its inverse (both NULL when original). */
    int layout;
    int64_t *perm, *inv;
    /* A graph read by gb_graph_load_binary: the out-CSR, ids and names (and the in-CSR and
     * perm, inv if the file has them) point into this read-only mapping, which destroy unmaps. */
    void *map;
    size_t map_len;
};

/* The widths the rule gives for n nodes and arcs arcs per direction; wide is
 * gb_load_options.wide_index (0, 1 = all 64-bit, 2 = 64-bit offsets). */
static inline int gb_nbr_bytes_for(int64_t n, int wide)
{
    return wide == 1 || n > INT32_MAX ? 8 : 4;
}
static inline int gb_off_bytes_for(int64_t arcs, int wide)
{
    return wide != 0 || arcs > INT32_MAX ? 8 : 4;
}

/* Arcs per stored direction. */
static inline int64_t gb_graph_arcs(const gb_graph *g) { return g->directed ? g->m : 2 * g->m; }

enum { GB_MAX_THREADS = 64 };

/* Runs fn(arg, t) for t in 0..threads-1, t = 0 on the calling thread.  Workers must not
 * wait for each other (a thread that cannot start runs on the caller afterwards). */
void gb_parallel(int threads, void (*fn)(void *arg, int t), void *arg);
/* requested clamped to 1..GB_MAX_THREADS and to the number of work units. */
int gb_thread_count(int requested, int64_t work_units);
/* opts->max_nodes, or its default 2^31 - 1. */
int64_t gb_max_nodes(const gb_load_options *opts);
/* Whether the load was asked to stop (gb_load_options.interrupt). */
static inline int gb_stop_requested(const volatile int32_t *interrupt)
{
    return interrupt != NULL && *interrupt != 0;
}
static inline const volatile int32_t *gb_load_interrupt(const gb_load_options *opts)
{
    return opts != NULL ? opts->interrupt : NULL;
}
/* Edges between two polls of the interrupt flag in a long loop. */
enum { GB_POLL_EDGES = 1 << 20 };

/* Fills *err (if not NULL) and returns code; fmt is printf-style. */
gb_status gb_graph_fail(gb_error *err, gb_status code, int64_t line, int64_t col,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
gb_status gb_graph_vfail(gb_error *err, gb_status code, int64_t line, int64_t col,
                         const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
void gb_graph_clear_error(gb_error *err);

/* Builds the out-CSR from dense-index edges (already validated), of the widths the rule
 * gives (all 8 if wide); ids are left unset (ids_kind GB_IDS_INT, int_ids NULL) for the
 * caller to attach.  Each node's arcs keep the input order whatever the thread count. */
gb_status gb_graph_build(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                         const double *weights, int directed, int wide, int threads,
                         const volatile int32_t *interrupt, gb_graph **out, gb_error *err);
/* gb_graph_build_in_edges, stopped by a nonzero *interrupt (GB_EINTR). */
gb_status gb_graph_transpose(gb_graph *g, int threads, const volatile int32_t *interrupt,
                             gb_error *err);
/* gb_graph_build, then the load policies of opts (graph_squish.c): counts self-loops
 * and duplicates into g->stats and drops those opts ask to drop; then, on a directed
 * graph, the in-CSR unless opts->skip_in_edges.  Weights are not stored (and
 * stats.weights_dropped is set) when opts->skip_weights. */
gb_status gb_graph_finish(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                          const double *weights, int directed, const gb_load_options *opts,
                          gb_graph **out, gb_error *err);
/* g's ids become 0..n-1 (generated graphs, dense ids, gb_graph_from_arrays). */
gb_status gb_graph_identity_ids(gb_graph *g, gb_error *err);
/* Counts self-loops and duplicates of a built graph into g->stats and, as opts say,
 * drops them in place (graph_squish.c). */
gb_status gb_graph_squish(gb_graph *g, const gb_load_options *opts, gb_error *err);
/* bounds[0..threads]: node ranges whose out-arcs are about equal (bounds[threads] = n). */
void gb_graph_arc_bounds(const gb_graph *g, int threads, int64_t *bounds);

/* ---- names (graph_names.c) ---- */
gb_status gb_names_init(gb_names *t);
uint64_t gb_names_hash(const char *s, int64_t len);
/* Prefetch hints for a batch of lookups: first the slot, later (once the slot is in
 * cache) the record it points to, so many lookups wait for memory at once. */
void gb_names_prefetch_slot(const gb_names *t, uint64_t hash);
void gb_names_prefetch_record(const gb_names *t, uint64_t hash);
/* Index of the name (hash = gb_names_hash(s, len)), adding it if new; before finish.
 * GB_EBUDGET when adding it would grow the table past t->limit, GB_ENOMEM when an
 * allocation fails. */
gb_status gb_names_intern(gb_names *t, const char *s, int64_t len, uint64_t hash,
                          int64_t *index);
/* Index of the name or -1; before finish. */
int64_t gb_names_lookup(const gb_names *t, const char *s, int64_t len);
/* Before finish: s0 and s1 become the first names (*i0, *i1), the others follow in their
 * order; *perm (malloc'd) maps each old index to its new one. */
gb_status gb_names_put_first(gb_names *t, const char *s0, int64_t n0, const char *s1, int64_t n1,
                             int64_t **perm, int64_t *i0, int64_t *i1);
gb_status gb_names_finish(gb_names *t);
/* A finished table over count names laid out by someone else (a mapped file): bytes
 * and offsets are borrowed, not freed. */
gb_status gb_names_adopt(gb_names *t, const char *bytes, const int64_t *offsets, int64_t count);
/* Index of the name or -1; after finish. */
int64_t gb_names_find(const gb_names *t, const char *s, int64_t len);
void gb_names_free(gb_names *t);
/* Bytes the table holds while loading: records and slots. */
int64_t gb_names_bytes(const gb_names *t);

/* ---- integer ids (graph_ids.c) ---- */
/* Rewrites the non-negative ids in src[0..m) and dst[0..m) in place to dense ranks
 * 0..n-1 in ascending id order; *sorted_ids gets the n distinct ids (malloc'd).  held:
 * the bytes the caller holds meanwhile; with them the numbering's arrays must fit opts'
 * budget (GB_EBUDGET). */
gb_status gb_compact_int_ids(int64_t *src, int64_t *dst, int64_t m, int64_t held,
                             const gb_load_options *opts, int64_t **sorted_ids, int64_t *n,
                             gb_error *err);

/* ---- the memory budget (graph_budget.c) ---- */
enum { GB_READ_CHUNK = 8 << 20,       /* the text reader's buffer (graph_load.c) */
       GB_PARSE_FIRST_CAP = 1 << 16 };  /* the parser's first edge-array capacity */
/* Sums and products of byte counts, INT64_MAX when they overflow or a term is negative. */
int64_t gb_bytes_add(int64_t a, int64_t b);
int64_t gb_bytes_mul(int64_t a, int64_t b);
/* The edge arrays' capacity the parser reaches for m edges (doubling from the first). */
int64_t gb_parse_capacity(int64_t m);
/* Bytes of src and dst (and w) of that capacity. */
int64_t gb_edge_array_bytes(int64_t cap, int weighted);
/* gb_graph_finish's peak for n nodes and m edges beyond the edge arrays: the out-CSR, the
 * ids, and the larger of the build's per-thread counts and the transpose. */
int64_t gb_build_bytes(int64_t n, int64_t m, int directed, int weighted,
                       const gb_load_options *opts);
/* GB_OK if need fits opts->max_bytes (or there is no budget), else GB_EBUDGET with err
 * naming what ("reading 'x'") and err->bytes = need. */
gb_status gb_budget_check(const gb_load_options *opts, int64_t need, gb_error *err,
                          const char *what);

/* ---- number tokens (graph_numbers.c) ---- */
/* A non-negative decimal of len bytes that fits int64 (1 if so); *canonical is 0 if it
 * has leading zeros, so spelling the value back would not give the token. */
int gb_parse_id(const char *s, int64_t len, int64_t *value, int *canonical);
/* 1 and the exactly rounded value if [s, end) is a short plain decimal, else 0. */
int gb_parse_float_fast(const char *s, const char *end, double *out);

/* ---- the text parser (graph_load.c, graph_parse.c, graph_mtx.c) ---- */

/* A data line waiting in the batch: its tokens point into the current chunk. */
typedef struct gb_pending {
    const char *tok[3];
    int64_t len[3];
    const char *line_start;
    int64_t line;
} gb_pending;

enum { GB_BATCH = 64, GB_QUOTE_MAX = 60 };

typedef enum gb_header_state {
    GB_HEADER_NONE = 0,      /* the first data line is data */
    GB_HEADER_PENDING = 1,   /* 2 non-numeric columns: a header if every later id is an integer */
    GB_HEADER_SKIPPED = 2    /* decided: the line is a header */
} gb_header_state;

typedef enum gb_mtx_field { GB_MTX_PATTERN = 0, GB_MTX_REAL = 1, GB_MTX_INTEGER = 2 } gb_mtx_field;

typedef struct gb_mtx {
    int field;                 /* gb_mtx_field */
    int symmetric;
    int have_size;
    int64_t n, nnz;            /* from the size line */
    int64_t size_line, nnz_col;
} gb_mtx;

typedef struct gb_parser {
    const char *path;
    gb_error *err;
    const gb_load_options *opts;
    int format;                /* gb_format; GB_FORMAT_AUTO until the first line decides */
    int suffix_format;         /* what the file name says */
    int dense;                 /* GB_IDS_DENSE */
    int64_t max_nodes;
    int names_mode;            /* ids are names (else non-negative integers) */
    int noncanonical_int;      /* an integer token had leading zeros */
    int rereadable;            /* the file is a regular file */
    int ncols;                 /* 0 until the first data line */
    int weighted;              /* edges carry a weight column */
    int64_t first_data_line;
    int64_t line;              /* lines finished so far */
    int64_t m, cap;
    int64_t *src, *dst;
    double *w;
    int64_t max_id;            /* the largest id (dense ids) */
    gb_names names;
    int64_t buffer_bytes;      /* the read buffer's size (graph_load.c), for the budget */
    char *scratch;             /* NUL-terminated copy of a token for strtod */
    size_t scratch_cap;
    gb_pending batch[GB_BATCH];
    int nbatch;
    int header;                /* gb_header_state */
    int64_t header_line;
    char *header_text;         /* a pending header's two tokens, back to back */
    int64_t header_len[2];
    int header_guess;          /* gb_header_guess */
    int64_t header_guess_line;
    /* Columns (gb_load_options.delimiter, column_numbers, column_names). */
    int suffix_delim;          /* what the file name says: ',' for .csv, '\t' for .tsv, else 0 */
    int delim;                 /* 0 until the first line decides; ' ' blanks, else the byte */
    int delim_guessed;         /* the content decided it */
    int picked;                /* --columns given: col[] says which field is which */
    int col[3];                /* 1-based column of source, target, weight; 0: none (yet) */
    int64_t name_len[3];       /* of opts->column_names */
    int resolving;             /* the header line's fields are matched against the names */
    int max_col;               /* the largest picked column, once known */
    gb_mtx mtx;
} gb_parser;

/* Returned by the parser when the ids turn out to be names and the file must be reread. */
#define GB_RESTART ((gb_status)1)

/* graph_parse.c: the complete lines in [p, end), whose last byte is '\n'. */
int gb_quote_len(int64_t len);           /* up to GB_QUOTE_MAX bytes of a token ... */
const char *gb_quote_more(int64_t len);  /* ... and "..." if it was cut */
gb_status gb_parse_nomem(gb_parser *ps);
/* Quoted fields are unescaped in place, so the chunk is writable. */
gb_status gb_parse_chunk(gb_parser *ps, char *p, const char *end);
/* Field k (0-based) of a line goes to its slot in tok/len: source, target, weight, and
 * slot 3 for the first column past the expected ones (error messages). */
void gb_parse_take_field(gb_parser *ps, int k, const char *s, int64_t n, const char *tok[4],
                         int64_t len[4]);
/* graph_csv.c: the fields of one line of a delimited file (ps->delim is a byte other
 * than ' '), starting at p; *next is the next line.  A comment or empty line has none. */
gb_status gb_csv_line(gb_parser *ps, char *p, const char *line_start, char **next,
                      const char *tok[4], int64_t len[4], int *found);
/* The delimiter of the lines in [p, end): prefer (the file name's, or 0) if they have it,
 * else ',' or '\t' if they show it (*guessed = 1), else ' ' (blanks). */
int gb_csv_sniff(const char *p, const char *end, int prefer, int *guessed);
enum { GB_MAX_FIELDS = 1 << 20 };
/* One line of digits and separators (graph_fast.c): 1 if it was read and stored as an
 * edge (*next: the next line), 0 if it must go the general way, or a negative status. */
int gb_parse_fast_line(gb_parser *ps, const char *p, const char **next);
/* Room for need edges in src, dst (and w when weighted), within the budget. */
gb_status gb_parse_reserve(gb_parser *ps, int64_t need);
/* Bytes the parser holds with edge arrays of capacity cap: the read buffer, the arrays,
 * the names. */
int64_t gb_parse_held(const gb_parser *ps, int64_t cap);
/* gb_budget_check of need for reading ps->path. */
gb_status gb_parse_budget(gb_parser *ps, int64_t need);
/* graph_edges.c: adds the batched lines as edges, in order. */
gb_status gb_parse_flush(gb_parser *ps);
/* The integer ids so far become names. */
gb_status gb_parse_ints_to_names(gb_parser *ps);
/* A pending header line becomes the first edge, its names the first nodes (room for one
 * more edge reserved, ids names). */
gb_status gb_parse_header_edge(gb_parser *ps);
/* A parse error on line ps->line + 1, reported after the lines before it are checked. */
gb_status gb_parse_fail_line(gb_parser *ps, int64_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A parse error at token k of a batched line. */
gb_status gb_parse_fail_token(gb_parser *ps, const gb_pending *e, int k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The token is a non-empty run of decimal digits (an id that may overflow int64). */
int gb_all_digits(const char *s, int64_t len);
gb_status gb_parse_weight(gb_parser *ps, const char *s, int64_t len, int64_t line, int64_t col,
                          double *out);
/* At the end of the file: settles a pending header line. */
gb_status gb_parse_end(gb_parser *ps);

/* graph_mtx.c */
int gb_mtx_is_banner(const char *p, const char *end);
gb_status gb_mtx_banner(gb_parser *ps, const char *line, const char *end);
/* A data line of a Matrix Market file: the size line, then entries (batched). */
gb_status gb_mtx_line(gb_parser *ps, const char *const tok[4], const int64_t len[4], int found,
                      const char *line_start);
/* The edge of a batched entry, at ps->m. */
gb_status gb_mtx_entry(gb_parser *ps, const gb_pending *e);
/* At the end of the file: the size line was there and the entry count matches it. */
gb_status gb_mtx_end(gb_parser *ps);

/* ---- file reading (graph_read.c) ---- */
typedef struct gb_reader {
    const char *path;
    gb_error *err;
    int fd;
    int gzip;                /* the file starts with the gzip magic 1f 8b */
    int regular;             /* a regular file, so it can be read again (not a pipe) */
    int raw_eof;             /* read() returned 0 */
    int64_t size;            /* bytes of a regular file as stored, else 0 */
    int64_t raw_bytes;       /* bytes read from the file so far (compressed, if gzip) */
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

/* ---- generators (graph_gen.c) ---- */
/* The standard mt19937 (std::mt19937), which GAP's generators draw from. */
typedef struct gb_mt19937 {
    uint32_t s[624];
    int i;
} gb_mt19937;
void gb_mt_seed(gb_mt19937 *mt, uint32_t seed);
uint32_t gb_mt_next(gb_mt19937 *mt);

/* ---- hashing (graph_hash.c) ---- */
/* A fast non-cryptographic 128-bit hash of a byte stream, fed in pieces of any size:
 * four 64-bit lanes over 32-byte stripes, each step a bijection of the lane, so any
 * single changed word changes the result. */
typedef struct gb_hasher {
    uint64_t lane[4];
    unsigned char tail[32];
    size_t ntail;
    uint64_t total;
} gb_hasher;
void gb_hasher_init(gb_hasher *h);
void gb_hasher_update(gb_hasher *h, const void *data, size_t len);
void gb_hasher_final(const gb_hasher *h, uint64_t out[2]);
/* The piecewise hash of long inputs (see graph_hash.c), fed in order... */
typedef struct gb_seghash {
    gb_hasher piece, outer;
    uint64_t piece_len, total;
} gb_seghash;
void gb_seghash_init(gb_seghash *h);
void gb_seghash_update(gb_seghash *h, const void *data, size_t len);
void gb_seghash_final(gb_seghash *h, uint64_t out[2]);
/* ...or of bytes in memory, on threads: the same value. */
gb_status gb_hash_memory(const void *data, uint64_t len, int threads, uint64_t out[2]);

/* Asks for transparent huge pages on a large array that is accessed at random (hash
 * tables, CSR fill, id maps): with 4 KiB pages those accesses mostly miss the TLB. */
void gb_advise_hugepages(void *p, size_t bytes);

#endif
