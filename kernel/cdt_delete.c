/*
 * Deleting capabilities (seL4's cteDelete and cteRevoke), in bounded steps.
 *
 * The last capability to a CNode or TCB destroys the object, and the object's own slots must be
 * emptied first; those may hold the last capabilities to further CNodes and TCBs, to any depth,
 * and user code decides how deep and how large. So the walk keeps its progress in the objects
 * themselves, as seL4 does: the last capability to an object being destroyed becomes a zombie
 * that counts the object's slots still to empty, emptied from the last down. The walk down the
 * chain of zombies is cached on a small stack and found again from the slot being deleted
 * whenever the cache runs out. A preemption point between every two steps lets an interrupt in;
 * the asking thread keeps the walk's place (struct delete_progress), so its restarted system call
 * resumes there, and no entry does more than a few steps whatever the depth.
 *
 * Two shapes need care. A zombie inside its own object (a CNode holding the last capability to
 * itself) waits in the object's first slot until the others are empty. And a ring (the slot being
 * deleted lies inside an object it destroys: a thread deleting the last capability to its own
 * TCB, whose CSpace holds it) is cut one object at a time: the ring's zombie moves into the object
 * where the ring closes, and when that object holds nothing else, it goes and the ring is one
 * object shorter. Capabilities always move with their place in the derivation tree, so a zombie
 * stays a child of the untyped its object came from, and that untyped cannot be reset under it.
 *
 * Pure logic: the host unit tests compile it with their own cap_finalise and thread_slots.
 */
#include <kernel/cdt.h>
#include <kernel/entry.h>

static bool holds_slots(struct cap c)
{
    return cap_type(c) == CAP_CNODE || cap_type(c) == CAP_THREAD;
}

static struct cap zombie_of(struct cap c)
{
    struct cap z = cap_make(CAP_ZOMBIE, cap_ptr(c));
    if (cap_type(c) == CAP_THREAD)
        return cap_set_zombie_count(cap_set_zombie_is_tcb(z, true), CDT_TCB_SLOTS);
    z = cap_set_zombie_radix(z, cap_cnode_radix(c));
    return cap_set_zombie_count(z, BIT(cap_cnode_radix(c)));
}

static struct cte *zombie_slots(struct cap z)
{
    return cap_zombie_is_tcb(z) ? thread_slots(cap_ptr(z)) : cap_ptr(z);
}

static word_t zombie_size(struct cap z)
{
    return cap_zombie_is_tcb(z) ? CDT_TCB_SLOTS : BIT(cap_zombie_radix(z));
}

/* Exchange what two slots hold; each capability keeps its place in the tree. */
static void exchange(struct cte *a, struct cte *b)
{
    if (a != b) cdt_swap(a->cap, a, b->cap, b);
}

uint64_t cdt_objects_destroyed;

/* The object of zombie `c` (in `slot`) is empty: it is gone. */
static void object_gone(struct cte *slot)
{
    cap_finalise(slot->cap, true);
    cdt_empty_slot(slot);
    cdt_objects_destroyed++;
}

static seL4_Error delete_slot(struct cte *slot, struct delete_progress *progress)
{
    struct cte *root = slot; /* the slot to empty (moves along a ring as it is cut) */
    struct cte *path[CDT_PATH_CACHE];
    unsigned depth = 0;
    if (progress && progress->asked == slot &&
        progress->destroyed_before == cdt_objects_destroyed) {
        /* a restart: carry on where the last attempt stopped */
        root = progress->root;
        depth = progress->depth;
        for (unsigned i = 0; i < depth; i++) path[i] = progress->path[i];
    }
    /* every step counts, walking down too: a restart resumes with the walk where it was */
    for (bool first = true;; first = false) {
        if (!first && progress && kernel_preemption_due()) {
            *progress = (struct delete_progress){slot, root, {0}, depth, cdt_objects_destroyed};
            for (unsigned i = 0; i < depth; i++) progress->path[i] = path[i];
            return KERNEL_PREEMPTED;
        }
        if (!depth) {
            if (cap_is_null(root->cap)) break;
            path[depth++] = root;
        }
        struct cte *s = path[depth - 1];
        struct cap c = s->cap;
        if (cap_is_null(c)) {
            depth--;
            continue;
        }
        if (cap_type(c) != CAP_ZOMBIE) {
            bool final = cdt_is_final(s);
            cap_finalise(c, final);
            if (final && holds_slots(c)) {
                s->cap = zombie_of(c);
            } else {
                cdt_empty_slot(s);
                depth--;
            }
            continue;
        }
        struct cte *slots = zombie_slots(c);
        word_t n = cap_zombie_count(c);
        if (s > slots && s < slots + zombie_size(c)) {
            /* inside its own object (only the slot being deleted can be): wait in its first slot */
            exchange(s, &slots[0]);
            root = &slots[0];
            depth = 0;
            continue;
        }
        if (n == 0 || (n == 1 && s == &slots[0])) {
            object_gone(s);
            depth--;
            continue;
        }
        struct cte *e = &slots[n - 1];
        if (cap_is_null(e->cap)) {
            s->cap = cap_set_zombie_count(c, n - 1);
            continue;
        }
        if (e == root) {
            /* a ring closes here: the ring's zombie moves to this object's first slot... */
            if (e != &slots[0]) {
                exchange(e, &slots[0]);
                root = &slots[0];
                depth = 0;
                continue;
            }
            /* ...and once nothing else is left here, this object goes and the ring shrinks */
            exchange(s, e);
            object_gone(e);
            root = s;
            depth = 0;
            continue;
        }
        if (depth == CDT_PATH_CACHE) {
            /* forget the upper half: it is found again from the root when needed */
            for (unsigned i = 0; i < CDT_PATH_CACHE / 2; i++)
                path[i] = path[i + CDT_PATH_CACHE / 2];
            depth = CDT_PATH_CACHE / 2;
        }
        path[depth++] = e;
    }
    if (progress) progress->asked = NULL;
    return seL4_NoError;
}

seL4_Error cdt_delete(struct cte *slot, struct delete_progress *progress)
{
    return delete_slot(slot, progress);
}

void cdt_delete_now(struct cte *slot) { (void)delete_slot(slot, NULL); }

seL4_Error cdt_revoke(struct cte *slot, struct delete_progress *progress)
{
    struct cte *next;
    while ((next = mdb_next(slot)) && cdt_is_parent_of(slot, next)) {
        seL4_Error e = delete_slot(next, progress);
        if (e != seL4_NoError) return e;
    }
    return seL4_NoError;
}
