/*
 * frontier.c — BFS-like steps run from node lists, top-down or bottom-up (Beamer's rule).
 *
 * BFS's step is a FUSED pair: E = any(X[u] for u in in_nbrs), used only where S == c
 * (demand.c: level == -1), then a node kernel whose active set is E (active.c).  The plan
 * may say that the pair's frontiers are carried as lists (GB_KH_CHANGED = 2, from
 * graphbuild/plan/frontier.py); gb_frontier_check accepts it only when the edge kernel
 * has a demand and is incremental (its state lives there), exactly one instruction runs
 * it, a FUSED pair whose node kernel's active set is E and which stores no X, in a loop
 * with no loop inside it whose other instructions write X or E only by swapping the two.
 *
 * The run then keeps X's true nodes (list) and E's (ecount in next) from pass to pass;
 * they are valid when the pass follows the loop's backward jump directly with X and E
 * swapped (as changed.c tells), else both slots are scanned once.  A pass runs
 *   - top-down while the frontier's arcs are at most the unexplored arcs / ALPHA: E is
 *     cleared at its listed nodes, each node of X's list pushes along its arcs and claims
 *     each demanded node v with an atomic exchange of E[v] (any is order-free: the set of
 *     nodes set is the same for any thread count), and the node kernel runs only on the
 *     blocks holding a claimed node (active.c's block runner, over E's true nodes); with
 *     unseen (below) the claim takes v's bit there instead, a bitmap in cache where S and E
 *     are not, and a push over many arcs builds unseen first;
 *   - bottom-up otherwise, until the frontier has fewer than n / BETA nodes and shrinks:
 *     the demand pull with early exit (demand.c) fused with the node kernel, as before;
 *     with folded stores each demanded node looks for a neighbor in a bitmap of X (built
 *     from the list at the switch; a bottom-up pass writes the next one).  When
 *     nothing else in the loop writes S (fl_unseen), the first such pass also builds a
 *     bitmap of the nodes where S == c (unseen), which every later claim keeps, so later
 *     passes read it instead of S, while the lists are carried.
 * Either way the pair writes every slot as a full pass would (E at undemanded nodes is
 * cleared or left, which the demand claim allows), and E's true nodes are listed for the
 * next pass.  A node kernel earlier in the same loop whose active set is X (BFS's
 * any(frontier)) runs on the blocks of X's list only.  Reference: Beamer, Asanovic,
 * Patterson, "Direction-optimizing breadth-first search", SC'12 (alpha 15, beta 18).
 */
#include <stdlib.h>

#include "frontier_internal.h"

/* ---- the passes (the claim: frontier_claim.c; top-down: frontier_push.c; bottom-up:
 * frontier_pull.c) ---- */

int gb_frontier_alloc(gb_ctx *c, gb_incr *st)
{
    size_t n = (size_t)(c->n > 0 ? c->n : 1);
    st->list = malloc(n * sizeof(int64_t));
    st->next = malloc(n * sizeof(int64_t));
    st->touched = malloc(n * sizeof(int64_t));
    st->blocks = calloc((size_t)(c->nblocks > 0 ? c->nblocks : 1), 1);
    st->bits = malloc((n + 63) / 64 * 3 * sizeof(uint64_t));   /* front, nfront, unseen */
    st->front = st->bits;
    st->nfront = st->bits ? st->bits + (n + 63) / 64 : NULL;
    st->unseen = st->bits ? st->bits + (n + 63) / 64 * 2 : NULL;
    return st->list && st->next && st->touched && st->blocks && st->bits;
}


/* Per node item: the true nodes of bool slot src into c->changed, with their arcs. */
static gb_status scan_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    gb_ctx *c = j->c;
    int64_t v0, v1;
    const uint8_t *x = (const uint8_t *)j->src;
    int64_t count = 0, degree = 0;

    (void)worker;
    gb_node_item_range(c, item, &v0, &v1);
    for (int64_t v = v0; v < v1; v++) {
        uint64_t eight;
        /* mostly false (BFS's first pass: one true node): skip 8 at a time */
        if (v + 8 <= v1 && (memcpy(&eight, x + v, 8), eight == 0)) {
            v += 7;
            continue;
        }
        if (!x[v])
            continue;
        c->changed[v0 + count++] = v;
        degree += gb_dirs_degree(c, j->dirs, j->ndirs, v);
    }
    c->item_changed[item] = count;
    c->item_degree[item] = degree;
    return GB_OK;
}

