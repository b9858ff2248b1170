/*
 * exec_level.c — level parallelism: consecutive KERNEL / FUSED instructions that are
 * independent (none writes a slot or register another reads or writes) form a level,
 * found once at gb_plan_create.  When every op of a level is too small to be split
 * into work items, the level's ops run side by side, one op per worker, instead of one
 * after the other on a single thread.
 *
 * Each op still runs exactly as alone (the same nodes in the same order, its reductions
 * into partials of its own, combined in instruction order afterwards), so results are
 * the same bits either way; when ops of a level fail, the earliest instruction's error
 * is reported, as a sequential run would.
 */
#include <stdlib.h>

#include "exec_internal.h"

/* ---- finding levels (gb_plan_create) ---- */

enum { ACC_READ = 1, ACC_WRITE = 2 };

/* How kernel k accesses slot (is_reg 0) or register (is_reg 1) `index`: ACC_* bits. */
static int kernel_access(const gb_kernel *k, int is_reg, int64_t index)
{
    int acc = 0;
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        if (w[3] != index)
            continue;
        switch (w[0]) {
        case GB_OP_LOAD: case GB_OP_GATHER:
            acc |= is_reg ? 0 : ACC_READ;
            break;
        case GB_OP_STORE:
            acc |= is_reg ? 0 : ACC_WRITE;
            break;
        case GB_OP_BCAST: case GB_OP_RANDOM:
            acc |= is_reg ? ACC_READ : 0;
            break;
        default:
            if (w[0] >= GB_OP_RED_SUM_I)
                acc |= is_reg ? ACC_WRITE : 0;
            break;
        }
    }
    if (k->domain == GB_DOMAIN_EDGE) {
        if (!is_reg && k->out_slot == index)
            acc |= ACC_WRITE;
        if (k->default_index == index &&
            k->default_kind == (is_reg ? GB_DEFAULT_REG : GB_DEFAULT_SLOT))
            acc |= ACC_READ;
    }
    return acc;
}

/* The kernels an instruction runs: one, or a FUSED pair. */
static int instr_kernels(const gb_plan *p, int64_t pc, const gb_kernel *out[2])
{
    const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
    out[0] = &p->kernels[w[2]];
    out[1] = w[0] == GB_OP_FUSED ? &p->kernels[w[3]] : NULL;
    return out[1] != NULL ? 2 : 1;
}

/* Whether anything a writes, b reads or writes (slots and registers). */
static int writes_into(const gb_kernel *a, const gb_kernel *b)
{
    if (a->domain == GB_DOMAIN_EDGE && kernel_access(b, 0, a->out_slot) != 0)
        return 1;
    for (int64_t j = 0; j < a->nmicro; j++) {
        const int64_t *w = a->micro + j * GB_INSTR_WIDTH;
        if (w[0] == GB_OP_STORE && kernel_access(b, 0, w[3]) != 0)
            return 1;
        if (w[0] >= GB_OP_RED_SUM_I && kernel_access(b, 1, w[3]) != 0)
            return 1;
    }
    return 0;
}

static int independent(const gb_plan *p, int64_t pa, int64_t pb)
{
    const gb_kernel *ka[2], *kb[2];
    int na = instr_kernels(p, pa, ka), nb = instr_kernels(p, pb, kb);
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (writes_into(ka[i], kb[j]) || writes_into(kb[j], ka[i]))
                return 0;
    return 1;
}

static int is_kernel_instr(const gb_plan *p, int64_t pc)
{
    int64_t op = p->code[pc * GB_INSTR_WIDTH];
    return op == GB_OP_KERNEL || op == GB_OP_FUSED;
}

static int64_t instr_nred(const gb_plan *p, int64_t pc)
{
    const gb_kernel *k[2];
    int nk = instr_kernels(p, pc, k);
    return nk == 2 ? k[1]->nred : k[0]->nred;   /* a FUSED pair reduces in its node kernel */
}

