package io.jvmm.machine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.Kvm;

/** Shared by tests that need /dev/kvm. */
public final class KvmTestSupport {
    private KvmTestSupport() {
    }

    /** Skips the calling test, with the reason, where KVM cannot be used. */
    public static void assumeKvm() {
        var reason = Kvm.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> "KVM is not usable here: " + reason.orElse(""));
    }

    public static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
