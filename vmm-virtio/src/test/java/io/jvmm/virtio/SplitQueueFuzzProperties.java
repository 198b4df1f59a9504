package io.jvmm.virtio;

import static io.jvmm.virtio.Descriptor.F_NEXT;
import static io.jvmm.virtio.Descriptor.F_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzz and property tests of {@link SplitQueue} on real guest memory (no KVM). RAM: A [0, 0x10000)
 * and B [0x10000, 0x20000) adjacent, a gap, C [0x40000, 0x41000); rings in A.
 */
class SplitQueueFuzzProperties {
    private static final long B = 0x10000;

    private static GuestMemory newMemory() {
        return GuestMemory.create(GuestRange.of(0, 0x10000), GuestRange.of(B, 0x10000), GuestRange.of(0x40000, 0x1000));
    }

    /** Random bytes in the descriptor table and avail ring: the queue never throws, and either serves or needs reset. */
    @Property(tries = 300)
    void randomRingsNeverThrow(@ForAll @Size(16 * 16) byte[] table, @ForAll @Size(4 + 2 * 16 + 2) byte[] availRing,
                               @ForAll boolean indirect, @ForAll boolean eventIdx) {
        try (GuestMemory memory = newMemory()) {
            memory.writeAllAtAddr(table, GuestAddress.of(Rings.DESC));
            memory.writeAllAtAddr(availRing, GuestAddress.of(Rings.AVAIL));
            Rings rings = new Rings(memory, 16);
            SplitQueue queue = SplitQueue.create(memory, rings.config(indirect, eventIdx));
            for (int i = 0; i < 40; i++) {
                Optional<DescriptorChain> chain = queue.pop();
                if (chain.isEmpty()) {
                    break;
                }
                DescriptorChain c = chain.get();
                // every buffer the queue hands out is inside RAM: reading and writing it cannot fail
                for (Buffer b : c.readable()) {
                    assertEquals(b.length(), memory.getSlices(b.addr(), b.length()).stream().mapToLong(s -> s.size()).sum());
                }
                SplitQueueTest.serveEcho(memory, queue);
                queue.needsNotification();
            }
        }
    }

    record Part(int length, boolean write, long where) {
    }

    @Provide
    Arbitrary<List<Part>> chains() {
        // buffers anywhere in A and B above the rings (avail at 0x9000, used at 0xa000, which a
        // buffer must not overlap: the avail ring is written after the data), including over the
        // A/B boundary
        Arbitrary<Part> part = Arbitraries.integers().between(0, 300).flatMap(len ->
            Arbitraries.longs().between(0xb000, 0x20000 - len - 1).map(at -> new Part(len, false, at)));
        return part.list().ofMinSize(1).ofMaxSize(16);
    }

    /** A well-formed chain (random lengths, positions and order of descriptor slots) reads back exactly what was written. */
    @Property(tries = 200)
    void wellFormedChainsReadBackExactly(@ForAll("chains") List<Part> parts, @ForAll @IntRange(min = 0, max = 15) int writableFrom,
                                         @ForAll @IntRange(min = 0, max = 31) int slotShift) {
        try (GuestMemory memory = newMemory()) {
            Rings rings = new Rings(memory, 32);
            int n = parts.size();
            int firstWrite = Math.min(writableFrom, n);
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            long readableTotal = 0;
            for (int i = 0; i < n; i++) {
                Part p = parts.get(i);
                int slot = (i + slotShift) % 32;
                int next = (i + 1 + slotShift) % 32;
                int flags = (i + 1 < n ? F_NEXT : 0) | (i >= firstWrite ? F_WRITE : 0);
                rings.descriptor(slot, p.where(), p.length(), flags, next);
                if (i < firstWrite) {
                    byte[] data = new byte[p.length()];
                    for (int k = 0; k < data.length; k++) {
                        data[k] = (byte) (i * 37 + k);
                    }
                    for (var s : memory.getSlices(GuestAddress.of(p.where()), p.length())) {
                        // written part by part so that buffers straddling A/B are written too
                        byte[] piece = new byte[(int) s.size()];
                        long off = s.asPtr() - memory.getHostAddress(GuestAddress.of(p.where()));
                        if (off < 0 || off >= p.length()) {
                            off = p.length() - s.size();
                        }
                        System.arraycopy(data, (int) off, piece, 0, piece.length);
                        s.copyFrom(piece);
                    }
                    readableTotal += p.length();
                }
            }
            // buffers may overlap: the expected stream is what memory holds at each buffer, in order
            for (int i = 0; i < firstWrite; i++) {
                Part p = parts.get(i);
                for (int k = 0; k < p.length(); k++) {
                    expected.write(memory.readByteFromAddr(GuestAddress.of(p.where() + k)));
                }
            }
            rings.offer(slotShift % 32);
            SplitQueue queue = SplitQueue.create(memory, rings.config(false, false));
            DescriptorChain chain = queue.pop().orElseThrow(() -> new AssertionError("error " + queue.error()));
            assertNull(queue.error());
            assertEquals(firstWrite, chain.readable().size());
            assertEquals(n - firstWrite, chain.writable().size());
            assertEquals(readableTotal, chain.readableLength());
            byte[] got = new byte[(int) readableTotal];
            assertEquals(got.length, new ChainReader(memory, chain).read(got));
            assertArrayEquals(expected.toByteArray(), got);
        }
    }

