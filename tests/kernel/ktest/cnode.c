/* CNODE: copying, minting, moving, rotating, deleting and revoking capabilities. */
#include "ktest.h"

#include <stdbool.h>

#define ROOT seL4_CapInitThreadCNode
#define D    64 /* depth of a root-CNode slot address */

static seL4_Word mr(int i) { return seL4_GetMR(i); }

static seL4_Error copy(seL4_CPtr dest, seL4_CPtr src, seL4_Word rights)
{
    return seL4_CNode_Copy(ROOT, dest, D, ROOT, src, D, rights);
}
static seL4_Error mint(seL4_CPtr dest, seL4_CPtr src, seL4_Word rights, seL4_Word badge)
{
    return seL4_CNode_Mint(ROOT, dest, D, ROOT, src, D, rights, badge);
}
static bool slot_empty(seL4_CPtr slot)
{
    /* Move out of an empty slot is a failed lookup of the source */
    seL4_CPtr scratch = alloc_slot();
    seL4_Error e = seL4_CNode_Move(ROOT, scratch, D, ROOT, slot, D);
    if (e == seL4_NoError) seL4_CNode_Move(ROOT, slot, D, ROOT, scratch, D);
    return e == seL4_FailedLookup;
}

static int copy_makes_a_working_cap(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0), c = alloc_slot();
    EXPECT(copy(c, n, seL4_AllRights) == seL4_NoError);
    seL4_Signal(c);
    seL4_Word badge = 7;
    seL4_Poll(n, &badge);
    EXPECT(badge == 0 && !slot_empty(c));
    EXPECT(seL4_CNode_Delete(ROOT, n, D) == seL4_NoError);
    seL4_Signal(c); /* the copy outlives the original */
    return 0;
}

static int copy_into_occupied_slot(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    EXPECT(copy(seL4_CapInitThreadTCB, n, seL4_AllRights) == seL4_DeleteFirst);
    return 0;
}

static int copy_from_empty_slot(void)
{
    EXPECT(copy(alloc_slot(), alloc_slot(), seL4_AllRights) == seL4_FailedLookup);
    EXPECT(mr(0) == 1 && mr(1) == seL4_MissingCapability);
    return 0;
}

static int depth_out_of_range(void)
{
    EXPECT(seL4_CNode_Delete(ROOT, alloc_slot(), 0) == seL4_RangeError);
    EXPECT(mr(0) == 1 && mr(1) == 64);
    return 0;
}

static int copy_truncated(void)
{
    /* the destination, then the source, are looked up before the rights word is missed: name
     * valid ones (seL4 checks Copy's fifth word only once it knows the source) */
    seL4_SetMR(0, alloc_slot());
    seL4_SetMR(1, D);
    seL4_SetMR(2, seL4_CapInitThreadTCB);
    seL4_SetMR(3, D);
    seL4_SetCap(0, ROOT);
    seL4_MessageInfo_t r = seL4_Call(ROOT, seL4_MessageInfo_new(CNodeCopy, 0, 1, 4));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    seL4_SetMR(0, alloc_slot());
    seL4_SetMR(1, D);
    r = seL4_Call(ROOT, seL4_MessageInfo_new(CNodeCopy, 0, 0, 5));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_TruncatedMessage);
    return 0;
}

static int non_cnode_label(void)
{
    seL4_MessageInfo_t r = seL4_Call(ROOT, seL4_MessageInfo_new(TCBSuspend, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_IllegalOperation);
    return 0;
}

static seL4_CPtr badge_ep;

static void send_on_badged(void *arg)
{
    seL4_Send((seL4_CPtr)arg, seL4_MessageInfo_new(0, 0, 0, 0));
}

static int mint_badge_reaches_receiver(void)
{
    badge_ep = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr badged = alloc_slot();
    EXPECT(mint(badged, badge_ep, seL4_AllRights, 0xbeef) == seL4_NoError);
    EXPECT(ktest_spawn("badged-sender", 200, send_on_badged, (void *)badged, 0) == 0);
    seL4_Word badge = 0;
    seL4_Recv(badge_ep, &badge);
    EXPECT(badge == 0xbeef);
    return 0;
}

static int mint_from_badged_cap_refused(void)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0), a = alloc_slot(), b = alloc_slot();
    EXPECT(mint(a, ep, seL4_AllRights, 1) == seL4_NoError);
    EXPECT(mint(b, a, seL4_AllRights, 2) == seL4_IllegalOperation);
    return 0;
}

