/* The system calls the workload engine makes, as kernel/syscall.c and the invocations it
 * dispatches handle them, on the current hart inside a kernel entry (machine.c). */
#include "sim.h"
#include <kernel/trace.h>

static struct sim_thread *tcb_of(seL4_CPtr cptr)
{
    struct sim_cap *cap = cap_lookup(cptr);
    if (cap->type != SIM_CAP_TCB) sim_panic("capability %lu is not a TCB", (unsigned long)cptr);
    return cap->object;
}

void syscall_handle(struct sim_thread *t)
{
    t->result = 0;
    switch (t->sys) {
    case SIM_SYS_CALL: ipc_send(t, cap_lookup(t->a0), true, true); break;
    case SIM_SYS_SEND: ipc_send(t, cap_lookup(t->a0), false, true); break;
    case SIM_SYS_RECV: ipc_recv(t, cap_lookup(t->a0), true); break;
    case SIM_SYS_NBRECV: ipc_recv(t, cap_lookup(t->a0), false); break;
    case SIM_SYS_REPLY: ipc_reply(t); break;
    case SIM_SYS_YIELD: sched_yield(); break;
    case SIM_SYS_TCB_RESUME: {
        struct sim_thread *target = tcb_of(t->a0);
        if (target->state == SIM_INACTIVE) thread_wake(target, t, TRACE_WAKE_RESUME);
        break;
    }
    case SIM_SYS_TCB_SET_AFFINITY:
        if (t->a1 >= nharts) {
            t->result = seL4_InvalidArgument;
            break;
        }
        sched_set_affinity(&tcb_of(t->a0)->sched, hartmask_one((unsigned)t->a1));
        break;
    case SIM_SYS_SET_AFFINITY_MASK: {
        /* the kernel's rule (tcb.c) for harts 0..63; all ones also names every hart past 63 */
        struct hartmask mask =
            t->a1 == ~0ull ? hartmask_first_n(nharts)
                           : hartmask_and(hartmask_from_word(t->a1), hartmask_first_n(nharts));
        if (hartmask_empty(&mask)) {
            t->result = seL4_InvalidArgument;
            break;
        }
        sched_set_affinity(&tcb_of(t->a0)->sched, mask);
        break;
    }
    case SIM_SYS_MARKER:
        trace_emit(TRACE_MARKER, (uint16_t)t->a0, t->sched.tid, 0, 0, t->a1);
        break;
    case SIM_SYS_CLOCK_NOW: t->result = clock_now(); break;
    case SIM_SYS_SLEEP_UNTIL:
        if (t->a0 > clock_now()) sleep_until(t, t->a0);
        break;
    case SIM_SYS_SET_WORKING_SET: t->sched.working_set_bytes = t->a0; break;
    case SIM_SYS_HART_ID: t->result = sim_hart_now; break;
    case SIM_SYS_SUSPEND_SELF: thread_block(t, SIM_INACTIVE, TRACE_BLOCK_SUSPEND); break;
    }
}
