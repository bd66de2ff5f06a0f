#include <kernel/hart.h>
#include <kernel/sleep.h>
#include <kernel/thread.h>

/* Per hart (the one the thread slept on: its timer wakes it), sorted by deadline; equal deadlines
 * wake in the order they went to sleep. */
static struct tcb *sleepers[ARCH_MAX_HARTS];

void sleep_until(struct tcb *t, uint64_t deadline_ns)
{
    t->sleep_deadline_ns = deadline_ns;
    t->sleep_hart = t->sched.hart;
    struct tcb **p = &sleepers[t->sleep_hart];
    while (*p && (*p)->sleep_deadline_ns <= deadline_ns) p = &(*p)->sleep_next;
    t->sleep_next = *p;
    *p = t;
    thread_block(t, THREAD_BLOCKED_ON_SLEEP, NULL, TRACE_BLOCK_SLEEP);
}

void sleep_cancel(struct tcb *t)
{
    for (struct tcb **p = &sleepers[t->sleep_hart]; *p; p = &(*p)->sleep_next) {
        if (*p == t) {
            *p = t->sleep_next;
            t->sleep_next = NULL;
            return;
        }
    }
}

void sleep_wake_due(unsigned hart, uint64_t now)
{
    while (sleepers[hart] && sleepers[hart]->sleep_deadline_ns <= now) {
        struct tcb *t = sleepers[hart];
        sleepers[hart] = t->sleep_next;
        t->sleep_next = NULL;
        thread_wake(t, NULL, TRACE_WAKE_TIMER);
    }
}

uint64_t sleep_next_deadline(unsigned hart)
{
    return sleepers[hart] ? sleepers[hart]->sleep_deadline_ns : UINT64_MAX;
}
