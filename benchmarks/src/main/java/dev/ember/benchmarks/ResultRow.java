package dev.ember.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured configuration: op, size, device and mode with the median time per op and the
 * rates derived from the work counted once per op.
 *
 * @param mode {@code resident}, {@code with_transfers}, or empty where the op has no mode
 * @param seconds median seconds per op
 * @param flopRate FLOP/s, NaN when the op is not counted in FLOPs
 * @param byteRate bytes/s (read plus written), NaN when the op is not counted in bytes
 * @param magnitude orders sizes of one op from small to large
 */
public record ResultRow(String op, String size, String device, String mode, double seconds, double flopRate,
                        double byteRate, double magnitude) {

    public boolean hasFlops() {
        return flopRate > 0;
    }

    public boolean hasBytes() {
        return byteRate > 0;
    }

    /**
     * A copy between a host array and the device (h2d, d2h): its limit is the host link (PCIe for
     * a GPU), which is not measured, and it counts each byte once where the device copy's
     * bandwidth counts a read and a write, so it has no roof%.
     */
    public boolean hostTransfer() {
        return op.equals("h2d") || op.equals("d2h");
    }

    /** roof% of this row against {@code roof}, NaN where it has none. */
    public double roofPercent(Roofline roof) {
        return roof == null || hostTransfer() ? Double.NaN : roof.percent(flopRate, byteRate);
    }

    public Map<String, Object> toJson(Roofline roof) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", op);
        m.put("size", size);
        m.put("device", device);
        m.put("mode", mode.isEmpty() ? null : mode);
        m.put("median_time_s", seconds);
        m.put("gflops", hasFlops() ? flopRate / 1e9 : null);
        m.put("gbps", hasBytes() ? byteRate / 1e9 : null);
        double pct = roofPercent(roof);
        m.put("roofline_percent", Double.isNaN(pct) ? null : pct);
        return m;
    }
}
