package dev.ember.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON helpers for JMH result files and the report's own documents: parsing is the nn module's
 * strict reader; the writer here indents and writes non-finite numbers as null, as reports need.
 * Values map to {@code Map<String,Object>} (insertion-ordered), {@code List<Object>},
 * {@code Double}, {@code String}, {@code Boolean} and {@code null}. JMH writes NaN as the string
 * "NaN"; {@link #number} accepts both forms.
 */
public final class Json {
    private Json() {
    }

    /** Parses with the nn module's strict reader (integers come back as Long, fractions as Double). */
    public static Object parse(String text) {
        return dev.ember.nn.io.Json.parse(text);
    }

    /** A number field that may be a JSON number, a numeric string such as "NaN", or absent (NaN). */
    public static double number(Object v) {
        if (v instanceof Number d) {
            return d.doubleValue();
        }
        if (v instanceof String str) {
            try {
                return Double.parseDouble(str);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object v, String what) {
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException(what + ": expected a JSON object, got " + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    @SuppressWarnings("unchecked")
    public static List<Object> array(Object v, String what) {
        if (v instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IllegalArgumentException(what + ": expected a JSON array, got " + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    /** Writes a value as indented JSON; non-finite numbers become null. */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, 0);
        return b.append('\n').toString();
    }

    /** The same JSON on one line (for a script that reads the last line of a command's output). */
    public static String writeLine(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, -1);
        return b.append('\n').toString();
    }

    /** Indented by {@code indent} levels, or on one line where {@code indent} is negative. */
    private static void write(StringBuilder b, Object v, int indent) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                b.append("null");
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                b.append((long) d);
            } else {
                b.append(d);
            }
        } else if (v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            int k = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                separate(b, k++, indent);
                b.append(dev.ember.nn.io.Json.quote(String.valueOf(e.getKey())));
                b.append(": ");
                write(b, e.getValue(), indent < 0 ? indent : indent + 1);
            }
            close(b, m.isEmpty(), indent, '}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            int k = 0;
            for (Object o : l) {
                separate(b, k++, indent);
                write(b, o, indent < 0 ? indent : indent + 1);
            }
            close(b, l.isEmpty(), indent, ']');
        } else {
            b.append(dev.ember.nn.io.Json.quote(v.toString()));
        }
    }

    /** Before the k-th member of an object or array: a new indented line, or ", " on one line. */
    private static void separate(StringBuilder b, int k, int indent) {
        if (indent < 0) {
            b.append(k == 0 ? "" : ", ");
        } else {
            b.append(k == 0 ? "\n" : ",\n").append("  ".repeat(indent + 1));
        }
    }

    private static void close(StringBuilder b, boolean empty, int indent, char bracket) {
        b.append(empty || indent < 0 ? "" : "\n" + "  ".repeat(indent)).append(bracket);
    }
}
