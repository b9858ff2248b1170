/*
 * regions.c — loops over sources (GB_OP_SOURCES), and their parallel claim.
 *
 * `for s in sources(): ... acc = acc + x` is a loop whose passes share nothing but the
 * accumulators: each pass's other variables are its own.  The compiler writes the loop as
 *     const i, -1;  P: sources i, count, batch, @E;  body;  E-1: jump P;  E:
 * and, when the plan shows that independence, claims it with batch > 0.  The claim holds
 * when (checked here at gb_plan_create, by a must-be-written analysis over the body):
 *   - every register the body reads is one it does not write, or the index i, or one it
 *     wrote earlier in the same pass on every path, or an accumulator: a register r that one
 *     ADD t, r, x (either order) reads and one MOV r, t writes, both on every pass (in no
 *     loop nested in the body, jumped over by nothing), t written and read nowhere else;
 *   - every slot the body reads is the same, or an accumulator: a float or int slot that
 *     exactly one node KERNEL of the body touches, outside any loop nested in the body, as
 *     load a -> t;  t' = add(t, x) (either order);  store a = t', with t and t' used
 *     nowhere else in the kernel;
 *   - no jump leaves the body or enters it, no loop over sources inside it is claimed,
 *     and no kernel in it counts common neighbors (their shared sorted adjacency).
 * Then a pass depends only on the registers and slots as they were when the loop began
 * and on its index, and adds x to each accumulator once at most.  With two or more
 * workers the loop runs `batch` passes at a time, one per worker at a time, each worker
 * with its own registers, slots and kernel state running its kernels single-threaded;
 * each pass's x goes to a buffer of its own (the kernel runs on a buffer holding the
 * add's identity, -0.0 or 0, so it stores x itself; a register accumulator starts each pass
 * at the identity and ends it holding x), and after the batch the buffers are
 * added into the accumulator in source order, with the kernel's operand order: the same
 * additions in the same order as one thread, so the bits are the same for any thread
 * count.  A claimed loop leaves the registers and slots its body writes (the index and
 * accumulators aside) zero, however it ran, so what runs after it cannot tell either.
 */
#include <stdlib.h>

#include "exec_internal.h"

/* Batches larger than this are refused (each pass of a batch keeps n values per
 * accumulator). */
#define GB_MAX_BATCH 4096
/* A body's must-be-written sets are (instructions x (registers + slots)) bits. */
#define GB_MAX_REGION_WORDS ((int64_t)1 << 24)

static const int64_t *instr(const gb_plan *p, int64_t pc) { return p->code + pc * GB_INSTR_WIDTH; }

/* Bit sets over registers and slots, as gb_instr_effects numbers them. */
static void set_bit(void *arg, int64_t bit) { ((uint64_t *)arg)[bit >> 6] |= 1ull << (bit & 63); }
static int has_bit(const uint64_t *b, int64_t bit) { return (int)((b[bit >> 6] >> (bit & 63)) & 1); }

static gb_status rfail(gb_error *err, const gb_plan *p, const gb_region *g, const char *what,
                       int64_t v)
{
    return gb_err_set(err, GB_EINVAL, instr(p, g->head)[1],
                      "instruction %lld: the loop over sources %s (%lld)", (long long)g->head,
                      what, (long long)v);
}

/* ---- the accumulator form ---- */

/* Whether micro-op u reads temp t (as a value or a stored or reduced temp). */
static int micro_reads(const int64_t *u, int64_t t)
{
    const gb_op_info *info = gb_op_lookup(u[0]);
    for (int i = 1; info != NULL && i < 4; i++)
        if ((info->args[i] == GB_ARG_VAL || info->args[i] == GB_ARG_TEMP) && u[2 + i] == t)
            return 1;
    return 0;
}

static int micro_writes(const int64_t *u, int64_t t)
{
    const gb_op_info *info = gb_op_lookup(u[0]);
    return info != NULL && (info->args[0] == GB_ARG_DST || info->args[0] == GB_ARG_TDST) &&
           u[2] == t;
}

