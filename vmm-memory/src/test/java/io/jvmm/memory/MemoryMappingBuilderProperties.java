package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.Errno;
import io.jvmm.memory.MmapException.Kind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever size, fd offset and alignment a builder is given, it either builds a mapping of that
 * size at an address with that alignment or throws the documented kind, checked in the documented
 * order; never anything else.
 */
class MemoryMappingBuilderProperties {
    static final long PAGE = MappingState.PAGE_SIZE;
    /** The memfd that descriptor-backed tries map. */
    static final long FILE = 4 * PAGE;

    @Provide
    Arbitrary<Long> sizes() {
        return Arbitraries.oneOf(
            Arbitraries.longs().between(-2, 5 * PAGE),
            Arbitraries.of(0L, -1L, 1L, PAGE, FILE, FILE + 1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62,
                Long.MAX_VALUE - PAGE, Long.MAX_VALUE - 2 * PAGE));
    }

    @Provide
    Arbitrary<Long> offsets() {
        return Arbitraries.oneOf(
            Arbitraries.longs().between(-1, 5).map(p -> p * PAGE),
            Arbitraries.of(1L, PAGE - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - (Long.MAX_VALUE % PAGE)));
    }

    @Provide
    Arbitrary<Long> alignments() {
        return Arbitraries.of(0L, PAGE, 2 * PAGE, 3 * PAGE, 1L << 21, PAGE / 2, -PAGE, 1L << 62, Long.MIN_VALUE, 1L);
    }

    @Property
    void buildMapsOrRefusesInTheDocumentedOrder(@ForAll("sizes") long size, @ForAll("offsets") long offset,
                                               @ForAll("alignments") long alignment, @ForAll boolean fromFd,
                                               @ForAll boolean populate) {
        try (SharedMemory shm = SharedMemory.create("builder-property", FILE)) {
            MemoryMappingBuilder builder = MemoryMapping.builder(size).offset(offset).align(alignment);
            if (fromFd) {
                builder.fromSharedMemory(shm);
            }
            if (populate) {
                builder.populate();
            }
            Kind expected = expectedKind(size, offset, alignment, fromFd, populate);
            MemoryMapping mapping = null;
            try {
                mapping = builder.build();
            } catch (MmapException e) {
                if (expected == null) {
                    // Only the kernel may still say no: a mapping (or its alignment slack) too
                    // large for the address space.
                    assertEquals(Kind.SYSTEM_CALL_FAILED, e.kind(), e.getMessage());
                    assertEquals(Errno.ENOMEM, e.errno(), e.getMessage());
                    assertTrue(size > (1L << 40) || alignment > (1L << 40), e.getMessage());
                    return;
                }
                assertEquals(expected, e.kind(), e.getMessage());
                return;
            }
            try {
                assertEquals(null, expected, "built although " + expected + " was expected");
                assertEquals(size, mapping.size());
                if (alignment > 0) {
                    assertEquals(0, mapping.asPtr() % alignment);
                }
                if (size >= 8) {
                    mapping.writeLong(-1, size - 8);
                    assertEquals(-1, mapping.readLong(size - 8));
                }
            } finally {
                mapping.close();
            }
        }
    }

    static Kind expectedKind(long size, long offset, long alignment, boolean fromFd, boolean populate) {
        if (size <= 0 || (populate && !fromFd)) {
            return Kind.INVALID_ARGUMENT;
        }
        if (offset < 0) {
            return Kind.INVALID_OFFSET;
        }
        if (offset % PAGE != 0) {
            return Kind.NOT_PAGE_ALIGNED;
        }
        if (offset + size < 0 || size + PAGE < 0) {
            return Kind.OVERFLOW;
        }
        if (alignment != 0 && (alignment < 0 || Long.bitCount(alignment) != 1 || alignment % PAGE != 0)) {
            return Kind.INVALID_ALIGNMENT;
        }
        if (alignment > 0 && size + alignment < 0) {
            return Kind.OVERFLOW;
        }
        if (fromFd && offset + size > FILE) {
            return Kind.INVALID_RANGE;
        }
        return null;
    }
}
