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

/* The head of a non-empty q taken out and t (not queued) appended: a candidate that must wait
 * behind its priority's queue when that is the highest, so that the queue stays non-empty and
 * neither its priority's bit nor a count changes. */
static inline struct sched_thread *runqueue_rotate(struct runqueue *q, struct sched_thread *t)
{
    struct sched_thread *head = runqueue_pop_head(q);
    runqueue_push(q, t, false);
    return head;
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

/* Bitmaps of up to 64 * 64 bits with an O(1) "highest set". SCHED_BITMAP_OPS(name, words) declares
 * struct name, the words and a word `top` whose bit w says that words[w] is not 0, and its
 * operations name_set, name_clear, name_has, name_any_at_or_above, name_any_above, name_highest
 * and name_highest_vs. One definition for every size; a struct (not a pointer to its words) so
 * that gcc folds each word's offset into the load. Indices are unsigned: an index gcc does not
 * sign-extend. */
#define SCHED_BITMAP_OPS(name, nwords)                                                             \
    struct name {                                                                                  \
        uint64_t words[nwords];                                                                    \
        uint64_t top; /* bit w: words[w] is not 0 */                                               \
    };                                                                                             \
    static inline void name##_set(struct name *b, unsigned i)                                      \
    {                                                                                              \
        b->words[i / 64] |= 1ull << (i % 64);                                                      \
        b->top |= 1ull << (i / 64);                                                                \
    }                                                                                              \
    static inline void name##_clear(struct name *b, unsigned i)                                    \
    {                                                                                              \
        b->words[i / 64] &= ~(1ull << (i % 64));                                                   \
        if (!b->words[i / 64]) b->top &= ~(1ull << (i / 64));                                      \
    }                                                                                              \
    /* Is bit i set? */                                                                            \
    static inline bool name##_has(const struct name *b, unsigned i)                                \
    {                                                                                              \
        return (b->words[i / 64] >> (i % 64)) & 1;                                                 \
    }                                                                                              \
    /* Is bit i or one above it set? (name_highest(b) >= i, without finding it: the fastpath's     \
     * question) */                                                                                \
    static inline bool name##_any_at_or_above(const struct name *b, unsigned i)                    \
    {                                                                                              \
        unsigned w = i / 64;                                                                       \
        return (b->words[w] >> (i % 64)) || (b->top >> w >> 1);                                    \
    }                                                                                              \
    /* Is a bit above i set? */                                                                    \
    static inline bool name##_any_above(const struct name *b, unsigned i)                          \
    {                                                                                              \
        return i + 1 < 64 * (nwords) && name##_any_at_or_above(b, i + 1);                          \
    }                                                                                              \
    /* The highest bit set, or -1. */                                                              \
    static inline int name##_highest(const struct name *b)                                         \
    {                                                                                              \
        if (!b->top) return -1;                                                                    \
        unsigned w = highest_bit(b->top);                                                          \
        return (int)(w * 64 + highest_bit(b->words[w]));                                           \
    }                                                                                              \
    /* How the highest bit set compares with i: 1 above it, 0 i itself, -1 below it or none set.   \
     * (A candidate's question at a decision, answered without finding the highest.) */            \
    static inline int name##_highest_vs(const struct name *b, unsigned i)                          \
    {                                                                                              \
        unsigned w = i / 64;                                                                       \
        uint64_t from_i = b->words[w] >> (i % 64); /* bit 0: i itself */                           \
        if ((b->top >> w >> 1) || from_i > 1) return 1;                                            \
        return from_i ? 0 : -1;                                                                    \
    }

/* The 256 seL4 priorities. */
#define PRIO_WORDS (256 / 64)
SCHED_BITMAP_OPS(prio_bitmap, PRIO_WORDS)

/* A decision's thread for a policy with a queue per priority (h->queue[], h->ready) and its own
 * push(h, t, at_head) and dequeued(h, prio, emptied): SCHED_PRIO_QUEUE_PICK(type) declares
 * take_in_prio_order(h, t), given the candidate t (not queued) or NULL. It is t when nothing
 * queued comes before it; when its own priority's queue is the highest, that queue's head, with t
 * appended (runqueue_rotate: no bit or count changes); else the head of the highest queue, with t
 * queued; NULL when nothing is left. */
#define SCHED_PRIO_QUEUE_PICK(type)                                                                \
    static SCHED_ALWAYS_INLINE struct sched_thread *take_in_prio_order(type *h,                    \
                                                                       struct sched_thread *t)     \
    {                                                                                              \
        int order = t ? prio_bitmap_highest_vs(&h->ready, t->prio) : 1;                            \
        if (order < 0) return t;                                                                   \
        if (order == 0) return runqueue_rotate(&h->queue[t->prio], t);                             \
        if (t) push(h, t, false);                                                                  \
        int p = prio_bitmap_highest(&h->ready);                                                    \
        if (p < 0) return NULL;                                                                    \
        bool last;                                                                                 \
        t = runqueue_pop_head_emptied(&h->queue[p], &last);                                        \
        dequeued(h, (unsigned)p, last);                                                            \
        return t;                                                                                  \
    }

#endif
