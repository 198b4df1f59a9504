#!/usr/bin/env bash
# virtio-blk throughput, jvmm against QEMU's microvm: alternating runs of the test kernel with
# jvmm_blk_bench=1 (scripts/test-kernel.sh: sequential O_DIRECT writes, fdatasync, then sequential
# O_DIRECT reads of the raw /dev/vda, 1 MiB requests one at a time, timed in the guest with
# clock_gettime), on the same kernel, initramfs, memory and disk image:
#   ./jvmm run --kernel K --initrd I --mem 512M --cmdline C --disk IMG --timeout 300s
#   qemu-system-x86_64 -M microvm -accel kvm -cpu host -m 512M -smp 1 ... -append C' \
#       -global virtio-mmio.force-legacy=false \
#       -drive id=d0,file=IMG,format=raw,if=none -device virtio-blk-device,drive=d0
# C = "console=ttyS0 reboot=k panic=-1 jvmm_virtio=1 jvmm_blk_bench=1"; QEMU's C' has reboot=t
# instead: microvm has no i8042, so reboot=k falls back to a real-mode BIOS restart that boots the
# kernel again instead of resetting, and -no-reboot never sees a reset (a triple fault it does see).
# QEMU's drive uses its default cache mode, writeback (host page cache, fdatasync on a guest
# flush), as jvmm's FileChannel does.
#
# Usage: scripts/blk-bench.sh [--qemu-only] [RUNS]      (default 3 runs of each)
#   --qemu-only   only the QEMU runs (no jvmm jar needed)
#   BLK_BENCH_MIB=N        MiB written and read per run (default 256)
#   BLK_BENCH_JAVA_OPTS=...  extra JVM options for jvmm's runs (JVMM_JAVA_OPTS of ./jvmm)
#   BLK_BENCH_IMAGE_MIB=N  size of the raw image (default 512), written with zeros before the first
#                          run so that no run pays for allocating it
#   Where this host's KVM is hardware-assisted the runs happen here, with the image in /tmp;
#   otherwise (PVM, no /dev/kvm) in the nested KVM test host (scripts/kvm-host.sh; started here
#   and stopped at the end unless KVM_HOST_SESSION names one that is already running), with the
#   image in L1's /tmp (its tmpfs overlay). Each run holds /tmp/jvmm-cpu.lock (flock) when flock is
#   there, so that other timed work does not overlap it; L1 itself does not hold it between runs.
# Output: one line per run ("qemu 2 write_mbps=... flush_ms=... read_mbps=... exit=..."), then
# the medians and the jvmm/QEMU ratios (MiB/s; above 1 means jvmm is faster); the raw console
# logs are kept in build/blk-bench/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QEMU_ONLY=""
if [ "${1:-}" = --qemu-only ]; then QEMU_ONLY=1; shift; fi
RUNS=${1:-3}
MIB=${BLK_BENCH_MIB:-256}
IMAGE_MIB=${BLK_BENCH_IMAGE_MIB:-512}
K=$ROOT/build/test-kernel
OUT=$ROOT/build/blk-bench
JAR=$ROOT/vmm-cli/target/jvmm.jar
IMG=/tmp/blk-bench.img
CMDLINE="console=ttyS0 reboot=k panic=-1 jvmm_virtio=1 jvmm_blk_bench=1 jvmm_blk_bench_mib=$MIB"
QEMU_CMDLINE=${CMDLINE/reboot=k/reboot=t}

