/* VSPACE: page tables, frames, ASID pools, rights, and unmapping on delete. */
#include "ktest.h"

#define ROOT seL4_CapInitThreadCNode
#define VS   ktest_own_vspace()
/* A 1 GiB region the root task does not use: no page tables exist there at boot. */
#define REGION 0x80000000ull

static seL4_Word mr(int i) { return seL4_GetMR(i); }
static seL4_Word next_region = REGION;

/* A fresh 1 GiB-aligned region with both levels of page table mapped in the root VSpace. */
seL4_Word ktest_region_with_tables(void)
{
    seL4_Word base = next_region;
    next_region += 1ull << 30;
    seL4_CPtr l1 = alloc_object(seL4_RISCV_PageTableObject, 0);
    seL4_CPtr l0 = alloc_object(seL4_RISCV_PageTableObject, 0);
    if (seL4_RISCV_PageTable_Map(l1, VS, base, 0) || seL4_RISCV_PageTable_Map(l0, VS, base, 0))
        return 0;
    return base;
}

static int map_frame_and_use_it(void)
{
    seL4_Word base = next_region;
    next_region += 1ull << 30;
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0);
    /* no tables yet: the walk stops at the 1 GiB level */
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_FailedLookup);
    EXPECT(mr(0) == 0 && mr(1) == seL4_MissingCapability && mr(2) == 30);
    seL4_CPtr l1 = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(seL4_RISCV_PageTable_Map(l1, VS, base, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_FailedLookup);
    EXPECT(mr(2) == 21);
    seL4_CPtr l0 = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(seL4_RISCV_PageTable_Map(l0, VS, base, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    volatile uint64_t *p = (volatile uint64_t *)base;
    EXPECT(p[0] == 0); /* retyped frames are zeroed */
    p[1] = 0xfeed;
    EXPECT(p[1] == 0xfeed);
    return 0;
}

static int same_frame_seen_through_two_mappings(void)
{
    seL4_Word base = ktest_region_with_tables();
    EXPECT(base);
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0), copy = alloc_slot();
    EXPECT(seL4_CNode_Copy(ROOT, copy, 64, ROOT, f, 64, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(copy, VS, base + 0x1000, seL4_ReadWrite, 0) == seL4_NoError);
    *(volatile uint64_t *)base = 77;
    EXPECT(*(volatile uint64_t *)(base + 0x1000) == 77);
    seL4_Word pa1 = 1, pa2 = 2;
    EXPECT(seL4_RISCV_Page_GetAddress(f, &pa1) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_GetAddress(copy, &pa2) == seL4_NoError);
    EXPECT(pa1 == pa2 && (pa1 & 0xfff) == 0 && pa1 >= 0x80000000);
    return 0;
}

static int map_errors(void)
{
    seL4_Word base = ktest_region_with_tables();
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0), g = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base + 8, seL4_ReadWrite, 0) == seL4_AlignmentError);
    EXPECT(seL4_RISCV_Page_Map(f, VS, seL4_UserTop, seL4_ReadWrite, 0) == seL4_InvalidArgument);
    EXPECT(mr(0) == 0);
    EXPECT(seL4_RISCV_Page_Map(f, ROOT, base, seL4_ReadWrite, 0) == seL4_InvalidCapability);
    EXPECT(mr(0) == 1);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(g, VS, base, seL4_ReadWrite, 0) == seL4_DeleteFirst);
    /* a mapped frame can be re-mapped only where it is (new rights), not elsewhere */
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_CanRead, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base + 0x1000, seL4_ReadWrite, 0) == seL4_InvalidArgument);
    seL4_MessageInfo_t r = seL4_Call(f, seL4_MessageInfo_new(RISCVPageMap, 0, 0, 3));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    return 0;
}

