/*
 * Invocation wrappers, one per method of the ABI sheet's §5 table: the label, the MR packing
 * and the extra caps are exactly seL4's. Every wrapper is a Call; it returns the reply's label,
 * which is an seL4_Error.
 */
#ifndef SEL4_INVOCATIONS_H
#define SEL4_INVOCATIONS_H

/* Send `length` MRs (already in msg[]) and `ncaps` caps (already set) with `label`. */
static inline seL4_Error sel4_invoke(seL4_CPtr service, seL4_Word label, seL4_Word ncaps,
                                     seL4_Word length)
{
    return (seL4_Error)seL4_MessageInfo_get_label(
        seL4_Call(service, seL4_MessageInfo_new(label, 0, ncaps, length)));
}

static inline seL4_Error seL4_Untyped_Retype(seL4_Untyped service, seL4_Word type,
                                             seL4_Word size_bits, seL4_CNode root,
                                             seL4_Word node_index, seL4_Word node_depth,
                                             seL4_Word node_offset, seL4_Word num_objects)
{
    seL4_SetCap(0, root);
    seL4_SetMR(0, type);
    seL4_SetMR(1, size_bits);
    seL4_SetMR(2, node_index);
    seL4_SetMR(3, node_depth);
    seL4_SetMR(4, node_offset);
    seL4_SetMR(5, num_objects);
    return sel4_invoke(service, UntypedRetype, 1, 6);
}

static inline seL4_Error seL4_TCB_Configure(seL4_TCB service, seL4_Word fault_ep,
                                            seL4_CNode cspace_root, seL4_Word cspace_root_data,
                                            seL4_CPtr vspace_root, seL4_Word vspace_root_data,
                                            seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_SetCap(0, cspace_root);
    seL4_SetCap(1, vspace_root);
    seL4_SetCap(2, bufferFrame);
    seL4_SetMR(0, fault_ep);
    seL4_SetMR(1, cspace_root_data);
    seL4_SetMR(2, vspace_root_data);
    seL4_SetMR(3, buffer);
    return sel4_invoke(service, TCBConfigure, 3, 4);
}

static inline seL4_Error seL4_TCB_SetSpace(seL4_TCB service, seL4_Word fault_ep,
                                           seL4_CNode cspace_root, seL4_Word cspace_root_data,
                                           seL4_CPtr vspace_root, seL4_Word vspace_root_data)
{
    seL4_SetCap(0, cspace_root);
    seL4_SetCap(1, vspace_root);
    seL4_SetMR(0, fault_ep);
    seL4_SetMR(1, cspace_root_data);
    seL4_SetMR(2, vspace_root_data);
    return sel4_invoke(service, TCBSetSpace, 2, 3);
}

static inline seL4_Error seL4_TCB_SetIPCBuffer(seL4_TCB service, seL4_Word buffer,
                                               seL4_CPtr bufferFrame)
{
    seL4_SetCap(0, bufferFrame);
    seL4_SetMR(0, buffer);
    return sel4_invoke(service, TCBSetIPCBuffer, 1, 1);
}

static inline seL4_Error seL4_TCB_WriteRegisters(seL4_TCB service, seL4_Bool resume_target,
                                                 seL4_Uint8 arch_flags, seL4_Word count,
                                                 const seL4_UserContext *regs)
{
    seL4_SetMR(0, (resume_target & 1) | ((seL4_Word)arch_flags << 8));
    seL4_SetMR(1, count);
    const seL4_Word *words = (const seL4_Word *)regs;
    for (int i = 0; i < 32; i++) seL4_SetMR(2 + i, words[i]);
    return sel4_invoke(service, TCBWriteRegisters, 0, 34);
}

static inline seL4_Error seL4_TCB_ReadRegisters(seL4_TCB service, seL4_Bool suspend_source,
                                                seL4_Uint8 arch_flags, seL4_Word count,
                                                seL4_UserContext *regs)
{
    seL4_SetMR(0, (suspend_source & 1) | ((seL4_Word)arch_flags << 8));
    seL4_SetMR(1, count);
    seL4_Error e = sel4_invoke(service, TCBReadRegisters, 0, 2);
    seL4_Word *words = (seL4_Word *)regs;
    for (seL4_Word i = 0; e == seL4_NoError && i < count && i < 32; i++)
        words[i] = seL4_GetMR((int)i);
    return e;
}

