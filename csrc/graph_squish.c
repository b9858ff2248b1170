/*
 * graph_squish.c — the load policies: self-loops and duplicate edges are counted on
 * every load and dropped on request (no_self_loops, dedupe), keeping the first of each
 * set of equal edges.
 *
 * GAP's SquishCSR sorts every neighbor list to find both; here lists keep the input
 * order (results that depend on CSR order stay deterministic and follow the file), so
 * a duplicate is found with a mark per node: while scanning v's list, mark[u] == v
 * means u already appeared in it.  The builder fills every list in input order, so the
 * first arc u->v in u's out-list, the first u in v's in-list and, undirected, the first
 * v->u in v's list all come from the same first edge: dropping the later arcs in each
 * list drops the same edges everywhere, weights included.  An undirected self-loop is
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

/* Counts over v in [lo, hi) of a directed graph's out-lists or an undirected graph's. */
static counts count_range(const gb_graph *g, int64_t lo, int64_t hi, int64_t *mark)
{
    const int64_t *off = g->out_offsets, *nbr = g->out_neighbors;
    counts c = { 0, 0, 0 };
    for (int64_t v = lo; v < hi; v++) {
        int64_t loop_arcs = 0;
        for (int64_t k = off[v]; k < off[v + 1]; k++) {
            int64_t u = nbr[k];
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
    job->part[t] = count_range(job->g, job->bounds[t], job->bounds[t + 1], job->marks[t]);
}

/* In place: keeps the arcs the policies keep, in order, and rewrites offsets. */
static void compact(int64_t n, int64_t *off, int64_t *nbr, double *w, int directed,
                    int no_self_loops, int dedupe, int64_t *mark)
{
    int64_t at = 0, start = off[0];
    for (int64_t v = 0; v < n; v++) {
        int64_t end = off[v + 1], loop_arcs = 0;
        off[v] = at;
        for (int64_t k = start; k < end; k++) {
            int64_t u = nbr[k];
            int keep;
            if (u == v) {
                /* Directed: one arc per loop edge; undirected: two. */
                loop_arcs++;
                keep = !no_self_loops && !(dedupe && loop_arcs > (directed ? 1 : 2));
            } else {
                keep = !(dedupe && mark[u] == v);
                mark[u] = v;
            }
            if (keep) {
                nbr[at] = u;
                if (w != NULL)
                    w[at] = w[k];
                at++;
            }
        }
        start = end;
    }
    off[n] = at;
}

/* Gives back the memory of dropped arcs (a failed realloc keeps the larger block). */
static void shrink(int64_t **nbr, double **w, int64_t arcs)
{
    size_t bytes = (size_t)(arcs > 0 ? arcs : 1) * sizeof **nbr;
    int64_t *smaller = realloc(*nbr, bytes);
    if (smaller != NULL)
        *nbr = smaller;
    if (*w != NULL) {
        double *wsmaller = realloc(*w, bytes);
        if (wsmaller != NULL)
            *w = wsmaller;
    }
}

static void reset_marks(int64_t *mark, int64_t n)
{
    for (int64_t v = 0; v < n; v++)
        mark[v] = -1;
}

gb_status gb_graph_squish(gb_graph *g, const gb_load_options *opts, gb_error *err)
{
    int64_t n = g->n, arcs = g->out_offsets[n], bounds[GB_MAX_THREADS + 1];
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
    bounds[0] = 0;
    for (int t = 1; t < job.threads; t++) {
        int64_t target = (int64_t)((__int128)arcs * t / job.threads), lo = bounds[t - 1], hi = n;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (g->out_offsets[mid] < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        bounds[t] = lo;
    }
    bounds[job.threads] = n;
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
    compact(n, g->out_offsets, g->out_neighbors, g->out_weights, g->directed, no_loops, dedupe,
            job.marks[0]);
    shrink(&g->out_neighbors, &g->out_weights, g->out_offsets[n]);
    if (g->directed) {
        reset_marks(job.marks[0], n);
        compact(n, g->in_offsets, g->in_neighbors, g->in_weights, 1, no_loops, dedupe,
                job.marks[0]);
        shrink(&g->in_neighbors, &g->in_weights, g->in_offsets[n]);
    } else {
        g->in_neighbors = g->out_neighbors;
        g->in_weights = g->out_weights;
    }
    g->m -= g->stats.self_loops_dropped + g->stats.duplicates_dropped;

cleanup:
    for (int t = 0; t < job.threads; t++)
        free(job.marks[t]);
    return st;
}
