#include <kernel/entry.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/trace.h>
#include <sched/core.h>

static volatile uint32_t lock_word;    /* 1: some hart is in the kernel */
static volatile uint64_t lock_waiters; /* bit per hart index: asleep waiting for the lock */
static uint64_t reschedule_pending;    /* harts to send a reschedule IPI at release */
static volatile uint64_t online;       /* bit per hart index: started and in the kernel loop */

static uint64_t bit(unsigned hart) { return 1ull << hart; }

static uint64_t hw_mask(uint64_t harts)
{
    uint64_t ids = 0;
    for (unsigned i = 0; i < nharts; i++)
        if (harts & bit(i)) ids |= 1ull << harts_state[i].hw_id;
    return ids;
}

static bool try_lock(void) { return __atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE) == 0; }

/* Another hart waits (holding the lock) for this one to stop running user code: tell it. */
static void answer_stall(struct hart *h)
{
    unsigned requester = h->stall_requester;
    if (requester) arch_send_ipi(1ull << harts_state[requester - 1].hw_id);
}

void kernel_lock_acquire(void)
{
    struct hart *h = this_hart();
    if (try_lock()) return;
    for (;;) {
        __atomic_fetch_or(&lock_waiters, bit(h->id), __ATOMIC_SEQ_CST);
        /* the doorbell is cleared before the lock is tried again, so a release after the try
         * leaves it pending and the wfi below returns at once */
        arch_clear_ipi();
        if (try_lock()) break;
        answer_stall(h);
        arch_wait_for_ipi();
    }
    __atomic_fetch_and(&lock_waiters, ~bit(h->id), __ATOMIC_SEQ_CST);
}

void kernel_lock_release(void)
{
    uint64_t kick = reschedule_pending & ~bit(this_hart_id());
    reschedule_pending = 0;
    __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t waiters = __atomic_load_n(&lock_waiters, __ATOMIC_SEQ_CST);
    /* one waiter is enough: it clears its bit once it holds the lock, and its own release
     * wakes the next */
    if (waiters) kick |= waiters & -waiters;
    if (kick) arch_send_ipi(hw_mask(kick));
}

void smp_request_reschedule(unsigned hart)
{
    if (hart == this_hart_id()) return;
    if (!(reschedule_pending & bit(hart)))
        trace_emit(TRACE_IPI, TRACE_IPI_RESCHEDULE, hart, 0, 0, 0);
    reschedule_pending |= bit(hart);
}

void smp_kernel_entered(void)
{
    struct hart *h = this_hart();
    h->in_user = false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    answer_stall(h);
}

void smp_leave_to_user(void)
{
    this_hart()->in_user = true;
    kernel_lock_release();
}

void smp_stall_thread(struct sched_thread *t)
{
    struct hart *me = this_hart();
    for (unsigned i = 0; i < nharts; i++) {
        struct hart *h = &harts_state[i];
        if (h == me || sched_running_on(i) != t) continue;
        h->stall_requester = me->id + 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (h->in_user) {
            trace_emit(TRACE_IPI, TRACE_IPI_STALL, i, 0, 0, 0);
            arch_send_ipi(1ull << h->hw_id);
            for (;;) {
                arch_clear_ipi();
                if (!h->in_user) break;
                arch_wait_for_ipi();
            }
        }
        h->stall_requester = 0;
        /* it will find the lock taken, and decide again when it gets it */
        reschedule_pending |= bit(i);
    }
}

void smp_flush_tlb_everywhere(void)
{
    arch_flush_tlb();
    arch_flush_tlb_remote(hw_mask(online & ~bit(this_hart_id())));
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
    __atomic_fetch_or(&online, bit(index), __ATOMIC_SEQ_CST);
    kernel_exit();
}

void smp_start_secondaries(const uint64_t *hw_ids, unsigned n)
{
    online = bit(0);
    for (unsigned i = 1; i < n; i++) {
        if (!arch_start_hart(hw_ids[i], i))
            panic("smp: SBI HSM could not start hart %lu", (unsigned long)hw_ids[i]);
    }
}
