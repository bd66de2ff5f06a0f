#include <schedlab/alloc.h>
#include <schedlab/vspace.h>

/* Sv39 has three levels: at most two tables (1 GiB and 2 MiB level) can be missing. */
#define PAGE_TABLE_LEVELS_BELOW_ROOT 2

seL4_Error vspace_map_frame(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr, seL4_Word rights)
{
    for (int tries = 0;; tries++) {
        seL4_Error e = seL4_RISCV_Page_Map(frame, vspace, vaddr, rights, 0);
        if (e != seL4_FailedLookup || tries == PAGE_TABLE_LEVELS_BELOW_ROOT) return e;
        /* PageTable_Map places the table at the highest level still missing for vaddr */
        seL4_CPtr table = alloc_object(seL4_RISCV_PageTableObject, 0);
        if (!table) return seL4_NotEnoughMemory;
        e = seL4_RISCV_PageTable_Map(table, vspace, vaddr, 0);
        if (e) return e;
    }
}
