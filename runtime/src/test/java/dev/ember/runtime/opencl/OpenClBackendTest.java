package dev.ember.runtime.opencl;

import static dev.ember.runtime.opencl.OpenClTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.kernels.KernelSources;
import dev.ember.runtime.Activation;
import dev.ember.runtime.BinaryOp;
import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenCL backend's machinery: discovery, build errors, program and tuning caches, pool, transfers. */
class OpenClBackendTest {
    static List<String> devices() {
        return OpenClTestSupport.devices();
    }

    @Test
    void missingIcdLoaderIsReportedUnavailableNotThrown() {
        String bogus = "libEmberNoSuchOpenCL.so.9";
        List<DeviceInfo> infos = new OpenClProvider(bogus).probe();
        assertEquals(1, infos.size());
        DeviceInfo d = infos.get(0);
        assertFalse(d.available());
        assertEquals("opencl", d.kind());
        assertTrue(d.reason().contains(bogus), d.reason());
        assertNotNull(OpenClLoader.tryLibrary(bogus));
    }

    @Test
    void theUntunedNoticeCanBeTurnedOff() {
        String key = "ember.opencl.untunedNotice";
        String before = System.getProperty(key);
        try {
            System.clearProperty(key);
            assertTrue(OpenClTuner.untunedNoticeWanted());
            for (String off : new String[] {"off", "FALSE", " 0 "}) {
                System.setProperty(key, off);
                assertFalse(OpenClTuner.untunedNoticeWanted(), off);
            }
            System.setProperty(key, "on");
            assertTrue(OpenClTuner.untunedNoticeWanted());
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    /**
     * Drivers allocate lazily, so an enqueue (upload, download, copy, fill, launch) can report the
     * device out of memory: it is run again once after the buffer cache is emptied, and only then.
     */
    @Test
    void anEnqueueOutOfMemoryIsRetriedOnceAfterTheCacheIsFreed() {
        for (int oom : new int[] {-4, -5}) { // MEM_OBJECT_ALLOCATION_FAILURE, OUT_OF_RESOURCES
            int[] calls = {0}, frees = {0};
            int err = OpenClBackend.retryOnMemory(() -> ++calls[0] == 1 ? oom : 0, 4096, () -> frees[0]++);
            assertEquals(0, err, "succeeds on the retry");
            assertEquals(2, calls[0]);
            assertEquals(1, frees[0]);

            calls[0] = 0;
            frees[0] = 0;
            assertEquals(oom, OpenClBackend.retryOnMemory(() -> ++calls[0] == 0 ? 0 : oom, 4096, () -> frees[0]++),
                    "a second failure is returned, not retried again");
            assertEquals(2, calls[0]);

            calls[0] = 0;
            frees[0] = 0;
            assertEquals(oom, OpenClBackend.retryOnMemory(() -> ++calls[0] == 0 ? 0 : oom, 0, () -> frees[0]++),
                    "nothing cached: nothing to free, no retry");
            assertEquals(1, calls[0]);
            assertEquals(0, frees[0]);
        }
        int[] calls = {0};
        assertEquals(-30, OpenClBackend.retryOnMemory(() -> ++calls[0] == 0 ? 0 : -30, 4096, () -> { }),
                "INVALID_VALUE is not a memory error");
        assertEquals(1, calls[0]);
    }

    /** A tuning trial whose third buffer cannot be had releases the first two, and only those. */
    @Test
    void aTunerTrialReleasesItsBuffersWhenALaterOneFails() {
        List<Storage> made = new java.util.ArrayList<>(), released = new java.util.ArrayList<>();
        IllegalStateException oom = assertThrows(IllegalStateException.class, () -> OpenClTuner.allocateAll(n -> {
            if (made.size() == 2) {
                throw new IllegalStateException("out of device memory allocating " + n);
            }
            Storage s = new Storage() {
                @Override
                public long elements() {
                    return n;
                }
            };
            made.add(s);
            return s;
        }, released::add, 5, 7, 11, 13));
        assertTrue(oom.getMessage().contains("allocating 11"), oom.getMessage());
        assertEquals(made, released);
        assertEquals(2, released.size());
    }

    @Test
    void discoveryNeverThrowsAndListsOpenClDevices() {
        List<DeviceInfo> infos = new OpenClProvider().probe();
        assertFalse(infos.isEmpty());
        for (DeviceInfo d : infos) {
            assertEquals("opencl", d.kind());
            assertTrue(d.available() || !d.reason().isBlank(), d.toString());
        }
        assertTrue(Devices.list().stream().anyMatch(d -> d.kind().equals("opencl")));
        boolean devSymlink = java.util.stream.Stream.of("/usr/lib/x86_64-linux-gnu/libOpenCL.so", "/usr/lib/libOpenCL.so",
                "/usr/lib64/libOpenCL.so").anyMatch(f -> Files.exists(Path.of(f)));
        if (infos.get(0).available() && !devSymlink && System.getProperty("os.name").startsWith("Linux")) {
            // only the ICD loader's soname is installed: LWJGL must have been pointed at it
            assertEquals("libOpenCL.so.1", OpenClLoader.loadedLibrary());
        }
    }

    @Test
    void versionParsing() {
        assertTrue(OpenClLoader.atLeast12("OpenCL 1.2 pocl"));
        assertTrue(OpenClLoader.atLeast12("OpenCL 3.0 CUDA"));
        assertFalse(OpenClLoader.atLeast12("OpenCL 1.1 Mesa"));
        assertFalse(OpenClLoader.atLeast12("garbage"));
    }

    /** PoCL 3.x gets gemm.cl's plain tile loops (it miscompiles the other form); PoCL 5 and GPUs do not. */
    @Test
    void gemmLoopFormFollowsThePoclVersion() {
        assertTrue(OpenClBackend.gemmPlainLoops(device("Portable Computing Language", "3.1+debian")));
        assertFalse(OpenClBackend.gemmPlainLoops(device("Portable Computing Language", "5.0+debian")));
        assertFalse(OpenClBackend.gemmPlainLoops(device("Portable Computing Language", "unknown")));
        assertFalse(OpenClBackend.gemmPlainLoops(device("NVIDIA CUDA", "580.159.04")));
    }

    private static OpenClLoader.ClDevice device(String platform, String driver) {
        return new OpenClLoader.ClDevice(0, 0, 0, platform, "dev", "vendor", driver, "OpenCL 3.0", false, true, "");
    }

    @Test
    void activationAndBinaryCodesMatchTheKernelHeader() {
        String h = KernelSources.raw("ember_common.h");
        for (Activation a : Activation.values()) {
            assertTrue(h.contains("#define EMBER_ACT_" + a.name() + " " + a.code()), a.name());
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertTrue(h.contains("#define EMBER_OP_" + op.name() + " " + op.code()), op.name());
        }
    }

    @ParameterizedTest(name = "[{0}] a broken kernel source fails with the compiler log and the file name")
    @MethodSource("devices")
    void brokenKernelCarriesBuildLog(String device) {
        OpenClBackend cl = cl();
        String src = "__kernel void broken(__global float *x) { x[0] = ember_no_such_symbol_42 + 1.0f; }\n";
        OpenClException e = assertThrows(OpenClException.class, () -> cl.programs().build("broken_test.cl", src, ""));
        assertTrue(e.getMessage().contains("broken_test.cl"), e.getMessage());
        assertTrue(e.getMessage().contains("ember_no_such_symbol_42"), "no compiler log in: " + e.getMessage());
        assertTrue(e.getMessage().contains("compiler log"), e.getMessage());
    }

    @ParameterizedTest(name = "[{0}] a family that fails to build is not compiled again")
    @MethodSource("devices")
    void aFailedBuildIsReportedAgainWithoutRecompiling(String device, @TempDir Path dir) {
        OpenClBackend cl = cl();
        try (OpenClPrograms programs = new OpenClPrograms(cl.context(), cl.device(), "", dir)) {
            // every float declaration of the family becomes void: a compile error
            OpenClException first = assertThrows(OpenClException.class, () -> programs.program("elementwise", "-Dfloat=void"));
            assertEquals(1, programs.sourceBuilds());
            OpenClException again = assertThrows(OpenClException.class, () -> programs.program("elementwise", "-Dfloat=void"));
            assertEquals(first.getMessage(), again.getMessage());
            assertEquals(1, programs.sourceBuilds(), "the second request must not compile again");
        }
    }

    @ParameterizedTest(name = "[{0}] compiled programs are cached on disk and reloaded")
    @MethodSource("devices")
    void diskCacheStoresAndReloadsBinaries(String device, @TempDir Path dir) throws Exception {
        OpenClBackend cl = cl();
        String src = "__kernel void twice(__global float *x) { x[get_global_id(0)] *= 2.0f; }\n";
        try (OpenClPrograms first = new OpenClPrograms(cl.context(), cl.device(), "", dir)) {
            long p = first.build("cache_probe.cl", src, "");
            OpenClPrograms.releaseProgram(p);
            assertEquals(1, first.sourceBuilds());
        }
        try (var files = Files.list(dir.resolve("opencl"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("cache_probe.cl-")), "no binary stored");
        }
        try (OpenClPrograms second = new OpenClPrograms(cl.context(), cl.device(), "", dir)) {
            long p = second.build("cache_probe.cl", src, "");
            OpenClPrograms.releaseProgram(p);
            assertEquals(0, second.sourceBuilds());
            assertEquals(1, second.diskLoads());
        }
        // a corrupt binary is discarded and rebuilt from source
        try (var files = Files.list(dir.resolve("opencl"))) {
            for (Path f : files.toList()) {
                Files.write(f, new byte[] {1, 2, 3});
            }
        }
        try (OpenClPrograms third = new OpenClPrograms(cl.context(), cl.device(), "", dir)) {
            long p = third.build("cache_probe.cl", src, "");
            OpenClPrograms.releaseProgram(p);
            assertEquals(1, third.sourceBuilds());
        }
    }

    @ParameterizedTest(name = "[{0}] the tuner checks, times and saves a winner as JSON")
    @MethodSource("devices")
    void tunerSavesWinner(String device, @TempDir Path dir) throws Exception {
        OpenClBackend cl = cl();
        OpenClTuner.Result r = OpenClTuner.tune(cl, List.of(GemmConfig.DEFAULT), 64, null);
        assertEquals(GemmConfig.DEFAULT, r.best());
        assertTrue(r.gflops() > 0);
        Path file = dir.resolve("tuning.json");
        OpenClTuner.save(cl, r, file);
        String json = Files.readString(file);
        assertEquals(GemmConfig.DEFAULT, GemmConfig.parse(json));
        assertTrue(json.contains(cl.device().name()), json);
        assertThrows(IllegalArgumentException.class, () -> new GemmConfig(30, 32, 16, 4, 4, 4));
        // a candidate that fails the correctness check can never win, however fast
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> OpenClTuner.tune(cl, List.of(GemmConfig.DEFAULT), 64, null, (b, cfg) -> "C[0,0] = 1, expected 2"));
        assertTrue(none.getMessage().contains("REJECTED"), none.getMessage());
        assertNotNull(cl.gemmConfig());
    }

    @ParameterizedTest(name = "[{0}] errors name the kernels enqueued before them; -Dember.opencl.sync is honoured")
    @MethodSource("devices")
    void errorsNameTheKernelsBeforeThemAndSyncModeRuns(String device) {
        OpenClBackend cl = cl();
        assertFalse(cl.synchronous(), "asynchronous unless asked for");
        dev.ember.runtime.Storage x = cl.allocate(64), y = cl.allocate(64);
        try {
            cl.fill(x, 0, 64, -1.5f);
            cl.activation(dev.ember.runtime.Activation.RELU, 0f, x, y, 64);
            // A read past the end fails at once; the message lists the kernels enqueued before it,
            // which is what a late (asynchronous) kernel fault needs to be traced.
            OpenClException e = assertThrows(OpenClException.class, () -> cl.download(y, 1L << 40, new float[4], 0, 4));
            assertTrue(e.getMessage().contains("download of 4 floats") && e.getMessage().contains("(after ")
                    && e.getMessage().contains("act_forward"), e.getMessage());
        } finally {
            cl.release(x);
            cl.release(y);
        }
        String before = System.getProperty("ember.opencl.sync");
        System.setProperty("ember.opencl.sync", "true");
        try (OpenClBackend syncCl = (OpenClBackend) new OpenClProvider().open(0)) {
            assertTrue(syncCl.synchronous(), "-Dember.opencl.sync=true read when the backend opens");
            dev.ember.runtime.Storage a = syncCl.allocate(6), b = syncCl.allocate(6);
            syncCl.upload(new float[] {-1, 2, -3, 4, -5, 6}, 0, a, 0, 6);
            syncCl.activation(dev.ember.runtime.Activation.RELU, 0f, a, b, 6);
            assertArrayEquals(new float[] {0, 2, 0, 4, 0, 6}, download(syncCl, b, 6));
        } finally {
            if (before == null) {
                System.clearProperty("ember.opencl.sync");
            } else {
                System.setProperty("ember.opencl.sync", before);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] pool buckets and reuses buffers")
    @MethodSource("devices")
    void poolReusesBuffers(String device) {
        OpenClBackend cl = cl();
        assertEquals(256, OpenClPool.bucket(1));
        assertEquals(1024, OpenClPool.bucket(1000));
        assertEquals(9 << 17, OpenClPool.bucket((1 << 20) + 1));
        // A limit that is no bucket size (20e9 bytes): a request just under it is not rounded past it.
        assertEquals(21_474_836_480L, OpenClPool.bucket(19_500_000_000L));
        assertEquals(20_000_000_000L, OpenClPool.bucket(19_500_000_000L, 20_000_000_000L));
        assertEquals(1024, OpenClPool.bucket(1000, 20_000_000_000L));
        Storage a = cl.allocate(1000);
        long cached = cl.pool().cachedBytes();
        long mem = ((OpenClStorage) a).mem;
        cl.release(a);
        assertEquals(cached + 4096, cl.pool().cachedBytes());
        Storage b = cl.allocate(1001);
        assertEquals(mem, ((OpenClStorage) b).mem, "same bucket should reuse the buffer");
        assertEquals(1001, b.elements());
        cl.release(b);
        assertThrows(IllegalArgumentException.class, () -> cl.allocate(Long.MAX_VALUE / 8));
    }

    @ParameterizedTest(name = "[{0}] upload, download, copy (also overlapping) and fill with offsets")
    @MethodSource("devices")
    void transfers(String device) {
        OpenClBackend cl = cl();
        float[] data = new float[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        Storage s = cl.allocate(100);
        try {
            cl.upload(data, 0, s, 0, 100);
            cl.upload(new float[] {-1, -2, -3}, 1, s, 10, 2);
            float[] out = new float[5];
            cl.download(s, 9, out, 1, 3);
            assertArrayEquals(new float[] {0, 9, -2, -3, 0}, out);
            cl.copy(s, 0, s, 5, 20); // overlapping: as if through a temporary
            float[] all = download(cl, s, 100);
            assertEquals(0f, all[5]);
            assertEquals(4f, all[9]);
            assertEquals(19f, all[24]);
            cl.fill(s, 50, 10, 7.5f);
            all = download(cl, s, 100);
            assertEquals(49f, all[49]);
            assertEquals(7.5f, all[50]);
            assertEquals(7.5f, all[59]);
            assertEquals(60f, all[60]);
            cl.synchronize();
        } finally {
            cl.release(s);
        }
    }
}
