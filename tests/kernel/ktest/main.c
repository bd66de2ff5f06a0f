/*
 * Kernel API test suite: one line per case, then "N passed, M failed". The exit status is the
 * number of failures (0 = all passed).
 *
 * Each case runs as its own process: a copy of this program (text shared read-only, data and
 * stack copied) in a fresh VSpace, with its own untyped memory and a window of CNode slots, in a
 * thread below the root task. The root task is its fault handler and watches it with a timeout;
 * a case that faults, hangs or scribbles over its memory cannot take the next one down. After
 * each case the root revokes the case's untyped and empties its slot window.
 */
#include "ktest.h"

#include <stdbool.h>

const seL4_BootInfo *ktest_bootinfo;
seL4_IPCBuffer *ktest_root_ipc_buffer;
uint64_t ktest_soon_ns; /* set for each case before its copy of this program is made */

/* A case that has not reported after this much emulated time has hung (ktest.timeout_ms
 * overrides it: under --realtime emulated time is wall-clock time, and a loaded host is slow). */
#define CASE_TIMEOUT_MS 100
/* With more than one hart, under icount: QEMU 7.2 runs the harts in turn on one host thread and
 * gives each turn the time up to the next virtual-timer deadline, so a hart that is ready, even
 * in user mode, can get no turn until another hart's next timer, up to a whole timeslice (seen:
 * a hart at one user instruction for 9.95 ms of a 10 ms slice while another looped on yields;
 * QEMU 8.1 shares each turn among the harts, "tcg-accel-ops-rr: ensure fairness with icount").
 * A case that waits for other harts' progress may meet that several times: the bound for a hang
 * is then ten times longer. */
#define CASE_TIMEOUT_MS_SMP 1000
#define RESULT_LABEL        0x7e57
#define TIMEOUT_BADGE       1

seL4_CPtr ktest_untyped(unsigned min_bits)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++)
        if (!bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= min_bits)
            return bi->untyped.start + i;
    return 0;
}

int ktest_spawn_on(const char *name, seL4_Word prio, unsigned hart, thread_fn fn, void *arg,
                   seL4_CPtr *tcb)
{
    static struct thread threads[THREAD_MAX];
    static unsigned n;
    if (n == THREAD_MAX) return -1;
    struct thread *t = &threads[n++];
    static const struct thread_options suspended = {.suspended = 1};
    if (thread_create(t, name, prio, fn, arg, &suspended)) return -1;
    if (schedlab_set_affinity_mask(t->tcb, 1ull << hart) != seL4_NoError) return -1;
    if (seL4_TCB_Resume(t->tcb) != seL4_NoError) return -1;
    if (tcb) *tcb = t->tcb;
    return 0;
}

int ktest_spawn(const char *name, seL4_Word prio, thread_fn fn, void *arg, seL4_CPtr *tcb)
{
    /* seL4 starts a thread on its creator's hart, and the cases are written for that; policies
     * that place new threads on any hart (tstune, affinity) must not change what they test */
    return ktest_spawn_on(name, prio, schedlab_hart_id(), fn, arg, tcb);
}

/* One witness per hart, made at the first question about that hart and woken for each later
 * one: it counts a turn each time it runs, which it does only when its hart has nothing else. */
struct witness {
    seL4_CPtr wake;
    volatile uint64_t turns;
};

static void witness(void *arg)
{
    struct witness *w = arg;
    for (;;) {
        w->turns++;
        seL4_Word badge;
        seL4_Wait(w->wake, &badge);
    }
}

