package io.jvmm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jvmm check}: what this host's KVM offers jvmm (see {@link HostReport}). */
@Command(name = "check", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = {
        "Shows what this host's KVM offers jvmm.",
        "",
        "Whether /dev/kvm opens (and why not), its API version, the KVM capabilities jvmm uses, the KVM"
            + " backend (hardware VMX/SVM, or PVM) and what it means for what can boot, the CPU, and whether"
            + " a VM can be created.",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:a VM can be created and KVM has every capability jvmm needs",
        "1:jvmm cannot run guests here (the last line says why)",
        "2:usage error"})
final class CheckCommand implements Callable<Integer> {
    private final Environment env;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    CheckCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        HostReport report = HostReport.probe(env.kvmDevice(), ProcFs.host());
        if (json) {
            env.out().println(report.toJson());
        } else {
            env.out().print(report.toText());
        }
        env.out().flush();
        return report.canRunGuests() ? ExitCodes.OK : ExitCodes.VMM_ERROR;
    }
}
