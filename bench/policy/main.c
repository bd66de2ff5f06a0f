/*
 * Instructions per scheduling decision: the configured policy (kernel/sched/<policy>.c, compiled
 * into this program unchanged) with 1, 16, 256, 1024 and 10000 runnable threads at spread
 * priorities. Counted with rdinstret, exact under -icount. Prints
 * "bench decision <policy> <op> <threads> <instr>".
 * Each round the running thread uses its whole slice (whatever the policy made it) and expires:
 * "enqueue" is charge + expiry, "pick" the next decision as the core makes it (policy_pick, then
 * the slice of the thread it picked: core.c decide), "round" the two together. Where the expired
 * thread is queued is the policy's choice (rr queues it at the expiry; affinity and tstune hold it
 * as the candidate and queue it at the pick), so policies compare on the round.
 */
#include <schedlab/runtime.h>
#include <sched/sched.h>
#include <stddef.h>

#define MAX_THREADS 10000
#define ROUNDS      2000

static struct sched_thread threads[MAX_THREADS];

/* The kernel core's migration hook: here only one hart exists, so nothing is traced. */
void sched_migrate(struct sched_thread *t, unsigned to, enum trace_migrate_reason why)
{
    (void)why;
    t->hart = (uint8_t)to;
}

/* The core's policy-trace hooks: nothing is traced here (what it costs is not a decision's). */
void sched_trace_policy(uint16_t kind, uint32_t tid, uint32_t a, uint32_t b, uint64_t value)
{
    (void)kind, (void)tid, (void)a, (void)b, (void)value;
}

void sched_trace_policy_at_switch(uint16_t kind, uint32_t tid, uint32_t a, uint32_t b,
                                  uint64_t value)
{
    sched_trace_policy(kind, tid, a, b, value);
}

static inline uint64_t instret(void)
{
    uint64_t v;
    __asm__ volatile("rdinstret %0" : "=r"(v));
    return v;
}

static void measure(unsigned n)
{
    policy_init(1, 0);
    uint32_t seed = 12345;
    for (unsigned i = 0; i < n; i++) {
        seed = seed * 1103515245 + 12345;
        threads[i] = (struct sched_thread){.tid = i + 1, .prio = (uint8_t)(seed >> 16), .hart = 0};
        policy_thread_init(&threads[i]);
        policy_wakeup(0, &threads[i], NULL);
    }
    struct sched_thread *running = policy_pick(0, NULL, false);
    uint64_t slice = policy_slice_ns(running);
    uint64_t pick = 0, enqueue = 0;
    for (unsigned r = 0; r < ROUNDS; r++) {
        /* the running thread's slice ends: charge it, put it back, choose again */
        uint64_t t0 = instret();
        policy_charge(running, slice);
        policy_slice_expired(0, running);
        uint64_t t1 = instret();
        running = policy_pick(0, running, true);
        slice = policy_slice_ns(running);
        uint64_t t2 = instret();
        enqueue += t1 - t0;
        pick += t2 - t1;
    }
    printf("bench decision %s pick %u %lu\n", SCHED_POLICY_NAME, n, pick / ROUNDS);
    printf("bench decision %s enqueue %u %lu\n", SCHED_POLICY_NAME, n, enqueue / ROUNDS);
    printf("bench decision %s round %u %lu\n", SCHED_POLICY_NAME, n, (pick + enqueue) / ROUNDS);
}

int main(const seL4_BootInfo *bi)
{
    (void)bi;
    static const unsigned counts[] = {1, 16, 256, 1024, 10000};
    for (unsigned i = 0; i < sizeof counts / sizeof counts[0]; i++) measure(counts[i]);
    return 0;
}
