#!/usr/bin/env bash
# Runs the JMH benchmarks and their C baselines in one go and prints the ratio of each pair.
#   vmm-bench/run.sh [quick]     # "quick": shorter runs for a smoke check
# Output: vmm-bench/out/{c.txt,jmh.json,report.txt}. Needs gcc, java 17, mvn.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}
out=vmm-bench/out
mkdir -p "$out"

if [ "$mode" = quick ]; then c_seconds=0.5; jmh_args=(-wi 2 -w 1 -i 3 -r 1 -f 1); else c_seconds=2; jmh_args=(-wi 3 -w 2 -i 5 -r 2 -f 1); fi

echo "== building (mvn -Pbench package) =="
mvn -B -q -Pbench -pl vmm-bench -am package -DskipTests
gcc -O2 -o "$out/membench" vmm-bench/c/membench.c

echo "== C baseline =="
"$out/membench" "$c_seconds" | tee "$out/c.txt"

echo "== JMH =="
java -jar vmm-bench/target/benchmarks.jar "${jmh_args[@]}" -rf json -rff "$out/jmh.json" 'MemoryBenchmarks|GuestMemoryBenchmarks' >"$out/jmh.log" 2>&1 \
  || { tail -30 "$out/jmh.log"; exit 1; }

python3 vmm-bench/compare.py "$out/c.txt" "$out/jmh.json" | tee "$out/report.txt"
