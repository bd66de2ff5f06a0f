/* Further single-behaviour cases, grouped by object like the rest of the suite. */
#include "ktest.h"

#define ROOT seL4_CapInitThreadCNode
#define VS   ktest_own_vspace()

static seL4_Word mr(int i) { return seL4_GetMR(i); }

static volatile int reached, finished;

/* Start fn(arg) below our priority with a fault endpoint; returns the endpoint. */
static seL4_CPtr spawn_handled(const char *name, thread_fn fn, void *arg)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0);
    reached = finished = 0;
    return ktest_spawn_with_fault_ep(name, fn, arg, ep) ? ep : 0;
}

/* ---- RETYPE ---- */

static int device_untyped_child_is_device(void)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    seL4_CPtr dev = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && !dev; i++)
        if (bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= 24 &&
            bi->untypedList[i].paddr >= 0x40000000)
            dev = bi->untyped.start + i;
    EXPECT(dev);
    seL4_CPtr child = alloc_slot();
    EXPECT(seL4_Untyped_Retype(dev, seL4_UntypedObject, 16, ROOT, 0, 0, child, 1) == seL4_NoError);
    EXPECT(seL4_Untyped_Retype(child, seL4_NotificationObject, 0, ROOT, 0, 0, alloc_slot(), 1) ==
           seL4_InvalidArgument);
    return 0;
}

static int retype_into_a_second_level_cnode(void)
{
    /* a CNode of 2^4 slots, guard-padded to address it at depth 64 from inside the root */
    seL4_CPtr cn = alloc_object(seL4_CapTableObject, 4);
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 12);
    EXPECT(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, cn, 64, 3, 2) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(cn, 3, 4) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(cn, 4, 4) == seL4_NoError);
    EXPECT(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, cn, 64, 16, 1) == seL4_RangeError);
    EXPECT(mr(0) == 0 && mr(1) == 15);
    return 0;
}

static int new_tcb_has_priority_and_mcp_zero(void)
{
    seL4_CPtr fresh = alloc_object(seL4_TCBObject, 0), t = alloc_object(seL4_TCBObject, 0);
    EXPECT(seL4_TCB_SetPriority(t, fresh, 0) == seL4_NoError);
    EXPECT(seL4_TCB_SetPriority(t, fresh, 1) == seL4_RangeError);
    EXPECT(mr(1) == 0);
    return 0;
}

/* ---- NOTIF ---- */

static int signal_needs_write_right(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0), ro = alloc_slot();
    EXPECT(seL4_CNode_Copy(ROOT, ro, 64, ROOT, n, 64, seL4_CanRead) == seL4_NoError);
    seL4_MessageInfo_t r = seL4_Call(ro, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_InvalidCapability);
    return 0;
}

static int poll_takes_the_word_and_resets(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0), b = alloc_slot();
    EXPECT(seL4_CNode_Mint(ROOT, b, 64, ROOT, n, 64, seL4_AllRights, 0x30) == seL4_NoError);
    seL4_Signal(b);
    seL4_Word w = 0;
    seL4_Poll(n, &w);
    EXPECT(w == 0x30);
    seL4_Poll(n, &w);
    EXPECT(w == 0);
    return 0;
}

static seL4_CPtr shared_ntfn;

static void wait_on_shared(void *arg)
{
    seL4_Word w;
    reached = 1;
    seL4_Wait((seL4_CPtr)arg, &w);
    finished = 1;
}

static int wait_on_notification_bound_elsewhere_faults(void)
{
    shared_ntfn = alloc_object(seL4_NotificationObject, 0);
    seL4_CPtr other = alloc_object(seL4_TCBObject, 0);
    EXPECT(seL4_TCB_BindNotification(other, shared_ntfn) == seL4_NoError);
    seL4_CPtr ep = spawn_handled("bound-elsewhere", wait_on_shared, (void *)shared_ntfn);
    EXPECT(ep);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault);
    EXPECT(mr(seL4_CapFault_InRecvPhase) == 1 && reached == 1 && finished == 0);
    return 0;
}

