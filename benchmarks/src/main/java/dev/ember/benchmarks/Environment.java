package dev.ember.benchmarks;

import dev.ember.runtime.DeviceInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What a report records about where it was measured: machine, JDK, devices (with drivers), date and load. */
public final class Environment {
    private Environment() {
    }

    public static Map<String, Object> capture(List<DeviceInfo> devices) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        Map<String, String> lscpu = lscpu();
        m.put("cpu_model", lscpu.getOrDefault("Model name", cpuinfoModel()));
        m.put("cpus", lscpu.getOrDefault("CPU(s)", String.valueOf(Runtime.getRuntime().availableProcessors())));
        m.put("cores_per_socket", lscpu.getOrDefault("Core(s) per socket", "?"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        m.put("load_average_start", loadAverage());
        List<Object> devs = new ArrayList<>();
        for (DeviceInfo d : devices) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("name", d.name());
            dm.put("available", d.available());
            dm.put("description", d.description());
            dm.put("reason", d.reason());
            devs.add(dm);
        }
        m.put("devices", devs);
        return m;
    }

    /** The 1-minute load average, or "?" where /proc/loadavg is missing. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** How long lscpu may run before it is killed and the fallbacks are used. */
    static final Duration LSCPU_TIMEOUT = Duration.ofSeconds(5);

    private static Map<String, String> lscpu() {
        return lscpu(List.of("lscpu"), LSCPU_TIMEOUT);
    }

    /**
     * The "key: value" lines that {@code command} (lscpu) prints, or none when it cannot start,
     * exits non-zero or runs past {@code timeout}; then it is killed, so that a hung lscpu neither
     * holds up the run nor outlives it.
     */
    static Map<String, String> lscpu(List<String> command, Duration timeout) {
        Map<String, String> m = new LinkedHashMap<>();
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return m; // lscpu missing: fall back to /proc/cpuinfo and the JVM's processor count
        }
        try {
            // Read on another thread: reading here would wait for the output's end, past any timeout.
            FutureTask<byte[]> output = new FutureTask<>(() -> p.getInputStream().readAllBytes());
            Thread.ofVirtual().name("lscpu output").start(output);
            if (p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS) && p.exitValue() == 0) {
                String out = new String(output.get(timeout.toNanos(), TimeUnit.NANOSECONDS), StandardCharsets.UTF_8);
                for (String line : out.split("\n")) {
                    int c = line.indexOf(':');
                    if (c > 0) {
                        m.putIfAbsent(line.substring(0, c).trim(), line.substring(c + 1).trim());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the output could not be read, or a child of lscpu held it open: fall back as above
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        return m;
    }

    private static String cpuinfoModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
