package dev.ember.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsed {@code ember bench} arguments. {@link #parse} throws {@link IllegalArgumentException}
 * with a one-line message naming the bad argument.
 *
 * @param devices devices asked for, or null for every available one
 * @param ops op or group names, or null for the quick/full selection
 * @param sizes sizes that replace the selection's sizes, or null
 * @param out report directory, or null for bench-results/&lt;timestamp&gt;
 */
public record BenchArgs(boolean full, List<String> devices, List<String> ops, List<String> sizes, Path out,
                        boolean json, boolean help) {

    public static final String USAGE = """
            usage: ember bench [--quick | --full] [--devices cpu,opencl:0,cuda:0] [--ops gemm,adam,...]
                               [--sizes 1M,4M,...] [--out DIR] [--json]
              --quick     compact selection on every available device, about 3 minutes (default)
              --full      every op, size and mode (long)
              --devices   devices to measure: cpu, cuda[:i], opencl[:i] (an unknown name is an error;
                          an unavailable device is skipped with the reason)
              --ops       ops or groups: %s
                          groups: %s
              --sizes     sizes replacing each op's defaults where they parse (1M, 1024x10,
                          784-256-128-10@128, 1024)
              --out       report directory (default bench-results/<timestamp>/); an earlier run's report
                          there is replaced when this one is written, and stays if this run stops first
              --json      also print the result rows (rows.json) as one JSON line at the end""";

    public static String usage() {
        return USAGE.formatted(wrapped(Suite.all().stream().map(OpSpec::name).toList(), 29),
                wrapped(List.copyOf(Suite.groups().keySet()), 22));
    }

    /**
     * Names joined by commas and broken after one where the line would pass 100 columns, the
     * widest line of the other commands' help; a later line starts at column {@code at}, under
     * the first name.
     */
    private static String wrapped(List<String> names, int at) {
        StringBuilder sb = new StringBuilder();
        int column = at;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i) + (i + 1 < names.size() ? "," : "");
            if (column > at && column + name.length() > 100) {
                sb.append('\n').append(" ".repeat(at));
                column = at;
            }
            sb.append(name);
            column += name.length();
        }
        return sb.toString();
    }

    public static BenchArgs parse(String[] args) {
        boolean quick = false, full = false, json = false, help = false;
        List<String> devices = null, ops = null, sizes = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--quick" -> quick = flag(a, value);
                case "--full" -> full = flag(a, value);
                case "--json" -> json = flag(a, value);
                case "--help", "-h" -> help = true;
                case "--devices", "--ops", "--sizes", "--out" -> {
                    if (value == null) {
                        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (a) {
                        case "--devices" -> devices = list(a, value, devices);
                        case "--ops" -> ops = list(a, value, ops);
                        case "--sizes" -> sizes = list(a, value, sizes);
                        default -> {
                            if (value.isBlank()) {
                                throw new IllegalArgumentException("--out needs a directory");
                            }
                            out = Path.of(value);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        if (quick && full) {
            throw new IllegalArgumentException("--quick and --full exclude each other");
        }
        if (ops != null) {
            Suite.select(ops); // unknown names fail here, before any device is opened
        }
        if (sizes != null) {
            for (String s : sizes) {
                boolean any = false;
                for (Sizes.Kind k : Sizes.Kind.values()) {
                    any |= Sizes.fits(k, s);
                }
                if (!any) {
                    throw new IllegalArgumentException("--sizes: '" + s + "' is not a size (use 1M, 256K, 1024x10, "
                            + "784-256-128-10@128 or a GEMM side such as 1024)");
                }
            }
        }
        return new BenchArgs(full, devices, ops, sizes, out, json, help);
    }

    private static boolean flag(String name, String value) {
        if (value != null) {
            throw new IllegalArgumentException(name + " takes no value");
        }
        return true;
    }

    private static List<String> list(String name, String value, List<String> previous) {
        List<String> l = previous == null ? new ArrayList<>() : new ArrayList<>(previous);
        for (String p : value.split(",", -1)) {
            if (p.isBlank()) {
                throw new IllegalArgumentException(name + " '" + value + "' has an empty entry");
            }
            // a repeated entry would be measured twice (sizes) or listed twice in the report (devices)
            if (!l.contains(p.trim())) {
                l.add(p.trim());
            }
        }
        return l;
    }
}
