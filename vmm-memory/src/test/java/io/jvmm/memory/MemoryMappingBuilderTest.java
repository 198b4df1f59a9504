package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.memory.MmapException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryMappingBuilderTest {
    private static final long PAGE = MappingState.PAGE_SIZE;

    @TempDir
    Path dir;

    private Path file(String name, byte[] contents) throws IOException {
        Path path = dir.resolve(name);
        Files.write(path, contents);
        return path;
    }

    @Test
    void anonymousMappingIsSharedReadWriteMemory() throws IOException {
        try (MemoryMapping m = MemoryMapping.builder(3 * PAGE).build()) {
            Smaps.Area area = Smaps.area(m.asPtr());
            assertEquals("rw-s", area.perms());
            assertEquals(m.asPtr(), area.start());
            assertEquals(m.asPtr() + 3 * PAGE, area.end());
        }
    }

    @Test
    void sizeNeedNotBeAPageMultiple() {
        try (MemoryMapping m = MemoryMapping.builder(10).build()) {
            assertEquals(10, m.size());
            assertEquals(2, m.writeSlice(new byte[] {1, 2, 3}, 8));
            assertKind(Kind.INVALID_ADDRESS, () -> m.readByte(10));
        }
    }

    @Test
    void sizeThatIsNotPositiveIsInvalidArgument() {
        assertKind(Kind.INVALID_ARGUMENT, () -> MemoryMapping.builder(0).build());
        assertKind(Kind.INVALID_ARGUMENT, () -> MemoryMapping.builder(-PAGE).build());
        assertKind(Kind.INVALID_ARGUMENT, () -> MemoryMapping.builder(Long.MIN_VALUE).build());
    }

    @Test
    void sizeThatOverflowsWhenRoundedIsOverflow() {
        assertKind(Kind.OVERFLOW, () -> MemoryMapping.builder(Long.MAX_VALUE).build());
    }

    @Test
    void sizeTheAddressSpaceCannotHoldFailsWithEnomem() {
        MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> MemoryMapping.builder(1L << 62).build());
        assertEquals(Errno.ENOMEM, e.errno());
        assertTrue(e.getMessage().contains("ENOMEM"), e.getMessage());
    }

    @Test
    void protectionIsAppliedToTheMapping() throws IOException {
        try (MemoryMapping m = MemoryMapping.builder(PAGE).protection(Protection.read()).build()) {
            assertEquals("r--s", Smaps.area(m.asPtr()).perms());
        }
        try (MemoryMapping m = MemoryMapping.builder(PAGE).protection(Protection.none()).build()) {
            assertEquals("---s", Smaps.area(m.asPtr()).perms());
        }
    }

    @Test
    void populateWithoutADescriptorIsInvalidArgument() {
        assertKind(Kind.INVALID_ARGUMENT, () -> MemoryMapping.builder(PAGE).populate().build());
    }

    @Test
    void populatePrefaultsTheDescriptorPages() throws IOException {
        try (SharedMemory shm = SharedMemory.create("populate", 16 * PAGE);
             MemoryMapping lazy = MemoryMapping.builder(16 * PAGE).fromSharedMemory(shm).build();
             MemoryMapping eager = MemoryMapping.builder(16 * PAGE).fromSharedMemory(shm).populate().build()) {
            assertEquals(0, Smaps.area(lazy.asPtr()).rssKib());
            assertEquals(16 * PAGE / 1024, Smaps.area(eager.asPtr()).rssKib());
        }
    }

    @Test
    void sharedMemoryMappingsShareTheirBytes() {
        try (SharedMemory shm = SharedMemory.create("share", 2 * PAGE);
             MemoryMapping a = MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).build();
             MemoryMapping b = MemoryMapping.builder(2 * PAGE).fromDescriptor(shm).build()) {
            a.writeLong(0x55AA55AA55AA55AAL, PAGE + 8);
            assertEquals(0x55AA55AA55AA55AAL, b.readLong(PAGE + 8));
        }
    }

    @Test
    void mappingStaysValidAfterItsSharedMemoryIsClosed() {
        SharedMemory shm = SharedMemory.create("outlive", PAGE);
        try (MemoryMapping m = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build()) {
            shm.close();
            m.writeLong(5, 0);
            assertEquals(5, m.readLong(0));
        }
    }

    @Test
    void offsetSelectsWhereInTheDescriptorTheMappingStarts() {
        try (SharedMemory shm = SharedMemory.create("offset", 3 * PAGE);
             MemoryMapping whole = MemoryMapping.builder(3 * PAGE).fromSharedMemory(shm).build();
             MemoryMapping tail = MemoryMapping.builder(PAGE).fromSharedMemory(shm).offset(2 * PAGE).build()) {
            whole.writeLong(77, 2 * PAGE + 16);
            assertEquals(77, tail.readLong(16));
        }
    }

    @Test
    void badOffsetsAreRefusedBeforeMapping() {
        try (SharedMemory shm = SharedMemory.create("bad-offset", 2 * PAGE)) {
            assertKind(Kind.INVALID_OFFSET, () -> MemoryMapping.builder(PAGE).fromSharedMemory(shm).offset(-PAGE).build());
            assertKind(Kind.NOT_PAGE_ALIGNED, () -> MemoryMapping.builder(PAGE).fromSharedMemory(shm).offset(100).build());
            assertKind(Kind.OVERFLOW, () -> MemoryMapping.builder(PAGE).fromSharedMemory(shm)
                .offset(Long.MAX_VALUE - (Long.MAX_VALUE % PAGE)).build());
        }
    }

    @Test
    void mappingPastTheEndOfAMemfdIsInvalidRange() {
        try (SharedMemory shm = SharedMemory.create("short", PAGE)) {
            MmapException e = assertKind(Kind.INVALID_RANGE, () -> MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).build());
            assertTrue(e.getMessage().contains(Long.toString(PAGE)), e.getMessage());
            assertKind(Kind.INVALID_RANGE, () -> MemoryMapping.builder(PAGE).fromSharedMemory(shm).offset(PAGE).build());
        }
    }

    @Test
    void mappingAnEmptyMemfdIsInvalidRange() {
        try (SharedMemory shm = SharedMemory.create("empty", 0)) {
            assertKind(Kind.INVALID_RANGE, () -> MemoryMapping.builder(PAGE).fromSharedMemory(shm).build());
        }
    }

    @Test
    void regularFileIsMappedWithItsContents() throws IOException {
        byte[] contents = TestSupport.pattern((int) (2 * PAGE), 5);
        Path path = file("contents", contents);
        try (SafeDescriptor fd = SafeDescriptor.open(path.toString(), LibC.O_RDWR);
             MemoryMapping m = MemoryMapping.builder(2 * PAGE).fromDescriptor(fd).build()) {
            byte[] back = new byte[contents.length];
            m.readSlice(back, 0);
            assertArrayEquals(contents, back);
        }
    }

    @Test
    void writesReachTheFileAfterMsync() throws IOException {
        Path path = file("msync", new byte[(int) (2 * PAGE)]);
        try (SafeDescriptor fd = SafeDescriptor.open(path.toString(), LibC.O_RDWR);
             MemoryMapping m = MemoryMapping.builder(2 * PAGE).fromDescriptor(fd).build()) {
            m.writeLong(0x1122334455667788L, PAGE + 8);
            m.msync();
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer read = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            channel.read(read, PAGE + 8); // pread(2)
            assertEquals(0x1122334455667788L, read.getLong(0));
        }
    }

    @Test
    void fileTailInsideTheLastPageReadsAsZeros() throws IOException {
        Path path = file("tail", TestSupport.pattern(100, 2));
        try (SafeDescriptor fd = SafeDescriptor.open(path.toString(), LibC.O_RDWR);
             MemoryMapping m = MemoryMapping.builder(PAGE).fromDescriptor(fd).build()) {
            assertEquals(TestSupport.pattern(100, 2)[99], m.readByte(99));
            assertTrue(m.getSlice(100, PAGE - 100).isAllZero());
        }
    }

    @Test
    void mappingPastTheEndOfAFileIsInvalidRange() throws IOException {
        Path path = file("short-file", new byte[100]);
        try (SafeDescriptor fd = SafeDescriptor.open(path.toString(), LibC.O_RDWR)) {
            assertKind(Kind.INVALID_RANGE, () -> MemoryMapping.builder(PAGE + 1).fromDescriptor(fd).build());
        }
        Path empty = file("empty-file", new byte[0]);
        try (SafeDescriptor fd = SafeDescriptor.open(empty.toString(), LibC.O_RDWR)) {
            assertKind(Kind.INVALID_RANGE, () -> MemoryMapping.builder(PAGE).fromDescriptor(fd).build());
        }
    }

    @Test
    void buildDoesNotMoveTheDescriptorFilePosition() throws IOException {
        Path path = file("position", new byte[(int) PAGE]);
        try (SafeDescriptor fd = SafeDescriptor.open(path.toString(), LibC.O_RDWR)) {
            assertEquals(10, LibC.lseekErrno(fd.asRawDescriptor(), 10, LibC.SEEK_SET));
            MemoryMapping.builder(PAGE).fromDescriptor(fd).build().close();
            assertEquals(10, LibC.lseekErrno(fd.asRawDescriptor(), 0, LibC.SEEK_CUR));
        }
    }

    @Test
    void readOnlyFileMapsReadOnlyButNotReadWrite() throws IOException {
        Path path = file("read-only", TestSupport.pattern((int) PAGE, 4));
        try (SafeDescriptor fd = SafeDescriptor.open(path.toString(), LibC.O_RDONLY)) {
            MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> MemoryMapping.builder(PAGE).fromDescriptor(fd).build());
            assertEquals(Errno.EACCES, e.errno());
            try (MemoryMapping m = MemoryMapping.builder(PAGE).fromDescriptor(fd).protection(Protection.read()).build()) {
                assertEquals(TestSupport.pattern((int) PAGE, 4)[7], m.readByte(7));
            }
        }
    }

    @Test
    void badDescriptorFailsWithEbadf() {
        MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> MemoryMapping.builder(PAGE).fromDescriptor(() -> 987654).build());
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
        MmapException negative = assertKind(Kind.SYSTEM_CALL_FAILED, () -> MemoryMapping.builder(PAGE).fromDescriptor(() -> -1).build());
        assertEquals(Errno.EBADF, negative.errno());
    }

    @Test
    void closedDescriptorOwnerIsInvalidArgument() {
        SharedMemory shm = SharedMemory.create("closed", PAGE);
        shm.close();
        assertKind(Kind.INVALID_ARGUMENT, () -> MemoryMapping.builder(PAGE).fromSharedMemory(shm).build());
    }

    @Test
    void directoryCannotBeMappedAndSaysEnodev() {
        try (SafeDescriptor fd = SafeDescriptor.open(dir.toString(), LibC.O_RDONLY)) {
            MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED,
                () -> MemoryMapping.builder(PAGE).fromDescriptor(fd).protection(Protection.read()).build());
            assertEquals(Errno.ENODEV, e.errno());
        }
    }

    @Test
    void characterDeviceSkipsTheFileLengthCheck() {
        // /dev/zero reports size 0 but maps any length: the length check is for regular files only.
        try (SafeDescriptor fd = SafeDescriptor.open("/dev/zero", LibC.O_RDWR);
             MemoryMapping m = MemoryMapping.builder(4 * PAGE).fromDescriptor(fd).build()) {
            m.writeLong(3, 3 * PAGE);
            assertEquals(3, m.readLong(3 * PAGE));
        }
    }

    @Test
    void writeSealedMemfdIsMappedPrivately() throws IOException {
        try (SharedMemory shm = SharedMemory.create("sealed", PAGE)) {
            try (MemoryMapping writer = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build()) {
                writer.writeLong(1, 0);
            }
            shm.addSeals(LibC.F_SEAL_WRITE);
            try (MemoryMapping sealed = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build();
                 MemoryMapping reader = MemoryMapping.builder(PAGE).fromSharedMemory(shm).protection(Protection.read()).build()) {
                assertEquals("rw-p", Smaps.area(sealed.asPtr()).perms());
                assertEquals(1, sealed.readLong(0));
                sealed.writeLong(2, 0);
                assertEquals(2, sealed.readLong(0));
                assertEquals(1, reader.readLong(0), "the sealed memfd itself is unchanged");
            }
        }
    }

    @Test
    void futureWriteSealedMemfdIsMappedPrivately() {
        try (SharedMemory shm = SharedMemory.create("future-sealed", PAGE)) {
            shm.addSeals(LibC.F_SEAL_FUTURE_WRITE);
            try (MemoryMapping sealed = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build()) {
                sealed.writeInt(9, 0);
                assertEquals(9, sealed.readInt(0));
            }
        }
    }

    @Test
    void alignPlacesTheMappingOnAMultipleAndGivesTheSlackBack() throws IOException {
        long twoMib = 2L << 20;
        try (MemoryMapping m = MemoryMapping.builder(3 * PAGE).align(twoMib).build()) {
            assertEquals(0, m.asPtr() % twoMib);
            Smaps.Area area = Smaps.area(m.asPtr());
            assertEquals(m.asPtr() + 3 * PAGE, area.end());
            m.writeLong(1, 3 * PAGE - 8);
            assertEquals(1, m.readLong(3 * PAGE - 8));
        }
        try (SharedMemory shm = SharedMemory.create("aligned", PAGE);
             MemoryMapping m = MemoryMapping.builder(PAGE).fromSharedMemory(shm).align(1L << 20).build()) {
            assertEquals(0, m.asPtr() % (1L << 20));
        }
    }

    @Test
    void alignmentThatIsNotAPowerOfTwoPageMultipleIsInvalidAlignment() {
        assertKind(Kind.INVALID_ALIGNMENT, () -> MemoryMapping.builder(PAGE).align(3 * PAGE).build());
        assertKind(Kind.INVALID_ALIGNMENT, () -> MemoryMapping.builder(PAGE).align(PAGE / 2).build());
        assertKind(Kind.INVALID_ALIGNMENT, () -> MemoryMapping.builder(PAGE).align(-PAGE).build());
        assertKind(Kind.INVALID_ALIGNMENT, () -> MemoryMapping.builder(PAGE).align(Long.MIN_VALUE).build());
    }

    @Test
    void alignmentThatOverflowsWithTheSizeIsOverflow() {
        assertKind(Kind.OVERFLOW, () -> MemoryMapping.builder(1L << 62).align(1L << 62).build());
    }

    @Test
    void nullArgumentsAreRejectedImmediately() {
        MemoryMappingBuilder builder = MemoryMapping.builder(PAGE);
        assertThrows(NullPointerException.class, () -> builder.fromSharedMemory(null));
        assertThrows(NullPointerException.class, () -> builder.fromDescriptor(null));
        assertThrows(NullPointerException.class, () -> builder.protection(null));
    }

    @Test
    void builderMethodsChain() {
        MemoryMappingBuilder builder = MemoryMapping.builder(PAGE);
        try (SharedMemory shm = SharedMemory.create("chain", PAGE)) {
            assertTrue(builder == builder.fromSharedMemory(shm).offset(0).protection(Protection.read()).align(PAGE).populate());
            try (MemoryMapping m = builder.build()) {
                assertTrue(Arrays.equals(new byte[8], m.readStruct(0, 8).array()));
            }
        }
    }
}