/* Whether node kernel k touches slot a only as a = a + x; fills the add and its order. */
static int acc_form(const gb_plan *p, const gb_kernel *k, int64_t a, int64_t *op, int *x_first)
{
    int64_t load = -1, store = -1, add = -1, ta, tr;
    if (k->domain != GB_DOMAIN_NODE || k->ordered)
        return 0;
    for (int64_t m = 0; m < k->nmicro; m++) {
        const int64_t *u = k->micro + m * GB_INSTR_WIDTH;
        if ((u[0] == GB_OP_LOAD || u[0] == GB_OP_STORE) && u[3] == a) {
            int64_t *which = u[0] == GB_OP_LOAD ? &load : &store;
            if (*which >= 0)
                return 0;
            *which = m;
        }
    }
    if (load < 0 || store < 0)
        return 0;
    ta = k->micro[load * GB_INSTR_WIDTH + 2];
    tr = k->micro[store * GB_INSTR_WIDTH + 4];
    for (int64_t m = 0; m < k->nmicro; m++) {
        const int64_t *u = k->micro + m * GB_INSTR_WIDTH;
        if (micro_writes(u, tr)) {
            if (add >= 0 || (u[0] != GB_OP_ADD_F && u[0] != GB_OP_ADD_I) ||
                (u[3] == ta) == (u[4] == ta))
                return 0;
            add = m;
        }
    }
    if (add < 0 || ta == tr)
        return 0;
    for (int64_t m = 0; m < k->nmicro; m++) {
        const int64_t *u = k->micro + m * GB_INSTR_WIDTH;
        if ((m != load && micro_writes(u, ta)) || (m != add && micro_reads(u, ta)) ||
            (m != store && micro_reads(u, tr)))
            return 0;
    }
    *op = k->micro[add * GB_INSTR_WIDTH];
    *x_first = k->micro[add * GB_INSTR_WIDTH + 4] == ta;
    return p->slot_dtypes[a] == (*op == GB_OP_ADD_F ? GB_F64 : GB_I64);
}

/* Slot a is an accumulator of region g (see the top of the file). */
static gb_status check_acc(const gb_plan *p, gb_region *g, int64_t a, uint64_t *scratch,
                           int64_t words, gb_error *err)
{
    const int64_t R = p->nregs;
    int64_t at = -1, op = 0;
    int x_first = 0;
    for (int64_t pc = g->head + 1; pc < g->exit - 1; pc++) {
        int refs;
        memset(scratch, 0, (size_t)words * sizeof *scratch);
        gb_instr_effects(p, pc, 0, set_bit, scratch);
        gb_instr_effects(p, pc, 1, set_bit, scratch);
        refs = has_bit(scratch, R + a);
        if (refs && (at >= 0 || instr(p, pc)[0] != GB_OP_KERNEL))
            return rfail(err, p, g, "claims an accumulator slot that more than one node kernel "
                         "touches", a);
        if (refs)
            at = pc;
    }
    for (int64_t pc = g->head + 1; pc < g->exit - 1; pc++) {
        int64_t t[1];
        if (gb_instr_target(instr(p, pc), t) && instr(p, pc)[0] != GB_OP_SOURCES && t[0] <= pc &&
            t[0] <= at && at <= pc)
            return rfail(err, p, g, "claims an accumulator added to inside a nested loop", a);
        if (instr(p, pc)[0] == GB_OP_SOURCES && pc <= at && at < instr(p, pc)[5])
            return rfail(err, p, g, "claims an accumulator added to inside a nested loop", a);
    }
    if (at < 0 || !acc_form(p, &p->kernels[instr(p, at)[2]], a, &op, &x_first))
        return rfail(err, p, g, "reads a slot before writing it that is not an accumulator "
                     "(slot = slot + x in one node kernel)", a);
    g->acc_slots[g->nacc] = a;
    g->acc_ops[g->nacc] = op;
    g->acc_x_first[g->nacc] = x_first;
    g->nacc++;
    return GB_OK;
}

/* Whether pc runs exactly once on every pass of g's body: no loop nested in the body holds
 * it and no jump before it lands after it. */
