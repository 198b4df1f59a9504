#!/usr/bin/env bash
# Boot time of the test kernel, jvmm against QEMU's microvm, measured the way Firecracker measures
# it (issue 8): alternating runs of
#   jvmm run --kernel K --initrd I --mem 512M --cmdline C --stats
#   qemu-system-x86_64 -M microvm -accel kvm -cpu host -m 512M ... -kernel K -initrd I -append C
# on the same kernel, initramfs, memory and command line. For each run: the wall time from the
# start of the process to the marker on its console (the same clock and method for both), the
# whole process time, and for jvmm its --stats boot_complete_ms (VM creation to the guest's write of
# 123 to port 0x3f0, Firecracker's boot-complete signal) and boot_complete_process_ms. QEMU has no
# such port, so for it only the process-relative times exist.
#
# Usage: scripts/boot-bench.sh [RUNS]            (default 5 runs of each)
#   Where this host's KVM is hardware-assisted, the runs happen here; otherwise (PVM, no /dev/kvm)
#   in the nested KVM test host (scripts/kvm-host.sh; it is started here and stopped at the end
#   unless KVM_HOST_SESSION names one that is already running). Each run holds
#   /tmp/jvmm-cpu.lock (flock) when flock is there, so that other timed work does not overlap it.
# Output: one line per run ("jvmm 3 marker_ms=... process_ms=... boot_complete_ms=..."), then the
# medians and ratios; the raw console logs are kept in build/boot-bench/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-5}
K=$ROOT/build/test-kernel
OUT=$ROOT/build/boot-bench
JAR=$ROOT/vmm-cli/target/jvmm.jar
CMDLINE="console=ttyS0 reboot=k panic=-1 i8042.noaux pci=off"
MARKER=JVMM-TEST-KERNEL-OK

