# Compiler flags shared by every RISC-V program: the kernel and user code are freestanding rv64
# without floating point (user FP would need the kernel to save FP state; see DESIGN §8).
set(SCHEDLAB_TARGET_ARCH -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany)
set(SCHEDLAB_TARGET_CFLAGS ${SCHEDLAB_TARGET_ARCH} -std=gnu11 -O2 -g -ffreestanding -fno-builtin
    -fno-stack-protector -fno-pic -fno-tree-loop-distribute-patterns -fno-common
    -Wall -Wextra -Werror)
# linking names the plain ISA so that gcc picks the rv64imac/lp64 multilib of libgcc
set(SCHEDLAB_TARGET_LDFLAGS -march=rv64imac -mabi=lp64 -mcmodel=medany -nostdlib -static
    -Wl,--build-id=none)
