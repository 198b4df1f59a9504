package io.jvmm.kvm.sys;

import io.jvmm.kvm.KvmCap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.sys.KvmStructs.KvmCpuid2;
import io.jvmm.kvm.sys.KvmStructs.KvmCpuidEntry2;
import io.jvmm.kvm.sys.KvmStructs.KvmDirtyLog;
import io.jvmm.kvm.sys.KvmStructs.KvmDtable;
import io.jvmm.kvm.sys.KvmStructs.KvmFpu;
import io.jvmm.kvm.sys.KvmStructs.KvmIoeventfd;
import io.jvmm.kvm.sys.KvmStructs.KvmIrqLevel;
import io.jvmm.kvm.sys.KvmStructs.KvmIrqfd;
import io.jvmm.kvm.sys.KvmStructs.KvmLapicState;
import io.jvmm.kvm.sys.KvmStructs.KvmMpState;
import io.jvmm.kvm.sys.KvmStructs.KvmMsrEntry;
import io.jvmm.kvm.sys.KvmStructs.KvmMsrList;
import io.jvmm.kvm.sys.KvmStructs.KvmMsrs;
import io.jvmm.kvm.sys.KvmStructs.KvmPitConfig;
import io.jvmm.kvm.sys.KvmStructs.KvmRegs;
import io.jvmm.kvm.sys.KvmStructs.KvmRun;
import io.jvmm.kvm.sys.KvmStructs.KvmSegment;
import io.jvmm.kvm.sys.KvmStructs.KvmSregs;
import io.jvmm.kvm.sys.KvmStructs.KvmUserspaceMemoryRegion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles a C program against the installed {@code <linux/kvm.h>} and {@code <signal.h>} that
 * prints {@code sizeof}/{@code offsetof} of every struct field and the value of every ioctl number
 * and constant jvmm uses, and compares each with the Java constant. Skipped (with the reason) where
 * gcc or the kernel headers are missing.
 */
class KvmAbiTest {
    private static final Path HEADER = Path.of("/usr/include/linux/kvm.h");

