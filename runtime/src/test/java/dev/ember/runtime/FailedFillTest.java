package dev.ember.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.cpu.CpuBackend;
import dev.ember.runtime.testing.FaultyDevice;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The factories that allocate and then write a tensor ({@code zeros}, {@code fromArray},
 * {@code randn}, {@code rand}, {@code reshapedCopy}) close it when the write fails (a device
 * error): the caller never receives it, so nobody else could, and its device memory would stay
 * counted for good.
 */
class FailedFillTest {

    /** A device of its own whose first call of {@code method} throws. */
    private static Device failing(String method) {
        return FaultyDevice.failing(method, 1);
    }

    private static void assertClosesOnFailure(String method, Function<Device, Tensor> make) {
        try (Device dev = failing(method)) {
            FaultyDevice.Injected e = assertThrows(FaultyDevice.Injected.class, () -> make.apply(dev));
            assertEquals("injected failure of call 1 of Backend." + method, e.getMessage());
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
            assertThrows(FaultyDevice.Injected.class, () -> t.reshapedCopy(33, 7));
            assertEquals(7L * 33 * Float.BYTES, dev.liveBytes(), "only the source is left");
            assertEquals(1, dev.liveTensors());
            assertEquals(2L * 7 * 33 * Float.BYTES, dev.peakBytes(), "the copy was allocated");
        }
    }

    /**
     * {@code to} closes its copy when the write fails with an Error too (the CPU backend's out of
     * memory is an OutOfMemoryError), as the factories above do.
     */
    @Test
    void toClosesTheCopyWhenTheUploadFailsWithAnError() {
        FaultyDevice faulty = new FaultyDevice().fail("upload", 1, m -> new OutOfMemoryError("injected " + m));
        try (Device cpu = new Device(new CpuBackend(1)); Device dev = faulty.device;
             Tensor t = cpu.fromArray(new float[7 * 33], 7, 33)) {
            assertThrows(OutOfMemoryError.class, () -> t.to(dev));
            assertEquals(1, faulty.calls(), "the upload was reached");
            assertEquals(0, dev.liveBytes(), "live bytes on the target after the failed copy");
            assertEquals(0, dev.liveTensors());
        }
    }

    /** matmul closes the product it allocated when the device's GEMM fails. */
    @Test
    void matmulClosesItsProductWhenTheGemmFails() {
        FaultyDevice faulty = new FaultyDevice();
        try (Device dev = faulty.device; Tensor a = dev.zeros(7, 33); Tensor b = dev.zeros(33, 5)) {
            faulty.fail("gemm", 1);
            assertThrows(FaultyDevice.Injected.class, () -> Ops.matmul(a, b));
            assertEquals(1, faulty.calls(), "the gemm was reached");
            assertEquals(2, dev.liveTensors(), "only the operands are left");
            assertEquals((7L * 33 + 33 * 5) * Float.BYTES, dev.liveBytes());
            assertEquals((7L * 33 + 33 * 5 + 7 * 5) * Float.BYTES, dev.peakBytes(), "the product was allocated");
        }
    }

    @Test
    void aSuccessfulFactoryReturnsTheTensorItFilled() {
        try (Device dev = new Device(new CpuBackend(1)); Tensor t = dev.fromArray(new float[] {1, 2, 3}, 3)) {
            assertSame(dev, t.device());
            assertEquals(3 * Float.BYTES, dev.liveBytes());
        }
    }

    /**
     * A release that fails (a device that lost its context) still closes the tensor: it is no
     * longer counted, using it throws, and closing it again neither throws nor counts it out twice.
     */
    @Test
    void aTensorWhoseReleaseFailsIsClosedAndCountedOutOnce() {
        FaultyDevice faulty = new FaultyDevice();
        try (Device dev = faulty.device) {
            Tensor kept = dev.zeros(5);
            Tensor t = dev.zeros(7, 33);
            faulty.fail("release", 1);
            assertThrows(FaultyDevice.Injected.class, t::close);
            assertTrue(t.isClosed());
            assertThrows(IllegalStateException.class, t::toArray);
            t.close();
            assertEquals(1, dev.liveTensors(), "only the other tensor is live");
            assertEquals(5L * Float.BYTES, dev.liveBytes());
            kept.close();
            assertEquals(0, dev.liveTensors());
        }
    }
}
