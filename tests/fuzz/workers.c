/*
 * Building, watching and rebuilding the workers.
 *
 * Each generation of a worker is made from its own untyped: revoking that untyped destroys the
 * whole generation (threads, CNode, VSpace, and everything the worker made or was given), so a
 * rebuild cannot leak. What outlives a generation is the supervisor's: the worker page, the IPC
 * buffer and stack frames, and read-only copies of our text. The worker holds the only cap to its
 * fuzz thread's TCB and the original of its VSpace, so it can really destroy them.
 */
#include "supervisor.h"

#include <schedlab/vspace.h>

#define WORKER_UNTYPED_BITS     18 /* one generation */
#define WORKER_OWN_UNTYPED_BITS 17 /* the part the worker retypes itself */
#define DEVICE_UNTYPED_BITS     20 /* a worker's device memory, a 64 KiB piece per generation */
#define WORKER_DEVICE_BITS      16
#define SUP_PAGES_VADDR         0x2000000000ul /* where we see the worker pages */
/* A worker that issued no system call for POKE_NS is stuck (blocked, suspended, starved): its
 * handler restarts it. One still stuck STALL_NS later, and after the supervisor has looked at it
 * STALL_LOOKS more times (a slow kernel makes the looks far apart), is dead (its TCB, CSpace or
 * VSpace gone, or
 * its handler with them): it is rebuilt. */
#define POKE_NS              (250 * US)
#define STALL_NS             (5 * MS)
#define STALL_LOOKS          4
#define GENERATION_MIN_CALLS 500
#define GENERATION_MAX_CALLS 4000

struct worker workers[FUZZ_MAX_WORKERS];
struct fuzz_totals totals;

static seL4_CPtr sep; /* where handlers' faults (and any worker's messages) arrive */
static seL4_CPtr shared_ep, shared_ntfn, worker_asid_pool, device_source;
static seL4_CPtr irq_handlers[8];
static unsigned nirq;
static seL4_CPtr doomed_cap;
static seL4_Word doomed_badge;
static seL4_Word ncode_pages;

extern char __executable_start[], __data_start[];

static const seL4_Word data_vaddrs[WORKER_DATA_PAGES] = {
    WORKER_PAGE_VADDR, WORKER_IPC_VADDR, WORKER_STACK_VADDR, WORKER_STACK_VADDR + 0x1000,
    HANDLER_STACK_VADDR};
enum { DATA_PAGE, DATA_IPC };

seL4_CPtr supervisor_endpoint(void) { return sep; }

void must_succeed(seL4_Error e, const char *what, int line)
{
    REQUIRE(e == seL4_NoError, "supervisor invocation",
            "%s failed with error %d (line %d): the supervisor's own objects are no worker's to "
            "break",
            what, (int)e, line);
}

static seL4_CPtr must_alloc(seL4_Word type, seL4_Word bits)
{
    seL4_CPtr c = alloc_object(type, bits);
    REQUIRE(c, "setup", "out of memory or slots for object type %lu", (unsigned long)type);
    return c;
}

static seL4_CPtr must_slots(unsigned n)
{
    seL4_CPtr first = alloc_slot();
    REQUIRE(first, "setup", "out of root CNode slots");
    for (unsigned i = 1; i < n; i++) REQUIRE(alloc_slot(), "setup", "out of root CNode slots");
    return first;
}

/* Device memory far from every device: above RAM, below QEMU virt's high PCIe window. */
static seL4_CPtr find_device_source(const seL4_BootInfo *bi)
{
    seL4_Word count = bi->untyped.end - bi->untyped.start, ram_end = 0;
    for (seL4_Word i = 0; i < count; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        seL4_Word end = d->paddr + (1ull << d->sizeBits);
        if (!d->isDevice && end > ram_end) ram_end = end;
    }
    for (seL4_Word i = 0; i < count; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (d->isDevice && d->paddr >= ram_end &&
            d->paddr + (1ull << d->sizeBits) <= 0x400000000ull &&
            d->sizeBits >= DEVICE_UNTYPED_BITS + 3)
            return bi->untyped.start + i;
    }
    return 0;
}

