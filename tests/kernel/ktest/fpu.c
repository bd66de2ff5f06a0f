/*
 * FPU (seL4 16, CONFIG_HAVE_FPU): every thread may use floating point unless its TCB has
 * seL4_TCBFlag_fpuDisabled, and its FP registers (f0..f31, fcsr) are its own across switches,
 * yields and migrations. The registers are filled, kept across kernel entries and read back
 * inside one asm block, so that no compiled code can touch them in between.
 */
#include "ktest.h"

#include <stddef.h>

#define FCSR_A 0x21 /* frm = round towards zero, fflags = NX */
#define FCSR_B 0x9a /* frm = round to nearest, max magnitude; fflags = OF, DZ, NV */

struct fp_regs {
    uint64_t f[32];
    uint64_t fcsr;
};

/* op f<n>, n*8(base) for every FP register (the assembler's .irp repeats it) */
#define FP_ALL(op, base)                                                                           \
    ".irp n, "                                                                                     \
    "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n" op   \
    " f\\n, \\n*8(%[" base "])\n"                                                                  \
    ".endr\n"
#define FP_LOAD_ALL  FP_ALL("fld", "in") "ld t0, 256(%[in])\nfscsr t0\n"
#define FP_STORE_ALL FP_ALL("fsd", "out") "frcsr t0\nsd t0, 256(%[out])\n"
#define FP_CLOBBERS                                                                                \
    "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13", "f14", \
        "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24", "f25", "f26", "f27", \
        "f28", "f29", "f30", "f31"

/* Load `in` into the FP registers, yield `yields` times or until *stop (if stop is not NULL),
 * store them to `out`. */
static void fp_fill_yield_dump(const struct fp_regs *in, struct fp_regs *out, long yields,
                               volatile int *stop)
{
    static volatile int never;
    if (!stop) stop = &never;
    __asm__ volatile(FP_LOAD_ALL "1: beqz %[n], 2f\n"
                                 "lw t0, 0(%[stop])\n"
                                 "bnez t0, 2f\n"
                                 "li a7, -7\n" /* seL4_Yield */
                                 "ecall\n"
                                 "addi %[n], %[n], -1\n"
                                 "j 1b\n"
                                 "2:\n" FP_STORE_ALL
                     : [n] "+r"(yields)
                     : [in] "r"(in), [out] "r"(out), [stop] "r"(stop)
                     : "t0", "a7", "memory", FP_CLOBBERS);
}

static void fp_pattern(struct fp_regs *r, uint64_t seed, uint64_t fcsr)
{
    for (unsigned i = 0; i < 32; i++) r->f[i] = seed * 0x9e3779b97f4a7c15ull + i * 0x1000193ull;
    r->fcsr = fcsr;
}

static bool fp_equal(const struct fp_regs *a, const struct fp_regs *b)
{
    for (unsigned i = 0; i < 32; i++)
        if (a->f[i] != b->f[i]) return false;
    return a->fcsr == b->fcsr;
}

/* Two FP threads that keep yielding with their own register values, checking them each time. */
struct fp_worker {
    uint64_t seed, fcsr;
    volatile unsigned rounds, bad, done, stop;
    volatile uint64_t harts_seen;         /* bit per hart it checked its registers on */
    volatile unsigned others_rounds_seen; /* rounds the other worker made during this one's */
    struct fp_worker *other;
};

#define WORKER_ROUNDS 40

/* Rounds until told to stop (the test decides when it has seen enough). */
static void fp_worker(void *arg)
{
    struct fp_worker *w = arg;
    for (unsigned i = 0; !w->stop; i++) {
        struct fp_regs in, out;
        fp_pattern(&in, w->seed + i, w->fcsr);
        unsigned other_before = w->other->rounds;
        fp_fill_yield_dump(&in, &out, 3, NULL);
        if (w->other->rounds != other_before) w->others_rounds_seen++;
        if (!fp_equal(&in, &out)) w->bad++;
        w->harts_seen |= 1ull << schedlab_hart_id();
        w->rounds = i + 1;
    }
    w->done = 1;
    for (;;) seL4_Yield();
}

static unsigned harts(void) { return (unsigned)ktest_bootinfo->numNodes; }

static unsigned harts_in(uint64_t mask) { return (unsigned)__builtin_popcountll(mask); }

/* Has w checked its registers often enough, and (when it is moved) on more than one hart? The
 * count of rounds alone would depend on how fast the kernel is against the mover's sleeps. */
static bool enough(const struct fp_worker *w, bool moved)
{
    return w->rounds >= WORKER_ROUNDS && (!moved || harts_in(w->harts_seen) > 1);
}

