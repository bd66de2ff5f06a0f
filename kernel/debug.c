#include <kernel/debug.h>
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

void debug_dump_threads(void)
{
    printk("%-5s %-16s %-24s %4s %4s %-6s %s\n", "tid", "name", "state", "prio", "hart", "queued",
           "waits on / until");
    for (struct tcb *t = all_threads; t; t = t->all_next) {
        printk("%-5u %-16s %-24s %4u %4u %-6s ", t->tid, t->name[0] ? t->name : "-",
               state_name(t->state), t->sched.prio, t->sched.hart, t->sched.queued ? "yes" : "no");
        if (t->state == THREAD_BLOCKED_ON_SLEEP)
            printk("%lu ns\n", (unsigned long)t->sleep_deadline_ns);
        else if (t->blocked_on)
            printk("%p\n", t->blocked_on);
        else
            printk("-\n");
    }
}
