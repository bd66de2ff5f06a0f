#include <kernel/cspace.h>
#include <kernel/fault.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/printk.h>
#include <kernel/thread.h>

static const char *fault_name(word_t type)
{
    switch (type) {
    case seL4_Fault_CapFault: return "capability fault";
    case seL4_Fault_UnknownSyscall: return "unknown syscall";
    case seL4_Fault_UserException: return "user exception";
    case seL4_Fault_VMFault: return "VM fault";
    default: return "fault";
    }
}

/* A fault handler is an endpoint cap that may send and may grant a reply. */
static bool valid_handler(struct cap c)
{
    return cap_type(c) == CAP_ENDPOINT && cap_can_send(c) &&
           (cap_can_grant(c) || cap_can_grant_reply(c));
}

void handle_fault(struct tcb *t, const struct fault *f)
{
    struct cte *slot;
    struct lookup_fault lookup;
    t->fault = *f;
    if (t->fault_ep && lookup_slot(t, t->fault_ep, &slot, &lookup) && valid_handler(slot->cap)) {
        /* the handler always gets a reply cap: the call is made with GrantReply */
        struct cap handler = cap_set_can_grant_reply(slot->cap, true);
        endpoint_send(t, handler, true, true);
        return;
    }
    printk("thread %u (%s): %s, pc 0x%lx, details 0x%lx 0x%lx: no fault handler, thread stopped\n",
           t->tid, t->name[0] ? t->name : "unnamed", fault_name(f->type),
           (unsigned long)t->ctx.regs[REG_FAULT_IP], (unsigned long)f->words[0],
           (unsigned long)f->words[1]);
    t->fault.type = seL4_Fault_NullFault;
    thread_block(t, THREAD_INACTIVE, NULL, TRACE_BLOCK_SUSPEND);
}

/* The registers an UnknownSyscall message carries, and a reply may set, in message order. */
static const uint8_t syscall_fault_regs[] = {REG_FAULT_IP, REG_SP, REG_RA, CTX_A0, CTX_A1,
                                             CTX_A2,       CTX_A3, CTX_A4, CTX_A5, CTX_A6};

word_t fault_write_message(struct tcb *t, struct tcb *h, word_t *buf)
{
    const struct fault *f = &t->fault;
    const word_t *r = t->ctx.regs;
    switch (f->type) {
    case seL4_Fault_CapFault: {
        set_mr(h, buf, seL4_CapFault_IP, r[REG_FAULT_IP]);
        set_mr(h, buf, seL4_CapFault_Addr, f->words[0]);
        set_mr(h, buf, seL4_CapFault_InRecvPhase, f->words[1]);
        struct lookup_fault l = {f->lookup_type, f->lookup_bits_left, f->lookup_guard_found,
                                 f->lookup_bits_found};
        return seL4_CapFault_LookupFailureType +
               write_lookup_fault(h, buf, seL4_CapFault_LookupFailureType, &l);
    }
    case seL4_Fault_UnknownSyscall: {
        for (unsigned i = 0; i < sizeof syscall_fault_regs; i++)
            set_mr(h, buf, i, r[syscall_fault_regs[i]]);
        set_mr(h, buf, seL4_UnknownSyscall_Syscall, f->words[0]);
        return seL4_UnknownSyscall_Length;
    }
    case seL4_Fault_UserException:
        set_mr(h, buf, seL4_UserException_FaultIP, r[REG_FAULT_IP]);
        set_mr(h, buf, seL4_UserException_SP, r[REG_SP]);
        set_mr(h, buf, seL4_UserException_Number, f->words[0]);
        set_mr(h, buf, seL4_UserException_Code, 0);
        return seL4_UserException_Length;
    default: /* VMFault */
        set_mr(h, buf, seL4_VMFault_IP, r[REG_FAULT_IP]);
        set_mr(h, buf, seL4_VMFault_Addr, f->words[0]);
        set_mr(h, buf, seL4_VMFault_PrefetchFault, f->words[1]);
        set_mr(h, buf, seL4_VMFault_FSR, f->words[2]);
        return seL4_VMFault_Length;
    }
}

void fault_handle_reply(struct tcb *t, struct tcb *replier, word_t label, word_t length)
{
    word_t *buf = thread_ipc_buffer(replier, false);
    bool restart = true;
    unsigned nregs = 0;
    if (t->fault.type == seL4_Fault_UnknownSyscall) {
        nregs = (unsigned)MIN(length, (word_t)sizeof syscall_fault_regs);
        restart = label == 0;
    } else if (t->fault.type == seL4_Fault_UserException) {
        nregs = (unsigned)MIN(length, (word_t)2); /* FaultIP, SP */
        restart = label == 0;
    }
    for (unsigned i = 0; i < nregs; i++)
        t->ctx.regs[syscall_fault_regs[i]] = get_mr(replier, buf, i);
    t->fault.type = seL4_Fault_NullFault;
    if (restart) {
        t->state = THREAD_RESTART;
        sched_wake(&t->sched, &replier->sched, TRACE_WAKE_IPC);
    } else {
        t->state = THREAD_INACTIVE;
    }
}
