package dev.ember.runtime.opencl;

import static org.lwjgl.opencl.CL10.*;

import dev.ember.runtime.SignalHandlers;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.Library;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.SharedLibrary;

/**
 * Finds the OpenCL ICD loader and the devices behind it, once per JVM. LWJGL looks for
 * {@code libOpenCL.so} by default, which only development packages install; end-user systems (and
 * Debian's {@code pocl-opencl-icd}) have just {@code libOpenCL.so.1}, so the candidates are tried in
 * turn and the one that loads is given to LWJGL explicitly. Nothing here throws: failures become a
 * reason string.
 */
final class OpenClLoader {
    /** A device found by discovery; {@code index} is its number in {@code opencl:index}. */
    record ClDevice(int index, long platform, long device, String platformName, String name, String vendor,
                    String driver, String version, boolean gpu, boolean usable, String reason) {
        String describe() {
            return name + " (" + vendor.trim() + ", " + platformName + ", " + version + ", driver " + driver + ")";
        }
    }

    /** Outcome of discovery: the devices, or why there are none. */
    record Discovery(List<ClDevice> devices, String reason) {
    }

    private static String loadedLibrary;
    private static String loadFailure;
    private static Discovery discovery;

    private OpenClLoader() {
    }

    /** Library names to try: {@code ember.opencl.library} / {@code EMBER_OPENCL_LIBRARY} first, then the OS defaults. */
    static List<String> candidates() {
        List<String> names = new ArrayList<>();
        String forced = System.getProperty("ember.opencl.library");
        if (forced == null || forced.isBlank()) {
            forced = System.getenv("EMBER_OPENCL_LIBRARY");
        }
        if (forced != null && !forced.isBlank()) {
            names.add(forced.trim());
            return names;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            names.add("OpenCL");
        } else if (os.contains("mac")) {
            names.add("/System/Library/Frameworks/OpenCL.framework/OpenCL");
        } else {
            // The ICD loader's soname first: every install has it, while libOpenCL.so (LWJGL's default)
            // comes only with development packages.
            names.add("libOpenCL.so.1");
            names.add("libOpenCL.so");
        }
        return names;
    }

    /** Null when {@code name} can be loaded as a native library, else why not. Loads and frees it again. */
    static String tryLibrary(String name) {
        try {
            SharedLibrary lib = Library.loadNative(OpenClLoader.class, "org.lwjgl.opencl", name);
            lib.free();
            return null;
        } catch (Throwable e) {
            return "cannot load the OpenCL ICD loader '" + name + "': " + e.getMessage();
        }
    }

    /** Loads the ICD loader into LWJGL once; null on success, else the reason. */
    static synchronized String ensureLoaded() {
        if (loadedLibrary != null) {
            return null;
        }
        if (loadFailure != null) {
            return loadFailure;
        }
        List<String> why = new ArrayList<>();
        for (String name : candidates()) {
            String err = tryLibrary(name);
            if (err != null) {
                why.add(err);
                continue;
            }
            try {
                Configuration.OPENCL_EXPLICIT_INIT.set(true);
                Configuration.OPENCL_LIBRARY_NAME.set(name);
                CL.create(name);
                loadedLibrary = name;
                return null;
            } catch (Throwable e) {
                why.add("LWJGL could not initialise OpenCL from '" + name + "': " + e);
            }
        }
        loadFailure = "no OpenCL ICD loader: " + String.join("; ", why);
        return loadFailure;
    }

    /** The library LWJGL uses, or null when none loaded. */
    static synchronized String loadedLibrary() {
        return loadedLibrary;
    }

    /**
     * Every OpenCL device across platforms (numbered in platform order), or the reason there are
     * none. Querying the platforms initialises the ICDs, and PoCL's LLVM then replaces the JVM's
     * signal handlers; {@link SignalHandlers#restoreAfter} puts them back (see there).
     */
    static synchronized Discovery discover() {
        if (discovery == null) {
            SignalHandlers.restoreAfter(OpenClLoader::discoverUnguarded);
        }
        return discovery;
    }

    private static void discoverUnguarded() {
        String err = ensureLoaded();
        if (err != null) {
            discovery = new Discovery(List.of(), err);
            return;
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int rc = clGetPlatformIDs(null, count);
            if (rc == -1001 || (rc == CL_SUCCESS && count.get(0) == 0)) {
                discovery = new Discovery(List.of(), "no OpenCL platform (CL error -1001 PLATFORM_NOT_FOUND_KHR from "
                        + loadedLibrary + "): install an ICD such as pocl-opencl-icd or a GPU driver");
                return;
            }
            Cl.check(rc, "clGetPlatformIDs");
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            Cl.check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
            List<ClDevice> devices = new ArrayList<>();
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String pname = Cl.platformString(platform, CL_PLATFORM_NAME);
                IntBuffer n = stack.mallocInt(1);
                int drc = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, n);
                if (drc == CL_DEVICE_NOT_FOUND || n.get(0) == 0) {
                    continue;
                }
                Cl.check(drc, "clGetDeviceIDs");
                PointerBuffer ids = stack.mallocPointer(n.get(0));
                Cl.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null), "clGetDeviceIDs");
                for (int d = 0; d < ids.capacity(); d++) {
                    long dev = ids.get(d);
                    String version = Cl.deviceString(dev, CL_DEVICE_VERSION);
                    boolean gpu = (Cl.deviceLong(dev, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0;
                    boolean available = Cl.deviceLong(dev, CL_DEVICE_AVAILABLE) != 0;
                    boolean compiler = Cl.deviceLong(dev, CL_DEVICE_COMPILER_AVAILABLE) != 0;
                    String reason = !available ? "device reports CL_DEVICE_AVAILABLE = false"
                            : !compiler ? "device has no OpenCL C compiler"
                            : !atLeast12(version) ? "needs OpenCL 1.2, device has " + version : "";
                    devices.add(new ClDevice(devices.size(), platform, dev, pname,
                            Cl.deviceString(dev, CL_DEVICE_NAME), Cl.deviceString(dev, CL_DEVICE_VENDOR),
                            Cl.deviceString(dev, CL_DRIVER_VERSION), version, gpu, reason.isEmpty(), reason));
                }
            }
            discovery = devices.isEmpty()
                    ? new Discovery(List.of(), "OpenCL platforms found but no devices")
                    : new Discovery(List.copyOf(devices), "");
        } catch (Throwable e) {
            discovery = new Discovery(List.of(), "OpenCL discovery failed: " + e);
        }
    }

    /** Whether an "OpenCL major.minor ..." version string is at least 1.2. */
    static boolean atLeast12(String version) {
        var m = java.util.regex.Pattern.compile("OpenCL (\\d+)\\.(\\d+)").matcher(version);
        if (!m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
        return major > 1 || (major == 1 && minor >= 2);
    }
}
