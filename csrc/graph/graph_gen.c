/*
 * graph_gen.c — the GAP Benchmark Suite's synthetic graphs, `kron:SCALE[:DEGREE]` and
 * `uniform:SCALE[:DEGREE]`.
 *
 * Both have n = 2^scale nodes and n * degree edges.  Kronecker is the Graph500 R-MAT
 * recursion (Chakrabarti, Zhan, Faloutsos, "R-MAT", SDM 2004; Graph500 parameters
 * A = 0.57, B = C = 0.19): each edge picks one quadrant of the adjacency matrix per bit
 * of the ids, and the ids are then permuted so high degree is not tied to low ids.
 * Uniform draws both endpoints uniformly.  As in GAP (generator.h), edges are made in
 * blocks of 2^18, each from an mt19937 seeded with kRandSeed + block index, so the
 * edge list is the same whatever the thread count; GAP builds these graphs undirected.
 * The draws follow GAP exactly (UniDist for integers, generate_canonical<float> for
 * R-MAT); the id permutation is a Fisher-Yates shuffle seeded with kRandSeed, whereas
 * GAP's std::shuffle draws in an order that differs between C++ libraries.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "graph_internal.h"

enum { GEN_BLOCK = 1 << 18, MT_N = 624, MT_M = 397, MAX_SCALE = 32 };
static const uint32_t RAND_SEED = 27491095;   /* GAP's kRandSeed */

void gb_mt_seed(gb_mt19937 *mt, uint32_t seed)
{
    mt->s[0] = seed;
    for (int i = 1; i < MT_N; i++)
        mt->s[i] = 1812433253u * (mt->s[i - 1] ^ (mt->s[i - 1] >> 30)) + (uint32_t)i;
    mt->i = MT_N;
}

/* Regenerates all 624 words; split in three loops so no index needs a modulo. */
static void mt_twist(gb_mt19937 *mt)
{
    uint32_t *s = mt->s;
    int k = 0;
#define MT_MIX(a, b, c) ((c) ^ ((((a) & 0x80000000u) | ((b) & 0x7fffffffu)) >> 1) \
                         ^ ((b) & 1u ? 0x9908b0dfu : 0u))
    for (; k < MT_N - MT_M; k++)
        s[k] = MT_MIX(s[k], s[k + 1], s[k + MT_M]);
    for (; k < MT_N - 1; k++)
        s[k] = MT_MIX(s[k], s[k + 1], s[k + MT_M - MT_N]);
    s[MT_N - 1] = MT_MIX(s[MT_N - 1], s[0], s[MT_M - 1]);
#undef MT_MIX
    mt->i = 0;
}

