#include <kernel/untyped.h>

bool untyped_place(word_t size_bits, word_t used, word_t obj_bits, word_t count, word_t *offset,
                   word_t *free_bytes)
{
    *free_bytes = BIT(size_bits) - used;
    /* objects are naturally aligned inside a naturally aligned untyped, so seL4's check
     * "free >> obj_bits >= count" is exact: it accounts for the alignment gap */
    if (obj_bits > size_bits || (*free_bytes >> obj_bits) < count) return false;
    *offset = ALIGN_UP(used, BIT(obj_bits));
    return true;
}
