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
    EXPECT_SOON(before == 1);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(after == 0);
    /* it stays stopped, and it can be inspected like any stopped thread */
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
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

/* Handler cases: the faulting thread is set up with a fault endpoint (a badged cap, so the
 * handler sees which thread faulted) before it first runs. */
static seL4_CPtr fault_ep;
static volatile seL4_Word emulated_result;
#define FAULT_BADGE 0x77

static seL4_CPtr spawn_with_handler(const char *name, thread_fn fn, void *arg)
{
    seL4_CPtr badged = alloc_slot();
    fault_ep = alloc_object(seL4_EndpointObject, 0);
    if (seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, 64, seL4_CapInitThreadCNode, fault_ep, 64,
                        seL4_AllRights, FAULT_BADGE))
        return 0;
    return ktest_spawn_with_fault_ep(name, fn, arg, badged);
}

static int vm_fault_message(void)
{
    before = after = 0;
    EXPECT(spawn_with_handler("vm-handled", bad_load, (void *)0x123458));
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(badge == FAULT_BADGE);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault);
    EXPECT(seL4_MessageInfo_get_length(info) == seL4_VMFault_Length);
    EXPECT(seL4_GetMR(seL4_VMFault_Addr) == 0x123458);
    EXPECT(seL4_GetMR(seL4_VMFault_PrefetchFault) == 0);
    EXPECT(seL4_GetMR(seL4_VMFault_FSR) == 5); /* load fault, seL4's normalised code */
    EXPECT(seL4_GetMR(seL4_VMFault_IP) >= 0x10000);
    EXPECT(before == 1 && after == 0);
    return 0;
}

static int vm_fault_reply_restarts_the_instruction(void)
{
    before = after = 0;
    EXPECT(spawn_with_handler("vm-restarted", bad_load, (void *)0x123458));
    seL4_Word badge, ip;
    seL4_Recv(fault_ep, &badge);
    ip = seL4_GetMR(seL4_VMFault_IP);
    /* a VM fault always restarts: the same load faults again, at the same pc */
    seL4_MessageInfo_t info = seL4_ReplyRecv(fault_ep, seL4_MessageInfo_new(1, 0, 0, 0), &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault);
    EXPECT(seL4_GetMR(seL4_VMFault_IP) == ip && after == 0);
    return 0;
}

static void emulated_call(void *arg)
{
    (void)arg;
    emulated_result = sel4_plain_call(-100, 20, 22);
}

static int unknown_syscall_is_emulated_by_handler(void)
{
    emulated_result = 0;
    EXPECT(spawn_with_handler("emulated", emulated_call, 0));
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_UnknownSyscall);
    EXPECT(seL4_MessageInfo_get_length(info) == seL4_UnknownSyscall_Length);
    EXPECT((int64_t)seL4_GetMR(seL4_UnknownSyscall_Syscall) == -100);
    EXPECT(seL4_GetMR(seL4_UnknownSyscall_A0) == 20 && seL4_GetMR(seL4_UnknownSyscall_A1) == 22);
    /* emulate: a0 = a0 + a1, resume after the ecall */
    seL4_Reply(ktest_emulation_reply(42));
    EXPECT_SOON(emulated_result == 42);
    return 0;
}

static void illegal_then_continue(void *arg)
{
    (void)arg;
    before = 1;
    __asm__ volatile(".option push\n.option norvc\ncsrr t0, sstatus\n.option pop" ::: "t0");
    after = 1;
}

static int user_exception_skipped_by_handler(void)
{
    before = after = 0;
    EXPECT(spawn_with_handler("skipped", illegal_then_continue, 0));
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_UserException);
    EXPECT(seL4_MessageInfo_get_length(info) == seL4_UserException_Length);
    EXPECT(seL4_GetMR(seL4_UserException_Number) == 2); /* illegal instruction */
    EXPECT(seL4_GetMR(seL4_UserException_Code) == 0);
    seL4_SetMR(0, seL4_GetMR(seL4_UserException_FaultIP) + 4);
    seL4_SetMR(1, seL4_GetMR(seL4_UserException_SP));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 2));
    EXPECT_SOON(after == 1);
    return 0;
}

