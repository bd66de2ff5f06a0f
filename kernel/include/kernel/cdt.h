/*
 * The capability derivation tree (seL4's MDB): which capability was derived from which, so that
 * Revoke finds every descendant and Delete of the last capability to an object destroys it.
 * The relations (same region, same object, parent of, revocable) are seL4's.
 */
#ifndef KERNEL_CDT_H
#define KERNEL_CDT_H

#include <kernel/cap.h>
#include <kernel/errors.h>

/* log2 of the bytes of memory the object a capability names occupies (an untyped's: its size). */
word_t cap_object_bits(struct cap c);
bool cap_same_region_as(struct cap a, struct cap b);
bool cap_same_object_as(struct cap a, struct cap b);
/* Is b (which follows a in the tree) derived from a? */
bool cdt_is_parent_of(const struct cte *a, const struct cte *b);
bool cdt_has_children(const struct cte *slot);
/* Is `slot` the last capability to its object? */
bool cdt_is_final(const struct cte *slot);

/* Boot-time capabilities: roots of the tree, revocable. */
void cdt_insert_root(struct cte *dest, struct cap cap);
/* seL4 insertNewCap: `cap`, naming an object just made from the untyped in `parent`, into the
 * empty slot dest, right after parent. Revocable and first-badged whatever its type, as every
 * capability Untyped_Retype makes: Revoke of it deletes every copy (how a CNode's reference to
 * itself, or a TCB's copy of its CSpace root, goes when a process is torn down). */
void cdt_insert_new(struct cap cap, struct cte *parent, struct cte *dest);
/* seL4 cteInsert: `cap`, derived from src's cap, into the empty slot dest, right after src. */
void cdt_insert(struct cap cap, struct cte *src, struct cte *dest);
/* dest, empty, gets `cap` right after src in the tree (src's child or, for a copy, its sibling). */
static ALWAYS_INLINE void cdt_link_after(struct cap cap, struct cte *src, struct cte *dest,
                                         bool revocable)
{
    /* src's link word read once: the stores below might alias it for the compiler */
    uintptr_t src_next_flags = src->mdb_next_flags;
    struct cte *next = (struct cte *)(src_next_flags & ~(uintptr_t)MDB_FLAGS);
    dest->cap = cap;
    dest->mdb_prev = src;
    dest->mdb_next_flags = (uintptr_t)next | (revocable ? MDB_REVOCABLE | MDB_FIRST_BADGED : 0);
    src->mdb_next_flags = (uintptr_t)dest | (src_next_flags & MDB_FLAGS);
    if (next) next->mdb_prev = dest;
}
/* What cdt_insert leaves for a reply cap (never revocable) into `dest`, the empty caller slot of
 * a Call's receiver, below `master`, the reply master of the running caller, without reading
 * either slot's links: the master is a root (cdt_insert_root) that has no child while its thread
 * runs (a reply cap to a thread exists only while it is blocked on reply: thread_cancel_ipc and
 * reply_transfer delete it). For the fastpath; kernel/invariants.c checks all three. */
static ALWAYS_INLINE void cdt_insert_reply(struct cap reply, struct cte *master, struct cte *dest)
{
    dest->cap = reply;
    dest->mdb_prev = master;
    dest->mdb_next_flags = 0;
    master->mdb_next_flags = (uintptr_t)dest | MDB_REVOCABLE | MDB_FIRST_BADGED;
}
/* seL4 cteMove: src's place in the tree passes to dest, holding `cap`; src becomes empty. */
void cdt_move(struct cap cap, struct cte *src, struct cte *dest);
/* Take the cap out of `slot` and unlink it (no finalisation: see cdt_delete). Inline: the
 * fastpath's ReplyRecv empties its caller slot. */
static inline void cdt_empty_slot(struct cte *slot)
{
    struct cte *prev = slot->mdb_prev, *next = mdb_next(slot);
    if (prev) mdb_set_next(prev, next);
    if (next) {
        next->mdb_prev = prev;
        if (mdb_flag(slot, MDB_FIRST_BADGED)) mdb_set_flag(next, MDB_FIRST_BADGED, true);
    }
    slot->cap = cap_null();
    slot->mdb_prev = NULL;
    slot->mdb_next_flags = 0;
}
/* seL4 cteSwap: exchange two slots' places in the tree, with new caps. */
void cdt_swap(struct cap cap1, struct cte *slot1, struct cap cap2, struct cte *slot2);

/* Delete the capability in `slot` (kernel/cdt_delete.c); the last capability to an object
 * destroys it (IPC cancelled, threads stopped, notifications unbound, CNode and TCB slots emptied
 * first). Preemptible: KERNEL_PREEMPTED when it stopped at a preemption point, to be restarted
 * with the same slot (its progress is kept in zombie caps); otherwise seL4_NoError, the slot is
 * empty. */
struct delete_progress;
seL4_Error cdt_delete(struct cte *slot, struct delete_progress *progress);
/* The same, for capabilities whose deletion is a step or two (reply caps, a notification): it is
 * never preempted. */
void cdt_delete_now(struct cte *slot);
/* Delete every capability derived from the one in `slot` (preemptible as cdt_delete). */
seL4_Error cdt_revoke(struct cte *slot, struct delete_progress *progress);

/* Where a preempted deletion was in the chain of zombies, kept by the thread that asked for it so
 * its restart resumes there instead of walking down again (a walk of a deep chain would take
 * longer than a kernel entry may). Valid only while no CNode or TCB has been destroyed since
 * (cdt_objects_destroyed): until then every slot it names is still a slot. */
#define CDT_PATH_CACHE 16
struct delete_progress {
    struct cte *asked, *root;
    struct cte *path[CDT_PATH_CACHE];
    unsigned depth;
    uint64_t destroyed_before;
};
extern uint64_t cdt_objects_destroyed;

/* Provided by the kernel (kernel/delete.c), and by the host tests: what deleting capability `c`
 * involves before its slot is emptied or, for a CNode or TCB, before it becomes a zombie (`final`:
 * it is the last capability to its object; a zombie's object is gone when it is finalised); and
 * where a TCB's slots are. */
#define CDT_TCB_SLOTS 5
void cap_finalise(struct cap c, bool final);
struct cte *thread_slots(void *tcb);

/* Capability derivation rules of Copy and Mint (seL4 maskCapRights, updateCapData, deriveCap). */
struct cap cap_mask_rights(struct cap c, word_t rights);
struct cap cap_update_data(struct cap c, word_t data, bool preserve);
seL4_Error cap_derive(const struct cte *slot, struct cap c, struct cap *out,
                      struct syscall_error *err);

#endif
