package dev.ember.nn;

import dev.ember.nn.optim.Adagrad;
import dev.ember.nn.optim.Adam;
import dev.ember.nn.optim.LrSchedule;
import dev.ember.nn.optim.Optimizer;
import dev.ember.nn.optim.RmsProp;
import dev.ember.nn.optim.Sgd;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizers against float64 re-implementations of PyTorch's update rules over several steps
 * (tolerance 1e-5 relative), gradient clipping and argument errors.
 */
class OptimizerTest {
    static final Device CPU = Devices.cpu();

    private static void compare(String name, float lr, float wd, float momentum) {
        double[] p = {0.5, -1.25, 2.0, 0.0, 3.5};
        double[][] grads = {{0.1, -0.2, 0.3, 1.0, -0.5}, {0.2, 0.1, -0.4, 0.5, 0.0}, {-0.3, 0.2, 0.1, -1.0, 0.25}};
        double[] s1 = new double[5], s2 = new double[5];
        try (Tensor w = CPU.fromArray(toF(p), 5); Tensor g = CPU.zeros(5);
             Optimizer opt = Optimizer.create(name, List.of(new Parameter("w", w, g)), lr, wd, momentum)) {
            for (int step = 1; step <= grads.length; step++) {
                g.copyFrom(toF(grads[step - 1]));
                opt.step();
                for (int i = 0; i < 5; i++) {
                    double gr = grads[step - 1][i];
                    switch (name) {
                        case "sgd", "nesterov" -> {
                            gr += wd * p[i];
                            s1[i] = step == 1 ? gr : momentum * s1[i] + gr;
                            double d = name.equals("nesterov") ? gr + momentum * s1[i] : s1[i];
                            p[i] -= lr * d;
                        }
                        case "adam", "adamw" -> {
                            if (name.equals("adamw")) {
                                p[i] *= 1 - lr * wd;
                            } else {
                                gr += wd * p[i];
                            }
                            s1[i] = 0.9 * s1[i] + 0.1 * gr;
                            s2[i] = 0.999 * s2[i] + 0.001 * gr * gr;
                            double mh = s1[i] / (1 - Math.pow(0.9, step)), vh = s2[i] / (1 - Math.pow(0.999, step));
                            p[i] -= lr * mh / (Math.sqrt(vh) + 1e-8);
                        }
                        case "rmsprop" -> {
                            gr += wd * p[i];
                            s1[i] = 0.99 * s1[i] + 0.01 * gr * gr;
                            p[i] -= lr * gr / (Math.sqrt(s1[i]) + 1e-8);
                        }
                        case "adagrad" -> {
                            gr += wd * p[i];
                            s1[i] += gr * gr;
                            p[i] -= lr * gr / (Math.sqrt(s1[i]) + 1e-10);
                        }
                        default -> throw new IllegalStateException(name);
                    }
                }
                float[] got = w.toArray();
                for (int i = 0; i < 5; i++) {
                    assertEquals(p[i], got[i], 1e-5 * Math.max(1, Math.abs(p[i])), name + " step " + step + " [" + i + "]");
                }
            }
        }
    }

