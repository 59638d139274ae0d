package dev.ember.runtime.cpu;

/**
 * Whether the CPU backend's Vector API paths can run: the JVM must have been started with
 * {@code --add-modules jdk.incubator.vector} and have 256-bit float vectors in hardware. Otherwise
 * the GEMM and the activations take their plain loops, slower but with the same results. Its own
 * class so that asking does not initialise the GEMM, and so that a JVM without the module never
 * loads a class that names a vector type.
 */
final class CpuVector {
    static final boolean AVAILABLE = available();

    private CpuVector() {
    }

    private static boolean available() {
        try {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                    && CpuGemmKernel.S.vectorBitSize() <= jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        } catch (LinkageError e) {
            return false;
        }
    }
}
