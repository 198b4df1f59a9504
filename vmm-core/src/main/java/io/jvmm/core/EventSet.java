package io.jvmm.core;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.List;

/**
 * A fixed set of {@link EventFd}s one thread waits on together ({@code poll(2)} for POLLIN), as a
 * device's I/O thread waits for its queue doorbells and its stop event. Not thread-safe: one
 * waiting thread owns it. The eventfds stay owned by the caller.
 */
public final class EventSet {
    private final List<EventFd> events;
    private final Memory pollfds;

    /**
     * A set of 1 to 64 eventfds; {@link #await} reports them by their index in {@code events}.
     *
     * @param events the eventfds, in the order of the mask bits; the list is copied, the eventfds
     *     are not
     * @throws IllegalArgumentException if there are none or more than 64
     * @throws NullPointerException if {@code events} or one of its elements is null
     */
    public EventSet(List<EventFd> events) {
        if (events.isEmpty() || events.size() > Long.SIZE) {
            throw new IllegalArgumentException("an EventSet holds 1 to 64 eventfds, not " + events.size());
        }
        this.events = List.copyOf(events);
        this.pollfds = new Memory((long) LibC.POLLFD_SIZE * events.size());
    }

    /**
     * Waits until at least one eventfd is signalled or {@code timeoutMillis} passes, and returns
     * the set of signalled ones as a bit mask. The counters are not drained: the caller
     * {@link EventFd#drain}s those it handles.
     *
     * @param timeoutMillis the longest wait in milliseconds; 0 polls without waiting, negative
     *     waits without limit
     * @return bit i set for each signalled {@code events.get(i)}; 0 on timeout or when a signal
     *     interrupted the wait
     * @throws SyscallException when poll(2) fails ({@code "poll"} with its errno), or with EBADF
     *     when it reports an eventfd as broken (POLLERR, POLLNVAL)
     * @throws ClosedException if one of the eventfds is closed
     */
    public long await(int timeoutMillis) {
        for (int i = 0; i < events.size(); i++) {
            long at = (long) i * LibC.POLLFD_SIZE;
            pollfds.setInt(at, events.get(i).asRawDescriptor());
            pollfds.setShort(at + 4, LibC.POLLIN);
            pollfds.setShort(at + 6, (short) 0);
        }
        int ready = LibC.pollChecked(Pointer.nativeValue(pollfds), events.size(), timeoutMillis);
        if (ready <= 0) {
            return 0;
        }
        long mask = 0;
        for (int i = 0; i < events.size(); i++) {
            short revents = pollfds.getShort((long) i * LibC.POLLFD_SIZE + 6);
            if ((revents & (LibC.POLLERR | LibC.POLLNVAL)) != 0) {
                throw new SyscallException("poll", Errno.EBADF, "eventfd " + i + " of " + events.size() + " reports revents 0x"
                    + Integer.toHexString(revents & 0xffff));
            }
            if ((revents & LibC.POLLIN) != 0) {
                mask |= 1L << i;
            }
        }
        return mask;
    }
}