static void worker_init(struct worker *w, unsigned index)
{
    w->index = index;
    w->untyped = must_alloc(seL4_UntypedObject, WORKER_UNTYPED_BITS);
    if (device_source) {
        w->device_untyped = must_slots(1);
        MUST(seL4_Untyped_Retype(device_source, seL4_UntypedObject, DEVICE_UNTYPED_BITS, ROOT, 0, 0,
                                 w->device_untyped, 1));
    }
    w->cnode = must_slots(1);
    w->handler_tcb = must_slots(1);
    w->poke = must_slots(1);
    w->poke_badged = must_slots(1);
    w->scratch_vspace = must_slots(1);
    w->scratch_tcb = must_slots(1);
    w->page_tables = must_slots(4);
    w->code_frames = must_slots((unsigned)ncode_pages);
    for (seL4_Word i = 0; i < ncode_pages; i++)
        MUST(seL4_CNode_Copy(ROOT, w->code_frames + i, 64, ROOT,
                             image_frame_cap(__executable_start + i * 4096), 64, seL4_CanRead));
    w->data_frames = must_slots(WORKER_DATA_PAGES);
    for (unsigned i = 0; i < WORKER_DATA_PAGES; i++) {
        REQUIRE(alloc_object_at(seL4_RISCV_4K_Page, 0, w->data_frames + i), "setup",
                "out of memory for worker frames");
        kept_frame_add(w->data_frames + i);
    }
    seL4_CPtr page_view = must_slots(1);
    seL4_Word view = SUP_PAGES_VADDR + index * 4096ul;
    MUST(
        seL4_CNode_Copy(ROOT, page_view, 64, ROOT, w->data_frames + DATA_PAGE, 64, seL4_ReadWrite));
    MUST(vspace_map_frame(seL4_CapInitThreadVSpace, page_view, view, seL4_ReadWrite));
    w->page = (struct worker_page *)view;
}

void workers_init(const seL4_BootInfo *bi)
{
    REQUIRE((seL4_Word)__data_start < 0x200000, "setup", "the text must fit the first 2 MiB");
    ncode_pages = ((seL4_Word)__data_start - (seL4_Word)__executable_start) / 4096;
    sep = must_alloc(seL4_EndpointObject, 0);
    shared_ep = must_alloc(seL4_EndpointObject, 0);
    shared_ntfn = must_alloc(seL4_NotificationObject, 0);
    seL4_CPtr pool_untyped = must_alloc(seL4_UntypedObject, seL4_ASIDPoolBits);
    worker_asid_pool = must_slots(1);
    MUST(seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, pool_untyped, ROOT, worker_asid_pool,
                                         64));
    /* interrupts of QEMU virt's virtio slots: nothing is attached, so they never fire */
    for (nirq = 0; nirq < 8; nirq++) {
        irq_handlers[nirq] = must_slots(1);
        MUST(seL4_IRQControl_Get(seL4_CapIRQControl, 1 + nirq, ROOT, irq_handlers[nirq], 64));
    }
    device_source = find_device_source(bi);
    for (unsigned i = 0; i < params.nworkers; i++) worker_init(&workers[i], i);
}

/* Counters of the generation that ends go into the totals. A page with counts no thread could
 * have reached (the worker scribbled on it) is counted as corrupt instead. */
static bool plausible(const struct worker *w, uint64_t now)
{
    const struct worker_page *p = w->page;
    uint64_t calls = p->calls;
    if (calls > (now - w->started_ns) / 100 + 64) return false;
    for (unsigned i = 0; i < FUZZ_ERROR_KINDS; i++)
        if (p->replies[i] > calls) return false;
    for (unsigned i = 0; i < FUZZ_FAULT_KINDS; i++)
        if (p->faults[i] > calls + 64) return false;
    return p->restarts <= calls + 64 && p->pokes <= calls + 64;
}

static void harvest(struct worker *w)
{
    struct worker_page *p = w->page;
    if (!plausible(w, schedlab_now_ns())) {
        totals.corrupt_pages++;
        return;
    }
    totals.calls += p->calls;
    for (unsigned i = 0; i < FUZZ_ERROR_KINDS; i++) totals.replies[i] += p->replies[i];
    for (unsigned i = 0; i < FUZZ_FAULT_KINDS; i++) totals.faults[i] += p->faults[i];
    totals.restarts += p->restarts;
    totals.pokes += p->pokes;
    totals.restart_failures += p->restart_failures;
}

uint64_t workers_calls(void)
{
    uint64_t calls = totals.calls, now = schedlab_now_ns();
    for (unsigned i = 0; i < params.nworkers; i++)
        if (workers[i].built && plausible(&workers[i], now)) calls += workers[i].page->calls;
    return calls;
}

