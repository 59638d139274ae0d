package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static String markdown(String selection) {
        ResultRow row = new ResultRow("relu", "1M", "cpu", "resident", 1e-3, Double.NaN, 8e9, 1);
        return new Report(Map.of("selection", selection), List.of(new Roofline("cpu", 1e11, "fma", 1e10)),
                List.of(row)).markdown("##", Report.byResults(java.nio.file.Path.of("dir")));
    }

    /** A reason with line breaks and a '|' (a build log) stays in its table cell and its list item. */
    @Test
    void multiLineReasonsStayInTheirCellAndTheirListItem() {
        ResultRow row = new ResultRow("relu", "1M", "cpu", "resident", 1e-3, Double.NaN, 8e9, 1);
        String md = new Report(Map.of("selection", "quick", "failures", List.of("roofline of cpu: build failed\n  a | b")),
                List.of(Roofline.unmeasured("cpu", "build failed:\r\n  error: x | y\n")), List.of(row))
                .markdown("##", Report.byResults(java.nio.file.Path.of("dir")));
        assertTrue(md.contains("| cpu | - | not measured: build failed: error: x \\| y | - |\n"), md);
        assertTrue(md.contains("missing from the table or measured at fewer configurations: roofline of cpu: build"
                + " failed a | b\n"), md);
    }

    /** {@code --devices opencl:0}: the Crossover section says why it is empty rather than ending the report bare. */
    @Test
    void aRunWithoutTheCpuSaysWhyItHasNoCrossover() {
        ResultRow row = new ResultRow("relu", "1M", "opencl:0", "resident", 1e-3, Double.NaN, 8e9, 1);
        String md = new Report(Map.of("selection", "quick"), List.of(new Roofline("opencl:0", 1e11, "fma", 1e10)),
                List.of(row)).markdown("##", Report.byResults(java.nio.file.Path.of("dir")));
        assertTrue(md.endsWith("### Crossover\n\nThe CPU was not measured, so there is no crossover to report.\n"), md);
    }

    @Test
    void quickFiguresAreCalledIndicativeWhetherOrNotOpsOrSizesNarrowedTheRun() {
        // ember bench --ops gemm (or --sizes) records "quick (narrowed)": the same short quick-mode
        // iterations, and the console calls its figures indicative too
        assertTrue(markdown("quick").contains("quick-mode figures are indicative"));
        assertTrue(markdown("quick (narrowed)").contains("quick-mode figures are indicative"),
                markdown("quick (narrowed)"));
        assertFalse(markdown("full").contains("indicative"));
    }
}