    /** C expression → the Java value that must equal it. */
    private static Map<String, Long> expectations() {
        Map<String, Long> m = new LinkedHashMap<>();
        // struct kvm_run and the exit-union members jvmm reads
        m.put("sizeof(struct kvm_run)", (long) KvmRun.SIZE);
        m.put("offsetof(struct kvm_run, request_interrupt_window)", (long) KvmRun.REQUEST_INTERRUPT_WINDOW);
        m.put("offsetof(struct kvm_run, immediate_exit)", (long) KvmRun.IMMEDIATE_EXIT);
        m.put("offsetof(struct kvm_run, exit_reason)", (long) KvmRun.EXIT_REASON);
        m.put("offsetof(struct kvm_run, ready_for_interrupt_injection)", (long) KvmRun.READY_FOR_INTERRUPT_INJECTION);
        m.put("offsetof(struct kvm_run, if_flag)", (long) KvmRun.IF_FLAG);
        m.put("offsetof(struct kvm_run, flags)", (long) KvmRun.FLAGS);
        m.put("offsetof(struct kvm_run, cr8)", (long) KvmRun.CR8);
        m.put("offsetof(struct kvm_run, apic_base)", (long) KvmRun.APIC_BASE);
        m.put("offsetof(struct kvm_run, hw)", (long) KvmRun.EXIT_UNION);
        m.put("sizeof(((struct kvm_run *)0)->padding)", (long) KvmRun.EXIT_UNION_SIZE);
        m.put("offsetof(struct kvm_run, kvm_valid_regs)", (long) KvmRun.KVM_VALID_REGS);
        m.put("offsetof(struct kvm_run, kvm_dirty_regs)", (long) KvmRun.KVM_DIRTY_REGS);
        m.put("offsetof(struct kvm_run, s)", (long) KvmRun.S);
        m.put("sizeof(((struct kvm_run *)0)->s)", (long) KvmRun.S_SIZE);
        m.put("offsetof(struct kvm_run, hw.hardware_exit_reason)", (long) KvmRun.HW_HARDWARE_EXIT_REASON);
        m.put("offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason)", (long) KvmRun.FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON);
        m.put("offsetof(struct kvm_run, fail_entry.cpu)", (long) KvmRun.FAIL_ENTRY_CPU);
        m.put("offsetof(struct kvm_run, io.direction)", (long) KvmRun.IO_DIRECTION);
        m.put("offsetof(struct kvm_run, io.size)", (long) KvmRun.IO_SIZE);
        m.put("offsetof(struct kvm_run, io.port)", (long) KvmRun.IO_PORT);
        m.put("offsetof(struct kvm_run, io.count)", (long) KvmRun.IO_COUNT);
        m.put("offsetof(struct kvm_run, io.data_offset)", (long) KvmRun.IO_DATA_OFFSET);
        m.put("offsetof(struct kvm_run, mmio.phys_addr)", (long) KvmRun.MMIO_PHYS_ADDR);
        m.put("offsetof(struct kvm_run, mmio.data)", (long) KvmRun.MMIO_DATA);
        m.put("sizeof(((struct kvm_run *)0)->mmio.data)", (long) KvmRun.MMIO_DATA_SIZE);
        m.put("offsetof(struct kvm_run, mmio.len)", (long) KvmRun.MMIO_LEN);
        m.put("offsetof(struct kvm_run, mmio.is_write)", (long) KvmRun.MMIO_IS_WRITE);
        m.put("offsetof(struct kvm_run, internal.suberror)", (long) KvmRun.INTERNAL_SUBERROR);
        m.put("offsetof(struct kvm_run, internal.ndata)", (long) KvmRun.INTERNAL_NDATA);
        m.put("offsetof(struct kvm_run, internal.data)", (long) KvmRun.INTERNAL_DATA);
        m.put("sizeof(((struct kvm_run *)0)->internal.data) / 8", (long) KvmRun.INTERNAL_DATA_MAX);
        m.put("offsetof(struct kvm_run, system_event.type)", (long) KvmRun.SYSTEM_EVENT_TYPE);
        m.put("offsetof(struct kvm_run, system_event.ndata)", (long) KvmRun.SYSTEM_EVENT_NDATA);
        m.put("offsetof(struct kvm_run, system_event.flags)", (long) KvmRun.SYSTEM_EVENT_FLAGS);
        // struct kvm_regs
        m.put("sizeof(struct kvm_regs)", (long) KvmRegs.SIZE);
        String[] regs = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9", "r10", "r11", "r12",
            "r13", "r14", "r15", "rip", "rflags"};
        int[] regOffsets = {KvmRegs.RAX, KvmRegs.RBX, KvmRegs.RCX, KvmRegs.RDX, KvmRegs.RSI, KvmRegs.RDI, KvmRegs.RSP,
            KvmRegs.RBP, KvmRegs.R8, KvmRegs.R9, KvmRegs.R10, KvmRegs.R11, KvmRegs.R12, KvmRegs.R13, KvmRegs.R14,
            KvmRegs.R15, KvmRegs.RIP, KvmRegs.RFLAGS};
        for (int i = 0; i < regs.length; i++) {
            m.put("offsetof(struct kvm_regs, " + regs[i] + ")", (long) regOffsets[i]);
        }
        // struct kvm_segment, kvm_dtable, kvm_sregs
        m.put("sizeof(struct kvm_segment)", (long) KvmSegment.SIZE);
        m.put("offsetof(struct kvm_segment, base)", (long) KvmSegment.BASE);
        m.put("offsetof(struct kvm_segment, limit)", (long) KvmSegment.LIMIT);
        m.put("offsetof(struct kvm_segment, selector)", (long) KvmSegment.SELECTOR);
        m.put("offsetof(struct kvm_segment, type)", (long) KvmSegment.TYPE);
        m.put("offsetof(struct kvm_segment, present)", (long) KvmSegment.PRESENT);
        m.put("offsetof(struct kvm_segment, dpl)", (long) KvmSegment.DPL);
        m.put("offsetof(struct kvm_segment, db)", (long) KvmSegment.DB);
        m.put("offsetof(struct kvm_segment, s)", (long) KvmSegment.S);
        m.put("offsetof(struct kvm_segment, l)", (long) KvmSegment.L);
        m.put("offsetof(struct kvm_segment, g)", (long) KvmSegment.G);
        m.put("offsetof(struct kvm_segment, avl)", (long) KvmSegment.AVL);
        m.put("offsetof(struct kvm_segment, unusable)", (long) KvmSegment.UNUSABLE);
        m.put("offsetof(struct kvm_segment, padding)", (long) KvmSegment.PADDING);
        m.put("sizeof(struct kvm_dtable)", (long) KvmDtable.SIZE);
        m.put("offsetof(struct kvm_dtable, base)", (long) KvmDtable.BASE);
        m.put("offsetof(struct kvm_dtable, limit)", (long) KvmDtable.LIMIT);
        m.put("sizeof(struct kvm_sregs)", (long) KvmSregs.SIZE);
        String[] sregs = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt", "gdt", "idt", "cr0", "cr2", "cr3", "cr4",
            "cr8", "efer", "apic_base", "interrupt_bitmap"};
        int[] sregOffsets = {KvmSregs.CS, KvmSregs.DS, KvmSregs.ES, KvmSregs.FS, KvmSregs.GS, KvmSregs.SS, KvmSregs.TR,
            KvmSregs.LDT, KvmSregs.GDT, KvmSregs.IDT, KvmSregs.CR0, KvmSregs.CR2, KvmSregs.CR3, KvmSregs.CR4,
            KvmSregs.CR8, KvmSregs.EFER, KvmSregs.APIC_BASE, KvmSregs.INTERRUPT_BITMAP};
        for (int i = 0; i < sregs.length; i++) {
            m.put("offsetof(struct kvm_sregs, " + sregs[i] + ")", (long) sregOffsets[i]);
        }
        m.put("sizeof(((struct kvm_sregs *)0)->interrupt_bitmap) / 8", (long) KvmSregs.INTERRUPT_BITMAP_WORDS);
        // struct kvm_fpu
        m.put("sizeof(struct kvm_fpu)", (long) KvmFpu.SIZE);
        m.put("offsetof(struct kvm_fpu, fpr)", (long) KvmFpu.FPR);
        m.put("sizeof(((struct kvm_fpu *)0)->fpr)", (long) KvmFpu.FPR_SIZE);
        m.put("offsetof(struct kvm_fpu, fcw)", (long) KvmFpu.FCW);
        m.put("offsetof(struct kvm_fpu, fsw)", (long) KvmFpu.FSW);
        m.put("offsetof(struct kvm_fpu, ftwx)", (long) KvmFpu.FTWX);
        m.put("offsetof(struct kvm_fpu, last_opcode)", (long) KvmFpu.LAST_OPCODE);
        m.put("offsetof(struct kvm_fpu, last_ip)", (long) KvmFpu.LAST_IP);
        m.put("offsetof(struct kvm_fpu, last_dp)", (long) KvmFpu.LAST_DP);
        m.put("offsetof(struct kvm_fpu, xmm)", (long) KvmFpu.XMM);
        m.put("sizeof(((struct kvm_fpu *)0)->xmm)", (long) KvmFpu.XMM_SIZE);
        m.put("offsetof(struct kvm_fpu, mxcsr)", (long) KvmFpu.MXCSR);
        // MSRs
        m.put("sizeof(struct kvm_msr_entry)", (long) KvmMsrEntry.SIZE);
        m.put("offsetof(struct kvm_msr_entry, index)", (long) KvmMsrEntry.INDEX);
        m.put("offsetof(struct kvm_msr_entry, data)", (long) KvmMsrEntry.DATA);
        m.put("sizeof(struct kvm_msrs)", (long) KvmMsrs.SIZE);
        m.put("offsetof(struct kvm_msrs, nmsrs)", (long) KvmMsrs.NMSRS);
        m.put("offsetof(struct kvm_msrs, entries)", (long) KvmMsrs.ENTRIES);
        m.put("sizeof(struct kvm_msr_list)", (long) KvmMsrList.SIZE);
        m.put("offsetof(struct kvm_msr_list, nmsrs)", (long) KvmMsrList.NMSRS);
        m.put("offsetof(struct kvm_msr_list, indices)", (long) KvmMsrList.INDICES);
        // CPUID
        m.put("sizeof(struct kvm_cpuid_entry2)", (long) KvmCpuidEntry2.SIZE);
        m.put("offsetof(struct kvm_cpuid_entry2, function)", (long) KvmCpuidEntry2.FUNCTION);
        m.put("offsetof(struct kvm_cpuid_entry2, index)", (long) KvmCpuidEntry2.INDEX);
        m.put("offsetof(struct kvm_cpuid_entry2, flags)", (long) KvmCpuidEntry2.FLAGS);
        m.put("offsetof(struct kvm_cpuid_entry2, eax)", (long) KvmCpuidEntry2.EAX);
        m.put("offsetof(struct kvm_cpuid_entry2, ebx)", (long) KvmCpuidEntry2.EBX);
        m.put("offsetof(struct kvm_cpuid_entry2, ecx)", (long) KvmCpuidEntry2.ECX);
        m.put("offsetof(struct kvm_cpuid_entry2, edx)", (long) KvmCpuidEntry2.EDX);
        m.put("sizeof(struct kvm_cpuid2)", (long) KvmCpuid2.SIZE);
        m.put("offsetof(struct kvm_cpuid2, nent)", (long) KvmCpuid2.NENT);
        m.put("offsetof(struct kvm_cpuid2, entries)", (long) KvmCpuid2.ENTRIES);
        m.put("KVM_CPUID_FLAG_SIGNIFCANT_INDEX", (long) io.jvmm.kvm.CpuidEntry.FLAG_SIGNIFICANT_INDEX);
        // the rest
        m.put("sizeof(struct kvm_lapic_state)", (long) KvmLapicState.SIZE);
        m.put("offsetof(struct kvm_lapic_state, regs)", (long) KvmLapicState.REGS);
        m.put("sizeof(struct kvm_userspace_memory_region)", (long) KvmUserspaceMemoryRegion.SIZE);
        m.put("offsetof(struct kvm_userspace_memory_region, slot)", (long) KvmUserspaceMemoryRegion.SLOT);
        m.put("offsetof(struct kvm_userspace_memory_region, flags)", (long) KvmUserspaceMemoryRegion.FLAGS);
        m.put("offsetof(struct kvm_userspace_memory_region, guest_phys_addr)", (long) KvmUserspaceMemoryRegion.GUEST_PHYS_ADDR);
        m.put("offsetof(struct kvm_userspace_memory_region, memory_size)", (long) KvmUserspaceMemoryRegion.MEMORY_SIZE);
        m.put("offsetof(struct kvm_userspace_memory_region, userspace_addr)", (long) KvmUserspaceMemoryRegion.USERSPACE_ADDR);
        m.put("sizeof(struct kvm_dirty_log)", (long) KvmDirtyLog.SIZE);
        m.put("offsetof(struct kvm_dirty_log, slot)", (long) KvmDirtyLog.SLOT);
        m.put("offsetof(struct kvm_dirty_log, dirty_bitmap)", (long) KvmDirtyLog.DIRTY_BITMAP);
        m.put("sizeof(struct kvm_irq_level)", (long) KvmIrqLevel.SIZE);
        m.put("offsetof(struct kvm_irq_level, irq)", (long) KvmIrqLevel.IRQ);
        m.put("offsetof(struct kvm_irq_level, level)", (long) KvmIrqLevel.LEVEL);
        m.put("sizeof(struct kvm_pit_config)", (long) KvmPitConfig.SIZE);
        m.put("offsetof(struct kvm_pit_config, flags)", (long) KvmPitConfig.FLAGS);
        m.put("sizeof(struct kvm_ioeventfd)", (long) KvmIoeventfd.SIZE);
        m.put("offsetof(struct kvm_ioeventfd, datamatch)", (long) KvmIoeventfd.DATAMATCH);
        m.put("offsetof(struct kvm_ioeventfd, addr)", (long) KvmIoeventfd.ADDR);
        m.put("offsetof(struct kvm_ioeventfd, len)", (long) KvmIoeventfd.LEN);
        m.put("offsetof(struct kvm_ioeventfd, fd)", (long) KvmIoeventfd.FD);
        m.put("offsetof(struct kvm_ioeventfd, flags)", (long) KvmIoeventfd.FLAGS);
        m.put("sizeof(struct kvm_irqfd)", (long) KvmIrqfd.SIZE);
        m.put("offsetof(struct kvm_irqfd, fd)", (long) KvmIrqfd.FD);
        m.put("offsetof(struct kvm_irqfd, gsi)", (long) KvmIrqfd.GSI);
        m.put("offsetof(struct kvm_irqfd, flags)", (long) KvmIrqfd.FLAGS);
        m.put("offsetof(struct kvm_irqfd, resamplefd)", (long) KvmIrqfd.RESAMPLEFD);
        m.put("sizeof(struct kvm_mp_state)", (long) KvmMpState.SIZE);
        m.put("offsetof(struct kvm_mp_state, mp_state)", (long) KvmMpState.MP_STATE);
        // ioctl numbers
        m.put("KVMIO", (long) KvmIoctls.KVMIO);
        m.put("KVM_GET_API_VERSION", KvmIoctls.KVM_GET_API_VERSION.request());
        m.put("KVM_CREATE_VM", KvmIoctls.KVM_CREATE_VM.request());
        m.put("KVM_GET_MSR_INDEX_LIST", KvmIoctls.KVM_GET_MSR_INDEX_LIST.request());
        m.put("KVM_CHECK_EXTENSION", KvmIoctls.KVM_CHECK_EXTENSION.request());
        m.put("KVM_GET_VCPU_MMAP_SIZE", KvmIoctls.KVM_GET_VCPU_MMAP_SIZE.request());
        m.put("KVM_GET_SUPPORTED_CPUID", KvmIoctls.KVM_GET_SUPPORTED_CPUID.request());
        m.put("KVM_CREATE_VCPU", KvmIoctls.KVM_CREATE_VCPU.request());
        m.put("KVM_GET_DIRTY_LOG", KvmIoctls.KVM_GET_DIRTY_LOG.request());
        m.put("KVM_SET_USER_MEMORY_REGION", KvmIoctls.KVM_SET_USER_MEMORY_REGION.request());
        m.put("KVM_SET_TSS_ADDR", KvmIoctls.KVM_SET_TSS_ADDR.request());
        m.put("KVM_SET_IDENTITY_MAP_ADDR", KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR.request());
        m.put("KVM_CREATE_IRQCHIP", KvmIoctls.KVM_CREATE_IRQCHIP.request());
        m.put("KVM_IRQ_LINE", KvmIoctls.KVM_IRQ_LINE.request());
        m.put("KVM_CREATE_PIT2", KvmIoctls.KVM_CREATE_PIT2.request());
        m.put("KVM_IRQFD", KvmIoctls.KVM_IRQFD.request());
        m.put("KVM_IOEVENTFD", KvmIoctls.KVM_IOEVENTFD.request());
        m.put("KVM_IOEVENTFD_FLAG_DATAMATCH", (long) KvmConstants.KVM_IOEVENTFD_FLAG_DATAMATCH);
        m.put("KVM_IOEVENTFD_FLAG_PIO", (long) KvmConstants.KVM_IOEVENTFD_FLAG_PIO);
        m.put("KVM_IOEVENTFD_FLAG_DEASSIGN", (long) KvmConstants.KVM_IOEVENTFD_FLAG_DEASSIGN);
        m.put("KVM_IRQFD_FLAG_DEASSIGN", (long) KvmConstants.KVM_IRQFD_FLAG_DEASSIGN);
        m.put("KVM_RUN", KvmIoctls.KVM_RUN.request());
        m.put("KVM_GET_REGS", KvmIoctls.KVM_GET_REGS.request());
        m.put("KVM_SET_REGS", KvmIoctls.KVM_SET_REGS.request());
        m.put("KVM_GET_SREGS", KvmIoctls.KVM_GET_SREGS.request());
        m.put("KVM_SET_SREGS", KvmIoctls.KVM_SET_SREGS.request());
        m.put("KVM_GET_MSRS", KvmIoctls.KVM_GET_MSRS.request());
        m.put("KVM_SET_MSRS", KvmIoctls.KVM_SET_MSRS.request());
        m.put("KVM_GET_FPU", KvmIoctls.KVM_GET_FPU.request());
        m.put("KVM_SET_FPU", KvmIoctls.KVM_SET_FPU.request());
        m.put("KVM_GET_LAPIC", KvmIoctls.KVM_GET_LAPIC.request());
        m.put("KVM_SET_LAPIC", KvmIoctls.KVM_SET_LAPIC.request());
        m.put("KVM_SET_CPUID2", KvmIoctls.KVM_SET_CPUID2.request());
        m.put("KVM_GET_CPUID2", KvmIoctls.KVM_GET_CPUID2.request());
        m.put("KVM_GET_MP_STATE", KvmIoctls.KVM_GET_MP_STATE.request());
        m.put("KVM_SET_MP_STATE", KvmIoctls.KVM_SET_MP_STATE.request());
        // constants
        m.put("KVM_API_VERSION", (long) KvmConstants.KVM_API_VERSION);
        m.put("KVM_EXIT_UNKNOWN", (long) KvmConstants.KVM_EXIT_UNKNOWN);
        m.put("KVM_EXIT_EXCEPTION", (long) KvmConstants.KVM_EXIT_EXCEPTION);
        m.put("KVM_EXIT_IO", (long) KvmConstants.KVM_EXIT_IO);
        m.put("KVM_EXIT_HYPERCALL", (long) KvmConstants.KVM_EXIT_HYPERCALL);
        m.put("KVM_EXIT_DEBUG", (long) KvmConstants.KVM_EXIT_DEBUG);
        m.put("KVM_EXIT_HLT", (long) KvmConstants.KVM_EXIT_HLT);
        m.put("KVM_EXIT_MMIO", (long) KvmConstants.KVM_EXIT_MMIO);
        m.put("KVM_EXIT_IRQ_WINDOW_OPEN", (long) KvmConstants.KVM_EXIT_IRQ_WINDOW_OPEN);
        m.put("KVM_EXIT_SHUTDOWN", (long) KvmConstants.KVM_EXIT_SHUTDOWN);
        m.put("KVM_EXIT_FAIL_ENTRY", (long) KvmConstants.KVM_EXIT_FAIL_ENTRY);
        m.put("KVM_EXIT_INTR", (long) KvmConstants.KVM_EXIT_INTR);
        m.put("KVM_EXIT_INTERNAL_ERROR", (long) KvmConstants.KVM_EXIT_INTERNAL_ERROR);
        m.put("KVM_EXIT_SYSTEM_EVENT", (long) KvmConstants.KVM_EXIT_SYSTEM_EVENT);
        m.put("KVM_EXIT_IO_IN", (long) KvmConstants.KVM_EXIT_IO_IN);
        m.put("KVM_EXIT_IO_OUT", (long) KvmConstants.KVM_EXIT_IO_OUT);
        m.put("KVM_MEM_LOG_DIRTY_PAGES", (long) KvmConstants.KVM_MEM_LOG_DIRTY_PAGES);
        m.put("KVM_MEM_READONLY", (long) KvmConstants.KVM_MEM_READONLY);
        m.put("KVM_SYSTEM_EVENT_SHUTDOWN", (long) KvmConstants.KVM_SYSTEM_EVENT_SHUTDOWN);
        m.put("KVM_SYSTEM_EVENT_RESET", (long) KvmConstants.KVM_SYSTEM_EVENT_RESET);
        m.put("KVM_SYSTEM_EVENT_CRASH", (long) KvmConstants.KVM_SYSTEM_EVENT_CRASH);
        m.put("KVM_INTERNAL_ERROR_EMULATION", (long) KvmConstants.KVM_INTERNAL_ERROR_EMULATION);
        m.put("KVM_INTERNAL_ERROR_SIMUL_EX", (long) KvmConstants.KVM_INTERNAL_ERROR_SIMUL_EX);
        m.put("KVM_INTERNAL_ERROR_DELIVERY_EV", (long) KvmConstants.KVM_INTERNAL_ERROR_DELIVERY_EV);
        m.put("KVM_MP_STATE_RUNNABLE", (long) KvmConstants.KVM_MP_STATE_RUNNABLE);
        m.put("KVM_MP_STATE_UNINITIALIZED", (long) KvmConstants.KVM_MP_STATE_UNINITIALIZED);
        m.put("KVM_MP_STATE_INIT_RECEIVED", (long) KvmConstants.KVM_MP_STATE_INIT_RECEIVED);
        m.put("KVM_MP_STATE_HALTED", (long) KvmConstants.KVM_MP_STATE_HALTED);
        m.put("KVM_MP_STATE_SIPI_RECEIVED", (long) KvmConstants.KVM_MP_STATE_SIPI_RECEIVED);
        m.put("KVM_PIT_SPEAKER_DUMMY", (long) KvmConstants.KVM_PIT_SPEAKER_DUMMY);
        m.put("KVM_APIC_REG_SIZE", (long) KvmLapicState.SIZE);
        m.put("KVM_NR_INTERRUPTS", (long) KvmSregs.INTERRUPT_BITMAP_WORDS * 64);
        for (KvmCap cap : KvmCap.values()) {
            m.put(cap.cName(), (long) cap.number());
        }
        // glibc struct sigaction, used to install the vCPU kick handler
        m.put("sizeof(struct sigaction)", (long) VcpuKickSignal.SIGACTION_SIZE);
        m.put("offsetof(struct sigaction, sa_handler)", (long) VcpuKickSignal.SIGACTION_HANDLER);
        m.put("offsetof(struct sigaction, sa_mask)", (long) VcpuKickSignal.SIGACTION_MASK);
        m.put("sizeof(sigset_t)", (long) VcpuKickSignal.SIGACTION_MASK_SIZE);
        m.put("offsetof(struct sigaction, sa_flags)", (long) VcpuKickSignal.SIGACTION_FLAGS);
        m.put("offsetof(struct sigaction, sa_restorer)", (long) VcpuKickSignal.SIGACTION_RESTORER);
        m.put("(unsigned long) SIG_DFL", VcpuKickSignal.SIG_DFL);
        m.put("(unsigned long) SIG_IGN", VcpuKickSignal.SIG_IGN);
        m.put("SIGRTMIN", (long) io.jvmm.core.LibC.sigrtmin());
        return m;
    }

    @Test
    void everyStructLayoutIoctlNumberAndConstantMatchesTheKernelHeaders(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isReadable(HEADER), "kernel headers not installed: " + HEADER + " is missing");
        Path gcc = findOnPath("gcc");
        assumeTrue(gcc != null, "gcc is not on the PATH; cannot compile the layout probe");

        Map<String, Long> expected = expectations();
        StringBuilder c = new StringBuilder("""
            #define _GNU_SOURCE
            #include <linux/kvm.h>
            #include <signal.h>
            #include <stddef.h>
            #include <stdio.h>
            int main(void) {
            """);
        int i = 0;
        for (String expr : expected.keySet()) {
            c.append("    printf(\"%d %llu\\n\", ").append(i++).append(", (unsigned long long) (").append(expr).append("));\n");
        }
        c.append("    return 0;\n}\n");
        Path source = dir.resolve("probe.c");
        Path binary = dir.resolve("probe");
        Files.writeString(source, c.toString());
        String compileOutput = exec(List.of(gcc.toString(), "-std=c11", "-o", binary.toString(), source.toString()));
        assertTrue(Files.isExecutable(binary), "probe did not compile:\n" + compileOutput);
        String out = exec(List.of(binary.toString()));

        List<String> keys = new ArrayList<>(expected.keySet());
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] parts = line.trim().split(" ");
            actual.put(keys.get(Integer.parseInt(parts[0])), Long.parseUnsignedLong(parts[1]));
        }
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            Long header = actual.get(e.getKey());
            if (!e.getValue().equals(header)) {
                mismatches.add(e.getKey() + ": header " + header + ", jvmm " + e.getValue());
            }
        }
        assertEquals(List.of(), mismatches, "jvmm's ABI constants disagree with the headers");
        assertEquals(expected.size(), actual.size());
    }

    private static Path findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        return out;
    }
}
