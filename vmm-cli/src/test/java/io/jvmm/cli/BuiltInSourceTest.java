package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.machine.GuestConfig;
import io.jvmm.kvm.Kvm;
import io.jvmm.machine.Machine;
import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.memory.GuestAddress;
import java.io.OutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The host side of the demo guest's mailbox contract. */
class BuiltInSourceTest {
    @Test
    void theDemoResultMustBeThreeTimesTheInputPlusSeven() {
        BuiltInSource.checkDemoResult(5, 22);
        BuiltInSource.checkDemoResult(-1, BuiltInGuests.demoResult(-1));
        CliException e = assertThrows(CliException.class, () -> BuiltInSource.checkDemoResult(5, 21));
        assertEquals(ExitCodes.VMM_ERROR, e.exitCode());
        assertTrue(e.getMessage().contains("is 0x0000000000000015, expected 0x0000000000000016 (= 0x0000000000000005 * 3 + 7)"),
            e.getMessage());
    }

    @Test
    void aDemoGuestThatNeverRanFailsTheCheckThroughGuestMemory() {
        Assumptions.assumeTrue(Kvm.isAvailable(), () -> "KVM is not usable here: " + Kvm.unavailableReason().orElse(""));
        BuiltInSource demo = new BuiltInSource(BuiltInGuest.DEMO, 0x1234);
        GuestConfig.Builder config = GuestConfig.builder().memorySize(4 << 20).serialOutput(OutputStream.nullOutputStream());
        demo.configure(config, 4 << 20);
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config.build())) {
            demo.prepare(m);
            assertEquals(0x1234, m.memory().readLongFromAddr(GuestAddress.of(BuiltInGuests.MAILBOX_INPUT_ADDR)));
            assertThrows(CliException.class, () -> demo.verify(m), "no result was written");
            m.memory().writeLongAtAddr(BuiltInGuests.demoResult(0x1234), GuestAddress.of(BuiltInGuests.MAILBOX_RESULT_ADDR));
            demo.verify(m);
        }
    }
}
