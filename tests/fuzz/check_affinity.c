/*
 * A thread runs where its affinity says (DESIGN §3.4). A verifier thread per hart, among the
 * workers' priorities, asks the kernel which hart it runs on, in a loop that yields; the
 * supervisor moves the verifiers between harts all the time. Once SetAffinity has returned the
 * verifier must find itself on its new hart whenever it looks: a thread left running or queued
 * on its old hart (or running on two) would see another. The epoch brackets each move: odd while
 * one is under way, and a look is counted only if no move began or ended during it.
 */
#include "supervisor.h"

#define VERIFIER_PRIO     WORKER_PRIO
#define VERIFIER_PAUSE_NS (200 * US)

struct verifier {
    struct sup_thread thread;
    volatile uint64_t epoch, looks, wrong_looks;
    volatile unsigned target, wrong_hart;
};

static struct verifier verifiers[FUZZ_MAX_WORKERS];
static unsigned nverifiers;

static void look(struct verifier *v)
{
    uint64_t before = __atomic_load_n(&v->epoch, __ATOMIC_ACQUIRE);
    unsigned target = v->target;
    unsigned hart = schedlab_hart_id();
    uint64_t after = __atomic_load_n(&v->epoch, __ATOMIC_ACQUIRE);
    if (before == after && !(before & 1)) {
        v->looks++;
        if (hart != target) {
            v->wrong_hart = hart;
            v->wrong_looks++;
        }
    }
}

/* A few looks with yields between (a yielding thread is queued while it runs), then a pause:
 * the verifiers must not take the harts from the workers. */
static void verify(seL4_Word index)
{
    struct verifier *v = &verifiers[index];
    for (;;) {
        for (int i = 0; i < 4; i++) {
            look(v);
            seL4_Yield();
        }
        schedlab_sleep_ns(VERIFIER_PAUSE_NS);
    }
}

void check_affinity_init(void)
{
    /* on one hart there is nowhere to move to */
    nverifiers = params.nharts > 1 ? params.nharts : 0;
    for (unsigned i = 0; i < nverifiers; i++) {
        verifiers[i].target = i;
        REQUIRE(sup_thread_start(&verifiers[i].thread, "verifier", verify, i, VERIFIER_PRIO, i, 0),
                "setup", "cannot start verifier %u", i);
    }
}

static void move(struct verifier *v, unsigned hart)
{
    __atomic_fetch_add(&v->epoch, 1, __ATOMIC_SEQ_CST);
    v->target = hart;
#if SCHEDLAB_SMP
    if (rng_percent(&supervisor_rng, 50))
        MUST(seL4_TCB_SetAffinity(v->thread.tcb, hart));
    else
#endif
        MUST(schedlab_set_affinity_mask(v->thread.tcb, 1ull << hart));
    __atomic_fetch_add(&v->epoch, 1, __ATOMIC_SEQ_CST);
}

void check_affinity(void)
{
    supervisor_phase = "affinity check";
    for (unsigned i = 0; i < nverifiers; i++) {
        struct verifier *v = &verifiers[i];
        REQUIRE(!v->wrong_looks, "affinity",
                "verifier %u, moved to hart %u, ran on hart %u (%lu of %lu looks)", i, v->target,
                v->wrong_hart, (unsigned long)v->wrong_looks, (unsigned long)v->looks);
    }
    if (!nverifiers) return;
    struct verifier *v = &verifiers[rng_below(&supervisor_rng, nverifiers)];
    move(v, (unsigned)rng_below(&supervisor_rng, params.nharts));
    checks_passed.affinity++;
}
