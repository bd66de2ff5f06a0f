#include <kernel/cdt.h>
#include <sel4/constants.h>

static bool is_physical(enum cap_type t)
{
    switch (t) {
    case CAP_UNTYPED:
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
    case CAP_CNODE:
    case CAP_THREAD:
    case CAP_FRAME:
    case CAP_PAGE_TABLE:
    case CAP_ASID_POOL:
    case CAP_ZOMBIE: return true; /* its object is not gone yet: the memory is still in use */
    default: return false;
    }
}

word_t cap_object_bits(struct cap c)
{
    switch (cap_type(c)) {
    case CAP_UNTYPED: return cap_untyped_size_bits(c);
    case CAP_ENDPOINT: return seL4_EndpointBits;
    case CAP_NOTIFICATION: return seL4_NotificationBits;
    case CAP_CNODE: return cap_cnode_radix(c) + seL4_SlotBits;
    case CAP_THREAD: return seL4_TCBBits;
    case CAP_FRAME: return frame_size_bits(c);
    case CAP_ZOMBIE:
        return cap_zombie_is_tcb(c) ? seL4_TCBBits : cap_zombie_radix(c) + seL4_SlotBits;
    default: return seL4_PageTableBits; /* page table, ASID pool */
    }
}

static bool contains(struct cap a, struct cap b)
{
    uintptr_t a_base = (uintptr_t)cap_ptr(a), b_base = (uintptr_t)cap_ptr(b);
    uintptr_t a_top = a_base + MASK(cap_object_bits(a)), b_top = b_base + MASK(cap_object_bits(b));
    return a_base <= b_base && b_top <= a_top && b_base <= b_top;
}

bool cap_same_region_as(struct cap a, struct cap b)
{
    enum cap_type ta = cap_type(a), tb = cap_type(b);
    switch (ta) {
    case CAP_UNTYPED: return is_physical(tb) && contains(a, b);
    case CAP_FRAME: return tb == CAP_FRAME && contains(a, b);
    case CAP_CNODE:
        return tb == CAP_CNODE && cap_ptr(a) == cap_ptr(b) &&
               cap_cnode_radix(a) == cap_cnode_radix(b);
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
    case CAP_THREAD:
    case CAP_REPLY:
    case CAP_PAGE_TABLE:
    case CAP_ASID_POOL: return tb == ta && cap_ptr(a) == cap_ptr(b);
    case CAP_DOMAIN:
    case CAP_ASID_CONTROL: return tb == ta;
    case CAP_IRQ_CONTROL: return tb == CAP_IRQ_CONTROL || tb == CAP_IRQ_HANDLER;
    case CAP_IRQ_HANDLER: return tb == CAP_IRQ_HANDLER && cap_irq(a) == cap_irq(b);
    default: return false;
    }
}

bool cap_same_object_as(struct cap a, struct cap b)
{
    if (cap_type(a) == CAP_UNTYPED) return false;
    if (cap_type(a) == CAP_IRQ_CONTROL && cap_type(b) == CAP_IRQ_HANDLER) return false;
    if (cap_type(a) == CAP_FRAME && cap_type(b) == CAP_FRAME)
        return cap_ptr(a) == cap_ptr(b) && cap_frame_size(a) == cap_frame_size(b) &&
               cap_frame_is_device(a) == cap_frame_is_device(b);
    return cap_same_region_as(a, b);
}

bool cdt_is_parent_of(const struct cte *a, const struct cte *b)
{
    if (!mdb_flag(a, MDB_REVOCABLE) || !cap_same_region_as(a->cap, b->cap)) return false;
    enum cap_type t = cap_type(a->cap);
    if (t == CAP_ENDPOINT || t == CAP_NOTIFICATION) {
        word_t badge = cap_badge(a->cap);
        return badge == 0 || (badge == cap_badge(b->cap) && !mdb_flag(b, MDB_FIRST_BADGED));
    }
    return true;
}

bool cdt_has_children(const struct cte *slot)
{
    struct cte *next = mdb_next(slot);
    return next && cdt_is_parent_of(slot, next);
}

bool cdt_is_final(const struct cte *slot)
{
    struct cte *prev = slot->mdb_prev, *next = mdb_next(slot);
    if (prev && cap_same_object_as(prev->cap, slot->cap)) return false;
    return !next || !cap_same_object_as(slot->cap, next->cap);
}

static bool is_revocable(struct cap derived, struct cap src)
{
    switch (cap_type(derived)) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION: return cap_badge(derived) != cap_badge(src);
    case CAP_IRQ_HANDLER: return cap_type(src) == CAP_IRQ_CONTROL;
    case CAP_UNTYPED: return true;
    default: return false;
    }
}

void cdt_insert_new(struct cap cap, struct cte *parent, struct cte *dest)
{
    cdt_link_after(cap, parent, dest, true);
}

void cdt_insert_root(struct cte *dest, struct cap cap)
{
    dest->cap = cap;
    dest->mdb_prev = NULL;
    dest->mdb_next_flags = MDB_REVOCABLE | MDB_FIRST_BADGED;
}

/* seL4's setUntypedCapAsFull: a copy of an untyped cap (same memory, derived while the source had
 * no children) takes over the free space, so the two can never hand out the same memory. */
static bool is_untyped_copy(struct cap derived, struct cap src)
{
    return cap_type(derived) == CAP_UNTYPED && cap_type(src) == CAP_UNTYPED &&
           cap_ptr(derived) == cap_ptr(src) &&
           cap_untyped_size_bits(derived) == cap_untyped_size_bits(src);
}

void cdt_insert(struct cap cap, struct cte *src, struct cte *dest)
{
    bool revocable = is_revocable(cap, src->cap);
    if (is_untyped_copy(cap, src->cap))
        src->cap = cap_set_untyped_free_offset(src->cap, BIT(cap_untyped_size_bits(src->cap)));
    cdt_link_after(cap, src, dest, revocable);
}

void cdt_move(struct cap cap, struct cte *src, struct cte *dest)
{
    dest->cap = cap;
    dest->mdb_prev = src->mdb_prev;
    dest->mdb_next_flags = src->mdb_next_flags;
    if (dest->mdb_prev) mdb_set_next(dest->mdb_prev, dest);
    if (mdb_next(dest)) mdb_next(dest)->mdb_prev = dest;
    src->cap = cap_null();
    src->mdb_prev = NULL;
    src->mdb_next_flags = 0;
}

void cdt_swap(struct cap cap1, struct cte *slot1, struct cap cap2, struct cte *slot2)
{
    slot1->cap = cap2;
    slot2->cap = cap1;
    /* slot1's neighbours now point at slot2; when the slots are adjacent this rewrites one of
     * slot2's own links, which the exchange below then carries over correctly */
    struct cte *prev = slot1->mdb_prev, *next = mdb_next(slot1);
    if (prev) mdb_set_next(prev, slot2);
    if (next) next->mdb_prev = slot2;
    struct cte *prev2 = slot2->mdb_prev;
    uintptr_t next2 = slot2->mdb_next_flags;
    slot2->mdb_prev = slot1->mdb_prev;
    slot2->mdb_next_flags = slot1->mdb_next_flags;
    slot1->mdb_prev = prev2;
    slot1->mdb_next_flags = next2;
    prev = slot1->mdb_prev;
    next = mdb_next(slot1);
    if (prev) mdb_set_next(prev, slot1);
    if (next) next->mdb_prev = slot1;
}

struct cap cap_mask_rights(struct cap c, word_t rights)
{
    switch (cap_type(c)) {
    case CAP_ENDPOINT:
        c = cap_set_can_send(c, cap_can_send(c) && (rights & seL4_CapRight_Write));
        c = cap_set_can_receive(c, cap_can_receive(c) && (rights & seL4_CapRight_Read));
        c = cap_set_can_grant(c, cap_can_grant(c) && (rights & seL4_CapRight_Grant));
        return cap_set_can_grant_reply(c, cap_can_grant_reply(c) &&
                                              (rights & seL4_CapRight_GrantReply));
    case CAP_NOTIFICATION:
        c = cap_set_can_send(c, cap_can_send(c) && (rights & seL4_CapRight_Write));
        return cap_set_can_receive(c, cap_can_receive(c) && (rights & seL4_CapRight_Read));
    case CAP_REPLY: return cap_set_can_grant(c, cap_can_grant(c) && (rights & seL4_CapRight_Grant));
    case CAP_FRAME: {
        word_t vm = cap_frame_rights(c);
        bool read = rights & seL4_CapRight_Read, write = rights & seL4_CapRight_Write;
        word_t masked = VM_KERNEL_ONLY;
        if (vm == VM_READ_ONLY && read) masked = VM_READ_ONLY;
        if (vm == VM_READ_WRITE && read) masked = write ? VM_READ_WRITE : VM_READ_ONLY;
        return cap_set_frame_rights(c, masked);
    }
    default: return c;
    }
}

struct cap cap_update_data(struct cap c, word_t data, bool preserve)
{
    switch (cap_type(c)) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        if (preserve || cap_badge(c) != 0) return cap_null();
        return cap_set_badge(c, data);
    case CAP_CNODE: {
        word_t guard_size = data & MASK(seL4_GuardSizeBits);
        if (guard_size + cap_cnode_radix(c) > seL4_WordBits) return cap_null();
        c = cap_set_cnode_guard_size(c, guard_size);
        return cap_set_cnode_guard(c, (data >> seL4_GuardSizeBits) & MASK(guard_size));
    }
    default: return c;
    }
}

seL4_Error cap_derive(const struct cte *slot, struct cap c, struct cap *out,
                      struct syscall_error *err)
{
    *out = c;
    switch (cap_type(c)) {
    case CAP_ZOMBIE:
    case CAP_IRQ_CONTROL:
    case CAP_REPLY: *out = cap_null(); break;
    case CAP_UNTYPED:
        if (cdt_has_children(slot)) return error_plain(err, seL4_RevokeFirst);
        break;
    case CAP_FRAME: *out = cap_set_mapped_asid(cap_set_mapped_vaddr(c, 0), 0); break;
    case CAP_PAGE_TABLE:
        if (!cap_pt_is_mapped(c)) return error_plain(err, seL4_IllegalOperation);
        break;
    default: break;
    }
    return seL4_NoError;
}
