/* Host tests of deletion (kernel/cdt_delete.c) with the derivation tree (kernel/cdt.c): nested,
 * self-held and ring-shaped CNodes and TCBs, preemption and restart, and the untyped rules that
 * keep memory from being handed out twice. Objects are plain host memory; the kernel's
 * cap_finalise, thread_slots and kernel_preemption_due are the stubs below. */
#include <kernel/cdt.h>
#include <kernel/entry.h>
#include <sel4/constants.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* --- the kernel's side, stubbed ------------------------------------------------------------ */

struct fake_tcb {
    struct cte slots[CDT_TCB_SLOTS];
    char rest[BIT(seL4_TCBBits) - CDT_TCB_SLOTS * sizeof(struct cte)];
};

struct cte *thread_slots(void *tcb) { return ((struct fake_tcb *)tcb)->slots; }

#define MAX_GONE 4096
static void *gone[MAX_GONE]; /* objects whose last capability was finalised, in order */
static unsigned ngone, nstopped;

void cap_finalise(struct cap c, bool final)
{
    if (!final) return;
    if (cap_type(c) == CAP_CNODE || cap_type(c) == CAP_THREAD) {
        nstopped++; /* stopped; gone only when its zombie is finalised */
        return;
    }
    if (ngone < MAX_GONE) gone[ngone++] = cap_ptr(c);
}

static unsigned preempt_every, preemption_checks;
bool kernel_preemption_due(void)
{
    preemption_checks++;
    return preempt_every && preemption_checks % preempt_every == 0;
}

/* Deleting until done, as a restarted system call would; returns how many entries it took. */
static struct delete_progress progress; /* the asking thread's (struct tcb's) */

static unsigned delete_until_done(struct cte *slot)
{
    unsigned entries = 1;
    while (cdt_delete(slot, &progress) == KERNEL_PREEMPTED) entries++;
    return entries;
}

static bool was_gone(const void *object)
{
    for (unsigned i = 0; i < ngone; i++)
        if (gone[i] == object) return true;
    return false;
}

static unsigned times_gone(const void *object)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ngone; i++) n += gone[i] == object;
    return n;
}

/* --- objects ------------------------------------------------------------------------------- */

static struct cte *new_cnode(unsigned radix)
{
    size_t bytes = sizeof(struct cte) << radix;
    struct cte *c = aligned_alloc(bytes < 64 ? 64 : bytes, bytes < 64 ? 64 : bytes);
    memset(c, 0, bytes);
    return c;
}

static struct cap cnode_cap(struct cte *cnode, unsigned radix)
{
    return cap_set_cnode_radix(cap_make(CAP_CNODE, cnode), radix);
}

static struct fake_tcb *new_tcb(void)
{
    struct fake_tcb *t = aligned_alloc(BIT(seL4_TCBBits), BIT(seL4_TCBBits));
    memset(t, 0, sizeof *t);
    return t;
}

static struct cap endpoint_cap(void *ep) { return cap_make(CAP_ENDPOINT, ep); }

static void start(unsigned every)
{
    ngone = nstopped = preemption_checks = 0;
    preempt_every = every;
}

static bool all_empty(const struct cte *slots, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!cap_is_null(slots[i].cap) || slots[i].mdb_prev || mdb_next(&slots[i])) return false;
    return true;
}

/* --- tests --------------------------------------------------------------------------------- */

/* A chain of CNodes, each holding the only capability to the next, much deeper than the walk's
 * cache; each also holds the last capability to an endpoint. */
