package io.jvmm.core;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a {@link JvmmException} was about, as values a caller can act on rather than parse out of
 * the message (crosvm's {@code Error::MemoryAccess(GuestAddress, MmapError)} carries its address
 * the same way). Every field is optional: an argument error may know an address but no errno, a
 * failed system call an errno but no address.
 *
 * @param call       the failing system call or ioctl, e.g. {@code "mmap"} or {@code "KVM_RUN"}
 * @param errno      the errno it set, or 0 when no call failed
 * @param address    the guest-physical address or mapping offset the operation was about
 * @param length     the length in bytes of the access or range
 * @param regionSize the size in bytes of the mapping or guest-memory region it was checked against
 */
public record ErrorDetails(Optional<String> call, int errno, OptionalLong address, OptionalLong length,
                           OptionalLong regionSize) {
    /** No details: the message says everything there is. */
    public static final ErrorDetails NONE = new ErrorDetails(Optional.empty(), 0, OptionalLong.empty(),
        OptionalLong.empty(), OptionalLong.empty());

    /**
     * Checks the fields are present (possibly empty) values.
     *
     * @param call       the failing system call or ioctl, or empty
     * @param errno      the errno it set, or 0
     * @param address    the address or offset, or empty
     * @param length     the length in bytes, or empty
     * @param regionSize the size in bytes of the mapping or region, or empty
     * @throws NullPointerException when a field is null
     */
    public ErrorDetails {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(regionSize, "regionSize");
    }

    /**
     * The details of a failed call.
     *
     * @param call  the system call or ioctl name
     * @param errno the errno it set
     * @return details with only the call and errno
     */
    public static ErrorDetails ofCall(String call, int errno) {
        return new ErrorDetails(Optional.of(call), errno, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    /**
     * The details of a failure that set an errno without a call worth naming.
     *
     * @param errno the errno
     * @return details with only the errno
     */
    public static ErrorDetails ofErrno(int errno) {
        return new ErrorDetails(Optional.empty(), errno, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    /**
     * The details of an access or range check.
     *
     * @param address    the address or offset of the access
     * @param length     its length in bytes
     * @param regionSize the size of the mapping or region it was checked against
     * @return details with the three values and no call
     */
    public static ErrorDetails ofAccess(long address, long length, long regionSize) {
        return new ErrorDetails(Optional.empty(), 0, OptionalLong.of(address), OptionalLong.of(length),
            OptionalLong.of(regionSize));
    }

    /**
     * The details of an access whose region is unknown (an address in no region, say).
     *
     * @param address the address or offset of the access
     * @param length  its length in bytes
     * @return details with the address and length only
     */
    public static ErrorDetails ofAccess(long address, long length) {
        return new ErrorDetails(Optional.empty(), 0, OptionalLong.of(address), OptionalLong.of(length), OptionalLong.empty());
    }

    /** {@return the symbolic name of {@link #errno()}, e.g. {@code "EINVAL"}, or empty when it is 0} */
    public Optional<String> errnoName() {
        return errno == 0 ? Optional.empty() : Optional.of(Errno.name(errno));
    }
}
