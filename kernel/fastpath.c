/*
 * The IPC fastpath (DESIGN §3.5), as in seL4's fastpath_call and fastpath_reply_recv: a Call or a
 * ReplyRecv whose message is short, carries no caps and no fault, on an endpoint in the right
 * state, to a thread that may run at once on this hart in a valid VSpace, switches to that thread
 * directly: no scheduler queues, no generic transfer, no decision at the exit. The trap entry
 * (arch trap.S) jumps here for these two system calls before the generic dispatch; anything else
 * goes to that dispatch (slow_path), having changed nothing.
 *
 * What it leaves is exactly what the slow path leaves: the same message registers, badge and
 * info, thread states, endpoint queue, caller cap, charged time and slice, policy state (the
 * policy agrees to the switch: policy_may_switch_directly, policy_switched_directly) and trace
 * records in the same order.
 */
#include <kernel/cdt.h>
#include <kernel/cspace.h>
#include <kernel/enter.h>
#include <kernel/entry.h>
#include <kernel/fastpath.h>
#include <kernel/invariants.h>
#include <kernel/ipc.h>
#include <kernel/thread.h>
#include <kernel/trace.h>
#include <kernel/fault.h>
#include <kernel/vspace.h>
#include <sel4/syscalls.h>

/* A message that travels in registers alone: no IPC buffer, no caps. */
static bool short_message(seL4_MessageInfo_t info)
{
    return seL4_MessageInfo_get_length(info) <= ARCH_MSG_REGISTERS &&
           !seL4_MessageInfo_get_extraCaps(info);
}

/* The endpoint cap `cptr` names in t's CSpace, if t may `receive` (or else send) on it. */
static ALWAYS_INLINE struct endpoint *endpoint_cap(struct tcb *t, word_t cptr, bool receive,
                                                   struct cap *cap)
{
    struct cte *slot = lookup_slot_one_level(t->slots[TCB_CTABLE].cap, cptr);
    struct lookup_fault lookup;
    if (!slot && !lookup_slot(t, cptr, &slot, &lookup)) return NULL;
    *cap = slot->cap;
    if (cap_type(*cap) != CAP_ENDPOINT) return NULL;
    if (receive ? !cap_can_receive(*cap) : !cap_can_send(*cap)) return NULL;
    return cap_ptr(*cap);
}

/* `from` is about to wake `to` and block itself: may it switch to `to` now, which may run at once
 * here in a valid VSpace? */
static ALWAYS_INLINE bool may_switch_to(struct tcb *from, struct tcb *to)
{
    return sched_may_switch_directly(this_hart_id(), &from->sched, &to->sched) && vspace_valid(to);
}

/* Trace records a direct switch makes, whose room is checked once: the message, the wakeup, the
 * block and the switch (written unchecked), and the one a policy may make in
 * policy_switched_directly (tstune's slice; a checked record, so without its slot here it could
 * take the switch's and the switch would be written past the buffer's end). No flush happens
 * inside the switch. */
#define FASTPATH_RECORDS 5

/* The system call, which the fastpath does not take, through the generic dispatch. */
static __attribute__((noinline)) _Noreturn void slow_path(int64_t number)
{
    kernel_handle_syscall(number);
    kernel_exit();
}

/* The trap's start, as arch_handle_trap's for a system call: the lock, the stall check, the return
 * address past the call. Returns the thread making the call. */
static ALWAYS_INLINE struct tcb *enter(struct arch_context *ctx)
{
    kernel_enter();
    if (!kernel_trap_proceeds()) kernel_exit();
    arch_syscall_return_past(ctx);
    /* room for the records it makes itself (the switch's is the scheduler's): else the slow path,
     * which flushes a full buffer as every record does */
    if (!trace_has_room(FASTPATH_RECORDS)) slow_path((int64_t)ctx->regs[REG_SYSCALL]);
    return tcb_of_context(ctx);
}

/* The message registers, badge and info of a short message (transfer_message's result). */
static ALWAYS_INLINE void transfer_registers(uint64_t at, struct tcb *from, struct tcb *to,
                                             seL4_MessageInfo_t info, word_t badge, uint16_t kind)
{
    word_t length = seL4_MessageInfo_get_length(info);
    for (unsigned i = 0; i < length; i++) to->ctx.regs[REG_MR0 + i] = from->ctx.regs[REG_MR0 + i];
    to->ctx.regs[REG_BADGE] = badge;
    to->ctx.regs[REG_INFO] =
        seL4_MessageInfo_new(seL4_MessageInfo_get_label(info), 0, 0, length).words[0];
    trace_emit_reserved_at(at, TRACE_IPC, kind, from->tid, to->tid, (uint32_t)length, badge);
}

