package dev.ember.nn.train;

import java.util.Arrays;
import java.util.Locale;

/**
 * Everything a training run needs besides the data, as the command line spells it: hidden layer
 * sizes, activation, loss ("auto": cross-entropy for 3+ classes, BCE on logits for 2, MSE for
 * regression), optimizer and its settings, schedule, regularisation, batching, seed, early
 * stopping and initialisation. A momentum of {@code Optimizer.DEFAULT_MOMENTUM} or a weight decay
 * of {@link #DEFAULT_WEIGHT_DECAY} stands for the optimizer's default. {@link #reference} gives the
 * configuration behind each data set's PyTorch reference figure.
 */
public record RunConfig(int[] hidden, String activation, String loss, String optimizer, float lr, float momentum,
                        String schedule, float weightDecay, float dropout, boolean batchNorm, int batchSize,
                        int epochs, long seed, int patience, double validation, String init, float clipNorm) {

    public RunConfig {
        hidden = hidden.clone();
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("layer sizes must be positive, got " + Arrays.toString(hidden));
            }
        }
    }

    /** A generic default: one hidden layer of 32 relu units, Adam 1e-3, batch 32, 20 epochs. */
    public static RunConfig defaults() {
        return new RunConfig(new int[] {32}, "relu", "auto", "adam", 1e-3f, -1f, "constant",
                DEFAULT_WEIGHT_DECAY, 0f, false, 32, 20, 0, 0, 0, "torch", 0f);
    }

    /** The reference configuration of a bundled data set (or fashion-mnist); defaults for anything else. */
    public static RunConfig reference(String dataName) {
        String n = dataName.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "wine" -> new RunConfig(new int[] {32, 32}, "relu", "cross_entropy", "adam", 0.01f, -1f, "constant",
                    1e-4f, 0.2f, false, 16, 30, 0, 0, 0, "torch", 0f);
            case "breast-cancer" -> new RunConfig(new int[] {20}, "tanh", "bce", "adam", 0.01f, -1f, "constant",
                    DEFAULT_WEIGHT_DECAY, 0f, false, 32, 100, 0, 0, 0, "torch", 0f);
            case "digits" -> new RunConfig(new int[] {64}, "relu", "cross_entropy", "sgd", 0.05f, 0.9f, "constant",
                    DEFAULT_WEIGHT_DECAY, 0f, false, 32, 50, 0, 0, 0, "torch", 0f);
            case "iris" -> new RunConfig(new int[] {16}, "relu", "cross_entropy", "adam", 0.01f, -1f, "constant",
                    DEFAULT_WEIGHT_DECAY, 0f, false, 16, 50, 0, 0, 0, "torch", 0f);
            case "diabetes" -> new RunConfig(new int[] {32}, "relu", "mse", "adam", 0.01f, -1f, "constant",
                    DEFAULT_WEIGHT_DECAY, 0f, false, 32, 200, 0, 10, 0.2, "torch", 0f);
            case "fashion-mnist" -> new RunConfig(new int[] {256, 128}, "relu", "cross_entropy", "adam", 1e-3f, -1f,
                    "constant", DEFAULT_WEIGHT_DECAY, 0f, false, 128, 5, 0, 0, 0, "torch", 0f);
            default -> defaults();
        };
    }

    /** The loss name this config resolves to for a data set with {@code classes} classes (0 = regression). */
    public String resolvedLoss(int classes) {
        if (!loss.equals("auto")) {
            return loss;
        }
        return classes == 0 ? "mse" : classes == 2 ? "bce" : "cross_entropy";
    }

    /** A weight decay that stands for the optimizer's default (adamw's 0.01, as PyTorch's AdamW; 0 else). */
    public static final float DEFAULT_WEIGHT_DECAY = -1f;

    /**
     * The weight decay that trains: this config's, or for {@link #DEFAULT_WEIGHT_DECAY}
     * {@code Optimizer.defaultWeightDecay(optimizer)} (which refuses an unknown optimizer name).
     */
    public float resolvedWeightDecay() {
        return resolvedWeightDecay(optimizer, weightDecay);
    }

    /** {@code weightDecay}, or for {@link #DEFAULT_WEIGHT_DECAY} the default of {@code optimizer}. */
    public static float resolvedWeightDecay(String optimizer, float weightDecay) {
        return weightDecay == DEFAULT_WEIGHT_DECAY ? dev.ember.nn.optim.Optimizer.defaultWeightDecay(optimizer)
                : weightDecay;
    }

    public RunConfig withSeed(long s) {
        return new RunConfig(hidden, activation, loss, optimizer, lr, momentum, schedule, weightDecay, dropout,
                batchNorm, batchSize, epochs, s, patience, validation, init, clipNorm);
    }

    public RunConfig withHidden(int[] h) {
        return new RunConfig(h, activation, loss, optimizer, lr, momentum, schedule, weightDecay, dropout,
                batchNorm, batchSize, epochs, seed, patience, validation, init, clipNorm);
    }

    /** This config with loss "auto" replaced by the loss it takes for {@code classes} classes. */
    public RunConfig withResolvedLoss(int classes) {
        return new RunConfig(hidden, activation, resolvedLoss(classes), optimizer, lr, momentum, schedule, weightDecay,
                dropout, batchNorm, batchSize, epochs, seed, patience, validation, init, clipNorm);
    }

    public RunConfig withEpochs(int e) {
        return new RunConfig(hidden, activation, loss, optimizer, lr, momentum, schedule, weightDecay, dropout,
                batchNorm, batchSize, e, seed, patience, validation, init, clipNorm);
    }

    private String shownWeightDecay() {
        try {
            return Float.toString(resolvedWeightDecay());
        } catch (IllegalArgumentException unknownOptimizer) {
            return "default";
        }
    }

    @Override
    public String toString() {
        return "hidden=" + Arrays.toString(hidden) + " activation=" + activation + " loss=" + loss + " optimizer="
                + optimizer + " lr=" + lr + (momentum >= 0 ? " momentum=" + momentum : "") + " schedule=" + schedule
                + " weight_decay=" + shownWeightDecay() + " dropout=" + dropout + (batchNorm ? " batchnorm" : "")
                + " batch=" + batchSize + " epochs=" + epochs + " seed=" + seed + " patience=" + patience
                + " validation=" + validation + " init=" + init + (clipNorm > 0 ? " clip=" + clipNorm : "");
    }
}