die() { echo "blk-bench.sh: error: $*" >&2; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$RUNS'"
[[ $MIB =~ ^[1-9][0-9]*$ ]] && [[ $IMAGE_MIB =~ ^[1-9][0-9]*$ ]] && [ "$MIB" -le "$IMAGE_MIB" ] \
    || die "BLK_BENCH_MIB ($MIB) must be a positive number no larger than BLK_BENCH_IMAGE_MIB ($IMAGE_MIB)"
[ -f "$K/vmlinuz" ] && [ -f "$K/initramfs.cpio.gz" ] || die "no test kernel in $K: run scripts/test-kernel.sh"
zcat "$K/initramfs.cpio.gz" | cpio -t 2>/dev/null | grep -qx lib/modules/virtio_blk.ko \
    || die "$K/initramfs.cpio.gz has no virtio modules: run scripts/test-kernel.sh again"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: install qemu-system-x86"
if [ -z "$QEMU_ONLY" ]; then
    # ./jvmm would run Maven where the jar is stale; in L1 that would build into the tmpfs overlay.
    [ -f "$JAR" ] || die "no $JAR: run mvn -B -q package -DskipTests (or use --qemu-only)"
fi
mkdir -p "$OUT"

JVMM=(env "JVMM_JAVA_OPTS=${BLK_BENCH_JAVA_OPTS:-}" "$ROOT/jvmm" run --kernel "$K/vmlinuz" --initrd "$K/initramfs.cpio.gz" --mem 512M
    --cmdline "$CMDLINE" --disk "$IMG" --timeout 300s)
# microvm as boot-bench.sh runs it (no default devices, the ISA serial port on stdio, exit at the
# guest's reset) with one virtio-blk on a virtio-mmio transport (described by microvm's ACPI DSDT
# as LNRO0005, as jvmm describes its own). QEMU's virtio-mmio is a legacy (version 1) transport
# unless force-legacy is off; jvmm's is virtio 1.x (version 2), and so is QEMU's here.
QEMU=(qemu-system-x86_64 -M microvm -accel kvm -cpu host -m 512M -smp 1 -nodefaults -no-user-config
    -display none -serial stdio -no-reboot -kernel "$K/vmlinuz" -initrd "$K/initramfs.cpio.gz"
    -append "$QEMU_CMDLINE" -global virtio-mmio.force-legacy=false
    -drive "id=d0,file=$IMG,format=raw,if=none" -device virtio-blk-device,drive=d0)

nested=""
started=""
kvm_ok() {
    if [ -f "$JAR" ]; then java -jar "$JAR" check >/dev/null 2>&1; else [ -w /dev/kvm ]; fi
}
if ! kvm_ok || [ -d /sys/module/kvm_pvm ]; then
    nested=1
    if ! "$ROOT/scripts/kvm-host.sh" status >/dev/null 2>&1; then
        if command -v flock >/dev/null; then
            # -o: the lock's descriptor is not inherited by L1's QEMU, which outlives start and
            # would otherwise hold the lock until it stops.
            flock -o /tmp/jvmm-cpu.lock "$ROOT/scripts/kvm-host.sh" start
        else
            "$ROOT/scripts/kvm-host.sh" start
        fi
        started=1
    fi
fi
# where CMD...: runs CMD where KVM is (here or in L1), with its stdout and stderr.
where() {
    if [ -n "$nested" ]; then
        "$ROOT/scripts/kvm-host.sh" exec --timeout 400 -- "$@"
    else
        timeout 400 "$@"
    fi
}
cleanup() {
    where rm -f "$IMG" || true
    if [ -n "$started" ]; then "$ROOT/scripts/kvm-host.sh" stop; fi
}
trap cleanup EXIT

where dd if=/dev/zero of="$IMG" bs=1M count="$IMAGE_MIB" status=none \
    || die "could not write the $IMAGE_MIB MiB image $IMG${nested:+ in L1}"

# one NAME I: one measured run, its console in $OUT/NAME-I.log, its result line on stdout.
one() {
    local name=$1 i=$2 log="$OUT/$1-$2.log" lock=() status
    local -a cmd
    if [ "$name" = jvmm ]; then cmd=("${JVMM[@]}"); else cmd=("${QEMU[@]}"); fi
    command -v flock >/dev/null && lock=(flock -o /tmp/jvmm-cpu.lock)
    status=0
    if [ -n "$nested" ]; then
        "${lock[@]}" "$ROOT/scripts/kvm-host.sh" exec --timeout 400 -- "${cmd[@]}" > "$log" 2>&1 || status=$?
    else
        "${lock[@]}" timeout 400 "${cmd[@]}" > "$log" 2>&1 || status=$?
    fi
    local w f r
    w=$(tr -d '\r' < "$log" | sed -n 's/^JVMM-BLK-WRITE-MBPS=\([0-9.]*\)$/\1/p' | head -n 1)
    f=$(tr -d '\r' < "$log" | sed -n 's/^JVMM-BLK-FLUSH-MS=\([0-9.]*\)$/\1/p' | head -n 1)
    r=$(tr -d '\r' < "$log" | sed -n 's/^JVMM-BLK-READ-MBPS=\([0-9.]*\)$/\1/p' | head -n 1)
    echo "$name $i write_mbps=${w:-none} flush_ms=${f:-none} read_mbps=${r:-none} exit=$status"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "none"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m }'; }
# field NAME KEY: KEY's values over NAME's runs that printed both rates; a run that did not (a JVM
# that crashed in L1, a timeout) is listed but left out of the medians. QEMU's exit status is not
# required to be 0: the rates are complete before the guest resets.
field() { { grep "^$1 " "$OUT/results.txt" | grep -v '_mbps=none' || true; } | tr ' ' '\n' | sed -n "s/^$2=\([0-9.]*\)$/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "none" }'; }

: > "$OUT/results.txt"
echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, ${nested:+nested KVM test host (L1 $(head -n 1 "${KVM_HOST_DIR:-$ROOT/build/kvm-host}/versions.txt" 2>/dev/null)), }$(qemu-system-x86_64 --version | head -n 1); $MIB MiB each way, 1 MiB O_DIRECT requests, $IMAGE_MIB MiB raw image in ${nested:+L1 }/tmp" | tee -a "$OUT/results.txt"
for i in $(seq "$RUNS"); do
    [ -n "$QEMU_ONLY" ] || one jvmm "$i" | tee -a "$OUT/results.txt"
    one qemu "$i" | tee -a "$OUT/results.txt"
done
qw=$(field qemu write_mbps | median); qr=$(field qemu read_mbps | median); qf=$(field qemu flush_ms | median)
{
    if [ -n "$QEMU_ONLY" ]; then
        echo "successful runs: qemu $(field qemu write_mbps | wc -l) of $RUNS (--qemu-only: jvmm not run)"
    else
        echo "successful runs: jvmm $(field jvmm write_mbps | wc -l) of $RUNS, qemu $(field qemu write_mbps | wc -l) of $RUNS"
    fi
    printf '%-8s %12s %12s %10s\n' "median" "write MiB/s" "read MiB/s" "flush ms"
    if [ -z "$QEMU_ONLY" ]; then
        jw=$(field jvmm write_mbps | median); jr=$(field jvmm read_mbps | median); jf=$(field jvmm flush_ms | median)
        printf '%-8s %12s %12s %10s\n' jvmm "$jw" "$jr" "$jf"
    fi
    printf '%-8s %12s %12s %10s\n' qemu "$qw" "$qr" "$qf"
    if [ -z "$QEMU_ONLY" ]; then
        printf '%-8s %12s %12s\n' "jvmm/qemu" "$(ratio "$jw" "$qw")" "$(ratio "$jr" "$qr")"
    fi
} | tee -a "$OUT/results.txt"
