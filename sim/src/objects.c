/*
 * Capabilities, endpoints and notifications, with seL4's (non-MCS) rules as kernel/endpoint.c
 * and kernel/notification.c implement them: an endpoint queues senders or receivers in FIFO
 * order; a Call blocks the caller on its reply and gives the receiver a one-shot reply
 * capability; a notification holds one pending word that signals OR into, or a FIFO of waiters.
 * The trace records (IPC, WAKEUP, BLOCK) come in the kernel's order.
 */
#include "sim.h"
#include <kernel/trace.h>
#include <schedlab/alloc.h>
#include <stdlib.h>
#include <string.h>

struct queue {
    struct sim_thread *head, *tail;
};

struct endpoint {
    struct queue q;
    bool receivers; /* the queue holds receivers (else senders, if any) */
};

struct notification {
    struct queue q; /* waiters */
    seL4_Word word;
    bool active; /* a signal is pending in word */
};

static struct sim_cap *caps;
static seL4_CPtr ncaps, caps_capacity;

static void queue_append(struct queue *q, struct sim_thread *t)
{
    t->queue_next = NULL;
    if (q->tail)
        q->tail->queue_next = t;
    else
        q->head = t;
    q->tail = t;
}

static struct sim_thread *queue_pop(struct queue *q)
{
    struct sim_thread *t = q->head;
    q->head = t->queue_next;
    if (!q->head) q->tail = NULL;
    t->queue_next = NULL;
    return t;
}

/* Slot 0 is the null capability: cptr 0 never names an object. */
seL4_CPtr alloc_slot(void)
{
    if (ncaps == 0) ncaps = 1;
    if (ncaps >= caps_capacity) {
        caps_capacity = caps_capacity ? caps_capacity * 2 : 256;
        caps = realloc(caps, caps_capacity * sizeof *caps);
        if (!caps) sim_panic("out of host memory for capabilities");
    }
    caps[ncaps] = (struct sim_cap){SIM_CAP_NULL, NULL, 0};
    return ncaps++;
}

seL4_CPtr cap_new(enum sim_cap_type type, void *object)
{
    seL4_CPtr slot = alloc_slot();
    caps[slot] = (struct sim_cap){type, object, 0};
    return slot;
}

seL4_CPtr alloc_object(seL4_Word type, seL4_Word size_bits)
{
    (void)size_bits;
    if (type == seL4_EndpointObject)
        return cap_new(SIM_CAP_ENDPOINT, calloc(1, sizeof(struct endpoint)));
    if (type == seL4_NotificationObject)
        return cap_new(SIM_CAP_NOTIFICATION, calloc(1, sizeof(struct notification)));
    sim_panic("object type %lu is not modelled", (unsigned long)type);
}

seL4_Error sim_cap_mint(seL4_CPtr dest, seL4_CPtr src, seL4_Word badge)
{
    if (!dest || dest >= ncaps || !src || src >= ncaps) return seL4_FailedLookup;
    caps[dest] = caps[src];
    caps[dest].badge = badge;
    return seL4_NoError;
}

struct sim_cap *cap_lookup(seL4_CPtr cptr)
{
    if (!cptr || cptr >= ncaps || caps[cptr].type == SIM_CAP_NULL)
        sim_panic("a system call names capability %lu, which is empty", (unsigned long)cptr);
    return &caps[cptr];
}

/* kernel/endpoint.c transfer_message: the message registers, badge and info, then IPC. */
static void transfer(struct sim_thread *from, struct sim_thread *to, seL4_Word info,
                     seL4_Word badge, enum trace_ipc_kind kind)
{
    seL4_Word length = seL4_MessageInfo_get_length((seL4_MessageInfo_t){{info}});
    if (length > seL4_MsgMaxLength) length = seL4_MsgMaxLength;
    memcpy(to->mr, from->mr, length * sizeof(seL4_Word));
    to->badge = badge;
    to->result =
        seL4_MessageInfo_new(seL4_MessageInfo_get_label((seL4_MessageInfo_t){{info}}), 0, 0, length)
            .words[0];
    trace_emit(TRACE_IPC, kind, from->sched.tid, to->sched.tid, (uint32_t)length, badge);
}

static void notification_signal(struct notification *n, seL4_Word badge, struct sim_thread *by)
{
    if (n->q.head) {
        struct sim_thread *t = queue_pop(&n->q);
        t->badge = badge;
        thread_wake(t, by, TRACE_WAKE_NOTIFICATION);
    } else {
        n->word |= badge;
        n->active = true;
    }
}

/*
 * kernel/fastpath.c fastpath_call: a Call whose short message (no caps) finds a receiver waiting
 * switches to it directly, without the scheduler's queues, when the core agrees that it may run
 * at once on this hart (sched_may_switch_directly, with the policy's policy_may_switch_directly),
 * and sched_switch_directly switches; the exit is kernel_exit_switched's (machine.c).
 * The records and the outcome are the slow path's; the kernel paths are not, so the entry's
 * path costs are keyed CALL_FAST. The workloads' caps carry every right and their servers'
 * reply slots are empty at a receive (ipc_recv), so those conditions of the kernel's hold here.
 */
