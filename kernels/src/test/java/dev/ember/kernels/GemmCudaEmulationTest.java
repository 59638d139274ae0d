package dev.ember.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The 128-tiles' K step is 16 in the sm_90 cubin and 8 in the sm_80 cubin and the PTX: both run here. */
    @ParameterizedTest(name = "128-tiles with BK = {0}")
    @ValueSource(ints = {8, 16})
    void sgemmKernelsMatchFloat64OnTheHost(int bk) throws Exception {
        Assumptions.assumeTrue(hasGpp(), "g++ not found: the host emulation of gemm_cuda.cu needs a C++20 compiler");
        Path dir = Files.createDirectories(MODULE.resolve("target/emu"));
        Path exe = dir.resolve("gemm_cuda_emu_test_bk" + bk);
        Path log = dir.resolve("build_bk" + bk + ".log");
        int rc = run(List.of("g++", "-std=c++20", "-O1", "-pthread", "-Wno-unknown-pragmas", "-DEMBER_SGEMM128_BK=" + bk,
                "-I" + MODULE.resolve("src/main/resources/dev/ember/kernels"), "-I" + MODULE.resolve("cuda/emu"),
                "-o", exe.toString(), MODULE.resolve("cuda/emu/gemm_cuda_emu_test.cpp").toString()), log, 300);
        assertEquals(0, rc, "g++ failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
        Path out = dir.resolve("run_bk" + bk + ".log");
        rc = run(List.of(exe.toString()), out, 300);
        String text = Files.readString(out, StandardCharsets.UTF_8);
        System.out.println(text.strip());
        assertEquals(0, rc, "gemm_cuda emulation failed:\n" + text);
    }
}
