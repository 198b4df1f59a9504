package io.jvmm.cli;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import io.jvmm.kvm.KvmCap;
import io.jvmm.kvm.Vm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What {@code jvmm check} found out about this host: whether the KVM device opens (and why
 * not), its API version, the capabilities jvmm uses, the KVM backend and what it means for what
 * boots, the CPU, and whether a VM can be created.
 *
 * @param device the KVM device node examined
 * @param present whether it exists
 * @param openError why it could not be opened, or {@code null}
 * @param kvm what the open device told, when it opened
 * @param backend the KVM implementation ({@code /sys/module})
 * @param cpuModel the CPU's model name, if known
 * @param cpuFlags which of vmx, svm, hypervisor the CPU reports
 * @param hostMemory the host's RAM in bytes, if known
 */
record HostReport(Path device, boolean present, String openError, Optional<KvmFacts> kvm, KvmBackend backend,
                  Optional<String> cpuModel, Set<String> cpuFlags, OptionalLong hostMemory) {

    /** The answers of an open KVM device. */
    record KvmFacts(int apiVersion, List<Capability> capabilities, int maxVcpus, String vmError) {
        /** Whether {@code KVM_CREATE_VM} worked. */
        boolean vmCreatable() {
            return vmError == null;
        }

        List<Capability> missingNeeded() {
            return capabilities.stream().filter(c -> c.use().needed() && c.value() <= 0).toList();
        }
    }

    /** One capability's {@code KVM_CHECK_EXTENSION} answer and what jvmm uses it for. */
    record Capability(KvmCap cap, int value, Use use) {
    }

    /**
     * What jvmm needs a capability for.
     *
     * @param needed whether jvmm cannot run guests without it
     * @param count whether the answer is a count rather than yes/no
     * @param purpose what it is for, in a few words
     */
    record Use(boolean needed, boolean count, String purpose) {
        static Use of(KvmCap cap) {
            return switch (cap) {
                case USER_MEMORY -> new Use(true, false, "guest RAM in jvmm's own mappings");
                case EXT_CPUID -> new Use(true, false, "the CPUID jvmm gives its vCPUs");
                case HLT -> new Use(true, false, "HLT exits to jvmm: built-in and raw guests end by halting");
                case IMMEDIATE_EXIT -> new Use(true, false, "stopping running vCPUs without a race (--timeout)");
                case IRQCHIP -> new Use(false, false, "in-kernel PIC, IOAPIC and LAPIC: --vcpus above 1, Linux guests");
                case PIT2 -> new Use(false, false, "in-kernel PIT: Linux guests");
                case IRQ_ROUTING -> new Use(false, false, "interrupt routing on the in-kernel irqchip");
                case SYNC_MMU -> new Use(false, false, "guest memory follows changes to the host mappings");
                case SET_TSS_ADDR -> new Use(false, false, "TSS pages for real mode on Intel VMX");
                case SET_IDENTITY_MAP_ADDR -> new Use(false, false, "identity-map page for real mode on Intel VMX");
                case MAX_VCPUS -> new Use(false, true, "most vCPUs a VM may have (--vcpus)");
                case TSC_DEADLINE_TIMER -> new Use(false, false, "TSC-deadline LAPIC timer for Linux guests");
                case NR_VCPUS -> new Use(false, true, "recommended number of vCPUs");
                case NR_MEMSLOTS -> new Use(false, true, "memory slots per VM");
                case IRQFD -> new Use(false, false, "virtio interrupts from device threads (--disk, --rng)");
                case IOEVENTFD -> new Use(false, false, "virtio doorbells without an exit to jvmm (--disk, --rng)");
            };
        }
    }

    /** Examines {@code device} and the host. */
    static HostReport probe(Path device, ProcFs proc) {
        boolean present = Files.exists(device);
        String openError = null;
        Optional<KvmFacts> facts = Optional.empty();
        try (Kvm kvm = Kvm.open(device)) {
            facts = Optional.of(examine(kvm));
        } catch (RuntimeException e) {
            openError = KvmAccess.whyNot(device, e);
        }
        return new HostReport(device, present, openError, facts, KvmBackend.detect(), proc.cpuModel(),
            proc.virtualizationFlags(), proc.memTotalBytes());
    }

    private static KvmFacts examine(Kvm kvm) {
        List<Capability> caps = new ArrayList<>();
        for (KvmCap cap : KvmCap.values()) {
            caps.add(new Capability(cap, kvm.checkExtension(cap), Use.of(cap)));
        }
        String vmError = null;
        try {
            Vm vm = kvm.createVm();
            vm.close();
        } catch (RuntimeException e) {
            vmError = Main.oneLine(e);
        }
        return new KvmFacts(kvm.apiVersion(), List.copyOf(caps), kvm.maxVcpus(), vmError);
    }

    /** Whether jvmm can run guests here: a VM can be created and no needed capability is missing. */
    boolean canRunGuests() {
        return kvm.map(k -> k.vmCreatable() && k.missingNeeded().isEmpty()).orElse(false);
    }

    /** Why jvmm cannot run guests here, or {@code null}. */
    String problem() {
        if (kvm.isEmpty()) {
            return openError;
        }
        KvmFacts k = kvm.get();
        if (!k.vmCreatable()) {
            return "cannot create a VM: " + k.vmError();
        }
        List<Capability> missing = k.missingNeeded();
        if (!missing.isEmpty()) {
            return "KVM lacks " + String.join(", ", missing.stream().map(c -> c.cap().cName()).toList())
                + ", which jvmm needs";
        }
        return null;
    }

    /** What the backend means for what can boot, in one line. */
    static String meaning(KvmBackend backend) {
        return switch (backend) {
            case INTEL_VMX, AMD_SVM -> "hardware-assisted: built-in guests, raw images and Linux kernels run";
            case PVM -> "hand-made guests run; stock Linux kernels cannot boot here";
            case UNKNOWN -> "what boots depends on the KVM implementation";
        };
    }

    /** Why, in one more line. */
    static String explanation(KvmBackend backend) {
        return switch (backend) {
            case INTEL_VMX -> "Intel VT-x runs guest code natively";
            case AMD_SVM -> "AMD-V runs guest code natively";
            case PVM -> "no hardware virtualization: guest kernel-mode code is emulated, and with the in-kernel"
                + " irqchip a guest HLT waits in the kernel";
            case UNKNOWN -> "none of kvm_intel, kvm_amd, kvm_pvm is in /sys/module";
        };
    }

    /** The report for people, one fact per line. */
    String toText() {
        StringBuilder sb = new StringBuilder();
        line(sb, "KVM device", openError == null ? device + " opens read-write" : openError);
        kvm.ifPresent(k -> line(sb, "API version", k.apiVersion() + " (jvmm needs " + Kvm.REQUIRED_API_VERSION + ")"));
        line(sb, "backend", backendName() + ": " + meaning(backend));
        line(sb, "", explanation(backend));
        line(sb, "CPU", cpuModel.orElse("unknown") + "; " + flagsText());
        hostMemory.ifPresent(m -> line(sb, "host memory", SizeConverter.formatApproximate(m)));
        kvm.ifPresent(k -> {
            line(sb, "capabilities", "(needed = jvmm cannot run guests without it)");
            for (Capability c : k.capabilities()) {
                String answer = c.use().count() ? String.valueOf(c.value()) : (c.value() > 0 ? "yes" : "no");
                sb.append(String.format(Locale.ROOT, "  %-5s %-30s %-7s %s%n", answer, c.cap().cName(),
                    c.use().needed() ? "needed" : "", c.use().purpose()));
            }
            line(sb, "VM", k.vmCreatable() ? "created and closed again" : "cannot be created: " + k.vmError());
        });
        String problem = problem();
        line(sb, "result", problem == null ? "this host can run jvmm guests" : "jvmm cannot run guests here: " + problem);
        return sb.toString();
    }

    /** The report as one JSON object; absent facts are {@code null}. */
    String toJson() {
        JsonWriter json = new JsonWriter()
            .string("device", device.toString())
            .bool("present", present)
            .bool("openable", kvm.isPresent())
            .string("open_error", openError);
        if (kvm.isPresent()) {
            KvmFacts k = kvm.get();
            json.number("api_version", k.apiVersion()).beginObject("capabilities");
            for (Capability c : k.capabilities()) {
                if (c.use().count()) {
                    json.number(c.cap().cName(), c.value());
                } else {
                    json.bool(c.cap().cName(), c.value() > 0);
                }
            }
            json.endObject().number("max_vcpus", k.maxVcpus()).bool("vm_creatable", k.vmCreatable())
                .string("vm_error", k.vmError());
        } else {
            json.nullValue("api_version").nullValue("capabilities").nullValue("max_vcpus")
                .bool("vm_creatable", false).nullValue("vm_error");
        }
        json.string("backend", backend.name().toLowerCase(Locale.ROOT))
            .bool("hardware_assisted", backend.isHardwareAssisted())
            .string("backend_meaning", meaning(backend))
            .string("backend_explanation", explanation(backend))
            .string("cpu_model", cpuModel.orElse(null))
            .beginObject("cpu_flags");
        for (String flag : List.of("vmx", "svm", "hypervisor")) {
            json.bool(flag, cpuFlags.contains(flag));
        }
        json.endObject();
        if (hostMemory.isPresent()) {
            json.number("host_memory_bytes", hostMemory.getAsLong());
        } else {
            json.nullValue("host_memory_bytes");
        }
        return json.bool("can_run_guests", canRunGuests()).string("problem", problem()).toString();
    }

    private String backendName() {
        return switch (backend) {
            case INTEL_VMX -> "Intel VMX (/sys/module/kvm_intel)";
            case AMD_SVM -> "AMD SVM (/sys/module/kvm_amd)";
            case PVM -> "PVM (/sys/module/kvm_pvm)";
            case UNKNOWN -> "unknown";
        };
    }

    private String flagsText() {
        boolean hw = cpuFlags.contains("vmx") || cpuFlags.contains("svm");
        String virt = hw ? "flags " + String.join(", ", cpuFlags.stream().filter(f -> !f.equals("hypervisor")).toList())
            : "no vmx/svm flag";
        return virt + (cpuFlags.contains("hypervisor") ? "; runs under a hypervisor" : "");
    }

    private static void line(StringBuilder sb, String label, String text) {
        sb.append(String.format(Locale.ROOT, "%-14s%s%n", label, text));
    }
}
