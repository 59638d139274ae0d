package dev.ember.nn;

import dev.ember.runtime.Device;
import dev.ember.runtime.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A layer with Torch7's split: {@link #updateOutput} computes the output from the input,
 * {@link #updateGradInput} the gradient with respect to the input, and {@link #accGradParameters}
 * the parameter gradients. Work tensors come from a {@link BufferCache}, so outputs and gradients
 * returned here belong to the module and stay valid until its next call with the same batch size;
 * do not close them (one closed anyway is replaced at the module's next call).
 * Parameter gradients are overwritten by each backward pass (no zeroing step is needed).
 */
public abstract class Module implements AutoCloseable {
    protected final Device device;
    protected final BufferCache buffers;
    protected boolean training = true;
    private boolean closed;

    protected Module(Device device) {
        this.device = device;
        this.buffers = new BufferCache(device);
    }

    public Device device() {
        return device;
    }

    /** Forward pass on a rows x inputSize tensor; returns the module-owned output. */
    public abstract Tensor updateOutput(Tensor input);

    /** Gradient of the loss with respect to the input, given the gradient with respect to the output. */
    public abstract Tensor updateGradInput(Tensor input, Tensor gradOutput);

    /** Writes the parameter gradients for this batch (no-op for parameterless modules). */
    public void accGradParameters(Tensor input, Tensor gradOutput) {
    }

    public final Tensor forward(Tensor input) {
        checkOpen();
        return updateOutput(input);
    }

    /** Throws {@link IllegalStateException} naming this module once it is closed. */
    protected final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Parameter gradients, then the input gradient when {@code needGradInput} (the first layer of a
     * model skips it); returns the input gradient or null.
     */
    public Tensor backward(Tensor input, Tensor gradOutput, boolean needGradInput) {
        accGradParameters(input, gradOutput);
        return needGradInput ? updateGradInput(input, gradOutput) : null;
    }

    /** Output features for the given input features; throws when this module cannot take that input. */
    public abstract int outputSize(int inputSize);

    /** Trainable parameters with local names ("weight", "bias"). */
    public List<Parameter> parameters() {
        return List.of();
    }

    /** Non-trainable state saved with the model (BatchNorm's running statistics). */
    public Map<String, Tensor> stateBuffers() {
        return new LinkedHashMap<>();
    }

    /**
     * Integer state saved with the model as int64 scalars, by local name (BatchNorm's
     * {@code num_batches_tracked}); the values are live, so loading a model sets them.
     */
    public Map<String, AtomicLong> counters() {
        return new LinkedHashMap<>();
    }

    /** Architecture description for model files: a "type" key plus the constructor arguments. */
    public abstract Map<String, Object> spec();

    /** Short display name for summaries, e.g. {@code Linear(13 -> 32)}. */
    public abstract String describe();

    public void train(boolean on) {
        training = on;
    }

    public boolean isTraining() {
        return training;
    }

    protected static void checkInput(String layer, Tensor x, int cols) {
        if (x.rank() != 2 || x.cols() != cols) {
            throw new IllegalArgumentException(layer + ": expected input of shape [rows, " + cols + "], got "
                    + x.shapeString());
        }
    }

    /** Releases work buffers; subclasses release their parameters too. Closing twice does nothing more. */
    @Override
    public void close() {
        closed = true;
        buffers.close();
    }

    /**
     * Closes every non-null one of {@code items} (tensors, layers), all of them even if one fails
     * (a device that lost its context): the first failure is thrown afterwards, with any later ones
     * suppressed, so one bad release does not keep the rest of a model's memory held.
     */
    protected static void closeAll(AutoCloseable... items) {
        Throwable first = null;
        for (AutoCloseable c : items) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException("closing failed", first); // tensors and modules throw no checked ones
        }
    }
}
