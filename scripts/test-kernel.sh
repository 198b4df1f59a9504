#!/usr/bin/env bash
# Builds the test kernel and initramfs that `jvmm run` boots (issue 4):
#   build/test-kernel/vmlinuz             Debian's linux-image-*-cloud-amd64 bzImage
#   build/test-kernel/initramfs.cpio.gz   /init (static C: port 0x3f0 <- 123, marker, reboot) + busybox
#   build/test-kernel/versions.txt        the Debian package versions used
#
# Usage: scripts/test-kernel.sh [OUTPUT_DIR]        (default: build/test-kernel, ignored by git)
# Idempotent: downloaded packages are kept in OUTPUT_DIR/debs and reused; the initramfs is
# rebuilt each run (it takes well under a second) and replaced atomically.
#
# Boot it with:
#   ./jvmm run --kernel build/test-kernel/vmlinuz --initrd build/test-kernel/initramfs.cpio.gz \
#       --mem 512M --cmdline "console=ttyS0 reboot=k panic=-1"
# The guest prints JVMM-TEST-KERNEL-OK on the serial console, writes 123 to I/O port 0x3f0 just
# before (Firecracker's boot-complete signal), and reboots (reboot=k: through the i8042).
# Add jvmm_shell=1 to the command line to get a busybox shell after the marker instead of a reboot.
#
# virtio (the guest side of jvmm's virtio-mmio devices, found through ACPI LNRO0005 only: this kernel
# has no CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES):
#   jvmm_virtio=1        /init loads the modules virtio_ring virtio virtio_mmio virtio_blk virtio-rng
#                        (from this kernel package, in modprobe's dependency order) before anything
#                        else and prints JVMM-VIRTIO-MODULES=ok (or the modules that failed and why);
#                        then the usual marker and CPU lines; then /dev (devtmpfs) and /proc are mounted.
#   jvmm_virtio_test=1   runs /virtio-test.sh (below), printing JVMM-DISK-READ=, JVMM-DISK-WRITE=,
#                        JVMM-DISK-RO=, JVMM-HWRNG=, JVMM-HWRNG-CURRENT=, ..., JVMM-DISK-DONE
#   jvmm_acpi_dump=1     the test also prints the DSDT in base64 between JVMM-DSDT-BEGIN and -END
#   jvmm_blk_bench=1     sequential O_DIRECT write, then read, of the raw /dev/vda (destroys its
#                        contents): JVMM-BLK-WRITE-MBPS=, JVMM-BLK-FLUSH-MS=, JVMM-BLK-READ-MBPS=
#                        (MiB/s); jvmm_blk_bench_mib=N (default 256), jvmm_blk_bench_kib=N (request
#                        size, default 1024)
# after which the guest reboots as in the plain boot. The test needs jvmm_virtio=1 as well.
set -euo pipefail

MARKER="JVMM-TEST-KERNEL-OK"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-"$ROOT/build/test-kernel"}

die() { echo "test-kernel.sh: error: $*" >&2; exit 1; }
log() { echo "test-kernel.sh: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found; $2"; }

need apt-get "this script fetches Debian packages with apt-get download (Debian/Ubuntu host needed)"
need apt-cache "it comes with apt"
need dpkg-deb "it comes with dpkg"
need gcc "install gcc and libc6-dev (the /init program is built with gcc -static)"
need gzip "install gzip"
need perl "perl writes the cpio archive"
need depmod "install kmod (the virtio modules' dependencies are resolved with depmod and modprobe)"
need modprobe "install kmod"

mkdir -p "$OUT/debs"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "$OUT/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- resolve package names ----------------------------------------------------------------------
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }'; }

if [ -z "$(candidate linux-image-cloud-amd64)" ] || [ "$(candidate linux-image-cloud-amd64)" = "(none)" ]; then
    if [ "$(id -u)" = 0 ]; then
        log "package lists do not know linux-image-cloud-amd64; running apt-get update"
        apt-get update -qq || die "apt-get update failed (is a Debian mirror reachable?)"
    else
        die "apt does not know linux-image-cloud-amd64: run 'apt-get update' as root first (Debian bookworm or later, main)"
    fi
fi

