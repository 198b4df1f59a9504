package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvmm run} given the command lines a careless or hostile user would type (issue 7), with
 * real files, links, FIFOs, full and read-only devices and huge sparse files. Each ends in one
 * clear line and the documented exit code, and no input file is ever changed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HostileUseTest {
    /**
     * A long-mode guest that prints 'x' to COM1 for ever: {@code mov edx, 0x3f8; mov al, 'x';
     * loop: out dx, al; jmp loop}. Loaded and entered at 0x100000.
     */
    static final byte[] PRINT_FOREVER = {(byte) 0xBA, (byte) 0xF8, 0x03, 0x00, 0x00, (byte) 0xB0, 'x', (byte) 0xEE,
        (byte) 0xEB, (byte) 0xFD};

    @TempDir
    Path dir;

    // ---- the console is never one of the inputs ----

    @Test
    void aConsoleThatIsTheKernelIsRefusedAndTheKernelStaysWhole() throws IOException {
        Path kernel = write("bzImage", MinimalKernel.bzImage());
        byte[] before = Files.readAllBytes(kernel);
        Path hardLink = Files.createLink(dir.resolve("hard-link"), kernel);
        Path symlink = Files.createSymbolicLink(dir.resolve("sym-link"), kernel);
        for (Path console : List.of(kernel, hardLink, symlink)) {
            jvmm("run", "--kernel", kernel.toString(), "--serial-out", console.toString(), "--force", "--timeout", "5s")
                .assertOneLineError(ExitCodes.VMM_ERROR, "is the --kernel file");
            assertArrayEquals(before, Files.readAllBytes(kernel), "the kernel is unchanged after --serial-out " + console);
        }
    }

    @Test
    void aConsoleThatIsTheInitrdOrTheRawImageIsRefusedAndStaysWhole() throws IOException {
        Path kernel = write("bzImage", MinimalKernel.bzImage());
        Path initrd = write("initrd", "an initrd".getBytes());
        Path symlink = Files.createSymbolicLink(dir.resolve("initrd-link"), initrd);
        jvmm("run", "--kernel", kernel.toString(), "--initrd", initrd.toString(), "--serial-out", symlink.toString(),
            "--force", "--timeout", "5s").assertOneLineError(ExitCodes.VMM_ERROR, "is the --initrd file");
        assertEquals("an initrd", Files.readString(initrd));

        Path raw = write("guest.bin", new byte[] {(byte) 0xf4});
        Path rawLink = Files.createLink(dir.resolve("guest-link.bin"), raw);
        jvmm("run", "--raw", raw.toString(), "--load-addr", "0x100000", "--entry", "0x100000", "--serial-out",
            rawLink.toString()).assertOneLineError(ExitCodes.VMM_ERROR, "is the --raw file");
        assertArrayEquals(new byte[] {(byte) 0xf4}, Files.readAllBytes(raw));
    }

    // ---- consoles that cannot be written ----

    @Test
    void aFullConsoleIsAnErrorNotASuccess() {
        requireKvm();
        jvmm("run", "--serial-out", "/dev/full", "--timeout", "30s")
            .assertOneLineError(ExitCodes.VMM_ERROR, "cannot write --serial-out /dev/full: No space left on device");
    }

    @Test
    void aConsoleThatRefusesWritesIsAnError() {
        requireKvm();
        CliRun r = jvmm("run", "--serial-out", "/proc/version", "--timeout", "30s");
        r.assertOneLineError(ExitCodes.VMM_ERROR, "cannot write --serial-out /proc/version");
    }

    @Test
    void aConsoleReaderThatStoppedReadingDoesNotOutlastTheTimeout() throws Exception {
        requireKvm();
        Path image = write("print-forever.bin", PRINT_FOREVER);
        // A pipe nobody reads: its writer waits once its one byte of buffer is full.
        PipedInputStream unread = new PipedInputStream(1);
        OutputStream stalled = new PipedOutputStream(unread);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code;
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.execute(new String[] {"run", "--raw", image.toString(), "--load-addr", "0x100000", "--entry",
                "0x100000", "--mode", "long", "--timeout", "2s"},
                new Environment(new PrintStream(stalled, true), e, Environment.DEFAULT_KVM_DEVICE, KvmBackend.detect()));
        } finally {
            unread.close(); // the pump's thread, still waiting to write, gets "Pipe closed" and ends
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.TIMEOUT, code, stderr);
        assertTrue(stderr.contains("timed out after 2s (--timeout)"), stderr);
        // 2 s of run, at most 1 s for the console, 1 s to flush stdout, and the JVM's own pace.
        assertTrue(ms < 15_000, "a stalled stdout does not keep jvmm past --timeout; took " + ms + " ms");
    }

    @Test
    void aFifoWithoutAReaderEndsAtTheTimeoutWithItsReason() throws Exception {
        Path fifo = mkfifo("console.fifo");
        long start = System.nanoTime();
        CliRun r = jvmm("run", "--serial-out", fifo.toString(), "--timeout", "2s");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        try {
            r.assertOneLineError(ExitCodes.TIMEOUT, "waiting to open --serial-out " + fifo);
            assertTrue(ms < 20_000, "the wait is bounded by --timeout; took " + ms + " ms");
        } finally {
            releaseWriter(fifo);
        }
    }

    @Test
    void aFifoWithAReaderGetsTheConsole() throws Exception {
        requireKvm();
        Path fifo = mkfifo("reader.fifo");
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CliRun r = jvmm("run", "--serial-out", fifo.toString(), "--timeout", "60s");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(new String(read.get(30, TimeUnit.SECONDS)).contains("Hello"), "the reader got the greeting");
    }

    // ---- huge raw images ----

    @Test
    void aRawImageLargerThan2GiBIsStreamedIntoGuestMemory() throws IOException {
        requireKvm();
        // 2.5 GiB, all a hole but its first byte: HLT. Guest memory only gets the page that holds it.
        Path image = sparse("sparse-2.5G", (5L << 30) / 2, new byte[] {(byte) 0xf4});
        long start = System.nanoTime();
        CliRun r = jvmm("run", "--raw", image.toString(), "--mem", "3G", "--load-addr", "0x100000",
            "--entry", "0x100000", "--timeout", "60s");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertFalse(r.err().contains("Exception") || r.err().contains("Error"), r::toString);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 60_000, "took " + ms + " ms");
    }

    @Test
    void aRawImageThatCannotFitIsRefusedInOneLine() throws IOException {
        Path image = sparse("sparse-3G", 3L << 30, new byte[] {(byte) 0xf4});
        jvmm("run", "--raw", image.toString(), "--mem", "4G", "--load-addr", "0x100000", "--entry", "0x100000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "past the end of guest memory");
        jvmm("run", "--raw", image.toString(), "--mem", "2G", "--load-addr", "0x100000", "--entry", "0x100000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "larger than guest memory");
    }

    // ---- bad kernels and the messages about them ----

    @Test
    void truncatedBzImagesAreRefusedBeforeAnythingRuns() throws IOException {
        byte[] whole = MinimalKernel.bzImage();
        // The cuts leave the header and the 64-bit entry in place, which is all the loader used
        // to look at: only syssize tells that the rest is missing.
        List<Integer> cuts = new ArrayList<>(List.of(whole.length - 1, whole.length - 16));
        int pastEntry = (1 + 1) * 512 + 0x201;
        if (pastEntry < whole.length - 16) {
            cuts.add(pastEntry);
        }
        for (int cut : cuts) {
            Path cutKernel = write("cut-" + cut, java.util.Arrays.copyOf(whole, cut));
            jvmm("run", "--kernel", cutKernel.toString(), "--force", "--timeout", "5s")
                .assertOneLineError(ExitCodes.VMM_ERROR, "truncated bzImage");
        }
    }

    @Test
    void aSymlinkLoopIsNamedAsOne() throws IOException {
        Path a = dir.resolve("loop-a");
        Path b = dir.resolve("loop-b");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        jvmm("run", "--kernel", a.toString(), "--force").assertOneLineError(ExitCodes.VMM_ERROR, "symbolic links");
        jvmm("run", "--raw", a.toString(), "--load-addr", "0x100000", "--entry", "0x100000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "symbolic links");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        jvmm("run", "--kernel", dangling.toString(), "--force")
            .assertOneLineError(ExitCodes.VMM_ERROR, "kernel image " + dangling + ": no such file or directory");
        jvmm("run", "--kernel", dir.toString(), "--force")
            .assertOneLineError(ExitCodes.VMM_ERROR, "not a regular file (a directory)");
    }

    // ---- helpers ----

    private static void requireKvm() {
        assumeTrue(Kvm.isAvailable(), () -> "KVM is not usable here: " + Kvm.unavailableReason().orElse(""));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path sparse(String name, long size, byte[] head) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(head);
            f.setLength(size);
        }
        return p;
    }

    private Path mkfifo(String name) throws Exception {
        Path p = dir.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assumeTrue(mk.waitFor() == 0, "mkfifo failed");
        return p;
    }

    /** Opens and closes the read end, so that a writer still blocked in open() goes on and ends. */
    private static void releaseWriter(Path fifo) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(fifo.toFile(), "r")) {
            f.getFD().valid();
        }
    }
}
