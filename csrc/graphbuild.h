/*
 * graphbuild.h — the one public header of the graphbuild C executor.
 *
 * This header is also the cffi cdef (graphbuild/runtime/native_build.py strips the
 * preprocessor lines), so it holds only declarations cffi can parse: no macros with
 * values, no inline functions.  Every constant is an enum.
 *
 * Stages and their interfaces:
 *   graph   gb_graph_load_edgelist / gb_graph_generate / gb_graph_load_binary /
 *           gb_graph_from_arrays                            -> gb_graph (compact CSR)
 *   plan    gb_plan_create(flat code, kernels)             -> gb_plan (validated)
 *   run     gb_run(plan, graph, registers, slots, options) -> status
 *
 * Conventions: every function returns a gb_status (0 = ok, negative = error) and
 * fills a caller-owned gb_error; nothing here prints, exits or aborts; no globals.
 */
#ifndef GRAPHBUILD_H
#define GRAPHBUILD_H

#include <stdint.h>

/* ---- status and errors ------------------------------------------------- */

typedef enum gb_status {
    GB_OK = 0,
    GB_EINVAL = -1,    /* a malformed plan or bad argument */
    GB_ENOMEM = -2,    /* allocation failed */
    GB_EZERODIV = -3,  /* integer // or % by zero */
    GB_EITER = -4,     /* a while loop exceeded max_iterations */
    GB_EINTR = -5,     /* the interrupt flag was raised */
    GB_EINDEX = -6,    /* x[s] with s out of range */
    GB_EVALUE = -7,    /* int(nan), negative integer exponent, argmin of nothing */
    GB_EIO = -8,       /* a file could not be opened or read */
    GB_EPARSE = -9,    /* a malformed input file (line and col are set) */
    GB_EBUDGET = -10   /* a load would take more memory than gb_load_options.max_bytes
                          (gb_error.bytes says how much it needs) */
} gb_status;

typedef struct gb_error {
    int code;            /* a gb_status */
    int64_t loc;         /* plan location index of the failing op, or -1 */
    int64_t line;        /* input file line for GB_EPARSE, 1-based, or 0 */
    int64_t col;         /* input file column for GB_EPARSE, 1-based, or 0 */
    char message[512];   /* one sentence, no trailing newline */
    int64_t bytes;       /* GB_EBUDGET: the bytes the load would hold at its peak, or 0 */
} gb_error;

const char *gb_strerror(int status);

/* ---- graphs ------------------------------------------------------------ */

/* A graph is immutable once built (gb_graph_build_in_edges aside).  Nodes are dense
 * indices 0..n-1.  Out-CSR lists, for each v, the heads u of edges v->u, in input order;
 * in-CSR the tails u of u->v, by ascending tail (each tail's arcs in input order).  An
 * undirected graph stores every input edge as two arcs (a self-loop too), and its in-CSR
 * is its out-CSR.  A directed graph's in-CSR is built only on request (skip_in_edges,
 * gb_graph_build_in_edges).  Index arrays are 32-bit where they fit: neighbors while
 * n <= 2^31 - 1, offsets while the arcs per direction <= 2^31 - 1; else 64-bit.
 * edge_count is the number of input edges (lines) kept. */
typedef struct gb_graph gb_graph;

typedef enum gb_dir { GB_DIR_OUT = 0, GB_DIR_IN = 1, GB_DIR_BOTH = 2 } gb_dir;

typedef enum gb_ids_kind {
    GB_IDS_INT = 0,    /* every token is a non-negative integer; nodes in ascending id order */
    GB_IDS_NAME = 1    /* any token; nodes in order of first appearance */
} gb_ids_kind;

typedef enum gb_ids_mode {
    GB_IDS_MAP = 0,    /* integers compacted in ascending order, other tokens by first appearance */
    GB_IDS_DENSE = 1   /* every id a non-negative integer used as the node index: n = max id + 1 */
} gb_ids_mode;

typedef enum gb_header_mode {
    GB_HEADER_AUTO = 0,      /* guessed (docs/graphs.md "Header line"); gb_graph_stats says how */
    GB_HEADER_PRESENT = 1,   /* the first data line is a header */
    GB_HEADER_ABSENT = 2     /* the first data line is an edge */
} gb_header_mode;

/* gb_graph_stats.header_guess: what the automatic header rule decided about the first
 * data line of words, if it had to decide. */
typedef enum gb_header_guess {
    GB_GUESS_NONE = 0,       /* nothing guessed (numbers in the line, or the mode was given) */
    GB_GUESS_HEADER = 1,     /* the line was skipped as a header */
    GB_GUESS_EDGE = 2        /* the line was read as an edge */
} gb_header_guess;

enum { GB_MAX_COLUMN_NAME = 256 };

