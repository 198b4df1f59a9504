package io.jvmm.virtio;

import static io.jvmm.virtio.Descriptor.F_INDIRECT;
import static io.jvmm.virtio.Descriptor.F_NEXT;
import static io.jvmm.virtio.Descriptor.F_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The split virtqueue against well-formed and hostile rings. RAM: A [0, 0x10000) and
 * B [0x10000, 0x20000) adjacent, a gap, C [0x40000, 0x41000).
 */
class SplitQueueTest {
    static final long B = 0x10000;
    static final long C = 0x40000;

    private GuestMemory memory;
    private Rings rings;
    private SplitQueue queue;

    @BeforeEach
    void create() {
        memory = GuestMemory.create(GuestRange.of(0, 0x10000), GuestRange.of(B, 0x10000), GuestRange.of(C, 0x1000));
        rings = new Rings(memory, 8);
        queue = SplitQueue.create(memory, rings.config(true, false));
    }

    @AfterEach
    void close() {
        memory.close();
    }

    /**
     * The worked example device of docs/virtio.md: an echo device that copies a request's readable
     * bytes into its writable buffers and returns the chain, as virtio-blk will with a header,
     * data and a status byte.
     */
    static int serveEcho(GuestMemory memory, SplitQueue queue) {
        int served = 0;
        for (Optional<DescriptorChain> next = queue.pop(); next.isPresent(); next = queue.pop()) {
            DescriptorChain chain = next.get();
            ChainReader in = new ChainReader(memory, chain);
            ChainWriter out = new ChainWriter(memory, chain);
            byte[] request = new byte[(int) Math.min(in.remaining(), out.remaining())];
            in.read(request);
            out.write(request);
            queue.addUsed(chain.head(), out.bytesWritten());
            served++;
        }
        return served;
    }

    @Test
    void aQueueWhoseMemoryWasClosedReportsARingAccessFailureInsteadOfThrowing() {
        rings.descriptor(0, 0x2000, 16, F_WRITE, 0);
        rings.offer(0);
        memory.close();
        assertEquals(Optional.empty(), queue.pop());
        assertEquals(QueueError.RING_ACCESS_FAILED, queue.error());
        assertTrue(queue.needsReset());
        queue.addUsed(0, 0);
        assertFalse(queue.needsNotification());
    }

    @Test
    void echoDeviceServesAChainAcrossBuffersAndARegionBoundary() {
        byte[] hello = "hello, virtqueue".getBytes(StandardCharsets.US_ASCII);
        memory.writeAllAtAddr(java.util.Arrays.copyOfRange(hello, 0, 5), GuestAddress.of(0x2000));
        // the second readable buffer straddles the A/B boundary
        byte[] rest = java.util.Arrays.copyOfRange(hello, 5, hello.length);
        for (int i = 0; i < rest.length; i++) {
            memory.writeByteAtAddr(rest[i], GuestAddress.of(B - 4 + i));
        }
        rings.descriptor(0, 0x2000, 5, F_NEXT, 3);
        rings.descriptor(3, B - 4, rest.length, F_NEXT, 5);
        rings.descriptor(5, 0x3000, 6, F_WRITE | F_NEXT, 1);
        rings.descriptor(1, B - 3, 20, F_WRITE, 0);
        rings.offer(0);
        assertEquals(1, serveEcho(memory, queue));
        assertNull(queue.error());
        assertEquals(1, rings.usedIdx());
        assertEquals(0, rings.usedId(0));
        assertEquals(hello.length, rings.usedLen(0));
        byte[] first = new byte[6];
        memory.readExactAtAddr(first, GuestAddress.of(0x3000));
        assertArrayEquals(java.util.Arrays.copyOfRange(hello, 0, 6), first);
        byte[] second = new byte[hello.length - 6];
        for (int i = 0; i < second.length; i++) {
            second[i] = memory.readByteFromAddr(GuestAddress.of(B - 3 + i));
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(hello, 6, hello.length), second);
        assertTrue(queue.pop().isEmpty(), "nothing more available");
    }

