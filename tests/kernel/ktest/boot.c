/* BOOT: the root task's initial state as seL4 defines it. */
#include "ktest.h"

static int bootinfo_fields(void)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    EXPECT(bi->nodeID == 0 && bi->numNodes >= 1);
    EXPECT(bi->initThreadCNodeSizeBits == 12);
    EXPECT(bi->initThreadDomain == 0);
    EXPECT((seL4_Word)bi->ipcBuffer == (seL4_Word)ktest_root_ipc_buffer);
    EXPECT(((seL4_Word)bi->ipcBuffer & 0xfff) == 0);
    EXPECT((seL4_Word)bi == (seL4_Word)bi->ipcBuffer + 4096);
    return 0;
}

static int slot_regions_in_seL4_order(void)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    EXPECT(bi->userImagePaging.start == seL4_NumInitialCaps);
    EXPECT(bi->userImagePaging.end > bi->userImagePaging.start);
    EXPECT(bi->extraBIPages.start == bi->userImagePaging.end);
    EXPECT(bi->userImageFrames.start == bi->extraBIPages.end);
    EXPECT(bi->untyped.start == bi->userImageFrames.end);
    EXPECT(bi->empty.start == bi->untyped.end);
    EXPECT(bi->empty.end == 1u << bi->initThreadCNodeSizeBits);
    return 0;
}

static int untyped_list_is_aligned_ram(void)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    seL4_Word n = bi->untyped.end - bi->untyped.start;
    EXPECT(n > 0 && n <= seL4_MaxBootInfoUntypedCaps);
    seL4_Word total = 0;
    for (seL4_Word i = 0; i < n; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        EXPECT(u->sizeBits >= seL4_MinUntypedBits && u->sizeBits <= seL4_MaxUntypedBits);
        EXPECT((u->paddr & ((1ull << u->sizeBits) - 1)) == 0);
        if (!u->isDevice) total += 1ull << u->sizeBits;
    }
    /* the runner gives QEMU 512 MiB: nearly all of it must reach the root task, whatever the
     * sizes of the device tree and initrd (an unaligned free range once lost most of it) */
    if (total <= (400ull << 20)) printf("    %lu untypeds, %lu bytes of RAM\n", n, total);
    EXPECT(total > (400ull << 20));
    return 0;
}

static int extra_bootinfo_holds_device_tree(void)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    const seL4_BootInfoHeader *h = (const void *)((const char *)bi + seL4_BootInfoFrameSize);
    EXPECT(bi->extraLen > sizeof *h);
    EXPECT(h->id == SEL4_BOOTINFO_HEADER_FDT && h->len == bi->extraLen);
    const uint8_t *dtb = (const uint8_t *)(h + 1);
    EXPECT(dtb[0] == 0xd0 && dtb[1] == 0x0d && dtb[2] == 0xfe && dtb[3] == 0xed);
    EXPECT(bi->extraBIPages.end - bi->extraBIPages.start == (bi->extraLen + 4095) / 4096);
    return 0;
}

static int boot_arguments_reach_root_task(void)
{
    const char *args = schedlab_bootargs();
    EXPECT(args[0] != 0);
    EXPECT(schedlab_param("ktest.answer", 0) == 42);
    return 0;
}

static int image_frames_cover_image(void)
{
    extern char __executable_start[], __executable_end[];
    const seL4_BootInfo *bi = ktest_bootinfo;
    seL4_Word pages = ((seL4_Word)__executable_end - (seL4_Word)__executable_start) / 4096;
    EXPECT(bi->userImageFrames.end - bi->userImageFrames.start == pages);
    return 0;
}

static int initial_caps_have_seL4_types(void)
{
    /* seL4's riscv64 cap-type tags, as DebugCapIdentify reports them (ABI sheet §1) */
    static const struct {
        seL4_CPtr slot;
        seL4_Word type;
    } expected[] = {
        {seL4_CapNull, 0},
        {seL4_CapInitThreadTCB, 12},
        {seL4_CapInitThreadCNode, 10},
        {seL4_CapInitThreadVSpace, 3},
        {seL4_CapIRQControl, 14},
        {seL4_CapASIDControl, 11},
        {seL4_CapInitThreadASIDPool, 13},
        {seL4_CapIOPortControl, 0},
        {seL4_CapIOSpace, 0},
        {seL4_CapBootInfoFrame, 1},
        {seL4_CapInitThreadIPCBuffer, 1},
        {seL4_CapDomain, 20},
        {seL4_CapSMMUSIDControl, 0},
        {seL4_CapSMMUCBControl, 0},
        {seL4_CapInitThreadSC, 0},
        {seL4_CapSMC, 0},
    };
    for (unsigned i = 0; i < sizeof expected / sizeof expected[0]; i++)
        EXPECT(seL4_DebugCapIdentify(expected[i].slot) == expected[i].type);
    const seL4_BootInfo *bi = ktest_bootinfo;
    EXPECT(seL4_DebugCapIdentify(bi->untyped.start) == 2);
    EXPECT(seL4_DebugCapIdentify(bi->userImageFrames.start) == 1);
    EXPECT(seL4_DebugCapIdentify(bi->userImagePaging.start) == 3);
    EXPECT(seL4_DebugCapIdentify(bi->empty.start + 4000 - bi->empty.start) == 0);
    EXPECT(seL4_DebugCapIdentify(1ull << 40) == 0); /* a failed lookup reads as null */
    return 0;
}

const struct ktest_case ktest_boot[] = {
    {"BOOT", "initial caps have seL4's types (CapIdentify)", initial_caps_have_seL4_types},
    {"BOOT", "bootinfo fields and IPC buffer placement", bootinfo_fields},
    {"BOOT", "slot regions follow seL4's order", slot_regions_in_seL4_order},
    {"BOOT", "untyped list: aligned blocks of RAM", untyped_list_is_aligned_ram},
    {"BOOT", "extra bootinfo carries the device tree", extra_bootinfo_holds_device_tree},
    {"BOOT", "boot arguments reach the root task", boot_arguments_reach_root_task},
    {"BOOT", "one frame cap per image page", image_frames_cover_image},
    {0, 0, 0},
};
