package io.jvmm.loader;

import static io.jvmm.loader.TestKernels.PC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestRange;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the loader with mutated kernels — byte flips (mostly in the headers), truncations and
 * extreme values in every header field the loader reads — and odd command lines and memory sizes.
 * Whatever the input, the loader either refuses it with a {@link LoaderException} that says why,
 * or produces a plan whose every write lies inside guest RAM, with the entry inside the kernel.
 */
class LoaderFuzzProperties {
    private static final long MIB = 1L << 20;

    /** One change to a file. */
    sealed interface Edit permits SetByte, SetField, Truncate {
        byte[] applyTo(byte[] file);
    }

    record SetByte(int offset, byte value) implements Edit {
        public byte[] applyTo(byte[] file) {
            if (offset < file.length) {
                file[offset] = value;
            }
            return file;
        }
    }

    /** Writes the low {@code width} bytes of {@code value}, little-endian, at {@code offset}. */
    record SetField(int offset, int width, long value) implements Edit {
        public byte[] applyTo(byte[] file) {
            for (int i = 0; i < width && offset + i < file.length; i++) {
                file[offset + i] = (byte) (value >>> (8 * i));
            }
            return file;
        }
    }

    record Truncate(int length) implements Edit {
        public byte[] applyTo(byte[] file) {
            return Arrays.copyOf(file, Math.min(length, file.length));
        }
    }

    /** Offset and width of every bzImage header field the loader reads (boot.rst), written literally. */
    private static final int[][] BZIMAGE_FIELDS = {
        {0x1f1, 1}, {0x1fe, 2}, {0x200, 1}, {0x201, 1}, {0x202, 4}, {0x206, 2}, {0x211, 1}, {0x214, 4},
        {0x22c, 4}, {0x230, 4}, {0x234, 1}, {0x236, 2}, {0x238, 4}, {0x258, 8}, {0x260, 4},
    };

    /** ELF header fields, then the fields of each of the three program headers. */
    private static final int[][] ELF_FIELDS;

    static {
        int[][] header = {{4, 1}, {5, 1}, {6, 1}, {16, 2}, {18, 2}, {20, 4}, {24, 8}, {32, 8}, {54, 2}, {56, 2}};
        int[][] phdr = {{0, 4}, {8, 8}, {16, 8}, {24, 8}, {32, 8}, {40, 8}};
        ELF_FIELDS = new int[header.length + 3 * phdr.length][];
        System.arraycopy(header, 0, ELF_FIELDS, 0, header.length);
        for (int p = 0; p < 3; p++) {
            for (int f = 0; f < phdr.length; f++) {
                ELF_FIELDS[header.length + p * phdr.length + f] = new int[] {64 + p * 56 + phdr[f][0], phdr[f][1]};
            }
        }
    }

