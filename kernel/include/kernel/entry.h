/* How the architecture enters the kernel: one call per trap, then kernel_exit(). */
#ifndef KERNEL_ENTRY_H
#define KERNEL_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

/* A trap from user mode arrived (its registers are saved): take the kernel lock. */
void kernel_enter(void);
/* After a trap from user mode took the kernel lock: may the trap of this hart's thread be
 * handled? Not if another hart suspended or restarted the thread while this one waited. */
bool kernel_trap_proceeds(void);
void kernel_handle_syscall(int64_t number);
void kernel_handle_interrupts(void);
void kernel_handle_vm_fault(uint64_t addr, bool instruction, uint64_t fsr);
void kernel_handle_user_exception(uint64_t number);
/* A preemption point of a long operation (Delete, Revoke, untyped reset): should it stop now and
 * restart its system call? Every so many calls it looks whether an interrupt is pending on this
 * hart or another hart waits for the kernel lock, so no kernel entry runs long. */
bool kernel_preemption_due(void);
struct tcb;
/* Does t have a live VSpace to run in (else the exit runs it in the kernel's, where it faults)? */
bool kernel_vspace_valid(struct tcb *t);
/* Decide what this hart runs next and return to user mode (or idle until there is work). */
_Noreturn void kernel_exit(void);
/* Return to user mode in t, which runs on this hart already (no decision is due: the fastpath). */
_Noreturn void kernel_exit_to(struct tcb *t);
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