/* Run two FP workers; with `migrate`, move them between the harts meanwhile (a thread then
 * migrates while its state is in a hart's FPU, Dirty). */
static int two_workers(bool migrate)
{
    static struct fp_worker a, b;
    a = (struct fp_worker){.seed = 1, .fcsr = FCSR_A, .other = &b};
    b = (struct fp_worker){.seed = 2, .fcsr = FCSR_B, .other = &a};
    bool moved = migrate && harts() > 1;
    seL4_CPtr ta, tb;
    EXPECT(ktest_spawn("fp-a", KTEST_PRIO - 1, fp_worker, &a, &ta) == 0);
    EXPECT(ktest_spawn("fp-b", KTEST_PRIO - 1, fp_worker, &b, &tb) == 0);
    uint64_t end = schedlab_now_ns() + ktest_soon_ns;
    for (unsigned i = 0; !(enough(&a, moved) && enough(&b, moved)); i++) {
        if (migrate) {
            /* sometimes on one hart (they take the FPU from each other), sometimes apart */
            EXPECT(schedlab_set_affinity_mask(ta, 1ull << (i % harts())) == seL4_NoError);
            EXPECT(schedlab_set_affinity_mask(tb, 1ull << ((i / 2) % harts())) == seL4_NoError);
        }
        /* each placement is used: two rounds more, so one whole round where it was put */
        unsigned ra = a.rounds, rb = b.rounds;
        while (a.rounds < ra + 2 || b.rounds < rb + 2) {
            EXPECT(schedlab_now_ns() < end);
            schedlab_sleep_ns(KTEST_POLL_NS / 5);
        }
    }
    a.stop = b.stop = 1;
    EXPECT_SOON(a.done && b.done);
    EXPECT(seL4_TCB_Suspend(ta) == seL4_NoError && seL4_TCB_Suspend(tb) == seL4_NoError);
    EXPECT(a.bad == 0 && b.bad == 0);
    /* the check meant something: moved, each thread checked its state on more than one hart
     * (the loop waited for it); kept on one hart, the other ran (and used its FPU) during a
     * round. Two workers kept apart on truly parallel harts may never interleave: hence not
     * both checks always. */
    if (!moved) EXPECT(a.others_rounds_seen + b.others_rounds_seen > 0);
    return 0;
}

static int fp_state_kept_across_switches(void) { return two_workers(false); }
static int fp_state_kept_across_migrations(void) { return two_workers(true); }

/* Two FP threads in Call and ReplyRecv: the IPC fastpath's exit swaps their FP registers (and,
 * with more than one hart, the full exit does). Each writes f31 before every call, so that its
 * state is Dirty at every switch: a save skipped or misplaced would show. */
#define FP_IPC_CALLS 64
static seL4_CPtr fp_ep;
static struct fp_regs fp_server_in, fp_server_out;
static volatile int fp_server_done;

/* Load `in`, make `calls` system calls `sysno` on `cap` (an empty message; f31 = the calls left
 * before each), store to `out`. */
static void fp_fill_ipc_dump(const struct fp_regs *in, struct fp_regs *out, long calls,
                             seL4_CPtr cap, long sysno)
{
    __asm__ volatile(FP_LOAD_ALL "1: beqz %[n], 2f\n"
                                 "fmv.d.x f31, %[n]\n"
                                 "mv a0, %[cap]\n"
                                 "li a1, 0\n"
                                 "mv a7, %[sys]\n"
                                 "ecall\n"
                                 "addi %[n], %[n], -1\n"
                                 "j 1b\n"
                                 "2:\n" FP_STORE_ALL
                     : [n] "+r"(calls)
                     : [in] "r"(in), [out] "r"(out), [cap] "r"(cap), [sys] "r"(sysno)
                     : "t0", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "memory", FP_CLOBBERS);
}

/* What fp_fill_ipc_dump leaves of `in` after at least one call. */
static struct fp_regs fp_after_ipc(const struct fp_regs *in)
{
    struct fp_regs r = *in;
    r.f[31] = 1;
    return r;
}

static void fp_ipc_server(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Recv(fp_ep, &badge);
    fp_pattern(&fp_server_in, 7, FCSR_B);
    /* replies to the first FP_IPC_CALLS calls and receives the next */
    fp_fill_ipc_dump(&fp_server_in, &fp_server_out, FP_IPC_CALLS, fp_ep, seL4_SysReplyRecv);
    fp_server_done = 1;
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Recv(fp_ep, &badge);
}

