/* How the architecture enters the kernel: one call per trap, then kernel_exit(). */
#ifndef KERNEL_ENTRY_H
#define KERNEL_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

/* System call `number` of this hart's thread, its return address past the call already. */
void kernel_handle_syscall(int64_t number);
void kernel_handle_interrupts(void);
void kernel_handle_vm_fault(uint64_t addr, bool instruction, uint64_t fsr);
void kernel_handle_user_exception(uint64_t number);
/* A preemption point of a long operation (Delete, Revoke, untyped reset): should it stop now and
 * restart its system call? Every so many calls it looks whether an interrupt is pending on this
 * hart or another hart waits for the kernel lock, so no kernel entry runs long. */
bool kernel_preemption_due(void);
struct tcb;
/* Decide what this hart runs next and return to user mode (or idle until there is work). */
_Noreturn void kernel_exit(void);
/* The fastpath's exit: return to user mode in t, which this hart switched to directly (no
 * decision is due) with its slice ending at `slice_end`; nothing else the timer depends on
 * changed since the last exit. */
/* (It never returns; declared as returning so that the fastpath jumps to it: gcc never makes a
 * tail call of a _Noreturn function.) */
void kernel_exit_switched(struct tcb *t, uint64_t slice_end);
_Noreturn void kernel_panic_trap(uint64_t cause, uint64_t pc, uint64_t tval);
/* Exit statuses of the kernel's own halts (a workload's are its own, below these). */
#define KERNEL_HALT_RUN_LIMIT 96
#define KERNEL_HALT_DEADLOCK  98
/* Stop the machine at `ns` of emulated time with a dump of harts and threads (0: never). */
void kernel_set_run_limit(uint64_t ns);
/* Halt (KERNEL_HALT_DEADLOCK, with a dump) once every hart idles with no thread's timer armed and
 * no decision pending (boot argument deadlock=halt); otherwise idle then, as seL4 does. */
void kernel_set_deadlock_halt(bool on);
/* Stop the machine: flush the trace, report, exit with `status`. */
_Noreturn void kernel_halt(int status);

#endif
