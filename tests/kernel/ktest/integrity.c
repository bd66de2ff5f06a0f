/* INTEG: what no sequence of system calls may do to the kernel (issue 9's reproducers): hand out
 * memory twice, leave a thread running or queued after it was stopped or destroyed, run one
 * thread on two harts, or stay in the kernel long enough to starve a periodic thread. Each case
 * holds on one hart too; in a kernel built with check_invariants=ON the kernel checks itself at
 * every exit as well. */
#include "ktest.h"

#include <stdbool.h>

#define ROOT seL4_CapInitThreadCNode
#define D    64

static unsigned last_hart(void) { return (unsigned)ktest_bootinfo->numNodes - 1; }

static seL4_Error retype(seL4_CPtr ut, seL4_Word type, seL4_Word bits, seL4_CPtr slot)
{
    return seL4_Untyped_Retype(ut, type, bits, ROOT, 0, 0, slot, 1);
}

static seL4_Error copy(seL4_CPtr dest, seL4_CPtr src)
{
    return seL4_CNode_Copy(ROOT, dest, D, ROOT, src, D, seL4_AllRights);
}

static bool frame_at(seL4_CPtr frame, seL4_Word *paddr)
{
    return seL4_RISCV_Page_GetAddress(frame, paddr) == seL4_NoError;
}

/* A copy of an untyped takes over its free memory (seL4's setUntypedCapAsFull): the original
 * can allocate again only once the copy and everything made from it are gone. */
static int untyped_copies_never_hand_out_memory_twice(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 16);
    seL4_CPtr dup = alloc_slot(), f1 = alloc_slot(), f2 = alloc_slot(), tcb = alloc_slot();
    EXPECT(ut && copy(dup, ut) == seL4_NoError);
    EXPECT(retype(dup, seL4_RISCV_4K_Page, 0, f1) == seL4_NoError);
    EXPECT_ERROR(retype(ut, seL4_RISCV_4K_Page, 0, f2), seL4_NotEnoughMemory);
    EXPECT(seL4_GetMR(0) == 0); /* no bytes left */
    /* the reported way in: a TCB from the copy, then a frame over it from the original */
    EXPECT(retype(dup, seL4_TCBObject, 0, tcb) == seL4_NoError);
    EXPECT_ERROR(retype(ut, seL4_RISCV_4K_Page, 0, f2), seL4_NotEnoughMemory);
    /* once the copy and its objects are gone, the original starts afresh */
    EXPECT(seL4_CNode_Revoke(ROOT, dup, D) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(ROOT, dup, D) == seL4_NoError);
    EXPECT(retype(ut, seL4_RISCV_4K_Page, 0, f2) == seL4_NoError);
    seL4_Word pa;
    EXPECT(frame_at(f2, &pa));
    /* a copy needs an untyped without children */
    EXPECT_ERROR(copy(dup, ut), seL4_RevokeFirst);
    return 0;
}

static int untyped_mints_never_hand_out_memory_twice(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 16), m = alloc_slot();
    seL4_CPtr f1 = alloc_slot(), f2 = alloc_slot();
    EXPECT(ut && seL4_CNode_Mint(ROOT, m, D, ROOT, ut, D, seL4_AllRights, 0) == seL4_NoError);
    EXPECT(retype(ut, seL4_RISCV_4K_Page, 0, f1) == seL4_NotEnoughMemory);
    EXPECT(retype(m, seL4_RISCV_4K_Page, 0, f1) == seL4_NoError);
    EXPECT(retype(m, seL4_RISCV_4K_Page, 0, f2) == seL4_NoError);
    seL4_Word a, b;
    EXPECT(frame_at(f1, &a) && frame_at(f2, &b) && a != b);
    return 0;
}

static seL4_CPtr transfer_ep, transfer_slot;
static volatile int transfer_done;

static void receive_a_cap(void *arg)
{
    (void)arg;
    seL4_SetCapReceivePath(ROOT, transfer_slot, D);
    seL4_Word badge;
    seL4_Recv(transfer_ep, &badge);
    transfer_done = 1;
}

