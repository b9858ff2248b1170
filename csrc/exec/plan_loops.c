/*
 * plan_loops.c — every loop of a validated plan ends: gb_loops_check.
 *
 * A loop is a backward jump at pc j to t <= j; its body is [t, j].  The compiler emits two
 * shapes (graphbuild/plan/emit.py), and a crafted plan must take one of them:
 *   while:  t: ...; JUMP_IF_FALSE cond, exit; ADD_I c, c, one; CHECK_ITER c; ...; JUMP t
 *   repeat: t: LT_I b, c, n; JUMP_IF_FALSE b, exit; ADD_I c, c, one; ...; JUMP t
 * so it is accepted when:
 *   - it is entered only at t (no jump from outside [t, j] lands inside it after t), and
 *     any two loops nest or are apart: every pass then starts at t;
 *   - a counter c has an ADD_I c, c, one run on every pass (not inside a nested loop, not
 *     skipped by a forward jump within the body), one is written only by CONST one, 1,
 *     every other write of c anywhere is CONST c, v with v >= 0, and nothing else in the
 *     body (a kernel's reduction included) writes c: so c counts the passes from v;
 *   - the count is bounded on every pass: a CHECK_ITER c (at most max_iterations passes),
 *     or LT_I b, c, n with JUMP_IF_FALSE b leaving the loop right after it and n not
 *     written in the body (at most n passes; c < n <= INT64_MAX cannot wrap).
 *   - or it is a loop over sources: t is a SOURCES instruction whose exit is j + 1 (its
 *     index rises on every pass to a bound of at most n; regions.c checks that the body
 *     writes neither).
 * A plan with any other backward jump is rejected, so it cannot loop until Ctrl-C.
 */
#include <stdlib.h>

#include "exec_internal.h"

typedef struct loop { int64_t head, tail; } loop;

static const int64_t *instr(const gb_plan *p, int64_t pc) { return p->code + pc * GB_INSTR_WIDTH; }

static int is_jump(int64_t op) { return op == GB_OP_JUMP || op == GB_OP_JUMP_IF_FALSE; }

static int64_t target_of(const int64_t *w) { return w[0] == GB_OP_JUMP ? w[2] : w[3]; }

/* The register a top-level instruction writes, or -1. */
static int64_t written(const int64_t *w)
{
    switch (w[0]) {
    case GB_OP_CONST: case GB_OP_MOV: case GB_OP_NODE_COUNT: case GB_OP_EDGE_COUNT:
    case GB_OP_GET:
        return w[2];
    default: {
        const gb_op_info *info = gb_op_lookup(w[0]);
        return info != NULL && info->args[0] == GB_ARG_DST ? w[2] : -1;
    }
    }
}

/* Whether the kernel(s) instruction w runs write register r by a reduction. */
static int kernel_writes(const gb_plan *p, const int64_t *w, int64_t r)
{
    if (w[0] != GB_OP_KERNEL && w[0] != GB_OP_FUSED)
        return 0;
    for (int i = 0; i < (w[0] == GB_OP_FUSED ? 2 : 1); i++) {
        const gb_kernel *k = &p->kernels[w[2 + i]];
        for (int64_t m = 0; m < k->nmicro; m++) {
            const int64_t *u = k->micro + m * GB_INSTR_WIDTH;
            if (u[0] >= GB_OP_RED_SUM_I && u[0] <= GB_OP_RED_ARGMAX_F && u[3] == r)
                return 1;
        }
    }
    return 0;
}

/* Whether instructions [lo, hi] write r, other than at pc skip. */
static int writes_in(const gb_plan *p, int64_t lo, int64_t hi, int64_t r, int64_t skip)
{
    for (int64_t pc = lo; pc <= hi; pc++)
        if (pc != skip && (written(instr(p, pc)) == r || kernel_writes(p, instr(p, pc), r)))
            return 1;
    return 0;
}

/* Every write of r in the plan, other than at pc skip, is CONST r, v with v >= min. */
static int only_consts(const gb_plan *p, int64_t r, int64_t min, int64_t skip)
{
    for (int64_t pc = 0; pc < p->ninstr; pc++) {
        const int64_t *w = instr(p, pc);
        if (pc == skip || (written(w) != r && !kernel_writes(p, w, r)))
            continue;
        if (w[0] != GB_OP_CONST || w[3] < min || (min == 1 && w[3] != 1))
            return 0;
    }
    return 1;
}

