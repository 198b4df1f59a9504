package io.jvmm.kvm;

import io.jvmm.kvm.sys.KvmConstants;

/**
 * Why {@code KVM_RUN} returned (api.rst 5, "The kvm_run structure", exit_reason), with the data
 * of the exit. {@link Vcpu#run()} returns every exit; {@link Vcpu#run(ExitHandler, ExitCounter)}
 * serves {@link Io} and {@link Mmio} through its handler and returns only the others. Every
 * implementation is a record (or a shared instance of one) here; switch over them exhaustively.
 */
public sealed interface VcpuExit {
    /** KVM exit reason of a port-I/O exit (KVM_EXIT_IO, api.rst 5), as {@link ExitCounter} counts it. */
    int REASON_IO = KvmConstants.KVM_EXIT_IO;
    /** KVM exit reason of an MMIO exit (KVM_EXIT_MMIO). */
    int REASON_MMIO = KvmConstants.KVM_EXIT_MMIO;
    /** KVM exit reason of a HLT with no in-kernel irqchip (KVM_EXIT_HLT). */
    int REASON_HLT = KvmConstants.KVM_EXIT_HLT;
    /** KVM exit reason of a run interrupted by a signal, e.g. a kick (KVM_EXIT_INTR). */
    int REASON_INTR = KvmConstants.KVM_EXIT_INTR;

    /** The shared {@link Hlt}: the exits that carry no data are returned as these instances. */
    Hlt HLT = new Hlt();
    /** The shared {@link Shutdown}. */
    Shutdown SHUTDOWN = new Shutdown();
    /** The shared {@link Interrupted}. */
    Interrupted INTERRUPTED = new Interrupted();

    /** {@return the statistics name of this exit, e.g. {@code "io"} (see {@link KvmConstants#exitReasonName})} */
    String reasonName();

    /** Direction of a port access. */
    enum Direction { /** Guest reads: {@code in}, {@code ins}. */ IN, /** Guest writes: {@code out}, {@code outs}. */ OUT }

    /**
     * An {@code in}/{@code out} (KVM_EXIT_IO): {@code count} accesses of {@code size} bytes to
     * {@code port} ({@code count > 1} for {@code rep ins/outs}). {@code data} holds
     * {@code size * count} bytes: for OUT what the guest wrote; for IN the caller fills it before
     * the next {@link Vcpu#run()}, which hands it to the guest. The array is the record's own, not
     * copied.
     *
     * @param port the I/O port, 0..0xffff
     * @param size the width of one access in bytes: 1, 2 or 4
     * @param direction whether the guest reads ({@link Direction#IN}) or writes ({@link Direction#OUT})
     * @param count the number of accesses, at least 1
     * @param data {@code size * count} bytes, little-endian, access after access
     */
    record Io(int port, int size, Direction direction, int count, byte[] data) implements VcpuExit {
        @Override
        public String reasonName() {
            return "io";
        }

        @Override
        public String toString() {
            return String.format("Io[%s port=0x%x size=%d count=%d]", direction, port, size, count);
        }
    }

    /**
     * A load or store to an address without memory (KVM_EXIT_MMIO). {@code data} holds
     * {@code length} bytes: for a write what the guest stored; for a read the caller fills it before
     * the next {@link Vcpu#run()}. The array is the record's own, not copied.
     *
     * @param address the guest-physical address of the access's first byte
     * @param length the access width in bytes, 1 to 8
     * @param isWrite {@code true} for a store, {@code false} for a load
     * @param data {@code length} bytes, little-endian
     */
    record Mmio(long address, int length, boolean isWrite, byte[] data) implements VcpuExit {
        @Override
        public String reasonName() {
            return "mmio";
        }

        @Override
        public String toString() {
            return String.format("Mmio[%s 0x%x len=%d]", isWrite ? "write" : "read", address, length);
        }
    }

    /** The guest executed HLT with no in-kernel LAPIC to wait in (KVM_EXIT_HLT). */
    record Hlt() implements VcpuExit {
        @Override
        public String reasonName() {
            return "hlt";
        }
    }

    /** The guest shut down, typically a triple fault (KVM_EXIT_SHUTDOWN). */
    record Shutdown() implements VcpuExit {
        @Override
        public String reasonName() {
            return "shutdown";
        }
    }

    /**
     * The hardware refused to enter the guest (KVM_EXIT_FAIL_ENTRY), usually invalid vCPU state;
     * the reason is the VMX/SVM exit qualification.
     *
     * @param hardwareEntryFailureReason {@code fail_entry.hardware_entry_failure_reason}, vendor-specific
     * @param cpu the host CPU the entry failed on
     */
    record FailEntry(long hardwareEntryFailureReason, int cpu) implements VcpuExit {
        @Override
        public String reasonName() {
            return "fail_entry";
        }

