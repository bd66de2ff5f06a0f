/* REVOKE: what Untyped_Retype's capabilities being revocable implies (seL4's insertNewCap makes
 * every new capability's derivation node revocable and first-badged): Revoke of the original
 * deletes every copy, which is how a process is torn down. */
#include "ktest.h"

#include <stdbool.h>

#define ROOT seL4_CapInitThreadCNode
#define D    64

static bool empty_in(seL4_CPtr cnode, seL4_Word index, seL4_Word depth)
{
    seL4_CPtr scratch = alloc_slot();
    seL4_Error e = seL4_CNode_Move(ROOT, scratch, D, cnode, index, (seL4_Uint8)depth);
    if (e == seL4_NoError) seL4_CNode_Move(cnode, index, (seL4_Uint8)depth, ROOT, scratch, D);
    return e == seL4_FailedLookup;
}

static bool empty(seL4_CPtr slot) { return empty_in(ROOT, slot, D); }

static seL4_Error retype(seL4_CPtr ut, seL4_Word type, seL4_Word bits, seL4_CPtr slot, int n)
{
    return seL4_Untyped_Retype(ut, type, bits, ROOT, 0, 0, slot, (seL4_Word)n);
}

/* A process's CSpace holds a capability to itself (and here a copy of one of its frames): Revoke
 * of the CNode cap deletes the self-reference, so deleting the CNode cap then destroys the CNode
 * and what it holds, and the untyped they came from is whole again. */
static int cnode_with_self_reference_is_freed(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 13);
    seL4_CPtr cn = alloc_slot(), frame = alloc_slot();
    EXPECT(ut);
    EXPECT(retype(ut, seL4_CapTableObject, 4, cn, 1) == seL4_NoError);
    EXPECT(retype(ut, seL4_RISCV_4K_Page, 0, frame, 1) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(cn, 0, 4, ROOT, cn, D, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(cn, 1, 4, ROOT, frame, D, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Revoke(ROOT, cn, D) == seL4_NoError);
    EXPECT(empty_in(cn, 0, 4) && !empty_in(cn, 1, 4) && !empty(cn));
    EXPECT(seL4_CNode_Delete(ROOT, cn, D) == seL4_NoError);
    EXPECT(seL4_CNode_Revoke(ROOT, frame, D) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(ROOT, frame, D) == seL4_NoError);
    /* no object is left in the untyped: it is reset and all 8 KiB are free */
    seL4_CPtr two = alloc_slot();
    alloc_slot();
    EXPECT(retype(ut, seL4_RISCV_4K_Page, 0, two, 2) == seL4_NoError);
    return 0;
}

/* The same teardown with the CNode a thread's CSpace root: Revoke deletes the TCB's copy too, so
 * the CNode goes with the cap Retype made while the thread still exists. (The CNode holds a copy
 * of an untyped: that untyped can be copied again only once the CNode is gone.) */
static int revoke_of_cnode_takes_it_from_the_tcb(void)
{
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 12),
              other = alloc_object(seL4_UntypedObject, 12);
    seL4_CPtr cn = alloc_slot(), tcb = alloc_slot();
    EXPECT(ut && other);
    EXPECT(retype(ut, seL4_CapTableObject, 4, cn, 1) == seL4_NoError);
    EXPECT(retype(ut, seL4_TCBObject, 0, tcb, 1) == seL4_NoError);
    EXPECT(seL4_TCB_SetSpace(tcb, 0, cn, 0, ktest_own_vspace(), 0) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(cn, 0, 4, ROOT, other, D, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(ROOT, alloc_slot(), D, ROOT, other, D, seL4_AllRights) ==
           seL4_RevokeFirst);
    EXPECT(seL4_CNode_Revoke(ROOT, cn, D) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(ROOT, cn, D) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(ROOT, alloc_slot(), D, ROOT, other, D, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Delete(ROOT, tcb, D) == seL4_NoError);
    return 0;
}

/* Every kind of object Retype makes: a copy (and a copy of the copy) is a descendant of the
 * capability Retype made, so Revoke of that one deletes them and keeps it. */
static int revoke_of_each_retyped_cap_deletes_its_copies(void)
{
    static const struct {
        seL4_Word type, bits;
    } kinds[] = {{seL4_TCBObject, 0},      {seL4_EndpointObject, 0}, {seL4_NotificationObject, 0},
                 {seL4_CapTableObject, 2}, {seL4_RISCV_4K_Page, 0},  {seL4_UntypedObject, 12}};
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 16);
    EXPECT(ut);
    for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        seL4_CPtr made = alloc_slot(), copy = alloc_slot(), copy2 = alloc_slot();
        printf("    object type %lu\n", (unsigned long)kinds[i].type);
        EXPECT(retype(ut, kinds[i].type, kinds[i].bits, made, 1) == seL4_NoError);
        EXPECT(seL4_CNode_Copy(ROOT, copy, D, ROOT, made, D, seL4_AllRights) == seL4_NoError);
        EXPECT(seL4_CNode_Copy(ROOT, copy2, D, ROOT, copy, D, seL4_AllRights) == seL4_NoError);
        EXPECT(seL4_CNode_Revoke(ROOT, made, D) == seL4_NoError);
        EXPECT(empty(copy) && empty(copy2) && !empty(made));
    }
    return 0;
}

/* A CNode cap minted with a guard is a child of the one Retype made, as a copy is. */
static int revoke_of_cnode_deletes_guarded_mints(void)
{
    seL4_CPtr cn = alloc_object(seL4_CapTableObject, 2), guarded = alloc_slot();
    EXPECT(cn);
    EXPECT(seL4_CNode_Mint(ROOT, guarded, D, ROOT, cn, D, seL4_AllRights, (3 << 6) | 2) ==
           seL4_NoError);
    EXPECT(seL4_CNode_Revoke(ROOT, cn, D) == seL4_NoError);
    EXPECT(empty(guarded) && !empty(cn));
    return 0;
}

/* Revoke of the retyped cap deletes badged endpoint caps minted from it, and their copies. */
static int revoke_of_retyped_endpoint_deletes_badged_caps(void)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0), badged = alloc_slot();
    seL4_CPtr badged_copy = alloc_slot(), plain = alloc_slot();
    EXPECT(ep);
    EXPECT(seL4_CNode_Mint(ROOT, badged, D, ROOT, ep, D, seL4_AllRights, 5) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(ROOT, badged_copy, D, ROOT, badged, D, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Copy(ROOT, plain, D, ROOT, ep, D, seL4_AllRights) == seL4_NoError);
    EXPECT(seL4_CNode_Revoke(ROOT, ep, D) == seL4_NoError);
    EXPECT(empty(badged) && empty(badged_copy) && empty(plain) && !empty(ep));
    return 0;
}

const struct ktest_case ktest_revoke[] = {
    {"REVOKE", "Revoke of a self-referencing CNode frees its untyped",
     cnode_with_self_reference_is_freed},
    {"REVOKE", "Revoke of a CNode takes it from a TCB's CSpace root",
     revoke_of_cnode_takes_it_from_the_tcb},
    {"REVOKE", "Revoke of each retyped cap deletes its copies",
     revoke_of_each_retyped_cap_deletes_its_copies},
    {"REVOKE", "Revoke of a retyped CNode deletes guarded mints",
     revoke_of_cnode_deletes_guarded_mints},
    {"REVOKE", "Revoke of a retyped endpoint deletes badged caps",
     revoke_of_retyped_endpoint_deletes_badged_caps},
    {0, 0, 0},
};
