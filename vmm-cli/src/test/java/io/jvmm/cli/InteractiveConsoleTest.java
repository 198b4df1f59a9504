package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The interactive console end to end, as a person uses it: tmux gives jvmm a real pseudo-terminal,
 * Debian's kernel boots the test initramfs into a busybox shell ({@code jvmm_shell=1}), a command
 * is typed into it and its answer read back from the screen, Ctrl-A x ends the run with exit 0, and
 * the terminal is in canonical mode again afterwards. Runs where the real-kernel tests run: on this
 * host's hardware KVM, else in the nested KVM test host ({@link TestKernelArtifacts#host()}).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class InteractiveConsoleTest {
    /** The script run in a shell beside tmux; $JVMM is the jvmm command line, quoted. */
    private static final String SCRIPT = String.join("\n",
        "set -u",
        "export TERM=xterm",
        "S=/tmp/jvmm-console-test.sock",
        "screen() { tmux -S $S capture-pane -p -J -S -200 -t t; }",
        "await() { for i in $(seq 1 $2); do if screen | grep -q -- \"$1\"; then return 0; fi; sleep 1; done;"
            + " echo \"never saw '$1'\"; screen; tmux -S $S kill-server; exit 1; }",
        "tmux -S $S -f /dev/null new-session -d -s t -x 150 -y 50 \"$JVMM; echo JVMM-EXIT=\\$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; sleep 60\"",
        "await JVMM-TEST-KERNEL-OK 300",
        "sleep 2",
        "tmux -S $S send-keys -t t 'echo $((6*7))' Enter",
        "await '^42$' 60",
        "tmux -S $S send-keys -t t C-a x",
        "await JVMM-EXIT= 60",
        "sleep 1",
        "screen",
        "tmux -S $S kill-server",
        "");

    @Test
    void aCommandTypedIntoTheGuestShellIsAnsweredAndCtrlAxQuits() throws Exception {
        TestKernelArtifacts.Host host = TestKernelArtifacts.host();
        TestKernelArtifacts a = TestKernelArtifacts.require();
        List<String> jvmm = List.of("run", "--kernel", a.kernel().toString(), "--initrd", a.initramfs().toString(),
            "--cmdline", TestKernelArtifacts.CMDLINE + " jvmm_shell=1", "--mem", "512M", "--timeout", "600s");
        CliRun r;
        if (host == TestKernelArtifacts.Host.NESTED) {
            r = NestedKvmHost.shared().exec(Duration.ofMinutes(12), Path.of("/"),
                List.of("bash", "-c", "JVMM=" + quoted(joined(NestedKvmHost.jvmmCommand(jvmm.toArray(String[]::new)))) + "\n" + SCRIPT));
        } else {
            assumeTrue(onPath("tmux"), "tmux is not installed");
            r = local(jvmm);
        }
        assertEquals(0, r.exitCode(), r::toString);
        String screen = r.out();
        assertTrue(screen.lines().anyMatch("42"::equals), "the shell answered the typed command:\n" + r);
        assertTrue(screen.contains("JVMM-EXIT=0"), "Ctrl-A x ends jvmm with exit 0:\n" + r);
        assertTrue(screen.lines().anyMatch("icanon"::equals), "the terminal is back in canonical mode:\n" + r);
    }

    private static CliRun local(List<String> jvmmArgs) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = quoted(java) + " -cp " + quoted(System.getProperty("java.class.path")) + " " + Main.class.getName()
            + " " + joined(jvmmArgs);
        Process p = new ProcessBuilder("bash", "-c", "JVMM=" + quoted(command) + "\n" + SCRIPT).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.MINUTES);
        return new CliRun(p.exitValue(), out, "");
    }

    private static String joined(List<String> words) {
        return words.stream().map(InteractiveConsoleTest::quoted).collect(Collectors.joining(" "));
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
