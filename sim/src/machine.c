/*
 * The machine: harts with their own clocks, the discrete-event loop, kernel entry and exit with
 * the big kernel lock, the one-shot timer, sleep (as kernel/sleep.c) and reschedule IPIs. What
 * runs on a hart, and when a decision is made, is kernel/sched/core.c's: this file calls it at
 * the points the kernel does (kernel/entry.c: an interrupt's sleep_wake_due and sched_timer,
 * then at every exit sched_schedule and the timer set from sched_next_deadline).
 */
#include "sim.h"
#include <kernel/smp.h>
#include <kernel/trace.h>
#include <schedlab/sys.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <table.h>

_Static_assert(WL_NORMAL + 1 == SIM_USER_DRAW_KINDS, "a user key per distribution kind");

#define STACK_BYTES (64 * 1024)

struct sim_hart sim_harts[SIM_MAX_HARTS];
unsigned nharts;
unsigned sim_hart_now;
struct sim_thread *sim_running_thread;
bool machine_finished;
int machine_status;

static ucontext_t machine_context;
static uint64_t lock_free_at;              /* the big kernel lock is free from this instant */
static struct hartmask reschedule_pending; /* harts this kernel entry asked for a decision */
static uint32_t last_tid;

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

_Noreturn void sim_panic(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "sim: panic at %lu ns on hart %u: ", (unsigned long)clock_now(), sim_hart_now);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    exit(3);
}

unsigned this_hart_id(void) { return sim_hart_now; }
uint64_t clock_now(void) { return sim_harts[sim_hart_now].time; }
void arch_activate_kernel_vspace(void) { sim_harts[sim_hart_now].time += costs.switch_cost_ns; }
void sim_clock_wait_until(uint64_t until)
{
    struct sim_hart *h = &sim_harts[sim_hart_now];
    h->time = max64(h->time, until);
}

void smp_request_reschedule(unsigned hart)
{
    if (hart == sim_hart_now) return;
    if (!hartmask_has(&reschedule_pending, hart))
        trace_emit(TRACE_IPI, TRACE_IPI_RESCHEDULE, hart, 0, 0, 0);
    hartmask_add(&reschedule_pending, hart);
}

bool thread_is_runnable(struct sched_thread *t) { return sim_thread_of(t)->state == SIM_RUNNABLE; }

void machine_init(unsigned harts)
{
    nharts = harts;
    for (unsigned i = 0; i < harts; i++)
        sim_harts[i] = (struct sim_hart){.timer_deadline = SIM_NEVER,
                                         .ipi_at = SIM_NEVER,
                                         .chain = {SIM_CHAIN_NONE, SIM_CHAIN_NONE}};
    sim_hart_now = 0;
    sched_init();
    events_init(harts);
    /* the calibration ran on hart 0's clock: the run starts where QEMU's first record is, so
     * that what counts from boot (mlfq's boosts, affinity's balancing) falls as it does there */
    for (unsigned i = 0; i < harts; i++) sim_harts[i].time = costs.boot_ns;
}

/* ---- threads as coroutines ---- */

static void thread_entry(void)
{
    struct sim_thread *t = sim_running_thread;
    t->body(t->arg);
    sim_syscall(SIM_SYS_SUSPEND_SELF, 0, 0, 0);
    sim_panic("tid %u ran after it suspended itself", t->sched.tid);
}

struct sim_thread *thread_new(const char *name, uint8_t prio, unsigned hart, void (*body)(void *),
                              void *arg, uint32_t creator)
{
    struct sim_thread *t = calloc(1, sizeof *t);
    if (!t || !(t->stack = malloc(STACK_BYTES))) sim_panic("out of host memory for a thread");
    t->body = body;
    t->arg = arg;
    t->state = SIM_INACTIVE;
    sched_thread_init(&t->sched, ++last_tid, 0, hart);
    trace_emit(TRACE_THREAD_NEW, 0, t->sched.tid, creator, 0, 0);
    sched_set_priority(&t->sched, prio);
    snprintf(t->name, sizeof t->name, "%s", name);
    trace_thread_name(t->sched.tid, t->name);
    return t;
}

