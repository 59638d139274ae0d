package dev.ember.nn;

import dev.ember.runtime.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensors one constructor (or lazy initialisation) makes one after another, so that a failure
 * part way (a device out of memory, a failed fill) closes those already made before it is
 * rethrown: the caller never receives the half-built object and could not close them.
 *
 * <pre>{@code
 * Allocations made = new Allocations();
 * try {
 *     a = made.add(device.zeros(n));
 *     b = made.add(device.empty(n)).fill(1f);
 * } catch (RuntimeException | Error e) {
 *     made.closeAfter(e);
 *     throw e;
 * }
 * }</pre>
 */
public final class Allocations {
    private final List<Tensor> made = new ArrayList<>();

    /** Records {@code t} (null is passed through, for optional tensors) and returns it. */
    public Tensor add(Tensor t) {
        if (t != null) {
            made.add(t);
        }
        return t;
    }

    /**
     * Closes every recorded tensor, the newest first, on the way out of {@code cause}, which the
     * caller then rethrows; a failure to close one is added to it as suppressed and the others are
     * still closed.
     */
    public void closeAfter(Throwable cause) {
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                made.get(i).close();
            } catch (RuntimeException | Error closing) {
                cause.addSuppressed(closing);
            }
        }
        made.clear();
    }
}
