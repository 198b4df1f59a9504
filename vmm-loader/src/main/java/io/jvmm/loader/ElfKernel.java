package io.jvmm.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An uncompressed x86-64 ELF kernel ({@code vmlinux}): its PT_LOAD segments go to their physical
 * addresses ({@code p_paddr}), the bytes past {@code p_filesz} up to {@code p_memsz} are zeroed
 * (the bss), and it is entered at its physical entry point with the same 64-bit state as a
 * bzImage (Linux's vmlinux entry, {@code startup_64}, expects RSI = boot_params).
 * Layouts from the System V ABI (gABI "ELF Header", "Program Header") and its x86-64 supplement.
 */
public final class ElfKernel implements KernelImage {
    // ---- ELF64 header (Elf64_Ehdr) ----
    static final int EHDR_SIZE = 64;
    static final int EI_CLASS = 4;
    static final int EI_DATA = 5;
    static final int EI_VERSION = 6;
    static final int E_TYPE = 16;
    static final int E_MACHINE = 18;
    static final int E_VERSION = 20;
    static final int E_ENTRY = 24;
    static final int E_PHOFF = 32;
    static final int E_PHENTSIZE = 54;
    static final int E_PHNUM = 56;
    static final int ELFCLASS64 = 2;
    static final int ELFDATA2LSB = 1;
    static final int EV_CURRENT = 1;
    static final int ET_EXEC = 2;
    static final int EM_X86_64 = 62;
    /** e_phnum value meaning "the real count is in section header 0" (extended numbering). */
    static final int PN_XNUM = 0xffff;

    // ---- ELF64 program header (Elf64_Phdr) ----
    static final int PHDR_SIZE = 56;
    static final int P_TYPE = 0;
    static final int P_OFFSET = 8;
    static final int P_VADDR = 16;
    static final int P_PADDR = 24;
    static final int P_FILESZ = 32;
    static final int P_MEMSZ = 40;
    static final int PT_LOAD = 1;

    private static final byte[] MAGIC = {0x7f, 'E', 'L', 'F'};

    /**
     * One PT_LOAD segment, all values unsigned and checked: {@code fileOffset + fileSize} lies
     * inside the file, {@code fileSize <= memSize}, and neither {@code paddr + memSize} nor
     * {@code vaddr + memSize} reaches 2^64.
     *
     * @param fileOffset where the segment's bytes start in the file ({@code p_offset})
     * @param vaddr      the segment's virtual address ({@code p_vaddr})
     * @param paddr      the guest-physical address it is loaded at ({@code p_paddr})
     * @param fileSize   bytes taken from the file ({@code p_filesz})
     * @param memSize    bytes it occupies in memory ({@code p_memsz}); those past {@code fileSize} are zeroed
     */
    public record Segment(long fileOffset, long vaddr, long paddr, long fileSize, long memSize) {
        /** {@return one past the last physical byte, {@code paddr + memSize} (unsigned, below 2^64)} */
        public long paddrEnd() {
            return paddr + memSize;
        }
    }

    private final byte[] file;
    private final List<Segment> segments;
    /** The same segments, for {@link #segmentData}'s check. */
    private final Set<Segment> segmentSet;
    private final long entry;

    private ElfKernel(byte[] file, List<Segment> segments, long entry) {
        this.file = file;
        this.segments = segments;
        this.segmentSet = Set.copyOf(segments);
        this.entry = entry;
    }

    static boolean hasElfMagic(byte[] file) {
        if (file.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (file[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses {@code file}; the array is kept, not copied, and must not change afterwards.
     *
     * @param file the whole vmlinux file
     * @return the kernel, with its non-empty PT_LOAD segments and its physical entry point
     * @throws NullPointerException when {@code file} is null
     * @throws LoaderException when the file is not a 64-bit little-endian x86-64 executable whose
     *     program headers and PT_LOAD segments lie inside the file, with non-overlapping physical
     *     ranges and an entry point inside one of them
     */
    public static ElfKernel parse(byte[] file) {
        Objects.requireNonNull(file, "file");
        if (!hasElfMagic(file)) {
            throw new LoaderException(LoaderException.Reason.BAD_MAGIC, "not an ELF file: no 0x7f 'E' 'L' 'F' at offset 0");
        }
        if (file.length < EHDR_SIZE) {
            throw new LoaderException(LoaderException.Reason.TRUNCATED, String.format(
                "truncated ELF kernel: %d bytes, shorter than the %d-byte ELF64 header", file.length, EHDR_SIZE));
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file[EI_CLASS] != ELFCLASS64) {
            throw unsupported("ELF class %d is not ELFCLASS64: only 64-bit kernels boot", file[EI_CLASS]);
        }
        if (file[EI_DATA] != ELFDATA2LSB) {
            throw unsupported("ELF data encoding %d is not little-endian (ELFDATA2LSB)", file[EI_DATA]);
        }
        if (file[EI_VERSION] != EV_CURRENT || b.getInt(E_VERSION) != EV_CURRENT) {
            throw new LoaderException(LoaderException.Reason.MALFORMED, String.format(
                "malformed ELF kernel: version %d/%d, expected %d", file[EI_VERSION], b.getInt(E_VERSION), EV_CURRENT));
        }
        int machine = Short.toUnsignedInt(b.getShort(E_MACHINE));
        if (machine != EM_X86_64) {
            throw unsupported("ELF machine %d is not x86-64 (%d)", machine, EM_X86_64);
        }
        int type = Short.toUnsignedInt(b.getShort(E_TYPE));
        if (type != ET_EXEC) {
            throw unsupported("ELF type %d is not an executable (ET_EXEC): a vmlinux is linked at fixed addresses", type);
        }
        long phoff = b.getLong(E_PHOFF);
        int phentsize = Short.toUnsignedInt(b.getShort(E_PHENTSIZE));
        int phnum = Short.toUnsignedInt(b.getShort(E_PHNUM));
        if (phnum == 0) {
            throw malformed("the ELF kernel has no program headers");
        }
        if (phnum == PN_XNUM) {
            throw unsupported("the ELF kernel uses extended program header numbering (e_phnum 0x%x)", phnum);
        }
        if (phentsize != PHDR_SIZE) {
            throw malformed("e_phentsize is %d, an ELF64 program header is %d bytes", phentsize, PHDR_SIZE);
        }
        long tableSize = (long) phnum * PHDR_SIZE;
        if (!fitsIn(phoff, tableSize, file.length)) {
            throw new LoaderException(LoaderException.Reason.TRUNCATED, String.format(
                "truncated ELF kernel: %d program headers at 0x%x need %d bytes, the file has %d",
                phnum, phoff, tableSize, file.length));
        }

        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int ph = (int) phoff + i * PHDR_SIZE;
            if (b.getInt(ph + P_TYPE) != PT_LOAD) {
                continue;
            }
            Segment s = new Segment(b.getLong(ph + P_OFFSET), b.getLong(ph + P_VADDR), b.getLong(ph + P_PADDR),
                b.getLong(ph + P_FILESZ), b.getLong(ph + P_MEMSZ));
            if (!fitsIn(s.fileOffset(), s.fileSize(), file.length)) {
                throw new LoaderException(LoaderException.Reason.TRUNCATED, String.format(
                    "truncated ELF kernel: segment %d has %s bytes at file offset 0x%x, the file has %d bytes",
                    i, Long.toUnsignedString(s.fileSize()), s.fileOffset(), file.length));
            }
            if (Long.compareUnsigned(s.fileSize(), s.memSize()) > 0) {
                throw malformed("segment %d has p_filesz 0x%x larger than p_memsz 0x%x", i, s.fileSize(), s.memSize());
            }
            if (wraps(s.paddr(), s.memSize()) || wraps(s.vaddr(), s.memSize())) {
                throw malformed("segment %d (paddr 0x%x, vaddr 0x%x, memsz 0x%x) wraps past the end of the address space",
                    i, s.paddr(), s.vaddr(), s.memSize());
            }
            if (s.memSize() != 0) {
                segments.add(s);
            }
        }
        if (segments.isEmpty()) {
            throw malformed("the ELF kernel has no non-empty PT_LOAD segment");
        }
        segments.sort(Comparator.comparing(Segment::paddr, Long::compareUnsigned));
        for (int i = 1; i < segments.size(); i++) {
            Segment prev = segments.get(i - 1);
            Segment next = segments.get(i);
            if (Long.compareUnsigned(next.paddr(), prev.paddrEnd()) < 0) {
                throw malformed("PT_LOAD segments overlap in physical memory: [0x%x, 0x%x) and [0x%x, 0x%x)",
                    prev.paddr(), prev.paddrEnd(), next.paddr(), next.paddrEnd());
            }
        }
        long entry = physicalEntry(b.getLong(E_ENTRY), segments);
        return new ElfKernel(file, List.copyOf(segments), entry);
    }

    /**
     * Linux's vmlinux gives its physical entry ({@code phys_startup_64}) in e_entry, but other
     * kernels give the virtual one: an entry inside a segment's physical file-backed bytes is taken
     * as it is, otherwise one inside its virtual range is moved by that segment's
     * {@code p_paddr - p_vaddr}.
     */
    private static long physicalEntry(long entry, List<Segment> segments) {
        for (Segment s : segments) {
            if (inside(entry, s.paddr(), s.fileSize())) {
                return entry;
            }
        }
        for (Segment s : segments) {
            if (inside(entry, s.vaddr(), s.fileSize())) {
                return s.paddr() + (entry - s.vaddr());
            }
        }
        throw malformed("entry point 0x%x lies in the loaded bytes of no PT_LOAD segment (by physical or virtual address)",
            entry);
    }

    /**
     * {@return the guest-physical address the kernel is entered at: e_entry when it lies in a segment's
     * file-backed physical bytes, else e_entry moved by {@code p_paddr - p_vaddr} of the segment whose
     * file-backed virtual bytes hold it}
     */
    public long entry() {
        return entry;
    }

    /** {@return the non-empty PT_LOAD segments, sorted by physical address, not overlapping; unmodifiable} */
    public List<Segment> segments() {
        return segments;
    }

    /**
     * The file bytes of {@code segment} (its first {@code fileSize} bytes), read-only.
     *
     * @param segment one of {@link #segments()}
     * @return a read-only view of file bytes [fileOffset, + fileSize), position 0
     * @throws IllegalArgumentException when {@code segment} is not one of this kernel's segments
     */
    public ByteBuffer segmentData(Segment segment) {
        // a hash lookup: a crafted file may have 65534 segments, and this is called for each
        if (!segmentSet.contains(segment)) {
            throw new IllegalArgumentException("not a segment of this kernel: " + segment);
        }
        return ByteBuffer.wrap(file, (int) segment.fileOffset(), (int) segment.fileSize()).slice().asReadOnlyBuffer();
    }


    /** Whether [offset, offset + size) lies inside [0, length), all unsigned. */
    private static boolean fitsIn(long offset, long size, int length) {
        return Long.compareUnsigned(offset, length) <= 0 && Long.compareUnsigned(size, length - offset) <= 0;
    }

    /** Whether start + size passes 2^64 (an end of exactly 2^64 counts: it has no u64 form). */
    private static boolean wraps(long start, long size) {
        return Long.compareUnsigned(start + size, start) < 0;
    }

    private static boolean inside(long address, long start, long size) {
        return Long.compareUnsigned(address - start, size) < 0;
    }

    private static LoaderException unsupported(String format, Object... args) {
        return new LoaderException(LoaderException.Reason.UNSUPPORTED_FORMAT,
            "unsupported ELF kernel: " + String.format(format, args));
    }

    private static LoaderException malformed(String format, Object... args) {
        return new LoaderException(LoaderException.Reason.MALFORMED, "malformed ELF kernel: " + String.format(format, args));
    }
}
