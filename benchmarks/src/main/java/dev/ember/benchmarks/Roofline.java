package dev.ember.benchmarks;

import dev.ember.runtime.Device;
import dev.ember.runtime.FmaPeak;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.cpu.CpuProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attainable limits of one device, measured briefly at the start of a run: peak FLOP rate and
 * device-to-device copy bandwidth (read plus write). Each result row is then shown as a
 * percentage of its roofline bound max(FLOP/peak, bytes/bandwidth).
 *
 * @param peakFlops FLOP/s, NaN when not measured
 * @param copyBytes bytes/s counting read plus write, NaN when not measured
 */
public record Roofline(String device, double peakFlops, String peakMethod, double copyBytes) {

    /** The row's share of the attainable limit in percent, or NaN when nothing applies. */
    public double percent(double flopRate, double byteRate) {
        double p = Double.NaN;
        if (flopRate > 0 && peakFlops > 0) {
            p = flopRate / peakFlops;
        }
        if (byteRate > 0 && copyBytes > 0) {
            double b = byteRate / copyBytes;
            p = Double.isNaN(p) ? b : Math.max(p, b);
        }
        return p * 100;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device);
        m.put("peak_flops", peakFlops);
        m.put("peak_method", peakMethod);
        m.put("copy_bytes_per_s", copyBytes);
        return m;
    }

    public static Roofline fromJson(Map<String, Object> m) {
        return new Roofline(String.valueOf(m.get("device")), Json.number(m.get("peak_flops")),
                String.valueOf(m.get("peak_method")), Json.number(m.get("copy_bytes_per_s")));
    }

    /**
     * Measures {@code dev} in about a second: FMA loop on the CPU, the backend's FMA kernel elsewhere
     * (a large Ops.gemm when it has none), and a 64 MB copy.
     */
    public static Roofline measure(Device dev) {
        double peak;
        String how;
        if (!dev.isGpu() && dev.name().equals("cpu")) {
            int threads = CpuProvider.configuredThreads();
            try {
                peak = CpuFmaPeak.measure(threads);
                how = "Vector API FMA loop, " + CpuFmaPeak.lanes() + " lanes, " + threads + " threads";
            } catch (LinkageError e) {
                peak = Double.NaN;
                how = "not measured: jdk.incubator.vector missing (" + e + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                peak = Double.NaN;
                how = "interrupted";
            }
        } else {
            peak = dev.backend().measurePeakFlops();
            if (Double.isFinite(peak) && peak > 0) {
                how = "FMA kernel fma_peak, " + FmaPeak.CHAINS + " fma chains per work-item, device filled";
            } else {
                peak = gemmPeak(dev, 2048);
                how = "GEMM 2048 via Ops.gemm (backend has no FMA kernel)";
            }
        }
        return new Roofline(dev.name(), peak, how, copyBandwidth(dev, 16 << 20));
    }

    private static double gemmPeak(Device dev, int n) {
        try (Tensor a = dev.rand(1, -1f, 1f, n, n); Tensor b = dev.rand(2, -1f, 1f, n, n);
             Tensor c = dev.zeros(n, n)) {
            return best(() -> Ops.gemm(false, false, 1f, a, b, 0f, c), dev, 2.0 * n * n * n);
        }
    }

    private static double copyBandwidth(Device dev, int elements) {
        try (Tensor a = dev.zeros(elements); Tensor b = dev.empty(elements)) {
            return best(() -> b.copyFrom(a), dev, 8.0 * elements);
        }
    }

    /** Best rate of {@code op} (work units per call) over repeated synchronised calls for about 0.4 s. */
    private static double best(Runnable op, Device dev, double work) {
        op.run();
        dev.synchronize();
        double best = 0;
        long end = System.nanoTime() + 400_000_000L;
        int calls = 0;
        while (calls < 3 || (System.nanoTime() < end && calls < 1000)) {
            long t0 = System.nanoTime();
            op.run();
            dev.synchronize();
            double s = (System.nanoTime() - t0) * 1e-9;
            best = Math.max(best, work / s);
            calls++;
        }
        return best;
    }
}
