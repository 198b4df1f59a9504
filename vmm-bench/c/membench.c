/*
 * C baseline for the memory benchmarks in vmm-bench: the same operations as
 * io.jvmm.bench.MemoryBenchmarks and GuestMemoryBenchmarks, on the same kind of memory
 * (MAP_SHARED anonymous, i.e. shmem like the guest memory's memfd), with the same offsets
 * (xorshift64 sequence, seed 42, 8-byte aligned), timed with CLOCK_MONOTONIC.
 *
 * Each case runs TRIALS timed trials of seconds/TRIALS each, each on freshly mapped memory after
 * an untimed warm-up, and prints one line: "name median unit min max", unit "MB/s" (copies,
 * fills) or "ns/op" (single accesses). The median, like the median of the JMH iterations that
 * compare.py uses, keeps a trial that another process preempted from deciding the result.
 *
 * usage: membench [seconds per case, default 2] [only the cases whose name contains this]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BATCH 1024
#define TRIALS 10

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void *map(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    memset(p, 1, size);
    return p;
}

/* Keeps the compiler from discarding loads, as JMH's Blackhole does. */
static volatile uint64_t sink;

enum op { COPY_IN, COPY_OUT, FILL, READ, WRITE, READ_VOLATILE, WRITE_VOLATILE };

struct bench {
    enum op op;
    size_t size;
    char *mapping;
    char *heap;
    uint64_t *offsets;
};

/* Runs the operation for about `seconds`; returns MB/s for copies and fills, ns/op otherwise. */
static double trial(const struct bench *b, double seconds) {
    double start = now_ns(), end = start + seconds * 1e9, t;
    long rounds = 0;
    uint64_t acc = 0;
    do {
        for (int r = 0; r < 8; r++) {
            switch (b->op) {
            case COPY_IN: memcpy(b->mapping, b->heap, b->size); break;
            case COPY_OUT: memcpy(b->heap, b->mapping, b->size); break;
            case FILL: memset(b->mapping, 3, b->size); break;
            case READ:
                for (int i = 0; i < BATCH; i++) acc += *(uint64_t *)(b->mapping + b->offsets[i]);
                break;
            case WRITE:
                for (int i = 0; i < BATCH; i++) *(uint64_t *)(b->mapping + b->offsets[i]) = (uint64_t)i;
                break;
            case READ_VOLATILE:
                for (int i = 0; i < BATCH; i++) acc += __atomic_load_n((uint64_t *)(b->mapping + b->offsets[i]), __ATOMIC_SEQ_CST);
                break;
            case WRITE_VOLATILE:
                for (int i = 0; i < BATCH; i++) __atomic_store_n((uint64_t *)(b->mapping + b->offsets[i]), (uint64_t)i, __ATOMIC_SEQ_CST);
                break;
            }
            __asm__ volatile("" ::: "memory");
        }
        rounds += 8;
        t = now_ns();
    } while (t < end);
    sink = acc;
    if (b->op == COPY_IN || b->op == COPY_OUT || b->op == FILL) {
        return (double)b->size * rounds / ((t - start) / 1e9) / 1e6;
    }
    return (t - start) / ((double)rounds * BATCH);
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The second argument, if given: the cases to run (a part of their name), for a quick pairing. */
static const char *only;

static void run(const char *name, enum op op, size_t size, double seconds) {
    if (only != NULL && strstr(name, only) == NULL) return;
    struct bench b = { op, size, map(size), NULL, NULL };
    if (op == COPY_IN || op == COPY_OUT) {
        b.heap = malloc(size);
        memset(b.heap, 2, size);
    }
    if (op >= READ) {
        b.offsets = malloc(BATCH * sizeof(uint64_t));
        uint64_t s = 42;
        for (int i = 0; i < BATCH; i++) b.offsets[i] = (xorshift(&s) % (size / 8)) * 8;
    }
    double results[TRIALS];
    trial(&b, seconds / TRIALS);
    for (int i = 0; i < TRIALS; i++) {
        if (i > 0) {
            /* Fresh memory for each trial: which physical pages a mapping gets changes a random
             * access's cost by up to 1.8x (cache and TLB conflicts); JMH's forks sample that too. */
            munmap(b.mapping, size);
            b.mapping = map(size);
            trial(&b, seconds / TRIALS / 4);
        }
        results[i] = trial(&b, seconds / TRIALS);
    }
    qsort(results, TRIALS, sizeof(double), compare);
    double median = (results[TRIALS / 2 - 1] + results[TRIALS / 2]) / 2;
    int bandwidth = op == COPY_IN || op == COPY_OUT || op == FILL;
    printf(bandwidth ? "%s %.1f MB/s %.1f %.1f\n" : "%s %.3f ns/op %.3f %.3f\n", name, median, results[0], results[TRIALS - 1]);
    fflush(stdout);
    munmap(b.mapping, size);
    free(b.heap);
    free(b.offsets);
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    only = argc > 2 ? argv[2] : NULL;
    run("writeSlice_64KiB", COPY_IN, 64 << 10, seconds);
    run("readSlice_64KiB", COPY_OUT, 64 << 10, seconds);
    run("writeSlice_16MiB", COPY_IN, 16 << 20, seconds);
    run("readSlice_16MiB", COPY_OUT, 16 << 20, seconds);
    run("writeBytes_64KiB", FILL, 64 << 10, seconds);
    run("writeBytes_16MiB", FILL, 16 << 20, seconds);
    /* The same accesses inside a 64 KiB window (in L2): the checks' cost without DRAM latency. */
    run("readLong_hot_64KiB", READ, 64 << 10, seconds);
    run("writeLong_hot_64KiB", WRITE, 64 << 10, seconds);
    run("readLong_random_256MiB", READ, 256UL << 20, seconds);
    run("writeLong_random_256MiB", WRITE, 256UL << 20, seconds);
    run("readLongVolatile_random_256MiB", READ_VOLATILE, 256UL << 20, seconds);
    run("writeLongVolatile_random_256MiB", WRITE_VOLATILE, 256UL << 20, seconds);
    return 0;
}
