#include <kernel/debug.h>
#include <kernel/hart.h>
#include <sched/core.h>
#include <kernel/printk.h>
#include <kernel/sleep.h>

static struct tcb *all_threads;

void debug_thread_created(struct tcb *t)
{
    t->all_prev = NULL;
    t->all_next = all_threads;
    if (all_threads) all_threads->all_prev = t;
    all_threads = t;
}

void debug_thread_destroyed(struct tcb *t)
{
    if (t != all_threads && !t->all_prev) return; /* already off the list */
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        all_threads = t->all_next;
    if (t->all_next) t->all_next->all_prev = t->all_prev;
    t->all_next = t->all_prev = NULL;
}

struct tcb *debug_first_thread(void) { return all_threads; }

static const char *state_name(enum thread_state s)
{
    static const char *const names[] = {
        [THREAD_INACTIVE] = "inactive",
        [THREAD_RUNNING] = "running",
        [THREAD_RESTART] = "restart",
        [THREAD_BLOCKED_ON_RECEIVE] = "blocked on receive",
        [THREAD_BLOCKED_ON_SEND] = "blocked on send",
        [THREAD_BLOCKED_ON_REPLY] = "blocked on reply",
        [THREAD_BLOCKED_ON_NOTIFICATION] = "blocked on notification",
        [THREAD_BLOCKED_ON_SLEEP] = "sleeping",
    };
    return s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static bool running_somewhere(const struct tcb *t)
{
    for (unsigned i = 0; i < nharts; i++)
        if (sched_running_on(i) == &t->sched) return true;
    return false;
}

void debug_dump_threads(void)
{
    for (unsigned i = 0; i < nharts; i++) {
        struct sched_thread *r = sched_running_on(i);
        if (r)
            printk("hart %u: running tid %u\n", i, r->tid);
        else
            printk("hart %u: idle\n", i);
    }
    printk("%-5s %-16s %-24s %4s %4s %-7s %s\n", "tid", "name", "state", "prio", "hart", "queue",
           "waits on / until");
    for (struct tcb *t = all_threads; t; t = t->all_next) {
        const char *where = running_somewhere(t) ? "running" : t->sched.queued ? "queued" : "-";
        printk("%-5u %-16s %-24s %4u %4u %-7s ", t->tid, t->name[0] ? t->name : "-",
               state_name(t->state), t->sched.prio, t->sched.hart, where);
        if (t->state == THREAD_BLOCKED_ON_SLEEP)
            printk("%lu ns\n", (unsigned long)t->sleep_deadline_ns);
        else if (t->blocked_on)
            printk("%p\n", t->blocked_on);
        else
            printk("-\n");
    }
}
