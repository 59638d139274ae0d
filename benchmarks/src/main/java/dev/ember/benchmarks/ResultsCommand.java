package dev.ember.benchmarks;

import dev.ember.nn.io.IoErrors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ember results DIR [--file PATH]}: regenerates the generated block of
 * benchmarks/RESULTS.md (or PATH) from a report directory written by {@code ember bench}. A
 * report without rows or without the environment the table needs is refused, leaving the file as
 * it was.
 */
public final class ResultsCommand {
    static final String USAGE = "usage: ember results DIR [--file benchmarks/RESULTS.md]";

    /** What --help adds to the usage line: what the command does, which the usage alone did not say. */
    static final String HELP = """
              rewrites the generated table of benchmarks/RESULTS.md (run from the repository root), or of
              the --file given (created if missing), from DIR, the report directory an `ember bench` run
              wrote (bench-results/<timestamp>, holding jmh.json and env.json); the file's other text stays
            """;

    private ResultsCommand() {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir = null;
        Path file = Path.of("benchmarks", "RESULTS.md");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.println(USAGE);
                out.print(HELP);
                return 0;
            } else if (args[i].equals("--file")) {
                if (i + 1 >= args.length) {
                    err.println("ember results: --file needs a path\n" + USAGE);
                    return 2;
                }
                file = Path.of(args[++i]);
            } else if (args[i].startsWith("--")) {
                err.println("ember results: unknown argument '" + args[i] + "'\n" + USAGE);
                return 2;
            } else if (dir == null) {
                dir = Path.of(args[i]);
            } else {
                err.println("ember results: one report directory only, got '" + dir + "' and '" + args[i] + "'\n" + USAGE);
                return 2;
            }
        }
        if (dir == null) {
            err.println("ember results: which report directory? (bench-results/<timestamp>)\n" + USAGE);
            return 2;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            err.println("ember results: " + parent + " does not exist; run from the repository root or pass --file");
            return 2;
        }
        Report report;
        try {
            report = Report.load(dir);
            report.requireComplete(dir);
        } catch (IllegalArgumentException e) {
            // not a report directory, or an incomplete or corrupt one: bad input, as in the other commands
            err.println("ember results: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("ember results: " + e.getMessage());
            return 1;
        }
        try {
            ResultsFile.update(file, report.markdown("##", Report.byResults(dir)));
        } catch (IOException e) {
            // The file system's messages name no file ("Is a directory") or only the temporary one.
            err.println("ember results: cannot update " + file + ": " + IoErrors.reason(e));
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("ember results: " + file + ": " + e.getMessage());
            return 2;
        }
        out.println("updated " + file + " from " + dir + " (" + report.rows().size() + " rows)");
        return 0;
    }
}