static int untyped_sent_over_ipc_never_hands_out_memory_twice(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 16), f = alloc_slot();
    transfer_ep = alloc_object(seL4_EndpointObject, 0);
    transfer_slot = alloc_slot();
    transfer_done = 0;
    EXPECT(ut && transfer_ep && ktest_spawn("receiver", KTEST_PRIO - 1, receive_a_cap, 0, 0) == 0);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id())); /* the receiver waits */
    seL4_SetCap(0, ut);
    seL4_Send(transfer_ep, seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT_SOON(transfer_done);
    EXPECT(retype(ut, seL4_RISCV_4K_Page, 0, f) == seL4_NotEnoughMemory);
    EXPECT(retype(transfer_slot, seL4_RISCV_4K_Page, 0, f) == seL4_NoError);
    return 0;
}

/* A thread that proves it runs: it counts, yielding (so that it is queued and running at once,
 * where the scheduler's bookkeeping is hardest). */
static volatile uint64_t counter;
static void count_and_yield(void *arg)
{
    (void)arg;
    for (;;) {
        counter++;
        seL4_Yield();
    }
}

/* The counting thread is not running anywhere: every hart has had nothing else to run since. */
static bool stays_still(void)
{
    uint64_t before = counter;
    return ktest_all_harts_go_quiet() && counter == before;
}

/* CopyRegisters with suspend_source stops the source before it returns, wherever it runs. */
static int copy_registers_suspends_a_source_running_elsewhere(void)
{
    seL4_CPtr src, dst = alloc_object(seL4_TCBObject, 0);
    counter = 0;
    EXPECT(dst && ktest_spawn("source", KTEST_PRIO - 1, count_and_yield, 0, &src) == 0);
    EXPECT(schedlab_set_affinity_mask(src, 1ull << last_hart()) == seL4_NoError);
    for (int round = 0; round < 20; round++) {
        uint64_t seen = counter;
        EXPECT_SOON(counter > seen);
        EXPECT(seL4_TCB_CopyRegisters(dst, src, 1, 0, 1, 1, 0) == seL4_NoError);
        EXPECT(stays_still());
        EXPECT(seL4_TCB_Resume(src) == seL4_NoError);
    }
    EXPECT(seL4_TCB_Suspend(src) == seL4_NoError);
    return 0;
}

/* A thread that suspends and resumes itself in one invocation runs on, once. */
static int copy_registers_suspending_and_resuming_oneself_runs_on(void)
{
    EXPECT(seL4_TCB_CopyRegisters(ktest_self(), ktest_self(), 1, 1, 0, 0, 0) == seL4_NoError);
    for (int i = 0; i < 10; i++) seL4_Yield();
    schedlab_sleep_ns(100000);
    return 0;
}

/* A yielding thread whose affinity keeps changing: it must never run on two harts at once (it
 * then faulted at system calls it never made). Its faults would reach `faults`.
 * Its time bound is 20 times the default: under icount, QEMU runs the harts in turn, and a hart
 * whose timer ends this case's poll while the mover keeps a lower-numbered hart busy may wait
 * for that hart's next timer (the policy's slice or tick, ~4 ms) before it runs again (DESIGN
 * §8). The 200 rounds took 7 ms without such waits and 301 ms with one in every other round. */
static int a_yielding_thread_moved_between_harts_runs_once(void)
{
    seL4_CPtr faults = alloc_object(seL4_EndpointObject, 0);
    counter = 0;
    seL4_CPtr t = ktest_spawn_with_fault_ep("mover", count_and_yield, 0, faults);
    EXPECT(faults && t);
    EXPECT(seL4_TCB_SetPriority(t, ktest_self(), KTEST_PRIO - 1) == seL4_NoError);
    EXPECT(seL4_TCB_Resume(t) == seL4_NoError);
    for (unsigned round = 0; round < 200; round++) {
        uint64_t seen = counter;
        EXPECT(schedlab_set_affinity_mask(t, 1ull << (round % 2 ? last_hart() : 0)) ==
               seL4_NoError);
        EXPECT_SOON(counter > seen);
    }
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    EXPECT(stays_still());
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_NBRecv(faults, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == 0 && badge == 0); /* no fault came */
    return 0;
}

