/* The supervisor's own threads: watchdog, one IPC responder and one probe per hart. */
#include "supervisor.h"

/* the watchdog; per hart a pacer, a responder, a probe and a verifier */
#define SUP_THREADS_MAX (1 + 4 * FUZZ_MAX_WORKERS)
#define SUP_STACK_WORDS (4096 / 8)

static seL4_IPCBuffer ipc_buffers[SUP_THREADS_MAX];
static uint64_t stacks[SUP_THREADS_MAX][SUP_STACK_WORDS] __attribute__((aligned(16)));
static unsigned used;

static seL4_UserContext entry_context(const struct sup_thread *t, sup_thread_fn fn, seL4_Word arg)
{
    seL4_UserContext regs = {0};
    regs.pc = (seL4_Word)fn;
    regs.sp = t->stack_top;
    regs.a0 = arg;
    regs.tp = (seL4_Word)t->ipc;
    return regs;
}

bool sup_thread_start(struct sup_thread *t, const char *name, sup_thread_fn fn, seL4_Word arg,
                      seL4_Word prio, unsigned hart, seL4_CPtr fault_ep)
{
    if (used == SUP_THREADS_MAX) return false;
    unsigned i = used++;
    t->tcb = alloc_object(seL4_TCBObject, 0);
    t->ipc = &ipc_buffers[i];
    t->stack_top = (seL4_Word)&stacks[i][SUP_STACK_WORDS];
    if (!t->tcb) return false;
    seL4_UserContext regs = entry_context(t, fn, arg);
    seL4_DebugNameThread(t->tcb, name);
    return !seL4_TCB_Configure(t->tcb, fault_ep, ROOT, 0, seL4_CapInitThreadVSpace, 0,
                               (seL4_Word)t->ipc, image_frame_cap(t->ipc)) &&
           !seL4_TCB_SetSchedParams(t->tcb, seL4_CapInitThreadTCB, prio, prio) &&
           !schedlab_set_affinity_mask(t->tcb, 1ull << hart) &&
           !seL4_TCB_WriteRegisters(t->tcb, 1, 0, 32, &regs);
}

seL4_Error sup_thread_restart(const struct sup_thread *t, sup_thread_fn fn, seL4_Word arg)
{
    seL4_UserContext regs = entry_context(t, fn, arg);
    return seL4_TCB_WriteRegisters(t->tcb, 1, 0, 32, &regs);
}
