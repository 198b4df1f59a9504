package io.jvmm.virtio.layeringfixture;

import io.jvmm.kvm.Vm;

/**
 * A deliberately wrong class for LayeringTest's negative case: a virtio device that reaches into
 * the KVM layer. It lives in the test sources only, which the real check does not import.
 */
public final class DeviceThatDrivesKvm {
    private DeviceThatDrivesKvm() {
    }

    public static boolean hasIrqchip(Vm vm) {
        return vm.hasIrqchip();
    }
}
