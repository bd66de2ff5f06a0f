/* Root-task entry: the kernel passes the bootinfo address in a0 and sets no stack. */
    .section .text.start, "ax"
    .globl _start
_start:
    lla sp, runtime_stack_top
    call runtime_start
1:  j 1b

    .section .bss
    .balign 16
    .space 65536
runtime_stack_top:
