/*
 * Capabilities: two words, packed like seL4's (a CNode slot is 32 bytes: cap + derivation links).
 *   w1[63:59] type (seL4's cap-type tags, so DebugCapIdentify reports the same numbers)
 *   w1[47:0]  object pointer (kernel virtual, sign-extended from bit 47)
 *   w1[58:48] and w0: per-type fields, see the accessors below.
 * Pure logic with no architecture dependence: the host unit tests compile it too.
 */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include <stdbool.h>
#include <stdint.h>

enum cap_type {
    CAP_NULL = 0,
    CAP_FRAME = 1,
    CAP_UNTYPED = 2,
    CAP_PAGE_TABLE = 3,
    CAP_ENDPOINT = 4,
    CAP_NOTIFICATION = 6,
    CAP_REPLY = 8,
    CAP_CNODE = 10,
    CAP_ASID_CONTROL = 11,
    CAP_THREAD = 12,
    CAP_ASID_POOL = 13,
    CAP_IRQ_CONTROL = 14,
    CAP_IRQ_HANDLER = 16,
    CAP_ZOMBIE = 18,
    CAP_DOMAIN = 20,
};

struct cap {
    uint64_t w0, w1;
};

static inline uint64_t bits_get(uint64_t w, unsigned lo, unsigned n)
{
    return n == 64 ? w : (w >> lo) & ((1ull << n) - 1);
}
static inline uint64_t bits_set(uint64_t w, unsigned lo, unsigned n, uint64_t v)
{
    uint64_t m = (n == 64 ? ~0ull : ((1ull << n) - 1)) << lo;
    return (w & ~m) | ((v << lo) & m);
}

static inline enum cap_type cap_type(struct cap c) { return (enum cap_type)bits_get(c.w1, 59, 5); }
static inline void *cap_ptr(struct cap c)
{
    return (void *)(uintptr_t)((int64_t)(c.w1 << 16) >> 16);
}
static inline struct cap cap_make(enum cap_type t, const void *ptr)
{
    struct cap c = {0, 0};
    c.w1 = bits_set(c.w1, 59, 5, t);
    c.w1 = bits_set(c.w1, 0, 48, (uint64_t)(uintptr_t)ptr);
    return c;
}
static inline struct cap cap_null(void) { return (struct cap){0, 0}; }
static inline bool cap_is_null(struct cap c) { return cap_type(c) == CAP_NULL; }

/* Small fields in w1[58:48]. */
#define CAP_FLAG(name, bit)                                                                        \
    enum { CAP_BIT_##name = (bit) };                                                               \
    static inline bool cap_##name(struct cap c) { return bits_get(c.w1, bit, 1); }                 \
    static inline struct cap cap_set_##name(struct cap c, bool v)                                  \
    {                                                                                              \
        /* (a bool is 0 or 1: no mask after the shift) */                                          \
        c.w1 = (c.w1 & ~(1ull << (bit))) | ((uint64_t)v << (bit));                                 \
        return c;                                                                                  \
    }
/* Fields in w0. */
#define CAP_FIELD(name, lo, n)                                                                     \
    static inline uint64_t cap_##name(struct cap c) { return bits_get(c.w0, lo, n); }              \
    static inline struct cap cap_set_##name(struct cap c, uint64_t v)                              \
    {                                                                                              \
        c.w0 = bits_set(c.w0, lo, n, v);                                                           \
        return c;                                                                                  \
    }

/* Endpoint and notification: badge in w0, rights in w1. */
CAP_FIELD(badge, 0, 64)
CAP_FLAG(can_send, 48)
CAP_FLAG(can_receive, 49)
CAP_FLAG(can_grant, 50)
CAP_FLAG(can_grant_reply, 51)

/* Reply: the TCB to resume; master = the TCB's own reply slot, the parent of caller caps. */
CAP_FLAG(reply_master, 52)

/* CNode: guard and guard size in w0 (seL4's CNode cap-data word), radix in w1. */
CAP_FIELD(cnode_guard_size, 0, 6)
CAP_FIELD(cnode_guard, 6, 58)
static inline unsigned cap_cnode_radix(struct cap c) { return bits_get(c.w1, 48, 6); }
static inline struct cap cap_set_cnode_radix(struct cap c, unsigned r)
{
    c.w1 = bits_set(c.w1, 48, 6, r);
    return c;
}

/* Untyped: watermark (bytes used from the start), size, device flag. */
CAP_FIELD(untyped_free_offset, 0, 40)
CAP_FIELD(untyped_size_bits, 40, 6)
CAP_FIELD(untyped_is_device, 46, 1)

/* Frame and page table: where and in which address space it is mapped. */
CAP_FIELD(mapped_vaddr, 0, 39)
CAP_FIELD(mapped_asid, 39, 16)
CAP_FIELD(frame_size, 55, 2) /* 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB */
CAP_FIELD(frame_rights, 57, 2)
CAP_FIELD(frame_is_device, 59, 1)
CAP_FIELD(pt_is_mapped, 60, 1)

/* Zombie (seL4's): what remains of the last capability to a CNode or TCB being destroyed. It
 * points at the object and counts the object's slots that may still be occupied (slots
 * [0, count)); the object goes once they are empty. A zombie can only be moved or deleted. */
CAP_FIELD(zombie_count, 0, 40)
CAP_FIELD(zombie_radix, 40, 6) /* a CNode's radix */
CAP_FIELD(zombie_is_tcb, 46, 1)

/* ASID pool base; IRQ handler number. */
CAP_FIELD(asid_base, 0, 16)
CAP_FIELD(irq, 0, 16)

/* Frame rights (seL4's VM rights). */
enum vm_rights { VM_KERNEL_ONLY = 1, VM_READ_ONLY = 2, VM_READ_WRITE = 3 };

static inline unsigned frame_size_bits(struct cap c)
{
    static const unsigned bits[] = {12, 21, 30};
    return bits[cap_frame_size(c)];
}

/* A CNode slot: a capability and its place in the capability derivation tree (a list in
 * depth-first order, as in seL4's MDB). Slots are 8-byte aligned, so the low bits of the next
 * link hold seL4's two MDB flags. */
struct cte {
    struct cap cap;
    struct cte *mdb_prev;
    uintptr_t mdb_next_flags;
};

#define MDB_REVOCABLE    1u
#define MDB_FIRST_BADGED 2u
#define MDB_FLAGS        3u

static inline struct cte *mdb_next(const struct cte *s)
{
    return (struct cte *)(s->mdb_next_flags & ~(uintptr_t)MDB_FLAGS);
}
static inline void mdb_set_next(struct cte *s, struct cte *next)
{
    s->mdb_next_flags = (uintptr_t)next | (s->mdb_next_flags & MDB_FLAGS);
}
static inline bool mdb_flag(const struct cte *s, unsigned flag) { return s->mdb_next_flags & flag; }
static inline void mdb_set_flag(struct cte *s, unsigned flag, bool on)
{
    s->mdb_next_flags = (s->mdb_next_flags & ~(uintptr_t)flag) | (on ? flag : 0);
}

_Static_assert(sizeof(struct cte) == 32, "a CNode slot is 2^seL4_SlotBits bytes");

#endif
