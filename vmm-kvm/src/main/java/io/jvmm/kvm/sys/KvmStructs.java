package io.jvmm.kvm.sys;

/**
 * Sizes and field offsets of the KVM structs jvmm exchanges with the kernel, for x86-64
 * ({@code <linux/kvm.h>}, {@code <asm/kvm.h>}). jvmm reads and writes these structs through
 * little-endian {@link java.nio.ByteBuffer}s at these offsets; no JNA {@code Structure}
 * marshalling is involved. {@code KvmAbiTest} compiles a C program against the installed headers
 * and compares every value here with {@code sizeof}/{@code offsetof}.
 *
 * <p>Offsets follow the C declaration order with natural alignment; each nested class mirrors one
 * struct and is named after it.
 */
public final class KvmStructs {
    private KvmStructs() {
    }

    /**
     * {@code struct kvm_run}: the per-vCPU page shared with the kernel, mmapped from the vCPU
     * descriptor (api.rst 5. "The kvm_run structure"). The exit union starts at {@link #EXIT_UNION};
     * the member classes below give offsets from the start of {@code kvm_run}.
     */
    public static final class KvmRun {
        public static final int REQUEST_INTERRUPT_WINDOW = 0; // __u8
        public static final int IMMEDIATE_EXIT = 1;           // __u8
        public static final int EXIT_REASON = 8;              // __u32, after __u8 padding1[6]
        public static final int READY_FOR_INTERRUPT_INJECTION = 12; // __u8
        public static final int IF_FLAG = 13;                 // __u8
        public static final int FLAGS = 14;                   // __u16
        public static final int CR8 = 16;                     // __u64
        public static final int APIC_BASE = 24;               // __u64
        /** The anonymous exit union (256 bytes: {@code char padding[256]}). */
        public static final int EXIT_UNION = 32;
        public static final int EXIT_UNION_SIZE = 256;
        public static final int KVM_VALID_REGS = EXIT_UNION + EXIT_UNION_SIZE; // __u64
        public static final int KVM_DIRTY_REGS = KVM_VALID_REGS + 8;          // __u64
        /** The synced-registers union ({@code char padding[2048]}). */
        public static final int S = KVM_DIRTY_REGS + 8;
        public static final int S_SIZE = 2048;
        public static final int SIZE = S + S_SIZE;

        /** {@code hw}: KVM_EXIT_UNKNOWN. */
        public static final int HW_HARDWARE_EXIT_REASON = EXIT_UNION;          // __u64

        /** {@code fail_entry}: KVM_EXIT_FAIL_ENTRY. */
        public static final int FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON = EXIT_UNION; // __u64
        public static final int FAIL_ENTRY_CPU = EXIT_UNION + 8;                        // __u32

        /** {@code io}: KVM_EXIT_IO. The data lives at {@code data_offset} bytes from the start of kvm_run. */
        public static final int IO_DIRECTION = EXIT_UNION;       // __u8
        public static final int IO_SIZE = EXIT_UNION + 1;        // __u8
        public static final int IO_PORT = EXIT_UNION + 2;        // __u16
        public static final int IO_COUNT = EXIT_UNION + 4;       // __u32
        public static final int IO_DATA_OFFSET = EXIT_UNION + 8; // __u64

        /** {@code mmio}: KVM_EXIT_MMIO. */
        public static final int MMIO_PHYS_ADDR = EXIT_UNION;     // __u64
        public static final int MMIO_DATA = EXIT_UNION + 8;      // __u8 data[8]
        public static final int MMIO_DATA_SIZE = 8;
        public static final int MMIO_LEN = EXIT_UNION + 16;      // __u32
        public static final int MMIO_IS_WRITE = EXIT_UNION + 20; // __u8

        /** {@code internal}: KVM_EXIT_INTERNAL_ERROR. */
        public static final int INTERNAL_SUBERROR = EXIT_UNION;  // __u32
        public static final int INTERNAL_NDATA = EXIT_UNION + 4; // __u32
        public static final int INTERNAL_DATA = EXIT_UNION + 8;  // __u64 data[16]
        public static final int INTERNAL_DATA_MAX = 16;

        /** {@code system_event}: KVM_EXIT_SYSTEM_EVENT; {@code flags} aliases {@code data[0]}. */
        public static final int SYSTEM_EVENT_TYPE = EXIT_UNION;      // __u32
        public static final int SYSTEM_EVENT_NDATA = EXIT_UNION + 4; // __u32
        public static final int SYSTEM_EVENT_FLAGS = EXIT_UNION + 8; // __u64 (union with data[16])

