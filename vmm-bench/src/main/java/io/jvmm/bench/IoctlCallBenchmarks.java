package io.jvmm.bench;

import io.jvmm.core.DirectIoctl;
import io.jvmm.core.LibC;
import io.jvmm.kvm.KvmCap;
import io.jvmm.kvm.sys.KvmIoctls;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Diagnostic for the exit path (see docs/performance.md ("KVM exit path")): what one cheap ioctl costs through
 * JNA direct mapping ({@link LibC#ioctlChecked}, the run loop's path before {@link DirectIoctl})
 * and through {@link DirectIoctl}'s system-call stub. The request is {@code KVM_CHECK_EXTENSION}
 * on {@code /dev/kvm}, which the kernel answers without side effects; {@code kvmexit --ioctl}
 * times the same call from C.
 */
public class IoctlCallBenchmarks extends NanosecondBenchmark {
    int kvm = -1;

    @Setup(Level.Trial)
    public void setUp() {
        kvm = LibC.openChecked("/dev/kvm", LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (!DirectIoctl.isDirect()) {
            throw new IllegalStateException("DirectIoctl falls back to JNA here: " + DirectIoctl.unavailableReason());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        LibC.closeChecked(kvm);
    }

    @Benchmark
    public int checkExtensionThroughJna() {
        return LibC.ioctlChecked(kvm, KvmIoctls.KVM_CHECK_EXTENSION.request(), KvmCap.USER_MEMORY.number());
    }

    @Benchmark
    public int checkExtensionThroughDirectIoctl() {
        return DirectIoctl.ioctl(kvm, KvmIoctls.KVM_CHECK_EXTENSION.request(), KvmCap.USER_MEMORY.number());
    }
}
