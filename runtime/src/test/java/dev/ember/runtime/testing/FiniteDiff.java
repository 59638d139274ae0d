package dev.ember.runtime.testing;

import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * Central finite differences in float64: the independent check of every backward op. With a
 * step h scaled to the input, the truncation error is O(h^2) and the rounding error
 * O(eps64 / h), both far below float32 tolerances for h around 1e-4.
 */
public final class FiniteDiff {
    private FiniteDiff() {
    }

    /** d f / d x_i for every i, as (f(x + h e_i) - f(x - h e_i)) / (2 h), h = step * max(1, |x_i|). */
    public static double[] gradient(ToDoubleFunction<double[]> f, double[] x, double step) {
        double[] g = new double[x.length];
        double[] xp = x.clone();
        for (int i = 0; i < x.length; i++) {
            double h = step * Math.max(1.0, Math.abs(x[i]));
            double xi = x[i];
            xp[i] = xi + h;
            double fp = f.applyAsDouble(xp);
            xp[i] = xi - h;
            double fm = f.applyAsDouble(xp);
            xp[i] = xi;
            g[i] = (fp - fm) / (2 * h);
        }
        return g;
    }

    public static double[] gradient(ToDoubleFunction<double[]> f, double[] x) {
        return gradient(f, x, 1e-4);
    }

    /**
     * f'(x_i) for an elementwise f, by the same central difference: for a separable loss
     * L(x) = sum dy_i f(x_i) this is the full finite-difference gradient divided by dy_i, in O(n).
     */
    public static double[] elementwise(DoubleUnaryOperator f, double[] x, double step) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double h = step * Math.max(1.0, Math.abs(x[i]));
            g[i] = (f.applyAsDouble(x[i] + h) - f.applyAsDouble(x[i] - h)) / (2 * h);
        }
        return g;
    }

    /** f'(x) by a central difference with h = step * max(1, |x|). */
    public static double derivative(DoubleUnaryOperator f, double x, double step) {
        double h = step * Math.max(1.0, Math.abs(x));
        return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
    }
}
