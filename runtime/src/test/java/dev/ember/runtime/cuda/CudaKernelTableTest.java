package dev.ember.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The backend's kernel table against the packed PTX (no GPU needed): every kernel exists in its
 * module with exactly the parameter types the launcher passes, every module has its PTX and both
 * cubins on the class path, and cubin selection follows CUDA's binary compatibility rules.
 */
class CudaKernelTableTest {

    /** PTX parameter types of kernel {@code symbol} in a PTX text, in order. */
    static List<String> ptxParams(String ptx, String symbol) {
        Matcher m = Pattern.compile("\\.entry\\s+" + Pattern.quote(symbol) + "\\s*\\(([^)]*)\\)").matcher(ptx);
        if (!m.find()) {
            return null;
        }
        List<String> types = new ArrayList<>();
        Matcher p = Pattern.compile("\\.param\\s+(\\.\\w+)").matcher(m.group(1));
        while (p.find()) {
            types.add(p.group(1));
        }
        return types;
    }

    @Test
    void everyKernelMatchesItsPtxSignature() {
        for (CudaKernel k : CudaKernel.values()) {
            CudaImages.Image img = CudaImages.read(CudaImages.ptxFor(k.module()));
            assertTrue(img.ptx() && img.data()[img.data().length - 1] == 0, "PTX must be NUL-terminated for cuModuleLoadData");
            String ptx = new String(img.data(), 0, img.data().length - 1, StandardCharsets.UTF_8);
            List<String> types = ptxParams(ptx, k.symbol());
            assertNotNull(types, k.symbol() + " missing from " + k.module() + ".ptx (not extern \"C\"?)");
            assertEquals(k.signature().length(), types.size(), k + " parameter count: PTX has " + types);
            for (int i = 0; i < types.size(); i++) {
                String want = switch (k.signature().charAt(i)) {
                    case 'p', 'j' -> ".u64";
                    case 'i' -> ".u32";
                    case 'f' -> ".f32";
                    default -> "?";
                };
                String got = types.get(i).equals(".s32") ? ".u32" : types.get(i).equals(".s64") ? ".u64" : types.get(i);
                if (!want.equals(got)) {
                    fail(k + " parameter " + i + ": Java passes '" + k.signature().charAt(i) + "' (" + want + "), PTX declares "
                            + types.get(i));
                }
            }
        }
    }

    /**
     * The dynamic shared memory the host passes to the sm_90 cp.async SGEMMs is the size gemm_cuda.cu
     * declares (EMBER_SGEMM128_CP_SMEM_BYTES, which a static_assert ties to the kernel's buffers). Read
     * from the kernels module's source, so it runs in the source tree only.
     */
    @Test
    void sm90SharedMemoryMatchesTheKernelSource() throws IOException {
        Path src = Path.of("").toAbsolutePath().resolveSibling("kernels")
                .resolve("src/main/cuda/gemm_cuda.cu");
        Assumptions.assumeTrue(Files.exists(src), "no kernel source at " + src);
        Matcher m = Pattern.compile("#define EMBER_SGEMM128_CP_SMEM_BYTES (\\d+)").matcher(Files.readString(src));
        assertTrue(m.find(), "EMBER_SGEMM128_CP_SMEM_BYTES missing from " + src);
        assertEquals(Integer.parseInt(m.group(1)), CudaKernel.SGEMM128_SM90_SHARED_BYTES);
        for (CudaKernel k : CudaKernel.values()) {
            int bytes = k.dynamicSharedBytes(CudaImages.ROOT + k.module() + ".sm_90.cubin");
            boolean cp = k == CudaKernel.SGEMM128_NN || k == CudaKernel.SGEMM128_TN;
            assertEquals(cp ? CudaKernel.SGEMM128_SM90_SHARED_BYTES : 0, bytes, k.symbol());
        }
    }

    @Test
    void everyModuleHasPtxAndCubinsForBothArchitectures() {
        for (String module : CudaKernel.modules()) {
            assertTrue(CudaImages.read(CudaImages.ptxFor(module)).data().length > 100, module);
            for (int arch : new int[] {80, 90}) {
                CudaImages.Image c = CudaImages.read(CudaImages.ROOT + module + ".sm_" + arch + ".cubin");
                byte[] d = c.data();
                assertTrue(d.length > 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F', module + " sm_" + arch
                        + " is not an ELF cubin");
            }
        }
    }

