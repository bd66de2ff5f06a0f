/*
 * Untyped memory handed out twice would be the worst bug a capability kernel can have: so, as
 * one operation, sometimes reset an untyped, copy it, then retype from both the original and the
 * copy (seL4 lets only one of them allocate) and write into whatever frame came out.
 */
#include "worker.h"

static seL4_Word retype_one(unsigned untyped_slot, seL4_Word type, unsigned dest_slot)
{
    mr(0, type);
    mr(1, type == seL4_CapTableObject ? between(1, 4) : 0);
    mr(2, 0);
    mr(3, 0);
    mr(4, dest_slot);
    mr(5, 1);
    cap(0, WORKER_CPTR(WS_CNODE));
    return fuzz_call(WORKER_CPTR(untyped_slot), UntypedRetype, 1, 6);
}

static void map_and_write(unsigned frame_slot)
{
    seL4_Word vaddr = (WORKER_PLAY_BASE + below(WORKER_PLAY_SIZE)) & ~0xfffull;
    mr(0, vaddr);
    mr(1, seL4_ReadWrite);
    mr(2, 0);
    cap(0, WORKER_CPTR(WS_VSPACE));
    if (fuzz_call(WORKER_CPTR(frame_slot), RISCVPageMap, 1, 3) != seL4_NoError) return;
    PAGE->mapped_vaddr = vaddr;
    op_touch();
}

void op_untyped_copies(void)
{
    static const seL4_Word types[] = {seL4_RISCV_4K_Page, seL4_TCBObject, seL4_CapTableObject,
                                      seL4_EndpointObject, seL4_RISCV_4K_Page};
    unsigned untyped = percent(80) ? WS_UNTYPED : percent(50) ? WS_UNTYPED_4K : pick_slot();
    seL4_CPtr cnode = WORKER_CPTR(WS_CNODE);
    if (percent(50)) {
        mr(0, untyped);
        mr(1, WORKER_SLOT_DEPTH);
        fuzz_call(cnode, CNodeRevoke, 0, 2); /* no children: the next retype starts at 0 */
    }
    unsigned copy = pick_free_slot();
    mr(0, copy);
    mr(1, WORKER_SLOT_DEPTH);
    cap(0, cnode);
    mr(2, untyped);
    mr(3, WORKER_SLOT_DEPTH);
    mr(4, seL4_AllRights);
    mr(5, below(4));
    if (fuzz_call(cnode, percent(70) ? CNodeCopy : CNodeMint, 1, 6) != seL4_NoError) return;
    for (int i = 0; i < 2; i++) {
        unsigned from = (i == 0) == percent(50) ? untyped : copy, dest = pick_free_slot();
        seL4_Word type = types[below(sizeof types / sizeof types[0])];
        if (retype_one(from, type, dest) == seL4_NoError && type == seL4_RISCV_4K_Page)
            map_and_write(dest);
    }
}
