package dev.ember.nn.train;

import dev.ember.nn.BufferCache;
import dev.ember.nn.Seeds;
import dev.ember.nn.Sequential;
import dev.ember.nn.data.DataLoader;
import dev.ember.nn.data.Dataset;
import dev.ember.nn.data.Split;
import dev.ember.nn.data.Splits;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.optim.Optimizer;
import dev.ember.runtime.Tensor;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mini-batch training of a {@link Sequential}: per epoch, seeded shuffling through a
 * {@link DataLoader} (last partial batch kept), forward, fused loss, backward, optional gradient
 * clipping and one optimizer step per batch; then validation, the learning-rate schedule, early
 * stopping on the validation loss (restoring the best weights) and a {@link History} entry.
 * With the same model seed, trainer seed and device the resulting weights are bitwise identical on
 * the CPU backend. Batch tensors are allocated once per batch size.
 */
public final class Trainer {
    private final Sequential model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final TrainConfig config;
    private final Progress progress;
    private final PrintStream out;
    private final Task task;

    /**
     * A trainer of {@code model} with {@code loss} and {@code optimizer} (made from
     * {@code model.parameters()}); progress goes to {@code out}, or to standard output when it is null.
     */
    public Trainer(Sequential model, Loss loss, Optimizer optimizer, TrainConfig config, PrintStream out) {
        // a null loss would otherwise be read as regression and reported as a wrong output count
        this.model = java.util.Objects.requireNonNull(model, "Trainer: model is null");
        this.loss = java.util.Objects.requireNonNull(loss, "Trainer: loss is null");
        this.optimizer = java.util.Objects.requireNonNull(optimizer, "Trainer: optimizer is null");
        this.config = java.util.Objects.requireNonNull(config, "Trainer: config is null");
        this.out = out == null ? System.out : out;
        this.progress = new Progress(this.out, config.progress());
        this.task = Task.of(loss);
    }

    public Task task() {
        return task;
    }

    /**
     * The optimizer must update this model's tensors: one made from another model's parameters
     * would step those and leave this model untrained, with no error (a subset is fine: frozen layers).
     */
    private void checkOptimizer() {
        java.util.Set<Tensor> own = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        model.parameters().forEach(p -> own.add(p.value()));
        long foreign = optimizer.parameters().stream().filter(p -> !own.contains(p.value())).count();
        if (foreign > 0) {
            throw new IllegalArgumentException("the " + optimizer.name() + " optimizer updates " + foreign + " of its "
                    + optimizer.parameters().size() + " tensors that are not this model's parameters; create it"
                    + " from model.parameters()");
        }
    }

    /**
     * BatchNorm1d cannot train on a batch of one row (no variance; PyTorch refuses it too), which
     * the last partial batch can be: said before the first epoch rather than in the middle of one.
     */
    private void checkBatchNormBatches(int rows) {
        boolean bn = model.layers().stream().anyMatch(l -> l instanceof dev.ember.nn.layers.BatchNorm1d);
        int bs = config.batchSize();
        if (bn && (bs == 1 || rows % bs == 1)) {
            int near = 0;
            for (int d = 1; d <= bs && near == 0; d++) {
                for (int cand : new int[] {bs + d, bs - d}) {
                    if (near == 0 && cand >= 2 && cand <= rows && rows % cand != 1) {
                        near = cand;
                    }
                }
            }
            throw new IllegalArgumentException("BatchNorm1d needs at least 2 rows in every training batch, but "
                    + rows + " training rows in batches of " + bs + " leave a batch of 1; use another batch size"
                    + (near > 0 ? " (e.g. " + near + ")" : ""));
        }
    }