static int wait_needs_read_right(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0), wo = alloc_slot();
    EXPECT(seL4_CNode_Copy(ROOT, wo, 64, ROOT, n, 64, seL4_CanWrite) == seL4_NoError);
    seL4_CPtr ep = spawn_handled("write-only-wait", wait_on_shared, (void *)wo);
    EXPECT(ep);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault);
    EXPECT(mr(seL4_CapFault_LookupFailureType) == seL4_MissingCapability);
    return 0;
}

/* ---- IPC ---- */

static void recv_on(void *arg)
{
    seL4_Word badge;
    reached = 1;
    seL4_Recv((seL4_CPtr)arg, &badge);
    finished = 1;
}

static int recv_needs_read_right(void)
{
    seL4_CPtr e = alloc_object(seL4_EndpointObject, 0), wo = alloc_slot();
    EXPECT(seL4_CNode_Copy(ROOT, wo, 64, ROOT, e, 64, seL4_CanWrite) == seL4_NoError);
    seL4_CPtr ep = spawn_handled("write-only-recv", recv_on, (void *)wo);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault);
    EXPECT(mr(seL4_CapFault_InRecvPhase) == 1 && finished == 0);
    return 0;
}

static seL4_CPtr plain_ep;
static volatile int call_returned;

static void call_without_grant(void *arg)
{
    call_returned = 0;
    seL4_Call((seL4_CPtr)arg, seL4_MessageInfo_new(0, 0, 0, 0));
    call_returned = 1;
}

static int call_without_grant_rights_is_never_answered(void)
{
    plain_ep = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr rw = alloc_slot();
    EXPECT(seL4_CNode_Copy(ROOT, rw, 64, ROOT, plain_ep, 64, seL4_ReadWrite) == seL4_NoError);
    EXPECT(ktest_spawn("no-grant-caller", 200, call_without_grant, (void *)rw, 0) == 0);
    seL4_Word badge;
    seL4_Recv(plain_ep, &badge);
    /* no reply cap was made: Reply does nothing, the caller stays stopped */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(call_returned == 0);
    return 0;
}

static seL4_CPtr badge_server;
static volatile seL4_Word reply_badge;

static void call_badged(void *arg)
{
    seL4_Word badge;
    seL4_SetMR(0, 1);
    seL4_MessageInfo_t r =
        sel4_exchange(seL4_SysCall, (seL4_CPtr)arg, seL4_MessageInfo_new(0, 0, 0, 1), &badge);
    (void)r;
    reply_badge = badge;
}

static int call_delivers_badge_and_reply_has_none(void)
{
    badge_server = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr b = alloc_slot();
    EXPECT(seL4_CNode_Mint(ROOT, b, 64, ROOT, badge_server, 64, seL4_AllRights, 0x99) ==
           seL4_NoError);
    reply_badge = 7;
    EXPECT(ktest_spawn("badged-caller", 200, call_badged, (void *)b, 0) == 0);
    seL4_Word badge = 0;
    seL4_Recv(badge_server, &badge);
    EXPECT(badge == 0x99);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_SOON(reply_badge == 0);
    return 0;
}

/* ---- CNODE ---- */

static int depth_not_matching_the_cnode_levels(void)
{
    /* 63 bits cannot end on a slot of the root CNode (52 guard + 12 radix bits) */
    EXPECT(seL4_CNode_Delete(ROOT, alloc_slot(), 63) == seL4_FailedLookup);
    EXPECT(mr(1) == seL4_DepthMismatch && mr(2) == 63 && mr(3) == 64);
    return 0;
}

static int guard_mismatch_names_the_guard(void)
{
    EXPECT(seL4_CNode_Delete(ROOT, 1ull << 63, 64) == seL4_FailedLookup);
    EXPECT(mr(0) == 0 && mr(1) == seL4_GuardMismatch && mr(2) == 64 && mr(3) == 0 && mr(4) == 52);
    return 0;
}

static int copy_across_cnodes(void)
{
    seL4_CPtr cn = alloc_object(seL4_CapTableObject, 2),
              n = alloc_object(seL4_NotificationObject, 0);
    EXPECT(seL4_CNode_Copy(cn, 2, 2, ROOT, n, 64, seL4_AllRights) == seL4_NoError);
    seL4_CPtr back = alloc_slot();
    EXPECT(seL4_CNode_Move(ROOT, back, 64, cn, 2, 2) == seL4_NoError);
    EXPECT(seL4_DebugCapIdentify(back) == 6); /* a notification */
    EXPECT(seL4_CNode_Move(ROOT, alloc_slot(), 64, cn, 2, 2) == seL4_FailedLookup);
    return 0;
}

