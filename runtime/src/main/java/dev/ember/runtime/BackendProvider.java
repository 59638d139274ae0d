package dev.ember.runtime;

import java.util.List;

/**
 * Discovers and opens the devices of one backend kind. {@link #probe()} never throws: a missing
 * driver, native library or platform is reported as an unavailable {@link DeviceInfo} with the reason.
 */
public interface BackendProvider {
    /** "cpu", "opencl" or "cuda". */
    String kind();

    /** Every device of this kind, available or not. */
    List<DeviceInfo> probe();

    /** Opens device {@code index} of this kind (as numbered by {@link #probe()}). */
    Backend open(int index);
}
