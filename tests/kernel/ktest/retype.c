/* RETYPE: Untyped_Retype's objects and every error it can return for a bad argument. */
#include "ktest.h"

static seL4_Word mr(int i) { return seL4_GetMR(i); }

static seL4_Error retype(seL4_CPtr ut, seL4_Word type, seL4_Word bits, seL4_Word index,
                         seL4_Word depth, seL4_Word offset, seL4_Word n)
{
    return seL4_Untyped_Retype(ut, type, bits, seL4_CapInitThreadCNode, index, depth, offset, n);
}

/* A fresh child untyped of `bits`, so each case knows exactly how much memory it has. */
static seL4_CPtr child_untyped(unsigned bits) { return alloc_object(seL4_UntypedObject, bits); }

static int creates_each_object_type(void)
{
    seL4_CPtr ut = child_untyped(23);
    EXPECT(ut);
    static const seL4_Word types[] = {
        seL4_TCBObject,     seL4_EndpointObject,        seL4_NotificationObject,
        seL4_RISCV_4K_Page, seL4_RISCV_PageTableObject, seL4_RISCV_Mega_Page};
    for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++)
        EXPECT(retype(ut, types[i], 0, 0, 0, alloc_slot(), 1) == seL4_NoError);
    EXPECT(retype(ut, seL4_CapTableObject, 4, 0, 0, alloc_slot(), 1) == seL4_NoError);
    EXPECT(retype(ut, seL4_UntypedObject, 10, 0, 0, alloc_slot(), 1) == seL4_NoError);
    return 0;
}

static int creates_many_objects_in_consecutive_slots(void)
{
    seL4_CPtr ut = child_untyped(12), first = alloc_slot();
    for (int i = 1; i < 8; i++) alloc_slot();
    EXPECT(retype(ut, seL4_EndpointObject, 0, 0, 0, first, 8) == seL4_NoError);
    /* every slot of the window is now occupied */
    for (int i = 0; i < 8; i++)
        EXPECT(retype(ut, seL4_EndpointObject, 0, 0, 0, first + i, 1) == seL4_DeleteFirst);
    return 0;
}

static int invalid_type(void)
{
    EXPECT(retype(ktest_untyped(12), seL4_ObjectTypeCount, 0, 0, 0, alloc_slot(), 1) ==
           seL4_InvalidArgument);
    EXPECT(mr(0) == 0);
    return 0;
}

static int size_too_large(void)
{
    EXPECT(retype(ktest_untyped(12), seL4_UntypedObject, 39, 0, 0, alloc_slot(), 1) ==
           seL4_RangeError);
    EXPECT(mr(0) == 0 && mr(1) == seL4_MaxUntypedBits);
    EXPECT(retype(ktest_untyped(12), seL4_CapTableObject, 34, 0, 0, alloc_slot(), 1) ==
           seL4_RangeError);
    return 0;
}

static int zero_slot_cnode(void)
{
    EXPECT(retype(ktest_untyped(12), seL4_CapTableObject, 0, 0, 0, alloc_slot(), 1) ==
           seL4_InvalidArgument);
    EXPECT(mr(0) == 1);
    return 0;
}

static int untyped_below_minimum(void)
{
    EXPECT(retype(ktest_untyped(12), seL4_UntypedObject, 3, 0, 0, alloc_slot(), 1) ==
           seL4_InvalidArgument);
    EXPECT(mr(0) == 1);
    return 0;
}

static int occupied_destination(void)
{
    EXPECT(retype(ktest_untyped(12), seL4_EndpointObject, 0, 0, 0, seL4_CapInitThreadTCB, 1) ==
           seL4_DeleteFirst);
    return 0;
}

static int object_count_range(void)
{
    seL4_CPtr ut = ktest_untyped(12), slot = alloc_slot();
    EXPECT(retype(ut, seL4_EndpointObject, 0, 0, 0, slot, 0) == seL4_RangeError);
    EXPECT(mr(0) == 1 && mr(1) == seL4_UntypedRetypeMaxObjects);
    EXPECT(retype(ut, seL4_EndpointObject, 0, 0, 0, slot, 257) == seL4_RangeError);
    return 0;
}

static int offset_beyond_cnode(void)
{
    seL4_CPtr ut = ktest_untyped(12);
    EXPECT(retype(ut, seL4_EndpointObject, 0, 0, 0, 4096, 1) == seL4_RangeError);
    EXPECT(mr(0) == 0 && mr(1) == 4095);
    EXPECT(retype(ut, seL4_EndpointObject, 0, 0, 0, 4095, 2) == seL4_RangeError);
    EXPECT(mr(0) == 1 && mr(1) == 1);
    return 0;
}

static int destination_depth_out_of_range(void)
{
    EXPECT(retype(ktest_untyped(12), seL4_EndpointObject, 0, 0, 65, 0, 1) == seL4_RangeError);
    EXPECT(mr(0) == 1 && mr(1) == 64);
    return 0;
}

