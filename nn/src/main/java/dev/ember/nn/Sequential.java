package dev.ember.nn;

import dev.ember.nn.layers.ActivationLayer;
import dev.ember.nn.layers.Linear;
import dev.ember.runtime.Device;
import dev.ember.runtime.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A chain of modules, numbered like PyTorch's {@code nn.Sequential} (parameters "0.weight",
 * "0.bias", "3.weight", ...). At construction every {@link Linear} directly followed by a fusable
 * {@link ActivationLayer} absorbs it into one fused GEMM launch; the activation keeps its index for
 * naming and summaries but is not run separately. Closing the model releases every tensor it owns.
 *
 * <p>A model holds its activations and work buffers. Each call (forward, backward,
 * {@link #predict}, a mode change, {@link #close}) is serialised on the model, so two threads
 * predicting with one model take turns and both get correct results, and closing it while another
 * thread predicts (a server shutting down) waits for that prediction; later calls are refused with
 * {@link IllegalStateException}. A training step is several calls (forward, loss,
 * backward) that rely on the activations of its forward, so nothing else may use the model while
 * one is in progress; {@code Trainer.fit} and {@code Trainer.evaluate} hold the model's lock
 * throughout, so a thread predicting meanwhile waits for them. For inference in parallel, give each
 * thread its own model (load the same file twice).
 */
public final class Sequential extends Module {
    private final int inputSize;
    private final int outputSize;
    private final List<Module> layers;
    private final List<Module> exec = new ArrayList<>();
    private final List<Integer> execIndex = new ArrayList<>();
    private final Tensor[] inputs;
    private Tensor lastOutput;

    /**
     * Builds the chain; with {@code fuse}, dense layers absorb the activation that follows them.
     * Ownership passes when the constructor returns: from then on the model owns the layers and
     * closing it closes them. Until then they are the caller's: if this throws (no layers, sizes
     * that do not chain, a layer on another device), every layer is left as it was given (nothing
     * fused), and the caller must close them or use them elsewhere. {@link SequentialBuilder#build}
     * closes the layers it made itself when it fails.
     */
    public Sequential(Device device, int inputSize, List<Module> layers, boolean fuse) {
        super(device);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("Sequential: no layers");
        }
        for (int i = 0; i < layers.size(); i++) { // not indexOf(null): List.of's throws
            if (layers.get(i) == null) {
                throw new IllegalArgumentException("Sequential: layer " + i + " of " + layers.size() + " is null");
            }
        }
        this.inputSize = inputSize;
        this.layers = List.copyOf(layers);
        // Every check before any fusing: a constructor that throws must leave the caller's layers
        // unchanged (a Linear fused with tanh would apply it again next to its ActivationLayer).
        int size = inputSize;
        for (int i = 0; i < this.layers.size(); i++) {
            Module m = this.layers.get(i);
            if (m.device() != device) {
                throw new IllegalArgumentException("Sequential: layer " + i + " " + m.describe() + " is on "
                        + m.device().name() + ", the model on " + device.name());
            }
            try {
                size = m.outputSize(size);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Sequential: layer " + i + ": " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < this.layers.size(); i++) {
            Module m = this.layers.get(i);
            exec.add(m);
            execIndex.add(i);
            if (fuse && m instanceof Linear lin && i + 1 < this.layers.size()
                    && this.layers.get(i + 1) instanceof ActivationLayer a
                    && Linear.canFuse(a.activation(), a.alpha()) && lin.fusedActivation() == dev.ember.runtime.Activation.IDENTITY) {
                lin.fuse(a.activation(), a.alpha());
                i++; // the activation now runs inside the GEMM
            }
        }
        this.outputSize = size;
        this.inputs = new Tensor[exec.size()];
    }

    /** As {@link #Sequential(Device, int, List, boolean)} with fusing on. */
    public Sequential(Device device, int inputSize, List<Module> layers) {
        this(device, inputSize, layers, true);
    }

    /** Starts a Keras-like builder for a model taking {@code inputSize} features. */
    public static SequentialBuilder builder(int inputSize) {
        return new SequentialBuilder(inputSize);
    }

    public int inputSize() {
        return inputSize;
    }

    public int outputSize() {
        return outputSize;
    }

    /** The layers as listed (fused activations included). */
    public List<Module> layers() {
        return layers;
    }

    @Override
    public synchronized Tensor updateOutput(Tensor x) {
        checkOpen();
        checkInput("Sequential", x, inputSize);
        if (x.device() != device) {
            throw new IllegalArgumentException("Sequential: the input " + x.shapeString() + " is on " + x.device().name()
                    + ", the model on " + device.name() + " (input.to(model.device()) copies it there)");
        }
        Tensor cur = x;
        for (int i = 0; i < exec.size(); i++) {
            inputs[i] = cur;
            cur = exec.get(i).updateOutput(cur);
        }
        lastOutput = cur;
        return cur;
    }

    /** Backward through all layers after {@link #forward}; returns d(loss)/d(input) when asked. */
    @Override
    public synchronized Tensor backward(Tensor input, Tensor gradOutput, boolean needGradInput) {
        checkOpen();
        if (lastOutput == null) {
            throw new IllegalStateException("Sequential: backward before forward");
        }
        if (gradOutput.rank() != 2 || gradOutput.rows() != lastOutput.rows() || gradOutput.cols() != lastOutput.cols()) {
            throw new IllegalArgumentException("Sequential.backward: the gradient is " + gradOutput.shapeString()
                    + " but the last forward's output is " + lastOutput.shapeString());
        }
        Tensor g = gradOutput;
        for (int i = exec.size() - 1; i >= 0; i--) {
            g = exec.get(i).backward(inputs[i], g, i > 0 || needGradInput);
        }
        return g;
    }

    /** Backward from the gradient of the loss with respect to the last output (input gradient skipped). */
    public synchronized void backward(Tensor gradOutput) {
        backward(inputs[0], gradOutput, false);
    }

    @Override
    public Tensor updateGradInput(Tensor input, Tensor gradOutput) {
        return backward(input, gradOutput, true);
    }

    @Override
    public int outputSize(int in) {
        if (in != inputSize) {
            throw new IllegalArgumentException("Sequential takes " + inputSize + " features, not " + in);
        }
        return outputSize;
    }

    /** All trainable parameters, named "index.local" like PyTorch. */
    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Parameter p : layers.get(i).parameters()) {
                ps.add(p.withName(i + "." + p.name()));
            }
        }
        return ps;
    }

    /** Parameters and state buffers in PyTorch state_dict order ("0.weight", "0.bias", "1.running_mean", ...). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Module l = layers.get(i);
            for (Parameter p : l.parameters()) {
                m.put(i + "." + p.name(), p.value());
            }
            for (Map.Entry<String, Tensor> e : l.stateBuffers().entrySet()) {
                m.put(i + "." + e.getKey(), e.getValue());
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** Every layer's counters, named "index.local" like PyTorch ("1.num_batches_tracked"). */
    @Override
    public Map<String, AtomicLong> counters() {
        Map<String, AtomicLong> m = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Map.Entry<String, AtomicLong> e : layers.get(i).counters().entrySet()) {
                m.put(i + "." + e.getKey(), e.getValue());
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** Gives every Dropout layer i the mask seed (seed, i) and restarts its step counter. */
    public void seedDropout(long seed) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof dev.ember.nn.layers.Dropout d) {
                d.reseed(Seeds.derive(seed, 0xD0, i));
            }
        }
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.value().size();
        }
        return n;
    }

    @Override
    public synchronized void train(boolean on) {
        super.train(on);
        layers.forEach(l -> l.train(on));
    }

    public void eval() {
        train(false);
    }

    /**
     * Runs the model in evaluation mode on {@code rows} rows of host data ({@code x} row-major,
     * {@code rows x inputSize()}; chunks of at most {@code batch} rows) and returns the outputs,
     * row-major {@code rows x outputSize()}; restores the previous mode. The outputs are what the
     * last layer gives: a classifier trained on logits returns logits, not Keras's probabilities
     * ({@link dev.ember.nn.train.Task#probabilities} and {@code predictClasses} read them).
     */
    public synchronized float[] predict(float[] x, int rows, int batch) {
        checkOpen();
        if (batch < 1 || rows < 0) {
            throw new IllegalArgumentException("predict: batch size must be >= 1 and rows >= 0, got batch " + batch
                    + ", rows " + rows);
        }
        if (x.length != (long) rows * inputSize) {
            throw new IllegalArgumentException("predict: " + x.length + " values are not " + rows + " rows of "
                    + inputSize + " features");
        }
        if ((long) rows * outputSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("predict: " + rows + " rows x " + outputSize + " outputs exceed a Java"
                    + " array (2^31 - 9 values); predict in parts");
        }
        boolean was = training;
        train(false);
        float[] out = new float[rows * outputSize];
        try {
            float[] chunk = new float[0];
            for (int r = 0; r < rows; r += batch) {
                int n = Math.min(batch, rows - r);
                Tensor in = buffers.get("predict", n, inputSize);
                in.copyFrom(x, r * inputSize, 0, n * inputSize);
                Tensor y = updateOutput(in);
                if (chunk.length != n * outputSize) {
                    chunk = new float[n * outputSize];
                }
                y.copyTo(chunk);
                System.arraycopy(chunk, 0, out, r * outputSize, n * outputSize);
            }
        } finally {
            train(was);
        }
        return out;
    }

    /** Layers, output shapes and parameter counts as a printable table. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        String line = "-".repeat(66) + "\n";
        sb.append(String.format("%-4s %-34s %-14s %10s%n", "#", "Layer", "Output", "Params"));
        sb.append(line);
        int size = inputSize;
        for (int i = 0; i < layers.size(); i++) {
            Module l = layers.get(i);
            size = l.outputSize(size);
            long count = 0;
            for (Parameter p : l.parameters()) {
                count += p.value().size();
            }
            String name = l.describe();
            if (!exec.contains(l) && i > 0) {
                name += " (fused into " + (i - 1) + ")";
            }
            sb.append(String.format("%-4d %-34s %-14s %10d%n", i, name, "[-1, " + size + "]", count));
        }
        sb.append(line);
        sb.append(String.format("Input [-1, %d]; total parameters %d (%d bytes, float32); device %s%n", inputSize,
                parameterCount(), parameterCount() * 4, device.name()));
        return sb.toString();
    }

    @Override
    public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "sequential");
        m.put("in", inputSize);
        List<Object> ls = new ArrayList<>();
        layers.forEach(l -> ls.add(l.spec()));
        m.put("layers", ls);
        return m;
    }

    @Override
    public String describe() {
        return "Sequential(" + layers.size() + " layers, " + inputSize + " -> " + outputSize + ")";
    }

    /**
     * Releases every tensor of the model. Serialised like its other calls: a prediction, or a whole
     * {@code Trainer.fit} or {@code evaluate}, in progress on another thread finishes first (its
     * work buffers would otherwise be released under it).
     */
    @Override
    public synchronized void close() {
        AutoCloseable[] all = new AutoCloseable[layers.size() + 1];
        all[0] = super::close;
        for (int i = 0; i < layers.size(); i++) {
            all[i + 1] = layers.get(i);
        }
        closeAll(all);
    }
}
