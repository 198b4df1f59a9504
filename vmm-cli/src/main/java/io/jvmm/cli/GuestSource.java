package io.jvmm.cli;

import io.jvmm.machine.GuestConfig;
import io.jvmm.machine.Machine;

/**
 * Where the guest {@code jvmm run} boots comes from, and what the host does around its run. The
 * command drives every source through the same steps, in this order:
 * <ol>
 *   <li>{@link #configure}: read and check the inputs (files) and put the image and any
 *       machine requirements into the config — before {@code /dev/kvm} is opened and before any
 *       output file is created, so that a bad input leaves nothing behind;</li>
 *   <li>{@link #prepare}: after the machine exists, before the first {@code KVM_RUN} (mailbox
 *       values);</li>
 *   <li>{@link #verify}: after the guest reset or halted, check what it left in guest memory.</li>
 * </ol>
 * A new kind of guest is a new implementation plus the options that select it in
 * {@link RunCommand}.
 */
sealed interface GuestSource permits BuiltInSource, KernelSource, RawImageSource {
    /** What the guest is, for logs and messages, e.g. "the built-in demo guest". */
    String describe();

    /**
     * Reads and checks this source's inputs and adds them to {@code config}.
     *
     * @param memorySize the guest RAM the user asked for (already checked)
     * @throws CliException when an input is missing, unreadable or does not fit
     */
    void configure(GuestConfig.Builder config, long memorySize);

    /** Prepares the created machine before its first run. */
    default void prepare(Machine machine) {
    }

    /**
     * Checks the guest's results after it reset or halted.
     *
     * @throws CliException ({@link ExitCodes#VMM_ERROR}) when they are wrong
     */
    default void verify(Machine machine) {
    }
}
