/* Allocating kernel objects from the root task's untyped memory and its free CSpace slots. */
#ifndef SCHEDLAB_ALLOC_H
#define SCHEDLAB_ALLOC_H

#include <sel4/sel4.h>

void alloc_init(const seL4_BootInfo *bi);
/* A free slot of the root CNode (0 when none is left). */
seL4_CPtr alloc_slot(void);
/* A new object of `type` (and `size_bits` where the type takes one) in a new slot; 0 on failure. */
seL4_CPtr alloc_object(seL4_Word type, seL4_Word size_bits);
/* The root task's own frame cap for the image page that holds `vaddr`. */
seL4_CPtr image_frame_cap(const void *vaddr);

#endif
