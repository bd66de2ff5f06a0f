#include <kernel/invariants.h>
#include <kernel/ipc.h>
#include <kernel/trace.h>
#include <kernel/cspace.h>
#include <kernel/cdt.h>
#include <kernel/fault.h>
#include <kernel/thread.h>

/* IPC buffer words the kernel reads for capability transfer (ABI sheet §4). */
#define BUFFER_CAPS_OR_BADGES (1 + seL4_MsgMaxLength + 1)
#define BUFFER_RECEIVE_CNODE  (BUFFER_CAPS_OR_BADGES + seL4_MsgMaxExtraCaps)

/* The empty slot the receiver named in its IPC buffer for a capability, or NULL. */
static struct cte *receive_slot(struct tcb *receiver, const word_t *buffer)
{
    struct cte *cnode, *slot;
    struct lookup_fault lookup;
    struct syscall_error err;
    if (!lookup_slot(receiver, buffer[BUFFER_RECEIVE_CNODE], &cnode, &lookup)) return NULL;
    if (lookup_target_slot(cnode->cap, buffer[BUFFER_RECEIVE_CNODE + 1],
                           buffer[BUFFER_RECEIVE_CNODE + 2], &slot, false, &err))
        return NULL;
    return cap_is_null(slot->cap) ? slot : NULL;
}

/* seL4 transferCaps: caps to the endpoint the message travels on arrive as their badges
 * ("unwrapped"); at most one other cap is derived into the receive slot, and the first one that
 * cannot be stops the transfer. Returns the received info's extraCaps and capsUnwrapped. */
static seL4_MessageInfo_t transfer_caps(struct tcb *sender, const word_t *sbuf,
                                        struct tcb *receiver, word_t *rbuf,
                                        const struct endpoint *ep, seL4_MessageInfo_t info)
{
    word_t n = seL4_MessageInfo_get_extraCaps(info), unwrapped = 0, i;
    struct cte *dest = receive_slot(receiver, rbuf);
    for (i = 0; i < n; i++) {
        struct cte *src;
        struct lookup_fault lookup;
        if (!lookup_slot(sender, sbuf[BUFFER_CAPS_OR_BADGES + i], &src, &lookup)) break;
        struct cap c = src->cap;
        if (cap_type(c) == CAP_ENDPOINT && ep && cap_ptr(c) == ep) {
            rbuf[BUFFER_CAPS_OR_BADGES + i] = cap_badge(c);
            unwrapped |= BIT(i);
            continue;
        }
        struct cap derived;
        struct syscall_error err;
        if (!dest || cap_derive(src, c, &derived, &err) || cap_is_null(derived)) break;
        cdt_insert(derived, src, dest);
        invariants_caps_changed();
        dest = NULL;
    }
    return seL4_MessageInfo_new(0, unwrapped, i, 0);
}

/* Copy the message (label, length, MRs, and with `grant` its caps) from sender to receiver and
 * deliver the badge. The receiver sees the length actually copied: at most 4 MRs when either
 * side lacks an IPC buffer. */
static void transfer_message(struct tcb *sender, struct tcb *receiver, word_t badge, bool grant,
                             const struct endpoint *ep)
{
    if (sender->fault.type != seL4_Fault_NullFault) {
        /* a faulting thread's "message" is its fault, labelled with the fault type */
        word_t length = fault_write_message(sender, receiver, thread_ipc_buffer(receiver, true));
        receiver->ctx.regs[REG_BADGE] = badge;
        receiver->ctx.regs[REG_INFO] =
            seL4_MessageInfo_new(sender->fault.type, 0, 0, length).words[0];
        trace_emit(TRACE_IPC, TRACE_IPC_FAULT, sender->tid, receiver->tid, (uint32_t)length, badge);
        return;
    }
    seL4_MessageInfo_t info = thread_msg_info(sender);
    word_t length = MIN(seL4_MessageInfo_get_length(info), (word_t)seL4_MsgMaxLength);
    word_t *sbuf = thread_ipc_buffer(sender, false);
    word_t *rbuf = thread_ipc_buffer(receiver, true);
    if (!sbuf || !rbuf) length = MIN(length, (word_t)ARCH_MSG_REGISTERS);
    for (unsigned i = 0; i < length; i++) set_mr(receiver, rbuf, i, get_mr(sender, sbuf, i));
    seL4_MessageInfo_t caps = seL4_MessageInfo_new(0, 0, 0, 0);
    if (grant && sbuf && rbuf && seL4_MessageInfo_get_extraCaps(info))
        caps = transfer_caps(sender, sbuf, receiver, rbuf, ep, info);
    receiver->ctx.regs[REG_BADGE] = badge;
    receiver->ctx.regs[REG_INFO] =
        seL4_MessageInfo_new(seL4_MessageInfo_get_label(info),
                             seL4_MessageInfo_get_capsUnwrapped(caps),
                             seL4_MessageInfo_get_extraCaps(caps), length)
            .words[0];
    trace_emit(TRACE_IPC, ep ? TRACE_IPC_ENDPOINT : TRACE_IPC_REPLY, sender->tid, receiver->tid,
               (uint32_t)length, badge);
}

/* A reply cap names no object to destroy (seL4 finalises reply caps to nothing): deleting
 * one is just unlinking it, which keeps the IPC path free of the general deletion walk. */
static void delete_reply_cap(struct cte *slot)
{
    if (!cap_is_null(slot->cap)) cdt_empty_slot(slot);
}

static void delete_caller_cap(struct tcb *t) { delete_reply_cap(&t->slots[TCB_CALLER]); }

