#include <arch/bits.h>
#include <kernel/entry.h>
#include <kernel/fpu.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/trace.h>
#include <sched/core.h>

static volatile uint32_t lock_owner;   /* 0: free; otherwise 1 + the hart holding the lock */
static volatile uint64_t lock_waiters; /* bit per hart index: asleep waiting for the lock */
static uint64_t reschedule_pending;    /* harts to send a reschedule IPI at release */

static uint64_t bit(unsigned hart) { return 1ull << hart; }

static uint64_t hw_mask(uint64_t harts)
{
    uint64_t ids = 0;
    for (unsigned i = 0; i < nharts; i++)
        if (harts & bit(i)) ids |= 1ull << harts_state[i].hw_id;
    return ids;
}

static bool take_free_lock(uint32_t owner)
{
    uint32_t free = 0;
    return __atomic_compare_exchange_n(&lock_owner, &free, owner, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

/* Another hart waits (holding the lock) for this one to stop running user code: tell it. */
static void answer_stall(struct hart *h)
{
    unsigned requester = h->stall_requester;
    if (requester) arch_send_ipi(1ull << harts_state[requester - 1].hw_id);
}

/* Not in user mode any more, and safe from whatever the lock holder frees. */
static void leave_user_mode(struct hart *h)
{
    h->in_user = false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    answer_stall(h);
}

/* The lock was taken: sleep until it is handed to this hart or let go. */
static __attribute__((noinline)) void wait_for_lock(struct hart *h, uint32_t me)
{
    /* The holder may be freeing the address space this hart is in (its page tables also map the
     * kernel): wait in the kernel's own, and only then tell a stalling holder we are out. */
    arch_activate_kernel_vspace();
    h->vspace = NULL;
    hart_vspace_unknown(h);
    leave_user_mode(h);
    for (;;) {
        __atomic_fetch_or(&lock_waiters, bit(h->id), __ATOMIC_SEQ_CST);
        /* the doorbell is cleared before the lock is looked at again, so a release after the
         * look leaves it pending and the wfi below returns at once */
        arch_clear_ipi();
        if (__atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) == me || take_free_lock(me)) break;
        fpu_serve_release(h);
        answer_stall(h);
        arch_wait_for_ipi();
    }
    __atomic_fetch_and(&lock_waiters, ~bit(h->id), __ATOMIC_SEQ_CST);
}

/* A kernel started on one hart (nharts is 1 from boot on: harts are started only at boot) has
 * nobody to exclude, stall or wake: the lock, its atomics and fences are skipped. The same binary
 * serves every hart count, so this is a flag, not a build option; the boot hart's first acquire,
 * made before nharts is known, takes the lock for good, which nobody asks for again. */
static bool one_hart(void) { return nharts == 1; }

void kernel_lock_acquire(void)
{
    if (one_hart()) return;
    struct hart *h = this_hart();
    uint32_t me = h->id + 1;
    if (take_free_lock(me))
        h->in_user = false;
    else
        wait_for_lock(h, me);
}

/* The waiter after `hart` in round-robin order: each waiter gets its turn. */
static unsigned next_waiter(uint64_t waiters, unsigned hart)
{
    uint64_t after = waiters & ~(bit(hart + 1) - 1);
    return arch_lowest_bit(after ? after : waiters);
}

/* After the release: wake the harts asked to decide again, and hand the lock over. */
static __attribute__((noinline)) void kick_harts(uint64_t kick, uint64_t waiters)
{
    if (waiters) {
        /* hand the lock over rather than letting it go: a hart that re-enters the kernel at once
         * (a thread looping on system calls) would otherwise win every time, because under
         * QEMU's round-robin the sleeping waiter runs only once this hart stops */
        unsigned next = next_waiter(waiters, this_hart_id());
        take_free_lock(next + 1);
        kick |= bit(next);
    }
    if (kick) arch_send_ipi(hw_mask(kick));
}

void kernel_lock_release(void)
{
    if (one_hart()) return;
    uint64_t kick = reschedule_pending & ~bit(this_hart_id());
    reschedule_pending = 0;
    __atomic_store_n(&lock_owner, 0, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t waiters = __atomic_load_n(&lock_waiters, __ATOMIC_RELAXED);
    if (kick | waiters) kick_harts(kick, waiters);
}

bool smp_lock_contended(void) { return __atomic_load_n(&lock_waiters, __ATOMIC_RELAXED) != 0; }

void smp_request_reschedule(unsigned hart)
{
    if (hart == this_hart_id()) return;
    if (!(reschedule_pending & bit(hart)))
        trace_emit(TRACE_IPI, TRACE_IPI_RESCHEDULE, hart, 0, 0, 0);
    reschedule_pending |= bit(hart);
}

void smp_idle_release(void)
{
    struct hart *h = this_hart();
    /* an idle hart keeps no user address space: it may be freed while the hart sleeps */
    arch_activate_kernel_vspace();
    h->vspace = NULL;
    hart_vspace_unknown(h);
    kernel_lock_release();
}

/* Wait (holding the lock) until `h` is out of user mode; it then waits for the lock. */
static void stall_hart(struct hart *h, enum trace_ipi_kind why)
{
    struct hart *me = this_hart();
    h->stall_requester = me->id + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (h->in_user) {
        trace_emit(TRACE_IPI, why, h->id, 0, 0, 0);
        arch_send_ipi(1ull << h->hw_id);
        for (;;) {
            arch_clear_ipi();
            if (!h->in_user) break;
            arch_wait_for_ipi();
        }
    }
    h->stall_requester = 0;
    /* it finds the lock taken, checks its trap (kernel_trap_proceeds) and decides again when it
     * gets it */
    h->stalled = true;
    reschedule_pending |= bit(h->id);
}

void smp_stall_thread(struct sched_thread *t)
{
    for (unsigned i = 0; i < nharts; i++)
        if (i != this_hart_id() && sched_running_on(i) == t)
            stall_hart(&harts_state[i], TRACE_IPI_STALL);
}

void smp_address_spaces_changed(arch_pte_t *removed_from)
{
    /* a hart in user mode in that address space may hold a translation that is gone: bring it
     * into the kernel. (SBI's remote fence is not used: OpenSBI spin-waits for the other harts in
     * M-mode, which under QEMU's icount starves the very harts it waits for.) */
    uint64_t stall = 0;
    for (unsigned i = 0; removed_from && i < nharts; i++) {
        struct hart *h = &harts_state[i];
        bool affected = removed_from == SMP_ANY_ADDRESS_SPACE || h->vspace == removed_from;
        if (i != this_hart_id() && h->in_user && affected) stall |= bit(i);
    }
    /* every hart reloads its address space (and flushes its TLB) when it next leaves the kernel;
     * this one has flushed its TLB here, which is all a mapping only added (nothing removed,
     * every root as it was) needs of the address space it is in (seL4's map: a fence) */
    arch_flush_tlb();
    for (unsigned i = 0; i < nharts; i++) {
        if (!removed_from && i == this_hart_id()) continue;
        harts_state[i].vspace_stale = true;
        hart_vspace_unknown(&harts_state[i]);
    }
    for (unsigned i = 0; i < nharts; i++)
        if (stall & bit(i)) stall_hart(&harts_state[i], TRACE_IPI_SHOOTDOWN);
}

/* A secondary hart's first C code: runs on its own stack, with the boot page table. */
_Noreturn void secondary_kernel(unsigned index, uint64_t hw_id);
_Noreturn void secondary_kernel(unsigned index, uint64_t hw_id)
{
    struct hart *h = &harts_state[index];
    arch_set_hart_local(h);
    arch_activate_kernel_vspace();
    arch_init_hart();
    kernel_lock_acquire();
    (void)hw_id;
    printk("hart %u (hart id %lu) online\n", index, (unsigned long)hw_id);
    kernel_exit();
}

void smp_start_secondaries(const uint64_t *hw_ids, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        if (!arch_start_hart(hw_ids[i], i))
            panic("smp: SBI HSM could not start hart %lu", (unsigned long)hw_ids[i]);
    }
}