bool ktest_hart_goes_quiet(unsigned hart)
{
    static struct witness witnesses[64];
    if (hart >= sizeof witnesses / sizeof witnesses[0]) return false;
    struct witness *w = &witnesses[hart];
    uint64_t turn = w->turns + 1;
    if (w->wake) {
        seL4_Signal(w->wake);
    } else {
        w->wake = alloc_object(seL4_NotificationObject, 0);
        if (!w->wake || ktest_spawn_on("quiet-witness", 0, hart, witness, w, 0)) return false;
    }
    uint64_t end = schedlab_now_ns() + ktest_soon_ns;
    while (w->turns < turn && schedlab_now_ns() < end) schedlab_sleep_ns(KTEST_POLL_NS);
    return w->turns >= turn;
}

bool ktest_all_harts_go_quiet(void)
{
    for (unsigned hart = 0; hart < ktest_bootinfo->numNodes; hart++)
        if (!ktest_hart_goes_quiet(hart)) return false;
    return true;
}

seL4_CPtr ktest_spawn_with_fault_ep(const char *name, thread_fn fn, void *arg, seL4_CPtr fault_ep)
{
    seL4_CPtr tcb;
    if (ktest_spawn(name, 100, fn, arg, &tcb)) return 0;
    if (seL4_TCB_SetSpace(tcb, fault_ep, seL4_CapInitThreadCNode, 0, ktest_own_vspace(), 0))
        return 0;
    return tcb;
}

seL4_MessageInfo_t ktest_emulation_reply(seL4_Word result)
{
    seL4_Word pc = seL4_GetMR(seL4_UnknownSyscall_FaultIP);
    seL4_Word sp = seL4_GetMR(seL4_UnknownSyscall_SP), ra = seL4_GetMR(seL4_UnknownSyscall_RA);
    seL4_SetMR(0, pc + 4);
    seL4_SetMR(1, sp);
    seL4_SetMR(2, ra);
    seL4_SetMR(3, result);
    return seL4_MessageInfo_new(0, 0, 0, 4);
}

/* one group per line */
// clang-format off
static const struct ktest_case *const groups[] = {
    ktest_boot,
    ktest_retype,
    ktest_tcb,
    ktest_ipc,
    ktest_fastpath,
    ktest_notif,
    ktest_fault,
    ktest_cnode,
    ktest_revoke,
    ktest_resume,
    ktest_vspace,
    ktest_irq,
    ktest_more,
    ktest_smp,
    ktest_integrity,
    ktest_fpu,
};
// clang-format on

/* Deliberately broken cases, run first with ktest.selfcheck=1: they prove that a case that
 * faults or hangs is reported and does not stop the cases after it. */
static volatile uintptr_t bad_address = 8; /* read at run time: the compiler cannot see it */
static int selfcheck_fault(void) { return *(volatile int *)bad_address; }
static int selfcheck_hang(void)
{
    seL4_Word badge;
    seL4_Wait(alloc_object(seL4_NotificationObject, 0), &badge);
    return 0;
}
extern char __data_start[], __executable_end[];
static int selfcheck_scribble(void)
{
    /* everything writable: the case table, the library's state, its own stack */
    for (volatile char *p = __data_start; p < __executable_end; p++) *p = (char)0xa5;
    return 0;
}
static const struct ktest_case selfcheck[] = {
    {"SELF", "a case that scribbles over all its memory (expected to FAIL)", selfcheck_scribble},
    {"SELF", "a case that faults (expected to FAIL)", selfcheck_fault},
    {"SELF", "a case that hangs (expected to FAIL)", selfcheck_hang},
    {0, 0, 0},
};

static const struct ktest_case *cases[256];
static unsigned ncases;

#define ROOT              seL4_CapInitThreadCNode
#define WINDOW_FIRST      1024 /* root CNode slots from here on belong to the case being run */
#define WINDOW_END        4096
#define CASE_UNTYPED_BITS 24
#define SCRATCH_VADDR     0x3800000000ull /* where the root task fills a case's data pages */

extern char __executable_start[], __data_start[], __executable_end[];

/* Set before a case's data is copied, so the case finds them in its copy. */
static seL4_CPtr case_untyped, case_tcb, case_vspace, case_frames, case_first_free;
static uint8_t case_stack[16384] __attribute__((aligned(16)));
static seL4_CPtr report_ep;

