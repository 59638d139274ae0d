package dev.ember.runtime.opencl;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compile-time tile sizes of {@code gemm.cl}: a work-group computes a tsM x tsN tile of C in
 * steps of tsK, each work-item a wptM x wptN block; vw is the vector width of tile loads (1 or 4).
 */
record GemmConfig(int tsM, int tsN, int tsK, int wptM, int wptN, int vw) {

    /** The safe default, also the {@code #define} defaults in gemm.cl. */
    static final GemmConfig DEFAULT = new GemmConfig(32, 32, 16, 4, 4, 4);

    /** The handful the tuner tries, default first. */
    static final List<GemmConfig> CANDIDATES = List.of(
            DEFAULT,
            new GemmConfig(64, 64, 16, 8, 8, 4),
            new GemmConfig(64, 64, 8, 4, 4, 4),
            new GemmConfig(16, 16, 16, 2, 2, 4),
            new GemmConfig(32, 64, 16, 4, 8, 4),
            new GemmConfig(16, 16, 8, 1, 1, 1));

    GemmConfig {
        if (tsM % wptM != 0 || tsN % wptN != 0 || (vw != 1 && vw != 4)
                || (vw == 4 && (tsM % 4 != 0 || tsN % 4 != 0 || tsK % 4 != 0))) {
            throw new IllegalArgumentException("invalid GEMM tile config " + this);
        }
    }

    /** Work-items per group. */
    int threads() {
        return (tsM / wptM) * (tsN / wptN);
    }

    /** Local memory the two staged tiles take, in bytes. */
    long localBytes() {
        return 4L * tsK * ((tsM + 1) + (tsN + 1));
    }

    /** The -D options that select this config in gemm.cl. */
    String defines() {
        return String.format(Locale.ROOT, "-DTS_M=%d -DTS_N=%d -DTS_K=%d -DWPT_M=%d -DWPT_N=%d -DVW=%d",
                tsM, tsN, tsK, wptM, wptN, vw);
    }

    String json() {
        return String.format(Locale.ROOT, "{\"tsM\": %d, \"tsN\": %d, \"tsK\": %d, \"wptM\": %d, \"wptN\": %d, \"vw\": %d}",
                tsM, tsN, tsK, wptM, wptN, vw);
    }

    /** Reads the fields written by {@link #json()} from any JSON text holding them (first occurrence of each). */
    static GemmConfig parse(String json) {
        return new GemmConfig(field(json, "tsM"), field(json, "tsN"), field(json, "tsK"), field(json, "wptM"),
                field(json, "wptN"), field(json, "vw"));
    }

    private static int field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("GEMM tuning file lacks \"" + name + "\"");
        }
        return Integer.parseInt(m.group(1));
    }

    @Override
    public String toString() {
        return "TS_M=" + tsM + " TS_N=" + tsN + " TS_K=" + tsK + " WPT_M=" + wptM + " WPT_N=" + wptN + " VW=" + vw;
    }
}
