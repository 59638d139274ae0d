package dev.ember.runtime.ops;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.FiniteDiff;
import dev.ember.runtime.testing.Rand;
import dev.ember.runtime.testing.Ref;
import dev.ember.runtime.testing.TestDevice;
import dev.ember.runtime.testing.TestShapes;
import dev.ember.runtime.testing.Tolerance;

/**
 * activation and activationBackward for identity, relu, leaky_relu, elu, sigmoid and tanh:
 * forward against float64, backward against central differences of L(x) = sum dy o act(x),
 * with saturating inputs (+-20, +-100) that must stay finite.
 *
 * <p>Tolerances. Forward: identity and relu are exact; leaky relu is one rounding (rtol 1.2e-7);
 * elu, sigmoid and tanh allow device math libraries up to ~100 ulp (rtol 1e-5) and atol 1e-6
 * for results near 0 (e.g. exp(x) - 1 computed without expm1, or flushed subnormals).
 * Backward: atol 1e-6 (|dy| <= 1), rtol 1e-5: the derivative is formed from y = act(x) in
 * float32, and s (1 - s) near s = 1 loses relative, but not absolute, precision.
 */
class ActivationOpsTest {
    private static final float[] EXTREMES = {-100f, -30f, -20f, -5e-3f, 5e-3f, 20f, 30f, 100f};

    private static float alphaFor(Activation act) {
        return switch (act) {
            case LEAKY_RELU -> 0.2f;
            case ELU -> 0.7f;
            default -> 0.3f; // ignored by the others
        };
    }

    private static Tolerance forwardTol(Activation act) {
        String op = "activation(" + act + ")";
        return switch (act) {
            case IDENTITY, RELU -> Tolerance.of(op, 0, 0);
            case LEAKY_RELU -> Tolerance.of(op, 0, 1.2e-7);
            default -> Tolerance.of(op, 1e-6, 1e-5);
        };
    }

    /** Random values (away from the kink at 0 by 1e-2, so finite differences are valid) and the extremes. */
    private static float[] inputs(Rand rand, int n) {
        float[] x = rand.awayFromZero(n, -6, 6, 1e-2f);
        for (int i = 0; i < Math.min(n, EXTREMES.length); i++) {
            x[(int) ((long) i * n / Math.min(n, EXTREMES.length))] = EXTREMES[i];
        }
        return x;
    }

    @DeviceTest
    void forwardMatchesFloat64(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (Activation act : Activation.values()) {
            float alpha = alphaFor(act);
            Tolerance tol = forwardTol(act);
            for (int[] s : TestShapes.MATRICES) {
                int rows = s[0], cols = s[1];
                float[] x = inputs(rand, rows * cols);
                double[] ref = Ref.act(act, alpha, Ref.d(x));
                String what = "x " + TestShapes.of(rows, cols) + " alpha=" + alpha;
                try (Tensor tx = dev.fromArray(x, rows, cols); Tensor y = dev.empty(rows, cols)) {
                    Ops.activation(act, alpha, tx, y);
                    tol.check(rand, what, ref, y.toArray(), cols);
                    Ops.activation(act, alpha, tx, tx);
                    tol.check(rand, what + " in place", ref, tx.toArray(), cols);
                }
            }
            int n = TestShapes.LENGTHS[TestShapes.LENGTHS.length - 1];
            float[] x = inputs(rand, n);
            try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n)) {
                Ops.activation(act, alpha, tx, y);
                tol.check(rand, "x [" + n + "]", Ref.act(act, alpha, Ref.d(x)), y.toArray());
            }
        }
    }

    /**
     * Long enough that a grid-stride kernel at its largest grid (about 1M work-items on the GPUs
     * and PoCL here) takes its four-elements-per-trip loop, with a tail; in place too.
     */
    @DeviceTest
    void forwardMatchesFloat64OnLongArrays(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int n = (1 << 22) + 4099;
        for (Activation act : new Activation[] {Activation.RELU, Activation.SIGMOID, Activation.ELU}) {
            float alpha = alphaFor(act);
            float[] x = inputs(rand, n);
            double[] ref = Ref.act(act, alpha, Ref.d(x));
            try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n)) {
                Ops.activation(act, alpha, tx, y);
                forwardTol(act).check(rand, "x [" + n + "]", ref, y.toArray());
                Ops.activation(act, alpha, tx, tx);
                forwardTol(act).check(rand, "x [" + n + "] in place", ref, tx.toArray());
            }
        }
    }

    @DeviceTest
    void backwardMatchesFiniteDifferences(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (Activation act : Activation.values()) {
            float alpha = alphaFor(act);
            Tolerance tol = Tolerance.of("activationBackward(" + act + ")", 1e-6, 1e-5);
            for (int n : TestShapes.LENGTHS) {
                float[] x = inputs(rand, n), dy = rand.uniform(n, -1, 1);
                double[] deriv = FiniteDiff.elementwise(v -> Ref.act(act, alpha, v), Ref.d(x), 1e-4);
                double[] ref = new double[n];
                for (int i = 0; i < n; i++) {
                    ref[i] = dy[i] * deriv[i];
                }
                String what = "x [" + n + "] alpha=" + alpha + " vs finite differences";
                try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n); Tensor tdy = dev.fromArray(dy, n);
                     Tensor dx = dev.empty(n)) {
                    Ops.activation(act, alpha, tx, y);
                    Ops.activationBackward(act, alpha, tx, y, tdy, dx);
                    tol.check(rand, what, ref, dx.toArray());
                    Ops.activationBackward(act, alpha, tx, y, tdy, tdy);
                    tol.check(rand, what + " (dx = dy in place)", ref, tdy.toArray());
                }
            }
        }
    }
}
