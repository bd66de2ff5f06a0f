/* FAULT: a thread that faults stops (no fault handler: seL4's double fault); nothing else does. */
#include "ktest.h"

static volatile int before, after;

static void cap_fault(void *arg)
{
    (void)arg;
    before = 1;
    /* bits above the root CNode's 12 do not match its guard of 0: the lookup fails */
    seL4_Send(1ull << 40 | 5, seL4_MessageInfo_new(0, 0, 0, 0));
    after = 1;
}

static void unknown_syscall(void *arg)
{
    (void)arg;
    before = 1;
    sel4_plain_call(-100, 0, 0);
    after = 1;
}

static void illegal_instruction(void *arg)
{
    (void)arg;
    before = 1;
    __asm__ volatile("unimp");
    after = 1;
}

static void bad_load(void *arg)
{
    (void)arg;
    before = 1;
    after = *(volatile int *)(seL4_Word)arg;
    after = 1;
}

/* Start `fn` below our priority, let it run, and check it stopped at the fault. */
static int stops_at_fault(thread_fn fn, void *arg, const char *name)
{
    before = after = 0;
    seL4_CPtr tcb;
    if (ktest_spawn(name, 100, fn, arg, &tcb)) return __LINE__;
    schedlab_sleep_ns(200000);
    EXPECT(before == 1 && after == 0);
    /* it stays stopped, and it can be inspected like any stopped thread */
    schedlab_sleep_ns(200000);
    EXPECT(after == 0);
    seL4_UserContext regs;
    EXPECT(seL4_TCB_ReadRegisters(tcb, 0, 0, 1, &regs) == seL4_NoError);
    EXPECT(regs.pc >= 0x10000);
    return 0;
}

static int cap_fault_stops_thread(void) { return stops_at_fault(cap_fault, 0, "capfault"); }
static int unknown_syscall_stops_thread(void)
{
    return stops_at_fault(unknown_syscall, 0, "unknownsys");
}
static int user_exception_stops_thread(void)
{
    return stops_at_fault(illegal_instruction, 0, "illegal");
}
static int vm_fault_stops_thread(void) { return stops_at_fault(bad_load, (void *)8, "vmfault"); }
static int kernel_address_is_vm_fault(void)
{
    return stops_at_fault(bad_load, (void *)0xffffffc000000000ull, "kaddr");
}

static int empty_slot_is_an_error_not_a_fault(void)
{
    /* seL4: the lookup of an empty slot succeeds; invoking the null cap is InvalidCapability,
     * reported to a Call and dropped for a Send */
    seL4_Send(4000, seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_MessageInfo_t reply = seL4_Call(4000, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_InvalidCapability);
    EXPECT(seL4_GetMR(0) == 0);
    return 0;
}

const struct ktest_case ktest_fault[] = {
    {"FAULT", "empty slot: InvalidCapability, no fault", empty_slot_is_an_error_not_a_fault},
    {"FAULT", "capability fault stops only the thread", cap_fault_stops_thread},
    {"FAULT", "unknown syscall stops only the thread", unknown_syscall_stops_thread},
    {"FAULT", "user exception stops only the thread", user_exception_stops_thread},
    {"FAULT", "VM fault stops only the thread", vm_fault_stops_thread},
    {"FAULT", "load from the kernel window is a VM fault", kernel_address_is_vm_fault},
    {0, 0, 0},
};