typedef enum gb_format {
    GB_FORMAT_AUTO = 0,      /* the %%MatrixMarket banner, else the suffix (after .gz) */
    GB_FORMAT_EDGELIST = 1,  /* 2 or 3 columns: .el .txt .csv .tsv and any other suffix */
    GB_FORMAT_WEL = 2,       /* exactly 3 columns, source target weight: .wel */
    GB_FORMAT_MTX = 3,       /* Matrix Market coordinate: .mtx */
    GB_FORMAT_GENERATED = 4  /* gb_graph_generate (in gb_graph_stats.format only) */
} gb_format;

/* Progress of a load, called on the loading thread about every 8 MiB of input (every
 * block of edges for generators): done of total bytes of the file as stored (total 0 if
 * unknown, e.g. a pipe), or of total edges for generators; edges read so far.  A
 * nonzero return stops the load with GB_EINTR. */
typedef int (*gb_progress_fn)(void *ctx, int64_t done, int64_t total, int64_t edges);

typedef struct gb_load_options {
    int undirected;       /* symmetrize */
    int dedupe;           /* drop each edge equal to an earlier one (undirected: either way round) */
    int no_self_loops;    /* drop edges v->v */
    int ids;              /* gb_ids_mode */
    int format;           /* gb_format */
    int threads;          /* workers for building, counting and generating; <= 0 means 1 */
    int64_t max_nodes;    /* a larger declared node count (dense ids, .mtx size, generator
                             scale) is an error rather than an allocation; 0 means 2^31 - 1 */
    gb_progress_fn progress;   /* may be NULL */
    void *progress_ctx;
    /* What to store; zero (the default) stores everything, as a zeroed struct means. */
    int skip_in_edges;    /* a directed graph's in-CSR is not built (gb_graph_build_in_edges
                             builds it later) */
    int skip_weights;     /* weights read from the file are not stored (stats.weights_dropped) */
    int wide_index;       /* tests: 1 = 64-bit offsets and neighbors whatever the sizes;
                             2 = 64-bit offsets only (the layout of a graph of more than
                             2^31 - 1 arcs per direction); 0 = the narrowest that fit */
    volatile int32_t *interrupt;   /* may be NULL; nonzero stops the load with GB_EINTR: it is
                             polled between chunks, generator blocks, build steps and
                             every 2^20 edges of a build, so a load stops within a second */
    int64_t max_bytes;    /* the memory budget: a load that would hold more at its peak (edge
                             arrays, parse buffers, names, ids, the CSR build; see
                             gb_graph_load_bytes) stops with GB_EBUDGET before allocating,
                             checked whenever its arrays grow; 0 means no budget */
    /* Text edge lists only (docs/graphs.md "Columns").  delimiter: 0 guesses it; ' ' means
     * runs of blanks (a comma between them also separates, as .el files always had); any
     * other byte (',', '\t', ';', '|') ends a field, blanks around a field are trimmed and
     * blanks inside belong to it, and a field may be quoted as RFC 4180 says. */
    int delimiter;
    int header;           /* gb_header_mode */
    /* The source, target and weight columns: 1-based numbers (0: not given), or names of
     * the header line's fields (NULL: not given; a name needs a header).  With neither,
     * a line has 2 or 3 columns in that order.  The weight is optional. */
    int column_numbers[3];
    const char *column_names[3];
} gb_load_options;

/* What the loader saw.  Self-loops and duplicates are counted on the edges as read, so a
 * duplicated self-loop counts in both; dropped counts are disjoint (a self-loop dropped
 * by no_self_loops is not also a dropped duplicate), and edge_count is what is left. */
typedef struct gb_graph_stats {
    int format;                /* gb_format read; GB_FORMAT_AUTO for gb_graph_from_arrays */
    int64_t header_line;       /* the line skipped as an edge list's header, or 0 */
    int64_t input_edges;       /* edges read, before any were dropped */
    int64_t self_loops;
    int64_t duplicates;
    int64_t self_loops_dropped;
    int64_t duplicates_dropped;
    int64_t weights_dropped;   /* 1 if the input had weights that skip_weights left out */
    int32_t delimiter;         /* an edge list's field separator (' ': blanks), else 0 */
    int32_t delimiter_guessed; /* 1 if the delimiter was guessed from the content */
    int32_t header_guess;      /* gb_header_guess */
    int32_t reserved;
    int64_t header_guess_line; /* the line header_guess is about, or 0 */
} gb_graph_stats;

/* Reads an edge list or a Matrix Market file, plain or gzipped (docs/graphs.md). */
gb_status gb_graph_load_edgelist(const char *path, const gb_load_options *opts,
                                 gb_graph **out, gb_error *err);

typedef enum gb_generator { GB_GEN_KRONECKER = 0, GB_GEN_UNIFORM = 1 } gb_generator;

/* GAP Benchmark Suite graphs: 2^scale nodes (ids 0..n-1) and degree * 2^scale edges,
 * undirected as GAP builds them.  Uses opts' dedupe, no_self_loops, threads, progress,
 * max_nodes; the result does not depend on threads. */
gb_status gb_graph_generate(int kind, int scale, int64_t degree, const gb_load_options *opts,
                            gb_graph **out, gb_error *err);

/* What a load's peak is compared with: a generator's edge arrays, a text file's edge arrays
 * (grown by doubling) and read buffer, a Matrix Market file's likewise. */
