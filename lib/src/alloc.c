#include <schedlab/alloc.h>

static const seL4_BootInfo *boot;
static seL4_CPtr next_free_slot;
static seL4_Word current_untyped; /* index into the untyped list */

extern char __executable_start[];

void alloc_init(const seL4_BootInfo *bi)
{
    boot = bi;
    next_free_slot = bi->empty.start;
    current_untyped = 0;
}

seL4_CPtr alloc_slot(void)
{
    if (next_free_slot >= boot->empty.end) return 0;
    return next_free_slot++;
}

seL4_CPtr alloc_object(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = alloc_slot();
    if (!slot) return 0;
    seL4_Word count = boot->untyped.end - boot->untyped.start;
    /* take memory from the untypeds in order, moving on when one is used up */
    for (; current_untyped < count; current_untyped++) {
        if (boot->untypedList[current_untyped].isDevice) continue;
        seL4_Error e = seL4_Untyped_Retype(boot->untyped.start + current_untyped, type, size_bits,
                                           seL4_CapInitThreadCNode, 0, 0, slot, 1);
        if (e == seL4_NoError) return slot;
        if (e != seL4_NotEnoughMemory) break;
    }
    next_free_slot--;
    return 0;
}

seL4_CPtr image_frame_cap(const void *vaddr)
{
    seL4_Word page = ((seL4_Word)vaddr - (seL4_Word)__executable_start) >> seL4_PageBits;
    return boot->userImageFrames.start + page;
}