    @Test
    void cubinSelectionFollowsBinaryCompatibility() {
        String forced = System.clearProperty("ember.cuda.image"); // the bundle reruns the tests with =ptx
        try {
            cubinRules();
        } finally {
            if (forced != null) {
                System.setProperty("ember.cuda.image", forced);
            }
        }
        assertEquals(forced != null && forced.equals("ptx"), CudaImages.cubinFor("gemm", 9, 0) == null);
    }

    private static void cubinRules() {
        assertEquals(CudaImages.ROOT + "gemm.sm_80.cubin", CudaImages.cubinFor("gemm", 8, 0));
        assertEquals(CudaImages.ROOT + "gemm.sm_80.cubin", CudaImages.cubinFor("gemm", 8, 6));
        assertEquals(CudaImages.ROOT + "gemm.sm_80.cubin", CudaImages.cubinFor("gemm", 8, 9));
        assertEquals(CudaImages.ROOT + "gemm.sm_90.cubin", CudaImages.cubinFor("gemm", 9, 0));
        assertNull(CudaImages.cubinFor("gemm", 7, 5), "Turing runs the PTX");
        assertNull(CudaImages.cubinFor("gemm", 10, 0), "Blackwell runs the PTX");
        assertNull(CudaImages.cubinFor("gemm", 12, 0));
        assertTrue(CudaImages.supported(7, 5) && CudaImages.supported(12, 0));
        assertTrue(!CudaImages.supported(7, 0) && !CudaImages.supported(6, 1), "below the PTX target");
    }

    @Test
    void driverVersionCheckNamesTheMinimumDriver() {
        assertNull(CudaErrors.driverTooOld(13000));
        assertNull(CudaErrors.driverTooOld(13020));
        String why = CudaErrors.driverTooOld(12040);
        assertTrue(why.contains("12.4") && why.contains("580") && why.contains("13.0"), why);
        assertTrue(CudaErrors.describe(CudaErrors.CUDA_ERROR_UNSUPPORTED_PTX_VERSION).contains("580"));
        assertTrue(CudaErrors.describe(CudaErrors.CUDA_ERROR_INSUFFICIENT_DRIVER).contains("580"));
        // Every context-killing kernel fault is named and points at the synchronous mode.
        for (int code = 714; code <= 719; code++) {
            String d = CudaErrors.describe(code);
            assertTrue(d.startsWith("CUDA_ERROR_") && d.contains("ember.cuda.sync"), d);
        }
        assertTrue(CudaErrors.describe(700).contains("ember.cuda.sync") && CudaErrors.describe(702).contains("watchdog"));
        assertTrue(CudaErrors.describe(CudaErrors.CUDA_ERROR_NO_DEVICE).startsWith("CUDA_ERROR_NO_DEVICE: no CUDA-capable"));
        assertEquals("CUresult 12345", CudaErrors.describe(12345));
    }

    @Test
    void loadFailuresAreTranslatedToOneReadableLine() {
        UnsatisfiedLinkError inner = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
                + "Operating system name: Linux\n---(start of nested stack traces)---\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.0.0-linux-x86_64.so: libcuda.so.1: cannot open shared"
                + " object file: No such file or directory\n\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)");
        String why = CudaErrors.loadFailure(inner);
        assertEquals("the NVIDIA driver library libcuda.so.1 could not be loaded (is an NVIDIA driver installed?): "
                + "libcuda.so.1: cannot open shared object file: No such file or directory", why);
        String cublas = CudaErrors.loadFailure(new UnsatisfiedLinkError("Error while loading native library \"JCublas2-12.0.0\"\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCublas2-12.0.0-linux-x86_64.so: libcublas.so.12: cannot open shared"
                + " object file: No such file or directory\n\tat x.y(Z.java)"));
        assertEquals("a native library JCuda needs is missing: libcublas.so.12: cannot open shared object file: No such file"
                + " or directory", cublas);
        String other = CudaErrors.loadFailure(new ExceptionInInitializerError(new UnsatisfiedLinkError("no space\nline2")));
        assertEquals("the JCuda native library could not be loaded: UnsatisfiedLinkError: no space", other);
    }
}
