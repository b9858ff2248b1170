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

static inline gb_status tp_create(const tplan *t, gb_plan **out, gb_error *err)
{
    return gb_plan_create(t->code, t->ncode, t->kcode, t->nkcode, t->dtypes, t->nslots,
                          t->nregs, out, err);
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
