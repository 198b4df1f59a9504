package io.jvmm.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Synthetic kernel files for the loader tests, laid out by hand from boot.rst and the ELF spec
 * (deliberately not with the loader's own constants, so a wrong constant fails a test).
 */
final class TestKernels {
    /**
     * The PC's boot map (the values io.jvmm.x86.X86Layout.BOOT_LAYOUT gives; the loader's tests
     * cannot see vmm-x86, which depends on the loader): zero page 0x7000, command line 0x20000
     * (64 KiB), kernel at 1 MiB, EBDA from 0x9fc00, MMIO gap [3 GiB, 4 GiB), 4 GiB identity-mapped.
     */
    static final BootLayout PC = new BootLayout(0x7000, 0x20000, 0x10000, 0x100000, 0x100000, 0x9fc00,
        0xc000_0000L, 0x1_0000_0000L, 4L << 30);

    private TestKernels() {
    }

    /** A bzImage whose header fields can be changed before {@link #build()}. */
    static final class BzImageBuilder {
        int setupSects = 2;
        int version = 0x020f;
        int jumpOffset = 0x6a;             // header ends at 0x26c, as in Linux 6.x
        int loadflags = 0x01;              // LOADED_HIGH
        int xloadflags = 0x03;             // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
        long code32Start = 0x100000;
        long initrdAddrMax = 0x7fffffffL;
        long kernelAlignment = 0x200000;
        int relocatable = 1;
        int minAlignment = 0x15;
        long cmdlineSize = 0x7ff;
        long prefAddress = 0x1000000;
        long initSize = 0x400000;
        int payloadSize = 0x3000;
        /** Filled into every byte after the header end in the setup sectors, to catch over-copying. */
        byte setupFill = (byte) 0xcc;

        byte[] build() {
            int sects = setupSects == 0 ? 4 : setupSects;
            byte[] file = new byte[(sects + 1) * 512 + payloadSize];
            Arrays.fill(file, 0x26c, (sects + 1) * 512, setupFill);
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            b.put(0x1f1, (byte) setupSects);
            b.putInt(0x1f4, payloadSize / 16);
            b.putShort(0x1fe, (short) 0xaa55);
            b.put(0x200, (byte) 0xeb);
            b.put(0x201, (byte) jumpOffset);
            b.put(0x202, (byte) 'H').put(0x203, (byte) 'd').put(0x204, (byte) 'r').put(0x205, (byte) 'S');
            b.putShort(0x206, (short) version);
            b.put(0x211, (byte) loadflags);
            b.putInt(0x214, (int) code32Start);
            b.putInt(0x22c, (int) initrdAddrMax);
            b.putInt(0x230, (int) kernelAlignment);
            b.put(0x234, (byte) relocatable);
            b.put(0x235, (byte) minAlignment);
            b.putShort(0x236, (short) xloadflags);
            b.putInt(0x238, (int) cmdlineSize);
            b.putLong(0x258, prefAddress);
            b.putInt(0x260, (int) initSize);
            // The payload: recognisable bytes (its first byte at the load address, 0x200 later the entry).
            for (int i = 0; i < payloadSize; i++) {
                file[(sects + 1) * 512 + i] = (byte) (i * 7 + 1);
            }
            return file;
        }
    }

    /** One PT_LOAD (or other) program header of an {@link ElfBuilder}. */
    record Phdr(int type, long vaddr, long paddr, byte[] data, long memSize) {
    }

    /** An ELF64 x86-64 executable built from program headers. */
    static final class ElfBuilder {
        int elfClass = 2;
        int dataEncoding = 1;
        int type = 2;
        int machine = 62;
        long entry;
        final List<Phdr> phdrs = new ArrayList<>();

        ElfBuilder load(long vaddr, long paddr, byte[] data, long memSize) {
            phdrs.add(new Phdr(1, vaddr, paddr, data, memSize));
            return this;
        }

        ElfBuilder note(byte[] data) {
            phdrs.add(new Phdr(4, 0, 0, data, data.length));
            return this;
        }

        byte[] build() {
            int phoff = 64;
            int dataStart = phoff + phdrs.size() * 56;
            int total = dataStart;
            for (Phdr p : phdrs) {
                total += p.data().length;
            }
            byte[] file = new byte[total];
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            b.put(0, (byte) 0x7f).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F');
            b.put(4, (byte) elfClass).put(5, (byte) dataEncoding).put(6, (byte) 1);
            b.putShort(16, (short) type);
            b.putShort(18, (short) machine);
            b.putInt(20, 1);
            b.putLong(24, entry);
            b.putLong(32, phoff);
            b.putShort(52, (short) 64);
            b.putShort(54, (short) 56);
            b.putShort(56, (short) phdrs.size());
            int offset = dataStart;
            for (int i = 0; i < phdrs.size(); i++) {
                Phdr p = phdrs.get(i);
                int ph = phoff + i * 56;
                b.putInt(ph, p.type());
                b.putInt(ph + 4, 5);
                b.putLong(ph + 8, offset);
                b.putLong(ph + 16, p.vaddr());
                b.putLong(ph + 24, p.paddr());
                b.putLong(ph + 32, p.data().length);
                b.putLong(ph + 40, p.memSize());
                b.putLong(ph + 48, 0x200000);
                System.arraycopy(p.data(), 0, file, offset, p.data().length);
                offset += p.data().length;
            }
            return file;
        }
    }

    /** Linux-like vmlinux: text at virtual 0xffffffff81000000 / physical 16 MiB, data + bss after it. */
    static ElfBuilder vmlinuxLike() {
        ElfBuilder elf = new ElfBuilder();
        elf.entry = 0x1000000;
        elf.load(0xffffffff81000000L, 0x1000000, pattern(0x2000, 3), 0x2000);
        elf.load(0xffffffff81200000L, 0x1200000, pattern(0x1000, 5), 0x5000);
        elf.note(pattern(0x40, 9));
        return elf;
    }

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * seed + seed);
        }
        return bytes;
    }
}
