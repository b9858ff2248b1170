/*
 * csr64.h — one direction of a graph's CSR copied out as int64 arrays, whatever index
 * widths the graph stores (gb_graph_csr gives 4- or 8-byte elements), so tests can
 * index and compare them plainly.
 */
#ifndef GB_TEST_CSR64_H
#define GB_TEST_CSR64_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphbuild.h"

typedef struct csr64 {
    int64_t *off, *nbr;        /* NULL if the direction is not stored */
    const double *w;
    int64_t arcs;
    int off_bytes, nbr_bytes;
} csr64;

static inline int64_t csr64_at(const void *a, int bytes, int64_t i)
{
    return bytes == 4 ? (int64_t)((const int32_t *)a)[i] : ((const int64_t *)a)[i];
}

static inline csr64 csr64_get(const gb_graph *g, int dir)
{
    csr64 c;
    const void *off, *nbr;
    int64_t n = gb_graph_node_count(g);
    memset(&c, 0, sizeof c);
    gb_graph_csr(g, dir, &off, &nbr, &c.w, &c.off_bytes, &c.nbr_bytes);
    if (off == NULL)
        return c;
    c.arcs = csr64_at(off, c.off_bytes, n);
    c.off = malloc((size_t)(n + 1) * sizeof *c.off);
    c.nbr = malloc((size_t)(c.arcs > 0 ? c.arcs : 1) * sizeof *c.nbr);
    for (int64_t v = 0; v <= n; v++)
        c.off[v] = csr64_at(off, c.off_bytes, v);
    for (int64_t k = 0; k < c.arcs; k++)
        c.nbr[k] = csr64_at(nbr, c.nbr_bytes, k);
    return c;
}

static inline void csr64_free(csr64 *c)
{
    free(c->off);
    free(c->nbr);
    memset(c, 0, sizeof *c);
}

/* Whether two graphs store the same CSR in direction dir (values, not widths). */
static inline int csr64_same(const gb_graph *a, const gb_graph *b, int dir)
{
    csr64 x = csr64_get(a, dir), y = csr64_get(b, dir);
    int64_t n = gb_graph_node_count(a);
    int same = gb_graph_node_count(b) == n && (x.off == NULL) == (y.off == NULL);
    if (same && x.off != NULL)
        same = x.arcs == y.arcs &&
               memcmp(x.off, y.off, (size_t)(n + 1) * sizeof *x.off) == 0 &&
               memcmp(x.nbr, y.nbr, (size_t)x.arcs * sizeof *x.nbr) == 0 &&
               (x.w == NULL) == (y.w == NULL) &&
               (x.w == NULL || memcmp(x.w, y.w, (size_t)x.arcs * sizeof *x.w) == 0);
    csr64_free(&x);
    csr64_free(&y);
    return same;
}

#endif
