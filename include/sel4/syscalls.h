/* seL4 16.0.0 non-MCS system call numbers (passed in a7); ABI sheet §1. */
#ifndef SEL4_SYSCALLS_H
#define SEL4_SYSCALLS_H

#define seL4_SysCall               (-1)
#define seL4_SysReplyRecv          (-2)
#define seL4_SysSend               (-3)
#define seL4_SysNBSend             (-4)
#define seL4_SysRecv               (-5)
#define seL4_SysReply              (-6)
#define seL4_SysYield              (-7)
#define seL4_SysNBRecv             (-8)
#define seL4_SysDebugPutChar       (-9)
#define seL4_SysDebugDumpScheduler (-10)
#define seL4_SysDebugHalt          (-11)
#define seL4_SysDebugCapIdentify   (-12)
#define seL4_SysDebugSnapshot      (-13)
#define seL4_SysDebugNameThread    (-14)

#endif
