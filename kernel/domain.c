/*
 * DomainSet invocations (seL4's domain scheduler interface). This kernel has one domain
 * (seL4's default CONFIG_NUM_DOMAINS = 1), so these record what they are told and change no
 * scheduling; the checks and errors are seL4's, so programs that configure domains run unchanged.
 */
#include <kernel/invocation.h>

#define NUM_DOMAINS          1
#define NUM_DOMAIN_SCHEDULES 2
#define MAX_DOMAIN_DURATION  (BIT(56) - 1)

struct domain_entry {
    word_t domain, duration;
};

/* seL4's default schedule: domain 0, then the end marker (domain 0, duration 0). */
static struct domain_entry schedule[NUM_DOMAIN_SCHEDULES] = {{0, 1}, {0, 0}};
static word_t schedule_start;

static seL4_Error domain_set(struct invocation *inv, struct syscall_error *err)
{
    if (inv->length < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t domain = inv_arg(inv, 0) & 0xff;
    if (domain >= NUM_DOMAINS) return error_invalid_argument(err, 0);
    if (inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    if (cap_type(inv->extra[0]->cap) != CAP_THREAD) return error_invalid_argument(err, 1);
    ((struct tcb *)cap_ptr(inv->extra[0]->cap))->domain = (uint8_t)domain;
    return seL4_NoError;
}

static seL4_Error schedule_configure(struct invocation *inv, struct syscall_error *err)
{
    if (inv->length < 3) return error_plain(err, seL4_TruncatedMessage);
    word_t index = inv_arg(inv, 0), domain = inv_arg(inv, 1) & 0xff, duration = inv_arg(inv, 2);
    /* the last entry stays the end marker: only the ones before it are configurable */
    if (index >= NUM_DOMAIN_SCHEDULES - 1) return error_range(err, 0, NUM_DOMAIN_SCHEDULES - 2);
    if (domain >= NUM_DOMAINS) return error_range(err, 0, NUM_DOMAINS - 1);
    if (duration > MAX_DOMAIN_DURATION) return error_invalid_argument(err, 2);
    if (duration == 0 && domain != 0) return error_invalid_argument(err, 1);
    if (index == schedule_start && duration == 0) return error_invalid_argument(err, 2);
    schedule[index] = (struct domain_entry){domain, duration};
    return seL4_NoError;
}

static seL4_Error schedule_set_start(struct invocation *inv, struct syscall_error *err)
{
    if (inv->length < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t index = inv_arg(inv, 0);
    if (index >= NUM_DOMAIN_SCHEDULES) return error_range(err, 0, NUM_DOMAIN_SCHEDULES - 1);
    if (schedule[index].domain == 0 && schedule[index].duration == 0)
        return error_invalid_argument(err, 0);
    schedule_start = index;
    return seL4_NoError;
}

seL4_Error decode_domain(struct invocation *inv, struct syscall_error *err)
{
    switch (inv->label) {
    case DomainSetSet: return domain_set(inv, err);
    case DomainScheduleConfigure: return schedule_configure(inv, err);
    case DomainScheduleSetStart: return schedule_set_start(inv, err);
    default: return error_plain(err, seL4_IllegalOperation);
    }
}
