/*
 * A set of harts (bit h = hart h), as wide as the build's SCHED_MAX_HARTS: one 64-bit word in
 * the kernel (8 harts), sixteen in the simulator (1024 harts). Policies and the core use only
 * these functions, so the same policy code serves both; with one word they compile to the
 * plain word operations they replace.
 */
#ifndef SCHED_HARTMASK_H
#define SCHED_HARTMASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sched/bits.h>
#include <sched_config.h>

#define HARTMASK_WORDS ((SCHED_MAX_HARTS + 63) / 64)

struct hartmask {
    uint64_t word[HARTMASK_WORDS];
};

static inline bool hartmask_has(const struct hartmask *m, unsigned hart)
{
    return hart < SCHED_MAX_HARTS && (m->word[hart / 64] >> (hart % 64) & 1);
}

static inline void hartmask_add(struct hartmask *m, unsigned hart)
{
    if (hart < SCHED_MAX_HARTS) m->word[hart / 64] |= 1ull << (hart % 64);
}

static inline void hartmask_remove(struct hartmask *m, unsigned hart)
{
    if (hart < SCHED_MAX_HARTS) m->word[hart / 64] &= ~(1ull << (hart % 64));
}

static inline struct hartmask hartmask_none(void) { return (struct hartmask){{0}}; }

static inline struct hartmask hartmask_one(unsigned hart)
{
    struct hartmask m = hartmask_none();
    hartmask_add(&m, hart);
    return m;
}

/* Harts 0 .. n-1. */
static inline struct hartmask hartmask_first_n(unsigned n)
{
    struct hartmask m = hartmask_none();
    for (unsigned w = 0; w < HARTMASK_WORDS && n > 64 * w; w++)
        m.word[w] = n - 64 * w >= 64 ? ~0ull : (1ull << (n - 64 * w)) - 1;
    return m;
}

/* The harts a 64-bit word names (bit h = hart h < 64): the system-call ABI's masks. */
static inline struct hartmask hartmask_from_word(uint64_t word)
{
    struct hartmask m = hartmask_none();
    m.word[0] = word;
    return m;
}

/* Harts 0..63 of m as a word (for tests and traces). */
static inline uint64_t hartmask_word(struct hartmask m) { return m.word[0]; }

static inline struct hartmask hartmask_and(struct hartmask a, struct hartmask b)
{
    for (unsigned w = 0; w < HARTMASK_WORDS; w++) a.word[w] &= b.word[w];
    return a;
}

static inline struct hartmask hartmask_and_not(struct hartmask a, struct hartmask b)
{
    for (unsigned w = 0; w < HARTMASK_WORDS; w++) a.word[w] &= ~b.word[w];
    return a;
}

static inline struct hartmask hartmask_or(struct hartmask a, struct hartmask b)
{
    for (unsigned w = 0; w < HARTMASK_WORDS; w++) a.word[w] |= b.word[w];
    return a;
}

static inline bool hartmask_empty(const struct hartmask *m)
{
    for (unsigned w = 0; w < HARTMASK_WORDS; w++)
        if (m->word[w]) return false;
    return true;
}

static inline bool hartmask_equal(struct hartmask a, struct hartmask b)
{
    for (unsigned w = 0; w < HARTMASK_WORDS; w++)
        if (a.word[w] != b.word[w]) return false;
    return true;
}

/* The lowest hart >= from in m, or SCHED_MAX_HARTS if none. */
static inline unsigned hartmask_next(const struct hartmask *m, unsigned from)
{
    for (unsigned w = from / 64; w < HARTMASK_WORDS; w++) {
        uint64_t bits = m->word[w];
        if (w == from / 64) bits &= ~0ull << (from % 64);
        if (bits) return 64 * w + lowest_bit(bits);
    }
    return SCHED_MAX_HARTS;
}

#define HARTMASK_FOR_EACH(hart, mask)                                                              \
    for (unsigned hart = hartmask_next(mask, 0); hart < SCHED_MAX_HARTS;                           \
         hart = hartmask_next(mask, hart + 1))

#endif
