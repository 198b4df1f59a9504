package io.jvmm.devices.bus;

import io.jvmm.devices.BusDevice;
import java.util.ArrayList;
import java.util.List;

/** Records accesses; reads return the low byte of the offset in every byte. */
final class TestDevice implements BusDevice {
    final String name;
    final List<String> log = new ArrayList<>();

    TestDevice(String name) {
        this.name = name;
    }

    @Override
    public String debugLabel() {
        return name;
    }

    @Override
    public void read(long offset, byte[] data) {
        log.add("r" + offset + "/" + data.length);
        java.util.Arrays.fill(data, (byte) offset);
    }

    @Override
    public void write(long offset, byte[] data) {
        log.add("w" + offset + "/" + data.length + "=" + (data[0] & 0xff));
    }
}
