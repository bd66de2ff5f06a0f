# Compiler flags shared by every RISC-V program. The kernel (and the test elfloader) are built
# without floating point: no kernel code may touch the FP registers, which hold user state across
# kernel entries (kernel/fpu.c saves them only when their owner changes). User programs (lib/ and
# everything linking it) use the hard-float ABI: the kernel gives each thread the FPU lazily.
# SCHEDLAB_OPTIMIZATION: -O2, or -O0 for `./schedlab debug --debug-build` (its own build
# directory, build/<sched>-debug), where gdb shows every variable and steps line by line.
set(SCHEDLAB_OPTIMIZATION -O2 CACHE STRING "optimisation flag of kernel and user code")
# No path of this checkout in any ELF: the debug info names sources relative to the repository
# (`./schedlab debug` points gdb there) and the build directory as build/. A path's length
# changed the workload ELF's size, so where QEMU's loader put it and how long boot took: the same
# commit gave other traces in another checkout (affinity interactive's wakeup p99 moved by 10%).
# (the last map that matches wins, so the build directory, inside the repository, comes last;
# gcc hands only -fdebug-prefix-map on to the assembler, for the .S files)
set(SCHEDLAB_PATH_MAPS -ffile-prefix-map=${CMAKE_SOURCE_DIR}=.
    -ffile-prefix-map=${CMAKE_BINARY_DIR}=build -fdebug-prefix-map=${CMAKE_SOURCE_DIR}=.
    -fdebug-prefix-map=${CMAKE_BINARY_DIR}=build)
set(SCHEDLAB_COMMON_CFLAGS -mcmodel=medany -std=gnu11 ${SCHEDLAB_OPTIMIZATION} -g
    ${SCHEDLAB_PATH_MAPS}
    -ffreestanding -fno-builtin
    -fno-stack-protector -fno-pic -fno-tree-loop-distribute-patterns -fno-common
    -Wall -Wextra -Werror)
set(SCHEDLAB_TARGET_CFLAGS -march=rv64imac_zicsr_zifencei -mabi=lp64 ${SCHEDLAB_COMMON_CFLAGS})
# the kernel itself also uses Zba (address arithmetic), Zbb (bit counts, min/max, byte swaps) and
# Zbs (single-bit tests and sets: a capability's rights, its type bits);
# arch/riscv64/head.S stops a hart without them before any compiled code runs
set(SCHEDLAB_KERNEL_BITMANIP _zba_zbb_zbs)
set(SCHEDLAB_KERNEL_CFLAGS -march=rv64imac_zicsr_zifencei${SCHEDLAB_KERNEL_BITMANIP} -mabi=lp64
    ${SCHEDLAB_COMMON_CFLAGS})
# linking names the plain ISA so that gcc picks the rv64imac/lp64 multilib of libgcc
set(SCHEDLAB_TARGET_LDFLAGS -march=rv64imac -mabi=lp64 -mcmodel=medany -nostdlib -static
    -Wl,--build-id=none)
# user code: RV64GC with the lp64d ABI (double arguments in FP registers); libgcc's default
# multilib is rv64imafdc/lp64d
set(SCHEDLAB_USER_CFLAGS -march=rv64imafdc_zicsr_zifencei -mabi=lp64d ${SCHEDLAB_COMMON_CFLAGS})
set(SCHEDLAB_USER_LDFLAGS -march=rv64imafdc -mabi=lp64d -mcmodel=medany -nostdlib -static
    -Wl,--build-id=none)
