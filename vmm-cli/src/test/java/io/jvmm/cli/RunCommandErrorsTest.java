package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static io.jvmm.cli.CliRun.jvmmWithDevice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way {@code jvmm run} can be given bad input ends with its exit code and one line on
 * stderr, no stack trace, and no half-written output file. These checks all happen before
 * {@code /dev/kvm} is used, so they run on any host.
 */
class RunCommandErrorsTest {
    @TempDir
    Path dir;

    private Path image(String name, int size) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, new byte[size]);
        return p;
    }

    // ---- usage errors (2): the command line itself is wrong ----

    @Test
    void malformedSizeDurationAndAddressAreUsageErrors() {
        jvmm("run", "--mem", "12Q").assertOneLineError(ExitCodes.USAGE, "invalid size '12Q'");
        jvmm("run", "--timeout", "soon").assertOneLineError(ExitCodes.USAGE, "invalid duration 'soon'");
        jvmm("run", "--raw", "x", "--load-addr", "0xZZ", "--entry", "0").assertOneLineError(ExitCodes.USAGE, "invalid address '0xZZ'");
        jvmm("run", "--vcpus", "two").assertOneLineError(ExitCodes.USAGE, "--vcpus");
    }

    @Test
    void memoryMustBeLargeEnoughWholePagesAndAtMostTheHostsRam() {
        jvmm("run", "--mem", "1M").assertOneLineError(ExitCodes.USAGE, "--mem 1 MiB is too small: a guest needs at least 2 MiB");
        jvmm("run", "--mem", "0").assertOneLineError(ExitCodes.USAGE, "too small");
        jvmm("run", "--mem", "4194305").assertOneLineError(ExitCodes.USAGE, "is not a multiple of 4 KiB");
        jvmm("run", "--mem", "8000T").assertOneLineError(ExitCodes.USAGE, "is more than this host's memory");
    }

    @Test
    void vcpuCountMustBeInRange() {
        jvmm("run", "--vcpus", "0").assertOneLineError(ExitCodes.USAGE, "--vcpus 0: a guest needs at least 1 vCPU");
        jvmm("run", "--vcpus", "-3").assertOneLineError(ExitCodes.USAGE, "at least 1 vCPU");
        jvmm("run", "--vcpus", "255").assertOneLineError(ExitCodes.USAGE, "at most 254");
    }

    @Test
    void rawNeedsLoadAddressAndEntryAndTheyNeedRaw() throws IOException {
        Path img = image("a.bin", 16);
        jvmm("run", "--raw", img.toString()).assertOneLineError(ExitCodes.USAGE, "--raw needs --load-addr ADDR and --entry ADDR");
        jvmm("run", "--raw", img.toString(), "--load-addr", "0x100000").assertOneLineError(ExitCodes.USAGE, "--raw needs --entry ADDR");
        jvmm("run", "--raw", img.toString(), "--entry", "0x100000").assertOneLineError(ExitCodes.USAGE, "--raw needs --load-addr ADDR");
        jvmm("run", "--load-addr", "0x100000").assertOneLineError(ExitCodes.USAGE, "--load-addr describes a raw image: add --raw FILE");
        jvmm("run", "--entry", "1", "--mode", "real").assertOneLineError(ExitCodes.USAGE, "--entry, --mode describe a raw image");
    }

    @Test
    void guestAndRawAreExclusive() throws IOException {
        jvmm("run", "--guest", "real", "--raw", image("a.bin", 16).toString(), "--load-addr", "0x100000", "--entry", "0x100000")
            .assertOneLineError(ExitCodes.USAGE, "--guest and --raw both choose the guest");
    }

    @Test
    void unknownOptionsAndValuesAreUsageErrorsWithAHint() {
        jvmm("run", "--bogus").assertOneLineError(ExitCodes.USAGE, "Unknown option: '--bogus'");
        jvmm("run", "--stat").assertOneLineError(ExitCodes.USAGE, "did you mean --stats?");
        jvmm("run", "--guest", "linux").assertOneLineError(ExitCodes.USAGE, "unknown built-in guest 'linux': expected demo or real");
        jvmm("run", "--mode", "protected").assertOneLineError(ExitCodes.USAGE, "unknown CPU mode 'protected'");
        jvmm("fly").assertOneLineError(ExitCodes.USAGE, "Unmatched argument");
        assertTrue(jvmm("run", "--bogus").errLines().get(1).equals("Try 'jvmm run --help' for more information."));
    }

    // ---- VMM errors (1): the inputs do not work ----

    @Test
    void aMissingRawFileIsNamed() {
        Path missing = dir.resolve("missing.bin");
        jvmm("run", "--raw", missing.toString(), "--load-addr", "0x100000", "--entry", "0x100000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "raw image " + missing + ": no such file");
    }

    @Test
    void aRawPathThatIsNoReadableFileIsRefused() throws IOException {
        jvmm("run", "--raw", dir.toString(), "--load-addr", "0x100000", "--entry", "0x100000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "not a regular file");
        Path empty = image("empty.bin", 0);
        jvmm("run", "--raw", empty.toString(), "--load-addr", "0x100000", "--entry", "0x100000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "the file is empty");
    }

    @Test
    void anImageLargerThanMemoryIsRefusedBeforeItIsRead() throws IOException {
        Path big = image("big.bin", (2 << 20) + 1);
        jvmm("run", "--mem", "2M", "--raw", big.toString(), "--load-addr", "0x100000", "--entry", "0x100000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "2097153 bytes is larger than guest memory (2097152 bytes, --mem)");
    }

    @Test
    void aLoadAddressOutsideMemoryIsRefused() throws IOException {
        jvmm("run", "--mem", "4M", "--raw", image("a.bin", 16).toString(), "--load-addr", "0x10000000", "--entry", "0x10000000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "load address 0x10000000");
    }

    @Test
    void anImageRunningPastTheEndOfMemoryIsRefused() throws IOException {
        jvmm("run", "--mem", "2M", "--raw", image("a.bin", 8192).toString(), "--load-addr", "0x1ff000", "--entry", "0x1ff000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "past the end of guest memory");
    }

    @Test
    void anEntryOutsideTheImageIsRefused() throws IOException {
        jvmm("run", "--raw", image("a.bin", 16).toString(), "--load-addr", "0x100000", "--entry", "0x100010")
            .assertOneLineError(ExitCodes.VMM_ERROR, "entry 0x100010 lies outside the image [0x100000, 0x100010)");
    }

    @Test
    void aLongModeImageOverTheVmmsPageTablesIsRefused() throws IOException {
        jvmm("run", "--raw", image("a.bin", 16).toString(), "--load-addr", "0x9000", "--entry", "0x9000")
            .assertOneLineError(ExitCodes.VMM_ERROR, "overlaps the GDT and page tables");
    }

    @Test
    void aRealModeImageNeedsASegmentAlignedLoadAddress() throws IOException {
        jvmm("run", "--raw", image("a.bin", 16).toString(), "--load-addr", "0x10008", "--entry", "0x10008", "--mode", "real")
            .assertOneLineError(ExitCodes.VMM_ERROR, "16-byte-aligned segment base");
    }

    @Test
    void aSerialOutFileIsNotCreatedWhenAnInputIsBad() {
        Path out = dir.resolve("console.txt");
        jvmm("run", "--mem", "1M", "--serial-out", out.toString()).assertOneLineError(ExitCodes.USAGE, "too small");
        jvmm("run", "--serial-out", out.toString(), "--raw", dir.resolve("nope").toString(), "--load-addr", "0x100000",
            "--entry", "0x100000").assertOneLineError(ExitCodes.VMM_ERROR, "no such file");
        jvmmWithDevice(dir.resolve("no-kvm"), "run", "--serial-out", out.toString())
            .assertOneLineError(ExitCodes.VMM_ERROR, "cannot open");
        assertFalse(Files.exists(out), "no output file after a failed start");
    }

    @Test
    void aSerialOutPathThatCannotBeAFileIsRefused() {
        jvmm("run", "--serial-out", dir.toString()).assertOneLineError(ExitCodes.VMM_ERROR, "it is a directory");
        jvmm("run", "--serial-out", dir.resolve("no/such/dir/out.txt").toString())
            .assertOneLineError(ExitCodes.VMM_ERROR, "does not exist");
    }

    @Test
    void aMissingKvmDeviceIsExplained() {
        Path device = dir.resolve("kvm");
        jvmmWithDevice(device, "run").assertOneLineError(ExitCodes.VMM_ERROR,
            "cannot open " + device + ": ENOENT, it does not exist");
    }

    @Test
    void aFileThatIsNoKvmDeviceIsExplained() throws IOException {
        Path notKvm = image("kvm", 1);
        jvmmWithDevice(notKvm, "run").assertOneLineError(ExitCodes.VMM_ERROR, notKvm + " is not a usable KVM device: KVM_GET_API_VERSION failed: ENOTTY");
    }

    @Test
    void verboseAddsTheStackTraceToAnError() {
        CliRun r = jvmmWithDevice(dir.resolve("kvm"), "run", "-v");
        assertEquals(ExitCodes.VMM_ERROR, r.exitCode());
        assertTrue(r.err().startsWith("jvmm: cannot open"), r::toString);
        assertTrue(r.err().contains("\tat io.jvmm."), r::toString);
    }
}
