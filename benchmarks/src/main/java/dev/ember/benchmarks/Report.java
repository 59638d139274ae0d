package dev.ember.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A report directory's content: environment, roofline measurements and result rows, with the
 * Markdown summary used both in the directory (results.md) and in benchmarks/RESULTS.md.
 * Files: {@code jmh.json} (raw JMH results), {@code env.json}, {@code rows.json},
 * {@code results.md}, {@code charts/*.png}.
 */
public record Report(Map<String, Object> env, List<Roofline> roofline, List<ResultRow> rows) {
    public static final String JMH_JSON = "jmh.json";
    public static final String ENV_JSON = "env.json";

    /** Environment fields the Markdown summary and the roof% column cannot do without. */
    static final List<String> REQUIRED_ENV = List.of("date", "cpu_model", "cpus", "os", "jdk", "selection",
            "jmh_settings", "roofline");

    /**
     * Reads a report directory written by {@code ember bench}; a file that cannot be read or
     * parsed is named in the {@link IllegalArgumentException} or {@link IOException}.
     */
    public static Report load(Path dir) throws IOException {
        Path jmh = dir.resolve(JMH_JSON);
        Path env = dir.resolve(ENV_JSON);
        if (!Files.isRegularFile(jmh) || !Files.isRegularFile(env)) {
            throw new IllegalArgumentException(dir + " is not a bench report directory (needs " + JMH_JSON + " and "
                    + ENV_JSON + ")");
        }
        Map<String, Object> e;
        List<Roofline> roofs = new ArrayList<>();
        try {
            e = Json.object(Json.parse(read(env)), ENV_JSON);
            if (e.get("roofline") instanceof List<?> l) {
                for (Object o : l) {
                    roofs.add(Roofline.fromJson(Json.object(o, "roofline entry")));
                }
            }
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(env + ": " + x.getMessage(), x);
        }
        List<ResultRow> rows;
        try {
            rows = JmhResults.parse(read(jmh));
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(jmh + ": " + x.getMessage(), x);
        }
        return new Report(e, roofs, rows);
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (IOException x) {
            throw new IOException("cannot read " + file + ": " + dev.ember.nn.io.IoErrors.reason(x), x);
        }
    }

    /**
     * Throws an {@link IllegalArgumentException} naming the file when the report in {@code dir}
     * cannot make a results table: no benchmark rows (every benchmark failed, or an empty
     * jmh.json), or env.json without the fields of {@link #REQUIRED_ENV} or without a roofline for
     * a measured device. Publishing such a report would replace every row with "?" and blanks.
     */
    public void requireComplete(Path dir) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve(JMH_JSON) + " holds no benchmark results; a report "
                    + "without rows cannot replace the published table");
        }
        List<String> missing = REQUIRED_ENV.stream().filter(k -> env.get(k) == null).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve(ENV_JSON) + " lacks " + String.join(", ", missing)
                    + " (written by ember bench; the results table needs them)");
        }
        List<String> noRoof = rows.stream().map(ResultRow::device).distinct().filter(d -> roofFor(d) == null).toList();
        if (!noRoof.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve(ENV_JSON) + " has no roofline entry for "
                    + String.join(", ", noRoof) + ", measured in " + JMH_JSON);
        }
    }

    public Roofline roofFor(String device) {
        return roofline.stream().filter(r -> r.device().equals(device)).findFirst().orElse(null);
    }

    /** The rows as one JSON document (rows.json), with what failed in the run. */
    public String rowsJson() {
        return Json.write(rowsDocument());
    }

    /** {@link #rowsJson} on one line, as {@code ember bench --json} prints it last. */
    public String rowsJsonLine() {
        return Json.writeLine(rowsDocument());
    }

    private Map<String, Object> rowsDocument() {
        List<Object> l = new ArrayList<>();
        rows.forEach(r -> l.add(r.toJson(roofFor(r.device()))));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", env.get("date"));
        m.put("rows", l);
        m.put("failures", env.get("failures") instanceof List<?> f ? f : List.of());
        return m;
    }

    private String env(String key) {
        Object v = env.get(key);
        return v == null ? "?" : v.toString();
    }

    /** The provenance line of the RESULTS.md section that {@code ember results} makes from report {@code dir}. */
    public static String byResults(Path dir) {
        return "Generated by `./ember results " + dir + "` from that report directory; do not edit between the markers.";
    }

    /** The provenance line of the results.md that {@code ember bench} writes into its report {@code dir}. */
    public static String byBench(Path dir) {
        return "Generated by `./ember bench` into " + dir + "; `./ember results " + dir + "` publishes it to RESULTS.md.";
    }

    /**
     * Markdown summary: context, roofline, the table and crossovers; {@code h} is the heading prefix
     * ("##"), {@code provenance} the line under the heading that says what wrote it
     * ({@link #byBench}, {@link #byResults}).
     */
    public String markdown(String h, String provenance) {
        ReportTable table = new ReportTable(rows, roofline);
        StringBuilder b = new StringBuilder();
        b.append(h).append(" Latest `ember bench` figures\n\n");
        b.append(provenance).append("\n\n");
        b.append("- Date: ").append(env("date")).append('\n');
        b.append("- Machine: ").append(env("cpu_model")).append(", ").append(env("cpus")).append(" CPUs (")
                .append(env("cores_per_socket")).append(" cores per socket), ").append(env("os")).append('\n');
        b.append("- JDK: ").append(env("jdk")).append("; JMH ").append(env("jmh")).append('\n');
        b.append("- Selection: ").append(env("selection")).append("; ").append(env("jmh_settings")).append('\n');
        b.append("- Load average at start / end: ").append(env("load_average_start")).append(" / ")
                .append(env("load_average_end")).append(" (other jobs shared this machine: figures are noisy")
                .append(String.valueOf(env.get("selection")).startsWith("quick") ? ", and quick-mode figures are indicative" : "")
                .append(")\n");
        if (env.get("skipped_ops") instanceof List<?> skipped && !skipped.isEmpty()) {
            b.append("- Not measured: ").append(String.join("; ", skipped.stream().map(Report::oneLine).toList()))
                    .append('\n');
        }
        if (env.get("failures") instanceof List<?> failed && !failed.isEmpty()) {
            b.append("- Failed in this run, so missing from the table or measured at fewer configurations: ")
                    .append(String.join("; ", failed.stream().map(Report::oneLine).toList())).append('\n');
        }
        if (env.get("note") != null) {
            b.append("- Note: ").append(env("note")).append('\n');
        }
        if (env.get("devices") instanceof List<?> devs) {
            b.append("- Devices:\n");
            for (Object o : devs) {
                Map<String, Object> d = Json.object(o, "device");
                boolean ok = Boolean.TRUE.equals(d.get("available"));
                b.append("  - `").append(d.get("name")).append("`: ")
                        .append(oneLine(ok ? d.get("description") : "unavailable: " + d.get("reason"))).append('\n');
            }
        }
        b.append('\n').append(h).append("# Attainable limits (roofline context)\n\n");
        b.append("| device | peak GFLOP/s | how | copy GB/s (read + write) |\n|---|---:|---|---:|\n");
        for (Roofline r : roofline) {
            b.append("| ").append(r.device()).append(" | ").append(fmt(r.peakFlops() / 1e9)).append(" | ")
                    .append(cell(r.peakMethod())).append(" | ").append(fmt(r.copyBytes() / 1e9)).append(" |\n");
        }
        // Reports written before the limits were re-measured at the end say so in the CPU's method
        // ("... best of N rounds" since then; later ones record it, as the CPU's method does not
        // say it when its limits could not be measured); describe what that report actually did.
        boolean remeasured = Boolean.TRUE.equals(env.get("roofline_remeasured")) || roofline.stream()
                .anyMatch(r -> r.device().equals("cpu") && String.valueOf(r.peakMethod()).contains("best of"));
        b.append(remeasured
                ? "\nEach limit is the best of several short runs, measured at the start and again at the end of "
                + "the run, keeping the higher: other jobs on the machine can only slow a measurement down. "
                + "The copy is of a 64 MB array (on the CPU every thread copies a slice), so it measures "
                + "memory bandwidth."
                : "\nEach limit was measured once, briefly, at the start of the run (this report predates "
                + "re-measuring at the end), so a busy machine can read it low. The copy is of a 64 MB array "
                + "(on the CPU one thread's System.arraycopy), so it measures memory bandwidth.")
                .append(" roof% in the table is the row's rate as a share of its roofline bound: ")
                .append("GFLOP/s over the peak for FLOP-counted ops (GEMM, training step), GB/s over the copy ")
                .append("bandwidth for memory-bound ops. Work is counted once per op (2·M·N·K for GEMM; bytes read ")
                .append("plus written); with_transfers rows count the same work, so their rate shows what a caller ")
                .append("who copies to and from host arrays gets.\n\n");
        b.append(h).append("# Results (median time per op)\n\n");
        b.append(rows.isEmpty() ? "No results.\n" : table.markdown());
        List<String> cross = table.crossovers();
        b.append('\n').append(h).append("# Crossover\n\n");
        if (!table.devices().contains("cpu")) {
            // --devices without cpu: no speedup column, and nothing for an accelerator to overtake
            b.append("The CPU was not measured, so there is no crossover to report.\n");
        } else if (table.accelerators().isEmpty()) {
            b.append("Only the CPU was measured, so there is no crossover to report.\n");
        } else {
            cross.forEach(c -> b.append("- ").append(c).append('\n'));
        }
        return b.toString();
    }

    /**
     * Text from an exception (an OpenCL build log, a driver's message) on one line, so that it
     * stays one item of a Markdown list.
     */
    static String oneLine(Object text) {
        return String.valueOf(text).strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** {@link #oneLine} with the table's separator escaped, for a Markdown table cell. */
    static String cell(Object text) {
        return oneLine(text).replace("|", "\\|");
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "-";
    }
}