/* ---- VSPACE ---- */

static int page_table_unmap_needs_final_cap_and_not_root(void)
{
    seL4_CPtr pt = alloc_object(seL4_RISCV_PageTableObject, 0), copy = alloc_slot();
    EXPECT(seL4_RISCV_PageTable_Map(pt, VS, 0x2800000000ull, 0) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(ROOT, copy, 64, ROOT, pt, 64, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_RISCV_PageTable_Unmap(pt) == seL4_RevokeFirst);
    EXPECT(seL4_CNode_Delete(ROOT, copy, 64) == seL4_NoError);
    EXPECT(seL4_RISCV_PageTable_Unmap(pt) == seL4_NoError);
    EXPECT(seL4_RISCV_PageTable_Map(pt, VS, 0x2800000000ull, 0) == seL4_NoError); /* again */
    return 0;
}

static void jump_to(void *target)
{
    reached = 1;
    ((void (*)(void))target)();
    finished = 1;
}

static int execute_never_faults_on_fetch(void)
{
    seL4_Word base = ktest_region_with_tables();
    EXPECT(base);
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, seL4_RISCV_ExecuteNever) ==
           seL4_NoError);
    *(volatile uint32_t *)base = 0x00008067; /* ret: harmless if it ever ran */
    seL4_CPtr ep = spawn_handled("nx-jump", jump_to, (void *)base);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault);
    EXPECT(mr(seL4_VMFault_PrefetchFault) == 1 && mr(seL4_VMFault_FSR) == 1);
    EXPECT(mr(seL4_VMFault_IP) == base && finished == 0);
    return 0;
}

static int executable_mapping_runs_code(void)
{
    seL4_Word base = ktest_region_with_tables();
    EXPECT(base);
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_ReadWrite, 0) == seL4_NoError);
    *(volatile uint32_t *)base = 0x00008067; /* ret */
    __asm__ volatile("fence.i" ::: "memory");
    seL4_CPtr ep = spawn_handled("x-jump", jump_to, (void *)base);
    (void)ep;
    EXPECT_SOON(finished == 1);
    return 0;
}

static int kernel_only_rights_give_no_access(void)
{
    seL4_Word base = ktest_region_with_tables();
    seL4_CPtr f = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_RISCV_Page_Map(f, VS, base, seL4_NoRights, seL4_RISCV_ExecuteNever) ==
           seL4_NoError);
    seL4_CPtr ep = spawn_handled("no-rights-read", jump_to, (void *)base);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault);
    return 0;
}

/* ---- BOOT ---- */

/* QEMU virt's devices (ABI sheet §12): seL4 keeps the CLINT and the PLIC, each in whole 2 MiB
 * pages, and hands out everything else that is not RAM, the console UART included. */
#define CLINT_BASE     0x2000000ull
#define PLIC_BASE      0xc000000ull
#define PLIC_END       0xc600000ull
#define UART_BASE      0x10000000ull
#define KERNEL_PHYS    0x80200000ull
#define MEGAPAGE_BYTES 0x200000ull

static const seL4_UntypedDesc *untyped_holding(seL4_Word paddr)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (u->paddr <= paddr && paddr - u->paddr < (1ull << u->sizeBits)) return u;
    }
    return 0;
}

static int device_untypeds_come_first_and_skip_kernel_devices(void)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    seL4_Word n = bi->untyped.end - bi->untyped.start;
    int seen_ram = 0;
    for (seL4_Word i = 0; i < n; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (!u->isDevice) seen_ram = 1;
        EXPECT(!(u->isDevice && seen_ram)); /* no device untyped after RAM */
    }
    for (seL4_Word a = CLINT_BASE; a < CLINT_BASE + MEGAPAGE_BYTES; a += 4096)
        EXPECT(!untyped_holding(a));
    for (seL4_Word a = PLIC_BASE; a < PLIC_END; a += 4096) EXPECT(!untyped_holding(a));
    return 0;
}

