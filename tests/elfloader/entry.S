/* Entered from OpenSBI (fw_dynamic) in S-mode with the MMU off: a0 = hart id, a1 = device tree. */
    .section .text.start, "ax"
    .globl _start
_start:
    lla sp, loader_stack_top
    call loader_main
1:  wfi
    j 1b

    .section .bss
    .balign 16
    .space 16384
loader_stack_top:
