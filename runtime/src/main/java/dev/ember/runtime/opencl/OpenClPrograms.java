package dev.ember.runtime.opencl;

import static org.lwjgl.opencl.CL10.*;

import dev.ember.kernels.KernelSources;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * Builds kernel programs for one device, each (file, options) once: in memory for the life of the
 * backend, and as a compiled binary on disk under {@code <cache>/opencl/}, keyed by the platform,
 * device name, driver version, source hash and options. A binary that no longer loads is deleted
 * and rebuilt from source. A failed build throws {@link OpenClException} with the file name and
 * the compiler's log.
 */
final class OpenClPrograms implements AutoCloseable {
    private final long context;
    private final OpenClLoader.ClDevice device;
    private final String baseOptions;
    private final Path dir;
    private final Map<String, Long> programs = new HashMap<>();
    private final Map<String, Long> kernels = new HashMap<>();
    /** Families whose build failed, with the error: the same source and options fail again, so they are not rebuilt. */
    private final Map<String, OpenClException> failedBuilds = new HashMap<>();
    private int sourceBuilds;
    private int diskLoads;

    OpenClPrograms(long context, OpenClLoader.ClDevice device, String baseOptions, Path cacheDir) {
        this.context = context;
        this.device = device;
        this.baseOptions = baseOptions;
        this.dir = cacheDir == null ? null : cacheDir.resolve("opencl");
    }

    /** The cache root: {@code ember.cache.dir}, {@code EMBER_CACHE_DIR}, else {@code ~/.cache/ember}. */
    static Path defaultCacheDir() {
        String d = System.getProperty("ember.cache.dir");
        if (d == null || d.isBlank()) {
            d = System.getenv("EMBER_CACHE_DIR");
        }
        if (d != null && !d.isBlank()) {
            return Path.of(d);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ember");
    }

    Path directory() {
        return dir;
    }

    /** Compilations from source tried so far, failed ones included (the rest came from memory or disk). */
    int sourceBuilds() {
        return sourceBuilds;
    }

    /** Programs loaded from the on-disk binary cache so far. */
    int diskLoads() {
        return diskLoads;
    }

    /** Kernel {@code name} of kernel family {@code family} built with extra {@code defines} (e.g. "-DTS_M=64"). */
    long kernel(String family, String defines, String name) {
        String key = family + "|" + defines + "|" + name;
        Long k = kernels.get(key);
        if (k == null) {
            long program = program(family, defines);
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer err = stack.mallocInt(1);
                k = clCreateKernel(program, name, err);
                Cl.check(err, device.name() + ": clCreateKernel(" + name + ") in " + family + ".cl");
            }
            kernels.put(key, k);
        }
        return k;
    }

    /** The built program of a kernel family with extra defines. */
    long program(String family, String defines) {
        String key = family + "|" + defines;
        Long p = programs.get(key);
        if (p == null) {
            OpenClException failed = failedBuilds.get(key);
            if (failed != null) {
                // the same source and options fail the same way: report it without compiling again
                throw new OpenClException(failed.getMessage(), failed.code());
            }
            try {
                p = build(family + ".cl", KernelSources.load(family), options(defines));
            } catch (OpenClException e) {
                // Only a failure of the source or options is certain to repeat; out of memory or
                // resources while building may not.
                if (e.code() == CL_BUILD_PROGRAM_FAILURE || e.code() == CL_INVALID_BUILD_OPTIONS
                        || e.code() == CL_COMPILER_NOT_AVAILABLE) {
                    failedBuilds.put(key, e);
                }
                throw e;
            }
            programs.put(key, p);
        }
        return p;
    }

    private String options(String defines) {
        return (baseOptions + " " + defines).trim();
    }

