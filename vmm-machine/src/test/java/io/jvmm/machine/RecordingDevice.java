package io.jvmm.machine;

import io.jvmm.devices.BusDevice;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A test device that records every access and answers reads with a fixed byte pattern. */
public final class RecordingDevice implements BusDevice {
    public record Access(boolean write, long offset, byte[] data) {
    }

    private final String label;
    private final List<Access> accesses = new ArrayList<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private byte readValue;

    public RecordingDevice(String label, byte readValue) {
        this.label = label;
        this.readValue = readValue;
    }

    @Override
    public String debugLabel() {
        return label;
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (readValue + i);
        }
        accesses.add(new Access(false, offset, data.clone()));
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        accesses.add(new Access(true, offset, data.clone()));
        written.writeBytes(data);
    }

    public synchronized List<Access> accesses() {
        return List.copyOf(accesses);
    }

    public synchronized byte[] written() {
        return written.toByteArray();
    }

    public synchronized void readValue(byte value) {
        readValue = value;
    }
}
