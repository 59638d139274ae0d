package dev.ember.benchmarks;

import dev.ember.runtime.Backend;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A device of its own over the CPU backend whose {@code nth} call of one backend method throws,
 * as a GPU that runs out of memory or loses its context would. Being its own device, it counts
 * live bytes and tensors of its own: what a failed set-up left open shows there.
 */
final class FailingDevice {
    private FailingDevice() {
    }

    /** Thrown by the failing call. */
    static final class Injected extends IllegalStateException {
        Injected(String method, int nth) {
            super("injected failure of call " + nth + " of Backend." + method);
        }
    }

    /** A device whose {@code nth} call of {@code method} (e.g. "allocate", "download") throws {@link Injected}. */
    static Device failing(String method, int nth) {
        Backend cpu = Devices.cpu().backend();
        int[] calls = {0};
        Backend proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (p, m, args) -> {
                    if (m.getName().equals("close")) {
                        return null; // the CPU backend is shared with every other test
                    }
                    if (m.getName().equals(method) && ++calls[0] == nth) {
                        throw new Injected(method, nth);
                    }
                    try {
                        return m.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Device(proxy);
    }
}
