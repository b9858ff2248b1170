/*
 * plan_asm.h — hand-assembling plans for the executor tests.
 *
 * A tplan holds the two word streams gb_plan_create takes (top-level code and kcode)
 * plus slot dtypes and a register count.  ins() appends a top-level instruction and
 * returns its index (for jump targets); kbegin() starts a kernel and returns its header
 * offset (the KERNEL operand), micro() appends a micro-op to the kernel being written.
 */
#ifndef GB_TEST_PLAN_ASM_H
#define GB_TEST_PLAN_ASM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"
#include "graphbuild.h"

#define ASM_MAX_WORDS 4096

typedef struct tplan {
    int64_t code[ASM_MAX_WORDS];
    int64_t ncode;
    int64_t kcode[ASM_MAX_WORDS];
    int64_t nkcode;
    int64_t cur_kernel;          /* header offset of the kernel micro() appends to */
    int32_t dtypes[32];
    int64_t nslots, nregs;
} tplan;

static inline void tp_init(tplan *t, int64_t nregs)
{
    memset(t, 0, sizeof *t);
    t->nregs = nregs;
    t->cur_kernel = -1;
}

/* Adds a slot of the dtype; returns its index. */
static inline int64_t tp_slot(tplan *t, int32_t dtype)
{
    t->dtypes[t->nslots] = dtype;
    return t->nslots++;
}

static inline int64_t ins(tplan *t, int64_t op, int64_t loc, int64_t a, int64_t b, int64_t c,
                          int64_t d)
{
    int64_t *w = t->code + t->ncode;
    w[0] = op; w[1] = loc; w[2] = a; w[3] = b; w[4] = c; w[5] = d;
    t->ncode += GB_INSTR_WIDTH;
    return t->ncode / GB_INSTR_WIDTH - 1;
}

/* Starts a kernel: edge-only fields get neutral values; set them with kset(). */
static inline int64_t kbegin(tplan *t, int64_t domain, int64_t ntemps, int64_t loc)
{
    int64_t off = t->nkcode;
    int64_t *h = t->kcode + off;
    h[GB_KH_NMICRO] = 0;
    h[GB_KH_NTEMPS] = ntemps;
    h[GB_KH_DOMAIN] = domain;
    h[GB_KH_DIR] = GB_DIR_OUT;
    h[GB_KH_AGG] = GB_AGG_SUM;
    h[GB_KH_AGG_FLOAT] = 0;
    h[GB_KH_OUT_SLOT] = -1;
    h[GB_KH_VALUE_TEMP] = -1;
    h[GB_KH_FILTER_TEMP] = -1;
    h[GB_KH_DEFAULT_KIND] = GB_DEFAULT_IDENTITY;
    h[GB_KH_DEFAULT_INDEX] = -1;
    h[GB_KH_LOC] = loc;
    h[GB_KH_SHAPE] = GB_SHAPE_GENERIC;
    h[GB_KH_DIRECTIONS] = domain == GB_DOMAIN_EDGE ? GB_FORM_PULL : 0;
    h[GB_KH_FRONTIER] = GB_FRONTIER_DENSE;
    h[GB_KH_INCREMENTAL] = 0;
    h[GB_KH_ACTIVE] = -1;
    h[GB_KH_DEMAND] = -1;
    h[GB_KH_DEMAND_VALUE] = 0;
    h[GB_KH_CHANGED] = 0;
    h[GB_KH_UNION_FIND] = 0;
    h[GB_KH_ORDERED] = 0;
    t->nkcode += GB_KERNEL_HEADER;
    t->cur_kernel = off;
    return off;
}

static inline void kset(tplan *t, int64_t kernel, int field, int64_t value)
{
    t->kcode[kernel + field] = value;
}