# linux-image-cloud-amd64 is a metapackage: its dependency names the real kernel package.
KPKG=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
    | awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-amd64(-unsigned)?$/ { print $2; exit }')
[ -n "$KPKG" ] || die "could not resolve linux-image-cloud-amd64 to a linux-image-*-cloud-amd64 package (apt-cache depends linux-image-cloud-amd64)"

# download PKG: fetches the candidate .deb into $OUT/debs unless that exact version is there already.
download() {
    local pkg=$1 ver file
    ver=$(candidate "$pkg")
    { [ -n "$ver" ] && [ "$ver" != "(none)" ]; } || die "apt has no candidate for $pkg"
    # apt-get download names files PKG_VERSION_ARCH.deb with ':' in the version written as %3a.
    file=$(ls "$OUT/debs/${pkg}_${ver/:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$file" ]; then
        log "downloading $pkg $ver"
        (cd "$OUT/debs" && apt-get download -q "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
        file=$(ls "$OUT/debs/${pkg}_${ver/:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
        [ -n "$file" ] || die "apt-get download $pkg reported success but no .deb appeared in $OUT/debs"
    else
        log "using cached $(basename "$file")"
    fi
    echo "$file"
}

KDEB=$(download "$KPKG")
BDEB=$(download busybox-static)

# --- kernel --------------------------------------------------------------------------------------
dpkg-deb -x "$KDEB" "$WORK/kernel" || die "dpkg-deb could not extract $KDEB"
VMLINUZ=$(ls "$WORK"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
[ -n "$VMLINUZ" ] || die "$KDEB has no boot/vmlinuz-*"
# A bzImage carries "HdrS" at offset 0x202 (Documentation/arch/x86/boot.rst).
[ "$(dd if="$VMLINUZ" bs=1 skip=514 count=4 2>/dev/null)" = "HdrS" ] || die "$VMLINUZ is not a bzImage (no HdrS at 0x202)"

# --- busybox -------------------------------------------------------------------------------------
dpkg-deb -x "$BDEB" "$WORK/busybox" || die "dpkg-deb could not extract $BDEB"
BUSYBOX="$WORK/busybox/bin/busybox"
[ -x "$BUSYBOX" ] || die "$BDEB has no executable bin/busybox"

# --- virtio modules --------------------------------------------------------------------------------
# The package ships no modules.dep: depmod writes one into the extracted tree, and modprobe
# --show-depends prints "insmod PATH" lines, dependencies first. They are copied uncompressed to
# /lib/modules (busybox insmod and finit_module without MODULE_INIT_COMPRESSED_FILE need plain ELF).
VIRTIO_MODULES="virtio_mmio virtio_blk virtio-rng"
KVER=$(ls "$WORK/kernel/lib/modules" 2>/dev/null | head -n 1 || true)
[ -n "$KVER" ] || die "$KDEB has no lib/modules/*"
depmod -b "$WORK/kernel" "$KVER" || die "depmod -b on the extracted $KPKG failed"
mkdir -p "$WORK/modules"
MODULE_ORDER=()
for m in $VIRTIO_MODULES; do
    deps=$(modprobe -d "$WORK/kernel" -S "$KVER" --show-depends "$m") \
        || die "modprobe --show-depends $m: no such module in $KPKG"
    while read -r kind f _; do
        [ "$kind" = insmod ] || continue
        name=$(basename "$f")
        case $name in
            *.ko) cp "$f" "$WORK/modules/$name" ;;
            *.ko.xz) need xz "install xz-utils"; name=${name%.xz}; xz -dc "$f" > "$WORK/modules/$name" ;;
            *.ko.zst) need zstd "install zstd"; name=${name%.zst}; zstd -qdc "$f" > "$WORK/modules/$name" ;;
            *.ko.gz) name=${name%.gz}; gzip -dc "$f" > "$WORK/modules/$name" ;;
            *) die "unexpected module file $f" ;;
        esac || die "cannot copy module $f"
        [[ " ${MODULE_ORDER[*]} " == *" $name "* ]] || MODULE_ORDER+=("$name")
    done <<< "$deps"
