#!/usr/bin/env bash
# The nested KVM test host (issue 8): a Linux "L1" booted by QEMU's TCG on an emulated AMD CPU with
# SVM and nested paging, where kvm_amd gives a hardware-style /dev/kvm, so that jvmm can boot real
# kernels on hosts whose own KVM cannot (PVM, or no /dev/kvm at all). See docs/testing.md.
#
#   scripts/kvm-host.sh prepare                 once: L1 kernel + initramfs into build/kvm-host
#   scripts/kvm-host.sh start [--owner PID]     boot L1 and wait until it is ready (one line on stderr)
#   scripts/kvm-host.sh exec [--timeout S] [--cwd DIR] -- CMD [ARG...]
#                                               run CMD in L1 (chroot into this host's root, read-only
#                                               except the session folder); its stdout, stderr and
#                                               exit status become this command's
#   scripts/kvm-host.sh stop                    power L1 off (kills QEMU if it does not go)
#   scripts/kvm-host.sh status                  exit 0 when a started L1 is ready
#   scripts/kvm-host.sh run [--timeout S] [--cwd DIR] -- CMD [ARG...]
#                                               start, exec, stop in one (a private session)
#
# Environment:
#   KVM_HOST_DIR      cache of prepare (default build/kvm-host of this checkout)
#   KVM_HOST_SESSION  session folder for start/exec/stop/status (default $KVM_HOST_DIR/session);
#                     its share/ subfolder is the one writable path in L1, at the same absolute path
#   KVM_HOST_MEM      L1 memory (default 4G)      KVM_HOST_SMP  L1 vCPUs (default 2)
#   KVM_HOST_IDLE     L1 powers itself off after this many seconds without a request (default 900)
#   KVM_HOST_BOOT_TIMEOUT  seconds start waits for L1 (default 300)
#   KVM_HOST_HEARTBEAT_LIMIT  exec declares L1 wedged (status 125) after this many seconds without
#                     its heartbeat (default 180)
#
# Exit status: exec/run return CMD's status (124 when --timeout expired); a failure of the host
# itself is one line on stderr, "kvm-host.sh: error: ...", and status 125.
#
# How it works: L1 is Debian's linux-image-amd64 with a busybox initramfs (/init below) that loads
# kvm_amd (and ccp, kvm, irqbypass), virtio-pci and 9p; QEMU exports this host's / read-only over
# virtio-9p (-virtfs ... readonly=on) and the session's share/ folder writable. /init lays a tmpfs
# overlay over the read-only root (so /tmp, /root, ... are writable inside L1 and vanish with it),
# mounts proc, sys, dev and the share, and then polls share/req for request scripts: each runs in a
# chroot into the overlay and leaves share/res/ID.{out,err,rc}, rc last. The same recipe is what
# was tried by hand in issue 8: QEMU 7.2 `-accel tcg -M q35 -cpu EPYC,+svm,+npt`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${KVM_HOST_DIR:-"$ROOT/build/kvm-host"}
SESSION=${KVM_HOST_SESSION:-"$DIR/session"}
MEM=${KVM_HOST_MEM:-4G}
SMP=${KVM_HOST_SMP:-2}
IDLE=${KVM_HOST_IDLE:-900}
BOOT_TIMEOUT=${KVM_HOST_BOOT_TIMEOUT:-300}
# exec gives up on an L1 whose heartbeat (written every 2 s) is older than this.
HEARTBEAT_LIMIT=${KVM_HOST_HEARTBEAT_LIMIT:-180}
# Modules L1 loads, with their dependencies resolved by modprobe at prepare time.
MODULES="virtio_pci 9pnet_virtio 9p overlay kvm_amd"

die() { echo "kvm-host.sh: error: $*" >&2; exit 125; }
log() { echo "kvm-host.sh: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found; $2"; }
# One EXIT trap runs every registered cleanup, newest first (subcommands nest: run = start + exec).
CLEANUPS=()
cleanup() { local i; for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[i]}" || true; done; }
at_exit() { CLEANUPS+=("$1"); }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
usage() { sed -n '6,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# ================================================================================================
# prepare
# ================================================================================================

candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }'; }

