package dev.ember.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JMH's JSON result document into {@link ResultRow}s: the median of the primary metric
 * (any JMH mode and time unit) as seconds per op, and the {@code flop}/{@code bytes} auxiliary
 * counters as rates. A GEMM result without counters gets 2·n³ FLOPs per op.
 */
public final class JmhResults {
    private JmhResults() {
    }

    public static List<ResultRow> parse(String json) {
        List<ResultRow> rows = new ArrayList<>();
        for (Object o : Json.array(Json.parse(json), "JMH result")) {
            Map<String, Object> r = Json.object(o, "JMH result entry");
            String benchmark = String.valueOf(r.get("benchmark"));
            Map<String, String> params = new LinkedHashMap<>();
            if (r.get("params") != null) {
                Json.object(r.get("params"), benchmark + " params").forEach((k, v) -> params.put(k, String.valueOf(v)));
            }
            Map<String, Object> primary = Json.object(r.get("primaryMetric"), benchmark + " primaryMetric");
            double seconds = secondsPerOp(median(primary), String.valueOf(primary.get("scoreUnit")));
            double flop = Double.NaN, bytes = Double.NaN;
            if (r.get("secondaryMetrics") instanceof Map<?, ?> sec) {
                flop = rate(sec.get("flop"));
                if (!(flop > 0)) {
                    flop = rate(sec.get("gflops")) * 1e9; // the GEMM suites count GFLOP
                }
                bytes = rate(sec.get("bytes"));
            }
            OpSpec spec = Suite.forResult(benchmark, params);
            String op;
            String size;
            double magnitude;
            List<String> skip = new ArrayList<>(List.of("device", "mode"));
            if (spec != null) {
                op = spec.name();
                skip.add(spec.sizeParam());
                skip.addAll(spec.fixed().keySet());
                size = params.getOrDefault(spec.sizeParam(), "?");
                magnitude = Sizes.fits(spec.kind(), size) ? Sizes.magnitude(spec.kind(), size) : 0;
                if (spec.benchClass().equals(Suite.GEMM_CLASS)) {
                    op = gemmName(benchmark, params.get("trans"));
                    skip.add("trans");
                    if (!(flop > 0) && Sizes.fits(Sizes.Kind.SIDE, size)) {
                        double n = Sizes.side(size);
                        flop = 2 * n * n * n / seconds;
                    }
                }
            } else {
                String simple = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
                op = simple.replace("Benchmark.", ".");
                size = params.getOrDefault("size", params.getOrDefault("n", "-"));
                skip.add(params.containsKey("size") ? "size" : "n");
                magnitude = 0;
            }
            StringBuilder extra = new StringBuilder();
            params.forEach((k, v) -> {
                if (!skip.contains(k)) {
                    extra.append(extra.isEmpty() ? "[" : ",").append(k).append('=').append(v);
                }
            });
            if (!extra.isEmpty()) {
                op = op + extra + "]";
            }
            rows.add(new ResultRow(op, size, params.getOrDefault("device", "?"), params.getOrDefault("mode", ""),
                    seconds, flop, bytes, magnitude));
        }
        return rows;
    }

    /** "gemm" for the NN case, "gemm_nt" etc. for the transposed ones; other methods add ".method". */
    static String gemmName(String benchmark, String trans) {
        String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        String name = trans == null || trans.equals("NN") ? "gemm" : "gemm_" + trans.toLowerCase(java.util.Locale.ROOT);
        return method.equals("gemm") ? name : name + "." + method;
    }

    private static double median(Map<String, Object> metric) {
        if (metric.get("scorePercentiles") instanceof Map<?, ?> p && p.get("50.0") != null) {
            return Json.number(p.get("50.0"));
        }
        return Json.number(metric.get("score"));
    }

    /** A secondary metric as a per-second rate, NaN when absent or zero. */
    private static double rate(Object metric) {
        if (!(metric instanceof Map<?, ?> m)) {
            return Double.NaN;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> mm = (Map<String, Object>) m;
        double perUnit = secondsPerOp(median(mm), String.valueOf(mm.get("scoreUnit")));
        double r = 1 / perUnit;
        return r > 0 && Double.isFinite(r) ? r : Double.NaN;
    }

    /** Seconds per op from a JMH score and unit such as "ops/s", "ops/ms", "us/op" or "ms/op". */
    static double secondsPerOp(double score, String unit) {
        String[] p = unit.split("/");
        if (p.length != 2) {
            throw new IllegalArgumentException("unknown JMH score unit '" + unit + "'");
        }
        if (p[1].equals("op")) {
            return score * unitSeconds(p[0], unit);
        }
        if (p[0].equals("ops")) {
            return unitSeconds(p[1], unit) / score;
        }
        throw new IllegalArgumentException("unknown JMH score unit '" + unit + "'");
    }

    private static double unitSeconds(String u, String whole) {
        return switch (u) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us", "\u00b5s" -> 1e-6;
            case "ns" -> 1e-9;
            case "min" -> 60;
            default -> throw new IllegalArgumentException("unknown time unit '" + u + "' in JMH score unit '" + whole + "'");
        };
    }
}
