package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.cpu.CpuBackend;
import dev.ember.runtime.opencl.OpenClProvider;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.TestDevice;
import org.junit.jupiter.api.function.Executable;

/**
 * A closed device refuses every use of its tensors with an exception naming it. On OpenCL the
 * alternative was a read from a released queue: a segmentation fault in the driver, which killed
 * the JVM. Each run opens a private device (not the shared one of {@code Devices}) and closes it.
 */
class ClosedDeviceTest {

    private static Device privateDevice(TestDevice td) {
        Device shared = td.open(); // skips when the kind is unavailable
        if (shared.name().startsWith("opencl:")) {
            return new Device(new OpenClProvider().open(Integer.parseInt(shared.name().substring(7))));
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(shared.name().equals("cpu"),
                "a private " + shared.name() + " device is not opened here");
        return new Device(new CpuBackend(2));
    }

    @DeviceTest
    void tensorsOfAClosedDeviceRefuseWork(TestDevice td) {
        Device dev = privateDevice(td);
        Tensor a = dev.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = dev.fromArray(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        Tensor c = dev.empty(2, 2);
        dev.close();
        Executable[] uses = {
            a::toArray, () -> a.copyFrom(new float[6]), () -> a.fill(0f), () -> c.copyFrom(a.reshapedCopy(2, 3)),
            () -> Ops.gemm(false, false, 1f, a, b, 0f, c), () -> Ops.add(a, a, a), () -> Ops.sum(a),
            () -> Ops.activation(Activation.RELU, 0f, a, a), () -> dev.empty(3), () -> a.reshapedCopy(3, 2),
        };
        for (Executable use : uses) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use);
            assertTrue(e.getMessage().contains(dev.name()) && e.getMessage().contains("closed"), e.getMessage());
        }
        // Closing the tensors afterwards is allowed and does nothing harmful.
        assertDoesNotThrow(() -> {
            a.close();
            b.close();
            c.close();
        });
        assertDoesNotThrow(dev::close); // twice
    }
}