static int fp_state_kept_across_ipc(void)
{
    fp_ep = alloc_object(seL4_EndpointObject, 0);
    fp_server_done = 0;
    seL4_CPtr server;
    EXPECT(fp_ep && ktest_spawn("fp-server", KTEST_PRIO, fp_ipc_server, 0, &server) == 0);
    struct fp_regs in, out;
    fp_pattern(&in, 3, FCSR_A);
    fp_fill_ipc_dump(&in, &out, FP_IPC_CALLS + 1, fp_ep, seL4_SysCall);
    EXPECT(fp_server_done);
    struct fp_regs mine = fp_after_ipc(&in), its = fp_after_ipc(&fp_server_in);
    EXPECT(fp_equal(&out, &mine));
    EXPECT(fp_equal(&fp_server_out, &its));
    EXPECT(seL4_TCB_Suspend(server) == seL4_NoError);
    return 0;
}

/* fcsr: the rounding mode rounds, and the accrued flags stay accrued, across switches. */
static volatile int fcsr_bad, fcsr_done;

static void fcsr_user(void *arg)
{
    uint64_t frm = (uint64_t)arg, fcsr;
    double one = 1.0, three = 3.0, q;
    for (int i = 0; i < 20; i++) {
        __asm__ volatile("fscsr %0" ::"r"(frm << 5));
        __asm__ volatile("fdiv.d %0, %1, %2" : "=f"(q) : "f"(one), "f"(three));
        seL4_Yield();
        __asm__ volatile("frcsr %0" : "=r"(fcsr));
        /* 1/3 is inexact: NX accrued; the rounding mode is still this thread's */
        if (fcsr != ((frm << 5) | 1)) fcsr_bad++;
        seL4_Yield();
    }
    (void)q;
    fcsr_done++;
    for (;;) seL4_Yield();
}

static int fcsr_kept_across_switches(void)
{
    fcsr_bad = fcsr_done = 0;
    seL4_CPtr t1, t2;
    EXPECT(ktest_spawn("rtz", KTEST_PRIO - 1, fcsr_user, (void *)1, &t1) == 0);
    EXPECT(ktest_spawn("rup", KTEST_PRIO - 1, fcsr_user, (void *)3, &t2) == 0);
    EXPECT_SOON(fcsr_done == 2);
    EXPECT(seL4_TCB_Suspend(t1) == seL4_NoError && seL4_TCB_Suspend(t2) == seL4_NoError);
    EXPECT(fcsr_bad == 0);
    return 0;
}

/* A new thread's FP registers are zero, whoever used the FPU before it (even a deleted owner). */
static struct fp_regs zero_seen;
static volatile int zero_done, filler_ready;

static void fp_filler(void *arg)
{
    (void)arg;
    struct fp_regs in, out;
    fp_pattern(&in, 77, FCSR_B);
    filler_ready = 1;
    for (;;) fp_fill_yield_dump(&in, &out, 1000, NULL);
}

static void fp_reader(void *arg)
{
    (void)arg;
    __asm__ volatile(FP_STORE_ALL ::[out] "r"(&zero_seen) : "t0", "memory");
    zero_done = 1;
}

static int new_thread_fp_is_zero_after_deleted_owner(void)
{
    zero_done = filler_ready = 0;
    for (unsigned i = 0; i < 32; i++) zero_seen.f[i] = 1;
    seL4_CPtr filler, reader;
    EXPECT(ktest_spawn("filler", KTEST_PRIO - 1, fp_filler, 0, &filler) == 0);
    EXPECT_SOON(filler_ready);
    /* the filler owns this hart's FPU, Dirty; it goes away with its state */
    EXPECT(seL4_CNode_Delete(seL4_CapInitThreadCNode, filler, 64) == seL4_NoError);
    EXPECT(ktest_spawn("reader", KTEST_PRIO - 1, fp_reader, 0, &reader) == 0);
    EXPECT_SOON(zero_done);
    struct fp_regs zero = {{0}, 0};
    EXPECT(fp_equal(&zero_seen, &zero));
    return 0;
}

/* seL4_TCBFlag_fpuDisabled: an FP instruction is a UserException (illegal instruction, code 0,
 * at the instruction), as on seL4; clearing the flag and restarting there runs it. */
static volatile int disabled_before, disabled_after;
static volatile uint64_t disabled_result;

static void fp_disabled_user(void *arg)
{
    (void)arg;
    disabled_before = 1;
    uint64_t bits;
    __asm__ volatile("fmv.d.x ft0, %1\n"
                     "fadd.d ft0, ft0, ft0\n"
                     "fmv.x.d %0, ft0"
                     : "=r"(bits)
                     : "r"(0x3ff0000000000000ull) /* 1.0 */
                     : "ft0");
    disabled_result = bits;
    disabled_after = 1;
}

