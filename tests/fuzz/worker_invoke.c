/*
 * Invocations of kernel objects: for each cap type, its labels with arguments that are mostly
 * sensible (so the kernel gets past its first checks) and sometimes not; then, sometimes, a wrong
 * label, length or set of extra caps on top.
 */
#include "worker.h"

/* What goes with the label; the MRs and extra caps themselves are already in the IPC buffer. */
struct plan {
    seL4_Word label, length, ncaps;
    bool nonblocking; /* an IPC object: a Call could wait forever */
};

static seL4_CPtr usually(unsigned slot, unsigned p)
{
    return percent(p) ? WORKER_CPTR(slot) : pick_cptr();
}

static struct plan plan(seL4_Word label, seL4_Word length, seL4_Word ncaps)
{
    return (struct plan){label, length, ncaps, false};
}

static seL4_Word pick_prio(void) { return percent(80) ? between(90, 120) : interesting_word(); }

static seL4_CPtr pick_frame_cptr(void)
{
    return percent(60) ? WORKER_CPTR(percent(50) ? WS_FRAME : WS_FRAME2) : pick_cptr();
}

static void write_context(bool restart)
{
    seL4_UserContext regs;
    seL4_Word *words = (seL4_Word *)&regs;
    for (unsigned i = 0; i < 32; i++) words[i] = interesting_word();
    if (restart) { /* a clean restart of the target at the fuzz loop */
        regs.pc = (seL4_Word)worker_main;
        regs.sp = WORKER_STACK_TOP;
        regs.tp = WORKER_IPC_VADDR;
    }
    for (unsigned i = 0; i < 32; i++) mr(2 + i, words[i]);
}

static struct plan tcb_plan(seL4_Word label)
{
    switch (label) {
    case TCBReadRegisters:
        mr(0, below(2) | (percent(10) ? below(256) << 8 : 0));
        mr(1, percent(90) ? between(1, 32) : interesting_word());
        return plan(label, 2, 0);
    case TCBWriteRegisters: {
        seL4_Word count = percent(90) ? between(1, 32) : interesting_word();
        mr(0, below(2));
        mr(1, count);
        write_context(percent(50));
        return plan(label, 34, 0);
    }
    case TCBCopyRegisters:
        mr(0, below(16) | (percent(10) ? below(256) << 8 : 0));
        cap(0, pick_cptr_of(pick_other_tcb_slot()));
        return plan(label, 1, 1);
    case TCBConfigure:
        mr(0, usually(WS_FAULT_EP, 80));
        mr(1, percent(80) ? 0 : interesting_word());
        mr(2, interesting_word());
        mr(3, percent(70) ? WORKER_IPC_VADDR : percent(50) ? 0 : pick_vaddr(10));
        cap(0, usually(WS_CNODE, 80));
        cap(1, usually(WS_VSPACE, 80));
        cap(2, pick_frame_cptr());
        return plan(label, 4, 3);
    case TCBSetPriority:
    case TCBSetMCPriority:
        mr(0, pick_prio());
        cap(0, percent(70) ? WORKER_CPTR(WS_TCB) : pick_cptr_of(pick_other_tcb_slot()));
        return plan(label, 1, 1);
    case TCBSetSchedParams:
        mr(0, pick_prio());
        mr(1, pick_prio());
        cap(0, percent(70) ? WORKER_CPTR(WS_TCB) : pick_cptr_of(pick_other_tcb_slot()));
        return plan(label, 2, 1);
    case TCBSetIPCBuffer:
        mr(0, percent(50) ? WORKER_IPC_VADDR : percent(30) ? 0 : pick_vaddr(10));
        cap(0, pick_frame_cptr());
        return plan(label, 1, 1);
    case TCBSetSpace:
        mr(0, usually(WS_FAULT_EP, 80));
        mr(1, percent(80) ? 0 : interesting_word());
        mr(2, interesting_word());
        cap(0, usually(WS_CNODE, 80));
        cap(1, usually(WS_VSPACE, 80));
        return plan(label, 3, 2);
    case TCBBindNotification:
        cap(0, usually(percent(50) ? WS_NTFN_OWN : WS_NTFN_SHARED, 80));
        return plan(label, 0, 1);
#if SCHEDLAB_SMP
    case TCBSetAffinity:
        mr(0, percent(85) ? below(PAGE->nharts) : interesting_word());
        return plan(label, 1, 0);
#endif
    case TCBSetTLSBase: mr(0, interesting_word()); return plan(label, 1, 0);
    case TCBSetFlags:
        mr(0, interesting_word());
        mr(1, interesting_word());
        return plan(label, 2, 0);
    default: return plan(label, 0, 0); /* Suspend, Resume, UnbindNotification */
    }
}

