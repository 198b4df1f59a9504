package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jvmm.core.CacheFlush;
import io.jvmm.core.Errno;
import io.jvmm.memory.MmapException.Kind;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

class MmapExceptionTest {
    private static final long PAGE = MappingState.PAGE_SIZE;

    @Test
    void messageNamesKindContextAndErrno() {
        MmapException e = MmapException.syscall("mmap", Errno.ENOMEM, "size 4096");
        assertEquals(Kind.SYSTEM_CALL_FAILED, e.kind());
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals("SYSTEM_CALL_FAILED: mmap failed: size 4096 (ENOMEM)", e.getMessage());
    }

    @Test
    void errnoIsZeroWhenNoSystemCallFailed() {
        MmapException e = new MmapException(Kind.OUT_OF_BOUNDS, "slice [0, 9) ends past size 8");
        assertEquals(0, e.errno());
        assertEquals("OUT_OF_BOUNDS: slice [0, 9) ends past size 8", e.getMessage());
    }

    @Test
    void boundsErrorsNameOffsetLengthAndSize() {
        try (MemoryMapping m = MemoryMapping.builder(PAGE).build()) {
            String message = assertKind(Kind.INVALID_ADDRESS, () -> m.readLong(PAGE - 4)).getMessage();
            assertTrue(message.contains("8 bytes") && message.contains("offset " + (PAGE - 4))
                && message.contains("size " + PAGE), message);
        }
    }

    /** One call of the public API that produces each kind; a new kind without a producer fails here. */
    @TestFactory
    Stream<DynamicTest> everyKindIsProducedByTheApi() {
        Map<Kind, Executable> producers = new EnumMap<>(Kind.class);
        producers.put(Kind.INVALID_ADDRESS, () -> withMapping(m -> m.readInt(PAGE)));
        producers.put(Kind.INVALID_ALIGNMENT, () -> withMapping(m -> m.readIntVolatile(2)));
        producers.put(Kind.INVALID_ARGUMENT, () -> MemoryMapping.builder(0).build());
        producers.put(Kind.INVALID_OFFSET, () -> {
            try (SharedMemory shm = SharedMemory.create("k", PAGE)) {
                MemoryMapping.builder(PAGE).fromSharedMemory(shm).offset(-1).build();
            }
        });
        producers.put(Kind.INVALID_RANGE, () -> withMapping(m -> m.removeRange(0, 2 * PAGE)));
        producers.put(Kind.NOT_PAGE_ALIGNED, () -> {
            try (MemoryMappingArena arena = new MemoryMappingArena(2 * PAGE)) {
                arena.addAnon(1, PAGE);
            }
        });
        producers.put(Kind.OUT_OF_BOUNDS, () -> withMapping(m -> m.getSlice(1, PAGE)));
        producers.put(Kind.OVERFLOW, () -> withMapping(m -> m.getSlice(Long.MAX_VALUE, 1)));
        producers.put(Kind.SYSTEM_CALL_FAILED, () -> MemoryMapping.builder(PAGE).fromDescriptor(() -> -1).build());
        producers.put(Kind.ADD_FD_MAPPING_UNSUPPORTED,
            () -> withMapping(m -> m.addFdMapping(0, PAGE, () -> 0, 0, Protection.read())));
        producers.put(Kind.REMOVE_MAPPING_UNSUPPORTED, () -> withMapping(m -> m.removeMapping(0, PAGE)));
        producers.put(Kind.NOT_IMPLEMENTED, () -> withMapping(MemoryMapping::flushAll));
        return Arrays.stream(Kind.values()).map(kind -> DynamicTest.dynamicTest(kind.name(), () -> {
            if (kind == Kind.NOT_IMPLEMENTED) {
                assumeFalse(CacheFlush.isSupported(), "cache flushes are implemented on this x86-64 host, so nothing is NOT_IMPLEMENTED");
            }
            Executable producer = producers.get(kind);
            assertTrue(producer != null, "no producer for " + kind);
            assertKind(kind, producer);
        }));
    }

    private static void withMapping(java.util.function.Consumer<MemoryMapping> use) {
        try (MemoryMapping m = MemoryMapping.builder(PAGE).build()) {
            use.accept(m);
        }
    }
}
