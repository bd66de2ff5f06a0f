/* Faults raised by user threads, delivered to their fault handler as seL4 does (ABI sheet §9). */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <kernel/errors.h>
#include <kernel/object.h>
#include <sel4/faults.h>

static inline struct fault fault_cap(word_t cptr, bool in_receive, struct lookup_fault l)
{
    return (struct fault){.type = seL4_Fault_CapFault,
                          .words = {cptr, in_receive},
                          .lookup_type = (uint8_t)l.type,
                          .lookup_bits_left = l.bits_left,
                          .lookup_guard_found = l.guard_found,
                          .lookup_bits_found = l.bits_found};
}

/* Send t's fault to its fault handler as if t had made a Call on the handler's endpoint; with no
 * valid handler t stops (seL4's double fault). Only t is affected either way. */
void handle_fault(struct tcb *t, const struct fault *f);
/* The fault message's label and MRs, written into the handler's registers / IPC buffer. */
word_t fault_write_message(struct tcb *faulter, struct tcb *handler, word_t *handler_buffer);
/* The handler replied (label, MRs from `replier`): restart t or leave it stopped. */
void fault_handle_reply(struct tcb *t, struct tcb *replier, word_t label, word_t length);

#endif
