#include <arch/context.h>

const uint8_t arch_user_context_reg[ARCH_USER_CONTEXT_WORDS] = {
    CTX_FAULT_IP,
    CTX_RA,
    CTX_SP,
    CTX_GP,
    /* s0..s11 */
    CTX_S0,
    CTX_S1,
    CTX_S2,
    CTX_S2 + 1,
    CTX_S2 + 2,
    CTX_S2 + 3,
    CTX_S2 + 4,
    CTX_S2 + 5,
    CTX_S2 + 6,
    CTX_S2 + 7,
    CTX_S2 + 8,
    CTX_S2 + 9,
    /* a0..a7 */
    CTX_A0,
    CTX_A1,
    CTX_A2,
    CTX_A3,
    CTX_A4,
    CTX_A5,
    CTX_A6,
    CTX_A7,
    /* t0..t6 */
    CTX_T0,
    CTX_T1,
    CTX_T2,
    CTX_T3,
    CTX_T3 + 1,
    CTX_T3 + 2,
    CTX_T6,
    CTX_TP,
};
