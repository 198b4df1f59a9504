package io.jvmm.devices.bus;

/** A device registration would overlap a range already on the bus. */
public final class BusConflictException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient BusRange requested;
    private final transient BusRange existing;

    BusConflictException(String bus, BusRange requested, BusRange existing) {
        super(bus + " range " + requested + " overlaps " + existing + " already registered");
        this.requested = requested;
        this.existing = existing;
    }

    /** {@return the range whose registration was refused; null in a deserialized exception} */
    public BusRange requested() {
        return requested;
    }

    /**
     * {@return the registered range it overlaps (the lowest, if it overlaps several); null in a
     * deserialized exception}
     */
    public BusRange existing() {
        return existing;
    }
}
