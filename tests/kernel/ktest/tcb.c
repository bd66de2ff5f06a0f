/* TCB: configuration, registers, priorities, suspend and resume. */
#include "ktest.h"

static seL4_Word mr(int i) { return seL4_GetMR(i); }

static seL4_CPtr new_tcb(void) { return alloc_object(seL4_TCBObject, 0); }

static seL4_IPCBuffer spare_buffer;

static seL4_Error configure(seL4_CPtr tcb, seL4_CPtr cspace, seL4_CPtr vspace, seL4_Word buffer,
                            seL4_CPtr frame)
{
    return seL4_TCB_Configure(tcb, 0, cspace, 0, vspace, 0, buffer, frame);
}

static int configure_accepts_valid_spaces(void)
{
    seL4_CPtr t = new_tcb();
    EXPECT(t);
    EXPECT(configure(t, seL4_CapInitThreadCNode, ktest_own_vspace(), (seL4_Word)&spare_buffer,
                     image_frame_cap(&spare_buffer)) == seL4_NoError);
    EXPECT(configure(t, seL4_CapInitThreadCNode, ktest_own_vspace(), 0, 0) == seL4_NoError);
    return 0;
}

static int configure_rejects_non_cnode_cspace(void)
{
    EXPECT(configure(new_tcb(), seL4_CapInitThreadTCB, ktest_own_vspace(), 0, 0) ==
           seL4_IllegalOperation);
    return 0;
}

static int configure_rejects_non_vspace(void)
{
    EXPECT(configure(new_tcb(), seL4_CapInitThreadCNode, seL4_CapInitThreadCNode, 0, 0) ==
           seL4_IllegalOperation);
    return 0;
}

static int configure_rejects_misaligned_buffer(void)
{
    EXPECT(configure(new_tcb(), seL4_CapInitThreadCNode, ktest_own_vspace(),
                     (seL4_Word)&spare_buffer + 8,
                     image_frame_cap(&spare_buffer)) == seL4_AlignmentError);
    return 0;
}

static int configure_rejects_non_frame_buffer(void)
{
    EXPECT(configure(new_tcb(), seL4_CapInitThreadCNode, ktest_own_vspace(),
                     (seL4_Word)&spare_buffer, seL4_CapInitThreadTCB) == seL4_IllegalOperation);
    return 0;
}

static int configure_truncated(void)
{
    seL4_SetCap(0, seL4_CapInitThreadCNode);
    seL4_SetCap(1, ktest_own_vspace());
    seL4_MessageInfo_t reply = seL4_Call(new_tcb(), seL4_MessageInfo_new(TCBConfigure, 0, 2, 4));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_TruncatedMessage);
    return 0;
}

static int priority_bounded_by_authority_mcp(void)
{
    seL4_CPtr t = new_tcb(), auth = new_tcb();
    EXPECT(seL4_TCB_SetSchedParams(auth, seL4_CapInitThreadTCB, 50, 50) == seL4_NoError);
    EXPECT(seL4_TCB_SetPriority(t, auth, 50) == seL4_NoError);
    EXPECT(seL4_TCB_SetPriority(t, auth, 51) == seL4_RangeError);
    EXPECT(mr(0) == 0 && mr(1) == 50);
    EXPECT(seL4_TCB_SetMCPriority(t, auth, 60) == seL4_RangeError);
    EXPECT(mr(1) == 50);
    EXPECT(seL4_TCB_SetSchedParams(t, auth, 10, 70) == seL4_RangeError);
    EXPECT(seL4_TCB_SetPriority(t, seL4_CapInitThreadTCB, 256) == seL4_RangeError);
    EXPECT(mr(1) == 255);
    return 0;
}

static int priority_authority_must_be_tcb(void)
{
    EXPECT(seL4_TCB_SetPriority(new_tcb(), seL4_CapInitThreadCNode, 1) == seL4_InvalidCapability);
    EXPECT(mr(0) == 1);
    return 0;
}

static int priority_truncated(void)
{
    seL4_MessageInfo_t reply = seL4_Call(new_tcb(), seL4_MessageInfo_new(TCBSetPriority, 0, 0, 1));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_TruncatedMessage);
    return 0;
}

