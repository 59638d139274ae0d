package dev.ember.runtime.opencl;

import static dev.ember.runtime.opencl.OpenClTestSupport.*;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch normalisation on OpenCL against float64 references built from the same inputs and against
 * the CPU backend. Forward computes y = x * scale + shift as the CPU does (scale = gamma / sqrt(var +
 * eps), shift = beta - mean * scale), which cancels when |x * scale| is large: allowed error
 * 1e-6 + 5e-7 * (|x * scale| + |mean * scale| + |beta|). Backward dgamma/dbeta within 1e-6 * sum of the
 * magnitudes added + 1e-6, dx within 1e-5 relative to the largest term + 1e-6.
 */
class OpenClBatchNormParityTest {
    static final int[][] SHAPES = {{1, 1}, {7, 33}, {127, 7}, {200, 130}, {1000, 3}, {2, 1000}};

    static java.util.List<String> devices() {
        return OpenClTestSupport.devices();
    }

    @ParameterizedTest(name = "[{0}] batchNorm forward and backward")
    @MethodSource("devices")
    void forwardBackward(String device) {
        OpenClBackend cl = cl();
        float eps = 1e-5f;
        for (int[] s : SHAPES) {
            int rows = s[0], cols = s[1];
            long seed = rows * 7919L + cols;
            Random r = new Random(seed);
            float[] x = uniform(r, rows * cols, -2, 4), dy = uniform(r, rows * cols, -1, 1);
            float[] gamma = uniform(r, cols, 0.5f, 1.5f), beta = uniform(r, cols, -1, 1);
            float[] mean = new float[cols], var = new float[cols];
            for (int c = 0; c < cols; c++) {
                double m = 0, q = 0;
                for (int i = 0; i < rows; i++) {
                    m += x[i * cols + c];
                }
                m /= rows;
                for (int i = 0; i < rows; i++) {
                    q += (x[i * cols + c] - m) * (x[i * cols + c] - m);
                }
                mean[c] = (float) m;
                var[c] = (float) (q / rows);
            }
            double[] y = new double[x.length], yMag = new double[x.length], dx = new double[x.length], dxMag = new double[x.length];
            double[] dg = new double[cols], db = new double[cols], dgMag = new double[cols], dbMag = new double[cols];
            for (int c = 0; c < cols; c++) {
                double inv = 1 / Math.sqrt(var[c] + (double) eps);
                for (int i = 0; i < rows; i++) {
                    int k = i * cols + c;
                    double xh = (x[k] - mean[c]) * inv;
                    y[k] = xh * gamma[c] + beta[c];
                    double sc = gamma[c] * inv;
                    yMag[k] = Math.abs(x[k] * sc) + Math.abs(mean[c] * sc) + Math.abs(beta[c]);
                    db[c] += dy[k];
                    dg[c] += dy[k] * xh;
                    dbMag[c] += Math.abs(dy[k]);
                    dgMag[c] += Math.abs(dy[k] * xh);
                }
                double kf = gamma[c] * inv / rows;
                for (int i = 0; i < rows; i++) {
                    int k = i * cols + c;
                    double xh = (x[k] - mean[c]) * inv;
                    dx[k] = kf * (rows * (double) dy[k] - db[c] - xh * dg[c]);
                    dxMag[k] = Math.abs(kf) * (rows * Math.abs(dy[k]) + dbMag[c] + Math.abs(xh) * dgMag[c]);
                }
            }
            try (Pair px = new Pair(cl, x); Pair pm = new Pair(cl, mean); Pair pv = new Pair(cl, var);
                 Pair pg = new Pair(cl, gamma); Pair pb = new Pair(cl, beta); Pair py = new Pair(cl, x.length);
                 Pair pdy = new Pair(cl, dy); Pair pdx = new Pair(cl, x.length); Pair pdg = new Pair(cl, cols);
                 Pair pdb = new Pair(cl, cols)) {
                String shape = rows + "x" + cols;
                cl.batchNorm(px.cl, pm.cl, pv.cl, pg.cl, pb.cl, eps, py.cl, rows, cols);
                cpu().batchNorm(px.cpu, pm.cpu, pv.cpu, pg.cpu, pb.cpu, eps, py.cpu, rows, cols);
                float[] gotY = py.clValues(), cpuY = py.cpuValues();
                for (int k = 0; k < x.length; k++) {
                    double tol = 1e-6 + 5e-7 * yMag[k];
                    assertClose("batchNorm forward " + shape + " element " + k, seed, new double[] {y[k]},
                            new float[] {gotY[k]}, tol, 0);
                    assertClose("batchNorm forward vs cpu " + shape + " element " + k, seed, new double[] {cpuY[k]},
                            new float[] {gotY[k]}, 2 * tol, 0);
                }
                cl.batchNormBackward(px.cl, pm.cl, pv.cl, pg.cl, eps, pdy.cl, pdx.cl, pdg.cl, pdb.cl, rows, cols);
                float[] gotDg = pdg.clValues(), gotDb = pdb.clValues(), gotDx = pdx.clValues();
                for (int c = 0; c < cols; c++) {
                    assertClose("dgamma " + shape + " col " + c, seed, new double[] {dg[c]}, new float[] {gotDg[c]},
                            1e-6 * dgMag[c] + 1e-6, 0);
                    assertClose("dbeta " + shape + " col " + c, seed, new double[] {db[c]}, new float[] {gotDb[c]},
                            1e-6 * dbMag[c] + 1e-6, 0);
                }
                for (int k = 0; k < x.length; k++) {
                    assertClose("batchNorm dx " + shape + " element " + k, seed, new double[] {dx[k]},
                            new float[] {gotDx[k]}, 1e-5 * dxMag[k] + 1e-6, 0);
                }
            }
        }
    }
}
