package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JmhResultsTest {
    private static ResultRow row(List<ResultRow> rows, String op, String size, String device) {
        return rows.stream().filter(r -> r.op().equals(op) && r.size().equals(size) && r.device().equals(device))
                .findFirst().orElseThrow(() -> new AssertionError(op + " " + size + " " + device + " missing"));
    }

    @Test
    void readsThroughputRowsWithAuxCounters() throws Exception {
        List<ResultRow> rows = JmhResults.parse(Fixtures.text("jmh-fixture.json"));
        assertEquals(10, rows.size());
        ResultRow relu = row(rows, "relu", "1M", "cpu");
        assertEquals("resident", relu.mode());
        assertEquals(1e-3, relu.seconds(), 1e-12); // median of 1000 ops/s
        assertEquals(8.0 * (1 << 20) * 1000, relu.byteRate(), 1);
        assertFalse(relu.hasFlops()); // a zero counter means "not counted"
        assertEquals(1 << 20, relu.magnitude(), 0);
    }

    @Test
    void gemmWithoutCountersGetsTwoNCubedInAnyTimeUnit() throws Exception {
        List<ResultRow> rows = JmhResults.parse(Fixtures.text("jmh-fixture.json"));
        ResultRow g = row(rows, "gemm", "1024", "cpu");
        assertEquals(0.040, g.seconds(), 1e-12);
        assertEquals(2.0 * 1024 * 1024 * 1024 / 0.040, g.flopRate(), 1);
        assertEquals("", g.mode());
        assertEquals(500e-6, row(rows, "gemm", "256", "cpu").seconds(), 1e-12);
        ResultRow tn = row(rows, "gemm_tn", "512", "cpu"); // trans=TN, GFLOP counter of the GEMM suite
        assertEquals(26.8435456e9, tn.flopRate(), 1);
        assertEquals(0.01, tn.seconds(), 1e-12);
        ResultRow step = row(rows, "train_step", "784-256-128-10@128", "cpu");
        assertEquals(1e10, step.flopRate(), 1);
        assertEquals("with_transfers", step.mode());
    }

    @Test
    void unitsAndUnknownBenchmarks() {
        assertEquals(0.5, JmhResults.secondsPerOp(2, "ops/s"), 0);
        assertEquals(0.5e-3, JmhResults.secondsPerOp(2, "ops/ms"), 1e-15);
        assertEquals(3e-9, JmhResults.secondsPerOp(3, "ns/op"), 1e-20);
        assertThrows(IllegalArgumentException.class, () -> JmhResults.secondsPerOp(1, "ops"));
        assertThrows(IllegalArgumentException.class, () -> JmhResults.secondsPerOp(1, "days/op"));
        String other = """
                [{"benchmark": "com.example.FooBenchmark.bar", "params": {"device": "cpu", "size": "7", "k": "3"},
                  "primaryMetric": {"score": 2.0, "scorePercentiles": {"50.0": 4.0}, "scoreUnit": "ms/op"}}]""";
        ResultRow r = JmhResults.parse(other).getFirst();
        assertEquals("Foo.bar[k=3]", r.op());
        assertEquals("7", r.size());
        assertEquals(4e-3, r.seconds(), 1e-15);
    }

    @Test
    void malformedDocumentsFailClearly() {
        String msg = assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("{\"a\": 1}")).getMessage();
        assertTrue(msg.contains("array"), msg);
        assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("[{\"benchmark\": \"x.Y.z\"}]"));
    }
}
