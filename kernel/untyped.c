/* Untyped_Retype: carving kernel objects out of untyped memory (seL4's rules and errors). */
#include <arch/arch.h>
#include <kernel/entry.h>
#include <kernel/invariants.h>
#include <kernel/invocation.h>
#include <kernel/cdt.h>
#include <kernel/thread.h>
#include <kernel/untyped.h>
#include <sel4/objecttype.h>

#define RETYPE_FAN_OUT_LIMIT seL4_UntypedRetypeMaxObjects

static word_t object_size_bits(word_t type, word_t user_size)
{
    switch (type) {
    case seL4_UntypedObject: return user_size;
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return user_size + seL4_SlotBits;
    case seL4_RISCV_Giga_Page: return seL4_HugePageBits;
    case seL4_RISCV_4K_Page: return seL4_PageBits;
    case seL4_RISCV_Mega_Page: return seL4_LargePageBits;
    default: return seL4_PageTableBits;
    }
}

static bool is_frame_type(word_t type)
{
    return type == seL4_RISCV_4K_Page || type == seL4_RISCV_Mega_Page ||
           type == seL4_RISCV_Giga_Page;
}

/* Memory above an untyped's watermark is zero: boot untypeds start out so (or full, see boot.c)
 * and a reset clears what was used. So objects need no clearing here, and no Retype clears more
 * than one kernel entry may take. */
static bool is_zero(const void *p, word_t bytes)
{
    const uint64_t *w = p;
    for (word_t i = 0; i < bytes / 8; i++)
        if (w[i]) return false;
    return true;
}

static struct cap create_object(word_t type, void *obj, word_t user_size, bool device,
                                uint32_t creator_tid)
{
    word_t bits = object_size_bits(type, user_size);
    /* (checked up to 1 MiB per object: a check of a 1 GiB frame would take seconds) */
    INVARIANT(device || type == seL4_UntypedObject || is_zero(obj, MIN(BIT(bits), BIT(20))),
              "untyped memory at %p is not zero above the watermark", obj);
    struct cap c;
    switch (type) {
    case seL4_UntypedObject:
        c = cap_make(CAP_UNTYPED, obj);
        c = cap_set_untyped_size_bits(c, user_size);
        return cap_set_untyped_is_device(c, device);
    case seL4_TCBObject: thread_init(obj, creator_tid); return cap_make(CAP_THREAD, obj);
    case seL4_EndpointObject:
        c = cap_make(CAP_ENDPOINT, obj);
        c = cap_set_can_send(cap_set_can_receive(c, true), true);
        return cap_set_can_grant(cap_set_can_grant_reply(c, true), true);
    case seL4_NotificationObject:
        return cap_set_can_send(cap_set_can_receive(cap_make(CAP_NOTIFICATION, obj), true), true);
    case seL4_CapTableObject:
        return cap_set_cnode_radix(cap_make(CAP_CNODE, obj), (unsigned)user_size);
    case seL4_RISCV_PageTableObject: return cap_make(CAP_PAGE_TABLE, obj);
    default:
        c = cap_make(CAP_FRAME, obj);
        c = cap_set_frame_size(c, type == seL4_RISCV_4K_Page     ? 0
                                  : type == seL4_RISCV_Mega_Page ? 1
                                                                 : 2);
        c = cap_set_frame_rights(c, VM_READ_WRITE);
        return cap_set_frame_is_device(c, device);
    }
}

/* Clearing a reset untyped: this much per step, then a preemption point (seL4 clears in chunks
 * too). 4 KiB take about 600 instructions. */
#define RESET_CHUNK_BITS 12

/* seL4's resetUntypedCap: an untyped whose objects are all gone is reused from its start, and
 * what its objects used is cleared first, from the top down, the watermark following, so that a
 * preempted reset resumes where it stopped when the Retype is restarted. */