/* A TCB retyped from `ut` into `slot`, running fn on a stack of its own in the case's VSpace. */
static uint64_t raw_stack[1024] __attribute__((aligned(16)));
static bool start_raw_thread(seL4_CPtr ut, seL4_CPtr slot, seL4_CPtr cspace, void (*fn)(void))
{
    seL4_UserContext regs = {0};
    regs.pc = (seL4_Word)fn;
    regs.sp = (seL4_Word)&raw_stack[1024];
    return retype(ut, seL4_TCBObject, 0, slot) == seL4_NoError &&
           seL4_TCB_Configure(slot, 0, cspace, 0, ktest_own_vspace(), 0, 0, 0) == seL4_NoError &&
           seL4_TCB_SetSchedParams(slot, ktest_self(), KTEST_PRIO - 1, KTEST_PRIO - 1) ==
               seL4_NoError &&
           schedlab_set_affinity_mask(slot, 1ull << last_hart()) == seL4_NoError &&
           seL4_TCB_WriteRegisters(slot, 1, 0, 3, &regs) == seL4_NoError;
}

static void raw_count_and_yield(void)
{
    for (;;) {
        counter++;
        seL4_Yield();
    }
}

/* Destroying a thread that runs (on another hart) or waits in a run queue after a yield: the
 * scheduler lets go of it, so the memory can become anything (here: a frame full of ones). */
static int a_destroyed_thread_leaves_no_trace_in_the_scheduler(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 12), tcb = alloc_slot(), frame = alloc_slot();
    seL4_Word vaddr = ktest_region_with_tables();
    EXPECT(ut && vaddr);
    for (int round = 0; round < 10; round++) {
        counter = 0;
        EXPECT(start_raw_thread(ut, tcb, ROOT, raw_count_and_yield));
        EXPECT_SOON(counter > 2);
        EXPECT(seL4_CNode_Delete(ROOT, tcb, D) == seL4_NoError);
        EXPECT(stays_still());
        EXPECT(retype(ut, seL4_RISCV_4K_Page, 0, frame) == seL4_NoError);
        EXPECT(seL4_RISCV_Page_Map(frame, ktest_own_vspace(), vaddr, seL4_ReadWrite, 0) ==
               seL4_NoError);
        for (uint64_t *p = (uint64_t *)vaddr; p < (uint64_t *)(vaddr + 4096); p++) *p = ~0ull;
        /* every hart schedules over the freed memory before it goes */
        for (int i = 0; i < 10; i++) seL4_Yield();
        EXPECT(ktest_all_harts_go_quiet());
        EXPECT(seL4_CNode_Delete(ROOT, frame, D) == seL4_NoError);
    }
    return 0;
}

/* The same with the thread suspended first (it is then inactive, but it may still be queued). */
static int a_suspended_then_destroyed_thread_leaves_no_trace(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 12), tcb = alloc_slot(), ntfn = alloc_slot();
    EXPECT(ut);
    for (int round = 0; round < 10; round++) {
        counter = 0;
        EXPECT(start_raw_thread(ut, tcb, ROOT, raw_count_and_yield));
        EXPECT_SOON(counter > 2);
        EXPECT(seL4_TCB_Suspend(tcb) == seL4_NoError);
        EXPECT(seL4_CNode_Delete(ROOT, tcb, D) == seL4_NoError);
        /* notifications over the TCB's memory, signalled: any stale queue link would show */
        EXPECT(seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, ROOT, 0, 0, ntfn, 1) ==
               seL4_NoError);
        seL4_Signal(ntfn);
        EXPECT(stays_still());
        EXPECT(seL4_CNode_Delete(ROOT, ntfn, D) == seL4_NoError);
    }
    return 0;
}

