package io.jvmm.cli;

import io.jvmm.machine.GuestConfig;
import io.jvmm.machine.Machine;
import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.memory.GuestAddress;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guest jvmm carries inside itself. For the demo guest the host puts {@code mailboxInput} in the
 * mailbox before the run and afterwards checks, through {@code GuestMemory}, that the guest wrote
 * back {@link BuiltInGuests#demoResult} of it (the guest's contract in {@link BuiltInGuests}).
 *
 * @param guest which built-in guest
 * @param mailboxInput the value the demo guest computes with (a fresh random one per run, so a
 *     guest that skipped the work could not pass)
 */
record BuiltInSource(BuiltInGuest guest, long mailboxInput) implements GuestSource {
    private static final Logger LOG = LoggerFactory.getLogger(BuiltInSource.class);

    BuiltInSource {
        Objects.requireNonNull(guest, "guest");
    }

    @Override
    public String describe() {
        return guest.description();
    }

    @Override
    public void configure(GuestConfig.Builder config, long memorySize) {
        config.image(guest.image());
    }

    @Override
    public void prepare(Machine machine) {
        if (guest == BuiltInGuest.DEMO) {
            machine.memory().writeLongAtAddr(mailboxInput, GuestAddress.of(BuiltInGuests.MAILBOX_INPUT_ADDR));
            LOG.debug("mailbox input at {}: {}", GuestAddress.of(BuiltInGuests.MAILBOX_INPUT_ADDR), hex(mailboxInput));
        }
    }

    @Override
    public void verify(Machine machine) {
        if (guest == BuiltInGuest.DEMO) {
            long result = machine.memory().readLongFromAddr(GuestAddress.of(BuiltInGuests.MAILBOX_RESULT_ADDR));
            checkDemoResult(mailboxInput, result);
            LOG.debug("mailbox result at {}: {} = {} * 3 + 7, as expected",
                GuestAddress.of(BuiltInGuests.MAILBOX_RESULT_ADDR), hex(result), hex(mailboxInput));
        }
    }

    /**
     * @throws CliException ({@link ExitCodes#VMM_ERROR}) unless {@code result} is the demo guest's
     *     answer for {@code input}
     */
    static void checkDemoResult(long input, long result) {
        long expected = BuiltInGuests.demoResult(input);
        if (result != expected) {
            throw new CliException(ExitCodes.VMM_ERROR, String.format(
                "the demo guest's result at 0x%x is %s, expected %s (= %s * 3 + 7): the mailbox round trip failed",
                BuiltInGuests.MAILBOX_RESULT_ADDR, hex(result), hex(expected), hex(input)));
        }
    }

    private static String hex(long v) {
        return String.format("0x%016x", v);
    }
}
