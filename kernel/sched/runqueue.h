/*
 * Building blocks policies share: a FIFO of threads (through sched_thread's links and `queued`
 * flag) and a bitmap of the 256 seL4 priorities with an O(1) "highest set". Plain C, host-safe.
 */
#ifndef SCHED_RUNQUEUE_H
#define SCHED_RUNQUEUE_H

#include <sched/bits.h>
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

/* The head of a non-empty q, taken out: runqueue_remove without the test for a predecessor. */
static inline struct sched_thread *runqueue_pop_head(struct runqueue *q)
{
    struct sched_thread *t = q->head;
    q->head = t->next;
    if (t->next)
        t->next->prev = NULL;
    else
        q->tail = NULL;
    t->next = NULL;
    t->queued = false;
    return t;
}

/* The same, and *emptied: q is empty now. Read before the pop's stores, which the compiler cannot
 * tell from the queue's, so that the caller does not read the queue again after them. */
static inline struct sched_thread *runqueue_pop_head_emptied(struct runqueue *q, bool *emptied)
{
    *emptied = !q->head->next;
    return runqueue_pop_head(q);
}

/* A policy's per-hart records, each padded to a power of two: finding hart i's is then a shift,
 * not a multiply (which the compiler would repeat at every use). SCHED_PER_HART(struct x, harts)
 * declares harts[SCHED_MAX_HARTS], hart i's record being harts[i].h, and harts_record(i), a
 * pointer to it that the compiler keeps in a register (SCHED_OPAQUE): for the hot paths. */
#define SCHED_POW2_AT_LEAST(n) ((size_t)1 << (64 - __builtin_clzll((unsigned long long)(n)-1)))
#define SCHED_PER_HART(type, name)                                                                 \
    static union {                                                                                 \
        type h;                                                                                    \
        char pad[SCHED_POW2_AT_LEAST(sizeof(type))];                                               \
    } name[SCHED_MAX_HARTS];                                                                       \
    static SCHED_ALWAYS_INLINE type *name##_record(unsigned i)                                     \
    {                                                                                              \
        type *h = &name[i].h;                                                                      \
        SCHED_OPAQUE(h);                                                                           \
        return h;                                                                                  \
    }

/* Bitmaps of up to 64 * 64 bits with an O(1) "highest set": the words, and a word whose bit w says
 * that words[w] is not 0. */
static inline void bitmap_set(uint64_t *words, uint64_t *top, uint64_t i)
{
    words[i / 64] |= 1ull << (i % 64);
    *top |= 1ull << (i / 64);
}

static inline void bitmap_clear(uint64_t *words, uint64_t *top, uint64_t i)
{
    words[i / 64] &= ~(1ull << (i % 64));
    if (!words[i / 64]) *top &= ~(1ull << (i / 64));
}

/* Is bit i or one above it set? */
static inline bool bitmap_any_at_or_above(const uint64_t *words, uint64_t top, uint64_t i)
{
    uint64_t w = i / 64;
    return (words[w] >> (i % 64)) || (top >> w >> 1);
}

/* The highest bit set, or -1. */
static inline int64_t bitmap_highest(const uint64_t *words, uint64_t top)
{
    if (!top) return -1;
    unsigned w = highest_bit(top);
    return (int64_t)(w * 64 + highest_bit(words[w]));
}

/* The 256 seL4 priorities. */
#define PRIO_WORDS (256 / 64)

struct prio_bitmap {
    uint64_t words[PRIO_WORDS];
    uint64_t top; /* bit w: words[w] is not 0 */
};

/* (the same as bitmap_set and bitmap_clear, written out: with unsigned indices the compiler makes
 * the policies' paths a few instructions shorter) */
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

/* Is priority p set? */
static inline bool prio_bitmap_has(const struct prio_bitmap *b, unsigned p)
{
    return (b->words[p / 64] >> (p % 64)) & 1;
}

/* Is a priority of p or above set? (prio_bitmap_highest(b) >= p, without finding it: the
 * fastpath's question.) */
static inline bool prio_bitmap_any_at_or_above(const struct prio_bitmap *b, unsigned p)
{
    unsigned w = p / 64;
    return (b->words[w] >> (p % 64)) || (b->top >> w >> 1);
}

/* Is a priority above p set? */
static inline bool prio_bitmap_any_above(const struct prio_bitmap *b, unsigned p)
{
    return p + 1 < 64 * PRIO_WORDS && prio_bitmap_any_at_or_above(b, p + 1);
}

/* The highest priority set, or -1. */
static inline int prio_bitmap_highest(const struct prio_bitmap *b)
{
    if (!b->top) return -1;
    unsigned w = highest_bit(b->top);
    return (int)(w * 64 + highest_bit(b->words[w]));
}

#endif
