# rr: seL4's round robin: 256 strict priorities, FIFO within a priority, fixed timeslice
set(SCHED_POLICY rr CACHE STRING "policy source: kernel/sched/<policy>.c")
set(SCHED_TIMESLICE_US 10000 CACHE STRING "timeslice in microseconds [100..1000000] (seL4: 5 ticks of 2 ms)")
schedlab_check_range(SCHED_TIMESLICE_US 100 1000000)
