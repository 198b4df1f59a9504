package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvmm.core.CacheFlush;
import io.jvmm.memory.MmapException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Every accessor, given any offset and length (random, at the edges of the mapping, negative,
 * {@code Long.MIN_VALUE}/{@code MAX_VALUE}, sums that overflow), either does exactly what a byte
 * array model says or throws the {@link MmapException} the contract documents, never anything
 * else. Each try starts from a fresh mapping filled with a pattern and compares the whole mapping
 * with the model afterwards, so a write that strays by one byte fails too.
 */
class MemoryMappingProperties {
    static final long PAGE = MappingState.PAGE_SIZE;
    /** Three pages and an odd tail: the end is neither page- nor 8-byte aligned. */
    static final long SIZE = 3 * PAGE + 5;

    /** A mapping and the byte array it must always equal. */
    static final class Model implements AutoCloseable {
        final MemoryMapping mapping = MemoryMapping.builder(SIZE).build();
        final byte[] bytes = TestSupport.pattern((int) SIZE, 13);

        Model() {
            mapping.writeSlice(bytes, 0);
        }

        long readLittleEndian(long offset, int width) {
            long value = 0;
            for (int i = width - 1; i >= 0; i--) {
                value = (value << 8) | (bytes[(int) offset + i] & 0xFF);
            }
            return value;
        }

        void writeLittleEndian(long offset, int width, long value) {
            for (int i = 0; i < width; i++) {
                bytes[(int) offset + i] = (byte) (value >>> (8 * i));
            }
        }

        void assertMatches() {
            byte[] actual = new byte[(int) SIZE];
            assertEquals(SIZE, mapping.readSlice(actual, 0));
            assertArrayEquals(bytes, actual);
        }

        @Override
        public void close() {
            mapping.close();
        }
    }

    /** Runs {@code call}; if {@code expected} is a kind, asserts that exactly that kind is thrown. */
    static <T> T expect(Kind expected, Supplier<T> call) {
        if (expected == null) {
            return call.get();
        }
        MmapException e = assertThrows(MmapException.class, call::get);
        assertEquals(expected, e.kind(), e.getMessage());
        return null;
    }

    static boolean fits(long offset, long length, long limit) {
        return offset >= 0 && length >= 0 && offset <= limit && length <= limit - offset;
    }

    /** The {@link VolatileMemory#getSlice} rules. */
    static Kind sliceOutcome(long offset, long count, long limit) {
        if (offset < 0 || count < 0) {
            return Kind.INVALID_ARGUMENT;
        }
        if (offset + count < 0) {
            return Kind.OVERFLOW;
        }
        return offset + count > limit ? Kind.OUT_OF_BOUNDS : null;
    }

