package io.jvmm.virtio.mmio;

import io.jvmm.core.EventFd;
import io.jvmm.core.EventSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O thread of one virtio-mmio device: it sleeps in {@code poll(2)} on one eventfd per queue
 * (the doorbells KVM signals through its ioeventfds, or {@link #notifier} for doorbells that
 * reached the transport) and a stop event, and serves each queue that was notified, off the vCPU
 * threads. {@link #close} stops it and waits for the request in progress.
 */
public final class DeviceWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceWorker.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final MmioTransport transport;
    private final List<EventFd> queueEvents;
    private final EventFd stop;
    private final Thread thread;

    private DeviceWorker(MmioTransport transport, List<EventFd> queueEvents, EventFd stop) {
        this.transport = transport;
        this.queueEvents = List.copyOf(queueEvents);
        this.stop = stop;
        this.thread = new Thread(this::loop, transport.debugLabel());
        thread.setDaemon(true);
    }

    /**
     * A worker for {@code transport} with {@code queueEvents}, one eventfd per queue in queue
     * order (owned by the caller, who closes them after this worker); not started yet.
     *
     * @param transport   the transport whose queues the worker serves
     * @param queueEvents one eventfd per queue of {@code transport}, in queue order
     * @return the worker, with its own stop eventfd; call {@link #start()}
     * @throws IllegalArgumentException when the count of eventfds differs from the transport's
     *     queue count, or exceeds 63
     */
    public static DeviceWorker create(MmioTransport transport, List<EventFd> queueEvents) {
        if (queueEvents.size() != transport.queueCount()) {
            throw new IllegalArgumentException(queueEvents.size() + " eventfds for " + transport.queueCount() + " queues");
        }
        if (queueEvents.size() + 1 > Long.SIZE) {
            throw new IllegalArgumentException(queueEvents.size() + " queues; one worker serves at most 63");
        }
        return new DeviceWorker(transport, queueEvents, EventFd.create());
    }

    /**
     * Signals queue {@code index}'s eventfd: the route for doorbells that reach the transport (the
     * transport's {@code notifier} calls this, through a holder, since the transport is made first).
     * Thread-safe.
     *
     * @param index the queue's index
     * @throws IndexOutOfBoundsException when {@code index} is not a queue's
     */
    public void notifier(int index) {
        queueEvents.get(index).signal();
    }

    /**
     * Starts the I/O thread, a daemon thread named after the transport's {@code debugLabel()}.
     *
     * @throws IllegalThreadStateException when called a second time
     */
    public void start() {
        thread.start();
    }

    private void loop() {
        List<EventFd> all = new ArrayList<>();
        all.add(stop);
        all.addAll(queueEvents);
        EventSet set = new EventSet(all);
        try {
            for (;;) {
                long ready = set.await(-1);
                if ((ready & 1) != 0) {
                    return;
                }
                for (int i = 0; i < queueEvents.size(); i++) {
                    if ((ready & (2L << i)) != 0) {
                        queueEvents.get(i).drain();
                        transport.processQueue(i);
                    }
                }
            }
        } catch (RuntimeException e) {
            // Only a broken eventfd gets here (processQueue does not throw); the device goes quiet.
            LOG.error("{}: I/O thread stopped", transport.debugLabel(), e);
        }
    }

    /**
     * {@return whether the I/O thread has ended} False after a {@link #close()} that gave up
     * waiting: the thread still uses the device and the eventfds then, so they must stay open.
     */
    public boolean isStopped() {
        return !thread.isAlive();
    }

    /** Stops the thread and waits for it (bounded); idempotent. */
    @Override
    public void close() {
        if (!stop.isClosed()) {
            stop.signal();
            if (thread.isAlive()) {
                try {
                    thread.join(STOP_WAIT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (thread.isAlive()) {
                LOG.warn("{}: I/O thread did not stop within {}", transport.debugLabel(), STOP_WAIT);
            } else {
                stop.close();
            }
        }
    }
}
