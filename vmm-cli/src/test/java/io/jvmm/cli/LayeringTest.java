package io.jvmm.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.jvmm.virtio.layeringfixture.DeviceThatDrivesKvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md, checked on the main code of every module (ArchUnit): the
 * lower modules never import the upper ones, device models know no platform map, bus, KVM or
 * transport, the ioctl layer knows no devices, and the ACPI table writer knows no platform. The
 * negative case shows the checks can fail: a test-only class that breaks a rule is caught.
 */
class LayeringTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.jvmm");

    private static final String CORE = "io.jvmm.core..";
    private static final String MEMORY = "io.jvmm.memory..";
    private static final String VIRTIO = "io.jvmm.virtio..";
    private static final String DEVICES = "io.jvmm.devices..";
    private static final String KVM = "io.jvmm.kvm..";
    private static final String LOADER = "io.jvmm.loader..";
    private static final String X86 = "io.jvmm.x86..";
    private static final String MACHINE = "io.jvmm.machine..";
    private static final String CLI = "io.jvmm.cli..";

    private static final ArchRule NO_CYCLES = slices().matching("io.jvmm.(**)").should().beFreeOfCycles();

    static final List<ArchRule> RULES = List.of(
        noClasses().that().resideInAPackage(CORE).should().dependOnClassesThat()
            .resideInAnyPackage(MEMORY, VIRTIO, DEVICES, KVM, LOADER, X86, MACHINE, CLI)
            .because("vmm-core is the bottom layer: libc, errno, descriptors"),
        noClasses().that().resideInAPackage(MEMORY).should().dependOnClassesThat()
            .resideInAnyPackage(VIRTIO, DEVICES, KVM, LOADER, X86, MACHINE, CLI)
            .because("guest memory knows no device, hypervisor, loader or front end"),
        noClasses().that().resideInAPackage(VIRTIO).should().dependOnClassesThat()
            .resideInAnyPackage(DEVICES, KVM, LOADER, X86, MACHINE, CLI)
            .because("virtio devices and queues run over GuestMemory without KVM (issue 11)"),
        noClasses().that().resideInAnyPackage("io.jvmm.virtio.block..", "io.jvmm.virtio.rng..").should().dependOnClassesThat()
            .resideInAPackage("io.jvmm.virtio.mmio..")
            .because("a virtio device knows no transport"),
        noClasses().that().resideInAPackage(DEVICES).should().dependOnClassesThat()
            .resideInAnyPackage(MEMORY, VIRTIO, KVM, LOADER, X86, MACHINE, CLI)
            .because("vmm-devices: buses and device models know no KVM, guest memory or platform map"),
        noClasses().that().resideInAPackage("io.jvmm.devices").should().dependOnClassesThat().resideInAPackage("io.jvmm.devices.bus..")
            .because("device models know no bus: the machine registers them (STYLE: one concern per package)"),
        noClasses().that().resideInAPackage(KVM).should().dependOnClassesThat()
            .resideInAnyPackage(DEVICES, VIRTIO, LOADER, X86, MACHINE, CLI)
            .because("Kvm, Vm and Vcpu know no bus, device or platform: exits leave through an ExitHandler (crosvm's handle_io)"),
        noClasses().that().resideOutsideOfPackage(KVM).should().dependOnClassesThat().resideInAPackage("io.jvmm.kvm.sys..")
            .because("io.jvmm.kvm.sys (ioctl numbers, struct layouts, the kick signal) is vmm-kvm's internal package"),
        noClasses().that().resideInAPackage("io.jvmm.kvm.sys..").should().dependOnClassesThat().resideInAPackage("io.jvmm.kvm")
            .because("the ioctl layer sits below the API that wraps it"),
        noClasses().that().resideInAPackage(LOADER).should().dependOnClassesThat()
            .resideInAnyPackage(DEVICES, VIRTIO, KVM, X86, MACHINE, CLI)
            .because("the loader writes into GuestMemory at the addresses of the BootLayout it is given (linux-loader)"),
        noClasses().that().resideInAPackage(X86).should().dependOnClassesThat().resideInAnyPackage(VIRTIO, MACHINE, CLI)
            .because("vmm-x86 sets up a vCPU and describes the platform; it assembles no machine"),
        noClasses().that().resideInAPackage("io.jvmm.x86.acpi..").should().dependOnClassesThat().resideInAnyPackage(
                "io.jvmm.x86", KVM, LOADER, DEVICES, MEMORY)
            .because("the ACPI tables are written from an AcpiConfig; the platform map meets them in x86.X86Acpi"),
        noClasses().that().resideInAPackage(MACHINE).should().dependOnClassesThat().resideInAPackage(CLI)
            .because("the library knows no command line"));

    @Test
    void theMainCodeKeepsEveryLayer() {
        String violations = RULES.stream().map(r -> r.evaluate(MAIN)).filter(EvaluationResult::hasViolation)
            .map(r -> String.join("\n", r.getFailureReport().getDetails()))
            .collect(Collectors.joining("\n"));
        assertTrue(violations.isEmpty(), violations);
        assertFalse(MAIN.isEmpty(), "the check saw the main classes");
        for (String p : List.of("io.jvmm.core", "io.jvmm.memory", "io.jvmm.virtio.mmio", "io.jvmm.devices", "io.jvmm.devices.bus",
                "io.jvmm.kvm", "io.jvmm.kvm.sys", "io.jvmm.loader", "io.jvmm.x86", "io.jvmm.x86.acpi", "io.jvmm.machine",
                "io.jvmm.machine.guest", "io.jvmm.cli")) {
            assertTrue(MAIN.containPackage(p), "the check saw " + p);
        }
        assertFalse(MAIN.containPackage("io.jvmm.virtio.layeringfixture") || MAIN.containPackage("io.jvmm.layeringfixture.ping"),
            "test classes are not checked as main code");
    }

    /**
     * No package cycles, as the bytecode shows them. A reference to a compile-time constant alone
     * (an {@code X86Layout} port number, say) is inlined by javac and invisible here; Maven's
     * module graph refuses those between modules at compile time, and within a module the
     * packages are few enough to read (docs/architecture.md).
     */
    @Test
    void noPackageDependsOnItselfThroughOthers() {
        EvaluationResult r = NO_CYCLES.evaluate(MAIN);
        assertFalse(r.hasViolation(), () -> String.join("\n", r.getFailureReport().getDetails()));
    }

    @Test
    void aPackageCycleIsCaught() {
        JavaClasses cycle = new ClassFileImporter().importClasses(io.jvmm.layeringfixture.ping.Ping.class,
            io.jvmm.layeringfixture.pong.Pong.class);
        assertTrue(NO_CYCLES.evaluate(cycle).hasViolation());
    }

    @Test
    void aForbiddenImportIsCaught() {
        JavaClasses wrong = new ClassFileImporter().importClasses(DeviceThatDrivesKvm.class);
        // most rules match no class of this one-class set; only a violation counts here
        List<String> failed = RULES.stream().map(r -> r.allowEmptyShould(true).evaluate(wrong)).filter(EvaluationResult::hasViolation)
            .flatMap(r -> r.getFailureReport().getDetails().stream()).toList();
        assertTrue(failed.stream().anyMatch(d -> d.contains("DeviceThatDrivesKvm") && d.contains("io.jvmm.kvm.Vm")), failed::toString);
    }

    /**
     * Each module's {@code module-info} exports its API packages and nothing else: above all, not
     * {@code io.jvmm.kvm.sys}. Read from the compiled descriptors next to a class of each module
     * (the tests run on the class path, where a descriptor is not enforced).
     */
    @Test
    void everyModuleExportsItsApiPackagesOnly() {
        Map<Class<?>, Set<String>> expected = Map.of(
            io.jvmm.core.LibC.class, Set.of("io.jvmm.core"),
            io.jvmm.memory.GuestMemory.class, Set.of("io.jvmm.memory"),
            io.jvmm.virtio.VirtioDevice.class, Set.of("io.jvmm.virtio", "io.jvmm.virtio.mmio", "io.jvmm.virtio.block", "io.jvmm.virtio.rng"),
            io.jvmm.devices.BusDevice.class, Set.of("io.jvmm.devices", "io.jvmm.devices.bus"),
            io.jvmm.kvm.Vm.class, Set.of("io.jvmm.kvm"),
            io.jvmm.loader.LinuxLoader.class, Set.of("io.jvmm.loader"),
            io.jvmm.x86.X86Layout.class, Set.of("io.jvmm.x86", "io.jvmm.x86.acpi"),
            io.jvmm.machine.Machine.class, Set.of("io.jvmm.machine", "io.jvmm.machine.guest"),
            Main.class, Set.of());
        expected.forEach((member, exports) -> {
            ModuleDescriptor d = descriptorOf(member);
            Set<String> actual = new TreeSet<>();
            d.exports().forEach(e -> {
                assertFalse(e.isQualified(), d.name() + " exports " + e.source() + " to chosen modules only");
                actual.add(e.source());
            });
            assertEquals(new TreeSet<>(exports), actual, d.name() + " exports");
        });
    }

    private static ModuleDescriptor descriptorOf(Class<?> member) {
        URL location = member.getProtectionDomain().getCodeSource().getLocation();
        try (InputStream in = new URL(location.toString().endsWith(".jar") ? "jar:" + location + "!/module-info.class"
                : location + "module-info.class").openStream()) {
            assertNotNull(in);
            return ModuleDescriptor.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("no module-info.class beside " + member.getName() + " at " + location, e);
        }
    }
}
