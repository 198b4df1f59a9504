"""Pairs each JMH result with its C baseline line and prints Java/C ratios (see run.sh).

Both sides are summarized by their median: of the JMH measurement iterations (of all forks), and
of the C program's trials. On a small shared machine a preempted iteration is slow by a large, random amount;
the median ignores a minority of such iterations where the mean does not. The JMH mean and its 99.9%
error, and the C range (min..max of the trials), are printed beside it so the spread stays visible.

"speed" is Java's speed relative to C (bandwidth ratio for copies, time ratio C/Java for single
accesses): 1.00 is C's speed, 0.50 is twice C's time. "target" is issue 2's bar in the same terms.
"""
import json
import statistics
import sys

# JMH benchmark (method, size param) -> C baseline name, and the target as a minimum speed.
PAIRS = [
    ("MemoryBenchmarks.writeSlice", "65536", "writeSlice_64KiB", 0.90),
    ("MemoryBenchmarks.readSlice", "65536", "readSlice_64KiB", 0.90),
    ("MemoryBenchmarks.writeSlice", "16777216", "writeSlice_16MiB", 0.90),
    ("MemoryBenchmarks.readSlice", "16777216", "readSlice_16MiB", 0.90),
    ("MemoryBenchmarks.writeBytes", "65536", "writeBytes_64KiB", None),
    ("MemoryBenchmarks.writeBytes", "16777216", "writeBytes_16MiB", None),
    ("MemoryBenchmarks.readLongHot", None, "readLong_hot_64KiB", 1 / 1.5),
    ("MemoryBenchmarks.writeLongHot", None, "writeLong_hot_64KiB", 1 / 1.5),
    ("MemoryBenchmarks.readLongRandom", None, "readLong_random_256MiB", 1 / 1.5),
    ("MemoryBenchmarks.writeLongRandom", None, "writeLong_random_256MiB", 1 / 1.5),
    ("MemoryBenchmarks.readLongVolatileRandom", None, "readLongVolatile_random_256MiB", 1 / 2),
    ("MemoryBenchmarks.writeLongVolatileRandom", None, "writeLongVolatile_random_256MiB", 1 / 2),
    ("GuestMemoryBenchmarks.readLongFromAddrRandom", None, "readLong_random_256MiB", 1 / 2),
    ("GuestMemoryBenchmarks.writeLongAtAddrRandom", None, "writeLong_random_256MiB", 1 / 2),
    ("GuestMemoryBenchmarks.readLongVolatileFromAddrRandom", None, "readLongVolatile_random_256MiB", 1 / 2),
    ("GuestMemoryBenchmarks.writeLongVolatileAtAddrRandom", None, "writeLongVolatile_random_256MiB", 1 / 2),
]


def main(c_path, *jmh_paths):
    c = {}
    for line in open(c_path):
        fields = line.split()
        c[fields[0]] = (float(fields[1]), fields[2], float(fields[3]), float(fields[4]))
    results = {}
    for r in [r for path in jmh_paths for r in json.load(open(path))]:
        name = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
        size = (r.get("params") or {}).get("size")
        raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
        results[(name, size)] = (statistics.median(raw), r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"])
    print(f"{'benchmark':52} {'java median':>13} {'(mean ± error)':>22} {'C median':>12} {'(min..max)':>18}"
          f" {'speed':>6} {'target':>6}")
    for jname, size, cname, target in PAIRS:
        if (jname, size) not in results or cname not in c:
            continue
        median, mean, err = results[(jname, size)]
        cval, unit, cmin, cmax = c[cname]
        label = jname + (f"[{int(size) >> 10} KiB]" if size else "")
        if unit == "MB/s":
            def mbs(ns):
                return int(size) / ns * 1e3
            java = f"{mbs(median):8.0f} MB/s"
            spread = f"({mbs(mean):6.0f} ± {100 * err / mean:3.0f}%)"
            cside = f"{cval:7.0f} MB/s ({cmin:6.0f}..{cmax:6.0f})"
            speed = mbs(median) / cval
        else:
            java = f"{median:7.2f} ns/op"
            spread = f"({mean:7.2f} ± {err:6.2f})"
            cside = f"{cval:6.2f} ns/op ({cmin:5.2f}..{cmax:5.2f})"
            speed = cval / median
        verdict = "" if target is None else (f"{target:6.2f} " + ("met" if speed >= target else "NOT met"))
        print(f"{label:52} {java:>13} {spread:>22} {cside:>31} {speed:6.2f} {verdict}")


if __name__ == "__main__":
    main(sys.argv[1], *sys.argv[2:])
