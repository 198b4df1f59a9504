#!/usr/bin/env bash
# The KVM exit-path benchmark (issue 3, "Fast"): the same guest (BuiltInGuests.exitBenchmark: N port
# writes, then HLT) run by jvmm's run loop and by a minimal C KVM program, interleaved, in one go.
#   vmm-bench/run-kvm.sh [N] [ROUNDS]      defaults: N=200000, ROUNDS=5
# Each round runs the C program (RUNS runs, a fresh VM each) and then one JVM (WARMUPS unmeasured
# runs, then RUNS measured ones, a fresh Machine each). Prints every run, then the median, min and
# max exits/s of each side and the Java/C ratio of the medians, by wall time of the run loop and by
# CPU time of the vCPU thread. SKIP_BUILD=1 reuses vmm-bench/target/benchmarks.jar.
# Output: vmm-bench/out/kvm/{runs.txt,report.txt}. Needs /dev/kvm, gcc, java 17, mvn.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
rounds=${2:-5}
runs=${RUNS:-3}
warmups=${WARMUPS:-2}
out=vmm-bench/out/kvm
jar=vmm-bench/target/benchmarks.jar
mkdir -p "$out"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  echo "== building (mvn -Pbench package) =="
  mvn -B -q -Pbench -pl vmm-bench -am package -DskipTests
fi
gcc -O2 -Wall -o "$out/kvmexit" vmm-bench/c/kvmexit.c

# The C program starts from exactly the memory and registers jvmm's Machine.create sets up.
java -cp "$jar" io.jvmm.bench.KvmExitBenchmark dump "$out/dump" 2>/dev/null

echo "== N=$n, $rounds rounds of $runs C runs and $runs Java runs (after $warmups warm-up runs) =="
echo "side exits seconds exits_per_s exits_per_cpu_s"
: >"$out/runs.txt"
for round in $(seq 1 "$rounds"); do
  "$out/kvmexit" "$out/dump" "$n" "$runs" | tee -a "$out/runs.txt"
  # stderr carries only slf4j's "no provider" notice
  java -cp "$jar" io.jvmm.bench.KvmExitBenchmark run "$n" "$warmups" "$runs" 2>/dev/null | tee -a "$out/runs.txt"
done

python3 - "$out/runs.txt" <<'EOF' | tee "$out/report.txt"
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
def col(side, i):
    return [float(r[i]) for r in rows if r[0] == side]
print()
for title, i in (("wall time of the run loop", 3), ("CPU time of the vCPU thread", 4)):
    print(f"exits/s by {title}:")
    med = {}
    for side in ("c", "java"):
        v = col(side, i)
        med[side] = statistics.median(v)
        print(f"  {side:4} median {med[side]:>8.0f}  min {min(v):>8.0f}  max {max(v):>8.0f}  ({len(v)} runs)")
    print(f"  java/c {med['java'] / med['c']:.1%}")
EOF
