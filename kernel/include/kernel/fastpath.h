/* The IPC fastpath for Call and ReplyRecv (kernel/fastpath.c). */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <kernel/object.h>

/* Each returns true if it did the whole system call (the thread it switched to runs at the
 * exit), false if it changed nothing and the slow path must do it. */
bool fastpath_call(struct tcb *caller);
bool fastpath_reply_recv(struct tcb *server);

#endif
