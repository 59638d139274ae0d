package dev.ember.benchmarks;

import dev.ember.runtime.Device;
import dev.ember.runtime.FmaPeak;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.cpu.CpuProvider;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Attainable limits of one device, measured briefly at the start and again at the end of a run
 * (keeping the higher of each, see {@link #higher}): peak FLOP rate and the bandwidth of copying
 * a 64 MB array (read plus write; on the CPU every configured thread copies a slice, as the ops
 * use every thread). Each result row is then shown as a percentage of its roofline bound
 * max(FLOP/peak, bytes/bandwidth). The copy does not fit in cache, so it measures memory
 * bandwidth: an op whose data stays in cache can exceed it, which the table shows as "&gt;100%".
 *
 * @param peakFlops FLOP/s, NaN when not measured
 * @param copyBytes bytes/s counting read plus write, NaN when not measured
 */
public record Roofline(String device, double peakFlops, String peakMethod, double copyBytes) {

    /** A device whose limits could not be measured, saying why in {@link #peakMethod}. */
    public static Roofline unmeasured(String device, String why) {
        return new Roofline(device, Double.NaN, "not measured: " + why, Double.NaN);
    }

    /** Whether either limit was measured. */
    public boolean measured() {
        return !Double.isNaN(peakFlops) || !Double.isNaN(copyBytes);
    }

    /**
     * The row's share of the attainable limit in percent, or NaN when nothing applies or a limit
     * the row is counted against was not measured: the bound is the larger of the two shares, so
     * with one unknown the other is no share of it.
     */
    public double percent(double flopRate, double byteRate) {
        boolean flops = flopRate > 0, bytes = byteRate > 0;
        if ((flops && !(peakFlops > 0)) || (bytes && !(copyBytes > 0))) {
            return Double.NaN;
        }
        double p = Double.NaN;
        if (flops) {
            p = flopRate / peakFlops;
        }
        if (bytes) {
            double b = byteRate / copyBytes;
            p = Double.isNaN(p) ? b : Math.max(p, b);
        }
        return p * 100;
    }

    /**
     * The limits for the console: "130.0 GFLOP/s, copy 12.0 GB/s", with the peak's method in
     * parentheses when {@code withMethod}; a limit that was not measured says so (and why, for
     * the peak) instead of printing NaN.
     */
    public String describe(boolean withMethod) {
        String peak;
        if (peakFlops > 0 && Double.isFinite(peakFlops)) {
            peak = String.format(Locale.ROOT, "%.1f GFLOP/s", peakFlops / 1e9) + (withMethod ? " (" + peakMethod + ")" : "");
        } else {
            String why = peakMethod == null ? "" : peakMethod.replaceFirst("^not measured(: )?", "");
            peak = "peak not measured" + (why.isBlank() ? "" : " (" + why + ")");
        }
        String copy = copyBytes > 0 && Double.isFinite(copyBytes)
                ? String.format(Locale.ROOT, "copy %.1f GB/s", copyBytes / 1e9) : "copy not measured";
        return peak + ", " + copy;
    }

    /**
     * Per limit, the higher of this and {@code other} (the same device measured at another time),
     * ignoring an unmeasured (NaN) one. Other jobs on a shared host can only slow a measurement
     * down, so the higher is the closer to the hardware's limit.
     */
    public Roofline higher(Roofline other) {
        if (!device.equals(other.device)) {
            throw new IllegalArgumentException("roofline of " + device + " combined with one of " + other.device);
        }
        boolean otherPeak = Double.isNaN(peakFlops) || other.peakFlops > peakFlops;
        return new Roofline(device, otherPeak ? other.peakFlops : peakFlops, otherPeak ? other.peakMethod : peakMethod,
                Double.isNaN(copyBytes) || other.copyBytes > copyBytes ? other.copyBytes : copyBytes);
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

    /** Elements of each array of the copy measurement: 64 MB of floats, well beyond the caches. */
    static final int COPY_ELEMENTS = 16 << 20;

    /**
     * Measures {@code dev} in about a second: FMA loop on the CPU, the backend's FMA kernel elsewhere
     * (a large Ops.gemm when it has none), and a 64 MB copy, each the best of several runs.
     */
    public static Roofline measure(Device dev) {
        double peak;
        String how;
        if (!dev.isGpu() && dev.name().equals("cpu")) {
            int threads = CpuProvider.configuredThreads();
            double copy = cpuCopyBandwidth(threads, COPY_ELEMENTS);
            try {
                peak = CpuFmaPeak.measure(threads);
                how = "Vector API FMA loop, " + CpuFmaPeak.lanes() + " lanes, " + threads + " threads, best of "
                        + CpuFmaPeak.ROUNDS + " rounds";
            } catch (LinkageError e) {
                peak = Double.NaN;
                how = "not measured: jdk.incubator.vector missing (" + e + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                peak = Double.NaN;
                how = "interrupted";
            }
            return new Roofline(dev.name(), peak, how, copy);
        }
        peak = dev.backend().measurePeakFlops();
        if (Double.isFinite(peak) && peak > 0) {
            how = "FMA kernel fma_peak, " + FmaPeak.CHAINS + " fma chains per work-item, device filled";
        } else {
            peak = gemmPeak(dev, 2048);
            how = "GEMM 2048 via Ops.gemm (backend has no FMA kernel)";
        }
        return new Roofline(dev.name(), peak, how, copyBandwidth(dev, COPY_ELEMENTS));
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

    /**
     * Copy bandwidth of the CPU device with {@code threads} threads, each copying its slice of
     * {@code elements} floats (read plus write), best of repeated rounds for about 0.4 s. The CPU
     * backend's own copy is one System.arraycopy on one thread, which one core's share of the
     * memory bandwidth limits, while the ops measured against it use every thread.
     */
    static double cpuCopyBandwidth(int threads, int elements) {
        float[] a = new float[elements];
        float[] b = new float[elements];
        return best(() -> parallelCopy(a, b, threads), null, 8.0 * elements);
    }

    /** Copies {@code a} into {@code b} (same length) with {@code threads} threads, one contiguous slice each. */
    static void parallelCopy(float[] a, float[] b, int threads) {
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) a.length * t / threads);
            int to = (int) ((long) a.length * (t + 1) / threads);
            ts[t] = new Thread(() -> System.arraycopy(a, from, b, from, to - from));
            ts[t].start();
        }
        try {
            for (Thread t : ts) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the copy bandwidth", e);
        }
    }

    /**
     * Best rate of {@code op} (work units per call) over repeated calls for about 0.4 s, each
     * followed by {@code dev.synchronize()} (none when {@code dev} is null: the op is done when it returns).
     */
    private static double best(Runnable op, Device dev, double work) {
        op.run();
        if (dev != null) {
            dev.synchronize();
        }
        double best = 0;
        long end = System.nanoTime() + 400_000_000L;
        int calls = 0;
        while (calls < 3 || (System.nanoTime() < end && calls < 1000)) {
            long t0 = System.nanoTime();
            op.run();
            if (dev != null) {
                dev.synchronize();
            }
            double s = (System.nanoTime() - t0) * 1e-9;
            best = Math.max(best, work / s);
            calls++;
        }
        return best;
    }
}
