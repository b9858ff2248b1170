/*
 * bfs.c — direction-optimizing breadth-first search, the baseline for algorithms/bfs.gdsl.
 *
 * Beamer, Asanović, Patterson, "Direction-Optimizing Breadth-First Search", SC'12. Written from
 * the paper: level-synchronous BFS that runs each step either top-down (the frontier, a sparse
 * queue, scans its out-edges and claims unvisited neighbors) or bottom-up (every unvisited node
 * scans its neighbors for one in the frontier, a bitmap, and stops at the first). The switch is
 * the paper's heuristic (§IV): go bottom-up when the frontier's edges m_f exceed the edges of
 * unexplored nodes m_u / alpha, and back top-down when the frontier n_f has shrunk below n / beta,
 * with alpha = 15 and beta = 18 (§V). Returns each node's depth (-1 unreached), the `level`
 * vector bfs.gdsl returns, rather than the paper's parent array. OpenMP threads (GAP's runtime).
 *
 * Usage: bfs CSR_FILE TRIALS OUT SOURCE
 *   prints "trial T seconds S reached R" per trial; writes int32 depth[n] of the last to OUT.
 */
#include <omp.h>

#include "driver.h"

#define ALPHA 15
#define BETA 18
#define BUFFER 4096 /* per-thread discoveries gathered before one atomic append */

typedef uint64_t word_t;
#define WORD_BITS 64

static inline int bit_get(const word_t *b, int64_t i)
{
    return (int)((b[i / WORD_BITS] >> (i % WORD_BITS)) & 1u);
}

static inline void bit_set_atomic(word_t *b, int64_t i)
{
    __atomic_fetch_or(&b[i / WORD_BITS], (word_t)1 << (i % WORD_BITS), __ATOMIC_RELAXED);
}

/* Appends a thread's buffer to the shared queue at *tail (one atomic add per buffer). */
static void flush(node_t *queue, int64_t *tail, const node_t *buf, int64_t count)
{
    int64_t at = __atomic_fetch_add(tail, count, __ATOMIC_RELAXED);
    memcpy(queue + at, buf, (size_t)count * sizeof *buf);
}

/* Top-down step (§III, Algorithm 1): each frontier node claims its unvisited neighbors with a
 * compare-and-swap on depth, so each node joins the next frontier once. Returns the next
 * frontier's edge count m_f; the next frontier is queue[end, *tail). */
static int64_t top_down(const csr_graph *g, node_t *depth, node_t *queue, int64_t begin,
                        int64_t end, int64_t *tail, node_t next_depth)
{
    int64_t scout = 0;
#pragma omp parallel reduction(+ : scout)
    {
        node_t buf[BUFFER];
        int64_t count = 0;
#pragma omp for schedule(dynamic, 64) nowait
        for (int64_t i = begin; i < end; i++) {
            node_t u = queue[i];
            for (int64_t e = g->offsets[u]; e < g->offsets[u + 1]; e++) {
                node_t v = g->neighbors[e];
                node_t unseen = -1;
                if (depth[v] < 0 && __atomic_compare_exchange_n(&depth[v], &unseen, next_depth, 0,
                                                                __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
                    buf[count++] = v;
                    scout += csr_degree(g, v);
                    if (count == BUFFER) {
                        flush(queue, tail, buf, count);
                        count = 0;
                    }
                }
            }
        }
        if (count > 0)
            flush(queue, tail, buf, count);
    }
    return scout;
}

/* Bottom-up step (§III, Algorithm 2): each unvisited node looks for a parent in the frontier
 * bitmap and stops at the first one. Sets the found nodes' bits in `next`; returns n_f, the
 * next frontier's size, and its edge count in *edges. */
static int64_t bottom_up(const csr_graph *g, node_t *depth, const word_t *front, word_t *next,
                         node_t next_depth, int64_t *edges)
{
    int64_t awake = 0, found_edges = 0;
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : awake, found_edges)
    for (int64_t v = 0; v < g->n; v++) {
        if (depth[v] >= 0)
            continue;
        for (int64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
            if (bit_get(front, g->neighbors[e])) {
                depth[v] = next_depth;
                bit_set_atomic(next, v);
                awake++;
                found_edges += csr_degree(g, v);
                break;
            }
        }
    }
    *edges = found_edges;
    return awake;
}

