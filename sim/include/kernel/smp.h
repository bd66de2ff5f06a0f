/* The simulator's stand-in for kernel/smp.h: a reschedule request to another hart becomes a
 * simulated IPI, delivered after the cost table's IPI latency once this hart's kernel entry
 * ends (the kernel sends it at the lock's release). */
#ifndef SIM_KERNEL_SMP_H
#define SIM_KERNEL_SMP_H

#include <kernel/hart.h>
#include <sched/sched.h>

void smp_request_reschedule(unsigned hart);

#endif
