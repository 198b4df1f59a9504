package io.jvmm.memory;

import io.jvmm.core.ClosedException;
import io.jvmm.core.ErrorDetails;
import io.jvmm.core.Errno;

import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.memory.GuestMemoryException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The guest's physical memory: a few regions of guest physical address space, all backed by ONE
 * memfd in which they lie back to back in ascending guest order, each mapped into this process by
 * its own {@link MemoryMapping}. The design follows crosvm's {@code vm_memory::GuestMemory}.
 *
 * <pre>
 *   guest physical:  [ region 0 ]      hole      [ region 1 ]   ...
 *                    0x0     0xc000_0000  0x1_0000_0000   0x1_4000_0000
 *   memfd offsets:   [ region 0 ][ region 1 ]
 *                    0           0xc000_0000              0x1_0000_0000 (= memorySize)
 * </pre>
 *
 * <p>One memfd means one descriptor for the whole guest: {@link #offsetFromBase} gives any guest
 * address's offset in it, {@link #snapshot} finds the pages the guest ever touched with
 * {@code SEEK_DATA}/{@code SEEK_HOLE}, and {@link #removeRange} gives pages back with
 * {@code MADV_REMOVE}. The memfd is sealed against shrinking and growing ({@code F_SEAL_SHRINK},
 * {@code F_SEAL_GROW}): a shorter file would turn guest accesses into {@code SIGBUS}.
 * {@code F_SEAL_SEAL} is added as well, so nobody holding the descriptor can change that.
 *
 * <h2>Addresses and errors</h2>
 * Guest addresses are unsigned 64-bit. A region is found by a binary search over the sorted
 * region bases. Every failure is a {@link GuestMemoryException}:
 * <ul>
 *   <li>{@code INVALID_GUEST_ADDRESS}: the (first) address lies in no region;</li>
 *   <li>{@code INVALID_GUEST_RANGE}: the address is in a region but the access runs past that
 *       region's end (accesses never cross regions, even adjacent ones; only {@link #getSlices}
 *       and the channel transfers may run on into a region that starts exactly where the last
 *       one ends), or a range given to {@link #create} wraps past 2^64;</li>
 *   <li>{@code INVALID_SIZE}: a negative length, or a zero length where none is meaningful;</li>
 *   <li>{@code INVALID_ALIGNMENT}: a volatile access at an address that is not a multiple of its
 *       width; {@code MEMORY_NOT_ALIGNED}: an unaligned region, or a {@link #removeRange} that is
 *       not whole pages;</li>
 *   <li>{@code SHORT_READ}/{@code SHORT_WRITE}: {@link #readExactAtAddr}/{@link #writeAllAtAddr}
 *       could not transfer the whole buffer (nothing is transferred then);</li>
 *   <li>{@code MEMORY_ACCESS}: a mapping refused an access or a system call failed (the
 *       {@link MmapException} is the cause);</li>
 *   <li>{@code SNAPSHOT_FAILED}/{@code RESTORE_FAILED}: see {@link #snapshot} and {@link #restore}.</li>
 * </ul>
 * The exception is {@link ClosedException}: after {@link #close()} every method (but
 * {@code close}, {@code toString}, {@link #pageSizeBytes} and the static {@link #fullFence}) throws
 * it, whatever its arguments (but a negative file position, and a {@code null} address given to
 * a scalar accessor, which those check only by using it, to keep their hot path one branch). A
 * {@code null} argument is a {@link NullPointerException}, as everywhere in Java; a negative file position or a region of
 * another guest memory an {@link IllegalArgumentException}, and a dirty-page call on memory that
 * tracks none an {@link IllegalStateException}.
 *
 * <h2>Lifetime</h2>
 * {@link #close()} closes every region's mapping and the memfd. It is safe while other threads are
 * reading or writing, through addresses or through {@link VolatileSlice}s taken from this memory:
 * each mapping keeps its address range backed by harmless anonymous memory until nothing can reach
 * it (see {@code MappingState}), so a racing access either completes or throws
 * {@link ClosedException}; it never faults. Every method may be called from any thread; accesses
 * take no lock, so concurrent writes to the same bytes race as they would on real RAM.
 *
 * <p>The scalar accessors allocate nothing on success: one binary search, one bounds check, one
 * buffer access.
 */
public final class GuestMemory implements AutoCloseable {
    /** The debugging name of the memfd, as seen in /proc/PID/fd and /proc/PID/maps. */
    static final String MEMFD_NAME = "jvmm-guest-memory";
    /** Mappings {@link #create} leaves to the JVM (thread stacks, heap, code cache, libraries). */
    static final int JVM_MAPPING_RESERVE = 4096;

    private final GuestMemoryRegion[] regions;
    private final List<GuestMemoryRegion> regionList;
    /** Region bases with the sign bit flipped, so that a signed compare orders them unsigned. */
    private final long[] flippedBases;
    // bases and sizes repeat the regions' values as plain arrays: the binary search of every
    // access reads them, and an array of longs is what keeps that search in one or two cache lines.
    private final long[] bases;
    private final long[] sizes;
    private final SharedMemory shm;
    private final long memorySize;
    private final long pageSize;
    private volatile boolean closed;
    /** Whether every region has a {@link DirtyBitmap}. */
    private final boolean trackDirty;
    /**
     * The region the last scalar lookup that searched found: a hint, nothing more. Plain and racy
     * on purpose: every value a thread can read is one of {@link #regions} (a region's fields are
     * final, so it is seen whole), and the hint is checked before it is used; it is written only
     * when the search runs, so threads that stay in one region do not write it at all.
     */
    private GuestMemoryRegion lastHit;

    private GuestMemory(GuestMemoryRegion[] regions, SharedMemory shm, long memorySize, long pageSize, boolean trackDirty) {
        this.trackDirty = trackDirty;
        this.regions = regions;
        this.regionList = List.of(regions);
        int n = regions.length;
        this.flippedBases = new long[n];
        this.bases = new long[n];
        this.sizes = new long[n];
        for (int i = 0; i < n; i++) {
            bases[i] = regions[i].guestBase().offset();
            flippedBases[i] = bases[i] ^ Long.MIN_VALUE;
            sizes[i] = regions[i].size();
        }
        this.shm = shm;
        this.memorySize = memorySize;
        this.pageSize = pageSize;
        int largest = 0;
        for (int i = 1; i < n; i++) {
            if (sizes[i] > sizes[largest]) {
                largest = i;
            }
        }
        this.lastHit = regions[largest];
    }

    /**
     * Creates guest memory with one region per range, backed by one sealed memfd. Pages are only
     * allocated when first touched, so large sparse layouts cost nothing up front.
     *
     * @param ranges at least one; in any order; starts and sizes multiples of the page size;
     *     sizes positive; no two overlapping (adjacent is fine); none reaching past 2^64 (the
     *     exclusive end must be a 64-bit address)
     * @throws GuestMemoryException {@code INVALID_GUEST_RANGE} for no ranges, a {@code null} range
     *     or one that wraps; {@code INVALID_SIZE} for a size that is not positive;
     *     {@code MEMORY_NOT_ALIGNED} for an unaligned start or size; {@code MEMORY_REGION_OVERLAP};
     *     {@code MEMORY_REGION_TOO_LARGE} when the sizes add up past 2^63 - 1;
     *     {@code MEMORY_CREATION_FAILED} when the memfd cannot be created, sized or sealed;
     *     {@code MEMORY_MAPPING_FAILED} when a region cannot be mapped, or when there are more
     *     regions than this process can still map (vm.max_map_count, less a reserve for the JVM)
     * @return the new guest memory, zero-filled, owned by the caller (close it)
     */
    public static GuestMemory create(GuestRange... ranges) {
        return create(false, ranges);
    }

    /**
     * As {@link #create}, with a dirty bitmap per region: one bit per page, set by every write
     * through this object's API (see docs/guest-memory.md, "Dirty pages", for exactly which paths
     * mark and which cannot), read and cleared with {@link #drainDirtyPages}. The bitmap costs one
     * bit per page of host memory (32 KiB per GiB of guest RAM with 4 KiB pages).
     *
     * @param ranges as for {@link #create}
     * @return the new guest memory, zero-filled, with every page clean
     * @throws GuestMemoryException as {@link #create}; also {@code MEMORY_REGION_TOO_LARGE} when a
     *     region's bitmap would not fit one Java array
     */
    public static GuestMemory createWithDirtyTracking(GuestRange... ranges) {
        return create(true, ranges);
    }

    private static GuestMemory create(boolean trackDirty, GuestRange... ranges) {
        if (ranges == null || ranges.length == 0) {
            throw new GuestMemoryException(Kind.INVALID_GUEST_RANGE, "guest memory needs at least one range, got none");
        }
        long page = LibC.pageSize();
        GuestRange[] sorted = ranges.clone();
        for (int i = 0; i < sorted.length; i++) {
            validateRange(sorted[i], i, page);
        }
        Arrays.sort(sorted, Comparator.comparing(GuestRange::start));
        long total = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i > 0) {
                GuestRange prev = sorted[i - 1];
                long prevEnd = prev.start().offset() + prev.size();
                if (Long.compareUnsigned(prevEnd, sorted[i].start().offset()) > 0) {
                    throw new GuestMemoryException(Kind.MEMORY_REGION_OVERLAP,
                        "range " + rangeText(prev.start().offset(), prev.size()) + " overlaps range "
                            + rangeText(sorted[i].start().offset(), sorted[i].size()));
                }
            }
            total += sorted[i].size();
            if (total < 0) {
                throw new GuestMemoryException(Kind.MEMORY_REGION_TOO_LARGE,
                    "the " + sorted.length + " ranges add up to more than 2^63 - 1 bytes");
            }
        }
        checkMappingCount(sorted.length);
        SharedMemory shm = createSealedMemfd(total);
        GuestMemoryRegion[] regions = new GuestMemoryRegion[sorted.length];
        long shmOffset = 0;
        try {
            for (int i = 0; i < sorted.length; i++) {
                GuestRange r = sorted[i];
                MemoryMapping mapping;
                try {
                    mapping = MemoryMapping.builder(r.size()).fromSharedMemory(shm).offset(shmOffset).build();
                } catch (MmapException e) {
                    throw new GuestMemoryException(Kind.MEMORY_MAPPING_FAILED,
                        "cannot map region " + rangeText(r.start().offset(), r.size()) + " at memfd offset 0x"
                            + Long.toHexString(shmOffset) + ": " + e.getMessage(), e);
                }
                DirtyBitmap dirty = trackDirty ? new DirtyBitmap(r.size(), page) : null;
                regions[i] = new GuestMemoryRegion(i, r.start(), r.size(), shmOffset, mapping, dirty);
                shmOffset += r.size();
            }
        } catch (RuntimeException e) {
            for (GuestMemoryRegion region : regions) {
                if (region != null) {
                    region.memoryMapping().close();
                }
            }
            shm.close();
            throw e;
        }
        return new GuestMemory(regions, shm, total, page, trackDirty);
    }

    private static void validateRange(GuestRange range, int position, long page) {
        if (range == null) {
            throw new GuestMemoryException(Kind.INVALID_GUEST_RANGE, "range #" + position + " is null");
        }
        long start = range.start().offset();
        long size = range.size();
        if (size <= 0) {
            throw new GuestMemoryException(Kind.INVALID_SIZE,
                "range #" + position + " at 0x" + Long.toHexString(start) + " has size " + size + "; sizes must be positive");
        }
        if ((start & (page - 1)) != 0 || (size & (page - 1)) != 0) {
            throw new GuestMemoryException(Kind.MEMORY_NOT_ALIGNED,
                "range #" + position + " " + rangeText(start, size) + " (size 0x" + Long.toHexString(size)
                    + ") is not aligned to the page size 0x" + Long.toHexString(page));
        }
        long end = start + size;
        // end == 0 (exactly 2^64) is refused too: every region end must be a representable address.
        if (Long.compareUnsigned(end, start) <= 0) {
            throw new GuestMemoryException(Kind.INVALID_GUEST_RANGE,
                "range #" + position + " of size 0x" + Long.toHexString(size) + " at 0x" + Long.toHexString(start)
                    + " reaches past the end of the 64-bit guest address space");
        }
    }

    /**
     * Refuses a region count the host cannot map. Each region is one mapping, and a process may
     * hold at most {@code vm.max_map_count} of them (65,530 by default); an mmap past that fails
     * with ENOMEM, and when the JVM's own next mmap (a thread stack, the code cache, the heap)
     * fails the JVM dies. So the regions must fit in what is left, with
     * {@value #JVM_MAPPING_RESERVE} mappings kept free for the JVM.
     */
    private static void checkMappingCount(int regionCount) {
        OptionalLong limit = ProcessMappings.maxMapCount();
        if (limit.isEmpty()) {
            return;
        }
        long inUse = ProcessMappings.count();
        long available = limit.getAsLong() - inUse - JVM_MAPPING_RESERVE;
        if (regionCount > available) {
            throw new GuestMemoryException(Kind.MEMORY_MAPPING_FAILED,
                regionCount + " regions need " + regionCount + " mappings, but this process may add only "
                    + Math.max(available, 0) + ": vm.max_map_count is " + limit.getAsLong() + ", " + inUse
                    + " are in use, and " + JVM_MAPPING_RESERVE + " stay free for the JVM");
        }
    }

    private static SharedMemory createSealedMemfd(long total) {
        SharedMemory shm;
        try {
            shm = SharedMemory.create(MEMFD_NAME, total);
        } catch (MmapException e) {
            throw new GuestMemoryException(Kind.MEMORY_CREATION_FAILED,
                "cannot create a memfd of 0x" + Long.toHexString(total) + " bytes: " + e.getMessage(), e);
        }
        try {
            shm.addSeals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_SEAL);
        } catch (MmapException e) {
            shm.close();
            throw new GuestMemoryException(Kind.MEMORY_CREATION_FAILED,
                "cannot seal the memfd of 0x" + Long.toHexString(total) + " bytes: " + e.getMessage(), e);
        }
        return shm;
    }

    // ---- layout ----

    /** {@return the number of regions, at least 1} */
    public int numRegions() {
        checkOpen();
        return regions.length;
    }

    /** {@return the regions in ascending guest-address order (an immutable list; region {@code i} has index {@code i})} */
    public List<GuestMemoryRegion> regions() {
        checkOpen();
        return regionList;
    }

    /** {@return the address just past the highest region (below 2^64: no region reaches past it)} */
    public GuestAddress endAddr() {
        checkOpen();
        int last = regions.length - 1;
        return GuestAddress.of(bases[last] + sizes[last]);
    }

    /** {@return the sum of the region sizes in bytes (= the size of the backing memfd)} */
    public long memorySize() {
        checkOpen();
        return memorySize;
    }

    /**
     * Whether {@code addr} lies in some region.
     *
     * @param addr the guest address
     * @return true when a region holds the byte at {@code addr}
     */
    public boolean addressInRange(GuestAddress addr) {
        checkOpen();
        return find(addr.offset()) >= 0;
    }

    /**
     * Whether some region intersects {@code [start, end)}; false when {@code end <= start}.
     *
     * @param start the first address of the range
     * @param end   the address just past the range (exclusive; compared unsigned)
     * @return true when at least one byte of the range lies in a region
     */
    public boolean rangeOverlap(GuestAddress start, GuestAddress end) {
        checkOpen();
        long s = start.offset();
        long e = end.offset();
        if (Long.compareUnsigned(e, s) <= 0) {
            return false;
        }
        // Regions are disjoint and sorted, so their ends are sorted too: only the last region that
        // starts below `end` can reach past `start`.
        int i = lastBaseAtOrBelow(e - 1);
        return i >= 0 && Long.compareUnsigned(bases[i] + sizes[i], s) > 0;
    }

    /**
     * {@code addr + offset} ({@code offset} taken as unsigned, as {@link GuestAddress#checkedAdd}
     * does), or empty when that passes 2^64 or lands in no region.
     *
     * @param addr   the base address; it need not lie in a region itself
     * @param offset the distance to add, unsigned 64-bit
     * @return the sum when it lies in some region, else empty
     */
    public Optional<GuestAddress> checkedOffset(GuestAddress addr, long offset) {
        checkOpen();
        long a = addr.offset();
        long sum = a + offset;
        if (Long.compareUnsigned(sum, a) < 0 || find(sum) < 0) {
            return Optional.empty();
        }
        return Optional.of(GuestAddress.of(sum));
    }

    /**
     * Whether {@code [addr, addr + len)} is non-empty and lies inside one region. A range that runs
     * from one region into an adjacent one is not valid: no single mapping holds it.
     *
     * @param addr the first address of the range
     * @param len  the length in bytes
     * @return true when {@code len > 0} and one region holds every byte of the range
     */
    public boolean isValidRange(GuestAddress addr, long len) {
        checkOpen();
        long a = addr.offset();
        int i = find(a);
        return len > 0 && i >= 0 && len <= sizes[i] - (a - bases[i]);
    }

    /**
     * The offset of {@code addr} inside the backing memfd.
     *
     * @param addr the guest address
     * @return the offset in bytes, below {@link #memorySize()}
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when it is in no region
     */
    public long offsetFromBase(GuestAddress addr) {
        checkOpen(); // touches no mapping, so no mapping's check would catch use after close
        long a = addr.offset();
        int i = regionOf(a, 0);
        return regions[i].shmOffset() + (a - bases[i]);
    }

    /**
     * The host virtual address of {@code addr}. Only the one byte is checked: the host range is
     * contiguous only up to the end of the region (see {@link #getHostAddressRange}).
     *
     * @param addr the guest address
     * @return the address in this process at which the byte is mapped
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when it is in no region
     */
    public long getHostAddress(GuestAddress addr) {
        long a = addr.offset();
        int i = regionOf(a, 0);
        return regions[i].memoryMapping().asPtr() + (a - bases[i]);
    }

    /**
     * The host virtual address of {@code addr}, after checking that all {@code size} bytes from it
     * lie in one region (and so are contiguous on the host).
     *
     * @param addr the first guest address of the range
     * @param size the range's length in bytes, positive
     * @return the host address of the byte at {@code addr}
     * @throws GuestMemoryException {@code INVALID_SIZE} for a size that is not positive,
     *     {@code INVALID_GUEST_ADDRESS}, {@code INVALID_GUEST_RANGE} when the range leaves the region
     */
    public long getHostAddressRange(GuestAddress addr, long size) {
        long a = addr.offset();
        if (size <= 0) {
            throw invalidSize(a, size, "a host address range needs a positive size");
        }
        int i = regionOf(a, size);
        return regions[i].memoryMapping().asPtr() + (a - bases[i]);
    }

    // ---- bulk copies ----

    /**
     * Copies {@code min(buf.length, regionEnd - addr)} bytes of {@code buf} to {@code addr}: the copy
     * stops at the end of the region holding {@code addr}. Marks the pages written when dirty pages
     * are tracked.
     *
     * @param buf  the bytes to copy, from index 0
     * @param addr the guest address of the first byte to write
     * @return the number of bytes copied, at least 1 unless {@code buf} is empty
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public int writeAtAddr(byte[] buf, GuestAddress addr) {
        long a = address(addr);
        nonNull(buf, "buf");
        int i = regionOf(a, 0);
        int n;
        try {
            n = regions[i].memoryMapping().writeSlice(buf, a - bases[i]);
        } catch (MmapException e) {
            throw accessFailure(e, a, buf.length);
        }
        marked(regions[i], a, n);
        return n;
    }

    /**
     * Copies {@code min(buf.length, regionEnd - addr)} bytes at {@code addr} into {@code buf}: the
     * copy stops at the end of the region holding {@code addr}.
     *
     * @param buf  where the bytes go, from index 0; the rest of it is left alone
     * @param addr the guest address of the first byte to read
     * @return the number of bytes copied, at least 1 unless {@code buf} is empty
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public int readAtAddr(byte[] buf, GuestAddress addr) {
        long a = address(addr);
        nonNull(buf, "buf");
        int i = regionOf(a, 0);
        try {
            return regions[i].memoryMapping().readSlice(buf, a - bases[i]);
        } catch (MmapException e) {
            throw accessFailure(e, a, buf.length);
        }
    }

    /**
     * Writes all of {@code buf} at {@code addr}, or nothing. Marks the pages written when dirty
     * pages are tracked.
     *
     * @param buf  the bytes to write, all of them
     * @param addr the guest address of the first byte to write
     * @throws GuestMemoryException {@code SHORT_WRITE} when the region ends first (nothing is
     *     written), {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeAllAtAddr(byte[] buf, GuestAddress addr) {
        long a = address(addr);
        nonNull(buf, "buf");
        int i = regionOf(a, 0);
        long room = sizes[i] - (a - bases[i]);
        if (buf.length > room) {
            throw shortTransfer(Kind.SHORT_WRITE, a, buf.length, room, i);
        }
        try {
            regions[i].memoryMapping().writeSlice(buf, a - bases[i]);
        } catch (MmapException e) {
            throw accessFailure(e, a, buf.length);
        }
        marked(regions[i], a, buf.length);
    }

    /**
     * Fills all of {@code buf} from {@code addr}, or nothing.
     *
     * @param buf  filled completely
     * @param addr the guest address of the first byte to read
     * @throws GuestMemoryException {@code SHORT_READ} when the region ends first (nothing is
     *     read), {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void readExactAtAddr(byte[] buf, GuestAddress addr) {
        long a = address(addr);
        nonNull(buf, "buf");
        int i = regionOf(a, 0);
        long room = sizes[i] - (a - bases[i]);
        if (buf.length > room) {
            throw shortTransfer(Kind.SHORT_READ, a, buf.length, room, i);
        }
        try {
            regions[i].memoryMapping().readSlice(buf, a - bases[i]);
        } catch (MmapException e) {
            throw accessFailure(e, a, buf.length);
        }
    }

    // ---- fixed-layout structures ----

    /**
     * Writes all {@code src.remaining()} bytes of {@code src} at {@code addr}, whole or nothing
     * (a boot_params page, an e820 table); {@code src}'s position is not changed. Marks the pages
     * written when dirty pages are tracked.
     *
     * @param src  the bytes from its position to its limit, copied as they are
     * @param addr the guest address of the structure's first byte
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS}, or {@code INVALID_GUEST_RANGE}
     *     when the structure runs past the region's end, {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeStructAtAddr(ByteBuffer src, GuestAddress addr) {
        long a = address(addr);
        nonNull(src, "src");
        int i = regionOf(a, src.remaining());
        try {
            regions[i].memoryMapping().writeStruct(src, a - bases[i]);
        } catch (MmapException e) {
            throw accessFailure(e, a, src.remaining());
        }
        marked(regions[i], a, src.remaining());
    }

    /**
     * Fills all {@code dst.remaining()} bytes of {@code dst} from {@code addr}, whole or nothing;
     * {@code dst}'s position is not changed.
     *
     * @param addr the guest address of the structure's first byte
     * @param dst  filled from its position to its limit
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS}, or {@code INVALID_GUEST_RANGE}
     *     when the structure runs past the region's end; {@code MEMORY_ACCESS} when the mapping
     *     refuses, for example a read-only {@code dst}
     * @throws ClosedException after {@link #close()}
     */
    public void readStructFromAddr(GuestAddress addr, ByteBuffer dst) {
        long a = address(addr);
        nonNull(dst, "dst");
        int i = regionOf(a, dst.remaining());
        try {
            regions[i].memoryMapping().readStruct(a - bases[i], dst);
        } catch (MmapException e) {
            throw accessFailure(e, a, dst.remaining());
        }
    }

    /**
     * Reads {@code length} bytes at {@code addr} into a new little-endian buffer. The address and
     * length are checked before the buffer is allocated.
     *
     * @param addr   the guest address of the structure's first byte
     * @param length the number of bytes, 0 or more
     * @return a new heap buffer of {@code length} bytes, {@link ByteOrder#LITTLE_ENDIAN}, position 0
     * @throws GuestMemoryException {@code INVALID_SIZE} for a negative length, otherwise as
     *     {@link #readStructFromAddr(GuestAddress, ByteBuffer)}
     * @throws ClosedException after {@link #close()}
     */
    public ByteBuffer readStructFromAddr(GuestAddress addr, int length) {
        long a = address(addr);
        if (length < 0) {
            throw invalidSize(a, length, "a structure length cannot be negative");
        }
        // Checked before the buffer is allocated: a bad length or address costs no memory.
        regionOf(a, length);
        ByteBuffer dst = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        readStructFromAddr(addr, dst);
        return dst;
    }

    // ---- plain scalars: any alignment, may not straddle a region end ----
    // The region check (scalarRegion) is the bounds check of the region's mapping too: a region is
    // exactly as large as its mapping. The mapping's state then checks open and access (readable,
    // writable). Each accessor is small enough to inline at any call site.

    /**
     * Writes {@code value} as 8 little-endian bytes at {@code addr}, at any alignment; the value
     * may not straddle a region end. Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_GUEST_RANGE} when the value runs past the region's end, {@code MEMORY_ACCESS}
     *     when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeLongAtAddr(long value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Long.BYTES);
        writable(r, a, Long.BYTES).putLong(a - r.base, value);
        scalarMarked(r, a, Long.BYTES);
    }

    /**
     * Reads 8 little-endian bytes at {@code addr}, at any alignment; the value may not straddle a
     * region end.
     *
     * @param addr the guest address of the first byte
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_GUEST_RANGE} when the value runs past the region's end, {@code MEMORY_ACCESS}
     *     when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public long readLongFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Long.BYTES);
        return readable(r, a, Long.BYTES).getLong(a - r.base);
    }

    /**
     * Writes {@code value} as 4 little-endian bytes at {@code addr}, at any alignment; the value
     * may not straddle a region end. Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_GUEST_RANGE} when the value runs past the region's end, {@code MEMORY_ACCESS}
     *     when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeIntAtAddr(int value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Integer.BYTES);
        writable(r, a, Integer.BYTES).putInt(a - r.base, value);
        scalarMarked(r, a, Integer.BYTES);
    }

    /**
     * Reads 4 little-endian bytes at {@code addr}, at any alignment; the value may not straddle a
     * region end.
     *
     * @param addr the guest address of the first byte
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_GUEST_RANGE} when the value runs past the region's end, {@code MEMORY_ACCESS}
     *     when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public int readIntFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Integer.BYTES);
        return readable(r, a, Integer.BYTES).getInt(a - r.base);
    }

    /**
     * Writes {@code value} as 2 little-endian bytes at {@code addr}, at any alignment; the value
     * may not straddle a region end. Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_GUEST_RANGE} when the value runs past the region's end, {@code MEMORY_ACCESS}
     *     when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeShortAtAddr(short value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Short.BYTES);
        writable(r, a, Short.BYTES).putShort(a - r.base, value);
        scalarMarked(r, a, Short.BYTES);
    }

    /**
     * Reads 2 little-endian bytes at {@code addr}, at any alignment; the value may not straddle a
     * region end.
     *
     * @param addr the guest address of the first byte
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_GUEST_RANGE} when the value runs past the region's end, {@code MEMORY_ACCESS}
     *     when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public short readShortFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Short.BYTES);
        return readable(r, a, Short.BYTES).getShort(a - r.base);
    }

    /**
     * Writes the byte {@code value} at {@code addr}. Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeByteAtAddr(byte value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Byte.BYTES);
        writable(r, a, Byte.BYTES).putByte(a - r.base, value);
        scalarMarked(r, a, Byte.BYTES);
    }

    /**
     * Reads the byte at {@code addr}.
     *
     * @param addr the guest address
     * @return the byte stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public byte readByteFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Byte.BYTES);
        return readable(r, a, Byte.BYTES).getByte(a - r.base);
    }

    // ---- volatile scalars: naturally aligned (so never straddling), untorn, ordered ----

    /**
     * Writes {@code value} as 8 little-endian bytes at {@code addr} in one untorn store with
     * volatile semantics ({@code VarHandle.setVolatile}). Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte, a multiple of 8
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 8, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeLongVolatileAtAddr(long value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Long.BYTES);
        writable(r, a, Long.BYTES).putLongVolatile(a - r.base, value);
        scalarMarked(r, a, Long.BYTES);
    }

    /**
     * Reads 8 little-endian bytes at {@code addr} in one untorn load with volatile semantics
     * ({@code VarHandle.getVolatile}).
     *
     * @param addr the guest address of the first byte, a multiple of 8
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 8, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public long readLongVolatileFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Long.BYTES);
        return readable(r, a, Long.BYTES).getLongVolatile(a - r.base);
    }

    /**
     * Writes {@code value} as 4 little-endian bytes at {@code addr} in one untorn store with
     * volatile semantics ({@code VarHandle.setVolatile}). Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte, a multiple of 4
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 4, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeIntVolatileAtAddr(int value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Integer.BYTES);
        writable(r, a, Integer.BYTES).putIntVolatile(a - r.base, value);
        scalarMarked(r, a, Integer.BYTES);
    }

    /**
     * Reads 4 little-endian bytes at {@code addr} in one untorn load with volatile semantics
     * ({@code VarHandle.getVolatile}).
     *
     * @param addr the guest address of the first byte, a multiple of 4
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 4, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public int readIntVolatileFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Integer.BYTES);
        return readable(r, a, Integer.BYTES).getIntVolatile(a - r.base);
    }

    /**
     * Writes {@code value} as 2 little-endian bytes at {@code addr} in one untorn store with
     * volatile semantics ({@code VarHandle.setVolatile}). Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte, a multiple of 2
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 2, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeShortVolatileAtAddr(short value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Short.BYTES);
        writable(r, a, Short.BYTES).putShortVolatile(a - r.base, value);
        scalarMarked(r, a, Short.BYTES);
    }

    /**
     * Reads 2 little-endian bytes at {@code addr} in one untorn load with volatile semantics
     * ({@code VarHandle.getVolatile}).
     *
     * @param addr the guest address of the first byte, a multiple of 2
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 2, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public short readShortVolatileFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Short.BYTES);
        return readable(r, a, Short.BYTES).getShortVolatile(a - r.base);
    }

    /**
     * Writes the byte {@code value} at {@code addr} with the ordering of a volatile store (a byte
     * store is always untorn; fences give it the ordering). Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeByteVolatileAtAddr(byte value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Byte.BYTES);
        writable(r, a, Byte.BYTES).putByteVolatile(a - r.base, value);
        scalarMarked(r, a, Byte.BYTES);
    }

    /**
     * Reads the byte at {@code addr} with the ordering of a volatile load (a byte load is always
     * untorn; a fence gives it the ordering).
     *
     * @param addr the guest address
     * @return the byte stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code MEMORY_ACCESS} when the mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public byte readByteVolatileFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = scalarRegion(a, Byte.BYTES);
        return readable(r, a, Byte.BYTES).getByteVolatile(a - r.base);
    }

    // ---- acquire loads, release stores and the full fence: naturally aligned, as the volatile ----
    // forms. Named after the VarHandle access modes (getAcquire, setRelease, fullFence). A release
    // store orders every earlier load and store before it; an acquire load orders every later load
    // and store after it: the pair a virtqueue's index hand-over needs (virtio 1.2 §2.7.13.3,
    // §2.7.14). Weaker and cheaper than volatile: no StoreLoad fence. Allocation-free.

    /**
     * Reads 8 little-endian bytes at {@code addr} in one untorn load with acquire semantics
     * ({@code VarHandle.getAcquire}): no later load or store moves before it.
     *
     * @param addr the guest address of the first byte, a multiple of 8
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 8, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public long readLongAcquireFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Long.BYTES);
        return readable(r, a, Long.BYTES).getLongAcquire(a - r.base);
    }

    /**
     * Writes {@code value} as 8 little-endian bytes at {@code addr} in one untorn store with
     * release semantics ({@code VarHandle.setRelease}): no earlier load or store moves after it.
     * Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte, a multiple of 8
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 8, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeLongReleaseAtAddr(long value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Long.BYTES);
        writable(r, a, Long.BYTES).putLongRelease(a - r.base, value);
        scalarMarked(r, a, Long.BYTES);
    }

    /**
     * Reads 4 little-endian bytes at {@code addr} in one untorn load with acquire semantics
     * ({@code VarHandle.getAcquire}): no later load or store moves before it.
     *
     * @param addr the guest address of the first byte, a multiple of 4
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 4, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public int readIntAcquireFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Integer.BYTES);
        return readable(r, a, Integer.BYTES).getIntAcquire(a - r.base);
    }

    /**
     * Writes {@code value} as 4 little-endian bytes at {@code addr} in one untorn store with
     * release semantics ({@code VarHandle.setRelease}): no earlier load or store moves after it.
     * Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte, a multiple of 4
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 4, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeIntReleaseAtAddr(int value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Integer.BYTES);
        writable(r, a, Integer.BYTES).putIntRelease(a - r.base, value);
        scalarMarked(r, a, Integer.BYTES);
    }

    /**
     * Reads 2 little-endian bytes at {@code addr} in one untorn load with acquire semantics
     * ({@code VarHandle.getAcquire}): no later load or store moves before it.
     *
     * @param addr the guest address of the first byte, a multiple of 2
     * @return the value stored there
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 2, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public short readShortAcquireFromAddr(GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Short.BYTES);
        return readable(r, a, Short.BYTES).getShortAcquire(a - r.base);
    }

    /**
     * Writes {@code value} as 2 little-endian bytes at {@code addr} in one untorn store with
     * release semantics ({@code VarHandle.setRelease}): no earlier load or store moves after it.
     * Marks the page when dirty pages are tracked.
     *
     * @param value the value to store
     * @param addr  the guest address of the first byte, a multiple of 2
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region,
     *     {@code INVALID_ALIGNMENT} when it is not a multiple of 2, {@code MEMORY_ACCESS} when the
     *     mapping refuses
     * @throws ClosedException after {@link #close()}
     */
    public void writeShortReleaseAtAddr(short value, GuestAddress addr) {
        long a = addr.offset();
        GuestMemoryRegion r = alignedScalarRegion(a, Short.BYTES);
        writable(r, a, Short.BYTES).putShortRelease(a - r.base, value);
        scalarMarked(r, a, Short.BYTES);
    }

    /**
     * A full fence ({@link java.lang.invoke.VarHandle#fullFence}): no load or store moves across it
     * in either direction. What a device needs between its used-index store and its read of
     * {@code avail_event}/the driver's flags (virtio 1.2 §2.7.7.2: a store followed by a load of
     * another location, which acquire/release do not order).
     */
    public static void fullFence() {
        java.lang.invoke.VarHandle.fullFence();
    }

    // ---- scatter-gather and channel transfers ----

    /**
     * The host slices of {@code [addr, addr + len)}, one per region the range passes through, in
     * address order: the range may cross from a region into the one that starts exactly at its
     * end, but not over a gap. Slices of memory that tracks dirty pages mark what is written
     * through them. An empty list for {@code len == 0} at an address inside a region.
     *
     * @param addr the guest address of the range's first byte
     * @param len  the range's length in bytes, 0 or more
     * @return a new list of the slices, in address order, whose sizes add up to {@code len}
     * @throws ClosedException after {@link #close()}, here and later on every returned slice
     * @throws GuestMemoryException {@code INVALID_SIZE} for a negative length;
     *     {@code INVALID_GUEST_ADDRESS} when {@code addr} is in no region; {@code INVALID_GUEST_RANGE}
     *     when {@code addr + len} passes 2^64, or the range reaches a gap or the end of memory
     */
    public List<VolatileSlice> getSlices(GuestAddress addr, long len) {
        long a = address(addr);
        int first = checkedSpan(a, len);
        List<VolatileSlice> slices = new java.util.ArrayList<>(2);
        long p = a;
        long left = len;
        for (int i = first; left > 0; i++) {
            long n = Math.min(left, sizes[i] - (p - bases[i]));
            try {
                slices.add(regions[i].memoryMapping().getSlice(p - bases[i], n).withDirtyLog(regions[i].dirty));
            } catch (MmapException e) {
                throw accessFailure(e, p, n);
            }
            p += n;
            left -= n;
        }
        return slices;
    }

    /**
     * Reads from {@code src} at file position {@code position} into guest memory at {@code addr}:
     * up to {@code len} bytes, fewer only where the file ends first (vm-memory's
     * {@code read_volatile_from}). The data goes from the kernel straight into guest memory through
     * direct-buffer views of the checked range, no heap copy; no byte outside
     * {@code [addr, addr + len)} is ever written. The range may cross adjacent regions, as for
     * {@link #getSlices}, and is checked whole before anything is transferred. Marks the pages it
     * wrote when dirty pages are tracked. {@code src}'s own position is not used or changed.
     *
     * @param src      the channel to read from, open for reading
     * @param position the file position of the first byte to read, 0 or more
     * @param addr     the guest address of the first byte to write
     * @param len      the number of bytes to transfer, 0 or more
     * @return the bytes transferred: {@code len}, or fewer at end of file (0 when {@code position}
     *     is at or past it)
     * @throws GuestMemoryException as {@link #getSlices}; {@code MEMORY_ACCESS} when a mapping
     *     refuses the write
     * @throws IllegalArgumentException for a negative {@code position}
     * @throws ClosedException after {@link #close()}
     * @throws IOException when the channel fails; bytes transferred before are in guest memory
     *     (and marked dirty)
     */
    public int readFromChannel(FileChannel src, long position, GuestAddress addr, int len) throws IOException {
        long a = address(addr);
        nonNull(src, "src");
        return transfer(a, len, position, true, (state, at, offset, n) -> state.readFromChannel(src, at, offset, n));
    }

    /**
     * Writes guest memory at {@code addr} ({@code len} bytes) to {@code dst} at file position
     * {@code position}, straight from direct-buffer views of the checked range (vm-memory's
     * {@code write_volatile_to}); the range may cross adjacent regions, as for {@link #getSlices}.
     * {@code dst}'s own position is not used or changed; the file grows as a positional write
     * makes it.
     *
     * @param addr     the guest address of the first byte to write out
     * @param len      the number of bytes to transfer, 0 or more
     * @param dst      the channel to write to, open for writing
     * @param position the file position of the first byte to write, 0 or more
     * @return the bytes transferred: {@code len} unless the channel took fewer
     * @throws GuestMemoryException as {@link #getSlices}; {@code MEMORY_ACCESS} when a mapping
     *     refuses the read
     * @throws IllegalArgumentException for a negative {@code position}
     * @throws ClosedException after {@link #close()}
     * @throws IOException when the channel fails
     */
    public int writeToChannel(GuestAddress addr, int len, FileChannel dst, long position) throws IOException {
        long a = address(addr);
        nonNull(dst, "dst");
        return transfer(a, len, position, false, (state, at, offset, n) -> state.writeToChannel(dst, at, offset, n));
    }

    /**
     * Reads from {@code src}, starting at file position {@code position}, into the guest ranges
     * {@code ranges} in order, as one scattering read ({@code readv(2)}, vm-memory's
     * {@code read_volatile_from} over a slice list), the way a block device fills a request's
     * buffers. Every range is checked before anything is transferred (each may cross adjacent
     * regions, as for {@link #getSlices}); no byte outside them is written; dirty pages are
     * marked. Unlike the single-range call this uses and moves {@code src}'s own position, under
     * the channel's lock: while it runs, no other thread may use that position (positional calls
     * are unaffected).
     *
     * @param src      the channel to read from, open for reading
     * @param position the file position of the first byte to read, 0 or more; the channel's
     *     position is left just past the last byte read
     * @param ranges   the guest ranges to fill, in order; sizes 0 or more; an empty list transfers nothing
     * @return the bytes transferred: the ranges' total, or fewer at end of file
     * @throws GuestMemoryException as {@link #getSlices}, for the first bad range; {@code MEMORY_ACCESS}
     *     when a mapping refuses the write
     * @throws IllegalArgumentException for a negative {@code position}
     * @throws NullPointerException when {@code ranges} or one of its elements is null
     * @throws ClosedException after {@link #close()}
     * @throws IOException when the channel fails; bytes transferred before are in guest memory
     *     (and marked dirty)
     */
    public long readFromChannel(FileChannel src, long position, List<GuestRange> ranges) throws IOException {
        nonNull(src, "src");
        return vectored(src, position, ranges, true);
    }

    /**
     * Writes the guest ranges {@code ranges}, in order, to {@code dst} from file position
     * {@code position} as one gathering write ({@code writev(2)}), as a block device writes a
     * request's buffers. The ranges are checked as for {@link #readFromChannel(FileChannel, long, List)},
     * and {@code dst}'s position is used the same way.
     *
     * @param ranges   the guest ranges to write out, in order
     * @param dst      the channel to write to, open for writing
     * @param position the file position of the first byte to write, 0 or more; the channel's
     *     position is left just past the last byte written
     * @return the bytes transferred: the ranges' total unless the channel took fewer
     * @throws GuestMemoryException as {@link #getSlices}, for the first bad range; {@code MEMORY_ACCESS}
     *     when a mapping refuses the read
     * @throws IllegalArgumentException for a negative {@code position}
     * @throws NullPointerException when {@code ranges} or one of its elements is null
     * @throws ClosedException after {@link #close()}
     * @throws IOException when the channel fails
     */
    public long writeToChannel(List<GuestRange> ranges, FileChannel dst, long position) throws IOException {
        nonNull(dst, "dst");
        return vectored(dst, position, ranges, false);
    }

    private long vectored(FileChannel channel, long position, List<GuestRange> ranges, boolean intoGuest) throws IOException {
        requirePosition(position);
        nonNull(ranges, "ranges");
        List<ByteBuffer> views = new java.util.ArrayList<>(ranges.size() + 1);
        List<MappingState> states = new java.util.ArrayList<>(ranges.size());
        List<long[]> written = intoGuest ? new java.util.ArrayList<>(ranges.size()) : null;
        long total = 0;
        for (GuestRange r : ranges) {
            long a = address(r.start());
            long len = r.size();
            int first = checkedSpan(a, len);
            long done = 0;
            for (int i = first; done < len; i++) {
                long p = a + done;
                long n = Math.min(len - done, sizes[i] - (p - bases[i]));
                MappingState state = regions[i].state;
                checkedAccess(state, intoGuest ? MappingState.WRITE : MappingState.READ, p, n);
                state.views(p - bases[i], n, views);
                states.add(state);
                if (intoGuest) {
                    written.add(new long[] {i, p, n});
                }
                done += n;
            }
            total += len;
        }
        ByteBuffer[] buffers = views.toArray(new ByteBuffer[0]);
        long moved = 0;
        try {
            synchronized (channel) {
                channel.position(position);
                while (moved < total) {
                    long n = intoGuest ? channel.read(buffers) : channel.write(buffers);
                    if (n <= 0) {
                        break; // end of file (reads), or a channel that takes no more
                    }
                    moved += n;
                }
            }
        } finally {
            // The mappings stay mapped until the kernel is done with the views (MappingState's Unmapper).
            Reference.reachabilityFence(states);
            if (intoGuest) {
                for (long[] w : written) {
                    marked(regions[(int) w[0]], w[1], w[2]);
                }
            }
        }
        return moved;
    }

    /** One region's part of a channel transfer: {@code n} bytes at {@code offset}, file position {@code at}. */
    private interface RegionTransfer {
        long apply(MappingState state, long at, long offset, long n) throws IOException;
    }

    /**
     * The region walk of {@link #readFromChannel} and {@link #writeToChannel}: checks the whole range
     * first, then moves each region's part; stops at the first short transfer (end of file).
     * {@code intoGuest} transfers need write access and mark the pages they wrote — also after a
     * failed read, since the kernel may have written part of the range.
     */
    private int transfer(long a, int len, long position, boolean intoGuest, RegionTransfer part) throws IOException {
        int first = checkedSpan(a, len);
        requirePosition(position);
        long done = 0;
        for (int i = first; done < len; i++) {
            long p = a + done;
            long n = Math.min(len - done, sizes[i] - (p - bases[i]));
            MappingState state = regions[i].state;
            checkedAccess(state, intoGuest ? MappingState.WRITE : MappingState.READ, p, n);
            long moved;
            try {
                moved = part.apply(state, position + done, p - bases[i], n);
            } finally {
                Reference.reachabilityFence(state);
                if (intoGuest) {
                    marked(regions[i], p, n);
                }
            }
            done += moved;
            if (moved < n) {
                break;
            }
        }
        return (int) done;
    }


    // ---- dirty pages ----

    /** {@return whether this memory was created by {@link #createWithDirtyTracking}} */
    public boolean tracksDirtyPages() {
        checkOpen();
        return trackDirty;
    }

    /**
     * Whether the page holding {@code addr} was written since its region was last drained. Does not
     * clear the bit.
     *
     * @param addr any guest address in the page
     * @return true when the page was marked dirty (every page is marked after a {@link #restore})
     * @throws IllegalStateException when dirty pages are not tracked
     * @throws GuestMemoryException {@code INVALID_GUEST_ADDRESS} (checked before the tracking)
     * @throws ClosedException after {@link #close()}
     */
    public boolean isPageDirty(GuestAddress addr) {
        long a = address(addr);
        int i = regionOf(a, 0);
        return dirtyLog(i).isDirty(a - bases[i]);
    }

    /**
     * The pages of {@code region} written since the last drain of that region (bit {@code i} is
     * the page at {@code region.guestBase() + i * pageSize}), and clears them. Each 64-page word
     * is swapped for zero atomically, so a write racing with the drain shows up in this result or
     * the next one, never in neither.
     *
     * @param region one of {@link #regions()}
     * @return a new bit set of the dirty pages; bits at or above {@code region.size() / pageSizeBytes()}
     *     are never set
     * @throws IllegalStateException when dirty pages are not tracked
     * @throws IllegalArgumentException for a region of another guest memory
     * @throws NullPointerException when {@code region} is null
     * @throws ClosedException after {@link #close()}
     */
    public BitSet drainDirtyPages(GuestMemoryRegion region) {
        checkOpen();
        int i = region.index();
        if (i >= regions.length || regions[i] != region) {
            throw new IllegalArgumentException(region + " is not a region of " + this);
        }
        return dirtyLog(i).drain();
    }

    /** {@return the host page size in bytes: the unit of the dirty bitmap and of region alignment; also after close} */
    public long pageSizeBytes() {
        return pageSize;
    }

    private DirtyBitmap dirtyLog(int region) {
        checkOpen();
        if (!trackDirty) {
            throw new IllegalStateException("this guest memory does not track dirty pages (see createWithDirtyTracking)");
        }
        return regions[region].dirty;
    }

    /**
     * The mark of a scalar write. The test is one final field of the region the access already
     * loaded; with tracking off it is a never-taken branch, and no other work.
     */
    private static void scalarMarked(GuestMemoryRegion r, long a, int width) {
        DirtyBitmap dirty = r.dirty;
        if (dirty != null) {
            dirty.mark(a - r.base, width);
        }
    }

    private static void marked(GuestMemoryRegion r, long a, long length) {
        DirtyBitmap dirty = r.dirty;
        if (dirty != null) {
            dirty.mark(a - r.base, length);
        }
    }

    /**
     * Checks {@code [a, a + len)} for the multi-region calls and returns the index of its first
     * region: every byte must be in a region, consecutive regions must touch, and the end must not
     * pass 2^64.
     */
    private int checkedSpan(long a, long len) {
        if (len < 0) {
            throw invalidSize(a, len, "a length cannot be negative");
        }
        int first = find(a);
        if (first < 0) {
            throw outside(a, len, -1);
        }
        if (Long.compareUnsigned(a + len, a) < 0 || (a + len == 0 && len > 0)) {
            throw spanFailure(a, len, "passes the end of the 64-bit address space");
        }
        long end = a + len;
        int i = first;
        while (Long.compareUnsigned(bases[i] + sizes[i], end) < 0) {
            long regionEnd = bases[i] + sizes[i];
            if (i + 1 == bases.length || bases[i + 1] != regionEnd) {
                throw spanFailure(a, len, "reaches past region " + i + " " + rangeText(bases[i], sizes[i])
                    + (i + 1 == bases.length ? ", the end of guest memory" : " into a gap before region " + (i + 1) + " "
                        + rangeText(bases[i + 1], sizes[i + 1])));
            }
            i++;
        }
        return first;
    }

    private RuntimeException spanFailure(long a, long len, String why) {
        if (closed) {
            return closedException();
        }
        return new GuestMemoryException(Kind.INVALID_GUEST_RANGE,
            "range of " + len + " bytes at 0x" + Long.toHexString(a) + " " + why, ErrorDetails.ofAccess(a, len), null);
    }

    private void checkedAccess(MappingState state, int required, long a, long n) {
        try {
            state.checkAccess(required);
        } catch (MmapException e) {
            throw accessFailure(e, a, n);
        }
    }

    private static void requirePosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative file position " + position);
        }
    }

    // ---- slices and page management ----

    /**
     * A slice of {@code len} bytes from {@code addr}, inside one region. It shares the guest
     * memory's lifetime: after {@link #close()} it throws {@link ClosedException}. Writes through it
     * mark the pages when dirty pages are tracked.
     *
     * @param addr the guest address of the slice's first byte
     * @param len  the slice's length in bytes, 0 or more
     * @return the slice
     * @throws ClosedException after {@link #close()}
     * @throws GuestMemoryException {@code INVALID_SIZE} for a negative length,
     *     {@code INVALID_GUEST_ADDRESS}, {@code INVALID_GUEST_RANGE} when the slice would leave the region
     */
    public VolatileSlice getSliceAtAddr(GuestAddress addr, long len) {
        long a = address(addr);
        if (len < 0) {
            throw invalidSize(a, len, "a slice length cannot be negative");
        }
        int i = regionOf(a, len);
        try {
            return regions[i].memoryMapping().getSlice(a - bases[i], len).withDirtyLog(regions[i].dirty);
        } catch (MmapException e) {
            throw accessFailure(e, a, len);
        }
    }

    /**
     * Frees the pages of {@code [addr, addr + len)} ({@code MADV_REMOVE} punches a hole in the memfd);
     * they read back as zeros and no longer count as data for {@link #snapshot}. The range must be
     * whole pages inside one region. The pages count as written for dirty tracking.
     *
     * @param addr the guest address of the first page, page aligned
     * @param len  the number of bytes, positive and a multiple of {@link #pageSizeBytes()}
     * @throws ClosedException after {@link #close()}
     * @throws GuestMemoryException {@code INVALID_SIZE} for a length that is not positive,
     *     {@code MEMORY_NOT_ALIGNED} when {@code addr} or {@code len} is not page aligned (the
     *     kernel would free whole pages, more than asked), {@code INVALID_GUEST_ADDRESS},
     *     {@code INVALID_GUEST_RANGE}, {@code MEMORY_ACCESS} when the kernel refuses
     */
    public void removeRange(GuestAddress addr, long len) {
        long a = address(addr);
        if (len <= 0) {
            throw invalidSize(a, len, "a removed range needs a positive length");
        }
        int i = regionOf(a, len);
        if ((a & (pageSize - 1)) != 0 || (len & (pageSize - 1)) != 0) {
            throw new GuestMemoryException(Kind.MEMORY_NOT_ALIGNED,
                "removed range " + rangeText(a, len) + " is not whole pages of 0x" + Long.toHexString(pageSize) + " bytes");
        }
        try {
            regions[i].memoryMapping().removeRange(a - bases[i], len);
        } catch (MmapException e) {
            throw accessFailure(e, a, len);
        }
        // the pages now read as zeros: a change a copy must see
        marked(regions[i], a, len);
    }

    // ---- snapshot ----

    /**
     * Writes the data pages of guest memory to {@code out}, in the format described in
     * {@code docs/guest-memory.md} (magic, version, region table, then checksummed extents of
     * non-zero pages, then an end marker). Pages that were never written (holes of the memfd, found
     * with {@code SEEK_DATA}/{@code SEEK_HOLE}) and pages that are all zero are left out, so a
     * sparse guest gives a small snapshot. The guest must not run meanwhile: the snapshot is a copy
     * of memory as the reads find it. {@code out} is neither flushed nor closed.
     *
     * @param out where the snapshot goes; on failure it may hold part of it
     * @throws ClosedException after {@link #close()}
     * @throws GuestMemoryException {@code SNAPSHOT_FAILED} when {@code out} fails or the memfd
     *     cannot be searched
     */
    public void snapshot(OutputStream out) {
        checkOpen();
        new GuestMemorySnapshot(this).write(out);
    }

    /**
     * Replaces the whole contents of guest memory with a snapshot written by {@link #snapshot} of
     * memory with the same layout: what the snapshot holds is written, everything else becomes
     * zero. Reads exactly the snapshot's bytes from {@code in} and no more, so a snapshot may be
     * followed by other data in one stream.
     *
     * <p>On failure: when the header is bad (wrong magic, version, checksum or a region table that
     * differs from this memory's layout) memory is unchanged. When the stream fails after the
     * header (truncated, corrupt extent, bad checksum, I/O error), all guest memory is zero: no
     * mixture of old, restored and missing pages is ever left behind.
     *
     * <p>With dirty tracking every page is marked dirty afterwards, whatever the outcome.
     *
     * @param in the stream positioned at the snapshot's first byte; left just past its last byte on success
     * @throws GuestMemoryException {@code RESTORE_FAILED}
     * @throws ClosedException after {@link #close()}, also when a close races with the restore
     */
    public void restore(InputStream in) {
        checkOpen();
        try {
            new GuestMemorySnapshot(this).read(in);
        } finally {
            // every outcome but a refused header changes memory; marking all is the safe superset
            for (GuestMemoryRegion r : regions) {
                if (r.dirty != null) {
                    r.dirty.markAll();
                }
            }
        }
    }

    // ---- lifetime ----

    /**
     * Closes every region's mapping and the memfd. Idempotent; safe while other threads access the
     * memory (their accesses complete harmlessly or throw {@link ClosedException}). The guest's
     * pages are released at once; a memory slot registered with a region's host address must be
     * removed from the VM first, or the guest keeps seeing scratch memory.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (GuestMemoryRegion region : regions) {
            region.memoryMapping().close();
        }
        shm.close();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("GuestMemory[");
        appendRegions(text);
        return text.append(closed ? ", closed]" : "]").toString();
    }

    // ---- internals shared with GuestMemorySnapshot ----

    /** The memfd descriptor; throws {@link ClosedException} once closed. */
    int memfd() {
        return shm.asRawDescriptor();
    }

    /**
     * A close-on-exec copy of the memfd that the caller owns and closes: a snapshot seeks on it
     * (lseek moves the file offset), and on the shared number a racing {@link #close()} could
     * have it move the offset of whatever file the kernel gave the number to next. Taken under
     * this object's monitor, where {@code closed} is set before the memfd is closed, so the copy
     * is always of the memfd.
     *
     * @throws ClosedException after {@link #close()}
     */
    synchronized SafeDescriptor memfdCopy() {
        checkOpen();
        try {
            return new SafeDescriptor(LibC.fcntlChecked(shm.asRawDescriptor(), FileGuard.F_DUPFD_CLOEXEC, 0));
        } catch (SyscallException e) {
            throw new GuestMemoryException(Kind.SNAPSHOT_FAILED,
                "copying the guest memfd descriptor failed: " + Errno.name(e.errno()));
        }
    }

    /** Package-private for tests: the backing memfd. */
    SharedMemory sharedMemory() {
        return shm;
    }

    long pageSize() {
        return pageSize;
    }

    GuestMemoryRegion region(int index) {
        return regions[index];
    }

    /** The region whose memfd range holds {@code shmOffset} (which must be below {@link #memorySize()}). */
    int regionOfShmOffset(long shmOffset) {
        int lo = 0;
        int hi = regions.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (regions[mid].shmOffset() <= shmOffset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    void checkOpen() {
        if (closed) {
            throw closedException();
        }
    }

    boolean isClosed() {
        return closed;
    }

    static ClosedException closedException() {
        return new ClosedException("guest memory is closed");
    }

    // ---- lookup ----

    /** The index of the last region whose base is at or below {@code a} (unsigned), or -1. */
    private int lastBaseAtOrBelow(long a) {
        long key = a ^ Long.MIN_VALUE;
        int lo = 0;
        int hi = flippedBases.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (flippedBases[mid] <= key) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    /** The index of the region holding {@code a}, or -1. */
    private int find(long a) {
        int i = lastBaseAtOrBelow(a);
        // a - base is an unsigned distance; the region holds a when it is below the region's size.
        if (i >= 0 && Long.compareUnsigned(a - bases[i], sizes[i]) < 0) {
            return i;
        }
        return -1;
    }

    /**
     * The region holding all of {@code [a, a + width)} for a scalar access ({@code width} of 1 to
     * 8 bytes). The region of the previous lookup is tried first: accesses cluster (a device's
     * rings, a loader's image), and one compare is cheaper than a search. Past that it is
     * {@link #regionOf}. {@code width} never exceeds a region (sizes are whole pages).
     */
    private GuestMemoryRegion scalarRegion(long a, int width) {
        GuestMemoryRegion r = lastHit;
        // null only for a thread that got this object through a data race (the field is not final)
        if (r != null) {
            // One unsigned compare: an address below the base gives a huge unsigned distance.
            if (Long.compareUnsigned(a - r.base, r.size() - width) <= 0) {
                return r;
            }
        }
        return searchScalarRegion(a, width);
    }

    private GuestMemoryRegion searchScalarRegion(long a, int width) {
        GuestMemoryRegion r = regions[regionOf(a, width)];
        lastHit = r;
        return r;
    }

    /**
     * The region's mapping state once it checked that it is open and readable. A refusal for
     * another reason than close cannot happen for memory this class mapped read-write, but would
     * be reported as {@code MEMORY_ACCESS} like every other mapping failure.
     */
    private MappingState readable(GuestMemoryRegion r, long a, int width) {
        MappingState state = r.state;
        try {
            state.checkRead(a - r.base, width);
        } catch (MmapException e) {
            throw accessFailure(e, a, width);
        }
        return state;
    }

    /** As {@link #readable}, for writing. */
    private MappingState writable(GuestMemoryRegion r, long a, int width) {
        MappingState state = r.state;
        try {
            state.checkWrite(a - r.base, width);
        } catch (MmapException e) {
            throw accessFailure(e, a, width);
        }
        return state;
    }

    private GuestMemoryRegion alignedScalarRegion(long a, int width) {
        GuestMemoryRegion r = scalarRegion(a, width);
        if ((a & (width - 1)) != 0) {
            throw misaligned(a, width);
        }
        return r;
    }

    /**
     * The index of the region holding all of {@code [a, a + length)} ({@code length >= 0}). This is
     * the hot path: no allocation unless it throws. Use after close is reported by the mapping's own
     * check on success and by {@link #outside} on failure, so no separate volatile load is needed.
     */
    private int regionOf(long a, long length) {
        int i = find(a);
        if (i < 0 || a - bases[i] > sizes[i] - length) {
            throw outside(a, length, i);
        }
        return i;
    }

    // ---- failures (cold) ----

    /**
     * {@code addr}'s offset, for the bulk calls: a {@code null} is a {@link NullPointerException},
     * but use after close wins over it, as over every other check.
     */
    private long address(GuestAddress addr) {
        if (addr == null) {
            checkOpen();
            throw new NullPointerException("addr");
        }
        return addr.offset();
    }

    /** As {@link #address}, for a buffer argument. */
    private void nonNull(Object argument, String name) {
        if (argument == null) {
            checkOpen();
            throw new NullPointerException(name);
        }
    }

    private RuntimeException outside(long a, long length, int region) {
        if (closed) {
            return closedException();
        }
        if (region < 0) {
            StringBuilder text = new StringBuilder("address 0x").append(Long.toHexString(a))
                .append(" (access of ").append(length).append(" bytes) is in no region; regions: ");
            appendRegions(text);
            return new GuestMemoryException(Kind.INVALID_GUEST_ADDRESS, text.toString(), ErrorDetails.ofAccess(a, length), null);
        }
        return new GuestMemoryException(Kind.INVALID_GUEST_RANGE,
            "access of " + length + " bytes at 0x" + Long.toHexString(a) + " runs past the end of region " + region + " "
                + rangeText(bases[region], sizes[region]) + " (0x" + Long.toHexString(sizes[region] - (a - bases[region]))
                + " bytes left)", ErrorDetails.ofAccess(a, length, sizes[region]), null);
    }

    private RuntimeException misaligned(long a, int width) {
        if (closed) {
            return closedException();
        }
        return new GuestMemoryException(Kind.INVALID_ALIGNMENT,
            width + "-byte volatile access at 0x" + Long.toHexString(a) + " is not naturally aligned",
            ErrorDetails.ofAccess(a, width), null);
    }

    private RuntimeException invalidSize(long a, long size, String why) {
        if (closed) {
            return closedException();
        }
        return new GuestMemoryException(Kind.INVALID_SIZE, why + ": size " + size + " at 0x" + Long.toHexString(a),
            ErrorDetails.ofAccess(a, size), null);
    }

    private RuntimeException shortTransfer(Kind kind, long a, int wanted, long room, int region) {
        if (closed) {
            return closedException();
        }
        String verb = kind == Kind.SHORT_WRITE ? "write" : "read";
        return new GuestMemoryException(kind,
            verb + " of " + wanted + " bytes at 0x" + Long.toHexString(a) + ": only " + room + " bytes fit before the end of region "
                + region + " " + rangeText(bases[region], sizes[region]) + "; nothing was transferred",
            ErrorDetails.ofAccess(a, wanted, sizes[region]), null);
    }

    /** A mapping refused an access our checks allowed; after a racing close that is use after close. */
    private RuntimeException accessFailure(MmapException e, long a, long length) {
        if (closed) {
            return closedException();
        }
        return new GuestMemoryException(Kind.MEMORY_ACCESS,
            "access of " + length + " bytes at 0x" + Long.toHexString(a) + " failed: " + e.getMessage(),
            new ErrorDetails(e.details().call(), e.errno(), OptionalLong.of(a), OptionalLong.of(length), OptionalLong.empty()), e);
    }

    private void appendRegions(StringBuilder text) {
        for (int i = 0; i < bases.length; i++) {
            if (i > 0) {
                text.append(", ");
            }
            text.append(rangeText(bases[i], sizes[i]));
        }
    }

    static String rangeText(long start, long size) {
        return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(start + size) + ")";
    }
}