/* thread_wake's effect on a thread the caller switches to directly. */
static ALWAYS_INLINE void wake_directly(uint64_t at, struct tcb *t, struct tcb *waker)
{
    t->state = THREAD_RUNNING;
    t->blocked_on = NULL;
    trace_emit_reserved_at(at, TRACE_WAKEUP, (uint16_t)t->sched.hart, t->tid, waker->tid,
                           TRACE_WAKE_IPC, 0);
}

/* thread_block's effect on the running thread that switches away directly. */
static ALWAYS_INLINE void block_directly(uint64_t at, struct tcb *t, enum thread_state state,
                                         void *object, enum trace_block_reason why)
{
    t->state = state;
    t->blocked_on = object;
    trace_emit_reserved_at(at, TRACE_BLOCK, why, t->tid, 0, 0, 0);
}

_Noreturn void fastpath_call(struct arch_context *ctx)
{
    struct tcb *caller = enter(ctx);
    seL4_MessageInfo_t info = thread_msg_info(caller);
    if (!short_message(info) || caller->fault.type != seL4_Fault_NullFault) slow_path(seL4_SysCall);
    struct cap cap;
    struct endpoint *ep = endpoint_cap(caller, caller->ctx.regs[REG_CAP], false, &cap);
    /* without a grant right the caller gets no reply cap and becomes inactive: slow path */
    if (!ep || ep_state(ep) != EP_RECV || !(cap_can_grant(cap) || cap_can_grant_reply(cap)))
        slow_path(seL4_SysCall);
    struct tcb *server = ep->head;
    /* its receive emptied its caller slot, which only a Call can fill */
    if (!cap_is_null(server->slots[TCB_CALLER].cap) || !may_switch_to(caller, server))
        slow_path(seL4_SysCall);

    uint64_t at = trace_now();
    tcb_queue_remove(&ep->head, &ep->tail, server);
    transfer_registers(at, caller, server, info, cap_badge(cap), TRACE_IPC_ENDPOINT);
    wake_directly(at, server, caller);
    block_directly(at, caller, THREAD_BLOCKED_ON_REPLY, NULL, TRACE_BLOCK_REPLY);
    struct cap reply = cap_set_can_grant(cap_make(CAP_REPLY, caller), server->blocked_can_grant);
    cdt_insert_reply(reply, &caller->slots[TCB_REPLY], &server->slots[TCB_CALLER]);
    invariants_caps_changed();
    kernel_exit_switched(server, sched_switch_directly(&caller->sched, &server->sched));
}

_Noreturn void fastpath_reply_recv(struct arch_context *ctx)
{
    struct tcb *server = enter(ctx);
    seL4_MessageInfo_t info = thread_msg_info(server);
    struct cte *caller_slot = &server->slots[TCB_CALLER];
    if (!short_message(info) || cap_type(caller_slot->cap) != CAP_REPLY)
        slow_path(seL4_SysReplyRecv);
    struct tcb *caller = cap_ptr(caller_slot->cap);
    if (caller->state != THREAD_BLOCKED_ON_REPLY || caller->fault.type != seL4_Fault_NullFault)
        slow_path(seL4_SysReplyRecv);
    struct cap cap;
    struct endpoint *ep = endpoint_cap(server, server->ctx.regs[REG_CAP], true, &cap);
    /* a waiting sender is received at once; a pending bound signal is taken instead */
    if (!ep || ep_state(ep) == EP_SEND) slow_path(seL4_SysReplyRecv);
    struct notification *bound = server->bound_notification;
    if ((bound && ntfn_state(bound) == NTFN_ACTIVE) || !may_switch_to(server, caller))
        slow_path(seL4_SysReplyRecv);

    uint64_t at = trace_now();
    cdt_empty_slot(caller_slot);
    transfer_registers(at, server, caller, info, 0, TRACE_IPC_REPLY);
    wake_directly(at, caller, server);
    server->blocked_can_grant = cap_can_grant(cap);
    block_directly(at, server, THREAD_BLOCKED_ON_RECEIVE, ep, TRACE_BLOCK_RECV);
    tcb_queue_append(&ep->head, &ep->tail, server);
    kernel_exit_switched(caller, sched_switch_directly(&server->sched, &caller->sched));
}
