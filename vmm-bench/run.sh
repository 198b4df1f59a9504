#!/usr/bin/env bash
# Runs the JMH benchmarks and their C baselines in one go and prints the ratio of each pair.
#   vmm-bench/run.sh [quick]     # "quick": shorter runs for a smoke check
# Output: vmm-bench/out/{machine.txt,c.txt,jmh-*.json,jmh-*.log,report.txt}. Needs gcc, java 17, mvn, python3.
#
# The report starts with the machine and how busy it was while each side ran (the share of CPU
# time that was idle, from /proc/stat): on a small shared machine, other processes are the main
# source of error, and a run whose idle share is far below (cores - 1) / cores had company.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}
out=vmm-bench/out
mkdir -p "$out"

# Random accesses run in several forks: each fork maps fresh memory, and which physical pages it
# gets changes a random access's cost by up to 1.8x (C sees the same; membench remaps per trial).
if [ "$mode" = quick ]; then
  c_seconds=0.5
  bulk_args=(-wi 2 -w 1s -i 5 -r 200ms -f 1)
  random_args=(-wi 2 -w 1s -i 3 -r 200ms -f 2)
else
  c_seconds=2
  bulk_args=(-wi 3 -w 1s -i 20 -r 250ms -f 1)
  random_args=(-wi 3 -w 1s -i 6 -r 250ms -f 5)
fi

cpu_times() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 }' /proc/stat; }
idle_since() { # prints the idle share of all CPUs since the cpu_times output given as $1 $2
  cpu_times | awk -v t0="$1" -v i0="$2" '{ printf "%.0f%%", 100 * ($2 - i0) / ($1 - t0) }'
}

echo "== building (mvn -Pbench package) =="
mvn -B -q -Pbench -pl vmm-bench -am package -DskipTests
gcc -O2 -o "$out/membench" vmm-bench/c/membench.c

{
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, kernel $(uname -r)"
  echo "java: $(java -version 2>&1 | sed -n 2p)"
  echo "mode: $mode; C: $c_seconds s per case; JMH bulk: ${bulk_args[*]}; JMH random: ${random_args[*]}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

echo "== C baseline =="
read -r t0 i0 < <(cpu_times)
"$out/membench" "$c_seconds" | tee "$out/c.txt"
c_idle=$(idle_since "$t0" "$i0")

echo "== JMH =="
read -r t0 i0 < <(cpu_times)
jmh() { # jmh NAME ARGS... REGEX
  local name=$1; shift
  java -jar vmm-bench/target/benchmarks.jar "$@" -rf json -rff "$out/jmh-$name.json" >"$out/jmh-$name.log" 2>&1 \
    || { tail -30 "$out/jmh-$name.log"; exit 1; }
}
jmh bulk "${bulk_args[@]}" 'MemoryBenchmarks.(writeSlice|readSlice|writeBytes)$'
jmh random "${random_args[@]}" 'MemoryBenchmarks.*(Random|Hot)$|GuestMemoryBenchmarks'
jmh_idle=$(idle_since "$t0" "$i0")

{
  cat "$out/machine.txt"
  echo "idle CPU share while C ran: $c_idle; while JMH ran: $jmh_idle; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  python3 vmm-bench/compare.py "$out/c.txt" "$out/jmh-bulk.json" "$out/jmh-random.json"
} | tee "$out/report.txt"
