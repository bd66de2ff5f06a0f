/*
 * Deleting capabilities: the last capability to an object destroys the object. Objects that hold
 * slots (CNodes, TCBs) are emptied first, walking down with an explicit bounded stack rather than
 * recursion, so no user-built structure can exhaust the kernel stack.
 */
#include <kernel/cdt.h>
#include <kernel/debug.h>
#include <kernel/ipc.h>
#include <kernel/irq.h>
#include <kernel/thread.h>
#include <kernel/smp.h>
#include <kernel/vspace.h>

/* The slots an object holds, which must be emptied before the object goes. */
static struct cte *inner_slots(struct cap c, word_t *count)
{
    if (cap_type(c) == CAP_CNODE) {
        *count = BIT(cap_cnode_radix(c));
        return cap_ptr(c);
    }
    if (cap_type(c) == CAP_THREAD) {
        *count = TCB_SLOTS;
        return ((struct tcb *)cap_ptr(c))->slots;
    }
    *count = 0;
    return NULL;
}

static struct cte *first_occupied(struct cte *slots, word_t count)
{
    for (word_t i = 0; i < count; i++)
        if (!cap_is_null(slots[i].cap)) return &slots[i];
    return NULL;
}

/* What the last capability to an object takes with it, before its slots are emptied. */
static void stop_object(struct cap c)
{
    switch (cap_type(c)) {
    case CAP_THREAD: {
        struct tcb *t = cap_ptr(c);
        smp_stall_thread(&t->sched);
        if (t->bound_notification) notification_unbind(t->bound_notification);
        if (t->state != THREAD_INACTIVE) thread_suspend(t);
        sched_forget(&t->sched);
        debug_thread_destroyed(t);
        break;
    }
    case CAP_ENDPOINT: endpoint_cancel_all(cap_ptr(c)); break;
    case CAP_NOTIFICATION: {
        struct notification *n = cap_ptr(c);
        if (ntfn_bound(n)) notification_unbind(n);
        notification_cancel_all(n);
        break;
    }
    case CAP_IRQ_HANDLER: irq_handler_deleted((unsigned)cap_irq(c)); break;
    default: break;
    }
}

seL4_Error cdt_delete(struct cte *slot, struct syscall_error *err)
{
    struct cte *stack[CDT_MAX_NESTING];
    unsigned depth = 0;
    stack[depth++] = slot;
    while (depth) {
        struct cte *s = stack[depth - 1];
        if (cap_is_null(s->cap)) {
            depth--;
            continue;
        }
        if (cdt_is_final(s)) {
            stop_object(s->cap);
            word_t count;
            struct cte *inner = first_occupied(inner_slots(s->cap, &count), count);
            if (inner) {
                if (depth == CDT_MAX_NESTING) return error_range(err, 0, CDT_MAX_NESTING);
                stack[depth++] = inner;
                continue;
            }
        }
        vspace_unmap_on_delete(s->cap, cdt_is_final(s));
        cdt_empty_slot(s);
        depth--;
    }
    return seL4_NoError;
}

seL4_Error cdt_revoke(struct cte *slot, struct syscall_error *err)
{
    struct cte *next;
    while ((next = mdb_next(slot)) && cdt_is_parent_of(slot, next))
        if (cdt_delete(next, err) != seL4_NoError) return err->type;
    return seL4_NoError;
}