/* Nested CNodes, each holding the only capability to the next, deeper than any cache. */
static int deleting_a_deep_chain_of_cnodes_frees_all_of_it(void)
{
    enum { DEPTH = 80 };
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 16), ep = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr below = 0, frame = alloc_slot();
    EXPECT(ut && ep);
    for (int i = 0; i < DEPTH; i++) {
        seL4_CPtr c = alloc_slot();
        EXPECT(retype(ut, seL4_CapTableObject, 1, c) == seL4_NoError);
        EXPECT(seL4_CNode_Copy(c, 1, 1, ROOT, ep, D, seL4_AllRights) == seL4_NoError);
        if (below) EXPECT(seL4_CNode_Move(c, 0, 1, ROOT, below, D) == seL4_NoError);
        below = c;
    }
    EXPECT(seL4_CNode_Delete(ROOT, below, D) == seL4_NoError);
    /* nothing of the chain is left: the untyped is whole again */
    EXPECT(retype(ut, seL4_UntypedObject, 16, frame) == seL4_NoError);
    return 0;
}

/* A CNode holding the only capability to itself, and a thread and its CSpace each holding the
 * only capability to the other: revoking their untyped destroys all of it. */
static void spin(void)
{
    for (;;) counter++;
}

static int revoking_self_held_cnodes_and_threads_frees_them(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 16), whole = alloc_slot();
    seL4_CPtr c = alloc_slot(), self = alloc_slot(), t = alloc_slot(), cs = alloc_slot();
    EXPECT(ut);
    for (int round = 0; round < 3; round++) {
        /* a CNode whose only capability is in its own slot 5 */
        EXPECT(retype(ut, seL4_CapTableObject, 4, c) == seL4_NoError);
        EXPECT(seL4_CNode_Move(c, 5, 4, ROOT, c, D) == seL4_NoError);
        /* a running thread whose CSpace holds the only capability to it, and which holds (as its
         * CSpace root) the only capability to that CSpace */
        EXPECT(retype(ut, seL4_CapTableObject, 4, cs) == seL4_NoError);
        counter = 0;
        EXPECT(start_raw_thread(ut, t, cs, spin));
        EXPECT(seL4_TCB_Resume(t) == seL4_NoError);
        EXPECT(seL4_CNode_Move(cs, round, 4, ROOT, t, D) == seL4_NoError);
        EXPECT(seL4_CNode_Delete(ROOT, cs, D) == seL4_NoError);
        EXPECT_SOON(counter > 0);
        EXPECT(seL4_CNode_Revoke(ROOT, ut, D) == seL4_NoError);
        EXPECT(stays_still());
        EXPECT(retype(ut, seL4_UntypedObject, 16, whole) == seL4_NoError);
        EXPECT(seL4_CNode_Delete(ROOT, whole, D) == seL4_NoError);
    }
    (void)self;
    return 0;
}

/* No kernel entry runs long: a 100 us ticker above a thread that deletes a full radix-16 CNode
 * (65536 slots, 2 MiB, with CNodes inside and a chain of 1000 nested ones) keeps its period. */
static volatile uint64_t ticks, worst_late_ns;
static volatile bool ticking;

static void ticker(void *arg)
{
    (void)arg;
    uint64_t deadline = schedlab_now_ns();
    for (;;) {
        deadline += 100000;
        schedlab_sleep_until(deadline);
        uint64_t late = schedlab_now_ns() - deadline;
        if (ticking) {
            if (late > worst_late_ns) worst_late_ns = late;
            ticks++;
        }
    }
}