static int rights_are_masked(void)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0), ro = alloc_slot();
    EXPECT(copy(ro, ep, seL4_CanRead) == seL4_NoError);
    seL4_MessageInfo_t r = seL4_Call(ro, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(r) == seL4_InvalidCapability);
    EXPECT(mr(0) == 0);
    return 0;
}

static int notification_badges_accumulate(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0), a = alloc_slot(), b = alloc_slot();
    EXPECT(mint(a, n, seL4_AllRights, 0x1) == seL4_NoError);
    EXPECT(mint(b, n, seL4_AllRights, 0x4) == seL4_NoError);
    seL4_Signal(a);
    seL4_Signal(b);
    seL4_Word word = 0;
    seL4_Wait(n, &word);
    EXPECT(word == 0x5);
    return 0;
}

static int move_empties_source(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0), to = alloc_slot();
    EXPECT(seL4_CNode_Move(ROOT, to, D, ROOT, n, D) == seL4_NoError);
    EXPECT(slot_empty(n) && !slot_empty(to));
    seL4_Signal(to);
    return 0;
}

static int mutate_endpoint_refused(void)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0);
    EXPECT(seL4_CNode_Mutate(ROOT, alloc_slot(), D, ROOT, ep, D, 5) == seL4_IllegalOperation);
    return 0;
}

