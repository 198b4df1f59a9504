package io.jvmm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code jvmm} command. Errors reach the user as one line on stderr ({@code jvmm: ...}) with
 * a distinct exit code ({@link ExitCodes}); {@code -v} adds debug logging and stack traces.
 */
@Command(name = "jvmm", mixinStandardHelpOptions = true, version = "jvmm 0.1.0",
    description = "A KVM virtual machine monitor written in Java.",
    subcommands = {RunCommand.class, CheckCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:guest reset or halted",
        "1:VMM error (bad input file, KVM failure)",
        "2:usage error",
        "3:guest shutdown (triple fault), failed entry or KVM internal error",
        "124:timeout"})
public final class Main implements Callable<Integer> {
    /** The logger whose level {@code -v} lowers: every jvmm class logs below it. */
    private static final String JVMM_LOGGER = "io.jvmm";

    private boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * {@code -v}: picocli calls this while parsing, so DEBUG is on before any command creates a
     * machine. Inherited by the subcommands, so {@code jvmm run -v} works as well as
     * {@code jvmm -v run}.
     */
    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
        description = "Debug logging, and stack traces with errors.")
    void setVerbose(boolean verbose) {
        this.verbose = verbose;
        if (verbose) {
            jvmmLogger().setLevel(Level.DEBUG);
        }
    }

    /**
     * Runs {@code jvmm} with the process's own streams, standard input and KVM device, then exits the JVM with the
     * command's exit code ({@link ExitCodes}). Does not return.
     *
     * @param args the command line, without the program name
     */
    public static void main(String[] args) {
        System.exit(execute(args, Environment.ofProcess()));
    }

    /**
     * Runs the command line with the given streams and returns the exit code (for tests and embedding). The guest
     * gets no input, the KVM device is {@code /dev/kvm} and the backend is detected on this host. Errors are printed
     * to {@code err}, not thrown; the JVM is not exited. The {@code -v} log level is restored on return.
     *
     * @param args the command line, without the program name
     * @param out standard output: the guest's serial console and reports
     * @param err standard error: one-line errors, logs and {@code --stats}
     * @return the exit code, one of {@link ExitCodes}
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        return execute(args, new Environment(out, err, Environment.DEFAULT_KVM_DEVICE));
    }

    /** Runs the command line in {@code env} and returns the exit code. */
    static int execute(String[] args, Environment env) {
        Logger logger = jvmmLogger();
        // The level is global to the logging system: give it back, so that one -v in a test JVM
        // does not turn on debug output for every later command.
        Level previousLevel = logger.getLevel();
        try {
            Main main = new Main();
            CommandLine cli = new CommandLine(main, env.commandFactory());
            cli.setOut(writer(env.out()));
            cli.setErr(writer(env.err()));
            cli.setParameterExceptionHandler(Main::usageError);
            cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
                PrintWriter e = commandLine.getErr();
                if (ex instanceof CliException) {
                    e.println("jvmm: " + oneLine(ex));
                } else {
                    e.println("jvmm: unexpected error: " + ex.getClass().getName() + ": " + oneLine(ex)
                        + (main.verbose ? "" : " (-v shows the stack trace)"));
                }
                if (main.verbose) {
                    ex.printStackTrace(e);
                }
                e.flush();
                return exitCodeOf(ex);
            });
            return cli.execute(args);
        } finally {
            logger.setLevel(previousLevel);
        }
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(stream, true);
    }

    /**
     * A command line picocli (or a command's own option checks) rejected: one line naming the
     * problem and one pointing at the help, instead of picocli's default full usage dump.
     */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = oneLine(ex);
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += " (did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?)";
            }
        }
        err.println("jvmm: " + message);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /** Exit code for an exception escaping a command. */
    static int exitCodeOf(Throwable ex) {
        if (ex instanceof CliException c) {
            return c.exitCode();
        }
        if (ex instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.VMM_ERROR;
    }

    /** The first line of an exception's message (its class name when it has none). */
    static String oneLine(Throwable ex) {
        String message = ex.getMessage();
        return message == null || message.isBlank() ? ex.getClass().getSimpleName() : oneLine(message);
    }

    /** The first line of {@code text}. */
    static String oneLine(String text) {
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).strip();
    }

    private static Logger jvmmLogger() {
        return (Logger) LoggerFactory.getLogger(JVMM_LOGGER);
    }

    /** {@code jvmm} alone: a command is missing. */
    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "a command is needed: 'run' boots a guest, 'check' shows what this host's KVM offers");
    }
}
