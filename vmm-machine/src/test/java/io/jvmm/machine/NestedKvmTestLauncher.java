package io.jvmm.machine;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs tests with the JUnit Platform launcher, outside Maven: scripts/kvm-tests.sh starts it
 * inside the nested KVM test host, where the tests that {@code mvn verify} skips on a host without
 * a usable /dev/kvm ({@link KvmTestSupport#assumeKvm}) run for real. Each argument is a directory
 * of test classes (every test in it runs) or a class name. A test that is skipped there, where KVM
 * must work, counts as a failure, so a KVM test cannot pass by skipping.
 */
public final class NestedKvmTestLauncher {
    private NestedKvmTestLauncher() {
    }

    /**
     * Runs the tests and exits 0 when every one passed.
     *
     * @param args test-class directories and class names
     * @throws ClassNotFoundException for a class name that is not on the class path
     */
    public static void main(String[] args) throws ClassNotFoundException {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String arg : args) {
            Path path = Path.of(arg);
            if (Files.isDirectory(path)) {
                request.selectors(selectClasspathRoots(Set.of(path)));
            } else {
                request.selectors(selectClass(Class.forName(arg)));
            }
        }
        LauncherDiscoveryRequest built = request.build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(built, listener, new StartedLine());
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.err, true);
        out.println("NestedKvmTestLauncher: " + summary.getTestsSucceededCount() + " passed, "
            + summary.getTotalFailureCount() + " failed, " + summary.getTestsAbortedCount() + " skipped (aborted), "
            + summary.getTestsSkippedCount() + " disabled, of " + summary.getTestsFoundCount());
        summary.printFailuresTo(out, 25);
        boolean ok = summary.getTotalFailureCount() == 0 && summary.getTestsAbortedCount() == 0
            && summary.getTestsFoundCount() > 0;
        System.exit(ok ? 0 : 1);
    }

    /**
     * One line per test as it starts, so that a run cut short (an L1 that wedges under it, whose
     * partial output kvm-host.sh then shows) says which test was running.
     */
    private static final class StartedLine implements TestExecutionListener {
        @Override
        public void executionStarted(TestIdentifier test) {
            if (test.isTest()) {
                System.err.println("NestedKvmTestLauncher: started " + test.getUniqueId());
            }
        }
    }
}
