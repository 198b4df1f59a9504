package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Helpers shared by the memory tests. */
final class TestSupport {
    private TestSupport() {
    }

    /** A call with a name, so a failing assertion says which one. */
    record NamedCall(String name, Runnable body) {
    }

    /** Asserts that {@code call} throws an {@link MmapException} of {@code kind}; returns it. */
    static MmapException assertKind(MmapException.Kind kind, Executable call) {
        MmapException e = assertThrows(MmapException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    /** {@code length} bytes that differ from their neighbours and from zero, seeded by {@code seed}. */
    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ((i * 31 + seed * 17) % 251 + 1);
        }
        return bytes;
    }

    /**
     * Every call of the public API that touches a mapping's memory or address, with arguments that
     * are valid for an open mapping of at least one page and slices of at least 64 bytes.
     */
    static List<NamedCall> everyAccess(MemoryMapping m, VolatileSlice slice, VolatileSlice otherSlice) {
        return List.of(
            new NamedCall("asPtr", m::asPtr),
            new NamedCall("getSlice", () -> m.getSlice(0, 8)),
            new NamedCall("writeSlice", () -> m.writeSlice(new byte[8], 0)),
            new NamedCall("readSlice", () -> m.readSlice(new byte[8], 0)),
            new NamedCall("writeStruct", () -> m.writeStruct(ByteBuffer.allocate(8), 0)),
            new NamedCall("readStruct(buffer)", () -> m.readStruct(0, ByteBuffer.allocate(8))),
            new NamedCall("readStruct(length)", () -> m.readStruct(0, 8)),
            new NamedCall("writeLong", () -> m.writeLong(1, 0)),
            new NamedCall("readLong", () -> m.readLong(0)),
            new NamedCall("writeInt", () -> m.writeInt(1, 0)),
            new NamedCall("readInt", () -> m.readInt(0)),
            new NamedCall("writeShort", () -> m.writeShort((short) 1, 0)),
            new NamedCall("readShort", () -> m.readShort(0)),
            new NamedCall("writeByte", () -> m.writeByte((byte) 1, 0)),
            new NamedCall("readByte", () -> m.readByte(0)),
            new NamedCall("writeLongVolatile", () -> m.writeLongVolatile(1, 0)),
            new NamedCall("readLongVolatile", () -> m.readLongVolatile(0)),
            new NamedCall("writeIntVolatile", () -> m.writeIntVolatile(1, 0)),
            new NamedCall("readIntVolatile", () -> m.readIntVolatile(0)),
            new NamedCall("writeShortVolatile", () -> m.writeShortVolatile((short) 1, 0)),
            new NamedCall("readShortVolatile", () -> m.readShortVolatile(0)),
            new NamedCall("writeByteVolatile", () -> m.writeByteVolatile((byte) 1, 0)),
            new NamedCall("readByteVolatile", () -> m.readByteVolatile(0)),
            new NamedCall("msync", m::msync),
            new NamedCall("flushRegion", () -> m.flushRegion(0, 8)),
            new NamedCall("flushAll", m::flushAll),
            new NamedCall("flushUncachedGuestMapping", () -> m.flushUncachedGuestMapping(0)),
            new NamedCall("removeRange", () -> m.removeRange(0, MappingState.PAGE_SIZE)),
            new NamedCall("asyncPrefetch", () -> m.asyncPrefetch(0, 8)),
            new NamedCall("dropPageCache", () -> m.dropPageCache(0, MappingState.PAGE_SIZE)),
            new NamedCall("lockOnFault", () -> m.lockOnFault(0, 8)),
            new NamedCall("unlock", () -> m.unlock(0, 8)),
            new NamedCall("lockAll", m::lockAll),
            new NamedCall("slice.asPtr", slice::asPtr),
            new NamedCall("slice.subSlice", () -> slice.subSlice(0, 4)),
            new NamedCall("slice.offset", () -> slice.offset(4)),
            new NamedCall("slice.writeBytes", () -> slice.writeBytes((byte) 1)),
            new NamedCall("slice.copyTo", () -> slice.copyTo(new byte[8])),
            new NamedCall("slice.copyFrom", () -> slice.copyFrom(new byte[8])),
            new NamedCall("slice.copyToVolatileSlice", () -> slice.copyToVolatileSlice(otherSlice)),
            new NamedCall("slice.isAllZero", slice::isAllZero));
    }
}
