package dev.ember.runtime.testing;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * One device a parameterised test runs on, named for the test report. An unavailable device is
 * kept in the list so that its absence shows up: {@link #open()} fails the test when the device
 * is required (OpenCL under {@code CI=true}), and otherwise aborts it as skipped, with the reason
 * discovery gave.
 */
public record TestDevice(String name, boolean available, boolean required, String reason) {

    /** The opened device; fails or skips (with the reason) when it is unavailable. */
    public Device open() {
        if (!available) {
            String why = name + " is unavailable: " + reason;
            if (required) {
                Assertions.fail(why + " (CI=true requires an OpenCL device; install an OpenCL runtime such as PoCL)");
            }
            Assumptions.abort(why);
        }
        return Devices.get(name);
    }

    /** Whether this is the CPU device (GEMM sizes are kept <= 256 per side elsewhere). */
    public boolean isCpu() {
        return name.equals("cpu");
    }

    @Override
    public String toString() {
        return name;
    }
}
