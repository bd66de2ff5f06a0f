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

#endif
