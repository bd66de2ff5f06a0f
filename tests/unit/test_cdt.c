/* Host tests of the capability derivation tree (kernel/cdt.c) and untyped placement
 * (kernel/untyped_space.c), compiled from the kernel sources with sanitizers. */
#include <kernel/cdt.h>
#include <kernel/untyped.h>
#include <sel4/constants.h>
#include <stdlib.h>

#include "check.h"

#define SLOTS 16
static struct cte s[SLOTS];
static void *objects[4];

static void reset(void)
{
    for (int i = 0; i < SLOTS; i++) s[i] = (struct cte){{0, 0}, NULL, 0};
}

static struct cap endpoint(int obj, uint64_t badge)
{
    struct cap c = cap_make(CAP_ENDPOINT, objects[obj]);
    c = cap_set_can_send(cap_set_can_receive(c, true), true);
    return cap_set_badge(cap_set_can_grant(cap_set_can_grant_reply(c, true), true), badge);
}

static struct cap untyped(void *base, unsigned bits)
{
    return cap_set_untyped_size_bits(cap_make(CAP_UNTYPED, base), bits);
}

/* The list is consistent both ways from `first`, and holds exactly `n` slots. */
static int list_length(struct cte *first)
{
    int n = 0;
    for (struct cte *c = first; c; c = mdb_next(c)) {
        if (mdb_next(c) && mdb_next(c)->mdb_prev != c) return -1;
        if (++n > SLOTS) return -1;
    }
    return n;
}

static void test_copy_is_a_child_of_a_revocable_original(void)
{
    reset();
    cdt_insert_root(&s[0], endpoint(0, 0));
    cdt_insert(endpoint(0, 0), &s[0], &s[1]);
    CHECK(cdt_has_children(&s[0]));
    CHECK(!mdb_flag(&s[1], MDB_REVOCABLE));
    CHECK(!cdt_has_children(&s[1])); /* a plain copy is not revocable: it has no children */
    CHECK(!cdt_is_final(&s[0]) && !cdt_is_final(&s[1]));
    CHECK(list_length(&s[0]) == 2);
}

/* Retype's capabilities (seL4 insertNewCap) are revocable whatever their type: a copy of a CNode
 * cap made by Retype is its child, where a copy of a copy is not. */
static void test_retyped_caps_are_revocable(void)
{
    reset();
    struct cap cnode = cap_set_cnode_radix(cap_make(CAP_CNODE, objects[1]), 4);
    cdt_insert_root(&s[0], untyped(objects[1], 12));
    cdt_insert_new(cnode, &s[0], &s[1]);
    CHECK(mdb_flag(&s[1], MDB_REVOCABLE) && mdb_flag(&s[1], MDB_FIRST_BADGED));
    CHECK(cdt_is_parent_of(&s[0], &s[1]));
    cdt_insert(cnode, &s[1], &s[2]); /* a copy */
    cdt_insert(cnode, &s[2], &s[3]); /* a copy of the copy */
    CHECK(!mdb_flag(&s[2], MDB_REVOCABLE) && cdt_has_children(&s[1]));
    CHECK(cdt_is_parent_of(&s[1], &s[3]) && !cdt_has_children(&s[2]));
    CHECK(list_length(&s[0]) == 4);
    /* an endpoint made by Retype: badged mints and plain copies are all its children */
    reset();
    cdt_insert_root(&s[0], untyped(objects[0], 12));
    cdt_insert_new(endpoint(0, 0), &s[0], &s[1]);
    cdt_insert(endpoint(0, 3), &s[1], &s[2]);
    cdt_insert(endpoint(0, 0), &s[1], &s[3]);
    CHECK(cdt_is_parent_of(&s[1], &s[2]) && cdt_is_parent_of(&s[1], &s[3]));
}

static void test_badges_separate_families(void)
{
    reset();
    cdt_insert_root(&s[0], endpoint(0, 0));
    cdt_insert(endpoint(0, 7), &s[0], &s[1]); /* mint badge 7 */
    cdt_insert(endpoint(0, 7), &s[1], &s[2]); /* copy of the badged cap */
    cdt_insert(endpoint(0, 9), &s[0], &s[3]); /* mint badge 9, placed right after s[0] */
    cdt_insert(endpoint(0, 7), &s[0], &s[4]); /* a second, independent mint of badge 7 */
    CHECK(mdb_flag(&s[1], MDB_REVOCABLE) && mdb_flag(&s[1], MDB_FIRST_BADGED));
    CHECK(cdt_is_parent_of(&s[1], &s[2]));
    CHECK(!cdt_is_parent_of(&s[3], &s[1])); /* other badge */
    CHECK(!cdt_is_parent_of(&s[4], &s[3]));
    /* list: 0 4 3 1 2; the unbadged original is the parent of all */
    CHECK(mdb_next(&s[0]) == &s[4] && mdb_next(&s[4]) == &s[3] && mdb_next(&s[3]) == &s[1]);
    CHECK(cdt_is_parent_of(&s[0], &s[4]));
    CHECK(list_length(&s[0]) == 5);
}

