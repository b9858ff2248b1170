/*
 * test_intersect.c — common neighbors (csrc/exec/intersect.c): `sum(common(u) for u in
 * nbrs)` claimed as the intersect shape (the triangle pass, degree or node order) and run
 * generic (gb_plan_tune) gives twice each node's triangles, counted here from a bitmap of
 * the edges, for 1 to 8 threads and small work items; a graph with repeated edges runs
 * the per-edge sum; a directed graph is refused with the kernel's location.
 */
#include "check.h"
#include "plan_asm.h"

enum { N = 700 };

/* out = sum over v's arcs of common(u): the edge kernel alone. */
static gb_plan *build(void)
{
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    int64_t k;
    tp_init(&t, 0);
    tp_slot(&t, GB_I64);
    k = kbegin(&t, GB_DOMAIN_EDGE, 1, 10);
    kedge(&t, k, GB_DIR_BOTH, GB_AGG_SUM, 0, 0, 0, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_COMMON, 11, 0, 0, 0, 0);
    ins(&t, GB_OP_KERNEL, 12, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    return p;
}

/* The per-edge sum by its definition, from a bitmap of the distinct edges. */
static void reference(int64_t m, const int64_t *src, const int64_t *dst, int64_t *want)
{
    static unsigned char adj[N][N];
    memset(adj, 0, sizeof adj);
    for (int64_t i = 0; i < m; i++)
        adj[src[i]][dst[i]] = adj[dst[i]][src[i]] = src[i] != dst[i];
    memset(want, 0, N * sizeof *want);
    for (int64_t i = 0; i < m; i++) {
        int64_t u = src[i], v = dst[i], c = 0;
        if (u == v)
            continue;
        for (int64_t w = 0; w < N; w++)
            c += adj[u][w] && adj[v][w];
        want[u] += c;
        want[v] += c;
    }
}

static void check_graph(int64_t m, const int64_t *src, const int64_t *dst)
{
    gb_graph *g = graph_new(N, m, src, dst, NULL, 0);
    gb_plan *p = build();
    int64_t *want = malloc(N * sizeof *want);
    gb_error err;
    reference(m, src, dst, want);
    for (int specialize = 0; specialize <= 1; specialize++)
        for (int threads = 1; threads <= 8; threads *= 2) {
            gb_run_options opts = { 10, threads, NULL, 0, NULL };
            void **slots = slots_new(1, N);
            gb_plan_tune(p, specialize, threads > 2 ? 1 : 16384);
            CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_OK);
            CHECK_EQ_I(memcmp(slots[0], want, N * sizeof *want), 0);
            slots_free(slots, 1);
        }
    free(want);
    gb_plan_destroy(p);
    gb_graph_destroy(g);
}

int main(void)
{
    enum { M = 20000 };
    int64_t *src = malloc(M * sizeof *src), *dst = malloc(M * sizeof *dst);
    uint64_t r = 7;
    for (int hubs = 0; hubs <= 1; hubs++) {   /* flat: node order; a few hubs: degree order */
        for (int64_t i = 0; i < M; i++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            src[i] = hubs && i % 4 == 0 ? (int64_t)(i % 5) : (int64_t)((r >> 33) % N);
            dst[i] = (int64_t)((r >> 13) % N);
            if (src[i] == dst[i])
                dst[i] = (dst[i] + 1) % N;   /* no self-loops or repeats in these two */
        }
        /* drop repeated pairs: keep the first of each */
        {
            static unsigned char seen[N][N];
            int64_t kept = 0;
            memset(seen, 0, sizeof seen);
            for (int64_t i = 0; i < M; i++) {
                int64_t a = src[i] < dst[i] ? src[i] : dst[i], b = src[i] ^ dst[i] ^ a;
                if (!seen[a][b]) {
                    seen[a][b] = 1;
                    src[kept] = src[i];
                    dst[kept++] = dst[i];
                }
            }
            check_graph(kept, src, dst);
        }
    }
    /* repeated edges and self-loops: the intersect shape runs the per-edge loop */
    src[M - 1] = src[0];
    dst[M - 1] = dst[0];
    src[M - 2] = dst[M - 2] = 3;
    check_graph(M, src, dst);
    {
        gb_graph *g = graph_new(N, 100, src, dst, NULL, 1);
        gb_plan *p = build();
        void **slots = slots_new(1, N);
        gb_error err;
        CHECK_EQ_I(gb_run(p, g, NULL, slots, NULL, &err), GB_EINVAL);
        CHECK_CONTAINS(err.message, "common() needs an undirected graph");
        CHECK_EQ_I(err.loc, 10);
        slots_free(slots, 1);
        gb_plan_destroy(p);
        gb_graph_destroy(g);
    }
    free(src);
    free(dst);
    return CHECK_DONE();
}