static int page_table_errors(void)
{
    seL4_Word base = ktest_region_with_tables();
    seL4_CPtr pt = alloc_object(seL4_RISCV_PageTableObject, 0);
    /* both levels exist: the walk reaches the 4 KiB level */
    EXPECT(seL4_RISCV_PageTable_Map(pt, VS, base, 0) == seL4_DeleteFirst);
    EXPECT(seL4_RISCV_PageTable_Map(pt, VS, seL4_UserTop, 0) == seL4_InvalidArgument);
    EXPECT(seL4_RISCV_PageTable_Map(pt, pt, base, 0) == seL4_InvalidCapability);
    EXPECT(mr(0) == 1);
    seL4_Word other = next_region;
    next_region += 1ull << 30;
    EXPECT(seL4_RISCV_PageTable_Map(pt, VS, other, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_PageTable_Map(pt, VS, other + (1ull << 30), 0) == seL4_InvalidCapability);
    EXPECT(mr(0) == 0); /* already mapped */
    return 0;
}

static volatile int wrote;

static void write_to(void *addr)
{
    wrote = 1;
    *(volatile uint64_t *)addr = 1;
    wrote = 2;
}

static int read_only_mapping_faults_on_write(void)
{
    seL4_Word base = ktest_region_with_tables();
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0),
              fault_ep = alloc_object(seL4_EndpointObject, 0);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_CanRead, 0) == seL4_NoError);
    EXPECT(*(volatile uint64_t *)base == 0);
    seL4_CPtr t;
    wrote = 0;
    EXPECT(ktest_spawn("ro-writer", 100, write_to, (void *)base, &t) == 0);
    EXPECT(seL4_TCB_SetSpace(t, fault_ep, ROOT, 0, VS, 0) == seL4_NoError);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault);
    EXPECT(mr(seL4_VMFault_Addr) == base && mr(seL4_VMFault_FSR) == 7); /* store */
    EXPECT(wrote == 1);
    /* upgrade the mapping and let the write go through */
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_SOON(wrote == 2 && *(volatile uint64_t *)base == 1);
    return 0;
}

static int unmap_and_delete_remove_the_mapping(void)
{
    seL4_Word base = ktest_region_with_tables();
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0), g = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Unmap(f) == seL4_NoError);
    /* the slot is free again: another frame maps there, and f maps elsewhere */
    EXPECT(seL4_RISCV_Page_Map(g, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base + 0x1000, seL4_ReadWrite, 0) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(ROOT, g, 64) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base + 0x1000, seL4_ReadWrite, 0) == seL4_NoError);
    seL4_CPtr h = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_RISCV_Page_Map(h, VS, base, seL4_ReadWrite, 0) == seL4_NoError); /* g's is gone */
    return 0;
}

static int mega_page_needs_one_table(void)
{
    seL4_Word base = next_region;
    next_region += 1ull << 30;
    seL4_CPtr l1 = alloc_object(seL4_RISCV_PageTableObject, 0);
    seL4_CPtr big = alloc_object(seL4_RISCV_Mega_Page, 0);
    EXPECT(big && seL4_RISCV_PageTable_Map(l1, VS, base, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(big, VS, base + 0x1000, seL4_ReadWrite, 0) == seL4_AlignmentError);
    EXPECT(seL4_RISCV_Page_Map(big, VS, base + (2u << 20), seL4_ReadWrite, 0) == seL4_NoError);
    volatile uint64_t *p = (volatile uint64_t *)(base + (2u << 20) + (1u << 20));
    *p = 5;
    EXPECT(*p == 5);
    return 0;
}

static int revoking_untyped_unmaps_its_frames(void)
{
    seL4_Word base = ktest_region_with_tables();
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 12), f = alloc_slot();
    EXPECT(seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, f, 1) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    EXPECT(seL4_CNode_Revoke(ROOT, ut, 64) == seL4_NoError);
    /* the page's mapping went with it: the address is free for another frame */
    seL4_CPtr g = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_RISCV_Page_Map(g, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    return 0;
}

static seL4_CPtr pool;

static int make_pool_and_assign(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 12);
    pool = alloc_slot();
    EXPECT(seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT, pool, 64) ==
           seL4_NoError);
    seL4_CPtr vs = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(seL4_RISCV_ASIDPool_Assign(pool, vs) == seL4_NoError);
    EXPECT(seL4_RISCV_ASIDPool_Assign(pool, vs) == seL4_InvalidCapability); /* already assigned */
    EXPECT(mr(0) == 1);
    /* the new VSpace takes page tables and frames like the root one */
    seL4_CPtr l1 = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(seL4_RISCV_PageTable_Map(l1, vs, 0x40000000, 0) == seL4_NoError);
    return 0;
}