static void test_same_badge_minted_twice_is_not_a_child(void)
{
    reset();
    cdt_insert_root(&s[0], endpoint(0, 0));
    cdt_insert(endpoint(0, 5), &s[0], &s[1]);
    cdt_insert(endpoint(0, 5), &s[0], &s[2]); /* list 0 2 1 */
    CHECK(!cdt_is_parent_of(&s[2], &s[1]));   /* s[1] starts its own badged family */
}

static void test_untyped_parents_objects_inside_it(void)
{
    reset();
    char *mem = objects[1];
    cdt_insert_root(&s[0], untyped(mem, 12));
    cdt_insert(untyped(mem, 10), &s[0], &s[1]);
    cdt_insert(endpoint(1, 0), &s[1], &s[2]); /* objects[1] lies inside both */
    CHECK(cdt_is_parent_of(&s[0], &s[1]) && cdt_is_parent_of(&s[1], &s[2]));
    CHECK(cdt_has_children(&s[0]));
    struct cap outside = cap_make(CAP_ENDPOINT, objects[2]);
    CHECK(!cap_same_region_as(s[0].cap, outside));
    /* untyped caps are never "the same object": each is final */
    CHECK(cdt_is_final(&s[0]));
}

static void test_move_keeps_the_place(void)
{
    reset();
    cdt_insert_root(&s[0], endpoint(0, 0));
    cdt_insert(endpoint(0, 3), &s[0], &s[1]);
    cdt_insert(endpoint(0, 3), &s[1], &s[2]);
    cdt_move(s[1].cap, &s[1], &s[5]);
    CHECK(cap_is_null(s[1].cap) && !s[1].mdb_prev && !mdb_next(&s[1]));
    CHECK(mdb_next(&s[0]) == &s[5] && mdb_next(&s[5]) == &s[2] && s[2].mdb_prev == &s[5]);
    CHECK(cdt_is_parent_of(&s[5], &s[2])); /* the flags moved with it */
    CHECK(list_length(&s[0]) == 3);
}

static void test_swap_adjacent_and_apart(void)
{
    reset();
    cdt_insert_root(&s[0], endpoint(0, 0));
    cdt_insert(endpoint(0, 0), &s[0], &s[1]);
    cdt_insert(endpoint(0, 0), &s[1], &s[2]);
    cdt_insert(endpoint(0, 0), &s[2], &s[3]); /* 0 1 2 3 */
    struct cap a = s[1].cap, b = s[2].cap;
    cdt_swap(a, &s[1], b, &s[2]); /* adjacent: 0 2 1 3 */
    CHECK(mdb_next(&s[0]) == &s[2] && mdb_next(&s[2]) == &s[1] && mdb_next(&s[1]) == &s[3]);
    CHECK(s[3].mdb_prev == &s[1] && s[1].mdb_prev == &s[2] && s[2].mdb_prev == &s[0]);
    cdt_swap(s[2].cap, &s[2], s[1].cap, &s[1]); /* adjacent the other way: back to 0 1 2 3 */
    CHECK(mdb_next(&s[0]) == &s[1] && mdb_next(&s[1]) == &s[2] && mdb_next(&s[2]) == &s[3]);
    cdt_swap(s[0].cap, &s[0], s[3].cap, &s[3]); /* apart: 3 1 2 0 */
    CHECK(!s[3].mdb_prev && mdb_next(&s[3]) == &s[1] && mdb_next(&s[2]) == &s[0]);
    CHECK(!mdb_next(&s[0]) && list_length(&s[3]) == 4);
}

static void test_emptying_a_slot_hands_children_up(void)
{
    reset();
    cdt_insert_root(&s[0], endpoint(0, 0));
    cdt_insert(endpoint(0, 4), &s[0], &s[1]);
    cdt_insert(endpoint(0, 4), &s[1], &s[2]);
    cdt_empty_slot(&s[1]);
    CHECK(mdb_next(&s[0]) == &s[2] && s[2].mdb_prev == &s[0]);
    /* s[2] inherits first-badged: it now heads the badge-4 family */
    CHECK(mdb_flag(&s[2], MDB_FIRST_BADGED));
    CHECK(cdt_is_final(&s[2]) == false);
}

