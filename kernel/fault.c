#include <kernel/fault.h>
#include <kernel/printk.h>
#include <kernel/thread.h>

static const char *fault_name(seL4_FaultType type)
{
    switch (type) {
    case seL4_Fault_CapFault: return "capability fault";
    case seL4_Fault_UnknownSyscall: return "unknown syscall";
    case seL4_Fault_UserException: return "user exception";
    case seL4_Fault_VMFault: return "VM fault";
    default: return "fault";
    }
}

/* Fault delivery to a handler endpoint arrives with the rest of the fault model (issue 3);
 * until then every fault is handled as seL4 handles a thread without a fault handler: the
 * thread stops, the rest of the system goes on, and the console says why. */
void handle_fault(struct tcb *t, const struct fault *f)
{
    printk("thread %u (%s): %s, pc 0x%lx, details 0x%lx 0x%lx: no fault handler, thread stopped\n",
           t->tid, t->name[0] ? t->name : "unnamed", fault_name(f->type),
           (unsigned long)t->ctx.regs[REG_FAULT_IP], (unsigned long)f->words[0],
           (unsigned long)f->words[1]);
    thread_block(t, THREAD_INACTIVE, NULL, TRACE_BLOCK_SUSPEND);
}