/* Run t's user code until it enters the kernel or has CPU work to do. */
static void user_resume(struct sim_thread *t)
{
    sim_running_thread = t;
    if (!t->started) {
        t->started = true;
        getcontext(&t->context);
        t->context.uc_stack.ss_sp = t->stack;
        t->context.uc_stack.ss_size = STACK_BYTES;
        t->context.uc_link = NULL;
        makecontext(&t->context, thread_entry, 0);
    }
    swapcontext(&machine_context, &t->context);
    sim_running_thread = NULL;
}

static void to_machine(struct sim_thread *t) { swapcontext(&t->context, &machine_context); }

seL4_Word sim_syscall(enum sim_sys sys, seL4_Word a0, seL4_Word a1, seL4_Word *badge)
{
    struct sim_thread *t = sim_running_thread;
    if (!t) sim_panic("a system call outside a workload thread");
    t->sys = sys;
    t->a0 = a0;
    t->a1 = a1;
    t->in_syscall = true;
    to_machine(t);
    if (badge) *badge = t->badge;
    return t->result;
}

seL4_Word *sim_message_registers(void) { return sim_running_thread->mr; }

void schedlab_note_draw(unsigned kind)
{
    struct sim_thread *t = sim_running_thread;
    if (kind < SIM_USER_DRAW_KINDS && t->ndraws < sizeof t->draws)
        t->draws[t->ndraws++] = (uint8_t)(SIM_USER_DRAW + kind);
}

void schedlab_burn(uint64_t iterations)
{
    struct sim_thread *t = sim_running_thread;
    t->work_ns += t->touch_ns + iterations * SCHEDLAB_BURN_INSTRUCTIONS_PER_ITERATION;
    if (t->work_ns) to_machine(t);
}

/* ---- spinning (schedlab_spin_while_equal) ---- */

static struct sim_thread *spinners;
static uint64_t next_event(const struct sim_hart *h);

bool schedlab_spin_while_equal(const uint32_t *word, uint32_t old, uint64_t checks,
                               uint64_t check_iterations)
{
    struct sim_thread *t = sim_running_thread;
    if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != old) return true;
    if (!checks) return false;
    t->spin_word = word;
    t->spin_old = old;
    t->spin_seen = false;
    t->spin_check_ns = check_iterations * SCHEDLAB_BURN_INSTRUCTIONS_PER_ITERATION;
    t->spin_budget_ns = checks * t->spin_check_ns;
    t->work_ns += t->spin_budget_ns;
    if ((t->spin_next = spinners)) spinners->spin_prev = &t->spin_next;
    t->spin_prev = &spinners;
    spinners = t;
    to_machine(t);
    if ((*t->spin_prev = t->spin_next)) t->spin_next->spin_prev = t->spin_prev;
    return __atomic_load_n(word, __ATOMIC_SEQ_CST) != old;
}

/* After user code ran on the current hart (it may have written a watched word): a spinner whose
 * word changed now stops at its next look, work-wise, as the kernel build's loop does. */
static void spinners_look(void)
{
    uint64_t now = clock_now();
    for (struct sim_thread *s = spinners; s; s = s->spin_next) {
        if (s->spin_seen || __atomic_load_n(s->spin_word, __ATOMIC_SEQ_CST) == s->spin_old)
            continue;
        s->spin_seen = true;
        struct sim_hart *h = &sim_harts[s->sched.hart];
        bool running = h->user == s;
        uint64_t progress = running && now > h->time ? now - h->time : 0;
        uint64_t consumed = s->spin_budget_ns - (s->work_ns - progress);
        uint64_t look = (consumed + s->spin_check_ns - 1) / s->spin_check_ns * s->spin_check_ns;
        s->work_ns = progress + (look - consumed);
        if (running) events_set(s->sched.hart, next_event(h));
    }
}

/* ---- blocking, waking, sleeping (kernel/thread.c, kernel/sleep.c) ---- */

