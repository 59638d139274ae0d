package dev.ember.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.runtime.cpu.CpuBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The factories that allocate and then write a tensor ({@code zeros}, {@code fromArray},
 * {@code randn}, {@code rand}, {@code reshapedCopy}) close it when the write fails (a device
 * error): the caller never receives it, so nobody else could, and its device memory would stay
 * counted for good.
 */
class FailedFillTest {

    /** A device over a private CPU backend whose {@code method} calls all throw. */
    private static Device failing(String method) {
        CpuBackend cpu = new CpuBackend(1);
        Backend proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (p, m, args) -> {
                    if (m.getName().equals(method)) {
                        throw new IllegalStateException("injected failure of Backend." + method);
                    }
                    try {
                        return m.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Device(proxy);
    }

    private static void assertClosesOnFailure(String method, Function<Device, Tensor> make) {
        try (Device dev = failing(method)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> make.apply(dev));
            assertEquals("injected failure of Backend." + method, e.getMessage());
            assertEquals(0, dev.liveBytes(), method + ": live bytes after the failed factory");
            assertEquals(0, dev.liveTensors(), method + ": live tensors after the failed factory");
            // The allocation itself happened: the test would pass vacuously if it had not.
            assertEquals(7L * 33 * Float.BYTES, dev.peakBytes());
        }
    }

    @Test
    void zerosClosesTheTensorWhenTheFillFails() {
        assertClosesOnFailure("fill", dev -> dev.zeros(7, 33));
    }

    @Test
    void fromArrayClosesTheTensorWhenTheUploadFails() {
        assertClosesOnFailure("upload", dev -> dev.fromArray(new float[7 * 33], 7, 33));
    }

    @Test
    void randomFactoriesCloseTheTensorWhenTheUploadFails() {
        assertClosesOnFailure("upload", dev -> dev.randn(3, 0f, 1f, 7, 33));
        assertClosesOnFailure("upload", dev -> dev.rand(3, -1f, 1f, 7, 33));
    }

    @Test
    void reshapedCopyClosesTheCopyWhenTheDeviceCopyFails() {
        try (Device dev = failing("copy"); Tensor t = dev.empty(7, 33)) {
            assertThrows(IllegalStateException.class, () -> t.reshapedCopy(33, 7));
            assertEquals(7L * 33 * Float.BYTES, dev.liveBytes(), "only the source is left");
            assertEquals(1, dev.liveTensors());
            assertEquals(2L * 7 * 33 * Float.BYTES, dev.peakBytes(), "the copy was allocated");
        }
    }

    @Test
    void aSuccessfulFactoryReturnsTheTensorItFilled() {
        try (Device dev = new Device(new CpuBackend(1)); Tensor t = dev.fromArray(new float[] {1, 2, 3}, 3)) {
            assertSame(dev, t.device());
            assertEquals(3 * Float.BYTES, dev.liveBytes());
        }
    }
}