        private KvmRun() {
        }
    }

    /** {@code struct kvm_regs}: eighteen {@code __u64} in this order. */
    public static final class KvmRegs {
        public static final int RAX = 0;
        public static final int RBX = 8;
        public static final int RCX = 16;
        public static final int RDX = 24;
        public static final int RSI = 32;
        public static final int RDI = 40;
        public static final int RSP = 48;
        public static final int RBP = 56;
        public static final int R8 = 64;
        public static final int R9 = 72;
        public static final int R10 = 80;
        public static final int R11 = 88;
        public static final int R12 = 96;
        public static final int R13 = 104;
        public static final int R14 = 112;
        public static final int R15 = 120;
        public static final int RIP = 128;
        public static final int RFLAGS = 136;
        public static final int SIZE = 144;

        private KvmRegs() {
        }
    }

    /** {@code struct kvm_segment}. */
    public static final class KvmSegment {
        public static final int BASE = 0;      // __u64
        public static final int LIMIT = 8;     // __u32
        public static final int SELECTOR = 12; // __u16
        public static final int TYPE = 14;     // __u8
        public static final int PRESENT = 15;
        public static final int DPL = 16;
        public static final int DB = 17;
        public static final int S = 18;
        public static final int L = 19;
        public static final int G = 20;
        public static final int AVL = 21;
        public static final int UNUSABLE = 22;
        public static final int PADDING = 23;
        public static final int SIZE = 24;

        private KvmSegment() {
        }
    }

    /** {@code struct kvm_dtable}: base, limit and three {@code __u16} of padding. */
    public static final class KvmDtable {
        public static final int BASE = 0;  // __u64
        public static final int LIMIT = 8; // __u16
        public static final int SIZE = 16;

        private KvmDtable() {
        }
    }

    /** {@code struct kvm_sregs}. */
    public static final class KvmSregs {
        public static final int CS = 0;
        public static final int DS = CS + KvmSegment.SIZE;
        public static final int ES = DS + KvmSegment.SIZE;
        public static final int FS = ES + KvmSegment.SIZE;
        public static final int GS = FS + KvmSegment.SIZE;
        public static final int SS = GS + KvmSegment.SIZE;
        public static final int TR = SS + KvmSegment.SIZE;
        public static final int LDT = TR + KvmSegment.SIZE;
        public static final int GDT = LDT + KvmSegment.SIZE;
        public static final int IDT = GDT + KvmDtable.SIZE;
        public static final int CR0 = IDT + KvmDtable.SIZE;
        public static final int CR2 = CR0 + 8;
        public static final int CR3 = CR2 + 8;
        public static final int CR4 = CR3 + 8;
        public static final int CR8 = CR4 + 8;
        public static final int EFER = CR8 + 8;
        public static final int APIC_BASE = EFER + 8;
        /** {@code __u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64]}, KVM_NR_INTERRUPTS = 256. */
        public static final int INTERRUPT_BITMAP = APIC_BASE + 8;
        public static final int INTERRUPT_BITMAP_WORDS = 256 / 64;
        public static final int SIZE = INTERRUPT_BITMAP + INTERRUPT_BITMAP_WORDS * 8;

        private KvmSregs() {
        }
    }

    /** {@code struct kvm_fpu}. */
    public static final class KvmFpu {
        /** {@code __u8 fpr[8][16]}: x87 registers, 80 bits used of each 16. */
        public static final int FPR = 0;
        public static final int FPR_SIZE = 8 * 16;
        public static final int FCW = FPR + FPR_SIZE;     // __u16
        public static final int FSW = FCW + 2;            // __u16
        public static final int FTWX = FSW + 2;           // __u8, abridged tag word
        public static final int LAST_OPCODE = FTWX + 2;   // __u16, after __u8 pad1
        public static final int LAST_IP = LAST_OPCODE + 2; // __u64
        public static final int LAST_DP = LAST_IP + 8;    // __u64
        /** {@code __u8 xmm[16][16]}. */
        public static final int XMM = LAST_DP + 8;
        public static final int XMM_SIZE = 16 * 16;
        public static final int MXCSR = XMM + XMM_SIZE;   // __u32
        public static final int SIZE = MXCSR + 4 + 4;     // + __u32 pad2

        private KvmFpu() {
        }
    }

