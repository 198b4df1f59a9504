package io.jvmm.loader;

import static io.jvmm.loader.TestKernels.PC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LinuxLoader#load} into real {@link GuestMemory}. */
class LinuxLoaderGuestMemoryTest {
    private static final long MIB = 1L << 20;
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=-1";

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] read(GuestMemory mem, long address, int length) {
        byte[] bytes = new byte[length];
        mem.readExactAtAddr(bytes, GuestAddress.of(address));
        return bytes;
    }

    @Test
    void checkPromisesWhatLoadDoesAndRefusesWhatLoadRefuses() throws IOException {
        Path kernel = file("bzImage", new TestKernels.BzImageBuilder().build());
        Path initrd = file("initrd", TestKernels.pattern(0x5432, 11));
        LoadedKernel checked = LinuxLoader.check(PC, List.of(GuestRamLayout.ramRanges(PC, 64 * MIB)), kernel, Optional.of(initrd), CMDLINE);
        try (GuestMemory mem = GuestMemory.create(GuestRamLayout.ramRanges(PC, 64 * MIB))) {
            assertEquals(checked, LinuxLoader.load(PC, mem, kernel, Optional.of(initrd), CMDLINE));
        }
        LoaderException e = assertThrows(LoaderException.class,
            () -> LinuxLoader.check(PC, List.of(GuestRamLayout.ramRanges(PC, 4 * MIB)), kernel, Optional.of(initrd), CMDLINE));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
        assertEquals(LoaderException.Reason.UNREADABLE_FILE, assertThrows(LoaderException.class,
            () -> LinuxLoader.check(PC, List.of(GuestRamLayout.ramRanges(PC, 64 * MIB)), dir.resolve("missing"), Optional.empty(), "")).reason());
    }

    @Test
    void bzImageInitrdCommandLineAndZeroPageLandInGuestMemory() throws IOException {
        byte[] kernel = new TestKernels.BzImageBuilder().build();
        byte[] initrd = TestKernels.pattern(0x5432, 11);
        try (GuestMemory mem = GuestMemory.create(GuestRamLayout.ramRanges(PC, 64 * MIB))) {
            LoadedKernel k = LinuxLoader.load(PC, mem, file("bzImage", kernel), Optional.of(file("initrd", initrd)), CMDLINE);
            assertArrayEquals(Arrays.copyOfRange(kernel, 3 * 512, kernel.length), read(mem, 0x100000, kernel.length - 3 * 512));
            assertArrayEquals((CMDLINE + "\0").getBytes(), read(mem, 0x20000, CMDLINE.length() + 1));
            GuestRange placed = k.initrd().orElseThrow();
            assertEquals((64 * MIB - 0x5432) & ~0xfffL, placed.start().offset());
            assertArrayEquals(initrd, read(mem, placed.start().offset(), initrd.length));

            ByteBuffer zp = ByteBuffer.wrap(read(mem, 0x7000, 4096)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x20000, zp.getInt(0x228));
            assertEquals((int) placed.start().offset(), zp.getInt(0x218));
            assertEquals(0x5432, zp.getInt(0x21c));
            assertEquals((byte) 0xff, zp.get(0x210));
            assertEquals(0x53726448, zp.getInt(0x202));
            assertEquals(3, zp.get(0x1e8));
            assertEquals(64 * MIB - MIB, zp.getLong(0x2d0 + 2 * 20 + 8), "third e820 entry: RAM from 1 MiB to the end");
        }
    }

    /**
     * The initrd is sized when the load is planned and streamed into guest memory in pieces, so
     * that an initrd of most of the guest's RAM never has to fit in the Java heap.
     */
    @Test
    void anInitrdFileIsStreamedInPiecesByteForByte() throws IOException {
        byte[] initrd = TestKernels.pattern(5 * (int) MIB / 2 + 123, 5); // 2.5 MiB: three pieces
        Path kernel = file("bzImage", new TestKernels.BzImageBuilder().build());
        Path rd = file("initrd", initrd);
        LoadPlan plan = LinuxLoader.plan(PC, List.of(GuestRamLayout.ramRanges(PC, 64 * MIB)), kernel, Optional.of(rd), CMDLINE);
        LoadPlan.Write write = plan.writes().stream().filter(w -> w.what().equals("initrd")).findFirst().orElseThrow();
        assertEquals(rd, write.file());
        assertNull(write.data(), "the plan holds the file's name and size, not its bytes");
        try (GuestMemory mem = GuestMemory.create(GuestRamLayout.ramRanges(PC, 64 * MIB))) {
            GuestRange placed = LinuxLoader.load(PC, mem, kernel, Optional.of(rd), CMDLINE).initrd().orElseThrow();
            assertEquals(initrd.length, placed.size());
            assertArrayEquals(initrd, read(mem, placed.start().offset(), initrd.length));
        }
    }

    @Test
    void anInitrdThatShrinksAfterItWasCheckedIsRefusedWhenWritten() throws IOException {
        Path kernel = file("bzImage", new TestKernels.BzImageBuilder().build());
        Path rd = file("initrd", TestKernels.pattern(3 * (int) MIB, 9));
        LoadPlan plan = LinuxLoader.plan(PC, List.of(GuestRamLayout.ramRanges(PC, 64 * MIB)), kernel, Optional.of(rd), CMDLINE);
        Files.write(rd, TestKernels.pattern((int) MIB + 7, 9));
        List<Long> written = new ArrayList<>();
        LoaderException e = assertThrows(LoaderException.class, () -> plan.writeTo((address, data) -> written.add(address.offset())));
        assertEquals(LoaderException.Reason.UNREADABLE_FILE, e.reason());
        assertTrue(e.getMessage().contains("changed while it was read") && e.getMessage().contains(rd.toString()), e.getMessage());
    }

    /** The zero buffer is sized for the largest zero write, not the first one (1 byte of bss). */
    @Test
    void largeZeroWritesGoOutInMebibytePiecesWhateverCameFirst() {
        LoadPlan plan = new LoadPlan(null, List.of(
            LoadPlan.Write.zeros(0x200000, 1, "bss 1"),
            LoadPlan.Write.zeros(0x400000, 3 * MIB + 5, "bss 2")));
        List<Integer> pieces = new ArrayList<>();
        plan.writeTo((address, data) -> pieces.add(data.remaining()));
        assertEquals(List.of(1, (int) MIB, (int) MIB, (int) MIB, 5), pieces);
    }

    @Test
    void elfBssIsZeroedEvenWhereMemoryHeldOldBytes() throws IOException {
        try (GuestMemory mem = GuestMemory.create(GuestRamLayout.ramRanges(PC, 32 * MIB))) {
            byte[] junk = new byte[0x4000];
            Arrays.fill(junk, (byte) 0x5a);
            mem.writeAllAtAddr(junk, GuestAddress.of(0x1201000));
            LoadedKernel k = LinuxLoader.load(PC, mem, file("vmlinux", TestKernels.vmlinuxLike().build()), Optional.empty(), "");
            assertEquals(0x1000000, k.entry().offset());
            assertArrayEquals(TestKernels.pattern(0x1000, 5), read(mem, 0x1200000, 0x1000));
            assertArrayEquals(new byte[0x4000], read(mem, 0x1201000, 0x4000));
        }
    }

    @Test
    void refusedLoadLeavesGuestMemoryUntouched() throws IOException {
        Path kernel = file("bzImage", new TestKernels.BzImageBuilder().build());
        try (GuestMemory mem = GuestMemory.create(GuestRamLayout.ramRanges(PC, 24 * MIB))) {
            byte[] marker = TestKernels.pattern(4096, 13);
            long[] watched = {0x7000, 0x20000, 0x100000, 20 * MIB, 24 * MIB - 4096};
            for (long a : watched) {
                mem.writeAllAtAddr(marker, GuestAddress.of(a));
            }
            // Fits the RAM size check, but not above the kernel's 16..20 MiB working area.
            Path initrd = file("initrd", new byte[(int) (4 * MIB) + 1]);
            LoaderException e = assertThrows(LoaderException.class,
                () -> LinuxLoader.load(PC, mem, kernel, Optional.of(initrd), CMDLINE));
            assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
            assertThrows(LoaderException.class,
                () -> LinuxLoader.load(PC, mem, kernel, Optional.empty(), "x".repeat(5000)));
            for (long a : watched) {
                assertArrayEquals(marker, read(mem, a, 4096), String.format("0x%x", a));
            }
        }
    }

    @Test
    void guestLargerThanTheGapGetsAnE820EntryAbove4GiBAndTheInitrdBelow2GiB() throws IOException {
        try (GuestMemory mem = GuestMemory.create(GuestRamLayout.ramRanges(PC, 4L << 30))) {
            LoadedKernel k = LinuxLoader.load(PC, mem, file("bzImage", new TestKernels.BzImageBuilder().build()),
                Optional.of(file("initrd", new byte[0x2000])), CMDLINE);
            assertEquals(new E820Entry(4L << 30, 1L << 30, E820Entry.Type.RAM), k.e820().get(k.e820().size() - 1));
            assertEquals(0x80000000L - 0x2000, k.initrd().orElseThrow().start().offset());
            ByteBuffer zp = ByteBuffer.wrap(read(mem, 0x7000, 4096)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(4, zp.get(0x1e8));
            assertEquals(4L << 30, zp.getLong(0x2d0 + 3 * 20));
        }
    }
}