static int every_pass(const gb_plan *p, const gb_region *g, int64_t pc)
{
    for (int64_t q = g->head + 1; q < g->exit - 1; q++) {
        const int64_t *w = instr(p, q);
        int64_t t[1];
        if (w[0] == GB_OP_SOURCES && q <= pc && pc < w[5])
            return 0;
        if (gb_instr_target(w, t) && ((t[0] <= q && t[0] <= pc && pc <= q) || (q < pc && t[0] > pc)))
            return 0;
    }
    return 1;
}

/* Register r is an accumulator of region g (see the top of the file). */
static gb_status check_racc(const gb_plan *p, gb_region *g, int64_t r, uint64_t *scratch,
                            int64_t words, gb_error *err)
{
    int64_t add = -1, mov = -1, t;
    for (int64_t pc = g->head + 1; pc < g->exit - 1; pc++) {
        const int64_t *w = instr(p, pc);
        memset(scratch, 0, (size_t)words * sizeof *scratch);
        gb_instr_effects(p, pc, 0, set_bit, scratch);
        if (has_bit(scratch, r)) {
            if (add >= 0 || (w[0] != GB_OP_ADD_F && w[0] != GB_OP_ADD_I) || (w[3] == r) == (w[4] == r))
                return rfail(err, p, g, "claims parallel passes but a register is read before "
                             "the body writes it", r);
            add = pc;
        }
        memset(scratch, 0, (size_t)words * sizeof *scratch);
        gb_instr_effects(p, pc, 1, set_bit, scratch);
        if (has_bit(scratch, r)) {
            if (mov >= 0 || w[0] != GB_OP_MOV)
                return rfail(err, p, g, "claims an accumulator register written other than by "
                             "one mov", r);
            mov = pc;
        }
    }
    if (add < 0 || mov < 0 || mov < add || !every_pass(p, g, add) || !every_pass(p, g, mov))
        return rfail(err, p, g, "claims an accumulator register not added to once on every "
                     "pass", r);
    t = instr(p, add)[2];
    if (t == r || instr(p, mov)[3] != t)
        return rfail(err, p, g, "claims an accumulator register not set from its add", r);
    for (int64_t pc = g->head + 1; pc < g->exit - 1; pc++) {
        if (pc == add || pc == mov)
            continue;
        memset(scratch, 0, (size_t)words * sizeof *scratch);
        gb_instr_effects(p, pc, 0, set_bit, scratch);
        gb_instr_effects(p, pc, 1, set_bit, scratch);
        if (has_bit(scratch, t))
            return rfail(err, p, g, "claims an accumulator register whose sum is used elsewhere", r);
    }
    g->racc[g->nracc] = r;
    g->racc_ops[g->nracc] = instr(p, add)[0];
    g->racc_x_first[g->nracc] = instr(p, add)[4] == r;
    g->nracc++;
    return GB_OK;
}

/* ---- the claim: a must-be-written analysis over the body ---- */