static inline seL4_Error seL4_TCB_SetPriority(seL4_TCB service, seL4_TCB authority,
                                              seL4_Word priority)
{
    seL4_SetCap(0, authority);
    seL4_SetMR(0, priority);
    return sel4_invoke(service, TCBSetPriority, 1, 1);
}

static inline seL4_Error seL4_TCB_SetMCPriority(seL4_TCB service, seL4_TCB authority, seL4_Word mcp)
{
    seL4_SetCap(0, authority);
    seL4_SetMR(0, mcp);
    return sel4_invoke(service, TCBSetMCPriority, 1, 1);
}

static inline seL4_Error seL4_TCB_SetSchedParams(seL4_TCB service, seL4_TCB authority,
                                                 seL4_Word mcp, seL4_Word priority)
{
    seL4_SetCap(0, authority);
    seL4_SetMR(0, mcp);
    seL4_SetMR(1, priority);
    return sel4_invoke(service, TCBSetSchedParams, 1, 2);
}

static inline seL4_Error seL4_TCB_Suspend(seL4_TCB service)
{
    return sel4_invoke(service, TCBSuspend, 0, 0);
}
#if SCHEDLAB_SMP
static inline seL4_Error seL4_TCB_SetAffinity(seL4_TCB service, seL4_Word affinity)
{
    seL4_SetMR(0, affinity);
    return sel4_invoke(service, TCBSetAffinity, 0, 1);
}
#endif

static inline seL4_Error seL4_TCB_Resume(seL4_TCB service)
{
    return sel4_invoke(service, TCBResume, 0, 0);
}

static inline seL4_Error seL4_TCB_BindNotification(seL4_TCB service, seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return sel4_invoke(service, TCBBindNotification, 1, 0);
}

static inline seL4_Error seL4_TCB_UnbindNotification(seL4_TCB service)
{
    return sel4_invoke(service, TCBUnbindNotification, 0, 0);
}

static inline seL4_Error seL4_TCB_CopyRegisters(seL4_TCB service, seL4_TCB source,
                                                seL4_Bool suspend_source, seL4_Bool resume_target,
                                                seL4_Bool transfer_frame,
                                                seL4_Bool transfer_integer, seL4_Uint8 arch_flags)
{
    seL4_SetCap(0, source);
    seL4_SetMR(0, (suspend_source & 1) | (resume_target & 1) << 1 | (transfer_frame & 1) << 2 |
                      (transfer_integer & 1) << 3 | (seL4_Word)arch_flags << 8);
    return sel4_invoke(service, TCBCopyRegisters, 1, 1);
}
static inline seL4_Error seL4_TCB_SetTLSBase(seL4_TCB service, seL4_Word tls_base)
{
    seL4_SetMR(0, tls_base);
    return sel4_invoke(service, TCBSetTLSBase, 0, 1);
}
/* Returns the error; the resulting flags are left in *flags on success. */
static inline seL4_Error seL4_TCB_SetFlags(seL4_TCB service, seL4_Word clear, seL4_Word set,
                                           seL4_Word *flags)
{
    seL4_SetMR(0, clear);
    seL4_SetMR(1, set);
    seL4_Error e = sel4_invoke(service, TCBSetFlags, 0, 2);
    if (e == seL4_NoError) *flags = seL4_GetMR(0);
    return e;
}
static inline seL4_Error seL4_DomainSet_Set(seL4_CPtr service, seL4_Uint8 domain, seL4_TCB thread)
{
    seL4_SetCap(0, thread);
    seL4_SetMR(0, domain);
    return sel4_invoke(service, DomainSetSet, 1, 1);
}
static inline seL4_Error seL4_DomainSet_ScheduleConfigure(seL4_CPtr service, seL4_Word index,
                                                          seL4_Uint8 domain, seL4_Uint64 duration)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, domain);
    seL4_SetMR(2, duration);
    return sel4_invoke(service, DomainScheduleConfigure, 0, 3);
}
static inline seL4_Error seL4_DomainSet_ScheduleSetStart(seL4_CPtr service, seL4_Word index)
{
    seL4_SetMR(0, index);
    return sel4_invoke(service, DomainScheduleSetStart, 0, 1);
}

