/* The IPC fastpath for Call and ReplyRecv (kernel/fastpath.c). */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <arch/context.h>

/* Entered from the trap entry for seL4_SysCall and seL4_SysReplyRecv, with the caller's registers
 * saved in `ctx` (its TCB's context) and this hart's kernel stack: each does the whole system call
 * and returns to user mode in the thread it switched to, or hands the call, unchanged, to the
 * generic dispatch (kernel_handle_syscall). */
_Noreturn void fastpath_call(struct arch_context *ctx);
_Noreturn void fastpath_reply_recv(struct arch_context *ctx);

#endif
