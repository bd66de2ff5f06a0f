/* seL4 bootinfo layout and initial root CNode slots (riscv64, non-MCS); ABI sheet §10, §11. */
#ifndef SEL4_BOOTINFO_H
#define SEL4_BOOTINFO_H

#include <sel4/types.h>

enum seL4_RootCNodeCapSlots {
    seL4_CapNull = 0,
    seL4_CapInitThreadTCB = 1,
    seL4_CapInitThreadCNode = 2,
    seL4_CapInitThreadVSpace = 3,
    seL4_CapIRQControl = 4,
    seL4_CapASIDControl = 5,
    seL4_CapInitThreadASIDPool = 6,
    seL4_CapIOPortControl = 7,
    seL4_CapIOSpace = 8,
    seL4_CapBootInfoFrame = 9,
    seL4_CapInitThreadIPCBuffer = 10,
    seL4_CapDomain = 11,
    seL4_CapSMMUSIDControl = 12,
    seL4_CapSMMUCBControl = 13,
    seL4_CapInitThreadSC = 14,
    seL4_CapSMC = 15,
    seL4_NumInitialCaps = 16,
};
#define seL4_CapInitThreadPD seL4_CapInitThreadVSpace

#define seL4_MaxBootInfoUntypedCaps 230
#define seL4_BootInfoFrameSize      (1 << seL4_BootInfoFrameBits)

typedef struct {
    seL4_SlotPos start; /* first slot of the region */
    seL4_SlotPos end;   /* first slot after the region */
} seL4_SlotRegion;

typedef struct {
    seL4_Word paddr;
    seL4_Uint8 sizeBits;
    seL4_Uint8 isDevice;
    seL4_Uint8 padding[6];
} seL4_UntypedDesc;

typedef struct {
    seL4_Word extraLen;
    seL4_NodeId nodeID;
    seL4_Word numNodes;
    seL4_Word numIOPTLevels;
    seL4_IPCBuffer *ipcBuffer;
    seL4_SlotRegion empty;
    seL4_SlotRegion sharedFrames;
    seL4_SlotRegion userImageFrames;
    seL4_SlotRegion userImagePaging;
    seL4_SlotRegion ioSpaceCaps;
    seL4_SlotRegion extraBIPages;
    seL4_Word initThreadCNodeSizeBits;
    seL4_Domain initThreadDomain;
    seL4_SlotRegion untyped;
    seL4_UntypedDesc untypedList[seL4_MaxBootInfoUntypedCaps];
} seL4_BootInfo;

_Static_assert(sizeof(seL4_BootInfo) == 3848, "seL4_BootInfo layout of seL4 16.0.0");
_Static_assert(__builtin_offsetof(seL4_BootInfo, untypedList) == 168, "untypedList offset");

typedef enum {
    SEL4_BOOTINFO_HEADER_PADDING = 0,
    SEL4_BOOTINFO_HEADER_FDT = 6,
    SEL4_BOOTINFO_HEADER_NUM = 7,
} seL4_BootInfoID;

typedef struct {
    seL4_Word id;
    seL4_Word len; /* including this header */
} seL4_BootInfoHeader;

#endif