/* Non-MCS reply caps: the receiver of a Call gets a one-shot reply cap to the caller in its
 * caller slot, derived from the caller's reply master. */
static void setup_caller_cap(struct tcb *caller, struct tcb *receiver, bool can_grant)
{
    thread_block(caller, THREAD_BLOCKED_ON_REPLY, NULL, TRACE_BLOCK_REPLY);
    struct cte *slot = &receiver->slots[TCB_CALLER];
    delete_caller_cap(receiver);
    cdt_insert(reply_cap_to(caller, can_grant), &caller->slots[TCB_REPLY], slot);
    invariants_caps_changed();
}

static void complete_call(struct tcb *caller, struct tcb *receiver, bool can_grant,
                          bool can_grant_reply, bool receiver_can_grant)
{
    if (can_grant || can_grant_reply)
        setup_caller_cap(caller, receiver, receiver_can_grant);
    else
        thread_block(caller, THREAD_INACTIVE, NULL, TRACE_BLOCK_SUSPEND);
}

void endpoint_send(struct tcb *sender, struct cap ep_cap, bool blocking, bool is_call)
{
    struct endpoint *ep = cap_ptr(ep_cap);
    word_t badge = cap_badge(ep_cap);
    bool can_grant = cap_can_grant(ep_cap), can_grant_reply = cap_can_grant_reply(ep_cap);
    if (ep_state(ep) != EP_RECV) {
        if (!blocking) return;
        sender->blocked_badge = badge;
        sender->blocked_can_grant = can_grant;
        sender->blocked_can_grant_reply = can_grant_reply;
        sender->blocked_is_call = is_call;
        thread_block(sender, THREAD_BLOCKED_ON_SEND, ep, TRACE_BLOCK_SEND);
        tcb_queue_append(&ep->head, &ep->tail, sender);
        return;
    }
    struct tcb *receiver = ep->head;
    tcb_queue_remove(&ep->head, &ep->tail, receiver);
    transfer_message(sender, receiver, badge, can_grant, ep);
    bool receiver_can_grant = receiver->blocked_can_grant;
    thread_wake(receiver, sender, TRACE_WAKE_IPC);
    if (is_call) complete_call(sender, receiver, can_grant, can_grant_reply, receiver_can_grant);
}

void endpoint_receive(struct tcb *receiver, struct cap ep_cap, bool blocking)
{
    struct endpoint *ep = cap_ptr(ep_cap);
    delete_caller_cap(receiver);
    if (notification_take_bound_signal(receiver)) return;

    if (ep_state(ep) != EP_SEND) {
        if (!blocking) {
            receiver->ctx.regs[REG_BADGE] = 0;
            return;
        }
        receiver->blocked_can_grant = cap_can_grant(ep_cap);
        thread_block(receiver, THREAD_BLOCKED_ON_RECEIVE, ep, TRACE_BLOCK_RECV);
        tcb_queue_append(&ep->head, &ep->tail, receiver);
        return;
    }
    struct tcb *sender = ep->head;
    tcb_queue_remove(&ep->head, &ep->tail, sender);
    transfer_message(sender, receiver, sender->blocked_badge, sender->blocked_can_grant, ep);
    if (sender->blocked_is_call) {
        sender->blocked_on = NULL;
        complete_call(sender, receiver, sender->blocked_can_grant, sender->blocked_can_grant_reply,
                      cap_can_grant(ep_cap));
    } else {
        thread_wake(sender, receiver, TRACE_WAKE_IPC);
    }
}

void endpoint_cancel(struct tcb *t)
{
    struct endpoint *ep = t->blocked_on;
    tcb_queue_remove(&ep->head, &ep->tail, t);
}

void reply_transfer(struct tcb *sender, struct cte *slot)
{
    struct tcb *receiver = cap_ptr(slot->cap);
    bool grant = cap_can_grant(slot->cap);
    delete_reply_cap(slot);
    if (receiver->state != THREAD_BLOCKED_ON_REPLY) return;
    if (receiver->fault.type != seL4_Fault_NullFault) {
        seL4_MessageInfo_t info = thread_msg_info(sender);
        fault_handle_reply(receiver, sender, seL4_MessageInfo_get_label(info),
                           seL4_MessageInfo_get_length(info));
        return;
    }
    transfer_message(sender, receiver, 0, grant, NULL);
    thread_wake(receiver, sender, TRACE_WAKE_IPC);
}

/* Restart t's interrupted system call, as when seL4 cancels IPC from the object's side. */
static void restart_blocked(struct tcb *t)
{
    t->ep_next = t->ep_prev = NULL;
    t->blocked_on = NULL;
    t->state = THREAD_RESTART;
    sched_wake(&t->sched, NULL, TRACE_WAKE_RESUME);
}

void endpoint_cancel_all(struct endpoint *ep)
{
    struct tcb *t = ep->head;
    ep->head = ep->tail = NULL;
    while (t) {
        struct tcb *next = t->ep_next;
        restart_blocked(t);
        t = next;
    }
}

void endpoint_cancel_badged_sends(struct endpoint *ep, word_t badge)
{
    for (struct tcb *t = ep->head, *next; t; t = next) {
        next = t->ep_next;
        if (t->state == THREAD_BLOCKED_ON_SEND && t->blocked_badge == badge) {
            tcb_queue_remove(&ep->head, &ep->tail, t);
            restart_blocked(t);
        }
    }
}

void notification_cancel_all(struct notification *n)
{
    struct tcb *t = n->head;
    n->head = n->tail = NULL;
    while (t) {
        struct tcb *next = t->ep_next;
        restart_blocked(t);
        t = next;
    }
}
