#!/usr/bin/env bash
# The KVM exit-path benchmark (issue 3, "Fast"): the same guest (BuiltInGuests.exitBenchmark: N port
# writes, then HLT) run by jvmm's run loop and by a minimal C KVM program, interleaved, in one go.
#   vmm-bench/run-kvm.sh [N] [ROUNDS] [RUNS]      defaults: N=200000, ROUNDS=3, RUNS=5
# Each round is one JVM: WARMUPS (default 2) unmeasured runs, then RUNS measured runs, each paired
# with one run of the C program started right before or after it (alternating). Every run uses a
# fresh VM. Prints every run, then per side the median, min and max exits/s, and the median of the
# per-pair Java/C ratios, by wall time of the run loop and by CPU time of the vCPU thread.
# SKIP_BUILD=1 reuses vmm-bench/target/benchmarks.jar; JAR=path runs another build of the benchmark
# jar instead (e.g. one of an older commit, for a before/after comparison; implies SKIP_BUILD=1).
# Output: vmm-bench/out/kvm/{runs.txt,report.txt}, or under OUT=dir when set (the nested host's L1
# can write only its session share). Needs /dev/kvm, gcc, java 17, mvn.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
rounds=${2:-3}
runs=${3:-5}
warmups=${WARMUPS:-2}
out=${OUT:-vmm-bench/out/kvm}
jar=${JAR:-vmm-bench/target/benchmarks.jar}
mkdir -p "$out"

if [ -z "${JAR:-}" ] && { [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; }; then
  echo "== building (mvn -Pbench package) =="
  mvn -B -q -Pbench -pl vmm-bench -am package -DskipTests
fi
gcc -O2 -Wall -o "$out/kvmexit" vmm-bench/c/kvmexit.c

# The C program starts from exactly the memory and registers jvmm's Machine.create sets up.
# (stderr of the JVM carries only slf4j's "no provider" notice.)
java -cp "$jar" io.jvmm.bench.KvmExitBenchmark dump "$out/dump" 2>/dev/null

echo "== $(date -u +%FT%TZ) $jar N=$n: $rounds JVMs x $runs pairs (after $warmups warm-up runs each); load: $(cut -d' ' -f1-3 /proc/loadavg) =="
echo "side exits seconds exits_per_s exits_per_cpu_s"
: >"$out/runs.txt"
for round in $(seq 1 "$rounds"); do
  java -cp "$jar" io.jvmm.bench.KvmExitBenchmark run "$n" "$warmups" "$runs" "$out/kvmexit" "$out/dump" 2>/dev/null \
    | tee -a "$out/runs.txt"
done

python3 - "$out/runs.txt" <<'EOF' | tee "$out/report.txt"
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
# Runs come in pairs, C first in even pairs and Java first in odd ones: pair them in order.
c_rows = [r for r in rows if r[0] == "c"]
java_rows = [r for r in rows if r[0] == "java"]
print()
for title, i in (("wall time of the run loop", 3), ("CPU time of the vCPU thread", 4)):
    print(f"exits/s by {title}:")
    med = {}
    for side, side_rows in (("c", c_rows), ("java", java_rows)):
        v = [float(r[i]) for r in side_rows]
        med[side] = statistics.median(v)
        print(f"  {side:4} median {med[side]:>8.0f}  min {min(v):>8.0f}  max {max(v):>8.0f}  ({len(v)} runs)")
    ratios = sorted(float(j[i]) / float(c[i]) for c, j in zip(c_rows, java_rows))
    print(f"  java/c: ratio of medians {med['java'] / med['c']:.1%}; per pair median {statistics.median(ratios):.1%},"
          f" quartiles {ratios[len(ratios) // 4]:.1%} .. {ratios[(3 * len(ratios)) // 4]:.1%}")
EOF