static gb_status check_claim(gb_plan *p, gb_region *g, gb_error *err)
{
    const int64_t R = p->nregs, nbits = p->nregs + p->nslots, words = (nbits + 63) / 64;
    const int64_t b0 = g->head + 1, len = g->exit - 1 - b0;
    uint64_t *in = NULL, *out = NULL, *written = NULL, *reads = NULL;
    gb_status st = GB_OK;
    int changed = 1;

    if (len > 0 && (len + 3) > GB_MAX_REGION_WORDS / words)
        return rfail(err, p, g, "is too large to check its parallel claim", len);
    for (int64_t pc = b0; pc < g->exit - 1; pc++) {
        const int64_t *w = instr(p, pc);
        if (w[0] == GB_OP_SOURCES && w[4] > 0)
            return rfail(err, p, g, "claims parallel passes around another claimed loop", pc);
        for (int i = 0; (w[0] == GB_OP_KERNEL || w[0] == GB_OP_FUSED) && i < 1 + (w[0] == GB_OP_FUSED); i++)
            if (p->kernels[w[2 + i]].uses_common)
                return rfail(err, p, g, "claims parallel passes around common neighbors", pc);
    }
    in = malloc((size_t)((len > 0 ? len : 1) * words) * sizeof *in);
    out = malloc((size_t)words * sizeof *out);
    written = calloc((size_t)words, sizeof *written);
    reads = malloc((size_t)words * sizeof *reads);
    g->priv_slots = malloc((size_t)(p->nslots > 0 ? p->nslots : 1) * sizeof *g->priv_slots);
    g->priv_regs = malloc((size_t)(p->nregs > 0 ? p->nregs : 1) * sizeof *g->priv_regs);
    g->acc_slots = malloc((size_t)(p->nslots > 0 ? p->nslots : 1) * sizeof *g->acc_slots);
    g->acc_ops = malloc((size_t)(p->nslots > 0 ? p->nslots : 1) * sizeof *g->acc_ops);
    g->acc_x_first = malloc((size_t)(p->nslots > 0 ? p->nslots : 1) * sizeof *g->acc_x_first);
    g->racc = malloc((size_t)(p->nregs > 0 ? p->nregs : 1) * sizeof *g->racc);
    g->racc_ops = malloc((size_t)(p->nregs > 0 ? p->nregs : 1) * sizeof *g->racc_ops);
    g->racc_x_first = malloc((size_t)(p->nregs > 0 ? p->nregs : 1) * sizeof *g->racc_x_first);
    if (!in || !out || !written || !reads || !g->priv_slots || !g->priv_regs || !g->acc_slots ||
        !g->acc_ops || !g->acc_x_first || !g->racc || !g->racc_ops || !g->racc_x_first) {
        st = gb_err_set(err, GB_ENOMEM, -1, "out of memory checking a loop over sources");
        goto done;
    }
    for (int64_t pc = b0; pc < g->exit - 1; pc++)
        gb_instr_effects(p, pc, 1, set_bit, written);
    /* in[i]: what every path from the body's start to b0 + i has written (top: all) */
    memset(in, 0xff, (size_t)(len * words) * sizeof *in);
    if (len > 0) {
        memset(in, 0, (size_t)words * sizeof *in);
        set_bit(in, g->index);
    }
    while (changed) {
        changed = 0;
        for (int64_t i = 0; i < len; i++) {
            const int64_t *w = instr(p, b0 + i);
            int64_t succ[2], t[1];
            int ns = 0;
            memcpy(out, in + i * words, (size_t)words * sizeof *out);
            gb_instr_effects(p, b0 + i, 1, set_bit, out);
            if (w[0] != GB_OP_JUMP)
                succ[ns++] = b0 + i + 1;
            if (gb_instr_target(w, t))
                succ[ns++] = t[0];
            for (int q = 0; q < ns; q++) {
                uint64_t *dst;
                if (succ[q] < b0 || succ[q] >= g->exit - 1)
                    continue;
                dst = in + (succ[q] - b0) * words;
                for (int64_t x = 0; x < words; x++)
                    if ((dst[x] & out[x]) != dst[x])
                        dst[x] &= out[x], changed = 1;
            }
        }
    }
    g->nacc = g->nracc = 0;
    for (int64_t i = 0; i < len && st == GB_OK; i++) {
        memset(reads, 0, (size_t)words * sizeof *reads);
        gb_instr_effects(p, b0 + i, 0, set_bit, reads);
        for (int64_t bit = 0; bit < nbits && st == GB_OK; bit++) {
            int dup = 0;
            if (!has_bit(reads, bit) || has_bit(in + i * words, bit) || !has_bit(written, bit))
                continue;
            if (bit < R) {
                for (int64_t q = 0; q < g->nracc; q++)
                    dup |= g->racc[q] == bit;
                if (!dup)
                    st = check_racc(p, g, bit, out, words, err);
                continue;
            }
            for (int64_t q = 0; q < g->nacc; q++)
                dup |= g->acc_slots[q] == bit - R;
            if (!dup)
                st = check_acc(p, g, bit - R, out, words, err);
        }
    }
    g->npriv_slots = g->npriv_regs = 0;
    for (int64_t bit = 0; bit < nbits && st == GB_OK; bit++) {
        int acc = 0;
        if (!has_bit(written, bit) || bit == g->index)
            continue;
        for (int64_t q = 0; q < g->nacc; q++)
            acc |= g->acc_slots[q] == bit - R;
        for (int64_t q = 0; q < g->nracc; q++)
            acc |= g->racc[q] == bit;
        if (bit < R && !acc)
            g->priv_regs[g->npriv_regs++] = bit;
        else if (!acc)
            g->priv_slots[g->npriv_slots++] = bit - R;
    }
done:
    free(in);
    free(out);
    free(written);
    free(reads);
    return st;
}