    /** Chains that loop, point outside RAM or out of the table always end in needs-reset, never an exception. */
    @Property(tries = 300)
    void malformedChainsNeedReset(@ForAll @IntRange(min = 1, max = 15) int length, @ForAll @IntRange(min = 0, max = 3) int kind,
                                  @ForAll @IntRange(min = 0, max = 15) int at) {
        try (GuestMemory memory = newMemory()) {
            Rings rings = new Rings(memory, 16);
            int bad = Math.min(at, length - 1);
            for (int i = 0; i < length; i++) {
                boolean last = i == length - 1;
                long addr = 0x2000;
                int next = i + 1;
                int flags = last ? 0 : F_NEXT;
                if (i == bad) {
                    switch (kind) {
                        case 0 -> { flags |= F_NEXT; next = 0; }            // loops back to the head
                        case 1 -> addr = 0x1ff00;                           // over the gap after B
                        case 2 -> { flags |= F_NEXT; next = 16 + i; }       // next out of the table
                        default -> addr = 0x20000;                          // in the gap
                    }
                }
                rings.descriptor(i, addr, 0x200, flags, next);
            }
            rings.offer(0);
            SplitQueue queue = SplitQueue.create(memory, rings.config(true, true));
            assertTrue(queue.pop().isEmpty());
            QueueError expected = switch (kind) {
                case 0 -> QueueError.CHAIN_TOO_LONG;
                case 2 -> QueueError.DESCRIPTOR_INDEX_OUT_OF_RANGE;
                default -> QueueError.BUFFER_OUTSIDE_MEMORY;
            };
            assertEquals(expected, queue.error());
        }
    }

    /**
     * Chains whose lengths sum near and past 2^32 (overlapping buffers of up to 1 GiB in a 1 GiB
     * RAM, untouched so nothing is committed): the totals are exact below the limit, and one past
     * it needs reset with LENGTH_OVERFLOW, for the readable and the writable side alike.
     */
    @Property(tries = 200)
    void lengthsNearTwoToTheThirtyTwoAreSummedExactlyOrRefused(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 1 << 30) Integer> lengths,
            @ForAll @IntRange(min = 0, max = 8) int readableCount) {
        try (GuestMemory big = GuestMemory.create(GuestRange.of(0, 1L << 30))) {
            Rings r = new Rings(big, 16, 0x1000, 0x2000, 0x3000);
            int n = lengths.size();
            int readable = Math.min(readableCount, n);
            long readTotal = 0;
            long writeTotal = 0;
            for (int i = 0; i < n; i++) {
                boolean write = i >= readable;
                r.descriptor(i, 0, lengths.get(i), (i + 1 < n ? F_NEXT : 0) | (write ? F_WRITE : 0), i + 1);
                if (write) {
                    writeTotal += lengths.get(i);
                } else {
                    readTotal += lengths.get(i);
                }
            }
            r.offer(0);
            SplitQueue q = SplitQueue.create(big, r.config(false, false));
            Optional<DescriptorChain> chain = q.pop();
            if (readTotal > 0xffff_ffffL || writeTotal > 0xffff_ffffL) {
                assertTrue(chain.isEmpty());
                assertEquals(QueueError.LENGTH_OVERFLOW, q.error());
            } else {
                assertTrue(chain.isPresent(), () -> "refused: " + q.error());
                assertEquals(readTotal, chain.get().readableLength());
                assertEquals(writeTotal, chain.get().writableLength());
            }
        }
    }
}