/* pc runs on every pass of loop l: not inside a loop nested in l, and no forward jump
 * from inside l before pc lands after pc still inside l. */
static int every_pass(const gb_plan *p, const loop *loops, int64_t nloops, const loop *l,
                      int64_t pc)
{
    for (int64_t i = 0; i < nloops; i++)
        if (&loops[i] != l && loops[i].head >= l->head && loops[i].tail <= l->tail &&
            loops[i].head <= pc && pc <= loops[i].tail)
            return 0;
    for (int64_t x = l->head; x < pc; x++) {
        const int64_t *w = instr(p, x);
        if (is_jump(w[0]) && target_of(w) > pc && target_of(w) <= l->tail)
            return 0;
    }
    return 1;
}

/* NULL if loop l is bounded (see the top of the file), else what is missing. */
static const char *bounded(const gb_plan *p, const loop *loops, int64_t nloops, const loop *l)
{
    if (instr(p, l->head)[0] == GB_OP_SOURCES && instr(p, l->head)[5] == l->tail + 1)
        return NULL;
    for (int64_t a = l->head; a <= l->tail; a++) {
        const int64_t *w = instr(p, a);
        int64_t c = w[2];
        if (w[0] != GB_OP_ADD_I || w[3] != c || !every_pass(p, loops, nloops, l, a) ||
            !only_consts(p, w[4], 1, -1) || writes_in(p, l->head, l->tail, c, a) ||
            !only_consts(p, c, 0, a))
            continue;
        for (int64_t b = l->head; b <= l->tail; b++) {
            const int64_t *v = instr(p, b);
            if (!every_pass(p, loops, nloops, l, b))
                continue;
            if (v[0] == GB_OP_CHECK_ITER && v[2] == c)
                return NULL;
            if (v[0] == GB_OP_LT_I && v[3] == c && b + 1 <= l->tail) {
                const int64_t *exit = instr(p, b + 1);
                if (exit[0] == GB_OP_JUMP_IF_FALSE && exit[2] == v[2] && exit[3] > l->tail &&
                    !writes_in(p, l->head, l->tail, v[4], -1))
                    return NULL;
            }
        }
    }
    return "a loop without an iteration check (a counter that rises by one on every pass, "
           "bounded by check_iter or by a count test that leaves the loop)";
}

gb_status gb_loops_check(const gb_plan *p, gb_error *err)
{
    int64_t nloops = 0;
    loop *loops = NULL;
    gb_status st = GB_OK;
    for (int64_t pc = 0; pc < p->ninstr; pc++)
        nloops += is_jump(instr(p, pc)[0]) && target_of(instr(p, pc)) <= pc;
    if (nloops == 0)
        return GB_OK;
    if ((loops = malloc((size_t)nloops * sizeof *loops)) == NULL)
        return gb_err_set(err, GB_ENOMEM, -1, "out of memory checking %lld loops", (long long)nloops);
    nloops = 0;
    for (int64_t pc = 0; pc < p->ninstr; pc++)
        if (is_jump(instr(p, pc)[0]) && target_of(instr(p, pc)) <= pc)
            loops[nloops++] = (loop){ target_of(instr(p, pc)), pc };
    for (int64_t i = 0; i < nloops && st == GB_OK; i++) {
        const loop *l = &loops[i];
        const char *problem = NULL;
        for (int64_t k = 0; k < nloops && problem == NULL; k++) {
            const loop *o = &loops[k];
            int apart = o->tail < l->head || o->head > l->tail;
            int nested = (o->head >= l->head && o->tail <= l->tail) ||
                         (l->head >= o->head && l->tail <= o->tail);
            if (!apart && !nested)
                problem = "loops that overlap without nesting";
        }
        for (int64_t x = 0; x < p->ninstr && problem == NULL; x++) {
            const int64_t *w = instr(p, x);
            if (is_jump(w[0]) && (x < l->head || x > l->tail) && target_of(w) > l->head &&
                target_of(w) <= l->tail)
                problem = "a jump into the middle of a loop";
        }
        if (problem == NULL)
            problem = bounded(p, loops, nloops, l);
        if (problem != NULL)
            st = gb_err_set(err, GB_EINVAL, instr(p, l->tail)[1],
                            "instruction %lld (%s back to %lld): %s", (long long)l->tail,
                            gb_op_lookup(instr(p, l->tail)[0])->name, (long long)l->head, problem);
    }
    free(loops);
    return st;
}
