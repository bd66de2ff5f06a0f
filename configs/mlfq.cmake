# mlfq: multilevel feedback queue inside each seL4 priority: growing quanta, demotion by CPU time used at a level, periodic boost
set(SCHED_POLICY mlfq CACHE STRING "policy source: kernel/sched/<policy>.c")
set(SCHED_TIMESLICE_US 2000 CACHE STRING "allotment of the top level in microseconds [100..1000000]; level L gets this << L")
set(SCHED_MLFQ_LEVELS 3 CACHE STRING "feedback levels per seL4 priority [1..8]")
set(SCHED_MLFQ_BOOST_US 100000 CACHE STRING "CPU time between boosts back to the top level, microseconds [1000..10000000]")
schedlab_check_range(SCHED_TIMESLICE_US 100 1000000)
schedlab_check_range(SCHED_MLFQ_LEVELS 1 8)
schedlab_check_range(SCHED_MLFQ_BOOST_US 1000 10000000)
