/* The cache-warmth model: see cache_model.h for the rules. */
#include <sched/cache_model.h>

#if SCHEDLAB_CACHE_MODEL

struct share {
    uint32_t tid;
    uint64_t bytes; /* of its working set resident here */
};

struct model_cache {
    struct share lru[CACHE_MODEL_THREADS]; /* most recently switched in first */
    unsigned n;
    uint64_t bytes; /* sum of the shares */
};

static struct model_cache caches[SCHED_MAX_HARTS];

static int find(const struct model_cache *c, uint32_t tid)
{
    for (unsigned i = 0; i < c->n; i++)
        if (c->lru[i].tid == tid) return (int)i;
    return -1;
}

static void drop(struct model_cache *c, unsigned i)
{
    c->bytes -= c->lru[i].bytes;
    for (unsigned j = i + 1; j < c->n; j++) c->lru[j - 1] = c->lru[j];
    c->n--;
}

void cache_model_init(unsigned nharts)
{
    (void)nharts;
    for (unsigned i = 0; i < SCHED_MAX_HARTS; i++) caches[i] = (struct model_cache){0};
}

uint64_t cache_model_switch_in(unsigned hart, uint32_t tid, uint64_t working_set_bytes)
{
    struct model_cache *c = &caches[hart];
    uint64_t ws =
        working_set_bytes < SCHEDLAB_CACHE_BYTES ? working_set_bytes : SCHEDLAB_CACHE_BYTES;
    int i = find(c, tid);
    uint64_t resident = i < 0 ? 0 : c->lru[i].bytes;
    if (i >= 0) drop(c, (unsigned)i);
    uint64_t cold = ws > resident ? ws - resident : 0;
    if (ws) {
        if (c->n == CACHE_MODEL_THREADS) drop(c, c->n - 1);
        for (unsigned j = c->n; j > 0; j--) c->lru[j] = c->lru[j - 1];
        c->lru[0] = (struct share){tid, ws};
        c->n++;
        c->bytes += ws;
        /* evict from the least recent shares what no longer fits */
        while (c->bytes > SCHEDLAB_CACHE_BYTES) {
            struct share *last = &c->lru[c->n - 1];
            uint64_t excess = c->bytes - SCHEDLAB_CACHE_BYTES;
            if (last->bytes <= excess) {
                drop(c, c->n - 1);
            } else {
                last->bytes -= excess;
                c->bytes -= excess;
            }
        }
    }
    uint64_t lines = (cold + SCHEDLAB_CACHE_LINE_BYTES - 1) / SCHEDLAB_CACHE_LINE_BYTES;
    return lines * SCHEDLAB_CACHE_MISS_NS;
}

uint64_t cache_model_resident(unsigned hart, uint32_t tid)
{
    int i = find(&caches[hart], tid);
    return i < 0 ? 0 : caches[hart].lru[i].bytes;
}

void cache_model_forget(uint32_t tid)
{
    for (unsigned h = 0; h < SCHED_MAX_HARTS; h++) {
        int i = find(&caches[h], tid);
        if (i >= 0) drop(&caches[h], (unsigned)i);
    }
}

#endif
