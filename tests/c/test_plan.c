/*
 * test_plan.c — gb_plan_create rejects malformed plans with GB_EINVAL and a message
 * (more than twenty kinds), and a fuzz loop: 20000 random mutations of a valid plan
 * that uses every feature must each be rejected or run to a status, never crash (the
 * test runs under AddressSanitizer and UBSan).  A watchdog thread raises the interrupt
 * flag when one run takes too long, since a mutation can make a loop without exit.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "check.h"
#include "plan_asm.h"

enum { XI, XF, OUT_I, OUT_B, TMP_F, NSLOT };

/* A valid plan using every kind of instruction and both kernel kinds:
 *   r0 counts 4 iterations; each pass runs a node kernel (stores, two
 *   reductions, random), two edge kernels (a filtered float min with a slot default,
 *   an int mode with a register default), swaps two float slots and reads one element;
 *   after the loop, the min kernel runs FUSED with the node kernel. */
static void build_base(tplan *t)
{
    int64_t nk, ek, mk, top, exit_jump;

    tp_init(t, 8);
    tp_slot(t, GB_I64);
    tp_slot(t, GB_F64);
    tp_slot(t, GB_I64);
    tp_slot(t, GB_BOOL);
    tp_slot(t, GB_F64);

    nk = kbegin(t, GB_DOMAIN_NODE, 5, 1);
    micro(t, GB_OP_LOAD, 2, 0, XI, 0, 0);
    micro(t, GB_OP_NODE_ID, 3, 1, 0, 0, 0);
    micro(t, GB_OP_ADD_I, 4, 2, 0, 1, 0);
    micro(t, GB_OP_STORE, 5, 0, OUT_I, 2, 0);
    micro(t, GB_OP_RED_SUM_I, 6, 0, 3, 2, 0);
    micro(t, GB_OP_RANDOM, 7, 3, 1, 0, 0);
    micro(t, GB_OP_RED_ARGMAX_F, 8, 0, 4, 3, 0);
    micro(t, GB_OP_BCAST, 9, 4, 1, 0, 0);
    micro(t, GB_OP_LT_I, 10, 4, 0, 4, 0);
    micro(t, GB_OP_STORE, 11, 0, OUT_B, 4, 0);

    ek = kbegin(t, GB_DOMAIN_EDGE, 6, 12);
    kedge(t, ek, GB_DIR_BOTH, GB_AGG_MIN, 1, TMP_F, 2, 5, GB_DEFAULT_SLOT, XF);
    micro(t, GB_OP_GATHER, 13, 0, XF, 0, 0);
    micro(t, GB_OP_WEIGHT, 14, 1, 0, 0, 0);
    micro(t, GB_OP_ADD_F, 15, 2, 0, 1, 0);
    micro(t, GB_OP_NBR, 16, 3, 0, 0, 0);
    micro(t, GB_OP_NODE_ID, 17, 4, 0, 0, 0);
    micro(t, GB_OP_NE_I, 18, 5, 3, 4, 0);

    mk = kbegin(t, GB_DOMAIN_EDGE, 4, 19);
    kedge(t, mk, GB_DIR_IN, GB_AGG_MODE, 0, OUT_I, 2, 3, GB_DEFAULT_REG, 1);
    micro(t, GB_OP_GATHER, 20, 0, XI, 0, 0);
    micro(t, GB_OP_IMM, 21, 1, 2, 0, 0);
    micro(t, GB_OP_MOD_I, 22, 2, 0, 1, 0);
    micro(t, GB_OP_OUT_DEG, 23, 3, 0, 0, 0);

    ins(t, GB_OP_CONST, 24, 0, 0, 0, 0);
    ins(t, GB_OP_CONST, 25, 1, 1, 0, 0);
    ins(t, GB_OP_CONST, 26, 2, 4, 0, 0);
    top = ins(t, GB_OP_ADD_I, 27, 0, 0, 1, 0);
    ins(t, GB_OP_CHECK_ITER, 28, 0, 0, 0, 0);
    ins(t, GB_OP_KERNEL, 29, nk, 0, 0, 0);
    ins(t, GB_OP_KERNEL, 30, ek, 0, 0, 0);
    ins(t, GB_OP_KERNEL, 31, mk, 0, 0, 0);
    ins(t, GB_OP_SWAP_V, 32, XF, TMP_F, 0, 0);
    ins(t, GB_OP_GET, 33, 5, XI, 1, 0);
    ins(t, GB_OP_FLOORDIV_I, 34, 6, 5, 1, 0);
    ins(t, GB_OP_LT_I, 35, 7, 0, 2, 0);
    exit_jump = ins(t, GB_OP_JUMP_IF_FALSE, 36, 7, 0, 0, 0);
    ins(t, GB_OP_JUMP, 37, top, 0, 0, 0);
    t->code[exit_jump * GB_INSTR_WIDTH + 3] = ins(t, GB_OP_COPY_V, 38, TMP_F, XF, 0, 0);
    ins(t, GB_OP_EDGE_COUNT, 39, 3, 0, 0, 0);
    ins(t, GB_OP_NODE_COUNT, 40, 2, 0, 0, 0);
    ins(t, GB_OP_FUSED, 41, ek, nk, 0, 0);
}

