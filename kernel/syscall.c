/* System call dispatch: seL4's eight syscalls, its debug calls, and SchedLab's extensions. */
#include <arch/arch.h>
#include <kernel/entry.h>
#include <kernel/debug.h>
#include <kernel/fault.h>
#include <kernel/hart.h>
#include <kernel/invariants.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/sleep.h>
#include <kernel/thread.h>
#include <kernel/trace.h>
#include <kernel/vspace.h>
#include <schedlab/extensions.h>
#include <sel4/syscalls.h>

static void cap_fault(struct tcb *t, word_t cptr, bool in_receive, struct lookup_fault lookup)
{
    struct fault f = fault_cap(cptr, in_receive, lookup);
    handle_fault(t, &f);
}

static void reply_from_kernel(struct tcb *t, seL4_Error error, word_t length)
{
    t->ctx.regs[REG_BADGE] = 0;
    t->ctx.regs[REG_INFO] = seL4_MessageInfo_new(error, 0, 0, length).words[0];
}

static seL4_Error decode_invocation(struct invocation *inv, struct syscall_error *err)
{
    switch (cap_type(inv->cap)) {
    case CAP_UNTYPED: return decode_untyped(inv, err);
    case CAP_THREAD: return decode_tcb(inv, err);
    case CAP_CNODE: return decode_cnode(inv, err);
    case CAP_DOMAIN: return decode_domain(inv, err);
    case CAP_PAGE_TABLE: return decode_page_table(inv, err);
    case CAP_FRAME: return decode_frame(inv, err);
    case CAP_ASID_CONTROL: return decode_asid_control(inv, err);
    case CAP_ASID_POOL: return decode_asid_pool(inv, err);
    case CAP_IRQ_CONTROL: return decode_irq_control(inv, err);
    case CAP_IRQ_HANDLER: return decode_irq_handler(inv, err);
    default: return error_invalid_cap(err, 0);
    }
}

/* Send, Call and Signal on an endpoint or notification cap, and a Send on a reply cap: they read
 * their message in the transfer, so they need no decoded invocation. */
static void invoke_ipc_object(struct tcb *t, struct cte *slot, bool is_call, bool blocking)
{
    struct syscall_error err = {0};
    seL4_Error result = seL4_NoError;
    struct cap c = slot->cap;
    switch (cap_type(c)) {
    case CAP_ENDPOINT:
        if (!cap_can_send(c))
            result = error_invalid_cap(&err, 0);
        else
            endpoint_send(t, c, blocking, is_call);
        break;
    case CAP_NOTIFICATION:
        if (!cap_can_send(c))
            result = error_invalid_cap(&err, 0);
        else
            notification_signal(cap_ptr(c), cap_badge(c), t);
        if (is_call && result == seL4_NoError) reply_from_kernel(t, seL4_NoError, 0);
        break;
    default: /* CAP_REPLY */
        if (cap_reply_master(c))
            result = error_invalid_cap(&err, 0);
        else
            reply_transfer(t, slot);
        if (is_call && result == seL4_NoError) reply_from_kernel(t, seL4_NoError, 0);
        break;
    }
    if (result != seL4_NoError && is_call) reply_from_kernel(t, result, write_error_reply(t, &err));
}

static void handle_invocation(struct tcb *t, bool is_call, bool blocking)
{
    seL4_MessageInfo_t info = thread_msg_info(t);
    word_t cptr = t->ctx.regs[REG_CAP];
    struct lookup_fault lookup;
    struct cte *slot;
    if (!lookup_slot(t, cptr, &slot, &lookup)) {
        if (blocking) cap_fault(t, cptr, false, lookup);
        return;
    }
    unsigned nextra = (unsigned)seL4_MessageInfo_get_extraCaps(info);
    enum cap_type type = cap_type(slot->cap);
    bool ipc_object = type == CAP_ENDPOINT || type == CAP_NOTIFICATION || type == CAP_REPLY;
    /* the common Signal and Send name no extra caps: no invocation to build, no IPC buffer */
    if (ipc_object && !nextra) {
        invoke_ipc_object(t, slot, is_call, blocking);
        return;
    }
    struct invocation inv = {
        .caller = t,
        .label = seL4_MessageInfo_get_label(info),
        .length = MIN(seL4_MessageInfo_get_length(info), (word_t)seL4_MsgMaxLength),
        .buffer = thread_ipc_buffer(t, false),
        .slot = slot,
        .cap = slot->cap,
        .nextra = nextra,
    };
    if (!inv.buffer) {
        inv.length = MIN(inv.length, (word_t)ARCH_MSG_REGISTERS);
        inv.nextra = 0;
    }
    /* seL4 looks the extra caps up for every invocation: a missing one faults the caller */
    for (unsigned i = 0; i < inv.nextra; i++) {
        word_t extra = inv.buffer[seL4_MsgMaxLength + 2 + i];
        if (!lookup_slot(t, extra, &inv.extra[i], &lookup)) {
            if (blocking) cap_fault(t, extra, false, lookup);
            return;
        }
    }
    if (ipc_object) {
        invoke_ipc_object(t, slot, is_call, blocking);
        return;
    }

    struct syscall_error err = {0};
    invariants_caps_changed();
    seL4_Error result = decode_invocation(&inv, &err);
    /* seL4 holds the caller in Restart during its invocation, then replies if it still is: a
     * caller stopped and restarted within it (CopyRegisters suspending and resuming itself)
     * completes the call; one that stopped itself (Suspend) gets no reply, its registers still
     * hold the call, and it makes it again when resumed */
    if (t->state == THREAD_RESTART) t->state = THREAD_RUNNING;
    if (is_call && result == seL4_NoError && t->state == THREAD_RUNNING)
        reply_from_kernel(t, seL4_NoError, inv.reply_length);
    if (result == KERNEL_PREEMPTED) {
        /* it stopped at a preemption point: the thread executes the system call again once the
         * interrupt is handled, and it carries on where its objects say */
        if (t->state == THREAD_RUNNING) t->ctx.regs[REG_NEXT_IP] = t->ctx.regs[REG_FAULT_IP];
        return;
    }
    if (result != seL4_NoError && is_call) reply_from_kernel(t, result, write_error_reply(t, &err));
}

