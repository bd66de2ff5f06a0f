/*
 * The cache-warmth model (DESIGN §4.3). QEMU models no caches, so the benefit of running a
 * thread where its working set is still cached is invisible; this model makes it visible as
 * time. It is a property of the machine, applied by the scheduler core at every switch under
 * every policy, and compiled in only when SCHEDLAB_CACHE_MODEL is on.
 *
 * Each hart has a model cache of SCHEDLAB_CACHE_BYTES holding parts of the working sets of the
 * threads that ran there, in least-recently-switched-in order. When a thread is switched in on
 * a hart, the bytes of its working set (SchedLab_SysSetWorkingSet) not resident there are cold:
 *   cost_ns = ceil(cold_bytes / SCHEDLAB_CACHE_LINE_BYTES) * SCHEDLAB_CACHE_MISS_NS.
 * Its whole working set is then resident, most recent; whatever no longer fits is evicted from
 * the least recent threads' shares. Simplifications, each the same under every policy: a
 * working set larger than the cache counts as the cache size (its self-eviction costs the same
 * wherever it runs); running elsewhere does not invalidate a hart's copy; a hart remembers the
 * CACHE_MODEL_THREADS most recent threads, older ones count as evicted.
 * Plain C, no allocation: the state is static, sized by SCHED_MAX_HARTS.
 */
#ifndef SCHED_CACHE_MODEL_H
#define SCHED_CACHE_MODEL_H

#include <stdint.h>
#include <sched_config.h>

#define CACHE_MODEL_THREADS 16

#if SCHEDLAB_CACHE_MODEL
/* Every model cache empty. Call once at boot, before any switch. */
void cache_model_init(unsigned nharts);
/* Thread `tid` with `working_set_bytes` is switched in on `hart`: returns the modelled refill
 * cost in ns (0 when its working set is all resident) and records it as resident there. */
uint64_t cache_model_switch_in(unsigned hart, uint32_t tid, uint64_t working_set_bytes);
/* Bytes of tid's working set resident in the model cache of `hart`. */
uint64_t cache_model_resident(unsigned hart, uint32_t tid);
/* Thread `tid` is gone: a later thread with the same id starts cold everywhere. */
void cache_model_forget(uint32_t tid);
#else
/* The model is compiled out: switches cost nothing extra. */
static inline void cache_model_init(unsigned nharts) { (void)nharts; }
static inline uint64_t cache_model_switch_in(unsigned hart, uint32_t tid, uint64_t ws)
{
    (void)hart, (void)tid, (void)ws;
    return 0;
}
static inline uint64_t cache_model_resident(unsigned hart, uint32_t tid)
{
    (void)hart, (void)tid;
    return 0;
}
static inline void cache_model_forget(uint32_t tid) { (void)tid; }
#endif

#endif
