package io.jvmm.cli;

import io.jvmm.core.Errno;
import io.jvmm.core.SyscallException;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmException;
import java.nio.file.Path;

/** Opens the KVM device for the commands, turning each way it can fail into one sentence for users. */
final class KvmAccess {
    private KvmAccess() {
    }

    /**
     * Opens {@code device} (read-write, API version checked).
     *
     * @throws CliException with {@link ExitCodes#VMM_ERROR} and {@link #whyNot} as the message
     */
    static Kvm open(Path device) {
        try {
            return Kvm.open(device);
        } catch (RuntimeException e) {
            throw new CliException(ExitCodes.VMM_ERROR, whyNot(device, e), e);
        }
    }

    /** Why {@link Kvm#open(Path)} failed, with what the user can do about it. */
    static String whyNot(Path device, RuntimeException failure) {
        // KvmException is a SyscallException: the ioctl case goes first.
        if (failure instanceof KvmException k) {
            // It opened, but the first ioctl failed: ENOTTY means the file is no KVM device.
            return device + " is not a usable KVM device: " + k.getMessage();
        }
        if (failure instanceof SyscallException s) {
            String hint = switch (s.errno()) {
                case Errno.ENOENT -> "it does not exist: load kvm_intel or kvm_amd (inside a VM: enable nested"
                    + " virtualization, or use PVM)";
                case Errno.EACCES, Errno.EPERM -> "permission denied: add your user to the group that owns it"
                    + " (usually 'kvm') or run as root";
                case Errno.ENXIO, Errno.ENODEV -> "no KVM driver is behind it: load kvm_intel, kvm_amd or kvm_pvm";
                case Errno.EISDIR -> "it is a directory";
                default -> "open(2) failed";
            };
            return "cannot open " + device + ": " + Errno.name(s.errno()) + ", " + hint;
        }
        return "cannot use " + device + ": " + Main.oneLine(failure);
    }
}
