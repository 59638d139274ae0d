package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTableTest {
    private static ReportTable fixture() throws Exception {
        List<ResultRow> rows = JmhResults.parse(Fixtures.text("jmh-fixture.json"));
        return new ReportTable(rows, List.of(new Roofline("cpu", 1e11, "fma", 1e10),
                new Roofline("opencl:0", 1e13, "gemm", 4e11)));
    }

    @Test
    void oneLinePerOpSizeAndModeWithSpeedupOverCpu() throws Exception {
        ReportTable t = fixture();
        assertEquals(List.of("cpu", "opencl:0"), t.devices());
        assertEquals(6, t.lines().size());
        assertEquals("gemm", t.lines().get(0).op()); // GEMM first, then catalogue order
        assertEquals("256", t.lines().get(0).size()); // sizes by magnitude, not text
        String text = t.text();
        String[] lines = text.split("\n");
        assertTrue(lines[0].startsWith("op ") && lines[0].contains("cpu time") && lines[0].contains("opencl:0 vs cpu"),
                lines[0]);
        String relu = java.util.Arrays.stream(lines).filter(l -> l.startsWith("relu") && l.contains(" 1M "))
                .findFirst().orElseThrow();
        assertTrue(relu.contains("1.00 ms") && relu.contains("250 us") && relu.contains("4.00x"), relu);
        // 8 MiB in 1 ms = 8.39 GB/s = 84% of the 10 GB/s copy bandwidth
        assertTrue(relu.contains("8.39 GB/s") && relu.contains("84%"), relu);
        String g = java.util.Arrays.stream(lines).filter(l -> l.startsWith("gemm") && l.contains(" 1024 "))
                .findFirst().orElseThrow();
        assertTrue(g.contains("53.7 GFLOP/s") && g.contains("4.00x"), g);
        // every line has the same column positions: the header's width bounds each row
        int width = lines[1].length();
        for (String l : java.util.Arrays.copyOf(lines, lines.length - 1)) {
            assertTrue(l.length() <= width, l);
        }
        assertTrue(lines[lines.length - 1].startsWith("roof%: rate as a share of the device's measured limit"),
                lines[lines.length - 1]);
        assertTrue(!text.contains(">100%"), "no share above 100% here, so no explanation of it: " + text);
        String step = java.util.Arrays.stream(lines).filter(l -> l.startsWith("train_step")).findFirst().orElseThrow();
        assertTrue(step.trim().endsWith("-"), "no opencl figure, no speedup: " + step);
    }

    @Test
    void sharesAboveTheMeasuredLimitAreShownAsSuchAndExplained() throws Exception {
        List<ResultRow> rows = JmhResults.parse(Fixtures.text("jmh-fixture.json"));
        // a copy bandwidth below relu 1M's 8.39 GB/s (cache-resident data beats memory bandwidth)
        ReportTable t = new ReportTable(rows, List.of(new Roofline("cpu", 1e11, "fma", 5e9),
                new Roofline("opencl:0", 1e13, "gemm", 4e11)));
        String relu = t.text().lines().filter(l -> l.startsWith("relu") && l.contains(" 1M ")).findFirst()
                .orElseThrow();
        assertTrue(relu.matches(".* 8\\.39 GB/s +>100% .*"), relu);
        assertTrue(t.legend().contains(">100%: faster than that limit"), t.legend());
        assertTrue(t.markdown().contains("| 8.39 GB/s | >100% |"), t.markdown());
        assertTrue(t.markdown().strip().endsWith(t.legend()), t.markdown());

        ResultRow r = new ResultRow("relu", "1M", "cpu", "", 1, Double.NaN, 1.004e9, 1);
        Roofline roof = new Roofline("cpu", 1e11, "fma", 1e9);
        assertEquals("100%", ReportTable.roofCell(r, roof)); // the limit itself, as rounded
        assertEquals(">100%", ReportTable.roofCell(new ResultRow("relu", "1M", "cpu", "", 1, Double.NaN, 1.006e9, 1),
                roof));
        assertEquals("-", ReportTable.roofCell(r, null));
    }

    @Test
    void markdownHasAlignmentRow() throws Exception {
        String md = fixture().markdown();
        String[] lines = md.split("\n");
        assertTrue(lines[1].startsWith("|---|---|---|---:|"), lines[1]);
        assertEquals(lines[0].chars().filter(c -> c == '|').count(), lines[2].chars().filter(c -> c == '|').count());
    }

    @Test
    void crossoverNamesTheSizeWhereTheAcceleratorOvertakes() throws Exception {
        List<String> c = fixture().crossovers();
        assertTrue(c.contains("opencl:0 gemm: overtakes the CPU between 256 and 1024"), c.toString());
        assertTrue(c.contains("opencl:0 relu (resident): faster than the CPU from the smallest measured size, 1M"),
                c.toString());
    }

    /**
     * gemm_mlp's sizes are three different products at two batches: a crossover compares one
     * product across its batches, never mlp_dw_b128 with mlp_fwd_b1024 as if one were larger.
     */
    @Test
    void gemmMlpCrossoversCompareOneProductAcrossBatches() {
        List<ResultRow> rows = new java.util.ArrayList<>();
        // seconds on cpu and on the accelerator, per shape
        Object[][] times = {{"mlp_fwd_b128", 1e-3, 2e-3}, {"mlp_fwd_b1024", 8e-3, 9e-3},
            {"mlp_dx_b128", 1e-3, 2e-3}, {"mlp_dx_b1024", 8e-3, 4e-3},
            {"mlp_dw_b128", 1e-3, 0.5e-3}, {"mlp_dw_b1024", 8e-3, 2e-3}};
        for (Object[] t : times) {
            String shape = (String) t[0];
            double magnitude = Sizes.magnitude(Sizes.Kind.NAME, shape);
            rows.add(new ResultRow("gemm_mlp", shape, "cpu", "resident", (double) t[1], 1e9, Double.NaN, magnitude));
            rows.add(new ResultRow("gemm_mlp", shape, "cuda:0", "resident", (double) t[2], 1e9, Double.NaN, magnitude));
        }
        ReportTable t = new ReportTable(rows, List.of());
        assertEquals(List.of(
                "cuda:0 gemm_mlp mlp_dw (resident): faster than the CPU from the smallest measured size, mlp_dw_b128",
                "cuda:0 gemm_mlp mlp_dx (resident): overtakes the CPU between mlp_dx_b128 and mlp_dx_b1024",
                "cuda:0 gemm_mlp mlp_fwd (resident): does not overtake the CPU in the measured sizes (up to "
                        + "mlp_fwd_b1024)"), t.crossovers());
        // the table lists batch 128 before batch 1024, not by text ("b1024" < "b128")
        assertEquals(List.of("mlp_dw_b128", "mlp_dx_b128", "mlp_fwd_b128", "mlp_dw_b1024", "mlp_dx_b1024",
                "mlp_fwd_b1024"), t.lines().stream().map(ReportTable.Line::size).toList());
    }

    /**
     * h2d and d2h count each byte once and cross the host link, so a share of the device copy's
     * bandwidth (read plus write) would halve a CPU memcpy and mean nothing on a GPU: no roof%.
     */
    @Test
    void hostTransfersHaveNoRoofShare() {
        Roofline roof = new Roofline("cpu", 1e11, "fma", 1e10);
        for (String op : new String[] {"h2d", "d2h"}) {
            ResultRow r = new ResultRow(op, "16M", "cpu", "", 0.01, Double.NaN, 5e9, 16);
            assertEquals("-", ReportTable.roofCell(r, roof), op);
            assertEquals(null, r.toJson(roof).get("roofline_percent"), op);
            ReportTable t = new ReportTable(List.of(r), List.of(roof));
            assertTrue(t.legend().contains("h2d and d2h have none"), t.legend());
        }
        ResultRow d2d = new ResultRow("d2d", "16M", "cpu", "", 0.01, Double.NaN, 5e9, 16);
        assertEquals("50%", ReportTable.roofCell(d2d, roof));
        assertEquals(50.0, (Double) d2d.toJson(roof).get("roofline_percent"), 1e-9);
        assertTrue(!new ReportTable(List.of(d2d), List.of(roof)).legend().contains("h2d"));
    }

    /** A measured 1.9 MB/s is not "0.00 GB/s", nor a speedup of 1/3500 "0.00x": both keep three figures. */
    @Test
    void ratesAndSpeedupsBelowOneKeepThreeFigures() {
        List<ResultRow> rows = List.of(new ResultRow("h2d", "16", "cpu", "", 9.54e-9, Double.NaN, 64 / 9.54e-9, 16),
                new ResultRow("h2d", "16", "opencl:0", "", 33.6e-6, Double.NaN, 64 / 33.6e-6, 16));
        String line = new ReportTable(rows, List.of()).text().lines().filter(l -> l.startsWith("h2d")).findFirst()
                .orElseThrow();
        assertTrue(line.contains(" 0.00190 GB/s ") && line.endsWith(" 0.000284x"), line);
        assertEquals("0.500", ReportTable.sig3(0.5));
        assertEquals("0.0100", ReportTable.sig3(0.009996));
    }

    @Test
    void timeFormatting() {
        assertEquals("1.23 s", ReportTable.time(1.234));
        assertEquals("12.3 ms", ReportTable.time(0.01234));
        assertEquals("123 us", ReportTable.time(123.4e-6));
        assertEquals("5.00 ns", ReportTable.time(5e-9));
        assertEquals("-", ReportTable.time(Double.NaN));
        // three significant figures, rounded before the unit is chosen
        assertEquals("1.00 s", ReportTable.time(0.9996));
        assertEquals("1.00 ms", ReportTable.time(999.7e-6));
        assertEquals("100 ms", ReportTable.time(0.09996));
        assertEquals("999 us", ReportTable.time(999.4e-6));
        assertEquals("100", ReportTable.sig3(99.96));
        assertEquals("10.0", ReportTable.sig3(9.996));
        assertEquals("0.00", ReportTable.sig3(0));
    }
}