static int deleting_a_huge_cnode_keeps_a_100us_ticker_on_time(void)
{
    seL4_CPtr big = alloc_object(seL4_CapTableObject, 16),
              ep = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr tick;
    EXPECT(big && ep);
    /* caps all over it (every 16th slot), and CNodes inside it with caps of their own */
    for (seL4_Word i = 0; i < 65536; i += 16)
        EXPECT(seL4_CNode_Copy(big, i, 16, ROOT, ep, D, seL4_AllRights) == seL4_NoError);
    for (seL4_Word i = 8; i < 65536; i += 4096) {
        seL4_CPtr inner = alloc_object(seL4_CapTableObject, 8);
        EXPECT(inner);
        for (seL4_Word j = 0; j < 256; j += 2)
            EXPECT(seL4_CNode_Copy(inner, j, 8, ROOT, ep, D, seL4_AllRights) == seL4_NoError);
        EXPECT(seL4_CNode_Move(big, i, 16, ROOT, inner, D) == seL4_NoError);
    }
    /* and a chain of 1000 nested CNodes, each holding the only capability to the next */
    seL4_CPtr below = 0;
    for (int i = 0; i < 1000; i++) {
        seL4_CPtr c = alloc_object(seL4_CapTableObject, 1);
        EXPECT(c);
        if (below) EXPECT(seL4_CNode_Move(c, 0, 1, ROOT, below, D) == seL4_NoError);
        below = c;
    }
    EXPECT(seL4_CNode_Move(big, 4, 16, ROOT, below, D) == seL4_NoError);
    worst_late_ns = ticks = 0;
    ticking = false;
    EXPECT(ktest_spawn("ticker", KTEST_PRIO + 1, ticker, 0, &tick) == 0);
    schedlab_sleep_ns(500000);
    ticking = true;
    uint64_t start = schedlab_now_ns();
    EXPECT(seL4_CNode_Delete(ROOT, big, D) == seL4_NoError);
    uint64_t took = schedlab_now_ns() - start;
    ticking = false;
    EXPECT(seL4_TCB_Suspend(tick) == seL4_NoError);
    uint64_t bound = schedlab_param("ktest.max_late_us", 100) * 1000;
    printf("    delete took %lu us, ticker late by at most %lu ns over %lu ticks\n",
           (unsigned long)(took / 1000), (unsigned long)worst_late_ns, (unsigned long)ticks);
    /* Without icount (ktest.wall_clock=1) emulated time is the host's wall clock: whether QEMU's
     * timer thread and this hart's host thread ran during the delete is the host's doing, so the
     * figures are printed, not judged (the icount runs, at 1 and 4 harts, judge them). */
    if (schedlab_param("ktest.wall_clock", 0)) return 0;
    /* the delete was long enough to need preemption, and the ticker kept time throughout */
    EXPECT(took > 300000 && ticks >= 2);
    EXPECT(worst_late_ns < bound);
    return 0;
}

const struct ktest_case ktest_integrity[] = {
    {"INTEG", "untyped copies never hand out memory twice",
     untyped_copies_never_hand_out_memory_twice},
    {"INTEG", "untyped mints never hand out memory twice",
     untyped_mints_never_hand_out_memory_twice},
    {"INTEG", "an untyped sent over IPC never hands out memory twice",
     untyped_sent_over_ipc_never_hands_out_memory_twice},
    {"INTEG", "CopyRegisters suspends a source running elsewhere",
     copy_registers_suspends_a_source_running_elsewhere},
    {"INTEG", "CopyRegisters suspending and resuming oneself runs on",
     copy_registers_suspending_and_resuming_oneself_runs_on},
    {"INTEG", "a yielding thread moved between harts runs once",
     a_yielding_thread_moved_between_harts_runs_once, 20},
    {"INTEG", "a destroyed thread leaves no trace in the scheduler",
     a_destroyed_thread_leaves_no_trace_in_the_scheduler},
    {"INTEG", "a suspended, then destroyed thread leaves no trace",
     a_suspended_then_destroyed_thread_leaves_no_trace},
    {"INTEG", "deleting a deep chain of CNodes frees all of it",
     deleting_a_deep_chain_of_cnodes_frees_all_of_it},
    {"INTEG", "revoking self-held CNodes and threads frees them",
     revoking_self_held_cnodes_and_threads_frees_them},
    {"INTEG", "deleting a huge CNode keeps a 100 us ticker on time",
     deleting_a_huge_cnode_keeps_a_100us_ticker_on_time},
    {0, 0, 0},
};