static bool fastpath_call(struct sim_thread *caller, struct endpoint *ep, seL4_Word badge)
{
    seL4_MessageInfo_t info = {{caller->a1}};
    struct sim_thread *server = ep->q.head;
    if (seL4_MessageInfo_get_length(info) > SIM_FASTPATH_MESSAGE_WORDS ||
        seL4_MessageInfo_get_extraCaps(info) || server->reply_to ||
        !sched_may_switch_directly(sim_hart_now, &caller->sched, &server->sched, nharts == 1))
        return false;
    sim_harts[sim_hart_now].path_entry = SIM_ENTRY_CALL_FAST;
    queue_pop(&ep->q);
    transfer(caller, server, caller->a1, badge, TRACE_IPC_ENDPOINT);
    /* the fastpath's wake_directly and block_directly: the states and the records only */
    server->state = SIM_RUNNABLE;
    trace_emit(TRACE_WAKEUP, server->sched.hart, server->sched.tid, caller->sched.tid,
               TRACE_WAKE_IPC, 0);
    caller->state = SIM_BLOCKED_REPLY;
    trace_emit(TRACE_BLOCK, TRACE_BLOCK_REPLY, caller->sched.tid, 0, 0, 0);
    server->reply_to = caller;
    struct sim_hart *h = &sim_harts[sim_hart_now];
    h->switched_slice_end =
        sched_switch_directly(sim_hart_now, &caller->sched, &server->sched, clock_now());
    h->switched_directly = true;
    return true;
}

void ipc_send(struct sim_thread *t, struct sim_cap *cap, bool call, bool blocking)
{
    if (cap->type == SIM_CAP_NOTIFICATION && !call) {
        sim_harts[sim_hart_now].path_signal = true;
        notification_signal(cap->object, cap->badge, t);
        return;
    }
    if (cap->type != SIM_CAP_ENDPOINT) sim_panic("tid %u sends to a non-endpoint", t->sched.tid);
    struct endpoint *ep = cap->object;
    if (!(ep->receivers && ep->q.head)) {
        if (!blocking) return;
        t->send_badge = cap->badge;
        t->send_info = t->a1;
        t->send_is_call = call;
        thread_block(t, SIM_BLOCKED_SEND, TRACE_BLOCK_SEND);
        ep->receivers = false;
        queue_append(&ep->q, t);
        return;
    }
    if (call && fastpath_call(t, ep, cap->badge)) return;
    struct sim_thread *receiver = queue_pop(&ep->q);
    transfer(t, receiver, t->a1, cap->badge, TRACE_IPC_ENDPOINT);
    thread_wake(receiver, t, TRACE_WAKE_IPC);
    if (call) {
        receiver->reply_to = t;
        thread_block(t, SIM_BLOCKED_REPLY, TRACE_BLOCK_REPLY);
    }
}

void ipc_recv(struct sim_thread *t, struct sim_cap *cap, bool blocking)
{
    if (cap->type == SIM_CAP_NOTIFICATION) {
        struct notification *n = cap->object;
        t->result = 0;
        if (n->active) {
            t->badge = n->word;
            n->word = 0;
            n->active = false;
        } else if (!blocking) {
            t->badge = 0;
        } else {
            thread_block(t, SIM_BLOCKED_NOTIFICATION, TRACE_BLOCK_NOTIFICATION);
            queue_append(&n->q, t);
        }
        return;
    }
    if (cap->type != SIM_CAP_ENDPOINT) sim_panic("tid %u receives on a non-endpoint", t->sched.tid);
    struct endpoint *ep = cap->object;
    t->reply_to = NULL; /* seL4 deletes the caller cap a receive would overwrite */
    if (ep->receivers || !ep->q.head) {
        if (!blocking) {
            t->badge = 0;
            return;
        }
        thread_block(t, SIM_BLOCKED_RECV, TRACE_BLOCK_RECV);
        ep->receivers = true;
        queue_append(&ep->q, t);
        return;
    }
    struct sim_thread *sender = queue_pop(&ep->q);
    transfer(sender, t, sender->send_info, sender->send_badge, TRACE_IPC_ENDPOINT);
    if (sender->send_is_call) {
        t->reply_to = sender;
        thread_block(sender, SIM_BLOCKED_REPLY, TRACE_BLOCK_REPLY);
    } else {
        thread_wake(sender, t, TRACE_WAKE_IPC);
    }
}

void ipc_reply(struct sim_thread *t)
{
    struct sim_thread *caller = t->reply_to;
    t->reply_to = NULL;
    if (!caller || caller->state != SIM_BLOCKED_REPLY) return;
    transfer(t, caller, t->a1, 0, TRACE_IPC_REPLY);
    thread_wake(caller, t, TRACE_WAKE_IPC);
}