/* Depths from source into depth[n]. */
static bl_status bfs(const csr_graph *g, node_t source, node_t *depth)
{
    const int64_t n = g->n;
    const size_t words = (size_t)(n + WORD_BITS - 1) / WORD_BITS;
    node_t *queue = bl_alloc((size_t)n, sizeof *queue);
    word_t *front = bl_alloc(words, sizeof *front);
    word_t *next = bl_alloc(words, sizeof *next);
    if (queue == NULL || front == NULL || next == NULL) {
        free(queue);
        free(front);
        free(next);
        return BL_NOMEM;
    }
#pragma omp parallel for schedule(static)
    for (int64_t v = 0; v < n; v++)
        depth[v] = -1;

    depth[source] = 0;
    queue[0] = source;
    int64_t begin = 0, end = 1, tail = 1;
    int64_t m_f = csr_degree(g, source);  /* edges to check from the frontier */
    int64_t m_u = g->arcs - m_f;          /* edges to check from unexplored nodes */
    node_t level = 0;
    while (begin < end) {
        if (m_f > m_u / ALPHA) {
            /* Switch to bottom-up (§IV): the frontier as a bitmap. */
            memset(front, 0, words * sizeof *front);
#pragma omp parallel for schedule(static)
            for (int64_t i = begin; i < end; i++)
                bit_set_atomic(front, queue[i]);
            int64_t n_f = end - begin, prev;
            do {
                prev = n_f;
                memset(next, 0, words * sizeof *next);
                int64_t edges;
                n_f = bottom_up(g, depth, front, next, ++level, &edges);
                m_u -= edges;
                m_f = edges;
                word_t *swap = front;
                front = next;
                next = swap;
                /* Back to top-down once the frontier is small and shrinking (§IV). */
            } while (n_f > 0 && (n_f >= prev || n_f > n / BETA));
            /* The frontier (depth == level) back into a queue. */
            begin = end = tail = 0;
#pragma omp parallel
            {
                node_t buf[BUFFER];
                int64_t count = 0;
#pragma omp for schedule(static) nowait
                for (int64_t v = 0; v < n; v++) {
                    if (depth[v] == level) {
                        buf[count++] = (node_t)v;
                        if (count == BUFFER) {
                            flush(queue, &tail, buf, count);
                            count = 0;
                        }
                    }
                }
                if (count > 0)
                    flush(queue, &tail, buf, count);
            }
            end = tail;
        } else {
            m_f = top_down(g, depth, queue, begin, end, &tail, ++level);
            m_u -= m_f;
            begin = end;
            end = tail;
        }
    }
    free(queue);
    free(front);
    free(next);
    return BL_OK;
}

int main(int argc, char **argv)
{
    csr_graph g;
    long long trials;
    int rc = bl_start(argc, argv, 4, "CSR_FILE TRIALS OUT SOURCE", 0, &g, &trials);
    if (rc != 0)
        return rc;
    bl_status st = BL_OK;
    long long source = parse_count(argv[4]);
    if (source < 0 || source >= g.n) {
        fprintf(stderr, "bad SOURCE (n = %lld)\n", (long long)g.n);
        csr_free(&g);
        return 2;
    }
    node_t *depth = bl_alloc((size_t)g.n, sizeof *depth);
    if (depth == NULL) {
        fprintf(stderr, "%s\n", bl_message(BL_NOMEM));
        csr_free(&g);
        return 1;
    }
    printf("threads %d n %lld arcs %lld\n", omp_get_max_threads(), (long long)g.n, (long long)g.arcs);
    for (long long t = 0; t < trials && st == BL_OK; t++) {
        double start = omp_get_wtime();
        st = bfs(&g, (node_t)source, depth);
        double seconds = omp_get_wtime() - start;
        int64_t reached = 0;
        for (int64_t v = 0; v < g.n; v++)
            reached += depth[v] >= 0;
        if (st == BL_OK)
            printf("trial %lld seconds %.9f reached %lld\n", t, seconds, (long long)reached);
        fflush(stdout);
    }
    if (st == BL_OK)
        st = write_array(argv[3], depth, sizeof *depth, (size_t)g.n);
    if (st != BL_OK)
        fprintf(stderr, "%s\n", bl_message(st));
    free(depth);
    csr_free(&g);
    return st == BL_OK ? 0 : 1;
}
