package io.jvmm.cli;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;
import picocli.CommandLine;

/**
 * What the commands work with: the streams the user sees (the guest's console goes to
 * {@code out} as raw bytes, messages to {@code err}) and the KVM device to open. Tests run the CLI
 * in-process with captured streams, and with a device path that is missing or no KVM device.
 *
 * @param out standard output: the guest's serial console unless {@code --serial-out}; reports
 * @param err standard error: one-line errors, logs, {@code --stats}
 * @param kvmDevice the KVM device node, {@link #DEFAULT_KVM_DEVICE} outside tests
 * @param backend which KVM this host runs ({@link KvmBackend#detect()} outside tests), which
 *     decides whether {@code run --kernel} can boot a stock kernel
 * @param in standard input: what the guest's serial console receives
 * @param inDescriptor the descriptor behind {@code in} ({@link #STDIN_DESCRIPTOR} outside tests),
 *     to put a terminal into raw mode; -1 when {@code in} is no descriptor (tests)
 */
record Environment(PrintStream out, PrintStream err, Path kvmDevice, KvmBackend backend, InputStream in, int inDescriptor) {
    static final Path DEFAULT_KVM_DEVICE = Kvm.DEVICE;
    static final int STDIN_DESCRIPTOR = 0;

    Environment {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(kvmDevice, "kvmDevice");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(in, "in");
    }

    /** No input (an empty stream that is no descriptor), as for embedding and tests. */
    Environment(PrintStream out, PrintStream err, Path kvmDevice, KvmBackend backend) {
        this(out, err, kvmDevice, backend, InputStream.nullInputStream(), -1);
    }

    /** This host's KVM backend, no input. */
    Environment(PrintStream out, PrintStream err, Path kvmDevice) {
        this(out, err, kvmDevice, KvmBackend.detect());
    }

    /** The process's own streams: what {@code jvmm} on a command line gets. */
    static Environment ofProcess() {
        return new Environment(System.out, System.err, DEFAULT_KVM_DEVICE, KvmBackend.detect(), System.in, STDIN_DESCRIPTOR);
    }

    /** Creates the commands with this environment; everything else as picocli would. */
    CommandLine.IFactory commandFactory() {
        CommandLine.IFactory fallback = CommandLine.defaultFactory();
        return new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == RunCommand.class) {
                    return cls.cast(new RunCommand(Environment.this));
                }
                if (cls == CheckCommand.class) {
                    return cls.cast(new CheckCommand(Environment.this));
                }
                return fallback.create(cls);
            }
        };
    }
}