static int destination_guard_mismatch(void)
{
    /* the root CNode has a 52-bit guard of 0: a 10-bit walk cannot even match the guard */
    EXPECT(retype(ktest_untyped(12), seL4_EndpointObject, 0, 0, 10, 0, 1) == seL4_FailedLookup);
    EXPECT(mr(0) == 0 && mr(1) == seL4_GuardMismatch && mr(2) == 10 && mr(3) == 0 && mr(4) == 52);
    return 0;
}

static int destination_not_a_cnode(void)
{
    EXPECT(retype(ktest_untyped(12), seL4_EndpointObject, 0, seL4_CapInitThreadTCB, 64, 0, 1) ==
           seL4_FailedLookup);
    EXPECT(mr(0) == 0 && mr(1) == seL4_MissingCapability);
    return 0;
}

static int not_enough_memory_reports_what_is_left(void)
{
    seL4_CPtr ut = child_untyped(13);
    EXPECT(retype(ut, seL4_EndpointObject, 0, 0, 0, alloc_slot(), 1) == seL4_NoError);
    /* the watermark is 16 bytes in: one 4 KiB frame still fits (aligned up), two do not */
    EXPECT(retype(ut, seL4_RISCV_4K_Page, 0, 0, 0, alloc_slot(), 2) == seL4_NotEnoughMemory);
    EXPECT(mr(0) == 8192 - 16);
    EXPECT(retype(ut, seL4_RISCV_4K_Page, 0, 0, 0, alloc_slot(), 1) == seL4_NoError);
    EXPECT(retype(ut, seL4_EndpointObject, 0, 0, 0, alloc_slot(), 1) == seL4_NotEnoughMemory);
    EXPECT(mr(0) == 0);
    return 0;
}

static int object_bigger_than_untyped(void)
{
    EXPECT(retype(child_untyped(12), seL4_RISCV_Mega_Page, 0, 0, 0, alloc_slot(), 1) ==
           seL4_NotEnoughMemory);
    EXPECT(mr(0) == 4096);
    return 0;
}

static int truncated_message(void)
{
    seL4_SetCap(0, seL4_CapInitThreadCNode);
    seL4_MessageInfo_t reply =
        seL4_Call(ktest_untyped(12), seL4_MessageInfo_new(UntypedRetype, 0, 1, 5));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_TruncatedMessage);
    reply = seL4_Call(ktest_untyped(12), seL4_MessageInfo_new(UntypedRetype, 0, 0, 6));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_TruncatedMessage);
    return 0;
}

static int wrong_label(void)
{
    seL4_MessageInfo_t reply =
        seL4_Call(ktest_untyped(12), seL4_MessageInfo_new(TCBSuspend, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_IllegalOperation);
    reply = seL4_Call(seL4_CapInitThreadTCB, seL4_MessageInfo_new(UntypedRetype, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_IllegalOperation);
    return 0;
}

static int error_reply_has_no_badge_and_no_caps(void)
{
    seL4_Word badge = 1;
    seL4_SetCap(0, seL4_CapInitThreadCNode);
    seL4_SetMR(0, seL4_ObjectTypeCount);
    seL4_MessageInfo_t reply = sel4_exchange(seL4_SysCall, ktest_untyped(12),
                                             seL4_MessageInfo_new(UntypedRetype, 0, 1, 6), &badge);
    EXPECT(badge == 0);
    EXPECT(seL4_MessageInfo_get_extraCaps(reply) == 0 && seL4_MessageInfo_get_length(reply) == 1);
    return 0;
}

const struct ktest_case ktest_retype[] = {
    {"RETYPE", "creates each object type", creates_each_object_type},
    {"RETYPE", "many objects fill consecutive slots", creates_many_objects_in_consecutive_slots},
    {"RETYPE", "InvalidArgument 0: unknown object type", invalid_type},
    {"RETYPE", "RangeError 0..38: object too large", size_too_large},
    {"RETYPE", "InvalidArgument 1: CNode of 0 bits", zero_slot_cnode},
    {"RETYPE", "InvalidArgument 1: untyped below 16 bytes", untyped_below_minimum},
    {"RETYPE", "DeleteFirst: destination occupied", occupied_destination},
    {"RETYPE", "RangeError 1..256: object count", object_count_range},
    {"RETYPE", "RangeError: offset and window beyond CNode", offset_beyond_cnode},
    {"RETYPE", "RangeError 1..64: destination depth", destination_depth_out_of_range},
    {"RETYPE", "FailedLookup: guard mismatch details", destination_guard_mismatch},
    {"RETYPE", "FailedLookup: destination not a CNode", destination_not_a_cnode},
    {"RETYPE", "NotEnoughMemory: watermark and bytes left", not_enough_memory_reports_what_is_left},
    {"RETYPE", "NotEnoughMemory: object larger than untyped", object_bigger_than_untyped},
    {"RETYPE", "TruncatedMessage: short message or no cap", truncated_message},
    {"RETYPE", "IllegalOperation: label for another object", wrong_label},
    {"RETYPE", "error reply: badge 0, no caps, length", error_reply_has_no_badge_and_no_caps},
    {0, 0, 0},
};
