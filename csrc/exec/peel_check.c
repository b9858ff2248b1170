/*
 * peel_check.c — the bucketed-peeling claim (GB_KH_ORDERED = GB_ORDER_PEEL) checked.
 *
 * The claim sits on the kernel `any(A)` at the head of a loop nest and says the nest is
 * k-core's level-synchronous peeling (graphbuild/plan/ordered.py states the rule):
 *
 *   h+0  KERNEL  ra = any(A)                  h+9   KERNEL  rq = any(P)
 *   h+1  JUMP_IF_FALSE ?, h+19                h+10  JUMP_IF_FALSE ?, h+16
 *   h+2  ADD_I ?, ?, ?                        h+11  ADD_I ?, ?, ?
 *   h+3  CHECK_ITER ?                         h+12  CHECK_ITER ?
 *   h+4  KERNEL  rm = min(where(A, D, top))   h+13  KERNEL  C = where(P, k, C); A = A and not P
 *   h+5  MAX_I   k, ?, ?                      h+14  FUSED   D = count(A[u] for u in nbrs);
 *   h+6  KERNEL  P = A and D <= k                           P = A and D <= k
 *   h+7  CONST   ?                            h+15  JUMP h+9
 *   h+8  CONST   ?                            h+16  ADD_I ?, ?, ?   h+17  MOV ?, ?   h+18  JUMP h
 *
 * with A, P bool slots and D, C int slots, all four distinct, and k written by nothing
 * from h+7 to h+15.  The scalar instructions (marked ?) may name any registers: peel.c
 * runs each of them as the interpreter does, in the same order; only the kernels'
 * per-node work is replaced.  The kernels are compared by their effects rendered as
 * terms ("S3=60(L2,43(L0,B8))"), `and` with its operands sorted, so temp numbering and
 * micro-op order do not matter.  Anything else is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"

#define TERM 160
#define EFFECTS 4
#define RENDER_TEMPS 16

/* The term a temp holds; "" when the op is not one the template uses. */
static int render_one(const int64_t *w, char t[][TERM], char *out)
{
    const char *a = w[0] == GB_OP_LOAD || w[0] == GB_OP_BCAST || w[0] == GB_OP_IMM ? ""
                    : t[w[3]];
    switch (w[0]) {
    case GB_OP_LOAD:  return snprintf(out, TERM, "L%lld", (long long)w[3]) < TERM;
    case GB_OP_BCAST: return snprintf(out, TERM, "B%lld", (long long)w[3]) < TERM;
    case GB_OP_IMM:   return snprintf(out, TERM, "I%lld", (long long)w[3]) < TERM;
    case GB_OP_NOT:   return snprintf(out, TERM, "62(%s)", a) < TERM;
    case GB_OP_LE_I:  return snprintf(out, TERM, "43(%s,%s)", a, t[w[4]]) < TERM;
    case GB_OP_WHERE:
        return snprintf(out, TERM, "74(%s,%s,%s)", a, t[w[4]], t[w[5]]) < TERM;
    case GB_OP_AND: {
        const char *b = t[w[4]];
        if (strcmp(a, b) > 0) {
            const char *x = a;
            a = b, b = x;
        }
        return snprintf(out, TERM, "60(%s,%s)", a, b) < TERM;
    }
    default:
        return 0;
    }
}

static int render_op(const int64_t *w, char t[][TERM])
{
    char out[TERM];
    if (!render_one(w, t, out))
        return 0;
    memcpy(t[w[2]], out, TERM);   /* a temp may be its own operand */
    return 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* A node kernel's effects, sorted and joined by ';' into out; 0 if it has another form. */
static int render(const gb_kernel *k, char *out, size_t cap)
{
    char t[RENDER_TEMPS][TERM], eff[EFFECTS][2 * TERM];
    int ne = 0;
    size_t at = 0;

    if (k->domain != GB_DOMAIN_NODE || k->ntemps > RENDER_TEMPS)
        return 0;
    for (int i = 0; i < RENDER_TEMPS; i++)
        t[i][0] = '\0';
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        if (w[0] == GB_OP_STORE || w[0] == GB_OP_RED_ANY || w[0] == GB_OP_RED_MIN_I) {
            if (ne == EFFECTS)
                return 0;
            if (w[0] == GB_OP_STORE)
                snprintf(eff[ne++], sizeof eff[0], "S%lld=%s", (long long)w[3], t[w[4]]);
            else
                snprintf(eff[ne++], sizeof eff[0], "R%lld:%lld=%s", (long long)w[0],
                         (long long)w[3], t[w[4]]);
            continue;
        }
        if (!render_op(w, t))
            return 0;
    }
    qsort(eff, (size_t)ne, sizeof eff[0], cmp_str);
    out[0] = '\0';
    for (int i = 0; i < ne; i++) {
        int len = snprintf(out + at, cap - at, i ? ";%s" : "%s", eff[i]);
        if (len < 0 || (size_t)len >= cap - at)
            return 0;
        at += (size_t)len;
    }
    return 1;
}