typedef enum gb_load_source {
    GB_SOURCE_GENERATED = 0,
    GB_SOURCE_EDGELIST = 1,   /* integer ids (names cost their bytes on top) */
    GB_SOURCE_MTX = 2
} gb_load_source;

/* The bytes a load of n nodes and m input edges holds at its peak: the edge arrays, the
 * read buffer, the id numbering, the CSR with its per-thread counts, the transpose of a
 * directed graph (unless skip_in_edges), the ids.  directed: the graph as stored;
 * weighted: the input has weights.  The figure gb_load_options.max_bytes is checked
 * against; INT64_MAX when it overflows. */
int64_t gb_graph_load_bytes(int64_t n, int64_t m, int directed, int weighted, int source,
                            const gb_load_options *opts);

/* The binary graph file (the graph cache).  save writes g through fd, a file the caller
 * created (never a path: the caller renames it into place) and closes; a nonzero
 * *interrupt (may be NULL) stops it with GB_EINTR between 8 MiB writes.  load_binary_fd
 * maps the regular file open on fd (name is for messages; the caller closes fd) and
 * checks all of it (checksum, sizes, offsets, neighbor and id ranges) so a damaged file
 * is GB_EPARSE, never a crash; load_binary opens path itself (no symbolic links, no
 * blocking on a FIFO).  The last GB_BINARY_MAC_BYTES of the header, at
 * GB_BINARY_MAC_OFFSET, are left to the caller (save writes zeros there and no check
 * reads them): the graph cache keeps its authentication code there. */
typedef enum gb_binary_layout { GB_BINARY_MAC_OFFSET = 480, GB_BINARY_MAC_BYTES = 32 } gb_binary_layout;
gb_status gb_graph_save(const gb_graph *g, int fd, const char *name,
                        const volatile int32_t *interrupt, gb_error *err);
gb_status gb_graph_load_binary(const char *path, int threads, gb_graph **out, gb_error *err);
gb_status gb_graph_load_binary_fd(int fd, const char *name, int threads, gb_graph **out,
                                  gb_error *err);
/* Only the header of the file open on fd, read without mapping anything: GB_EPARSE when it
 * is not a valid header or the file's length is not the one it gives (so a caller can refuse
 * a huge or sparse file before hashing or mapping it). */
gb_status gb_graph_check_binary_fd(int fd, const char *name, gb_error *err);
/* A 128-bit hash (out[0], out[1]) of a regular file's bytes as stored, for cache keys;
 * the same for any thread count.  A nonzero *interrupt (may be NULL) stops it (GB_EINTR). */
gb_status gb_hash_file(const char *path, int threads, const volatile int32_t *interrupt,
                       uint64_t *out, gb_error *err);

/* Writes g as text in GB_FORMAT_EDGELIST (src dst [weight]), GB_FORMAT_WEL (weight 1 when
 * unweighted) or GB_FORMAT_MTX (nodes renumbered 1..n; symmetric if undirected), gzipped
 * if compress.  An undirected edge is written once unless all_arcs. */
gb_status gb_graph_write(const gb_graph *g, const char *path, int format, int compress,
                         int all_arcs, gb_error *err);
/* gb_graph_write through fd, a file the caller created (graphbuild/safe_io.atomic_write's
 * temporary file: a failure never leaves a half-written output), with the choices of
 * gb_write_options; name is for messages.  fd stays open.  A delimiter of ',' or '\t'
 * writes CSV / TSV: an id holding the delimiter, a double quote, CR or LF is quoted as
 * RFC 4180 says; header writes "source,target[,weight]" first. */
typedef struct gb_write_options {
    int format;       /* GB_FORMAT_EDGELIST, GB_FORMAT_WEL or GB_FORMAT_MTX */
    int compress;     /* gzip */
    int all_arcs;     /* an undirected edge as its two arcs */
    int delimiter;    /* edge lists: 0 or ' ' (space), ',' or '\t' */
    int header;       /* edge lists: a first line naming the columns */
} gb_write_options;
gb_status gb_graph_write_fd(const gb_graph *g, int fd, const char *name,
                            const gb_write_options *opts, gb_error *err);
/* Build from arrays of dense indices (tests, generators).  weights may be NULL. */
gb_status gb_graph_from_arrays(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                               const double *weights, int directed,
                               gb_graph **out, gb_error *err);
/* The same with load options (NULL: gb_graph_from_arrays): their dedupe, no_self_loops,
 * threads, skip_in_edges, skip_weights and wide_index apply. */
gb_status gb_graph_from_arrays_opts(int64_t n, int64_t m, const int64_t *src,
                                    const int64_t *dst, const double *weights, int directed,
                                    const gb_load_options *opts, gb_graph **out,
                                    gb_error *err);
void gb_graph_destroy(gb_graph *g);