void thread_block(struct sim_thread *t, enum sim_thread_state state, enum trace_block_reason why)
{
    /* as kernel/thread.c: a thread that was not runnable (a caller a receive takes from the
     * queue, now waiting for its reply) changes state only, with no BLOCK record */
    bool was_runnable = t->state == SIM_RUNNABLE;
    t->state = state;
    if (was_runnable) sched_block(&t->sched, why);
}

void thread_wake(struct sim_thread *t, struct sim_thread *waker, enum trace_wake_reason why)
{
    t->state = SIM_RUNNABLE;
    sched_wake(&t->sched, waker ? &waker->sched : NULL, why);
}

void sleep_until(struct sim_thread *t, uint64_t deadline)
{
    t->sleep_deadline = deadline;
    t->sleep_hart = t->sched.hart;
    struct sim_thread **p = &sim_harts[t->sleep_hart].sleepers;
    while (*p && (*p)->sleep_deadline <= deadline) p = &(*p)->sleep_next;
    t->sleep_next = *p;
    *p = t;
    thread_block(t, SIM_SLEEPING, TRACE_BLOCK_SLEEP);
}

static void sleep_wake_due(struct sim_hart *h, uint64_t now)
{
    while (h->sleepers && h->sleepers->sleep_deadline <= now) {
        struct sim_thread *t = h->sleepers;
        h->sleepers = t->sleep_next;
        t->sleep_next = NULL;
        thread_wake(t, NULL, TRACE_WAKE_TIMER);
    }
}

/* ---- kernel entry and exit ---- */

/* Take the big kernel lock (waiting for it if another hart holds it) and pay the trap. */
static void kernel_enter(struct sim_hart *h, uint64_t entry_ns, enum sim_path_start how,
                         enum sim_entry entry)
{
    h->time = max64(h->time, lock_free_at) + entry_ns;
    h->path_last = how;
    h->path_entry = entry;
    h->path_signal = false;
}

/* The one-shot timer for the next thing this hart must react to (kernel/entry.c set_timer). */
static void set_timer(struct sim_hart *h)
{
    uint64_t deadline =
        min64(sched_next_deadline(), h->sleepers ? h->sleepers->sleep_deadline : SIM_NEVER);
    if (deadline == h->timer_deadline) return;
    h->timer_deadline = deadline;
    trace_emit(TRACE_TIMER_SET, 0, 0, 0, 0, deadline);
}

static uint64_t interrupt_at(const struct sim_hart *h)
{
    return min64(h->timer_deadline, h->ipi_at);
}

/* When hart h next does something: its thread's work ends, or an interrupt arrives. */
static uint64_t next_event(const struct sim_hart *h)
{
    uint64_t irq = interrupt_at(h);
    if (h->user && h->time + h->user->work_ns <= irq) return h->time + h->user->work_ns;
    return irq == SIM_NEVER ? SIM_NEVER : max64(irq, h->time);
}

/* Settle what the hart runs, arm its timer, give the lock back and send the IPIs asked for. */
static void kernel_exit(struct sim_hart *h, uint64_t return_ns)
{
    struct sim_thread *prev = h->user, *next;
    if (h->switched_directly) {
        /* kernel_exit_switched: only the slice end changed, so the timer stays armed unless the
         * new end comes first; it may then fire early, find nothing due and arm exactly */
        h->switched_directly = false;
        next = sim_thread_of(sched_current());
        if (h->switched_slice_end < h->timer_deadline) set_timer(h);
    } else {
        struct sched_thread *chosen = sched_schedule(clock_now());
        if (nharts <= 8) sched_check_invariants();
        next = chosen ? sim_thread_of(chosen) : NULL;
        set_timer(h);
    }
    if (next) h->time += next != prev ? costs.switch_exit_ns : return_ns;
    h->user = next;
    lock_free_at = h->time;
    HARTMASK_FOR_EACH(i, &reschedule_pending)
    {
        sim_harts[i].ipi_at = min64(sim_harts[i].ipi_at, h->time + costs.ipi_latency_ns);
        if (i != sim_hart_now) events_set(i, next_event(&sim_harts[i]));
    }
    reschedule_pending = hartmask_none();
}

