package dev.ember.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The report an earlier {@code ember bench} left in a reused {@code --out} directory, set aside
 * while this run measures: this run must not mix its results with that run's, and a run that is
 * interrupted (Ctrl-C, a failure before its report is written) must not lose it. The files
 * {@link BenchCommand#staleOutput} lists move into {@value #KEPT} (same layout); {@link #discard}
 * deletes them once this run's report is written, and {@link #restore} puts them back, replacing
 * what this run wrote. A folder left by a run that was killed outright is restored first.
 */
final class PreviousReport {
    /** The folder inside the report directory that holds the previous report meanwhile. */
    static final String KEPT = ".previous-report";

    private final Path dir;
    private final Path kept;
    private boolean settled;

    private PreviousReport(Path dir) {
        this.dir = dir;
        this.kept = dir.resolve(KEPT);
    }

    /** Moves the previous report of {@code dir}, if any, aside. */
    static PreviousReport setAside(Path dir) throws IOException {
        PreviousReport p = new PreviousReport(dir);
        if (Files.isDirectory(p.kept)) {
            p.moveBack(); // a run killed before it could restore: its partial files go, the report returns
        }
        for (Path f : BenchCommand.staleOutput(dir)) {
            Path to = p.kept.resolve(dir.relativize(f));
            Files.createDirectories(to.getParent());
            Files.move(f, to, StandardCopyOption.REPLACE_EXISTING);
        }
        return p;
    }

    /** This run's report is written: the previous one is no longer needed. */
    synchronized void discard() throws IOException {
        if (!settled) {
            settled = true;
            deleteTree(kept);
        }
    }

    /**
     * This run ends without a report: its files go and the previous report returns. Safe to call
     * twice and from a shutdown hook; a failure is reported on standard error, as a hook can do
     * nothing else with it.
     */
    synchronized void restore() {
        if (settled) {
            return;
        }
        settled = true;
        try {
            moveBack();
        } catch (IOException | UncheckedIOException e) {
            System.err.println("ember bench: could not put the previous report back from " + kept + ": " + e);
        }
    }

    private void moveBack() throws IOException {
        for (Path f : BenchCommand.staleOutput(dir)) {
            Files.deleteIfExists(f);
        }
        if (!Files.isDirectory(kept)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(kept)) {
            files = new ArrayList<>(s.filter(Files::isRegularFile).toList());
        }
        for (Path f : files) {
            Path to = dir.resolve(kept.relativize(f));
            Files.createDirectories(to.getParent());
            Files.move(f, to, StandardCopyOption.REPLACE_EXISTING);
        }
        deleteTree(kept);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
