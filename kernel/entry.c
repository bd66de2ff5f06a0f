/* Interrupts, user faults, leaving the kernel, idling and halting. */
#include <arch/arch.h>
#include <kernel/debug.h>
#include <kernel/enter.h>
#include <kernel/entry.h>
#include <kernel/fault.h>
#include <kernel/hart.h>
#include <kernel/invariants.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/sleep.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trace.h>
#include <kernel/vspace.h>

/* The run limit (boot argument limit_ms, 0 = none): a workload still running then has hung or
 * livelocked; stop it with a dump of every hart and thread, so a broken policy can be debugged. */
static uint64_t run_limit_ns;

void kernel_set_run_limit(uint64_t ns) { run_limit_ns = ns; }

static void check_run_limit(uint64_t now)
{
    if (!run_limit_ns || now < run_limit_ns) return;
    printk("\nrun limit of %lu ms reached: the workload did not finish\n",
           (unsigned long)(run_limit_ns / 1000000));
    debug_dump_threads();
    kernel_halt(KERNEL_HALT_RUN_LIMIT);
}

void kernel_handle_interrupts(void)
{
    unsigned pending = arch_pending_interrupts();
    /* another hart's requests are in memory (the scheduler's decide flags): the IPI only woke us */
    if (pending & ARCH_PENDING_IPI) arch_clear_ipi();
    if (pending & ARCH_PENDING_TIMER) {
        uint64_t now = clock_now();
        arch_ack_timer();
        this_hart()->timer_deadline = UINT64_MAX;
        check_run_limit(now);
        sleep_wake_due(this_hart_id(), now);
        sched_timer(now);
    }
    if (pending & ARCH_PENDING_EXTERNAL) irq_handle_pending();
}

/* Preemption points looked at once in this many: a unit of work is small (a slot, 4 KiB). */
#define PREEMPTION_CHECK_EVERY 16

bool kernel_preemption_due(void)
{
    struct hart *h = this_hart();
    if (++h->work_since_check < PREEMPTION_CHECK_EVERY) return false;
    h->work_since_check = 0;
    return arch_pending_interrupts() || smp_lock_contended();
}

bool kernel_trap_proceeds_after_stall(void)
{
    /* another hart suspended, deleted or rewrote this hart's thread, or did not */
    struct hart *h = this_hart();
    h->stalled = false;
    struct tcb *t = current_thread();
    return t && t->state == THREAD_RUNNING;
}

void kernel_handle_vm_fault(uint64_t addr, bool instruction, uint64_t fsr)
{
    struct tcb *t = current_thread();
    struct fault f = {.type = seL4_Fault_VMFault, .words = {addr, instruction, fsr}};
    handle_fault(t, &f);
}

void kernel_handle_user_exception(uint64_t number)
{
    struct tcb *t = current_thread();
    struct fault f = {.type = seL4_Fault_UserException, .words = {number, 0}};
    handle_fault(t, &f);
}

static uint64_t earlier(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* The next thing this hart's threads wait for (the scheduler's next decision, a sleeper). */
static uint64_t next_thread_deadline(struct hart *h)
{
    return earlier(sched_next_deadline(), sleep_next_deadline(h->id));
}

/* Program the one-shot timer for the next thing this hart must react to: each deadline computed
 * once, the timer written only when it changes. (After a direct switch it may be armed earlier
 * than that: kernel_exit_switched.) */
static void set_timer(struct hart *h)
{
    uint64_t deadline = next_thread_deadline(h);
    if (h->id == 0 && run_limit_ns) deadline = earlier(deadline, run_limit_ns);
    if (deadline == h->timer_deadline) return;
    h->timer_deadline = deadline;
    /* recorded first, so that arch_set_timer is a tail call: this function saves nothing */
    trace_emit(TRACE_TIMER_SET, 0, 0, 0, 0, deadline);
    arch_set_timer(deadline);
}

/* The deadlock stop (boot argument deadlock=halt): SchedLab's own runs ask for it, since a
 * workload whose threads all block for ever has a bug worth a dump. Without it the kernel idles
 * as seL4 does: an interrupt may still come (a device, or a seL4 program's own timer driver). */
static bool halt_on_deadlock;

void kernel_set_deadlock_halt(bool on) { halt_on_deadlock = on; }

/* Harts idle with nothing to wake a thread (no thread's timer: the run limit is not one): when
 * every hart is, and none has a decision pending, no thread can ever run again. */
static uint64_t idle_without_timer;