static int mutate_cnode_guard(void)
{
    seL4_CPtr cn = alloc_object(seL4_CapTableObject, 2), guarded = alloc_slot();
    /* guard size 62 + radix 2 = 64 bits: a valid single-level CSpace */
    EXPECT(seL4_CNode_Mutate(ROOT, guarded, D, ROOT, cn, D, 62) == seL4_NoError);
    /* guard size 63 + radix 2 > 64: refused */
    seL4_CPtr bad = alloc_slot();
    EXPECT(seL4_CNode_Mutate(ROOT, bad, D, ROOT, guarded, D, 63) == seL4_IllegalOperation);
    /* the guarded CNode addresses its slot 1 at depth 64 */
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    EXPECT(seL4_CNode_Copy(guarded, 1, 64, ROOT, n, D, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(guarded, 1, 64, ROOT, n, D, seL4_AllRights) == seL4_DeleteFirst);
    return 0;
}

/* Which kind of cap a slot holds, told by invoking it: a TCB suspends, a frame refuses. */
static bool holds_tcb(seL4_CPtr slot) { return seL4_TCB_Suspend(slot) == seL4_NoError; }

static int rotate_moves_three_ways(void)
{
    seL4_CPtr a = alloc_object(seL4_TCBObject, 0);
    seL4_CPtr b = alloc_object(seL4_RISCV_4K_Page, 0), c = alloc_slot();
    /* pivot b -> dest c, src a -> pivot b */
    EXPECT(seL4_CNode_Rotate(ROOT, c, D, 0, ROOT, b, D, 0, ROOT, a, D) == seL4_NoError);
    EXPECT(slot_empty(a) && holds_tcb(b) && !holds_tcb(c) && !slot_empty(c));
    return 0;
}

static int rotate_swaps_when_source_is_destination(void)
{
    seL4_CPtr a = alloc_object(seL4_TCBObject, 0);
    seL4_CPtr b = alloc_object(seL4_RISCV_4K_Page, 0);
    EXPECT(seL4_CNode_Rotate(ROOT, a, D, 0, ROOT, b, D, 0, ROOT, a, D) == seL4_NoError);
    EXPECT(holds_tcb(b) && !holds_tcb(a) && !slot_empty(a));
    return 0;
}

static int rotate_of_endpoint_caps_refused(void)
{
    /* seL4 applies the new data with "preserve" semantics: endpoint and notification caps
     * cannot take it, so they cannot be rotated */
    seL4_CPtr a = alloc_object(seL4_EndpointObject, 0), b = alloc_object(seL4_TCBObject, 0);
    EXPECT(seL4_CNode_Rotate(ROOT, alloc_slot(), D, 0, ROOT, b, D, 0, ROOT, a, D) ==
           seL4_IllegalOperation);
    EXPECT(!slot_empty(a) && holds_tcb(b));
    return 0;
}

static int rotate_pivot_equal_to_source_refused(void)
{
    seL4_CPtr a = alloc_object(seL4_NotificationObject, 0);
    EXPECT(seL4_CNode_Rotate(ROOT, alloc_slot(), D, 0, ROOT, a, D, 0, ROOT, a, D) ==
           seL4_IllegalOperation);
    return 0;
}

static int delete_empties_slot(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    EXPECT(seL4_CNode_Delete(ROOT, n, D) == seL4_NoError);
    EXPECT(slot_empty(n));
    EXPECT(seL4_CNode_Delete(ROOT, n, D) == seL4_NoError); /* deleting nothing is fine */
    return 0;
}

static int revoke_removes_derived_caps(void)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr kids[3] = {alloc_slot(), alloc_slot(), alloc_slot()};
    for (int i = 0; i < 3; i++) EXPECT(mint(kids[i], ep, seL4_AllRights, 10 + i) == seL4_NoError);
    seL4_CPtr plain = alloc_slot();
    EXPECT(copy(plain, kids[0], seL4_AllRights) == seL4_NoError); /* grandchild */
    EXPECT(seL4_CNode_Revoke(ROOT, ep, D) == seL4_NoError);
    for (int i = 0; i < 3; i++) EXPECT(slot_empty(kids[i]));
    EXPECT(slot_empty(plain) && !slot_empty(ep));
    return 0;
}

static int revoke_badged_cap_keeps_siblings(void)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0), a = alloc_slot(), b = alloc_slot();
    seL4_CPtr a_copy = alloc_slot();
    EXPECT(mint(a, ep, seL4_AllRights, 1) == seL4_NoError);
    EXPECT(mint(b, ep, seL4_AllRights, 2) == seL4_NoError);
    EXPECT(copy(a_copy, a, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Revoke(ROOT, a, D) == seL4_NoError);
    EXPECT(slot_empty(a_copy) && !slot_empty(a) && !slot_empty(b));
    return 0;
}

static int revoked_untyped_is_reused(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 13);
    seL4_CPtr f = alloc_slot(), g = alloc_slot();
    EXPECT(seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, f, 1) == seL4_NoError);
    EXPECT(seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, g, 1) == seL4_NoError);
    EXPECT(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, 0, 0, alloc_slot(), 1) ==
           seL4_NotEnoughMemory);
    EXPECT(seL4_CNode_Revoke(ROOT, ut, D) == seL4_NoError);
    EXPECT(slot_empty(f) && slot_empty(g));
    EXPECT(seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, f, 2) == seL4_NoError);
    return 0;
}

static int copy_of_untyped_with_children(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 12);
    EXPECT(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, 0, 0, alloc_slot(), 1) ==
           seL4_NoError);
    EXPECT(copy(alloc_slot(), ut, seL4_AllRights) == seL4_RevokeFirst);
    return 0;
}

static volatile uint64_t spin_count;
static void spin(void *arg)
{
    (void)arg;
    for (;;) spin_count++;
}

