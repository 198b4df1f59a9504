package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.SyscallException;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of arena calls, failing ones among them, checked against /proc/self/maps after
 * every step: each page of the arena is mapped the way the successful calls so far say, and a
 * failed call changed nothing (issue 7: a failed MAP_FIXED used to leave a hole).
 */
class ArenaMapsProperties {
    private static final long PAGE = MappingState.PAGE_SIZE;
    /** 4 MiB: room for a huge-page-aligned 2 MiB range wherever the arena starts. */
    private static final int PAGES = (int) ((4L << 20) / PAGE);
    private static final long HUGE_PAGE = 2L << 20;
    private static final String MEMFD = "arena-prop";

    /** One arena call over pages {@code [page, page + count)}. */
    sealed interface Step permits AddAnon, Remove, AddFd, AddReadOnlyFdWritable, AddHugetlbMisaligned {
        int page();

        int count();
    }

    record AddAnon(int page, int count) implements Step {
    }

    record Remove(int page, int count) implements Step {
    }

    /** The memfd from its page {@code filePage}. */
    record AddFd(int page, int count, int filePage) implements Step {
    }

    /** Fails: a read-write shared mapping of a read-only descriptor (EACCES). */
    record AddReadOnlyFdWritable(int page, int count) implements Step {
    }

    /**
     * Fails: a hugetlb memfd over the arena's first huge-page-aligned 2 MiB, at a file offset that
     * is not a multiple of the huge page (EINVAL, found by hugetlbfs only once a MAP_FIXED mmap
     * has unmapped the range). Its page and count are not used.
     */
    record AddHugetlbMisaligned(int page, int count) implements Step {
    }

    /** What /proc/self/maps should say about one page. */
    record PageState(String perms, String path, long fileOffset) {
        static final PageState RESERVED = new PageState("---p", "", -1);
        static final PageState ANON = new PageState("rw-s", "/dev/zero (deleted)", -1);
        static final PageState REMOVED = new PageState("r--p", "", -1);

        static PageState memfd(long fileOffset) {
            return new PageState("rw-s", "/memfd:" + MEMFD + " (deleted)", fileOffset);
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> pages = Arbitraries.integers().between(0, PAGES - 1);
        Arbitrary<Integer> counts = Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(1, 16)),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, PAGES)));
        Arbitrary<Step> step = Arbitraries.oneOf(
            Combinators.combine(pages, counts).as(AddAnon::new),
            Combinators.combine(pages, counts).as(Remove::new),
            Combinators.combine(pages, counts, Arbitraries.integers().between(0, PAGES)).as(AddFd::new),
            Combinators.combine(pages, counts).as(AddReadOnlyFdWritable::new),
            Combinators.combine(pages, counts).as(AddHugetlbMisaligned::new));
        return step.list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 150)
    void everyPageIsMappedAsTheSuccessfulCallsSay(@ForAll("steps") List<Step> steps) {
        try (MemoryMappingArena arena = new MemoryMappingArena(PAGES * PAGE);
             SharedMemory memfd = SharedMemory.create(MEMFD, 2L * PAGES * PAGE);
             SafeDescriptor readOnly = SafeDescriptor.open("/proc/self/fd/" + memfd.asRawDescriptor(), LibC.O_RDONLY);
             SafeDescriptor huge = hugetlbOrNull()) {
            PageState[] model = new PageState[PAGES];
            Arrays.fill(model, PageState.RESERVED);
            check(arena, model, "a new arena");
            for (Step s : steps) {
                int count = Math.min(s.count(), PAGES - s.page());
                long offset = (long) s.page() * PAGE;
                long size = (long) count * PAGE;
                if (s instanceof AddAnon) {
                    arena.addAnon(offset, size);
                    fill(model, s.page(), count, i -> PageState.ANON);
                } else if (s instanceof Remove) {
                    arena.remove(offset, size);
                    fill(model, s.page(), count, i -> PageState.REMOVED);
                } else if (s instanceof AddFd f) {
                    arena.addFdOffset(offset, size, memfd, f.filePage() * PAGE);
                    fill(model, s.page(), count, i -> PageState.memfd((f.filePage() + i) * PAGE));
                } else if (s instanceof AddReadOnlyFdWritable) {
                    assertThrows(MmapException.class, () -> arena.addFd(offset, size, readOnly), s.toString());
                } else if (huge != null) {
                    long aligned = HostileUseTest.alignedOffset(arena, HUGE_PAGE);
                    assertThrows(MmapException.class, () -> arena.addFdOffset(aligned, HUGE_PAGE, huge, PAGE), s.toString());
                }
                check(arena, model, "after " + s + " of " + steps);
            }
        }
    }

    private interface PageFunction {
        PageState at(int indexInStep);
    }

    private static void fill(PageState[] model, int first, int count, PageFunction f) {
        for (int i = 0; i < count; i++) {
            model[first + i] = f.at(i);
        }
    }

    private static void check(MemoryMappingArena arena, PageState[] model, String when) {
        long base = arena.asPtr();
        PageState[] actual = new PageState[PAGES];
        for (ProcMaps.Line line : ProcMaps.lines(base, PAGES * PAGE)) {
            for (long a = line.start(); a < line.end(); a += PAGE) {
                int page = (int) ((a - base) / PAGE);
                boolean file = line.path().startsWith("/memfd:");
                actual[page] = new PageState(line.perms(), line.path(), file ? line.fileOffset() + (a - line.start()) : -1);
            }
        }
        assertEquals(Arrays.asList(model), Arrays.asList(actual), when + " (null: a hole in the arena)");
    }

    private static SafeDescriptor hugetlbOrNull() {
        try {
            int fd = LibC.memfdCreate("arena-prop-huge", LibC.MFD_CLOEXEC | 0x0004);
            SafeDescriptor d = new SafeDescriptor(fd);
            LibC.ftruncateChecked(fd, 4L << 20);
            return d;
        } catch (SyscallException e) {
            return null;
        }
    }
}