/* An edge kernel's aggregation fields in one call. */
static inline void kedge(tplan *t, int64_t kernel, int64_t dir, int64_t agg, int64_t agg_float,
                  int64_t out_slot, int64_t value_temp, int64_t filter_temp,
                  int64_t default_kind, int64_t default_index)
{
    kset(t, kernel, GB_KH_DIR, dir);
    kset(t, kernel, GB_KH_AGG, agg);
    kset(t, kernel, GB_KH_AGG_FLOAT, agg_float);
    kset(t, kernel, GB_KH_OUT_SLOT, out_slot);
    kset(t, kernel, GB_KH_VALUE_TEMP, value_temp);
    kset(t, kernel, GB_KH_FILTER_TEMP, filter_temp);
    kset(t, kernel, GB_KH_DEFAULT_KIND, default_kind);
    kset(t, kernel, GB_KH_DEFAULT_INDEX, default_index);
}

static inline void micro(tplan *t, int64_t op, int64_t loc, int64_t dst, int64_t a, int64_t b,
                         int64_t c)
{
    int64_t *w = t->kcode + t->nkcode;
    w[0] = op; w[1] = loc; w[2] = dst; w[3] = a; w[4] = b; w[5] = c;
    t->nkcode += GB_INSTR_WIDTH;
    t->kcode[t->cur_kernel + GB_KH_NMICRO]++;
}

/* The plan exactly as assembled, claims included (tests of the claim checks). */
static inline gb_status tp_create_raw(const tplan *t, gb_plan **out, gb_error *err)
{
    return gb_plan_create(t->code, t->ncode, t->kcode, t->nkcode, t->dtypes, t->nslots,
                          t->nregs, out, err);
}

/* Writes into c the claims a compiler would (graphbuild/plan/claims.py): every edge
 * kernel in the fastest form its micro-ops allow, levels grown greedily over consecutive
 * independent kernels no jump lands on.  Claims set by hand are replaced.  Fails as
 * gb_plan_create does if the plan is invalid apart from its claims. */
static inline gb_status tp_claim(tplan *c, gb_error *err)
{
    gb_plan *p = NULL;
    gb_status st;
    int64_t kidx = 0, ninstr = c->ncode / GB_INSTR_WIDTH;
    unsigned char target[ASM_MAX_WORDS / GB_INSTR_WIDTH + 1];
    int64_t demand[ASM_MAX_WORDS / GB_KERNEL_HEADER][4];

    memset(target, 0, sizeof target);
    for (int64_t pc = 0; pc < ninstr; pc++) {
        int64_t *w = c->code + pc * GB_INSTR_WIDTH;
        if (w[0] == GB_OP_KERNEL || w[0] == GB_OP_FUSED)
            w[5] = 1;
        if (w[0] == GB_OP_JUMP && w[2] >= 0 && w[2] <= ninstr)
            target[w[2]] = 1;
        if (w[0] == GB_OP_JUMP_IF_FALSE && w[3] >= 0 && w[3] <= ninstr)
            target[w[3]] = 1;
    }
    for (int64_t off = 0; off + GB_KERNEL_HEADER <= c->nkcode && c->kcode[off + GB_KH_NMICRO] >= 0 &&
                          c->kcode[off + GB_KH_NMICRO] <= (c->nkcode - off) / GB_INSTR_WIDTH;
         off += GB_KERNEL_HEADER + c->kcode[off + GB_KH_NMICRO] * GB_INSTR_WIDTH) {
        c->kcode[off + GB_KH_SHAPE] = c->kcode[off + GB_KH_FRONTIER] = 0;
        c->kcode[off + GB_KH_INCREMENTAL] = 0;
        c->kcode[off + GB_KH_ACTIVE] = -1;
        /* a demand set by hand is kept: it needs the shape claimed first */
        demand[kidx][0] = c->kcode[off + GB_KH_DEMAND];
        demand[kidx][1] = c->kcode[off + GB_KH_DEMAND_VALUE];
        demand[kidx][2] = c->kcode[off + GB_KH_CHANGED];   /* and a changed-set claim */
        demand[kidx][3] = c->kcode[off + GB_KH_UNION_FIND];   /* and a union-find one */
        c->kcode[off + GB_KH_DEMAND] = -1;
        c->kcode[off + GB_KH_DEMAND_VALUE] = 0;
        c->kcode[off + GB_KH_CHANGED] = 0;
        c->kcode[off + GB_KH_UNION_FIND] = 0;
        kidx++;
        c->kcode[off + GB_KH_DIRECTIONS] =
            c->kcode[off + GB_KH_DOMAIN] == GB_DOMAIN_EDGE ? GB_FORM_PULL : 0;
    }
    if ((st = tp_create_raw(c, &p, err)) != GB_OK)
        return st;
    kidx = 0;
    for (int64_t off = 0; off < c->nkcode;
         off += GB_KERNEL_HEADER + c->kcode[off + GB_KH_NMICRO] * GB_INSTR_WIDTH) {
        int64_t allowed[4];
        gb_claims_allowed(p, kidx++, allowed);
        for (int i = 0; i < 4; i++)
            c->kcode[off + GB_KH_SHAPE + i] = allowed[i];
        c->kcode[off + GB_KH_ACTIVE] = gb_active_find(p, kidx - 1);
        c->kcode[off + GB_KH_DEMAND] = demand[kidx - 1][0];
        c->kcode[off + GB_KH_DEMAND_VALUE] = demand[kidx - 1][1];
        c->kcode[off + GB_KH_CHANGED] = demand[kidx - 1][2];
        c->kcode[off + GB_KH_UNION_FIND] = demand[kidx - 1][3];
    }
    for (int64_t pc = 0; pc < ninstr;) {
        int64_t end = pc + 1;
        if (!gb_is_kernel_instr(p, pc)) {
            pc++;
            continue;
        }
        while (end < ninstr && gb_is_kernel_instr(p, end) && !target[end]) {
            int64_t q = pc;
            while (q < end && gb_claims_independent(p, q, end))
                q++;
            if (q < end)
                break;
            c->code[end * GB_INSTR_WIDTH + 5] = 0;
            end++;
        }
        c->code[pc * GB_INSTR_WIDTH + 5] = end - pc;
        pc = end;
    }
    gb_plan_destroy(p);
    return GB_OK;
}