static void retype(seL4_CPtr untyped, seL4_Word type, seL4_Word bits, seL4_CPtr root,
                   seL4_Word slot)
{
    MUST(seL4_Untyped_Retype(untyped, type, bits, root, 0, 0, slot, 1));
}

static void give(struct worker *w, unsigned slot, seL4_CPtr cap, seL4_Word rights)
{
    MUST(seL4_CNode_Copy(w->cnode, slot, WORKER_CNODE_BITS, ROOT, cap, 64, rights));
}

static void give_badged(struct worker *w, unsigned slot, seL4_CPtr cap, seL4_Word rights,
                        seL4_Word badge)
{
    MUST(seL4_CNode_Mint(w->cnode, slot, WORKER_CNODE_BITS, ROOT, cap, 64, rights, badge));
}

static void name_thread(seL4_CPtr tcb, const char *prefix, unsigned index)
{
    char name[16];
    unsigned n = 0;
    while (prefix[n] && n < 12) name[n] = prefix[n], n++;
    name[n++] = (char)('0' + index);
    name[n] = 0;
    seL4_DebugNameThread(tcb, name);
}

static void start_thread(struct worker *w, seL4_CPtr tcb, seL4_Word fault_ep, seL4_Word ipc,
                         seL4_Word prio, seL4_Word mcp, seL4_Word pc, seL4_Word sp)
{
    MUST(seL4_TCB_Configure(tcb, fault_ep, w->cnode, WORKER_GUARD_BITS, w->scratch_vspace, 0, ipc,
                            w->data_frames + DATA_IPC));
    MUST(seL4_TCB_SetSchedParams(tcb, seL4_CapInitThreadTCB, mcp, prio));
    MUST(schedlab_set_affinity_mask(tcb, 1ull << (w->index % params.nharts)));
    seL4_UserContext regs = {0};
    regs.pc = pc;
    regs.sp = sp;
    regs.tp = ipc;
    MUST(seL4_TCB_WriteRegisters(tcb, 1, 0, 32, &regs));
}

/* VSpace: page tables for the text and for the data pages, then the frames. */
static void build_vspace(struct worker *w)
{
    seL4_CPtr vs = w->scratch_vspace;
    MUST(seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vs));
    const seL4_Word table_vaddrs[4] = {0, 0, WORKER_DATA_BASE, WORKER_DATA_BASE};
    for (unsigned i = 0; i < 4; i++) {
        retype(w->untyped, seL4_RISCV_PageTableObject, 0, ROOT, w->page_tables + i);
        MUST(seL4_RISCV_PageTable_Map(w->page_tables + i, vs, table_vaddrs[i], 0));
    }
    for (seL4_Word i = 0; i < ncode_pages; i++)
        MUST(seL4_RISCV_Page_Map(w->code_frames + i, vs, (seL4_Word)__executable_start + i * 4096,
                                 seL4_CanRead, 0));
    for (unsigned i = 0; i < WORKER_DATA_PAGES; i++)
        MUST(seL4_RISCV_Page_Map(w->data_frames + i, vs, data_vaddrs[i], seL4_ReadWrite,
                                 seL4_RISCV_ExecuteNever));
}