static gb_graph *test_graph(void)
{
    static const int64_t src[] = { 0, 1, 2, 3, 3, 4, 5 }, dst[] = { 1, 2, 0, 3, 4, 5, 0 };
    static const double w[] = { 0.5, 1.5, 2.0, 1.0, 3.0, 0.25, 4.0 };
    return graph_new(6, 7, src, dst, w, 1);
}

static gb_status run_plan(const gb_plan *p, const gb_graph *g, volatile int32_t *flag,
                          gb_error *err)
{
    gb_value regs[8];
    void **slots = slots_new(NSLOT, gb_graph_node_count(g));
    gb_run_options opts = { 20, 1, flag, 0, NULL };
    gb_status st;
    memset(regs, 0, sizeof regs);
    for (int64_t v = 0; v < gb_graph_node_count(g); v++) {
        ((int64_t *)slots[XI])[v] = v * 5 - 3;
        ((double *)slots[XF])[v] = (double)v * 0.75;
    }
    st = gb_run(p, g, regs, slots, &opts, err);
    slots_free(slots, NSLOT);
    return st;
}

static void test_base_plan_runs(void)
{
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    gb_graph *g = test_graph();
    build_base(&t);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(err.code, GB_OK);
    CHECK_EQ_I(run_plan(p, g, NULL, &err), GB_OK);
    gb_plan_destroy(p);
    gb_graph_destroy(g);
}

/* ---- malformed plans ---- */

static int invalid_kinds;

static void expect_invalid(const tplan *t, const char *needle, int line)
{
    gb_plan *p = (gb_plan *)&p;   /* must be reset to NULL */
    gb_error err;
    gb_status st = tp_create(t, &p, &err);
    if (!check_report(st == GB_EINVAL && err.code == GB_EINVAL && p == NULL &&
                          strstr(err.message, needle) != NULL,
                      __FILE__, line, needle))
        fprintf(stderr, "    status %d, message \"%s\"\n", (int)st, err.message);
    if (st == GB_OK)
        gb_plan_destroy(p);
    invalid_kinds++;
}

#define INVALID(t, needle) expect_invalid((t), (needle), __LINE__)

/* Offsets in the base plan's kcode: the node kernel, the min kernel, the mode kernel. */
#define NK 0
#define EK (GB_KERNEL_HEADER + 10 * GB_INSTR_WIDTH)
#define MK (EK + GB_KERNEL_HEADER + 6 * GB_INSTR_WIDTH)
/* Word w of micro-op j of the kernel at k; word w of instruction i. */
#define MW(k, j, w) kcode[(k) + GB_KERNEL_HEADER + (j) * GB_INSTR_WIDTH + (w)]
#define IW(i, w) code[(i) * GB_INSTR_WIDTH + (w)]

