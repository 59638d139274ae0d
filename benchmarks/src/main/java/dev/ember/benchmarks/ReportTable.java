package dev.ember.benchmarks;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one comparison table: a line per (op, size, mode), for each device its median time, rate
 * and share of the roofline bound, then each accelerator's speedup over the CPU. Rendered as
 * aligned text for the console and as Markdown for the report, each followed by {@link #legend}.
 * A share above 100% is shown as "&gt;100%": the figure exceeds what was measured as the limit
 * (data that stays in cache is not bound by the memory bandwidth the copy measures), so its
 * exact value means nothing.
 */
public final class ReportTable {
    /** One table line: the rows of every device for one op, size and mode. */
    public record Line(String op, String size, String mode, Map<String, ResultRow> byDevice) {
        public double speedup(String device) {
            ResultRow cpu = byDevice.get("cpu");
            ResultRow d = byDevice.get(device);
            return cpu == null || d == null ? Double.NaN : cpu.seconds() / d.seconds();
        }
    }

    /** The roof% cell of a rate above the measured limit. */
    static final String ABOVE = ">100%";

    private final List<String> devices;
    private final List<Line> lines;
    private final Map<String, Roofline> roofline;

    public ReportTable(List<ResultRow> rows, List<Roofline> roofs) {
        Set<String> devs = new LinkedHashSet<>();
        if (rows.stream().anyMatch(r -> r.device().equals("cpu"))) {
            devs.add("cpu");
        }
        rows.forEach(r -> devs.add(r.device()));
        devices = List.copyOf(devs);
        roofline = new LinkedHashMap<>();
        roofs.forEach(r -> roofline.put(r.device(), r));
        List<ResultRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt((ResultRow r) -> opOrder(r.op())).thenComparing(ResultRow::op)
                .thenComparingDouble(ResultRow::magnitude).thenComparing(ResultRow::size)
                .thenComparing(r -> modeOrder(r.mode())));
        Map<String, Line> byKey = new LinkedHashMap<>();
        for (ResultRow r : sorted) {
            byKey.computeIfAbsent(r.op() + "\u0000" + r.size() + "\u0000" + r.mode(),
                    k -> new Line(r.op(), r.size(), r.mode(), new LinkedHashMap<>())).byDevice().put(r.device(), r);
        }
        lines = List.copyOf(byKey.values());
    }

    private static int opOrder(String op) {
        List<OpSpec> all = Suite.all();
        String base = op.contains("[") ? op.substring(0, op.indexOf('[')) : op;
        if (base.startsWith("gemm")) {
            return 0;
        }
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).name().equals(base)) {
                return i;
            }
        }
        return all.size();
    }

    private static int modeOrder(String mode) {
        return switch (mode) {
            case "resident" -> 0;
            case "with_transfers" -> 1;
            default -> 2;
        };
    }

    public List<String> devices() {
        return devices;
    }

    public List<Line> lines() {
        return lines;
    }

    public List<String> accelerators() {
        return devices.stream().filter(d -> !d.equals("cpu")).toList();
    }

    private List<String> header() {
        List<String> h = new ArrayList<>(List.of("op", "size", "mode"));
        for (String d : devices) {
            h.add(d + " time");
            h.add(d + " rate");
            h.add(d + " roof%");
        }
        if (devices.contains("cpu")) {
            accelerators().forEach(d -> h.add(d + " vs cpu"));
        }
        return h;
    }

    private List<List<String>> cells() {
        List<List<String>> out = new ArrayList<>();
        for (Line l : lines) {
            List<String> c = new ArrayList<>(List.of(l.op(), l.size(), l.mode().isEmpty() ? "-" : l.mode()));
            for (String d : devices) {
                ResultRow r = l.byDevice().get(d);
                if (r == null) {
                    c.addAll(List.of("-", "-", "-"));
                    continue;
                }
                c.add(time(r.seconds()));
                c.add(rate(r));
                c.add(roofCell(r, roofline.get(d)));
            }
            if (devices.contains("cpu")) {
                for (String d : accelerators()) {
                    double s = l.speedup(d);
                    c.add(Double.isFinite(s) ? sig3(s) + "x" : "-");
                }
            }
            out.add(c);
        }
        return out;
    }

    /** The roof% cell: the share in percent, "&gt;100%" above the measured limit, "-" when nothing applies. */
    static String roofCell(ResultRow r, Roofline roof) {
        double pct = r.roofPercent(roof);
        if (!Double.isFinite(pct)) {
            return "-";
        }
        // Rounded as shown: 100.4% prints as 100%, the limit itself.
        return Math.round(pct) > 100 ? ABOVE : String.format(Locale.ROOT, "%.0f%%", pct);
    }

    /**
     * What roof% is relative to, printed under the table; it explains "&gt;100%" too when a cell
     * shows it.
     */
    public String legend() {
        String s = "roof%: rate as a share of the device's measured limit: its peak FLOP rate for GFLOP/s rows, "
                + "its copy bandwidth (a 64 MB array, memory-bound) for GB/s rows.";
        if (lines.stream().anyMatch(l -> l.byDevice().values().stream().anyMatch(ResultRow::hostTransfer))) {
            s += " h2d and d2h have none: they cross the host link, whose limit is not measured, and count each"
                    + " byte once where the copy counts its read and its write.";
        }
        if (cells().stream().anyMatch(c -> c.contains(ABOVE))) {
            s += " " + ABOVE + ": faster than that limit, so the share means nothing: data that stays in cache is "
                    + "not bound by memory bandwidth, and a peak measured while other jobs ran reads low.";
        }
        return s;
    }

    /** Aligned plain-text table. */
    public String text() {
        List<String> h = header();
        List<List<String>> cells = cells();
        int[] w = new int[h.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = h.get(i).length();
            for (List<String> c : cells) {
                w[i] = Math.max(w[i], c.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        appendRow(b, h, w);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        b.append(rule).append('\n');
        cells.forEach(c -> appendRow(b, c, w));
        return b.append(legend()).append('\n').toString();
    }

    private static void appendRow(StringBuilder b, List<String> c, int[] w) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String v = c.get(i);
            line.append(i == 0 ? "" : "  ");
            // text columns left-aligned, figures right-aligned
            line.append(i < 3 ? pad(v, w[i], false) : pad(v, w[i], true));
        }
        b.append(line.toString().stripTrailing()).append('\n');
    }

    private static String pad(String v, int width, boolean right) {
        String p = " ".repeat(Math.max(0, width - v.length()));
        return right ? p + v : v + p;
    }

    /** GitHub-flavoured Markdown table. */
    public String markdown() {
        List<String> h = header();
        StringBuilder b = new StringBuilder("| ").append(String.join(" | ", h)).append(" |\n|");
        for (int i = 0; i < h.size(); i++) {
            b.append(i < 3 ? "---|" : "---:|");
        }
        b.append('\n');
        for (List<String> c : cells()) {
            b.append("| ").append(String.join(" | ", c)).append(" |\n");
        }
        return b.append('\n').append(legend()).append('\n').toString();
    }

    /** Median time with three significant figures and a unit from ns to s. */
    public static String time(double s) {
        if (!Double.isFinite(s)) {
            return "-";
        }
        // Rounded before the unit is chosen: 0.9996 s is "1.00 s", not "1000 ms".
        s = round3(s);
        double v;
        String u;
        if (s >= 1) {
            v = s;
            u = "s";
        } else if (s >= 1e-3) {
            v = s * 1e3;
            u = "ms";
        } else if (s >= 1e-6) {
            v = s * 1e6;
            u = "us";
        } else {
            v = s * 1e9;
            u = "ns";
        }
        return sig3(v) + " " + u;
    }

    /** {@code v} (a rate or a speedup) with three significant figures; 0 is "0.00". */
    static String sig3(double v) {
        v = round3(v); // 99.96 is "100", not "100.0"
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (v >= 1 || !(v > 0)) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        // Below 1, as many decimals as three figures need: a measured 1.9 MB/s is "0.00190", not "0.00".
        BigDecimal d = new BigDecimal(Double.toString(v)).round(new MathContext(3));
        int first = d.precision() - d.scale() - 1; // the power of ten of its first digit: -3 for 0.0019
        return d.setScale(2 - first).toPlainString();
    }

    /** {@code v} rounded to three significant figures. */
    private static double round3(double v) {
        return v == 0 || !Double.isFinite(v) ? v : new BigDecimal(v).round(new MathContext(3)).doubleValue();
    }

    /** GFLOP/s for counted-FLOP ops, GB/s for memory-bound ones. */
    public static String rate(ResultRow r) {
        if (r.hasFlops()) {
            return sig3(r.flopRate() / 1e9) + " GFLOP/s";
        }
        if (r.hasBytes()) {
            return sig3(r.byteRate() / 1e9) + " GB/s";
        }
        return "-";
    }

    /**
     * The product a line measures, when its op's sizes name different products (gemm_mlp's
     * mlp_fwd_b128 and mlp_dx_b128 are two GEMMs), else empty: see {@link Sizes#product}.
     */
    static String product(Line l) {
        String op = l.op();
        OpSpec spec = Suite.byName(op.contains("[") ? op.substring(0, op.indexOf('[')) : op);
        return spec == null ? "" : Sizes.product(spec.kind(), l.size());
    }

    /**
     * Per op, product (see {@link #product}), accelerator and mode: the smallest measured size from
     * which the accelerator beats the CPU at every larger size too. Only sizes of one product are
     * compared with each other.
     */
    public List<String> crossovers() {
        List<String> out = new ArrayList<>();
        if (!devices.contains("cpu")) {
            return out;
        }
        Map<String, List<Line>> byOpMode = new LinkedHashMap<>();
        for (Line l : lines) {
            String product = product(l);
            byOpMode.computeIfAbsent(l.op() + (product.isEmpty() ? "" : " " + product)
                    + (l.mode().isEmpty() ? "" : " (" + l.mode() + ")"), k -> new ArrayList<>()).add(l);
        }
        for (String d : accelerators()) {
            byOpMode.forEach((key, ls) -> {
                List<Line> measured = ls.stream().filter(l -> Double.isFinite(l.speedup(d))).toList();
                if (measured.isEmpty()) {
                    return;
                }
                int from = measured.size();
                while (from > 0 && measured.get(from - 1).speedup(d) > 1) {
                    from--;
                }
                String what;
                if (from == measured.size()) {
                    what = "does not overtake the CPU in the measured sizes (up to " + measured.getLast().size() + ")";
                } else if (from == 0) {
                    what = "faster than the CPU from the smallest measured size, " + measured.getFirst().size();
                } else {
                    what = "overtakes the CPU between " + measured.get(from - 1).size() + " and "
                            + measured.get(from).size();
                }
                out.add(d + " " + key + ": " + what);
            });
        }
        return out;
    }
}
