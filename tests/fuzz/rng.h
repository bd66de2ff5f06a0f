/* The fuzzer's random numbers: SplitMix64, one state word per stream, all from the boot seed. */
#ifndef FUZZ_RNG_H
#define FUZZ_RNG_H

#include <stdbool.h>
#include <stdint.h>

static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A uniform number in [0, n) (n > 0; the bias for n far below 2^64 is negligible here). */
static inline uint64_t rng_below(uint64_t *state, uint64_t n) { return rng_next(state) % n; }

static inline uint64_t rng_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
    return lo + rng_below(state, hi - lo + 1);
}

static inline bool rng_percent(uint64_t *state, unsigned percent)
{
    return rng_below(state, 100) < percent;
}

/* A stream for (seed, a, b): distinct streams for distinct pairs. */
static inline uint64_t rng_stream(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t s = seed ^ (a * 0xd1b54a32d192ed03ull) ^ (b * 0x8cb92ba72f3d8dd7ull);
    rng_next(&s);
    return s;
}

#endif
