package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuiteTest {
    private static Suite.Planned find(List<Suite.Planned> plan, String op) {
        return plan.stream().filter(p -> p.op().name().equals(op)).findFirst().orElseThrow(() ->
                new AssertionError(op + " not planned"));
    }

    @Test
    void quickIsCompactButCoversGemmOptimizersAndOneTrainingStep() {
        List<Suite.Planned> quick = Suite.plan(false, null, null);
        assertEquals(List.of("256", "1024"), find(quick, "gemm").sizes());
        assertEquals(List.of("resident"), find(quick, "gemm").modes()); // with_transfers only in --full
        assertEquals("NN", find(quick, "gemm").params().get("trans")); // quick: the plain case only
        assertEquals(List.of("1M", "4M"), find(quick, "adamw").sizes());
        assertEquals(List.of("resident", "with_transfers"), find(quick, "adam").modes());
        assertEquals(1, find(quick, "train_step").sizes().size());
        assertFalse(quick.stream().anyMatch(p -> p.op().name().equals("tanh")));
        int configs = quick.stream().mapToInt(Suite.Planned::configs).sum();
        assertTrue(configs <= 40, "quick selection has " + configs + " configs per device");
    }

    @Test
    void fullHasEveryOpWithBothModesAndLargestSizes() {
        List<Suite.Planned> full = Suite.plan(true, null, null);
        assertEquals(Suite.all().size(), full.size());
        assertTrue(find(full, "rmsprop").sizes().contains("64M"));
        assertEquals(List.of("resident", "with_transfers"), find(full, "rmsprop").modes());
        assertEquals(3, find(full, "train_step").sizes().size());
        assertTrue(find(full, "gemm").sizes().containsAll(List.of("128", "4096")));
        assertTrue(find(full, "gemm").params().isEmpty()); // full: every transpose case the suite declares
        assertEquals(List.of("mlp_fwd_b128", "mlp_dx_b128", "mlp_dw_b128", "mlp_fwd_b1024", "mlp_dx_b1024", "mlp_dw_b1024"),
                find(full, "gemm_mlp").sizes());
        assertEquals("adam", find(full, "adam").params().get("optimizer"));
    }

    @Test
    void sizesApplyWhereTheyParseAndMustFitEveryOp() {
        List<Suite.Planned> p = Suite.plan(false, List.of("adam", "bias_grad"), List.of("2M", "512x512"));
        assertEquals(List.of("2M"), find(p, "adam").sizes());
        assertEquals(List.of("512x512"), find(p, "bias_grad").sizes());
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Suite.plan(false, List.of("adam", "train_step"), List.of("1M"))).getMessage();
        assertTrue(msg.contains("train_step") && msg.contains("784-256-128-10@128"), msg);
    }

    /** A misspelt GEMM shape is refused before any device is opened, not measured and failed in a JMH fork. */
    @Test
    void namedShapesMustBeOnesTheBenchmarkKnows() {
        assertEquals(List.of("mlp_dw_b64"), find(Suite.plan(false, List.of("gemm_mlp"), List.of("mlp_dw_b64")),
                "gemm_mlp").sizes());
        for (String bad : List.of("mlp_fw_b128", "mlp_fwd", "mlp_fwd_b0", "conv_small")) {
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> Suite.plan(false, List.of("gemm_mlp"), List.of(bad)), bad).getMessage();
            assertEquals("--sizes: op gemm_mlp has no shape '" + bad + "' (use mlp_fwd, mlp_dx, mlp_dw with a batch, "
                    + "e.g. mlp_fwd_b128)", msg);
        }
    }

    /** Two spellings of one size are one JMH configuration: the first spelling is kept, in the given order. */
    @Test
    void sizesThatAreOneSizeForAnOpAreMeasuredOnce() {
        List<Suite.Planned> p = Suite.plan(false, List.of("relu", "bias_grad", "gemm", "train_step"),
                List.of("4M", "1M", "1024K", "1048576", "4m", "64x16", "064x16", "512", "0512",
                        "784-10@128", "784-010@0128"));
        assertEquals(List.of("4M", "1M", "512"), find(p, "relu").sizes());
        assertEquals(List.of("64x16"), find(p, "bias_grad").sizes());
        assertEquals(List.of("512"), find(p, "gemm").sizes());
        assertEquals(List.of("784-10@128"), find(p, "train_step").sizes());
    }

    @Test
    void groupsExpandInCatalogueOrder() {
        List<OpSpec> s = Suite.select(List.of("transfers", "adam", "optimizers"));
        assertEquals(List.of("sgd", "adam", "adamw", "rmsprop", "adagrad", "h2d", "d2h", "d2d"),
                s.stream().map(OpSpec::name).toList());
    }

    @Test
    void resultsMapBackToOpsThroughFixedParameters() {
        OpSpec o = Suite.forResult("dev.ember.benchmarks.OptimizerBenchmark.update",
                Map.of("optimizer", "rmsprop", "device", "cpu", "size", "1M", "mode", "resident"));
        assertNotNull(o);
        assertEquals("rmsprop", o.name());
        assertEquals("tanh_backward", Suite.forResult("dev.ember.benchmarks.ActivationBenchmark.backward",
                Map.of("act", "tanh")).name());
        assertTrue("dev.ember.benchmarks.ActivationBenchmark.forward".matches(Suite.byName("relu").includePattern()));
        assertFalse("dev.ember.benchmarks.ActivationBenchmark.forwardX".matches(Suite.byName("relu").includePattern()));
    }

    @Test
    void configsCountTheParametersJmhExpandsThatThePlanLeavesOpen() {
        // --full leaves GEMM's transpose cases open: JMH runs 4 of them per size and mode, and the
        // runner compares the results it got with this count to report failed configs.
        Suite.Planned full = find(Suite.plan(true, List.of("gemm"), null), "gemm");
        assertEquals(6 * 2 * 4, full.configs());
        Suite.Planned quick = find(Suite.plan(false, List.of("gemm"), null), "gemm");
        assertEquals(2, quick.configs()); // trans pinned to NN, resident only
        // fixed parameters (act, optimizer) select one value; they are not multiplied
        assertEquals(3 * 2, find(Suite.plan(true, List.of("tanh"), null), "tanh").configs());
        assertEquals(4 * 2, find(Suite.plan(true, List.of("adam"), null), "adam").configs());
        assertEquals(3, find(Suite.plan(true, List.of("h2d"), null), "h2d").configs());
    }
}
