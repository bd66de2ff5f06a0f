/* Capability addressing: resolving a CPtr through guarded CNodes to a slot (seL4 semantics). */
#ifndef KERNEL_CSPACE_H
#define KERNEL_CSPACE_H

#include <kernel/cap.h>
#include <kernel/errors.h>
#include <sel4/constants.h>

struct tcb;

/* Resolve the top `depth` bits of `cptr` starting at CNode cap `root`. On success *slot is the
 * slot reached and *bits_left the address bits not consumed (non-zero when the walk stopped at a
 * slot not holding a CNode). */
bool resolve_address_bits(struct cap root, word_t cptr, word_t depth, struct cte **slot,
                          word_t *bits_left, struct lookup_fault *fault);
/* The common CSpace (seL4's root task's): one CNode whose guard and radix take all 64 bits. The
 * slot `cptr` names in it, as resolve_address_bits would find it without its loop, or NULL if
 * `root` is not such a CNode or the guard does not match (resolve_address_bits then decides). */
static ALWAYS_INLINE bool lookup_slot_one_level(struct cap root, word_t cptr, struct cte **slot)
{
    word_t radix = cap_cnode_radix(root), above = cptr >> radix;
    if (cap_type(root) != CAP_CNODE || radix + cap_cnode_guard_size(root) != seL4_WordBits ||
        above != cap_cnode_guard(root))
        return false;
    *slot = (struct cte *)cap_ptr(root) + (cptr - (above << radix));
    return true;
}
/* A thread's slot for `cptr` at full depth (for invoked and extra caps). */
bool lookup_slot(struct tcb *t, word_t cptr, struct cte **slot, struct lookup_fault *fault);
/* A slot named by (cptr, depth) within CNode cap `root`, for CNode operations and Retype:
 * depth must be 1..64 and must be consumed exactly. */
seL4_Error lookup_target_slot(struct cap root, word_t cptr, word_t depth, struct cte **slot,
                              bool is_source, struct syscall_error *err);

#endif
