# Compiler flags shared by every RISC-V program. The kernel (and the test elfloader) are built
# without floating point: no kernel code may touch the FP registers, which hold user state across
# kernel entries (kernel/fpu.c saves them only when their owner changes). User programs (lib/ and
# everything linking it) use the hard-float ABI: the kernel gives each thread the FPU lazily.
# SCHEDLAB_OPTIMIZATION: -O2, or -O0 for `./schedlab debug --debug-build` (its own build
# directory, build/<sched>-debug), where gdb shows every variable and steps line by line.
set(SCHEDLAB_OPTIMIZATION -O2 CACHE STRING "optimisation flag of kernel and user code")
set(SCHEDLAB_COMMON_CFLAGS -mcmodel=medany -std=gnu11 ${SCHEDLAB_OPTIMIZATION} -g
    -ffreestanding -fno-builtin
    -fno-stack-protector -fno-pic -fno-tree-loop-distribute-patterns -fno-common
    -Wall -Wextra -Werror)
set(SCHEDLAB_TARGET_CFLAGS -march=rv64imac_zicsr_zifencei -mabi=lp64 ${SCHEDLAB_COMMON_CFLAGS})
# linking names the plain ISA so that gcc picks the rv64imac/lp64 multilib of libgcc
set(SCHEDLAB_TARGET_LDFLAGS -march=rv64imac -mabi=lp64 -mcmodel=medany -nostdlib -static
    -Wl,--build-id=none)
# user code: RV64GC with the lp64d ABI (double arguments in FP registers); libgcc's default
# multilib is rv64imafdc/lp64d
set(SCHEDLAB_USER_CFLAGS -march=rv64imafdc_zicsr_zifencei -mabi=lp64d ${SCHEDLAB_COMMON_CFLAGS})
set(SCHEDLAB_USER_LDFLAGS -march=rv64imafdc -mabi=lp64d -mcmodel=medany -nostdlib -static
    -Wl,--build-id=none)