static struct plan cnode_plan(seL4_Word label)
{
    seL4_Word index, depth, src_index, src_depth;
    pick_index_depth(&index, &depth);
    if (label == CNodeRevoke || label == CNodeDelete || label == CNodeCancelBadgedSends) {
        /* these act on a cap: aim at one */
        if (percent(70)) index = pick_slot();
    } else if (percent(70)) {
        index = pick_free_slot(); /* these fill a slot */
    }
    mr(0, index);
    mr(1, depth);
    pick_index_depth(&src_index, &src_depth);
    switch (label) {
    case CNodeCopy:
    case CNodeMint:
    case CNodeMove:
    case CNodeMutate:
        cap(0, usually(WS_CNODE, 85));
        mr(2, src_index);
        mr(3, src_depth);
        mr(4, label == CNodeMutate ? interesting_word() : below(16));
        mr(5, percent(50) ? below(64) : interesting_word()); /* Mint's badge or guard */
        return plan(label, label == CNodeMint ? 6 : label == CNodeMove ? 4 : 5, 1);
    case CNodeRotate:
        mr(2, interesting_word());
        mr(3, src_index);
        mr(4, src_depth);
        mr(5, interesting_word());
        pick_index_depth(&src_index, &src_depth);
        mr(6, src_index);
        mr(7, src_depth);
        cap(0, usually(WS_CNODE, 85));
        cap(1, usually(WS_CNODE, 85));
        return plan(label, 8, 2);
    default: return plan(label, 2, 0); /* Revoke, Delete, CancelBadgedSends, SaveCaller */
    }
}

/* Every object type and size: mostly ones that fit, sometimes any. */
static struct plan retype_plan(void)
{
    seL4_Word type = percent(92) ? below(seL4_ObjectTypeCount) : interesting_word();
    seL4_Word size = percent(90) ? 0 : interesting_word();
    if (type == seL4_UntypedObject) size = percent(90) ? between(4, 17) : interesting_word();
    if (type == seL4_CapTableObject) {
        uint64_t r = below(100);
        size = r < 70 ? between(1, 6) : r < 95 ? between(7, 10) : between(11, 14);
    }
    seL4_Word node_index = 0, node_depth = 0, offset, count;
    uint64_t where = below(100);
    if (where < 80) {
        offset = pick_free_slot();
    } else if (where < 90) { /* into a CNode the worker made */
        node_index = pick_slot();
        node_depth = WORKER_SLOT_DEPTH;
        offset = below(16);
    } else {
        node_index = interesting_word();
        node_depth = below(72);
        offset = interesting_word();
    }
    uint64_t r = below(100);
    count = r < 60 ? 1 : r < 90 ? between(2, 4) : interesting_word();
    mr(0, type);
    mr(1, size);
    mr(2, node_index);
    mr(3, node_depth);
    mr(4, offset);
    mr(5, count);
    cap(0, usually(WS_CNODE, 90));
    if (!node_depth && count <= 4)
        for (seL4_Word i = 1; i < count; i++) note_occupied((unsigned)(offset + i));
    return plan(UntypedRetype, 6, 1);
}

