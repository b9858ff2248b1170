/*
 * plan_kernel.c — validating one kernel: its header and its micro-ops.
 *
 * Beyond index ranges, a kernel's micro-ops are straight-line code, so every temp must
 * be written before it is read (a result never depends on scratch left by another
 * kernel); an edge kernel may not read its own out_slot (it writes out_slot[v] while
 * other nodes' lanes are still gathering); out_slot's dtype must be the aggregation's.
 */
#include <string.h>

#include "exec_internal.h"

/* Everything validate_micro needs besides the op itself. */
typedef struct kcheck {
    gb_plan *p;
    gb_kernel *k;
    int64_t kidx, declared_temps;
    unsigned char *written;     /* per temp: set by an earlier micro-op */
    gb_error *err;
} kcheck;

static gb_status kfail(const kcheck *kc, int64_t j, const char *what, int64_t value)
{
    return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld, micro-op %lld: %s (%lld)",
                      (long long)kc->kidx, (long long)j, what, (long long)value);
}

static gb_status validate_micro(kcheck *kc, int64_t j, int64_t *w)
{
    gb_kernel *k = kc->k;
    const gb_op_info *info = gb_op_lookup(w[0]);
    int where = k->domain == GB_DOMAIN_NODE ? GB_WHERE_NODE : GB_WHERE_EDGE;

    if (info == NULL)
        return kfail(kc, j, "unknown opcode", w[0]);
    if (!(info->where & where))
        return gb_err_set(kc->err, GB_EINVAL, -1,
                          "kernel %lld, micro-op %lld: %s is not valid in %s",
                          (long long)kc->kidx, (long long)j, info->name,
                          !(info->where & GB_WHERE_KERNEL) ? "a kernel"
                          : where == GB_WHERE_NODE ? "a node kernel" : "an edge kernel");
    if (w[1] < -1)
        return kfail(kc, j, "bad location index", w[1]);
    /* Reads are checked before the write, so `t0 = t0 + 1` needs an earlier t0. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 4; i++) {
            int64_t a = w[2 + i];
            int kind = info->args[i];
            int is_dst = kind == GB_ARG_DST || kind == GB_ARG_TDST;
            if (kind == GB_ARG_NONE) {
                /* canonical: an unused operand word is 0, never an index to dereference */
                w[2 + i] = 0;
                continue;
            }
            if ((pass == 0) == is_dst)
                continue;
            switch (kind) {
            case GB_ARG_VAL: case GB_ARG_DST: case GB_ARG_TEMP: case GB_ARG_TDST:
                if (!gb_in_range(a, kc->declared_temps))
                    return kfail(kc, j, "temp index out of range", a);
                if (is_dst) {
                    kc->written[a] = 1;
                } else if (!kc->written[a]) {
                    return kfail(kc, j, "temp read before it is written", a);
                }
                if (a + 1 > k->ntemps)
                    k->ntemps = a + 1;
                break;
            case GB_ARG_REG:
                if (!gb_in_range(a, kc->p->nregs))
                    return kfail(kc, j, "register index out of range", a);
                break;
            case GB_ARG_SLOT:
                if (!gb_in_range(a, kc->p->nslots))
                    return kfail(kc, j, "slot index out of range", a);
                break;
            default:   /* GB_ARG_IMM: any 64-bit pattern */
                break;
            }
        }
    }
    switch (w[0]) {
    case GB_OP_LOAD: case GB_OP_GATHER:
        /* An edge kernel writes out_slot[v] while other nodes' lanes may still read it. */
        if (k->domain == GB_DOMAIN_EDGE && w[3] == k->out_slot)
            return kfail(kc, j, "an edge kernel reads its own out_slot", w[3]);
        if (w[0] == GB_OP_GATHER)
            k->uses_nbr = 1;
        else
            k->uses_owner = 1;
        break;
    case GB_OP_NBR:
        k->uses_nbr = 1;
        break;
    case GB_OP_COMMON:
        k->uses_owner = k->uses_nbr = k->uses_common = 1;
        break;
    case GB_OP_WEIGHT:
        k->uses_weight = 1;
        break;
    case GB_OP_NODE_ID: case GB_OP_IN_DEG: case GB_OP_OUT_DEG: case GB_OP_DEGREE:
    case GB_OP_RANDOM:
        k->uses_owner = 1;
        break;
    default:
        if (w[0] >= GB_OP_RED_SUM_I)
            k->nred++;
        break;
    }
    return GB_OK;
}

static const char *const AGG_NAMES[] = {
    "sum", "min", "max", "count", "any", "all", "mean", "mode",
};

