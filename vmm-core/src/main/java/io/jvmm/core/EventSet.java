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

    /** A set of 1 to 64 eventfds; {@link #await} reports them by their index in {@code events}. */
    public EventSet(List<EventFd> events) {
        if (events.isEmpty() || events.size() > Long.SIZE) {
            throw new IllegalArgumentException("an EventSet holds 1 to 64 eventfds, not " + events.size());
        }
        this.events = List.copyOf(events);
        this.pollfds = new Memory((long) LibC.POLLFD_SIZE * events.size());
    }

    /**
     * Waits until at least one eventfd is signalled or {@code timeoutMillis} passes (negative: no
     * limit), and returns the set of signalled ones as a bit mask (bit i for {@code events.get(i)}),
     * 0 on timeout or when a signal interrupted the wait. The counters are not drained: the
     * caller {@link EventFd#drain}s those it handles.
     *
     * @throws SyscallException when poll fails or reports an eventfd as broken (POLLERR, POLLNVAL)
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
