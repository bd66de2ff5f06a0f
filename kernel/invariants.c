/*
 * The kernel-wide invariant checks of a SCHEDLAB_CHECK_INVARIANTS build (invariants.h). Objects
 * are recorded as Retype makes them and as their last capability goes, so that a new object
 * overlapping a live one is caught when it is made; after any invocation that may change
 * capabilities, every slot of every live CNode and TCB is checked at the kernel's exit.
 */
#include <kernel/cdt.h>
#include <kernel/debug.h>
#include <kernel/hart.h>
#include <kernel/invariants.h>
#include <kernel/thread.h>

#if SCHEDLAB_CHECK_INVARIANTS

struct live_object {
    uintptr_t base;
    word_t bits;
    struct cap cap; /* as made: its type, and a CNode's radix */
};

/* Sorted by base. Only in checking builds: the kernel proper allocates nothing after boot. */
#define MAX_LIVE_OBJECTS 65536
static struct live_object objects[MAX_LIVE_OBJECTS];
static unsigned nobjects;
static bool caps_changed;
/* The whole-slot scan costs about 40 instructions a slot: by default it runs after every 32nd
 * invocation that may change capabilities (boot argument invariants.scan_every=1: every one).
 * Object overlaps are caught exactly, as objects are made. */
static uint64_t scan_every = 32, changes_since_scan;

void invariants_set_scan_period(uint64_t every) { scan_every = every ? every : 1; }

#define MAX_BOOT_UNTYPEDS 256
static struct {
    uintptr_t base;
    word_t bits;
} boot_untypeds[MAX_BOOT_UNTYPEDS];
static unsigned nboot_untypeds;

static bool names_object(struct cap c)
{
    switch (cap_type(c)) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
    case CAP_CNODE:
    case CAP_THREAD:
    case CAP_FRAME:
    case CAP_PAGE_TABLE:
    case CAP_ASID_POOL:
    case CAP_ZOMBIE: return true;
    default: return false;
    }
}

