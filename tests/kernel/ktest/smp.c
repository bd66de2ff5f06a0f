/* SMP: seL4's TCB_SetAffinity, SchedLab's affinity-mask extension, and threads on several harts
 * (cases hold on one hart too: there the "other" hart is hart 0). */
#include "ktest.h"

static unsigned harts(void) { return (unsigned)ktest_bootinfo->numNodes; }
static unsigned last_hart(void) { return harts() - 1; }

/* seL4's TCB_SetAffinity exists only in an SMP build (SCHEDLAB_MAX_HARTS > 1); a one-hart build
 * pins through the mask extension. */
static seL4_Error set_affinity(seL4_CPtr tcb, unsigned hart)
{
#if SCHEDLAB_SMP
    return seL4_TCB_SetAffinity(tcb, hart);
#else
    return schedlab_set_affinity_mask(tcb, 1ull << hart);
#endif
}

#if SCHEDLAB_SMP
static int set_affinity_errors(void)
{
    seL4_CPtr tcb = alloc_object(seL4_TCBObject, 0);
    EXPECT(tcb);
    EXPECT_ERROR(seL4_TCB_SetAffinity(tcb, harts()), seL4_IllegalOperation);
    EXPECT_ERROR(seL4_TCB_SetAffinity(tcb, 1000), seL4_IllegalOperation);
    EXPECT_ERROR(seL4_TCB_SetAffinity(tcb, last_hart()), seL4_NoError);
    seL4_MessageInfo_t reply = seL4_Call(tcb, seL4_MessageInfo_new(TCBSetAffinity, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_TruncatedMessage);
    return 0;
}
#endif

static int affinity_mask_errors(void)
{
    seL4_CPtr tcb = alloc_object(seL4_TCBObject, 0);
    seL4_CPtr ntfn = alloc_object(seL4_NotificationObject, 0);
    EXPECT(tcb && ntfn);
    EXPECT_ERROR(schedlab_set_affinity_mask(tcb, 0), seL4_InvalidArgument);
    EXPECT_ERROR(schedlab_set_affinity_mask(tcb, 1ull << harts()), seL4_InvalidArgument);
    EXPECT_ERROR(schedlab_set_affinity_mask(ntfn, 1), seL4_InvalidCapability);
    EXPECT_ERROR(schedlab_set_affinity_mask(0xfffff, 1), seL4_InvalidCapability);
    EXPECT_ERROR(schedlab_set_affinity_mask(tcb, (1ull << harts()) - 1), seL4_NoError);
    return 0;
}

static volatile unsigned seen_hart = 99;
static volatile uint64_t spins;

static void report_hart(void *arg)
{
    (void)arg;
    for (;;) {
        seen_hart = schedlab_hart_id();
        seL4_Yield();
    }
}

static int a_thread_runs_on_the_hart_of_its_affinity(void)
{
    seL4_CPtr t;
    seen_hart = 99;
    EXPECT(ktest_spawn("placed", KTEST_PRIO - 1, report_hart, 0, &t) == 0);
    /* a new thread starts on its creator's hart (seL4) */
    EXPECT_SOON(seen_hart != 99);
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    EXPECT(seen_hart == schedlab_hart_id());
    seen_hart = 99;
    EXPECT(set_affinity(t, last_hart()) == seL4_NoError);
    EXPECT(seL4_TCB_Resume(t) == seL4_NoError);
    EXPECT_SOON(seen_hart == last_hart());
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    return 0;
}

static int moving_oneself_continues_on_the_new_hart(void)
{
    unsigned home = schedlab_hart_id();
    EXPECT(set_affinity(ktest_self(), last_hart()) == seL4_NoError);
    EXPECT(schedlab_hart_id() == last_hart());
    EXPECT(schedlab_set_affinity_mask(ktest_self(), 1ull << home) == seL4_NoError);
    EXPECT(schedlab_hart_id() == home);
    return 0;
}

static void spin_forever(void *arg)
{
    (void)arg;
    for (;;) spins++;
}

static int suspend_stops_a_thread_running_on_another_hart(void)
{
    seL4_CPtr t;
    spins = 0;
    EXPECT(ktest_spawn("far spinner", 100, spin_forever, 0, &t) == 0);
    EXPECT(set_affinity(t, last_hart()) == seL4_NoError);
    EXPECT_SOON(spins > 0);
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    uint64_t at_suspend = spins;
    /* its hart runs what is below it: the spinner is not running there any more */
    EXPECT(ktest_hart_goes_quiet(last_hart()));
    EXPECT(spins == at_suspend);
    /* its registers are readable at once: it is stopped */
    seL4_UserContext regs;
    EXPECT(seL4_TCB_ReadRegisters(t, 0, 0, 2, &regs) == seL4_NoError);
    EXPECT(regs.pc != 0);
    EXPECT(seL4_TCB_Resume(t) == seL4_NoError);
    EXPECT_SOON(spins > at_suspend);
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    return 0;
}

struct ping_pong {
    seL4_CPtr ep;
    volatile unsigned hart;
};

static void echo_server(void *arg)
{
    struct ping_pong *p = arg;
    p->hart = schedlab_hart_id();
    seL4_Word badge;
    seL4_Recv(p->ep, &badge);
    for (;;) {
        seL4_SetMR(0, seL4_GetMR(0) + 1);
        seL4_ReplyRecv(p->ep, seL4_MessageInfo_new(0, 0, 0, 1), &badge);
    }
}

static int calls_cross_harts(void)
{
    static struct ping_pong p;
    seL4_CPtr t;
    p.ep = alloc_object(seL4_EndpointObject, 0);
    p.hart = 99;
    EXPECT(p.ep);
    EXPECT(ktest_spawn("echo", 100, echo_server, &p, &t) == 0);
    EXPECT(set_affinity(t, last_hart()) == seL4_NoError);
    for (seL4_Word i = 0; i < 50; i++) {
        seL4_SetMR(0, i);
        seL4_Call(p.ep, seL4_MessageInfo_new(0, 0, 0, 1));
        EXPECT(seL4_GetMR(0) == i + 1);
    }
    EXPECT(p.hart == last_hart());
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    return 0;
}

static seL4_CPtr signal_ntfn, signal_ack;

/* Each signal waits for the waiter's acknowledgement: signals sent before a Wait merge into
 * one (seL4), and without the hand-shake a slow waiter would miss some. */
static void signaller(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++) {
        seL4_Word badge;
        schedlab_sleep_ns(50000);
        seL4_Signal(signal_ntfn);
        seL4_Wait(signal_ack, &badge);
    }
    for (;;) seL4_Yield();
}

