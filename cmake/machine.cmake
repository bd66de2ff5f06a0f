# The modelled machine: properties applied equally under every scheduling policy. Each is a
# CMake cache variable with a documented default and range; `./schedlab build|run|compare
# --set cache_model=ON` overrides one for any scheduler (./schedlab list shows them).
#
# The cache-warmth model (kernel/sched/cache_model.h, DESIGN §4.3): QEMU models no caches, so a
# thread switched in where its working set is cold pays this modelled refill cost instead.
set(SCHEDLAB_CACHE_MODEL OFF CACHE BOOL "model per-hart caches: a thread switched in where its working set is cold pays a refill cost (ON/OFF)")
set(SCHEDLAB_CACHE_BYTES 1048576 CACHE STRING "model cache per hart, bytes [4096..268435456]")
set(SCHEDLAB_CACHE_LINE_BYTES 64 CACHE STRING "model cache line, bytes [8..4096]")
set(SCHEDLAB_CACHE_MISS_NS 100 CACHE STRING "cost of refilling one line, ns [1..100000]")
schedlab_check_range(SCHEDLAB_CACHE_BYTES 4096 268435456)
schedlab_check_range(SCHEDLAB_CACHE_LINE_BYTES 8 4096)
schedlab_check_range(SCHEDLAB_CACHE_MISS_NS 1 100000)

# Not a property of the modelled machine but of the kernel, applied under every policy the same
# way: check the kernel's invariants (DESIGN §3.4, §3.2) at every kernel exit and after every
# change to capabilities or objects, panicking with the broken invariant. Slow: for the fuzzer and
# the test suite, not for measurements.
set(SCHEDLAB_CHECK_INVARIANTS OFF CACHE BOOL "check the kernel's invariants at every exit, panic when one breaks (ON/OFF; slow: for testing)")
