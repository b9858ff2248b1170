/*
 * graph_squish.c — the load policies: self-loops and duplicate edges are counted on
 * every load and dropped on request (no_self_loops, dedupe), keeping the first of each
 * set of equal edges.
 *
 * GAP's SquishCSR sorts every neighbor list to find both; here lists keep the input
 * order (results that depend on CSR order stay deterministic and follow the file), so
 * a duplicate is found with a mark per node: while scanning v's list, mark[u] == v
 * means u already appeared in it.  The builder fills every list in input order, so the
 * first arc u->v in u's out-list and, undirected, the first v->u in v's list come from
 * the same first edge: dropping the later arcs in each list drops the same edges
 * everywhere, weights included.  A directed graph's in-CSR is built after this, as the
 * transpose of what is kept.  An undirected self-loop is
 * two adjacent arcs v->v, so a list's loop arcs pair up into edges in order.
 */
#include <stdlib.h>

#include "graph_internal.h"

typedef struct counts {
    int64_t self_loops, duplicates, loop_duplicates;
} counts;

typedef struct squish_job {
    const gb_graph *g;
    int threads;
    int64_t *bounds;            /* node range of thread t: [bounds[t], bounds[t + 1]) */
    int64_t *marks[GB_MAX_THREADS];
    counts part[GB_MAX_THREADS];
} squish_job;

/* Counts over v in [lo, hi) of a directed graph's out-lists or an undirected graph's;
 * ob, nb: the index widths, constants in each instance. */
static inline __attribute__((always_inline)) counts
count_range(const gb_graph *g, int64_t lo, int64_t hi, int64_t *mark, const int ob, const int nb)
{
    const void *off = g->out.off, *nbr = g->out.nbr;
    counts c = { 0, 0, 0 };
    for (int64_t v = lo; v < hi; v++) {
        int64_t loop_arcs = 0, end = gb_idx_get(off, ob, v + 1);
        for (int64_t k = gb_idx_get(off, ob, v); k < end; k++) {
            int64_t u = gb_idx_get(nbr, nb, k);
            if (u == v) {
                loop_arcs++;
                continue;
            }
            int dup = mark[u] == v;
            mark[u] = v;
            /* Undirected: the duplicate shows in both ends' lists; count it at the lower. */
            c.duplicates += dup && (g->directed || u > v);
        }
        int64_t loops = g->directed ? loop_arcs : loop_arcs / 2;
        c.self_loops += loops;
        if (loops > 1) {
            c.duplicates += loops - 1;
            c.loop_duplicates += loops - 1;
        }
    }
    return c;
}

static void count_worker(void *arg, int t)
{
    squish_job *job = arg;
    const gb_graph *g = job->g;
    int64_t lo = job->bounds[t], hi = job->bounds[t + 1];
#define CALL(ob, nb) job->part[t] = count_range(g, lo, hi, job->marks[t], ob, nb)
    GB_BY_WIDTHS(g->off_bytes, g->nbr_bytes, CALL);
#undef CALL
}

/* In place: keeps the out-arcs the policies keep, in order, and rewrites offsets (a
 * directed graph's in-CSR is built afterwards, from these). */
static inline __attribute__((always_inline)) void
compact_t(gb_graph *g, int no_self_loops, int dedupe, int64_t *mark, const int ob, const int nb)
{
    void *off = g->out.off, *nbr = g->out.nbr;
    double *w = g->out.w;
    int64_t n = g->n, at = 0, start = gb_idx_get(off, ob, 0);
    for (int64_t v = 0; v < n; v++) {
        int64_t end = gb_idx_get(off, ob, v + 1), loop_arcs = 0;
        gb_idx_set(off, ob, v, at);
        for (int64_t k = start; k < end; k++) {
            int64_t u = gb_idx_get(nbr, nb, k);
            int keep;
            if (u == v) {
                /* Directed: one arc per loop edge; undirected: two. */
                loop_arcs++;
                keep = !no_self_loops && !(dedupe && loop_arcs > (g->directed ? 1 : 2));
            } else {
                keep = !(dedupe && mark[u] == v);
                mark[u] = v;
            }
            if (keep) {
                gb_idx_set(nbr, nb, at, u);
                if (w != NULL)
                    w[at] = w[k];
                at++;
            }
        }
        start = end;
    }
    gb_idx_set(off, ob, n, at);
}

