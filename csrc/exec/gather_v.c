/*
 * gather_v.c — GB_OP_GATHER_V, the whole-graph gather `x[p]` of a node vector p:
 * slot a [v] = slot b [ slot c [v] ], or the immediate d where slot c [v] is -1 (no node).
 *
 * It is a top-level instruction rather than a kernel micro-op because it reads x at other
 * nodes: a node kernel may store into the slot it loads from (each node reads and writes
 * only its own entry), which a read at p[v] would race with.  gb_plan_create checks that
 * a differs from b and c (b may be c: p[p]), c holds nodes and a has b's dtype; a run that was
 * handed one buffer for two of them gathers into scratch first.  Every p[v] is checked
 * (0 <= p[v] < n, or -1) before x is read; the error names the first bad p[v] in the
 * input's node order, for any layout and thread count.
 */
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"

typedef struct gather_job {
    gb_ctx *c;
    int64_t loc;
    int32_t dtype;
    int64_t none;
    void *dst;
    const void *x;
    const int64_t *p;
} gather_job;

static gb_status gather_item(void *arg, int worker, int64_t item)
{
    gather_job *j = arg;
    gb_ctx *c = j->c;
    int64_t v0, v1;

    gb_node_item_range(c, item, &v0, &v1);
    for (int64_t v = v0; v < v1; v++) {
        int64_t q = j->p[v], at;
        if (q == -1) {
            if (j->dtype == GB_BOOL)
                ((uint8_t *)j->dst)[v] = (uint8_t)j->none;
            else
                ((int64_t *)j->dst)[v] = j->none;   /* doubles copied as their bits */
            continue;
        }
        if (q < 0 || q >= c->n)
            return gb_err_set(&c->ws[worker].err, GB_EINDEX, j->loc, "out of range");
        at = c->inv != NULL ? c->inv[q] : q;
        if (j->dtype == GB_BOOL)
            ((uint8_t *)j->dst)[v] = ((const uint8_t *)j->x)[at];
        else
            ((int64_t *)j->dst)[v] = ((const int64_t *)j->x)[at];
    }
    return GB_OK;
}

/* After a failure: the first bad index in input order (what the user's node order is,
 * whatever the layout), so the message is the same for every layout and thread count. */
static gb_status report(gb_ctx *c, const int64_t *p, int64_t loc)
{
    for (int64_t i = 0; i < c->n; i++) {
        int64_t q = p[c->inv != NULL ? c->inv[i] : i];
        if (q != -1 && (q < 0 || q >= c->n))
            return gb_err_set(c->err, GB_EINDEX, loc, "the index vector holds %lld at node index %lld, "
                              "out of range for a graph of %lld nodes",
                              (long long)q, (long long)i, (long long)c->n);
    }
    return gb_err_set(c->err, GB_EINDEX, loc, "an index is out of range");   /* not reached */
}

gb_status gb_gather_v(gb_ctx *c, const int64_t *w)
{
    gather_job j;
    size_t size;
    void *scratch = NULL;
    gb_status st;

    j.c = c;
    j.loc = w[1];
    j.dtype = c->p->slot_dtypes[w[2]];
    j.none = w[5];
    j.dst = c->slots[w[2]];
    j.x = c->slots[w[3]];
    j.p = c->slots[w[4]];
    if (c->n == 0)
        return GB_OK;
    size = (size_t)c->n * (j.dtype == GB_BOOL ? 1 : 8);
    if (j.dst == j.x || j.dst == (const void *)j.p) {
        if ((scratch = malloc(size)) == NULL)
            return gb_err_set(c->err, GB_ENOMEM, j.loc, "out of memory for a gather of %lld nodes",
                              (long long)c->n);
        j.dst = scratch;
    }
    st = gb_run_items(c, c->node_items.count, gather_item, &j);
    if (st == GB_EINDEX)
        st = report(c, j.p, j.loc);
    if (st == GB_OK && scratch != NULL)
        memcpy(c->slots[w[2]], scratch, size);
    free(scratch);
    return st;
}

gb_status gb_gather_v_check(const gb_plan *p, int64_t pc, const int64_t *w, gb_error *err)
{
    const char *why = NULL;
    if (w[2] == w[3] || w[2] == w[4])
        why = "writes a slot it reads";
    else if (p->slot_dtypes[w[4]] != GB_I64)
        why = "reads node indices from a slot that is not int64";
    else if (p->slot_dtypes[w[2]] != p->slot_dtypes[w[3]])
        why = "writes a slot of another dtype than the one it reads";
    else if (p->slot_dtypes[w[2]] == GB_BOOL && w[5] != 0 && w[5] != 1)
        why = "gives a bool slot a value other than 0 or 1";
    if (why == NULL)
        return GB_OK;
    return gb_err_set(err, GB_EINVAL, w[1], "instruction %lld (gather_v) %s", (long long)pc, why);
}
