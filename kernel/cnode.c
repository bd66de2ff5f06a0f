/* CNode invocations (seL4 non-MCS): Copy, Mint, Move, Mutate, Rotate, Delete, Revoke,
 * CancelBadgedSends, SaveCaller; checks in seL4's order, so the same error wins. */
#include <kernel/cdt.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>

static seL4_Error empty_slot_required(const struct cte *slot, struct syscall_error *err)
{
    return cap_is_null(slot->cap) ? seL4_NoError : error_plain(err, seL4_DeleteFirst);
}

static seL4_Error copy_or_move(struct invocation *inv, struct cte *dest, struct syscall_error *err)
{
    if (inv->length < 4 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    if (empty_slot_required(dest, err)) return err->type;
    struct cte *src;
    if (lookup_target_slot(inv->extra[0]->cap, inv_arg(inv, 2), inv_arg(inv, 3), &src, true, err))
        return err->type;
    if (cap_is_null(src->cap))
        return error_failed_lookup(
            err, true, (struct lookup_fault){seL4_MissingCapability, inv_arg(inv, 3), 0, 0});

    struct cap cap;
    bool move = inv->label == CNodeMove || inv->label == CNodeMutate;
    switch (inv->label) {
    case CNodeCopy:
        if (inv->length < 5) return error_plain(err, seL4_TruncatedMessage);
        if (cap_derive(src, cap_mask_rights(src->cap, inv_arg(inv, 4)), &cap, err))
            return err->type;
        break;
    case CNodeMint:
        if (inv->length < 6) return error_plain(err, seL4_TruncatedMessage);
        cap = cap_update_data(cap_mask_rights(src->cap, inv_arg(inv, 4)), inv_arg(inv, 5), false);
        if (cap_derive(src, cap, &cap, err)) return err->type;
        break;
    case CNodeMove: cap = src->cap; break;
    default: /* Mutate */
        if (inv->length < 5) return error_plain(err, seL4_TruncatedMessage);
        cap = cap_update_data(src->cap, inv_arg(inv, 4), true);
        break;
    }
    if (cap_is_null(cap)) return error_plain(err, seL4_IllegalOperation);
    if (move)
        cdt_move(cap, src, dest);
    else
        cdt_insert(cap, src, dest);
    return seL4_NoError;
}

static seL4_Error rotate(struct invocation *inv, struct cte *dest, struct syscall_error *err)
{
    if (inv->length < 8 || inv->nextra < 2) return error_plain(err, seL4_TruncatedMessage);
    word_t pivot_data = inv_arg(inv, 2), pivot_index = inv_arg(inv, 3);
    word_t pivot_depth = inv_arg(inv, 4), src_data = inv_arg(inv, 5);
    word_t src_index = inv_arg(inv, 6), src_depth = inv_arg(inv, 7);
    struct cte *src, *pivot;
    if (lookup_target_slot(inv->extra[1]->cap, src_index, src_depth, &src, true, err) ||
        lookup_target_slot(inv->extra[0]->cap, pivot_index, pivot_depth, &pivot, false, err))
        return err->type;
    if (pivot == src || pivot == dest) return error_plain(err, seL4_IllegalOperation);
    if (src != dest && empty_slot_required(dest, err)) return err->type;
    if (cap_is_null(src->cap))
        return error_failed_lookup(err, true,
                                   (struct lookup_fault){seL4_MissingCapability, src_depth, 0, 0});
    if (cap_is_null(pivot->cap))
        return error_failed_lookup(
            err, false, (struct lookup_fault){seL4_MissingCapability, pivot_depth, 0, 0});
    struct cap new_src = cap_update_data(src->cap, src_data, true);
    struct cap new_pivot = cap_update_data(pivot->cap, pivot_data, true);
    if (cap_is_null(new_src) || cap_is_null(new_pivot))
        return error_plain(err, seL4_IllegalOperation);
    if (src == dest) {
        cdt_swap(new_src, src, new_pivot, pivot);
    } else {
        cdt_move(new_pivot, pivot, dest);
        cdt_move(new_src, src, pivot);
    }
    return seL4_NoError;
}

static seL4_Error save_caller(struct invocation *inv, struct cte *dest, struct syscall_error *err)
{
    if (empty_slot_required(dest, err)) return err->type;
    struct cte *caller = &inv->caller->slots[TCB_CALLER];
    if (cap_type(caller->cap) == CAP_REPLY) cdt_move(caller->cap, caller, dest);
    return seL4_NoError;
}

static bool has_cancel_send_rights(struct cap c)
{
    return cap_type(c) == CAP_ENDPOINT && cap_can_send(c) && cap_can_receive(c) &&
           cap_can_grant(c) && cap_can_grant_reply(c);
}

seL4_Error decode_cnode(struct invocation *inv, struct syscall_error *err)
{
    if (inv->label < CNodeRevoke || inv->label > CNodeSaveCaller)
        return error_plain(err, seL4_IllegalOperation);
    if (inv->length < 2) return error_plain(err, seL4_TruncatedMessage);
    struct cte *dest;
    if (lookup_target_slot(inv->cap, inv_arg(inv, 0), inv_arg(inv, 1), &dest, false, err))
        return err->type;
    switch (inv->label) {
    case CNodeCopy:
    case CNodeMint:
    case CNodeMove:
    case CNodeMutate: return copy_or_move(inv, dest, err);
    case CNodeRotate: return rotate(inv, dest, err);
    case CNodeRevoke: return cdt_revoke(dest, &inv->caller->delete_progress);
    case CNodeDelete: return cdt_delete(dest, &inv->caller->delete_progress);
    case CNodeSaveCaller: return save_caller(inv, dest, err);
    default: /* CancelBadgedSends */
        if (!has_cancel_send_rights(dest->cap)) return error_plain(err, seL4_IllegalOperation);
        if (cap_badge(dest->cap))
            endpoint_cancel_badged_sends(cap_ptr(dest->cap), cap_badge(dest->cap));
        return seL4_NoError;
    }
}