/* Lists slot's true nodes into out (*count, their arcs *degree). */
static gb_status scan(fl_job *j, int64_t slot, int64_t *out, int64_t *count, int64_t *degree)
{
    gb_ctx *c = j->c;
    gb_status s;
    j->src = (const int64_t *)c->slots[slot];
    if ((s = gb_run_items(c, c->node_items.count, scan_item, j)) != GB_OK)
        return s;
    *count = *degree = 0;
    for (int64_t i = 0; i < c->node_items.count; i++) {
        memcpy(out + *count, c->changed + c->node_items.bound[i] * GB_NODE_BLOCK,
               (size_t)c->item_changed[i] * sizeof(int64_t));
        *count += c->item_changed[i];
        *degree += c->item_degree[i];
    }
    return GB_OK;
}

/* E = 0 at the stale list's nodes; or (with mark) a flag per block of the listed nodes. */
static gb_status clear_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    const int64_t i1 = j->nsrc - item * CHUNK < CHUNK ? j->nsrc : (item + 1) * CHUNK;
    uint8_t *e = j->c->slots[j->ke->out_slot];
    (void)worker;
    for (int64_t i = item * CHUNK; i < i1; i++)
        e[j->src[i]] = 0;
    return GB_OK;
}

static gb_status mark_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    const int64_t i1 = j->nsrc - item * CHUNK < CHUNK ? j->nsrc : (item + 1) * CHUNK;
    (void)worker;
    for (int64_t i = item * CHUNK; i < i1; i++)
        __atomic_store_n(&j->st->blocks[j->src[i] / GB_NODE_BLOCK], 1, __ATOMIC_RELAXED);
    return GB_OK;
}

/* Node kernel kn on the flagged blocks of one node item (the flags are cleared); the
 * others' reduction partials are 0, what their untouched nodes give (active.c). */
static gb_status blocks_range(fl_job *j, int worker, int64_t b0, int64_t b1)
{
    gb_ctx *c = j->c;
    const gb_kernel *k = j->kn;
    int filled = 0;

    for (int64_t b = b0; b < b1; b++) {
        const int64_t v0 = b * GB_NODE_BLOCK;
        const int64_t lanes = c->n - v0 < GB_NODE_BLOCK ? c->n - v0 : GB_NODE_BLOCK;
        gb_status st;
        if (!j->st->blocks[b]) {
            for (int64_t r = 0; r < k->nred; r++)
                c->partials[(j->red_base + r) * c->nblocks + b].i = 0;
            continue;
        }
        j->st->blocks[b] = 0;
        if (gb_interrupted(c))
            return gb_err_set(&c->ws[worker].err, GB_EINTR, gb_kernel_loc(k, -1, j->loc),
                              "interrupted");
        st = gb_active_block(c, k, &c->ws[worker], v0, lanes, b, &filled, j->red_base, j->loc);
        if (st != GB_OK)
            return st;
    }
    return GB_OK;
}

static gb_status blocks_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    return blocks_range(j, worker, j->c->node_items.bound[item], j->c->node_items.bound[item + 1]);
}

/* All blocks as one item: a few listed nodes need no hand-off to the other workers. */
static gb_status blocks_all(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    (void)item;
    return blocks_range(j, worker, 0, j->c->nblocks);
}

/* The claimed nodes E still holds after the node kernel: the next frontier. */
static gb_status keep_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    gb_ctx *c = j->c;
    const int64_t i1 = j->nsrc - item * CHUNK < CHUNK ? j->nsrc : (item + 1) * CHUNK;
    const uint8_t *e = c->slots[j->ke->out_slot];
    int64_t buf[LOCAL], degree = 0;
    int len = 0;

    (void)worker;
    for (int64_t i = item * CHUNK; i < i1; i++) {
        const int64_t v = j->src[i];
        if (!e[v])
            continue;
        degree += gb_dirs_degree(c, j->dirs, j->ndirs, v);
        buf[len++] = v;
        if (len == LOCAL)
            gb_list_flush(j->dst, &j->ndst, buf, &len);
    }
    gb_list_flush(j->dst, &j->ndst, buf, &len);
    __atomic_fetch_add(&j->degree, degree, __ATOMIC_RELAXED);
    return GB_OK;
}

static int lists_valid(const gb_ctx *c, const gb_kernel *ke, const gb_incr *st)
{
    return st->carry && c->back_jumps == st->back_seen + 1 && c->back_from == ke->ch_tail &&
           c->slots[ke->sp_slot] == st->buf_e && c->slots[ke->out_slot] == st->buf_x;
}

