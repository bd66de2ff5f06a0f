/*
 * SMP (DESIGN §3.4): one big kernel lock, inter-hart requests, and starting the other harts.
 *
 * Every kernel entry takes the lock and every exit to user mode or to idle gives it back, so all
 * kernel state (objects, capabilities, the scheduler's queues of every hart) is changed by one
 * hart at a time. No wait in the kernel spins: a hart that finds the lock taken sleeps in wfi
 * until the holder's release sends it an IPI (under QEMU's icount, a spinning hart would burn the
 * virtual time of the hart it waits for).
 *
 * Invariant: a hart that neither holds the lock nor runs user code is in the kernel's own
 * address space, so the holder may free any user page table once it has brought the harts in
 * user mode into the kernel (smp_stall_thread, smp_address_spaces_changed).
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <kernel/hart.h>
#include <sched/sched.h>

void kernel_lock_acquire(void);
/* Give the lock back, first sending the IPIs the critical section asked for. */
void kernel_lock_release(void);

/* Does another hart wait for the lock (so a long operation should let it have it)? */
bool smp_lock_contended(void);
/* Ask `hart` to make a new scheduling decision (the IPI goes out at the lock's release). */
void smp_request_reschedule(unsigned hart);
/* If t runs in user mode on another hart, stop it there until this hart releases the lock: its
 * registers are then in its TCB and it does not run while the caller changes it (seL4's
 * remoteTCBStall). */
void smp_stall_thread(struct sched_thread *t);

/* This hart returns to user mode now (inlined: on every exit). One hart has no lock to give and
 * nobody to read its in_user (only the other harts' stalls do): it does nothing. */
static ALWAYS_INLINE void smp_leave_to_user(void)
{
    if (!many_harts()) return;
    this_hart()->in_user = true;
    kernel_lock_release();
}
/* This hart goes idle: it leaves the user address space it was in and gives the lock back. */
void smp_idle_release(void);

/* Start every other hart listed in hw_ids[1..n-1] (index 0 is the boot hart). */
void smp_start_secondaries(const uint64_t *hw_ids, unsigned n);

/* Page tables changed: every hart reloads its address space before it runs user code again (this
 * one flushes its TLB at once, and after an addition only that). If
 * mappings were removed from `removed_from` (a VSpace root; SMP_ANY_ADDRESS_SPACE: maybe any),
 * the harts running user code in it are first brought into the kernel (TLB shootdown); NULL:
 * nothing was removed (only added). */
#define SMP_ANY_ADDRESS_SPACE ((arch_pte_t *)1)
void smp_address_spaces_changed(arch_pte_t *removed_from);

#endif
