/*
 * SchedLab extensions to the seL4 ABI: system calls seL4 does not use (seL4 16.0.0 numbers run
 * from -1 to -30, so ours start at -64). Everything here is marked as ours, in one place.
 */
#ifndef SCHEDLAB_EXTENSIONS_H
#define SCHEDLAB_EXTENSIONS_H

/* a0 = marker id (enum trace_marker_id or workload-defined, < 2^16), a1 = value. */
#define SchedLab_SysTraceMarker (-64)
/* a0 = absolute deadline in ns of emulated time: block until then (returns at once if past). */
#define SchedLab_SysSleepUntil (-65)
/* a0 = status: flush the trace and stop the machine; the status becomes QEMU's exit code. */
#define SchedLab_SysHalt (-66)
/* -> a0 = current time in ns of the kernel's trace clock (same clock as trace timestamps). */
#define SchedLab_SysClockNow (-67)
/* a0 = TCB capability, a1 = affinity mask (bit per hart, at least one existing hart): the
 * thread may run on exactly those harts (seL4's TCB_SetAffinity names one). -> a0 = seL4 error. */
#define SchedLab_SysSetAffinityMask (-68)
/* a0 = bytes of working set of the calling thread, for the cache-warmth model (DESIGN §4.3). */
#define SchedLab_SysSetWorkingSet (-69)
/* -> a0 = the hart (0-based kernel index) the calling thread is running on. */
#define SchedLab_SysHartId (-70)

#endif