    /** {@code struct kvm_msr_entry}. */
    public static final class KvmMsrEntry {
        public static final int INDEX = 0; // __u32
        public static final int DATA = 8;  // __u64, after __u32 reserved
        public static final int SIZE = 16;

        private KvmMsrEntry() {
        }
    }

    /** {@code struct kvm_msrs}: a header followed by {@code nmsrs} {@link KvmMsrEntry}s. */
    public static final class KvmMsrs {
        public static final int NMSRS = 0;   // __u32
        public static final int ENTRIES = 8; // after __u32 pad
        public static final int SIZE = 8;

        private KvmMsrs() {
        }
    }

    /** {@code struct kvm_msr_list}: {@code nmsrs} then {@code __u32 indices[]}. */
    public static final class KvmMsrList {
        public static final int NMSRS = 0;
        public static final int INDICES = 4;
        public static final int SIZE = 4;

        private KvmMsrList() {
        }
    }

    /** {@code struct kvm_cpuid_entry2}. */
    public static final class KvmCpuidEntry2 {
        public static final int FUNCTION = 0;
        public static final int INDEX = 4;
        public static final int FLAGS = 8;
        public static final int EAX = 12;
        public static final int EBX = 16;
        public static final int ECX = 20;
        public static final int EDX = 24;
        public static final int SIZE = 40; // + __u32 padding[3]

        private KvmCpuidEntry2() {
        }
    }

    /** {@code struct kvm_cpuid2}: a header followed by {@code nent} {@link KvmCpuidEntry2}s. */
    public static final class KvmCpuid2 {
        public static final int NENT = 0;    // __u32
        public static final int ENTRIES = 8; // after __u32 padding
        public static final int SIZE = 8;

        private KvmCpuid2() {
        }
    }

    /** {@code struct kvm_lapic_state}: the local APIC register page as the guest sees it. */
    public static final class KvmLapicState {
        public static final int REGS = 0;
        public static final int SIZE = 1024; // KVM_APIC_REG_SIZE

        private KvmLapicState() {
        }
    }

    /** {@code struct kvm_userspace_memory_region}. */
    public static final class KvmUserspaceMemoryRegion {
        public static final int SLOT = 0;             // __u32
        public static final int FLAGS = 4;            // __u32
        public static final int GUEST_PHYS_ADDR = 8;  // __u64
        public static final int MEMORY_SIZE = 16;     // __u64
        public static final int USERSPACE_ADDR = 24;  // __u64
        public static final int SIZE = 32;

        private KvmUserspaceMemoryRegion() {
        }
    }

    /** {@code struct kvm_dirty_log}. */
    public static final class KvmDirtyLog {
        public static final int SLOT = 0;         // __u32
        public static final int DIRTY_BITMAP = 8; // void * (union with __u64 padding2), after __u32 padding1
        public static final int SIZE = 16;

        private KvmDirtyLog() {
        }
    }

    /** {@code struct kvm_irq_level}. */
    public static final class KvmIrqLevel {
        public static final int IRQ = 0;   // __u32 (union with __s32 status)
        public static final int LEVEL = 4; // __u32
        public static final int SIZE = 8;

        private KvmIrqLevel() {
        }
    }

    /** {@code struct kvm_pit_config}. */
    public static final class KvmPitConfig {
        public static final int FLAGS = 0; // __u32, then __u32 pad[15]
        public static final int SIZE = 64;

        private KvmPitConfig() {
        }
    }

    /** {@code struct kvm_ioeventfd} (api.rst 4.59). */
    public static final class KvmIoeventfd {
        public static final int DATAMATCH = 0; // __u64
        public static final int ADDR = 8;      // __u64
        public static final int LEN = 16;      // __u32
        public static final int FD = 20;       // __s32
        public static final int FLAGS = 24;    // __u32, then __u8 pad[36]
        public static final int SIZE = 64;

        private KvmIoeventfd() {
        }
    }

    /** {@code struct kvm_irqfd} (api.rst 4.75). */
    public static final class KvmIrqfd {
        public static final int FD = 0;         // __u32
        public static final int GSI = 4;        // __u32
        public static final int FLAGS = 8;      // __u32
        public static final int RESAMPLEFD = 12; // __u32, then __u8 pad[16]
        public static final int SIZE = 32;

        private KvmIrqfd() {
        }
    }

    /** {@code struct kvm_mp_state}. */
    public static final class KvmMpState {
        public static final int MP_STATE = 0; // __u32
        public static final int SIZE = 4;

        private KvmMpState() {
        }
    }
}
