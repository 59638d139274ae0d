package dev.ember.benchmarks;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import java.util.SplittableRandom;

/** Helpers shared by the suites: device and mode resolution, seeded host data, one-off result checks. */
final class BenchSupport {
    static final String RESIDENT = "resident";
    static final String WITH_TRANSFERS = "with_transfers";

    private BenchSupport() {
    }

    /**
     * Runs {@code op} in set-up for up to {@link #WARM_UP_NANOS} (at most {@code maxCalls} times),
     * waiting for the device after each call: OpenCL and CUDA ops only enqueue, and a loop that
     * waited only at the end queued a thousand 0.5 s PoCL GEMMs. Why: in a fresh JVM the CPU
     * backend's Vector API code runs 5-50x slower until C2 has compiled it, and the compiler
     * threads share the two cores with the benchmark's own (the GEMM at n = 256 took about 0.9 s
     * to warm up, a training step 0.5-1 s), while the quick selection warms each config up for
     * 2 x 200 ms. JMH's own warm-up iterations follow.
     */
    static void warmUp(Device dev, int maxCalls, Runnable op) {
        long until = System.nanoTime() + WARM_UP_NANOS;
        for (int i = 0; i < maxCalls && System.nanoTime() < until; i++) {
            op.run();
            dev.synchronize();
        }
    }

    static final long WARM_UP_NANOS = 1_000_000_000L;

    static Device device(String name) {
        return Devices.get(name);
    }

    /** True for {@code with_transfers}, false for {@code resident}. */
    static boolean transfers(String mode) {
        return switch (mode) {
            case RESIDENT -> false;
            case WITH_TRANSFERS -> true;
            default -> throw new IllegalArgumentException("mode must be resident or with_transfers, got '" + mode + "'");
        };
    }

    static float[] uniform(long seed, long n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    static float[] labels(long seed, int rows, int classes) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[rows];
        for (int i = 0; i < rows; i++) {
            a[i] = r.nextInt(classes);
        }
        return a;
    }

    /**
     * Checks {@code got[i]} against {@code ref(i)} at up to 4096 evenly spread indices with
     * |got - ref| <= atol + rtol * |ref| (NaN fails). Throws so JMH marks the benchmark failed: a
     * fast but wrong kernel must not produce a figure.
     */
    static void check(String what, float[] got, java.util.function.IntToDoubleFunction ref, double atol, double rtol) {
        int step = Math.max(1, got.length / 4096);
        for (int i = 0; i < got.length; i += step) {
            double r = ref.applyAsDouble(i);
            double g = got[i];
            if (!(Math.abs(g - r) <= atol + rtol * Math.abs(r))) {
                throw new IllegalStateException(what + ": validation failed at index " + i + ": got " + g
                        + ", expected " + r);
            }
        }
    }
}