done
[ ${#MODULE_ORDER[@]} -gt 0 ] || die "no virtio modules found in $KPKG"
MODULES_C=$(printf '"%s", ' "${MODULE_ORDER[@]}")

# --- /virtio-test.sh (busybox sh, run by /init with jvmm_virtio_test=1) ------------------------------
cat > "$WORK/virtio-test.sh" <<'VTEST'
# The in-guest virtio test (scripts/test-kernel.sh). /init runs it after loading the virtio modules
# and mounting /dev (devtmpfs), /proc and /sys. Every result is one line on the console:
#   JVMM-DISK-READ=<sha256 of known.bin on the ext4 /dev/vda>    or what went wrong
#   JVMM-DISK-WRITE=<sha256 of written.bin, read back after sync, umount and a new mount>: its
#     content is `seq -w 1 500000 | head -c 3145728` (3 MiB), left on /dev/vda after a clean umount
#   JVMM-DISK-RO=refused|ACCEPTED|absent   /dev/vdb: refused = sysfs ro is 1, a raw write fails and
#     a read-write mount does not stay read-write; JVMM-DISK-RO-DETAIL= says what each did, and
#     JVMM-DISK-RO-READ=<sha256 of its first MiB> (the write offered back its own first 4 KiB)
#   JVMM-HWRNG=<bytes read from /dev/hwrng, of 64>, JVMM-HWRNG-DISTINCT=<distinct byte values>,
#   JVMM-HWRNG-CURRENT=<rng_current>
#   JVMM-DISK-DONE
# and "JVMM-INFO ..." lines (which virtio device each disk is, the virtio interrupts).
/bin/busybox --install -s /bin
PATH=/bin
export PATH
mkdir -p /mnt /tmp

# wait_for PATH [TENTHS]: whether PATH appears within TENTHS tenths of a second (default 50).
wait_for() {
    i=0
    while [ ! -e "$1" ] && [ "$i" -lt "${2:-50}" ]; do usleep 100000; i=$((i + 1)); done
    [ -e "$1" ]
}
# oneline: a command's messages on one line, for a marker's value.
oneline() { tr '\n' ' ' | sed 's/ *$//'; }
sha() { sha256sum | cut -d' ' -f1; }

WRITTEN_BYTES=3145728
if ! wait_for /dev/vda; then
    echo "JVMM-DISK-READ=no /dev/vda"
    echo "JVMM-DISK-WRITE=no /dev/vda"
elif ! err=$(mount -t ext4 -o rw /dev/vda /mnt 2>&1); then
    echo "JVMM-DISK-READ=mount -t ext4 -o rw /dev/vda failed: $(echo "$err" | oneline)"
    echo "JVMM-DISK-WRITE=not mounted"
else
    if [ -f /mnt/known.bin ]; then
        echo "JVMM-DISK-READ=$(sha < /mnt/known.bin)"
    else
        echo "JVMM-DISK-READ=no known.bin on /dev/vda"
    fi
    rm -f /mnt/written.bin
    if ! err=$(seq -w 1 500000 | head -c $WRITTEN_BYTES 2>&1 > /mnt/written.bin); then
        echo "JVMM-DISK-WRITE=writing failed: $(echo "$err" | oneline)"
        umount /mnt
    elif ! sync || ! err=$(umount /mnt 2>&1); then
        echo "JVMM-DISK-WRITE=umount after writing failed: $(echo "$err" | oneline)"
    elif ! err=$(mount -t ext4 -o ro /dev/vda /mnt 2>&1); then
        echo "JVMM-DISK-WRITE=mounting again failed: $(echo "$err" | oneline)"
    else
        size=$(stat -c %s /mnt/written.bin 2>&1)
        w=$(sha < /mnt/written.bin)
        if ! err=$(umount /mnt 2>&1); then
            echo "JVMM-DISK-WRITE=final umount failed: $(echo "$err" | oneline)"
        elif [ "$size" != $WRITTEN_BYTES ]; then
            echo "JVMM-DISK-WRITE=written.bin has $size bytes, not $WRITTEN_BYTES"
        else
            echo "JVMM-DISK-WRITE=$w"
        fi
    fi
fi

if ! wait_for /dev/vdb 5; then
    echo "JVMM-DISK-RO=absent"
else
    ro=$(cat /sys/block/vdb/ro)
    first=$(dd if=/dev/vdb bs=1M count=1 iflag=direct 2>/dev/null | sha)
    dd if=/dev/vdb of=/tmp/vdb.head bs=4096 count=1 2>/dev/null
    if err=$(dd if=/tmp/vdb.head of=/dev/vdb bs=4096 count=1 oflag=direct conv=fsync 2>&1); then
        dd_result=accepted
    else
        dd_result="failed ($(echo "$err" | oneline))"
    fi
    if err=$(mount -t ext4 -o rw /dev/vdb /mnt 2>&1); then
        if grep -q '^/dev/vdb /mnt [^ ]* rw[, ]' /proc/mounts; then mount_result="mounted rw"; else mount_result="mounted ro ($(echo "$err" | oneline))"; fi
        umount /mnt
    else
        mount_result="failed ($(echo "$err" | oneline))"
    fi
    case "$ro $dd_result $mount_result" in
        "1 failed"*) [ "$mount_result" = "mounted rw" ] && verdict=ACCEPTED || verdict=refused ;;
        *) verdict=ACCEPTED ;;
    esac
    echo "JVMM-DISK-RO=$verdict"
    echo "JVMM-DISK-RO-DETAIL=sysfs_ro=$ro raw_write=$dd_result mount_rw=$mount_result"
    echo "JVMM-DISK-RO-READ=$first"