        @Override
        public String toString() {
            return String.format("FailEntry[hardware_entry_failure_reason=0x%x cpu=%d]", hardwareEntryFailureReason, cpu);
        }
    }

    /**
     * KVM could not handle something, e.g. emulate an instruction (KVM_EXIT_INTERNAL_ERROR).
     *
     * @param suberror a {@code KVM_INTERNAL_ERROR_*} value, named by {@link #suberrorName()}
     * @param data the {@code internal.data} words KVM reported (at most 16), suberror-specific
     */
    record InternalError(int suberror, long[] data) implements VcpuExit {
        /**
         * Copies {@code data}, so the record does not change when the caller's array does.
         *
         * @param suberror a {@code KVM_INTERNAL_ERROR_*} value
         * @param data the suberror-specific words
         * @throws NullPointerException if {@code data} is null
         */
        public InternalError {
            data = data.clone();
        }

        /** {@return a copy of the suberror-specific words} */
        @Override
        public long[] data() {
            return data.clone();
        }

        @Override
        public String reasonName() {
            return "internal_error";
        }

        /** {@return the suberror's name, e.g. {@code "emulation"}; {@code "suberror <n>"} for one jvmm does not know} */
        public String suberrorName() {
            return switch (suberror) {
                case KvmConstants.KVM_INTERNAL_ERROR_EMULATION -> "emulation";
                case KvmConstants.KVM_INTERNAL_ERROR_SIMUL_EX -> "simultaneous exceptions";
                case KvmConstants.KVM_INTERNAL_ERROR_DELIVERY_EV -> "event delivery";
                default -> "suberror " + suberror;
            };
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("InternalError[").append(suberrorName());
            for (long d : data) {
                sb.append(" 0x").append(Long.toHexString(d));
            }
            return sb.append(']').toString();
        }
    }

    /**
     * A system event such as a reset or shutdown request (KVM_EXIT_SYSTEM_EVENT).
     *
     * @param type {@link #SHUTDOWN}, {@link #RESET}, {@link #CRASH} or another {@code KVM_SYSTEM_EVENT_*} value
     * @param flags {@code system_event.flags} (the first data word), type-specific
     */
    record SystemEvent(int type, long flags) implements VcpuExit {
        /** {@code type} of a shutdown request (KVM_SYSTEM_EVENT_SHUTDOWN, api.rst 5). */
        public static final int SHUTDOWN = KvmConstants.KVM_SYSTEM_EVENT_SHUTDOWN;
        /** {@code type} of a reset request (KVM_SYSTEM_EVENT_RESET). */
        public static final int RESET = KvmConstants.KVM_SYSTEM_EVENT_RESET;
        /** {@code type} of a guest crash report (KVM_SYSTEM_EVENT_CRASH). */
        public static final int CRASH = KvmConstants.KVM_SYSTEM_EVENT_CRASH;

        @Override
        public String reasonName() {
            return "system_event";
        }

        /** {@return the type's name: {@code "shutdown"}, {@code "reset"}, {@code "crash"}, or {@code "type <n>"}} */
        public String typeName() {
            return switch (type) {
                case KvmConstants.KVM_SYSTEM_EVENT_SHUTDOWN -> "shutdown";
                case KvmConstants.KVM_SYSTEM_EVENT_RESET -> "reset";
                case KvmConstants.KVM_SYSTEM_EVENT_CRASH -> "crash";
                default -> "type " + type;
            };
        }
    }

    /**
     * {@code KVM_RUN} returned {@code EINTR}: the thread was kicked ({@link Vcpu#kick()}) or another
     * signal arrived. Not a guest event; the caller checks why it was kicked and usually runs again.
     */
    record Interrupted() implements VcpuExit {
        @Override
        public String reasonName() {
            return "intr";
        }
    }

    /**
     * An exit jvmm does not model. For KVM_EXIT_UNKNOWN (0) {@code hardwareExitReason} is the
     * VMX/SVM exit reason; otherwise 0.
     *
     * @param exitReason the {@code kvm_run.exit_reason}, a {@code KVM_EXIT_*} value
     * @param hardwareExitReason the VMX/SVM exit reason for KVM_EXIT_UNKNOWN, 0 for any other reason
     */
    record Unknown(int exitReason, long hardwareExitReason) implements VcpuExit {
        @Override
        public String reasonName() {
            return KvmConstants.exitReasonName(exitReason);
        }

        @Override
        public String toString() {
            return "Unknown[exit_reason=" + exitReason + " (" + reasonName() + ") hardware_exit_reason=0x"
                + Long.toHexString(hardwareExitReason) + "]";
        }
    }
}