    @Provide
    Arbitrary<Long> offsets() {
        return Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.longs().between(-16, SIZE + 16)),
            Tuple.of(3, Arbitraries.of(-1L, 0L, 1L, 7L, PAGE - 1, PAGE, SIZE - 9, SIZE - 8, SIZE - 7, SIZE - 4,
                SIZE - 2, SIZE - 1, SIZE, SIZE + 1, Long.MAX_VALUE, Long.MAX_VALUE - 7, Long.MIN_VALUE,
                Long.MIN_VALUE + 1, Integer.MAX_VALUE + 1L, -PAGE)),
            Tuple.of(1, Arbitraries.longs()));
    }

    /** Counts for ranges: the same edges, plus sums that overflow with any positive offset. */
    @Provide
    Arbitrary<Long> counts() {
        return Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.longs().between(-4, SIZE + 4)),
            Tuple.of(3, Arbitraries.of(-1L, 0L, 1L, PAGE, 2 * PAGE, SIZE - PAGE, SIZE - 1, SIZE, SIZE + 1,
                Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, 5L)),
            Tuple.of(1, Arbitraries.longs()));
    }

    /** Page-granular ranges start mostly on page boundaries, so both outcomes get exercised. */
    @Provide
    Arbitrary<Long> pageOffsets() {
        return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.longs().between(-1, 4).map(p -> p * PAGE)),
            Tuple.of(1, offsets()));
    }

    @Provide
    Arbitrary<Long> pageCounts() {
        return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.longs().between(0, 4).map(p -> p * PAGE)),
            Tuple.of(1, Arbitraries.of(5L, SIZE - 2 * PAGE, SIZE - PAGE, SIZE)),
            Tuple.of(1, counts()));
    }

    @Property
    void plainScalarsRoundTripOrAreInvalidAddress(@ForAll("offsets") long offset, @ForAll long value,
                                                 @ForAll("widths") int width) {
        try (Model model = new Model()) {
            MemoryMapping m = model.mapping;
            Kind outcome = fits(offset, width, SIZE) ? null : Kind.INVALID_ADDRESS;
            Long read = expect(outcome, () -> switch (width) {
                case 8 -> m.readLong(offset);
                case 4 -> (long) m.readInt(offset);
                case 2 -> (long) m.readShort(offset);
                default -> (long) m.readByte(offset);
            });
            if (outcome == null) {
                long expected = model.readLittleEndian(offset, width);
                assertEquals(signExtend(expected, width), (long) read);
            }
            expect(outcome, () -> {
                switch (width) {
                    case 8 -> m.writeLong(value, offset);
                    case 4 -> m.writeInt((int) value, offset);
                    case 2 -> m.writeShort((short) value, offset);
                    default -> m.writeByte((byte) value, offset);
                }
                return null;
            });
            if (outcome == null) {
                model.writeLittleEndian(offset, width, value);
            }
            model.assertMatches();
        }
    }

    @Property
    void volatileScalarsRoundTripOrFailOnRangeThenAlignment(@ForAll("offsets") long offset, @ForAll long value,
                                                            @ForAll("widths") int width) {
        try (Model model = new Model()) {
            MemoryMapping m = model.mapping;
            Kind outcome = !fits(offset, width, SIZE) ? Kind.INVALID_ADDRESS
                : offset % width != 0 ? Kind.INVALID_ALIGNMENT : null;
            Long read = expect(outcome, () -> switch (width) {
                case 8 -> m.readLongVolatile(offset);
                case 4 -> (long) m.readIntVolatile(offset);
                case 2 -> (long) m.readShortVolatile(offset);
                default -> (long) m.readByteVolatile(offset);
            });
            if (outcome == null) {
                assertEquals(signExtend(model.readLittleEndian(offset, width), width), (long) read);
            }
            expect(outcome, () -> {
                switch (width) {
                    case 8 -> m.writeLongVolatile(value, offset);
                    case 4 -> m.writeIntVolatile((int) value, offset);
                    case 2 -> m.writeShortVolatile((short) value, offset);
                    default -> m.writeByteVolatile((byte) value, offset);
                }
                return null;
            });
            if (outcome == null) {
                model.writeLittleEndian(offset, width, value);
            }
            model.assertMatches();
        }
    }

    @Property
    void sliceCopiesCopyWhatFitsOrAreInvalidAddress(@ForAll("offsets") long offset,
                                                   @ForAll @IntRange(max = 13000) int length) {
        try (Model model = new Model()) {
            Kind outcome = offset < 0 || offset > SIZE ? Kind.INVALID_ADDRESS : null;
            int fitting = outcome == null ? (int) Math.min(length, SIZE - offset) : 0;
            byte[] read = new byte[length];
            Integer count = expect(outcome, () -> model.mapping.readSlice(read, offset));
            if (outcome == null) {
                assertEquals(fitting, count);
                assertArrayEquals(Arrays.copyOfRange(model.bytes, (int) offset, (int) offset + fitting),
                    Arrays.copyOf(read, fitting));
            }
            byte[] data = TestSupport.pattern(length, 99);
            Integer written = expect(outcome, () -> model.mapping.writeSlice(data, offset));
            if (outcome == null) {
                assertEquals(fitting, written);
                System.arraycopy(data, 0, model.bytes, (int) offset, fitting);
            }
            model.assertMatches();
        }
    }

    @Property
    void structsAreWholeOrInvalidAddress(@ForAll("offsets") long offset, @ForAll @IntRange(max = 80) int length) {
        try (Model model = new Model()) {
            Kind outcome = fits(offset, length, SIZE) ? null : Kind.INVALID_ADDRESS;
            ByteBuffer read = expect(outcome, () -> model.mapping.readStruct(offset, length));
            if (outcome == null) {
                assertEquals(ByteOrder.LITTLE_ENDIAN, read.order());
                assertArrayEquals(Arrays.copyOfRange(model.bytes, (int) offset, (int) offset + length), read.array());
            }
            ByteBuffer src = ByteBuffer.wrap(TestSupport.pattern(length, 5));
            expect(outcome, () -> {
                model.mapping.writeStruct(src, offset);
                return null;
            });
            if (outcome == null) {
                System.arraycopy(src.array(), 0, model.bytes, (int) offset, length);
            }
            model.assertMatches();
        }
    }

    @Property
    void getSliceAndItsSubSlicesFollowTheSliceRules(@ForAll("offsets") long offset, @ForAll("counts") long count,
                                                   @ForAll("offsets") long subOffset, @ForAll("counts") long subCount) {
        try (Model model = new Model()) {
            Kind outcome = sliceOutcome(offset, count, SIZE);
            VolatileSlice slice = expect(outcome, () -> model.mapping.getSlice(offset, count));
            if (outcome != null) {
                return;
            }
            assertEquals(count, slice.size());
            assertEquals(model.mapping.asPtr() + offset, slice.asPtr());
            Kind subOutcome = sliceOutcome(subOffset, subCount, count);
            VolatileSlice sub = expect(subOutcome, () -> slice.subSlice(subOffset, subCount));
            if (subOutcome == null) {
                assertEquals(slice.asPtr() + subOffset, sub.asPtr());
                assertEquals(subCount, sub.size());
            }
            Kind restOutcome = subOffset < 0 ? Kind.INVALID_ARGUMENT : subOffset > count ? Kind.OUT_OF_BOUNDS : null;
            VolatileSlice rest = expect(restOutcome, () -> slice.offset(subOffset));
            if (restOutcome == null) {
                assertEquals(count - subOffset, rest.size());
                assertEquals(slice.asPtr() + subOffset, rest.asPtr());
            }
        }
    }

    @Property
    void sliceOperationsAgreeWithTheModel(@ForAll("offsets") long offset, @ForAll("counts") long count,
                                         @ForAll @IntRange(max = 13000) int arrayLength, @ForAll byte fill,
                                         @ForAll @IntRange(max = 3) int operation) {
        try (Model model = new Model()) {
            if (sliceOutcome(offset, count, SIZE) != null) {
                return; // getSliceAndItsSubSlicesFollowTheSliceRules covers refused slices.
            }
            VolatileSlice slice = model.mapping.getSlice(offset, count);
            int from = (int) offset;
            int n = (int) Math.min(count, arrayLength);
            switch (operation) {
                case 0 -> {
                    byte[] dst = new byte[arrayLength];
                    assertEquals(n, slice.copyTo(dst));
                    assertArrayEquals(Arrays.copyOfRange(model.bytes, from, from + n), Arrays.copyOf(dst, n));
                }
                case 1 -> {
                    byte[] src = TestSupport.pattern(arrayLength, fill);
                    assertEquals(n, slice.copyFrom(src));
                    System.arraycopy(src, 0, model.bytes, from, n);
                }
                case 2 -> {
                    slice.writeBytes(fill);
                    Arrays.fill(model.bytes, from, from + (int) count, fill);
                }
                default -> {
                    boolean zero = true;
                    for (int i = from; i < from + count; i++) {
                        zero &= model.bytes[i] == 0;
                    }
                    assertEquals(zero, slice.isAllZero());
                    Arrays.fill(model.bytes, from, from + (int) count, (byte) 0);
                    slice.writeBytes((byte) 0);
                    assertEquals(true, slice.isAllZero());
                }
            }
            model.assertMatches();
        }
    }

    @Property
    void copyToVolatileSliceActsLikeMemmove(@ForAll @IntRange(max = 12293) int srcOffset,
                                           @ForAll @IntRange(max = 12293) int dstOffset,
                                           @ForAll @IntRange(max = 12293) int srcCount,
                                           @ForAll @IntRange(max = 12293) int dstCount) {
        try (Model model = new Model()) {
            if (sliceOutcome(srcOffset, srcCount, SIZE) != null || sliceOutcome(dstOffset, dstCount, SIZE) != null) {
                return;
            }
            VolatileSlice src = model.mapping.getSlice(srcOffset, srcCount);
            VolatileSlice dst = model.mapping.getSlice(dstOffset, dstCount);
            int n = Math.min(srcCount, dstCount);
            assertEquals(n, src.copyToVolatileSlice(dst));
            System.arraycopy(model.bytes, srcOffset, model.bytes, dstOffset, n);
            model.assertMatches();
        }
    }

    @Property
    void unixRangesAreInsideWholePagesOrRefused(@ForAll("pageOffsets") long offset, @ForAll("pageCounts") long count,
                                              @ForAll @IntRange(max = 5) int operation) {
        try (Model model = new Model()) {
            MemoryMapping m = model.mapping;
            boolean inside = fits(offset, count, SIZE);
            boolean wholePages = offset % PAGE == 0 && (count % PAGE == 0 || offset + count == SIZE);
            Kind outcome = !inside ? Kind.INVALID_RANGE : (operation <= 1 && !wholePages) ? Kind.NOT_PAGE_ALIGNED : null;
            expect(outcome, () -> {
                switch (operation) {
                    case 0 -> m.removeRange(offset, count);
                    case 1 -> m.dropPageCache(offset, count);
                    case 2 -> m.asyncPrefetch(offset, count);
                    case 3 -> m.lockOnFault(offset, count);
                    case 4 -> m.unlock(offset, count);
                    default -> m.flushRegion(offset, count);
                }
                return null;
            });
            if (outcome == null && operation == 0) {
                Arrays.fill(model.bytes, (int) offset, (int) (offset + count), (byte) 0);
            }
            if (operation == 3) {
                m.unlock(0, SIZE);
            }
            model.assertMatches();
        }
    }

    @Property
    void flushUncachedGuestMappingTakesAnyOffsetInside(@ForAll("offsets") long offset) {
        net.jqwik.api.Assume.that(CacheFlush.isSupported());
        try (Model model = new Model()) {
            Kind outcome = offset >= 0 && offset < SIZE ? null : Kind.INVALID_RANGE;
            expect(outcome, () -> {
                model.mapping.flushUncachedGuestMapping(offset);
                return null;
            });
            model.assertMatches();
        }
    }

    @Provide
    Arbitrary<Integer> widths() {
        return Arbitraries.of(1, 2, 4, 8);
    }

    private static long signExtend(long value, int width) {
        int shift = 64 - 8 * width;
        return (value << shift) >> shift;
    }
}