/* Its CSpace: real caps of every type the kernel has. */
static void build_cspace(struct worker *w)
{
    seL4_CPtr c = w->cnode;
    give_badged(w, WS_CNODE, c, seL4_AllRights, WORKER_GUARD_BITS); /* the guard, as its root */
    retype(w->untyped, seL4_UntypedObject, seL4_PageBits, c, WS_UNTYPED_4K);
    retype(w->untyped, seL4_EndpointObject, 0, c, WS_EP_OWN);
    retype(w->untyped, seL4_NotificationObject, 0, c, WS_NTFN_OWN);
    retype(w->untyped, seL4_RISCV_4K_Page, 0, c, WS_FRAME);
    retype(w->untyped, seL4_RISCV_4K_Page, 0, c, WS_FRAME2);
    retype(w->untyped, seL4_RISCV_PageTableObject, 0, c, WS_PAGE_TABLE);
    retype(w->untyped, seL4_EndpointObject, 0, c, WS_HANDLER_EP);
    MUST(seL4_CNode_Mint(c, WS_FAULT_EP, WORKER_CNODE_BITS, c, WS_HANDLER_EP, WORKER_CNODE_BITS,
                         seL4_AllRights, FAULT_BADGE));
    /* a fault endpoint needs Send and GrantReply; without Grant no cap reaches the supervisor */
    give_badged(w, WS_SUPERVISOR_EP, sep, seL4_CapRight_Write | seL4_CapRight_GrantReply,
                w->index + 1);
    if (w->device_untyped) {
        MUST(seL4_CNode_Revoke(ROOT, w->device_untyped, 64));
        retype(w->device_untyped, seL4_UntypedObject, WORKER_DEVICE_BITS, c, WS_DEVICE_UNTYPED);
    }
    give(w, WS_EP_SHARED, shared_ep, seL4_AllRights);
    give_badged(w, WS_EP_BADGED, shared_ep, seL4_AllRights, w->index + 1);
    give(w, WS_NTFN_SHARED, shared_ntfn, seL4_AllRights);
    give(w, WS_ASID_POOL, worker_asid_pool, seL4_AllRights);
    give(w, WS_ASID_CONTROL, seL4_CapASIDControl, seL4_AllRights);
    give(w, WS_IRQ_HANDLER, irq_handlers[w->index % nirq], seL4_AllRights);
    give(w, WS_DOMAIN, seL4_CapDomain, seL4_AllRights);
    if (doomed_cap) give_badged(w, WS_DOOMED, doomed_cap, seL4_CanWrite, doomed_badge);
}

/* Each worker holds a cap to every other's fuzz thread (copies of the one in its slot). */
static void exchange_tcbs(struct worker *w)
{
    for (unsigned i = 0; i < params.nworkers; i++) {
        struct worker *x = &workers[i];
        if (x == w || !x->built) continue;
        if (!seL4_CNode_Copy(w->cnode, WS_OTHER_TCB + i, WORKER_CNODE_BITS, x->cnode, WS_TCB,
                             WORKER_CNODE_BITS, seL4_AllRights))
            w->page->other_tcbs |= 1ull << i;
        if (!seL4_CNode_Copy(x->cnode, WS_OTHER_TCB + w->index, WORKER_CNODE_BITS, w->cnode, WS_TCB,
                             WORKER_CNODE_BITS, seL4_AllRights))
            x->page->other_tcbs |= 1ull << w->index;
    }
}

static void destroy(struct worker *w)
{
    if (!w->built) return;
    supervisor_phase = "revoking a worker's generation";
    harvest(w);
    MUST(seL4_CNode_Revoke(ROOT, w->untyped, 64));
    for (seL4_Word i = 0; i < ncode_pages; i++) MUST(seL4_RISCV_Page_Unmap(w->code_frames + i));
    for (unsigned i = 0; i < WORKER_DATA_PAGES; i++)
        MUST(seL4_RISCV_Page_Unmap(w->data_frames + i));
    for (unsigned i = 0; i < params.nworkers; i++)
        workers[i].page->other_tcbs &= ~(1ull << w->index);
    w->built = false;
}

