package io.jvmm.machine.guest;

import java.util.Map;
import java.util.Objects;

/** The output of {@link X86Assembler#assemble()}: the bytes and where each bound label ended up. */
public final class AssembledCode {
    private final CpuMode mode;
    private final long origin;
    private final byte[] bytes;
    private final Map<Label, Long> addresses;

    AssembledCode(CpuMode mode, long origin, byte[] bytes, Map<Label, Long> addresses) {
        this.mode = mode;
        this.origin = origin;
        this.bytes = bytes;
        this.addresses = Map.copyOf(addresses);
    }

    public CpuMode mode() {
        return mode;
    }

    /** The address of the first byte (see {@link X86Assembler#X86Assembler(CpuMode, long)}). */
    public long origin() {
        return origin;
    }

    /** A copy of the machine code. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    /**
     * The address a label was bound to.
     *
     * @throws IllegalArgumentException if the label was not bound in this program
     */
    public long address(Label label) {
        Long address = addresses.get(Objects.requireNonNull(label, "label"));
        if (address == null) {
            throw new IllegalArgumentException("label not bound in this program: " + label);
        }
        return address;
    }
}
