/* Endpoint and notification operations (seL4 non-MCS semantics, slow path). */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <kernel/object.h>

void endpoint_send(struct tcb *sender, struct cap ep_cap, bool blocking, bool is_call);
void endpoint_receive(struct tcb *receiver, struct cap ep_cap, bool blocking);
void endpoint_cancel(struct tcb *t);
/* The endpoint goes away: every queued thread restarts its system call (seL4 cancelAllIPC). */
void endpoint_cancel_all(struct endpoint *ep);
/* Queued senders whose badge is `badge` restart (seL4 cancelBadgedSends). */
void endpoint_cancel_badged_sends(struct endpoint *ep, word_t badge);
/* Reply to the thread named by the reply cap in `slot` (caller slot or a saved reply cap). */
void reply_transfer(struct tcb *sender, struct cte *slot);

void notification_signal(struct notification *n, word_t badge, struct tcb *signaller);
void notification_receive(struct tcb *t, struct cap ntfn_cap, bool blocking);
void notification_cancel(struct tcb *t);
void notification_cancel_all(struct notification *n);
void notification_unbind(struct notification *n);
/* A thread bound to `n` that is about to wait on an endpoint takes a pending signal instead. */
bool notification_take_bound_signal(struct tcb *t);

/* Thread queues shared by endpoints and notifications. */
struct tcb_queue {
    struct tcb **head, **tail;
};
/* Inlined: they are on the fastpath. */
static ALWAYS_INLINE void tcb_queue_append(struct tcb **head, struct tcb **tail, struct tcb *t)
{
    t->ep_next = NULL;
    t->ep_prev = *tail;
    if (*tail)
        (*tail)->ep_next = t;
    else
        *head = t;
    *tail = t;
}

/* tcb_queue_remove of the head (not empty): the fastpath's dequeue of its partner. */
static ALWAYS_INLINE void tcb_queue_pop_head(struct tcb **head, struct tcb **tail)
{
    struct tcb *t = *head, *next = t->ep_next;
    *head = next;
    /* laid out for one waiting thread, an endpoint's common queue (the fastpath's Call pops it) */
    if (__builtin_expect(!next, 1))
        *tail = NULL;
    else
        next->ep_prev = NULL;
    t->ep_next = NULL;
}

static ALWAYS_INLINE void tcb_queue_remove(struct tcb **head, struct tcb **tail, struct tcb *t)
{
    if (t->ep_prev)
        t->ep_prev->ep_next = t->ep_next;
    else
        *head = t->ep_next;
    if (t->ep_next)
        t->ep_next->ep_prev = t->ep_prev;
    else
        *tail = t->ep_prev;
    t->ep_next = t->ep_prev = NULL;
}

#endif
