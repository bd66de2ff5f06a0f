/*
 * Synchronisation built on notifications. A lock is a notification used as a binary semaphore
 * (objects.c signals it once): it works across address spaces and never spins, which matters
 * under icount (DESIGN §8). A barrier counts arrivals in shared memory; the last thread to arrive
 * wakes every other participant through that thread's own notification, so no wake-up is lost
 * to a notification's word already being set.
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

/* The opening instant is in shared memory: a waiter reads it after its wake-up and before it
 * arrives again, and the next round cannot open before that, so it is this round's. */
uint64_t barrier_wait(struct barrier *b, const struct workload_thread *self)
{
    uint32_t arrived = __atomic_add_fetch(&b->arrived, 1, __ATOMIC_ACQ_REL);
    if (arrived < b->parties) {
        seL4_Word badge;
        seL4_Wait(self->wake, &badge);
        return __atomic_load_n(&b->released_ns, __ATOMIC_ACQUIRE);
    }
    uint64_t now = schedlab_now_ns();
    __atomic_store_n(&b->released_ns, now, __ATOMIC_RELEASE);
    __atomic_store_n(&b->arrived, 0, __ATOMIC_RELEASE);
    for (uint32_t i = 0; i < b->parties; i++) {
        const struct workload_thread *t = &engine.threads[b->participants[i]];
        if (t != self) seL4_Signal(t->wake);
    }
    return now;
}
