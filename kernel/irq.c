/*
 * IRQControl Get / GetTrigger issue a handler cap for one interrupt source; IRQHandler
 * SetNotification / Ack / Clear connect it to a notification. As in seL4, the kernel keeps its
 * own copy of the notification cap per source (in the derivation tree, so revoking the
 * notification's memory disconnects the interrupt), signals it when the source fires, and leaves
 * the source masked until the driver acknowledges it.
 */
#include <arch/arch.h>
#include <kernel/cdt.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/hart.h>
#include <kernel/irq.h>
#include <kernel/trace.h>

#define MAX_IRQ 1024

enum irq_state { IRQ_INACTIVE, IRQ_SIGNAL, IRQ_RESERVED };

static uint8_t state[MAX_IRQ + 1];
static struct cte notification_slot[MAX_IRQ + 1];
static unsigned max_irq;

void irq_init(uint64_t plic_base, unsigned sources)
{
    /* seL4's maxIRQ on QEMU virt is the device tree's source count (96), and that number
     * stands for the kernel timer: valid to name, always in use */
    max_irq = MIN(sources, (unsigned)MAX_IRQ);
    state[max_irq] = IRQ_RESERVED;
    /* every source goes to the boot hart (its hardware id: with several harts the firmware may
     * have booted the kernel on any of them) */
    arch_irq_init(plic_base, (unsigned)this_hart()->hw_id);
}

void irq_handle_pending(void)
{
    unsigned irq;
    while ((irq = arch_irq_claim()) != 0) {
        trace_emit(TRACE_IRQ, 0, irq, 0, 0, 0);
        struct cap n = irq <= max_irq ? notification_slot[irq].cap : cap_null();
        if (state[irq] == IRQ_SIGNAL && cap_type(n) == CAP_NOTIFICATION && cap_can_send(n)) {
            notification_signal(cap_ptr(n), cap_badge(n), NULL);
        } else {
            /* nobody listens: keep the source quiet */
            arch_irq_enable(irq, false);
            arch_irq_complete(irq);
        }
    }
}

static void clear_notification(unsigned irq) { cdt_delete_now(&notification_slot[irq]); }

void irq_handler_deleted(unsigned irq)
{
    if (irq > max_irq || state[irq] != IRQ_SIGNAL) return;
    arch_irq_enable(irq, false);
    clear_notification(irq);
    state[irq] = IRQ_INACTIVE;
}

seL4_Error decode_irq_control(struct invocation *inv, struct syscall_error *err)
{
    bool trigger = inv->label == RISCVIRQIssueIRQHandlerTrigger;
    if (inv->label != IRQIssueIRQHandler && !trigger)
        return error_plain(err, seL4_IllegalOperation);
    unsigned first = trigger ? 2 : 1; /* GetTrigger has the trigger word before index, depth */
    if (inv->length < first + 2 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t irq = inv_arg(inv, 0);
    if (irq < 1 || irq > max_irq) return error_range(err, 1, max_irq);
    if (state[irq] != IRQ_INACTIVE) return error_plain(err, seL4_RevokeFirst);
    struct cte *dest;
    if (lookup_target_slot(inv->extra[0]->cap, inv_arg(inv, first), inv_arg(inv, first + 1), &dest,
                           false, err))
        return err->type;
    if (!cap_is_null(dest->cap)) return error_plain(err, seL4_DeleteFirst);
    /* the PLIC has no trigger configuration: both kinds are delivered the same way */
    cdt_insert(cap_set_irq(cap_make(CAP_IRQ_HANDLER, NULL), irq), inv->slot, dest);
    state[irq] = IRQ_SIGNAL;
    arch_irq_enable((unsigned)irq, true);
    return seL4_NoError;
}

seL4_Error decode_irq_handler(struct invocation *inv, struct syscall_error *err)
{
    unsigned irq = (unsigned)cap_irq(inv->cap);
    switch (inv->label) {
    case IRQAckIRQ:
        /* unmask: also a source masked while nobody was listening */
        arch_irq_enable(irq, true);
        arch_irq_complete(irq);
        return seL4_NoError;
    case IRQSetIRQHandler: {
        if (inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
        struct cte *src = inv->extra[0];
        if (cap_type(src->cap) != CAP_NOTIFICATION || !cap_can_send(src->cap))
            return error_invalid_cap(err, 1);
        struct cap derived;
        if (cap_derive(src, src->cap, &derived, err)) return err->type;
        clear_notification(irq);
        cdt_insert(derived, src, &notification_slot[irq]);
        return seL4_NoError;
    }
    case IRQClearIRQHandler: clear_notification(irq); return seL4_NoError;
    default: return error_plain(err, seL4_IllegalOperation);
    }
}
