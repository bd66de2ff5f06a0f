#include <kernel/mdb.h>
#include <kernel/types.h>

static bool same_region_or_inside(const struct cte *parent, const struct cte *child)
{
    struct cap p = parent->cap, c = child->cap;
    if (cap_type(p) != CAP_UNTYPED) return cap_ptr(p) == cap_ptr(c) && cap_type(p) == cap_type(c);
    uintptr_t base = (uintptr_t)cap_ptr(p);
    uintptr_t end = base + BIT(cap_untyped_size_bits(p));
    uintptr_t obj = (uintptr_t)cap_ptr(c);
    return obj >= base && obj < end;
}

bool mdb_is_parent_of(const struct cte *a, const struct cte *b)
{
    if (cap_is_null(a->cap) || cap_is_null(b->cap)) return false;
    if (cap_type(a->cap) == CAP_REPLY)
        return cap_reply_master(a->cap) && cap_type(b->cap) == CAP_REPLY &&
               !cap_reply_master(b->cap) && cap_ptr(a->cap) == cap_ptr(b->cap);
    return same_region_or_inside(a, b);
}

bool mdb_has_children(const struct cte *slot)
{
    return slot->mdb_next && mdb_is_parent_of(slot, slot->mdb_next);
}

void mdb_insert_child(struct cte *parent, struct cte *dest, struct cap cap)
{
    dest->cap = cap;
    dest->mdb_prev = parent;
    dest->mdb_next = parent->mdb_next;
    if (parent->mdb_next) parent->mdb_next->mdb_prev = dest;
    parent->mdb_next = dest;
}

void mdb_insert_root(struct cte *dest, struct cap cap)
{
    dest->cap = cap;
    dest->mdb_prev = dest->mdb_next = NULL;
}

void mdb_remove(struct cte *slot)
{
    if (slot->mdb_prev) slot->mdb_prev->mdb_next = slot->mdb_next;
    if (slot->mdb_next) slot->mdb_next->mdb_prev = slot->mdb_prev;
    slot->cap = cap_null();
    slot->mdb_prev = slot->mdb_next = NULL;
}
