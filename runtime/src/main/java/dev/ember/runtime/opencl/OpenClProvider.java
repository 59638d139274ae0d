package dev.ember.runtime.opencl;

import dev.ember.runtime.Backend;
import dev.ember.runtime.BackendProvider;
import dev.ember.runtime.DeviceInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenCL devices across every platform, named {@code opencl:0}, {@code opencl:1}, ... in platform
 * order. With no ICD loader, or a loader but no platform (CL error -1001), {@link #probe()} lists
 * one unavailable {@code opencl} entry with the reason; nothing is thrown and nothing native is
 * touched at class-load time.
 */
public final class OpenClProvider implements BackendProvider {
    private final String library;

    /** The provider used by {@code Devices}: libraries from {@code ember.opencl.library} or the OS defaults. */
    public OpenClProvider() {
        this(null);
    }

    /**
     * A provider that insists on one ICD loader library name (for tests of the unavailable path).
     * When that library cannot be loaded, probing reports it unavailable.
     */
    public OpenClProvider(String library) {
        this.library = library;
    }

    @Override
    public String kind() {
        return "opencl";
    }

    @Override
    public List<DeviceInfo> probe() {
        try {
            if (library != null) {
                String err = OpenClLoader.tryLibrary(library);
                if (err != null) {
                    return List.of(DeviceInfo.unavailable("opencl", "opencl", "no OpenCL ICD loader: " + err));
                }
            }
            OpenClLoader.Discovery d = OpenClLoader.discover();
            if (d.devices().isEmpty()) {
                return List.of(DeviceInfo.unavailable("opencl", "opencl", d.reason()));
            }
            List<DeviceInfo> out = new ArrayList<>();
            for (OpenClLoader.ClDevice dev : d.devices()) {
                String name = "opencl:" + dev.index();
                out.add(dev.usable() ? DeviceInfo.available(name, "opencl", dev.gpu(), dev.describe())
                        : DeviceInfo.unavailable(name, "opencl", dev.name() + ": " + dev.reason()));
            }
            return out;
        } catch (Throwable e) {
            return List.of(DeviceInfo.unavailable("opencl", "opencl", "OpenCL probe failed: " + e));
        }
    }

    @Override
    public Backend open(int index) {
        OpenClLoader.Discovery d = OpenClLoader.discover();
        if (d.devices().isEmpty()) {
            throw new IllegalArgumentException("OpenCL unavailable: " + d.reason());
        }
        if (index < 0 || index >= d.devices().size()) {
            throw new IllegalArgumentException("no device opencl:" + index + " (there are " + d.devices().size() + ")");
        }
        OpenClLoader.ClDevice dev = d.devices().get(index);
        if (!dev.usable()) {
            throw new IllegalArgumentException("opencl:" + index + " is unavailable: " + dev.reason());
        }
        return new OpenClBackend(dev);
    }
}
