/* What deleting a capability does to the kernel object it names (cdt_delete.c walks the slots). */
#include <kernel/cdt.h>
#include <kernel/debug.h>
#include <kernel/fpu.h>
#include <kernel/invariants.h>
#include <kernel/ipc.h>
#include <kernel/irq.h>
#include <kernel/thread.h>
#include <kernel/smp.h>
#include <kernel/vspace.h>

_Static_assert(CDT_TCB_SLOTS == TCB_SLOTS, "cdt.h knows how many slots a TCB has");

struct cte *thread_slots(void *tcb) { return ((struct tcb *)tcb)->slots; }

/* What the last capability to an object takes with it, before its slots are emptied. */
static void stop_object(struct cap c)
{
    switch (cap_type(c)) {
    case CAP_THREAD: {
        struct tcb *t = cap_ptr(c);
        if (t->bound_notification) notification_unbind(t->bound_notification);
        /* suspended even if inactive: it may still run on another hart, or be held by the policy */
        thread_suspend(t);
        sched_forget(&t->sched);
        fpu_thread_deleted(t);
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

void cap_finalise(struct cap c, bool final)
{
    if (final) stop_object(c);
    vspace_unmap_on_delete(c, final);
    /* a CNode or TCB lasts as a zombie until its slots are empty; cap_finalise(zombie) then */
    if (final && cap_type(c) != CAP_CNODE && cap_type(c) != CAP_THREAD)
        invariants_object_destroyed(c);
}
