package io.jvmm.x86;

import io.jvmm.kvm.CpuidEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The CPUID a Linux guest's vCPU sees: {@code KVM_GET_SUPPORTED_CPUID} (api.rst 4.46, "what KVM
 * and the host can present") patched with what only the VMM knows — which vCPU this is and how many
 * there are — the way Firecracker, crosvm and kvmtool "normalize" it before {@code KVM_SET_CPUID2}.
 * The topology presented is one socket of {@code vcpuCount} single-threaded cores; the APIC id of
 * a vCPU is its KVM vCPU id ({@code KVM_CREATE_VCPU}'s argument, api.rst 4.7).
 *
 * <p>Patched (leaf numbers from the Intel SDM Vol. 2A, CPUID, and the AMD APM Vol. 3, E.3/E.4):
 * <ul>
 *   <li>leaf 1: EBX[31:24] initial APIC id, EBX[23:16] logical processors per package, EDX.HTT
 *       set exactly when there are several, ECX[31] "hypervisor present" (Linux checks it before
 *       it looks for the KVM leaves);</li>
 *   <li>leaf 4 (Intel cache parameters): cores per package and threads sharing each cache;</li>
 *   <li>leaves 0xB and 0x1F (x2APIC topology), when KVM lists them: rebuilt as an SMT level of one
 *       thread and a core level of {@code vcpuCount} cores, EDX = x2APIC id on every sub-leaf;</li>
 *   <li>AMD only: 0x8000_0008 ECX core count and APIC-id size, 0x8000_001D threads sharing each
 *       cache, 0x8000_001E extended APIC id and compute-unit id;</li>
 *   <li>0x4000_0000: the KVM signature "KVMKVMKVM\0\0\0" with EAX the highest hypervisor leaf
 *       (Documentation/virt/kvm/x86/cpuid.rst), added when KVM did not list it;</li>
 *   <li>leaf 0xD (XSAVE state components), as QEMU's {@code cpu_x86_cpuid} builds it: a sub-leaf
 *       n &ge; 2 whose component is in neither the XCR0 mask (sub-leaf 0 EDX:EAX) nor the IA32_XSS
 *       mask (sub-leaf 1 EDX:ECX) reads as zeros (SDM Vol. 2A, CPUID leaf 0DH: "if ECX contains
 *       an invalid sub-leaf index, EAX/EBX/ECX/EDX return 0"); sub-leaf 0 ECX, the area size for
 *       every XCR0 component, is recomputed from the remaining sub-leaves (at least the 576 bytes
 *       of the legacy area and header), and EBX, the size for the components XCR0 enables now,
 *       starts equal to it (QEMU does the same under KVM; KVM rewrites EBX from the vCPU's XCR0 on
 *       {@code KVM_SET_CPUID2} and on every XCR0 change, {@code kvm_update_cpuid_runtime}). So a
 *       component KVM dropped from the mask (AMX without the process's XCOMP_GUEST_PERM, say) does
 *       not leave a size behind that the guest's {@code paranoid_xstate_size_valid} then disputes.</li>
 * </ul>
 * Everything else passes through unchanged.
 */
public final class GuestCpuid {
    /** Leaf 0: highest basic leaf in EAX, vendor string in EBX, EDX, ECX ("GenuineIntel", "AuthenticAMD"). */
    public static final int LEAF_VENDOR = 0x0;
    /** Leaf 1: version information, APIC id and logical-processor count (EBX), feature flags (ECX, EDX). */
    public static final int LEAF_FEATURES = 0x1;
    /** Leaf 4, Intel: Deterministic Cache Parameters, one sub-leaf per cache. */
    public static final int LEAF_CACHE_PARAMETERS = 0x4;
    /** Leaf 0xB: Extended Topology Enumeration (x2APIC id and topology levels), one sub-leaf per level. */
    public static final int LEAF_EXTENDED_TOPOLOGY = 0xb;
    /** Leaf 0x1F: V2 Extended Topology Enumeration, the successor of leaf 0xB with more level types. */
    public static final int LEAF_V2_EXTENDED_TOPOLOGY = 0x1f;
    /** Leaf 0xD: Processor Extended State Enumeration (XSAVE components, masks and sizes), one sub-leaf each. */
    public static final int LEAF_XSAVE = 0xd;
    /** Leaf 0x4000_0000: the hypervisor's signature (EBX, ECX, EDX) and highest hypervisor leaf (EAX). */
    public static final int LEAF_KVM_SIGNATURE = 0x4000_0000;
    /** KVM's paravirtual feature bits (kvmclock, ...); the signature's EAX points at least here when present. */
    public static final int LEAF_KVM_FEATURES = 0x4000_0001;
    /** Leaf 0x8000_0008: address sizes; on AMD also ECX, Processor Capacity Parameters (core count, ApicIdSize). */
    public static final int LEAF_AMD_SIZE_IDENTIFIERS = 0x8000_0008;
    /** Leaf 0x8000_001D, AMD: Cache Topology Information, one sub-leaf per cache (like Intel's leaf 4). */
    public static final int LEAF_AMD_CACHE_TOPOLOGY = 0x8000_001d;
    /** Leaf 0x8000_001E, AMD: Processor Topology Information (extended APIC id, compute unit, node). */
    public static final int LEAF_AMD_EXTENDED_APIC_ID = 0x8000_001e;

    /** Leaf 1 ECX bit 31: a hypervisor is present (reserved for this use on Intel and AMD). */
    public static final int FEATURES_ECX_HYPERVISOR = 1 << 31;
    /**
     * Leaf 1 ECX bit 24: the LAPIC timer has TSC-deadline mode. KVM emulates it with the in-kernel
     * LAPIC but leaves it out of {@code KVM_GET_SUPPORTED_CPUID}; userspace sets it when
     * {@code KVM_CAP_TSC_DEADLINE_TIMER} says so (api.rst 4.46; QEMU and Firecracker do).
     */
    public static final int FEATURES_ECX_TSC_DEADLINE = 1 << 24;
    /** Leaf 1 EDX bit 28: EBX[23:16] counts several logical processors. */
    public static final int FEATURES_EDX_HTT = 1 << 28;

    /** "KVMKVMKVM\0\0\0" as EBX, ECX, EDX of leaf 0x4000_0000. */
    public static final String KVM_SIGNATURE = "KVMKVMKVM\0\0\0";

    /** Leaf 0xB/0x1F ECX[15:8] level types. */
    static final int LEVEL_TYPE_INVALID = 0;
    static final int LEVEL_TYPE_SMT = 1;
    static final int LEVEL_TYPE_CORE = 2;

    private GuestCpuid() {
    }

    /**
     * The CPUID of vCPU {@code apicId} among {@code vcpuCount}, patched as the class comment lists.
     *
     * @param supported what {@code Kvm.supportedCpuid()} returned
     * @param apicId    the vCPU's APIC id, which is its KVM vCPU id: 0..vcpuCount-1
     * @param vcpuCount how many vCPUs the guest has, 1..255
     * @return the entries for {@code KVM_SET_CPUID2}: {@code supported} in its order with the patched leaves
     *     replaced (leaves 0xB and 0x1F by exactly three sub-leaves), then the KVM signature leaf when
     *     {@code supported} lacked it; unmodifiable
     * @throws NullPointerException when {@code supported} is null
     * @throws IllegalArgumentException when {@code apicId} is not in 0..vcpuCount-1, vcpuCount is
     *     not in 1..255, or {@code supported} lacks leaf 0 or 1 (no KVM omits them)
     */
    public static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int apicId, int vcpuCount) {
        Objects.requireNonNull(supported, "supported");
        if (vcpuCount < 1 || vcpuCount > 255) {
            throw new IllegalArgumentException("vCPU count must be 1..255 (8-bit APIC ids), got " + vcpuCount);
        }
        if (apicId < 0 || apicId >= vcpuCount) {
            throw new IllegalArgumentException("APIC id " + apicId + " outside 0.." + (vcpuCount - 1));
        }
        CpuidEntry vendorLeaf = find(supported, LEAF_VENDOR)
            .orElseThrow(() -> new IllegalArgumentException("the supported CPUID has no leaf 0 (vendor)"));
        find(supported, LEAF_FEATURES)
            .orElseThrow(() -> new IllegalArgumentException("the supported CPUID has no leaf 1 (features)"));
        boolean amd = isAmd(vendorLeaf);
        int coreBits = bitsFor(vcpuCount);

        List<CpuidEntry> out = new ArrayList<>(supported.size() + 4);
        boolean topologyDone = false;
        boolean topologyV2Done = false;
        boolean signatureSeen = false;
        for (CpuidEntry e : supported) {
            switch (e.function()) {
                case LEAF_FEATURES -> out.add(features(e, apicId, vcpuCount));
                case LEAF_CACHE_PARAMETERS -> out.add(amd ? e : intelCache(e, vcpuCount));
                case LEAF_EXTENDED_TOPOLOGY -> {
                    if (!topologyDone) {
                        out.addAll(topology(LEAF_EXTENDED_TOPOLOGY, apicId, vcpuCount, coreBits));
                        topologyDone = true;
                    }
                }
                case LEAF_V2_EXTENDED_TOPOLOGY -> {
                    if (!topologyV2Done) {
                        out.addAll(topology(LEAF_V2_EXTENDED_TOPOLOGY, apicId, vcpuCount, coreBits));
                        topologyV2Done = true;
                    }
                }
                case LEAF_XSAVE -> out.add(xsave(e, supported));
                case LEAF_AMD_SIZE_IDENTIFIERS -> out.add(amd ? amdSizes(e, vcpuCount, coreBits) : e);
                case LEAF_AMD_CACHE_TOPOLOGY -> out.add(amd ? amdCache(e, vcpuCount) : e);
                case LEAF_AMD_EXTENDED_APIC_ID -> out.add(amd ? amdExtendedApicId(e, apicId) : e);
                case LEAF_KVM_SIGNATURE -> {
                    out.add(kvmSignature(e, highestHypervisorLeaf(supported)));
                    signatureSeen = true;
                }
                default -> out.add(e);
            }
        }
        if (!signatureSeen) {
            out.add(kvmSignature(new CpuidEntry(LEAF_KVM_SIGNATURE, 0, 0, 0, 0, 0, 0), highestHypervisorLeaf(supported)));
        }
        return List.copyOf(out);
    }

    /**
     * {@code supported} with leaf 1's TSC-deadline bit set ({@link #FEATURES_ECX_TSC_DEADLINE}):
     * for a vCPU with the in-kernel LAPIC when KVM has {@code KVM_CAP_TSC_DEADLINE_TIMER}.
     *
     * @param supported CPUID entries, as from {@code Kvm.supportedCpuid()} or {@link #forVcpu}
     * @return the same entries in the same order, every leaf-1 entry with ECX bit 24 set; unmodifiable
     */
    public static List<CpuidEntry> withTscDeadlineTimer(List<CpuidEntry> supported) {
        return supported.stream()
            .map(e -> e.function() == LEAF_FEATURES ? e.withEcx(e.ecx() | FEATURES_ECX_TSC_DEADLINE) : e)
            .toList();
    }

    /** Whether leaf 0 names AMD ("AuthenticAMD") or Hygon, whose topology leaves follow AMD's. */
    static boolean isAmd(CpuidEntry leaf0) {
        // The vendor string is EBX, EDX, ECX in that order.
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(leaf0.ebx()).putInt(leaf0.edx()).putInt(leaf0.ecx());
        String vendor = new String(b.array(), StandardCharsets.US_ASCII);
        return vendor.equals("AuthenticAMD") || vendor.equals("HygonGenuine");
    }

    private static CpuidEntry features(CpuidEntry e, int apicId, int vcpuCount) {
        int ebx = (e.ebx() & 0x0000_ffff) | (apicId << 24) | (vcpuCount << 16);
        int ecx = e.ecx() | FEATURES_ECX_HYPERVISOR;
        int edx = vcpuCount > 1 ? e.edx() | FEATURES_EDX_HTT : e.edx() & ~FEATURES_EDX_HTT;
        return e.withEbx(ebx).withEcx(ecx).withEdx(edx);
    }

    /**
     * Leaf 4 (SDM: "Deterministic Cache Parameters"): EAX[31:26] cores per package - 1,
     * EAX[25:14] logical processors sharing the cache - 1 (L1 and L2 are per core, L3 shared).
     * Sub-leaves with cache type 0 (EAX[4:0], "no more caches") stay as they are.
     */
    private static CpuidEntry intelCache(CpuidEntry e, int vcpuCount) {
        if ((e.eax() & 0x1f) == 0) {
            return e;
        }
        int level = (e.eax() >>> 5) & 0x7;
        int sharing = level >= 3 ? vcpuCount - 1 : 0;
        int cores = Math.min(vcpuCount - 1, 0x3f);
        int eax = (e.eax() & 0x3fff) | (Math.min(sharing, 0xfff) << 14) | (cores << 26);
        return e.withEax(eax);
    }

    /**
     * Leaf 0xB/0x1F (SDM: "Extended Topology Enumeration"): sub-leaf 0 the SMT level (one thread:
     * shift 0, EBX 1), sub-leaf 1 the core level (shift {@code coreBits}, EBX {@code vcpuCount}),
     * sub-leaf 2 the terminating invalid level; ECX[7:0] echoes the sub-leaf, ECX[15:8] the level
     * type, EDX the x2APIC id.
     */
    private static List<CpuidEntry> topology(int leaf, int apicId, int vcpuCount, int coreBits) {
        int f = CpuidEntry.FLAG_SIGNIFICANT_INDEX;
        return List.of(
            new CpuidEntry(leaf, 0, f, 0, 1, (LEVEL_TYPE_SMT << 8), apicId),
            new CpuidEntry(leaf, 1, f, coreBits, vcpuCount, 1 | (LEVEL_TYPE_CORE << 8), apicId),
            new CpuidEntry(leaf, 2, f, 0, 0, 2 | (LEVEL_TYPE_INVALID << 8), apicId));
    }

    /**
     * AMD 0x8000_0008 ECX (APM: "Processor Capacity Parameters"): [7:0] NC = cores - 1,
     * [15:12] ApicIdSize = bits of the APIC id that number the core.
     */
    private static CpuidEntry amdSizes(CpuidEntry e, int vcpuCount, int coreBits) {
        int ecx = (e.ecx() & ~0xf0ff) | (coreBits << 12) | (vcpuCount - 1);
        return e.withEcx(ecx);
    }

    /** AMD 0x8000_001D EAX[25:14] (APM: "Cache Topology Information"): sharing as for Intel's leaf 4. */
    private static CpuidEntry amdCache(CpuidEntry e, int vcpuCount) {
        if ((e.eax() & 0x1f) == 0) {
            return e;
        }
        int level = (e.eax() >>> 5) & 0x7;
        int sharing = level >= 3 ? vcpuCount - 1 : 0;
        return e.withEax((e.eax() & ~(0xfff << 14)) | (sharing << 14));
    }

    /**
     * AMD 0x8000_001E (APM: "Processor Topology Information"): EAX the extended APIC id, EBX[7:0]
     * the compute-unit (core) id and EBX[15:8] threads per unit - 1 = 0, ECX node 0 of 1.
     */
    private static CpuidEntry amdExtendedApicId(CpuidEntry e, int apicId) {
        return e.withEax(apicId).withEbx((e.ebx() & ~0xffff) | (apicId & 0xff)).withEcx(e.ecx() & ~0x7ff);
    }

    /** The legacy FXSAVE area (512 bytes) and the XSAVE header (64): where component 2 starts. */
    static final int XSAVE_LEGACY_AND_HEADER_SIZE = 576;

    /** Leaf 0xD normalized as the class comment says; {@code supported} gives the masks. */
    private static CpuidEntry xsave(CpuidEntry e, List<CpuidEntry> supported) {
        long xcr0 = xsaveSubleaf(supported, 0).map(s0 -> (s0.edx() & 0xffff_ffffL) << 32 | (s0.eax() & 0xffff_ffffL)).orElse(0L);
        long xss = xsaveSubleaf(supported, 1).map(s1 -> (s1.edx() & 0xffff_ffffL) << 32 | (s1.ecx() & 0xffff_ffffL)).orElse(0L);
        int n = e.index();
        if (n == 0) {
            int size = XSAVE_LEGACY_AND_HEADER_SIZE;
            for (CpuidEntry c : supported) {
                if (c.function() == LEAF_XSAVE && c.index() >= 2 && c.index() < 64 && (xcr0 & 1L << c.index()) != 0) {
                    // Standard (non-compacted) format: EBX is the component's offset, EAX its size.
                    size = Math.max(size, c.ebx() + c.eax());
                }
            }
            return e.withEbx(size).withEcx(size);
        }
        if (n >= 2 && (n >= 64 || ((xcr0 | xss) & 1L << n) == 0)) {
            return e.withEax(0).withEbx(0).withEcx(0).withEdx(0);
        }
        return e;
    }

    private static Optional<CpuidEntry> xsaveSubleaf(List<CpuidEntry> entries, int index) {
        return entries.stream().filter(e -> e.function() == LEAF_XSAVE && e.index() == index).findFirst();
    }

    private static CpuidEntry kvmSignature(CpuidEntry e, int maxLeaf) {
        ByteBuffer b = ByteBuffer.wrap(KVM_SIGNATURE.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN);
        return e.withEax(maxLeaf).withEbx(b.getInt(0)).withEcx(b.getInt(4)).withEdx(b.getInt(8));
    }

    /** The highest 0x4000_00xx leaf KVM lists (at least the signature leaf itself). */
    private static int highestHypervisorLeaf(List<CpuidEntry> supported) {
        int max = LEAF_KVM_SIGNATURE;
        for (CpuidEntry e : supported) {
            if ((e.function() & 0xffff_ff00) == LEAF_KVM_SIGNATURE && Integer.compareUnsigned(e.function(), max) > 0) {
                max = e.function();
            }
        }
        return max;
    }

    private static Optional<CpuidEntry> find(List<CpuidEntry> entries, int function) {
        return entries.stream().filter(e -> e.function() == function).findFirst();
    }

    /** The number of APIC-id bits that number {@code count} cores: ceil(log2(count)). */
    static int bitsFor(int count) {
        return count <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(count - 1);
    }
}
