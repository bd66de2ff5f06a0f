/* IRQ: handler caps, notifications, and a real device interrupt (QEMU virt's goldfish RTC,
 * at 0x101000, raising PLIC source 11 when its alarm is set in the past). */
#include "ktest.h"

#define ROOT                seL4_CapInitThreadCNode
#define RTC_PADDR           0x101000ull
#define RTC_IRQ             11
#define RTC_TIME_LOW        0x00
#define RTC_TIME_HIGH       0x04
#define RTC_ALARM_LOW       0x08
#define RTC_ALARM_HIGH      0x0c
#define RTC_IRQ_ENABLED     0x10
#define RTC_CLEAR_INTERRUPT 0x1c
#define DEVICE_VADDR        0x3000000000ull /* below seL4_UserTop, away from the other groups */
/* The runner starts QEMU's RTC at 2000-01-01T00:00:00Z on the emulated clock (-rtc base=...,
 * clock=vm): the host's date and clock never reach the guest. */
#define RTC_BASE_NS (946684800ull * 1000000000ull)

static seL4_Word mr(int i) { return seL4_GetMR(i); }

static int get_handler_and_its_errors(void)
{
    seL4_CPtr h = alloc_slot();
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 5, ROOT, h, 64) == seL4_NoError);
    EXPECT(seL4_DebugCapIdentify(h) == 16);
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 5, ROOT, alloc_slot(), 64) == seL4_RevokeFirst);
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 0, ROOT, alloc_slot(), 64) == seL4_RangeError);
    EXPECT(mr(0) == 1 && mr(1) == 96);
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 97, ROOT, alloc_slot(), 64) == seL4_RangeError);
    /* 96 is seL4's number for the kernel timer: valid, and always in use */
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 96, ROOT, alloc_slot(), 64) == seL4_RevokeFirst);
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 6, ROOT, seL4_CapInitThreadTCB, 64) ==
           seL4_DeleteFirst);
    EXPECT(seL4_IRQControl_GetTrigger(seL4_CapIRQControl, 7, 1, ROOT, alloc_slot(), 64) ==
           seL4_NoError);
    return 0;
}

static int deleting_the_handler_frees_the_irq(void)
{
    seL4_CPtr h = alloc_slot();
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 8, ROOT, h, 64) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(ROOT, h, 64) == seL4_NoError);
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 8, ROOT, h, 64) == seL4_NoError);
    /* Revoke of IRQControl deletes every handler derived from it */
    EXPECT(seL4_CNode_Revoke(ROOT, seL4_CapIRQControl, 64) == seL4_NoError);
    EXPECT(seL4_DebugCapIdentify(h) == 0);
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 8, ROOT, h, 64) == seL4_NoError);
    return 0;
}

static int set_notification_errors(void)
{
    seL4_CPtr h = alloc_slot();
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, 9, ROOT, h, 64) == seL4_NoError);
    EXPECT(seL4_IRQHandler_SetNotification(h, seL4_CapInitThreadTCB) == seL4_InvalidCapability);
    EXPECT(mr(0) == 1);
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0), ro = alloc_slot();
    EXPECT(seL4_CNode_Copy(ROOT, ro, 64, ROOT, n, 64, seL4_CanRead) == seL4_NoError);
    EXPECT(seL4_IRQHandler_SetNotification(h, ro) == seL4_InvalidCapability);
    seL4_MessageInfo_t r = seL4_Call(h, seL4_MessageInfo_new(IRQSetIRQHandler, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    r = seL4_Call(h, seL4_MessageInfo_new(CNodeCopy, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_IllegalOperation);
    return 0;
}

/* The device untyped holding `paddr`, and the frame cap for the page at `paddr` carved out of it
 * (untypeds of the largest fitting sizes skip the memory before it). */
static seL4_CPtr device_frame(seL4_Word paddr)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (!u->isDevice || paddr < u->paddr || paddr >= u->paddr + (1ull << u->sizeBits)) continue;
        seL4_CPtr ut = bi->untyped.start + i;
        for (seL4_Word at = u->paddr; at < paddr;) {
            unsigned bits = 12;
            while (((at & ((2ull << bits) - 1)) == 0) && at + (2ull << bits) <= paddr) bits++;
            if (seL4_Untyped_Retype(ut, seL4_UntypedObject, bits, ROOT, 0, 0, alloc_slot(), 1))
                return 0;
            at += 1ull << bits;
        }
        seL4_CPtr frame = alloc_slot();
        return seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, frame, 1) ? 0 : frame;
    }
    return 0;
}

static volatile uint32_t *rtc;

static int device_untyped_makes_frames_only(void)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    seL4_CPtr dev = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && !dev; i++)
        if (bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= 20 &&
            bi->untypedList[i].paddr >= 0x40000000)
            dev = bi->untyped.start + i;
    EXPECT(dev);
    EXPECT(seL4_Untyped_Retype(dev, seL4_EndpointObject, 0, ROOT, 0, 0, alloc_slot(), 1) ==
           seL4_InvalidArgument);
    EXPECT(mr(0) == 1);
    seL4_CPtr f = alloc_slot();
    EXPECT(seL4_Untyped_Retype(dev, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, f, 1) == seL4_NoError);
    static seL4_IPCBuffer buffer;
    seL4_CPtr t = alloc_object(seL4_TCBObject, 0);
    (void)buffer;
    EXPECT(seL4_TCB_SetIPCBuffer(t, 0x3100000000ull, f) == seL4_IllegalOperation);
    return 0;
}

