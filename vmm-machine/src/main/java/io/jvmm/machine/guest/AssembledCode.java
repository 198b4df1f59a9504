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

    /** {@return the mode the code was assembled for} */
    public CpuMode mode() {
        return mode;
    }

    /**
     * {@return the address of the first byte: linear in long mode, an offset in the code segment in real mode} See
     * {@link X86Assembler#X86Assembler(CpuMode, long)}.
     */
    public long origin() {
        return origin;
    }

    /** {@return a copy of the machine code, {@link #size()} bytes} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** {@return the length of the machine code in bytes} */
    public int size() {
        return bytes.length;
    }

    /**
     * The address a label was bound to.
     *
     * @param label a label of the assembler that produced this code
     * @return {@link #origin()} plus the label's offset in the code, in the same terms as the origin; a label bound after
     *     the last instruction gets {@code origin() + size()}
     * @throws NullPointerException when {@code label} is null
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