fi

rng_bytes=0
if [ -c /dev/hwrng ]; then
    timeout 10 dd if=/dev/hwrng of=/tmp/rng bs=64 count=1 iflag=fullblock 2>/dev/null
    rng_bytes=$(wc -c < /tmp/rng)
fi
echo "JVMM-HWRNG=$rng_bytes"
echo "JVMM-HWRNG-DISTINCT=$(od -An -v -tx1 /tmp/rng 2>/dev/null | tr -s ' ' '\n' | grep . | sort -u | wc -l)"
echo "JVMM-HWRNG-CURRENT=$(cat /sys/class/misc/hw_random/rng_current 2>&1 | oneline)"

for d in /sys/block/vd*; do
    [ -e "$d" ] && echo "JVMM-INFO ${d##*/}=$(readlink -f "$d/device") size_sectors=$(cat "$d/size") ro=$(cat "$d/ro")"
done
for v in /sys/bus/virtio/devices/virtio*; do
    [ -e "$v" ] && echo "JVMM-INFO ${v##*/} device=$(cat "$v/device") features=$(cat "$v/features") driver=$(basename "$(readlink "$v/driver")")"
done
for q in /sys/block/vd*/queue; do
    [ -e "$q" ] && echo "JVMM-INFO ${q%/queue}: max_segments=$(cat "$q/max_segments") max_segment_size=$(cat "$q/max_segment_size") max_hw_sectors_kb=$(cat "$q/max_hw_sectors_kb") nr_requests=$(cat "$q/nr_requests") write_cache=$(cat "$q/write_cache")" | sed 's|/sys/block/||'
done
grep -i virtio /proc/interrupts | sed 's/  */ /g; s/^/JVMM-INFO irq/'
if grep -q 'jvmm_acpi_dump=1' /proc/cmdline; then
    echo "JVMM-DSDT-BEGIN"
    base64 /sys/firmware/acpi/tables/DSDT
    echo "JVMM-DSDT-END"
fi
echo "JVMM-DISK-DONE"
VTEST

# --- /init ---------------------------------------------------------------------------------------
cat > "$WORK/init.c" <<CSRC
/* /init of the jvmm test initramfs (built by scripts/test-kernel.sh). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char marker[] = "$MARKER\n";

static int say(int fd) {
    return fd >= 0 && write(fd, marker, sizeof marker - 1) == (ssize_t) (sizeof marker - 1);
}

/*
 * The CPUs the kernel brought up, and work on all of them at once (issue 10): one child per online
 * CPU, pinned to it, counts itself in on a shared page and then spins until every child has
 * counted itself in, so none can finish unless all of them run concurrently. Prints
 *   JVMM-CPUS-ONLINE=<sysfs list, e.g. 0-3>
 *   JVMM-SMP-WORK=<children that ran on their own CPU while all ran>/<online CPUs>
 */
