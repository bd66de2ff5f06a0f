/* How the fuzz thread picks what to aim at: slots, cptrs, depths, words and addresses. */
#include "worker.h"

static bool maybe_occupied(unsigned slot) { return (PAGE->occupied[slot / 64] >> (slot % 64)) & 1; }

void note_occupied(unsigned slot)
{
    if (slot < WORKER_SLOTS) PAGE->occupied[slot / 64] |= 1ull << (slot % 64);
}

static unsigned initial_slot(void) { return (unsigned)between(WS_CNODE, WS_FIRST_FAULT_PATH - 1); }

unsigned pick_other_tcb_slot(void)
{
    uint64_t given = PAGE->other_tcbs;
    if (!given || percent(10)) return WS_TCB;
    for (;;) {
        unsigned i = (unsigned)below(FUZZ_MAX_WORKERS);
        if ((given >> i) & 1) return WS_OTHER_TCB + i;
    }
}

unsigned pick_slot(void)
{
    uint64_t r = below(100);
    if (r < 55) return initial_slot();
    if (r < 67) return pick_other_tcb_slot();
    for (int tries = 0; tries < 8; tries++) {
        unsigned s = (unsigned)between(WS_FIRST_FREE, WORKER_SLOTS - 1);
        if (maybe_occupied(s)) return s;
    }
    return initial_slot();
}

unsigned pick_free_slot(void)
{
    unsigned s = (unsigned)between(WS_FIRST_FREE, WORKER_SLOTS - 1);
    note_occupied(s);
    return s;
}

seL4_CPtr pick_cptr_of(unsigned slot)
{
    seL4_CPtr c = WORKER_CPTR(slot);
    /* the low bits matter only when the slot holds a CNode */
    return percent(20) ? c | below(1u << WORKER_SLOT_SHIFT) : c;
}

static seL4_CPtr near_valid_cptr(void)
{
    unsigned slot = pick_slot();
    switch (below(7)) {
    case 0: return WORKER_CPTR(slot + 1);
    case 1: return WORKER_CPTR(slot - 1);
    case 2: return WORKER_CPTR(slot) | 1ull << between(WORKER_SLOT_SHIFT + WORKER_CNODE_BITS, 63);
    case 3: return slot; /* the slot number without the shift */
    case 4: return WORKER_CPTR(between(WS_FIRST_FAULT_PATH, WS_OTHER_TCB - 1));
    case 5: return WORKER_CPTR(WORKER_SLOTS + below(WORKER_SLOTS)); /* beyond the radix */
    default: return 0;
    }
}

seL4_CPtr pick_cptr(void)
{
    uint64_t r = below(100);
    if (r < 82) return pick_cptr_of(pick_slot());
    if (r < 94) return near_valid_cptr();
    return percent(50) ? rnd() : below(1u << 16);
}

void pick_index_depth(seL4_Word *index, seL4_Word *depth)
{
    uint64_t r = below(100);
    if (r < 80) {
        *index = percent(50) ? pick_slot() : pick_free_slot();
        *depth = WORKER_SLOT_DEPTH;
    } else if (r < 90) {
        /* into a CNode the worker may have put in one of its slots */
        *index = WORKER_CPTR(pick_slot()) | below(16);
        *depth = 64;
    } else {
        *index = percent(50) ? interesting_word() : pick_slot();
        *depth = below(72);
    }
}

seL4_Word interesting_word(void)
{
    switch (below(9)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return ~0ull;
    case 3: return below(16);
    case 4: return 1ull << below(64);
    case 5: return between(90, 130);
    case 6: return rnd() & 0xffff;
    case 7: return (1ull << below(64)) - 1;
    default: return rnd();
    }
}

seL4_Word pick_vaddr(unsigned align_bits)
{
    seL4_Word align = ~((1ull << align_bits) - 1);
    uint64_t r = below(100);
    if (r < 80) return (WORKER_PLAY_BASE + below(WORKER_PLAY_SIZE)) & align;
    if (r < 88) return WORKER_DATA_BASE + below(8) * 4096; /* over its own pages */
    if (r < 94) return (seL4_UserTop - (1ull << align_bits) * below(4)) & align;
    return rnd() & align;
}
