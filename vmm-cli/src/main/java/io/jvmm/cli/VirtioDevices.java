package io.jvmm.cli;

import io.jvmm.machine.GuestConfig;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.block.DiskImage;
import io.jvmm.virtio.block.DiskImageException;
import io.jvmm.virtio.block.VirtioBlock;
import io.jvmm.virtio.rng.VirtioRng;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The virtio devices of one {@code jvmm run}: the --disk images opened and locked, and --rng,
 * before the console or the VM exist, so that a missing, unreadable, read-only or locked image
 * ends the run with one line and exit 1 having created nothing. Once handed to
 * {@link io.jvmm.machine.Machine#create} the machine owns them; until then this closes them.
 */
final class VirtioDevices {
    private final List<VirtioDevice> devices;
    private boolean handedOver;

    private VirtioDevices(List<VirtioDevice> devices) {
        this.devices = devices;
    }

    static VirtioDevices open(List<DiskOption> disks, boolean rng) {
        List<VirtioDevice> opened = new ArrayList<>();
        try {
            for (DiskOption d : disks) {
                try {
                    opened.add(new VirtioBlock(DiskImage.open(d.file(), d.readOnly())));
                } catch (DiskImageException e) {
                    throw new CliException(ExitCodes.VMM_ERROR, "cannot use --disk " + d + ": " + e.getMessage(), e);
                }
            }
            if (rng) {
                try {
                    opened.add(VirtioRng.fromHost());
                } catch (UncheckedIOException e) {
                    throw new CliException(ExitCodes.VMM_ERROR, "cannot use --rng: " + Main.oneLine(e), e);
                }
            }
            return new VirtioDevices(opened);
        } catch (RuntimeException e) {
            opened.forEach(VirtioDevice::close);
            throw e;
        }
    }

    void addTo(GuestConfig.Builder config) {
        devices.forEach(config::virtioDevice);
    }

    /** From here the machine (or its failed creation) closes the devices. */
    void handedOver() {
        handedOver = true;
    }

    void closeUnlessHandedOver() {
        if (!handedOver) {
            devices.forEach(VirtioDevice::close);
        }
    }
}
