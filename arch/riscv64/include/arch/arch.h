/*
 * What the architecture-independent kernel may ask of the machine. Everything RISC-V specific
 * (CSRs, SBI, trap causes, page-table formats) stays behind these functions.
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/context.h>
#include <arch/layout.h>

/* Pending interrupt kinds reported by arch_pending_interrupts(). */
#define ARCH_PENDING_TIMER    0x1
#define ARCH_PENDING_IPI      0x2
#define ARCH_PENDING_EXTERNAL 0x4

enum arch_clock { ARCH_CLOCK_ICOUNT, ARCH_CLOCK_REALTIME };

struct arch_boot_info {
    const char *isa;      /* the boot hart's riscv,isa string from the device tree */
    uint64_t timebase_hz; /* the device tree's timebase-frequency: the rate of `time` */
};

/* How the kernel was entered (DESIGN §3.3). */
struct boot_handoff {
    bool from_elfloader;
    uint64_t hart_id;
    uint64_t dtb_paddr, dtb_size; /* dtb_size 0: read it from the device tree's header */
    /* seL4's elfloader only: the root task's image, already loaded */
    uint64_t image_paddr_start, image_paddr_end, pv_offset, entry;
};
void arch_boot_handoff(struct boot_handoff *out);

void arch_init_boot_hart(const struct arch_boot_info *info);
/* Per-hart setup (counters, interrupt enables, timer off); arch_init_boot_hart includes it. */
void arch_init_hart(void);

/* SMP (SBI HSM and IPI). Hart ids here are the hardware's; masks have bit per hart id. */
bool arch_start_hart(uint64_t hart_id, unsigned index); /* enters secondary_kernel(index, id) */
void arch_send_ipi(uint64_t hart_ids);
void arch_clear_ipi(void);
void arch_wait_for_ipi(void); /* wfi that only another hart's IPI ends */
void arch_set_hart_local(void *hart);
/* tp, which the kernel keeps pointing at this hart's data (the trap entry loads it; gcc allocates
 * it to nothing), read as a register variable: its fields are addressed off tp itself, with no
 * copy into another register first. */
register void *arch_tp __asm__("tp");
static inline void *arch_hart_local(void) { return arch_tp; }

/* Time: nanoseconds of emulated time, a one-shot timer. The kernel finds out at boot which clock
 * reads it (arch_clock_init, DESIGN §6): under icount the cycle counter counts virtual ns
 * exactly (arch_cycles_ns); otherwise `time` (QEMU's virtual clock, wall-clock time without
 * icount) scaled from its timebase (arch_time_ns). Each hart keeps which in its own data (the
 * kernel's clock_now), one load from tp: every trace record reads the clock. */
#define ARCH_TICK_NS_SHIFT 32
extern enum arch_clock arch_clock_source;
extern uint64_t arch_tick_ns_mult; /* ns per `time` tick, 32.32 fixed point, rounded up */
static inline uint64_t arch_cycles_ns(void)
{
    uint64_t v;
    __asm__ volatile("rdcycle %0" : "=r"(v));
    return v;
}
static inline uint64_t arch_time_ns(void)
{
    uint64_t v;
    __asm__ volatile("rdtime %0" : "=r"(v));
    return (uint64_t)(((unsigned __int128)v * arch_tick_ns_mult) >> ARCH_TICK_NS_SHIFT);
}
/* Which clock to use, found by probing (interrupts off, timer disarmed); boot hart, once. */
void arch_clock_init(uint64_t timebase_hz, bool have_sstc);
uint64_t arch_timebase_hz(void);
void arch_set_timer(uint64_t deadline_ns);
unsigned arch_pending_interrupts(void);
void arch_ack_timer(void);
void arch_wait_for_interrupt(void);

/* The kernel's console: SBI's (DBCN where the firmware has it, else legacy putchar), so no
 * device is kept from user level. */
void arch_console_init(void);
void arch_console_write(const char *s, uint64_t n);
void arch_console_putc(char c);
const char *arch_console_kind(void);
bool arch_semihosting_enabled(void);
void arch_enable_semihosting(void);
long arch_semihost_open(const char *path, long mode);
long arch_semihost_write(long fd, const void *buf, uint64_t len);
void arch_semihost_close(long fd);
_Noreturn void arch_halt(int status);

/* Device interrupts (PLIC). Sources are numbered from 1. */
void arch_irq_init(uint64_t plic_base, unsigned hart_id); /* sources go to this hardware hart */
void arch_irq_enable(unsigned irq, bool on);
unsigned arch_irq_claim(void); /* 0 when nothing is pending */
void arch_irq_complete(unsigned irq);