seL4_CPtr ktest_self(void) { return case_tcb; }
seL4_CPtr ktest_own_vspace(void) { return case_vspace; }

/* The watchdog: armed with a case number, it signals the root task if that case is still
 * running when its time is up. It never blocks on anything a case could hold up. */
static seL4_CPtr arm_ntfn, timeout_ntfn;
static volatile uint64_t watch_deadline;
static volatile unsigned watch_case, current_case;

static void watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_Word badge;
        seL4_Wait(arm_ntfn, &badge);
        unsigned c = watch_case;
        schedlab_sleep_until(watch_deadline);
        if (current_case == c && watch_case == c) seL4_Signal(timeout_ntfn);
    }
}

static void case_entry(seL4_Word index)
{
    alloc_init_process(case_first_free, WINDOW_END, case_untyped, case_frames, case_vspace);
    seL4_SetMR(0, (seL4_Word)cases[index]->run());
    seL4_SetMR(1, index);
    seL4_SetMR(2, alloc_next_slot());
    seL4_Send(report_ep, seL4_MessageInfo_new(RESULT_LABEL, 0, 0, 3));
    seL4_TCB_Suspend(case_tcb);
}

static seL4_CPtr slot_cursor;

static seL4_CPtr new_object(seL4_Word type)
{
    seL4_CPtr slot = slot_cursor++;
    return seL4_Untyped_Retype(case_untyped, type, 0, ROOT, 0, 0, slot, 1) ? 0 : slot;
}

static bool map(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_Word rights)
{
    return seL4_RISCV_Page_Map(frame, vspace, vaddr, rights, 0) == seL4_NoError;
}

/* Page tables in `vspace` for [start, end) (within one GiB). */
static bool map_tables(seL4_CPtr vspace, seL4_Word start, seL4_Word end, bool from_case)
{
    seL4_CPtr l1 = from_case ? new_object(seL4_RISCV_PageTableObject)
                             : alloc_object(seL4_RISCV_PageTableObject, 0);
    if (!l1 || seL4_RISCV_PageTable_Map(l1, vspace, start, 0)) return false;
    for (seL4_Word v = start & ~((1ull << 21) - 1); v < end; v += 1ull << 21) {
        seL4_CPtr l0 = from_case ? new_object(seL4_RISCV_PageTableObject)
                                 : alloc_object(seL4_RISCV_PageTableObject, 0);
        if (!l0 || seL4_RISCV_PageTable_Map(l0, vspace, v, 0)) return false;
    }
    return true;
}