uint32_t gb_mt_next(gb_mt19937 *mt)
{
    if (mt->i >= MT_N)
        mt_twist(mt);
    uint32_t y = mt->s[mt->i++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
}

/* GAP's UniDist: uniform in [0, max_value] by rejecting the draws past the last whole
 * multiple of max_value + 1, then taking the remainder. */
typedef struct unidist {
    int no_mod;
    uint32_t mod, cutoff;
} unidist;

static unidist unidist_make(uint32_t max_value)
{
    unidist d = { .no_mod = max_value == UINT32_MAX, .mod = max_value + 1u };
    uint64_t remainder = d.no_mod ? 0 : (1ull << 32) % d.mod;
    d.cutoff = remainder == 0 ? 0 : (uint32_t)(UINT32_MAX - remainder);
    return d;
}

static uint32_t unidist_draw(const unidist *d, gb_mt19937 *mt)
{
    uint32_t r = gb_mt_next(mt);
    if (d->no_mod)
        return r;
    if (d->cutoff != 0)
        while (r >= d->cutoff)
            r = gb_mt_next(mt);
    return r % d->mod;
}

/* std::uniform_real_distribution<float>(0, 1) over mt19937 in libstdc++: one draw / 2^32,
 * kept below 1. */
static float unit_float(gb_mt19937 *mt)
{
    float f = (float)gb_mt_next(mt) / 4294967296.0f;
    return f >= 1.0f ? nextafterf(1.0f, 0.0f) : f;
}

typedef struct gen_job {
    int kind, scale, threads;
    int64_t n, m, blocks;
    int64_t *src, *dst;
    atomic_llong blocks_done;
    atomic_int stop;
    const gb_load_options *opts;
} gen_job;

static void gen_block(gen_job *job, int64_t block, gb_mt19937 *mt)
{
    const float A = 0.57f, B = 0.19f, C = 0.19f;
    int64_t end = (block + 1) * GEN_BLOCK < job->m ? (block + 1) * GEN_BLOCK : job->m;
    gb_mt_seed(mt, RAND_SEED + (uint32_t)block);
    if (job->kind == GB_GEN_UNIFORM) {
        unidist d = unidist_make((uint32_t)(job->n - 1));
        for (int64_t e = block * GEN_BLOCK; e < end; e++) {
            job->src[e] = unidist_draw(&d, mt);
            job->dst[e] = unidist_draw(&d, mt);
        }
        return;
    }
    for (int64_t e = block * GEN_BLOCK; e < end; e++) {
        int64_t src = 0, dst = 0;
        for (int depth = 0; depth < job->scale; depth++) {
            float p = unit_float(mt);
            src <<= 1;
            dst <<= 1;
            if (p < A + B) {
                if (p > A)
                    dst++;
            } else {
                src++;
                if (p > A + B + C)
                    dst++;
            }
        }
        job->src[e] = src;
        job->dst[e] = dst;
    }
}

/* Worker t makes blocks t, t + threads, ...; worker 0 (the caller's thread) reports
 * progress, and a cancel from the callback stops every worker at its next block. */
static void gen_worker(void *arg, int t)
{
    gen_job *job = arg;
    gb_mt19937 mt;
    for (int64_t block = t; block < job->blocks; block += job->threads) {
        if (atomic_load(&job->stop) || gb_stop_requested(job->opts->interrupt))
            return;
        gen_block(job, block, &mt);
        int64_t done = atomic_fetch_add(&job->blocks_done, 1) + 1;
        if (t == 0 && job->opts->progress != NULL) {
            int64_t edges = done * GEN_BLOCK < job->m ? done * GEN_BLOCK : job->m;
            if (job->opts->progress(job->opts->progress_ctx, edges, job->m, edges) != 0)
                atomic_store(&job->stop, 1);
        }
    }
}

/* GAP's PermuteIDs: relabel every endpoint through a random permutation of 0..n-1. */
static gb_status permute_ids(int64_t n, int64_t m, int64_t *src, int64_t *dst)
{
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    if (perm == NULL)
        return GB_ENOMEM;
    gb_mt19937 *mt = malloc(sizeof *mt);
    if (mt == NULL) {
        free(perm);
        return GB_ENOMEM;
    }
    for (int64_t v = 0; v < n; v++)
        perm[v] = v;
    gb_mt_seed(mt, RAND_SEED);
    for (int64_t i = n - 1; i > 0; i--) {
        unidist d = unidist_make((uint32_t)i);
        int64_t j = unidist_draw(&d, mt), tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    for (int64_t e = 0; e < m; e++) {
        src[e] = perm[src[e]];
        dst[e] = perm[dst[e]];
    }
    free(mt);
    free(perm);
    return GB_OK;
}

gb_status gb_graph_generate(int kind, int scale, int64_t degree, const gb_load_options *opts,
                            gb_graph **out, gb_error *err)
{
    gb_load_options defaults = { 0 };
    gen_job job = { .kind = kind, .scale = scale };
    gb_graph *g = NULL;
    gb_status st = GB_OK;

    gb_graph_clear_error(err);
    if (out == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_generate: out is NULL");
    *out = NULL;
    job.opts = opts != NULL ? opts : &defaults;
    int64_t max_nodes = gb_max_nodes(job.opts);
    if (kind != GB_GEN_KRONECKER && kind != GB_GEN_UNIFORM)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "unknown generator %d", kind);
    if (scale < 1 || scale > MAX_SCALE || (int64_t)1 << scale > max_nodes)
        return gb_graph_fail(err, GB_EINVAL, 0, 0,
                             "scale %d is outside 1..%d (2^scale nodes, at most %lld)", scale,
                             MAX_SCALE, (long long)max_nodes);
    job.n = (int64_t)1 << scale;
    if (degree < 1 || degree > INT64_MAX / 2 / job.n)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "degree %lld is outside 1..%lld",
                             (long long)degree, (long long)(INT64_MAX / 2 / job.n));
    job.m = job.n * degree;
    char what[96];
    snprintf(what, sizeof what, "generating %s:%d:%lld (%lld nodes, %lld edges)",
             kind == GB_GEN_KRONECKER ? "kron" : "uniform", scale, (long long)degree,
             (long long)job.n, (long long)job.m);
    st = gb_budget_check(job.opts, gb_graph_load_bytes(job.n, job.m, 0, 0, GB_SOURCE_GENERATED,
                                                       job.opts), err, what);
    if (st != GB_OK)
        return st;
    job.blocks = (job.m + GEN_BLOCK - 1) / GEN_BLOCK;
    job.threads = gb_thread_count(job.opts->threads, job.blocks);
    atomic_init(&job.blocks_done, 0);
    atomic_init(&job.stop, 0);
    job.src = malloc((size_t)job.m * sizeof *job.src);
    job.dst = malloc((size_t)job.m * sizeof *job.dst);
    if (job.src == NULL || job.dst == NULL) {
        st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory generating %lld edges",
                           (long long)job.m);
        goto cleanup;
    }
    gb_parallel(job.threads, gen_worker, &job);
    if (atomic_load(&job.stop) || gb_stop_requested(job.opts->interrupt)) {
        st = gb_graph_fail(err, GB_EINTR, 0, 0, "generating the graph was interrupted");
        goto cleanup;
    }
    if (kind == GB_GEN_KRONECKER && permute_ids(job.n, job.m, job.src, job.dst) != GB_OK) {
        st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory generating %lld edges",
                           (long long)job.m);
        goto cleanup;
    }
    st = gb_graph_finish(job.n, job.m, job.src, job.dst, NULL, 0, job.opts, &g, err);
    if (st != GB_OK)
        goto cleanup;
    if ((st = gb_graph_identity_ids(g, err)) != GB_OK)
        goto cleanup;
    g->stats.format = GB_FORMAT_GENERATED;
    *out = g;
    g = NULL;

cleanup:
    gb_graph_destroy(g);
    free(job.src);
    free(job.dst);
    return st;
}
