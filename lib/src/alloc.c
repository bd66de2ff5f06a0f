#include <schedlab/alloc.h>
#include <stdbool.h>

static const seL4_BootInfo *boot;
static seL4_CPtr next_free_slot, slots_end;
static seL4_Word current_untyped; /* index into the untyped list */
static seL4_CPtr only_untyped;    /* a process's own untyped (0: the boot untypeds in order) */
static seL4_CPtr image_frames;    /* the frame cap of the first image page */
static seL4_CPtr own_vspace = seL4_CapInitThreadVSpace;

extern char __executable_start[];

void alloc_init(const seL4_BootInfo *bi)
{
    boot = bi;
    next_free_slot = bi->empty.start;
    slots_end = bi->empty.end;
    current_untyped = 0;
    only_untyped = 0;
    image_frames = bi->userImageFrames.start;
    own_vspace = seL4_CapInitThreadVSpace;
}

void alloc_limit_slots(seL4_CPtr end)
{
    if (end < slots_end) slots_end = end;
}

void alloc_init_process(seL4_CPtr first_slot, seL4_CPtr end_slot, seL4_CPtr untyped,
                        seL4_CPtr frames, seL4_CPtr vspace)
{
    next_free_slot = first_slot;
    slots_end = end_slot;
    only_untyped = untyped;
    image_frames = frames;
    own_vspace = vspace;
}

seL4_CPtr alloc_vspace(void) { return own_vspace; }
seL4_CPtr alloc_next_slot(void) { return next_free_slot; }

seL4_CPtr alloc_slot(void)
{
    if (next_free_slot >= slots_end) return 0;
    return next_free_slot++;
}

static bool retype_from(seL4_CPtr untyped, seL4_Word type, seL4_Word size_bits, seL4_CPtr slot,
                        seL4_Error *e)
{
    *e = seL4_Untyped_Retype(untyped, type, size_bits, seL4_CapInitThreadCNode, 0, 0, slot, 1);
    return *e == seL4_NoError;
}

bool alloc_object_at(seL4_Word type, seL4_Word size_bits, seL4_CPtr slot)
{
    seL4_Error e;
    if (only_untyped) return retype_from(only_untyped, type, size_bits, slot, &e);
    seL4_Word count = boot->untyped.end - boot->untyped.start;
    /* take memory from the untypeds in order, moving on when one is used up */
    for (; current_untyped < count; current_untyped++) {
        if (boot->untypedList[current_untyped].isDevice) continue;
        if (retype_from(boot->untyped.start + current_untyped, type, size_bits, slot, &e))
            return true;
        if (e != seL4_NotEnoughMemory) break;
    }
    return false;
}

seL4_CPtr alloc_object(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = alloc_slot();
    if (!slot) return 0;
    if (alloc_object_at(type, size_bits, slot)) return slot;
    next_free_slot--;
    return 0;
}

seL4_CPtr image_frame_cap(const void *vaddr)
{
    seL4_Word page = ((seL4_Word)vaddr - (seL4_Word)__executable_start) >> seL4_PageBits;
    return image_frames + page;
}