    private static Arbitrary<Long> extremeValues() {
        return Arbitraries.oneOf(
            Arbitraries.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x7fffffffL, 0x80000000L, 0xffffffffL,
                0x1000L, 0x100000L, 0x1000000L, 0x3ff_ffffL, 0x4000_0000L, 0xc000_0000L),
            Arbitraries.longs());
    }

    private static Arbitrary<Edit> edits(int length, int hotStart, int hotEnd, int[][] fields) {
        Arbitrary<Integer> offsets = Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.integers().between(hotStart, hotEnd - 1)),
            Tuple.of(1, Arbitraries.integers().between(0, length - 1)));
        Arbitrary<Edit> flip = Combinators.combine(offsets, Arbitraries.bytes()).as(SetByte::new);
        Arbitrary<Edit> field = Combinators.combine(Arbitraries.of(fields), extremeValues())
            .as((f, v) -> new SetField(f[0], f[1], v));
        Arbitrary<Edit> cut = Arbitraries.integers().between(0, length).map(Truncate::new);
        return Arbitraries.frequencyOf(Tuple.of(4, flip), Tuple.of(4, field), Tuple.of(1, cut));
    }

    @Provide
    Arbitrary<List<Edit>> bzImageEdits() {
        int length = new TestKernels.BzImageBuilder().build().length;
        return edits(length, 0x1f0, 0x270, BZIMAGE_FIELDS).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Edit>> elfEdits() {
        int length = TestKernels.vmlinuxLike().build().length;
        return edits(length, 0, 64 + 3 * 56, ELF_FIELDS).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> commandLines() {
        return Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.just("console=ttyS0 reboot=k panic=-1")),
            Tuple.of(1, Arbitraries.strings().ascii().ofMaxLength(40)),
            Tuple.of(1, Arbitraries.strings().ofMaxLength(20)),
            Tuple.of(1, Arbitraries.strings().withChars('a', ' ').ofMinLength(2000).ofMaxLength(2100)));
    }

    @Provide
    Arbitrary<Long> memorySizes() {
        return Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.of(MIB, 16 * MIB, 24 * MIB)),
            Tuple.of(4, Arbitraries.of(64 * MIB, 512 * MIB, 3L << 30, (3L << 30) + 4096, 8L << 30)));
    }

    /** Initrds are shared between tries: the loader only reads them. */
    private static final byte[][] INITRDS = {new byte[1], new byte[4096], new byte[0x12345], new byte[(int) (5 * MIB)]};

    @Provide
    Arbitrary<Integer> initrdSizes() {
        return Arbitraries.of(0, 1, 4096, 0x12345, (int) (5 * MIB));
    }

    @Property(tries = 600, edgeCases = EdgeCasesMode.NONE)
    void mutatedBzImageIsLoadedSafelyOrRefusedWithALoaderException(
        @ForAll("bzImageEdits") List<Edit> edits, @ForAll("commandLines") String cmdline,
        @ForAll("memorySizes") long memory, @ForAll("initrdSizes") int initrd) {
        byte[] file = new TestKernels.BzImageBuilder().build();
        for (Edit e : edits) {
            file = e.applyTo(file);
        }
        Statistics.collect(loadOrRefuse(file, cmdline, memory, initrd));
        // Both outcomes must be common, or the mutations test nothing.
        Statistics.coverage(c -> {
            c.check("loaded").percentage(p -> p > 5);
            c.check("refused").percentage(p -> p > 30);
        });
    }

    @Property(tries = 600, edgeCases = EdgeCasesMode.NONE)
    void mutatedElfIsLoadedSafelyOrRefusedWithALoaderException(
        @ForAll("elfEdits") List<Edit> edits, @ForAll("commandLines") String cmdline,
        @ForAll("memorySizes") long memory, @ForAll("initrdSizes") int initrd) {
        byte[] file = TestKernels.vmlinuxLike().build();
        for (Edit e : edits) {
            file = e.applyTo(file);
        }
        Statistics.collect(loadOrRefuse(file, cmdline, memory, initrd));
        Statistics.coverage(c -> {
            c.check("loaded").percentage(p -> p > 5);
            c.check("refused").percentage(p -> p > 30);
        });
    }

    @Property(tries = 200)
    void randomBytesAreRefusedWithALoaderException(@ForAll byte[] file) {
        assertEquals("refused", loadOrRefuse(file, "", 64 * MIB, 0));
    }

    /**
     * "loaded" or "refused"; any exception other than LoaderException escapes and fails the property.
     */
    private static String loadOrRefuse(byte[] file, String cmdline, long memory, int initrdSize) {
        List<GuestRange> ram = List.of(GuestRamLayout.ramRanges(PC, memory));
        Optional<byte[]> initrd = Arrays.stream(INITRDS).filter(a -> a.length == initrdSize).findFirst();
        LoadPlan plan;
        try {
            plan = LinuxLoader.plan(PC, ram, KernelImage.parse(file), initrd, cmdline);
        } catch (LoaderException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a refusal says why");
            return "refused";
        }
        LoadedKernel k = plan.result();
        for (LoadPlan.Write w : plan.writes()) {
            assertTrue(GuestRamLayout.inOneRange(ram, w.address().offset(), w.length()),
                w.what() + " at " + w.address() + " (+" + w.length() + ") is outside guest RAM");
            assertTrue(w.address().offset() >= 0x100000 || w.what().equals("zero page") || w.what().equals("command line"),
                w.what() + " below 1 MiB");
        }
        assertTrue(Long.compareUnsigned(k.identityMapEnd(), 4L << 30) <= 0, "inside the boot identity map");
        long entry = k.entry().offset();
        long kernelStart = k.kernel().start().offset();
        assertTrue(entry - kernelStart >= 0 && entry - kernelStart < k.kernel().size(), "entry inside the kernel");
        k.initrd().ifPresent(r -> {
            assertEquals(0, r.start().offset() % 4096);
            assertTrue(r.start().offset() >= k.kernelFootprint().start().offset() + k.kernelFootprint().size());
        });
        ByteBuffer zp = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        plan.writeTo((address, data) -> {
            if (address.offset() == 0x7000) {
                zp.put(data);
            }
        });
        assertEquals(0, zp.get(0x1ef), "sentinel");
        assertEquals(0x20000, zp.getInt(0x228));
        return "loaded";
    }
}