/* Threads. */
void arch_init_user_context(struct arch_context *ctx);
_Noreturn void arch_restore_user(struct arch_context *ctx);
/* The same, declared as returning: gcc never turns a call of a _Noreturn function into a jump, so
 * a path whose last act is the restore (the IPC fastpath) would save a return address for it. It
 * never returns all the same: only a tail call may use it. */
void arch_restore_user_jump(struct arch_context *ctx) __asm__("arch_restore_user");
/* Where the thread's next trap finds this hart's kernel stack and hart data (inlined: every
 * exit). */
static inline void arch_prepare_return(struct arch_context *ctx, void *hart, uint64_t kernel_sp)
{
    ctx->regs[CTX_KERNEL_SP] = kernel_sp;
    ctx->regs[CTX_KERNEL_TP] = (uint64_t)hart;
}
/* Has an exit on this hart prepared ctx's return already (the fastpath's one-hart exit: a
 * blocked thread has trapped, so it had been returned to; INVARIANT checks this)? */
static inline bool arch_prepared_for(const struct arch_context *ctx, const void *hart,
                                     uint64_t kernel_sp)
{
    return ctx->regs[CTX_KERNEL_SP] == kernel_sp && ctx->regs[CTX_KERNEL_TP] == (uint64_t)hart;
}

/* fn(arg) under the C ABI, called so that the caller saves nothing: every register but the
 * result's is kept (arch_preserving_trampoline, preserving.S). For a rarely taken call inside an
 * inlined hot path (a full trace buffer), which would otherwise make every function it is inlined
 * into keep its values in callee-saved registers, saved and restored on every entry. */
static inline uint64_t arch_call_preserving(uint64_t (*fn)(uint64_t), uint64_t arg)
{
    register uint64_t a0 __asm__("a0") = arg;
    register uint64_t (*a1)(uint64_t) __asm__("a1") = fn;
    __asm__ volatile("addi sp, sp, -16\n"
                     "sd ra, 0(sp)\n"
                     "call arch_preserving_trampoline\n"
                     "ld ra, 0(sp)\n"
                     "addi sp, sp, 16"
                     : "+r"(a0)
                     : "r"(a1)
                     : "memory");
    return a0;
}

/* This hart's FPU registers to and from memory (kernel/fpu.c decides when). The kernel itself
 * never uses floating point, so the registers hold user state across kernel entries. */
void arch_fpu_save(struct arch_fpu_state *to);
void arch_fpu_load(const struct arch_fpu_state *from);
/* The registers to `to`, then `from`'s into them: a switch between two FPU users in one pass. */
void arch_fpu_swap(struct arch_fpu_state *to, const struct arch_fpu_state *from);
/* arch_fpu_swap, then arch_restore_user(ctx). Declared as returning, as arch_restore_user_jump
 * and for the same reason: only a tail call may use it. */
void arch_fpu_swap_restore_user(struct arch_fpu_state *to, const struct arch_fpu_state *from,
                                struct arch_context *ctx);

/* Address spaces (Sv39). A page table is one 4 KiB page of 512 entries. */
typedef uint64_t arch_pte_t;
#define ARCH_PT_ENTRIES 512
#define ARCH_PT_LEVELS  3
void arch_init_kernel_vspace(void);
void arch_copy_kernel_mappings(arch_pte_t *root);
void arch_activate_vspace(arch_pte_t *root, unsigned asid);
void arch_activate_kernel_vspace(void);
unsigned arch_pt_index(uint64_t vaddr, int level); /* level 2 = root, 0 = leaf */
arch_pte_t arch_pte_table(uint64_t table_paddr);
arch_pte_t arch_pte_page(uint64_t frame_paddr, bool read, bool write, bool exec);
/* A leaf entry at `level` (1 = 2 MiB, 2 = 1 GiB) rather than a table pointer. */
bool arch_pte_is_leaf(arch_pte_t pte);
bool arch_pte_valid(arch_pte_t pte);
bool arch_pte_is_table(arch_pte_t pte);
uint64_t arch_pte_paddr(arch_pte_t pte);
void arch_flush_tlb(void);

/* Physical <-> kernel virtual, through the kernel window. */
static inline void *paddr_to_kptr(uint64_t pa) { return (void *)(pa + KERNEL_PHYSMAP_BASE); }
static inline uint64_t kptr_to_paddr(const void *p)
{
    uint64_t va = (uint64_t)p;
    if (va >= KERNEL_ELF_BASE) return va - KERNEL_ELF_BASE + KERNEL_ELF_PHYS;
    return va - KERNEL_PHYSMAP_BASE;
}

#endif
