package io.jvmm.devices.bus;

import io.jvmm.devices.BusDevice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The shared machinery of {@link IoBus} and {@link MmioBus}: a sorted, non-overlapping set of
 * ranges, looked up by binary search.
 *
 * <p>Lookups run on vCPU threads for every I/O exit, so they take no lock and allocate nothing:
 * the table is an immutable snapshot of parallel arrays behind a volatile field, replaced
 * copy-on-write by the (rare, synchronized) registrations. A {@code TreeMap.floorEntry} lookup
 * would box the key and allocate an entry per call.
 *
 * <p>The bus adds no locking around a device call: device models synchronise themselves, since
 * they are also reached from threads other than vCPUs (a UART's input pump), and a bus-level lock
 * would be held across their callbacks (the i8042's reset request).
 */
final class RangeTable {
    private static final byte ALL_ONES = (byte) 0xff;

    private final String busName;
    private final Logger log;
    private volatile Snapshot snapshot = new Snapshot(new long[0], new long[0], new BusDevice[0]);

    /** Parallel arrays sorted by base; ends are exclusive. */
    private record Snapshot(long[] bases, long[] ends, BusDevice[] devices) {
    }

    RangeTable(String busName, Logger log) {
        this.busName = busName;
        this.log = log;
    }

    synchronized void add(long base, long length, BusDevice device, long limit) {
        if (device == null) {
            throw new NullPointerException("device");
        }
        if (length <= 0) {
            throw new IllegalArgumentException(busName + " range length must be positive, got " + length + " for " + device.debugLabel());
        }
        if (base < 0 || base > limit || length > limit - base) {
            throw new IllegalArgumentException(String.format("%s range [0x%x, +0x%x) for %s does not fit below 0x%x",
                busName, base, length, device.debugLabel(), limit));
        }
        BusRange requested = new BusRange(base, length, device);
        Snapshot s = snapshot;
        int n = s.bases.length;
        for (int i = 0; i < n; i++) {
            if (base < s.ends[i] && s.bases[i] < base + length) {
                throw new BusConflictException(busName, requested, new BusRange(s.bases[i], s.ends[i] - s.bases[i], s.devices[i]));
            }
        }
        int at = 0;
        while (at < n && s.bases[at] < base) {
            at++;
        }
        long[] bases = new long[n + 1];
        long[] ends = new long[n + 1];
        BusDevice[] devices = new BusDevice[n + 1];
        System.arraycopy(s.bases, 0, bases, 0, at);
        System.arraycopy(s.ends, 0, ends, 0, at);
        System.arraycopy(s.devices, 0, devices, 0, at);
        bases[at] = base;
        ends[at] = base + length;
        devices[at] = device;
        System.arraycopy(s.bases, at, bases, at + 1, n - at);
        System.arraycopy(s.ends, at, ends, at + 1, n - at);
        System.arraycopy(s.devices, at, devices, at + 1, n - at);
        snapshot = new Snapshot(bases, ends, devices);
    }

    /** Removes the range starting exactly at {@code base}; returns it if there was one. */
    synchronized Optional<BusRange> remove(long base) {
        Snapshot s = snapshot;
        int i = Arrays.binarySearch(s.bases, base);
        if (i < 0) {
            return Optional.empty();
        }
        BusRange removed = new BusRange(s.bases[i], s.ends[i] - s.bases[i], s.devices[i]);
        int n = s.bases.length;
        long[] bases = new long[n - 1];
        long[] ends = new long[n - 1];
        BusDevice[] devices = new BusDevice[n - 1];
        System.arraycopy(s.bases, 0, bases, 0, i);
        System.arraycopy(s.ends, 0, ends, 0, i);
        System.arraycopy(s.devices, 0, devices, 0, i);
        System.arraycopy(s.bases, i + 1, bases, i, n - i - 1);
        System.arraycopy(s.ends, i + 1, ends, i, n - i - 1);
        System.arraycopy(s.devices, i + 1, devices, i, n - i - 1);
        snapshot = new Snapshot(bases, ends, devices);
        return Optional.of(removed);
    }

    Optional<BusRange> find(long address) {
        Snapshot s = snapshot;
        int i = indexOf(s, address, 1);
        return i < 0 ? Optional.empty() : Optional.of(new BusRange(s.bases[i], s.ends[i] - s.bases[i], s.devices[i]));
    }

    List<BusRange> ranges() {
        Snapshot s = snapshot;
        List<BusRange> out = new ArrayList<>(s.bases.length);
        for (int i = 0; i < s.bases.length; i++) {
            out.add(new BusRange(s.bases[i], s.ends[i] - s.bases[i], s.devices[i]));
        }
        return List.copyOf(out);
    }

    /** The index of the range containing all of {@code [address, address + width)}, or -1. */
    private static int indexOf(Snapshot s, long address, int width) {
        long[] bases = s.bases;
        int lo = 0;
        int hi = bases.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (bases[mid] <= address) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || address < 0 || address >= s.ends[found] || width > s.ends[found] - address) {
            return -1;
        }
        return found;
    }

    /** Fills {@code data} from the device at {@code address}, or with all-ones where there is none. */
    void read(long address, byte[] data) {
        Snapshot s = snapshot;
        int i = indexOf(s, address, data.length);
        if (i < 0) {
            Arrays.fill(data, ALL_ONES);
            if (log.isDebugEnabled()) {
                log.debug("{} read of {} byte(s) at 0x{}: no device, returning all-ones", busName, data.length, Long.toHexString(address));
            }
            return;
        }
        s.devices[i].read(address - s.bases[i], data);
    }

    /** Passes {@code data} to the device at {@code address}; ignored where there is none. */
    void write(long address, byte[] data) {
        Snapshot s = snapshot;
        int i = indexOf(s, address, data.length);
        if (i < 0) {
            if (log.isDebugEnabled()) {
                log.debug("{} write of {} byte(s) at 0x{}: no device, ignored", busName, data.length, Long.toHexString(address));
            }
            return;
        }
        s.devices[i].write(address - s.bases[i], data);
    }
}
