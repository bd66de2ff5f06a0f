/* Untyped memory bookkeeping: where new objects go (pure logic, unit-tested on the host). */
#ifndef KERNEL_UNTYPED_H
#define KERNEL_UNTYPED_H

#include <kernel/types.h>

/* `count` objects of 2^obj_bits bytes into an untyped of 2^size_bits bytes whose first `used`
 * bytes are taken (the watermark). On success *offset is where the first object starts (aligned
 * to its size) and the new watermark is *offset + count * 2^obj_bits. Either way *free_bytes is
 * what seL4 reports as left: 2^size_bits - used. */
bool untyped_place(word_t size_bits, word_t used, word_t obj_bits, word_t count, word_t *offset,
                   word_t *free_bytes);

#endif
