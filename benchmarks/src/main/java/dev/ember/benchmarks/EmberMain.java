package dev.ember.benchmarks;

import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of ember.jar (the {@code ./ember} launcher): {@code bench} and {@code results} live
 * here, {@code tune} runs the OpenCL GEMM tuner; devices, train, evaluate and predict go to the nn
 * module's command line, {@code dev.ember.nn.cli.Cli} (its {@code COMMANDS}), found reflectively so
 * this module builds without it; any other command is refused here, naming them all. The exit code of the command is the
 * process's exit code.
 */
public final class EmberMain {
    static final String CLI = "dev.ember.nn.cli.Cli";

    private EmberMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        String cmd = args.length == 0 ? "help" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        return switch (cmd) {
            case "bench" -> BenchCommand.run(rest);
            case "results" -> ResultsCommand.run(rest);
            // Tunes the OpenCL GEMM tiles of every (or each named) OpenCL device; exits 1 when none was tuned.
            case "tune" -> dev.ember.runtime.opencl.OpenClTuner.run(rest, System.out, System.err);
            // "ember help bench", as git's: the command's own help (the nn commands' through their --help)
            case "help" -> args.length == 2 && !args[1].startsWith("-") && !args[1].equals("help")
                    ? commandHelp(args[1]) : overview(cmd, args);
            case "--help", "-h" -> overview(cmd, args);
            case "devices", "train", "evaluate", "predict" -> delegate(cmd, args); // Cli.COMMANDS (not linked)
            default -> {
                // The nn command line's own message lists only its commands.
                System.err.println("ember: unknown command '" + cmd + "' (expected devices, train, evaluate,"
                        + " predict, bench, results, tune, test or gpu-bundle; try 'ember help')");
                yield 2;
            }
        };
    }

    private static int commandHelp(String command) {
        if (command.equals("test") || command.equals("gpu-bundle")) { // the launcher's own, never reach the JVM
            System.out.println("ember " + command + ": " + (command.equals("test") ? "runs the whole test suite"
                    + " (mvn test); takes Maven's flags" : "builds the self-contained GPU check archive")
                    + "; see README.md");
            return 0;
        }
        return run(new String[] {command, "--help"});
    }

    private static int overview(String cmd, String[] args) {
        int code = delegate(cmd, args); // the nn command line's overview first: it has the header
        // One line per command, as the nn command line's (each command's --help has its
        // flags). The closing delimiter two columns left of the text keeps the commands
        // indented like the nn command line's, under its usage line. Without arguments the
        // overview is on stderr, as the nn command line prints its part (and exits 2).
        (args.length == 0 ? System.err : System.out).print("""
                  bench [--quick|--full] ...     run the JMH suites on every available device; table + report
                  results DIR [--file PATH]      regenerate benchmarks/RESULTS.md from a bench report directory
                  tune [--size N] [opencl:i ..]  tune the GEMM tiles of the OpenCL devices (stored in the cache)
                  test                           (launcher) run the whole test suite
                  gpu-bundle                     (launcher) build the self-contained GPU check archive
                """);
        return code;
    }

    private static int delegate(String cmd, String[] args) {
        Method run;
        try {
            run = Class.forName(CLI).getMethod("run", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return fallback(cmd);
        }
        try {
            Object code = run.invoke(null, (Object) args);
            return code instanceof Integer c ? c : 0;
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error er) {
                throw er;
            }
            System.err.println("ember " + cmd + ": " + c);
            return 1;
        } catch (IllegalAccessException e) {
            System.err.println("ember: cannot call " + CLI + ".run: " + e.getMessage());
            return 1;
        }
    }

    /** Without the nn command line: {@code devices} and {@code help} still work, the rest is a one-line error. */
    private static int fallback(String cmd) {
        switch (cmd) {
            case "devices" -> {
                for (DeviceInfo d : Devices.list()) {
                    System.out.println(d);
                }
                return 0;
            }
            case "help", "--help", "-h" -> {
                System.out.println("usage: ember <command> [options]\n"
                        + "  bench     run the benchmark suites and write a report (ember bench --help)\n"
                        + "  results   regenerate benchmarks/RESULTS.md from a report directory\n"
                        + "  devices   list the compute devices and why any is unavailable\n"
                        + "(training and the other nn commands need " + CLI + ", which is not in this build)");
                return 0;
            }
            default -> {
                System.err.println("ember: unknown command '" + cmd + "' (the nn command line " + CLI
                        + " is not in this build; available: bench, results, devices, help)");
                return 2;
            }
        }
    }
}