/* Interrupts. */
static inline seL4_Error seL4_IRQControl_Get(seL4_CPtr service, seL4_Word irq, seL4_CNode root,
                                             seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetCap(0, root);
    seL4_SetMR(0, irq);
    seL4_SetMR(1, index);
    seL4_SetMR(2, depth);
    return sel4_invoke(service, IRQIssueIRQHandler, 1, 3);
}
static inline seL4_Error seL4_IRQControl_GetTrigger(seL4_CPtr service, seL4_Word irq,
                                                    seL4_Word trigger, seL4_CNode root,
                                                    seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetCap(0, root);
    seL4_SetMR(0, irq);
    seL4_SetMR(1, trigger);
    seL4_SetMR(2, index);
    seL4_SetMR(3, depth);
    return sel4_invoke(service, RISCVIRQIssueIRQHandlerTrigger, 1, 4);
}
static inline seL4_Error seL4_IRQHandler_Ack(seL4_CPtr service)
{
    return sel4_invoke(service, IRQAckIRQ, 0, 0);
}
static inline seL4_Error seL4_IRQHandler_SetNotification(seL4_CPtr service, seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return sel4_invoke(service, IRQSetIRQHandler, 1, 0);
}
static inline seL4_Error seL4_IRQHandler_Clear(seL4_CPtr service)
{
    return sel4_invoke(service, IRQClearIRQHandler, 0, 0);
}

/* RISC-V VSpace methods. */
static inline seL4_Error seL4_RISCV_PageTable_Map(seL4_RISCV_PageTable service,
                                                  seL4_RISCV_PageTable vspace, seL4_Word vaddr,
                                                  seL4_RISCV_VMAttributes attr)
{
    seL4_SetCap(0, vspace);
    seL4_SetMR(0, vaddr);
    seL4_SetMR(1, attr);
    return sel4_invoke(service, RISCVPageTableMap, 1, 2);
}
static inline seL4_Error seL4_RISCV_PageTable_Unmap(seL4_RISCV_PageTable service)
{
    return sel4_invoke(service, RISCVPageTableUnmap, 0, 0);
}
static inline seL4_Error seL4_RISCV_Page_Map(seL4_RISCV_Page service, seL4_RISCV_PageTable vspace,
                                             seL4_Word vaddr, seL4_CapRights_t rights,
                                             seL4_RISCV_VMAttributes attr)
{
    seL4_SetCap(0, vspace);
    seL4_SetMR(0, vaddr);
    seL4_SetMR(1, rights);
    seL4_SetMR(2, attr);
    return sel4_invoke(service, RISCVPageMap, 1, 3);
}
static inline seL4_Error seL4_RISCV_Page_Unmap(seL4_RISCV_Page service)
{
    return sel4_invoke(service, RISCVPageUnmap, 0, 0);
}
/* Returns the error; the physical address is left in *paddr on success. */
static inline seL4_Error seL4_RISCV_Page_GetAddress(seL4_RISCV_Page service, seL4_Word *paddr)
{
    seL4_Error e = sel4_invoke(service, RISCVPageGetAddress, 0, 0);
    if (e == seL4_NoError) *paddr = seL4_GetMR(0);
    return e;
}
static inline seL4_Error seL4_RISCV_ASIDControl_MakePool(seL4_CPtr service, seL4_Untyped untyped,
                                                         seL4_CNode root, seL4_Word index,
                                                         seL4_Uint8 depth)
{
    seL4_SetCap(0, untyped);
    seL4_SetCap(1, root);
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    return sel4_invoke(service, RISCVASIDControlMakePool, 2, 2);
}
static inline seL4_Error seL4_RISCV_ASIDPool_Assign(seL4_CPtr service, seL4_CPtr vspace)
{
    seL4_SetCap(0, vspace);
    return sel4_invoke(service, RISCVASIDPoolAssign, 1, 0);
}