gb_status gb_levels_find(gb_plan *p, gb_error *err)
{
    unsigned char *target = calloc((size_t)(p->ninstr + 1), 1);

    p->level_len = calloc((size_t)(p->ninstr > 0 ? p->ninstr : 1), sizeof *p->level_len);
    p->red_base = calloc((size_t)(p->ninstr > 0 ? p->ninstr : 1), sizeof *p->red_base);
    if (target == NULL || p->level_len == NULL || p->red_base == NULL) {
        free(target);
        return gb_err_set(err, GB_ENOMEM, -1, "out of memory for %lld instructions",
                          (long long)p->ninstr);
    }
    for (int64_t pc = 0; pc < p->ninstr; pc++) {
        const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
        if (w[0] == GB_OP_JUMP)
            target[w[2]] = 1;
        else if (w[0] == GB_OP_JUMP_IF_FALSE)
            target[w[3]] = 1;
    }
    for (int64_t pc = 0; pc < p->ninstr;) {
        int64_t end = pc + 1, nred;
        if (!is_kernel_instr(p, pc)) {
            pc++;
            continue;
        }
        /* grow while the next op is a kernel no jump lands on, independent of all before */
        while (end < p->ninstr && is_kernel_instr(p, end) && !target[end]) {
            int64_t q = pc;
            while (q < end && independent(p, q, end))
                q++;
            if (q < end)
                break;
            end++;
        }
        p->level_len[pc] = end - pc;
        /* a level's ops reduce at once, so each gets its own rows of partials */
        nred = 0;
        for (int64_t q = pc; q < end; q++) {
            p->red_base[q] = nred;
            nred += instr_nred(p, q);
        }
        if (nred > p->max_nred)
            p->max_nred = nred;
        pc = end;
    }
    free(target);
    return GB_OK;
}

/* ---- running a level ---- */

typedef struct level_job {
    gb_ctx *c;
    int64_t pc;
} level_job;

/* One op of the level, over the whole graph, on this worker. */
static gb_status level_item(void *arg, int worker, int64_t item)
{
    const level_job *j = arg;
    gb_ctx *c = j->c;
    const int64_t pc = j->pc + item;
    const int64_t *w = c->p->code + pc * GB_INSTR_WIDTH;
    const gb_kernel *k = &c->p->kernels[w[2]];
    gb_scratch *s = &c->ws[worker];

    if (w[0] == GB_OP_FUSED)
        return gb_fused_blocks(c, k, &c->p->kernels[w[3]], s, 0, c->nblocks, c->p->red_base[pc],
                               w[1]);
    if (k->domain == GB_DOMAIN_EDGE)
        return gb_edge_range(c, k, s, 0, c->n, w[1]);
    return gb_node_blocks(c, k, s, 0, c->nblocks, c->p->red_base[pc], w[1]);
}

/* Whether the op at pc would be a single work item (too small to split). */
static int single_item(const gb_ctx *c, int64_t pc)
{
    const int64_t *w = c->p->code + pc * GB_INSTR_WIDTH;
    const gb_kernel *k = &c->p->kernels[w[2]];
    if (w[0] == GB_OP_FUSED)
        return c->fused_items[k->dir].count <= 1;
    if (k->domain == GB_DOMAIN_EDGE)
        return c->edge_items[k->dir].count <= 1;
    return c->node_items.count <= 1;
}

int64_t gb_level_run(gb_ctx *c, int64_t pc, gb_status *st)
{
    const int64_t len = c->p->level_len[pc];
    level_job j = { c, pc };

    if (len < 2 || c->nworkers < 2)
        return 0;
    for (int64_t q = pc; q < pc + len; q++)
        if (!single_item(c, q))
            return 0;
    for (int64_t q = pc; q < pc + len; q++)
        gb_incr_forget(c, &c->p->kernels[c->p->code[q * GB_INSTR_WIDTH + 2]]);
    *st = gb_run_items(c, len, level_item, &j);
    for (int64_t q = pc; q < pc + len && *st == GB_OK; q++) {
        const int64_t *w = c->p->code + q * GB_INSTR_WIDTH;
        const gb_kernel *k = &c->p->kernels[w[0] == GB_OP_FUSED ? w[3] : w[2]];
        *st = gb_combine_reductions(c, k, c->p->red_base[q], w[1]);
    }
    return len;
}
