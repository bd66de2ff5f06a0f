/* The start of a trap from user mode, inlined where it is taken (arch_handle_trap, the fastpath):
 * the fastpath pays for no call. Kept apart from entry.h, which host tests include. */
#ifndef KERNEL_ENTER_H
#define KERNEL_ENTER_H

#include <kernel/hart.h>
#include <kernel/smp.h>

/* A trap from user mode arrived (its registers are saved): take the kernel lock (a kernel
 * started on one hart has none). */
static ALWAYS_INLINE void kernel_enter(void)
{
    if (many_harts()) kernel_lock_acquire();
}

bool kernel_trap_proceeds_after_stall(void);
/* After a trap from user mode took the kernel lock: may the trap of this hart's thread be
 * handled? Not if another hart suspended or restarted the thread while this one waited. Only a
 * stall can have changed it since the trap: the common case costs one flag. */
static ALWAYS_INLINE bool kernel_trap_proceeds(void)
{
    return !this_hart()->stalled || kernel_trap_proceeds_after_stall();
}

#endif
