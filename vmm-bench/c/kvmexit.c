/*
 * The C baseline of the KVM exit-path benchmark (issue 3, "Fast"; see
 * io.jvmm.bench.KvmExitBenchmark and vmm-bench/run-kvm.sh).
 *
 * It runs the guest of BuiltInGuests.exitBenchmark() from the state jvmm's Machine.create gives it,
 * dumped by "KvmExitBenchmark dump DIR": DIR/ram.bin is the whole of guest RAM from guest-physical
 * 0 (image, GDT, IDT, page tables), DIR/state.txt the registers of vCPU 0. It builds the VM the way
 * Machine.create does (identity-map and TSS addresses where offered, one memory slot, KVM's
 * supported CPUID, no irqchip so that HLT exits), writes N into the mailbox, and times the
 * KVM_RUN loop with CLOCK_MONOTONIC, from before the first KVM_RUN until the HLT exit.
 *
 * For every exit it does the least a VMM must: read the exit reason and the kvm_run io fields,
 * check that the access lies inside the mapping, dispatch on the port, take the byte, continue.
 *
 *   kvmexit DIR N RUNS      prints "c EXITS SECONDS EXITS_PER_S EXITS_PER_CPU_S" per run (a fresh VM each)
 *   kvmexit --ioctl COUNT   prints the mean cost of KVM_CHECK_EXTENSION(KVM_CAP_USER_MEMORY) on
 *                           /dev/kvm, the call io.jvmm.bench.IoctlCallBenchmarks times from Java
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUID_ENTRIES 256

static void die(const char *what) {
    fprintf(stderr, "kvmexit: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void fail(const char *what) {
    fprintf(stderr, "kvmexit: %s\n", what);
    exit(1);
}

struct state {
    uint64_t mem_size, mailbox_input, identity_map_addr, tss_addr;
    unsigned port;
    uint64_t regs[18];
    struct kvm_segment seg[8]; /* cs ds es fs gs ss tr ldt */
    struct kvm_dtable gdt, idt;
    uint64_t cr[5];            /* cr0 cr2 cr3 cr4 cr8 */
    uint64_t efer, apic_base;
    int have_seg, have_regs, have_gdt, have_idt, have_cr, have_efer, have_apic;
};

static const char *const SEG_NAMES[8] = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"};

