/* Trap dispatch: turn a RISC-V trap cause into the kernel's syscall, interrupt or fault entry. */
#include <arch/arch.h>
#include <arch/csr.h>
#include <kernel/enter.h>
#include <kernel/entry.h>
#include <kernel/fpu.h>

void arch_handle_trap(struct arch_context *ctx, uint64_t cause)
{
    kernel_enter();
    if (cause & SCAUSE_INTERRUPT) {
        kernel_handle_interrupts();
    } else if (!kernel_trap_proceeds()) {
        /* the thread was stopped meanwhile: a system call is re-executed if it runs again */
    } else if (cause == CAUSE_USER_ECALL) {
        arch_syscall_return_past(ctx);
        kernel_handle_syscall((int64_t)ctx->regs[CTX_A7]);
    } else {
        uint64_t addr = csr_read(stval);
        switch (cause) {
        case CAUSE_FETCH_ACCESS:
        case CAUSE_FETCH_PAGE_FAULT: kernel_handle_vm_fault(addr, true, CAUSE_FETCH_ACCESS); break;
        case CAUSE_LOAD_ACCESS:
        case CAUSE_LOAD_PAGE_FAULT: kernel_handle_vm_fault(addr, false, CAUSE_LOAD_ACCESS); break;
        case CAUSE_STORE_ACCESS:
        case CAUSE_STORE_PAGE_FAULT: kernel_handle_vm_fault(addr, false, CAUSE_STORE_ACCESS); break;
        case CAUSE_ILLEGAL_INSTRUCTION:
            /* with the FPU off, the thread's first FP instruction: re-executed with it on */
            if (!arch_fpu_user_on(ctx) && fpu_first_use()) break;
            kernel_handle_user_exception(cause);
            break;
        default: kernel_handle_user_exception(cause);
        }
    }
    kernel_exit();
}

_Noreturn void arch_kernel_trap_panic(uint64_t cause, uint64_t pc, uint64_t tval)
{
    kernel_panic_trap(cause, pc, tval);
}