static void idle_until_interrupt(struct hart *h)
{
    uint64_t me = 1ull << h->id;
    bool no_timer = next_thread_deadline(h) == UINT64_MAX;
    if (no_timer) idle_without_timer |= me;
    if (halt_on_deadlock && idle_without_timer == (1ull << nharts) - 1 &&
        !sched_decisions_pending()) {
        printk("\nall threads are blocked and no timer is pending: deadlock\n");
        debug_dump_threads();
        kernel_halt(KERNEL_HALT_DEADLOCK);
    }
    smp_idle_release();
    arch_wait_for_interrupt();
    kernel_lock_acquire();
    idle_without_timer &= ~me;
    kernel_handle_interrupts();
}

static __attribute__((noinline)) void switch_vspace(struct hart *h, struct tcb *t)
{
    struct cap c = t->slots[TCB_VTABLE].cap;
    unsigned asid = 0;
    arch_pte_t *vspace = vspace_of_thread(t, &asid);
    if (vspace != h->vspace || !vspace || h->vspace_stale) {
        /* a thread without a live VSpace runs in the kernel's: every access faults */
        if (vspace)
            arch_activate_vspace(vspace, asid);
        else
            arch_activate_kernel_vspace();
        h->vspace = vspace;
        h->vspace_stale = false;
    }
    h->vspace_cap[0] = c.w0;
    h->vspace_cap[1] = c.w1;
    if (!vspace) hart_vspace_unknown(h);
}

/* Load t's address space on this hart unless it is loaded already. */
static ALWAYS_INLINE void enter_vspace_of(struct hart *h, struct tcb *t)
{
    if (!vspace_loaded_for(h, t)) switch_vspace(h, t);
}

/* Back to user mode in t, this hart's running thread. */
/* inlined into both exits: the common one pays for no call */
static inline __attribute__((always_inline)) _Noreturn void return_to(struct hart *h, struct tcb *t)
{
    invariants_check_all();
    thread_activate(t);
    enter_vspace_of(h, t);
    arch_prepare_return(&t->ctx, h, h->kernel_sp);
    smp_leave_to_user();
    arch_restore_user(&t->ctx);
}

/* No thread to run here: idle until one is, then return to it. Apart from kernel_exit, so that the
 * exit to a thread saves none of the registers the idle loop needs. */
static __attribute__((noinline)) _Noreturn void exit_idle(struct hart *h)
{
    for (;;) {
        invariants_check_all();
        set_timer(h);
        /* the timer stays armed for the next sleeper */
        idle_until_interrupt(h);
        struct sched_thread *next = sched_schedule(clock_now());
        if (next) {
            set_timer(h);
            return_to(h, tcb_of_sched(next));
        }
    }
}

/* noinline: the fastpath, flattened in the same unit, calls it only on a rare path */
__attribute__((noinline)) _Noreturn void kernel_exit(void)
{
    struct hart *h = this_hart();
    struct sched_thread *next = sched_schedule(clock_now());
    if (!next) exit_idle(h);
    set_timer(h);
    return_to(h, tcb_of_sched(next));
}

/* noinline: the fastpath's own exit (exit_switched) covers the common case and calls this for the
 * rest */
__attribute__((noipa)) void kernel_exit_switched(struct tcb *t, uint64_t slice_end)
{
    struct hart *h = this_hart();
    /* Only the slice end changed since the timer was armed for the earliest deadline, and a direct
     * switch moves it at every Call and ReplyRecv. The timer may fire early: the interrupt finds
     * nothing due (every timed thing checks its own time), marks the timer off, and that exit arms
     * it exactly. So it is rewritten here only for a slice end before the armed time; at most one
     * early interrupt follows per armed time, and any slow-path exit arms it exactly again. */
    if (slice_end < h->timer_deadline) set_timer(h);
    /* the fastpath's one-hart exit leaves t's return as it was prepared (exit_switched) */
    INVARIANT(many_harts() || arch_prepared_for(&t->ctx, h, h->kernel_sp),
              "tid %u, switched to directly, was never returned to on the only hart", t->tid);
    return_to(h, t);
}

_Noreturn void kernel_halt(int status)
{
    trace_finish();
    uint64_t dropped = trace_dropped();
    printk("schedlab: halt, status %d, trace records dropped: %lu\n", status,
           (unsigned long)dropped);
    arch_halt(status);
}

_Noreturn void kernel_panic_trap(uint64_t cause, uint64_t pc, uint64_t tval)
{
    panic("trap in the kernel: cause 0x%lx pc 0x%lx tval 0x%lx", (unsigned long)cause,
          (unsigned long)pc, (unsigned long)tval);
}
