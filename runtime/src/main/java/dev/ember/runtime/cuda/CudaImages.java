package dev.ember.runtime.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Chooses and reads the packed kernel image of a module for a GPU: the cubin built for its
 * architecture family when there is one (sm_80 runs on 8.x, sm_90 on 9.x), else the compute_75 PTX,
 * which the driver compiles just in time (Turing, Blackwell and newer). {@code -Dember.cuda.image=ptx}
 * forces the PTX everywhere (to test the JIT path). Pure Java: no JCuda.
 */
public final class CudaImages {
    /** Resource folder of the packed PTX and cubins (module ember-kernels). */
    public static final String ROOT = "/dev/ember/kernels/cuda/";
    /** The architecture of the packed PTX: GPUs below it cannot run the kernels. */
    public static final int MIN_COMPUTE_CAPABILITY = 75;
    /** Architectures with packed cubins. */
    static final int[] CUBIN_ARCHS = {80, 90};

    private CudaImages() {
    }

    /** One module image: the resource it came from and its bytes (PTX is NUL-terminated, as cuModuleLoadData needs). */
    public record Image(String resource, boolean ptx, byte[] data) {
    }

    /** The cubin resource name for a device of compute capability major.minor, or null to use the PTX. */
    public static String cubinFor(String module, int major, int minor) {
        if ("ptx".equalsIgnoreCase(System.getProperty("ember.cuda.image", ""))) {
            return null; // -Dember.cuda.image=ptx: exercise the driver's JIT path even where a cubin fits
        }
        for (int arch : CUBIN_ARCHS) {
            // A cubin runs on GPUs of the same major version and an equal or higher minor version.
            if (arch / 10 == major && arch % 10 <= minor) {
                return ROOT + module + ".sm_" + arch + ".cubin";
            }
        }
        return null;
    }

    /** The PTX resource name of a module. */
    public static String ptxFor(String module) {
        return ROOT + module + ".ptx";
    }

    /** Reads a resource, NUL-terminating PTX text; throws when the kernels jar lacks it. */
    public static Image read(String resource) {
        try (InputStream in = CudaImages.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("cuda: kernel image " + resource
                        + " missing from the class path (is ember-kernels on it?)");
            }
            byte[] b = in.readAllBytes();
            boolean ptx = resource.endsWith(".ptx");
            if (ptx) {
                byte[] z = java.util.Arrays.copyOf(b, b.length + 1);
                return new Image(resource, true, z);
            }
            return new Image(resource, false, b);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: reading " + resource, e);
        }
    }

    /** Whether a device of this compute capability can run the packed kernels at all. */
    public static boolean supported(int major, int minor) {
        return major * 10 + minor >= MIN_COMPUTE_CAPABILITY;
    }
}
