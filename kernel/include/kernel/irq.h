/* Device interrupts delivered to user-level drivers through notifications (seL4's IRQ objects). */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <kernel/errors.h>
#include <kernel/object.h>

void irq_init(uint64_t plic_base, unsigned sources);
/* An external interrupt is pending: claim it and signal its notification. */
void irq_handle_pending(void);
/* The last IRQHandler cap for `irq` is gone. */
void irq_handler_deleted(unsigned irq);

struct invocation;
seL4_Error decode_irq_control(struct invocation *inv, struct syscall_error *err);
seL4_Error decode_irq_handler(struct invocation *inv, struct syscall_error *err);

#endif
