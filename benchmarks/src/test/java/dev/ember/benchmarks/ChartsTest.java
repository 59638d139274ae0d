package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    @Test
    void writesBarChartsPerOpAndSpeedupChartsWhenAnAcceleratorWasMeasured(@TempDir Path tmp) throws Exception {
        List<ResultRow> rows = JmhResults.parse(Fixtures.text("jmh-fixture.json"));
        List<Path> files = Charts.write(new ReportTable(rows, List.of()), tmp.resolve("charts"));
        Set<String> names = files.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        assertEquals(Set.of("gemm.png", "gemm-speedup.png", "gemm_tn.png", "relu.png", "relu-speedup.png",
                "train_step.png"), names);
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            assertTrue(b.length > 2000, f + " is " + b.length + " bytes");
            assertArrayEquals(PNG, Arrays.copyOf(b, 4), f.toString());
        }
    }

    /** A rate that is missing gets no bar, not a bar of height 0 that reads as a rate of 0. */
    @Test
    void aMissingRateIsLeftOutNotDrawnAsZero(@TempDir Path tmp) throws Exception {
        List<ResultRow> rows = List.of(
                new ResultRow("relu", "1M", "cpu", "resident", 1e-3, Double.NaN, 8e9, 1 << 20),
                new ResultRow("relu", "1M", "opencl:0", "resident", 1e-4, Double.NaN, Double.NaN, 1 << 20),
                new ResultRow("relu", "16M", "cpu", "resident", 1e-2, Double.NaN, 12e9, 16 << 20),
                new ResultRow("relu", "16M", "opencl:0", "resident", 1e-3, Double.NaN, 100e9, 16 << 20));
        ReportTable t = new ReportTable(rows, List.of());
        Charts.BarData bars = Charts.barData(t.lines(), t.devices());
        assertEquals("GB/s", bars.axis());
        assertEquals(List.of("cpu", "opencl:0"), bars.values().getRowKeys());
        assertEquals(List.of("1M", "16M"), bars.values().getColumnKeys());
        assertNull(bars.values().getValue("opencl:0", "1M"));
        assertEquals(8.0, bars.values().getValue("cpu", "1M").doubleValue(), 1e-12);
        assertEquals(100.0, bars.values().getValue("opencl:0", "16M").doubleValue(), 1e-12);
        // and the chart with the gap is still drawn
        assertTrue(Charts.write(t, tmp).contains(tmp.resolve("relu.png")));
    }

    @Test
    void gemmMlpSpeedupsAreALinePerProductOverItsBatches() {
        List<ResultRow> rows = new java.util.ArrayList<>();
        for (String shape : List.of("mlp_fwd_b128", "mlp_dx_b128", "mlp_fwd_b1024", "mlp_dx_b1024")) {
            double m = Sizes.magnitude(Sizes.Kind.NAME, shape);
            rows.add(new ResultRow("gemm_mlp", shape, "cpu", "resident", 2e-3, 1e9, Double.NaN, m));
            rows.add(new ResultRow("gemm_mlp", shape, "cuda:0", "resident", 1e-3, 1e9, Double.NaN, m));
        }
        ReportTable t = new ReportTable(rows, List.of());
        var ds = Charts.speedupData(t.lines(), t.accelerators());
        assertEquals(List.of("cuda:0 mlp_dx resident", "cuda:0 mlp_fwd resident"), ds.getRowKeys());
        assertEquals(List.of("b128", "b1024"), ds.getColumnKeys());
        assertEquals(2.0, ds.getValue("cuda:0 mlp_fwd resident", "b1024").doubleValue(), 1e-12);
        // ops whose sizes scale one product keep one line per device and mode, over the sizes
        var relu = Charts.speedupData(new ReportTable(JmhResults.parse(fixtureText()), List.of()).lines().stream()
                .filter(l -> l.op().equals("relu")).toList(), List.of("opencl:0"));
        assertEquals(List.of("opencl:0 resident"), relu.getRowKeys());
        assertEquals(List.of("1M", "16M"), relu.getColumnKeys());
    }

    private static String fixtureText() {
        try {
            return Fixtures.text("jmh-fixture.json");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void cpuOnlyReportsHaveNoSpeedupCharts(@TempDir Path tmp) throws Exception {
        List<ResultRow> rows = JmhResults.parse(Fixtures.text("jmh-fixture.json")).stream()
                .filter(r -> r.device().equals("cpu")).toList();
        List<Path> files = Charts.write(new ReportTable(rows, List.of()), tmp);
        assertEquals(4, files.size());
        assertTrue(files.stream().noneMatch(p -> p.toString().contains("speedup")));
    }
}
