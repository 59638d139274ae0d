package dev.ember.runtime;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One compute device: a {@link Backend} plus memory accounting. Tensors are created here and stay
 * on this device; ops take tensors of one device only.
 */
public final class Device implements AutoCloseable {
    private final Backend backend;
    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();
    private final AtomicLong liveTensors = new AtomicLong();
    private volatile boolean closed;
    private final boolean shared;

    /** A device over a backend of the caller's, which {@link #close} releases. */
    public Device(Backend backend) {
        this(backend, false);
    }

    Device(Backend backend, boolean shared) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.shared = shared;
    }

    /** Name as accepted by {@link Devices#get}, e.g. {@code cpu} or {@code opencl:0}. */
    public String name() {
        return backend.name();
    }

    public String description() {
        return backend.description();
    }

    public boolean isGpu() {
        return backend.isGpu();
    }

    /**
     * The backend that runs this device's ops (for backend implementors and benchmarks); throws
     * {@link IllegalStateException} once the device is closed, since a native backend's queue and
     * memory are gone then (using them would crash the JVM, not throw).
     */
    public Backend backend() {
        if (closed) {
            throw new IllegalStateException("device " + name() + " is closed");
        }
        return backend;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Bytes held by open tensors on this device. */
    public long liveBytes() {
        return liveBytes.get();
    }

    /** Largest {@link #liveBytes()} seen since creation or the last {@link #resetPeak()}. */
    public long peakBytes() {
        return peakBytes.get();
    }

    /** Number of open tensors on this device. */
    public long liveTensors() {
        return liveTensors.get();
    }

    public void resetPeak() {
        peakBytes.set(liveBytes.get());
    }

    /** Waits for every op enqueued on this device. */
    public void synchronize() {
        backend.synchronize();
    }

    /**
     * A tensor of the given shape with unspecified contents. Rank 1 to 4, every dimension at
     * least 1: PyTorch's scalars (rank 0) and empty tensors (a dimension of 0) are refused, with
     * {@link IllegalArgumentException} naming the shape.
     */
    public Tensor empty(int... shape) {
        int[] s = Shapes.check("empty", shape);
        long n = Shapes.size(s);
        Storage storage = backend().allocate(n);
        long bytes = n * Float.BYTES;
        long live = liveBytes.addAndGet(bytes);
        peakBytes.accumulateAndGet(live, Math::max);
        liveTensors.incrementAndGet();
        return new Tensor(this, storage, s);
    }

    public Tensor zeros(int... shape) {
        return filled(empty(shape), t -> t.fill(0f));
    }

    /** A tensor holding a copy of {@code data}, which must have exactly the shape's size. */
    public Tensor fromArray(float[] data, int... shape) {
        int[] s = Shapes.check("fromArray", shape);
        if (data.length != Shapes.size(s)) {
            throw new IllegalArgumentException("fromArray: " + data.length + " values do not fill shape "
                    + Shapes.toString(s) + " (" + Shapes.size(s) + " elements)");
        }
        return filled(empty(s), t -> t.copyFrom(data));
    }

    /** Normal(mean, std) values from a seeded generator; the same seed gives the same values on every device. */
    public Tensor randn(long seed, float mean, float std, int... shape) {
        Tensor.checkNormal("randn", mean, std); // before allocating, so a refused call leaks nothing
        return filled(empty(shape), t -> t.fillNormal(seed, mean, std));
    }

    /** Uniform [lo, hi) values from a seeded generator; the same seed gives the same values on every device. */
    public Tensor rand(long seed, float lo, float hi, int... shape) {
        Tensor.checkUniform("rand", lo, hi); // before allocating, so a refused call leaks nothing
        return filled(empty(shape), t -> t.fillUniform(seed, lo, hi));
    }

    /**
     * {@code t} after {@code fill} has written it; when the fill throws (a device error), {@code t}
     * is closed first, since the caller never received it and could not.
     */
    private static Tensor filled(Tensor t, java.util.function.Consumer<Tensor> fill) {
        try {
            fill.accept(t);
            return t;
        } catch (RuntimeException | Error e) {
            try {
                t.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    void released(Tensor t) {
        liveBytes.addAndGet(-t.size() * Float.BYTES);
        liveTensors.decrementAndGet();
        backend.release(t.storageUnchecked());
    }

    /**
     * Releases the backend (queues, contexts, cached memory) of a device made with
     * {@link #Device(Backend)}; tensors of it must not be used afterwards (closing them is still
     * allowed). The devices of {@link Devices} are shared by every user in the JVM and live as long
     * as it does, like PyTorch's devices: closing one of those does nothing, so that a library
     * closing "its" device (try-with-resources) cannot break another's tensors.
     */
    @Override
    public void close() {
        if (shared) {
            return;
        }
        closed = true;
        backend.close();
    }

    @Override
    public String toString() {
        return name();
    }
}
