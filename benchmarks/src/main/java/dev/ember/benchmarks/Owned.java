package dev.ember.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one benchmark's set-up allocated (tensors, models, problems), closed together by its
 * tear-down. JMH runs no tear-down after a set-up that throws, and {@link PairedRounds} sets
 * benchmarks up in one long-lived process, so {@link #setUp} closes what was allocated before
 * the failure itself: device memory stays where it was before the set-up began.
 */
final class Owned implements AutoCloseable {
    private final List<AutoCloseable> items = new ArrayList<>();

    /** Takes {@code item} into this owner and returns it; null is passed through. */
    <T extends AutoCloseable> T add(T item) {
        if (item != null) {
            items.add(item);
        }
        return item;
    }

    /**
     * Runs {@code body}, which allocates through {@link #add}; when it throws, closes everything
     * owned and rethrows, with any failure to close added as suppressed.
     */
    void setUp(Runnable body) {
        build(() -> {
            body.run();
            return null;
        });
    }

    /** {@link #setUp} for a body that returns what it made. */
    <T> T build(Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException | Error e) {
            closeAfter(e);
            throw e;
        }
    }

    /** Closes everything owned, the newest first, and forgets it; a second call does nothing. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = items.size() - 1; i >= 0; i--) {
            try {
                items.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r
                            : new IllegalStateException("closing " + items.get(i) + " failed: " + e, e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        items.clear();
        if (first != null) {
            throw first;
        }
    }

    /** {@link #close} on the way out of a failure: close failures are suppressed into {@code cause}. */
    void closeAfter(Throwable cause) {
        try {
            close();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
