/* The registers head.S saved at entry, read as the two boot protocols define them. */
#include <arch/arch.h>

extern uint64_t boot_registers[9];

void arch_boot_handoff(struct boot_handoff *out)
{
    const uint64_t *r = boot_registers;
    if (r[8]) {
        /* seL4's elfloader: init_kernel(ui_p_reg_start, ui_p_reg_end, pv_offset, v_entry,
         * dtb_addr_p, dtb_size, hart_id, core_id) */
        *out = (struct boot_handoff){.from_elfloader = true,
                                     .image_paddr_start = r[0],
                                     .image_paddr_end = r[1],
                                     .pv_offset = r[2],
                                     .entry = r[3],
                                     .dtb_paddr = r[4],
                                     .dtb_size = r[5],
                                     .hart_id = r[6]};
    } else {
        /* OpenSBI: a0 = hart id, a1 = device tree */
        *out = (struct boot_handoff){.hart_id = r[0], .dtb_paddr = r[1]};
    }
}
