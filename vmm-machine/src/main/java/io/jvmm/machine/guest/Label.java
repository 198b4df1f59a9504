package io.jvmm.machine.guest;

/**
 * A position in an {@link X86Assembler}'s output, created by {@link X86Assembler#newLabel} and
 * bound once with {@link X86Assembler#bind}. It may be referenced before it is bound.
 */
public final class Label {
    private final String name;
    private final X86Assembler owner;

    Label(String name, X86Assembler owner) {
        this.name = name;
        this.owner = owner;
    }

    /** {@return the name given to {@link X86Assembler#newLabel}, unique within its assembler} */
    public String name() {
        return name;
    }

    X86Assembler owner() {
        return owner;
    }

    @Override
    public String toString() {
        return name;
    }
}
