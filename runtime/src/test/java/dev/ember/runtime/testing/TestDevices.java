package dev.ember.runtime.testing;

import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The devices every op test runs on: each available device from {@link Devices#list()} (the CPU
 * always), plus one entry per backend kind (opencl, cuda) that has no available device, so the
 * report says why it did not run. Use with {@link DeviceTest}.
 */
public final class TestDevices {
    private static List<TestDevice> cached;

    private TestDevices() {
    }

    /** Whether this run is CI ({@code CI=true}), where the OpenCL tests must run. */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The {@code @MethodSource} of {@link DeviceTest}. */
    public static Stream<TestDevice> all() {
        return list().stream();
    }

    public static synchronized List<TestDevice> list() {
        if (cached == null) {
            List<DeviceInfo> infos = Devices.list();
            List<TestDevice> out = new ArrayList<>();
            for (DeviceInfo d : infos) {
                if (d.available()) {
                    out.add(new TestDevice(d.name(), true, false, ""));
                }
            }
            for (String kind : List.of("opencl", "cuda")) {
                boolean any = infos.stream().anyMatch(d -> d.available() && d.kind().equals(kind));
                if (!any) {
                    String reasons = infos.stream().filter(d -> d.kind().equals(kind))
                            .map(d -> d.name() + ": " + d.reason()).collect(Collectors.joining("; "));
                    out.add(new TestDevice(kind, false, kind.equals("opencl") && ci(),
                            reasons.isEmpty() ? "no " + kind + " device listed by Devices.list()" : reasons));
                }
            }
            cached = List.copyOf(out);
        }
        return cached;
    }
}