/* CNode methods: (index, depth) name a slot relative to the invoked CNode. */
static inline seL4_Error sel4_cnode_slot_op(seL4_CNode service, seL4_Word label, seL4_Word index,
                                            seL4_Uint8 depth)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    return sel4_invoke(service, label, 0, 2);
}
static inline seL4_Error seL4_CNode_Revoke(seL4_CNode s, seL4_Word index, seL4_Uint8 depth)
{
    return sel4_cnode_slot_op(s, CNodeRevoke, index, depth);
}
static inline seL4_Error seL4_CNode_Delete(seL4_CNode s, seL4_Word index, seL4_Uint8 depth)
{
    return sel4_cnode_slot_op(s, CNodeDelete, index, depth);
}
static inline seL4_Error seL4_CNode_CancelBadgedSends(seL4_CNode s, seL4_Word index,
                                                      seL4_Uint8 depth)
{
    return sel4_cnode_slot_op(s, CNodeCancelBadgedSends, index, depth);
}
static inline seL4_Error seL4_CNode_SaveCaller(seL4_CNode s, seL4_Word index, seL4_Uint8 depth)
{
    return sel4_cnode_slot_op(s, CNodeSaveCaller, index, depth);
}

/* Copy, Mint, Move, Mutate share their first five words and one extra cap. */
static inline void sel4_cnode_src_dest(seL4_Word dest_index, seL4_Uint8 dest_depth,
                                       seL4_CNode src_root, seL4_Word src_index,
                                       seL4_Uint8 src_depth)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
}
static inline seL4_Error seL4_CNode_Copy(seL4_CNode s, seL4_Word dest_index, seL4_Uint8 dest_depth,
                                         seL4_CNode src_root, seL4_Word src_index,
                                         seL4_Uint8 src_depth, seL4_CapRights_t rights)
{
    sel4_cnode_src_dest(dest_index, dest_depth, src_root, src_index, src_depth);
    seL4_SetMR(4, rights);
    return sel4_invoke(s, CNodeCopy, 1, 5);
}
static inline seL4_Error seL4_CNode_Mint(seL4_CNode s, seL4_Word dest_index, seL4_Uint8 dest_depth,
                                         seL4_CNode src_root, seL4_Word src_index,
                                         seL4_Uint8 src_depth, seL4_CapRights_t rights,
                                         seL4_Word badge)
{
    sel4_cnode_src_dest(dest_index, dest_depth, src_root, src_index, src_depth);
    seL4_SetMR(4, rights);
    seL4_SetMR(5, badge);
    return sel4_invoke(s, CNodeMint, 1, 6);
}
static inline seL4_Error seL4_CNode_Move(seL4_CNode s, seL4_Word dest_index, seL4_Uint8 dest_depth,
                                         seL4_CNode src_root, seL4_Word src_index,
                                         seL4_Uint8 src_depth)
{
    sel4_cnode_src_dest(dest_index, dest_depth, src_root, src_index, src_depth);
    return sel4_invoke(s, CNodeMove, 1, 4);
}
static inline seL4_Error seL4_CNode_Mutate(seL4_CNode s, seL4_Word dest_index,
                                           seL4_Uint8 dest_depth, seL4_CNode src_root,
                                           seL4_Word src_index, seL4_Uint8 src_depth,
                                           seL4_Word badge)
{
    sel4_cnode_src_dest(dest_index, dest_depth, src_root, src_index, src_depth);
    seL4_SetMR(4, badge);
    return sel4_invoke(s, CNodeMutate, 1, 5);
}
static inline seL4_Error seL4_CNode_Rotate(seL4_CNode s, seL4_Word dest_index,
                                           seL4_Uint8 dest_depth, seL4_Word dest_badge,
                                           seL4_CNode pivot_root, seL4_Word pivot_index,
                                           seL4_Uint8 pivot_depth, seL4_Word pivot_badge,
                                           seL4_CNode src_root, seL4_Word src_index,
                                           seL4_Uint8 src_depth)
{
    seL4_SetCap(0, pivot_root);
    seL4_SetCap(1, src_root);
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, dest_badge);
    seL4_SetMR(3, pivot_index);
    seL4_SetMR(4, pivot_depth);
    seL4_SetMR(5, pivot_badge);
    seL4_SetMR(6, src_index);
    seL4_SetMR(7, src_depth);
    return sel4_invoke(s, CNodeRotate, 2, 8);
}

#endif
