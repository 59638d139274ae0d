package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lscpu as Environment runs it, with stand-in commands (a POSIX shell is needed). */
class EnvironmentTest {
    @Test
    void readsTheKeyValueLinesOfACommandThatExitsCleanly() {
        Map<String, String> m = Environment.lscpu(List.of("sh", "-c",
                "printf 'Model name:   Fake CPU\\nCPU(s): 3\\nno colon here\\nCPU(s): 4\\n'"), Duration.ofSeconds(10));
        assertEquals(Map.of("Model name", "Fake CPU", "CPU(s)", "3"), m);
        assertEquals(Map.of(), Environment.lscpu(List.of("sh", "-c", "echo 'Model name: X'; exit 3"),
                Duration.ofSeconds(10)), "a failed lscpu is not believed");
        assertEquals(Map.of(), Environment.lscpu(List.of("/nonexistent/lscpu"), Duration.ofSeconds(10)));
    }

    /** A hung lscpu is given up on at the timeout and killed, not left running. */
    @Test
    void aCommandPastTheTimeoutIsKilled(@TempDir Path tmp) throws Exception {
        Path pidFile = tmp.resolve("pid");
        List<String> hung = List.of("sh", "-c", "echo $$ > '" + pidFile + "'; exec sleep 60");
        Optional<ProcessHandle> child = Optional.empty();
        try {
            Map<String, String> m = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> Environment.lscpu(hung, Duration.ofMillis(500)));
            assertEquals(Map.of(), m);
            child = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
            if (child.isPresent()) {
                // destroyForcibly only asks: give the kill a moment to land
                child.get().onExit().get(5, TimeUnit.SECONDS);
                assertFalse(child.get().isAlive(), "the timed-out command still runs");
            }
            assertTrue(Files.exists(pidFile), "the command never started, so the test proves nothing");
        } finally {
            if (child.isEmpty() && Files.exists(pidFile)) {
                child = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
            }
            child.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