static void report_cpus(void) {
    char online[64] = "?";
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) == 0) {
        int fd = open("/sys/devices/system/cpu/online", O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, online, sizeof online - 1) : -1;
        if (n > 0) {
            online[n] = 0;
            online[strcspn(online, "\n")] = 0;
        }
    }
    printf("JVMM-CPUS-ONLINE=%s\n", online);
    fflush(stdout);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    volatile int *arrived = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (cpus < 1 || arrived == MAP_FAILED) {
        printf("JVMM-SMP-WORK=0/%ld\n", cpus);
        return;
    }
    for (long i = 0; i < cpus; i++) {
        if (fork() == 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(i, &set);
            if (sched_setaffinity(0, sizeof set, &set) != 0) {
                _exit(2);
            }
            __atomic_add_fetch(arrived, 1, __ATOMIC_SEQ_CST);
            time_t give_up = time(NULL) + 30;
            while (__atomic_load_n(arrived, __ATOMIC_SEQ_CST) < cpus && time(NULL) < give_up) {
            }
            _exit(__atomic_load_n(arrived, __ATOMIC_SEQ_CST) == cpus && sched_getcpu() == i ? 0 : 1);
        }
    }
    int ok = 0;
    for (long i = 0; i < cpus; i++) {
        int status;
        if (wait(&status) > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            ok++;
        }
    }
    printf("JVMM-SMP-WORK=%d/%ld\n", ok, cpus);
    fflush(stdout);
}

/* The virtio modules in /lib/modules, dependencies first (modprobe --show-depends, at build time). */
static const char *const virtio_modules[] = { $MODULES_C };

/*
 * jvmm_virtio=1: loads the virtio modules with finit_module(2), the way insmod does (no
 * parameters). A module already loaded (EEXIST) counts as loaded. Prints
 *   JVMM-VIRTIO-MODULES=ok   or   JVMM-VIRTIO-MODULES=<module>: <error>, ...
 * virtio_mmio binds to the ACPI LNRO0005 devices the kernel found at boot; virtio_blk and
 * virtio-rng probe the virtio devices synchronously while they load.
 */
static void load_virtio_modules(void) {
    char failed[512] = "";
    for (size_t i = 0; i < sizeof virtio_modules / sizeof virtio_modules[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/lib/modules/%s", virtio_modules[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        int rc = fd < 0 ? -1 : (int) syscall(SYS_finit_module, fd, "", 0);
        int err = errno;
        if (fd >= 0) {
            close(fd);
        }
        if (rc != 0 && err != EEXIST) {
            size_t len = strlen(failed);
            snprintf(failed + len, sizeof failed - len, "%s%s: %s", len ? ", " : "", virtio_modules[i],
                strerror(err));
        }
    }
    printf("JVMM-VIRTIO-MODULES=%s\n", failed[0] ? failed : "ok");
    fflush(stdout);
}

/* The in-guest test's file systems: device nodes (virtio_blk's vda..., /dev/hwrng) and /proc. */
static void mount_virtio_test_fs(void) {
    if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0) {
        perror("init: mount devtmpfs /dev");
    }
    if (mount("proc", "/proc", "proc", 0, NULL) != 0) {
        perror("init: mount proc /proc");
    }
}

/* jvmm_virtio_test=1: runs /virtio-test.sh with busybox sh and waits for it. */
static void run_virtio_test(void) {
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "/virtio-test.sh", (char *) NULL);
        perror("init: exec /bin/sh /virtio-test.sh");
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        perror("init: running /virtio-test.sh");
    }
}

/* Whether the kernel command line said NAME=1 (the kernel hands such parameters to init as environment). */
static int flag(const char *name) {
    const char *v = getenv(name);
    return v != NULL && strcmp(v, "1") == 0;
}

static long env_long(const char *name, long fallback) {
    const char *v = getenv(name);
    char *end;
    long n = v != NULL ? strtol(v, &end, 10) : 0;
    return v != NULL && *v != 0 && *end == 0 && n > 0 ? n : fallback;
}

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

