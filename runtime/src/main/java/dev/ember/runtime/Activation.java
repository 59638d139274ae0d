package dev.ember.runtime;

/**
 * Elementwise activation functions shared by every backend. The ordinal is the code the kernels
 * receive ({@code EMBER_ACT_*} in {@code ember_common.h}), so the order must not change.
 */
public enum Activation {
    IDENTITY, RELU, LEAKY_RELU, ELU, SIGMOID, TANH;

    /** Kernel code of this activation. */
    public int code() {
        return ordinal();
    }

    /** Parses "relu", "leaky_relu", "elu", "sigmoid", "tanh", "identity" (case-insensitive; "linear" and "none" mean identity). */
    public static Activation parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        return switch (n) {
            case "identity", "linear", "none" -> IDENTITY;
            case "relu" -> RELU;
            case "leaky_relu", "leakyrelu" -> LEAKY_RELU;
            case "elu" -> ELU;
            case "sigmoid" -> SIGMOID;
            case "tanh" -> TANH;
            default -> throw new IllegalArgumentException("unknown activation '" + name
                    + "' (expected identity, relu, leaky_relu, elu, sigmoid or tanh)");
        };
    }
}