    /** Builds {@code source} (named {@code file} in messages), from the disk cache when possible. */
    long build(String file, String source, String options) {
        String key = KernelSources.sha256(String.join("\n", "ember-opencl-v1", device.platformName(), device.name(),
                device.vendor(), device.driver(), device.version(), KernelSources.sha256(source), options));
        Path bin = dir == null ? null : dir.resolve(file.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + key.substring(0, 24) + ".bin");
        if (bin != null && Files.isRegularFile(bin)) {
            long p = fromBinary(bin, options);
            if (p != 0) {
                diskLoads++;
                return p;
            }
            try {
                Files.deleteIfExists(bin);
            } catch (IOException ignored) {
                // a stale binary that cannot be deleted is rebuilt from source each time
            }
        }
        sourceBuilds++; // counted when tried, so that tests see a failed build too
        long p = fromSource(file, source, options);
        if (bin != null) {
            store(p, bin);
        }
        return p;
    }

    private long fromSource(String file, String source, String options) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long program = clCreateProgramWithSource(context, source, err);
            Cl.check(err, device.name() + ": clCreateProgramWithSource(" + file + ")");
            int rc = clBuildProgram(program, device.device(), options, null, 0);
            if (rc != CL_SUCCESS) {
                String log = buildLog(program);
                clReleaseProgram(program);
                throw new OpenClException("OpenCL build of " + file + " failed on " + device.name() + " (CL error " + rc
                        + " " + Cl.errorName(rc) + "), options [" + options + "]; compiler log:\n" + log, rc);
            }
            return program;
        }
    }

    /** A program from a cached binary, or 0 when the binary is rejected (then it is rebuilt from source). */
    private long fromBinary(Path bin, String options) {
        ByteBuffer data = null;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            byte[] bytes = Files.readAllBytes(bin);
            data = MemoryUtil.memAlloc(bytes.length);
            data.put(bytes).flip();
            IntBuffer status = stack.mallocInt(1);
            IntBuffer err = stack.mallocInt(1);
            PointerBuffer devs = stack.mallocPointer(1).put(0, device.device());
            long program = clCreateProgramWithBinary(context, devs, data, status, err);
            if (err.get(0) != CL_SUCCESS || status.get(0) != CL_SUCCESS) {
                if (program != 0) {
                    clReleaseProgram(program);
                }
                return 0;
            }
            if (clBuildProgram(program, device.device(), options, null, 0) != CL_SUCCESS) {
                clReleaseProgram(program);
                return 0;
            }
            return program;
        } catch (IOException | RuntimeException e) {
            return 0;
        } finally {
            if (data != null) {
                MemoryUtil.memFree(data);
            }
        }
    }

    /** Writes the program's binary to {@code bin} (atomically); a failure only costs a rebuild next time. */
    private void store(long program, Path bin) {
        ByteBuffer data = null;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer sizes = stack.mallocPointer(1);
            if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizes, null) != CL_SUCCESS || sizes.get(0) <= 0) {
                return;
            }
            int size = Math.toIntExact(sizes.get(0));
            data = MemoryUtil.memAlloc(size);
            PointerBuffer ptrs = stack.mallocPointer(1).put(0, MemoryUtil.memAddress(data));
            if (clGetProgramInfo(program, CL_PROGRAM_BINARIES, ptrs, null) != CL_SUCCESS) {
                return;
            }
            byte[] bytes = new byte[size];
            data.get(0, bytes);
            Files.createDirectories(bin.getParent());
            Path tmp = Files.createTempFile(bin.getParent(), ".tmp-", ".bin");
            Files.write(tmp, bytes);
            Files.move(tmp, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // The disk cache is an optimisation only.
        } finally {
            if (data != null) {
                MemoryUtil.memFree(data);
            }
        }
    }

    private String buildLog(long program) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            if (clGetProgramBuildInfo(program, device.device(), CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size) != CL_SUCCESS) {
                return "(no build log)";
            }
            ByteBuffer buf = MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                clGetProgramBuildInfo(program, device.device(), CL_PROGRAM_BUILD_LOG, buf, null);
                return MemoryUtil.memUTF8(buf, Math.max(0, (int) size.get(0) - 1)).trim();
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    /** Releases a program built by {@link #build} outside the family cache (tuner candidates, tests). */
    static void releaseProgram(long program) {
        clReleaseProgram(program);
    }

    @Override
    public void close() {
        for (long k : kernels.values()) {
            clReleaseKernel(k);
        }
        for (long p : programs.values()) {
            clReleaseProgram(p);
        }
        kernels.clear();
        programs.clear();
    }
}
