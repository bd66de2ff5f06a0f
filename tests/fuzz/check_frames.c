/*
 * No two frames overlap. The supervisor keeps frames of its own (the workers' pages, IPC buffers
 * and stacks, the probe page): each must keep its address and no two may share one.
 *
 * The census looks at the workers' frames too. Two caps of a worker may legitimately name one
 * frame (a copy), so worker frames are compared only with frames no worker can hold a cap to:
 * ours, our image, and canaries: frames the supervisor retypes from every untyped cap it finds in
 * a worker's CNode. If the kernel lets two untyped caps hand out the same memory, a canary lands
 * on memory a worker already uses and the census sees the address twice; and from an untyped
 * with no children the supervisor first makes a copy and a canary from each. Every cap is looked
 * at by moving it out of the worker's slot and back, which derives nothing.
 *
 * Order matters for a correct verdict: canaries are made first, the workers' frames looked at
 * next, and only canaries still alive after that are compared. A frame was alive when it was
 * seen (it sat in our slot), and a canary alive at the end was alive the whole time, so a shared
 * address means two live frames overlapped.
 */
#include "supervisor.h"

#define KEPT_MAX   64
#define CANARY_MAX 32
#define CENSUS_MAX (FUZZ_MAX_WORKERS * WORKER_SLOTS)
#define IMAGE_MAX  512

struct frame {
    seL4_CPtr cap;
    seL4_Word paddr;
};
struct seen_frame {
    seL4_Word paddr;
    unsigned worker, slot;
};

static struct frame kept[KEPT_MAX], canaries[CANARY_MAX];
static unsigned nkept, ncanaries;
static seL4_Word image[IMAGE_MAX];
static unsigned nimage;
static struct seen_frame seen[CENSUS_MAX];
static unsigned nseen;
static seL4_CPtr canary_slots, scratch, untyped_copy;

static seL4_Word address_of(seL4_CPtr frame)
{
    seL4_Word paddr = 0;
    MUST(seL4_RISCV_Page_GetAddress(frame, &paddr));
    return paddr;
}

void check_frames_init(void)
{
    canary_slots = alloc_slot();
    for (unsigned i = 1; i < CANARY_MAX; i++) REQUIRE(alloc_slot(), "setup", "out of slots");
    scratch = alloc_slot();
    untyped_copy = alloc_slot();
    REQUIRE(canary_slots && scratch && untyped_copy, "setup", "out of slots for the frame check");
}

void check_frames_image(const seL4_BootInfo *bi)
{
    for (seL4_CPtr f = bi->userImageFrames.start; f < bi->userImageFrames.end && nimage < IMAGE_MAX;
         f++)
        image[nimage++] = address_of(f);
}

void kept_frame_add(seL4_CPtr frame)
{
    REQUIRE(nkept < KEPT_MAX, "setup", "too many kept frames");
    kept[nkept].cap = frame;
    kept[nkept].paddr = address_of(frame);
    nkept++;
}

/* Addresses in ascending order; true if two are equal (*dup set to it). */
static bool has_duplicate(seL4_Word *a, unsigned n, seL4_Word *dup)
{
    for (unsigned i = 1; i < n; i++) { /* insertion sort: n is small */
        seL4_Word v = a[i];
        unsigned j = i;
        for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
        a[j] = v;
    }
    for (unsigned i = 1; i < n; i++)
        if (a[i] == a[i - 1]) {
            *dup = a[i];
            return true;
        }
    return false;
}

/* Our frames and live canaries: each where it was, no two at one address. Returns them sorted. */
static unsigned protected_addresses(seL4_Word *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nkept; i++) {
        seL4_Word now = address_of(kept[i].cap);
        REQUIRE(now == kept[i].paddr, "frames", "a kept frame moved from 0x%lx to 0x%lx",
                (unsigned long)kept[i].paddr, (unsigned long)now);
        out[n++] = now;
    }
    for (unsigned i = 0; i < ncanaries; i++) out[n++] = canaries[i].paddr;
    for (unsigned i = 0; i < nimage; i++) out[n++] = image[i];
    seL4_Word dup;
    REQUIRE(!has_duplicate(out, n, &dup), "frames",
            "two distinct frames of the supervisor share physical address 0x%lx",
            (unsigned long)dup);
    return n;
}

void check_frames(void)
{
    static seL4_Word addresses[KEPT_MAX + CANARY_MAX + IMAGE_MAX];
    supervisor_phase = "frame check";
    protected_addresses(addresses);
    checks_passed.frames++;
}

