/*
 * System call numbers of every kind, deliberate faults, loads and stores where the worker may
 * have mapped something, and the worker destroying its own TCB, CSpace or VSpace.
 */
#include "worker.h"

#include <schedlab/extensions.h>

/*
 * Numbers the fuzzer never issues: they write to the console (PutChar, DumpScheduler: random
 * text there could pass for the summary line or a panic) or stop the machine (seL4's DebugHalt,
 * SchedLab's Halt: any thread may call them, by design of the debug build).
 */
static bool excluded(int64_t number)
{
    return number == seL4_SysDebugPutChar || number == seL4_SysDebugDumpScheduler ||
           number == seL4_SysDebugHalt || number == SchedLab_SysHalt;
}

// clang-format off
static const int64_t known_numbers[] = {
    seL4_SysCall, seL4_SysReplyRecv, seL4_SysSend, seL4_SysNBSend, seL4_SysRecv, seL4_SysReply,
    seL4_SysYield, seL4_SysNBRecv, seL4_SysDebugCapIdentify, seL4_SysDebugSnapshot,
    seL4_SysDebugNameThread, -15, -16, -17, -18, -19, -20, -21, -22, -23, -24, -25, -26, -27, -28,
    -29, -30, -31, SchedLab_SysTraceMarker, SchedLab_SysSleepUntil, SchedLab_SysClockNow,
    SchedLab_SysSetAffinityMask, SchedLab_SysSetWorkingSet, SchedLab_SysHartId, -63, -71, 0, 1,
};
// clang-format on

/* An ecall with all of a0..a7 chosen. */
static void raw_syscall(seL4_Word number, const seL4_Word args[7])
{
    register seL4_Word a0 __asm__("a0") = args[0];
    register seL4_Word a1 __asm__("a1") = args[1];
    register seL4_Word a2 __asm__("a2") = args[2];
    register seL4_Word a3 __asm__("a3") = args[3];
    register seL4_Word a4 __asm__("a4") = args[4];
    register seL4_Word a5 __asm__("a5") = args[5];
    register seL4_Word a6 __asm__("a6") = args[6];
    register seL4_Word a7 __asm__("a7") = number;
    PAGE->calls++;
    __asm__ volatile("ecall"
                     : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6)
                     : "r"(a7)
                     : "memory");
}

void op_syscall_number(void)
{
    int64_t number;
    uint64_t r = below(100);
    if (r < 60)
        number = known_numbers[below(sizeof known_numbers / sizeof known_numbers[0])];
    else if (r < 85)
        number = (int64_t)between(0, 200) - 100;
    else
        number = (int64_t)rnd();
    if (excluded(number)) return;
    seL4_Word args[7];
    args[0] = percent(50) ? pick_cptr() : interesting_word();
    args[1] = percent(50) ? seL4_MessageInfo_new(below(64), 0, below(4), below(8)).words[0]
                          : interesting_word();
    for (int i = 2; i < 7; i++) args[i] = interesting_word();
    if (number == SchedLab_SysSleepUntil) {
        /* mostly a short sleep; sometimes one that never ends (the supervisor rebuilds) */
        PAGE->calls++;
        seL4_Word now = sel4_plain_call(SchedLab_SysClockNow, 0, 0);
        args[0] = percent(97) ? now + below(100000) : interesting_word();
    }
    raw_syscall((seL4_Word)number, args);
}

static seL4_Word bad_address(void)
{
    switch (below(9)) {
    case 0: return 0;
    case 1: return 8;
    case 2: return 0xffffffc080200000ull; /* the kernel */
    case 3: return seL4_UserTop;
    case 4: return (seL4_Word)worker_main;    /* text: read-only */
    case 5: return WORKER_DATA_BASE + 0x2000; /* the unmapped page below the stack */
    case 6: return PAGE->mapped_vaddr + 4096; /* maybe the next frame is not mapped */
    case 7: return WORKER_PLAY_BASE + (below(WORKER_PLAY_SIZE) & ~7ull);
    default: return rnd() & ~7ull;
    }
}

