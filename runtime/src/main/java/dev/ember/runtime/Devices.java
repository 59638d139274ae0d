package dev.ember.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Device discovery and selection. {@code Devices.get("cpu" | "opencl[:i]" | "cuda[:i]")} opens a
 * device once per JVM; {@link #best()} picks CUDA, then an OpenCL GPU, then the CPU, unless the
 * system property {@code ember.device} or the variable {@code EMBER_DEVICE} names one.
 * Backends that cannot load are listed unavailable with the reason; nothing here throws at
 * class-load time.
 */
public final class Devices {
    /** Provider classes, loaded by name so that a backend whose classes or natives are missing is skipped. */
    private static final String[] PROVIDERS = {
        "dev.ember.runtime.cpu.CpuProvider",
        "dev.ember.runtime.cuda.CudaProvider",
        "dev.ember.runtime.opencl.OpenClProvider",
    };

    private static final Map<String, BackendProvider> providers = new LinkedHashMap<>();
    private static final Map<String, String> providerErrors = new LinkedHashMap<>();
    private static final Map<String, Device> open = new LinkedHashMap<>();
    private static List<DeviceInfo> cached;

    private Devices() {
    }

    private static synchronized void loadProviders() {
        if (!providers.isEmpty() || !providerErrors.isEmpty()) {
            return;
        }
        for (String cls : PROVIDERS) {
            String kind = cls.replaceAll(".*\\.runtime\\.([a-z]+)\\..*", "$1");
            try {
                BackendProvider p = (BackendProvider) Class.forName(cls).getDeclaredConstructor().newInstance();
                providers.put(p.kind(), p);
            } catch (ClassNotFoundException e) {
                providerErrors.put(kind, "backend not built into this distribution (" + cls + " missing)");
            } catch (Throwable e) {
                providerErrors.put(kind, "backend failed to load: " + e);
            }
        }
    }

    /**
     * Why a probe failed: a setting refused with {@link IllegalArgumentException} (EMBER_CPU_THREADS=abc)
     * by its message alone, as every other mistake is reported; anything else with its type.
     */
    static String probeFailure(Throwable e) {
        return "probe failed: " + (e instanceof IllegalArgumentException && e.getMessage() != null ? e.getMessage()
                : e.toString());
    }

    /** Every device found, available or not, in the order cpu, cuda, opencl. */
    public static synchronized List<DeviceInfo> list() {
        if (cached == null) {
            loadProviders();
            List<DeviceInfo> all = new ArrayList<>();
            for (BackendProvider p : providers.values()) {
                // Native probes may replace the JVM's signal handlers (PoCL's LLVM does): see SignalHandlers.
                SignalHandlers.restoreAfter(() -> {
                    try {
                        all.addAll(p.probe());
                    } catch (Throwable e) {
                        all.add(DeviceInfo.unavailable(p.kind(), p.kind(), probeFailure(e)));
                    }
                });
            }
            providerErrors.forEach((kind, why) -> all.add(DeviceInfo.unavailable(kind, kind, why)));
            cached = List.copyOf(all);
        }
        return cached;
    }

    /**
     * Information about one device by name (with or without index); never throws for unknown kinds
     * (a null or blank name is an {@link IllegalArgumentException}).
     */
    public static DeviceInfo info(String name) {
        String n = normalise(name);
        for (DeviceInfo d : list()) {
            if (d.name().equals(n) || (d.kind().equals(n) && !d.available() && d.name().equals(d.kind()))) {
                return d;
            }
        }
        String kind = n.contains(":") ? n.substring(0, n.indexOf(':')) : n;
        for (DeviceInfo d : list()) {
            if (d.kind().equals(kind) && !d.available() && d.name().equals(kind)) {
                return DeviceInfo.unavailable(n, kind, d.reason());
            }
        }
        return DeviceInfo.unavailable(n, kind, "no such device (known: " + knownNames() + ")");
    }

    private static String knownNames() {
        return String.join(", ", list().stream().map(DeviceInfo::name).toList());
    }

    private static String normalise(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("device name is " + (name == null ? "null" : "empty")
                    + "; expected cpu, opencl[:i] or cuda[:i]");
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if ((n.equals("opencl") || n.equals("cuda"))) {
            n = n + ":0";
        } else if (n.equals("cpu:0")) {
            n = "cpu"; // there is one CPU device; accept the indexed spelling the others use
        }
        return n;
    }

    /** Opens (once) and returns a device; throws {@link IllegalArgumentException} with the reason when unavailable. */
    public static synchronized Device get(String name) {
        String n = normalise(name);
        Device d = open.get(n);
        if (d != null) {
            return d; // shared: closing it does nothing (Device#close)
        }
        DeviceInfo info = info(n);
        if (!info.available()) {
            throw new IllegalArgumentException("device " + n + " is unavailable: " + info.reason());
        }
        BackendProvider p = providers.get(info.kind());
        int index = n.contains(":") ? Integer.parseInt(n.substring(n.indexOf(':') + 1)) : 0;
        Backend[] b = new Backend[1];
        SignalHandlers.restoreAfter(() -> b[0] = p.open(index));
        d = new Device(b[0], true);
        open.put(n, d);
        return d;
    }

    /** The CPU device, always available. */
    public static Device cpu() {
        return get("cpu");
    }

    /** The device named by {@code ember.device} / {@code EMBER_DEVICE}, else CUDA, else an OpenCL GPU, else the CPU. */
    public static Device best() {
        String forced = System.getProperty("ember.device");
        if (forced == null || forced.isBlank()) {
            forced = System.getenv("EMBER_DEVICE");
        }
        if (forced != null && !forced.isBlank()) {
            try {
                return get(forced);
            } catch (IllegalArgumentException e) {
                String from = System.getProperty("ember.device") != null && !System.getProperty("ember.device").isBlank()
                        ? "-Dember.device" : "EMBER_DEVICE";
                throw new IllegalArgumentException(from + "=" + forced + ": " + e.getMessage(), e);
            }
        }
        for (DeviceInfo d : list()) {
            if (d.available() && d.kind().equals("cuda")) {
                return get(d.name());
            }
        }
        for (DeviceInfo d : list()) {
            if (d.available() && d.kind().equals("opencl") && d.gpu()) {
                return get(d.name());
            }
        }
        return cpu();
    }
}
