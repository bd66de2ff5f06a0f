/*
 * seL4 invocation labels for riscv64 non-MCS, no hardware-debug API; ABI sheet §5.
 * seL4 numbers labels by position, so an SMP build inserts TCBSetAffinity after
 * TCBUnbindNotification and every later label moves up by one (DESIGN §3.4).
 */
#ifndef SEL4_INVOCATION_H
#define SEL4_INVOCATION_H

#ifndef SCHEDLAB_SMP
#define SCHEDLAB_SMP 0
#endif

enum invocation_label {
    InvalidInvocation = 0,
    UntypedRetype,
    TCBReadRegisters,
    TCBWriteRegisters,
    TCBCopyRegisters,
    TCBConfigure,
    TCBSetPriority,
    TCBSetMCPriority,
    TCBSetSchedParams,
    TCBSetIPCBuffer,
    TCBSetSpace,
    TCBSuspend,
    TCBResume,
    TCBBindNotification,
    TCBUnbindNotification,
#if SCHEDLAB_SMP
    TCBSetAffinity,
#endif
    TCBSetTLSBase,
    TCBSetFlags,
    CNodeRevoke,
    CNodeDelete,
    CNodeCancelBadgedSends,
    CNodeCopy,
    CNodeMint,
    CNodeMove,
    CNodeMutate,
    CNodeRotate,
    CNodeSaveCaller,
    IRQIssueIRQHandler,
    IRQAckIRQ,
    IRQSetIRQHandler,
    IRQClearIRQHandler,
    DomainSetSet,
    DomainScheduleConfigure,
    DomainScheduleSetStart,
    nInvocationLabels,
};

enum arch_invocation_label {
    RISCVPageTableMap = nInvocationLabels,
    RISCVPageTableUnmap,
    RISCVPageMap,
    RISCVPageUnmap,
    RISCVPageGetAddress,
    RISCVASIDControlMakePool,
    RISCVASIDPoolAssign,
    RISCVIRQIssueIRQHandlerTrigger,
    nArchInvocationLabels,
};

#endif
