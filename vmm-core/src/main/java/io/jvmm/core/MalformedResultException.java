package io.jvmm.core;

/**
 * The kernel (or the hardware it reports for) returned something no correct kernel returns: a
 * KVM_EXIT_IO whose data lies outside the run page, a shared-page size smaller than
 * {@code struct kvm_run}, an API version jvmm does not know. jvmm refuses to act on it rather than
 * read or write host memory the values point at.
 */
public final class MalformedResultException extends JvmmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception naming the value and where it came from.
     *
     * @param message the call and the value, e.g. {@code "vcpu 0: malformed KVM_EXIT_MMIO length 9"}
     */
    public MalformedResultException(String message) {
        super(message);
    }
}
