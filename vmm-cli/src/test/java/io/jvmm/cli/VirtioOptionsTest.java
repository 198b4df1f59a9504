package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static io.jvmm.cli.CliRun.jvmmWithBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.kvm.KvmBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --disk} and {@code --rng} refuse what cannot work with one line, before the console file
 * or the VM exist, and leave the images as they were. (The devices at work: NestedVirtioTest.)
 */
class VirtioOptionsTest {
    @TempDir
    Path dir;

    private Path kernel() throws IOException {
        return Files.write(dir.resolve("bzImage"), MinimalKernel.bzImage());
    }

    private Path disk(String name) throws IOException {
        return Files.write(dir.resolve(name), new byte[64 * 1024]);
    }

    private CliRun run(String... args) {
        // A hardware backend, so that the kernel is not refused before the disks are looked at.
        return jvmmWithBackend(KvmBackend.AMD_SVM, args);
    }

    @Test
    void disksAndRngGoWithAKernel() throws IOException {
        jvmm("run", "--disk", disk("a.img").toString()).assertOneLineError(ExitCodes.USAGE, "--disk goes with a Linux kernel");
        jvmm("run", "--rng").assertOneLineError(ExitCodes.USAGE, "--rng goes with a Linux kernel");
    }

    @Test
    void theOnlyDiskFlagIsRo() throws IOException {
        run("run", "--kernel", kernel().toString(), "--disk", disk("a.img") + ",rw")
            .assertOneLineError(ExitCodes.USAGE, "the only option after the file is ',ro'");
        run("run", "--kernel", kernel().toString(), "--disk", ",ro").assertOneLineError(ExitCodes.USAGE, "names no file");
    }

    @Test
    void oneImageGivenTwiceIsRefused() throws IOException {
        Path a = disk("a.img");
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), a);
        run("run", "--kernel", kernel().toString(), "--disk", a.toString(), "--disk", link + ",ro")
            .assertOneLineError(ExitCodes.USAGE, "is the same file as --disk " + a);
    }

    @Test
    void tooManyVirtioDevicesAreRefused() throws IOException {
        String k = kernel().toString();
        String[] args = new String[4 + 2 * 8 + 1];
        int i = 0;
        args[i++] = "run";
        args[i++] = "--kernel";
        args[i++] = k;
        for (int d = 0; d < 8; d++) {
            args[i++] = "--disk";
            args[i++] = disk("d" + d + ".img").toString();
        }
        args[i++] = "--rng";
        args[i] = "--stats";
        run(args).assertOneLineError(ExitCodes.USAGE, "9 virtio devices (--disk, --rng): the machine has 8");
    }

    @Test
    void aMissingOrTinyImageEndsTheRunBeforeTheConsoleFileExists() throws IOException {
        Path console = dir.resolve("console.txt");
        Path missing = dir.resolve("missing.img");
        run("run", "--kernel", kernel().toString(), "--serial-out", console.toString(), "--disk", missing.toString())
            .assertOneLineError(ExitCodes.VMM_ERROR, "cannot use --disk " + missing + ": " + missing + ": no such file");
        Path tiny = Files.write(dir.resolve("tiny.img"), new byte[10]);
        run("run", "--kernel", kernel().toString(), "--serial-out", console.toString(), "--disk", tiny.toString())
            .assertOneLineError(ExitCodes.VMM_ERROR, "smaller than one 512-byte sector");
        assertFalse(Files.exists(console), "no console file was created");
    }

    @Test
    void anImageLockedByAnotherUserIsRefusedAndUnchanged() throws IOException {
        Path a = disk("a.img");
        byte[] before = Files.readAllBytes(a);
        try (SafeDescriptor other = SafeDescriptor.open(a.toString(), LibC.O_RDONLY)) {
            LibC.flockErrno(other.asRawDescriptor(), LibC.LOCK_EX | LibC.LOCK_NB);
            run("run", "--kernel", kernel().toString(), "--disk", a + ",ro")
                .assertOneLineError(ExitCodes.VMM_ERROR, "locked by another process");
        }
        assertArrayEquals(before, Files.readAllBytes(a));
    }

    @Test
    void theConsoleCannotBeADisk() throws IOException {
        Path a = disk("a.img");
        byte[] before = Files.readAllBytes(a);
        run("run", "--kernel", kernel().toString(), "--disk", a.toString(), "--serial-out", a.toString())
            .assertOneLineError(ExitCodes.VMM_ERROR, "is the --disk file");
        assertArrayEquals(before, Files.readAllBytes(a));
    }
}
