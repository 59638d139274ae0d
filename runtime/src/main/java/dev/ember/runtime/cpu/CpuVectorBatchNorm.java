package dev.ember.runtime.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch-norm backward's two passes over a block of columns on the Vector API, four columns at a
 * time in double lanes: the scalar loop's arithmetic in the same order (x - mean in float, then
 * double; a multiply and an add, never fused), so the same bits. Handles columns
 * [c0, c0 + width) of the block with width a multiple of 4; the caller's scalar loop takes the
 * rest. Only called when {@link CpuVector#AVAILABLE}.
 */
final class CpuVectorBatchNorm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

    private CpuVectorBatchNorm() {
    }

    /** Over the rows in order: sdy[j] += dy, sdyx[j] += dy * xhat, with xhat = (x - mu[j]) * inv[j]. */
    static void sums(float[] xs, float[] dys, float[] mu, double[] inv, double[] sdy, double[] sdyx, int rows,
                     int cols, int c0, int width) {
        pass(false, xs, dys, mu, inv, sdy, sdyx, null, null, rows, cols, c0, width);
    }

    /** dx = (float) (k[j] * (rows * dy - sdy[j] - xhat * sdyx[j])). */
    static void dx(float[] xs, float[] dys, float[] mu, double[] inv, double[] sdy, double[] sdyx, double[] k,
                   float[] dxs, int rows, int cols, int c0, int width) {
        pass(true, xs, dys, mu, inv, sdy, sdyx, k, dxs, rows, cols, c0, width);
    }

    /** One of the two passes; both need xhat and dy in double lanes (C2 unswitches the loop on {@code dx}). */
    private static void pass(boolean dx, float[] xs, float[] dys, float[] mu, double[] inv, double[] sdy,
                             double[] sdyx, double[] k, float[] dxs, int rows, int cols, int c0, int width) {
        double n = rows;
        for (int r = 0; r < rows; r++) {
            int o = r * cols + c0;
            for (int j = 0; j < width; j += 4) {
                FloatVector centred = FloatVector.fromArray(F, xs, o + j).sub(FloatVector.fromArray(F, mu, j));
                DoubleVector xhat = ((DoubleVector) centred.convertShape(VectorOperators.F2D, D, 0))
                        .mul(DoubleVector.fromArray(D, inv, j));
                DoubleVector d = (DoubleVector) FloatVector.fromArray(F, dys, o + j).convertShape(VectorOperators.F2D, D, 0);
                if (dx) {
                    DoubleVector v = d.mul(n).sub(DoubleVector.fromArray(D, sdy, j))
                            .sub(xhat.mul(DoubleVector.fromArray(D, sdyx, j))).mul(DoubleVector.fromArray(D, k, j));
                    ((FloatVector) v.convertShape(VectorOperators.D2F, F, 0)).intoArray(dxs, o + j);
                } else {
                    DoubleVector.fromArray(D, sdy, j).add(d).intoArray(sdy, j);
                    DoubleVector.fromArray(D, sdyx, j).add(d.mul(xhat)).intoArray(sdyx, j);
                }
            }
        }
    }
}