static void test_invalid_plans(void)
{
    tplan base, t;
    gb_plan *p = NULL;
    gb_error err;

    build_base(&base);
    CHECK_EQ_I(base.kcode[EK + GB_KH_AGG], GB_AGG_MIN);    /* the offsets above are right */
    CHECK_EQ_I(base.kcode[MK + GB_KH_AGG], GB_AGG_MODE);

    t = base; t.ncode -= 1; INVALID(&t, "not a multiple of 6");
    t = base; t.IW(0, 0) = 0; INVALID(&t, "unknown opcode");
    t = base; t.IW(0, 0) = GB_OP_LAST; INVALID(&t, "unknown opcode");
    t = base; t.IW(0, 0) = 13; INVALID(&t, "unknown opcode");
    t = base; t.IW(0, 0) = GB_OP_LOAD; INVALID(&t, "not valid at top level");
    t = base; t.IW(0, 1) = -2; INVALID(&t, "bad location index");
    t = base; t.IW(0, 2) = 8; INVALID(&t, "register index out of range");
    t = base; t.IW(3, 4) = -1; INVALID(&t, "register index out of range");
    t = base; t.IW(9, 3) = NSLOT; INVALID(&t, "slot index out of range");
    t = base; t.IW(13, 2) = t.ncode / GB_INSTR_WIDTH + 1; INVALID(&t, "jump target out of range");
    t = base; t.IW(13, 2) = -1; INVALID(&t, "jump target out of range");
    t = base; t.IW(12, 3) = 1000; INVALID(&t, "jump target out of range");
    t = base; t.IW(5, 2) = 1; INVALID(&t, "no kernel starts");
    t = base; t.IW(5, 2) = t.nkcode; INVALID(&t, "no kernel starts");
    t = base; t.IW(8, 3) = OUT_I; INVALID(&t, "slot 1 is float but slot 2 is int");
    t = base; t.IW(14, 2) = OUT_B; INVALID(&t, "slot 3 is bool but slot 1 is float");

    t = base; t.nkcode -= 1; INVALID(&t, "do not fit");
    t = base; t.nkcode = MK + 5; INVALID(&t, "truncated");
    t = base; t.kcode[NK + GB_KH_NMICRO] = -1; INVALID(&t, "do not fit");
    t = base; t.kcode[NK + GB_KH_NTEMPS] = 1025; INVALID(&t, "temps (at most 1024)");
    t = base; t.kcode[NK + GB_KH_NTEMPS] = -1; INVALID(&t, "temps");
    t = base; t.kcode[NK + GB_KH_DOMAIN] = 2; INVALID(&t, "bad domain");
    t = base; t.kcode[NK + GB_KH_LOC] = -5; INVALID(&t, "bad location index");
    t = base; t.MW(NK, 0, 0) = GB_OP_CONST; INVALID(&t, "const is not valid in a kernel");
    t = base; t.MW(NK, 0, 0) = 999; INVALID(&t, "unknown opcode");
    t = base; t.MW(NK, 0, 2) = 5; INVALID(&t, "temp index out of range");
    t = base; t.MW(NK, 2, 4) = 3; INVALID(&t, "temp read before it is written");
    t = base; t.MW(NK, 2, 3) = 2; INVALID(&t, "temp read before it is written");  /* t2 = t2 + t1 */
    t = base; t.MW(NK, 0, 3) = -1; INVALID(&t, "slot index out of range");
    t = base; t.MW(NK, 4, 3) = 8; INVALID(&t, "register index out of range");
    t = base; t.MW(NK, 0, 1) = -7; INVALID(&t, "bad location index");
    t = base; t.MW(NK, 1, 0) = GB_OP_NBR; INVALID(&t, "nbr is not valid in a node kernel");
    t = base; t.MW(NK, 1, 0) = GB_OP_WEIGHT; INVALID(&t, "weight is not valid in a node kernel");
    t = base; t.MW(NK, 0, 0) = GB_OP_GATHER; INVALID(&t, "gather is not valid in a node kernel");
    t = base; t.MW(EK, 0, 0) = GB_OP_STORE; INVALID(&t, "store is not valid in an edge kernel");
    t = base; t.MW(MK, 3, 0) = GB_OP_RED_SUM_I; t.MW(MK, 3, 3) = 0; t.MW(MK, 3, 4) = 0;
    INVALID(&t, "red_sum_i is not valid in an edge kernel");

    t = base; t.kcode[EK + GB_KH_DIR] = 3; INVALID(&t, "bad direction");
    t = base; t.kcode[EK + GB_KH_AGG] = 8; INVALID(&t, "bad aggregation");
    t = base; t.kcode[EK + GB_KH_AGG_FLOAT] = 2; INVALID(&t, "agg_float");
    t = base; t.kcode[EK + GB_KH_OUT_SLOT] = NSLOT; INVALID(&t, "out_slot 5 out of range");
    t = base; t.kcode[EK + GB_KH_OUT_SLOT] = OUT_I; INVALID(&t, "out_slot 2 is int");
    t = base; t.kcode[MK + GB_KH_AGG] = GB_AGG_COUNT; t.kcode[MK + GB_KH_OUT_SLOT] = TMP_F;
    INVALID(&t, "out_slot 4 is float");
    t = base; t.kcode[MK + GB_KH_AGG] = GB_AGG_ANY; INVALID(&t, "out_slot 2 is int");
    t = base; t.kcode[MK + GB_KH_AGG] = GB_AGG_MEAN; INVALID(&t, "out_slot 2 is int");
    t = base; t.kcode[MK + GB_KH_AGG] = GB_AGG_COUNT; t.kcode[MK + GB_KH_AGG_FLOAT] = 1;
    INVALID(&t, "count/any/all aggregate bools");
    t = base; t.kcode[EK + GB_KH_OUT_SLOT] = XF; INVALID(&t, "reads its own out_slot");
    t = base; t.kcode[MK + GB_KH_OUT_SLOT] = XI; INVALID(&t, "reads its own out_slot");
    t = base; t.kcode[EK + GB_KH_VALUE_TEMP] = 6; INVALID(&t, "value_temp 6 out of range");
    t = base; t.kcode[EK + GB_KH_FILTER_TEMP] = -2; INVALID(&t, "filter_temp -2 out of range");
    /* temp 6 exists once ntemps is 7, but no micro-op writes it */
    t = base; t.kcode[EK + GB_KH_NTEMPS] = 7; t.kcode[EK + GB_KH_FILTER_TEMP] = 6;
    INVALID(&t, "filter_temp 6 is never written");
    t = base; t.kcode[EK + GB_KH_NTEMPS] = 7; t.kcode[EK + GB_KH_VALUE_TEMP] = 6;
    INVALID(&t, "value_temp 6 is never written");
    t.kcode[EK + GB_KH_VALUE_TEMP] = 3;
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);   /* a written temp is fine */
    gb_plan_destroy(p);
    t = base; t.kcode[EK + GB_KH_DEFAULT_KIND] = 3; INVALID(&t, "bad default kind");
    t = base; t.kcode[EK + GB_KH_DEFAULT_INDEX] = XI;
    INVALID(&t, "default slot 0 is int but out_slot 4 is float");
    t = base; t.kcode[EK + GB_KH_DEFAULT_INDEX] = NSLOT; INVALID(&t, "default slot 5 out of range");
    t = base; t.kcode[MK + GB_KH_DEFAULT_INDEX] = 8; INVALID(&t, "default register 8 out of range");
    t = base; t.kcode[MK + GB_KH_DEFAULT_KIND] = GB_DEFAULT_IDENTITY;
    INVALID(&t, "mode has no identity");

    t = base; t.dtypes[2] = 3; INVALID(&t, "unknown dtype");
    t = base; t.nregs = -1; INVALID(&t, "bad counts");
    t = base; t.nslots = -1; INVALID(&t, "bad counts");
    t = base; t.nregs = 5; INVALID(&t, "register index out of range");
    CHECK_EQ_I(gb_plan_create(NULL, 6, NULL, 0, NULL, 0, 0, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "NULL");
    CHECK_EQ_I(gb_plan_create(NULL, 0, NULL, 0, NULL, 0, 0, NULL, &err), GB_EINVAL);
    CHECK_EQ_I(gb_plan_create(NULL, 0, NULL, 0, NULL, 0, 0, &p, NULL), GB_OK);   /* empty plan */
    gb_plan_destroy(p);
    CHECK(invalid_kinds >= 60);
}

