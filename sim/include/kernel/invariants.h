/* The simulator's stand-in for kernel/invariants.h: the core's invariants are always checked
 * (they are cheap on the host), and a broken one stops the simulation with what broke. */
#ifndef SIM_KERNEL_INVARIANTS_H
#define SIM_KERNEL_INVARIANTS_H

_Noreturn void sim_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define INVARIANT(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) sim_panic("invariant broken: " __VA_ARGS__);                                  \
    } while (0)

#endif