/* ---- gb_plan_create: every SOURCES loop ---- */

static gb_status check_region(gb_plan *p, gb_region *g, gb_error *err)
{
    const int64_t *w = instr(p, g->head);
    uint64_t *bits;
    int hit;
    g->exit = w[5];
    g->index = w[2];
    g->count = w[3];
    g->batch = w[4];
    if (g->batch < 0 || g->batch > GB_MAX_BATCH)
        return rfail(err, p, g, "claims a batch out of range", g->batch);
    if (g->index == g->count)
        return rfail(err, p, g, "counts with its bound register", g->index);
    if (g->exit < g->head + 2 || instr(p, g->exit - 1)[0] != GB_OP_JUMP ||
        instr(p, g->exit - 1)[2] != g->head)
        return rfail(err, p, g, "is not closed by a jump back to it just before its exit",
                     g->exit);
    for (int64_t pc = g->head + 1; pc < g->exit - 1; pc++) {
        int64_t t[1];
        const int64_t *v = instr(p, pc);
        if (gb_instr_target(v, t) && (t[0] <= g->head || t[0] > g->exit - 1))
            return rfail(err, p, g, "has a jump out of its body at instruction", pc);
        if (v[0] == GB_OP_SOURCES && v[5] > g->exit - 1)
            return rfail(err, p, g, "overlaps the loop over sources at instruction", pc);
    }
    /* neither the index nor the bound is written in the body: the loop ends */
    if ((bits = calloc((size_t)((p->nregs + p->nslots + 63) / 64 + 1), sizeof *bits)) == NULL)
        return gb_err_set(err, GB_ENOMEM, -1, "out of memory checking a loop over sources");
    for (int64_t pc = g->head + 1; pc < g->exit - 1; pc++)
        gb_instr_effects(p, pc, 1, set_bit, bits);
    hit = has_bit(bits, g->index) || has_bit(bits, g->count);
    free(bits);
    if (hit)
        return rfail(err, p, g, "has its index or bound register written in its body", g->index);
    return g->batch > 0 ? check_claim(p, g, err) : GB_OK;
}

gb_status gb_regions_check(gb_plan *p, gb_error *err)
{
    int64_t n = 0;
    for (int64_t pc = 0; pc < p->ninstr; pc++)
        n += instr(p, pc)[0] == GB_OP_SOURCES;
    if (n == 0)
        return GB_OK;
    if ((p->regions = calloc((size_t)n, sizeof *p->regions)) == NULL)
        return gb_err_set(err, GB_ENOMEM, -1, "out of memory for %lld loops over sources",
                          (long long)n);
    for (int64_t pc = 0; pc < p->ninstr; pc++) {
        gb_status st;
        if (instr(p, pc)[0] != GB_OP_SOURCES)
            continue;
        p->regions[p->nregions].head = pc;
        st = check_region(p, &p->regions[p->nregions++], err);
        if (st != GB_OK)
            return st;
    }
    return GB_OK;
}

void gb_regions_free(gb_plan *p)
{
    for (int64_t i = 0; i < p->nregions; i++) {
        gb_region *g = &p->regions[i];
        free(g->priv_slots);
        free(g->priv_regs);
        free(g->acc_slots);
        free(g->acc_ops);
        free(g->acc_x_first);
        free(g->racc);
        free(g->racc_ops);
        free(g->racc_x_first);
    }
    free(p->regions);
}
