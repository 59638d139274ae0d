package dev.ember.runtime;

/** Elementwise binary operations; the ordinal is the kernel code, so the order must not change. */
public enum BinaryOp {
    ADD, SUB, MUL;

    public int code() {
        return ordinal();
    }
}