# download PKG: the candidate .deb into $DIR/debs unless that exact version is there already.
download() {
    local pkg=$1 ver file
    ver=$(candidate "$pkg")
    { [ -n "$ver" ] && [ "$ver" != "(none)" ]; } || die "apt has no candidate for package $pkg (apt-get update as root?)"
    # apt-get download names files PKG_VERSION_ARCH.deb with ':' in the version written as %3a.
    file=$(ls "$DIR/debs/${pkg}_${ver/:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$file" ]; then
        log "downloading $pkg $ver"
        (cd "$DIR/debs" && apt-get download -q "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
        file=$(ls "$DIR/debs/${pkg}_${ver/:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
        [ -n "$file" ] || die "apt-get download $pkg reported success but no .deb appeared in $DIR/debs"
    fi
    echo "$file"
}

cmd_prepare() {
    need apt-get "kvm-host.sh fetches Debian packages with apt-get download (Debian/Ubuntu host needed)"
    need apt-cache "it comes with apt"
    need dpkg-deb "it comes with dpkg"
    need depmod "install kmod (apt-get install kmod)"
    need modprobe "install kmod (apt-get install kmod)"
    need cpio "install cpio (apt-get install cpio)"
    need gzip "install gzip"
    mkdir -p "$DIR/debs"
    DIR=$(cd "$DIR" && pwd)

    if [ -z "$(candidate linux-image-amd64)" ] || [ "$(candidate linux-image-amd64)" = "(none)" ]; then
        if [ "$(id -u)" = 0 ]; then
            log "package lists do not know linux-image-amd64; running apt-get update"
            apt-get update -qq || die "apt-get update failed (is a Debian mirror reachable?)"
        else
            die "apt does not know linux-image-amd64: run 'apt-get update' as root first (Debian bookworm or later, main)"
        fi
    fi
    # linux-image-amd64 is a metapackage: its dependency names the real kernel package.
    local kpkg kdeb bdeb work kver order
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
        | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64(-unsigned)?$/ { print $2; exit }')
    [ -n "$kpkg" ] || die "could not resolve package linux-image-amd64 to a linux-image-*-amd64 package"
    kdeb=$(download "$kpkg")
    bdeb=$(download busybox-static)

    work=$(mktemp -d "$DIR/.work.XXXXXX")
    at_exit "rm -rf '$work'"
    dpkg-deb -x "$kdeb" "$work/pkg" || die "dpkg-deb could not extract $kdeb"
    kver=$(ls "$work/pkg/lib/modules" | head -n 1)
    [ -n "$kver" ] && [ -f "$work/pkg/boot/vmlinuz-$kver" ] || die "$kdeb has no boot/vmlinuz-* and lib/modules/*"
    depmod -b "$work/pkg" "$kver" || die "depmod -b on the extracted $kpkg failed"

    # --- the initramfs tree ---
    local rd="$work/rd"
    mkdir -p "$rd"/{bin,dev,proc,sys,host,rw,newroot,lib/modules}
    dpkg-deb -x "$bdeb" "$work/bb" || die "dpkg-deb could not extract $bdeb"
    cp "$work/bb/bin/busybox" "$rd/bin/busybox" || die "$bdeb has no bin/busybox"
    # Every module file in load order: modprobe prints "insmod PATH" lines, dependencies first.
    order="$rd/lib/modules/order"
    : > "$order"
    local m line f
    for m in $MODULES; do
        modprobe -d "$work/pkg" -S "$kver" --show-depends "$m" > "$work/deps" \
            || die "modprobe --show-depends $m found no such module in $kpkg"
        while read -r line; do
            case $line in
                insmod\ *) f=${line#insmod }; f=${f%% *} ;;
                *) continue ;;
            esac
            grep -qx "$(basename "$f")" "$order" && continue
            cp "$f" "$rd/lib/modules/" || die "cannot copy module $f"
            basename "$f" >> "$order"
        done < "$work/deps"
    done
    write_init > "$rd/init"
    chmod 755 "$rd/init"
    # /dev/console for the kernel to open as init's stdio; without root, /init opens it itself.
    if [ "$(id -u)" = 0 ]; then mknod -m 600 "$rd/dev/console" c 5 1; fi
    (cd "$rd" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6 -n) > "$work/initramfs.cpio.gz" \
        || die "cpio/gzip of the L1 initramfs failed"

    cp "$work/pkg/boot/vmlinuz-$kver" "$work/vmlinuz"
    {
        echo "kernel_package=$kpkg $(dpkg-deb -f "$kdeb" Version)"
        echo "busybox_package=busybox-static $(dpkg-deb -f "$bdeb" Version)"
        echo "modules=$(tr '\n' ' ' < "$order")"
    } > "$work/versions.txt"
    for f in vmlinuz initramfs.cpio.gz versions.txt; do mv -f "$work/$f" "$DIR/$f"; done
    log "L1 kernel $DIR/vmlinuz ($kpkg), initramfs $DIR/initramfs.cpio.gz ($(stat -c %s "$DIR/initramfs.cpio.gz") bytes)"
}

# The L1 /init (busybox ash). Parameters come from the kernel command line: jvmm_share=PATH (the
# session's writable folder, mounted at the same path), jvmm_idle=SECONDS.
write_init() {
    cat <<'INIT'
#!/bin/busybox sh
# /init of the nested KVM test host's L1 (written by scripts/kvm-host.sh prepare).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
say() { echo "kvm-host-l1: $*"; }
SHARE= ; IDLE=900
for a in $(cat /proc/cmdline); do
    case $a in jvmm_share=*) SHARE=${a#jvmm_share=} ;; jvmm_idle=*) IDLE=${a#jvmm_idle=} ;; esac
done
off() { sync; poweroff -f; sleep 10; }
# fail REASON: tell the host through the share when it is mounted, then power off.
fail() {
    say "FAILED: $*"
    [ -d "/newroot$SHARE" ] && echo "$*" > "/newroot$SHARE/failed"
    off
}
for m in $(cat /lib/modules/order); do
    insmod "/lib/modules/$m" || say "insmod $m failed"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 host /host || fail "cannot mount the host root (9p tag host)"
# A tmpfs overlay makes the read-only root writable inside L1 only (/tmp, /root, caches).
mount -t tmpfs -o size=50% rw /rw && mkdir -p /rw/upper /rw/work
if ! mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot; then
    say "overlay over the 9p root failed; using it read-only with a tmpfs /tmp"
    mount --bind /host /newroot && mount -t tmpfs tmp /newroot/tmp
fi
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
# What udev would add to a devtmpfs: bash's process substitution needs /dev/fd.
ln -s /proc/self/fd /newroot/dev/fd
ln -s /proc/self/fd/0 /newroot/dev/stdin
ln -s /proc/self/fd/1 /newroot/dev/stdout
ln -s /proc/self/fd/2 /newroot/dev/stderr
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs shm /newroot/dev/shm
[ -n "$SHARE" ] || fail "no jvmm_share= on the kernel command line"
mkdir -p "/newroot$SHARE" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share "/newroot$SHARE" || fail "cannot mount the session share (9p tag share)"
S="/newroot$SHARE"
mkdir -p "$S/req" "$S/res" "$S/run"
[ -c /dev/kvm ] || fail "no /dev/kvm in L1 after loading kvm_amd (does the emulated CPU have svm and npt?)"
grep -q '^kvm_amd ' /proc/modules || fail "kvm_amd is not loaded"
echo "$(uname -r) $(nproc) cpus, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB, up $(cut -d' ' -f1 /proc/uptime) s" > "$S/ready.tmp"
mv "$S/ready.tmp" "$S/ready"
say "ready"
# A heartbeat the host can watch while a request runs: under TCG, L1 itself has been seen to wedge
# (soft lockups on both CPUs, nothing scheduled for minutes); a stale heartbeat tells the host to
# give up on this L1 instead of waiting out every later request.
( while :; do date +%s > "$S/heartbeat.tmp" && mv "$S/heartbeat.tmp" "$S/heartbeat"; sleep 2; done ) &
last=$(cut -d. -f1 /proc/uptime)
while :; do
    for f in "$S"/req/*.sh; do
        [ -e "$f" ] || continue
        id=$(basename "$f" .sh)
        mv "$f" "$S/run/$id.sh" || continue
        chroot /newroot /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 TERM=dumb /bin/bash "$SHARE/run/$id.sh" \
            > "$S/res/$id.out" 2> "$S/res/$id.err" < /dev/null
        echo $? > "$S/res/$id.rc.tmp"
        mv "$S/res/$id.rc.tmp" "$S/res/$id.rc"
        rm -f "$S/run/$id.sh"
        last=$(cut -d. -f1 /proc/uptime)
    done
    [ -e "$S/req/STOP" ] && { say "stop requested"; off; }
    now=$(cut -d. -f1 /proc/uptime)
    [ $((now - last)) -ge "$IDLE" ] && { say "idle for $IDLE s, powering off"; off; }
    sleep 0.2
done
INIT
}

# ================================================================================================
# sessions: start, exec, stop, status
# ================================================================================================

# The reason L1 gave on its console, or its last line.
l1_failure() {
    local f="$SESSION/console.log"
    grep -m1 -o 'kvm-host-l1: FAILED: .*' "$f" 2>/dev/null || tail -n 1 "$f" 2>/dev/null | tr -d '\r' || echo "no console output"
}

qemu_pid() { cat "$SESSION/qemu.pid" 2>/dev/null || true; }
# alive: this session's QEMU runs (not a zombie waiting to be reaped, not a reused pid).
alive() {
    local p state
    p=$(qemu_pid)
    [ -n "$p" ] && [[ $(cat "/proc/$p/comm" 2>/dev/null) == qemu-system-x86* ]] || return 1
    state=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$state" ] && [ "$state" != Z ]
}

# kill_qemu: TERM, then KILL after 5 s, of the pid in this session's pidfile only.
kill_qemu() {
    local p i
    p=$(qemu_pid)
    [ -n "$p" ] || return 0
    if alive; then
        kill "$p" 2>/dev/null || true
        for i in $(seq 50); do alive || break; sleep 0.1; done
        alive && kill -9 "$p" 2>/dev/null || true
    fi
    rm -f "$SESSION/qemu.pid"
}

cmd_start() {
    local owner=""
    while [ $# -gt 0 ]; do
        case $1 in
            --owner) owner=${2:?--owner needs a pid}; shift 2 ;;
            *) usage ;;
        esac
    done
    need qemu-system-x86_64 "install qemu-system-x86 (apt-get install qemu-system-x86)"
    need flock "install util-linux"
    [ -f "$DIR/vmlinuz" ] && [ -f "$DIR/initramfs.cpio.gz" ] \
        || die "no L1 kernel in $DIR: run scripts/kvm-host.sh prepare first"
    mkdir -p "$SESSION"
    SESSION=$(cd "$SESSION" && pwd)
    case $SESSION in *[[:space:]]*) die "session path '$SESSION' contains white space (it goes on L1's kernel command line)" ;; esac
    # Concurrent starts of one session: the second waits, then finds the first's L1 ready.
    exec 9>"$SESSION/start.lock"
    flock -w "$BOOT_TIMEOUT" 9 || die "another start of session $SESSION did not finish within $BOOT_TIMEOUT s"
    if alive; then
        [ -f "$SESSION/share/ready" ] && return 0
        die "an L1 of session $SESSION is running but not ready (scripts/kvm-host.sh stop first)"
    fi
    rm -rf "$SESSION/share" "$SESSION/console.log"
    mkdir -p "$SESSION/share"
    # Until start has returned, any exit (error, Ctrl-C) takes QEMU with it.
    STARTED=""
    at_exit '[ -n "$STARTED" ] || kill_qemu'
    local t0=$SECONDS
    qemu-system-x86_64 -name jvmm-kvm-host -accel tcg -M q35 -cpu EPYC,+svm,+npt -smp "$SMP" -m "$MEM" \
        -nodefaults -no-user-config -display none -monitor none -no-reboot \
        -serial "file:$SESSION/console.log" \
        -kernel "$DIR/vmlinuz" -initrd "$DIR/initramfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 loglevel=4 mitigations=off jvmm_share=$SESSION/share jvmm_idle=$IDLE" \
        -virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap" \
        -virtfs "local,path=$SESSION/share,mount_tag=share,security_model=none" \
        -daemonize -pidfile "$SESSION/qemu.pid" 2> "$SESSION/qemu.err" 9>&- \
        || die "qemu-system-x86_64 did not start: $(tr '\n' ' ' < "$SESSION/qemu.err")"
    while [ ! -f "$SESSION/share/ready" ]; do
        [ -f "$SESSION/share/failed" ] && die "L1 failed: $(cat "$SESSION/share/failed") (console: $SESSION/console.log)"
        alive || die "L1 exited before it was ready: $(l1_failure) (console: $SESSION/console.log)"
        [ $((SECONDS - t0)) -lt "$BOOT_TIMEOUT" ] \
            || die "L1 not ready after $BOOT_TIMEOUT s (KVM_HOST_BOOT_TIMEOUT; console: $SESSION/console.log)"
        sleep 0.2
    done
    if [ -n "$owner" ]; then
        # Reaper: when the owner dies without calling stop (a killed test JVM), QEMU goes too.
        local qp; qp=$(qemu_pid)
        setsid bash -c 'q() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == qemu-system-x86* ]]; }
            while kill -0 "$1" 2>/dev/null && q "$2"; do sleep 1; done
            q "$2" && kill "$2"; sleep 5; q "$2" && kill -9 "$2"' reaper "$owner" "$qp" \
            </dev/null >/dev/null 2>&1 9>&- &
    fi
    STARTED=1
    log "L1 ready in $((SECONDS - t0)) s: $(cat "$SESSION/share/ready")"
}

cmd_exec() {
    local timeout=600 cwd=$PWD
    while [ $# -gt 0 ]; do
        case $1 in
            --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
            --cwd) cwd=${2:?--cwd needs a directory}; shift 2 ;;
            --) shift; break ;;
            *) usage ;;
        esac
    done
    [ $# -gt 0 ] || usage
    [[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -gt 0 ] || die "--timeout takes whole seconds, not '$timeout'"
    SESSION=$(cd "$SESSION" 2>/dev/null && pwd) || die "no session at ${KVM_HOST_SESSION:-$DIR/session}: scripts/kvm-host.sh start first"
    alive && [ -f "$SESSION/share/ready" ] || die "no L1 running for session $SESSION: scripts/kvm-host.sh start first"
    local id="$(date +%s%N)-$$" s="$SESSION/share" q
    # The request: a bash script run in the chroot. timeout(1) bounds it inside L1 (status 124).
    {
        printf 'cd %q || exit 125\n' "$cwd"
        printf 'exec timeout -k 5 %s' "$timeout"
        for q in "$@"; do printf ' %q' "$q"; done
        printf '\n'
    } > "$s/req/.$id.tmp"
    mv "$s/req/.$id.tmp" "$s/req/$id.sh"
    # This request's files go however exec ends.
    at_exit "rm -f '$s/req/$id.sh' '$s/res/$id'.*"
    # Waiting longer than the command's own bound: L1 may still be busy with an earlier request.
    local deadline=$((SECONDS + timeout + 120)) beat
    while [ ! -f "$s/res/$id.rc" ]; do
        alive || { partial_output; die "L1 exited while running the command (console: $SESSION/console.log)"; }
        beat=$(stat -c %Y "$s/heartbeat" 2>/dev/null || echo 0)
        if [ "$beat" -gt 0 ] && [ $(($(date +%s) - beat)) -gt "$HEARTBEAT_LIMIT" ]; then
            qemu_state
            kill -9 "$(qemu_pid)" 2>/dev/null || true
            partial_output
            die "L1 stopped responding (no heartbeat for more than $HEARTBEAT_LIMIT s; console: $SESSION/console.log); stopped it"
        fi
        [ $SECONDS -lt $deadline ] || { echo "kvm-host.sh: error: no answer from L1 within $((timeout + 120)) s" >&2; exit 124; }
        sleep 0.1
    done
    cat "$s/res/$id.out"
    cat "$s/res/$id.err" >&2
    return "$(cat "$s/res/$id.rc")"
}

# Whether a wedged L1's QEMU was spinning or stuck (a hung QEMU uses no CPU; an L1 whose CPUs loop
# with interrupts off uses all of it), as evidence for the log. /proc/PID/stat's second field, the
# thread name, may hold spaces ("CPU 0/TCG"), so fields are counted after its closing parenthesis.
qemu_state() {
    local p a b
    p=$(qemu_pid); [ -n "$p" ] || return 0
    a=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }') || return 0
    sleep 1
    b=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }') || return 0
    log "QEMU (pid $p) used $((b - a)) of $(getconf CLK_TCK) clock ticks per core in 1 s; its threads by state: $(
        for t in /proc/$p/task/*/stat; do sed 's/.*) //' "$t" | awk '{ print $1 }'; done 2>/dev/null | sort | uniq -c | tr -s ' \n' ' ')"
}