static int same(const gb_kernel *k, const char *want)
{
    char got[4 * 2 * TERM];
    return render(k, got, sizeof got) && strcmp(got, want) == 0;
}

/* The expected rendering of `P = A and D <= k`. */
static void peel_step(char *out, size_t cap, int64_t a, int64_t d, int64_t k, int64_t p)
{
    char x[48], y[96];
    snprintf(x, sizeof x, "L%lld", (long long)a);
    snprintf(y, sizeof y, "43(L%lld,B%lld)", (long long)d, (long long)k);
    snprintf(out, cap, "S%lld=60(%s,%s)", (long long)p, strcmp(x, y) <= 0 ? x : y,
             strcmp(x, y) <= 0 ? y : x);
}

static const int64_t *ins(const gb_plan *p, int64_t pc)
{
    return p->code + pc * GB_INSTR_WIDTH;
}

/* Why the nest headed at pc is not the template, or NULL when it is (bindings in k->pl). */
static const char *nest_holds(const gb_plan *p, int64_t pc, gb_kernel *ka)
{
    static const int64_t shape[19] = {
        GB_OP_KERNEL, GB_OP_JUMP_IF_FALSE, GB_OP_ADD_I, GB_OP_CHECK_ITER, GB_OP_KERNEL,
        GB_OP_MAX_I, GB_OP_KERNEL, GB_OP_CONST, GB_OP_CONST, GB_OP_KERNEL, GB_OP_JUMP_IF_FALSE,
        GB_OP_ADD_I, GB_OP_CHECK_ITER, GB_OP_KERNEL, GB_OP_FUSED, GB_OP_JUMP, GB_OP_ADD_I,
        GB_OP_MOV, GB_OP_JUMP };
    char want[2 * TERM], s2[2 * TERM];
    const gb_kernel *km, *kp, *kq, *ks, *ke, *kn;
    int64_t a = -1, d, cs, ps, kr;

    if (pc + 19 > p->ninstr)
        return "the loop nest is cut short";
    for (int i = 0; i < 19; i++)
        if (ins(p, pc + i)[0] != shape[i])
            return "its instructions are not the peeling loop nest";
    if (ins(p, pc + 1)[3] != pc + 19 || ins(p, pc + 10)[3] != pc + 16 ||
        ins(p, pc + 15)[2] != pc + 9 || ins(p, pc + 18)[2] != pc)
        return "its jumps are not the peeling loop nest's";
    km = &p->kernels[ins(p, pc + 4)[2]];
    kp = &p->kernels[ins(p, pc + 6)[2]];
    kq = &p->kernels[ins(p, pc + 9)[2]];
    ks = &p->kernels[ins(p, pc + 13)[2]];
    ke = &p->kernels[ins(p, pc + 14)[2]];
    kn = &p->kernels[ins(p, pc + 14)[3]];
    if (ka->nmicro != 2 || ka->micro[0] != GB_OP_LOAD)
        return "its head is not any(A)";
    a = ka->micro[3];
    d = ke->out_slot;
    kr = ins(p, pc + 5)[2];
    if (ke->domain != GB_DOMAIN_EDGE || ke->agg != GB_AGG_COUNT || ke->special != GB_SHAPE_GATHER ||
        ke->sp_slot != a || ke->default_kind != GB_DEFAULT_IDENTITY || ke->filter_temp != -1 ||
        ke->demand_slot != -1 || ke->changed)
        return "its edge kernel is not count(A[u] for u in nbrs)";
    if (kp->nmicro < 1 || kp->micro[kp->nmicro * GB_INSTR_WIDTH - GB_INSTR_WIDTH] != GB_OP_STORE)
        return "its peel step is not P = A and D <= k";
    ps = kp->micro[kp->nmicro * GB_INSTR_WIDTH - GB_INSTR_WIDTH + 3];
    cs = -1;
    for (int64_t j = 0; j < ks->nmicro; j++) {
        const int64_t *w = ks->micro + j * GB_INSTR_WIDTH;
        if (w[0] == GB_OP_STORE && w[3] != a)
            cs = w[3];
    }
    if (cs < 0 || a == d || a == cs || a == ps || d == cs || d == ps || cs == ps ||
        p->slot_dtypes[a] != GB_BOOL || p->slot_dtypes[ps] != GB_BOOL ||
        p->slot_dtypes[d] != GB_I64 || p->slot_dtypes[cs] != GB_I64)
        return "its slots are not four distinct A, P (bool), D, C (int)";
    snprintf(want, sizeof want, "R%d:%lld=L%lld", GB_OP_RED_ANY, (long long)ins(p, pc + 1)[2],
             (long long)a);
    if (!same(ka, want))
        return "its head is not any(A) tested by its exit jump";
    {   /* min(where(A, D, top)): the register and top are free; read them from km */
        char got[4 * 2 * TERM];
        long long rm, top;
        if (!render(km, got, sizeof got) ||
            sscanf(got, "R102:%lld=74(L%*d,L%*d,B%lld)", &rm, &top) != 2)
            return "its level step is not min(where(A, D, top))";
        snprintf(want, sizeof want, "R%d:%lld=74(L%lld,L%lld,B%lld)", GB_OP_RED_MIN_I, rm,
                 (long long)a, (long long)d, top);
        if (strcmp(got, want) != 0)
            return "its level step is not min(where(A, D, top))";
        ka->pl[7] = top, ka->pl[8] = rm;
    }
    peel_step(want, sizeof want, a, d, kr, ps);
    if (!same(kp, want) || !same(kn, want))
        return "its peel steps are not P = A and D <= k";
    snprintf(want, sizeof want, "R%d:%lld=L%lld", GB_OP_RED_ANY, (long long)ins(p, pc + 10)[2],
             (long long)ps);
    if (!same(kq, want))
        return "its inner head is not any(P) tested by its exit jump";
    {   /* A = A and not P, the operands sorted */
        char x[48], y[48];
        snprintf(x, sizeof x, "L%lld", (long long)a);
        snprintf(y, sizeof y, "62(L%lld)", (long long)ps);
        snprintf(want, sizeof want, "S%lld=60(%s,%s)", (long long)a, strcmp(x, y) <= 0 ? x : y,
                 strcmp(x, y) <= 0 ? y : x);
    }
    snprintf(s2, sizeof s2, "S%lld=74(L%lld,B%lld,L%lld)", (long long)cs, (long long)ps,
             (long long)kr, (long long)cs);
    {
        char both[4 * 2 * TERM + 2];
        int order = strcmp(want, s2) <= 0;
        snprintf(both, sizeof both, "%s;%s", order ? want : s2, order ? s2 : want);
        if (!same(ks, both))
            return "its removal step is not C = where(P, k, C); A = A and not P";
    }
    for (int i = 7; i <= 14; i++) {
        const int64_t *w = ins(p, pc + i);
        if ((w[0] == GB_OP_CONST || w[0] == GB_OP_ADD_I) && w[2] == kr)
            return "its level k is written inside a level";
    }
    if (ins(p, pc + 10)[2] == kr)   /* any(P)'s register */
        return "its level k is written inside a level";
    ka->pl[0] = pc, ka->pl[1] = a, ka->pl[2] = d, ka->pl[3] = cs, ka->pl[4] = ps;
    ka->pl[5] = ins(p, pc + 14)[2], ka->pl[6] = kr;
    return NULL;
}