    /**
     * The losses take logits and apply softmax or the sigmoid themselves, so a model that already
     * ends in one trains on squashed outputs, slowly and badly, without any error (Keras warns here).
     */
    private void warnOnOutputActivation() {
        java.util.List<dev.ember.nn.Module> ls = model.layers();
        dev.ember.nn.Module last = ls.isEmpty() ? null : ls.get(ls.size() - 1);
        String ends = null;
        if (last instanceof dev.ember.nn.layers.Softmax) {
            ends = "Softmax";
        } else if (last instanceof dev.ember.nn.layers.ActivationLayer a
                && a.activation() == dev.ember.runtime.Activation.SIGMOID) {
            ends = "Sigmoid";
        }
        if (ends != null && task != Task.REGRESSION && config.progress() != Progress.Mode.QUIET) {
            out.println("warning: the model ends in " + ends + ", but " + loss.name() + " takes logits and applies "
                    + (task == Task.BINARY ? "the sigmoid" : "softmax") + " itself; remove the final " + ends);
        }
    }

    /** Checks that the model's output matches the data and the loss; throws a clear message otherwise. */
    public static void checkCompatible(Sequential model, Task task, Dataset d) {
        if (model.inputSize() != d.cols()) {
            throw new IllegalArgumentException("model takes " + model.inputSize() + " features but data set "
                    + d.name() + " has " + d.cols());
        }
        switch (task) {
            case CLASSIFICATION -> {
                if (!d.isClassification() || model.outputSize() != d.classes()) {
                    throw new IllegalArgumentException("classification (a label loss such as cross-entropy) needs one"
                            + " output per class: model has " + model.outputSize() + " outputs, data set " + d.name()
                            + " has "
                            + (d.isClassification() ? d.classes() + " classes" : "a regression target"));
                }
            }
            case BINARY -> {
                if (d.classes() != 2 || model.outputSize() != 1) {
                    throw new IllegalArgumentException("binary classification (a logit loss such as BCE) needs 2"
                            + " classes and one output: data set " + d.name() + " has " + d.classes()
                            + " classes, the model " + model.outputSize() + " outputs");
                }
            }
            case REGRESSION -> {
                if (model.outputSize() != 1) {
                    throw new IllegalArgumentException("regression needs one output, the model has "
                            + model.outputSize());
                }
            }
        }
    }

    /**
     * Trains on {@code train}; validates on {@code validation}, or when it is null and the config
     * asks for a validation fraction, on that fraction of {@code train} (held out from training).
     * Each epoch's steps run in training mode whatever mode the model was in (a model put in
     * {@code eval()} trains with its dropout and batch statistics, unlike a PyTorch loop that forgets
     * {@code model.train()}), validation in evaluation mode; the model is left in evaluation mode,
     * ready for prediction, also when training fails once it has started (arguments refused before
     * the first epoch leave the mode as it was). A manual loop afterwards calls
     * {@code model.train(true)} first, as in PyTorch.
     */
    public History fit(Dataset train, Dataset validation) {
        // Holds the model's lock (that of its own calls) for the whole run: a predict from another
        // thread between a step's forward and backward would replace the activations the backward
        // reads; it waits for the end of training instead.
        synchronized (model) {
            return fitLocked(train, validation);
        }
    }