die() { echo "boot-bench.sh: error: $*" >&2; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$RUNS'"
[ -f "$K/vmlinuz" ] && [ -f "$K/initramfs.cpio.gz" ] || die "no test kernel in $K: run scripts/test-kernel.sh"
[ -f "$JAR" ] || die "no $JAR: run mvn -B -q package -DskipTests"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: install qemu-system-x86"
mkdir -p "$OUT"

JVMM=(java -jar "$JAR" run --kernel "$K/vmlinuz" --initrd "$K/initramfs.cpio.gz" --mem 512M
    --cmdline "$CMDLINE" --timeout 300s --stats)
# microvm as small as QEMU makes it: no default devices, the ISA serial port on stdio, the
# in-kernel irqchip and PIT (QEMU's defaults with -accel kvm), exit at the guest's reboot.
QEMU=(qemu-system-x86_64 -M microvm -accel kvm -cpu host -m 512M -smp 1 -nodefaults -no-user-config
    -display none -serial stdio -no-reboot -kernel "$K/vmlinuz" -initrd "$K/initramfs.cpio.gz"
    -append "$CMDLINE")

# The measurement, run where KVM is (here or in L1): bash's EPOCHREALTIME, stamped when the marker
# line arrives on the process's stdout and when the process has exited. Prints the console on
# stdout, then "RESULT marker_ms=... process_ms=... rc=..." and the command's stderr.
MEASURE='
t0=$EPOCHREALTIME
err=$(mktemp)
marker=""
while IFS= read -r line; do
    printf "%s\n" "$line"
    if [ -z "$marker" ] && [[ $line == *'"$MARKER"'* ]]; then marker=$EPOCHREALTIME; fi
done < <("$@" 2>"$err"; echo "EXIT-STATUS $?")
t1=$EPOCHREALTIME
ms() { awk -v a="$1" -v b="$2" "BEGIN { printf \"%.1f\", (b - a) * 1000 }"; }
cat "$err" >&2
echo "RESULT marker_ms=$([ -n "$marker" ] && ms "$t0" "$marker" || echo none) process_ms=$(ms "$t0" "$t1")"
rm -f "$err"
'

nested=""
if ! java -jar "$JAR" check >/dev/null 2>&1 || [ -d /sys/module/kvm_pvm ]; then
    nested=1
    if ! "$ROOT/scripts/kvm-host.sh" status >/dev/null 2>&1; then
        "$ROOT/scripts/kvm-host.sh" start
        trap '"$ROOT/scripts/kvm-host.sh" stop' EXIT
    fi
fi

# one NAME I: one measured run, its console in $OUT/NAME-I.log, its result line on stdout.
one() {
    local name=$1 i=$2 log="$OUT/$1-$2.log" lock=()
    local -a cmd
    if [ "$name" = jvmm ]; then cmd=("${JVMM[@]}"); else cmd=("${QEMU[@]}"); fi
    command -v flock >/dev/null && lock=(flock /tmp/jvmm-cpu.lock)
    if [ -n "$nested" ]; then
        "${lock[@]}" "$ROOT/scripts/kvm-host.sh" exec --timeout 400 -- bash -c "$MEASURE" measure "${cmd[@]}" > "$log" 2>&1 || true
    else
        "${lock[@]}" bash -c "$MEASURE" measure "${cmd[@]}" > "$log" 2>&1 || true
    fi
    local result stats bc bcp status
    result=$(grep '^RESULT ' "$log" | tail -n 1 | cut -d' ' -f2- || true)
    status=$(grep -a '^EXIT-STATUS ' "$log" | tail -n 1 | cut -d' ' -f2 || true)
    [ -n "$result" ] || result="marker_ms=none process_ms=none"
    bc=""; bcp=""
    if [ "$name" = jvmm ]; then
        stats=$(grep '^{"exits"' "$log" | tail -n 1 || true)
        bc=$(sed -n 's/.*"boot_complete_ms":\([0-9.]*\).*/\1/p' <<< "$stats")
        bcp=$(sed -n 's/.*"boot_complete_process_ms":\([0-9.]*\).*/\1/p' <<< "$stats")
        bc=" boot_complete_ms=${bc:-none} boot_complete_process_ms=${bcp:-none}"
    fi
    echo "$name $i $result exit=${status:-none}$bc"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "none"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m }'; }
# field NAME KEY: KEY's values over NAME's successful runs (exit 0 and the marker seen); a failed
# run (a JVM that crashed in L1, say) is listed but left out of the medians.
field() { { grep "^$1 " "$OUT/results.txt" | grep ' exit=0' | grep -v 'marker_ms=none' || true; } | tr ' ' '\n' | sed -n "s/^$2=\([0-9.]*\)$/\1/p"; }

: > "$OUT/results.txt"
echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, ${nested:+nested KVM test host (L1 $(cat "$ROOT/build/kvm-host/versions.txt" 2>/dev/null | head -n 1)), }$(qemu-system-x86_64 --version | head -n 1)" | tee -a "$OUT/results.txt"
for i in $(seq "$RUNS"); do
    one jvmm "$i" | tee -a "$OUT/results.txt"
    one qemu "$i" | tee -a "$OUT/results.txt"
done
jm=$(field jvmm marker_ms | median); qm=$(field qemu marker_ms | median)
jp=$(field jvmm process_ms | median); qp=$(field qemu process_ms | median)
jb=$(field jvmm boot_complete_ms | median); jbp=$(field jvmm boot_complete_process_ms | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "none" }'; }
{
    echo "successful runs: jvmm $(field jvmm marker_ms | wc -l) of $RUNS, qemu $(field qemu marker_ms | wc -l) of $RUNS"
    echo "median jvmm: marker_ms=$jm process_ms=$jp boot_complete_ms=$jb boot_complete_process_ms=$jbp"
    echo "median qemu: marker_ms=$qm process_ms=$qp"
    echo "ratio jvmm/qemu: marker $(ratio "$jm" "$qm"), process $(ratio "$jp" "$qp")"
} | tee -a "$OUT/results.txt"
