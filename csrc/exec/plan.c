/*
 * plan.c — gb_plan_create: validate a flat plan completely, then copy it.
 *
 * The promise (graphbuild.h) is that a plan which passes cannot make gb_run read or
 * write out of bounds, so every index is checked here once and never again at run
 * time: registers, slots, temps, jump targets, kernel offsets, opcodes per level and
 * kernel domain, header fields, and dtypes where C knows them.  This file checks the
 * sizes, finds the kernels in kcode and checks the top-level instructions (and that a
 * FUSED pair computes what its two kernels would one after the other);
 * plan_kernel.c checks each kernel, plan_loops.c that every loop ends, and claims.c
 * the plan's claims: each edge kernel's shape and forms, the levels of independent kernels.
 */
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"

/* kcode is kernels back to back; walking the nmicro words finds each header. */
static gb_status find_kernels(gb_plan *p, int64_t **offsets_out, gb_error *err)
{
    int64_t count = 0, nmicro_total = 0, *offsets;

    for (int64_t off = 0; off < p->nkcode; count++) {
        int64_t left = p->nkcode - off - GB_KERNEL_HEADER, nmicro;
        if (left < 0)
            return gb_err_set(err, GB_EINVAL, -1,
                              "kernel %lld: header at word %lld is truncated", (long long)count,
                              (long long)off);
        nmicro = p->kcode[off + GB_KH_NMICRO];
        if (nmicro < 0 || nmicro > left / GB_INSTR_WIDTH)
            return gb_err_set(err, GB_EINVAL, -1,
                              "kernel %lld: %lld micro-ops do not fit in the %lld words left",
                              (long long)count, (long long)nmicro, (long long)left);
        off += GB_KERNEL_HEADER + nmicro * GB_INSTR_WIDTH;
        nmicro_total += nmicro;
    }
    offsets = malloc((size_t)(count > 0 ? count : 1) * sizeof *offsets);
    p->kernels = calloc((size_t)(count > 0 ? count : 1), sizeof *p->kernels);
    p->mflags = calloc((size_t)(nmicro_total > 0 ? nmicro_total : 1), 1);
    if (offsets == NULL || p->kernels == NULL || p->mflags == NULL) {
        free(offsets);
        return gb_err_set(err, GB_ENOMEM, -1, "out of memory for %lld kernels", (long long)count);
    }
    count = 0;
    for (int64_t off = 0; off < p->nkcode;
         off += GB_KERNEL_HEADER + p->kcode[off + GB_KH_NMICRO] * GB_INSTR_WIDTH)
        offsets[count++] = off;
    p->nkernels = count;
    *offsets_out = offsets;
    return GB_OK;
}

