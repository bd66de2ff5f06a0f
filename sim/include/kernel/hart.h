/*
 * The simulator's stand-in for the kernel's kernel/hart.h, for kernel/sched/core.c compiled
 * unchanged on the host: which hart the simulated kernel is on, and its clock. The simulator
 * (sim/src/machine.c) sets the current hart before it enters the core, and each hart has its own
 * clock (the harts advance in parallel in simulated time).
 */
#ifndef SIM_KERNEL_HART_H
#define SIM_KERNEL_HART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern unsigned nharts;
unsigned this_hart_id(void);
/* The scheduler core's state of the current hart (the kernel keeps a pointer in its struct hart;
 * kernel/sched/core.h declares sched_harts). */
#define this_sched_hart() (&sched_harts[this_hart_id()])
uint64_t clock_now(void);

/* core.c's switch-cost calibration copies a register context and switches address space; in
 * the simulator each round costs the measured switch cost of the cost table. */
struct arch_context {
    uint64_t regs[32];
};
void arch_activate_kernel_vspace(void);

/* The cache model's refill busy-waits on the clock in the kernel; here it advances the hart's
 * clock (core.c uses this instead of its spin loop when it is defined). */
void sim_clock_wait_until(uint64_t until);
#define clock_wait_until sim_clock_wait_until

#endif
