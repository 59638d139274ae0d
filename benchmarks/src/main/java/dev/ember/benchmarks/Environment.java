package dev.ember.benchmarks;

import dev.ember.runtime.DeviceInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

    private static Map<String, String> lscpu() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            Process p = new ProcessBuilder("lscpu").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                for (String line : out.split("\n")) {
                    int c = line.indexOf(':');
                    if (c > 0) {
                        m.putIfAbsent(line.substring(0, c).trim(), line.substring(c + 1).trim());
                    }
                }
            }
        } catch (IOException e) {
            // lscpu missing: fall back to /proc/cpuinfo and the JVM's processor count
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
