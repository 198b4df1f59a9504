package io.jvmm.memory;

import static io.jvmm.memory.MemoryMappingProperties.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Pointer;
import io.jvmm.memory.MmapException.Kind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Every arena call, given any offset and size, either maps what it says or throws the documented
 * kind: {@code NOT_PAGE_ALIGNED} for an unaligned offset, {@code INVALID_ARGUMENT} for a size that
 * is not positive, {@code INVALID_ADDRESS} for a range not inside the arena.
 */
class MemoryMappingArenaProperties {
    static final long PAGE = MappingState.PAGE_SIZE;
    static final long SIZE = 6 * PAGE;

    @Provide
    Arbitrary<Long> offsets() {
        return Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.longs().between(-2, 8).map(p -> p * PAGE)),
            Tuple.of(1, Arbitraries.longs().between(-16, SIZE + 16)),
            Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + PAGE,
                Long.MAX_VALUE - (Long.MAX_VALUE % PAGE), SIZE, SIZE - PAGE)));
    }

    @Provide
    Arbitrary<Long> sizes() {
        return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.longs().between(1, 7).map(p -> p * PAGE)),
            Tuple.of(2, Arbitraries.longs().between(-2, SIZE + 2)),
            Tuple.of(1, Arbitraries.of(0L, -1L, 1L, PAGE - 1, PAGE + 1, SIZE, SIZE + 1,
                Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - PAGE)));
    }

    static Kind outcome(long offset, long size) {
        if (offset % PAGE != 0) {
            return Kind.NOT_PAGE_ALIGNED;
        }
        if (size <= 0) {
            return Kind.INVALID_ARGUMENT;
        }
        return MemoryMappingProperties.fits(offset, size, SIZE) ? null : Kind.INVALID_ADDRESS;
    }

    @Property
    void arenaCallsMapInsideOrAreRefused(@ForAll("offsets") long offset, @ForAll("sizes") long size,
                                        @ForAll @IntRange(max = 6) int operation) {
        try (MemoryMappingArena arena = new MemoryMappingArena(SIZE);
             SharedMemory shm = SharedMemory.create("arena-property", SIZE)) {
            Kind outcome = outcome(offset, size);
            expect(outcome, () -> {
                switch (operation) {
                    case 0 -> arena.addAnon(offset, size);
                    case 1 -> arena.addAnonProtection(offset, size, Protection.read());
                    case 2 -> arena.addFd(offset, size, shm);
                    case 3 -> arena.addFdOffset(offset, size, shm, 0);
                    case 4 -> arena.addFdMapping(offset, size, shm, 0, Protection.readWrite());
                    case 5 -> arena.remove(offset, size);
                    default -> arena.msync(offset, size);
                }
                return null;
            });
            if (outcome == null && operation != 6) {
                // Every mapping above is readable: its last byte reads as zero (fresh memory or a
                // fresh memfd), where the reservation would have faulted.
                assertEquals(0, new Pointer(arena.asPtr()).getByte(offset + size - 1));
            }
        }
    }

    @Property
    void arenaSizesArePositiveOrRefused(@ForAll("sizes") long size) {
        Kind outcome = size <= 0 ? Kind.INVALID_ARGUMENT
            : size > Long.MAX_VALUE - (PAGE - 1) ? Kind.OVERFLOW : null;
        if (outcome == null && size > (1L << 46)) {
            outcome = Kind.SYSTEM_CALL_FAILED; // larger than this process's address space
        }
        MemoryMappingArena arena = expect(outcome, () -> new MemoryMappingArena(size));
        if (arena != null) {
            assertEquals(size, arena.size());
            arena.close();
        }
    }
}
