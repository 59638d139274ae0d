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

    /**
     * Without a peak (no Vector API), a row counted in FLOPs has no share: its bound is the larger
     * of the two, and the bandwidth share alone would understate it. Rows counted in bytes only
     * keep their share of the measured copy bandwidth.
     */
    @Test
    void aLimitNotMeasuredGivesNoShareToTheRowsCountedAgainstIt() {
        Roofline noPeak = new Roofline("cpu", Double.NaN, "not measured: jdk.incubator.vector missing", 10e9);
        assertTrue(Double.isNaN(noPeak.percent(10e9, 8e9)));
        assertTrue(Double.isNaN(noPeak.percent(50e9, Double.NaN)));
        assertEquals(20, noPeak.percent(Double.NaN, 2e9), 1e-9);
        Roofline noCopy = new Roofline("cpu", 100e9, "fma", Double.NaN);
        assertTrue(Double.isNaN(noCopy.percent(10e9, 8e9)));
        assertEquals(50, noCopy.percent(50e9, Double.NaN), 1e-9);
        assertEquals("-", ReportTable.roofCell(new ResultRow("train_step", "784-10@128", "cpu", "", 1, 10e9, 8e9, 1),
                noPeak));
    }

    @Test
    void describeSaysWhatWasNotMeasuredInsteadOfNaN() {
        assertEquals("100.0 GFLOP/s (fma), copy 10.0 GB/s", new Roofline("cpu", 100e9, "fma", 10e9).describe(true));
        assertEquals("100.0 GFLOP/s, copy 10.0 GB/s", new Roofline("cpu", 100e9, "fma", 10e9).describe(false));
        Roofline noPeak = new Roofline("cpu", Double.NaN, "not measured: jdk.incubator.vector missing (x)", 10e9);
        assertEquals("peak not measured (jdk.incubator.vector missing (x)), copy 10.0 GB/s", noPeak.describe(true));
        assertEquals(noPeak.describe(true), noPeak.describe(false));
        assertEquals("peak not measured (interrupted), copy 10.0 GB/s",
                new Roofline("cpu", Double.NaN, "interrupted", 10e9).describe(true));
        assertEquals("peak not measured (device lost), copy not measured",
                Roofline.unmeasured("cuda:0", "device lost").describe(true));
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