int64_t gb_graph_node_count(const gb_graph *g);
int64_t gb_graph_edge_count(const gb_graph *g);
int gb_graph_is_directed(const gb_graph *g);
int gb_graph_is_weighted(const gb_graph *g);
void gb_graph_get_stats(const gb_graph *g, gb_graph_stats *out);
/* Read-only CSR of one direction (GB_DIR_OUT or GB_DIR_IN): offsets (n + 1 elements of
 * *off_bytes bytes, 4 = int32_t or 8 = int64_t), neighbors (*nbr_bytes each) and weights
 * (NULL if not stored).  Any out-pointer may be NULL.  The in-CSR of a directed graph
 * without in-edges gives NULL arrays. */
void gb_graph_csr(const gb_graph *g, int dir, const void **offsets, const void **neighbors,
                  const double **weights, int *off_bytes, int *nbr_bytes);
/* Bytes of the arrays g holds: each stored CSR (offsets, neighbors, weights) and the ids
 * (int ids, or name offsets and name bytes); not the name lookup table. */
int64_t gb_graph_bytes(const gb_graph *g);
/* 1 if the in-CSR is there: always on an undirected graph. */
int gb_graph_has_in_edges(const gb_graph *g);
/* Builds a directed graph's in-CSR if it is missing (a no-op otherwise), in memory even
 * for a graph read from a binary file.  Not while another thread uses g. */
gb_status gb_graph_build_in_edges(gb_graph *g, int threads, gb_error *err);
/* Input ids: GB_IDS_INT gives int_ids[n]; GB_IDS_NAME gives name i as
 * name_bytes[name_offsets[i] .. name_offsets[i+1]) (not NUL-terminated). */
int gb_graph_ids_kind(const gb_graph *g);
const int64_t *gb_graph_int_ids(const gb_graph *g);
const char *gb_graph_name_bytes(const gb_graph *g);
const int64_t *gb_graph_name_offsets(const gb_graph *g);
/* The index of the node whose input id is the token (decimal integer or name), or -1. */
int64_t gb_graph_find_node(const gb_graph *g, const char *token);

/* Layouts: the order a graph's nodes have in its CSR (docs/graphs.md "Layout").  On a
 * relabeled graph, position p holds the node of input index perm[p]; node indices that
 * users see (ids, find_node, node_id(), node parameters and node values) stay input
 * indices, and node vectors come out of gb_run by position (gb_graph_unpermute puts
 * them in input order). */
typedef enum gb_node_order { GB_LAYOUT_ORIGINAL = 0, GB_LAYOUT_DEGREE = 1 } gb_node_order;
/* A new graph: g's CSR in the order of layout (GB_LAYOUT_DEGREE: descending out-degree,
 * ties by input index), each node's arcs in input order; ids, stats and the stored
 * directions and weights as in g.  Runs on threads; GB_EINTR when *interrupt is set. */
gb_status gb_graph_relabel(const gb_graph *g, int layout, int threads,
                           const volatile int32_t *interrupt, gb_graph **out, gb_error *err);
int gb_graph_layout(const gb_graph *g);
/* position -> input index and its inverse, n each; NULL on the original layout. */
const int64_t *gb_graph_perm(const gb_graph *g);
const int64_t *gb_graph_inv_perm(const gb_graph *g);
/* values[n] (elem_bytes 8 or 1) from position order into input order, in place. */
gb_status gb_graph_unpermute(const gb_graph *g, void *values, int elem_bytes, gb_error *err);

/* ---- plans ------------------------------------------------------------- */

/* One opcode space serves both the top-level program and kernel micro-ops; each
 * opcode says where it is valid.  Arithmetic opcodes are valid in both: at top level
 * they read and write scalar registers, in a kernel they read and write temps (one
 * value per lane).  Ints, bools (0/1) and nodes are int64; floats are double.
 *
 * Top-level instruction: GB_INSTR_WIDTH words  [op, loc, a, b, c, d].
 * Kernel micro-op:       GB_INSTR_WIDTH words  [op, loc, dst, a, b, c].
 * loc indexes the plan's location table (for error messages), -1 if none.
 * Immediates are 64-bit patterns: an int as is, a float bit-cast. */
typedef enum gb_layout {
    GB_INSTR_WIDTH = 6,
    GB_KERNEL_HEADER = 22,   /* words before a kernel's micro-ops, see gb_kernel_field */
    GB_NODE_BLOCK = 1024,    /* nodes per block: partial reductions combine per block */
    GB_EDGE_BLOCK = 4096     /* edge lanes evaluated at once inside an edge kernel */
} gb_layout;

