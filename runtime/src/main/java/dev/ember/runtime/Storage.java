package dev.ember.runtime;

/**
 * A backend's handle on one block of device memory holding {@code elements()} float32 values.
 * Only the backend that allocated it looks inside; everyone else passes it around.
 */
public interface Storage {
    /** Number of float32 elements the block holds. */
    long elements();
}