static void test_frames_same_object_needs_same_size(void)
{
    struct cap small = cap_set_frame_size(cap_make(CAP_FRAME, objects[3]), 0);
    struct cap big = cap_set_frame_size(cap_make(CAP_FRAME, objects[3]), 1);
    CHECK(cap_same_region_as(big, small) && !cap_same_region_as(small, big));
    CHECK(!cap_same_object_as(small, big));
    CHECK(cap_same_object_as(small, small));
}

static void test_mint_mutate_mask_and_derive_rules(void)
{
    reset();
    CHECK(cap_badge(cap_update_data(endpoint(0, 0), 9, false)) == 9);
    CHECK(cap_is_null(cap_update_data(endpoint(0, 1), 9, false))); /* already badged */
    CHECK(cap_is_null(cap_update_data(endpoint(0, 0), 9, true)));  /* Mutate of an endpoint */
    struct cap cnode = cap_set_cnode_radix(cap_make(CAP_CNODE, objects[0]), 4);
    struct cap guarded = cap_update_data(cnode, (5 << 6) | 60, true);
    CHECK(cap_cnode_guard_size(guarded) == 60 && cap_cnode_guard(guarded) == 5);
    CHECK(cap_is_null(cap_update_data(cnode, 61, true))); /* 61 + 4 > 64 */
    struct cap ro = cap_mask_rights(endpoint(0, 0), seL4_CanRead);
    CHECK(cap_can_receive(ro) && !cap_can_send(ro) && !cap_can_grant(ro));
    struct cap frame = cap_set_frame_rights(cap_make(CAP_FRAME, objects[3]), VM_READ_WRITE);
    CHECK(cap_frame_rights(cap_mask_rights(frame, seL4_CanRead)) == VM_READ_ONLY);
    CHECK(cap_frame_rights(cap_mask_rights(frame, seL4_CanWrite)) == VM_KERNEL_ONLY);

    struct syscall_error err;
    struct cap out;
    cdt_insert_root(&s[0], untyped(objects[1], 12));
    CHECK(cap_derive(&s[0], s[0].cap, &out, &err) == seL4_NoError);
    cdt_insert(endpoint(1, 0), &s[0], &s[1]);
    CHECK(cap_derive(&s[0], s[0].cap, &out, &err) == seL4_RevokeFirst);
    struct cap mapped = cap_set_mapped_asid(cap_set_mapped_vaddr(frame, 0x5000), 3);
    CHECK(cap_derive(&s[2], mapped, &out, &err) == seL4_NoError);
    CHECK(cap_mapped_asid(out) == 0 && cap_mapped_vaddr(out) == 0);
    CHECK(cap_derive(&s[2], cap_make(CAP_REPLY, objects[0]), &out, &err) == seL4_NoError);
    CHECK(cap_is_null(out));
}

static void test_untyped_placement(void)
{
    uint64_t off, free_bytes;
    CHECK(untyped_place(13, 16, 12, 1, &off, &free_bytes) && off == 4096);
    CHECK(!untyped_place(13, 16, 12, 2, &off, &free_bytes) && free_bytes == 8192 - 16);
    CHECK(untyped_place(12, 0, 4, 256, &off, &free_bytes) && off == 0);
    CHECK(!untyped_place(12, 0, 4, 257, &off, &free_bytes));
    CHECK(!untyped_place(12, 0, 21, 1, &off, &free_bytes) && free_bytes == 4096);
    CHECK(!untyped_place(12, 4096, 4, 1, &off, &free_bytes) && free_bytes == 0);
    CHECK(untyped_place(38, 0, 30, 256, &off, &free_bytes) && off == 0); /* the largest sizes */
}

int main(void)
{
    for (int i = 0; i < 4; i++) objects[i] = aligned_alloc(4096, 4096);
    RUN(test_copy_is_a_child_of_a_revocable_original);
    RUN(test_retyped_caps_are_revocable);
    RUN(test_badges_separate_families);
    RUN(test_same_badge_minted_twice_is_not_a_child);
    RUN(test_untyped_parents_objects_inside_it);
    RUN(test_move_keeps_the_place);
    RUN(test_swap_adjacent_and_apart);
    RUN(test_emptying_a_slot_hands_children_up);
    RUN(test_frames_same_object_needs_same_size);
    RUN(test_mint_mutate_mask_and_derive_rules);
    RUN(test_untyped_placement);
    for (int i = 0; i < 4; i++) free(objects[i]);
    return check_summary();
}
