/* An invocation's failure, as seL4 reports it in an error reply (ABI sheet §6). */
#ifndef KERNEL_ERRORS_H
#define KERNEL_ERRORS_H

#include <kernel/types.h>
#include <sel4/errors.h>

/* Why a capability lookup failed (seL4's lookup_fault; types as seen by user level). */
struct lookup_fault {
    seL4_LookupFailureType type;
    word_t bits_left;
    word_t guard_found; /* GuardMismatch: the CNode's guard; DepthMismatch: bits the level needed */
    word_t bits_found;  /* GuardMismatch: the CNode's guard size */
};

/* Not an seL4 error: a long operation stopped at a preemption point (an interrupt is due). Its
 * progress is kept in the objects themselves; the thread re-executes the system call, which
 * carries on from there (seL4's EXCEPTION_PREEMPTED). */
#define KERNEL_PREEMPTED ((seL4_Error)0x100)

struct syscall_error {
    seL4_Error type;
    word_t invalid_argument; /* InvalidArgument: which argument */
    word_t invalid_cap;      /* InvalidCapability: 0 = invoked cap, k = extra cap k-1 */
    word_t range_min, range_max;
    bool failed_lookup_was_source;
    word_t memory_left;
    struct lookup_fault lookup;
};

static inline seL4_Error error_invalid_argument(struct syscall_error *e, word_t arg)
{
    e->type = seL4_InvalidArgument;
    e->invalid_argument = arg;
    return e->type;
}
static inline seL4_Error error_invalid_cap(struct syscall_error *e, word_t which)
{
    e->type = seL4_InvalidCapability;
    e->invalid_cap = which;
    return e->type;
}
static inline seL4_Error error_range(struct syscall_error *e, word_t min, word_t max)
{
    e->type = seL4_RangeError;
    e->range_min = min;
    e->range_max = max;
    return e->type;
}
static inline seL4_Error error_plain(struct syscall_error *e, seL4_Error type)
{
    e->type = type;
    return type;
}
static inline seL4_Error error_failed_lookup(struct syscall_error *e, bool source,
                                             struct lookup_fault fault)
{
    e->type = seL4_FailedLookup;
    e->failed_lookup_was_source = source;
    e->lookup = fault;
    return e->type;
}

#endif
