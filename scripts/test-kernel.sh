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

# --- /init ---------------------------------------------------------------------------------------
cat > "$WORK/init.c" <<CSRC
/* /init of the jvmm test initramfs (built by scripts/test-kernel.sh). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
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

int main(void) {
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
file init 0100755 $WORK/init
file bin/busybox 0100755 $BUSYBOX
slink bin/sh 0120777 busybox
SPEC
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
} > "$WORK/versions.txt"
for f in vmlinuz initramfs.cpio.gz versions.txt; do
    mv -f "$WORK/$f" "$OUT/$f"
done
cp -f "$WORK/init" "$OUT/init"

log "kernel:    $OUT/vmlinuz ($KPKG)"
log "initramfs: $OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
cat "$OUT/versions.txt" >&2
