#!/usr/bin/env bash
# Runs the tests that need a usable /dev/kvm in the nested KVM test host (docs/testing.md), where
# they work even though this host's KVM (PVM, or none) makes `mvn verify` skip them: every test of
# vmm-machine, vmm-kvm's VcpuStateTest and vmm-x86's LinuxVcpuSetupTest. A test that is skipped
# there fails the run. Needs `mvn verify` (or `mvn test-compile` with the packages) done first, and
# `scripts/kvm-host.sh prepare`. Output: a summary on stderr, the whole log in build/kvm-tests/.
set -euo pipefail
cd "$(dirname "$0")/.."

classpath_file=vmm-machine/target/test-classpath.txt
for need in "$classpath_file" vmm-machine/target/test-classes vmm-kvm/target/test-classes vmm-x86/target/test-classes; do
    if [ ! -e "$need" ]; then
        echo "kvm-tests.sh: $need is missing: run 'mvn -B verify' (or 'mvn -B test-compile') first" >&2
        exit 2
    fi
done
cp="vmm-machine/target/test-classes:vmm-machine/target/classes:vmm-kvm/target/test-classes:vmm-x86/target/test-classes:$(cat "$classpath_file")"
mkdir -p build/kvm-tests
log=build/kvm-tests/output.txt
# C1 only in L1, as for every JVM the tests start there (NestedKvmHost.L1_JVM_OPTIONS,
# docs/testing.md "The JVM crashing in L1"): tiered recompilation patches a C1 method's entry while
# other threads run it, and TCG's emulation of that cross-modifying code crashed the JVM (here a
# SIGILL at String.isLatin1's entry+0x22 in a CI run).
# This script runs alone (after mvn verify), so a heartbeat gap of 90 s is a wedged L1, not a busy
# one (kvm-host.sh's default is 180 s).
run_tests() {
    rm -f build/kvm-host/last-failed-console.log
    KVM_HOST_HEARTBEAT_LIMIT=${KVM_HOST_HEARTBEAT_LIMIT:-90} scripts/kvm-host.sh run --timeout "${JVMM_KVM_TESTS_TIMEOUT:-540}" -- \
        java -XX:TieredStopAtLevel=1 -cp "$cp" io.jvmm.machine.NestedKvmTestLauncher \
        vmm-machine/target/test-classes io.jvmm.kvm.VcpuStateTest io.jvmm.x86.LinuxVcpuSetupTest \
        >"$log" 2>&1
}
status=0
run_tests || status=$?
# Two failures are L1's, not a test's, and get one fresh run (the rules of NestedKvmHost.exec and
# .jvmm, docs/testing.md): HotSpot's own fatal-error report with status 134 (the JVM dying in L1),
# and kvm-host.sh's status 125 for an L1 that exited or wedged under the command. A second such
# failure, or any other, stands.
lost=""
if [ "$status" = 134 ] && grep -q 'A fatal error has been detected by the Java Runtime Environment' "$log"; then
    lost="the JVM crashed in L1 ($(grep -m1 -E '^# +(SIGSEGV|SIGILL|SIGBUS)' "$log" | sed 's/^# *//'))"
elif [ "$status" = 125 ] && grep -q -E 'L1 (exited while running the command|stopped responding)' "$log"; then
    lost="L1 was lost under the tests ($(grep -m1 -E 'kvm-host.sh: error: L1' "$log" | sed 's/^kvm-host.sh: error: //'))"
fi
if [ -n "$lost" ]; then
    cp "$log" build/kvm-tests/first-output.txt
    [ -f build/kvm-host/last-failed-console.log ] && cp build/kvm-host/last-failed-console.log build/kvm-tests/first-console.txt
    echo "kvm-tests.sh: $lost; running once more (first output and L1 console: build/kvm-tests/first-*.txt)" >&2
    tail -15 build/kvm-tests/first-console.txt 2>/dev/null | sed 's/^/  L1 console: /' >&2 || true
    status=0
    run_tests || status=$?
fi
# The launcher's summary and failures come last; the tests' own logging comes before.
sed -n '/^NestedKvmTestLauncher: [0-9]* passed/,$p' "$log" >&2
if [ "$status" != 0 ]; then
    echo "kvm-tests.sh: failed (status $status); the whole output is in $log" >&2
    tail -20 "$log" >&2
    if [ -f build/kvm-host/last-failed-console.log ]; then
        echo "kvm-tests.sh: the end of L1's console:" >&2
        tail -15 build/kvm-host/last-failed-console.log >&2
    fi
fi
exit "$status"
