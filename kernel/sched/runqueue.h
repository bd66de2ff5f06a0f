/*
 * Building blocks policies share: a FIFO of threads (through sched_thread's links and `queued`
 * flag) and a bitmap of the 256 seL4 priorities with an O(1) "highest set". Plain C, host-safe.
 */
#ifndef SCHED_RUNQUEUE_H
#define SCHED_RUNQUEUE_H

#include <sched/sched.h>
#include <stddef.h>

struct runqueue {
    struct sched_thread *head, *tail;
};

static inline void runqueue_push(struct runqueue *q, struct sched_thread *t, bool at_head)
{
    t->prev = at_head ? NULL : q->tail;
    t->next = at_head ? q->head : NULL;
    if (at_head) {
        if (q->head)
            q->head->prev = t;
        else
            q->tail = t;
        q->head = t;
    } else {
        if (q->tail)
            q->tail->next = t;
        else
            q->head = t;
        q->tail = t;
    }
    t->queued = true;
}

static inline void runqueue_remove(struct runqueue *q, struct sched_thread *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        q->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        q->tail = t->prev;
    t->next = t->prev = NULL;
    t->queued = false;
}

#define PRIO_WORDS (256 / 64)

struct prio_bitmap {
    uint64_t words[PRIO_WORDS];
    uint64_t top; /* bit w: words[w] is not 0 */
};

static inline void prio_bitmap_set(struct prio_bitmap *b, unsigned p)
{
    b->words[p / 64] |= 1ull << (p % 64);
    b->top |= 1ull << (p / 64);
}

static inline void prio_bitmap_clear(struct prio_bitmap *b, unsigned p)
{
    b->words[p / 64] &= ~(1ull << (p % 64));
    if (!b->words[p / 64]) b->top &= ~(1ull << (p / 64));
}

/* The index of the highest set bit of x (x != 0). On RISC-V, the architecture's (arch/bits.h:
 * Zbb's clz, one instruction); elsewhere (the host) a branch-free binary search (libgcc's
 * __clzdi2 is a call, a table and ~70 instructions, and the call makes every caller save
 * registers). */
#if defined(__riscv)
#include <arch/bits.h>
static inline unsigned highest_bit(uint64_t x) { return arch_highest_bit(x); }
#else
static inline unsigned highest_bit(uint64_t x)
{
    unsigned r = 0, s;
    s = (unsigned)(x > 0xffffffffull) << 5, x >>= s, r |= s;
    s = (unsigned)(x > 0xffffull) << 4, x >>= s, r |= s;
    s = (unsigned)(x > 0xffull) << 3, x >>= s, r |= s;
    s = (unsigned)(x > 0xfull) << 2, x >>= s, r |= s;
    s = (unsigned)(x > 0x3ull) << 1, x >>= s, r |= s;
    return r | (unsigned)(x >> 1);
}
#endif

/* The highest priority set, or -1. */
static inline int prio_bitmap_highest(const struct prio_bitmap *b)
{
    if (!b->top) return -1;
    unsigned w = highest_bit(b->top);
    return (int)(w * 64 + highest_bit(b->words[w]));
}

#endif
