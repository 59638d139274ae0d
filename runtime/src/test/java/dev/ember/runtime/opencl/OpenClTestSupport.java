package dev.ember.runtime.opencl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.runtime.Backend;
import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Storage;
import java.util.List;
import java.util.Random;

/**
 * Shared by the OpenCL tests: the device under test ({@code opencl:0}, opened once per JVM so each
 * program is built once per run), the CPU reference backend, and a label naming the device for
 * parameterised display names. When OpenCL is unavailable the tests are skipped with the reason,
 * except under {@code CI=true}, where they fail: CI must run them.
 */
final class OpenClTestSupport {
    private OpenClTestSupport() {
    }

    static DeviceInfo info() {
        return Devices.info("opencl:0");
    }

    /** One label per device under test, for {@code @MethodSource}: "opencl:0 <device name>" or the reason it is missing. */
    static List<String> devices() {
        DeviceInfo d = info();
        return List.of(d.available() ? d.name() + " " + d.description().replaceAll(" \\(.*", "")
                : "opencl unavailable: " + d.reason());
    }

    /** The OpenCL backend under test; skips (or fails under CI=true) when there is none. */
    static OpenClBackend cl() {
        DeviceInfo d = info();
        if (!d.available()) {
            String why = "OpenCL unavailable: " + d.reason();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true requires an OpenCL platform, e.g. pocl-opencl-icd)");
            }
            assumeTrue(false, why);
        }
        return (OpenClBackend) Devices.get("opencl:0").backend();
    }

    static Backend cpu() {
        return Devices.cpu().backend();
    }

    static float[] uniform(Random r, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextFloat();
        }
        return v;
    }

    static float[] download(Backend be, Storage s, int n) {
        float[] out = new float[n];
        be.download(s, 0, out, 0, n);
        return out;
    }

    /** The same data on the CPU backend and on the OpenCL backend; closes both blocks. */
    static final class Pair implements AutoCloseable {
        final Storage cpu;
        final Storage cl;
        final int n;
        private final Backend clBe;

        Pair(OpenClBackend clBe, float[] data) {
            this.n = data.length;
            this.clBe = clBe;
            this.cpu = cpu().allocate(n);
            this.cl = clBe.allocate(n);
            cpu().upload(data, 0, cpu, 0, n);
            clBe.upload(data, 0, cl, 0, n);
        }

        Pair(OpenClBackend clBe, int n) {
            this(clBe, new float[n]);
        }

        float[] cpuValues() {
            return download(cpu(), cpu, n);
        }

        float[] clValues() {
            return download(clBe, cl, n);
        }

        @Override
        public void close() {
            cpu().release(cpu);
            clBe.release(cl);
        }
    }

    /** Distance in units in the last place between two floats (0 for equal, including +0/-0); NaN never passes. */
    static long ulps(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        }
        if (a == b) {
            return 0;
        }
        long ia = Float.floatToRawIntBits(a), ib = Float.floatToRawIntBits(b);
        ia = ia < 0 ? Integer.MIN_VALUE - ia : ia;
        ib = ib < 0 ? Integer.MIN_VALUE - ib : ib;
        return Math.abs(ia - ib);
    }

    /** Asserts every element is within {@code maxUlps} of the CPU backend's. */
    static void assertUlps(String what, long seed, float[] cpu, float[] cl, long maxUlps) {
        for (int i = 0; i < cpu.length; i++) {
            if (ulps(cpu[i], cl[i]) > maxUlps) {
                fail(what + ": element " + i + " opencl " + cl[i] + " vs cpu " + cpu[i] + " (" + ulps(cpu[i], cl[i])
                        + " ulp > " + maxUlps + "), n=" + cpu.length + ", seed " + seed);
            }
        }
    }

    /** Asserts |cl - ref| <= atol + rtol * |ref| elementwise. */
    static void assertClose(String what, long seed, double[] ref, float[] got, double atol, double rtol) {
        for (int i = 0; i < ref.length; i++) {
            double tol = atol + rtol * Math.abs(ref[i]);
            if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                fail(what + ": element " + i + " got " + got[i] + " expected " + ref[i] + " (tol " + tol + "), n="
                        + ref.length + ", seed " + seed);
            }
        }
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