static void handle_receive(struct tcb *t, bool blocking)
{
    word_t cptr = t->ctx.regs[REG_CAP];
    struct lookup_fault lookup;
    struct cte *slot;
    if (!lookup_slot(t, cptr, &slot, &lookup)) {
        cap_fault(t, cptr, true, lookup);
        return;
    }
    struct cap c = slot->cap;
    struct lookup_fault missing = {.type = seL4_MissingCapability, .bits_left = 0};
    if (cap_type(c) == CAP_ENDPOINT && cap_can_receive(c)) {
        endpoint_receive(t, c, blocking);
    } else if (cap_type(c) == CAP_NOTIFICATION && cap_can_receive(c)) {
        struct notification *n = cap_ptr(c);
        struct tcb *bound = ntfn_bound(n);
        if (bound && bound != t)
            cap_fault(t, cptr, true, missing);
        else
            notification_receive(t, c, blocking);
    } else {
        cap_fault(t, cptr, true, missing);
    }
}

static void handle_reply(struct tcb *t)
{
    struct cte *caller = &t->slots[TCB_CALLER];
    if (cap_type(caller->cap) == CAP_REPLY) reply_transfer(t, caller);
}

#if SCHEDLAB_DEBUG_SYSCALLS
static void debug_name_thread(struct tcb *t)
{
    struct lookup_fault lookup;
    struct cte *slot;
    word_t *buffer = thread_ipc_buffer(t, false);
    if (!buffer || !lookup_slot(t, t->ctx.regs[REG_ARG0], &slot, &lookup) ||
        cap_type(slot->cap) != CAP_THREAD)
        return;
    struct tcb *target = cap_ptr(slot->cap);
    const char *name = (const char *)&buffer[1];
    size_t n = 0;
    /* a name is for display (the console, dumps, the trace): a byte that is not printable ASCII
     * is kept as '?', so that no program's control bytes or broken text reach them */
    for (; n + 1 < sizeof target->name && name[n]; n++)
        target->name[n] = name[n] >= 0x20 && name[n] < 0x7f ? name[n] : '?';
    target->name[n] = 0;
    trace_thread_name(target->tid, target->name);
}
#endif

static void unknown_syscall(struct tcb *t, int64_t number)
{
    struct fault f = {.type = seL4_Fault_UnknownSyscall, .words = {(word_t)number}};
    handle_fault(t, &f);
}

void kernel_handle_syscall(int64_t number)
{
    struct tcb *t = current_thread();
    switch (number) {
    /* Call and ReplyRecv come here when their fastpath did not take them */
    case seL4_SysCall: handle_invocation(t, true, true); break;
    case seL4_SysSend: handle_invocation(t, false, true); break;
    case seL4_SysNBSend: handle_invocation(t, false, false); break;
    case seL4_SysRecv: handle_receive(t, true); break;
    case seL4_SysNBRecv: handle_receive(t, false); break;
    case seL4_SysReply: handle_reply(t); break;
    case seL4_SysReplyRecv:
        handle_reply(t);
        handle_receive(t, true);
        break;
    case seL4_SysYield: sched_yield(); break;
#if SCHEDLAB_DEBUG_SYSCALLS
    case seL4_SysDebugPutChar: arch_console_putc((char)t->ctx.regs[REG_ARG0]); break;
    case seL4_SysDebugHalt: kernel_halt(0);
    case seL4_SysDebugNameThread: debug_name_thread(t); break;
    case seL4_SysDebugDumpScheduler: debug_dump_threads(); break;
    case seL4_SysDebugCapIdentify: {
        struct cte *slot;
        struct lookup_fault lookup;
        bool found = lookup_slot(t, t->ctx.regs[REG_ARG0], &slot, &lookup);
        t->ctx.regs[REG_ARG0] = found ? cap_type(slot->cap) : CAP_NULL;
        break;
    }
#endif
    case SchedLab_SysTraceMarker:
        trace_emit(TRACE_MARKER, (uint16_t)t->ctx.regs[REG_ARG0], t->tid, 0, 0,
                   t->ctx.regs[REG_ARG1]);
        break;
    case SchedLab_SysSleepUntil:
        if (t->ctx.regs[REG_ARG0] > clock_now()) sleep_until(t, t->ctx.regs[REG_ARG0]);
        break;
    case SchedLab_SysHalt: kernel_halt((int)t->ctx.regs[REG_ARG0]);
    case SchedLab_SysClockNow: t->ctx.regs[REG_ARG0] = clock_now(); break;
    case SchedLab_SysSetAffinityMask:
        t->ctx.regs[REG_ARG0] =
            tcb_set_affinity_mask(t, t->ctx.regs[REG_ARG0], t->ctx.regs[REG_ARG1]);
        break;
    case SchedLab_SysSetWorkingSet: t->sched.working_set_bytes = t->ctx.regs[REG_ARG0]; break;
    case SchedLab_SysHartId: t->ctx.regs[REG_ARG0] = this_hart_id(); break;
    default: unknown_syscall(t, number); break;
    }
}
