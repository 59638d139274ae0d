package dev.ember.nn;

import dev.ember.runtime.Activation;

/**
 * Weight initialisation of a dense layer. {@code AUTO} picks He (normal, std sqrt(2 / in), zero
 * bias) when a relu-family activation follows and Glorot (uniform, limit sqrt(6 / (in + out)),
 * zero bias) otherwise; {@code TORCH} is PyTorch's default {@code nn.Linear} init,
 * kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)) for weight and bias, which the
 * reference runs of the workloads used.
 */
public enum Init {
    AUTO, HE, GLOROT, TORCH;

    /** The concrete scheme for a layer followed by {@code next} (AUTO resolved). */
    public Init resolve(Activation next) {
        if (this != AUTO) {
            return this;
        }
        return next == Activation.RELU || next == Activation.LEAKY_RELU || next == Activation.ELU ? HE : GLOROT;
    }

    public static Init parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> AUTO;
            case "he", "kaiming" -> HE;
            case "glorot", "xavier" -> GLOROT;
            case "torch", "pytorch", "default" -> TORCH;
            default -> throw new IllegalArgumentException("unknown init '" + s + "' (expected auto, he, glorot or torch)");
        };
    }
}
