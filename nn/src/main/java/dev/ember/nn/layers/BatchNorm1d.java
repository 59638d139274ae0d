package dev.ember.nn.layers;

import dev.ember.nn.Allocations;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batch normalisation over the rows of a rows x features input, like PyTorch's
 * {@code nn.BatchNorm1d}: training mode normalises with the batch mean and population variance and
 * updates running statistics with momentum 0.1 (running variance from the unbiased batch
 * variance); evaluation mode normalises with the running statistics. Like PyTorch's
 * {@code num_batches_tracked}, it counts the training-mode forward passes, which model files save.
 */
public final class BatchNorm1d extends Module {
    private final int features;
    /** Name used in input-shape errors, built once. */
    private final String label;
    private final float eps;
    private final float momentum;
    private final Tensor gamma;
    private final Tensor beta;
    private final Tensor gradGamma;
    private final Tensor gradBeta;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchMean;
    private final Tensor batchVar;
    private final AtomicLong batchesTracked = new AtomicLong();
    /** Constant 0 and 1 per feature for the evaluation-mode backward; allocated on its first use. */
    private Tensor zeros;
    private Tensor ones;

    public BatchNorm1d(Device device, int features, float eps, float momentum) {
        super(device);
        checkArguments(features, eps, momentum);
        this.features = features;
        this.label = "BatchNorm1d(" + features + ")";
        this.eps = eps;
        this.momentum = momentum;
        Allocations made = new Allocations();
        try {
            gamma = made.add(device.empty(features)).fill(1f);
            beta = made.add(device.zeros(features));
            gradGamma = made.add(device.zeros(features));
            gradBeta = made.add(device.zeros(features));
            runningMean = made.add(device.zeros(features));
            runningVar = made.add(device.empty(features)).fill(1f);
            batchMean = made.add(device.zeros(features));
            batchVar = made.add(device.zeros(features));
        } catch (RuntimeException | Error e) {
            made.closeAfter(e);
            throw e;
        }
    }

    /** The constructor's check, for builders that make the layer later. */
    public static void checkArguments(int features, float eps, float momentum) {
        if (features < 1 || !(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm1d: bad arguments features=" + features + ", eps=" + eps
                    + ", momentum=" + momentum + " (features >= 1, eps > 0, momentum in [0, 1])");
        }
    }

    public BatchNorm1d(Device device, int features) {
        this(device, features, 1e-5f, 0.1f);
    }

    @Override
    public Tensor updateOutput(Tensor x) {
        checkInput(label, x, features);
        Tensor y = buffers.get("y", x.rows(), features);
        if (training) {
            if (x.rows() < 2) {
                throw new IllegalArgumentException("BatchNorm1d: training needs more than one row per batch, got "
                        + x.shapeString());
            }
            Ops.columnMeanVariance(x, batchMean, batchVar);
            Ops.batchNorm(x, batchMean, batchVar, gamma, beta, eps, y);
            float unbias = x.rows() / (float) (x.rows() - 1);
            Ops.scale(1f - momentum, runningMean, runningMean);
            Ops.axpy(momentum, batchMean, runningMean);
            Ops.scale(1f - momentum, runningVar, runningVar);
            Ops.axpy(momentum * unbias, batchVar, runningVar);
            batchesTracked.incrementAndGet();
        } else {
            Ops.batchNorm(x, runningMean, runningVar, gamma, beta, eps, y);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor gradOutput, boolean needGradInput) {
        Tensor gx = buffers.get("dx", x.rows(), features);
        if (training) {
            Ops.batchNormBackward(x, batchMean, batchVar, gamma, eps, gradOutput, gx, gradGamma, gradBeta);
        } else {
            evalBackward(x, gradOutput, gx);
        }
        return needGradInput ? gx : null;
    }

    /**
     * Backward of the evaluation-mode forward, whose statistics are constants (frozen batch norm,
     * input gradients of a trained model): with xhat = (x - running_mean) / sqrt(running_var + eps),
     * dgamma = column sums of dy * xhat, dbeta = column sums of dy, dx = dy * gamma /
     * sqrt(running_var + eps). Written with the batch-norm forward op (xhat is the forward with
     * gamma 1 and beta 0; dx is the forward of dy with mean 0), so every backend runs it.
     */
    private void evalBackward(Tensor x, Tensor dy, Tensor dx) {
        if (zeros == null) {
            // Both or neither: a half-made pair would leave ones null for the next call.
            Allocations made = new Allocations();
            try {
                Tensor z = made.add(device.zeros(features));
                Tensor o = made.add(device.empty(features)).fill(1f);
                zeros = z;
                ones = o;
            } catch (RuntimeException | Error e) {
                made.closeAfter(e);
                throw e;
            }
        }
        Tensor xhat = buffers.get("xhat", x.rows(), features);
        Ops.batchNorm(x, runningMean, runningVar, ones, zeros, eps, xhat);
        Ops.mul(dy, xhat, xhat);
        Ops.biasGrad(xhat, gradGamma, false);
        Ops.biasGrad(dy, gradBeta, false);
        Ops.batchNorm(dy, zeros, runningVar, gamma, zeros, eps, dx);
    }

    @Override
    public Tensor updateGradInput(Tensor x, Tensor gradOutput) {
        return backward(x, gradOutput, true);
    }

    @Override
    public void accGradParameters(Tensor x, Tensor gradOutput) {
        backward(x, gradOutput, false);
    }

    @Override
    public int outputSize(int inputSize) {
        if (inputSize != features) {
            throw new IllegalArgumentException("BatchNorm1d(" + features + ") cannot take " + inputSize + " features");
        }
        return features;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        ps.add(new Parameter("weight", gamma, gradGamma));
        ps.add(new Parameter("bias", beta, gradBeta));
        return ps;
    }

    @Override
    public Map<String, Tensor> stateBuffers() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("running_mean", runningMean);
        m.put("running_var", runningVar);
        return m;
    }

    @Override
    public Map<String, AtomicLong> counters() {
        Map<String, AtomicLong> m = new LinkedHashMap<>();
        m.put("num_batches_tracked", batchesTracked);
        return m;
    }

    @Override
    public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "batchnorm1d");
        m.put("features", features);
        m.put("eps", Double.parseDouble(Float.toString(eps)));
        m.put("momentum", Double.parseDouble(Float.toString(momentum)));
        return m;
    }

    @Override
    public String describe() {
        return "BatchNorm1d(" + features + ")";
    }

    @Override
    public void close() {
        closeAll(super::close, gamma, beta, gradGamma, gradBeta, runningMean, runningVar, batchMean, batchVar, zeros,
                ones);
    }
}
