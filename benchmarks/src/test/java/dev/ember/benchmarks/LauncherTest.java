package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./ember} launcher script, run in a sandbox: a copy of the script in an otherwise
 * empty checkout, with stand-ins for Maven and the JDK on the PATH, so that what it does (build
 * or not, run the jar) shows in files without a real build.
 */
class LauncherTest {
    private static final Path SCRIPT = Path.of("..", "ember");

    private static void script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Two commands started together on a checkout that needs building: before the build lock,
     * both ran Maven in the same target/ directories and both failed (the shade plugin could not
     * replace the jar the other had just written). Now Maven runs once and both commands run.
     */
    @Test
    void twoCommandsStartedTogetherBuildOnce(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(SCRIPT), "run from the benchmarks module of a checkout");
        assumeTrue(onPath("flock"), "the build lock needs flock (util-linux)");
        Path root = dir.resolve("checkout");
        Files.createDirectories(root.resolve("benchmarks/src/main/java"));
        Files.copy(SCRIPT, root.resolve("ember"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.writeString(root.resolve("benchmarks/src/main/java/A.java"), "class A {}\n");
        Path builds = dir.resolve("builds.txt");
        // Maven: counts its runs, takes a while, then leaves the jar the launcher runs.
        script(dir.resolve("bin/mvn"), "echo build >>'" + builds + "'\nsleep 2\n"
                + "mkdir -p benchmarks/target && echo jar > benchmarks/target/ember.jar\n");
        // A JDK 25: answers the version probe, and "runs" the jar by saying so.
        Path jdk = dir.resolve("jdk-25");
        script(jdk.resolve("bin/java"), "case \"$*\" in *-XshowSettings*) echo '    java.specification.version = 25';"
                + " exit 0;; esac\necho \"ran $*\"\n");
        script(jdk.resolve("bin/javac"), "exit 0\n");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));

        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder("sh", root.resolve("ember").toString(), "devices")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out" + i + ".txt").toFile());
            pb.environment().put("JAVA_HOME", jdk.toString());
            pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
            pb.environment().put("TMPDIR", tmp.toString());
            runs.add(pb.start());
        }
        for (int i = 0; i < runs.size(); i++) {
            assertTrue(runs.get(i).waitFor(60, TimeUnit.SECONDS), "launcher " + i + " did not finish");
            String out = Files.readString(dir.resolve("out" + i + ".txt"));
            assertEquals(0, runs.get(i).exitValue(), out);
            assertTrue(out.contains("ran ") && out.contains("-jar") && out.contains("devices"), out);
        }
        assertEquals(1, Files.readAllLines(builds).size(), "Maven runs");
    }
}
