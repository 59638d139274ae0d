package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.ember.runtime.DeviceInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    /** Runs {@code ember bench} with {@code args}; returns {exit code, stderr}. */
    private static Object[] bench(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = BenchCommand.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        return new Object[] {rc, err.toString()};
    }

    @Test
    void usageErrorsReturnTwoWithOneLineAndAHint() {
        Object[] r = bench("--ops", "nope");
        assertEquals(2, r[0]);
        List<String> lines = ((String) r[1]).lines().toList();
        assertTrue(lines.get(0).startsWith("ember bench: unknown op 'nope'"), lines.toString());
        assertEquals(List.of("try 'ember bench --help'"), lines.subList(1, lines.size()));
    }

    @Test
    void unknownDevicesAreUsageErrorsBeforeAnythingRuns() {
        for (String devices : new String[] {"bogus", "cpu,bogus", "cpu:7", "cuda:x"}) {
            Object[] r = bench("--devices", devices, "--out", "/nonexistent/never-created");
            assertEquals(2, r[0], devices + ": " + r[1]);
            String bad = devices.contains(",") ? devices.substring(devices.indexOf(',') + 1) : devices;
            assertTrue(((String) r[1]).startsWith("ember bench: --devices: ") && ((String) r[1]).contains("'" + bad
                    + "'") && ((String) r[1]).contains("cpu"), (String) r[1]);
            assertEquals(2, ((String) r[1]).lines().count(), (String) r[1]);
        }
    }

    @Test
    void deviceNamesAreCheckedAgainstTheDevicesFound() {
        List<DeviceInfo> known = List.of(DeviceInfo.available("cpu", "cpu", false, "pure Java"),
                DeviceInfo.available("opencl:0", "opencl", false, "PoCL"),
                DeviceInfo.unavailable("cuda", "cuda", "no NVIDIA driver"));
        BenchCommand.checkDevices(List.of("cpu", "CPU:0", "opencl", "opencl:0", "cuda", "cuda:1"), known);
        String e = assertThrows(IllegalArgumentException.class,
                () -> BenchCommand.checkDevices(List.of("cpu", "gpu"), known)).getMessage();
        assertEquals("--devices: 'gpu' is not a device name (cpu, cuda[:i] or opencl[:i]; known here: cpu, opencl:0, "
                + "cuda (unavailable))", e);
        e = assertThrows(IllegalArgumentException.class,
                () -> BenchCommand.checkDevices(List.of("opencl:1"), known)).getMessage();
        assertEquals("--devices: no device 'opencl:1' on this machine (known: cpu, opencl:0, cuda (unavailable))", e);
        // a CUDA machine lists each GPU: an index past them does not exist
        List<DeviceInfo> gpus = List.of(DeviceInfo.available("cpu", "cpu", false, "pure Java"),
                DeviceInfo.available("cuda:0", "cuda", true, "H100"));
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.checkDevices(List.of("cuda:1"), gpus));
    }

    @Test
    void reportDirectoryErrorsSayWhy(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        Path out = file.resolve("report");
        Object[] r = bench("--devices", "cpu", "--ops", "relu", "--out", out.toString());
        assertEquals(1, r[0], (String) r[1]);
        assertEquals("ember bench: cannot create report directory " + out + ": not a directory", ((String) r[1]).strip());

        // a reused directory holding a file named raw: the error names raw, not the directory
        Path reused = Files.createDirectories(tmp.resolve("reused"));
        Files.writeString(reused.resolve("raw"), "x");
        r = bench("--devices", "cpu", "--ops", "relu", "--out", reused.toString());
        assertEquals(1, r[0], (String) r[1]);
        assertEquals("ember bench: cannot create report directory " + reused.resolve("raw")
                + ": a file of that name exists", ((String) r[1]).strip());
        r = bench("--devices", "cpu", "--ops", "relu", "--out", file.toString());
        assertEquals("ember bench: cannot create report directory " + file + ": a file of that name exists",
                ((String) r[1]).strip());
    }

    @Test
    void helpReturnsZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, BenchCommand.run(new String[] {"--help"}, new PrintStream(out), System.err));
        assertTrue(out.toString().contains("--quick"));
        assertTrue(out.toString().contains("an earlier run's report\n")
                && out.toString().contains("stays if this run stops first"), out.toString());
    }

    @Test
    void quickIterationsShrinkWithMoreConfigsWithinBounds() {
        long few = BenchCommand.quickIterationMs(150, 10, 2);
        long many = BenchCommand.quickIterationMs(150, 40, 2);
        assertEquals(400, few);
        assertTrue(many < few && many >= 50, "many configs: " + many);
        assertEquals(50, BenchCommand.quickIterationMs(10, 40, 2)); // over budget: shortest iterations
        // 1 s per config: 2 warm-up iterations of at least 200 ms leave 600 ms for 3 measured ones.
        assertEquals(200, BenchCommand.quickIterationMs(60, 30, 1));
        // 0.7 s per config: the warm-up floor takes 400 ms, the 3 measured iterations share the rest.
        assertEquals(100, BenchCommand.quickIterationMs(42, 30, 0.7));
        assertEquals(200, BenchCommand.warmupMs(false, 50));
        assertEquals(300, BenchCommand.warmupMs(false, 300));
        assertEquals(1000, BenchCommand.warmupMs(true, 1000));
    }

    @Test
    void mergesJmhArrays() {
        String merged = BenchCommand.mergeArrays(List.of("[\n{\"a\":1}\n]", "[ ]", "[{\"b\":2},{\"c\":3}]"));
        assertEquals(3, Json.array(Json.parse(merged), "merged").size());
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.mergeArrays(List.of("{}")));
    }

    @Test
    void forkedJvmsGetRuntimeFlagsAndEmberProperties() {
        System.setProperty("ember.test.flag", "x y");
        try {
            List<String> args = List.of(BenchCommand.forkJvmArgs());
            assertTrue(args.containsAll(List.of("--add-modules", "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-Dember.test.flag=x y")), args.toString());
            // the tiles are chosen once in the bench's own process; forks neither tune nor repeat the notice
            assertTrue(args.containsAll(List.of("-Dember.opencl.tune=off", "-Dember.opencl.untunedNotice=off")),
                    args.toString());
        } finally {
            System.clearProperty("ember.test.flag");
        }
    }
}
