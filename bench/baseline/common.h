/*
 * common.h — what the GAP-style baselines (bfs.c, cc.c, sssp.c, kcore.c) share: the CSR graph
 * the bench writes (bench/cbaseline.py), loaded with every size and index checked, a growable
 * node list, and the result writer. Header-only so each baseline stays one compile command.
 *
 * CSR file: int64 n, int64 arcs, int64 offsets[n+1], int32 neighbors[arcs]; a weighted file
 * (.wcsr) continues with int32 weights[arcs], aligned with the neighbors. Node ids are int32
 * as in GAP; n must be below 2^31.
 *
 * Nothing here prints: loaders return a gb_status and the driver (each file's main) reports it.
 */
#ifndef GAPBASE_COMMON_H
#define GAPBASE_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t node_t;

typedef enum { BL_OK = 0, BL_IO = 1, BL_FORMAT = 2, BL_NOMEM = 3, BL_ARG = 4, BL_OVERFLOW = 5 } bl_status;

static inline const char *bl_message(bl_status s)
{
    switch (s) {
    case BL_OK: return "ok";
    case BL_IO: return "cannot read or write a file";
    case BL_FORMAT: return "malformed CSR file";
    case BL_NOMEM: return "out of memory";
    case BL_ARG: return "bad argument";
    case BL_OVERFLOW: return "a work list outgrew its bound";
    }
    return "unknown error";
}

typedef struct {
    int64_t n, arcs;
    int64_t *offsets;   /* n + 1 */
    node_t *neighbors;  /* arcs */
    int32_t *weights;   /* arcs, or NULL when unweighted */
} csr_graph;

/* malloc of count items of size bytes, NULL on overflow or failure; never 0 bytes. */
static inline void *bl_alloc(size_t count, size_t size)
{
    if (count == 0)
        count = 1;
    if (count > SIZE_MAX / size)
        return NULL;
    return malloc(count * size);
}

static inline void csr_free(csr_graph *g)
{
    free(g->offsets);
    free(g->neighbors);
    free(g->weights);
    memset(g, 0, sizeof *g);
}

static inline int bl_read(FILE *f, void *buf, size_t size, size_t count)
{
    return fread(buf, size, count, f) == count;
}

/* Loads a CSR file; weighted != 0 also reads the weights. Checks the header, that offsets
 * start at 0, never decrease and end at arcs, and that every neighbor is a node. */
static inline bl_status csr_load(const char *path, int weighted, csr_graph *g)
{
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return BL_IO;
    bl_status st = BL_OK;
    if (!bl_read(f, &g->n, sizeof g->n, 1) || !bl_read(f, &g->arcs, sizeof g->arcs, 1))
        st = BL_FORMAT;
    else if (g->n < 0 || g->n >= INT32_MAX || g->arcs < 0 || (uint64_t)g->arcs > SIZE_MAX / 8)
        st = BL_FORMAT;
    if (st == BL_OK) {
        g->offsets = bl_alloc((size_t)g->n + 1, sizeof *g->offsets);
        g->neighbors = bl_alloc((size_t)g->arcs, sizeof *g->neighbors);
        if (weighted)
            g->weights = bl_alloc((size_t)g->arcs, sizeof *g->weights);
        if (g->offsets == NULL || g->neighbors == NULL || (weighted && g->weights == NULL))
            st = BL_NOMEM;
    }
    if (st == BL_OK && (!bl_read(f, g->offsets, sizeof *g->offsets, (size_t)g->n + 1) ||
                        !bl_read(f, g->neighbors, sizeof *g->neighbors, (size_t)g->arcs) ||
                        (weighted && !bl_read(f, g->weights, sizeof *g->weights, (size_t)g->arcs))))
        st = BL_FORMAT;
    fclose(f);
    if (st == BL_OK && (g->offsets[0] != 0 || g->offsets[g->n] != g->arcs))
        st = BL_FORMAT;
    for (int64_t v = 0; st == BL_OK && v < g->n; v++)
        if (g->offsets[v + 1] < g->offsets[v])
            st = BL_FORMAT;
    for (int64_t e = 0; st == BL_OK && e < g->arcs; e++)
        if (g->neighbors[e] < 0 || g->neighbors[e] >= g->n || (weighted && g->weights[e] < 0))
            st = BL_FORMAT;
    if (st != BL_OK)
        csr_free(g);
    return st;
}

static inline int64_t csr_degree(const csr_graph *g, int64_t v)
{
    return g->offsets[v + 1] - g->offsets[v];
}

/* A growable list of nodes (per-thread buffers, bins). */
typedef struct {
    node_t *items;
    size_t size, capacity;
} node_list;

/* Appends v; 0 when memory runs out (the list is left as it was). */
static inline int list_push(node_list *l, node_t v)
{
    if (l->size == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 256;
        node_t *grown = cap > SIZE_MAX / sizeof *grown ? NULL : realloc(l->items, cap * sizeof *grown);
        if (grown == NULL)
            return 0;
        l->items = grown;
        l->capacity = cap;
    }
    l->items[l->size++] = v;
    return 1;
}

static inline bl_status write_array(const char *path, const void *data, size_t size, size_t count)
{
    FILE *out = fopen(path, "wb");
    if (out == NULL)
        return BL_IO;
    int ok = fwrite(data, size, count, out) == count;
    ok = (fclose(out) == 0) && ok;
    return ok ? BL_OK : BL_IO;
}

/* Parses a non-negative integer argument; -1 when it is not one. */
static inline long long parse_count(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return (*s == '\0' || *end != '\0' || v < 0) ? -1 : v;
}

#endif
