package dev.ember.runtime.opencl;

import static dev.ember.runtime.opencl.OpenClTestSupport.*;

import dev.ember.runtime.Activation;
import dev.ember.runtime.BinaryOp;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Elementwise ops on OpenCL against the CPU backend. Piecewise-linear activations, binary ops,
 * scale, axpy, clamp and bias add must match bit for bit (0 ulp: same float operations, no
 * contraction). Sigmoid, tanh and elu go through exp/expm1/tanh, whose OpenCL versions may be off by
 * a few ulp (the spec allows up to 4 for exp); allowed: 4 ulp, plus an absolute 1e-7 near zero for
 * tanh/elu whose results there are tiny.
 */
class OpenClElementwiseParityTest {
    static final int[] SIZES = {1, 7, 33, 127, 1000};

    static java.util.List<String> devices() {
        return OpenClTestSupport.devices();
    }

    private static long ulpBudget(Activation a) {
        return switch (a) {
            case IDENTITY, RELU, LEAKY_RELU -> 0;
            default -> 4;
        };
    }

    @ParameterizedTest(name = "[{0}] activations forward and backward")
    @MethodSource("devices")
    void activations(String device) {
        OpenClBackend cl = cl();
        for (Activation act : Activation.values()) {
            for (int n : SIZES) {
                long seed = 1000L * act.ordinal() + n;
                Random r = new Random(seed);
                float[] x = uniform(r, n, -6f, 6f);
                if (n > 3) {
                    x[0] = 0f;
                    x[1] = -0f;
                    x[2] = 40f;
                    x[3] = -40f;
                }
                float alpha = act == Activation.LEAKY_RELU ? 0.01f : 1.3f;
                try (Pair px = new Pair(cl, x); Pair py = new Pair(cl, n); Pair pdy = new Pair(cl, uniform(r, n, -1, 1));
                     Pair pdx = new Pair(cl, n)) {
                    cpu().activation(act, alpha, px.cpu, py.cpu, n);
                    cl.activation(act, alpha, px.cl, py.cl, n);
                    assertUlps(act + " forward", seed, py.cpuValues(), py.clValues(), ulpBudget(act));
                    // Backward from the same y on both sides, so only the derivative formula is compared.
                    float[] y = py.cpuValues();
                    cl.upload(y, 0, py.cl, 0, n);
                    cpu().activationBackward(act, alpha, px.cpu, py.cpu, pdy.cpu, pdx.cpu, n);
                    cl.activationBackward(act, alpha, px.cl, py.cl, pdy.cl, pdx.cl, n);
                    assertUlps(act + " backward", seed, pdx.cpuValues(), pdx.clValues(), 0);
                }
            }
        }
    }

    @ParameterizedTest(name = "[{0}] binary, scale, axpy, clamp, bias add: bit-identical")
    @MethodSource("devices")
    void arithmetic(String device) {
        OpenClBackend cl = cl();
        for (int n : SIZES) {
            long seed = 77 + n;
            Random r = new Random(seed);
            try (Pair a = new Pair(cl, uniform(r, n, -3, 3)); Pair b = new Pair(cl, uniform(r, n, -3, 3));
                 Pair out = new Pair(cl, n)) {
                for (BinaryOp op : BinaryOp.values()) {
                    cpu().binary(op, a.cpu, b.cpu, out.cpu, n);
                    cl.binary(op, a.cl, b.cl, out.cl, n);
                    assertUlps(op.toString(), seed, out.cpuValues(), out.clValues(), 0);
                }
                cpu().scale(-1.7f, a.cpu, out.cpu, n);
                cl.scale(-1.7f, a.cl, out.cl, n);
                assertUlps("scale", seed, out.cpuValues(), out.clValues(), 0);
                cpu().clamp(-1f, 0.5f, a.cpu, out.cpu, n);
                cl.clamp(-1f, 0.5f, a.cl, out.cl, n);
                assertUlps("clamp", seed, out.cpuValues(), out.clValues(), 0);
                cpu().axpy(0.3f, a.cpu, b.cpu, n);
                cl.axpy(0.3f, a.cl, b.cl, n);
                assertUlps("axpy", seed, b.cpuValues(), b.clValues(), 0);
                // in place: out may be a
                cpu().binary(BinaryOp.MUL, a.cpu, b.cpu, a.cpu, n);
                cl.binary(BinaryOp.MUL, a.cl, b.cl, a.cl, n);
                assertUlps("mul in place", seed, a.cpuValues(), a.clValues(), 0);
            }
        }
        for (int[] rc : new int[][] {{1, 1}, {7, 33}, {127, 5}, {3, 1000}}) {
            int rows = rc[0], cols = rc[1];
            long seed = rows * 31L + cols;
            Random r = new Random(seed);
            try (Pair x = new Pair(cl, uniform(r, rows * cols, -2, 2)); Pair bias = new Pair(cl, uniform(r, cols, -1, 1));
                 Pair out = new Pair(cl, rows * cols)) {
                cpu().biasAdd(x.cpu, bias.cpu, out.cpu, rows, cols);
                cl.biasAdd(x.cl, bias.cl, out.cl, rows, cols);
                assertUlps("biasAdd " + rows + "x" + cols, seed, out.cpuValues(), out.clValues(), 0);
            }
        }
    }
}