static int map_rtc(void)
{
    if (rtc) return 0;
    seL4_CPtr frame = device_frame(RTC_PADDR);
    EXPECT(frame);
    seL4_Word pa = 0;
    EXPECT(seL4_RISCV_Page_GetAddress(frame, &pa) == seL4_NoError && pa == RTC_PADDR);
    seL4_CPtr l1 = alloc_object(seL4_RISCV_PageTableObject, 0);
    seL4_CPtr l0 = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(seL4_RISCV_PageTable_Map(l1, ktest_own_vspace(), DEVICE_VADDR, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_PageTable_Map(l0, ktest_own_vspace(), DEVICE_VADDR, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(frame, ktest_own_vspace(), DEVICE_VADDR, seL4_ReadWrite,
                               seL4_RISCV_ExecuteNever) == seL4_NoError);
    rtc = (volatile uint32_t *)DEVICE_VADDR;
    return 0;
}

static int rtc_counts_emulated_time(void)
{
    EXPECT(map_rtc() == 0 && rtc);
    uint64_t before = schedlab_now_ns();
    uint64_t low = rtc[RTC_TIME_LOW / 4]; /* the low half first: it latches the high half */
    uint64_t time = (uint64_t)rtc[RTC_TIME_HIGH / 4] << 32 | low;
    uint64_t after = schedlab_now_ns();
    EXPECT(time >= RTC_BASE_NS);
    /* the same clock as the kernel's, to its 100 ns tick (exact under icount) */
    EXPECT(time - RTC_BASE_NS + 100 >= before && time - RTC_BASE_NS <= after + 100);
    return 0;
}

/* The kernel's clock against the RTC, an independent device on QEMU's virtual clock, at two
 * instants a timer sleep apart: the same origin and the same rate, with icount or without (where
 * the kernel must not read the host's cycle counter), and the sleep ends on time by the device's
 * clock, not early. Host speed only widens each bracket, which the checks allow. */
static uint64_t rtc_ns_between(uint64_t *before, uint64_t *after)
{
    *before = schedlab_now_ns();
    uint64_t low = rtc[RTC_TIME_LOW / 4];
    uint64_t time = (uint64_t)rtc[RTC_TIME_HIGH / 4] << 32 | low;
    *after = schedlab_now_ns();
    return time - RTC_BASE_NS;
}

#define CLOCK_SLEEP_NS 20000000ull

static int clock_keeps_the_devices_time(void)
{
    EXPECT(map_rtc() == 0 && rtc);
    uint64_t b0, a0, b1, a1;
    uint64_t r0 = rtc_ns_between(&b0, &a0);
    schedlab_sleep_ns(CLOCK_SLEEP_NS);
    uint64_t r1 = rtc_ns_between(&b1, &a1);
    /* each RTC reading lies between the kernel's readings around it, to the 100 ns tick */
    EXPECT(r0 + 100 >= b0 && r0 <= a0 + 100);
    EXPECT(r1 + 100 >= b1 && r1 <= a1 + 100);
    /* so 20 ms by the kernel's timer were at least 20 ms by the device */
    EXPECT(r1 - r0 + 200 >= CLOCK_SLEEP_NS);
    return 0;
}

/* Two equal-priority threads that never yield share their hart: the timeslice expires and seL4's
 * round robin runs the other (a kernel that reads the wrong clock never expires a slice). */
static volatile uint64_t rr_spins[2];

static void rr_spinner(void *arg)
{
    volatile uint64_t *count = &rr_spins[(seL4_Word)arg];
    for (;;) (*count)++;
}

static int timeslice_round_robins_equal_priorities(void)
{
    seL4_CPtr a, b;
    EXPECT(ktest_spawn("rr-a", 150, rr_spinner, (void *)0, &a) == 0);
    EXPECT(ktest_spawn("rr-b", 150, rr_spinner, (void *)1, &b) == 0);
    EXPECT_SOON(rr_spins[0] > 0 && rr_spins[1] > 0);
    /* and they go on taking turns */
    uint64_t a_then = rr_spins[0], b_then = rr_spins[1];
    EXPECT_SOON(rr_spins[0] > a_then && rr_spins[1] > b_then);
    EXPECT(seL4_TCB_Suspend(a) == seL4_NoError && seL4_TCB_Suspend(b) == seL4_NoError);
    return 0;
}

/* The console UART is user level's on seL4: a frame of its device untyped maps its registers, and
 * what a thread writes there reaches the console (tests/qemu/test_kernel_api.py looks for it). */
#define UART_PADDR    0x10000000ull
#define UART_THR      0
#define UART_LSR      5
#define UART_LSR_THRE 0x20

static int console_uart_is_user_levels(void)
{
    seL4_CPtr frame = device_frame(UART_PADDR);
    EXPECT(frame);
    seL4_CPtr l1 = alloc_object(seL4_RISCV_PageTableObject, 0);
    seL4_CPtr l0 = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(seL4_RISCV_PageTable_Map(l1, ktest_own_vspace(), DEVICE_VADDR, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_PageTable_Map(l0, ktest_own_vspace(), DEVICE_VADDR, 0) == seL4_NoError);
    EXPECT(seL4_RISCV_Page_Map(frame, ktest_own_vspace(), DEVICE_VADDR, seL4_ReadWrite,
                               seL4_RISCV_ExecuteNever) == seL4_NoError);
    volatile uint8_t *uart = (volatile uint8_t *)DEVICE_VADDR;
    for (const char *p = "\nuart: written by user level\n"; *p; p++) {
        uint64_t give_up = schedlab_now_ns() + ktest_soon_ns;
        while (!(uart[UART_LSR] & UART_LSR_THRE)) EXPECT(schedlab_now_ns() < give_up);
        uart[UART_THR] = (uint8_t)*p;
    }
    return 0;
}

static void rtc_alarm_now(void)
{
    rtc[RTC_IRQ_ENABLED / 4] = 1;
    rtc[RTC_ALARM_HIGH / 4] = 0;
    rtc[RTC_ALARM_LOW / 4] = 0; /* in the past: the alarm fires at once */
}

static seL4_CPtr rtc_handler, rtc_ntfn;

/* Fire the RTC, wait for its notification, clear the device and acknowledge the interrupt;
 * returns the notification word. */
static seL4_Word rtc_fire_and_ack(void)
{
    seL4_Word badge = 0;
    rtc_alarm_now();
    seL4_Wait(rtc_ntfn, &badge);
    rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
    return seL4_IRQHandler_Ack(rtc_handler) == seL4_NoError ? badge : 0;
}

static int device_interrupt_reaches_notification(void)
{
    EXPECT(map_rtc() == 0 && rtc);
    rtc_handler = alloc_slot();
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    rtc_ntfn = alloc_slot();
    EXPECT(seL4_CNode_Mint(ROOT, rtc_ntfn, 64, ROOT, n, 64, seL4_AllRights, 0x40) == seL4_NoError);
    EXPECT(seL4_IRQControl_Get(seL4_CapIRQControl, RTC_IRQ, ROOT, rtc_handler, 64) == seL4_NoError);
    EXPECT(seL4_IRQHandler_SetNotification(rtc_handler, rtc_ntfn) == seL4_NoError);
    EXPECT(rtc_fire_and_ack() == 0x40);
    return 0;
}

static int ack_lets_the_next_interrupt_through(void)
{
    EXPECT(device_interrupt_reaches_notification() == 0 && rtc_handler);
    EXPECT(rtc_fire_and_ack() == 0x40);
    return 0;
}

static int cleared_handler_signals_nobody(void)
{
    EXPECT(device_interrupt_reaches_notification() == 0 && rtc_handler);
    EXPECT(seL4_IRQHandler_Clear(rtc_handler) == seL4_NoError);
    rtc_alarm_now();
    /* the line is raised at the store; the PLIC hart (the boot hart, 0) takes an enabled pending
     * interrupt whenever it runs user code, so it has by the time a witness there has run */
    EXPECT(ktest_hart_goes_quiet(0));
    seL4_Word badge = 1;
    seL4_Poll(rtc_ntfn, &badge);
    EXPECT(badge == 0);
    rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
    /* reconnected and acknowledged, the source works again */
    EXPECT(seL4_IRQHandler_SetNotification(rtc_handler, rtc_ntfn) == seL4_NoError);
    EXPECT(seL4_IRQHandler_Ack(rtc_handler) == seL4_NoError);
    EXPECT(rtc_fire_and_ack() == 0x40);
    return 0;
}

const struct ktest_case ktest_irq[] = {
    {"IRQ", "IRQControl Get and its errors", get_handler_and_its_errors},
    {"IRQ", "deleting or revoking a handler frees the IRQ", deleting_the_handler_frees_the_irq},
    {"IRQ", "SetNotification errors", set_notification_errors},
    {"IRQ", "device untyped: frames only, not IPC buffers", device_untyped_makes_frames_only},
    {"IRQ", "a device frame maps its registers", map_rtc},
    {"IRQ", "the RTC counts emulated time, not the host's", rtc_counts_emulated_time},
    {"IRQ", "a device interrupt signals the notification", device_interrupt_reaches_notification},
    {"IRQ", "Ack lets the next interrupt through", ack_lets_the_next_interrupt_through},
    {"IRQ", "Clear disconnects; reconnect and Ack restore", cleared_handler_signals_nobody},
    {"IRQ", "the console UART is user level's: it prints", console_uart_is_user_levels},
    {"CLOCK", "kernel clock keeps the RTC's time across a sleep", clock_keeps_the_devices_time},
    {"CLOCK", "timeslice round-robins equal priorities", timeslice_round_robins_equal_priorities},
    {0, 0, 0},
};