    private static float[] toF(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void updatesFollowPyTorch() {
        compare("sgd", 0.1f, 0.01f, 0.9f);
        compare("nesterov", 0.1f, 0f, 0.8f);
        compare("sgd", 0.1f, 0f, 0f);
        compare("adam", 0.01f, 0.1f, -1f);
        compare("adamw", 0.01f, 0.1f, -1f);
        compare("rmsprop", 0.01f, 0.01f, -1f);
        compare("adagrad", 0.1f, 0f, -1f);
    }

    @Test
    void clippingScalesToTheMaximumGlobalNorm() {
        try (Tensor a = CPU.zeros(2); Tensor ga = CPU.fromArray(new float[] {3, 0}, 2);
             Tensor b = CPU.zeros(1); Tensor gb = CPU.fromArray(new float[] {4}, 1)) {
            List<Parameter> ps = List.of(new Parameter("a", a, ga), new Parameter("b", b, gb));
            assertEquals(5f, Optimizer.clipGradNorm(ps, 1f), 1e-6f);
            assertEquals(0.6f, ga.toArray()[0], 1e-5f);
            assertEquals(0.8f, gb.toArray()[0], 1e-5f);
            assertEquals(1f, Optimizer.clipGradNorm(ps, 2f), 1e-5f);
            assertEquals(0.6f, ga.toArray()[0], 1e-5f); // under the limit: unchanged
        }
    }

    /**
     * The short forms of create are the full form with no weight decay (adamw: 0.01) and the
     * default momentum: sgd's is PyTorch's 0 (plain SGD), nesterov's 0.9.
     */
    @Test
    void shortFormsOfCreateUseTheDefaults() {
        assertArrayEquals(twoSteps(ps -> Optimizer.create("sgd", ps, 0.1f, 0f, 0f)),
                twoSteps(ps -> Optimizer.create("sgd", ps, 0.1f)));
        assertArrayEquals(twoSteps(ps -> Optimizer.create("nesterov", ps, 0.1f, 0f, 0.9f)),
                twoSteps(ps -> Optimizer.create("nesterov", ps, 0.1f)));
        assertArrayEquals(twoSteps(ps -> Optimizer.create("adamw", ps, 0.01f, 0.1f, Optimizer.DEFAULT_MOMENTUM)),
                twoSteps(ps -> Optimizer.create("adamw", ps, 0.01f, 0.1f)));
        // and they differ where the defaults matter, so the comparisons above can fail
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(
                twoSteps(ps -> Optimizer.create("sgd", ps, 0.1f, 0f, 0.9f)), twoSteps(ps -> Optimizer.create("sgd", ps, 0.1f))));
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(
                twoSteps(ps -> Optimizer.create("nesterov", ps, 0.1f, 0f, 0.5f)),
                twoSteps(ps -> Optimizer.create("nesterov", ps, 0.1f))));
        assertEquals(0f, Optimizer.defaultMomentum("SGD"));
        assertEquals(0.9f, Optimizer.defaultMomentum("sgd_nesterov"));
    }

    private static float[] twoSteps(java.util.function.Function<List<Parameter>, Optimizer> make) {
        try (Tensor w = CPU.fromArray(new float[] {0.5f, -1.25f, 2f}, 3); Tensor g = CPU.fromArray(new float[] {0.1f, -0.2f, 0.3f}, 3);
             Optimizer opt = make.apply(List.of(new Parameter("w", w, g)))) {
            opt.step();
            opt.step();
            return w.toArray();
        }
    }

    @Test
    void onlySgdAndNesterovTakeAMomentum() {
        for (String name : new String[] {"sgd", "nesterov", " SGD_Nesterov "}) {
            assertTrue(Optimizer.takesMomentum(name), name);
        }
        for (String name : new String[] {"adam", "AdamW", "rmsprop", "adagrad"}) {
            org.junit.jupiter.api.Assertions.assertFalse(Optimizer.takesMomentum(name), name);
        }
        assertThrows(IllegalArgumentException.class, () -> Optimizer.takesMomentum("adamx"));
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        try (Tensor w = CPU.zeros(2); Tensor g = CPU.zeros(2)) {
            List<Parameter> ps = List.of(new Parameter("w", w, g));
            assertThrows(IllegalArgumentException.class, () -> Optimizer.create("adamx", ps, 0.1f, 0f, -1f));
            assertThrows(IllegalArgumentException.class, () -> Optimizer.create("sgd", ps, -1f, 0f, -1f));
            assertThrows(IllegalArgumentException.class, () -> Optimizer.create("nesterov", ps, 0.1f, 0f, 0f));
            IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                    () -> Optimizer.create("sgd", ps, 0.1f, 0f, -0.5f));
            assertTrue(m.getMessage().contains("momentum") && m.getMessage().contains("-0.5"), m.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Optimizer.create("sgd", ps, 0.1f, 0f, 1f));
            // refused where the optimizer is made, as PyTorch does, not at the first step of a fit
            refused(() -> new Adam(ps, 0.1f, 1.5f, 0.999f, 1e-8f, 0f, false), "Adam: beta1 must be in [0, 1), got 1.5");
            refused(() -> new Adam(ps, 0.1f, 0.9f, 1f, 1e-8f, 0f, true), "Adam: beta2 must be in [0, 1), got 1.0");
            refused(() -> new Adam(ps, 0.1f, 0.9f, 0.999f, -1e-8f, 0f, false), "Adam: eps must be finite and >= 0, got -1.0E-8");
            refused(() -> new RmsProp(ps, 0.1f, -0.99f, 1e-8f, 0f), "RmsProp: alpha must be finite and >= 0");
            refused(() -> new RmsProp(ps, 0.1f, 0.99f, -1e-8f, 0f), "RmsProp: eps must be finite and >= 0, got -1.0E-8");
            refused(() -> new Adagrad(ps, 0.1f, Float.NaN, 0f), "Adagrad: eps must be finite and >= 0, got NaN");
            refused(() -> new Sgd(ps, 0.1f, 1f, 0f, false), "SGD: momentum must be in [0, 1), got 1.0");
            // create refuses a momentum outside [0, 1) for every optimizer, also those that ignore it
            refused(() -> Optimizer.check("adam", 1f), "momentum must be in [0, 1), got 1.0");
            refused(() -> Optimizer.create("rmsprop", ps, 0.1f, 0f, 1f), "momentum must be in [0, 1), got 1.0");
            for (float bad : new float[] {-1f, Float.NaN, Float.NEGATIVE_INFINITY}) {
                IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                        () -> Optimizer.clipGradNorm(ps, bad));
                assertTrue(c.getMessage().contains("maxNorm") && c.getMessage().contains(String.valueOf(bad)),
                        c.getMessage());
            }
            for (String s : new String[] {"cosine:5", "step:10:0.5:junk", "constant:1", "exp:0.9:2", "exp:-1",
                "step:3:0", "step:0"}) {
                assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse(s), s);
            }
            // a value that is not a number is named, with the forms, not as Java's "For input string"
            String[][] notNumbers = {{"step:x", "'x' is not an integer"}, {"step:10:half", "'half' is not a number"},
                {"exp:", "'' is not a number"}, {"step:2.5", "'2.5' is not an integer"}};
            for (String[] c : notNumbers) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse(c[0]));
                assertEquals("bad schedule '" + c[0] + "': " + c[1] + " (expected constant, step[:N[:GAMMA]],"
                        + " exp[:GAMMA] or cosine)", e.getMessage());
            }
            assertEquals(0.25f, LrSchedule.parse("step: 2 : 0.5 ").lr(1f, 4, 10), 1e-7f);
            for (String s : new String[] {"linear:5", "exponetial:0.9"}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse(s));
                assertTrue(e.getMessage().startsWith("unknown schedule '" + s + "'"), e.getMessage());
            }
        }
    }

    /** As PyTorch's "optimizer got an empty parameter list": an optimizer over nothing would train nothing. */
    @Test
    void anEmptyParameterListIsRefusedWithTheOptimizersName() {
        String[][] cases = {{"sgd", "Sgd"}, {"nesterov", "Sgd"}, {"adam", "Adam"}, {"adamw", "Adam"},
            {"rmsprop", "RmsProp"}, {"adagrad", "Adagrad"}};
        for (String[] c : cases) {
            refused(() -> Optimizer.create(c[0], List.of(), 0.1f), c[1] + ": optimizer got an empty parameter list");
        }
        refused(() -> new Adam(List.of(), 0.1f), "Adam: optimizer got an empty parameter list");
    }

    /**
     * torch.optim.AdamW(params, lr) decays weights by 0.01 (decoupled: w -= lr * 0.01 * w, before the
     * Adam step, which a zero gradient leaves at 0); Adam and the others default to none.
     */
    @Test
    void adamwDefaultsToPyTorchsWeightDecay() {
        float[] w0 = {2f, -3f};
        for (String name : new String[] {"adamw", "adam", "sgd", "rmsprop", "adagrad"}) {
            try (Tensor w = CPU.fromArray(w0.clone(), 2); Tensor g = CPU.zeros(2);
                 Optimizer opt = Optimizer.create(name, List.of(new Parameter("w", w, g)), 0.1f)) {
                opt.step();
                float decay = name.equals("adamw") ? 0.1f * Optimizer.ADAMW_WEIGHT_DECAY : 0f;
                assertArrayEquals(new float[] {w0[0] * (1 - decay), w0[1] * (1 - decay)}, w.toArray(), 1e-7f, name);
            }
        }
        assertEquals(0.01f, Optimizer.defaultWeightDecay("AdamW"));
        assertEquals(0f, Optimizer.defaultWeightDecay("adam"));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.defaultWeightDecay("adamx"));
    }

    /** A parameter listed twice would be updated twice per step (PyTorch warns, and will refuse it). */
    @Test
    void aParameterGivenTwiceIsRefused() {
        try (Tensor w = CPU.zeros(2); Tensor g = CPU.zeros(2); Tensor v = CPU.zeros(3); Tensor h = CPU.zeros(3)) {
            Parameter pw = new Parameter("w", w, g), pv = new Parameter("v", v, h);
            refused(() -> Optimizer.create("adam", List.of(pw, pv, pw), 0.1f), "Adam: parameter 'w' is given twice;");
            refused(() -> Optimizer.create("adagrad", List.of(pv, pw.withName("w2"), pw), 0.1f),
                    "Adagrad: parameter 'w' is given twice (also as 'w2')");
            try (Optimizer ok = Optimizer.create("sgd", List.of(pw, pv), 0.1f)) {
                assertNotNull(ok);
            }
        }
    }

    /** The parameterless check (the CLI's, before it has a model) refuses what create would, alike. */
    @Test
    void checkRefusesWhatCreateWouldWithTheSameMessage() {
        float d = Optimizer.DEFAULT_MOMENTUM;
        Object[][] bad = {{"sgd", -0.1f, 0f, d}, {"adamw", Float.NaN, 0f, d}, {"rmsprop", 0.1f, -1f, d},
            {"adagrad", 0.1f, Float.POSITIVE_INFINITY, d}, {"nesterov", 0.1f, 0f, 0f}, {"sgd", 0.1f, 0f, 1f},
            {"adamx", 0.1f, 0f, d}};
        try (Tensor w = CPU.zeros(2); Tensor g = CPU.zeros(2)) {
            List<Parameter> ps = List.of(new Parameter("w", w, g));
            for (Object[] b : bad) {
                String name = (String) b[0];
                float lr = (Float) b[1], wd = (Float) b[2], m = (Float) b[3];
                String expected = assertThrows(IllegalArgumentException.class,
                        () -> Optimizer.create(name, ps, lr, wd, m)).getMessage();
                assertEquals(expected, assertThrows(IllegalArgumentException.class,
                        () -> Optimizer.check(name, lr, wd, m)).getMessage());
            }
        }
        for (String name : new String[] {"sgd", "nesterov", "adam", "adamw", "rmsprop", "adagrad"}) {
            Optimizer.check(name, 0.1f, 0.01f, Optimizer.DEFAULT_MOMENTUM);
        }
        Optimizer.check("sgd", 0f, 0f, 0f);
    }

    private static void refused(org.junit.jupiter.api.function.Executable make, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    /** As PyTorch's clip_grad_norm_: infinity only measures the norm, 0 zeroes the gradients. */
    @Test
    void clippingAtInfinityMeasuresAndAtZeroZeroes() {
        try (Tensor w = CPU.zeros(2); Tensor g = CPU.fromArray(new float[] {3f, 4f}, 2)) {
            List<Parameter> ps = List.of(new Parameter("w", w, g));
            assertEquals(5f, Optimizer.clipGradNorm(ps, Float.POSITIVE_INFINITY), 1e-6f);
            assertArrayEquals(new float[] {3f, 4f}, g.toArray());
            assertEquals(5f, Optimizer.clipGradNorm(ps, 0f), 1e-6f);
            assertArrayEquals(new float[] {0f, 0f}, g.toArray());
        }
    }

    @Test
    void aClosedOptimizerRefusesToStep() {
        try (Tensor w = CPU.zeros(2); Tensor g = CPU.fromArray(new float[] {1f, -1f}, 2)) {
            Optimizer opt = Optimizer.create("adam", List.of(new Parameter("w", w, g)), 0.1f, 0f, -1f);
            opt.step();
            long live = CPU.liveBytes();
            opt.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
            assertTrue(e.getMessage().contains("adam") && e.getMessage().contains("closed"), e.getMessage());
            assertTrue(CPU.liveBytes() < live, "closing released the moments and stepping did not bring them back");
        }
    }

    /** The lower ends of the ranges are allowed, as in PyTorch: beta 0 is no moment, eps 0 no guard. */
    @Test
    void hyperparametersAtTheLowerEndOfTheirRangeAreAccepted() {
        try (Tensor w = CPU.zeros(2); Tensor g = CPU.zeros(2)) {
            List<Parameter> ps = List.of(new Parameter("w", w, g));
            new Adam(ps, 0f, 0f, 0f, 0f, 0f, false).close();
            new RmsProp(ps, 0f, 0f, 0f, 0f).close();
            new Adagrad(ps, 0f, 0f, 0f).close();
            new Sgd(ps, 0f, 0f, 0f, false).close();
            Optimizer.check("adam", 0f);
        }
    }

    /**
     * PyTorch's clip_grad_norm_ divides by norm + 1e-6: at a norm of 4e-6 that term is a fifth of
     * the coefficient, so the scaled gradients show it.
     */
    @Test
    void clippingAddsPyTorchsEpsilonToTheNorm() {
        java.util.Random rnd = new java.util.Random(7);
        float[] ga = new float[7];
        float[] gb = new float[33];
        double sq = 0;
        for (float[] g : new float[][] {ga, gb}) {
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (rnd.nextGaussian() * 1e-6);
                sq += (double) g[i] * g[i];
            }
        }
        double norm = Math.sqrt(sq), maxNorm = norm / 2;
        double coef = maxNorm / (norm + 1e-6);
        try (Tensor a = CPU.zeros(7); Tensor da = CPU.fromArray(ga, 7); Tensor b = CPU.zeros(33);
             Tensor db = CPU.fromArray(gb, 33)) {
            List<Parameter> ps = List.of(new Parameter("a", a, da), new Parameter("b", b, db));
            assertEquals(norm, Optimizer.clipGradNorm(ps, (float) maxNorm), 1e-5 * norm);
            float[][] got = {da.toArray(), db.toArray()};
            float[][] before = {ga, gb};
            for (int t = 0; t < 2; t++) {
                for (int i = 0; i < got[t].length; i++) {
                    double ref = before[t][i] * coef;
                    assertEquals(ref, got[t][i], 1e-12 + 1e-5 * Math.abs(ref), "grad " + t + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void anOptimizerKnowsItsNameAndWhatItUpdates() {
        try (Tensor w = CPU.zeros(2); Tensor g = CPU.zeros(2); Tensor other = CPU.zeros(2)) {
            List<Parameter> ps = List.of(new Parameter("w", w, g));
            for (String name : new String[] {"sgd", "nesterov", "adam", "adamw", "rmsprop", "adagrad"}) {
                try (Optimizer opt = Optimizer.create(name, ps, 0.1f)) {
                    assertEquals(name, opt.name());
                    assertTrue(opt.updates(w), name);
                    org.junit.jupiter.api.Assertions.assertFalse(opt.updates(g), name);
                    org.junit.jupiter.api.Assertions.assertFalse(opt.updates(other), name);
                }
            }
        }
    }
}
