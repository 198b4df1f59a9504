/*
 * C baseline for the memory benchmarks in vmm-bench: the same operations as
 * io.jvmm.bench.MemoryBenchmarks and GuestMemoryBenchmarks, on the same kind of memory
 * (MAP_SHARED anonymous, i.e. shmem like the guest memory's memfd), with the same offsets
 * (xorshift64 sequence, seed 42, 8-byte aligned), timed with CLOCK_MONOTONIC. Prints one line per case: "name ns_per_op" or "name MB/s".
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BATCH 1024

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

static void bench_copy(const char *name, size_t size, int to_mapping, double seconds) {
    char *mapping = map(size);
    char *heap = malloc(size);
    memset(heap, 2, size);
    long iterations = 0;
    double start = now_ns(), end = start + seconds * 1e9, t;
    do {
        for (int i = 0; i < 8; i++) {
            if (to_mapping) memcpy(mapping, heap, size); else memcpy(heap, mapping, size);
        }
        __asm__ volatile("" ::: "memory");
        iterations += 8;
        t = now_ns();
    } while (t < end);
    printf("%s %.1f MB/s\n", name, (double)size * iterations / ((t - start) / 1e9) / 1e6);
    munmap(mapping, size);
    free(heap);
}

static void bench_fill(const char *name, size_t size, double seconds) {
    char *mapping = map(size);
    long iterations = 0;
    double start = now_ns(), end = start + seconds * 1e9, t;
    do {
        for (int i = 0; i < 8; i++) {
            memset(mapping, 3, size);
            __asm__ volatile("" ::: "memory");
        }
        iterations += 8;
        t = now_ns();
    } while (t < end);
    printf("%s %.1f MB/s\n", name, (double)size * iterations / ((t - start) / 1e9) / 1e6);
    munmap(mapping, size);
}

static void bench_random(const char *name, size_t size, int store, int is_volatile, double seconds) {
    char *mapping = map(size);
    uint64_t *offsets = malloc(BATCH * sizeof(uint64_t));
    uint64_t s = 42;
    for (int i = 0; i < BATCH; i++) offsets[i] = (xorshift(&s) % (size / 8)) * 8;
    long ops = 0;
    uint64_t acc = 0;
    double start = now_ns(), end = start + seconds * 1e9, t;
    do {
        for (int r = 0; r < 64; r++) {
            if (store) {
                if (is_volatile) {
                    for (int i = 0; i < BATCH; i++) __atomic_store_n((uint64_t *)(mapping + offsets[i]), (uint64_t)i, __ATOMIC_SEQ_CST);
                } else {
                    for (int i = 0; i < BATCH; i++) *(uint64_t *)(mapping + offsets[i]) = (uint64_t)i;
                }
            } else {
                if (is_volatile) {
                    for (int i = 0; i < BATCH; i++) acc += __atomic_load_n((uint64_t *)(mapping + offsets[i]), __ATOMIC_SEQ_CST);
                } else {
                    for (int i = 0; i < BATCH; i++) acc += *(uint64_t *)(mapping + offsets[i]);
                }
            }
            __asm__ volatile("" ::: "memory");
        }
        ops += 64L * BATCH;
        t = now_ns();
    } while (t < end);
    sink = acc;
    printf("%s %.3f ns/op\n", name, (t - start) / ops);
    munmap(mapping, size);
    free(offsets);
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    bench_copy("writeSlice_64KiB", 64 << 10, 1, seconds);
    bench_copy("readSlice_64KiB", 64 << 10, 0, seconds);
    bench_copy("writeSlice_16MiB", 16 << 20, 1, seconds);
    bench_copy("readSlice_16MiB", 16 << 20, 0, seconds);
    bench_fill("writeBytes_64KiB", 64 << 10, seconds);
    bench_fill("writeBytes_16MiB", 16 << 20, seconds);
    bench_random("readLong_random_256MiB", 256UL << 20, 0, 0, seconds);
    bench_random("writeLong_random_256MiB", 256UL << 20, 1, 0, seconds);
    bench_random("readLongVolatile_random_256MiB", 256UL << 20, 0, 1, seconds);
    bench_random("writeLongVolatile_random_256MiB", 256UL << 20, 1, 1, seconds);
    return 0;
}