static seL4_CPtr fault_ep;

static seL4_CPtr spawn_with_handler(const char *name, thread_fn fn, void *arg)
{
    fault_ep = alloc_object(seL4_EndpointObject, 0);
    return fault_ep ? ktest_spawn_with_fault_ep(name, fn, arg, fault_ep) : 0;
}

static int fpu_disabled_faults_and_can_be_cleared(void)
{
    disabled_before = disabled_after = 0;
    disabled_result = 0;
    seL4_CPtr t = spawn_with_handler("no-fpu", fp_disabled_user, 0);
    EXPECT(t);
    seL4_Word flags;
    EXPECT(seL4_TCB_SetFlags(t, 0, seL4_TCBFlag_fpuDisabled, &flags) == seL4_NoError);
    EXPECT(flags == seL4_TCBFlag_fpuDisabled);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_UserException);
    EXPECT(seL4_MessageInfo_get_length(info) == seL4_UserException_Length);
    EXPECT(seL4_GetMR(seL4_UserException_Number) == 2); /* illegal instruction */
    EXPECT(seL4_GetMR(seL4_UserException_Code) == 0);
    seL4_Word pc = seL4_GetMR(seL4_UserException_FaultIP), sp = seL4_GetMR(seL4_UserException_SP);
    EXPECT(disabled_before == 1 && disabled_after == 0);
    /* the flag cleared, the same instruction again: it runs */
    EXPECT(seL4_TCB_SetFlags(t, seL4_TCBFlag_fpuDisabled, 0, &flags) == seL4_NoError);
    EXPECT(flags == 0);
    seL4_SetMR(0, pc);
    seL4_SetMR(1, sp);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 2));
    EXPECT_SOON(disabled_after == 1);
    EXPECT(disabled_result == 0x4000000000000000ull); /* 2.0 */
    return 0;
}

/* A thread with FP state that is disabled and enabled again gets the same state back. */
static volatile int keeper_phase, keeper_stop;
static struct fp_regs keeper_in, keeper_out;

static void fp_keeper(void *arg)
{
    (void)arg;
    fp_pattern(&keeper_in, 5, FCSR_A);
    keeper_phase = 1;
    /* yields until the case has set the flag: the dump after them then faults */
    fp_fill_yield_dump(&keeper_in, &keeper_out, -1, &keeper_stop);
    keeper_phase = 2;
}

static int fp_state_survives_disable_and_enable(void)
{
    keeper_phase = keeper_stop = 0;
    seL4_CPtr t = spawn_with_handler("keeper", fp_keeper, 0);
    EXPECT(t);
    EXPECT_SOON(keeper_phase == 1);
    seL4_Word flags;
    EXPECT(seL4_TCB_SetFlags(t, 0, seL4_TCBFlag_fpuDisabled, &flags) == seL4_NoError);
    keeper_stop = 1;
    /* meanwhile another thread uses this hart's FPU */
    zero_done = 0;
    seL4_CPtr reader;
    EXPECT(ktest_spawn("reader", KTEST_PRIO - 1, fp_reader, 0, &reader) == 0);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_UserException);
    EXPECT(keeper_phase == 1);
    seL4_Word pc = seL4_GetMR(seL4_UserException_FaultIP), sp = seL4_GetMR(seL4_UserException_SP);
    EXPECT(seL4_TCB_SetFlags(t, seL4_TCBFlag_fpuDisabled, 0, &flags) == seL4_NoError);
    seL4_SetMR(0, pc);
    seL4_SetMR(1, sp);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 2));
    EXPECT_SOON(keeper_phase == 2);
    EXPECT(fp_equal(&keeper_in, &keeper_out));
    return 0;
}

const struct ktest_case ktest_fpu[] = {
    {"FPU", "fp_state_kept_across_switches", fp_state_kept_across_switches},
    {"FPU", "fp_state_kept_across_migrations", fp_state_kept_across_migrations},
    {"FPU", "fp_state_kept_across_ipc", fp_state_kept_across_ipc},
    {"FPU", "fcsr_kept_across_switches", fcsr_kept_across_switches},
    {"FPU", "new_thread_fp_is_zero_after_deleted_owner", new_thread_fp_is_zero_after_deleted_owner},
    {"FPU", "fpu_disabled_faults_and_can_be_cleared", fpu_disabled_faults_and_can_be_cleared},
    {"FPU", "fp_state_survives_disable_and_enable", fp_state_survives_disable_and_enable},
    {0, 0, 0},
};
