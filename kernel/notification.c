#include <kernel/ipc.h>
#include <kernel/thread.h>

static void deliver(struct tcb *t, word_t word, struct tcb *signaller)
{
    t->ctx.regs[REG_BADGE] = word;
    thread_wake(t, signaller, TRACE_WAKE_NOTIFICATION);
}

void notification_signal(struct notification *n, word_t badge, struct tcb *signaller)
{
    switch (ntfn_state(n)) {
    case NTFN_IDLE: {
        struct tcb *bound = ntfn_bound(n);
        if (bound && bound->state == THREAD_BLOCKED_ON_RECEIVE) {
            /* a bound thread waiting on an endpoint is woken with the signal instead */
            thread_cancel_ipc(bound);
            deliver(bound, badge, signaller);
        } else {
            n->word = badge;
            ntfn_set_active(n, true);
        }
        break;
    }
    case NTFN_WAITING: {
        struct tcb *t = n->head;
        tcb_queue_remove(&n->head, &n->tail, t);
        deliver(t, badge, signaller);
        break;
    }
    case NTFN_ACTIVE: n->word |= badge; break;
    }
}

void notification_receive(struct tcb *t, struct cap ntfn_cap, bool blocking)
{
    struct notification *n = cap_ptr(ntfn_cap);
    if (ntfn_state(n) == NTFN_ACTIVE) {
        t->ctx.regs[REG_BADGE] = n->word;
        n->word = 0;
        ntfn_set_active(n, false);
        return;
    }
    if (!blocking) {
        t->ctx.regs[REG_BADGE] = 0;
        return;
    }
    thread_block(t, THREAD_BLOCKED_ON_NOTIFICATION, n, TRACE_BLOCK_NOTIFICATION);
    tcb_queue_append(&n->head, &n->tail, t);
}

void notification_cancel(struct tcb *t)
{
    struct notification *n = t->blocked_on;
    tcb_queue_remove(&n->head, &n->tail, t);
}

bool notification_take_bound_signal(struct tcb *t)
{
    struct notification *n = t->bound_notification;
    if (!n || ntfn_state(n) != NTFN_ACTIVE) return false;
    t->ctx.regs[REG_BADGE] = n->word;
    n->word = 0;
    ntfn_set_active(n, false);
    return true;
}

void notification_unbind(struct notification *n)
{
    struct tcb *t = ntfn_bound(n);
    if (t) t->bound_notification = NULL;
    ntfn_set_bound(n, NULL);
}