    @Test
    void scalarsCrossBufferBoundariesLittleEndian() {
        memory.writeIntAtAddr(0x4433_2211, GuestAddress.of(0x2000));
        memory.writeIntAtAddr(0x8877_6655, GuestAddress.of(0x2100));
        rings.descriptor(0, 0x2002, 2, F_NEXT, 1);
        rings.descriptor(1, 0x2100, 4, F_NEXT, 2);
        rings.descriptor(2, 0x3000, 3, F_WRITE | F_NEXT, 3);
        rings.descriptor(3, 0x3100, 8, F_WRITE, 0);
        rings.offer(0);
        DescriptorChain chain = queue.pop().orElseThrow();
        ChainReader in = new ChainReader(memory, chain);
        assertEquals(0x6655_4433, in.readInt());
        assertEquals((short) 0x8877, in.readShort());
        assertEquals(0, in.remaining());
        ChainWriter out = new ChainWriter(memory, chain);
        out.writeLong(0x0807_0605_0403_0201L);
        assertEquals(0x030201, memory.readIntFromAddr(GuestAddress.of(0x3000)) & 0xffffff);
        assertEquals(0x0807_0605_04L, memory.readLongFromAddr(GuestAddress.of(0x3100)) & 0xff_ffff_ffffL);
    }

    @Test
    void indirectTableIsWalkedAndBoundedByItsSize() {
        long table = 0x5000;
        rings.descriptor(table, 0, 0x2000, 4, F_NEXT, 1);
        rings.descriptor(table, 1, 0x3000, 4, F_WRITE, 0);
        rings.descriptor(2, table, 32, F_INDIRECT, 0);
        rings.offer(2);
        DescriptorChain chain = queue.pop().orElseThrow();
        assertEquals(2, chain.head());
        assertEquals(1, chain.readable().size());
        assertEquals(1, chain.writable().size());
        // a loop inside the table
        rings.descriptor(table, 1, 0x3000, 4, F_WRITE | F_NEXT, 0);
        rings.offer(2);
        assertTrue(queue.pop().isEmpty());
        assertEquals(QueueError.CHAIN_TOO_LONG, queue.error());
    }

    /**
     * §2.7.5.3.1: a chain is at most the queue size long, the entries of its indirect table
     * included; a table may be larger than the queue, but its walk stops there.
     */
    @Test
    void anIndirectChainLongerThanTheQueueNeedsResetHoweverLargeItsTable() {
        long table = 0x5000;
        int entries = 64; // the queue has 8
        for (int i = 0; i < entries; i++) {
            rings.descriptor(table, i, 0x2000, 1, i == 7 ? 0 : F_NEXT, i + 1);
        }
        rings.descriptor(0, 0x2000, 1, F_NEXT, 1);
        rings.descriptor(1, table, 16 * entries, F_INDIRECT, 0);
        rings.descriptor(2, table, 16 * entries, F_INDIRECT, 0);
        rings.offer(2);
        assertEquals(8, queue.pop().orElseThrow().readable().size(), "8 entries of a 64-entry table: as long as the queue");
        rings.offer(0);
        assertBreaks(QueueError.CHAIN_TOO_LONG); // 1 direct buffer + 8 table entries
    }

    @Test
    void anIndirectTableOfLinkedEntriesPastTheQueueSizeNeedsReset() {
        long table = B + 0x4000;
        int entries = 2048; // 32 KiB of table, a well-formed chain through all of it
        for (int i = 0; i < entries; i++) {
            rings.descriptor(table, i, 0x2000, 0, i == entries - 1 ? 0 : F_NEXT, i + 1);
        }
        rings.descriptor(0, table, 16 * entries, F_INDIRECT, 0);
        rings.offer(0);
        assertBreaks(QueueError.CHAIN_TOO_LONG);
    }