static void job_init(fl_job *j, gb_ctx *c, const gb_kernel *ke, const gb_kernel *kn,
                     gb_incr *st, int64_t red_base, int64_t loc)
{
    memset(j, 0, sizeof *j);
    j->c = c, j->ke = ke, j->kn = kn, j->st = st, j->red_base = red_base, j->loc = loc;
    j->ndirs = gb_incr_reverse_dirs(c, ke, j->dirs);
}

gb_status gb_frontier_pass(gb_ctx *c, const gb_kernel *ke, const gb_kernel *kn,
                           int64_t red_base, int64_t instr_loc, int *done)
{
    gb_incr *st = gb_incr_state(c, ke);
    fl_job j;
    gb_status s;
    int64_t *t, ndeg;

    *done = 0;
    if (st == NULL || c->dense_nodes)
        return GB_OK;
    job_init(&j, c, ke, kn, st, red_base, instr_loc);
    if (!lists_valid(c, ke, st)) {   /* X's and E's true nodes, once */
        if ((s = scan(&j, ke->out_slot, st->next, &st->ecount, &ndeg)) != GB_OK ||
            (s = scan(&j, ke->sp_slot, st->list, &st->count, &st->degree)) != GB_OK)
            return s;
        st->unexplored = -st->degree;
        for (int q = 0; q < j.ndirs; q++)
            st->unexplored += gb_ctx_off(c, j.dirs[q], c->n);
        st->bottom_up = 0;
        st->prev_count = st->count;
        st->unseen_ok = 0;
        st->front_ok = 0;
    }
    st->carry = 0;
    /* Beamer's rule: pull once the frontier's arcs pass the unexplored ones / ALPHA, push
     * again once it is small and shrinking */
    if (!st->bottom_up)
        st->bottom_up = st->degree > st->unexplored / ALPHA;
    else if (st->count < c->n / BETA && st->count < st->prev_count)
        st->bottom_up = 0;
    st->prev_count = st->count;
    for (int i = 0; i < ke->fl_nstores; i++) {
        const int64_t slot = ke->fl_store_slot[i];
        const int is_bool = c->p->slot_dtypes[slot] == GB_BOOL;
        const gb_value val = ke->fl_store_reg[i] >= 0 ? c->regs[ke->fl_store_reg[i]]
                                                      : ke->fl_store_imm[i];
        if (slot == ke->demand_slot)   /* as demanded() and apply_stores see it */
            j.clears = is_bool ? (val.i != 0) != (ke->demand_value != 0) : val.i != ke->demand_value;
        if (slot == ke->out_slot && is_bool && val.i != 0)
            continue;   /* E = 1 at a claimed node: the claim writes it */
        j.byte[j.nstores] = is_bool ? c->slots[slot] : NULL;
        j.word[j.nstores] = is_bool ? NULL : c->slots[slot];
        j.byte_val[j.nstores] = (uint8_t)(val.i != 0);
        j.word_val[j.nstores] = val.i;
        j.nstores++;
    }
    if (ke->fl_unseen && st->unseen_ok)
        j.unseen = st->unseen;
    /* the first bottom-up pass reads S whole anyway: it builds unseen on the way */
    j.build = ke->fl_unseen && !st->unseen_ok && st->bottom_up;
    gb_incr_frontier_ran(st, !st->bottom_up);
    if (ke->fl_nstores >= 0 || !st->bottom_up) {   /* E = 0 at its stale nodes first */
        j.src = st->next, j.nsrc = st->ecount;
        if ((s = gb_run_items(c, chunks(j.nsrc), clear_item, &j)) != GB_OK)
            return s;
    }
    if (st->bottom_up && ke->fl_nstores >= 0) {
        const size_t words = (size_t)(c->n + 63) / 64 * sizeof(uint64_t);
        uint64_t *f;
        if (!st->front_ok) {   /* after a bottom-up pass X's bitmap is there already */
            memset(st->front, 0, words);
            j.src = st->list, j.nsrc = st->count;
            if ((s = gb_run_items(c, chunks(j.nsrc), gb_fl_bits_item, &j)) != GB_OK)
                return s;
        }
        memset(st->nfront, 0, words);
        if (j.build)
            memset(st->unseen, 0, words);
        if ((s = gb_run_items(c, c->edge_items[ke->dir].count, gb_fl_claim_item, &j)) != GB_OK)
            return s;
        t = st->touched, st->touched = st->next, st->next = t;
        f = st->front, st->front = st->nfront, st->nfront = f;
        st->unseen_ok |= j.build;
    } else if (st->bottom_up) {   /* gb_incr_range pulls at demanded nodes only */
        if ((s = gb_run_items(c, c->fused_items[ke->dir].count, gb_fl_pull_item, &j)) != GB_OK ||
            (s = gb_combine_reductions(c, kn, red_base, instr_loc)) != GB_OK ||
            (s = scan(&j, ke->out_slot, st->next, &j.ndst, &j.degree)) != GB_OK)
            return s;
    } else {
        if (ke->fl_unseen && !st->unseen_ok && j.clears && st->degree >= c->n / UNSEEN_PUSH) {
            /* a push over this many arcs checks unseen's bits (in cache) instead of S */
            if ((s = gb_run_items(c, c->node_items.count, gb_fl_unseen_item, &j)) != GB_OK)
                return s;
            st->unseen_ok = 1;
            j.unseen = st->unseen;
        }
        j.src = st->list, j.nsrc = st->count, j.chunk = CHUNK;
        if (st->degree >= PUSH_SPLIT && c->nworkers > 1) {
            j.chunk = j.nsrc / ((int64_t)c->nworkers * PUSH_ITEMS);
            j.chunk = j.chunk < 1 ? 1 : j.chunk > CHUNK ? CHUNK : j.chunk;
        }
        if ((s = gb_run_items(c, (j.nsrc + j.chunk - 1) / j.chunk, gb_fl_push_item, &j)) != GB_OK)
            return s;
        if (ke->fl_nstores >= 0) {   /* the claimed nodes are E's true nodes */
            t = st->touched, st->touched = st->next, st->next = t;
        } else {
            if ((s = gb_run_items(c, c->node_items.count, blocks_item, &j)) != GB_OK ||
                (s = gb_combine_reductions(c, kn, red_base, instr_loc)) != GB_OK)
                return s;
            j.src = st->touched, j.nsrc = j.ndst, j.dst = st->next, j.ndst = j.degree = 0;
            if ((s = gb_run_items(c, chunks(j.nsrc), keep_item, &j)) != GB_OK)
                return s;
        }
    }
    /* E's new true nodes become X's after the loop's swap; X's become E's stale ones
     * (and X's bitmap is front's when a bottom-up claim pass wrote it) */
    st->front_ok = st->bottom_up && ke->fl_nstores >= 0;
    t = st->list, st->list = st->next, st->next = t;
    st->ecount = st->count;
    st->count = j.ndst;
    st->degree = j.degree;
    if (!st->bottom_up)   /* as GAP counts: only top-down passes check arcs off */
        st->unexplored -= j.degree;
    st->carry = 1;
    st->back_seen = c->back_jumps;
    st->buf_x = c->slots[ke->sp_slot];
    st->buf_e = c->slots[ke->out_slot];
    *done = 1;
    return GB_OK;
}

