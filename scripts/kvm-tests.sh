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
status=0
scripts/kvm-host.sh run --timeout "${JVMM_KVM_TESTS_TIMEOUT:-540}" -- \
    java -cp "$cp" io.jvmm.machine.NestedKvmTestLauncher \
    vmm-machine/target/test-classes io.jvmm.kvm.VcpuStateTest io.jvmm.x86.LinuxVcpuSetupTest \
    >"$log" 2>&1 || status=$?
# The launcher's summary and failures come last; the tests' own logging comes before.
sed -n '/^NestedKvmTestLauncher: /,$p' "$log" >&2
if [ "$status" != 0 ]; then
    echo "kvm-tests.sh: failed (status $status); the whole output is in $log" >&2
    tail -20 "$log" >&2
fi
exit "$status"