    private void assertBreaks(QueueError expected) {
        assertTrue(queue.pop().isEmpty());
        assertEquals(expected, queue.error());
        assertTrue(queue.needsReset());
        // a broken queue stays broken and does nothing
        queue.addUsed(0, 0);
        assertEquals(0, rings.usedIdx());
        assertFalse(queue.needsNotification());
    }

    @Test
    void aLoopingChainNeedsReset() {
        rings.descriptor(0, 0x2000, 1, F_NEXT, 1);
        rings.descriptor(1, 0x2000, 1, F_NEXT, 0);
        rings.offer(0);
        assertBreaks(QueueError.CHAIN_TOO_LONG);
    }

    @Test
    void nextOutOfRangeNeedsReset() {
        rings.descriptor(0, 0x2000, 1, F_NEXT, 8);
        rings.offer(0);
        assertBreaks(QueueError.DESCRIPTOR_INDEX_OUT_OF_RANGE);
    }

    @Test
    void headOutOfRangeNeedsReset() {
        rings.offer(9);
        assertBreaks(QueueError.DESCRIPTOR_INDEX_OUT_OF_RANGE);
    }

    @Test
    void bufferOverAGapOrPastRamNeedsReset() {
        rings.descriptor(0, 0x1fff0, 0x20, 0, 0);
        rings.offer(0);
        assertBreaks(QueueError.BUFFER_OUTSIDE_MEMORY);
    }

    @Test
    void bufferWrappingTwoToTheSixtyFourNeedsReset() {
        rings.descriptor(0, -16, 0x100, 0, 0);
        rings.offer(0);
        assertBreaks(QueueError.BUFFER_OUTSIDE_MEMORY);
    }

    @Test
    void aLengthOfAllOnesOutsideRamNeedsReset() {
        rings.descriptor(0, 0, -1, 0, 0);
        rings.offer(0);
        assertBreaks(QueueError.BUFFER_OUTSIDE_MEMORY);
    }

    @Test
    void lengthsSummingPastTwoToTheThirtyTwoNeedReset() {
        // 4096 overlapping buffers of 1 MiB, each inside RAM: together 2^32 bytes, one too many
        try (GuestMemory big = GuestMemory.create(GuestRange.of(0, 2L << 20))) {
            int size = 4096;
            Rings r = new Rings(big, size, 0, 0x10000, 0x20000);
            for (int i = 0; i < size; i++) {
                r.descriptor(i, 0, 1 << 20, i + 1 < size ? F_NEXT : 0, i + 1);
            }
            r.offer(0);
            SplitQueue q = SplitQueue.create(big, r.config(false, false));
            assertTrue(q.pop().isEmpty());
            assertEquals(QueueError.LENGTH_OVERFLOW, q.error());
            // one buffer fewer is a valid chain of 2^32 - 2^20 bytes
            r.descriptor(size - 2, 0, 1 << 20, 0, 0);
            SplitQueue ok = SplitQueue.create(big, r.config(false, false));
            assertEquals((1L << 32) - (1 << 20), ok.pop().orElseThrow().readableLength());
        }
    }

    @Test
    void readableAfterWritableNeedsReset() {
        rings.descriptor(0, 0x2000, 1, F_WRITE | F_NEXT, 1);
        rings.descriptor(1, 0x2000, 1, 0, 0);
        rings.offer(0);
        assertBreaks(QueueError.READABLE_AFTER_WRITABLE);
    }

    @Test
    void indicesOutOfStepNeedReset() {
        rings.setAvailIdx(9);
        assertBreaks(QueueError.INDICES_OUT_OF_STEP);
    }

    @Test
    void nestedIndirectAndIndirectWithNextNeedReset() {
        rings.descriptor(0x5000, 0, 0x6000, 16, F_INDIRECT, 0);
        rings.descriptor(0, 0x5000, 16, F_INDIRECT, 0);
        rings.offer(0);
        assertBreaks(QueueError.INDIRECT_NESTED);

        queue = SplitQueue.create(memory, rings.config(true, false));
        rings.descriptor(0, 0x5000, 16, F_INDIRECT | F_NEXT, 1);
        rings.offer(0);
        assertTrue(queue.pop().isEmpty());
        assertEquals(QueueError.INDIRECT_NESTED, queue.error());
    }

