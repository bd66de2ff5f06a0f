/* seL4 16.0.0 constants for riscv64 (Sv39, non-MCS, FPU on): see ../../../shared/seL4-abi-rv64.md
 * §3, §7. */
#ifndef SEL4_CONSTANTS_H
#define SEL4_CONSTANTS_H

#define seL4_WordBits                64
#define seL4_WordSizeBits            3
#define seL4_SlotBits                5
#define seL4_TCBBits                 11
#define seL4_EndpointBits            4
#define seL4_NotificationBits        5
#define seL4_PageBits                12
#define seL4_LargePageBits           21
#define seL4_HugePageBits            30
#define seL4_PageTableBits           12
#define seL4_PageTableEntryBits      3
#define seL4_PageTableIndexBits      9
#define seL4_VSpaceBits              12
#define seL4_ASIDPoolBits            12
#define seL4_NumASIDPoolsBits        7
#define seL4_ASIDPoolIndexBits       9
#define seL4_IPCBufferSizeBits       10
#define seL4_MinUntypedBits          4
#define seL4_MaxUntypedBits          38
#define seL4_BootInfoFrameBits       12
#define seL4_UntypedRetypeMaxObjects 256
#define seL4_GuardSizeBits           6
#define seL4_GuardBits               58
#define seL4_BadgeBits               64
#define seL4_CapRightsBits           4

#define seL4_MsgLengthBits            7
#define seL4_MsgExtraCapBits          2
#define seL4_MsgMaxLength             120
#define seL4_MsgMaxExtraCaps          3
#define seL4_FastMessageRegisterCount 4 /* a2..a5 */

#define seL4_MinPrio       0
#define seL4_MaxPrio       255
#define seL4_NumPriorities 256

#define seL4_UserTop       0x0000003FFFFFF000ull
#define seL4_UserVSpaceTop 0x0000003FFFFFEFFFull

#define seL4_RISCV_ExecuteNever         0x1
#define seL4_RISCV_Default_VMAttributes 0

#define seL4_TCBFlag_NoFlag      0
#define seL4_TCBFlag_fpuDisabled 1
#define seL4_TCBFlag_MASK        1

#define seL4_NilData 0

/* seL4_CapRights_t bits */
#define seL4_CapRight_Write      0x1
#define seL4_CapRight_Read       0x2
#define seL4_CapRight_Grant      0x4
#define seL4_CapRight_GrantReply 0x8
#define seL4_AllRights           0xF
#define seL4_ReadWrite           0x3
#define seL4_CanRead             0x2
#define seL4_CanWrite            0x1
#define seL4_CanGrant            0x4
#define seL4_CanGrantReply       0x8
#define seL4_NoWrite             0xE
#define seL4_NoRead              0xD
#define seL4_NoRights            0x0

#endif