static int user_exception_reply_label_stops_thread(void)
{
    before = after = 0;
    EXPECT(spawn_with_handler("refused", illegal_then_continue, 0));
    seL4_Word badge;
    seL4_Recv(fault_ep, &badge);
    seL4_Reply(seL4_MessageInfo_new(1, 0, 0, 0));
    EXPECT_SOON(before == 1);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(after == 0);
    /* nothing else arrives on the fault endpoint: the thread is stopped, not re-faulting */
    seL4_Word none = 5;
    seL4_NBRecv(fault_ep, &none);
    EXPECT(none == 0);
    return 0;
}

static int cap_fault_message(void)
{
    before = after = 0;
    EXPECT(spawn_with_handler("cap-handled", cap_fault, 0));
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault);
    EXPECT(seL4_GetMR(seL4_CapFault_Addr) == (1ull << 40 | 5));
    EXPECT(seL4_GetMR(seL4_CapFault_InRecvPhase) == 0);
    EXPECT(seL4_GetMR(seL4_CapFault_LookupFailureType) == seL4_GuardMismatch);
    EXPECT(seL4_MessageInfo_get_length(info) == 7);
    EXPECT(seL4_GetMR(seL4_CapFault_BitsLeft) == 64);
    EXPECT(seL4_GetMR(seL4_CapFault_GuardMismatch_BitsFound) == 52);
    return 0;
}

static void recv_on_bad_cptr(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Recv(3000, &badge); /* an empty slot: a capability fault in the receive phase */
}

static int cap_fault_in_receive_phase(void)
{
    EXPECT(spawn_with_handler("recv-fault", recv_on_bad_cptr, 0));
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault);
    EXPECT(seL4_GetMR(seL4_CapFault_InRecvPhase) == 1);
    EXPECT(seL4_GetMR(seL4_CapFault_LookupFailureType) == seL4_MissingCapability);
    EXPECT(seL4_GetMR(seL4_CapFault_BitsLeft) == 0);
    return 0;
}

static int invalid_handler_is_a_double_fault(void)
{
    before = after = 0;
    /* a notification is no fault endpoint */
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    EXPECT(ktest_spawn_with_fault_ep("double", bad_load, (void *)8, n));
    EXPECT_SOON(before == 1);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(after == 0);
    return 0;
}

const struct ktest_case ktest_fault[] = {
    {"FAULT", "empty slot: InvalidCapability, no fault", empty_slot_is_an_error_not_a_fault},
    {"FAULT", "capability fault stops only the thread", cap_fault_stops_thread},
    {"FAULT", "unknown syscall stops only the thread", unknown_syscall_stops_thread},
    {"FAULT", "user exception stops only the thread", user_exception_stops_thread},
    {"FAULT", "VM fault stops only the thread", vm_fault_stops_thread},
    {"FAULT", "load from the kernel window is a VM fault", kernel_address_is_vm_fault},
    {"FAULT", "VM fault message: label, address, FSR, badge", vm_fault_message},
    {"FAULT", "VM fault reply restarts the instruction", vm_fault_reply_restarts_the_instruction},
    {"FAULT", "unknown syscall emulated by the handler", unknown_syscall_is_emulated_by_handler},
    {"FAULT", "user exception skipped by the handler", user_exception_skipped_by_handler},
    {"FAULT", "reply label != 0 leaves the thread stopped",
     user_exception_reply_label_stops_thread},
    {"FAULT", "capability fault message with lookup details", cap_fault_message},
    {"FAULT", "capability fault in the receive phase", cap_fault_in_receive_phase},
    {"FAULT", "invalid fault handler: the thread stops", invalid_handler_is_a_double_fault},
    {0, 0, 0},
};
