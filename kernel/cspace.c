#include <kernel/cspace.h>
#include <kernel/object.h>

static struct lookup_fault fault_invalid_root(void)
{
    return (struct lookup_fault){.type = seL4_InvalidRoot};
}

bool resolve_address_bits(struct cap node, word_t cptr, word_t n_bits, struct cte **slot,
                          word_t *bits_left, struct lookup_fault *fault)
{
    if (cap_type(node) != CAP_CNODE) {
        *fault = fault_invalid_root();
        return false;
    }
    for (;;) {
        word_t radix = cap_cnode_radix(node);
        word_t guard_bits = cap_cnode_guard_size(node);
        word_t level_bits = radix + guard_bits;
        word_t guard = cap_cnode_guard(node);
        /* a guard of 0 bits would shift by 64: reduce the shift modulo the word size, the mask
         * then makes the value 0 */
        word_t cap_guard = (cptr >> ((n_bits - guard_bits) & 63)) & MASK(guard_bits);
        if (guard_bits > n_bits || cap_guard != guard) {
            *fault = (struct lookup_fault){seL4_GuardMismatch, n_bits, guard, guard_bits};
            return false;
        }
        if (level_bits > n_bits) {
            *fault = (struct lookup_fault){seL4_DepthMismatch, n_bits, level_bits, 0};
            return false;
        }
        word_t offset = (cptr >> (n_bits - level_bits)) & MASK(radix);
        struct cte *s = (struct cte *)cap_ptr(node) + offset;
        if (n_bits == level_bits) {
            *slot = s;
            *bits_left = 0;
            return true;
        }
        n_bits -= level_bits;
        if (cap_type(s->cap) != CAP_CNODE) {
            *slot = s;
            *bits_left = n_bits;
            return true;
        }
        node = s->cap;
    }
}

bool lookup_slot(struct tcb *t, word_t cptr, struct cte **slot, struct lookup_fault *fault)
{
    struct cap root = t->slots[TCB_CTABLE].cap;
    if (lookup_slot_one_level(root, cptr, slot)) return true;
    word_t bits_left;
    return resolve_address_bits(root, cptr, seL4_WordBits, slot, &bits_left, fault);
}

seL4_Error lookup_target_slot(struct cap root, word_t cptr, word_t depth, struct cte **slot,
                              bool is_source, struct syscall_error *err)
{
    if (depth < 1 || depth > seL4_WordBits) return error_range(err, 1, seL4_WordBits);
    struct lookup_fault fault;
    word_t bits_left;
    if (!resolve_address_bits(root, cptr, depth, slot, &bits_left, &fault))
        return error_failed_lookup(err, is_source, fault);
    if (bits_left)
        return error_failed_lookup(err, is_source,
                                   (struct lookup_fault){seL4_DepthMismatch, bits_left, 0, 0});
    return seL4_NoError;
}