/* A fault makes the handler restart the fuzz thread at worker_main; the rest is never reached. */
void op_fault(void)
{
    seL4_Word addr = bad_address();
    seL4_Word value;
    PAGE->calls++; /* a fault is a kernel entry too */
    switch (below(10)) {
    case 0: __asm__ volatile("ld %0, 0(%1)" : "=r"(value) : "r"(addr) : "memory"); break;
    case 1: __asm__ volatile("sd zero, 0(%0)" ::"r"(addr) : "memory"); break;
    case 2: __asm__ volatile("ld %0, 1(%1)" : "=r"(value) : "r"(addr) : "memory"); break;
    case 3: __asm__ volatile(".word 0" ::: "memory"); break; /* illegal */
    case 4: __asm__ volatile("csrr %0, sstatus" : "=r"(value)::"memory"); break;
    case 5: __asm__ volatile("ebreak" ::: "memory"); break;
    case 6: __asm__ volatile(".word 0x00000053" ::: "memory"); break; /* fadd.s: FP is off */
    case 7: __asm__ volatile("wfi" ::: "memory"); break;
    case 8: __asm__ volatile("sfence.vma" ::: "memory"); break;
    default: __asm__ volatile("jr %0" ::"r"(addr) : "memory"); break;
    }
    (void)value;
}

void op_touch(void)
{
    seL4_Word addr = PAGE->mapped_vaddr + (below(4096) & ~7ull);
    if (percent(30) || addr - WORKER_PLAY_BASE >= WORKER_PLAY_SIZE)
        addr = WORKER_PLAY_BASE + (below(WORKER_PLAY_SIZE) & ~7ull);
    PAGE->calls++;
    if (percent(50))
        __asm__ volatile("ld t0, 0(%0)" ::"r"(addr) : "t0", "memory");
    else
        __asm__ volatile("sd %1, 0(%0)" ::"r"(addr), "r"(rnd()) : "memory");
}

void op_self_destruct(void)
{
    seL4_CPtr cnode = WORKER_CPTR(WS_CNODE);
    switch (below(5)) {
    case 0: /* its own TCB: the last cap unless another worker holds one */
        seL4_SetMR(0, WS_TCB);
        seL4_SetMR(1, WORKER_SLOT_DEPTH);
        fuzz_call(cnode, CNodeDelete, 0, 2);
        break;
    case 1: /* its VSpace: first every copy (the threads' own), then the cap itself */
        seL4_SetMR(0, WS_VSPACE);
        seL4_SetMR(1, WORKER_SLOT_DEPTH);
        fuzz_call(cnode, CNodeRevoke, 0, 2);
        seL4_SetMR(0, WS_VSPACE);
        seL4_SetMR(1, WORKER_SLOT_DEPTH);
        fuzz_call(cnode, CNodeDelete, 0, 2);
        break;
    case 2: /* its CSpace: a new root that holds nothing it needs */
        seL4_SetCap(0, percent(50) ? pick_cptr() : WORKER_CPTR(pick_free_slot()));
        seL4_SetCap(1, WORKER_CPTR(WS_VSPACE));
        seL4_SetMR(0, WORKER_CPTR(WS_FAULT_EP));
        seL4_SetMR(1, interesting_word());
        seL4_SetMR(2, 0);
        fuzz_call(WORKER_CPTR(WS_TCB), TCBSetSpace, 2, 3);
        break;
    case 3: /* its CNode cap, and whatever was derived from it */
        seL4_SetMR(0, WS_CNODE);
        seL4_SetMR(1, WORKER_SLOT_DEPTH);
        fuzz_call(cnode, percent(50) ? CNodeRevoke : CNodeDelete, 0, 2);
        break;
    default: fuzz_call(WORKER_CPTR(WS_TCB), TCBSuspend, 0, 0); break;
    }
}