/* The kernel whose header starts at word off, or -1 (binary search: offsets ascend). */
static int64_t kernel_at(const int64_t *offsets, int64_t nkernels, int64_t off)
{
    int64_t lo = 0, hi = nkernels;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (offsets[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nkernels && offsets[lo] == off ? lo : -1;
}

static gb_status ifail(gb_error *err, int64_t pc, const int64_t *w, const char *what, int64_t value)
{
    return gb_err_set(err, GB_EINVAL, w[1] >= -1 ? w[1] : -1, "instruction %lld (%s): %s (%lld)",
                      (long long)pc, gb_op_lookup(w[0]) ? gb_op_lookup(w[0])->name : "?", what,
                      (long long)value);
}

/* FUSED a b: edge kernel a, then node kernel b on each node block.  Equal to the two
 * kernels one after the other unless the node kernel stores a slot the edge kernel
 * GATHERs (a later block would see the new values); LOAD and a default slot read only
 * the block's own nodes, before the node kernel stores them, so those are safe. */
static gb_status validate_fused(gb_plan *p, int64_t pc, const int64_t *w, gb_error *err)
{
    const gb_kernel *ke = &p->kernels[w[2]], *kn = &p->kernels[w[3]];
    int64_t need;

    if (ke->domain != GB_DOMAIN_EDGE || kn->domain != GB_DOMAIN_NODE)
        return ifail(err, pc, w, "needs an edge kernel, then a node kernel", w[3]);
    for (int64_t j = 0; j < kn->nmicro; j++) {
        const int64_t *s = kn->micro + j * GB_INSTR_WIDTH;
        if (s[0] != GB_OP_STORE)
            continue;
        for (int64_t i = 0; i < ke->nmicro; i++) {
            const int64_t *g = ke->micro + i * GB_INSTR_WIDTH;
            if (g[0] == GB_OP_GATHER && g[3] == s[3])
                return ifail(err, pc, w, "the node kernel stores a slot the edge kernel gathers",
                             s[3]);
        }
    }
    /* both kernels' temps live at once: the node kernel's after the edge kernel's */
    need = ke->ntemps * ke->stride + kn->ntemps * kn->stride;
    if (need > p->max_temp_values)
        p->max_temp_values = need;
    return GB_OK;
}

static gb_status validate_instr(gb_plan *p, int64_t pc, const int64_t *koffsets, gb_error *err)
{
    int64_t *w = p->code + pc * GB_INSTR_WIDTH;
    const gb_op_info *info = gb_op_lookup(w[0]);

    if (info == NULL || !(info->where & GB_WHERE_TOP))
        return ifail(err, pc, w, info == NULL ? "unknown opcode" : "not valid at top level", w[0]);
    if (w[1] < -1)
        return ifail(err, pc, w, "bad location index", w[1]);
    for (int i = 0; i < 4; i++) {
        int64_t a = w[2 + i];
        switch (info->args[i]) {
        case GB_ARG_NONE:
            w[2 + i] = 0;   /* canonical: never an index to dereference */
            break;
        case GB_ARG_VAL: case GB_ARG_DST: case GB_ARG_REG:
            if (!gb_in_range(a, p->nregs))
                return ifail(err, pc, w, "register index out of range", a);
            break;
        case GB_ARG_SLOT:
            if (!gb_in_range(a, p->nslots))
                return ifail(err, pc, w, "slot index out of range", a);
            break;
        case GB_ARG_TARGET:
            if (a < 0 || a > p->ninstr)
                return ifail(err, pc, w, "jump target out of range", a);
            break;
        case GB_ARG_KERNEL: {
            int64_t kidx = kernel_at(koffsets, p->nkernels, a);
            if (kidx < 0)
                return ifail(err, pc, w, "no kernel starts at this kcode offset", a);
            w[2 + i] = kidx;
            break;
        }
        default:   /* GB_ARG_IMM */
            break;
        }
    }
    if (w[0] == GB_OP_FUSED)
        return validate_fused(p, pc, w, err);
    if (w[0] == GB_OP_GATHER_V)
        return gb_gather_v_check(p, pc, w, err);
    if ((w[0] == GB_OP_COPY_V || w[0] == GB_OP_SWAP_V) &&
        p->slot_dtypes[w[2]] != p->slot_dtypes[w[3]])
        return gb_err_set(err, GB_EINVAL, w[1],
                          "instruction %lld (%s): slot %lld is %s but slot %lld is %s",
                          (long long)pc, info->name, (long long)w[2],
                          gb_dtype_name(p->slot_dtypes[w[2]]), (long long)w[3],
                          gb_dtype_name(p->slot_dtypes[w[3]]));
    return GB_OK;
}

static gb_status check_sizes(const int64_t *code, int64_t ncode, const int64_t *kcode, int64_t nk,
                             const int32_t *slot_dtypes, int64_t nslots, int64_t nregs,
                             gb_error *err)
{
    /* Bounds that keep every later size computation (words * 8 bytes) from overflowing. */
    const int64_t max_words = INT64_MAX / 64;
    if (ncode < 0 || ncode > max_words || ncode % GB_INSTR_WIDTH != 0)
        return gb_err_set(err, GB_EINVAL, -1, "code has %lld words, not a multiple of %d",
                          (long long)ncode, GB_INSTR_WIDTH);
    if (nk < 0 || nk > max_words)
        return gb_err_set(err, GB_EINVAL, -1, "kcode has %lld words", (long long)nk);
    if (nslots < 0 || nslots > max_words || nregs < 0 || nregs > max_words)
        return gb_err_set(err, GB_EINVAL, -1, "bad counts: %lld slots, %lld registers",
                          (long long)nslots, (long long)nregs);
    if ((ncode > 0 && code == NULL) || (nk > 0 && kcode == NULL) ||
        (nslots > 0 && slot_dtypes == NULL))
        return gb_err_set(err, GB_EINVAL, -1, "a plan array is NULL");
    for (int64_t s = 0; s < nslots; s++)
        if (slot_dtypes[s] != GB_F64 && slot_dtypes[s] != GB_I64 && slot_dtypes[s] != GB_BOOL)
            return gb_err_set(err, GB_EINVAL, -1, "slot %lld has unknown dtype %d", (long long)s,
                              (int)slot_dtypes[s]);
    return GB_OK;
}

void gb_plan_tune(gb_plan *p, int specialize, int64_t min_item_work)
{
    p->specialize = specialize;
    p->min_item_work = min_item_work >= 1 ? min_item_work : 1;
}

void gb_plan_tune_incremental(gb_plan *p, int incremental)
{
    p->incremental = incremental;
}

int64_t gb_plan_incremental_bytes(const gb_plan *p, int64_t n)
{
    return p != NULL && p->incremental && n > 0 ? gb_incr_bytes(p, n) : 0;
}

int64_t gb_plan_sources_bytes(const gb_plan *p, int64_t n, int threads)
{
    return p != NULL ? gb_regions_bytes(p, n, threads) : 0;
}

void gb_plan_destroy(gb_plan *p)
{
    if (p == NULL)
        return;
    free(p->code);
    free(p->kcode);
    free(p->slot_dtypes);
    free(p->kernels);
    free(p->mflags);
    free(p->level_len);
    free(p->red_base);
    gb_regions_free(p);
    free(p);
}

gb_status gb_plan_create(const int64_t *code, int64_t ncode_words,
                         const int64_t *kcode, int64_t nkcode_words,
                         const int32_t *slot_dtypes, int64_t nslots, int64_t nregs,
                         gb_plan **out, gb_error *err)
{
    gb_plan *p = NULL;
    int64_t *koffsets = NULL;
    gb_status st;

    gb_err_clear(err);
    if (out == NULL)
        return gb_err_set(err, GB_EINVAL, -1, "gb_plan_create: out is NULL");
    *out = NULL;
    st = check_sizes(code, ncode_words, kcode, nkcode_words, slot_dtypes, nslots, nregs, err);
    if (st != GB_OK)
        return st;

    p = calloc(1, sizeof *p);
    if (p == NULL)
        goto nomem;
    p->specialize = 1;
    p->min_item_work = GB_MIN_ITEM_WORK;
    p->incremental = 1;
    p->ninstr = ncode_words / GB_INSTR_WIDTH;
    p->nkcode = nkcode_words;
    p->nslots = nslots;
    p->nregs = nregs;
    p->code = malloc((size_t)(ncode_words > 0 ? ncode_words : 1) * sizeof *p->code);
    p->kcode = malloc((size_t)(nkcode_words > 0 ? nkcode_words : 1) * sizeof *p->kcode);
    p->slot_dtypes = malloc((size_t)(nslots > 0 ? nslots : 1) * sizeof *p->slot_dtypes);
    if (p->code == NULL || p->kcode == NULL || p->slot_dtypes == NULL)
        goto nomem;
    if (ncode_words > 0)
        memcpy(p->code, code, (size_t)ncode_words * sizeof *p->code);
    if (nkcode_words > 0)
        memcpy(p->kcode, kcode, (size_t)nkcode_words * sizeof *p->kcode);
    if (nslots > 0)
        memcpy(p->slot_dtypes, slot_dtypes, (size_t)nslots * sizeof *p->slot_dtypes);

    if ((st = find_kernels(p, &koffsets, err)) != GB_OK)
        goto fail;
    for (int64_t i = 0, flag_at = 0; i < p->nkernels; i++) {
        if ((st = gb_validate_kernel(p, i, koffsets[i], p->mflags + flag_at, err)) != GB_OK)
            goto fail;
        flag_at += p->kernels[i].nmicro;
        if ((st = gb_claims_kernel(p, i, p->kcode + koffsets[i], err)) != GB_OK ||
            (st = gb_afforest_kernel(p, i, p->kcode + koffsets[i], err)) != GB_OK)
            goto fail;
        p->kernels[i].ordered = p->kcode[koffsets[i] + GB_KH_ORDERED];
    }
    for (int64_t pc = 0; pc < p->ninstr; pc++)
        if ((st = validate_instr(p, pc, koffsets, err)) != GB_OK)
            goto fail;
    if ((st = gb_loops_check(p, err)) != GB_OK)
        goto fail;
    if ((st = gb_changed_check(p, err)) != GB_OK || (st = gb_afforest_check(p, err)) != GB_OK)
        goto fail;
    if ((st = gb_frontier_check(p, err)) != GB_OK)
        goto fail;
    if ((st = gb_demand_check(p, err)) != GB_OK)
        goto fail;
    if ((st = gb_peel_check(p, err)) != GB_OK)
        goto fail;
    if ((st = gb_claims_levels(p, err)) != GB_OK || (st = gb_regions_check(p, err)) != GB_OK)
        goto fail;
    free(koffsets);
    *out = p;
    return GB_OK;

nomem:
    st = gb_err_set(err, GB_ENOMEM, -1, "out of memory copying a plan of %lld words",
                    (long long)(ncode_words + nkcode_words));
fail:
    free(koffsets);
    gb_plan_destroy(p);
    return st;
}