static struct plan frame_plan(void)
{
    switch (below(4)) {
    case 0:
    case 1: {
        seL4_Word vaddr = pick_vaddr(12);
        mr(0, vaddr);
        mr(1, percent(70) ? seL4_ReadWrite : interesting_word());
        mr(2, percent(70) ? 0 : interesting_word());
        cap(0, usually(WS_VSPACE, 85));
        /* where op_touch looks later (never its own pages: it would scribble on them) */
        if (vaddr - WORKER_PLAY_BASE < WORKER_PLAY_SIZE) PAGE->mapped_vaddr = vaddr;
        return plan(RISCVPageMap, 3, 1);
    }
    case 2: return plan(RISCVPageUnmap, 0, 0);
    default: return plan(RISCVPageGetAddress, 0, 0);
    }
}

static struct plan page_table_plan(void)
{
    if (percent(30)) return plan(RISCVPageTableUnmap, 0, 0);
    mr(0, pick_vaddr(percent(50) ? 21 : 12));
    mr(1, percent(80) ? 0 : interesting_word());
    cap(0, usually(WS_VSPACE, 85));
    return plan(RISCVPageTableMap, 2, 1);
}

static struct plan irq_plan(bool control)
{
    if (control) {
        bool trigger = percent(50);
        seL4_Word first = trigger ? 2 : 1;
        mr(0, percent(80) ? between(1, 100) : interesting_word());
        mr(1, below(2));
        mr(first, pick_free_slot());
        mr(first + 1, WORKER_SLOT_DEPTH);
        cap(0, usually(WS_CNODE, 90));
        return plan(trigger ? RISCVIRQIssueIRQHandlerTrigger : IRQIssueIRQHandler, first + 2, 1);
    }
    switch (below(3)) {
    case 0: return plan(IRQAckIRQ, 0, 0);
    case 1: cap(0, usually(WS_NTFN_OWN, 80)); return plan(IRQSetIRQHandler, 0, 1);
    default: return plan(IRQClearIRQHandler, 0, 0);
    }
}

static struct plan domain_plan(void)
{
    switch (below(3)) {
    case 0:
        mr(0, percent(80) ? 0 : interesting_word());
        cap(0, pick_cptr_of(pick_other_tcb_slot()));
        return plan(DomainSetSet, 1, 1);
    case 1:
        mr(0, below(3));
        mr(1, below(2));
        mr(2, interesting_word());
        return plan(DomainScheduleConfigure, 3, 0);
    default: mr(0, below(3)); return plan(DomainScheduleSetStart, 1, 0);
    }
}

static struct plan ipc_object_plan(void)
{
    seL4_Word length = below(8);
    for (seL4_Word i = 0; i < length; i++) mr((unsigned)i, interesting_word());
    struct plan p = plan(interesting_word() & 0xfffff, length, 0);
    p.nonblocking = true;
    return p;
}

static struct plan plan_for(seL4_Word type)
{
    switch (type) {
    case FUZZ_CAP_UNTYPED: return retype_plan();
    case FUZZ_CAP_THREAD: return tcb_plan(between(TCBReadRegisters, TCBSetFlags));
    case FUZZ_CAP_CNODE: return cnode_plan(between(CNodeRevoke, CNodeSaveCaller));
    case FUZZ_CAP_FRAME: return frame_plan();
    case FUZZ_CAP_PAGE_TABLE: return page_table_plan();
    case FUZZ_CAP_ASID_POOL:
        cap(0, usually(WS_PAGE_TABLE, 70));
        return plan(RISCVASIDPoolAssign, 0, 1);
    case FUZZ_CAP_ASID_CONTROL:
        cap(0, usually(WS_UNTYPED_4K, 80));
        cap(1, usually(WS_CNODE, 90));
        mr(0, pick_free_slot());
        mr(1, WORKER_SLOT_DEPTH);
        return plan(RISCVASIDControlMakePool, 2, 2);
    case FUZZ_CAP_IRQ_CONTROL: return irq_plan(true);
    case FUZZ_CAP_IRQ_HANDLER: return irq_plan(false);
    case FUZZ_CAP_DOMAIN: return domain_plan();
    case FUZZ_CAP_ENDPOINT:
    case FUZZ_CAP_NOTIFICATION:
    case FUZZ_CAP_REPLY: return ipc_object_plan();
    default: return plan(below(nArchInvocationLabels + 4), below(8), 0);
    }
}