static void chain_test(unsigned every)
{
    enum { DEPTH = 100 };
    static char endpoints[DEPTH][16] __attribute__((aligned(16)));
    struct cte *nodes[DEPTH], top = {0};
    for (int i = DEPTH - 1; i >= 0; i--) {
        nodes[i] = new_cnode(1);
        cdt_insert_root(&nodes[i][1], endpoint_cap(endpoints[i]));
        if (i + 1 < DEPTH) cdt_insert_root(&nodes[i][0], cnode_cap(nodes[i + 1], 1));
    }
    cdt_insert_root(&top, cnode_cap(nodes[0], 1));
    start(every);
    unsigned entries = delete_until_done(&top);
    CHECK(cap_is_null(top.cap));
    CHECK(nstopped == DEPTH);
    for (int i = 0; i < DEPTH; i++) {
        CHECK(all_empty(nodes[i], 2));
        CHECK(times_gone(nodes[i]) == 1 && times_gone(endpoints[i]) == 1);
    }
    CHECK(ngone == 2 * DEPTH);
    if (every) CHECK(entries > 10);
    /* linear work: a few steps per slot, not a rescan per slot */
    CHECK(preemption_checks < 20 * DEPTH);
    for (int i = 0; i < DEPTH; i++) free(nodes[i]);
}

static void test_deleting_a_deep_chain_of_cnodes(void) { chain_test(0); }
static void test_deleting_a_deep_chain_of_cnodes_preempted_often(void) { chain_test(3); }
/* preempted after every step: each restart resumes where the last stopped (no walk down again,
 * which would never get anything done) */
static void test_deleting_a_deep_chain_of_cnodes_preempted_always(void) { chain_test(1); }

/* A full 4096-slot CNode: the work (and so the preemption points passed) grows linearly. */
static void test_deleting_a_large_cnode_is_linear_and_restartable(void)
{
    enum { RADIX = 12, N = 1 << RADIX };
    static char ep[16] __attribute__((aligned(16)));
    struct cte *big = new_cnode(RADIX), top = {0};
    cdt_insert_root(&big[0], endpoint_cap(ep));
    for (unsigned i = 1; i < N; i++) cdt_insert(endpoint_cap(ep), &big[i - 1], &big[i]);
    cdt_insert_root(&top, cnode_cap(big, RADIX));
    start(64);
    unsigned entries = delete_until_done(&top);
    CHECK(cap_is_null(top.cap) && all_empty(big, N));
    CHECK(times_gone(ep) == 1 && was_gone(ep)); /* only the last of the copies destroys it */
    CHECK(entries >= N / 64 && preemption_checks < 4 * N);
    free(big);
}

/* A CNode holding the only capability to itself, in slot 5. */
static void test_a_cnode_holding_its_only_capability(void)
{
    for (unsigned every = 0; every < 4; every++) {
        static char ep[16] __attribute__((aligned(16)));
        struct cte *c = new_cnode(4);
        cdt_insert_root(&c[0], endpoint_cap(ep));
        cdt_insert_root(&c[5], cnode_cap(c, 4));
        cdt_insert(endpoint_cap(ep), &c[0], &c[9]);
        start(every);
        /* deleted from outside (as Revoke of its untyped would), restarted with the same slot:
         * the deletion goes on where its zombie waits, the CNode's own first slot */
        delete_until_done(&c[5]);
        CHECK(all_empty(c, 16));
        CHECK(nstopped == 1 && times_gone(c) == 1 && times_gone(ep) == 1);
        free(c);
    }
}

/* A thread and its CSpace, each holding the only capability to the other: deleting the TCB's
 * CSpace slot (as a Revoke of their untyped does) cuts the ring and destroys both, whichever
 * slots hold the links. */
static void test_a_thread_and_its_cspace_holding_each_other(void)
{
    for (unsigned link = 0; link < 3; link++) {
        struct fake_tcb *t = new_tcb();
        struct cte *cs = new_cnode(4);
        cdt_insert_root(&t->slots[0], cnode_cap(cs, 4));
        cdt_insert_root(&cs[link], cap_make(CAP_THREAD, t));
        start(0);
        CHECK(cdt_delete(&t->slots[0], &progress) == seL4_NoError);
        CHECK(all_empty(cs, 16) && all_empty(t->slots, CDT_TCB_SLOTS));
        CHECK(nstopped == 2 && times_gone(t) == 1 && times_gone(cs) == 1);
        free(t);
        free(cs);
    }
}