static int revoke_destroys_running_thread_and_memory_is_reused(void)
{
    /* a thread made from an untyped, running; revoking the untyped destroys it and the memory
     * is retyped into zeroed frames: the kernel must never touch the old TCB again */
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 16), tcb = alloc_slot();
    static seL4_IPCBuffer buffer;
    static uint64_t stack[512];
    EXPECT(seL4_Untyped_Retype(ut, seL4_TCBObject, 0, ROOT, 0, 0, tcb, 1) == seL4_NoError);
    EXPECT(seL4_TCB_Configure(tcb, 0, ROOT, 0, ktest_own_vspace(), 0, (seL4_Word)&buffer,
                              image_frame_cap(&buffer)) == seL4_NoError);
    EXPECT(seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, 100) == seL4_NoError);
    seL4_UserContext regs = {0};
    regs.pc = (seL4_Word)spin;
    regs.sp = (seL4_Word)&stack[512];
    regs.tp = (seL4_Word)&buffer;
    spin_count = 0;
    EXPECT(seL4_TCB_WriteRegisters(tcb, 1, 0, 32, &regs) == seL4_NoError);
    EXPECT_SOON(spin_count > 0);
    EXPECT(seL4_CNode_Revoke(ROOT, ut, D) == seL4_NoError);
    EXPECT(slot_empty(tcb));
    uint64_t at_revoke = spin_count;
    seL4_CPtr frames = alloc_slot();
    for (int i = 1; i < 16; i++) alloc_slot();
    EXPECT(seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, frames, 16) == seL4_NoError);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(spin_count == at_revoke);
    return 0;
}

static volatile int waiter_woke;
static seL4_CPtr doomed_ep;

static void wait_on_doomed(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Recv(doomed_ep, &badge);
    waiter_woke = 1;
}

static int deleting_last_endpoint_cap_releases_waiters(void)
{
    doomed_ep = alloc_object(seL4_EndpointObject, 0);
    waiter_woke = 0;
    EXPECT(ktest_spawn("doomed-waiter", 100, wait_on_doomed, 0, 0) == 0);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id())); /* it blocks in Recv */
    EXPECT(seL4_CNode_Delete(ROOT, doomed_ep, D) == seL4_NoError);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    /* it was restarted: its Recv now finds an empty slot (a capability fault, so it stops) */
    EXPECT(waiter_woke == 0);
    return 0;
}

static int deleting_cnode_deletes_its_caps(void)
{
    seL4_CPtr cn = alloc_object(seL4_CapTableObject, 3);
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0), badged = alloc_slot();
    EXPECT(mint(badged, ep, seL4_AllRights, 3) == seL4_NoError);
    /* put the only cap to a notification, and a copy of a badged endpoint cap, in the CNode */
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    EXPECT(seL4_CNode_Move(cn, 0, 3, ROOT, n, D) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(cn, 1, 3, ROOT, badged, D, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(ROOT, cn, D) == seL4_NoError);
    /* the badged endpoint cap lost its copy: revoking it finds no children */
    EXPECT(seL4_CNode_Revoke(ROOT, badged, D) == seL4_NoError);
    return 0;
}

static int cancel_badged_sends_needs_full_rights(void)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0), weak = alloc_slot();
    EXPECT(copy(weak, ep, seL4_ReadWrite) == seL4_NoError);
    EXPECT(seL4_CNode_CancelBadgedSends(ROOT, weak, D) == seL4_IllegalOperation);
    EXPECT(seL4_CNode_CancelBadgedSends(ROOT, ep, D) == seL4_NoError);
    EXPECT(seL4_CNode_CancelBadgedSends(ROOT, seL4_CapInitThreadTCB, D) == seL4_IllegalOperation);
    return 0;
}

static seL4_CPtr save_ep, saved_reply;