/* Sometimes the label, the length or the extra caps are wrong. */
static void perturb(struct plan *p)
{
    uint64_t r = below(100);
    if (r < 8)
        p->label = below(nArchInvocationLabels + 4);
    else if (r < 10)
        p->label = rnd() & ((1ull << 52) - 1);
    if (percent(10)) p->length = below(128);
    if (percent(8)) {
        p->ncaps = below(4);
        for (unsigned i = 0; i < p->ncaps; i++) cap(i, pick_cptr());
    }
}

static void issue(seL4_CPtr target, struct plan p)
{
    seL4_MessageInfo_t info = seL4_MessageInfo_new(p.label, 0, p.ncaps, p.length);
    uint64_t r = below(100);
    if (p.nonblocking ? r < 85 : r < 10)
        fuzz_syscall(seL4_SysNBSend, target, info, 0);
    else if (!p.nonblocking && r < 15)
        fuzz_syscall(seL4_SysSend, target, info, 0);
    else
        fuzz_syscall(seL4_SysCall, target, info, 0);
}

static void invoke_slot(unsigned slot)
{
    seL4_CPtr target = percent(90) ? pick_cptr_of(slot) : pick_cptr();
    struct plan p = plan_for(fuzz_identify(target));
    perturb(&p);
    issue(target, p);
}

void op_invoke(void) { invoke_slot(pick_slot()); }

void op_invoke_random(void)
{
    seL4_Word length = below(128);
    for (seL4_Word i = 0; i < length && i < seL4_MsgMaxLength; i++)
        mr((unsigned)i, interesting_word());
    struct plan p = plan(percent(70) ? below(nArchInvocationLabels + 4) : rnd(), length, below(4));
    for (unsigned i = 0; i < p.ncaps; i++) cap(i, pick_cptr());
    issue(pick_cptr(), p);
}

void op_tcb_other(void)
{
    seL4_CPtr target = pick_cptr_of(pick_other_tcb_slot());
    uint64_t r = below(100);
    /* what matters most on SMP: stopping, moving and rewriting threads that run elsewhere */
    seL4_Word label = r < 15   ? TCBSuspend
                      : r < 30 ? TCBResume
                      : r < 45 ? TCBCopyRegisters
#if SCHEDLAB_SMP
                      : r < 60 ? TCBSetAffinity
#endif
                      : r < 70 ? TCBWriteRegisters
                      : r < 80 ? TCBSetPriority
                               : between(TCBReadRegisters, TCBSetFlags);
    struct plan p = tcb_plan(label);
    perturb(&p);
    issue(target, p);
}

void op_retype(void)
{
    uint64_t r = below(100);
    unsigned slot = r < 70   ? WS_UNTYPED
                    : r < 80 ? WS_UNTYPED_4K
                    : r < 90 ? WS_DEVICE_UNTYPED
                             : pick_slot();
    struct plan p = retype_plan();
    if (percent(5)) perturb(&p);
    issue(percent(95) ? WORKER_CPTR(slot) : pick_cptr(), p);
}

void op_cnode(void)
{
    struct plan p = cnode_plan(between(CNodeRevoke, CNodeSaveCaller));
    if (percent(5)) perturb(&p);
    issue(usually(WS_CNODE, 90), p);
}

void op_map(void)
{
    uint64_t r = below(100);
    if (r < 55) {
        struct plan p = frame_plan();
        issue(pick_frame_cptr(), p);
    } else if (r < 85) {
        struct plan p = page_table_plan();
        issue(usually(WS_PAGE_TABLE, 70), p);
    } else {
        cap(0, usually(WS_PAGE_TABLE, 70));
        issue(usually(WS_ASID_POOL, 90), plan(RISCVASIDPoolAssign, 0, 1));
    }
}