gb_status gb_peel_check(gb_plan *p, gb_error *err)
{
    for (int64_t i = 0; i < p->nkernels; i++) {
        gb_kernel *k = &p->kernels[i];
        int64_t at = -1, uses = 0;
        const char *why;
        if (k->ordered == GB_ORDER_NONE)
            continue;
        if (k->ordered != GB_ORDER_PEEL)
            return gb_err_set(err, GB_EINVAL, k->loc, "kernel %lld: the plan claims an unknown "
                              "ordered form (%lld)", (long long)i, (long long)k->ordered);
        for (int64_t pc = 0; pc < p->ninstr; pc++) {
            const int64_t *w = ins(p, pc);
            if ((w[0] == GB_OP_KERNEL && w[2] == i) || (w[0] == GB_OP_FUSED && (w[2] == i || w[3] == i)))
                uses++, at = pc;
        }
        why = uses != 1 || ins(p, at)[0] != GB_OP_KERNEL ? "it does not run once as a KERNEL"
                                                          : nest_holds(p, at, k);
        if (why != NULL)
            return gb_err_set(err, GB_EINVAL, k->loc, "kernel %lld: the plan claims bucketed "
                              "peeling for its loop nest, which the plan does not allow: %s",
                              (long long)i, why);
    }
    return GB_OK;
}
