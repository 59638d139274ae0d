package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RooflineTest {
    @Test
    void percentIsTheShareOfTheBindingLimit() {
        Roofline r = new Roofline("cpu", 100e9, "fma", 10e9);
        assertEquals(50, r.percent(50e9, Double.NaN), 1e-9);
        assertEquals(20, r.percent(Double.NaN, 2e9), 1e-9);
        // both counted: the roofline bound is max(F/P, B/BW), so the larger share applies
        assertEquals(80, r.percent(10e9, 8e9), 1e-9);
        assertTrue(Double.isNaN(r.percent(Double.NaN, Double.NaN)));
        assertTrue(Double.isNaN(new Roofline("x", Double.NaN, "-", Double.NaN).percent(1e9, 1e9)));
    }

    @Test
    void measuresTheCpuWithTheFmaLoopAndACopy() {
        Roofline r = Roofline.measure(dev.ember.runtime.Devices.cpu());
        assertEquals("cpu", r.device());
        assertTrue(r.peakFlops() > 0 && Double.isFinite(r.peakFlops()), r.toString());
        assertTrue(r.copyBytes() > 0 && Double.isFinite(r.copyBytes()), r.toString());
        assertTrue(r.peakMethod().contains("FMA") && r.peakMethod().contains("best of"), r.peakMethod());
    }

    @Test
    void theHigherOfTwoMeasurementsIsKeptPerLimit() {
        Roofline start = new Roofline("cpu", 29.3e9, "fma at start", 12e9);
        Roofline end = new Roofline("cpu", 130e9, "fma at end", 11e9);
        assertEquals(new Roofline("cpu", 130e9, "fma at end", 12e9), start.higher(end));
        assertEquals(new Roofline("cpu", 130e9, "fma at end", 12e9), end.higher(start));
        Roofline unmeasured = new Roofline("cpu", Double.NaN, "not measured", Double.NaN);
        assertEquals(end, unmeasured.higher(end));
        assertEquals(end, end.higher(unmeasured));
        assertThrows(IllegalArgumentException.class, () -> start.higher(new Roofline("opencl:0", 1, "-", 1)));
        Roofline failed = Roofline.unmeasured("cpu", "device lost");
        assertEquals("not measured: device lost", failed.peakMethod());
        assertTrue(!failed.measured() && end.measured());
        assertTrue(new Roofline("cpu", Double.NaN, "no FMA", 1e9).measured());
        assertEquals(end, failed.higher(end));
        assertTrue(Double.isNaN(failed.percent(1e9, 1e9)));
    }

    @Test
    void cpuCopyBandwidthCopiesEverySliceOnItsOwnThread() {
        // an odd length: the slices must cover every element exactly once
        float[] a = new float[1_000_003];
        for (int i = 0; i < a.length; i++) {
            a[i] = i + 1;
        }
        float[] b = new float[a.length];
        Roofline.parallelCopy(a, b, 3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
        double rate = Roofline.cpuCopyBandwidth(2, 1 << 20);
        assertTrue(rate > 0 && Double.isFinite(rate), "2 threads: " + rate);
    }

    @Test
    void measuresAnOpenClDeviceWithTheFmaKernel() {
        dev.ember.runtime.DeviceInfo info = dev.ember.runtime.Devices.info("opencl:0");
        org.junit.jupiter.api.Assumptions.assumeTrue(info.available(), () -> "OpenCL unavailable: " + info.reason());
        Roofline r = Roofline.measure(dev.ember.runtime.Devices.get("opencl:0"));
        assertTrue(r.peakFlops() > 0 && Double.isFinite(r.peakFlops()), r.toString());
        assertTrue(r.peakMethod().startsWith("FMA kernel fma_peak"), r.peakMethod());
    }

    @Test
    void jsonRoundTrip() {
        Roofline r = new Roofline("opencl:0", 1e12, "gemm", 3e11);
        Map<String, Object> m = Json.object(Json.parse(Json.write(r.toJson())), "roofline");
        assertEquals(r, Roofline.fromJson(m));
    }
}
