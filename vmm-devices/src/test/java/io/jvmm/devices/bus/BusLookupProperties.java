package io.jvmm.devices.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BusLookupProperties {
    /**
     * A registration is refused exactly when it overlaps an accepted one, and every address is found in exactly the range a linear scan of the accepted ranges finds.
     */
    @Property(tries = 200)
    void lookupAgreesWithALinearScanOfAcceptedRanges(
            @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 2000) Integer> bases,
            @ForAll @Size(max = 30) List<@IntRange(min = 1, max = 60) Integer> lengths,
            @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 2100) Integer> probes) {
        MmioBus bus = new MmioBus();
        List<BusRange> accepted = new ArrayList<>();
        for (int i = 0; i < Math.min(bases.size(), lengths.size()); i++) {
            TestDevice d = new TestDevice("d" + i);
            long base = bases.get(i);
            long length = lengths.get(i);
            boolean overlaps = accepted.stream().anyMatch(r -> base < r.end() && r.base() < base + length);
            if (overlaps) {
                assertThrows(BusConflictException.class, () -> bus.register(base, length, d));
            } else {
                bus.register(base, length, d);
                accepted.add(new BusRange(base, length, d));
            }
        }
        for (int p : probes) {
            Optional<BusRange> expected = accepted.stream().filter(r -> r.base() <= p && p < r.end()).findFirst();
            assertEquals(expected.map(BusRange::device), bus.find(p).map(BusRange::device), "address " + p);
        }
    }
}
