package io.jvmm.kvm;

import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;
import io.jvmm.kvm.sys.KvmConstants;
import io.jvmm.kvm.sys.KvmIoctls;
import io.jvmm.kvm.sys.KvmStructs.KvmCpuid2;
import io.jvmm.kvm.sys.KvmStructs.KvmCpuidEntry2;
import io.jvmm.kvm.sys.KvmStructs.KvmMsrList;
import io.jvmm.kvm.sys.NativeStruct;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The KVM subsystem: an open {@code /dev/kvm} (api.rst 4, "system ioctls"). It checks the API
 * version, answers capability queries and creates VMs. A {@link Vm} outlives the {@code Kvm} it
 * came from: closing this does not affect VMs already created. The methods may be called from
 * any thread, concurrently; after {@link #close()} those that issue an ioctl throw
 * {@link io.jvmm.core.ClosedException}.
 */
public final class Kvm implements AutoCloseable {
    /** The KVM device node. */
    public static final Path DEVICE = Path.of("/dev/kvm");

    private final KvmDescriptor fd;
    private final int apiVersion;

    private Kvm(KvmDescriptor fd, int apiVersion) {
        this.fd = fd;
        this.apiVersion = apiVersion;
    }

    /** The KVM API version jvmm is written for ({@code KVM_GET_API_VERSION}; api.rst 4.1: always 12). */
    public static final int REQUIRED_API_VERSION = KvmConstants.KVM_API_VERSION;

    /**
     * Opens {@link #DEVICE}. See {@link #open(Path)}.
     *
     * @return the open KVM subsystem; the caller closes it
     * @throws SyscallException when {@code /dev/kvm} cannot be opened (e.g. ENOENT without the kvm module, EACCES)
     * @throws KvmException when {@code KVM_GET_API_VERSION} fails
     * @throws IllegalStateException when the API version differs
     */
    public static Kvm open() {
        return open(DEVICE);
    }

    /**
     * Opens the KVM device at {@code path} read-write with {@code O_CLOEXEC} and checks that its
     * API version is {@link KvmConstants#KVM_API_VERSION} ({@code open(2)}, then {@code KVM_GET_API_VERSION},
     * api.rst 4.1). On failure the descriptor is closed again.
     *
     * @param path the KVM device node, normally {@link #DEVICE}
     * @return the open KVM subsystem; the caller closes it
     * @throws SyscallException when the device cannot be opened (e.g. ENOENT, EACCES)
     * @throws KvmException when {@code KVM_GET_API_VERSION} fails (e.g. ENOTTY: not a KVM device)
     * @throws IllegalStateException when the API version differs
     */
    public static Kvm open(Path path) {
        int raw = LibC.openChecked(path.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        KvmDescriptor fd = new KvmDescriptor(raw, path.toString());
        try {
            int version = fd.ioctl(KvmIoctls.KVM_GET_API_VERSION, 0, "");
            if (version != KvmConstants.KVM_API_VERSION) {
                throw new IllegalStateException(path + " reports KVM API version " + version + "; jvmm needs "
                    + KvmConstants.KVM_API_VERSION);
            }
            return new Kvm(fd, version);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Why KVM cannot be used here, or empty when {@link #DEVICE} opens and has the right API
     * version. For tests that skip with a stated reason and for {@code jvmm check}. Opens and closes
     * the device; never throws for an unusable device.
     *
     * @return the failure's message (prefixed {@code "cannot open /dev/kvm: "} when {@code open(2)}
     *     failed), or empty when KVM is usable
     */
    public static Optional<String> unavailableReason() {
        try {
            open().close();
            return Optional.empty();
        } catch (KvmException e) {
            return Optional.of(e.getMessage());
        } catch (SyscallException e) {
            return Optional.of("cannot open " + DEVICE + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** {@return whether {@link #DEVICE} can be opened and speaks the expected API version} See {@link #unavailableReason()}. */
    public static boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /** {@return the API version the kernel reported, always {@link KvmConstants#KVM_API_VERSION} (12)} */
    public int apiVersion() {
        return apiVersion;
    }

    /**
     * {@code KVM_CHECK_EXTENSION} on the system descriptor (api.rst 4.4).
     *
     * @param cap the capability to ask about
     * @return 0 when unsupported, otherwise 1 or a capability-specific value (e.g. a count for
     *     {@link KvmCap#NR_MEMSLOTS})
     * @throws KvmException if the ioctl fails
     */
    public int checkExtension(KvmCap cap) {
        return fd.ioctl(KvmIoctls.KVM_CHECK_EXTENSION, cap.number(), cap.cName());
    }

    /**
     * Whether {@code cap} is supported.
     *
     * @param cap the capability to ask about
     * @return {@code true} if {@link #checkExtension} reports a positive value
     * @throws KvmException if the ioctl fails
     */
    public boolean hasExtension(KvmCap cap) {
        return checkExtension(cap) > 0;
    }

    /**
     * {@code KVM_GET_VCPU_MMAP_SIZE} (api.rst 4.5).
     *
     * @return the bytes to mmap from a vCPU descriptor: {@code struct kvm_run} plus the pages after it (PIO data)
     * @throws KvmException if the ioctl fails
     */
    public int vcpuMmapSize() {
        return fd.ioctl(KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0, "");
    }

    /**
     * The number of memory slots a VM may use (KVM_CAP_NR_MEMSLOTS).
     *
     * @return the slot count; slot numbers run from 0 to one below it
     * @throws KvmException if the ioctl fails
     */
    public int maxMemorySlots() {
        return checkExtension(KvmCap.NR_MEMSLOTS);
    }

    /**
     * The maximum number of vCPUs (KVM_CAP_MAX_VCPUS, falling back to KVM_CAP_NR_VCPUS, then 4 per api.rst).
     *
     * @return the largest vCPU count a VM may have, at least 1
     * @throws KvmException if the ioctl fails
     */
    public int maxVcpus() {
        int max = checkExtension(KvmCap.MAX_VCPUS);
        if (max > 0) {
            return max;
        }
        int nr = checkExtension(KvmCap.NR_VCPUS);
        return nr > 0 ? nr : 4;
    }

    /**
     * {@code KVM_GET_SUPPORTED_CPUID}: the CPUID leaves KVM can present to a guest on this host,
     * the starting point for {@link Vcpu#setCpuid2} (api.rst 4.46). Asks for up to
     * {@link KvmConstants#KVM_MAX_CPUID_ENTRIES} entries.
     *
     * @return the entries in the kernel's order, in an unmodifiable list
     * @throws KvmException if the ioctl fails (E2BIG: the host has more leaves than that)
     */
    public List<CpuidEntry> supportedCpuid() {
        int max = KvmConstants.KVM_MAX_CPUID_ENTRIES;
        NativeStruct s = NativeStruct.allocate(KvmCpuid2.SIZE + max * KvmCpuidEntry2.SIZE);
        ByteBuffer b = s.buffer();
        b.putInt(KvmCpuid2.NENT, max);
        fd.ioctl(KvmIoctls.KVM_GET_SUPPORTED_CPUID, s, "nent=" + max);
        return CpuidCodec.read(b);
    }

    /**
     * {@code KVM_GET_MSR_INDEX_LIST}: the MSRs KVM saves and restores for a guest (api.rst 4.3).
     * Two ioctls: one to learn the count, one to fetch the list.
     *
     * @return the MSR indices, in a new array, in the kernel's order
     * @throws KvmException if either ioctl fails (other than the expected E2BIG of the first)
     */
    public int[] msrIndexList() {
        NativeStruct probe = NativeStruct.allocate(KvmMsrList.SIZE);
        int r = fd.ioctlErrno(KvmIoctls.KVM_GET_MSR_INDEX_LIST, probe.address());
        Reference.reachabilityFence(probe);
        // With nmsrs = 0 the kernel answers E2BIG and writes the real count (api.rst 4.3).
        int n = probe.buffer().getInt(KvmMsrList.NMSRS);
        if (r < 0 && -r != Errno.E2BIG) {
            throw new KvmException("KVM_GET_MSR_INDEX_LIST", -r, "probing the count");
        }
        NativeStruct s = NativeStruct.allocate(KvmMsrList.SIZE + n * Integer.BYTES);
        s.buffer().putInt(KvmMsrList.NMSRS, n);
        fd.ioctl(KvmIoctls.KVM_GET_MSR_INDEX_LIST, s, "nmsrs=" + n);
        int got = s.buffer().getInt(KvmMsrList.NMSRS);
        int[] out = new int[got];
        for (int i = 0; i < got; i++) {
            out[i] = s.buffer().getInt(KvmMsrList.INDICES + i * Integer.BYTES);
        }
        return out;
    }

    /**
     * {@code KVM_CREATE_VM} (machine type 0, the default). Setup-time statistics measure from the
     * moment recorded here ({@link Vm#createdAtNanos()}). api.rst 4.2. Also queries
     * {@link #vcpuMmapSize()} and {@link #maxMemorySlots()} for the new VM; if that fails, the VM
     * descriptor is closed again.
     *
     * @return the new VM, with no memory and no vCPUs; the caller closes it
     * @throws KvmException if an ioctl fails (e.g. ENOMEM)
     */
    public Vm createVm() {
        long created = System.nanoTime();
        int vmFd = fd.ioctl(KvmIoctls.KVM_CREATE_VM, 0, "");
        KvmDescriptor vm = new KvmDescriptor(vmFd, "vm");
        try {
            return new Vm(vm, vcpuMmapSize(), maxMemorySlots(), created);
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /** Closes {@code /dev/kvm}; VMs created from it stay usable. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }

    /** Marshalling of {@code struct kvm_cpuid2}, shared with {@link Vcpu}. */
    static final class CpuidCodec {
        private CpuidCodec() {
        }

        static List<CpuidEntry> read(ByteBuffer b) {
            int n = b.getInt(KvmCpuid2.NENT);
            List<CpuidEntry> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int at = KvmCpuid2.ENTRIES + i * KvmCpuidEntry2.SIZE;
                out.add(new CpuidEntry(b.getInt(at + KvmCpuidEntry2.FUNCTION), b.getInt(at + KvmCpuidEntry2.INDEX),
                    b.getInt(at + KvmCpuidEntry2.FLAGS), b.getInt(at + KvmCpuidEntry2.EAX), b.getInt(at + KvmCpuidEntry2.EBX),
                    b.getInt(at + KvmCpuidEntry2.ECX), b.getInt(at + KvmCpuidEntry2.EDX)));
            }
            return List.copyOf(out);
        }

        static NativeStruct write(List<CpuidEntry> entries) {
            NativeStruct s = NativeStruct.allocate(KvmCpuid2.SIZE + entries.size() * KvmCpuidEntry2.SIZE);
            ByteBuffer b = s.buffer();
            b.putInt(KvmCpuid2.NENT, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                CpuidEntry e = entries.get(i);
                int at = KvmCpuid2.ENTRIES + i * KvmCpuidEntry2.SIZE;
                b.putInt(at + KvmCpuidEntry2.FUNCTION, e.function());
                b.putInt(at + KvmCpuidEntry2.INDEX, e.index());
                b.putInt(at + KvmCpuidEntry2.FLAGS, e.flags());
                b.putInt(at + KvmCpuidEntry2.EAX, e.eax());
                b.putInt(at + KvmCpuidEntry2.EBX, e.ebx());
                b.putInt(at + KvmCpuidEntry2.ECX, e.ecx());
                b.putInt(at + KvmCpuidEntry2.EDX, e.edx());
            }
            return s;
        }
    }
}
