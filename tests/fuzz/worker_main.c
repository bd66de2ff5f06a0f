/*
 * A worker's two threads. The fuzz thread picks an operation by weight, forever. The handler
 * receives the fuzz thread's faults and restarts it at worker_main, so a fault costs one message
 * and one invocation; the supervisor rebuilds a worker only when it stops making progress.
 */
#include "worker.h"

void count_reply(seL4_Word label)
{
    PAGE->replies[label < seL4_NumErrors ? label : seL4_NumErrors]++;
}

seL4_MessageInfo_t fuzz_syscall(seL4_Word sys, seL4_CPtr cptr, seL4_MessageInfo_t info,
                                seL4_Word *badge)
{
    PAGE->calls++;
    PAGE->last_syscall = sys;
    PAGE->last_cptr = cptr;
    PAGE->last_info = info.words[0];
    seL4_MessageInfo_t reply = sel4_exchange(sys, cptr, info, badge);
    if (sys == (seL4_Word)seL4_SysCall) count_reply(seL4_MessageInfo_get_label(reply));
    return reply;
}

seL4_Word fuzz_call(seL4_CPtr cptr, seL4_Word label, seL4_Word ncaps, seL4_Word length)
{
    seL4_MessageInfo_t info = seL4_MessageInfo_new(label, 0, ncaps, length);
    return seL4_MessageInfo_get_label(fuzz_syscall(seL4_SysCall, cptr, info, 0));
}

seL4_Word fuzz_identify(seL4_CPtr cptr)
{
    PAGE->calls++;
    return sel4_plain_call(seL4_SysDebugCapIdentify, cptr, 0);
}

static void op_yield(void)
{
    PAGE->calls++;
    seL4_Yield();
}

struct weighted_op {
    void (*run)(void);
    unsigned weight; /* per mille */
};

// clang-format off
static const struct weighted_op ops[] = {
    {op_invoke,         330},
    {op_invoke_random,   30},
    {op_tcb_other,       60},
    {op_retype,          60},
    {op_untyped_copies,  20},
    {op_cnode,           90},
    {op_map,             60},
    {op_touch,           20},
    {op_ipc,            220},
    {op_syscall_number,  40},
    {op_fault,           15},
    {op_yield,           50},
    {op_self_destruct,    5},
};
// clang-format on

_Noreturn void worker_main(void)
{
    seL4_SetIPCBuffer((seL4_IPCBuffer *)WORKER_IPC_VADDR);
    for (;;) {
        uint64_t r = below(1000);
        const struct weighted_op *op = ops;
        while (r >= op->weight) r -= op++->weight;
        PAGE->op = (uint64_t)(op - ops);
        op->run();
    }
}

/* pc, ra, sp: the restart also cancels what the fuzz thread waited for (and its reply cap) */
static bool restart_fuzz_thread(bool stop_first)
{
    seL4_CPtr tcb = WORKER_CPTR(WS_TCB);
    if (stop_first && seL4_TCB_Suspend(tcb) != seL4_NoError) return false;
    seL4_UserContext regs = {0};
    regs.pc = (seL4_Word)worker_main;
    regs.sp = WORKER_STACK_TOP;
    return seL4_TCB_WriteRegisters(tcb, 1, 0, 3, &regs) == seL4_NoError;
}

_Noreturn void handler_main(void)
{
    seL4_SetIPCBuffer((seL4_IPCBuffer *)HANDLER_IPC_VADDR);
    for (;;) {
        seL4_Word badge = 0;
        /* a bound-notification wake-up leaves the label register as it was: 0 from here */
        seL4_MessageInfo_t info = seL4_Recv(WORKER_CPTR(WS_HANDLER_EP), &badge);
        seL4_Word label = seL4_MessageInfo_get_label(info);
        if (badge == POKE_BADGE) {
            if (restart_fuzz_thread(true))
                PAGE->pokes++;
            else
                PAGE->restart_failures++;
            continue;
        }
        bool fault = badge == FAULT_BADGE && label >= seL4_Fault_CapFault &&
                     label < FUZZ_FAULT_KINDS && label != 4;
        if (!fault) {
            /* the fuzz thread sent to its own fault endpoint: answer a Call, go on */
            PAGE->faults[0]++;
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
            continue;
        }
        PAGE->faults[label]++;
        if (restart_fuzz_thread(false))
            PAGE->restarts++;
        else
            PAGE->restart_failures++;
    }
}
