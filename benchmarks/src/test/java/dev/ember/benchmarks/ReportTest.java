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
