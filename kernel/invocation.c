#include <kernel/invocation.h>

void inv_reply_mr(struct invocation *inv, unsigned i, word_t value)
{
    set_mr(inv->caller, thread_ipc_buffer(inv->caller, true), i, value);
    if (i + 1 > inv->reply_length) inv->reply_length = i + 1;
}

word_t write_lookup_fault(struct tcb *t, word_t *buffer, unsigned offset,
                          const struct lookup_fault *f)
{
    set_mr(t, buffer, offset, f->type);
    switch (f->type) {
    case seL4_InvalidRoot: return 1;
    case seL4_MissingCapability: set_mr(t, buffer, offset + 1, f->bits_left); return 2;
    case seL4_DepthMismatch:
        set_mr(t, buffer, offset + 1, f->bits_left);
        set_mr(t, buffer, offset + 2, f->guard_found);
        return 3;
    case seL4_GuardMismatch:
        set_mr(t, buffer, offset + 1, f->bits_left);
        set_mr(t, buffer, offset + 2, f->guard_found);
        set_mr(t, buffer, offset + 3, f->bits_found);
        return 4;
    default: return 1;
    }
}

word_t write_error_reply(struct tcb *t, const struct syscall_error *err)
{
    word_t *buffer = thread_ipc_buffer(t, true);
    switch (err->type) {
    case seL4_InvalidArgument: set_mr(t, buffer, 0, err->invalid_argument); return 1;
    case seL4_InvalidCapability: set_mr(t, buffer, 0, err->invalid_cap); return 1;
    case seL4_RangeError:
        set_mr(t, buffer, 0, err->range_min);
        set_mr(t, buffer, 1, err->range_max);
        return 2;
    case seL4_FailedLookup:
        set_mr(t, buffer, 0, err->failed_lookup_was_source);
        return 1 + write_lookup_fault(t, buffer, 1, &err->lookup);
    case seL4_NotEnoughMemory: set_mr(t, buffer, 0, err->memory_left); return 1;
    default: return 0;
    }
}
