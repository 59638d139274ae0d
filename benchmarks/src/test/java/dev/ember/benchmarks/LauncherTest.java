package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
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

    /** Every case runs the checkout's script and needs flock for the lock it is about. */
    @BeforeEach
    void scriptAndFlock() {
        assumeTrue(Files.isRegularFile(SCRIPT), "run from the benchmarks module of a checkout");
        assumeTrue(onPath("flock"), "the build lock needs flock (util-linux)");
    }

    /** A checkout with one source file, Maven logging each run's goal to {@code log}, and a JDK 25 stand-in. */
    private static Path sandbox(Path dir, Path log) throws IOException {
        Path root = dir.resolve("checkout");
        Files.createDirectories(root.resolve("benchmarks/src/main/java"));
        Files.copy(SCRIPT, root.resolve("ember"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.writeString(root.resolve("benchmarks/src/main/java/A.java"), "class A {}\n");
        // Maven: logs the start and end of each run with its last argument (the goal), takes a
        // while, and as a build leaves the jar the launcher runs, "jar N" for the Nth run; a
        // clean (logged as such) deletes target/ first, as Maven's does.
        script(dir.resolve("bin/mvn"), "for goal; do :; done\n"
                + "case \" $* \" in *' clean '*) rm -rf benchmarks/target; echo clean >>'" + log + "';; esac\n"
                + "echo \"start $goal\" >>'" + log + "'\nsleep 2\n"
                + "n=$(grep -c '^start' '" + log + "')\n"
                + "[ \"$goal\" = test ] || { mkdir -p benchmarks/target && echo \"jar $n\" > benchmarks/target/ember.jar; }\n"
                + "echo \"end $goal\" >>'" + log + "'\n");
        // A JDK 25: answers the version probe, and "runs" the jar by saying so and what it holds.
        // Its "hold" command stands for a long run that opens the jar's path again (as JMH's
        // forks do): it says it started (file held), and reads the jar when file go1 appears and
        // again when go2 does.
        Path jdk = dir.resolve("jdk-25");
        script(jdk.resolve("bin/java"), "case \"$*\" in *-XshowSettings*) echo '    java.specification.version = 25';"
                + " exit 0;; esac\necho \"ran $*\"\necho run >>'" + log + "'\n"
                + "prev=; for a; do [ \"$prev\" = -jar ] && jar=$a; prev=$a; done\n"
                + "echo \"runs $(cat \"$jar\" 2>/dev/null || echo missing)\"\n"
                + "case \" $* \" in *' hold '*) echo >'" + dir.resolve("held") + "'\n"
                + "  for i in 1 2; do\n"
                + "    while [ ! -f '" + dir + "'/go$i ]; do sleep 0.05; done\n"
                + "    echo \"read$i $(cat \"$jar\" 2>/dev/null || echo missing)\"\n"
                + "  done;; esac\n");
        script(jdk.resolve("bin/javac"), "exit 0\n");
        Files.createDirectories(dir.resolve("tmp"));
        return root;
    }

    /** The shell that runs the script: sh (dash on Debian), or another with -Dlauncher.shell=bash. */
    private static final String SHELL = System.getProperty("launcher.shell", "sh");

    private static Process launch(Path dir, Path root, String out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SHELL, root.resolve("ember").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(out).toFile());
        pb.environment().put("JAVA_HOME", dir.resolve("jdk-25").toString());
        pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("TMPDIR", dir.resolve("tmp").toString());
        return pb.start();
    }

    private static void finish(Process p, Path dir, String out) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out + ": the launcher did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve(out)));
    }

    /**
     * "cat x.csv | ./ember predict --input -" right after an edit: the build ran with the command's
     * standard input, and a Maven that read it (stood for by one that does) left the command none
     * ("/dev/stdin: no data rows"). The build now reads nothing and the command gets it all.
     */
    @Test
    void theBuildLeavesStandardInputToTheCommand(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("maven.log");
        Path root = sandbox(dir, log);
        script(dir.resolve("bin/mvn"), "cat >/dev/null\n"
                + "mkdir -p benchmarks/target && echo jar > benchmarks/target/ember.jar\n"
                + "echo built >>'" + log + "'\n");
        script(dir.resolve("jdk-25/bin/java"), "case \"$*\" in *-XshowSettings*) echo '    java.specification.version = 25';"
                + " exit 0;; esac\necho \"stdin: $(cat)\"\n");
        Process p = launch(dir, root, "out.txt", "predict", "--input", "-");
        try (var in = p.getOutputStream()) {
            in.write("1.5,2\n".getBytes(StandardCharsets.UTF_8));
        }
        finish(p, dir, "out.txt");
        assertEquals(List.of("built"), Files.readAllLines(log), "one build");
        String out = Files.readString(dir.resolve("out.txt"));
        assertTrue(out.contains("stdin: 1.5,2"), out);
    }

    /**
     * Two commands started together on a checkout that needs building: before the build lock,
     * both ran Maven in the same target/ directories and both failed (the shade plugin could not
     * replace the jar the other had just written). Now Maven runs once and both commands run.
     */
    @Test
    void twoCommandsStartedTogetherBuildOnce(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("maven.log");
        Path root = sandbox(dir, log);
        List<Process> runs = List.of(launch(dir, root, "out0.txt", "devices"), launch(dir, root, "out1.txt", "devices"));
        for (int i = 0; i < runs.size(); i++) {
            finish(runs.get(i), dir, "out" + i + ".txt");
            String out = Files.readString(dir.resolve("out" + i + ".txt"));
            assertTrue(out.contains("ran ") && out.contains("-jar") && out.contains("devices"), out);
        }
        assertEquals(List.of("start package", "end package", "run", "run"), Files.readAllLines(log), "Maven runs");
    }

    private static void await(String what, Check check) throws Exception {
        long t0 = System.nanoTime();
        while (!check.done()) {
            assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private interface Check {
        boolean done() throws IOException;
    }

    /** Asserts that the output file {@code out} of a launch holds {@code text}; the message is the whole output. */
    private static void assertOutput(Path dir, String out, String text) throws IOException {
        String all = Files.readString(dir.resolve(out));
        assertTrue(all.contains(text), all);
    }

    /** The private copies of the jar the launcher has made and not removed. */
    private static List<String> copies(Path root) throws IOException {
        Path dir = root.resolve(".ember-run");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A command still running while another rebuilds after an edit keeps the jar it started with:
     * a JVM opens the jar's path again for resources, and ./ember bench starts every JMH fork
     * with that path as its class path. When the launcher ran target/ember.jar itself, such a
     * reading found nothing while {@code clean package} had deleted it (the forks failed with
     * "Could not find or load main class org.openjdk.jmh.runner.ForkedMain"), and the new build's
     * jar once it was back (later forks ran the new code). Once no command runs the old copy,
     * the next command removes it.
     */
    @Test
    void aRunningCommandKeepsItsJarThroughARebuild(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("maven.log");
        Path root = sandbox(dir, log);
        finish(launch(dir, root, "build.txt", "devices"), dir, "build.txt");
        Process held = launch(dir, root, "held.txt", "hold");
        await("the first command to start", () -> Files.exists(dir.resolve("held")));
        // a file added: the next command builds from clean
        Files.writeString(root.resolve("benchmarks/src/main/java/B.java"), "class B {}\n");
        Process rebuild = launch(dir, root, "rebuild.txt", "devices");
        await("the rebuild to start", () -> Files.readAllLines(log).lastIndexOf("start package") > 0);
        Files.createFile(dir.resolve("go1")); // read while Maven builds, after its clean
        await("the first read", () -> Files.readString(dir.resolve("held.txt")).contains("read1"));
        finish(rebuild, dir, "rebuild.txt");
        Files.createFile(dir.resolve("go2")); // and after the build
        finish(held, dir, "held.txt");
        assertEquals(List.of("start package", "end package", "run", "run", "clean", "start package", "end package", "run"),
                Files.readAllLines(log));
        String out = Files.readString(dir.resolve("held.txt"));
        assertTrue(out.contains("runs jar 1") && out.contains("read1 jar 1") && out.contains("read2 jar 1"), out);
        assertOutput(dir, "rebuild.txt", "runs jar 2");
        assertEquals(2, copies(root).size(), "both builds' copies while the first ran: " + copies(root));
        finish(launch(dir, root, "after.txt", "devices"), dir, "after.txt");
        assertOutput(dir, "after.txt", "runs jar 2");
        assertEquals(1, copies(root).size(), "the first build's copy, which nothing runs now, removed: " + copies(root));
        assertOutput(dir, "after.txt", "-jar " + root.resolve(".ember-run/" + copies(root).get(0)));
    }

    /**
     * The copy follows the jar's content, not the launcher's builds: a jar that something else
     * replaced (mvn package run by hand, with no source newer) runs as it is now, without a build.
     */
    @Test
    void aJarReplacedByOtherMeansRunsAsItIsNow(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("maven.log");
        Path root = sandbox(dir, log);
        finish(launch(dir, root, "build.txt", "devices"), dir, "build.txt");
        assertOutput(dir, "build.txt", "runs jar 1");
        Path jar = root.resolve("benchmarks/target/ember.jar");
        Path next = jar.resolveSibling("shaded.jar");
        Files.writeString(next, "jar by hand\n");
        Files.move(next, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        finish(launch(dir, root, "run.txt", "devices"), dir, "run.txt");
        assertOutput(dir, "run.txt", "runs jar by hand");
        assertEquals(List.of("start package", "end package", "run", "run"), Files.readAllLines(log), "no second build");
        assertEquals(1, copies(root).size(), copies(root).toString());
    }

    /**
     * A command that can make no copy of its own (here cp fails, as on a full disk) runs the jar
     * itself and still removes old copies by their locks, not by age: a copy made a week ago that a
     * running command holds (a --full bench, a long training run) stays, an unused one goes. When
     * such a command fell back to removing copies older than a week, it deleted the running
     * command's jar under it, and its later JMH forks found nothing.
     */
    @Test
    void aCommandWithoutACopyKeepsOldCopiesInUse(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("maven.log");
        Path root = sandbox(dir, log);
        Path runDir = Files.createDirectories(root.resolve(".ember-run"));
        Path used = runDir.resolve("ember-1-2.jar"), unused = runDir.resolve("ember-3-4.jar");
        java.nio.file.attribute.FileTime weekAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(8)));
        for (Path copy : new Path[] {used, unused}) {
            Files.writeString(copy, "old jar\n");
            Files.setLastModifiedTime(copy, weekAgo);
        }
        script(dir.resolve("bin/cp"), "exit 1\n");
        // a running command's shared lock on its copy, as the launcher takes it
        Process holder = new ProcessBuilder("flock", "-s", used.toString(), "sleep", "60").start();
        try {
            await("the shared lock", () -> {
                try {
                    return new ProcessBuilder("flock", "-n", "-x", used.toString(), "true").start().waitFor() != 0;
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            });
            finish(launch(dir, root, "run.txt", "devices"), dir, "run.txt");
            assertOutput(dir, "run.txt", "-jar " + root.resolve("benchmarks/target/ember.jar"));
            assertEquals(List.of(used.getFileName().toString()), copies(root), "the copy in use stays, the unused one goes");
        } finally {
            holder.descendants().forEach(ProcessHandle::destroy);
            holder.destroy();
            holder.waitFor();
        }
    }

    /** The launcher's lock file for {@code root}: .ember-build.lock in the checkout. */
    private static Path lockFile(Path root) {
        return root.resolve(".ember-build.lock");
    }

    /**
     * A lock file that passes the writability check but cannot be opened (here a directory, or a
     * link into nowhere; on a shared /tmp with fs.protected_regular, another user's file of that
     * name) leaves the command to run without the lock, as where there is no flock: dash exits at
     * a failed {@code exec} redirection, which killed the launcher with "cannot create".
     */
    @Test
    void aLockFileThatCannotBeOpenedIsDoneWithout(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("maven.log");
        Path root = sandbox(dir, log);
        Path lock = lockFile(root);
        Files.createDirectories(lock);
        Process p = launch(dir, root, "dir.txt", "devices");
        finish(p, dir, "dir.txt");
        assertOutput(dir, "dir.txt", "ran ");
        Files.delete(lock);
        Files.createSymbolicLink(lock, dir.resolve("no/such/dir/x.lock"));
        Files.delete(root.resolve("benchmarks/target/ember.jar")); // so that it builds again, unlocked
        p = launch(dir, root, "link.txt", "devices");
        finish(p, dir, "link.txt");
        assertOutput(dir, "link.txt", "ran ");
        assertEquals(List.of("start package", "end package", "run", "start package", "end package", "run"),
                Files.readAllLines(log));
    }

    /** ./ember test compiles into the same target/ directories: it waits for a build under way. */
    @Test
    void testWaitsForABuildUnderWay(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("maven.log");
        Path root = sandbox(dir, log);
        Process build = launch(dir, root, "build.txt", "devices");
        await("the first build to start", () -> Files.exists(log));
        Process test = launch(dir, root, "test.txt", "test");
        finish(build, dir, "build.txt");
        finish(test, dir, "test.txt");
        // the first command's run of the jar is not under the lock, so it may come before or after the tests
        List<String> maven = Files.readAllLines(log).stream().filter(l -> !l.equals("run")).toList();
        assertEquals(List.of("start package", "end package", "start test", "end test"), maven);
        assertOutput(dir, "test.txt", "waiting for another ./ember");
    }

    /** A command with nothing to build runs at once, without waiting for ./ember test's lock. */
    @Test
    void aBuiltCheckoutRunsWhileTheTestsRun(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("maven.log");
        Path root = sandbox(dir, log);
        finish(launch(dir, root, "build.txt", "devices"), dir, "build.txt");
        Process test = launch(dir, root, "test.txt", "test");
        await("the tests to start", () -> Files.readAllLines(log).contains("start test"));
        finish(launch(dir, root, "run.txt", "devices"), dir, "run.txt");
        finish(test, dir, "test.txt");
        assertEquals(List.of("start package", "end package", "run", "start test", "run", "end test"),
                Files.readAllLines(log));
        assertTrue(!Files.readString(dir.resolve("run.txt")).contains("waiting"), Files.readString(dir.resolve("run.txt")));
    }
}
