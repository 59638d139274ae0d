package dev.ember.runtime.cpu;

import dev.ember.runtime.Backend;
import dev.ember.runtime.BackendProvider;
import dev.ember.runtime.DeviceInfo;
import java.util.List;

/**
 * The pure-Java CPU device. Thread count: system property {@code ember.cpu.threads}, then the
 * variable {@code EMBER_CPU_THREADS}, else the number of available processors.
 */
public final class CpuProvider implements BackendProvider {

    /** The configured CPU thread count. */
    public static int configuredThreads() {
        String v = System.getProperty("ember.cpu.threads");
        if (v == null || v.isBlank()) {
            v = System.getenv("EMBER_CPU_THREADS");
        }
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int t = Integer.parseInt(v.trim());
            if (t >= 1) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("ember.cpu.threads / EMBER_CPU_THREADS must be a positive integer, got '" + v + "'");
    }

    @Override
    public String kind() {
        return "cpu";
    }

    @Override
    public List<DeviceInfo> probe() {
        return List.of(DeviceInfo.available("cpu", "cpu", false, CpuBackend.describe(configuredThreads())));
    }

    @Override
    public Backend open(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("there is one CPU device, cpu (index 0), not cpu:" + index);
        }
        return new CpuBackend(configuredThreads());
    }
}