static void read_state(const char *dir, struct state *st) {
    char path[4096];
    snprintf(path, sizeof path, "%s/state.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) die(path);
    memset(st, 0, sizeof *st);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char key[32], name[8];
        if (sscanf(line, "%31s", key) != 1) continue;
        if (!strcmp(key, "mem_size")) sscanf(line, "%*s %" SCNu64, &st->mem_size);
        else if (!strcmp(key, "mailbox_input")) sscanf(line, "%*s %" SCNu64, &st->mailbox_input);
        else if (!strcmp(key, "port")) sscanf(line, "%*s %u", &st->port);
        else if (!strcmp(key, "identity_map_addr")) sscanf(line, "%*s %" SCNu64, &st->identity_map_addr);
        else if (!strcmp(key, "tss_addr")) sscanf(line, "%*s %" SCNu64, &st->tss_addr);
        else if (!strcmp(key, "regs")) {
            char *p = line + 4;
            for (int i = 0; i < 18; i++) st->regs[i] = strtoull(p, &p, 10);
            st->have_regs = 1;
        } else if (!strcmp(key, "seg")) {
            uint64_t base, limit;
            unsigned sel, type, present, dpl, db, s, l, g, avl, unusable;
            if (sscanf(line, "%*s %7s %" SCNu64 " %" SCNu64 " %u %u %u %u %u %u %u %u %u %u", name, &base, &limit, &sel,
                       &type, &present, &dpl, &db, &s, &l, &g, &avl, &unusable) != 13) fail("bad seg line");
            for (int i = 0; i < 8; i++) {
                if (strcmp(name, SEG_NAMES[i])) continue;
                struct kvm_segment *k = &st->seg[i];
                k->base = base; k->limit = (uint32_t)limit; k->selector = (uint16_t)sel; k->type = (uint8_t)type;
                k->present = (uint8_t)present; k->dpl = (uint8_t)dpl; k->db = (uint8_t)db; k->s = (uint8_t)s;
                k->l = (uint8_t)l; k->g = (uint8_t)g; k->avl = (uint8_t)avl; k->unusable = (uint8_t)unusable;
                st->have_seg |= 1 << i;
            }
        } else if (!strcmp(key, "dtable")) {
            uint64_t base;
            unsigned limit;
            if (sscanf(line, "%*s %7s %" SCNu64 " %u", name, &base, &limit) != 3) fail("bad dtable line");
            struct kvm_dtable *t = !strcmp(name, "gdt") ? &st->gdt : &st->idt;
            t->base = base;
            t->limit = (uint16_t)limit;
            if (t == &st->gdt) st->have_gdt = 1; else st->have_idt = 1;
        } else if (!strcmp(key, "cr")) {
            if (sscanf(line, "%*s %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
                       &st->cr[0], &st->cr[1], &st->cr[2], &st->cr[3], &st->cr[4]) != 5) fail("bad cr line");
            st->have_cr = 1;
        } else if (!strcmp(key, "efer")) {
            sscanf(line, "%*s %" SCNu64, &st->efer);
            st->have_efer = 1;
        } else if (!strcmp(key, "apic_base")) {
            sscanf(line, "%*s %" SCNu64, &st->apic_base);
            st->have_apic = 1;
        }
    }
    fclose(f);
    if (!st->mem_size || !st->mailbox_input || !st->port || !st->have_regs || st->have_seg != 0xff || !st->have_gdt
        || !st->have_idt || !st->have_cr || !st->have_efer || !st->have_apic)
        fail("state.txt is incomplete");
}

static double clock_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One run on a fresh VM, as KvmExitBenchmark does with a fresh Machine. Returns the exits; sets
 * *seconds (wall time of the loop) and *cpu_seconds (this thread's CPU time from the first to the
 * last port write, where KvmExitBenchmark's device reads it too).
 */
static uint64_t run_once(int kvm, const struct state *st, const void *ram_image, uint64_t n, double *seconds,
                         double *cpu_seconds) {
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
        uint64_t addr = st->identity_map_addr;
        if (ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &addr) < 0) die("KVM_SET_IDENTITY_MAP_ADDR");
    }
    if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0) {
        if (ioctl(vm, KVM_SET_TSS_ADDR, (unsigned long)st->tss_addr) < 0) die("KVM_SET_TSS_ADDR");
    }
    uint8_t *mem = mmap(NULL, st->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) die("mmap guest memory");
    memcpy(mem, ram_image, st->mem_size);
    memcpy(mem + st->mailbox_input, &n, sizeof n);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .flags = 0, .guest_phys_addr = 0, .memory_size = st->mem_size, .userspace_addr = (uintptr_t)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + MAX_CPUID_ENTRIES * sizeof(struct kvm_cpuid_entry2));
    cpuid->nent = MAX_CPUID_ENTRIES;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) die("KVM_GET_SUPPORTED_CPUID");
    if (ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0) die("KVM_SET_CPUID2");
    free(cpuid);

    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run)) die("KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("mmap kvm_run");

    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
    struct kvm_segment *segs[8] = {&sregs.cs, &sregs.ds, &sregs.es, &sregs.fs, &sregs.gs, &sregs.ss, &sregs.tr, &sregs.ldt};
    for (int i = 0; i < 8; i++) *segs[i] = st->seg[i];
    sregs.gdt = st->gdt;
    sregs.idt = st->idt;
    sregs.cr0 = st->cr[0]; sregs.cr2 = st->cr[1]; sregs.cr3 = st->cr[2]; sregs.cr4 = st->cr[3]; sregs.cr8 = st->cr[4];
    sregs.efer = st->efer;
    sregs.apic_base = st->apic_base;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
    struct kvm_regs regs;
    memcpy(&regs, st->regs, sizeof regs);
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

    uint64_t exits = 0, writes = 0;
    volatile uint8_t last = 0;
    double first_cpu = 0, last_cpu = 0;
    double start = clock_seconds(CLOCK_MONOTONIC);
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            die("KVM_RUN");
        }
        exits++;
        if (run->exit_reason == KVM_EXIT_IO) {
            uint64_t off = run->io.data_offset;
            uint32_t size = run->io.size, count = run->io.count;
            if (off < sizeof *run || off > (uint64_t)run_size || (uint64_t)size * count > run_size - off)
                fail("malformed KVM_EXIT_IO");
            uint8_t *data = (uint8_t *)run + off;
            if (run->io.port == st->port && run->io.direction == KVM_EXIT_IO_OUT) {
                writes += count;
                last = data[0];
                if (writes == 1) first_cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
                else if (writes == n) last_cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
            } else if (run->io.direction == KVM_EXIT_IO_IN) {
                memset(data, 0xff, (size_t)size * count); /* nothing else decoded: a floating bus */
            }
        } else if (run->exit_reason == KVM_EXIT_HLT) {
            break;
        } else {
            fprintf(stderr, "kvmexit: unexpected exit reason %u\n", run->exit_reason);
            exit(1);
        }
    }
    *seconds = clock_seconds(CLOCK_MONOTONIC) - start;
    *cpu_seconds = last_cpu - first_cpu;
    (void)last;
    if (writes != n) {
        fprintf(stderr, "kvmexit: the guest wrote %" PRIu64 " times, expected %" PRIu64 "\n", writes, n);
        exit(1);
    }
    munmap(run, run_size);
    close(vcpu);
    close(vm);
    munmap(mem, st->mem_size);
    return exits;
}

