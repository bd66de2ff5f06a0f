/* The IPC fastpath for Call and ReplyRecv (kernel/fastpath.c). */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <arch/context.h>

/* Entered from the trap entry for seL4_SysCall and seL4_SysReplyRecv, with the caller's registers
 * saved in `ctx` (its TCB's context) and this hart's kernel stack: each does the whole system call
 * and returns to user mode in the thread it switched to, or hands the call, unchanged, to the
 * generic dispatch (kernel_handle_syscall).
 * They never return (the trap entry jumps to them), but are declared as returning so that their
 * common path can jump to the register restore instead of calling it (arch_restore_user_jump). */
void fastpath_call(struct arch_context *ctx);
void fastpath_reply_recv(struct arch_context *ctx);
/* The same where the clock is `time`, not the cycle count (clock_now: a run without icount). */
void fastpath_call_wall_clock(struct arch_context *ctx);
void fastpath_reply_recv_wall_clock(struct arch_context *ctx);
/* The same for a kernel of several harts, which take the kernel lock first. The trap entry
 * jumps to one or another through the hart's record (struct hart fastpath_call, set at boot), so
 * the one-hart ones do not ask (many_harts) or which clock to read at every call. */
void fastpath_call_many_harts(struct arch_context *ctx);
void fastpath_reply_recv_many_harts(struct arch_context *ctx);

#endif