static int registers_of_self_are_refused(void)
{
    seL4_UserContext regs = {0};
    EXPECT(seL4_TCB_WriteRegisters(ktest_self(), 0, 0, 1, &regs) == seL4_IllegalOperation);
    EXPECT(seL4_TCB_ReadRegisters(ktest_self(), 0, 0, 1, &regs) == seL4_IllegalOperation);
    return 0;
}

static int read_registers_count_range(void)
{
    seL4_UserContext regs;
    EXPECT(seL4_TCB_ReadRegisters(new_tcb(), 0, 0, 0, &regs) == seL4_RangeError);
    EXPECT(mr(0) == 1 && mr(1) == 32);
    EXPECT(seL4_TCB_ReadRegisters(new_tcb(), 0, 0, 33, &regs) == seL4_RangeError);
    return 0;
}

static int write_registers_truncated(void)
{
    seL4_CPtr t = new_tcb();
    seL4_SetMR(0, 0);
    seL4_SetMR(1, 5);
    seL4_MessageInfo_t reply = seL4_Call(t, seL4_MessageInfo_new(TCBWriteRegisters, 0, 0, 6));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_TruncatedMessage);
    return 0;
}

static int registers_round_trip(void)
{
    seL4_CPtr t = new_tcb();
    seL4_UserContext in = {0}, out = {0};
    seL4_Word *w = (seL4_Word *)&in;
    for (int i = 0; i < 32; i++) w[i] = 0x1000 + (seL4_Word)i * 8;
    EXPECT(seL4_TCB_WriteRegisters(t, 0, 0, 32, &in) == seL4_NoError);
    EXPECT(seL4_TCB_ReadRegisters(t, 0, 0, 32, &out) == seL4_NoError);
    seL4_Word *r = (seL4_Word *)&out;
    for (int i = 0; i < 32; i++) EXPECT(r[i] == w[i]);
    return 0;
}

static volatile int ran_flag;
static seL4_CPtr report_ep;

static void set_flag_and_report(void *arg)
{
    ran_flag = (int)(seL4_Word)arg;
    seL4_Send(report_ep, seL4_MessageInfo_new(0, 0, 0, 0));
}

static int write_registers_with_resume_runs_thread(void)
{
    report_ep = alloc_object(seL4_EndpointObject, 0);
    ran_flag = 0;
    EXPECT(ktest_spawn("resumed", 200, set_flag_and_report, (void *)7, 0) == 0);
    seL4_Word badge;
    seL4_Recv(report_ep, &badge);
    EXPECT(ran_flag == 7);
    return 0;
}

static int raising_priority_above_caller_preempts_it(void)
{
    ran_flag = 0;
    report_ep = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr t;
    EXPECT(ktest_spawn("raised", 100, set_flag_and_report, (void *)9, &t) == 0);
    EXPECT(ran_flag == 0); /* lower than this case's thread: it has not run */
    EXPECT(seL4_TCB_SetPriority(t, seL4_CapInitThreadTCB, KTEST_PRIO) == seL4_NoError);
    /* equal to ours: it still waits; lowering ourselves lets it run at once */
    EXPECT(ran_flag == 0);
    EXPECT(seL4_TCB_SetPriority(ktest_self(), seL4_CapInitThreadTCB, KTEST_PRIO - 1) ==
           seL4_NoError);
    EXPECT(ran_flag == 9);
    EXPECT(seL4_TCB_SetPriority(ktest_self(), seL4_CapInitThreadTCB, KTEST_PRIO) == seL4_NoError);
    seL4_Word badge;
    seL4_Recv(report_ep, &badge);
    return 0;
}

static volatile uint64_t spins;

static void spin_forever(void *arg)
{
    (void)arg;
    for (;;) spins++;
}

static int suspend_stops_and_resume_continues(void)
{
    seL4_CPtr t;
    spins = 0;
    EXPECT(ktest_spawn("spinner", 100, spin_forever, 0, &t) == 0);
    EXPECT_SOON(spins > 0);
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    uint64_t at_suspend = spins;
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(spins == at_suspend);
    EXPECT(seL4_TCB_Resume(t) == seL4_NoError);
    EXPECT_SOON(spins > at_suspend);
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    return 0;
}

static int unknown_tcb_label(void)
{
    seL4_MessageInfo_t reply = seL4_Call(new_tcb(), seL4_MessageInfo_new(CNodeCopy, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_IllegalOperation);
    return 0;
}

static int sleep_returns_after_deadline(void)
{
    uint64_t start = schedlab_now_ns(), deadline = start + 500000;
    schedlab_sleep_until(deadline);
    EXPECT(schedlab_now_ns() >= deadline);
    schedlab_sleep_until(start); /* in the past: returns at once */
    return 0;
}

static int tls_base_sets_tp(void)
{
    seL4_CPtr t = new_tcb();
    seL4_UserContext regs;
    EXPECT(seL4_TCB_SetTLSBase(t, 0xabc000) == seL4_NoError);
    EXPECT(seL4_TCB_ReadRegisters(t, 0, 0, 32, &regs) == seL4_NoError);
    EXPECT(regs.tp == 0xabc000);
    seL4_MessageInfo_t r = seL4_Call(t, seL4_MessageInfo_new(TCBSetTLSBase, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    return 0;
}

static int flags_set_clear_and_mask(void)
{
    seL4_CPtr t = new_tcb();
    seL4_Word flags = 9;
    EXPECT(seL4_TCB_SetFlags(t, 0, seL4_TCBFlag_fpuDisabled | 0x100, &flags) == seL4_NoError);
    EXPECT(flags == seL4_TCBFlag_fpuDisabled); /* bits outside the mask are dropped */
    EXPECT(seL4_TCB_SetFlags(t, seL4_TCBFlag_fpuDisabled, 0, &flags) == seL4_NoError);
    EXPECT(flags == 0);
    seL4_SetMR(0, 0);
    seL4_MessageInfo_t r = seL4_Call(t, seL4_MessageInfo_new(TCBSetFlags, 0, 0, 1));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    return 0;
}

static int copy_registers_by_group(void)
{
    seL4_CPtr src = new_tcb(), dst = new_tcb();
    seL4_UserContext in = {0}, out;
    in.pc = 0x1234;
    in.sp = 0x5678;
    in.a0 = 11;
    in.t6 = 12;
    EXPECT(seL4_TCB_WriteRegisters(src, 0, 0, 32, &in) == seL4_NoError);
    EXPECT(seL4_TCB_CopyRegisters(dst, src, 0, 0, 1, 0, 0) == seL4_NoError); /* frame only */
    EXPECT(seL4_TCB_ReadRegisters(dst, 0, 0, 32, &out) == seL4_NoError);
    EXPECT(out.pc == 0x1234 && out.sp == 0x5678 && out.a0 == 0 && out.t6 == 0);
    EXPECT(seL4_TCB_CopyRegisters(dst, src, 0, 0, 0, 1, 0) == seL4_NoError); /* integer only */
    EXPECT(seL4_TCB_ReadRegisters(dst, 0, 0, 32, &out) == seL4_NoError);
    EXPECT(out.a0 == 11 && out.t6 == 12);
    EXPECT(seL4_TCB_CopyRegisters(dst, seL4_CapInitThreadCNode, 0, 0, 1, 1, 0) ==
           seL4_InvalidCapability);
    EXPECT(mr(0) == 1);
    seL4_MessageInfo_t r = seL4_Call(dst, seL4_MessageInfo_new(TCBCopyRegisters, 0, 0, 1));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    return 0;
}

static int domain_set_and_its_errors(void)
{
    seL4_CPtr t = new_tcb();
    EXPECT(seL4_DomainSet_Set(seL4_CapDomain, 0, t) == seL4_NoError);
    EXPECT(seL4_DomainSet_Set(seL4_CapDomain, 1, t) == seL4_InvalidArgument); /* one domain */
    EXPECT(mr(0) == 0);
    EXPECT(seL4_DomainSet_Set(seL4_CapDomain, 0, seL4_CapInitThreadCNode) == seL4_InvalidArgument);
    EXPECT(mr(0) == 1);
    seL4_SetMR(0, 0);
    seL4_MessageInfo_t r = seL4_Call(seL4_CapDomain, seL4_MessageInfo_new(DomainSetSet, 0, 0, 1));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    return 0;
}

static int domain_schedule_rules(void)
{
    EXPECT(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, 10) == seL4_NoError);
    EXPECT(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 1, 0, 10) == seL4_RangeError);
    EXPECT(mr(0) == 0 && mr(1) == 0);
    EXPECT(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 1, 10) == seL4_RangeError);
    EXPECT(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, 1ull << 56) ==
           seL4_InvalidArgument);
    EXPECT(mr(0) == 2);
    /* the start entry cannot become the end marker */
    EXPECT(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, 0) == seL4_InvalidArgument);
    EXPECT(mr(0) == 2);
    EXPECT(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 0) == seL4_NoError);
    EXPECT(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 1) == seL4_InvalidArgument); /* marker */
    EXPECT(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 2) == seL4_RangeError);
    EXPECT(mr(0) == 0 && mr(1) == 1);
    return 0;
}

