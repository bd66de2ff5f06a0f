/*
 * A revoked or deleted cap is unusable. Each round a fresh "doomed" notification is made; the
 * supervisor keeps copies, every worker gets a badged copy that can only signal (so no worker can
 * bind or wait on it, which would keep the supervisor from polling it), and may copy, move or send
 * it on.
 * Next round the original is revoked: every copy must be gone, and whatever now sits in a
 * worker's doomed slot must not reach the notification (a signal through it would show its badge
 * there). Then the original is deleted and must be unusable too.
 */
#include "supervisor.h"

#define LIVE_BADGE   0x10ul
#define DOOMED_BADGE 0xd00d0000ul /* + round: the badge of the workers' copies */

static seL4_CPtr doomed_untyped, doomed, copy, badged, deleted_copy, scratch;
static bool doomed_live;
static uint64_t round;

static seL4_Word poll(seL4_CPtr ntfn)
{
    seL4_Word badge = 0;
    seL4_Poll(ntfn, &badge);
    return badge;
}

static seL4_Word call_label(seL4_CPtr cptr)
{
    return seL4_MessageInfo_get_label(seL4_Call(cptr, seL4_MessageInfo_new(0, 0, 0, 0)));
}

static void require_unusable(seL4_CPtr slot, const char *what)
{
    seL4_Word type = seL4_DebugCapIdentify(slot);
    REQUIRE(type == FUZZ_CAP_NULL, "revoke", "%s still holds a cap (type %lu)", what,
            (unsigned long)type);
    seL4_Word label = call_label(slot);
    REQUIRE(label == seL4_InvalidCapability, "revoke",
            "invoking %s gave %lu, not InvalidCapability", what, (unsigned long)label);
}

static void require_signal_arrives(const char *when)
{
    seL4_Signal(badged);
    seL4_Word badge = poll(doomed);
    REQUIRE(badge == LIVE_BADGE, "revoke", "%s: a signal through a live copy showed badge 0x%lx",
            when, (unsigned long)badge);
}

void check_revoke_init(void)
{
    doomed_untyped = alloc_object(seL4_UntypedObject, seL4_PageBits);
    doomed = alloc_slot();
    copy = alloc_slot();
    badged = alloc_slot();
    deleted_copy = alloc_slot();
    scratch = alloc_slot();
    REQUIRE(doomed_untyped && scratch, "setup", "no memory or slots for the revoke check");
}

/* What now sits in a worker's doomed slot, signalled (if it is a notification at all). */
static void signal_through_worker_slot(struct worker *w)
{
    if (!w->built || seL4_CNode_Move(ROOT, scratch, 64, w->cnode, WS_DOOMED, WORKER_CNODE_BITS))
        return;
    if (seL4_DebugCapIdentify(scratch) == FUZZ_CAP_NOTIFICATION) seL4_Signal(scratch);
    if (seL4_CNode_Move(w->cnode, WS_DOOMED, WORKER_CNODE_BITS, ROOT, scratch, 64))
        seL4_CNode_Delete(ROOT, scratch, 64); /* the worker refilled the slot meanwhile */
}

static void end_round(void)
{
    MUST(seL4_CNode_Revoke(ROOT, doomed, 64));
    poll(doomed); /* what the workers signalled before the revoke */
    require_unusable(copy, "a revoked copy");
    require_unusable(badged, "a revoked badged copy");
    for (unsigned i = 0; i < params.nworkers; i++) signal_through_worker_slot(&workers[i]);
    seL4_Word badge = poll(doomed);
    REQUIRE(badge == 0, "revoke", "after Revoke, a worker's cap still signalled (badge 0x%lx)",
            (unsigned long)badge);
    MUST(seL4_CNode_Delete(ROOT, doomed, 64));
    require_unusable(doomed, "a deleted cap");
    doomed_live = false;
}

static void start_round(void)
{
    round++;
    MUST(seL4_Untyped_Retype(doomed_untyped, seL4_NotificationObject, 0, ROOT, 0, 0, doomed, 1));
    MUST(seL4_CNode_Mint(ROOT, badged, 64, ROOT, doomed, 64, seL4_AllRights, LIVE_BADGE));
    MUST(seL4_CNode_Copy(ROOT, copy, 64, ROOT, doomed, 64, seL4_AllRights));
    MUST(seL4_CNode_Copy(ROOT, deleted_copy, 64, ROOT, doomed, 64, seL4_AllRights));
    require_signal_arrives("a new notification");
    MUST(seL4_CNode_Delete(ROOT, deleted_copy, 64));
    require_unusable(deleted_copy, "a deleted copy");
    require_signal_arrives("after deleting one copy");
    doomed_live = true;
    workers_give_doomed(doomed, DOOMED_BADGE + round);
}

void check_revoke(void)
{
    supervisor_phase = "revoke check";
    if (doomed_live) end_round();
    start_round();
    checks_passed.revoke++;
}