void worker_build(struct worker *w)
{
    destroy(w);
    supervisor_phase = "building a worker";
    struct worker_page *p = w->page;
    uint32_t generation = p->generation + 1;
    memset(p, 0, sizeof *p);
    p->magic = WORKER_PAGE_MAGIC;
    p->index = w->index;
    p->generation = generation;
    p->nworkers = params.nworkers;
    p->nharts = params.nharts;
    p->seed = params.seed;
    p->rng = rng_stream(params.seed, w->index + 1, generation);

    /* the big untyped first: it is aligned to its size, the small objects fill the rest */
    seL4_CPtr own_untyped = w->scratch_tcb; /* a free slot until the CNode exists */
    retype(w->untyped, seL4_UntypedObject, WORKER_OWN_UNTYPED_BITS, ROOT, own_untyped);
    retype(w->untyped, seL4_CapTableObject, WORKER_CNODE_BITS, ROOT, w->cnode);
    MUST(seL4_CNode_Move(w->cnode, WS_UNTYPED, WORKER_CNODE_BITS, ROOT, own_untyped, 64));
    retype(w->untyped, seL4_RISCV_PageTableObject, 0, ROOT, w->scratch_vspace);
    retype(w->untyped, seL4_TCBObject, 0, ROOT, w->scratch_tcb);
    retype(w->untyped, seL4_TCBObject, 0, ROOT, w->handler_tcb);
    retype(w->untyped, seL4_NotificationObject, 0, ROOT, w->poke);
    MUST(seL4_CNode_Mint(ROOT, w->poke_badged, 64, ROOT, w->poke, 64, seL4_AllRights, POKE_BADGE));
    MUST(seL4_TCB_BindNotification(w->handler_tcb, w->poke));
    build_vspace(w);
    build_cspace(w);

    name_thread(w->handler_tcb, "handler", w->index);
    name_thread(w->scratch_tcb, "fuzz", w->index);
    start_thread(w, w->handler_tcb, WORKER_CPTR(WS_SUPERVISOR_EP), HANDLER_IPC_VADDR, HANDLER_PRIO,
                 HANDLER_PRIO, (seL4_Word)handler_main, HANDLER_STACK_TOP);
    start_thread(w, w->scratch_tcb, WORKER_CPTR(WS_FAULT_EP), WORKER_IPC_VADDR, WORKER_PRIO,
                 WORKER_MCP, (seL4_Word)worker_main, WORKER_STACK_TOP);
    /* from here on the worker holds the only caps to its VSpace and its fuzz thread */
    MUST(seL4_CNode_Move(w->cnode, WS_VSPACE, WORKER_CNODE_BITS, ROOT, w->scratch_vspace, 64));
    MUST(seL4_CNode_Move(w->cnode, WS_TCB, WORKER_CNODE_BITS, ROOT, w->scratch_tcb, 64));
    w->built = true;
    exchange_tcbs(w);

    uint64_t now = schedlab_now_ns();
    w->started_ns = w->progress_ns = now;
    w->seen_calls = 0;
    w->poked = false;
    w->generation_end_calls =
        rng_range(&supervisor_rng, GENERATION_MIN_CALLS, GENERATION_MAX_CALLS);
}

void workers_give_doomed(seL4_CPtr doomed, seL4_Word badge)
{
    doomed_cap = doomed;
    doomed_badge = badge;
    for (unsigned i = 0; i < params.nworkers; i++) {
        struct worker *w = &workers[i];
        /* the worker may have filled the slot with something else: then it gets none */
        if (w->built && doomed)
            seL4_CNode_Mint(w->cnode, WS_DOOMED, WORKER_CNODE_BITS, ROOT, doomed, 64, seL4_CanWrite,
                            badge);
    }
}

void workers_supervise(uint64_t now)
{
    bool reported[FUZZ_MAX_WORKERS] = {0};
    /* a handler that faulted, or a worker that sent to the supervisor's endpoint */
    for (unsigned n = 0; n < 2 * params.nworkers; n++) {
        seL4_Word badge = 0;
        seL4_NBRecv(sep, &badge);
        if (!badge) break;
        if (badge <= params.nworkers) reported[badge - 1] = true;
    }
    for (unsigned i = 0; i < params.nworkers; i++) {
        struct worker *w = &workers[i];
        uint64_t calls = w->page->calls;
        if (calls != w->seen_calls) {
            w->seen_calls = calls;
            w->progress_ns = now;
            w->poked = false;
        }
        unsigned looks_since_poke = w->poked ? ++w->looks_since_poke : 0;
        if (reported[i]) {
            totals.rebuilds_reported++;
        } else if (calls >= w->generation_end_calls) {
            totals.rebuilds_scheduled++;
        } else if (looks_since_poke > STALL_LOOKS && now - w->progress_ns > STALL_NS) {
            totals.rebuilds_stalled++;
        } else {
            if (!w->poked && now - w->progress_ns > POKE_NS) {
                seL4_Signal(w->poke_badged);
                w->poked = true;
                w->looks_since_poke = 0;
            }
            continue;
        }
        worker_build(w);
    }
}

void workers_destroy(void)
{
    for (unsigned i = 0; i < params.nworkers; i++) destroy(&workers[i]);
}

void workers_diagnose(void)
{
    uint64_t now = schedlab_now_ns();
    for (unsigned i = 0; i < params.nworkers; i++) {
        const struct worker *w = &workers[i];
        const struct worker_page *p = w->page;
        printf("fuzz: worker %u generation %u: %lu calls, the last %lu us ago: operation %lu, "
               "system call %ld on cptr 0x%lx, label %lu, length %lu\n",
               i, p->generation, (unsigned long)p->calls,
               (unsigned long)((now - w->progress_ns) / US), (unsigned long)p->op,
               (long)p->last_syscall, (unsigned long)p->last_cptr,
               (unsigned long)(p->last_info >> 12), (unsigned long)(p->last_info & 0x7f));
    }
}