static int set_space_and_ipc_buffer_errors(void)
{
    seL4_CPtr t = new_tcb();
    EXPECT(seL4_TCB_SetSpace(t, 0, seL4_CapInitThreadTCB, 0, ktest_own_vspace(), 0) ==
           seL4_IllegalOperation);
    EXPECT(seL4_TCB_SetSpace(t, 0, seL4_CapInitThreadCNode, 0, seL4_CapInitThreadCNode, 0) ==
           seL4_IllegalOperation);
    /* a guard that does not fit beside the radix makes the CSpace root invalid */
    EXPECT(seL4_TCB_SetSpace(t, 0, seL4_CapInitThreadCNode, 60, ktest_own_vspace(), 0) ==
           seL4_IllegalOperation);
    EXPECT(seL4_TCB_SetSpace(t, 0, seL4_CapInitThreadCNode, 52, ktest_own_vspace(), 0) ==
           seL4_NoError);
    EXPECT(seL4_TCB_SetIPCBuffer(t, (seL4_Word)&spare_buffer + 512,
                                 image_frame_cap(&spare_buffer)) == seL4_AlignmentError);
    EXPECT(seL4_TCB_SetIPCBuffer(t, 0, 0) == seL4_NoError); /* no buffer: the cap is ignored */
    seL4_MessageInfo_t r = seL4_Call(t, seL4_MessageInfo_new(TCBSetSpace, 0, 1, 3));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    return 0;
}

const struct ktest_case ktest_tcb[] = {
    {"TCB", "Configure accepts a CNode, VSpace and IPC buffer", configure_accepts_valid_spaces},
    {"TCB", "Configure: IllegalOperation for a non-CNode", configure_rejects_non_cnode_cspace},
    {"TCB", "Configure: IllegalOperation for a non-VSpace", configure_rejects_non_vspace},
    {"TCB", "Configure: AlignmentError for the buffer", configure_rejects_misaligned_buffer},
    {"TCB", "Configure: IllegalOperation for a non-frame", configure_rejects_non_frame_buffer},
    {"TCB", "Configure: TruncatedMessage", configure_truncated},
    {"TCB", "SetPriority/MCP/SchedParams bounded by MCP", priority_bounded_by_authority_mcp},
    {"TCB", "SetPriority: InvalidCapability 1 authority", priority_authority_must_be_tcb},
    {"TCB", "SetPriority: TruncatedMessage", priority_truncated},
    {"TCB", "Read/WriteRegisters of self: IllegalOperation", registers_of_self_are_refused},
    {"TCB", "ReadRegisters: RangeError 1..32", read_registers_count_range},
    {"TCB", "WriteRegisters: TruncatedMessage", write_registers_truncated},
    {"TCB", "WriteRegisters then ReadRegisters round trip", registers_round_trip},
    {"TCB", "WriteRegisters with resume starts the thread",
     write_registers_with_resume_runs_thread},
    {"TCB", "SetPriority reorders and preempts", raising_priority_above_caller_preempts_it},
    {"TCB", "Suspend stops a thread, Resume continues it", suspend_stops_and_resume_continues},
    {"TCB", "IllegalOperation: label for another object", unknown_tcb_label},
    {"TCB", "SleepUntil returns at or after the deadline", sleep_returns_after_deadline},
    {"TCB", "SetTLSBase sets tp; TruncatedMessage", tls_base_sets_tp},
    {"TCB", "SetFlags sets, clears and masks; reply MR0", flags_set_clear_and_mask},
    {"TCB", "CopyRegisters by group; errors", copy_registers_by_group},
    {"TCB", "DomainSet Set: one domain; errors", domain_set_and_its_errors},
    {"TCB", "Domain schedule: configure, start, errors", domain_schedule_rules},
    {"TCB", "SetSpace / SetIPCBuffer errors", set_space_and_ipc_buffer_errors},
    {0, 0, 0},
};
