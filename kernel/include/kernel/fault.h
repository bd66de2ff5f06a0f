/* Faults raised by user threads (seL4 fault types). */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <kernel/errors.h>
#include <kernel/object.h>
#include <sel4/faults.h>

struct fault {
    seL4_FaultType type;
    word_t words[4]; /* type-specific: see handle_fault */
    struct lookup_fault lookup;
};

/* Deliver t's fault to its fault handler; with no valid handler t stops (seL4's double fault). */
void handle_fault(struct tcb *t, const struct fault *f);

#endif
