/*
 * Which hart acts next: a binary min-heap of the harts keyed by (next event instant, hart
 * number). The machine used to scan every hart for each event; the heap gives the same hart
 * (earliest instant, lowest number on a tie), so traces are unchanged, in O(log harts).
 */
#include "sim.h"

static unsigned heap[SIM_MAX_HARTS];     /* hart numbers, heap-ordered */
static unsigned position[SIM_MAX_HARTS]; /* where each hart is in heap[] */
static uint64_t key[SIM_MAX_HARTS];
static unsigned count;

static bool before(unsigned a, unsigned b)
{
    return key[a] < key[b] || (key[a] == key[b] && a < b);
}

static void place(unsigned at, unsigned hart)
{
    heap[at] = hart;
    position[hart] = at;
}

static void sift_up(unsigned at)
{
    unsigned hart = heap[at];
    while (at > 0 && before(hart, heap[(at - 1) / 2])) {
        place(at, heap[(at - 1) / 2]);
        at = (at - 1) / 2;
    }
    place(at, hart);
}

static void sift_down(unsigned at)
{
    unsigned hart = heap[at];
    for (;;) {
        unsigned child = 2 * at + 1;
        if (child >= count) break;
        if (child + 1 < count && before(heap[child + 1], heap[child])) child++;
        if (!before(heap[child], hart)) break;
        place(at, heap[child]);
        at = child;
    }
    place(at, hart);
}

void events_init(unsigned harts)
{
    count = harts;
    for (unsigned i = 0; i < harts; i++) {
        key[i] = SIM_NEVER;
        place(i, i);
    }
}

void events_set(unsigned hart, uint64_t when)
{
    uint64_t old = key[hart];
    key[hart] = when;
    if (when < old)
        sift_up(position[hart]);
    else if (when > old)
        sift_down(position[hart]);
}

unsigned events_first(uint64_t *when)
{
    *when = key[heap[0]];
    return heap[0];
}
