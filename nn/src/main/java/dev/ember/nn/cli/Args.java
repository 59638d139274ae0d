package dev.ember.nn.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line flags: {@code --name value}, {@code --name=value} or, for switches, {@code --name}.
 * Unknown flags, missing values and malformed numbers are {@link UsageException}s naming the flag.
 */
final class Args {
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String[] args, int from, Set<String> valueFlags, Set<String> switches) {
        String previous = null; // the flag whose value came last: "--layers 64 32" is argparse's nargs habit
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'" + (previous == null ? " (flags start with --)"
                        : " after " + previous + " (a flag takes one value; a list is one value with commas, e.g."
                        + " --layers 64,32)"));
            }
            previous = null;
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (switches.contains(name)) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                values.put(name, "true");
            } else if (valueFlags.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                values.put(name, value);
                previous = eq >= 0 ? a : "--" + name + " " + value;
            } else {
                throw new UsageException("unknown flag --" + name + hint(name, valueFlags, switches));
            }
        }
    }

    /**
     * " (did you mean --batch-size?)" for a flag one or two edits from a known one (argparse
     * scripts spell it --batch_size; --epoch for --epochs), else a pointer to the command's help.
     * A name of three characters or fewer gets one edit only: two edits leave "--bs", "--wd" or
     * "--log" one letter or none in common with "--lr", a guess that misleads.
     */
    static String hint(String name, Set<String> valueFlags, Set<String> switches) {
        String best = null;
        int bestDistance = name.length() <= 3 ? 2 : 3; // the first distance too far
        for (Set<String> known : List.of(valueFlags, switches)) {
            for (String k : new TreeSet<>(known)) {
                int d = distance(name.toLowerCase(Locale.ROOT).replace('_', '-'), k);
                if (d < bestDistance) {
                    best = k;
                    bestDistance = d;
                }
            }
        }
        return best != null ? " (did you mean --" + best + "?)" : " (--help lists the command's flags)";
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name) {
        return values.get(name);
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    int intValue(String name, int dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs an integer, got '" + v + "'");
        }
    }

    long longValue(String name, long dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs an integer, got '" + v + "'");
        }
    }

    float floatValue(String name, float dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            float f = Float.parseFloat(v.trim());
            if (!Float.isFinite(f)) {
                throw new NumberFormatException();
            }
            return f;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a number, got '" + v + "'");
        }
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }
}