/* The first recorded object whose base is >= `base`. */
static unsigned lower_bound(uintptr_t base)
{
    unsigned lo = 0, hi = nobjects;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (objects[mid].base < base)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct live_object *find_object(uintptr_t base)
{
    unsigned i = lower_bound(base);
    return i < nobjects && objects[i].base == base ? &objects[i] : NULL;
}

static bool in_boot_untyped(uintptr_t base)
{
    for (unsigned i = 0; i < nboot_untypeds; i++)
        if (base - boot_untypeds[i].base < BIT(boot_untypeds[i].bits)) return true;
    return false;
}

void invariants_boot_untyped(void *base, word_t bits)
{
    if (nboot_untypeds == MAX_BOOT_UNTYPEDS) panic("invariants: too many boot untypeds");
    boot_untypeds[nboot_untypeds].base = (uintptr_t)base;
    boot_untypeds[nboot_untypeds++].bits = bits;
}

void invariants_object_created(struct cap c)
{
    caps_changed = true;
    if (!names_object(c)) return; /* untyped: what it holds is checked against its watermark */
    uintptr_t base = (uintptr_t)cap_ptr(c);
    word_t bits = cap_object_bits(c);
    unsigned i = lower_bound(base);
    INVARIANT(i == nobjects || objects[i].base >= base + BIT(bits),
              "new object at %p (2^%lu bytes) overlaps the live object at %p", (void *)base,
              (unsigned long)bits, (void *)objects[i].base);
    INVARIANT(i == 0 || objects[i - 1].base + BIT(objects[i - 1].bits) <= base,
              "new object at %p (2^%lu bytes) overlaps the live object at %p", (void *)base,
              (unsigned long)bits, (void *)objects[i - 1].base);
    if (nobjects == MAX_LIVE_OBJECTS) panic("invariants: more than %u live objects", nobjects);
    for (unsigned j = nobjects; j > i; j--) objects[j] = objects[j - 1];
    objects[i] = (struct live_object){base, bits, c};
    nobjects++;
}

void invariants_object_destroyed(struct cap c)
{
    caps_changed = true;
    if (!names_object(c)) return;
    struct live_object *o = find_object((uintptr_t)cap_ptr(c));
    if (!o) return; /* made at boot, outside every untyped: not recorded */
    for (unsigned j = (unsigned)(o - objects); j + 1 < nobjects; j++) objects[j] = objects[j + 1];
    nobjects--;
}

void invariants_caps_changed(void) { caps_changed = true; }

static void check_slot(struct cte *s)
{
    struct cap c = s->cap;
    struct cte *prev = s->mdb_prev, *next = mdb_next(s);
    if (cap_is_null(c)) {
        INVARIANT(!prev && !next, "empty slot %p is linked in the derivation tree", (void *)s);
        return;
    }
    INVARIANT(!prev || mdb_next(prev) == s, "slot %p: its predecessor does not lead back to it",
              (void *)s);
    INVARIANT(!next || next->mdb_prev == s, "slot %p: its successor does not lead back to it",
              (void *)s);
    INVARIANT(!next || !cap_is_null(next->cap), "slot %p: its successor is empty", (void *)s);
    uintptr_t base = (uintptr_t)cap_ptr(c);
    if (names_object(c) && in_boot_untyped(base))
        INVARIANT(find_object(base), "slot %p holds a capability (type %u) to %p, which is gone",
                  (void *)s, cap_type(c), (void *)base);
    if (cap_type(c) != CAP_UNTYPED) return;
    /* everything made from an untyped lies below its watermark */
    word_t watermark = cap_untyped_free_offset(c);
    INVARIANT(watermark <= BIT(cap_untyped_size_bits(c)), "untyped at %p: watermark past its end",
              (void *)base);
    for (struct cte *d = next; d && cdt_is_parent_of(s, d); d = mdb_next(d)) {
        uintptr_t b = (uintptr_t)cap_ptr(d->cap);
        word_t bytes = BIT(cap_object_bits(d->cap));
        INVARIANT(b >= base && b + bytes <= base + watermark,
                  "untyped at %p (watermark %lu) has a child at %p beyond it", (void *)base,
                  (unsigned long)watermark, (void *)b);
    }
}

static void check_capabilities(void)
{
    for (unsigned i = 0; i < nobjects; i++) {
        struct cap c = objects[i].cap;
        if (cap_type(c) == CAP_CNODE) {
            struct cte *slots = cap_ptr(c);
            for (word_t j = 0; j < BIT(cap_cnode_radix(c)); j++) check_slot(&slots[j]);
        } else if (cap_type(c) == CAP_THREAD) {
            struct tcb *t = cap_ptr(c);
            for (unsigned j = 0; j < TCB_SLOTS; j++) check_slot(&t->slots[j]);
        }
    }
}

static bool is_live_thread(const struct tcb *t)
{
    for (const struct tcb *u = debug_first_thread(); u; u = u->all_next)
        if (u == t) return true;
    return false;
}

/* What the fastpath's Call takes for granted, in seL4's reply-cap protocol (cdt_insert_reply,
 * reply_cap_to): a thread that may run has its reply master, a root with no rights; a reply cap
 * to a thread (the master's child) exists only while the thread is blocked on reply; a thread
 * blocked on an endpoint's receive has an empty caller slot. */
static void check_reply_slots(const struct tcb *t)
{
    const struct cte *master = &t->slots[TCB_REPLY];
    if (thread_runnable(t)) {
        struct cap c = master->cap;
        INVARIANT(cap_type(c) == CAP_REPLY && cap_reply_master(c) && !cap_can_grant(c) &&
                      cap_ptr(c) == t && c.w0 == 0 && !master->mdb_prev &&
                      (master->mdb_next_flags & MDB_FLAGS) == (MDB_REVOCABLE | MDB_FIRST_BADGED),
                  "tid %u may run but its reply master is not as thread_init made it", t->tid);
    }
    INVARIANT(!mdb_next(master) || t->state == THREAD_BLOCKED_ON_REPLY,
              "tid %u has a reply cap to it but is not blocked on reply", t->tid);
    INVARIANT(t->state != THREAD_BLOCKED_ON_RECEIVE || cap_is_null(t->slots[TCB_CALLER].cap),
              "tid %u is blocked on receive with a caller cap", t->tid);
}

static void check_threads(void)
{
    sched_check_invariants();
    for (unsigned i = 0; i < nharts; i++) {
        struct sched_thread *r = sched_running_on(i);
        INVARIANT(!r || is_live_thread(tcb_of_sched(r)), "hart %u runs tid %u, which is dead", i,
                  r->tid);
    }
    for (struct tcb *t = debug_first_thread(); t; t = t->all_next) {
        struct sched_thread *s = &t->sched;
        INVARIANT(!s->with_policy || thread_runnable(t), "tid %u is held by the policy but %s",
                  t->tid, "not runnable");
        INVARIANT(!thread_runnable(t) || s->with_policy || sched_is_running(s),
                  "tid %u is runnable but neither runs nor is held by the policy", t->tid);
        INVARIANT(!s->queued || s->with_policy, "tid %u is queued but not held by the policy",
                  t->tid);
        check_reply_slots(t);
    }
}

void invariants_check_all(void)
{
    check_threads();
    if (!caps_changed) return;
    caps_changed = false;
    if (++changes_since_scan < scan_every) return;
    changes_since_scan = 0;
    check_capabilities();
}

#endif