static int a_signal_from_another_hart_wakes_a_waiter(void)
{
    seL4_CPtr t;
    signal_ntfn = alloc_object(seL4_NotificationObject, 0);
    signal_ack = alloc_object(seL4_NotificationObject, 0);
    EXPECT(signal_ntfn && signal_ack);
    EXPECT(ktest_spawn("signaller", 100, signaller, 0, &t) == 0);
    EXPECT(set_affinity(t, last_hart()) == seL4_NoError);
    for (int i = 0; i < 20; i++) {
        seL4_Word badge;
        seL4_Wait(signal_ntfn, &badge);
        seL4_Signal(signal_ack);
    }
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    return 0;
}

static int deleting_a_thread_running_on_another_hart_stops_it(void)
{
    seL4_CPtr t;
    spins = 0;
    EXPECT(ktest_spawn("doomed", 100, spin_forever, 0, &t) == 0);
    EXPECT(set_affinity(t, last_hart()) == seL4_NoError);
    EXPECT_SOON(spins > 0);
    EXPECT(seL4_CNode_Delete(seL4_CapInitThreadCNode, t, seL4_WordBits) == seL4_NoError);
    uint64_t at_delete = spins;
    EXPECT(ktest_hart_goes_quiet(last_hart()));
    EXPECT(spins == at_delete);
    return 0;
}

static volatile uint64_t reads;

static void read_forever(void *arg)
{
    volatile uint64_t *page = arg;
    for (;;) {
        (void)*page;
        reads++;
    }
}

/* TLB shootdown: after Unmap returns, no hart may still reach the frame through a translation
 * it cached (QEMU's TLBs cache them too, so a missing shootdown shows). */
static int unmapping_reaches_a_thread_on_another_hart(void)
{
    seL4_Word base = ktest_region_with_tables();
    seL4_CPtr frame = alloc_object(seL4_RISCV_4K_Page, 0);
    seL4_CPtr fault_ep = alloc_object(seL4_EndpointObject, 0);
    EXPECT(base && frame && fault_ep);
    EXPECT(seL4_RISCV_Page_Map(frame, ktest_own_vspace(), base, seL4_ReadWrite, 0) == seL4_NoError);
    reads = 0;
    seL4_CPtr t = ktest_spawn_with_fault_ep("reader", read_forever, (void *)base, fault_ep);
    EXPECT(t);
    EXPECT(set_affinity(t, last_hart()) == seL4_NoError);
    EXPECT_SOON(reads >= 1000);
    EXPECT(seL4_RISCV_Page_Unmap(frame) == seL4_NoError);
    /* the reader stops at once (at most the increment after its last read): its fault arrives
     * with the count where the Unmap left it, not after its hart entered the kernel on its own
     * (its slice is far longer) */
    uint64_t at_unmap = reads;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(reads <= at_unmap + 1);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault);
    EXPECT(seL4_GetMR(seL4_VMFault_Addr) == base);
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    return 0;
}

const struct ktest_case ktest_smp[] = {
#if SCHEDLAB_SMP
    {"SMP", "SetAffinity: IllegalOperation past numNodes", set_affinity_errors},
#endif
    {"SMP", "affinity mask: InvalidArgument, InvalidCapability", affinity_mask_errors},
    {"SMP", "a thread runs on the hart of its affinity", a_thread_runs_on_the_hart_of_its_affinity},
    {"SMP", "SetAffinity on oneself moves the caller", moving_oneself_continues_on_the_new_hart},
    {"SMP", "Suspend stops a thread on another hart",
     suspend_stops_a_thread_running_on_another_hart},
    {"SMP", "Call/ReplyRecv between two harts", calls_cross_harts},
    {"SMP", "Signal from another hart wakes a waiter", a_signal_from_another_hart_wakes_a_waiter},
    {"SMP", "Unmap reaches a thread using the page elsewhere",
     unmapping_reaches_a_thread_on_another_hart},
    {"SMP", "Delete stops a thread on another hart",
     deleting_a_thread_running_on_another_hart_stops_it},
    {0, 0, 0},
};
