#include <kernel/boot.h>
#include <kernel/printk.h>

void region_add(struct region_list *l, uint64_t start, uint64_t end)
{
    if (start >= end) return;
    if (l->n == BOOT_MAX_REGIONS) panic("boot: too many memory regions");
    unsigned i = l->n++;
    while (i > 0 && l->r[i - 1].start > start) {
        l->r[i] = l->r[i - 1];
        i--;
    }
    l->r[i] = (struct region){start, end};
}

void region_remove(struct region_list *l, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < l->n; i++) {
        struct region r = l->r[i];
        if (end <= r.start || start >= r.end) continue;
        for (unsigned j = i; j + 1 < l->n; j++) l->r[j] = l->r[j + 1];
        l->n--;
        region_add(l, r.start, MIN(start, r.end));
        region_add(l, MAX(end, r.start), r.end);
        i = (unsigned)-1; /* the list changed: rescan */
    }
}

uint64_t region_alloc(struct region_list *l, unsigned size_bits)
{
    for (unsigned i = 0; i < l->n; i++) {
        uint64_t start = ALIGN_UP(l->r[i].start, BIT(size_bits));
        if (start + BIT(size_bits) <= l->r[i].end && start >= l->r[i].start) {
            region_remove(l, start, start + BIT(size_bits));
            return start;
        }
    }
    return 0;
}