static void compact(gb_graph *g, int no_self_loops, int dedupe, int64_t *mark)
{
#define CALL(ob, nb) compact_t(g, no_self_loops, dedupe, mark, ob, nb)
    GB_BY_WIDTHS(g->off_bytes, g->nbr_bytes, CALL);
#undef CALL
}

/* Gives back the memory of dropped arcs (a failed realloc keeps the larger block), and
 * narrows 64-bit offsets that now fit 32 bits (the rule is on the arcs kept). */
static void shrink(gb_graph *g, int64_t arcs)
{
    size_t count = (size_t)(arcs > 0 ? arcs : 1);
    void *smaller = realloc(g->out.nbr, count * (size_t)g->nbr_bytes);
    if (smaller != NULL)
        g->out.nbr = smaller;
    if (g->out.w != NULL) {
        double *wsmaller = realloc(g->out.w, count * sizeof *g->out.w);
        if (wsmaller != NULL)
            g->out.w = wsmaller;
    }
    if (g->off_bytes == 8 && gb_off_bytes_for(arcs, g->wide) == 4) {
        int32_t *narrow = malloc(((size_t)g->n + 1) * sizeof *narrow);
        if (narrow != NULL) {   /* else the wide offsets stay: still correct */
            const int64_t *wide = g->out.off;
            for (int64_t v = 0; v <= g->n; v++)
                narrow[v] = (int32_t)wide[v];
            free(g->out.off);
            g->out.off = narrow;
            g->off_bytes = 4;
        }
    }
}

static void reset_marks(int64_t *mark, int64_t n)
{
    for (int64_t v = 0; v < n; v++)
        mark[v] = -1;
}

gb_status gb_graph_squish(gb_graph *g, const gb_load_options *opts, gb_error *err)
{
    int64_t n = g->n, arcs = gb_idx_get(g->out.off, g->off_bytes, n), bounds[GB_MAX_THREADS + 1];
    /* A mark array per thread: worth it only with many arcs per node. */
    squish_job job = { .g = g, .bounds = bounds,
                       .threads = gb_thread_count(opts != NULL ? opts->threads : 1,
                                                  arcs / (4 * (n + 1)) + 1) };
    gb_status st = GB_OK;
    for (int t = 0; t < job.threads; t++) {
        if ((job.marks[t] = malloc((size_t)(n > 0 ? n : 1) * sizeof *job.marks[t])) == NULL) {
            st = gb_graph_fail(err, GB_ENOMEM, 0, 0,
                               "out of memory counting the duplicate edges of %lld nodes",
                               (long long)n);
            goto cleanup;
        }
        reset_marks(job.marks[t], n);
    }
    /* Thread t takes the nodes whose arcs start in its share of all arcs. */
    gb_graph_arc_bounds(g, job.threads, bounds);
    gb_parallel(job.threads, count_worker, &job);

    counts c = { 0, 0, 0 };
    for (int t = 0; t < job.threads; t++) {
        c.self_loops += job.part[t].self_loops;
        c.duplicates += job.part[t].duplicates;
        c.loop_duplicates += job.part[t].loop_duplicates;
    }
    int no_loops = opts != NULL && opts->no_self_loops, dedupe = opts != NULL && opts->dedupe;
    g->stats.input_edges = g->m;
    g->stats.self_loops = c.self_loops;
    g->stats.duplicates = c.duplicates;
    g->stats.self_loops_dropped = no_loops ? c.self_loops : 0;
    g->stats.duplicates_dropped = dedupe ? c.duplicates - (no_loops ? c.loop_duplicates : 0) : 0;
    if (g->stats.self_loops_dropped == 0 && g->stats.duplicates_dropped == 0)
        goto cleanup;

    reset_marks(job.marks[0], n);
    compact(g, no_loops, dedupe, job.marks[0]);
    shrink(g, gb_idx_get(g->out.off, g->off_bytes, n));
    if (!g->directed)
        g->in = g->out;
    g->m -= g->stats.self_loops_dropped + g->stats.duplicates_dropped;

cleanup:
    for (int t = 0; t < job.threads; t++)
        free(job.marks[t]);
    return st;
}