/* Each cap of a worker's CNode in turn, in our scratch slot; `visit` may use it, then it goes
 * back (unless the worker filled the slot meanwhile: then it is deleted). */
static void for_each_worker_cap(void (*visit)(unsigned worker, unsigned slot, seL4_Word type))
{
    for (unsigned i = 0; i < params.nworkers; i++) {
        struct worker *w = &workers[i];
        supervisor_heartbeat_ns = schedlab_now_ns(); /* a long check, but getting on */
        for (unsigned s = 1; w->built && s < WORKER_SLOTS; s++) {
            if (seL4_CNode_Move(ROOT, scratch, 64, w->cnode, s, WORKER_CNODE_BITS)) continue;
            visit(i, s, seL4_DebugCapIdentify(scratch));
            if (seL4_CNode_Move(w->cnode, s, WORKER_CNODE_BITS, ROOT, scratch, 64))
                seL4_CNode_Delete(ROOT, scratch, 64);
        }
    }
}

static void canary_from(seL4_CPtr untyped)
{
    if (ncanaries == CANARY_MAX) return;
    seL4_CPtr c = canary_slots + ncanaries;
    if (seL4_Untyped_Retype(untyped, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, c, 1)) return;
    canaries[ncanaries].cap = c;
    canaries[ncanaries].paddr = address_of(c);
    ncanaries++;
}

/* From an untyped with no children, first a copy: the copy takes over its free memory and the
 * original can allocate nothing more (seL4), so a canary from each can never meet. */
static void make_canaries(unsigned worker, unsigned slot, seL4_Word type)
{
    if (type != FUZZ_CAP_UNTYPED) return;
    unsigned before = ncanaries;
    bool copied = !seL4_CNode_Copy(ROOT, untyped_copy, 64, ROOT, scratch, 64, seL4_AllRights);
    if (copied) {
        canary_from(untyped_copy);
        MUST(seL4_CNode_Delete(ROOT, untyped_copy, 64));
    }
    canary_from(scratch);
    REQUIRE(!copied || ncanaries < before + 2 ||
                canaries[before].paddr != canaries[before + 1].paddr,
            "untyped copy",
            "an untyped cap (worker %u's slot %u) and its copy both allocated a frame at 0x%lx",
            worker, slot, (unsigned long)canaries[before].paddr);
}

static void note_frame(unsigned worker, unsigned slot, seL4_Word type)
{
    if (type != FUZZ_CAP_FRAME || nseen == CENSUS_MAX) return;
    seen[nseen++] = (struct seen_frame){address_of(scratch), worker, slot};
}

/* Canaries the workers revoked meanwhile are dropped; the others must not have moved. */
static void keep_live_canaries(void)
{
    unsigned live = 0;
    for (unsigned i = 0; i < ncanaries; i++) {
        seL4_Word paddr;
        if (seL4_RISCV_Page_GetAddress(canaries[i].cap, &paddr)) continue;
        REQUIRE(paddr == canaries[i].paddr, "census", "a canary moved from 0x%lx to 0x%lx",
                (unsigned long)canaries[i].paddr, (unsigned long)paddr);
        canaries[live++] = canaries[i];
    }
    ncanaries = live;
}

static bool contains(const seL4_Word *sorted, unsigned n, seL4_Word v)
{
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (sorted[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && sorted[lo] == v;
}

void check_census(void)
{
    static seL4_Word addresses[KEPT_MAX + CANARY_MAX + IMAGE_MAX];
    supervisor_phase = "census: canaries";
    ncanaries = nseen = 0;
    for_each_worker_cap(make_canaries);
    supervisor_phase = "census: the workers' frames";
    for_each_worker_cap(note_frame);
    keep_live_canaries();
    unsigned n = protected_addresses(addresses);
    for (unsigned i = 0; i < nseen; i++)
        REQUIRE(!contains(addresses, n, seen[i].paddr), "census",
                "worker %u's slot %u holds a frame at 0x%lx, where a frame no worker can reach "
                "(ours, our image or a canary retyped from a worker's untyped) also is",
                seen[i].worker, seen[i].slot, (unsigned long)seen[i].paddr);
    for (unsigned i = 0; i < ncanaries; i++) MUST(seL4_CNode_Delete(ROOT, canaries[i].cap, 64));
    ncanaries = 0;
    checks_passed.census++;
}