    private History fitLocked(Dataset train, Dataset validation) {
        if (validation == null && config.validationFraction() > 0) {
            if (train.rows() < 2) {
                throw new IllegalArgumentException("Trainer.fit: validation fraction " + config.validationFraction()
                        + " needs at least 2 training rows (1 to validate, 1 to train on); " + train.name() + " has "
                        + train.rows());
            }
            Split s = Splits.random(train, config.validationFraction(), config.validationSeed(), false);
            train = s.train();
            validation = s.test();
        }
        checkCompatible(model, task, train);
        if (validation != null) {
            checkCompatible(model, task, validation);
        }
        checkOptimizer();
        checkBatchNormBatches(train.rows());
        warnOnOutputActivation();
        if (config.patience() > 0 && validation == null) {
            throw new IllegalArgumentException("early stopping (patience " + config.patience()
                    + ") needs validation data or a validation fraction");
        }
        History h = new History();
        model.seedDropout(config.seed());
        DataLoader loader = new DataLoader(train, config.batchSize(), true, Seeds.derive(config.seed(), 0x5AFF, 0));
        int outCols = model.outputSize();
        float[] host = new float[config.batchSize() * outCols];
        float baseLr = optimizer.learningRate();
        double bestVal = Double.POSITIVE_INFINITY;
        Map<String, float[]> best = null;
        int sinceBest = 0;
        long t0 = System.nanoTime();
        try (BufferCache io = new BufferCache(model.device())) {
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                float lr = config.schedule().lr(baseLr, epoch, config.epochs());
                optimizer.setLearningRate(lr);
                model.train(true);
                progress.startEpoch(epoch, config.epochs(), loader.batchesPerEpoch());
                long e0 = System.nanoTime();
                double lossSum = 0;
                long seen = 0, correct = 0;
                int done = 0;
                for (DataLoader.Rows b : loader.nextEpochRows()) {
                    // straight from the data set's arrays to the device (no gathered host copy)
                    Tensor x = io.get("x", b.count(), train.cols()).copyRowsFrom(train.features(), b.order(), b.from());
                    Tensor y = targets(io, loss, b.count()).copyRowsFrom(train.targets(), b.order(), b.from());
                    Tensor g = io.get("g", b.count(), outCols);
                    Tensor out = model.forward(x);
                    float l = loss.compute(out, y, g);
                    if (!Float.isFinite(l)) {
                        throw new IllegalStateException("training diverged: loss is " + l + " in epoch " + (epoch + 1)
                                + " (try a smaller learning rate)");
                    }
                    if (task.hasClasses()) {
                        out.copyTo(host);
                        correct += countCorrect(task.predictClasses(host, b.count(), outCols), train.targets(), b);
                    }
                    model.backward(g);
                    if (config.clipNorm() > 0) {
                        Optimizer.clipGradNorm(model.parameters(), config.clipNorm());
                    }
                    optimizer.step();
                    lossSum += (double) l * b.count();
                    seen += b.count();
                    progress.batch(++done, seen, lossSum / seen);
                }
                h.samples += seen;
                double valLoss = Double.NaN, valAcc = Double.NaN;
                if (validation != null) {
                    Evaluation ev = evaluate(model, loss, validation, Math.max(config.batchSize(), 256));
                    valLoss = ev.loss();
                    valAcc = ev.accuracy();
                }
                History.Epoch rec = new History.Epoch(epoch, lossSum / seen,
                        task.hasClasses() ? correct / (double) seen : Double.NaN, valLoss, valAcc, lr,
                        (System.nanoTime() - e0) / 1e9);
                h.add(rec);
                progress.endEpoch(rec);
                if (config.patience() > 0) {
                    if (valLoss < bestVal) {
                        bestVal = valLoss;
                        sinceBest = 0;
                        h.bestEpoch = epoch;
                        if (config.restoreBest()) {
                            best = snapshot(model);
                        }
                    } else if (++sinceBest >= config.patience()) {
                        h.stoppedEarly = true;
                        progress.message("early stopping after epoch " + (epoch + 1) + ": validation loss has not improved for "
                                + config.patience() + " epochs (best " + String.format(java.util.Locale.ROOT, "%.4f", bestVal)
                                + " in epoch " + (h.bestEpoch + 1) + ")");
                        break;
                    }
                }
            }
            if (best != null) {
                restore(model, best);
            } else {
                h.bestEpoch = -1;
            }
            model.device().synchronize();
        } finally {
            optimizer.setLearningRate(baseLr);
            model.train(false);
        }
        h.seconds = (System.nanoTime() - t0) / 1e9;
        return h;
    }

    /**
     * The work tensor for a batch's targets, in the shape the loss pairs with the model's output:
     * one class label per row for cross-entropy, a rows x 1 column for BCE and MSE, whose output is
     * rows x 1 (the ops refuse a [rows] target there, as PyTorch's BCE does; its MSE would broadcast
     * to rows x rows).
     */
    private static Tensor targets(BufferCache io, Loss loss, int rows) {
        return loss.labelTargets() ? io.vector("y", rows, rows) : io.get("y", rows, 1);
    }

    /**
     * Predictions that match their batch rows' labels. A method of its own, not a loop in
     * {@link #fit}: its 128 iterations a batch made fit's loop counters hot in the second epoch, and
     * C2 then compiled all of fit on stack replacement, inlining the whole forward, backward and
     * optimizer step (1.5 s of one of this machine's two cores, twice, since the compiled loop
     * deoptimised at the epoch's end); epochs 2-5 of Fashion-MNIST ran 30-50% slower than later
     * ones (RESULTS.md, eighth session).
     */
    private static int countCorrect(int[] predicted, float[] targets, DataLoader.Rows b) {
        int correct = 0;
        for (int i = 0; i < b.count(); i++) {
            if (predicted[i] == (int) targets[b.row(i)]) {
                correct++;
            }
        }
        return correct;
    }

    /**
     * Host copies of every parameter and buffer, and of the counters (BatchNorm's
     * num_batches_tracked), so that {@link #restore} brings back the whole state, as loading a
     * PyTorch state_dict does. A counter is held as two floats of 24 bits each (exact below 2^48).
     */
    public static Map<String, float[]> snapshot(Sequential model) {
        Map<String, float[]> m = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> m.put(k, v.toArray()));
        model.counters().forEach((k, v) -> m.put(k, new float[] {v.get() >>> 24, v.get() & 0xFFFFFF}));
        return m;
    }

    public static void restore(Sequential model, Map<String, float[]> snap) {
        model.stateDict().forEach((k, v) -> v.copyFrom(snap.get(k)));
        model.counters().forEach((k, v) -> {
            float[] c = snap.get(k);
            if (c != null) {
                v.set(((long) c[0] << 24) | (long) c[1]);
            }
        });
    }

    /**
     * Loss and metrics of the model (evaluation mode) on a whole data set. Holds the model's lock
     * throughout, so a thread predicting with the same model meanwhile waits rather than overwriting
     * the outputs this reads.
     */
    public static Evaluation evaluate(Sequential model, Loss loss, Dataset data, int batchSize) {
        java.util.Objects.requireNonNull(loss, "evaluate: loss is null");
        synchronized (model) {
            return evaluateLocked(model, loss, data, batchSize);
        }
    }

    private static Evaluation evaluateLocked(Sequential model, Loss loss, Dataset data, int batchSize) {
        Task task = Task.of(loss);
        checkCompatible(model, task, data);
        // (the DataLoader this used to go through checked these two)
        if (batchSize < 1) {
            throw new IllegalArgumentException("evaluate: batchSize must be >= 1, got " + batchSize);
        }
        if (data.rows() == 0) {
            throw new IllegalArgumentException("evaluate: data set " + data.name() + " has no rows");
        }
        int outCols = model.outputSize();
        if ((long) data.rows() * outCols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("evaluate: " + data.rows() + " rows x " + outCols + " outputs exceed a"
                    + " Java array (2^31 - 9 values); evaluate in parts");
        }
        boolean was = model.isTraining();
        model.train(false);
        float[] outputs = new float[data.rows() * outCols];
        double lossSum = 0;
        try (BufferCache io = new BufferCache(model.device())) {
            float[] host = new float[batchSize * outCols];
            int cols = data.cols();
            // in order, so each batch is one contiguous range of the data set's arrays
            for (int at = 0; at < data.rows(); at += batchSize) {
                int rows = Math.min(batchSize, data.rows() - at);
                Tensor x = io.get("x", rows, cols).copyFrom(data.features(), at * cols, 0, rows * cols);
                Tensor y = targets(io, loss, rows).copyFrom(data.targets(), at, 0, rows);
                Tensor g = io.get("g", rows, outCols);
                Tensor out = model.forward(x);
                lossSum += (double) loss.compute(out, y, g) * rows;
                out.copyTo(host);
                System.arraycopy(host, 0, outputs, at * outCols, rows * outCols);
            }
        } finally {
            model.train(was);
        }
        Metrics.Classification c = null;
        Metrics.Regression r = null;
        if (task.hasClasses()) {
            int[] actual = new int[data.rows()];
            for (int i = 0; i < actual.length; i++) {
                actual[i] = (int) data.targets()[i];
            }
            c = Metrics.classification(task.predictClasses(outputs, data.rows(), outCols), actual,
                    task == Task.BINARY ? 2 : outCols);
        } else {
            r = Metrics.regression(outputs, data.targets());
        }
        return new Evaluation(task, lossSum / data.rows(), outputs, data.rows(), outCols, c, r);
    }
}
