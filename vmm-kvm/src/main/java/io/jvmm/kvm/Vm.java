package io.jvmm.kvm;

import io.jvmm.core.EventFd;
import io.jvmm.core.LibC;
import io.jvmm.kvm.sys.KvmConstants;
import io.jvmm.kvm.sys.KvmIoctls;
import io.jvmm.kvm.sys.KvmStructs.KvmDirtyLog;
import io.jvmm.kvm.sys.KvmStructs.KvmIoeventfd;
import io.jvmm.kvm.sys.KvmStructs.KvmIrqLevel;
import io.jvmm.kvm.sys.KvmStructs.KvmIrqfd;
import io.jvmm.kvm.sys.KvmStructs.KvmPitConfig;
import io.jvmm.kvm.sys.KvmStructs.KvmUserspaceMemoryRegion;
import io.jvmm.kvm.sys.NativeStruct;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestMemoryRegion;
import io.jvmm.memory.MappedRegion;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One KVM virtual machine (api.rst 4, "vm ioctls"): its guest-physical memory slots, interrupt
 * controller, and vCPUs.
 *
 * <h2>Memory</h2>
 * A slot maps guest-physical {@code [guestPhysAddr, +size)} onto a host {@link MappedRegion}
 * ({@code userspace_addr = region.asPtr()}). The VM keeps every registered region reachable, so
 * its address range is not unmapped behind KVM's back (a {@code MemoryMapping} releases its range
 * only when unreachable). Slots may be added and removed while vCPUs run; KVM makes the change
 * atomic for the guest.
 *
 * <h2>Order of setup</h2>
 * {@link #setIdentityMapAddr} must precede {@link #createVcpu}; {@link #createIrqchip} must precede
 * {@link #createPit2}, {@link #irqLine} and vCPU creation if the vCPUs are to have in-kernel LAPICs.
 *
 * <p>Closing the VM closes its descriptor only; close its vCPUs first.
 */
public final class Vm implements AutoCloseable {
    private final KvmDescriptor fd;
    private final int vcpuMmapSize;
    private final int maxSlots;
    private final long createdAtNanos;
    private final long pageSize = LibC.pageSize();
    /** Guarded by {@code this}. */
    private final TreeMap<Integer, MemorySlot> slots = new TreeMap<>();
    private volatile boolean irqchip;
    /** Reused by {@link #irqLine}: devices toggle lines often. Guarded by itself. */
    private final NativeStruct irqLevel = NativeStruct.allocate(KvmIrqLevel.SIZE);

    Vm(KvmDescriptor fd, int vcpuMmapSize, int maxSlots, long createdAtNanos) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
        this.maxSlots = maxSlots;
        this.createdAtNanos = createdAtNanos;
    }

    /** Memory-slot flag: KVM logs the pages the guest writes (KVM_MEM_LOG_DIRTY_PAGES, api.rst 4.35). */
    public static final int MEM_LOG_DIRTY_PAGES = KvmConstants.KVM_MEM_LOG_DIRTY_PAGES;
    /** Memory-slot flag: guest writes exit as MMIO instead of reaching the memory (KVM_MEM_READONLY). */
    public static final int MEM_READONLY = KvmConstants.KVM_MEM_READONLY;

    /** {@return {@link System#nanoTime()} just before {@code KVM_CREATE_VM}, for setup-time statistics} */
    public long createdAtNanos() {
        return createdAtNanos;
    }

    /** {@return the number of memory slots this VM may use (slot numbers {@code 0..maxMemorySlots()-1})} */
    public int maxMemorySlots() {
        return maxSlots;
    }

    /**
     * {@code KVM_SET_USER_MEMORY_REGION}: maps guest-physical {@code [guestPhysAddr, +region.size())}
     * onto {@code region}. Re-registering an existing slot number is allowed only for the same
     * region and size (to change its flags, e.g. start dirty logging, or move it); anything else
     * needs {@link #removeMemoryRegion} first. api.rst 4.35. The VM keeps {@code region} reachable
     * until the slot is removed.
     *
     * @param slot the slot number, 0..{@code maxMemorySlots() - 1}
     * @param flags 0, or {@link #MEM_LOG_DIRTY_PAGES} and/or {@link #MEM_READONLY}
     * @param guestPhysAddr the guest-physical address of the slot's first byte, a non-negative multiple of the host
     *     page size
     * @param region the host memory to map; its address and size must be page aligned and the size positive
     * @throws NullPointerException if {@code region} is null
     * @throws IllegalArgumentException for a bad slot number, flags, alignment, or an overlap with another slot
     * @throws IllegalStateException if {@code slot} already holds another region or another size
     * @throws KvmException when the kernel refuses
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public synchronized void setUserMemoryRegion(int slot, int flags, long guestPhysAddr, MappedRegion region) {
        Objects.requireNonNull(region, "region");
        checkSlotNumber(slot);
        if ((flags & ~(KvmConstants.KVM_MEM_LOG_DIRTY_PAGES | KvmConstants.KVM_MEM_READONLY)) != 0) {
            throw new IllegalArgumentException("unknown memory slot flags 0x" + Integer.toHexString(flags));
        }
        long size = region.size();
        long host = region.asPtr();
        if (size <= 0 || size % pageSize != 0) {
            throw new IllegalArgumentException("slot " + slot + ": region size " + size + " is not a positive multiple of the page size " + pageSize);
        }
        if (guestPhysAddr < 0 || guestPhysAddr % pageSize != 0 || guestPhysAddr > Long.MAX_VALUE - size) {
            throw new IllegalArgumentException(String.format("slot %d: guest address 0x%x is negative, not page aligned, or the slot overflows", slot, guestPhysAddr));
        }
        if (host % pageSize != 0) {
            throw new IllegalArgumentException(String.format("slot %d: host address 0x%x is not page aligned", slot, host));
        }
        MemorySlot existing = slots.get(slot);
        if (existing != null && (existing.region() != region || existing.size() != size)) {
            throw new IllegalStateException("slot " + slot + " already holds " + existing + "; remove it before registering another region");
        }
        for (MemorySlot other : slots.values()) {
            if (other.slot() != slot && other.overlaps(guestPhysAddr, size)) {
                throw new IllegalArgumentException(String.format("slot %d: guest range [0x%x, 0x%x) overlaps %s",
                    slot, guestPhysAddr, guestPhysAddr + size, other));
            }
        }
        setRegion(slot, flags, guestPhysAddr, size, host);
        slots.put(slot, new MemorySlot(slot, flags, guestPhysAddr, size, region));
    }

    /**
     * Removes slot {@code slot} (a region of size 0, api.rst 4.35). The guest then sees no memory
     * there: accesses become MMIO exits.
     *
     * @param slot the slot number, 0..{@code maxMemorySlots() - 1}
     * @return the removed slot, or empty if none was registered
     * @throws IllegalArgumentException if {@code slot} is outside 0..{@code maxMemorySlots() - 1}
     * @throws KvmException if the ioctl fails
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public synchronized Optional<MemorySlot> removeMemoryRegion(int slot) {
        checkSlotNumber(slot);
        MemorySlot existing = slots.get(slot);
        if (existing == null) {
            return Optional.empty();
        }
        setRegion(slot, 0, existing.guestPhysAddr(), 0, 0);
        slots.remove(slot);
        return Optional.of(existing);
    }

    /**
     * Registers every region of {@code memory} in its own slot (the lowest free slot numbers, in
     * ascending guest-address order), with {@code flags}. All or nothing: if one registration fails
     * the ones already made are removed again.
     *
     * @param memory the guest memory whose regions to register
     * @param flags 0, or {@link #MEM_LOG_DIRTY_PAGES} and/or {@link #MEM_READONLY}, for every slot
     * @return the new slots, in region order
     * @throws NullPointerException if {@code memory} is null
     * @throws IllegalArgumentException as {@link #setUserMemoryRegion} does, e.g. for an overlap with a slot already there
     * @throws IllegalStateException if the free slots run out
     * @throws KvmException when the kernel refuses a region
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public synchronized List<MemorySlot> addMemory(GuestMemory memory, int flags) {
        Objects.requireNonNull(memory, "memory");
        List<MemorySlot> added = new ArrayList<>();
        try {
            for (GuestMemoryRegion region : memory.regions()) {
                int slot = freeSlot();
                setUserMemoryRegion(slot, flags, region.guestBase().offset(), region.mapping());
                added.add(slots.get(slot));
            }
        } catch (RuntimeException e) {
            for (MemorySlot s : added) {
                try {
                    removeMemoryRegion(s.slot());
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return List.copyOf(added);
    }

    /**
     * {@link #addMemory(GuestMemory, int)} without flags.
     *
     * @param memory the guest memory whose regions to register
     * @return the new slots, in region order
     * @throws NullPointerException if {@code memory} is null
     * @throws IllegalArgumentException as {@link #addMemory(GuestMemory, int)} does
     * @throws IllegalStateException if the free slots run out
     * @throws KvmException when the kernel refuses a region
     */
    public List<MemorySlot> addMemory(GuestMemory memory) {
        return addMemory(memory, 0);
    }

    /** {@return the registered slots, by ascending slot number, in an unmodifiable snapshot} */
    public synchronized List<MemorySlot> memorySlots() {
        return List.copyOf(slots.values());
    }

    /**
     * The lowest slot number not in use. Reserves nothing: another thread may take it before this
     * one registers it.
     *
     * @return a slot number, 0..{@code maxMemorySlots() - 1}
     * @throws IllegalStateException if every slot is in use
     */
    public synchronized int freeSlot() {
        for (int i = 0; i < maxSlots; i++) {
            if (!slots.containsKey(i)) {
                return i;
            }
        }
        throw new IllegalStateException("all " + maxSlots + " memory slots are in use");
    }

    private void setRegion(int slot, int flags, long guestPhysAddr, long size, long host) {
        NativeStruct s = NativeStruct.allocate(KvmUserspaceMemoryRegion.SIZE);
        ByteBuffer b = s.buffer();
        b.putInt(KvmUserspaceMemoryRegion.SLOT, slot);
        b.putInt(KvmUserspaceMemoryRegion.FLAGS, flags);
        b.putLong(KvmUserspaceMemoryRegion.GUEST_PHYS_ADDR, guestPhysAddr);
        b.putLong(KvmUserspaceMemoryRegion.MEMORY_SIZE, size);
        b.putLong(KvmUserspaceMemoryRegion.USERSPACE_ADDR, host);
        fd.ioctl(KvmIoctls.KVM_SET_USER_MEMORY_REGION, s,
            String.format("slot %d flags %d guest 0x%x size 0x%x", slot, flags, guestPhysAddr, size));
    }

    private void checkSlotNumber(int slot) {
        if (slot < 0 || slot >= maxSlots) {
            throw new IllegalArgumentException("memory slot " + slot + " outside 0.." + (maxSlots - 1));
        }
    }

    /**
     * {@code KVM_GET_DIRTY_LOG}: the pages of {@code slot} written since the last call (or since
     * dirty logging was enabled), clearing the log (api.rst 4.8). The slot must have
     * {@link #MEM_LOG_DIRTY_PAGES}. May be called while vCPUs run; pages they write during the call
     * appear in this bitmap or the next.
     *
     * @param slot the slot number
     * @return the slot's bitmap, one bit per host page
     * @throws IllegalArgumentException if {@code slot} is out of range or not registered
     * @throws IllegalStateException if the slot was registered without {@link #MEM_LOG_DIRTY_PAGES}, or has more
     *     pages than one bitmap can index
     * @throws KvmException if the ioctl fails
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public DirtyBitmap getDirtyLog(int slot) {
        MemorySlot s;
        synchronized (this) {
            checkSlotNumber(slot);
            s = slots.get(slot);
        }
        if (s == null) {
            throw new IllegalArgumentException("memory slot " + slot + " is not registered");
        }
        if ((s.flags() & KvmConstants.KVM_MEM_LOG_DIRTY_PAGES) == 0) {
            throw new IllegalStateException(s + " was registered without KVM_MEM_LOG_DIRTY_PAGES");
        }
        long pages = s.size() / pageSize;
        if (pages > Integer.MAX_VALUE - 63) {
            throw new IllegalStateException(s + " has too many pages for one bitmap: " + pages);
        }
        int words = (int) ((pages + 63) / 64);
        // The kernel writes ALIGN(npages, BITS_PER_LONG) / 8 bytes (api.rst 4.8).
        NativeStruct bitmap = NativeStruct.allocate(words * Long.BYTES);
        NativeStruct log = NativeStruct.allocate(KvmDirtyLog.SIZE);
        log.buffer().putInt(KvmDirtyLog.SLOT, slot);
        log.buffer().putLong(KvmDirtyLog.DIRTY_BITMAP, bitmap.address());
        try {
            fd.ioctl(KvmIoctls.KVM_GET_DIRTY_LOG, log, "slot " + slot);
        } finally {
            Reference.reachabilityFence(bitmap);
        }
        long[] bits = new long[words];
        for (int i = 0; i < words; i++) {
            bits[i] = bitmap.buffer().getLong(i * Long.BYTES);
        }
        return new DirtyBitmap(slot, s.guestPhysAddr(), pageSize, (int) pages, bits);
    }

    /**
     * {@code KVM_SET_TSS_ADDR}: three pages of guest-physical space, outside RAM and MMIO, that
     * Intel hosts need for real-mode emulation (api.rst 4.36). See {@code X86Layout.TSS_ADDR}.
     *
     * @param address the guest-physical address of the first of the three pages
     * @throws IllegalArgumentException if {@code address} is negative or the three pages do not end below 4 GiB
     * @throws KvmException if the ioctl fails
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void setTssAddr(long address) {
        if (address < 0 || address > 0xffff_ffffL - 3 * pageSize) {
            throw new IllegalArgumentException(String.format("TSS address 0x%x must leave three pages below 4 GiB", address));
        }
        fd.ioctl(KvmIoctls.KVM_SET_TSS_ADDR, address, String.format("0x%x", address));
    }

    /**
     * {@code KVM_SET_IDENTITY_MAP_ADDR}: one page for KVM's real-mode identity map on Intel hosts;
     * must be called before any vCPU exists (api.rst 4.40). See {@code X86Layout.IDENTITY_MAP_ADDR}.
     *
     * @param address the guest-physical address of the page
     * @throws IllegalArgumentException if {@code address} is negative or the page does not end below 4 GiB
     * @throws KvmException if the ioctl fails, e.g. because a vCPU already exists
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void setIdentityMapAddr(long address) {
        if (address < 0 || address > 0xffff_ffffL - pageSize) {
            throw new IllegalArgumentException(String.format("identity map address 0x%x must leave one page below 4 GiB", address));
        }
        NativeStruct s = NativeStruct.allocate(Long.BYTES);
        s.buffer().putLong(0, address);
        fd.ioctl(KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR, s, String.format("0x%x", address));
    }

    /**
     * {@code KVM_CREATE_IRQCHIP}: in-kernel PIC, IOAPIC and per-vCPU LAPICs. Note that with an
     * in-kernel LAPIC a guest HLT waits in the kernel for an interrupt instead of exiting. api.rst 4.24.
     *
     * @throws KvmException if the ioctl fails (e.g. EEXIST: created already)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void createIrqchip() {
        fd.ioctl(KvmIoctls.KVM_CREATE_IRQCHIP, 0, "");
        irqchip = true;
    }

    /** {@return whether {@link #createIrqchip()} succeeded} */
    public boolean hasIrqchip() {
        return irqchip;
    }

    /** {@link #createPit2} flag: the PC speaker port 0x61 is served in the kernel (KVM_PIT_SPEAKER_DUMMY). */
    public static final int PIT_SPEAKER_DUMMY = KvmConstants.KVM_PIT_SPEAKER_DUMMY;

    /**
     * {@code KVM_CREATE_PIT2}: the in-kernel i8254 timer (needs the irqchip). api.rst 4.71.
     *
     * @param flags 0 or {@link #PIT_SPEAKER_DUMMY}
     * @throws IllegalStateException before {@link #createIrqchip()}
     * @throws KvmException if the ioctl fails (e.g. EEXIST: created already)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void createPit2(int flags) {
        if (!irqchip) {
            throw new IllegalStateException("KVM_CREATE_PIT2 needs the in-kernel irqchip: call createIrqchip() first");
        }
        NativeStruct s = NativeStruct.allocate(KvmPitConfig.SIZE);
        s.buffer().putInt(KvmPitConfig.FLAGS, flags);
        fd.ioctl(KvmIoctls.KVM_CREATE_PIT2, s, "flags " + flags);
    }

    /**
     * {@code KVM_IRQ_LINE}: drives GSI {@code irq} of the in-kernel PIC/IOAPIC high or low.
     * Thread-safe; allocation-free. api.rst 4.25.
     *
     * @param irq the GSI: 0..15 reach the PIC and IOAPIC, 16..23 the IOAPIC only
     * @param level {@code true} to raise the line, {@code false} to lower it; an edge-triggered input needs both
     * @throws IllegalStateException without an irqchip
     * @throws IllegalArgumentException if {@code irq} is negative
     * @throws KvmException if the ioctl fails
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void irqLine(int irq, boolean level) {
        if (!irqchip) {
            throw new IllegalStateException("KVM_IRQ_LINE needs the in-kernel irqchip (irq " + irq + ")");
        }
        if (irq < 0) {
            throw new IllegalArgumentException("negative irq " + irq);
        }
        synchronized (irqLevel) {
            ByteBuffer b = irqLevel.buffer();
            b.putInt(KvmIrqLevel.IRQ, irq);
            b.putInt(KvmIrqLevel.LEVEL, level ? 1 : 0);
            int r = fd.ioctlErrno(KvmIoctls.KVM_IRQ_LINE, irqLevel.address());
            if (r < 0) {
                throw new KvmException("KVM_IRQ_LINE", -r, "irq " + irq + " level " + level);
            }
        }
    }

    /**
     * {@code KVM_IOEVENTFD} for MMIO (api.rst 4.59): a guest write of {@code length} bytes (1, 2,
     * 4 or 8) at guest-physical {@code address} whose value equals {@code datamatch} signals
     * {@code event} in the kernel and resumes the vCPU at once, without an exit to userspace. A
     * virtio-mmio doorbell (QueueNotify, virtio 1.2 §4.2.2) written with the queue's index is the
     * use: one eventfd per queue. Writes that do not match still exit as MMIO.
     *
     * @param event the eventfd to signal; the caller keeps it open while registered
     * @param address the guest-physical address of the doorbell
     * @param length the access width to match, 1, 2, 4 or 8 bytes
     * @param datamatch the value a write must carry to signal {@code event}
     * @throws KvmException when KVM refuses (EEXIST: that address and value are taken already;
     *     ENOSPC: the kernel's limit of ioeventfds per bus)
     * @throws NullPointerException if {@code event} is null
     * @throws IllegalArgumentException if {@code length} is not 1, 2, 4 or 8
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void registerMmioEventFd(EventFd event, long address, int length, long datamatch) {
        ioeventfd(event, address, length, datamatch, 0);
    }

    /**
     * Undoes {@link #registerMmioEventFd} with the same arguments (a device reset, a reconfigured window):
     * {@code KVM_IOEVENTFD} with {@code KVM_IOEVENTFD_FLAG_DEASSIGN}.
     *
     * @param event the eventfd registered
     * @param address the guest-physical address registered
     * @param length the access width registered, 1, 2, 4 or 8 bytes
     * @param datamatch the value registered
     * @throws NullPointerException if {@code event} is null
     * @throws IllegalArgumentException if {@code length} is not 1, 2, 4 or 8
     * @throws KvmException when KVM refuses (e.g. ENOENT: no such registration)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void unregisterMmioEventFd(EventFd event, long address, int length, long datamatch) {
        ioeventfd(event, address, length, datamatch, KvmConstants.KVM_IOEVENTFD_FLAG_DEASSIGN);
    }

    private void ioeventfd(EventFd event, long address, int length, long datamatch, int extraFlags) {
        Objects.requireNonNull(event, "event");
        if (length != 1 && length != 2 && length != 4 && length != 8) {
            throw new IllegalArgumentException("ioeventfd length " + length + " is not 1, 2, 4 or 8");
        }
        NativeStruct s = NativeStruct.allocate(KvmIoeventfd.SIZE);
        ByteBuffer b = s.buffer();
        b.putLong(KvmIoeventfd.DATAMATCH, datamatch);
        b.putLong(KvmIoeventfd.ADDR, address);
        b.putInt(KvmIoeventfd.LEN, length);
        b.putInt(KvmIoeventfd.FD, event.asRawDescriptor());
        b.putInt(KvmIoeventfd.FLAGS, KvmConstants.KVM_IOEVENTFD_FLAG_DATAMATCH | extraFlags);
        fd.ioctl(KvmIoctls.KVM_IOEVENTFD, s,
            String.format("mmio 0x%x len %d datamatch %d%s", address, length, datamatch, extraFlags != 0 ? " deassign" : ""));
    }

    /**
     * {@code KVM_IRQFD} (api.rst 4.75): signalling {@code event} injects GSI {@code gsi} on the
     * in-kernel irqchip, from any thread and without an ioctl per interrupt. On an I/O APIC pin
     * programmed edge-triggered it is one edge per signal, as virtio-mmio's interrupt is
     * described to the guest (docs/virtio.md).
     *
     * @param event the eventfd whose signals inject the interrupt; the caller keeps it open while registered
     * @param gsi the GSI to inject, as for {@link #irqLine}
     * @throws NullPointerException if {@code event} is null
     * @throws IllegalStateException without an irqchip
     * @throws IllegalArgumentException if {@code gsi} is negative
     * @throws KvmException when KVM refuses (e.g. EBUSY: {@code event} is bound already)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void registerIrqFd(EventFd event, int gsi) {
        irqfd(event, gsi, 0);
    }

    /**
     * Undoes {@link #registerIrqFd}: {@code KVM_IRQFD} with {@code KVM_IRQFD_FLAG_DEASSIGN}.
     *
     * @param event the eventfd registered
     * @param gsi the GSI registered
     * @throws NullPointerException if {@code event} is null
     * @throws IllegalStateException without an irqchip
     * @throws IllegalArgumentException if {@code gsi} is negative
     * @throws KvmException when KVM refuses
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void unregisterIrqFd(EventFd event, int gsi) {
        irqfd(event, gsi, KvmConstants.KVM_IRQFD_FLAG_DEASSIGN);
    }

    private void irqfd(EventFd event, int gsi, int flags) {
        Objects.requireNonNull(event, "event");
        if (!irqchip) {
            throw new IllegalStateException("KVM_IRQFD needs the in-kernel irqchip (gsi " + gsi + ")");
        }
        if (gsi < 0) {
            throw new IllegalArgumentException("negative gsi " + gsi);
        }
        NativeStruct s = NativeStruct.allocate(KvmIrqfd.SIZE);
        ByteBuffer b = s.buffer();
        b.putInt(KvmIrqfd.FD, event.asRawDescriptor());
        b.putInt(KvmIrqfd.GSI, gsi);
        b.putInt(KvmIrqfd.FLAGS, flags);
        fd.ioctl(KvmIoctls.KVM_IRQFD, s, "gsi " + gsi + (flags != 0 ? " deassign" : ""));
    }

    /**
     * {@code KVM_CREATE_VCPU} with APIC id / vCPU index {@code id}, and maps its {@code kvm_run}
     * (api.rst 4.7). With an irqchip, the vCPU gets an in-kernel LAPIC.
     *
     * @param id the vCPU id (the initial APIC id): non-negative and unique in the VM; a VM holds at most
     *     {@link Kvm#maxVcpus()} vCPUs
     * @return the new vCPU, which the caller closes before the VM
     * @throws IllegalArgumentException if {@code id} is negative
     * @throws KvmException if the ioctl fails (e.g. EEXIST: the id is taken; EINVAL: the id is too large)
     * @throws io.jvmm.core.SyscallException if mapping {@code kvm_run} fails
     * @throws io.jvmm.core.MalformedResultException if the kernel's mmap size is smaller than {@code struct kvm_run}
     * @throws ExceptionInInitializerError on the first vCPU of the process, if the kick signal (SIGRTMIN) cannot be
     *     given jvmm's handler, e.g. because another library installed one
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public Vcpu createVcpu(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("negative vCPU id " + id);
        }
        int vcpuFd = fd.ioctl(KvmIoctls.KVM_CREATE_VCPU, id, "id " + id);
        return new Vcpu(this, new KvmDescriptor(vcpuFd, "vcpu " + id), id, vcpuMmapSize);
    }

    /**
     * Closes the VM descriptor. Idempotent. vCPUs hold their own reference to the VM in the
     * kernel, and each {@link Vcpu} keeps this object reachable, which keeps its slots' regions
     * reachable, so a vCPU still running never sees its memory unmapped by a cleaner (an explicit
     * {@code GuestMemory.close()} replaces the memory with inaccessible scratch pages instead).
     */
    @Override
    public void close() {
        fd.close();
    }
}
