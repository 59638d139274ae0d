package dev.ember.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the CUDA-only SGEMM kernels (src/main/cuda/gemm_cuda.cu) on the host through the small CUDA
 * emulation in kernels/cuda/emu, compiled with g++: every transpose case, both tile shapes, awkward
 * sizes, alpha/beta/bias/activation against float64, with out-of-bounds reads and writes caught.
 * This checks the kernel's indexing where no GPU is present; on a GPU the op suite covers it again.
 * Three builds, as the three packed images configure the 128-tiles: BK = 8 (sm_80 cubin, PTX),
 * BK = 16, and BK = 16 with the cp.async NN/TN kernels of the sm_90 cubin (both copy orders).
 */
class GemmCudaEmulationTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();

    private static int run(List<String> cmd, Path log, long timeoutS) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd.get(0) + " timed out after " + timeoutS + " s");
        }
        return p.exitValue();
    }

    private static boolean hasGpp() {
        try {
            return new ProcessBuilder("g++", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * The 128-tiles as each image builds them: "bk8" the sm_80 cubin and the PTX (sgemm_tile, BK = 8),
     * "bk16" sgemm_tile with BK = 16 (the sm_90 cubin's NT/TT), "cp" the sm_90 cubin's NN/TN
     * (sgemm_cp_tile: B by cp.async into a 4-stage ring), run with both cp.async copy orders.
     */
    @ParameterizedTest(name = "128-tiles: {0}")
    @ValueSource(strings = {"bk8", "bk16", "cp"})
    void sgemmKernelsMatchFloat64OnTheHost(String config) throws Exception {
        Assumptions.assumeTrue(hasGpp(), "g++ not found: the host emulation of gemm_cuda.cu needs a C++20 compiler");
        Path dir = Files.createDirectories(MODULE.resolve("target/emu"));
        Path exe = dir.resolve("gemm_cuda_emu_test_" + config);
        Path log = dir.resolve("build_" + config + ".log");
        List<String> defines = switch (config) {
            case "bk8" -> List.of("-DEMBER_SGEMM128_BK=8", "-DEMBER_SGEMM128_CP=0");
            case "bk16" -> List.of("-DEMBER_SGEMM128_BK=16", "-DEMBER_SGEMM128_CP=0");
            case "cp" -> List.of("-DEMBER_SGEMM128_BK=16", "-DEMBER_SGEMM128_CP=1");
            default -> throw new IllegalArgumentException(config);
        };
        List<String> cmd = new ArrayList<>(List.of("g++", "-std=c++20", "-O1", "-pthread", "-Wno-unknown-pragmas"));
        cmd.addAll(defines);
        cmd.addAll(List.of("-I" + MODULE.resolve("src/main/resources/dev/ember/kernels"), "-I" + MODULE.resolve("cuda/emu"),
                "-o", exe.toString(), MODULE.resolve("cuda/emu/gemm_cuda_emu_test.cpp").toString()));
        int rc = run(cmd, log, 300);
        assertEquals(0, rc, "g++ failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
        Path out = dir.resolve("run_" + config + ".log");
        rc = run(List.of(exe.toString()), out, 300);
        String text = Files.readString(out, StandardCharsets.UTF_8);
        System.out.println(text.strip());
        assertEquals(0, rc, "gemm_cuda emulation failed:\n" + text);
    }
}
