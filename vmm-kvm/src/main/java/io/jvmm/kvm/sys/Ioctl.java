package io.jvmm.kvm.sys;

import java.util.Objects;

/**
 * One KVM ioctl: its {@code <linux/kvm.h>} name and its request number, together, so that a call
 * site cannot pair a name with another ioctl's number (every error message names the ioctl).
 *
 * @param name the macro name, e.g. {@code "KVM_RUN"}
 * @param request the request number {@code _IO}/{@code _IOR}/{@code _IOW}/{@code _IOWR} encode
 */
public record Ioctl(String name, long request) {
    /**
     * Checks the name is present; the request number is not checked.
     *
     * @param name the macro name, e.g. {@code "KVM_RUN"}
     * @param request the encoded request number
     * @throws NullPointerException if {@code name} is null
     */
    public Ioctl {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return name + String.format("(0x%x)", request);
    }
}
