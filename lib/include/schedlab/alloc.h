/* Allocating kernel objects from the root task's untyped memory and its free CSpace slots. */
#ifndef SCHEDLAB_ALLOC_H
#define SCHEDLAB_ALLOC_H

#include <sel4/sel4.h>
#include <stdbool.h>

void alloc_init(const seL4_BootInfo *bi);
/* A free slot of the root CNode (0 when none is left). */
seL4_CPtr alloc_slot(void);
/* A new object of `type` (and `size_bits` where the type takes one) in a new slot; 0 on failure. */
seL4_CPtr alloc_object(seL4_Word type, seL4_Word size_bits);
/* The same into a slot the caller already holds; true on success. */
bool alloc_object_at(seL4_Word type, seL4_Word size_bits, seL4_CPtr slot);
/* For a copy of the root task running as a process in its own VSpace: allocate only slots
 * [first_slot, end_slot) and only from `untyped`; the process's image frame caps start at
 * `frames`, and its threads run in `vspace`. */
void alloc_init_process(seL4_CPtr first_slot, seL4_CPtr end_slot, seL4_CPtr untyped,
                        seL4_CPtr frames, seL4_CPtr vspace);
/* Leave the slots from `end` on to something else. */
void alloc_limit_slots(seL4_CPtr end);
/* The next slot alloc_slot would hand out (everything below it may be in use). */
seL4_CPtr alloc_next_slot(void);
/* The VSpace this program's threads run in. */
seL4_CPtr alloc_vspace(void);
/* This program's frame cap for the image page that holds `vaddr`. */
seL4_CPtr image_frame_cap(const void *vaddr);

#endif
