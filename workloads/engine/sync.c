/*
 * Synchronisation built on notifications. A lock is a notification used as a binary semaphore
 * (objects.c signals it once): it works across address spaces and never spins, which matters
 * under icount (DESIGN §8). A barrier counts arrivals in shared memory; the last thread to arrive
 * opens it and wakes every participant that blocked through that thread's own notification, so
 * no wake-up is lost to a notification's word already being set. A participant may spin for a
 * while before it blocks (a barrier phase's spin_us).
 */
#include "engine.h"
#include <schedlab/sys.h>

/* A poll first: when the signal is already there the thread knows it did not wait, and its
 * next request is due now rather than at an old wakeup (interpret.c). */
bool notification_take(seL4_CPtr notification)
{
    seL4_Word badge = 0;
    seL4_Poll(notification, &badge);
    if (badge) return false;
    seL4_Wait(notification, &badge);
    return true;
}

void lock_release(seL4_CPtr lock) { seL4_Signal(lock); }

/* A spinning party looks at the barrier once per this much work: it bounds how late a spinner
 * sees the opening. */
#define SPIN_CHECK_NS 500

static uint32_t position_of(const struct barrier *b, const struct workload_thread *self)
{
    uint32_t i = 0;
    while (&engine.threads[b->participants[i]] != self) i++;
    return i;
}

static bool opened(const struct barrier *b, uint32_t generation)
{
    return __atomic_load_n(&b->generation, __ATOMIC_SEQ_CST) != generation;
}

/*
 * The opening instant is in shared memory: a waiter reads it after the opening and before it
 * arrives again, and the next round cannot open before that, so it is this round's.
 *
 * Who signals whom: a waiter that gives up spinning sets its `sleeping` flag, then looks at
 * the generation again; the opener bumps the generation, then takes every flag with an
 * exchange and signals the flags it took. Both sides use sequentially consistent operations, so
 * either the opener takes the flag (and a signal is coming, which the waiter consumes) or the
 * waiter sees the opening and takes its flag back itself. A waiter never misses the opening,
 * and no signal is left over for a later round.
 */
uint64_t barrier_wait(struct barrier *b, const struct workload_thread *self, uint64_t spin_ns)
{
    uint32_t generation = __atomic_load_n(&b->generation, __ATOMIC_SEQ_CST);
    uint32_t me = position_of(b, self);
    uint32_t arrived = __atomic_add_fetch(&b->arrived, 1, __ATOMIC_SEQ_CST);
    if (arrived < b->parties) {
        /* spinning takes no kernel entry: on many harts, a blocking wait per party is a kernel
         * entry per party under the kernel lock, and the opening one signal per sleeper */
        if (spin_ns &&
            schedlab_spin_while_equal(&b->generation, generation, spin_ns / SPIN_CHECK_NS,
                                      SPIN_CHECK_NS / SCHEDLAB_BURN_INSTRUCTIONS_PER_ITERATION))
            return __atomic_load_n(&b->released_ns, __ATOMIC_ACQUIRE);
        __atomic_store_n(&b->sleeping[me], 1, __ATOMIC_SEQ_CST);
        if (!opened(b, generation) || !__atomic_exchange_n(&b->sleeping[me], 0, __ATOMIC_SEQ_CST)) {
            seL4_Word badge;
            seL4_Wait(self->wake, &badge);
        }
        return __atomic_load_n(&b->released_ns, __ATOMIC_ACQUIRE);
    }
    uint64_t now = schedlab_now_ns();
    __atomic_store_n(&b->released_ns, now, __ATOMIC_RELEASE);
    __atomic_store_n(&b->arrived, 0, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&b->generation, 1, __ATOMIC_SEQ_CST);
    for (uint32_t i = 0; i < b->parties; i++)
        if (i != me && __atomic_exchange_n(&b->sleeping[i], 0, __ATOMIC_SEQ_CST))
            seL4_Signal(engine.threads[b->participants[i]].wake);
    return now;
}