/* ---- fuzzing ---- */

typedef struct watchdog {
    atomic_long generation;     /* bumped before every run */
    atomic_int stop;
    volatile int32_t flag;      /* the runs' interrupt flag */
} watchdog;

static void *watch(void *arg)
{
    watchdog *w = arg;
    long seen = -1;
    struct timespec ts = { 0, 20 * 1000000L };
    while (!atomic_load(&w->stop)) {
        long now = atomic_load(&w->generation);
        nanosleep(&ts, NULL);
        /* still the same run after a whole period: stop it */
        if (now == seen && now == atomic_load(&w->generation))
            w->flag = 1;
        seen = now;
    }
    return NULL;
}

static uint64_t fuzz_state = 0x243F6A8885A308D3ull;
static uint64_t fuzz_rng(void)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return fuzz_state;
}

/* A value likely to be meaningful somewhere: small indices, opcodes, extremes, noise. */
static int64_t fuzz_value(void)
{
    uint64_t r = fuzz_rng();
    switch (r % 6) {
    case 0: return (int64_t)(r >> 8) % 12 - 2;
    case 1: return (int64_t)((r >> 8) % (GB_OP_LAST + 3));
    case 2: return (int64_t)((r >> 8) % 200);
    case 3: return (r >> 8) % 2 ? INT64_MIN : INT64_MAX;
    case 4: return -1;
    default: return (int64_t)fuzz_rng();
    }
}