static int console_uart_is_a_device_untyped(void)
{
    /* the kernel prints through SBI: the UART is user level's, in seL4's block for it (the gap
     * from the PLIC's end to RAM cut in aligned pieces holds [0x10000000, 0x20000000) whole) */
    const seL4_UntypedDesc *u = untyped_holding(UART_BASE);
    EXPECT(u && u->isDevice);
    EXPECT(u->paddr == UART_BASE && u->sizeBits == 28);
    /* and the first device block starts at 0, up to the CLINT */
    u = untyped_holding(0);
    EXPECT(u && u->isDevice && u->paddr == 0 && u->sizeBits == 25);
    return 0;
}

static int ram_below_the_kernel_is_handed_out(void)
{
    /* OpenSBI keeps the start of RAM (no-map in the device tree: like seL4, not RAM but a device
     * range); what lies between it and the kernel is free RAM */
    const seL4_UntypedDesc *firmware = untyped_holding(0x80000000ull);
    EXPECT(firmware && firmware->isDevice);
    const seL4_UntypedDesc *below = untyped_holding(KERNEL_PHYS - 4096);
    EXPECT(below && !below->isDevice);
    EXPECT(!untyped_holding(KERNEL_PHYS)); /* the kernel itself is not */
    return 0;
}

static int root_task_runs_at_max_priority(void)
{
    EXPECT(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255) == seL4_NoError);
    EXPECT(seL4_TCB_SetMCPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255) ==
           seL4_NoError);
    seL4_UserContext regs;
    EXPECT(seL4_TCB_ReadRegisters(ktest_self(), 0, 0, 1, &regs) == seL4_IllegalOperation);
    return 0;
}

/* ---- FAULT ---- */

static int fetch_from_unmapped_address(void)
{
    seL4_CPtr ep = spawn_handled("fetch-fault", jump_to, (void *)0x3f00000000ull);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault);
    EXPECT(mr(seL4_VMFault_Addr) == 0x3f00000000ull && mr(seL4_VMFault_PrefetchFault) == 1);
    return 0;
}

const struct ktest_case ktest_more[] = {
    {"RETYPE", "device untyped's child untyped is device", device_untyped_child_is_device},
    {"RETYPE", "into a second-level CNode; its RangeError", retype_into_a_second_level_cnode},
    {"RETYPE", "a new TCB has priority and MCP 0", new_tcb_has_priority_and_mcp_zero},
    {"NOTIF", "Signal without Write: InvalidCapability", signal_needs_write_right},
    {"NOTIF", "Poll takes the badge word and resets it", poll_takes_the_word_and_resets},
    {"NOTIF", "Wait on a notification bound elsewhere faults",
     wait_on_notification_bound_elsewhere_faults},
    {"NOTIF", "Wait without Read is a capability fault", wait_needs_read_right},
    {"IPC", "Recv without Read is a capability fault", recv_needs_read_right},
    {"IPC", "Call without Grant/GrantReply is never answered",
     call_without_grant_rights_is_never_answered},
    {"IPC", "Call delivers its badge; the reply has none", call_delivers_badge_and_reply_has_none},
    {"CNODE", "FailedLookup: DepthMismatch details", depth_not_matching_the_cnode_levels},
    {"CNODE", "FailedLookup: GuardMismatch details", guard_mismatch_names_the_guard},
    {"CNODE", "Copy and Move across CNodes", copy_across_cnodes},
    {"VSPACE", "PageTable_Unmap: RevokeFirst unless final",
     page_table_unmap_needs_final_cap_and_not_root},
    {"VSPACE", "ExecuteNever: fetch faults (prefetch, FSR 1)", execute_never_faults_on_fetch},
    {"VSPACE", "an executable mapping runs code", executable_mapping_runs_code},
    {"VSPACE", "no rights: any access faults", kernel_only_rights_give_no_access},
    {"BOOT", "console UART is a device untyped, in seL4's block", console_uart_is_a_device_untyped},
    {"BOOT", "RAM below the kernel is handed out; firmware is device",
     ram_below_the_kernel_is_handed_out},
    {"BOOT", "device untypeds first, kernel devices left out",
     device_untypeds_come_first_and_skip_kernel_devices},
    {"BOOT", "root task at priority and MCP 255", root_task_runs_at_max_priority},
    {"FAULT", "fetch from an unmapped address", fetch_from_unmapped_address},
    {0, 0, 0},
};