/* Build case `index`'s process and start it. */
static bool start_case(unsigned index)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    seL4_Word start = (seL4_Word)__executable_start, data = (seL4_Word)__data_start;
    seL4_Word end = (seL4_Word)__executable_end;
    seL4_Word ipc = (seL4_Word)bi->ipcBuffer, extra = (seL4_Word)bi + 4096;
    seL4_Word nextra = bi->extraBIPages.end - bi->extraBIPages.start;
    seL4_Word extra_end = extra + nextra * 4096;
    slot_cursor = WINDOW_FIRST;
    case_frames = slot_cursor;
    slot_cursor += (end - start) >> 12;
    seL4_CPtr scratch = slot_cursor;
    slot_cursor += (end - data) >> 12;

    case_vspace = new_object(seL4_RISCV_PageTableObject);
    if (!case_vspace || seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, case_vspace) ||
        !map_tables(case_vspace, start, extra_end, true))
        return false;
    /* text and read-only data: this program's own frames, shared read-only */
    for (seL4_Word v = start; v < data; v += 4096) {
        seL4_CPtr slot = case_frames + ((v - start) >> 12);
        if (seL4_CNode_Copy(ROOT, slot, 64, ROOT, bi->userImageFrames.start + ((v - start) >> 12),
                            64, seL4_CanRead) ||
            !map(slot, case_vspace, v, seL4_CanRead))
            return false;
    }
    /* data, bss and stacks: fresh frames, also mapped here to be filled below */
    for (seL4_Word v = data; v < end; v += 4096) {
        seL4_CPtr mine = case_frames + ((v - start) >> 12), fill = scratch + ((v - data) >> 12);
        if (seL4_Untyped_Retype(case_untyped, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, mine, 1) ||
            seL4_CNode_Copy(ROOT, fill, 64, ROOT, mine, 64, seL4_AllRights) ||
            !map(mine, case_vspace, v, seL4_ReadWrite) ||
            !map(fill, seL4_CapInitThreadVSpace, SCRATCH_VADDR + (v - data), seL4_ReadWrite))
            return false;
    }
    /* its own IPC buffer where ours is; our bootinfo and device tree, read-only */
    seL4_CPtr ipc_frame = new_object(seL4_RISCV_4K_Page);
    seL4_CPtr bi_copy = slot_cursor++;
    if (!ipc_frame || !map(ipc_frame, case_vspace, ipc, seL4_ReadWrite) ||
        seL4_CNode_Copy(ROOT, bi_copy, 64, ROOT, seL4_CapBootInfoFrame, 64, seL4_CanRead) ||
        !map(bi_copy, case_vspace, (seL4_Word)bi, seL4_CanRead))
        return false;
    for (seL4_Word i = 0; i < nextra; i++) {
        seL4_CPtr copy = slot_cursor++;
        if (seL4_CNode_Copy(ROOT, copy, 64, ROOT, bi->extraBIPages.start + i, 64, seL4_CanRead) ||
            !map(copy, case_vspace, extra + i * 4096, seL4_CanRead))
            return false;
    }
    case_tcb = new_object(seL4_TCBObject);
    if (!case_tcb) return false;
    case_first_free = slot_cursor;
    /* the case starts as a copy of us as we are now */
    memcpy((void *)SCRATCH_VADDR, __data_start, end - data);

    seL4_UserContext regs = {0};
    regs.pc = (seL4_Word)case_entry;
    regs.sp = (seL4_Word)&case_stack[sizeof case_stack];
    regs.a0 = index;
    regs.tp = ipc;
    return !seL4_TCB_Configure(case_tcb, report_ep, ROOT, 0, case_vspace, 0, ipc, ipc_frame) &&
           !seL4_TCB_SetSchedParams(case_tcb, seL4_CapInitThreadTCB, 255, KTEST_PRIO) &&
           /* on the root's hart, as seL4 would start it, whatever the policy's placement */
           !schedlab_set_affinity_mask(case_tcb, 1ull << schedlab_hart_id()) &&
           !seL4_TCB_WriteRegisters(case_tcb, 1, 0, 32, &regs);
}

/* Everything a case made or was given goes: its untyped's objects, then its slot window. */
static void clean_up_case(seL4_CPtr high_water)
{
    seL4_TCB_Suspend(case_tcb);
    seL4_CNode_Revoke(ROOT, case_untyped, 64);
    for (seL4_CPtr s = WINDOW_FIRST; s < high_water; s++) seL4_CNode_Delete(ROOT, s, 64);
}

static const char *fault_name(seL4_Word label)
{
    switch (label) {
    case seL4_Fault_CapFault: return "capability fault";
    case seL4_Fault_UnknownSyscall: return "unknown syscall";
    case seL4_Fault_UserException: return "user exception";
    case seL4_Fault_VMFault: return "VM fault";
    default: return "fault";
    }
}