static void test_fuzz(void)
{
    tplan base, t;
    gb_graph *g = test_graph();
    gb_graph *big = NULL;
    watchdog w;
    pthread_t th;
    int64_t created = 0, ran_ok = 0, by_status[16] = { 0 };
    const int rounds = 20000;

    /* a larger graph for some rounds, so kernels span blocks and chunks */
    {
        int64_t n = 3000, m = 9000;
        int64_t *src = malloc((size_t)m * sizeof *src), *dst = malloc((size_t)m * sizeof *dst);
        for (int64_t i = 0; i < m; i++) {
            src[i] = i % 3 == 0 ? 7 : (int64_t)(fuzz_rng() % (uint64_t)n);
            dst[i] = (int64_t)(fuzz_rng() % (uint64_t)n);
        }
        big = graph_new(n, m, src, dst, NULL, 0);
        free(src);
        free(dst);
    }
    build_base(&base);
    CHECK_EQ_I(tp_claim(&base, NULL), GB_OK);   /* mutations reach the claim checks too */
    atomic_init(&w.generation, 0);
    atomic_init(&w.stop, 0);
    w.flag = 0;
    CHECK_EQ_I(pthread_create(&th, NULL, watch, &w), 0);

    for (int round = 0; round < rounds; round++) {
        gb_plan *p = NULL;
        gb_error err;
        gb_status st;
        int edits = 1 + (int)(fuzz_rng() % 4);
        t = base;
        for (int e = 0; e < edits; e++) {
            uint64_t r = fuzz_rng();
            switch (r % 10) {
            case 0: case 1: case 2: case 3:
                t.code[(r >> 8) % (uint64_t)t.ncode] = fuzz_value();
                break;
            case 4: case 5: case 6: case 7:
                t.kcode[(r >> 8) % (uint64_t)t.nkcode] = fuzz_value();
                break;
            case 8:
                t.dtypes[(r >> 8) % NSLOT] = (int32_t)((r >> 16) % 4);
                break;
            default:
                if ((r >> 8) % 2)
                    t.ncode -= (int64_t)((r >> 9) % 7);
                else
                    t.nkcode -= (int64_t)((r >> 9) % 7);
                break;
            }
        }
        st = tp_create_raw(&t, &p, &err);
        CHECK(st == GB_OK || st == GB_EINVAL);
        CHECK(st == GB_OK || (p == NULL && err.message[0] != '\0'));
        if (st != GB_OK)
            continue;
        created++;
        w.flag = 0;
        atomic_fetch_add(&w.generation, 1);
        st = run_plan(p, round % 8 == 0 ? big : g, &w.flag, &err);
        atomic_fetch_add(&w.generation, 1);
        CHECK(st <= 0 && st >= GB_EPARSE);
        CHECK(st == GB_OK || (err.code == st && err.message[0] != '\0' && err.loc >= -1));
        by_status[-st]++;
        ran_ok += st == GB_OK;
        gb_plan_destroy(p);
    }
    atomic_store(&w.stop, 1);
    pthread_join(th, NULL);
    printf("fuzz: %d plans, %lld valid, %lld ran to completion; statuses:", rounds,
           (long long)created, (long long)ran_ok);
    for (int s = 0; s < 10; s++)
        printf(" %s=%lld", gb_strerror(-s), (long long)by_status[s]);
    printf("\n");
    /* the mutations must reach the executor often, or the fuzzing proves little */
    CHECK(created > rounds / 10);
    CHECK(ran_ok > rounds / 20);
    gb_graph_destroy(g);
    gb_graph_destroy(big);
}

int main(void)
{
    test_base_plan_runs();
    test_invalid_plans();
    test_fuzz();
    return CHECK_DONE();
}