/* The out_slot dtype each aggregation produces (graphbuild.h, gb_agg). */
static int out_dtype_ok(const gb_kernel *k, int32_t d)
{
    switch (k->agg) {
    case GB_AGG_COUNT: return d == GB_I64;
    case GB_AGG_ANY: case GB_AGG_ALL: return d == GB_BOOL;
    case GB_AGG_MEAN: return d == GB_F64;
    default: return k->agg_float ? d == GB_F64 : d != GB_F64;
    }
}

static gb_status validate_edge_header(kcheck *kc, const int64_t *h)
{
    gb_kernel *k = kc->k;
    gb_plan *p = kc->p;
    long long ki = (long long)kc->kidx;

    if (h[GB_KH_DIR] < GB_DIR_OUT || h[GB_KH_DIR] > GB_DIR_BOTH)
        return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld: bad direction %lld", ki,
                          (long long)h[GB_KH_DIR]);
    if (h[GB_KH_AGG] < GB_AGG_SUM || h[GB_KH_AGG] > GB_AGG_MODE)
        return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld: bad aggregation %lld", ki,
                          (long long)h[GB_KH_AGG]);
    if (h[GB_KH_AGG_FLOAT] != 0 && h[GB_KH_AGG_FLOAT] != 1)
        return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld: agg_float must be 0 or 1", ki);
    k->dir = (int)h[GB_KH_DIR];
    k->agg = (int)h[GB_KH_AGG];
    k->agg_float = (int)h[GB_KH_AGG_FLOAT];
    if (k->agg_float && (k->agg == GB_AGG_COUNT || k->agg == GB_AGG_ANY || k->agg == GB_AGG_ALL))
        return gb_err_set(kc->err, GB_EINVAL, -1,
                          "kernel %lld: count/any/all aggregate bools, not floats", ki);
    k->out_slot = h[GB_KH_OUT_SLOT];
    if (!gb_in_range(k->out_slot, p->nslots))
        return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld: out_slot %lld out of range", ki,
                          (long long)k->out_slot);
    if (!out_dtype_ok(k, p->slot_dtypes[k->out_slot]))
        return gb_err_set(kc->err, GB_EINVAL, -1,
                          "kernel %lld: out_slot %lld is %s, wrong for %s%s", ki,
                          (long long)k->out_slot, gb_dtype_name(p->slot_dtypes[k->out_slot]),
                          k->agg_float ? "float " : "", AGG_NAMES[k->agg]);
    k->value_temp = h[GB_KH_VALUE_TEMP];
    k->filter_temp = h[GB_KH_FILTER_TEMP];
    if (!gb_in_range(k->value_temp, kc->declared_temps))
        return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld: value_temp %lld out of range", ki,
                          (long long)k->value_temp);
    if (k->filter_temp != -1 && !gb_in_range(k->filter_temp, kc->declared_temps))
        return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld: filter_temp %lld out of range", ki,
                          (long long)k->filter_temp);
    k->default_index = h[GB_KH_DEFAULT_INDEX];
    switch (h[GB_KH_DEFAULT_KIND]) {
    case GB_DEFAULT_IDENTITY:
        if (k->agg == GB_AGG_MODE)
            return gb_err_set(kc->err, GB_EINVAL, -1,
                              "kernel %lld: mode has no identity; it needs a default", ki);
        break;
    case GB_DEFAULT_REG:
        if (!gb_in_range(k->default_index, p->nregs))
            return gb_err_set(kc->err, GB_EINVAL, -1,
                              "kernel %lld: default register %lld out of range", ki,
                              (long long)k->default_index);
        break;
    case GB_DEFAULT_SLOT:
        if (!gb_in_range(k->default_index, p->nslots))
            return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld: default slot %lld out of range",
                              ki, (long long)k->default_index);
        /* Floats and ints do not convert silently; int and bool are both integers. */
        if ((p->slot_dtypes[k->default_index] == GB_F64) !=
            (p->slot_dtypes[k->out_slot] == GB_F64))
            return gb_err_set(kc->err, GB_EINVAL, -1,
                              "kernel %lld: default slot %lld is %s but out_slot %lld is %s", ki,
                              (long long)k->default_index,
                              gb_dtype_name(p->slot_dtypes[k->default_index]),
                              (long long)k->out_slot, gb_dtype_name(p->slot_dtypes[k->out_slot]));
        break;
    default:
        return gb_err_set(kc->err, GB_EINVAL, -1, "kernel %lld: bad default kind %lld", ki,
                          (long long)h[GB_KH_DEFAULT_KIND]);
    }
    k->default_kind = (int)h[GB_KH_DEFAULT_KIND];
    return GB_OK;
}

