package dev.ember.nn.layers;

import dev.ember.nn.Module;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Row-wise softmax as a layer (for models that output probabilities; train classifiers on logits
 * with the fused cross-entropy loss instead). Backward: dx = y * (dy - rowsum(dy * y)), with the
 * row sums and their broadcast done as two small GEMMs against a vector of ones.
 */
public final class Softmax extends Module {
    private Tensor output;

    public Softmax(Device device) {
        super(device);
    }

    @Override
    public Tensor updateOutput(Tensor x) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("Softmax: expected a rank-2 input, got " + x.shapeString());
        }
        output = buffers.get("y", x.rows(), x.cols());
        Ops.softmax(x, output);
        return output;
    }

    @Override
    public Tensor updateGradInput(Tensor x, Tensor gradOutput) {
        int rows = x.rows(), cols = x.cols();
        Tensor prod = buffers.get("prod", rows, cols);
        Tensor ones = buffers.get("ones", cols, 1).fill(1f);
        Tensor onesRow = buffers.get("onesRow", 1, cols).fill(1f);
        Tensor sums = buffers.get("sums", rows, 1);
        Tensor gx = buffers.get("dx", rows, cols);
        Ops.mul(gradOutput, output, prod);
        Ops.gemm(false, false, 1f, prod, ones, 0f, sums);
        // prod = dy - sums * 1ᵀ, then dx = y * prod
        prod.copyFrom(gradOutput);
        Ops.gemm(false, false, -1f, sums, onesRow, 1f, prod);
        Ops.mul(output, prod, gx);
        return gx;
    }

    @Override
    public int outputSize(int inputSize) {
        return inputSize;
    }

    @Override
    public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "softmax");
        return m;
    }

    @Override
    public String describe() {
        return "Softmax";
    }
}
