/*
 * The kernel's hottest code as one translation unit: the IPC fastpath, the kernel exit, the
 * scheduler core and the configured policy (kernel/CMakeLists.txt compiles them through this file
 * only). In one unit the compiler inlines the policy's hooks and the core's steps into the
 * fastpath, which then calls nothing that returns and keeps its values in scratch registers
 * (seL4 builds its whole kernel as one unit for the same reason). Each part stays a file of its
 * own, and the simulator and the host tests compile core.c and the policy on their own.
 */
#include "entry.c"
#include "fastpath.c"
#include "sched/core.c"
#include SCHED_POLICY_SOURCE
