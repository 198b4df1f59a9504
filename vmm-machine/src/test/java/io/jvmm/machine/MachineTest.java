package io.jvmm.machine;

import io.jvmm.kvm.Kvm;
import io.jvmm.machine.KvmTestSupport;
import io.jvmm.kvm.LapicState;
import io.jvmm.machine.RecordingDevice;

import static io.jvmm.machine.KvmTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.machine.guest.CpuMode;
import io.jvmm.loader.LoaderException;
import io.jvmm.x86.X86Layout;
import io.jvmm.memory.GuestAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole machines from a {@link GuestConfig}, running the built-in guests and raw images. */
class MachineTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    @Test
    void builtInLongModeDemoGreetsComputesThroughTheMailboxAndResets() {
        long input = 0x0123_4567_89ab_cdefL;
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        GuestConfig config = GuestConfig.builder().memorySize(16 << 20).image(BuiltInGuests.longModeDemo())
            .serialOutput(serial).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            m.memory().writeLongAtAddr(input, GuestAddress.of(BuiltInGuests.MAILBOX_INPUT_ADDR));

            RunResult r = m.run(LIMIT);

            assertEquals(StopReason.RESET, r.reason(), r.describe());
            assertEquals(BuiltInGuests.demoOutput(input), serial.toString(StandardCharsets.US_ASCII));
            assertEquals(BuiltInGuests.demoResult(input), m.memory().readLongFromAddr(GuestAddress.of(BuiltInGuests.MAILBOX_RESULT_ADDR)));
            assertTrue(m.bootCompleteSinceVmCreation().isPresent(), "the demo guest signals boot-complete");
            assertTrue(r.exits().get("io") > BuiltInGuests.demoOutput(input).length(), r.exits().toString());
        }
    }

    @Test
    void builtInRealModeGuestGreetsAndHalts() {
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        GuestConfig config = GuestConfig.builder().memorySize(4 << 20).image(BuiltInGuests.realModeHello())
            .serialOutput(serial).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            RunResult r = m.run(LIMIT);
            assertEquals(StopReason.HALT, r.reason(), r.describe());
            assertEquals(BuiltInGuests.REAL_MODE_GREETING, serial.toString(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void rawLongModeImageRunsFromItsLoadAddress() {
        // mov edx, 0x3f8 ; mov al, '!' ; out dx, al ; hlt
        byte[] raw = bytes(0xBA, 0xF8, 0x03, 0x00, 0x00, 0xB0, '!', 0xEE, 0xF4);
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        long load = 0x20_0000;
        GuestConfig config = GuestConfig.builder().memorySize(4 << 20).rawImage(raw, load, load, CpuMode.LONG)
            .serialOutput(serial).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            RunResult r = m.run(LIMIT);
            assertEquals(StopReason.HALT, r.reason(), r.describe());
            assertEquals("!", serial.toString(StandardCharsets.US_ASCII));
            assertEquals(load + raw.length, m.vcpus().get(0).getRegs().rip());
        }
    }

    @Test
    void aHaltedGuestContinuesOnTheNextRun() {
        // out 0x80, al ; hlt ; out 0x80, al ; hlt
        byte[] raw = bytes(0xE6, 0x80, 0xF4, 0xE6, 0x80, 0xF4);
        long load = X86Layout.REAL_MODE_LOAD_ADDR;
        GuestConfig config = GuestConfig.builder().memorySize(2 << 20).rawImage(raw, load, load, CpuMode.REAL).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            RecordingDevice port = new RecordingDevice("port80", (byte) 0);
            m.ioBus().register(0x80, 1, port);
            assertEquals(StopReason.HALT, m.run(LIMIT).reason());
            assertEquals(StopReason.HALT, m.run(LIMIT).reason());
            assertEquals(2, port.written().length);
        }
    }

    @Test
    void closeEndsARunWhoseConsoleReaderStoppedReading() throws Exception {
        // mov edx, 0x3f8 ; mov al, 'x' ; loop: out dx, al ; jmp loop
        byte[] raw = bytes(0xBA, 0xF8, 0x03, 0x00, 0x00, 0xB0, 'x', 0xEE, 0xEB, 0xFD);
        CountDownLatch hostWriteEntered = new CountDownLatch(1);
        CountDownLatch readerResumes = new CountDownLatch(1);
        OutputStream stalled = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                hostWriteEntered.countDown();
                try {
                    readerResumes.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        };
        long load = X86Layout.HIMEM_START;
        GuestConfig config = GuestConfig.builder().memorySize(4 << 20).rawImage(raw, load, load, CpuMode.LONG)
            .serialOutput(stalled).build();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (Kvm kvm = Kvm.open()) {
            Machine m = Machine.create(kvm, config);
            Future<RunResult> run = runner.submit(() -> m.run(LIMIT));
            assertTrue(hostWriteEntered.await(30, TimeUnit.SECONDS), "the guest's output reaches the host stream");
            // Long enough for the guest to fill the console's ring (64 Ki exits) on a slow host.
            Thread.sleep(2_000);

            assertTimeoutPreemptively(Duration.ofSeconds(15), m::close,
                "a vCPU waiting for the console does not keep close() waiting");
            assertEquals(StopReason.STOPPED, run.get(15, TimeUnit.SECONDS).reason());
        } finally {
            readerResumes.countDown();
            runner.shutdownNow();
        }
    }

    @Test
    void aSpinningRawGuestTimesOut() {
        long load = X86Layout.HIMEM_START;
        GuestConfig config = GuestConfig.builder().memorySize(2 << 20).rawImage(bytes(0xEB, 0xFE), load, load, CpuMode.LONG).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            RunResult r = m.run(Duration.ofMillis(200));
            assertEquals(StopReason.TIMEOUT, r.reason());
            assertEquals("timed out", r.describe());
        }
    }

    @Test
    void withTheIrqchipTwoVcpusRunAndTheDemoStillResets() {
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        GuestConfig config = GuestConfig.builder().memorySize(16 << 20).vcpus(2).irqchip(true)
            .image(BuiltInGuests.longModeDemo()).serialOutput(serial).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            // The second vCPU waits in the kernel for a start-up IPI that never comes; the reset
            // must still stop both.
            RunResult r = m.run(LIMIT);
            assertEquals(StopReason.RESET, r.reason(), r.describe());
            assertEquals(BuiltInGuests.demoOutput(0), serial.toString(StandardCharsets.US_ASCII));
            assertInstanceOf(LapicState.class, m.vcpus().get(1).getLapic());
        }
    }

    @Test
    void aKernelThatCannotBeLoadedIsRefusedWithOneLine(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such-bzImage");
        Path notAKernel = dir.resolve("text");
        Files.writeString(notAKernel, "hello ".repeat(200));
        try (Kvm kvm = Kvm.open()) {
            LoaderException e = assertThrows(LoaderException.class, () -> Machine.create(kvm,
                GuestConfig.builder().memorySize(32 << 20).kernel(missing, Optional.empty(), "console=ttyS0").build()));
            assertEquals(LoaderException.Reason.UNREADABLE_FILE, e.reason());
            assertEquals("kernel image " + missing + ": no such file or directory", e.getMessage());

            e = assertThrows(LoaderException.class, () -> Machine.create(kvm,
                GuestConfig.builder().memorySize(32 << 20).kernel(notAKernel, Optional.empty(), "").build()));
            assertEquals(LoaderException.Reason.BAD_MAGIC, e.reason());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
