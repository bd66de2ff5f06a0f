#include <schedlab/alloc.h>
#include <schedlab/process.h>
#include <schedlab/runtime.h>
#include <schedlab/vspace.h>

#define PAGE_SIZE 4096ul
/* Where process_load maps one process page at a time in this program's VSpace to fill it. */
#define LOAD_WINDOW_VADDR 0x2000000000ul

extern char __executable_start[], __data_start[], __executable_end[];

seL4_CPtr process_frame_cap(const struct process *p, const void *vaddr)
{
    return p->image_frames + (((seL4_Word)vaddr - (seL4_Word)__executable_start) / PAGE_SIZE);
}

int process_create(struct process *p)
{
    seL4_Word start = (seL4_Word)__executable_start, data = (seL4_Word)__data_start;
    seL4_Word end = (seL4_Word)__executable_end;
    p->vspace = alloc_object(seL4_RISCV_PageTableObject, 0);
    if (!p->vspace || seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, p->vspace)) return -1;
    /* the frame caps take consecutive slots so that process_frame_cap can index them */
    p->image_frames = alloc_next_slot();
    for (seL4_Word v = start; v < end; v += PAGE_SIZE)
        if (!alloc_slot()) return -1;
    for (seL4_Word v = start; v < end; v += PAGE_SIZE) {
        seL4_CPtr slot = process_frame_cap(p, (void *)v);
        seL4_Error e;
        if (v < data) {
            e = seL4_CNode_Copy(seL4_CapInitThreadCNode, slot, 64, seL4_CapInitThreadCNode,
                                image_frame_cap((void *)v), 64, seL4_CanRead);
            if (!e) e = vspace_map_frame(p->vspace, slot, v, seL4_CanRead);
        } else {
            if (!alloc_object_at(seL4_RISCV_4K_Page, 0, slot)) return -1;
            e = vspace_map_frame(p->vspace, slot, v, seL4_ReadWrite);
        }
        if (e) return -1;
    }
    return 0;
}

int process_load(const struct process *p)
{
    static seL4_CPtr window; /* a second cap to the page being filled, mapped here */
    if (!window && !(window = alloc_slot())) return -1;
    for (seL4_Word v = (seL4_Word)__data_start; v < (seL4_Word)__executable_end; v += PAGE_SIZE) {
        if (seL4_CNode_Copy(seL4_CapInitThreadCNode, window, 64, seL4_CapInitThreadCNode,
                            process_frame_cap(p, (void *)v), 64, seL4_AllRights) ||
            vspace_map_frame(alloc_vspace(), window, LOAD_WINDOW_VADDR, seL4_ReadWrite))
            return -1;
        memcpy((void *)LOAD_WINDOW_VADDR, (void *)v, PAGE_SIZE);
        if (seL4_RISCV_Page_Unmap(window) || seL4_CNode_Delete(seL4_CapInitThreadCNode, window, 64))
            return -1;
    }
    return 0;
}
