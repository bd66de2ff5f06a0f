/* Decoding an invocation of a kernel object: arguments, extra caps, replies (seL4 semantics). */
#ifndef KERNEL_INVOCATION_H
#define KERNEL_INVOCATION_H

#include <kernel/cspace.h>
#include <kernel/errors.h>
#include <kernel/object.h>
#include <kernel/thread.h>
#include <sel4/invocation.h>

struct invocation {
    struct tcb *caller;
    word_t label;
    word_t length;    /* message words the caller sent */
    word_t *buffer;   /* caller's IPC buffer for reading, or NULL */
    struct cte *slot; /* the invoked capability's slot */
    struct cap cap;   /* the invoked capability */
    unsigned nextra;  /* extra caps the caller sent */
    struct cte *extra[seL4_MsgMaxExtraCaps];
    word_t reply_length; /* MRs of a successful reply */
};

static inline word_t inv_arg(const struct invocation *inv, unsigned i)
{
    return get_mr(inv->caller, inv->buffer, i);
}
void inv_reply_mr(struct invocation *inv, unsigned i, word_t value);

seL4_Error decode_untyped(struct invocation *inv, struct syscall_error *err);
seL4_Error decode_tcb(struct invocation *inv, struct syscall_error *err);
/* SchedLab's affinity-mask extension (SchedLab_SysSetAffinityMask) on the TCB `tcb_cptr` names. */
seL4_Error tcb_set_affinity_mask(struct tcb *caller, word_t tcb_cptr, word_t mask);
seL4_Error decode_cnode(struct invocation *inv, struct syscall_error *err);
seL4_Error decode_domain(struct invocation *inv, struct syscall_error *err);
/* Write an error's reply MRs to t; returns how many. */
word_t write_error_reply(struct tcb *t, const struct syscall_error *err);
/* Write a lookup failure's words to t's MRs from `offset`; returns how many. */
word_t write_lookup_fault(struct tcb *t, word_t *buffer, unsigned offset,
                          const struct lookup_fault *f);

#endif