/* Node kernel k's partials when it claims results from its active set's size (claims.c):
 * X's true nodes are the `count` listed, at each of which every load is 1, so block 0 holds
 * any's (count > 0) or count's (count) whole result and every other block the identity 0. */
static void sized_partials(gb_ctx *c, const gb_kernel *k, int64_t red_base, int64_t count)
{
    int64_t ri = red_base;
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        gb_value *part = c->partials + ri * c->nblocks;
        if (w[0] != GB_OP_RED_ANY && w[0] != GB_OP_RED_COUNT)
            continue;
        memset(part, 0, (size_t)c->nblocks * sizeof *part);
        part[0].i = w[0] == GB_OP_RED_ANY ? count > 0 : count;
        ri++;
    }
}

gb_status gb_frontier_node(gb_ctx *c, const gb_kernel *k, int64_t red_base, int64_t instr_loc,
                           int *done)
{
    const gb_kernel *ke = &c->p->kernels[k->fl_from - 1];
    gb_incr *st = gb_incr_state(c, ke);
    fl_job j;
    gb_status s;

    *done = 0;
    if (st == NULL || c->dense_nodes || !lists_valid(c, ke, st))
        return GB_OK;
    if (k->special == GB_SHAPE_ACTIVE_SIZE && c->p->specialize && c->nblocks > 0) {
        sized_partials(c, k, red_base, st->count);
        *done = 1;
        return gb_combine_reductions(c, k, red_base, instr_loc);
    }
    job_init(&j, c, ke, k, st, red_base, instr_loc);
    j.src = st->list, j.nsrc = st->count;
    if ((s = gb_run_items(c, chunks(j.nsrc), mark_item, &j)) != GB_OK ||
        (s = j.nsrc <= CHUNK ? gb_run_items(c, 1, blocks_all, &j)
                             : gb_run_items(c, c->node_items.count, blocks_item, &j)) != GB_OK)
        return s;
    *done = 1;
    return gb_combine_reductions(c, k, red_base, instr_loc);
}