typedef enum gb_op {
    /* -- top level only -- */
    GB_OP_CONST = 1,        /* r[a] = imm b */
    GB_OP_MOV = 2,          /* r[a] = r[b] */
    GB_OP_NODE_COUNT = 3,   /* r[a] = n */
    GB_OP_EDGE_COUNT = 4,   /* r[a] = input edge count */
    GB_OP_GET = 5,          /* r[a] = slot b [ r[c] ] ; GB_EINDEX if out of range */
    GB_OP_JUMP = 6,         /* pc = a */
    GB_OP_JUMP_IF_FALSE = 7,/* if r[a] == 0: pc = b */
    GB_OP_CHECK_ITER = 8,   /* GB_EITER if r[a] > max_iterations; also polls interrupt */
    GB_OP_KERNEL = 9,       /* run the kernel whose header starts at kcode[a]; d: its level
                               (see GB_OP_FUSED) */
    GB_OP_COPY_V = 10,      /* slot a = copy of slot b (same dtype) */
    GB_OP_SWAP_V = 11,      /* exchange the buffers of slots a and b (same dtype) */
    GB_OP_FUSED = 12,       /* run edge kernel kcode[a] with node kernel kcode[b] as its per-block
                               epilogue: each block of nodes gets its aggregation, then the node
                               kernel's micro-ops on the same block.  Legal only when the node
                               kernel STOREs no slot the edge kernel reads (checked at create).
                               d, here and in KERNEL: the level claim.  n >= 2 at the first of
                               n consecutive KERNEL/FUSED instructions that are independent (no
                               one writes what another reads or writes; no jump lands inside):
                               they may run side by side.  1: alone; 0: inside a level. */
    GB_OP_GATHER_V = 14,    /* slot a [v] = slot b [ slot c [v] ] for every v (x[p], p a node
                               vector), imm d where slot c [v] is -1 (no node); GB_EINDEX
                               on any other value outside [0, n).  a is neither b nor c, c holds
                               nodes, a has b's dtype (gather_v.c) */
    GB_OP_SOURCES = 15,     /* the head of a loop over sources (`for s in sources()`), closed by
                               a JUMP back to it at pc d - 1: r[a] += 1, and if r[a] >= r[b]
                               pc = d (GB_EVALUE unless 0 <= r[a] and r[b] <= n).  c: the
                               parallel claim (regions.c): 0, or the batch of sources run side
                               by side, each with its own registers and slots, accumulators
                               folded in source order; a claimed loop leaves the registers and
                               slots its body writes, but rI and the accumulators, zero */

    /* -- arithmetic, both levels: dst, x[, y[, z]] -- */
    GB_OP_ADD_I = 20, GB_OP_SUB_I = 21, GB_OP_MUL_I = 22,
    GB_OP_FLOORDIV_I = 23,  /* Python //: rounds toward -inf; GB_EZERODIV on 0 */
    GB_OP_MOD_I = 24,       /* Python %: sign of the divisor; GB_EZERODIV on 0 */
    GB_OP_POW_I = 25,       /* GB_EVALUE on a negative exponent; wraps on overflow */
    GB_OP_MIN_I = 26, GB_OP_MAX_I = 27,
    GB_OP_ADD_F = 30, GB_OP_SUB_F = 31, GB_OP_MUL_F = 32,
    GB_OP_DIV_F = 33,       /* IEEE: x/0.0 is inf or nan */
    GB_OP_FLOORDIV_F = 34,  /* Python float //: floor((x - fmod(x, y)) / y); IEEE on 0.0 */
    GB_OP_MOD_F = 35,       /* Python float %: sign of the divisor, IEEE on 0.0 */
    GB_OP_POW_F = 36,
    GB_OP_MIN_F = 37, GB_OP_MAX_F = 38,   /* a NaN operand gives NaN */
    GB_OP_EQ_I = 40, GB_OP_NE_I = 41, GB_OP_LT_I = 42, GB_OP_LE_I = 43, GB_OP_GT_I = 44, GB_OP_GE_I = 45,
    GB_OP_EQ_F = 50, GB_OP_NE_F = 51, GB_OP_LT_F = 52, GB_OP_LE_F = 53, GB_OP_GT_F = 54, GB_OP_GE_F = 55,
    GB_OP_AND = 60, GB_OP_OR = 61,        /* on 0/1 */
    GB_OP_NOT = 62,                       /* dst, x */
    GB_OP_NEG_I = 63, GB_OP_ABS_I = 64,   /* wrap on INT64_MIN */
    GB_OP_NEG_F = 65, GB_OP_ABS_F = 66,
    GB_OP_SQRT = 67, GB_OP_EXP = 68, GB_OP_LOG = 69, GB_OP_FLOOR = 70, GB_OP_CEIL = 71,  /* float -> float */
    GB_OP_I2F = 72,                       /* int -> float */
    GB_OP_F2I = 73,                       /* truncate; GB_EVALUE on nan, inf or out of range */
    GB_OP_WHERE = 74,                     /* dst, cond, x, y: cond ? x : y (64-bit copy) */
    GB_OP_SAMPLE = 75,      /* top level: r[dst] = source i of sample(n, seed): r[a] = i in
                               [0, r[b] = n), r[c] = seed (sources.c); GB_EVALUE out of range */

    /* -- kernel micro-ops only: dst is a temp -- */
    GB_OP_LOAD = 80,        /* t[dst] = slot a [v]  (v: the lane's node; in an edge kernel, the owner) */
    GB_OP_GATHER = 81,      /* t[dst] = slot a [u]  (edge kernels: the neighbor) */
    GB_OP_BCAST = 82,       /* t[dst] = r[a] */
    GB_OP_IMM = 83,         /* t[dst] = imm a */
    GB_OP_NODE_ID = 84,     /* t[dst] = v */
    GB_OP_NBR = 85,         /* t[dst] = u (edge kernels) */
    GB_OP_WEIGHT = 86,      /* t[dst] = edge weight, 1.0 when unweighted (edge kernels) */
    GB_OP_IN_DEG = 87, GB_OP_OUT_DEG = 88,
    GB_OP_DEGREE = 89,      /* in + out on a directed graph, the adjacency length on an undirected one */
    GB_OP_RANDOM = 90,      /* t[dst] = float in [0,1), a function of (r[a], v) only */
    GB_OP_STORE = 91,       /* slot a [v] = t[b]  (node kernels; converted to the slot's dtype) */
    GB_OP_COMMON = 92,      /* t[dst] = the distinct nodes w != u, v adjacent to both v and u;
                               0 when u == v (edge kernels; undirected graphs only) */
    /* reductions over all nodes (node kernels): r[a] = reduce(t[b]); combined per
     * GB_NODE_BLOCK block in block order, so the result is the same for any thread count */
    GB_OP_RED_SUM_I = 100, GB_OP_RED_SUM_F = 101,
    GB_OP_RED_MIN_I = 102, GB_OP_RED_MIN_F = 103,
    GB_OP_RED_MAX_I = 104, GB_OP_RED_MAX_F = 105,
    GB_OP_RED_ANY = 106, GB_OP_RED_ALL = 107, GB_OP_RED_COUNT = 108,
    GB_OP_RED_ARGMIN_I = 109, GB_OP_RED_ARGMIN_F = 110,   /* first extreme; NaN skipped; */
    GB_OP_RED_ARGMAX_I = 111, GB_OP_RED_ARGMAX_F = 112,   /* GB_EVALUE if no candidate */
    GB_OP_LAST = 113
} gb_op;