/* Whether kernel k STOREs into slot s: then a LOAD of s must copy, since the temp
 * has to keep the values from before the store. */
static int stores_slot(const gb_kernel *k, int64_t s)
{
    for (int64_t j = 0; j < k->nmicro; j++)
        if (k->micro[j * GB_INSTR_WIDTH] == GB_OP_STORE && k->micro[j * GB_INSTR_WIDTH + 3] == s)
            return 1;
    return 0;
}

/* Sets each micro-op's GB_MF_* flags. */
static void find_flags(const gb_plan *p, const gb_kernel *k, unsigned char *flags)
{
    int writers[GB_MAX_TEMPS];
    memset(writers, 0, sizeof writers);
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        if (gb_op_lookup(w[0])->args[0] != GB_ARG_NONE)   /* word 2 is a written temp */
            writers[w[2]]++;
    }
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        flags[j] = 0;
        if ((w[0] == GB_OP_IMM || w[0] == GB_OP_BCAST) && writers[w[2]] == 1)
            flags[j] |= GB_MF_INVARIANT;
        if (w[0] == GB_OP_LOAD && k->domain == GB_DOMAIN_NODE &&
            p->slot_dtypes[w[3]] != GB_BOOL && !stores_slot(k, w[3]))
            flags[j] |= GB_MF_ALIAS;
    }
}

gb_status gb_validate_kernel(gb_plan *p, int64_t kidx, int64_t off, unsigned char *flags,
                             gb_error *err)
{
    unsigned char written[GB_MAX_TEMPS];
    gb_kernel *k = &p->kernels[kidx];
    const int64_t *h = p->kcode + off;
    kcheck kc = { p, k, kidx, h[GB_KH_NTEMPS], written, err };
    gb_status st;

    memset(k, 0, sizeof *k);
    k->nmicro = h[GB_KH_NMICRO];
    k->micro = h + GB_KERNEL_HEADER;
    k->filter_temp = -1;
    k->loc = h[GB_KH_LOC];
    if (kc.declared_temps < 0 || kc.declared_temps > GB_MAX_TEMPS)
        return gb_err_set(err, GB_EINVAL, -1, "kernel %lld: %lld temps (at most %d)",
                          (long long)kidx, (long long)kc.declared_temps, GB_MAX_TEMPS);
    if (k->loc < -1)
        return gb_err_set(err, GB_EINVAL, -1, "kernel %lld: bad location index %lld",
                          (long long)kidx, (long long)k->loc);
    if (h[GB_KH_DOMAIN] != GB_DOMAIN_NODE && h[GB_KH_DOMAIN] != GB_DOMAIN_EDGE)
        return gb_err_set(err, GB_EINVAL, -1, "kernel %lld: bad domain %lld", (long long)kidx,
                          (long long)h[GB_KH_DOMAIN]);
    k->domain = (int)h[GB_KH_DOMAIN];
    k->stride = k->domain == GB_DOMAIN_NODE ? GB_NODE_BLOCK : GB_EDGE_BLOCK;
    /* Node kernels ignore the edge-only header words. */
    if (k->domain == GB_DOMAIN_EDGE && (st = validate_edge_header(&kc, h)) != GB_OK)
        return st;

    memset(written, 0, sizeof written);
    for (int64_t j = 0; j < k->nmicro; j++) {
        st = validate_micro(&kc, j, p->kcode + off + GB_KERNEL_HEADER + j * GB_INSTR_WIDTH);
        if (st != GB_OK)
            return st;
    }
    if (k->domain == GB_DOMAIN_EDGE) {
        if (!written[k->value_temp])
            return gb_err_set(err, GB_EINVAL, -1, "kernel %lld: value_temp %lld is never written",
                              (long long)kidx, (long long)k->value_temp);
        if (k->filter_temp >= 0 && !written[k->filter_temp])
            return gb_err_set(err, GB_EINVAL, -1, "kernel %lld: filter_temp %lld is never written",
                              (long long)kidx, (long long)k->filter_temp);
        p->has_edge = 1;
        p->has_mode |= k->agg == GB_AGG_MODE;
    }
    find_flags(p, k, flags);
    k->mflags = flags;
    if (k->ntemps * k->stride > p->max_temp_values)
        p->max_temp_values = k->ntemps * k->stride;
    if (k->nred > p->max_nred)
        p->max_nred = k->nred;
    return GB_OK;
}
