package dev.ember.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX/cubins (src/main/resources/dev/ember/kernels/cuda) against the kernel sources:
 * the manifest's source hashes must match the sources (no nvcc needed), and when the build ran
 * kernels/cuda/build-ptx.sh with nvcc, its fresh output in target/cuda-gen must equal the committed
 * files byte for byte. The committed ptxas report must cover every kernel and show no sm_90 spills.
 * Refresh with {@code kernels/cuda/build-ptx.sh --update}.
 */
class CudaBinariesTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path SOURCES = MODULE.resolve("src/main/resources/dev/ember/kernels");
    private static final Path CUDA_SOURCES = MODULE.resolve("src/main/cuda");
    private static final Path COMMITTED = SOURCES.resolve("cuda");
    private static final Path REPORT = MODULE.resolve("cuda/ptxas-report.txt");
    private static final Path FRESH = MODULE.resolve("target/cuda-gen");
    private static final String REFRESH = " (run kernels/cuda/build-ptx.sh --update and commit the result)";

    private static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> files(Path dir, String... suffixes) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                for (String suf : suffixes) {
                    if (p.getFileName().toString().endsWith(suf)) {
                        return true;
                    }
                }
                return false;
            }).sorted().toList();
        }
    }

    /** "name -> hash" for the manifest lines starting with {@code kind}. */
    private static TreeMap<String, String> entries(List<String> manifest, String kind) {
        TreeMap<String, String> m = new TreeMap<>();
        for (String line : manifest) {
            String[] f = line.split(" ");
            if (f[0].equals(kind)) {
                m.put(f[1], f[2]);
            }
        }
        return m;
    }

    @Test
    void committedManifestMatchesTheSources() throws IOException {
        List<String> manifest = Files.readAllLines(COMMITTED.resolve("manifest.txt"));
        TreeMap<String, String> actual = new TreeMap<>();
        for (Path p : files(SOURCES, ".cl", ".h")) {
            actual.put(p.getFileName().toString(), sha256(p));
        }
        for (Path p : files(CUDA_SOURCES, ".cu", ".h")) {
            actual.put(p.getFileName().toString(), sha256(p));
        }
        assertTrue(actual.containsKey("gemm_cuda.cu") && actual.containsKey("gemm.cl"), "sources found: " + actual.keySet());
        TreeMap<String, String> recorded = entries(manifest, "source");
        List<String> stale = new ArrayList<>();
        for (String name : new TreeSet<>(Set.copyOf(concat(actual.keySet(), recorded.keySet())))) {
            if (!java.util.Objects.equals(actual.get(name), recorded.get(name))) {
                stale.add(name + (recorded.get(name) == null ? " (new)" : actual.get(name) == null ? " (removed)" : " (changed)"));
            }
        }
        assertTrue(stale.isEmpty(), "the committed CUDA binaries are stale for " + stale + REFRESH);
        TreeMap<String, String> outputs = entries(manifest, "output");
        for (String name : actual.keySet()) {
            if (name.endsWith(".cl") || name.endsWith(".cu")) {
                String base = name.substring(0, name.lastIndexOf('.'));
                for (String out : List.of(base + ".ptx", base + ".sm_80.cubin", base + ".sm_90.cubin")) {
                    assertTrue(outputs.containsKey(out), out + " missing from the manifest" + REFRESH);
                }
            }
        }
        for (var e : outputs.entrySet()) {
            Path p = COMMITTED.resolve(e.getKey());
            assertTrue(Files.exists(p), p + " missing" + REFRESH);
            assertEquals(e.getValue(), sha256(p), p + " does not match the manifest" + REFRESH);
        }
    }

    private static List<String> concat(Set<String> a, Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void freshNvccBuildEqualsTheCommittedFiles() throws IOException {
        Assumptions.assumeFalse(Files.exists(FRESH.resolve("SKIPPED")),
                () -> "CUDA kernel build skipped by kernels/cuda/build-ptx.sh: " + read(FRESH.resolve("SKIPPED")));
        Assumptions.assumeTrue(Files.exists(FRESH.resolve("manifest.txt")),
                "no fresh CUDA build in target/cuda-gen (build with Maven on Linux to run build-ptx.sh)");
        List<String> fresh = Files.readAllLines(FRESH.resolve("manifest.txt"));
        List<String> committed = Files.readAllLines(COMMITTED.resolve("manifest.txt"));
        List<String> diff = new ArrayList<>();
        Set<String> c = Set.copyOf(committed);
        Set<String> f = Set.copyOf(fresh);
        fresh.stream().filter(l -> !c.contains(l)).forEach(l -> diff.add("fresh:     " + l));
        committed.stream().filter(l -> !f.contains(l)).forEach(l -> diff.add("committed: " + l));
        assertTrue(diff.isEmpty(), "committed CUDA binaries differ from a fresh nvcc build" + REFRESH + ":\n"
                + String.join("\n", diff));
        for (var e : entries(fresh, "output").entrySet()) {
            assertEquals(sha256(FRESH.resolve(e.getKey())), sha256(COMMITTED.resolve(e.getKey())), e.getKey());
        }
        assertEquals(read(FRESH.resolve("ptxas-report.txt")), read(REPORT), "ptxas report is stale" + REFRESH);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Test
    void packedPtxHasNoPathDependentSymbols() throws IOException {
        // nvcc names internal-linkage (static) device symbols after a hash of the source path, which
        // would make the binaries differ between checkouts and the staleness check fail spuriously.
        for (Path ptx : files(COMMITTED, ".ptx")) {
            assertFalse(Files.readString(ptx).contains("_INTERNAL_"), ptx.getFileName()
                    + " has a path-dependent _INTERNAL_ symbol: give that device function external linkage");
        }
    }

    @Test
    void ptxasReportCoversEveryKernelWithoutSpillsOnSm90() throws IOException {
        Pattern entry = Pattern.compile("\\.entry\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");
        Set<String> kernels = new TreeSet<>();
        for (Path ptx : files(COMMITTED, ".ptx")) {
            String file = ptx.getFileName().toString().replace(".ptx", "");
            Matcher m = entry.matcher(Files.readString(ptx));
            while (m.find()) {
                kernels.add(file + " " + m.group(1));
            }
        }
        assertTrue(kernels.size() >= 30, "too few kernels in the PTX: " + kernels);
        Set<String> reported = new TreeSet<>();
        List<String> spills = new ArrayList<>();
        for (String line : Files.readAllLines(REPORT)) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            assertEquals(8, f.length, "malformed report line: " + line);
            if (f[0].equals("sm_90")) {
                reported.add(f[1] + " " + f[2]);
                int regs = Integer.parseInt(f[3]);
                assertTrue(regs > 0 && regs <= 255, line);
                if (Integer.parseInt(f[5]) != 0 || Integer.parseInt(f[6]) != 0) {
                    spills.add(line);
                }
            }
        }
        assertEquals(kernels, reported, "ptxas report and PTX disagree on the kernel list" + REFRESH);
        assertTrue(spills.isEmpty(), "register spills on sm_90:\n" + String.join("\n", spills));
        assertFalse(reported.isEmpty());
    }
}