    @Test
    void indirectWithoutTheFeatureOrWithABadLengthNeedsReset() {
        queue = SplitQueue.create(memory, rings.config(false, false));
        rings.descriptor(0, 0x5000, 16, F_INDIRECT, 0);
        rings.offer(0);
        assertBreaks(QueueError.INDIRECT_NOT_NEGOTIATED);
    }

    @Test
    void indirectTableOfBadLengthNeedsReset() {
        rings.descriptor(0, 0x5000, 17, F_INDIRECT, 0);
        rings.offer(0);
        assertBreaks(QueueError.INDIRECT_TABLE_INVALID);
    }

    @Test
    void badConfigurationsAreRefused() {
        GuestAddress ok = GuestAddress.of(0x1000);
        assertEquals(QueueError.INVALID_CONFIG, SplitQueue.create(memory, new QueueConfig(6, ok, ok, ok, false, false)).error());
        assertEquals(QueueError.INVALID_CONFIG, SplitQueue.create(memory, new QueueConfig(65536, ok, ok, ok, false, false)).error());
        assertEquals(QueueError.INVALID_CONFIG, SplitQueue.create(memory, new QueueConfig(0, ok, ok, ok, false, false)).error());
        assertEquals(QueueError.INVALID_CONFIG,
            SplitQueue.create(memory, new QueueConfig(8, GuestAddress.of(0x1008), ok, ok, false, false)).error());
        assertEquals(QueueError.INVALID_CONFIG,
            SplitQueue.create(memory, new QueueConfig(8, ok, GuestAddress.of(0x1001), ok, false, false)).error());
        assertEquals(QueueError.INVALID_CONFIG,
            SplitQueue.create(memory, new QueueConfig(8, ok, ok, GuestAddress.of(0x1002), false, false)).error());
        assertEquals(QueueError.INVALID_CONFIG,
            SplitQueue.create(memory, new QueueConfig(512, GuestAddress.of(C), ok, ok, false, false)).error(), "table past RAM");
        assertNull(SplitQueue.create(memory, new QueueConfig(4096, GuestAddress.of(0), ok, ok, false, false)).error());
    }

    @Test
    void eventIdxSuppressesNotificationsUntilUsedEventIsPassed() {
        queue = SplitQueue.create(memory, rings.config(true, true));
        rings.descriptor(0, 0x2000, 1, F_WRITE, 0);
        GuestAddress usedEvent = GuestAddress.of(Rings.AVAIL + 4 + 2L * rings.size);
        memory.writeShortAtAddr((short) 2, usedEvent); // interrupt me once entry 2 is used
        for (int i = 0; i < 4; i++) {
            rings.offer(0);
        }
        queue.pop().orElseThrow();
        queue.addUsed(0, 1);
        assertTrue(queue.needsNotification(), "the first call always notifies");
        queue.pop().orElseThrow();
        queue.addUsed(0, 1);
        assertFalse(queue.needsNotification(), "used idx 2 has not passed used_event 2");
        queue.pop().orElseThrow();
        queue.addUsed(0, 1);
        assertTrue(queue.needsNotification(), "used idx 3 passed used_event 2");
        queue.publishAvailEvent();
        assertEquals(3, memory.readShortFromAddr(GuestAddress.of(Rings.USED + 4 + 8L * rings.size)));
    }

    @Test
    void noInterruptFlagSuppressesWithoutEventIdx() {
        rings.descriptor(0, 0x2000, 1, F_WRITE, 0);
        rings.offer(0);
        queue.addUsed(queue.pop().orElseThrow().head(), 0);
        assertTrue(queue.needsNotification());
        memory.writeShortAtAddr((short) 1, GuestAddress.of(Rings.AVAIL));
        assertFalse(queue.needsNotification());
    }
}
