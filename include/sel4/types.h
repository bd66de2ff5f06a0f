/* seL4's basic user-visible types for riscv64; ABI sheet §3, §4, §11, §13. */
#ifndef SEL4_TYPES_H
#define SEL4_TYPES_H

#include <stdint.h>
#include <sel4/constants.h>

typedef uint64_t seL4_Word;
typedef seL4_Word seL4_CPtr;
typedef seL4_Word seL4_NodeId;
typedef seL4_Word seL4_Domain;
typedef seL4_Word seL4_SlotPos;
typedef uint8_t seL4_Uint8;
typedef uint16_t seL4_Uint16;
typedef uint32_t seL4_Uint32;
typedef uint64_t seL4_Uint64;
typedef int8_t seL4_Bool;
typedef seL4_Word seL4_CapRights_t;
typedef seL4_Word seL4_RISCV_VMAttributes;

/* One-word message descriptor: label [63:12], capsUnwrapped [11:9], extraCaps [8:7],
 * length [6:0]. */
typedef struct {
    seL4_Word words[1];
} seL4_MessageInfo_t;

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Word label, seL4_Word capsUnwrapped,
                                                      seL4_Word extraCaps, seL4_Word length)
{
    seL4_MessageInfo_t info = {{(label << 12) | ((capsUnwrapped & 0x7) << 9) |
                                ((extraCaps & 0x3) << 7) | (length & 0x7f)}};
    return info;
}
static inline seL4_Word seL4_MessageInfo_get_label(seL4_MessageInfo_t i)
{
    return i.words[0] >> 12;
}
static inline seL4_Word seL4_MessageInfo_get_capsUnwrapped(seL4_MessageInfo_t i)
{
    return (i.words[0] >> 9) & 0x7;
}
static inline seL4_Word seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t i)
{
    return (i.words[0] >> 7) & 0x3;
}
static inline seL4_Word seL4_MessageInfo_get_length(seL4_MessageInfo_t i)
{
    return i.words[0] & 0x7f;
}

typedef struct seL4_IPCBuffer_ {
    seL4_MessageInfo_t tag;
    seL4_Word msg[seL4_MsgMaxLength];
    seL4_Word userData;
    seL4_Word caps_or_badges[seL4_MsgMaxExtraCaps];
    seL4_CPtr receiveCNode;
    seL4_CPtr receiveIndex;
    seL4_Word receiveDepth;
} __attribute__((aligned(1 << seL4_IPCBufferSizeBits))) seL4_IPCBuffer;

_Static_assert(sizeof(seL4_IPCBuffer) == 1024, "seL4_IPCBuffer is 1 KiB");

/* Register context as seen by TCB ReadRegisters / WriteRegisters. */
typedef struct {
    seL4_Word pc, ra, sp, gp;
    seL4_Word s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
    seL4_Word a0, a1, a2, a3, a4, a5, a6, a7;
    seL4_Word t0, t1, t2, t3, t4, t5, t6;
    seL4_Word tp;
} seL4_UserContext;

_Static_assert(sizeof(seL4_UserContext) == 256, "seL4_UserContext is 32 words");

#endif
