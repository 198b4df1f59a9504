package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.core.BusyException;
import io.jvmm.core.ClosedException;
import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.MalformedResultException;
import io.jvmm.kvm.sys.Ioctl;
import io.jvmm.kvm.sys.KvmConstants;
import io.jvmm.kvm.sys.KvmIoctls;
import io.jvmm.kvm.sys.KvmStructs.KvmCpuid2;
import io.jvmm.kvm.sys.KvmStructs.KvmCpuidEntry2;
import io.jvmm.kvm.sys.KvmStructs.KvmFpu;
import io.jvmm.kvm.sys.KvmStructs.KvmLapicState;
import io.jvmm.kvm.sys.KvmStructs.KvmMpState;
import io.jvmm.kvm.sys.KvmStructs.KvmMsrEntry;
import io.jvmm.kvm.sys.KvmStructs.KvmMsrs;
import io.jvmm.kvm.sys.KvmStructs.KvmRegs;
import io.jvmm.kvm.sys.KvmStructs.KvmRun;
import io.jvmm.kvm.sys.KvmStructs.KvmSregs;
import io.jvmm.kvm.sys.NativeStruct;
import io.jvmm.kvm.sys.VcpuKickSignal;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One virtual CPU (api.rst 4, "vcpu ioctls"): its registers and {@code KVM_RUN}.
 *
 * <h2>The run path</h2>
 * {@code kvm_run} is mmapped from the vCPU descriptor once and read through one direct
 * little-endian {@link ByteBuffer} at the offsets of {@code KvmStructs.KvmRun}. Port and MMIO
 * exits are served in {@link #run(ExitHandler, ExitCounter)} without leaving the loop and
 * without allocating: the exit fields are read from the view, the data is copied into preallocated
 * arrays of the access width, the {@link ExitHandler} serves the access (a machine's handler finds
 * the device on its bus), and the reply is copied back before the next {@code KVM_RUN}.
 *
 * <h2>Kicking</h2>
 * {@link #kick()} makes the current or the next {@code KVM_RUN} return promptly with
 * {@link VcpuExit.Interrupted}: it sets {@code kvm_run.immediate_exit} (checked by the kernel on
 * entry) and, if a thread is inside {@code run}, sends it {@link VcpuKickSignal} (which interrupts a
 * guest that is executing or halted in the kernel). {@code immediate_exit} is cleared when the
 * interrupted run returns; callers check their own stop condition after an
 * {@link VcpuExit.Interrupted}, and a kick issued after that check is seen by the next run.
 *
 * <h2>Threads and lifetime</h2>
 * One thread at a time may be inside {@code run}; a second gets {@link BusyException}.
 * Register accessors may be called from any thread, but KVM holds the vCPU's mutex for the whole
 * of {@code KVM_RUN}, so they block while another thread runs the vCPU: call them between runs.
 * {@link #close()} kicks a running thread, waits for it to leave {@code KVM_RUN}, then unmaps
 * {@code kvm_run} and closes the descriptor; afterwards the register accessors and {@code run} throw
 * {@link ClosedException}, {@link #kick()} does nothing, and {@link #id()} still answers.
 */
public final class Vcpu implements AutoCloseable {
    /** {@link #enter} result for EINTR (no KVM exit reason is negative). */
    private static final int INTERRUPTED = -1;

    private final int id;
    /**
     * The VM, kept reachable for as long as this vCPU is: the kernel VM lives on through the vCPU
     * descriptor, and the VM object holds its memory slots' regions. Without this, a dropped
     * {@code Vm} and {@code GuestMemory} would be unmapped by their cleaners while the guest can
     * still run here, on host memory the JVM may reuse.
     */
    private final Vm vm;
    private final KvmDescriptor fd;
    private final long runAddress;
    private final int runMapSize;
    private final ByteBuffer run;
    /** Scratch arrays indexed by access width 1..8, reused for every port and MMIO access. */
    private final byte[][] scratch = new byte[9][];

    private final Object threadLock = new Object();
    /** pthread_t of the thread inside run, 0 when none. Guarded by threadLock. */
    private long runningPthread;
    private Thread cachedThread;
    private long cachedPthread;
    /** Guarded by threadLock. */
    private boolean closing;
    private boolean unmapped;

    /** Data the caller of {@link #run()} fills for an IN/MMIO read, copied in before the next entry. */
    private byte[] pendingReadData;
    private int pendingReadOffset;

    Vcpu(Vm vm, KvmDescriptor fd, int id, int runMapSize) {
        this.vm = Objects.requireNonNull(vm, "vm");
        this.fd = fd;
        this.id = id;
        if (runMapSize < KvmRun.SIZE) {
            fd.close();
            throw new MalformedResultException("KVM_GET_VCPU_MMAP_SIZE " + runMapSize + " is smaller than struct kvm_run (" + KvmRun.SIZE + ")");
        }
        this.runMapSize = runMapSize;
        int raw = fd.acquire();
        try {
            // Make sure the kick handler exists before any thread can be kicked: the default action
            // of a real-time signal is to terminate the process.
            VcpuKickSignal.signal();
            this.runAddress = LibC.mmapChecked(0, runMapSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, raw, 0);
        } catch (RuntimeException | Error e) {
            // Errors too: the kick signal's set-up fails as ExceptionInInitializerError (then
            // NoClassDefFoundError), and a leaked vCPU descriptor would keep the kernel VM alive
            fd.release();
            fd.close();
            throw e;
        }
        fd.release();
        this.run = new Pointer(runAddress).getByteBuffer(0, runMapSize).order(ByteOrder.LITTLE_ENDIAN);
        for (int width = 1; width <= 8; width++) {
            scratch[width] = new byte[width];
        }
    }

    /** {@return the vCPU id given to {@code KVM_CREATE_VCPU} (the initial APIC id)} */
    public int id() {
        return id;
    }

    // ---------------------------------------------------------------- registers

    /**
     * {@code KVM_GET_REGS} (api.rst 4.11).
     *
     * @return the general-purpose registers, in a new {@link Regs}
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public Regs getRegs() {
        return getState(KvmIoctls.KVM_GET_REGS, KvmRegs.SIZE, Regs::read);
    }

    /**
     * {@code KVM_SET_REGS} (api.rst 4.12).
     *
     * @param regs all eighteen registers to load; RFLAGS bit 1 must be set
     * @throws NullPointerException if {@code regs} is null
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public void setRegs(Regs regs) {
        Objects.requireNonNull(regs, "regs");
        setState(KvmIoctls.KVM_SET_REGS, KvmRegs.SIZE, regs::write);
    }

    /**
     * {@code KVM_GET_SREGS} (api.rst 4.13).
     *
     * @return the special registers, in a new {@link Sregs} to modify and hand to {@link #setSregs}
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public Sregs getSregs() {
        return getState(KvmIoctls.KVM_GET_SREGS, KvmSregs.SIZE, Sregs::read);
    }

    /**
     * {@code KVM_SET_SREGS} (api.rst 4.14).
     *
     * @param sregs the special registers to load, usually from {@link #getSregs()}
     * @throws NullPointerException if {@code sregs} is null
     * @throws KvmException if the ioctl fails (EINVAL: KVM refuses the CR0/CR4/EFER combination or a segment)
     * @throws ClosedException after {@link #close()}
     */
    public void setSregs(Sregs sregs) {
        Objects.requireNonNull(sregs, "sregs");
        setState(KvmIoctls.KVM_SET_SREGS, KvmSregs.SIZE, sregs::write);
    }

    /**
     * {@code KVM_GET_FPU} (api.rst 4.22).
     *
     * @return the x87/SSE state, in a new {@link Fpu} (its MXCSR reads 0, see {@link Fpu})
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public Fpu getFpu() {
        return getState(KvmIoctls.KVM_GET_FPU, KvmFpu.SIZE, Fpu::read);
    }

    /**
     * {@code KVM_SET_FPU} (api.rst 4.23).
     *
     * @param fpu the x87/SSE state to load; its MXCSR is ignored by the kernel
     * @throws NullPointerException if {@code fpu} is null
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public void setFpu(Fpu fpu) {
        Objects.requireNonNull(fpu, "fpu");
        setState(KvmIoctls.KVM_SET_FPU, KvmFpu.SIZE, fpu::write);
    }

    /** One register-set read: a zeroed struct of {@code size} bytes, the ioctl, {@code reader} of the result. */
    private <T> T getState(Ioctl ioctl, int size, Function<ByteBuffer, T> reader) {
        NativeStruct s = NativeStruct.allocate(size);
        fd.ioctl(ioctl, s, "");
        return reader.apply(s.buffer());
    }

    /** One register-set write: {@code writer} fills a zeroed struct of {@code size} bytes, then the ioctl. */
    private void setState(Ioctl ioctl, int size, Consumer<ByteBuffer> writer) {
        NativeStruct s = NativeStruct.allocate(size);
        writer.accept(s.buffer());
        fd.ioctl(ioctl, s, "");
    }

    /**
     * {@code KVM_GET_MSRS} for {@code indices} (api.rst 4.18), in one ioctl.
     *
     * @param indices the MSR numbers to read, at most 4096
     * @return one entry per index, in the order given, in an unmodifiable list
     * @throws IllegalArgumentException naming the first MSR KVM does not support, or for more than 4096 indices
     * @throws NullPointerException if {@code indices} is null
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public List<MsrEntry> getMsrs(int... indices) {
        NativeStruct s = msrStruct(indices.length);
        ByteBuffer b = s.buffer();
        for (int i = 0; i < indices.length; i++) {
            b.putInt(KvmMsrs.ENTRIES + i * KvmMsrEntry.SIZE + KvmMsrEntry.INDEX, indices[i]);
        }
        int done = fd.ioctl(KvmIoctls.KVM_GET_MSRS, s, indices.length + " MSRs");
        if (done < indices.length) {
            throw new IllegalArgumentException(String.format("KVM_GET_MSRS read %d of %d MSRs: MSR 0x%x is not supported",
                done, indices.length, indices[done]));
        }
        List<MsrEntry> out = new ArrayList<>(indices.length);
        for (int i = 0; i < indices.length; i++) {
            int at = KvmMsrs.ENTRIES + i * KvmMsrEntry.SIZE;
            out.add(new MsrEntry(b.getInt(at + KvmMsrEntry.INDEX), b.getLong(at + KvmMsrEntry.DATA)));
        }
        return List.copyOf(out);
    }

    /**
     * {@code KVM_SET_MSRS} (api.rst 4.19), in one ioctl. KVM writes the entries in order and stops
     * at the first it refuses; the ones before it stay written.
     *
     * @param entries the MSRs to write, at most 4096
     * @throws IllegalArgumentException naming the first MSR KVM refused, or for more than 4096 entries
     * @throws NullPointerException if {@code entries} or one of its elements is null
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public void setMsrs(List<MsrEntry> entries) {
        NativeStruct s = msrStruct(entries.size());
        ByteBuffer b = s.buffer();
        for (int i = 0; i < entries.size(); i++) {
            int at = KvmMsrs.ENTRIES + i * KvmMsrEntry.SIZE;
            b.putInt(at + KvmMsrEntry.INDEX, entries.get(i).index());
            b.putLong(at + KvmMsrEntry.DATA, entries.get(i).data());
        }
        int done = fd.ioctl(KvmIoctls.KVM_SET_MSRS, s, entries.size() + " MSRs");
        if (done < entries.size()) {
            throw new IllegalArgumentException(String.format("KVM_SET_MSRS wrote %d of %d MSRs: %s was refused",
                done, entries.size(), entries.get(done)));
        }
    }

    private static NativeStruct msrStruct(int count) {
        if (count < 0 || count > 4096) {
            throw new IllegalArgumentException("MSR count must be 0..4096, got " + count);
        }
        NativeStruct s = NativeStruct.allocate(KvmMsrs.SIZE + count * KvmMsrEntry.SIZE);
        s.buffer().putInt(KvmMsrs.NMSRS, count);
        return s;
    }

    /**
     * {@code KVM_SET_CPUID2}: what CPUID reports to the guest (start from {@link Kvm#supportedCpuid()}).
     * Replaces the whole table; call it before the first run.
     *
     * @param entries the CPUID leaves, at most {@link KvmConstants#KVM_MAX_CPUID_ENTRIES} (256)
     * @throws IllegalArgumentException for more than 256 entries
     * @throws NullPointerException if {@code entries} or one of its elements is null
     * @throws KvmException if the ioctl fails (e.g. EINVAL for an inconsistent table; recent kernels refuse changes
     *     after the vCPU has run)
     * @throws ClosedException after {@link #close()}
     */
    public void setCpuid2(List<CpuidEntry> entries) {
        if (entries.size() > KvmConstants.KVM_MAX_CPUID_ENTRIES) {
            throw new IllegalArgumentException("at most " + KvmConstants.KVM_MAX_CPUID_ENTRIES + " CPUID entries, got " + entries.size());
        }
        NativeStruct s = Kvm.CpuidCodec.write(entries);
        fd.ioctl(KvmIoctls.KVM_SET_CPUID2, s, entries.size() + " entries");
    }

    /**
     * {@code KVM_GET_CPUID2}: reads back the table {@link #setCpuid2} set, up to 256 entries.
     *
     * @return the CPUID entries set on this vCPU (by {@link #setCpuid2}), in an unmodifiable list
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public List<CpuidEntry> getCpuid2() {
        int max = KvmConstants.KVM_MAX_CPUID_ENTRIES;
        NativeStruct s = NativeStruct.allocate(KvmCpuid2.SIZE + max * KvmCpuidEntry2.SIZE);
        s.buffer().putInt(KvmCpuid2.NENT, max);
        fd.ioctl(KvmIoctls.KVM_GET_CPUID2, s, "");
        return Kvm.CpuidCodec.read(s.buffer());
    }

    /**
     * {@code KVM_GET_LAPIC} (api.rst 4.57).
     *
     * @return the local APIC's register page, in a new {@link LapicState}
     * @throws KvmException if the ioctl fails (EINVAL without {@link Vm#createIrqchip()})
     * @throws ClosedException after {@link #close()}
     */
    public LapicState getLapic() {
        return getState(KvmIoctls.KVM_GET_LAPIC, KvmLapicState.SIZE, LapicState::read);
    }

    /**
     * {@code KVM_SET_LAPIC} (api.rst 4.58).
     *
     * @param lapic the register page to load, usually from {@link #getLapic()}
     * @throws NullPointerException if {@code lapic} is null
     * @throws KvmException if the ioctl fails (EINVAL without {@link Vm#createIrqchip()})
     * @throws ClosedException after {@link #close()}
     */
    public void setLapic(LapicState lapic) {
        Objects.requireNonNull(lapic, "lapic");
        setState(KvmIoctls.KVM_SET_LAPIC, KvmLapicState.SIZE, lapic::write);
    }

    /**
     * {@code KVM_GET_MP_STATE} (api.rst 4.38).
     *
     * @return one of the {@code KVM_MP_STATE_*} values in {@link KvmConstants}: 0 runnable, 1 uninitialized,
     *     2 INIT received, 3 halted, 4 SIPI received
     * @throws KvmException if the ioctl fails
     * @throws ClosedException after {@link #close()}
     */
    public int getMpState() {
        NativeStruct s = NativeStruct.allocate(KvmMpState.SIZE);
        fd.ioctl(KvmIoctls.KVM_GET_MP_STATE, s, "");
        return s.buffer().getInt(KvmMpState.MP_STATE);
    }

    /**
     * {@code KVM_SET_MP_STATE} (api.rst 4.39), e.g. to make an application processor runnable without INIT/SIPI.
     *
     * @param mpState one of the {@code KVM_MP_STATE_*} values in {@link KvmConstants} (see {@link #getMpState()})
     * @throws KvmException if the ioctl fails (EINVAL for a state KVM does not accept here)
     * @throws ClosedException after {@link #close()}
     */
    public void setMpState(int mpState) {
        NativeStruct s = NativeStruct.allocate(KvmMpState.SIZE);
        s.buffer().putInt(KvmMpState.MP_STATE, mpState);
        fd.ioctl(KvmIoctls.KVM_SET_MP_STATE, s, "mp_state " + mpState);
    }

    // ---------------------------------------------------------------- running

    /**
     * One {@code KVM_RUN}, returning whatever exit it produced. For {@link VcpuExit.Io} IN and
     * {@link VcpuExit.Mmio} reads, fill the exit's {@code data()} before calling a run method
     * again; it is handed to the guest then. Allocates a record per exit: for the hot path use
     * {@link #run(ExitHandler, ExitCounter)}. {@code KVM_RUN}: api.rst 4.10; the exits: api.rst 5.
     * EAGAIN from the kernel is retried; EINTR (a {@link #kick()} or another signal) becomes
     * {@link VcpuExit#INTERRUPTED}.
     *
     * @return the exit: a new record for exits that carry data, a shared instance otherwise
     * @throws ClosedException if closed or closing
     * @throws BusyException if another thread is inside a run method of this vCPU
     * @throws KvmException if {@code KVM_RUN} fails other than with EINTR/EAGAIN
     * @throws MalformedResultException if the kernel reports a port or MMIO exit whose size or data
     *     offset no correct kernel produces; nothing is read or written then
     */
    public VcpuExit run() {
        int raw = fd.acquire();
        try {
            beginRun();
            try {
                flushPendingRead();
                return decode(enter(raw), true);
            } finally {
                endRun();
            }
        } finally {
            fd.release();
        }
    }

    /**
     * Runs the guest, serving port and MMIO exits in place through {@code handler},
     * until any other exit, which it returns (HLT, shutdown, failed entry, internal error, system
     * event, {@link VcpuExit.Interrupted} after a {@link #kick()}, or an unmodelled exit). Every
     * exit, served or returned, is counted in {@code counter}. Allocates nothing for served exits.
     * The handler runs on this thread, inside the run; it may call {@link #kick()} but not
     * {@link #close()}.
     *
     * @param handler serves the port and MMIO accesses, one call per access
     * @param counter counts every exit by reason; used by this thread only while the run lasts
     * @return the first exit that is neither port I/O nor MMIO (port-I/O and MMIO exits come back only as handler calls)
     * @throws NullPointerException if {@code handler} or {@code counter} is null
     * @throws ClosedException if closed or closing
     * @throws BusyException if another thread is inside a run method of this vCPU
     * @throws KvmException if {@code KVM_RUN} fails other than with EINTR/EAGAIN
     * @throws MalformedResultException if the kernel reports a port or MMIO exit whose size or data
     *     offset no correct kernel produces
     * @throws RuntimeException whatever a device throws, after which the vCPU may be resumed
     */
    public VcpuExit run(ExitHandler handler, ExitCounter counter) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(counter, "counter");
        int raw = fd.acquire();
        try {
            beginRun();
            try {
                flushPendingRead();
                while (true) {
                    int reason = enter(raw);
                    counter.count(reason == INTERRUPTED ? KvmConstants.KVM_EXIT_INTR : reason);
                    if (reason == KvmConstants.KVM_EXIT_IO) {
                        serveIo(handler);
                    } else if (reason == KvmConstants.KVM_EXIT_MMIO) {
                        serveMmio(handler);
                    } else {
                        return decode(reason, false);
                    }
                }
            } finally {
                endRun();
            }
        } finally {
            fd.release();
        }
    }

    /**
     * Makes the current {@code KVM_RUN} (or, if no thread is inside one, the next) return
     * {@link VcpuExit.Interrupted} promptly. Safe from any thread, including the vCPU thread itself
     * (e.g. a device asking to stop) and after close (then it does nothing).
     */
    public void kick() {
        synchronized (threadLock) {
            if (unmapped) {
                return;
            }
            requestImmediateExit();
            if (runningPthread != 0) {
                VcpuKickSignal.send(runningPthread);
            }
        }
    }

    private void requestImmediateExit() {
        run.put(KvmRun.IMMEDIATE_EXIT, (byte) 1);
        // Order the store before the signal and before any load the vCPU thread does after
        // clearing it (see enter()): a kick is then either seen on entry or by the caller's check.
        VarHandle.fullFence();
    }

    private void beginRun() {
        synchronized (threadLock) {
            if (closing) {
                throw new ClosedException("vcpu " + id + " is closed");
            }
            if (runningPthread != 0) {
                throw new BusyException("vcpu " + id + " is already running on another thread");
            }
            Thread current = Thread.currentThread();
            if (current != cachedThread) {
                cachedThread = current;
                cachedPthread = LibC.pthreadSelf();
            }
            runningPthread = cachedPthread;
        }
    }

    private void endRun() {
        synchronized (threadLock) {
            runningPthread = 0;
        }
    }

    /** KVM_RUN until an exit: returns the exit reason, or {@link #INTERRUPTED} for EINTR. */
    private int enter(int raw) {
        while (true) {
            int r = LibC.ioctlErrno(raw, KvmIoctls.KVM_RUN.request(), 0);
            // the guest ran on the VM's memory until here (see the vm field)
            Reference.reachabilityFence(vm);
            if (r >= 0) {
                int reason = run.getInt(KvmRun.EXIT_REASON);
                return reason == KvmConstants.KVM_EXIT_INTR ? INTERRUPTED : reason;
            }
            if (r == -Errno.EINTR) {
                run.put(KvmRun.IMMEDIATE_EXIT, (byte) 0);
                VarHandle.fullFence();
                return INTERRUPTED;
            }
            if (r != -Errno.EAGAIN) {
                throw new KvmException("KVM_RUN", -r, "vcpu " + id);
            }
            // EAGAIN: an AP woken from wait-for-SIPI without being made runnable; enter again.
        }
    }

    private void serveIo(ExitHandler handler) {
        int direction = run.get(KvmRun.IO_DIRECTION);
        int size = run.get(KvmRun.IO_SIZE) & 0xff;
        int port = run.getShort(KvmRun.IO_PORT) & 0xffff;
        int count = run.getInt(KvmRun.IO_COUNT);
        int offset = checkedIoDataOffset(size, count);
        byte[] data = scratch[size];
        for (int i = 0; i < count; i++, offset += size) {
            if (direction == KvmConstants.KVM_EXIT_IO_OUT) {
                run.get(offset, data, 0, size);
                handler.ioWrite(port, data);
            } else {
                handler.ioRead(port, data);
                run.put(offset, data, 0, size);
            }
        }
    }

    private void serveMmio(ExitHandler handler) {
        long address = run.getLong(KvmRun.MMIO_PHYS_ADDR);
        int length = checkedMmioLength();
        byte[] data = scratch[length];
        if (run.get(KvmRun.MMIO_IS_WRITE) != 0) {
            run.get(KvmRun.MMIO_DATA, data, 0, length);
            handler.mmioWrite(address, data);
        } else {
            handler.mmioRead(address, data);
            run.put(KvmRun.MMIO_DATA, data, 0, length);
        }
    }

    /** The kernel's data offset, checked to lie inside our mapping before we touch it. */
    private int checkedIoDataOffset(int size, int count) {
        long offset = run.getLong(KvmRun.IO_DATA_OFFSET);
        if ((size != 1 && size != 2 && size != 4) || count < 1
            || offset < KvmRun.SIZE || offset > runMapSize || (long) size * count > runMapSize - offset) {
            throw new MalformedResultException(String.format("vcpu %d: malformed KVM_EXIT_IO (size %d count %d data_offset 0x%x, mapping %d bytes)",
                id, size, count, offset, runMapSize));
        }
        return (int) offset;
    }

    private int checkedMmioLength() {
        int length = run.getInt(KvmRun.MMIO_LEN);
        if (length < 1 || length > KvmRun.MMIO_DATA_SIZE) {
            throw new MalformedResultException("vcpu " + id + ": malformed KVM_EXIT_MMIO length " + length);
        }
        return length;
    }

    private void flushPendingRead() {
        if (pendingReadData != null) {
            run.put(pendingReadOffset, pendingReadData);
            pendingReadData = null;
        }
    }

    private VcpuExit decode(int reason, boolean withData) {
        switch (reason) {
            case INTERRUPTED:
                return VcpuExit.INTERRUPTED;
            case KvmConstants.KVM_EXIT_HLT:
                return VcpuExit.HLT;
            case KvmConstants.KVM_EXIT_SHUTDOWN:
                return VcpuExit.SHUTDOWN;
            case KvmConstants.KVM_EXIT_IO:
                if (withData) {
                    return decodeIo();
                }
                break;
            case KvmConstants.KVM_EXIT_MMIO:
                if (withData) {
                    return decodeMmio();
                }
                break;
            case KvmConstants.KVM_EXIT_FAIL_ENTRY:
                return new VcpuExit.FailEntry(run.getLong(KvmRun.FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON),
                    run.getInt(KvmRun.FAIL_ENTRY_CPU));
            case KvmConstants.KVM_EXIT_INTERNAL_ERROR: {
                int n = Math.min(Math.max(run.getInt(KvmRun.INTERNAL_NDATA), 0), KvmRun.INTERNAL_DATA_MAX);
                long[] data = new long[n];
                for (int i = 0; i < n; i++) {
                    data[i] = run.getLong(KvmRun.INTERNAL_DATA + i * Long.BYTES);
                }
                return new VcpuExit.InternalError(run.getInt(KvmRun.INTERNAL_SUBERROR), data);
            }
            case KvmConstants.KVM_EXIT_SYSTEM_EVENT:
                return new VcpuExit.SystemEvent(run.getInt(KvmRun.SYSTEM_EVENT_TYPE), run.getLong(KvmRun.SYSTEM_EVENT_FLAGS));
            case KvmConstants.KVM_EXIT_UNKNOWN:
                return new VcpuExit.Unknown(reason, run.getLong(KvmRun.HW_HARDWARE_EXIT_REASON));
            default:
                break;
        }
        return new VcpuExit.Unknown(reason, 0);
    }

    private VcpuExit.Io decodeIo() {
        int direction = run.get(KvmRun.IO_DIRECTION);
        int size = run.get(KvmRun.IO_SIZE) & 0xff;
        int port = run.getShort(KvmRun.IO_PORT) & 0xffff;
        int count = run.getInt(KvmRun.IO_COUNT);
        int offset = checkedIoDataOffset(size, count);
        byte[] data = new byte[size * count];
        if (direction == KvmConstants.KVM_EXIT_IO_OUT) {
            run.get(offset, data);
            return new VcpuExit.Io(port, size, VcpuExit.Direction.OUT, count, data);
        }
        pendingReadData = data;
        pendingReadOffset = offset;
        return new VcpuExit.Io(port, size, VcpuExit.Direction.IN, count, data);
    }

    private VcpuExit.Mmio decodeMmio() {
        long address = run.getLong(KvmRun.MMIO_PHYS_ADDR);
        int length = checkedMmioLength();
        byte[] data = new byte[length];
        boolean isWrite = run.get(KvmRun.MMIO_IS_WRITE) != 0;
        if (isWrite) {
            run.get(KvmRun.MMIO_DATA, data);
        } else {
            pendingReadData = data;
            pendingReadOffset = KvmRun.MMIO_DATA;
        }
        return new VcpuExit.Mmio(address, length, isWrite, data);
    }

    /**
     * Kicks a thread inside {@code run}, waits until it has left, then unmaps {@code kvm_run} and
     * closes the descriptor. Idempotent; safe from any thread except one inside {@code run} of
     * this vCPU (a device callback), which gets {@link BusyException}: it would wait for
     * itself.
     *
     * @throws BusyException if called from inside this vCPU's own run loop
     * @throws io.jvmm.core.SyscallException if {@code munmap(2)} of {@code kvm_run} fails; the descriptor is closed anyway
     */
    @Override
    public void close() {
        synchronized (threadLock) {
            if (runningPthread != 0 && cachedThread == Thread.currentThread()) {
                throw new BusyException("vcpu " + id + " cannot be closed from inside its own run loop; kick it and close it afterwards");
            }
            if (!closing) {
                closing = true;
                if (!unmapped) {
                    requestImmediateExit();
                }
                if (runningPthread != 0) {
                    VcpuKickSignal.send(runningPthread);
                }
            }
        }
        fd.close(() -> {
            synchronized (threadLock) {
                if (!unmapped) {
                    unmapped = true;
                    LibC.munmapChecked(runAddress, runMapSize);
                }
            }
        });
    }

    @Override
    public String toString() {
        return "Vcpu[" + id + (fd.isClosed() ? ", closed" : "") + "]";
    }
}