# What the lost command had written so far (its files grow in the share while it runs): evidence
# of where it was when L1 went.
partial_output() {
    cat "$s/res/$id.out" 2>/dev/null || true
    cat "$s/res/$id.err" >&2 2>/dev/null || true
}

cmd_stop() {
    [ -d "$SESSION" ] || return 0
    if alive; then
        [ -d "$SESSION/share/req" ] && : > "$SESSION/share/req/STOP"
        local i
        for i in $(seq 150); do alive || break; sleep 0.2; done
    fi
    kill_qemu
}

cmd_status() {
    alive && [ -f "$SESSION/share/ready" ] || { echo "no L1 ready for session $SESSION" >&2; return 1; }
    echo "L1 ready (pid $(qemu_pid)): $(cat "$SESSION/share/ready")"
}

cmd_run() {
    mkdir -p "$DIR/sessions"
    SESSION=$(mktemp -d "$DIR/sessions/run.XXXXXX")
    # The private session goes with the run; when the run fails, L1's console stays as evidence in
    # $DIR/last-failed-console.log (a wedged or crashed L1 says why only there).
    RUN_OK=""
    at_exit 'keep_failed_console; cmd_stop; rm -rf "$SESSION"'
    cmd_start
    local rc=0
    cmd_exec "$@" || rc=$?
    [ "$rc" != 0 ] || RUN_OK=1
    return $rc
}

keep_failed_console() {
    if [ -z "$RUN_OK" ] && [ -f "$SESSION/console.log" ]; then
        cp "$SESSION/console.log" "$DIR/last-failed-console.log" \
            && log "L1's console of this failed run: $DIR/last-failed-console.log"
    fi
}

[ $# -gt 0 ] || usage
sub=$1; shift
case $sub in
    prepare) cmd_prepare "$@" ;;
    start) cmd_start "$@" ;;
    exec) cmd_exec "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    run) cmd_run "$@" ;;
    -h|--help|help) usage ;;
    *) usage ;;
esac