static int make_pool_errors(void)
{
    seL4_CPtr big = alloc_object(seL4_UntypedObject, 13);
    EXPECT(seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, big, ROOT, alloc_slot(), 64) ==
           seL4_InvalidCapability);
    EXPECT(mr(0) == 1);
    seL4_CPtr used = alloc_object(seL4_UntypedObject, 12);
    EXPECT(seL4_Untyped_Retype(used, seL4_EndpointObject, 0, ROOT, 0, 0, alloc_slot(), 1) ==
           seL4_NoError);
    EXPECT(seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, used, ROOT, alloc_slot(), 64) ==
           seL4_RevokeFirst);
    seL4_CPtr ok = alloc_object(seL4_UntypedObject, 12);
    EXPECT(seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ok, ROOT, seL4_CapInitThreadTCB,
                                           64) == seL4_DeleteFirst);
    return 0;
}

static int assign_errors(void)
{
    EXPECT(make_pool_and_assign() == 0);
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_RISCV_ASIDPool_Assign(pool, f) == seL4_InvalidCapability);
    EXPECT(seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, VS) == seL4_InvalidCapability);
    seL4_MessageInfo_t r = seL4_Call(pool, seL4_MessageInfo_new(RISCVASIDPoolAssign, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    return 0;
}

/* A thread in its own address space: the root image's frames, mapped again (as copies) in a
 * new VSpace at the same addresses, so the same code runs there. */
static volatile int other_space_ran;

static void in_other_space(void *arg) { seL4_Signal((seL4_CPtr)arg); }

static int thread_runs_in_its_own_vspace(void)
{
    extern char __executable_start[], __executable_end[];
    const seL4_BootInfo *bi = ktest_bootinfo;
    seL4_CPtr vs = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vs) == seL4_NoError);
    seL4_Word start = (seL4_Word)__executable_start, end = (seL4_Word)__executable_end;
    seL4_CPtr l1 = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(seL4_RISCV_PageTable_Map(l1, vs, start, 0) == seL4_NoError);
    for (seL4_Word v = start & ~((1ull << 21) - 1); v < end; v += 1ull << 21)
        EXPECT(seL4_RISCV_PageTable_Map(alloc_object(seL4_RISCV_PageTableObject, 0), vs, v, 0) ==
               seL4_NoError);
    for (seL4_Word i = 0; i < (end - start) >> 12; i++) {
        seL4_CPtr copy = alloc_slot();
        EXPECT(seL4_CNode_Copy(ROOT, copy, 64, ROOT, bi->userImageFrames.start + i, 64,
                               seL4_AllRights) == seL4_NoError);
        EXPECT(seL4_RISCV_Page_Map(copy, vs, start + (i << 12), seL4_ReadWrite, 0) == seL4_NoError);
    }
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0), t;
    EXPECT(ktest_spawn("other-space", 100, in_other_space, (void *)n, &t) == 0);
    EXPECT(seL4_TCB_SetSpace(t, 0, ROOT, 0, vs, 0) == seL4_NoError);
    seL4_Word badge;
    seL4_Wait(n, &badge);
    /* the frames are shared: a store through one VSpace is visible in the other */
    other_space_ran = 1;
    return 0;
}

const struct ktest_case ktest_vspace[] = {
    {"VSPACE", "map a frame level by level, then use it", map_frame_and_use_it},
    {"VSPACE", "two caps, two mappings, one frame; GetAddress",
     same_frame_seen_through_two_mappings},
    {"VSPACE", "Page_Map errors: alignment, range, root, occupied", map_errors},
    {"VSPACE", "PageTable_Map errors", page_table_errors},
    {"VSPACE", "read-only mapping: store faults, remap fixes", read_only_mapping_faults_on_write},
    {"VSPACE", "Unmap and Delete remove the mapping", unmap_and_delete_remove_the_mapping},
    {"VSPACE", "2 MiB frame: one table, 2 MiB alignment", mega_page_needs_one_table},
    {"VSPACE", "revoking the untyped unmaps its frames", revoking_untyped_unmaps_its_frames},
    {"VSPACE", "MakePool and Assign give a new VSpace", make_pool_and_assign},
    {"VSPACE", "MakePool errors: size, children, slot", make_pool_errors},
    {"VSPACE", "Assign errors: not a table, assigned, truncated", assign_errors},
    {"VSPACE", "a thread runs in its own VSpace", thread_runs_in_its_own_vspace},
    {0, 0, 0},
};