static seL4_Error reset_untyped(struct cte *slot)
{
    struct cap ut = slot->cap;
    word_t used = cap_untyped_free_offset(ut);
    if (cap_untyped_is_device(ut)) used = 0; /* device memory is never cleared */
    char *base = cap_ptr(ut);
    while (used) {
        word_t chunk =
            used > BIT(RESET_CHUNK_BITS) ? ALIGN_DOWN(used - 1, BIT(RESET_CHUNK_BITS)) : 0;
        memset(base + chunk, 0, used - chunk);
        used = chunk;
        slot->cap = cap_set_untyped_free_offset(slot->cap, used);
        if (used && kernel_preemption_due()) return KERNEL_PREEMPTED;
    }
    slot->cap = cap_set_untyped_free_offset(slot->cap, 0);
    return seL4_NoError;
}

seL4_Error decode_untyped(struct invocation *inv, struct syscall_error *err)
{
    if (inv->label != UntypedRetype) return error_plain(err, seL4_IllegalOperation);
    if (inv->length < 6 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t type = inv_arg(inv, 0), user_size = inv_arg(inv, 1);
    word_t node_index = inv_arg(inv, 2), node_depth = inv_arg(inv, 3);
    word_t node_offset = inv_arg(inv, 4), count = inv_arg(inv, 5);
    struct cap root = inv->extra[0]->cap;

    if (type >= seL4_ObjectTypeCount) return error_invalid_argument(err, 0);
    word_t obj_bits = object_size_bits(type, user_size);
    if (user_size >= seL4_WordBits || obj_bits > seL4_MaxUntypedBits)
        return error_range(err, 0, seL4_MaxUntypedBits);
    if (type == seL4_CapTableObject && user_size == 0) return error_invalid_argument(err, 1);
    if (type == seL4_UntypedObject && user_size < seL4_MinUntypedBits)
        return error_invalid_argument(err, 1);

    struct cap dest_cnode = root;
    if (node_depth != 0) {
        struct cte *slot;
        if (lookup_target_slot(root, node_index, node_depth, &slot, false, err) != seL4_NoError)
            return err->type;
        dest_cnode = slot->cap;
    }
    if (cap_type(dest_cnode) != CAP_CNODE)
        return error_failed_lookup(err, false,
                                   (struct lookup_fault){seL4_MissingCapability, node_depth, 0, 0});

    word_t slots = BIT(cap_cnode_radix(dest_cnode));
    if (node_offset > slots - 1) return error_range(err, 0, slots - 1);
    if (count < 1 || count > RETYPE_FAN_OUT_LIMIT) return error_range(err, 1, RETYPE_FAN_OUT_LIMIT);
    if (count > slots - node_offset) return error_range(err, 1, slots - node_offset);
    struct cte *dest = (struct cte *)cap_ptr(dest_cnode) + node_offset;
    for (word_t i = 0; i < count; i++)
        if (!cap_is_null(dest[i].cap)) return error_plain(err, seL4_DeleteFirst);

    /* memory is reused only once every object made from it is gone */
    struct cap ut = inv->cap;
    bool reset = !cdt_has_children(inv->slot);
    word_t used = reset ? 0 : cap_untyped_free_offset(ut);
    word_t offset, free_bytes;
    bool fits =
        untyped_place(cap_untyped_size_bits(ut), used, obj_bits, count, &offset, &free_bytes);
    if (!fits) {
        err->memory_left = free_bytes;
        return error_plain(err, seL4_NotEnoughMemory);
    }
    bool device = cap_untyped_is_device(ut);
    if (device && !is_frame_type(type) && type != seL4_UntypedObject)
        return error_invalid_argument(err, 1);

    if (reset && reset_untyped(inv->slot) != seL4_NoError) return KERNEL_PREEMPTED;
    ut = inv->slot->cap;
    char *base = cap_ptr(ut);
    for (word_t i = 0; i < count; i++) {
        void *obj = base + offset + i * BIT(obj_bits);
        struct cap made = create_object(type, obj, user_size, device, inv->caller->tid);
        invariants_object_created(made);
        cdt_insert_new(made, inv->slot, &dest[i]);
    }
    inv->slot->cap = cap_set_untyped_free_offset(inv->slot->cap, offset + count * BIT(obj_bits));
    return seL4_NoError;
}