static bool set_up(void)
{
    alloc_limit_slots(WINDOW_FIRST);
    report_ep = alloc_object(seL4_EndpointObject, 0);
    arm_ntfn = alloc_object(seL4_NotificationObject, 0);
    case_untyped = alloc_object(seL4_UntypedObject, CASE_UNTYPED_BITS);
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    timeout_ntfn = alloc_slot();
    return report_ep && arm_ntfn && case_untyped && n && timeout_ntfn &&
           !seL4_CNode_Mint(ROOT, timeout_ntfn, 64, ROOT, n, 64, seL4_AllRights, TIMEOUT_BADGE) &&
           !seL4_TCB_BindNotification(seL4_CapInitThreadTCB, n) &&
           !ktest_spawn("ktest-watchdog", 255, watchdog, 0, 0) &&
           map_tables(seL4_CapInitThreadVSpace, SCRATCH_VADDR,
                      SCRATCH_VADDR + (__executable_end - __data_start), false);
}

/* ktest.chatter_kb=N: about N KiB of console lines before the cases, more than a pipe holds, for a
 * test that how fast the host reads the console never reaches the guest (tests/qemu/
 * test_determinism.py). */
static void chatter(uint64_t kib)
{
    for (uint64_t line = 0; line < kib * 16; line++)
        printf("chatter %06lu: the host may read this console as slowly as it likes\n",
               (unsigned long)line);
}

int main(const seL4_BootInfo *bi)
{
    ktest_bootinfo = bi;
    ktest_root_ipc_buffer = seL4_GetIPCBuffer();
    uint64_t timeout_ms = schedlab_param("ktest.timeout_ms",
                                         bi->numNodes > 1 ? CASE_TIMEOUT_MS_SMP : CASE_TIMEOUT_MS);
    chatter(schedlab_param("ktest.chatter_kb", 0));
    if (schedlab_param("ktest.selfcheck", 0))
        for (const struct ktest_case *c = selfcheck; c->run; c++) cases[ncases++] = c;
    for (unsigned g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const struct ktest_case *c = groups[g]; c->run && ncases < 256; c++)
            cases[ncases++] = c;
    if (!set_up()) {
        printf("ktest: cannot set up the case processes\n");
        return 1;
    }

    int passed = 0, failed = 0;
    for (unsigned i = 0; i < ncases; i++) {
        const struct ktest_case *c = cases[i];
        current_case = i;
        uint64_t case_timeout_ms = timeout_ms * (c->timeout_scale ? c->timeout_scale : 1);
        ktest_soon_ns = case_timeout_ms * 1000000 / 2;
        if (!start_case(i)) {
            printf("    cannot build the case's process\n");
            printf("FAIL %-7s %s\n", c->group, c->name);
            failed++;
            clean_up_case(WINDOW_END);
            continue;
        }
        watch_case = i;
        watch_deadline = schedlab_now_ns() + case_timeout_ms * 1000000;
        seL4_Signal(arm_ntfn);
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(report_ep, &badge);
        seL4_Word label = seL4_MessageInfo_get_label(info);
        current_case = ~0u;
        if (label == RESULT_LABEL) {
            int line = (int)seL4_GetMR(0);
            seL4_CPtr high_water = seL4_GetMR(2);
            printf("%s %-7s %s\n", line ? "FAIL" : "ok  ", c->group, c->name);
            if (line)
                failed++;
            else
                passed++;
            clean_up_case(high_water > WINDOW_END ? WINDOW_END : high_water);
            continue;
        }
        /* a fault (the message is the fault) or the watchdog's signal (a bound wake-up) */
        if (badge == TIMEOUT_BADGE && label == 0)
            printf("    timed out after %lu ms\n", (unsigned long)case_timeout_ms);
        else
            printf("    %s at pc 0x%lx\n", fault_name(label), seL4_GetMR(0));
        printf("FAIL %-7s %s\n", c->group, c->name);
        failed++;
        clean_up_case(WINDOW_END);
    }
    if (failed || schedlab_param("ktest.dump", 0)) seL4_DebugDumpScheduler();
    printf("%d passed, %d failed\n", passed, failed);
    return failed;
}
