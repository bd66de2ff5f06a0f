/* The simulator's stand-in for lib/include/schedlab/alloc.h, for workloads/engine/objects.c:
 * kernel objects are made in the simulated kernel's capability table (sim/src/objects.c), a
 * mint makes a badged copy of a capability. */
#ifndef SIM_SCHEDLAB_ALLOC_H
#define SIM_SCHEDLAB_ALLOC_H

#include <sel4/sel4.h>

seL4_CPtr alloc_slot(void);
seL4_CPtr alloc_object(seL4_Word type, seL4_Word size_bits);
seL4_Error sim_cap_mint(seL4_CPtr dest, seL4_CPtr src, seL4_Word badge);

static inline seL4_Error seL4_CNode_Mint(seL4_CPtr service, seL4_Word dest_index,
                                         seL4_Uint8 dest_depth, seL4_CPtr src_root,
                                         seL4_Word src_index, seL4_Uint8 src_depth,
                                         seL4_Word rights, seL4_Word badge)
{
    (void)service, (void)dest_depth, (void)src_root, (void)src_depth, (void)rights;
    return sim_cap_mint(dest_index, src_index, badge);
}

#endif
