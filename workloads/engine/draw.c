/*
 * Draws for the spec's distributions, in integer arithmetic only: workload threads have no FPU,
 * and integers make every draw the same on every host. Each thread has its own xoshiro256**
 * stream, seeded by splitmix64 from (the `seed` boot argument, the thread's id), and draws in
 * the fixed order its ops run; so a seed fixes every draw, and one thread's draws do not depend
 * on another's. Accuracy (workloads/README.md): uniform has a bias below span / 2^64 (2^-16 at
 * most); exponential is the inverse CDF -mean ln U with U on a 2^-32 grid and log2 by repeated
 * squaring (error < 2^-28 of the mean, tail cut at 22.2 means); normal is the Irwin-Hall sum of
 * 12 uniforms (variance 1, tails cut at 6 sd, CDF within 0.0024 of the normal's).
 */
#include "engine.h"
#include <schedlab/runtime.h>
#include <schedlab/sys.h>

#define LN2_Q32 2977044472ull /* ln 2 * 2^32, rounded */
#define ONE_Q32 (1ull << 32)

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    /* the stream id goes through its own splitmix step first, so (seed, id) and (seed + 1,
     * id - 1) are unrelated streams */
    uint64_t id = stream, x = seed;
    x ^= splitmix64(&id);
    for (unsigned i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* log2(u) in Q32 for u >= 1: the integer part from the top bit, then one fraction bit per
 * squaring of the mantissa (kept in [1, 2) as Q62). */
static uint64_t log2_q32(uint64_t u)
{
    unsigned top = 63u - (unsigned)__builtin_clzll(u);
    uint64_t m = u << (62 - top), fraction = 0;
    for (unsigned bit = 31; bit < 32; bit--) {
        m = (uint64_t)(((unsigned __int128)m * m) >> 62);
        if (m >= 1ull << 63) {
            m >>= 1;
            fraction |= 1ull << bit;
        }
    }
    return (uint64_t)top << 32 | fraction;
}

/* -ln U in Q32, U uniform on (0, 1] in steps of 2^-32. */
static uint64_t neg_ln_uniform_q32(struct rng *r)
{
    uint64_t u = (rng_next(r) >> 32) + 1; /* 1 .. 2^32 */
    uint64_t neg_log2 = 32 * ONE_Q32 - log2_q32(u);
    return (uint64_t)(((unsigned __int128)neg_log2 * LN2_Q32) >> 32);
}

static uint64_t clamp(uint64_t x, uint64_t min, uint64_t max)
{
    if (max && x > max) x = max;
    return x < min ? min : x;
}

static uint64_t param(const struct wl_quantity *q, unsigned i) { return value_of(q->params[i]); }

uint64_t draw(struct rng *r, uint16_t quantity)
{
    const struct wl_quantity *q = &wl_spec.quantities[quantity];
    schedlab_note_draw(q->kind);
    switch (q->kind) {
    case WL_UNIFORM: {
        uint64_t min = param(q, 0), span = param(q, 1) - min + 1;
        return min + (uint64_t)(((unsigned __int128)rng_next(r) * span) >> 64);
    }
    case WL_EXPONENTIAL: {
        uint64_t x = (uint64_t)(((unsigned __int128)param(q, 0) * neg_ln_uniform_q32(r)) >> 32);
        return clamp(x, param(q, 1), param(q, 2));
    }
    case WL_NORMAL: {
        /* twelve 32-bit uniforms, two per draw of the stream: their sum less 6 is N(0, 1)
         * to within the Irwin-Hall error, here in Q32 */
        uint64_t sum = 0;
        for (unsigned i = 0; i < 6; i++) {
            uint64_t x = rng_next(r);
            sum += (x >> 32) + (x & 0xffffffffull);
        }
        bool below = sum < 6 * ONE_Q32;
        uint64_t z = below ? 6 * ONE_Q32 - sum : sum - 6 * ONE_Q32;
        uint64_t mean = param(q, 0);
        uint64_t delta = (uint64_t)(((unsigned __int128)param(q, 1) * z) >> 32);
        uint64_t x = below ? (delta > mean ? 0 : mean - delta) : mean + delta;
        return clamp(x, param(q, 2), param(q, 3));
    }
    default: return param(q, 0);
    }
}

/* A distribution's parameters after the boot arguments: the spec checker's rules again, since
 * `--set` can break them. Prints what is wrong, naming the keys; 0 if every one is usable. */
int quantities_check(void)
{
    int bad = 0;
    for (unsigned i = 0; i < wl_spec.nquantities; i++) {
        const struct wl_quantity *q = &wl_spec.quantities[i];
        unsigned lo = q->kind == WL_UNIFORM ? 0 : q->kind == WL_EXPONENTIAL ? 1 : 2;
        if (q->kind == WL_CONSTANT) continue;
        uint64_t min = param(q, lo), max = param(q, lo + 1);
        if ((q->kind == WL_UNIFORM || max) && max < min) {
            printf("%s: FAILED: %s=%lu is below %s=%lu\n", wl_spec.name,
                   wl_spec.values[q->params[lo + 1]].key, max, wl_spec.values[q->params[lo]].key,
                   min);
            bad = 1;
        }
        if (q->kind == WL_EXPONENTIAL && !param(q, 0)) {
            printf("%s: FAILED: %s must be > 0\n", wl_spec.name, wl_spec.values[q->params[0]].key);
            bad = 1;
        }
    }
    return bad;
}
