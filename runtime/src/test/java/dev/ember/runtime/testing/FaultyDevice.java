package dev.ember.runtime.testing;

import dev.ember.runtime.Backend;
import dev.ember.runtime.Device;
import dev.ember.runtime.cpu.CpuBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Function;

/**
 * A device of its own over a private one-thread CPU backend whose backend calls can be made to
 * fail, as a GPU that runs out of memory or loses its context would: after {@link #fail}, the nth
 * call of one {@link Backend} method throws. Being its own device, it counts live bytes and
 * tensors of its own, so what a failure path left open shows there. Shared by the runtime's, nn's
 * and the benchmarks' failure-path tests (they take runtime's test jar).
 */
public final class FaultyDevice {
    /** Thrown by the failing call unless another failure is given. */
    public static final class Injected extends IllegalStateException {
        public Injected(String method, int nth) {
            super("injected failure of call " + nth + " of Backend." + method);
        }
    }

    public final Device device;
    private String method = "";
    private int nth;
    private int calls;
    private Function<String, Throwable> failure;
    private String alsoMethod = "";
    private int alsoNth;
    private int alsoCalls;

    public FaultyDevice() {
        CpuBackend cpu = new CpuBackend(1);
        Backend proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (p, m, args) -> {
                    if (m.getName().equals(method) && ++calls == nth) {
                        throw failure.apply(method);
                    }
                    if (m.getName().equals(alsoMethod) && ++alsoCalls == alsoNth) {
                        throw new Injected(alsoMethod, alsoNth);
                    }
                    try {
                        return m.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        device = new Device(proxy);
    }

    /** A device whose {@code nth} call of {@code method} (e.g. "allocate", "upload") throws {@link Injected}. */
    public static Device failing(String method, int nth) {
        return new FaultyDevice().fail(method, nth).device;
    }

    /** From now on the {@code nth} call of {@code method} throws {@link Injected}; 0 only counts calls. */
    public FaultyDevice fail(String method, int nth) {
        return fail(method, nth, name -> new Injected(name, nth));
    }

    /** From now on the {@code nth} call of {@code method} throws what {@code failure} makes of its name. */
    public FaultyDevice fail(String method, int nth, Function<String, Throwable> failure) {
        this.method = method;
        this.nth = nth;
        this.calls = 0;
        this.failure = failure;
        this.alsoMethod = "";
        return this;
    }

    /**
     * Besides the call armed by {@link #fail}, the {@code nth} call of another method throws
     * {@link Injected} (a release that fails while a failure is being cleaned up).
     */
    public FaultyDevice alsoFail(String method, int nth) {
        this.alsoMethod = method;
        this.alsoNth = nth;
        this.alsoCalls = 0;
        return this;
    }

    /** Calls of the armed method since {@link #fail}. */
    public int calls() {
        return calls;
    }
}
