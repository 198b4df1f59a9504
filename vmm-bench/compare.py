"""Pairs each JMH result with its C baseline line and prints Java/C ratios (see run.sh)."""
import json
import sys

# JMH benchmark (method, size param) -> C baseline name, and whether the pair is a copy (MB/s).
PAIRS = [
    ("MemoryBenchmarks.writeSlice", "65536", "writeSlice_64KiB"),
    ("MemoryBenchmarks.readSlice", "65536", "readSlice_64KiB"),
    ("MemoryBenchmarks.writeSlice", "16777216", "writeSlice_16MiB"),
    ("MemoryBenchmarks.readSlice", "16777216", "readSlice_16MiB"),
    ("MemoryBenchmarks.writeBytes", "65536", "writeBytes_64KiB"),
    ("MemoryBenchmarks.writeBytes", "16777216", "writeBytes_16MiB"),
    ("MemoryBenchmarks.readLongRandom", None, "readLong_random_256MiB"),
    ("MemoryBenchmarks.writeLongRandom", None, "writeLong_random_256MiB"),
    ("MemoryBenchmarks.readLongVolatileRandom", None, "readLongVolatile_random_256MiB"),
    ("MemoryBenchmarks.writeLongVolatileRandom", None, "writeLongVolatile_random_256MiB"),
    ("GuestMemoryBenchmarks.readLongFromAddrRandom", None, "readLong_random_256MiB"),
    ("GuestMemoryBenchmarks.writeLongAtAddrRandom", None, "writeLong_random_256MiB"),
    ("GuestMemoryBenchmarks.readLongVolatileFromAddrRandom", None, "readLongVolatile_random_256MiB"),
    ("GuestMemoryBenchmarks.writeLongVolatileAtAddrRandom", None, "writeLongVolatile_random_256MiB"),
]


def main(c_path, jmh_path):
    c = {}
    for line in open(c_path):
        name, value, unit = line.split()
        c[name] = (float(value), unit)
    results = {}
    for r in json.load(open(jmh_path)):
        name = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
        size = (r.get("params") or {}).get("size")
        results[(name, size)] = (r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"])
    print(f"{'benchmark':58} {'java':>14} {'C':>14} {'java/C speed':>12}")
    for jname, size, cname in PAIRS:
        if (jname, size) not in results or cname not in c:
            continue
        ns, err = results[(jname, size)]
        cval, unit = c[cname]
        label = jname + (f"[{int(size) >> 10} KiB]" if size else "")
        if unit == "MB/s":
            java_mbs = int(size) / ns * 1e3
            print(f"{label:58} {java_mbs:10.0f} MB/s {cval:9.0f} MB/s {java_mbs / cval:11.2f}x")
        else:
            print(f"{label:58} {ns:8.2f} ns/op {cval:8.2f} ns/op {cval / ns:11.2f}x")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