/* A kernel is GB_KERNEL_HEADER words followed by nmicro micro-ops.
 * Node kernels run their micro-ops once per block of nodes (lanes = nodes).
 * Edge kernels compute one neighbor aggregation: for each node v, lanes are the edges
 * v has in direction dir (GB_DIR_BOTH: out-edges then in-edges on a directed graph,
 * the adjacency once on an undirected one), the micro-ops compute value_temp (and
 * filter_temp, nonzero = keep) per lane, and agg combines the kept values of v's
 * edges, in CSR order, into out_slot[v]. */
typedef enum gb_kernel_field {
    GB_KH_NMICRO = 0,
    GB_KH_NTEMPS = 1,
    GB_KH_DOMAIN = 2,        /* gb_domain */
    GB_KH_DIR = 3,           /* gb_dir (edge kernels) */
    GB_KH_AGG = 4,           /* gb_agg (edge kernels) */
    GB_KH_AGG_FLOAT = 5,     /* 1 if value_temp holds floats */
    GB_KH_OUT_SLOT = 6,
    GB_KH_VALUE_TEMP = 7,
    GB_KH_FILTER_TEMP = 8,   /* -1: keep every edge */
    GB_KH_DEFAULT_KIND = 9,  /* gb_default: what an empty neighborhood gives */
    GB_KH_DEFAULT_INDEX = 10,/* register or slot index for GB_DEFAULT_REG / GB_DEFAULT_SLOT */
    GB_KH_LOC = 11,
    /* The compiler's decisions for an edge kernel (0 in a node kernel), checked against
     * the micro-ops at gb_plan_create: a claim the micro-ops do not allow is an error. */
    GB_KH_SHAPE = 12,        /* gb_shape: which specialized loop runs it */
    GB_KH_DIRECTIONS = 13,   /* gb_direction_form bits: GB_FORM_PULL, or PULL | PUSH */
    GB_KH_FRONTIER = 14,     /* gb_frontier_form */
    GB_KH_INCREMENTAL = 15,  /* 1: passes may recompute only the nodes whose inputs changed
                                (exactly when the frontier form is not dense) */
    GB_KH_ACTIVE = 16,       /* a node kernel's active set: a bool slot G such that where G is
                                false the kernel changes no slot and its reductions (any, count,
                                int sum) see 0, so it runs over G's true nodes only; -1: every
                                node (always in an edge kernel) */
    GB_KH_DEMAND = 17,       /* an edge kernel's result is used only where slot S == value c
                                (S here, c in GB_KH_DEMAND_VALUE; -1 and 0: everywhere): only
                                any of a bool gather, run in FUSED pairs whose node kernel
                                proves it; those passes compute only the demanded nodes */
    GB_KH_DEMAND_VALUE = 18,
    GB_KH_CHANGED = 19,      /* 1: the edge kernel's one FUSED pair is a monotone min/max step
                                (x' = min(x, agg) into its output slot, any(x' < x)) in a loop
                                that otherwise only swaps x and x': each pass's changed nodes
                                are carried to the next as a list (changed.c); 0: not */
    GB_KH_UNION_FIND = 20,   /* 1: that loop is min-label propagation over both directions from
                                x = node_id(), its pass counter unobserved: its first pass runs
                                union-find and leaves what the loop's last pass leaves
                                (afforest.c); 2: that loop is a min-plus fixpoint (Bellman-Ford,
                                float x, min of x[u] + weight), its pass counter unobserved: its
                                first pass runs delta-stepping, same bits (deltastep.c); 0: not */
    GB_KH_ORDERED = 21       /* gb_order on a node kernel `any(A)` at the head of a loop nest:
                                GB_ORDER_PEEL runs the nest as bucketed peeling (peel.c) */
} gb_kernel_field;