/*
 * jvmm_blk_bench=1: sequential O_DIRECT writes, then fdatasync, then sequential O_DIRECT reads of
 * the raw /dev/vda (its contents are overwritten), one request of jvmm_blk_bench_kib KiB (1024) at
 * a time, jvmm_blk_bench_mib MiB (256, at most the disk's size) each way. O_DIRECT skips the
 * guest's page cache, so every request reaches the device; one at a time (queue depth 1) makes it
 * the per-request cost of the device model and the host file it writes to. Prints, in MiB/s and ms:
 *   JVMM-BLK-BENCH=bytes=<n> request_bytes=<n> disk_bytes=<n>
 *   JVMM-BLK-WRITE-MBPS=<n>  JVMM-BLK-FLUSH-MS=<n>  JVMM-BLK-READ-MBPS=<n>
 * or JVMM-BLK-BENCH=failed: <what> (and no MBPS lines).
 */
static void blk_bench(void) {
    size_t request = (size_t) env_long("jvmm_blk_bench_kib", 1024) << 10;
    uint64_t want = (uint64_t) env_long("jvmm_blk_bench_mib", 256) << 20, disk = 0;
    for (int i = 0; i < 50 && access("/dev/vda", F_OK) != 0; i++) {
        usleep(100000);
    }
    int fd = open("/dev/vda", O_RDWR | O_DIRECT | O_CLOEXEC);
    if (fd < 0 || ioctl(fd, BLKGETSIZE64, &disk) != 0) {
        printf("JVMM-BLK-BENCH=failed: /dev/vda: %s\n", strerror(errno));
        fflush(stdout);
        return;
    }
    uint64_t total = (want < disk ? want : disk) / request * request;
    unsigned char *buf = mmap(NULL, request, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED || total == 0) {
        printf("JVMM-BLK-BENCH=failed: %s\n", buf == MAP_FAILED ? strerror(errno) : "disk smaller than one request");
        fflush(stdout);
        close(fd);
        return;
    }
    for (size_t i = 0; i < request; i++) {
        buf[i] = (unsigned char) (i * 131 + 7);
    }
    const char *failed = NULL;
    double t0 = seconds();
    for (uint64_t off = 0; off < total && failed == NULL; off += request) {
        if (pwrite(fd, buf, request, (off_t) off) != (ssize_t) request) {
            failed = "write";
        }
    }
    double t1 = seconds();
    if (failed == NULL && fdatasync(fd) != 0) {
        failed = "fdatasync";
    }
    double t2 = seconds();
    for (uint64_t off = 0; off < total && failed == NULL; off += request) {
        if (pread(fd, buf, request, (off_t) off) != (ssize_t) request) {
            failed = "read";
        }
    }
    double t3 = seconds();
    close(fd);
    if (failed != NULL) {
        printf("JVMM-BLK-BENCH=failed: %s: %s\n", failed, strerror(errno));
    } else {
        double mib = (double) total / (1 << 20);
        printf("JVMM-BLK-BENCH=bytes=%llu request_bytes=%zu disk_bytes=%llu\n", (unsigned long long) total,
            request, (unsigned long long) disk);
        printf("JVMM-BLK-WRITE-MBPS=%.1f\n", mib / (t1 - t0));
        printf("JVMM-BLK-FLUSH-MS=%.1f\n", (t2 - t1) * 1000);
        printf("JVMM-BLK-READ-MBPS=%.1f\n", mib / (t3 - t2));
    }
    fflush(stdout);
}

int main(void) {
    int virtio = flag("jvmm_virtio");
    if (virtio) {
        load_virtio_modules();
    }
    /* Firecracker's boot-complete signal: the VMM times boot up to this port write. */
    if (ioperm(0x3f0, 1, 1) == 0) {
        outb(123, 0x3f0);
    } else {
        perror("init: ioperm(0x3f0)");
    }
    /* The kernel opens /dev/console as fds 0-2 for init; fall back if it could not. */
    if (!say(1)) {
        int fd = open("/dev/console", O_WRONLY | O_NOCTTY);
        if (!say(fd)) {
            say(open("/dev/kmsg", O_WRONLY));
        }
    }
    report_cpus();
    if (virtio) {
        mount_virtio_test_fs();
        if (flag("jvmm_virtio_test")) {
            run_virtio_test();
        }
        if (flag("jvmm_blk_bench")) {
            blk_bench();
        }
    }
    if (getenv("jvmm_shell") != NULL) {
        execl("/bin/sh", "sh", (char *) NULL);
        perror("init: exec /bin/sh");
    }
    sync();
    reboot(RB_AUTOBOOT);
    perror("init: reboot");
    for (;;) {
        pause();
    }
}
CSRC
gcc -static -Os -s -o "$WORK/init" "$WORK/init.c" \
    || die "gcc -static failed (install libc6-dev for the static libc)"

