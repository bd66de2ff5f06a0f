/* The IPC fastpath for Call and ReplyRecv (kernel/fastpath.c). */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <kernel/object.h>

/* Each does the whole system call and returns to user mode in the thread it switched to, or
 * returns (false) having changed nothing: the slow path must do it. */
bool fastpath_call(struct tcb *caller);
bool fastpath_reply_recv(struct tcb *server);

#endif