/* How a loop nest headed by a kernel runs (GB_KH_ORDERED): as written, or as bucketed
 * peeling -- the k-core loop nest, checked instruction by instruction at gb_plan_create. */
typedef enum gb_order { GB_ORDER_NONE = 0, GB_ORDER_PEEL = 1 } gb_order;

/* Edge-kernel shapes with a specialized loop.  S is a gathered slot of the value's dtype
 * (a float slot for a float aggregation, an int or bool slot otherwise). */
typedef enum gb_shape {
    GB_SHAPE_GENERIC = 0,      /* the interpreted micro-ops */
    GB_SHAPE_GATHER = 1,       /* [gather t S]: AGG(S[u]), no filter */
    GB_SHAPE_GATHER_IF = 2,    /* [gather t S, gather f B]: AGG(S[u] where B[u] != 0), B int or bool */
    GB_SHAPE_PLUS_WEIGHT = 3,  /* [gather a S, weight b, add_f t a b]: AGG(S[u] + w), float S */
    GB_SHAPE_TIMES_WEIGHT = 4, /* [gather a S, weight b, mul_f t a b]: sum(S[u] * w), float S */
    GB_SHAPE_COUNT = 5,        /* [imm t c], count: (c != 0) * degree */
    GB_SHAPE_INTERSECT = 6,    /* [common t], int sum, no default: twice v's triangles */
    GB_SHAPE_ACTIVE_SIZE = 7   /* a node kernel of loads of its active slot G and any/count
                                  reductions of them: results from G's listed true nodes */
} gb_shape;

/* How an edge kernel's pass may run: pull (each node reads its neighbors) and, for min
 * and max of S[u] or S[u] + w whose inputs only move the aggregation's way, push (each
 * changed node lowers its neighbors' results). */
typedef enum gb_direction_form { GB_FORM_PULL = 1, GB_FORM_PUSH = 2 } gb_direction_form;

/* Which nodes a pass recomputes: all (dense); those whose inputs changed (sparse); or per
 * pass, by the changed nodes' arcs against all arcs (switching). */
typedef enum gb_frontier_form {
    GB_FRONTIER_DENSE = 0,
    GB_FRONTIER_SPARSE = 1,
    GB_FRONTIER_SWITCHING = 2
} gb_frontier_form;

typedef enum gb_domain { GB_DOMAIN_NODE = 0, GB_DOMAIN_EDGE = 1 } gb_domain;

typedef enum gb_agg {
    GB_AGG_SUM = 0,    /* out dtype = value dtype (int or float) */
    GB_AGG_MIN = 1,    /* empty: +inf, int: INT64_MAX */
    GB_AGG_MAX = 2,    /* empty: -inf, int: INT64_MIN */
    GB_AGG_COUNT = 3,  /* counts nonzero values; out int */
    GB_AGG_ANY = 4,    /* out bool */
    GB_AGG_ALL = 5,    /* out bool; empty: true */
    GB_AGG_MEAN = 6,   /* out float; empty: 0.0 */
    GB_AGG_MODE = 7    /* most frequent value, ties to the smallest; out = value dtype */
} gb_agg;

typedef enum gb_default {
    GB_DEFAULT_IDENTITY = 0,  /* the aggregation's identity above (MODE: not allowed) */
    GB_DEFAULT_REG = 1,       /* r[index], converted to the out dtype */
    GB_DEFAULT_SLOT = 2       /* slot index [v] */
} gb_default;

typedef enum gb_dtype { GB_F64 = 0, GB_I64 = 1, GB_BOOL = 2 } gb_dtype;   /* slot element types; GB_BOOL is uint8 */

typedef union gb_value { int64_t i; double f; } gb_value;

typedef struct gb_plan gb_plan;

/* Validates everything (opcodes, widths, register/slot/temp indices, jump targets,
 * kernel offsets, dtypes of STORE/COPY/SWAP) and copies the code; a plan that passes
 * cannot make gb_run read or write out of bounds. */
gb_status gb_plan_create(const int64_t *code, int64_t ncode_words,
                         const int64_t *kcode, int64_t nkcode_words,
                         const int32_t *slot_dtypes, int64_t nslots, int64_t nregs,
                         gb_plan **out, gb_error *err);
void gb_plan_destroy(gb_plan *p);
/* Bytes gb_run allocates on a graph of n nodes to run p's settling edge aggregations
 * (min, max, any, all, mode, count over gathered values) incrementally: copies of their inputs
 * and results between passes, and the marks of the nodes to recompute. */
int64_t gb_plan_incremental_bytes(const gb_plan *p, int64_t n);
/* Bytes gb_run with `threads` workers allocates, on a graph of n nodes, for the loop over
 * sources that needs the most when it runs its passes side by side (0: none does). */
int64_t gb_plan_sources_bytes(const gb_plan *p, int64_t n, int threads);
/* Bytes gb_run allocates at most for p's common micro-ops on an undirected graph of n nodes
 * and `edges` edges (no duplicates) with `threads` workers: the intersect shape's oriented
 * copy, degree order and counts, or the generic micro-ops' sorted adjacency (intersect.c).
 * A graph with duplicate edges adds the sorted adjacency for the intersect shape too. */
int64_t gb_plan_common_bytes(const gb_plan *p, int64_t n, int64_t edges, int threads);

typedef struct gb_run_options {
    int64_t max_iterations;       /* bound checked by GB_OP_CHECK_ITER */
    int threads;                  /* worker threads; <= 0 means 1 */
    volatile int32_t *interrupt;  /* may be NULL; nonzero stops the run with GB_EINTR */
    int full_passes;              /* nonzero: every kernel pass covers every node, never only
                                     the nodes whose inputs changed or a node kernel's active
                                     set (tests compare) */
    int64_t *counts;              /* NULL, or GB_COUNTS_PER_INSTR zeroed counters per instruction
                                     that gb_run adds to (gb_count) */
} gb_run_options;

/* What gb_run counts per instruction in gb_run_options.counts[pc * GB_COUNTS_PER_INSTR + i]:
 * JUMP and JUMP_IF_FALSE: times taken, times not taken; KERNEL and FUSED: how its edge
 * kernel's passes ran: over every node, over the nodes next to changed inputs (pulling),
 * by pushes from the changed nodes, over the demanded nodes, as union-find; node kernels
 * count as dense. */
typedef enum gb_count {
    GB_COUNT_TAKEN = 0, GB_COUNT_NOT_TAKEN = 1,
    GB_COUNT_DENSE = 0, GB_COUNT_SPARSE = 1, GB_COUNT_PUSH = 2,
    GB_COUNT_DEMAND = 3,   /* pulling at the nodes its consumer uses only (GB_KH_DEMAND) */
    GB_COUNT_CHANGED = 4,  /* pushing from the last pass's carried changed set (GB_KH_CHANGED) */
    GB_COUNT_UNION_FIND = 5,  /* the loop ran as union-find or delta-stepping (GB_KH_UNION_FIND) */
    GB_COUNTS_PER_INSTR = 6
} gb_count;

/* Runs the whole plan.  regs has nregs values (parameters already bound); slots has
 * nslots buffers of gb_graph_node_count(g) elements of each slot's dtype, owned by the
 * caller.  SWAP_V permutes the pointers in slots, so read results from slots after. */
gb_status gb_run(const gb_plan *p, const gb_graph *g, gb_value *regs, void **slots,
                 const gb_run_options *opts, gb_error *err);

/* ---- result rows as text (csrc/output/rows.c) ---- */

typedef enum gb_cell_kind { GB_CELL_INT = 0, GB_CELL_FLOAT = 1, GB_CELL_BOOL = 2,
                            GB_CELL_TEXT = 3 } gb_cell_kind;

typedef struct gb_row_column {
    int kind;                 /* gb_cell_kind */
    const void *values;       /* nvalues int64 / double / uint8; TEXT: every token's bytes */
    int64_t nvalues;          /* elements at values (TEXT: tokens) */
    const int64_t *offsets;   /* TEXT: token j is values[offsets[j] .. offsets[j + 1]) */
    int64_t nbytes;           /* TEXT: the bytes at values (offsets are checked against it) */
    const int64_t *index;     /* NULL: row i shows element i; else element index[i], and an
                                 index outside 0..nvalues-1 shows null_text (no node) */
    const char *before;       /* written before each value: a separator, a JSON key */
} gb_row_column;

typedef struct gb_row_style {
    const char *row_sep;      /* between rows (not before row 0): "" or "," in a JSON array */
    const char *row_end;      /* after each row: "\n", "}\n", "" */
    const char *null_text;    /* no value (an index out of range): "" (CSV) or "null" (JSON) */
    const char *true_text;
    const char *false_text;
    int quote_nonfinite;      /* 1: "inf", "-inf", "nan" in double quotes (JSON) */
} gb_row_style;

/* Formats rows [first, first + count) of the columns into buf, whole rows only, while
 * they fit in cap bytes; *used gets the bytes written.  Returns the rows formatted
 * (fewer than count when buf is full), or -1 for bad arguments, an unknown kind, a row
 * past nvalues without an index, or text offsets outside nbytes. */
int64_t gb_format_rows(int64_t first, int64_t count, int ncols, const gb_row_column *cols,
                       const gb_row_style *style, char *buf, int64_t cap, int64_t *used);

#endif
