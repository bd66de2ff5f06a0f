/*
 * Synchronisation built on notifications. A lock is a notification used as a binary semaphore
 * (objects.c signals it once): it works across address spaces and never spins, which matters
 * under icount (DESIGN §8). A barrier counts arrivals in shared memory; the last thread to arrive
 * wakes every other participant through that thread's own notification, so no wake-up is lost
 * to a notification's word already being set.
 */
#include "engine.h"

void lock_acquire(seL4_CPtr lock)
{
    seL4_Word badge;
    seL4_Wait(lock, &badge);
}

void lock_release(seL4_CPtr lock) { seL4_Signal(lock); }

void barrier_wait(struct barrier *b, const struct workload_thread *self)
{
    uint32_t arrived = __atomic_add_fetch(&b->arrived, 1, __ATOMIC_ACQ_REL);
    if (arrived < b->parties) {
        seL4_Word badge;
        seL4_Wait(self->wake, &badge);
        return;
    }
    __atomic_store_n(&b->arrived, 0, __ATOMIC_RELEASE);
    for (uint32_t i = 0; i < b->parties; i++) {
        const struct workload_thread *t = &engine.threads[b->participants[i]];
        if (t != self) seL4_Signal(t->wake);
    }
}