static int ioctl_cost(long count) {
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("/dev/kvm");
    long sum = 0;
    for (int round = 0; round < 5; round++) {
        double start = clock_seconds(CLOCK_MONOTONIC);
        for (long i = 0; i < count; i++) sum += ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
        double seconds = clock_seconds(CLOCK_MONOTONIC) - start;
        printf("c ioctl KVM_CHECK_EXTENSION: %.0f ns per call\n", seconds * 1e9 / count);
    }
    close(kvm);
    return sum == 0; /* KVM_CAP_USER_MEMORY is always there: 0 means something is wrong */
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--ioctl")) return ioctl_cost(atol(argv[2]));
    if (argc != 4) {
        fprintf(stderr, "usage: kvmexit DIR N RUNS | kvmexit --ioctl COUNT\n");
        return 2;
    }
    struct state st;
    read_state(argv[1], &st);
    uint64_t n = strtoull(argv[2], NULL, 10);
    int runs = atoi(argv[3]);
    if (n < 1 || runs < 1) fail("need N >= 1 and RUNS >= 1");
    if (st.mailbox_input + sizeof n > st.mem_size) fail("mailbox outside memory");

    char path[4096];
    snprintf(path, sizeof path, "%s/ram.bin", argv[1]);
    void *ram_image = malloc(st.mem_size);
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    if (fread(ram_image, 1, st.mem_size, f) != st.mem_size) fail("ram.bin is shorter than mem_size");
    fclose(f);

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("/dev/kvm");
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) fail("KVM API version is not 12");
    for (int i = 0; i < runs; i++) {
        double seconds, cpu_seconds;
        uint64_t exits = run_once(kvm, &st, ram_image, n, &seconds, &cpu_seconds);
        printf("c %" PRIu64 " %.6f %.0f %.0f\n", exits, seconds, exits / seconds, n > 1 ? (n - 1) / cpu_seconds : 0.0);
        fflush(stdout);
    }
    close(kvm);
    free(ram_image);
    return 0;
}