static void call_for_saved_reply(void *arg)
{
    (void)arg;
    seL4_SetMR(0, 5);
    seL4_Call(save_ep, seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Send(save_ep, seL4_MessageInfo_new(0, 0, 0, 1)); /* MR0 still holds the reply */
}

static int save_caller_and_reply_through_it(void)
{
    save_ep = alloc_object(seL4_EndpointObject, 0);
    saved_reply = alloc_slot();
    EXPECT(ktest_spawn("saved-caller", 200, call_for_saved_reply, 0, 0) == 0);
    seL4_Word badge;
    seL4_Recv(save_ep, &badge);
    EXPECT(mr(0) == 5);
    EXPECT(seL4_CNode_SaveCaller(ROOT, saved_reply, D) == seL4_NoError);
    EXPECT(seL4_CNode_SaveCaller(ROOT, seL4_CapInitThreadTCB, D) == seL4_DeleteFirst);
    seL4_SetMR(0, 55);
    seL4_Send(saved_reply, seL4_MessageInfo_new(0, 0, 0, 1)); /* the reply, through the saved cap */
    EXPECT(slot_empty(saved_reply));                          /* reply caps are one-shot */
    seL4_Recv(save_ep, &badge);
    EXPECT(mr(0) == 55);
    return 0;
}

const struct ktest_case ktest_cnode[] = {
    {"CNODE", "Copy makes a working cap that outlives the original", copy_makes_a_working_cap},
    {"CNODE", "Copy: DeleteFirst for an occupied slot", copy_into_occupied_slot},
    {"CNODE", "Copy: FailedLookup (source) for an empty slot", copy_from_empty_slot},
    {"CNODE", "RangeError 1..64 for depth 0", depth_out_of_range},
    {"CNODE", "Copy: TruncatedMessage", copy_truncated},
    {"CNODE", "IllegalOperation: label for another object", non_cnode_label},
    {"CNODE", "Mint: the badge reaches the receiver", mint_badge_reaches_receiver},
    {"CNODE", "Mint from a badged cap: IllegalOperation", mint_from_badged_cap_refused},
    {"CNODE", "Copy masks rights: no Write, no Send", rights_are_masked},
    {"CNODE", "notification badges are OR-ed", notification_badges_accumulate},
    {"CNODE", "Move empties the source", move_empties_source},
    {"CNODE", "Mutate of an endpoint: IllegalOperation", mutate_endpoint_refused},
    {"CNODE", "Mutate sets a CNode guard; too large refused", mutate_cnode_guard},
    {"CNODE", "Rotate: pivot to destination, source to pivot", rotate_moves_three_ways},
    {"CNODE", "Rotate with source = destination swaps", rotate_swaps_when_source_is_destination},
    {"CNODE", "Rotate: pivot = source is IllegalOperation", rotate_pivot_equal_to_source_refused},
    {"CNODE", "Rotate of endpoint caps: IllegalOperation", rotate_of_endpoint_caps_refused},
    {"CNODE", "Delete empties a slot; empty slot is fine", delete_empties_slot},
    {"CNODE", "Revoke removes children and grandchildren", revoke_removes_derived_caps},
    {"CNODE", "Revoke of a badged cap spares other badges", revoke_badged_cap_keeps_siblings},
    {"CNODE", "revoked untyped memory is retyped again", revoked_untyped_is_reused},
    {"CNODE", "Copy of an untyped with children: RevokeFirst", copy_of_untyped_with_children},
    {"CNODE", "Revoke destroys a running thread; memory reused",
     revoke_destroys_running_thread_and_memory_is_reused},
    {"CNODE", "deleting the last endpoint cap restarts waiters",
     deleting_last_endpoint_cap_releases_waiters},
    {"CNODE", "deleting a CNode deletes the caps in it", deleting_cnode_deletes_its_caps},
    {"CNODE", "CancelBadgedSends needs a full-rights endpoint",
     cancel_badged_sends_needs_full_rights},
    {"CNODE", "SaveCaller, then reply through the saved cap", save_caller_and_reply_through_it},
    {0, 0, 0},
};