/* The plan with a compiler's claims (tp_claim). */
static inline gb_status tp_create(const tplan *t, gb_plan **out, gb_error *err)
{
    tplan *c = malloc(sizeof *c);
    gb_status st;
    memcpy(c, t, sizeof *c);
    st = tp_claim(c, err);
    if (st == GB_OK)
        st = tp_create_raw(c, out, err);
    else if (out != NULL)
        *out = NULL;
    free(c);
    return st;
}

/* The 64-bit pattern of a float immediate. */
static inline int64_t fbits(double x)
{
    int64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double bits_f(int64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* Slot buffers of n elements, 8 bytes each whatever the dtype (so any dtype fits). */
static inline void **slots_new(int64_t nslots, int64_t n)
{
    void **s = calloc((size_t)(nslots > 0 ? nslots : 1), sizeof *s);
    for (int64_t i = 0; i < nslots; i++)
        s[i] = calloc((size_t)(n > 0 ? n : 1), 8);
    return s;
}

static inline void slots_free(void **s, int64_t nslots)
{
    for (int64_t i = 0; i < nslots; i++)
        free(s[i]);
    free(s);
}

static inline gb_graph *graph_new(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                           const double *w, int directed)
{
    gb_graph *g = NULL;
    gb_error err;
    if (gb_graph_from_arrays(n, m, src, dst, w, directed, &g, &err) != GB_OK)
        return NULL;
    return g;
}

/* The splitmix64 output function, as the executor's GB_OP_RANDOM documents it. */
static inline uint64_t ref_splitmix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double ref_random(int64_t seed, int64_t v)
{
    return (double)(ref_splitmix64(ref_splitmix64((uint64_t)seed) ^ (uint64_t)v) >> 11) * 0x1p-53;
}

/* Python's // and % on ints (b != 0, not INT64_MIN // -1), by the definition
 * a == (a // b) * b + a % b; products in uint64_t, since they may pass the int range. */
static inline int64_t ref_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((uint64_t)q * (uint64_t)b != (uint64_t)a && ((a < 0) != (b < 0)))
        q -= 1;
    return q;
}

static inline int64_t ref_mod(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)ref_floordiv(a, b) * (uint64_t)b);
}

#endif