void user_charge(struct sim_hart *h, uint64_t ns)
{
    if (ns <= h->chain_charged) return;
    h->time += ns - h->chain_charged;
    h->chain_charged = ns;
}

static void kernel_syscall(struct sim_hart *h, struct sim_thread *t)
{
    /* the user instructions before the call that the simulator did not time (sim.h) */
    unsigned key = sim_user_key(t->sys, t->a0);
    if (h->path_last < SIM_PATH_SYSCALL || h->path_last == SIM_PATH_PREEMPT_BY_WAKEUP) {
        /* the first call since the hart's last record: a new chain */
        h->chain = user_chain_begin(h->chain_before, h->chain_before_entry);
        h->chain_charged = 0;
        h->chain_length = 0;
    }
    /* the draws since its last call, then the call */
    for (unsigned i = 0; i <= t->ndraws; i++) {
        unsigned step = i < t->ndraws ? t->draws[i] : key;
        h->chain = user_chain_step(h->chain, step);
        if (h->chain_length < sizeof h->chain_calls)
            h->chain_calls[h->chain_length] = (uint8_t)step;
        h->chain_length++;
    }
    t->ndraws = 0;
    user_charge(h, user_chain_by(h->chain));
    kernel_enter(h, costs.syscall_entry_ns, SIM_PATH_SYSCALL, key);
    t->in_syscall = false;
    syscall_handle(t);
    kernel_exit(h, costs.syscall_exit_ns);
}

/* The timer or an IPI interrupts the hart at h->time (user code or idle). */
static void kernel_interrupt(struct sim_hart *h, bool idle)
{
    uint64_t at = h->time;
    kernel_enter(h, idle ? costs.idle_wake_ns : costs.irq_entry_ns,
                 idle ? SIM_PATH_IDLE : SIM_PATH_IRQ, idle ? SIM_ENTRY_IDLE : SIM_ENTRY_IRQ);
    if (h->ipi_at <= at) h->ipi_at = SIM_NEVER;
    if (h->timer_deadline <= at) {
        h->timer_deadline = SIM_NEVER;
        uint64_t now = clock_now();
        sleep_wake_due(h, now);
        sched_timer(now);
    }
    kernel_exit(h, costs.irq_exit_ns);
}

void machine_start(void)
{
    for (unsigned i = 0; i < nharts; i++) {
        sim_hart_now = i;
        sim_harts[i].path_last = SIM_PATH_IDLE;
        sim_harts[i].path_entry = SIM_ENTRY_IDLE;
        kernel_exit(&sim_harts[i], 0);
    }
}

/* ---- the event loop ---- */

static void advance(struct sim_hart *h)
{
    uint64_t irq = interrupt_at(h);
    struct sim_thread *t = h->user;
    if (t && h->time + t->work_ns <= irq) {
        /* its CPU work is done (before an interrupt at the same instant): it runs on */
        h->time += t->work_ns;
        t->work_ns = 0;
        user_resume(t);
        if (spinners) spinners_look();
        if (t->in_syscall) kernel_syscall(h, t);
        return;
    }
    uint64_t at = max64(irq, h->time);
    if (t) t->work_ns -= at - h->time;
    h->time = at;
    kernel_interrupt(h, !t);
}

int machine_run(uint64_t limit_ns)
{
    for (unsigned i = 0; i < nharts; i++) events_set(i, next_event(&sim_harts[i]));
    while (!machine_finished) {
        uint64_t when;
        unsigned best = events_first(&when);
        if (when == SIM_NEVER) {
            fprintf(stderr, "sim: all threads are blocked and no timer is pending: deadlock\n");
            return -1;
        }
        if (limit_ns && when >= costs.boot_ns + limit_ns) {
            fprintf(stderr, "sim: run limit of %lu ms reached: the workload did not finish\n",
                    (unsigned long)(limit_ns / 1000000));
            return -1;
        }
        sim_hart_now = best;
        advance(&sim_harts[best]);
        events_set(best, next_event(&sim_harts[best]));
    }
    return machine_status ? -1 : 0;
}
