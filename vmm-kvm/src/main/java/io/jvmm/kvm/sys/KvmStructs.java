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
        /**
         * {@code request_interrupt_window} ({@code __u8}, in): non-zero asks for KVM_EXIT_IRQ_WINDOW_OPEN once the guest can
         * take an interrupt.
         */
        public static final int REQUEST_INTERRUPT_WINDOW = 0; // __u8
        /** {@code immediate_exit} ({@code __u8}, in): non-zero makes KVM_RUN return EINTR at once (KVM_CAP_IMMEDIATE_EXIT). */
        public static final int IMMEDIATE_EXIT = 1;           // __u8
        /** {@code exit_reason} ({@code __u32}, out): a {@code KVM_EXIT_*} value of {@link KvmConstants}. */
        public static final int EXIT_REASON = 8;              // __u32, after __u8 padding1[6]
        /** {@code ready_for_interrupt_injection} ({@code __u8}, out): an interrupt can be injected now. */
        public static final int READY_FOR_INTERRUPT_INJECTION = 12; // __u8
        /** {@code if_flag} ({@code __u8}, out): the guest's RFLAGS.IF. */
        public static final int IF_FLAG = 13;                 // __u8
        /** {@code flags} ({@code __u16}, out): {@code KVM_RUN_X86_*} bits. */
        public static final int FLAGS = 14;                   // __u16
        /** {@code cr8} ({@code __u64}, in/out): the guest's CR8 (task priority). */
        public static final int CR8 = 16;                     // __u64
        /** {@code apic_base} ({@code __u64}, out): the guest's IA32_APIC_BASE MSR. */
        public static final int APIC_BASE = 24;               // __u64
        /** The anonymous exit union (256 bytes: {@code char padding[256]}). */
        public static final int EXIT_UNION = 32;
        /** Size in bytes of the exit union. */
        public static final int EXIT_UNION_SIZE = 256;
        /** {@code kvm_valid_regs} ({@code __u64}): the register sets the kernel synced into {@link #S} (KVM_CAP_SYNC_REGS). */
        public static final int KVM_VALID_REGS = EXIT_UNION + EXIT_UNION_SIZE; // __u64
        /** {@code kvm_dirty_regs} ({@code __u64}): the register sets in {@link #S} userspace changed. */
        public static final int KVM_DIRTY_REGS = KVM_VALID_REGS + 8;          // __u64
        /** The synced-registers union ({@code char padding[2048]}). */
        public static final int S = KVM_DIRTY_REGS + 8;
        /** Size in bytes of the synced-registers union. */
        public static final int S_SIZE = 2048;
        /** {@code sizeof(struct kvm_run)}: the smallest mapping jvmm accepts; port-I/O data follows it in the mapping. */
        public static final int SIZE = S + S_SIZE;

        /** {@code hw.hardware_exit_reason} ({@code __u64}) of KVM_EXIT_UNKNOWN: the VMX/SVM exit reason. */
        public static final int HW_HARDWARE_EXIT_REASON = EXIT_UNION;          // __u64

        /** {@code fail_entry.hardware_entry_failure_reason} ({@code __u64}) of KVM_EXIT_FAIL_ENTRY. */
        public static final int FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON = EXIT_UNION; // __u64
        /** {@code fail_entry.cpu} ({@code __u32}): the host CPU the entry failed on. */
        public static final int FAIL_ENTRY_CPU = EXIT_UNION + 8;                        // __u32

        /** {@code io.direction} ({@code __u8}) of KVM_EXIT_IO: {@code KVM_EXIT_IO_IN} or {@code KVM_EXIT_IO_OUT}. */
        public static final int IO_DIRECTION = EXIT_UNION;       // __u8
        /** {@code io.size} ({@code __u8}): the width of one access in bytes, 1, 2 or 4. */
        public static final int IO_SIZE = EXIT_UNION + 1;        // __u8
        /** {@code io.port} ({@code __u16}): the I/O port. */
        public static final int IO_PORT = EXIT_UNION + 2;        // __u16
        /** {@code io.count} ({@code __u32}): the number of accesses, more than 1 for {@code rep ins/outs}. */
        public static final int IO_COUNT = EXIT_UNION + 4;       // __u32
        /** {@code io.data_offset} ({@code __u64}): where the {@code size * count} data bytes lie, from the start of kvm_run. */
        public static final int IO_DATA_OFFSET = EXIT_UNION + 8; // __u64

        /** {@code mmio.phys_addr} ({@code __u64}) of KVM_EXIT_MMIO: the guest-physical address accessed. */
        public static final int MMIO_PHYS_ADDR = EXIT_UNION;     // __u64
        /** {@code mmio.data} ({@code __u8[8]}): the bytes the guest stored, or the bytes to return for a load. */
        public static final int MMIO_DATA = EXIT_UNION + 8;      // __u8 data[8]
        /** Size in bytes of {@code mmio.data}: the widest MMIO access. */
        public static final int MMIO_DATA_SIZE = 8;
        /** {@code mmio.len} ({@code __u32}): the access width in bytes, 1 to {@link #MMIO_DATA_SIZE}. */
        public static final int MMIO_LEN = EXIT_UNION + 16;      // __u32
        /** {@code mmio.is_write} ({@code __u8}): non-zero for a store. */
        public static final int MMIO_IS_WRITE = EXIT_UNION + 20; // __u8

        /** {@code internal.suberror} ({@code __u32}) of KVM_EXIT_INTERNAL_ERROR: a {@code KVM_INTERNAL_ERROR_*} value. */
        public static final int INTERNAL_SUBERROR = EXIT_UNION;  // __u32
        /** {@code internal.ndata} ({@code __u32}): how many words of {@code data} are valid. */
        public static final int INTERNAL_NDATA = EXIT_UNION + 4; // __u32
        /** {@code internal.data} ({@code __u64[16]}): suberror-specific words. */
        public static final int INTERNAL_DATA = EXIT_UNION + 8;  // __u64 data[16]
        /** Number of words in {@code internal.data}. */
        public static final int INTERNAL_DATA_MAX = 16;

        /** {@code system_event.type} ({@code __u32}) of KVM_EXIT_SYSTEM_EVENT: a {@code KVM_SYSTEM_EVENT_*} value. */
        public static final int SYSTEM_EVENT_TYPE = EXIT_UNION;      // __u32
        /** {@code system_event.ndata} ({@code __u32}): how many words of {@code data} are valid. */
        public static final int SYSTEM_EVENT_NDATA = EXIT_UNION + 4; // __u32
        /** {@code system_event.flags} ({@code __u64}), which shares its place with {@code data[0]}. */
        public static final int SYSTEM_EVENT_FLAGS = EXIT_UNION + 8; // __u64 (union with data[16])

        private KvmRun() {
        }
    }

    /** {@code struct kvm_regs}: eighteen {@code __u64} in this order. */
    public static final class KvmRegs {
        /** {@code rax} ({@code __u64}). */
        public static final int RAX = 0;
        /** {@code rbx} ({@code __u64}). */
        public static final int RBX = 8;
        /** {@code rcx} ({@code __u64}). */
        public static final int RCX = 16;
        /** {@code rdx} ({@code __u64}). */
        public static final int RDX = 24;
        /** {@code rsi} ({@code __u64}). */
        public static final int RSI = 32;
        /** {@code rdi} ({@code __u64}). */
        public static final int RDI = 40;
        /** {@code rsp} ({@code __u64}). */
        public static final int RSP = 48;
        /** {@code rbp} ({@code __u64}). */
        public static final int RBP = 56;
        /** {@code r8} ({@code __u64}). */
        public static final int R8 = 64;
        /** {@code r9} ({@code __u64}). */
        public static final int R9 = 72;
        /** {@code r10} ({@code __u64}). */
        public static final int R10 = 80;
        /** {@code r11} ({@code __u64}). */
        public static final int R11 = 88;
        /** {@code r12} ({@code __u64}). */
        public static final int R12 = 96;
        /** {@code r13} ({@code __u64}). */
        public static final int R13 = 104;
        /** {@code r14} ({@code __u64}). */
        public static final int R14 = 112;
        /** {@code r15} ({@code __u64}). */
        public static final int R15 = 120;
        /** {@code rip} ({@code __u64}). */
        public static final int RIP = 128;
        /** {@code rflags} ({@code __u64}). */
        public static final int RFLAGS = 136;
        /** {@code sizeof(struct kvm_regs)}: eighteen 8-byte registers. */
        public static final int SIZE = 144;

        private KvmRegs() {
        }
    }

    /** {@code struct kvm_segment}. */
    public static final class KvmSegment {
        /** {@code base} ({@code __u64}): the linear base address. */
        public static final int BASE = 0;      // __u64
        /** {@code limit} ({@code __u32}): the limit in bytes. */
        public static final int LIMIT = 8;     // __u32
        /** {@code selector} ({@code __u16}). */
        public static final int SELECTOR = 12; // __u16
        /** {@code type} ({@code __u8}): the 4-bit descriptor type. */
        public static final int TYPE = 14;     // __u8
        /** {@code present} ({@code __u8}): the P bit. */
        public static final int PRESENT = 15;
        /** {@code dpl} ({@code __u8}): the descriptor privilege level. */
        public static final int DPL = 16;
        /** {@code db} ({@code __u8}): the D/B bit. */
        public static final int DB = 17;
        /** {@code s} ({@code __u8}): the S bit (code or data, not system). */
        public static final int S = 18;
        /** {@code l} ({@code __u8}): the L bit (64-bit code). */
        public static final int L = 19;
        /** {@code g} ({@code __u8}): the G bit (4 KiB granularity). */
        public static final int G = 20;
        /** {@code avl} ({@code __u8}): the AVL bit. */
        public static final int AVL = 21;
        /** {@code unusable} ({@code __u8}): VMX's "segment unusable". */
        public static final int UNUSABLE = 22;
        /** {@code padding} ({@code __u8}), written as zero. */
        public static final int PADDING = 23;
        /** {@code sizeof(struct kvm_segment)}. */
        public static final int SIZE = 24;

        private KvmSegment() {
        }
    }

    /** {@code struct kvm_dtable}: base, limit and three {@code __u16} of padding. */
    public static final class KvmDtable {
        /** {@code base} ({@code __u64}): the table's linear address. */
        public static final int BASE = 0;  // __u64
        /** {@code limit} ({@code __u16}): the table's size in bytes minus one. */
        public static final int LIMIT = 8; // __u16
        /** {@code sizeof(struct kvm_dtable)}, padding included. */
        public static final int SIZE = 16;

        private KvmDtable() {
        }
    }

    /** {@code struct kvm_sregs}. */
    public static final class KvmSregs {
        /** {@code cs} ({@code struct kvm_segment}). */
        public static final int CS = 0;
        /** {@code ds} ({@code struct kvm_segment}). */
        public static final int DS = CS + KvmSegment.SIZE;
        /** {@code es} ({@code struct kvm_segment}). */
        public static final int ES = DS + KvmSegment.SIZE;
        /** {@code fs} ({@code struct kvm_segment}). */
        public static final int FS = ES + KvmSegment.SIZE;
        /** {@code gs} ({@code struct kvm_segment}). */
        public static final int GS = FS + KvmSegment.SIZE;
        /** {@code ss} ({@code struct kvm_segment}). */
        public static final int SS = GS + KvmSegment.SIZE;
        /** {@code tr} ({@code struct kvm_segment}). */
        public static final int TR = SS + KvmSegment.SIZE;
        /** {@code ldt} ({@code struct kvm_segment}). */
        public static final int LDT = TR + KvmSegment.SIZE;
        /** {@code gdt} ({@code struct kvm_dtable}). */
        public static final int GDT = LDT + KvmSegment.SIZE;
        /** {@code idt} ({@code struct kvm_dtable}). */
        public static final int IDT = GDT + KvmDtable.SIZE;
        /** {@code cr0} ({@code __u64}). */
        public static final int CR0 = IDT + KvmDtable.SIZE;
        /** {@code cr2} ({@code __u64}). */
        public static final int CR2 = CR0 + 8;
        /** {@code cr3} ({@code __u64}). */
        public static final int CR3 = CR2 + 8;
        /** {@code cr4} ({@code __u64}). */
        public static final int CR4 = CR3 + 8;
        /** {@code cr8} ({@code __u64}). */
        public static final int CR8 = CR4 + 8;
        /** {@code efer} ({@code __u64}). */
        public static final int EFER = CR8 + 8;
        /** {@code apic_base} ({@code __u64}): the IA32_APIC_BASE MSR. */
        public static final int APIC_BASE = EFER + 8;
        /** {@code __u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64]}, KVM_NR_INTERRUPTS = 256. */
        public static final int INTERRUPT_BITMAP = APIC_BASE + 8;
        /** Number of {@code __u64} words in the interrupt bitmap. */
        public static final int INTERRUPT_BITMAP_WORDS = 256 / 64;
        /** {@code sizeof(struct kvm_sregs)}. */
        public static final int SIZE = INTERRUPT_BITMAP + INTERRUPT_BITMAP_WORDS * 8;

        private KvmSregs() {
        }
    }

    /** {@code struct kvm_fpu}. */
    public static final class KvmFpu {
        /** {@code __u8 fpr[8][16]}: x87 registers, 80 bits used of each 16. */
        public static final int FPR = 0;
        /** Size in bytes of {@code fpr}: eight 16-byte slots. */
        public static final int FPR_SIZE = 8 * 16;
        /** {@code fcw} ({@code __u16}): the x87 control word. */
        public static final int FCW = FPR + FPR_SIZE;     // __u16
        /** {@code fsw} ({@code __u16}): the x87 status word. */
        public static final int FSW = FCW + 2;            // __u16
        /** {@code ftwx} ({@code __u8}): the abridged (FXSAVE) tag word, one bit per register. */
        public static final int FTWX = FSW + 2;           // __u8, abridged tag word
        /** {@code last_opcode} ({@code __u16}): the last x87 opcode. */
        public static final int LAST_OPCODE = FTWX + 2;   // __u16, after __u8 pad1
        /** {@code last_ip} ({@code __u64}): the last x87 instruction pointer. */
        public static final int LAST_IP = LAST_OPCODE + 2; // __u64
        /** {@code last_dp} ({@code __u64}): the last x87 data pointer. */
        public static final int LAST_DP = LAST_IP + 8;    // __u64
        /** {@code __u8 xmm[16][16]}. */
        public static final int XMM = LAST_DP + 8;
        /** Size in bytes of {@code xmm}: sixteen 16-byte registers. */
        public static final int XMM_SIZE = 16 * 16;
        /** {@code mxcsr} ({@code __u32}), which the kernel neither reads nor writes (see {@link io.jvmm.kvm.Fpu}). */
        public static final int MXCSR = XMM + XMM_SIZE;   // __u32
        /** {@code sizeof(struct kvm_fpu)}, the trailing {@code pad2} included. */
        public static final int SIZE = MXCSR + 4 + 4;     // + __u32 pad2

        private KvmFpu() {
        }
    }

    /** {@code struct kvm_msr_entry}. */
    public static final class KvmMsrEntry {
        /** {@code index} ({@code __u32}): the MSR number. */
        public static final int INDEX = 0; // __u32
        /** {@code data} ({@code __u64}): the MSR value. */
        public static final int DATA = 8;  // __u64, after __u32 reserved
        /** {@code sizeof(struct kvm_msr_entry)}. */
        public static final int SIZE = 16;

        private KvmMsrEntry() {
        }
    }

    /** {@code struct kvm_msrs}: a header followed by {@code nmsrs} {@link KvmMsrEntry}s. */
    public static final class KvmMsrs {
        /** {@code nmsrs} ({@code __u32}): the number of entries that follow. */
        public static final int NMSRS = 0;   // __u32
        /** {@code entries[]}: the first {@link KvmMsrEntry}. */
        public static final int ENTRIES = 8; // after __u32 pad
        /** Size of the header, {@code sizeof(struct kvm_msrs)}; the entries follow it. */
        public static final int SIZE = 8;

        private KvmMsrs() {
        }
    }

    /** {@code struct kvm_msr_list}: {@code nmsrs} then {@code __u32 indices[]}. */
    public static final class KvmMsrList {
        /** {@code nmsrs} ({@code __u32}): in, the room in {@code indices}; out, the number of MSRs. */
        public static final int NMSRS = 0;
        /** {@code indices[]} ({@code __u32} each). */
        public static final int INDICES = 4;
        /** Size of the header, {@code sizeof(struct kvm_msr_list)}; the indices follow it. */
        public static final int SIZE = 4;

        private KvmMsrList() {
        }
    }

    /** {@code struct kvm_cpuid_entry2}. */
    public static final class KvmCpuidEntry2 {
        /** {@code function} ({@code __u32}): the leaf. */
        public static final int FUNCTION = 0;
        /** {@code index} ({@code __u32}): the sub-leaf. */
        public static final int INDEX = 4;
        /** {@code flags} ({@code __u32}): {@code KVM_CPUID_FLAG_*} bits. */
        public static final int FLAGS = 8;
        /** {@code eax} ({@code __u32}). */
        public static final int EAX = 12;
        /** {@code ebx} ({@code __u32}). */
        public static final int EBX = 16;
        /** {@code ecx} ({@code __u32}). */
        public static final int ECX = 20;
        /** {@code edx} ({@code __u32}). */
        public static final int EDX = 24;
        /** {@code sizeof(struct kvm_cpuid_entry2)}, the trailing {@code padding[3]} included. */
        public static final int SIZE = 40; // + __u32 padding[3]

        private KvmCpuidEntry2() {
        }
    }

    /** {@code struct kvm_cpuid2}: a header followed by {@code nent} {@link KvmCpuidEntry2}s. */
    public static final class KvmCpuid2 {
        /** {@code nent} ({@code __u32}): in, the room for entries; out, the number of entries. */
        public static final int NENT = 0;    // __u32
        /** {@code entries[]}: the first {@link KvmCpuidEntry2}. */
        public static final int ENTRIES = 8; // after __u32 padding
        /** Size of the header, {@code sizeof(struct kvm_cpuid2)}; the entries follow it. */
        public static final int SIZE = 8;

        private KvmCpuid2() {
        }
    }

    /** {@code struct kvm_lapic_state}: the local APIC register page as the guest sees it. */
    public static final class KvmLapicState {
        /** {@code regs} ({@code char[1024]}): the register page. */
        public static final int REGS = 0;
        /** {@code sizeof(struct kvm_lapic_state)}, {@code KVM_APIC_REG_SIZE}. */
        public static final int SIZE = 1024; // KVM_APIC_REG_SIZE

        private KvmLapicState() {
        }
    }

    /** {@code struct kvm_userspace_memory_region}. */
    public static final class KvmUserspaceMemoryRegion {
        /** {@code slot} ({@code __u32}): the slot number. */
        public static final int SLOT = 0;             // __u32
        /** {@code flags} ({@code __u32}): {@code KVM_MEM_*} bits. */
        public static final int FLAGS = 4;            // __u32
        /** {@code guest_phys_addr} ({@code __u64}). */
        public static final int GUEST_PHYS_ADDR = 8;  // __u64
        /** {@code memory_size} ({@code __u64}): in bytes; 0 deletes the slot. */
        public static final int MEMORY_SIZE = 16;     // __u64
        /** {@code userspace_addr} ({@code __u64}): the host address of the backing memory. */
        public static final int USERSPACE_ADDR = 24;  // __u64
        /** {@code sizeof(struct kvm_userspace_memory_region)}. */
        public static final int SIZE = 32;

        private KvmUserspaceMemoryRegion() {
        }
    }

    /** {@code struct kvm_dirty_log}. */
    public static final class KvmDirtyLog {
        /** {@code slot} ({@code __u32}). */
        public static final int SLOT = 0;         // __u32
        /** {@code dirty_bitmap}: the host address of the bitmap the kernel fills. */
        public static final int DIRTY_BITMAP = 8; // void * (union with __u64 padding2), after __u32 padding1
        /** {@code sizeof(struct kvm_dirty_log)}. */
        public static final int SIZE = 16;

        private KvmDirtyLog() {
        }
    }

    /** {@code struct kvm_irq_level}. */
    public static final class KvmIrqLevel {
        /** {@code irq} ({@code __u32}): the GSI. */
        public static final int IRQ = 0;   // __u32 (union with __s32 status)
        /** {@code level} ({@code __u32}): 1 high, 0 low. */
        public static final int LEVEL = 4; // __u32
        /** {@code sizeof(struct kvm_irq_level)}. */
        public static final int SIZE = 8;

        private KvmIrqLevel() {
        }
    }

    /** {@code struct kvm_pit_config}. */
    public static final class KvmPitConfig {
        /** {@code flags} ({@code __u32}): 0 or {@link KvmConstants#KVM_PIT_SPEAKER_DUMMY}. */
        public static final int FLAGS = 0; // __u32, then __u32 pad[15]
        /** {@code sizeof(struct kvm_pit_config)}, the reserved {@code pad[15]} included. */
        public static final int SIZE = 64;

        private KvmPitConfig() {
        }
    }

    /** {@code struct kvm_ioeventfd} (api.rst 4.59). */
    public static final class KvmIoeventfd {
        /** {@code datamatch} ({@code __u64}): the value to match with {@link KvmConstants#KVM_IOEVENTFD_FLAG_DATAMATCH}. */
        public static final int DATAMATCH = 0; // __u64
        /** {@code addr} ({@code __u64}): the guest-physical address or port. */
        public static final int ADDR = 8;      // __u64
        /** {@code len} ({@code __u32}): the access width in bytes, 1, 2, 4 or 8. */
        public static final int LEN = 16;      // __u32
        /** {@code fd} ({@code __s32}): the eventfd. */
        public static final int FD = 20;       // __s32
        /** {@code flags} ({@code __u32}): {@code KVM_IOEVENTFD_FLAG_*} bits. */
        public static final int FLAGS = 24;    // __u32, then __u8 pad[36]
        /** {@code sizeof(struct kvm_ioeventfd)}. */
        public static final int SIZE = 64;

        private KvmIoeventfd() {
        }
    }

    /** {@code struct kvm_irqfd} (api.rst 4.75). */
    public static final class KvmIrqfd {
        /** {@code fd} ({@code __u32}): the eventfd. */
        public static final int FD = 0;         // __u32
        /** {@code gsi} ({@code __u32}): the interrupt line it injects. */
        public static final int GSI = 4;        // __u32
        /** {@code flags} ({@code __u32}): {@code KVM_IRQFD_FLAG_*} bits. */
        public static final int FLAGS = 8;      // __u32
        /** {@code resamplefd} ({@code __u32}): the eventfd for {@code KVM_IRQFD_FLAG_RESAMPLE}, unused by jvmm. */
        public static final int RESAMPLEFD = 12; // __u32, then __u8 pad[16]
        /** {@code sizeof(struct kvm_irqfd)}. */
        public static final int SIZE = 32;

        private KvmIrqfd() {
        }
    }

    /** {@code struct kvm_mp_state}. */
    public static final class KvmMpState {
        /** {@code mp_state} ({@code __u32}): a {@code KVM_MP_STATE_*} value. */
        public static final int MP_STATE = 0; // __u32
        /** {@code sizeof(struct kvm_mp_state)}. */
        public static final int SIZE = 4;

        private KvmMpState() {
        }
    }
}
