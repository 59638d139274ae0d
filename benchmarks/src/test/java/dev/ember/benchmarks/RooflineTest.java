package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertTrue(r.peakMethod().contains("FMA"), r.peakMethod());
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
