package dev.ember.runtime.cpu;

/**
 * Whether the CPU backend's Vector API paths can run: the JVM must have been started with
 * {@code --add-modules jdk.incubator.vector} and have 256-bit float vectors and fused
 * multiply-add in hardware ({@link CpuMath#HARDWARE_FMA}). Otherwise the GEMM and the activations
 * take their plain loops, slower but with the same results (without FMA, exp, tanh and sigmoid
 * also take Math's; see CpuMath). Its own class so that asking does not initialise the GEMM, and
 * so that a JVM without the module never loads a class that names a vector type.
 */
final class CpuVector {
    /** Why the Vector API paths are off, for the warning and the device description; null when on. */
    static final String MISSING = missing();
    static final boolean AVAILABLE = MISSING == null;

    private CpuVector() {
    }

    private static String missing() {
        if (!CpuMath.HARDWARE_FMA) {
            return "no hardware fused multiply-add (the JVM's UseFMA is off)";
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "no Vector API (start java with --add-modules jdk.incubator.vector)";
        }
        try {
            return CpuGemmKernel.S.vectorBitSize() <= jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize()
                    ? null : "no 256-bit float vectors on this CPU";
        } catch (LinkageError e) {
            return "the Vector API did not load (" + e + ")";
        }
    }
}
