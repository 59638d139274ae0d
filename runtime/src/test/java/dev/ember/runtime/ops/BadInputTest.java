package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.cpu.CpuBackend;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input is refused before any backend runs: mismatched shapes, wrong rank, labels outside
 * [0, classes), zero or negative sizes, out-of-range arguments and tensors of two devices give
 * {@link IllegalArgumentException} naming the op and the offending shapes or values; a closed
 * tensor gives {@link IllegalStateException} naming the tensor's shape.
 */
class BadInputTest {
    /** A device distinct from every listed one (a second CPU backend instance). */
    private static Device stranger;

    @BeforeAll
    static void open() {
        stranger = new Device(new CpuBackend(1));
    }

    @AfterAll
    static void close() {
        stranger.close();
    }

    /** Asserts the exception type and that its message contains every fragment. */
    private static <T extends Throwable> void refused(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        String msg = String.valueOf(e.getMessage());
        for (String f : fragments) {
            assertTrue(msg.contains(f), "message \"" + msg + "\" should name \"" + f + "\"");
        }
    }

    private static void bad(Executable call, String... fragments) {
        refused(IllegalArgumentException.class, call, fragments);
    }

    /** rand and randn refuse what PyTorch's uniform_ and normal_ refuse, before allocating anything. */
    @DeviceTest
    void randomFillArgumentsAreChecked(TestDevice td) {
        Device dev = td.open();
        long live = dev.liveBytes();
        bad(() -> dev.rand(1, 2f, 1f, 3, 4), "rand", "lo <= hi", "lo 2.0", "hi 1.0");
        bad(() -> dev.rand(1, Float.NaN, 1f, 3), "rand", "lo NaN");
        bad(() -> dev.rand(1, 0f, Float.POSITIVE_INFINITY, 3), "rand", "hi Infinity");
        bad(() -> dev.randn(1, 0f, -1f, 3), "randn", "std >= 0", "std -1.0");
        bad(() -> dev.randn(1, Float.NaN, 1f, 3), "randn", "mean NaN");
        bad(() -> dev.rand(1, -Float.MAX_VALUE, Float.MAX_VALUE, 3), "rand", "hi - lo");
        assertEquals(live, dev.liveBytes(), "a refused rand/randn must not leave a tensor behind");
        try (Tensor t = dev.zeros(5)) {
            bad(() -> t.fillUniform(1, 1f, -1f), "fillUniform", "lo 1.0", "hi -1.0");
            bad(() -> t.fillNormal(1, 0f, Float.NaN), "fillNormal", "std NaN");
            // finite bounds whose width overflows float (PyTorch: to - from <= float max)
            bad(() -> t.fillUniform(1, -3e38f, 3e38f), "fillUniform", "hi - lo", "-3.0E38");
            assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, t.fillUniform(7, 2.5f, 2.5f).toArray());
        }
    }

    /** Two threads closing one tensor at once release its memory once. */
    @DeviceTest
    void closingFromTwoThreadsAtOnceReleasesOnce(TestDevice td) throws Exception {
        Device dev = td.open();
        long live = dev.liveBytes(), tensors = dev.liveTensors();
        for (int round = 0; round < 300; round++) {
            Tensor t = dev.zeros(64);
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Thread other = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                t.close();
            });
            other.start();
            start.await();
            t.close();
            other.join();
        }
        assertEquals(live, dev.liveBytes(), "live bytes after 300 tensors each closed by two threads at once");
        assertEquals(tensors, dev.liveTensors());
    }

    @DeviceTest
    void mismatchedShapes(TestDevice td) {
        Device dev = td.open();
        try (Tensor a34 = dev.zeros(3, 4); Tensor a43 = dev.zeros(4, 3); Tensor b5 = dev.zeros(5);
             Tensor c33 = dev.zeros(3, 3); Tensor v3 = dev.zeros(3); Tensor a12 = dev.zeros(12)) {
            bad(() -> Ops.add(a34, a43, a34), "add", "3x4", "4x3");
            bad(() -> Ops.sub(a34, a34, a43), "sub", "3x4", "4x3");
            bad(() -> Ops.mul(a34, b5, a34), "mul", "3x4", "[5]");
            bad(() -> Ops.scale(2f, a34, b5), "scale", "3x4", "[5]");
            bad(() -> Ops.axpy(2f, a34, a43), "axpy", "3x4", "4x3");
            bad(() -> Ops.clamp(0f, 1f, a34, a43), "clamp", "3x4", "4x3");
            bad(() -> Ops.gemm(false, false, 1f, a34, a34, 0f, c33), "gemm", "3x4", "inner");
            bad(() -> Ops.gemm(false, true, 1f, a34, a43, 0f, c33), "gemm", "3x4", "4x3");
            bad(() -> Ops.gemm(false, false, 1f, a34, a43, 0f, a34), "gemm", "C is 3x4", "3x3");
            bad(() -> Ops.gemm(false, false, 1f, a34, a43, 0f, c33, b5, Activation.RELU, 0f), "gemm", "bias", "[5]");
            bad(() -> Ops.matmul(a34, a34), "matmul: inner dimensions differ", "A is 3x4", "B is 3x4");
            bad(() -> Ops.matmul(a34, c33), "matmul: inner dimensions differ", "A is 3x4", "B is 3x3");
            bad(() -> Ops.biasAdd(a34, v3, a34), "biasAdd", "bias", "[3]", "3x4");
            bad(() -> Ops.biasAdd(a34, a12, a34), "biasAdd", "[12]");
            bad(() -> Ops.biasGrad(a34, v3, false), "biasGrad", "[3]", "3x4");
            bad(() -> Ops.activation(Activation.TANH, 0f, a34, a43), "activation(tanh)", "3x4", "4x3");
            bad(() -> Ops.activationBackward(Activation.RELU, 0f, a34, a34, a43, a34), "activationBackward(relu)",
                    "4x3");
            bad(() -> Ops.softmax(a34, a43), "softmax", "3x4", "4x3");
            bad(() -> Ops.rowArgmax(a34, b5), "rowArgmax", "[5]", "3x4");
            bad(() -> Ops.columnMeanVariance(a34, v3, b5), "columnMeanVariance", "[3]", "3x4");
            bad(() -> Ops.softmaxCrossEntropy(a34, b5, a34), "softmaxCrossEntropy", "labels", "[5]", "3x4");
            bad(() -> Ops.softmaxCrossEntropy(a34, v3, a43), "softmaxCrossEntropy", "grad", "4x3");
            try (Tensor oneHot = dev.zeros(3, 4); Tensor grad = dev.zeros(3, 4)) {
                bad(() -> Ops.softmaxCrossEntropy(a34, oneHot, grad), "softmaxCrossEntropy", "labels 3x4",
                        "one-hot targets?", "one class index per row, 3 values", "Ops.rowArgmax");
            }
            bad(() -> Ops.bceWithLogits(a34, a43, a34), "bceWithLogits", "3x4", "4x3");
            bad(() -> Ops.mse(a34, a34, b5), "mse", "3x4", "[5]");
            bad(() -> Ops.dropout(1L, 0.5f, a34, a43), "dropout", "3x4", "4x3");
            bad(() -> Ops.dropoutBackward(1L, 0.5f, a34, b5), "dropoutBackward", "[5]");
            bad(() -> Ops.batchNorm(a34, v3, b5, b5, b5, 1e-5f, a34), "batchNorm", "mean", "[3]", "3x4");
            bad(() -> Ops.batchNormBackward(a34, b5, b5, b5, 1e-5f, a43, a34, b5, b5), "batchNormBackward");
            bad(() -> Ops.sgd(a34, a43, null, 0.1f, 0f, 0f, false, true), "sgd", "3x4", "4x3");
            bad(() -> Ops.adam(a34, a34, a34, a43, 0.1f, 0.9f, 0.99f, 1e-8f, 0f, false, 1), "adam", "4x3");
            bad(() -> Ops.adam(a34, a34, b5, a34, 0.1f, 0.9f, 0.99f, 1e-8f, 0f, true, 1), "adamw", "[5]");
            bad(() -> Ops.rmsprop(a34, a34, b5, 0.1f, 0.99f, 1e-8f, 0f), "rmsprop", "[5]");
            bad(() -> Ops.adagrad(a34, a43, a34, 0.1f, 1e-8f, 0f), "adagrad", "4x3");
        }
    }

    /**
     * The same number of values in another shape is refused, as PyTorch refuses shapes it cannot
     * broadcast: a 2x3x4 is not a 6x4, nor a [12] a 3x4 (this used to be accepted and paired the
     * values by position). Every op that pairs tensors element by element names itself and both
     * shapes; nothing is written.
     */
    @DeviceTest
    void sameCountOfValuesInAnotherShapeIsRefused(TestDevice td) {
        Device dev = td.open();
        try (Tensor t234 = dev.empty(2, 3, 4).fill(5f); Tensor m64 = dev.zeros(6, 4); Tensor m34 = dev.zeros(3, 4);
             Tensor g34 = dev.zeros(3, 4); Tensor v12 = dev.zeros(12); Tensor r112 = dev.zeros(1, 12);
             Tensor labels = dev.zeros(3); Tensor v4 = dev.zeros(4); Tensor dg = dev.zeros(4); Tensor db = dev.zeros(4)) {
            bad(() -> Ops.add(t234, m64, t234), "add", "2x3x4", "6x4");
            bad(() -> Ops.sub(m64, m64, t234), "sub", "6x4", "2x3x4");
            bad(() -> Ops.mul(m34, v12, m34), "mul", "3x4", "[12]");
            bad(() -> Ops.axpy(0.5f, v12, m34), "axpy", "[12]", "3x4");
            bad(() -> Ops.axpy(0.5f, r112, v12), "axpy", "1x12", "[12]");
            bad(() -> Ops.scale(2f, t234, m64), "scale", "2x3x4", "6x4");
            bad(() -> Ops.clamp(0f, 1f, m34, v12), "clamp", "3x4", "[12]");
            bad(() -> Ops.activation(Activation.RELU, 0f, t234, m64), "activation(relu)", "2x3x4", "6x4");
            bad(() -> Ops.activationBackward(Activation.ELU, 1f, m34, m34, v12, m34), "activationBackward(elu)",
                    "3x4", "[12]");
            bad(() -> Ops.biasAdd(m34, v4, v12), "biasAdd", "3x4", "[12]");
            bad(() -> Ops.softmax(m34, v12), "softmax", "3x4", "[12]");
            bad(() -> Ops.softmaxCrossEntropy(m34, labels, v12), "softmaxCrossEntropy", "3x4", "[12]");
            bad(() -> Ops.bceWithLogits(m34, v12, m34), "bceWithLogits", "3x4", "[12]");
            bad(() -> Ops.mse(v12, r112, v12), "mse", "[12]", "1x12");
            bad(() -> Ops.dropout(1L, 0.5f, t234, m64), "dropout", "2x3x4", "6x4");
            bad(() -> Ops.dropoutBackward(1L, 0.5f, m34, v12), "dropoutBackward", "3x4", "[12]");
            bad(() -> Ops.batchNorm(m34, v4, v4, v4, v4, 1e-5f, v12), "batchNorm", "3x4", "[12]");
            bad(() -> Ops.batchNormBackward(m34, v4, v4, v4, 1e-5f, v12, g34, dg, db), "batchNormBackward", "3x4",
                    "[12]");
            bad(() -> Ops.sgd(m34, v12, null, 0.1f, 0f, 0f, false, true), "sgd", "3x4", "[12]");
            bad(() -> Ops.sgd(m34, g34, v12, 0.1f, 0.9f, 0f, false, true), "sgd", "velocity", "[12]");
            bad(() -> Ops.adam(v12, m34, v12, v12, 0.1f, 0.9f, 0.99f, 1e-8f, 0f, false, 1), "adam", "[12]", "3x4");
            bad(() -> Ops.rmsprop(m34, m34, v12, 0.1f, 0.99f, 1e-8f, 0f), "rmsprop", "3x4", "[12]");
            bad(() -> Ops.adagrad(r112, v12, r112, 0.1f, 1e-8f, 0f), "adagrad", "1x12", "[12]");
            float[] untouched = t234.toArray();
            for (float v : untouched) {
                assertEquals(5f, v, "a refused op must not have written its output");
            }
        }
    }

    @DeviceTest
    void wrongRank(TestDevice td) {
        Device dev = td.open();
        try (Tensor v12 = dev.zeros(12); Tensor m34 = dev.zeros(3, 4); Tensor c = dev.zeros(3, 3);
             Tensor t3 = dev.zeros(2, 3, 4); Tensor labels = dev.zeros(2)) {
            bad(() -> Ops.gemm(false, false, 1f, v12, m34, 0f, c), "gemm", "A", "rank 2", "[12]");
            bad(() -> Ops.gemm(false, false, 1f, m34, v12, 0f, c), "gemm", "B", "rank 2", "[12]");
            bad(() -> Ops.matmul(t3, m34), "matmul", "rank 2", "2x3x4");
            bad(() -> Ops.softmax(t3, t3), "softmax", "rank 2", "2x3x4");
            bad(() -> Ops.rowArgmax(v12, labels), "rowArgmax", "rank 2", "[12]");
            bad(() -> Ops.biasAdd(t3, labels, t3), "biasAdd", "rank 2", "2x3x4");
            bad(() -> Ops.softmaxCrossEntropy(t3, labels, t3), "softmaxCrossEntropy", "rank 2", "2x3x4");
            bad(() -> Ops.columnMeanVariance(v12, labels, labels), "columnMeanVariance", "rank 2", "[12]");
        }
        // Ops whose other checks a tensor of another rank would pass (its rows() and cols() fit).
        try (Tensor a13 = dev.zeros(1, 3); Tensor a23 = dev.zeros(2, 3); Tensor b34 = dev.zeros(3, 4);
             Tensor c4 = dev.zeros(4); Tensor c214 = dev.zeros(2, 1, 4); Tensor x214 = dev.zeros(2, 1, 4);
             Tensor v4 = dev.zeros(4); Tensor w4 = dev.zeros(4); Tensor dg = dev.zeros(4); Tensor db = dev.zeros(4)) {
            bad(() -> Ops.gemm(false, false, 1f, a13, b34, 0f, c4), "gemm", "C", "rank 2", "[4]");
            bad(() -> Ops.gemm(false, false, 1f, a23, b34, 0f, c214), "gemm", "C", "rank 2", "2x1x4");
            bad(() -> Ops.biasGrad(x214, v4, false), "biasGrad", "dy", "rank 2", "2x1x4");
            bad(() -> Ops.batchNorm(x214, v4, w4, v4, v4, 1e-5f, c214), "batchNorm", "x", "rank 2", "2x1x4");
            bad(() -> Ops.batchNormBackward(x214, v4, w4, v4, 1e-5f, c214, c214, dg, db), "batchNormBackward", "x",
                    "rank 2", "2x1x4");
        }
    }

    /**
     * A per-row or per-column vector is rank 1 or a single row holding one value per row or column:
     * a column (n x 1), a square or a rank-3 tensor of the right count is refused, whichever
     * vector argument it is, and a 1 x n row is accepted.
     */
    @DeviceTest
    void vectorArgumentsAreCheckedEachByName(TestDevice td) {
        Device dev = td.open();
        try (Tensor x = dev.zeros(3, 4); Tensor y = dev.zeros(3, 4); Tensor dy = dev.zeros(3, 4);
             Tensor v4 = dev.zeros(4); Tensor var = dev.zeros(4).fill(1f); Tensor r14 = dev.zeros(1, 4);
             Tensor c41 = dev.zeros(4, 1); Tensor s22 = dev.zeros(2, 2); Tensor t114 = dev.zeros(1, 1, 4);
             Tensor v3 = dev.zeros(3); Tensor dg = dev.zeros(4); Tensor db = dev.zeros(4)) {
            for (Tensor wrong : new Tensor[] {c41, s22, t114, v3}) {
                String shape = wrong.shapeString();
                bad(() -> Ops.biasAdd(x, wrong, y), "biasAdd", "bias", "4 values", shape);
                bad(() -> Ops.columnMeanVariance(x, v4, wrong), "columnMeanVariance", "var", shape);
                bad(() -> Ops.batchNorm(x, v4, wrong, v4, v4, 1e-5f, y), "batchNorm", "var", shape);
                bad(() -> Ops.batchNorm(x, v4, var, wrong, v4, 1e-5f, y), "batchNorm", "gamma", shape);
                bad(() -> Ops.batchNorm(x, v4, var, v4, wrong, 1e-5f, y), "batchNorm", "beta", shape);
                bad(() -> Ops.batchNormBackward(x, wrong, var, v4, 1e-5f, dy, y, dg, db), "batchNormBackward", "mean",
                        shape);
                bad(() -> Ops.batchNormBackward(x, v4, wrong, v4, 1e-5f, dy, y, dg, db), "batchNormBackward", "var",
                        shape);
                bad(() -> Ops.batchNormBackward(x, v4, var, wrong, 1e-5f, dy, y, dg, db), "batchNormBackward",
                        "gamma", shape);
                bad(() -> Ops.batchNormBackward(x, v4, var, v4, 1e-5f, dy, y, wrong, db), "batchNormBackward",
                        "dgamma", shape);
                bad(() -> Ops.batchNormBackward(x, v4, var, v4, 1e-5f, dy, y, dg, wrong), "batchNormBackward",
                        "dbeta", shape);
            }
            assertDoesNotThrow(() -> Ops.biasAdd(x, r14, y));
            assertDoesNotThrow(() -> Ops.batchNorm(x, r14, var, r14, v4, 1e-5f, y));
        }
    }

    @DeviceTest
    void labelsOutsideTheClasses(TestDevice td) {
        Device dev = td.open();
        int rows = 5, cols = 4;
        for (float label : new float[] {4f, -1f, 2.5f, 1000f, Float.NaN}) {
            for (int row : new int[] {0, 2, 4}) {
                float[] l = {0f, 1f, 2f, 3f, 1f};
                l[row] = label;
                try (Tensor z = dev.zeros(rows, cols); Tensor tl = dev.fromArray(l, rows);
                     Tensor g = dev.empty(rows, cols)) {
                    bad(() -> Ops.softmaxCrossEntropy(z, tl, g), "softmaxCrossEntropy", "label " + label,
                            "row " + row, "an integer in [0, 4)", "5x4");
                }
            }
        }
        // The first bad row is named when there are several.
        try (Tensor z = dev.zeros(rows, cols); Tensor tl = dev.fromArray(new float[] {0f, 9f, 1f, -3f, 0f}, rows);
             Tensor g = dev.empty(rows, cols)) {
            bad(() -> Ops.softmaxCrossEntropy(z, tl, g), "label 9.0", "row 1");
        }
        // A label equal to the class count is as bad as one past it: named before a later bad row.
        try (Tensor z = dev.zeros(rows, cols); Tensor tl = dev.fromArray(new float[] {1f, 4f, -1f, 0f, 2f}, rows);
             Tensor g = dev.empty(rows, cols)) {
            bad(() -> Ops.softmaxCrossEntropy(z, tl, g), "label 4.0 at row 1");
        }
    }

    @DeviceTest
    void zeroOrNegativeSizes(TestDevice td) {
        Device dev = td.open();
        bad(() -> dev.empty(0), "empty", "positive", "[0]");
        bad(() -> dev.empty(3, 0), "empty", "positive", "3x0");
        bad(() -> dev.empty(-2, 5), "empty", "positive", "-2x5");
        bad(() -> dev.zeros(4, -1), "positive", "4x-1");
        bad(() -> dev.empty(), "empty", "rank", "got shape []"); // a scalar's shape, not a blank
        bad(() -> dev.fromArray(new float[1]), "fromArray", "rank", "got shape []");
        try (Tensor t = dev.zeros(1)) {
            bad(() -> t.reshapedCopy(), "reshape", "rank", "got shape []");
        }
        bad(() -> dev.empty(1, 2, 3, 4, 5), "empty", "rank", "1x2x3x4x5");
        // products past 2^63 must not wrap to a small or negative size
        bad(() -> dev.empty(Integer.MAX_VALUE, 4, Integer.MAX_VALUE, 1), "empty", "too large");
        bad(() -> dev.empty(65536, 65536, 65536, 65536), "empty", "too large");
        bad(() -> dev.randn(1L, 0f, 1f, 0, 3), "positive", "0x3");
        bad(() -> dev.fromArray(new float[5], 2, 3), "fromArray", "5", "2x3");
        bad(() -> dev.fromArray(new float[0], 0), "fromArray", "positive");
        try (Tensor t = dev.zeros(2, 3)) {
            bad(() -> t.copyFrom(new float[7]), "copyFrom", "7", "2x3");
            bad(() -> t.copyFrom(new float[4], 0, 4, 4), "copyFrom", "2x3");
            bad(() -> t.copyFrom(new float[4], -1, 0, 2), "copyFrom", "2x3");
            bad(() -> t.reshapedCopy(4, 2), "reshape", "2x3", "4x2");
            bad(() -> t.reshapedCopy(6, 0), "reshape", "positive");
            bad(() -> t.copyTo(new float[5]), "copyTo", "5", "2x3");
        }
    }

    @DeviceTest
    void outOfRangeArguments(TestDevice td) {
        Device dev = td.open();
        try (Tensor a = dev.zeros(3, 4); Tensor b = dev.zeros(4, 3); Tensor c = dev.zeros(3, 3);
             Tensor v = dev.zeros(4); Tensor g = dev.zeros(3, 4); Tensor m = dev.zeros(3, 4);
             Tensor s2 = dev.zeros(3, 4)) {
            bad(() -> Ops.gemm(false, false, Float.NaN, a, b, 0f, c), "gemm", "alpha", "NaN");
            bad(() -> Ops.gemm(false, false, 1f, a, b, Float.POSITIVE_INFINITY, c), "gemm", "beta", "Infinity");
            bad(() -> Ops.dropout(1L, 1f, a, a), "dropout", "1.0");
            bad(() -> Ops.dropout(1L, -0.1f, a, a), "dropout", "-0.1");
            bad(() -> Ops.dropoutBackward(1L, Float.NaN, a, a), "dropoutBackward", "NaN");
            bad(() -> Ops.clamp(2f, 1f, a, a), "clamp", "2.0", "1.0");
            bad(() -> Ops.activation(Activation.ELU, Float.NaN, a, a), "activation(elu)", "alpha", "NaN");
            bad(() -> Ops.activationBackward(Activation.LEAKY_RELU, Float.NaN, a, g, m, s2),
                    "activationBackward(leaky_relu)", "alpha", "NaN");
            bad(() -> Ops.activationBackward(Activation.ELU, Float.POSITIVE_INFINITY, a, g, m, s2),
                    "activationBackward(elu)", "alpha", "Infinity");
            bad(() -> Ops.batchNorm(a, v, v, v, v, 0f, a), "batchNorm", "eps", "0.0");
            bad(() -> Ops.batchNormBackward(a, v, v, v, -1e-5f, a, a, v, v), "batchNormBackward", "eps", "-1.0E-5");
            bad(() -> Ops.gemm(false, false, 1f, a, b, 0f, c, null, Activation.LEAKY_RELU, Float.NaN), "gemm",
                    "NaN");
            bad(() -> Ops.sgd(a, a, null, -0.1f, 0f, 0f, false, true), "sgd", "learning rate", "-0.1");
            bad(() -> Ops.sgd(a, g, null, 0.1f, 0.9f, 0f, false, true), "sgd", "momentum", "velocity");
            bad(() -> Ops.sgd(a, g, null, 0.1f, 0f, 0f, true, true), "sgd", "Nesterov");
            bad(() -> Ops.sgd(a, g, m, 0.1f, Float.NaN, 0f, false, true), "sgd", "momentum", "NaN");
            bad(() -> Ops.sgd(a, g, m, 0.1f, -0.5f, 0f, false, true), "sgd", "momentum", "-0.5");
            bad(() -> Ops.sgd(a, g, null, 0.1f, 0f, -1e-4f, false, true), "sgd", "weight decay", "-1.0E-4");
            bad(() -> Ops.adam(a, g, m, s2, 0.1f, 0.9f, 0.99f, 1e-8f, 0f, false, 0), "adam", "step", "0");
            bad(() -> Ops.adam(a, g, m, s2, 0.1f, 1f, 0.99f, 1e-8f, 0f, true, 1), "adamw", "betas", "1.0");
            bad(() -> Ops.adam(a, g, m, s2, 0.1f, 0.9f, 0.99f, -1f, 0f, false, 1), "adam", "eps", "-1.0");
            bad(() -> Ops.adam(a, g, m, s2, 0.1f, 0.9f, 0.99f, Float.NaN, 0f, false, 1), "adam", "eps", "NaN");
            bad(() -> Ops.adam(a, g, m, s2, 0.1f, 0.9f, 0.99f, 1e-8f, Float.POSITIVE_INFINITY, true, 1), "adamw",
                    "weight decay", "Infinity");
            bad(() -> Ops.rmsprop(a, g, m, 0.1f, -0.99f, 1e-8f, 0f), "rmsprop", "alpha", "-0.99");
            bad(() -> Ops.rmsprop(a, g, m, 0.1f, 0.99f, Float.NaN, 0f), "rmsprop", "eps", "NaN");
            bad(() -> Ops.adagrad(a, g, m, 0.1f, -1e-10f, 0f), "adagrad", "eps", "-1.0E-10");
            bad(() -> Ops.adagrad(a, g, m, 0.1f, 1e-10f, -2f), "adagrad", "weight decay", "-2.0");
            bad(() -> Ops.scale(Float.NaN, a, a), "scale", "NaN");
            bad(() -> Ops.axpy(Float.NEGATIVE_INFINITY, a, g), "axpy", "alpha", "-Infinity");
            bad(() -> Ops.rmsprop(a, a, a, Float.NaN, 0.99f, 1e-8f, 0f), "rmsprop", "learning rate", "NaN");
            bad(() -> Ops.adagrad(a, a, a, Float.POSITIVE_INFINITY, 1e-8f, 0f), "adagrad", "learning rate");
            bad(() -> Ops.adam(a, g, m, s2, -0.01f, 0.9f, 0.99f, 1e-8f, 0f, false, 1), "adam", "learning rate",
                    "-0.01");
            bad(() -> Ops.adam(a, g, m, s2, 0.1f, 0.9f, 1f, 1e-8f, 0f, false, 1), "adam", "betas", "0.9, 1.0");
            bad(() -> Ops.adam(a, g, m, s2, 0.1f, -0.1f, 0.99f, 1e-8f, 0f, false, 1), "adam", "betas", "-0.1");
            bad(() -> Ops.adam(a, g, m, s2, 0.1f, 0.9f, -0.5f, 1e-8f, 0f, false, 1), "adam", "betas", "-0.5");
            bad(() -> Ops.rmsprop(a, g, m, 0.1f, 0.99f, 1e-8f, -0.01f), "rmsprop", "weight decay", "-0.01");
        }
    }

    /**
     * An output that is the same tensor as an input the op still reads is refused: the product
     * and the softmax cross-entropy would read values they had already overwritten, and an
     * optimizer would mix its parameter, gradient and running statistics.
     */
    @DeviceTest
    void aliasedOutputsAreRefused(TestDevice td) {
        Device dev = td.open();
        try (Tensor sq = dev.zeros(4, 4); Tensor other = dev.zeros(4, 4); Tensor row = dev.zeros(1, 4);
             Tensor x = dev.zeros(4, 1); Tensor labels = dev.zeros(3); Tensor logits = dev.zeros(3, 5);
             Tensor one = dev.zeros(1, 1); Tensor p = dev.zeros(6); Tensor g = dev.zeros(6); Tensor m = dev.zeros(6)) {
            bad(() -> Ops.gemm(false, false, 1f, sq, other, 0f, sq), "gemm", "C and A", "4x4");
            bad(() -> Ops.gemm(true, true, 1f, other, sq, 1f, sq), "gemm", "C and B", "4x4");
            bad(() -> Ops.gemm(false, false, 1f, sq, sq, 0f, sq), "gemm", "same tensor");
            bad(() -> Ops.gemm(true, false, 1f, x, x, 0f, one, one, Activation.IDENTITY, 0f), "gemm", "C and bias");
            bad(() -> Ops.gemm(false, false, 1f, row, other, 0f, row), "gemm", "C and A", "1x4");
            try (Tensor w = dev.zeros(1, 4); Tensor c = dev.zeros(1, 4)) {
                bad(() -> Ops.gemm(false, false, 1f, w, other, 0f, c, c, Activation.RELU, 0f), "gemm", "C and bias");
            }
            bad(() -> Ops.softmaxCrossEntropy(logits, labels, logits), "softmaxCrossEntropy", "grad and logits", "3x5");
            bad(() -> Ops.softmaxCrossEntropy(one, one, one), "softmaxCrossEntropy", "grad and logits");
            try (Tensor z = dev.zeros(1, 1)) {
                bad(() -> Ops.softmaxCrossEntropy(z, one, one), "softmaxCrossEntropy", "grad and labels", "1x1");
            }
            bad(() -> Ops.adam(p, g, m, m, 0.1f, 0.9f, 0.99f, 1e-8f, 0f, false, 1), "adam", "v and m", "[6]");
            bad(() -> Ops.adam(p, g, p, m, 0.1f, 0.9f, 0.99f, 1e-8f, 0f, true, 1), "adamw", "m and param");
            bad(() -> Ops.sgd(p, g, p, 0.1f, 0.9f, 0f, false, true), "sgd", "velocity and param");
            bad(() -> Ops.sgd(p, p, null, 0.1f, 0f, 0f, false, true), "sgd", "param and grad");
            bad(() -> Ops.sgd(p, g, g, 0.1f, 0.9f, 0f, false, true), "sgd", "velocity and grad");
            bad(() -> Ops.rmsprop(p, g, g, 0.1f, 0.99f, 1e-8f, 0f), "rmsprop", "sq and grad");
            bad(() -> Ops.adagrad(p, g, p, 0.1f, 1e-10f, 0f), "adagrad", "sum and param");
            // Outputs of the column statistics and of batch-norm backward that share a tensor with
            // each other or with an input read after they are written.
            try (Tensor bx = dev.zeros(4, 3); Tensor mean = dev.zeros(3); Tensor var = dev.zeros(3).fill(1f); Tensor gamma = dev.zeros(3);
                 Tensor dg = dev.zeros(3); Tensor dbeta = dev.zeros(3); Tensor bdy = dev.zeros(4, 3);
                 Tensor bdx = dev.zeros(4, 3); Tensor r1 = dev.zeros(1, 3)) {
                bad(() -> Ops.columnMeanVariance(bx, mean, mean), "columnMeanVariance", "var and mean", "[3]");
                bad(() -> Ops.batchNormBackward(bx, mean, var, gamma, 1e-5f, bdy, bdx, gamma, dbeta),
                        "batchNormBackward", "dgamma and gamma", "[3]");
                bad(() -> Ops.batchNormBackward(bx, mean, var, gamma, 1e-5f, bdy, bdx, dg, dg), "batchNormBackward",
                        "dbeta and dgamma");
                bad(() -> Ops.batchNormBackward(bx, mean, var, gamma, 1e-5f, bdy, bdx, dg, mean), "batchNormBackward",
                        "dbeta and mean");
                bad(() -> Ops.batchNormBackward(r1, mean, var, gamma, 1e-5f, r1, r1, r1, dbeta), "batchNormBackward",
                        "dgamma and x", "1x3");
                bad(() -> Ops.batchNormBackward(bx, mean, var, gamma, 1e-5f, bdy, bdx, var, dbeta), "batchNormBackward",
                        "dgamma and var");
                try (Tensor x1 = dev.zeros(1, 3); Tensor dy1 = dev.zeros(1, 3); Tensor dx1 = dev.zeros(1, 3)) {
                    bad(() -> Ops.batchNormBackward(x1, mean, var, gamma, 1e-5f, dy1, dx1, dg, dy1),
                            "batchNormBackward", "dbeta and dy", "1x3");
                    bad(() -> Ops.batchNormBackward(x1, mean, var, gamma, 1e-5f, dy1, dx1, dx1, dbeta),
                            "batchNormBackward", "dgamma and dx", "1x3");
                }
                assertDoesNotThrow(() -> Ops.batchNormBackward(bx, mean, var, gamma, 1e-5f, bdy, bdy, dg, dbeta));
            }
            // In-place elementwise ops and softmax stay allowed.
            assertDoesNotThrow(() -> Ops.add(sq, other, sq));
            assertDoesNotThrow(() -> Ops.softmax(sq, sq));
            assertDoesNotThrow(() -> Ops.activation(Activation.RELU, 0f, sq, sq));
        }
    }

    /** Every tensor of an op is checked against the first one, the last included. */
    @DeviceTest
    void everyTensorIsCheckedAgainstTheFirst(TestDevice td) {
        Device dev = td.open();
        try (Tensor a = dev.zeros(3, 4); Tensor b = dev.zeros(3, 4); Tensor c = dev.zeros(3, 4);
             Tensor v12 = dev.zeros(12); Tensor m26 = dev.zeros(2, 6)) {
            bad(() -> Ops.add(a, b, m26), "add", "a 3x4", "out 2x6");
            bad(() -> Ops.mul(a, v12, b), "mul", "a 3x4", "b [12]");
            bad(() -> Ops.activationBackward(Activation.TANH, 0f, a, b, c, m26), "activationBackward(tanh)",
                    "x 3x4", "dx 2x6");
            bad(() -> Ops.mse(a, b, v12), "mse", "pred 3x4", "grad [12]");
            bad(() -> Ops.bceWithLogits(a, m26, b), "bceWithLogits", "logits 3x4", "targets 2x6");
            bad(() -> Ops.adam(a, b, c, v12, 0.1f, 0.9f, 0.99f, 1e-8f, 0f, false, 1), "adam", "param 3x4", "v [12]");
        }
    }

    /** Tensor accessors: a closed tensor is reported before any argument, and ranges cannot overflow. */
    @DeviceTest
    void tensorAccessors(TestDevice td) {
        Device dev = td.open();
        long live = dev.liveBytes();
        Tensor dead = dev.zeros(3, 4);
        dead.close();
        refused(IllegalStateException.class, () -> dead.reshapedCopy(4, 3), "3x4", "closed");
        refused(IllegalStateException.class, () -> dead.copyTo(new float[2]), "3x4", "closed");
        refused(IllegalStateException.class, () -> dead.copyFrom(new float[5]), "3x4", "closed");
        refused(IllegalStateException.class, () -> dead.copyFrom(new float[5], 0, 0, 99), "3x4", "closed");
        assertEquals(live, dev.liveBytes(), "a refused reshapedCopy must not leave its result allocated");
        try (Tensor t = dev.zeros(2, 3)) {
            bad(() -> t.copyFrom(new float[4], Integer.MAX_VALUE, 0, 2), "copyFrom", "2147483647", "2x3");
            bad(() -> t.copyFrom(new float[4], 3, 0, Integer.MAX_VALUE), "copyFrom", "2x3");
            bad(() -> t.dim(2), "dim", "2x3", "rank 2", "2");
            bad(() -> t.dim(-1), "dim", "2x3", "-1");
            assertEquals(3, t.dim(1));
            assertEquals(2, t.dim(0));
            // ranges that end exactly at the end of the array and of the tensor, or are empty, fit
            float[] src = {1f, 2f, 3f, 4f};
            org.junit.jupiter.api.Assertions.assertSame(t, t.copyFrom(src, 0, 2, 4));
            assertArrayEquals(new float[] {0f, 0f, 1f, 2f, 3f, 4f}, t.toArray());
            org.junit.jupiter.api.Assertions.assertSame(t, t.copyFrom(src, 1, 0, 3));
            t.copyFrom(src, 4, 6, 0);
            assertArrayEquals(new float[] {2f, 3f, 4f, 2f, 3f, 4f}, t.toArray());
            bad(() -> t.copyFrom(src, 3, 0, 2), "copyFrom", "array offset 3", "2x3", "array of 4");
            bad(() -> t.copyFrom(src, 0, 3, 4), "copyFrom", "3+4", "2x3");
            org.junit.jupiter.api.Assertions.assertFalse(t.isClosed());
            assertEquals("Tensor[2x3 on " + dev.name() + "]", t.toString());
        }
        assertTrue(dead.isClosed());
        assertEquals("Tensor[3x4 on " + dev.name() + ", closed]", dead.toString());
    }

    @DeviceTest
    void tensorsOfTwoDevices(TestDevice td) {
        Device dev = td.open();
        Device other = dev == Devices.cpu() ? stranger : Devices.cpu();
        try (Tensor a = dev.zeros(3, 4); Tensor b = other.zeros(3, 4); Tensor w = other.zeros(4, 3);
             Tensor c = dev.zeros(3, 3); Tensor bias = other.zeros(3); Tensor l = other.zeros(3)) {
            String here = "3x4@" + dev.name(), there = "3x4@" + other.name();
            bad(() -> Ops.add(a, b, a), "add", "different devices", here, there);
            bad(() -> Ops.axpy(1f, b, a), "axpy", "different devices", here, there);
            bad(() -> Ops.gemm(false, false, 1f, a, w, 0f, c), "gemm", "different devices", "4x3@" + other.name());
            bad(() -> Ops.gemm(false, true, 1f, a, a, 0f, c, bias, Activation.RELU, 0f), "gemm", "different devices",
                    "[3]@" + other.name());
            bad(() -> Ops.matmul(a, w), "matmul: tensors on different devices", here, "4x3@" + other.name());
            bad(() -> Ops.softmaxCrossEntropy(c, l, c), "softmaxCrossEntropy", "different devices");
            bad(() -> Ops.dropout(1L, 0.5f, a, b), "dropout", "different devices");
            bad(() -> Ops.sgd(a, b, null, 0.1f, 0f, 0f, false, true), "sgd", "different devices");
        }
    }

    @DeviceTest
    void closedTensorsAreRefused(TestDevice td) {
        Device dev = td.open();
        Tensor dead = dev.zeros(3, 5);
        dead.close();
        dead.close(); // closing twice is allowed
        try (Tensor live = dev.zeros(3, 5); Tensor w = dev.zeros(5, 2); Tensor c = dev.zeros(3, 2)) {
            refused(IllegalStateException.class, () -> Ops.add(dead, live, live), "3x5", "closed");
            refused(IllegalStateException.class, () -> Ops.add(live, live, dead), "3x5", "closed");
            refused(IllegalStateException.class, () -> Ops.gemm(false, false, 1f, dead, w, 0f, c), "3x5", "closed");
            refused(IllegalStateException.class, () -> Ops.sum(dead), "3x5", "closed");
            refused(IllegalStateException.class, dead::toArray, "3x5", "closed");
            refused(IllegalStateException.class, () -> dead.fill(1f), "3x5", "closed");
            refused(IllegalStateException.class, () -> dead.copyFrom(new float[15]), "3x5", "closed");
            refused(IllegalStateException.class, () -> live.copyFrom(dead), "3x5", "closed");
            refused(IllegalStateException.class, () -> dead.to(dev), "3x5", "closed");
        }
    }
}