# --- initramfs (cpio newc, gzip) -------------------------------------------------------------------
# Written by perl so that /dev/console can be a device node without mknod privileges.
# newc: "070701", 13 eight-digit hex fields, NUL-terminated name, 4-byte padding after name and data.
cat > "$WORK/spec" <<SPEC
dir dev 040755
nod dev/console 020600 5 1
dir bin 040755
dir proc 040755
dir sys 040755
dir tmp 041777
dir root 040700
dir mnt 040755
dir lib 040755
dir lib/modules 040755
file init 0100755 $WORK/init
file virtio-test.sh 0100644 $WORK/virtio-test.sh
file bin/busybox 0100755 $BUSYBOX
slink bin/sh 0120777 busybox
SPEC
for name in "${MODULE_ORDER[@]}"; do
    echo "file lib/modules/$name 0100644 $WORK/modules/$name" >> "$WORK/spec"
done
perl -e '
    use strict; use warnings;
    my $ino = 1;
    sub pad { my $n = shift; return "\0" x ((4 - $n % 4) % 4); }
    sub entry {
        my ($name, $mode, $data, $rmaj, $rmin) = @_;
        my $hdr = sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
            $ino++, $mode, 0, 0, ($mode & 0170000) == 040000 ? 2 : 1, 0, length($data),
            0, 0, $rmaj, $rmin, length($name) + 1, 0);
        print $hdr, $name, "\0", pad(length($hdr) + length($name) + 1), $data, pad(length($data));
    }
    open(my $spec, "<", $ARGV[0]) or die "spec: $!";
    binmode STDOUT;
    while (<$spec>) {
        chomp; my @f = split / /;
        my $mode = oct($f[2]);
        if ($f[0] eq "dir") { entry($f[1], $mode, "", 0, 0); }
        elsif ($f[0] eq "nod") { entry($f[1], $mode, "", $f[3], $f[4]); }
        elsif ($f[0] eq "slink") { entry($f[1], $mode, $f[3], 0, 0); }
        elsif ($f[0] eq "file") {
            open(my $in, "<:raw", $f[3]) or die "$f[3]: $!";
            local $/; my $data = <$in>; close $in;
            entry($f[1], $mode, $data, 0, 0);
        } else { die "bad spec line: $_"; }
    }
    $ino = 0;
    entry("TRAILER!!!", 0, "", 0, 0);
' "$WORK/spec" > "$WORK/initramfs.cpio" || die "writing the cpio archive failed"
gzip -9 -n < "$WORK/initramfs.cpio" > "$WORK/initramfs.cpio.gz" || die "gzip failed"

# --- publish ---------------------------------------------------------------------------------------
cp "$VMLINUZ" "$WORK/vmlinuz"
{
    echo "kernel_package=$KPKG $(dpkg-deb -f "$KDEB" Version)"
    echo "kernel_file=$(basename "$VMLINUZ")"
    echo "busybox_package=busybox-static $(dpkg-deb -f "$BDEB" Version)"
    echo "gcc=$(gcc -dumpfullversion)"
    echo "marker=$MARKER"
    echo "virtio_modules=${MODULE_ORDER[*]}"
} > "$WORK/versions.txt"
for f in vmlinuz initramfs.cpio.gz versions.txt; do
    mv -f "$WORK/$f" "$OUT/$f"
done
cp -f "$WORK/init" "$OUT/init"

log "kernel:    $OUT/vmlinuz ($KPKG)"
log "initramfs: $OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
cat "$OUT/versions.txt" >&2