/* A longer ring: CNode A -> B -> C -> A, the last link in A's first slot. */
static void test_a_ring_of_three_cnodes(void)
{
    struct cte *a = new_cnode(2), *b = new_cnode(2), *c = new_cnode(2);
    cdt_insert_root(&a[3], cnode_cap(b, 2));
    cdt_insert_root(&b[0], cnode_cap(c, 2));
    cdt_insert_root(&c[0], cnode_cap(a, 2));
    start(0);
    CHECK(cdt_delete(&c[0], &progress) == seL4_NoError);
    CHECK(all_empty(a, 4) && all_empty(b, 4) && all_empty(c, 4));
    CHECK(times_gone(a) == 1 && times_gone(b) == 1 && times_gone(c) == 1);
    free(a);
    free(b);
    free(c);
}

/* A zombie left by a preempted delete stays a child of its untyped (so the untyped cannot be
 * reset under it) and Revoke of the untyped finishes the job. */
static void test_a_half_deleted_cnode_keeps_its_untyped_busy(void)
{
    enum { RADIX = 8 };
    static char ep[16] __attribute__((aligned(16)));
    struct cte ut = {0};
    struct cte *c = new_cnode(RADIX);
    struct cte *holder = new_cnode(1);
    cdt_insert_root(&ut, cap_set_untyped_size_bits(cap_make(CAP_UNTYPED, c), RADIX + 5));
    cdt_insert(cnode_cap(c, RADIX), &ut, &holder[0]);
    cdt_insert_root(&c[0], endpoint_cap(ep));
    for (unsigned i = 1; i < BIT(RADIX); i++) cdt_insert(endpoint_cap(ep), &c[i - 1], &c[i]);
    start(5);
    CHECK(cdt_delete(&holder[0], &progress) == KERNEL_PREEMPTED);
    CHECK(cap_type(holder[0].cap) == CAP_ZOMBIE);
    CHECK(cdt_has_children(&ut));
    while (cdt_revoke(&ut, &progress) == KERNEL_PREEMPTED) {
    }
    CHECK(!cdt_has_children(&ut) && cap_is_null(holder[0].cap) && all_empty(c, BIT(RADIX)));
    free(c);
    free(holder);
}

/* seL4's setUntypedCapAsFull: a copy of an untyped takes over its free space. */
static void test_an_untyped_copy_takes_over_the_free_space(void)
{
    static char memory[1 << 16] __attribute__((aligned(1 << 16)));
    struct cte ut = {0}, dup = {0};
    struct cap u = cap_set_untyped_size_bits(cap_make(CAP_UNTYPED, memory), 16);
    cdt_insert_root(&ut, cap_set_untyped_free_offset(u, 4096));
    struct cap derived;
    struct syscall_error err = {0};
    CHECK(cap_derive(&ut, ut.cap, &derived, &err) == seL4_NoError);
    cdt_insert(derived, &ut, &dup);
    CHECK(cap_untyped_free_offset(ut.cap) == BIT(16)); /* the original: full */
    CHECK(cap_untyped_free_offset(dup.cap) == 4096);   /* the copy: where the original was */
    CHECK(cdt_has_children(&ut));
    /* a smaller untyped made from it is not a copy: the original keeps its watermark */
    struct cte small = {0}, dup2 = {0};
    cdt_insert_root(&small, cap_set_untyped_size_bits(cap_make(CAP_UNTYPED, memory), 16));
    cdt_insert(cap_set_untyped_size_bits(cap_make(CAP_UNTYPED, memory), 12), &small, &dup2);
    CHECK(cap_untyped_free_offset(small.cap) == 0);
}

int main(void)
{
    RUN(test_deleting_a_deep_chain_of_cnodes);
    RUN(test_deleting_a_deep_chain_of_cnodes_preempted_often);
    RUN(test_deleting_a_deep_chain_of_cnodes_preempted_always);
    RUN(test_deleting_a_large_cnode_is_linear_and_restartable);
    RUN(test_a_cnode_holding_its_only_capability);
    RUN(test_a_thread_and_its_cspace_holding_each_other);
    RUN(test_a_ring_of_three_cnodes);
    RUN(test_a_half_deleted_cnode_keeps_its_untyped_busy);
    RUN(test_an_untyped_copy_takes_over_the_free_space);
    return check_summary();
}
