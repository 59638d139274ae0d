package dev.ember.runtime.opencl;

import static org.lwjgl.opencl.CL10.*;

import dev.ember.kernels.KernelSources;
import dev.ember.runtime.Activation;
import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Storage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * Chooses GEMM tile sizes per device: builds each of {@link GemmConfig#CANDIDATES} that fits the
 * device, checks it against a float64 reference on awkward shapes in all four transpose cases
 * (a candidate that is wrong can never win), times the survivors on an n x n x n product, and
 * stores the winner as JSON under {@code <cache>/opencl/}. {@link #main} is the explicit entry
 * point ({@code ./ember tune}). At a device's first GEMM without a tuning file, the setting
 * {@code ember.opencl.tune} (or {@code EMBER_OPENCL_TUNE}) decides: {@code on} tunes now, {@code off}
 * uses the defaults, and {@code auto} (the default) tunes GPUs and accelerators now but not CPU
 * devices, where each candidate costs tens of seconds of kernel compilation (PoCL compiles per
 * kernel at first launch). A device that runs the defaults says so once on stderr, unless
 * {@code ember.opencl.untunedNotice} is {@code off} ({@code ember bench} sets that in its forked
 * JVMs after choosing the tiles once in its own process, so one run says it once, not per fork).
 */
public final class OpenClTuner {

    /** The outcome of tuning one device. */
    record Result(GemmConfig best, double gflops, int size, List<String> lines) {
    }

    private OpenClTuner() {
    }

    /** The tuning file of a device: keyed by platform, device, driver and the GEMM source. */
    static Path tuningFile(OpenClBackend be) {
        OpenClLoader.ClDevice d = be.device();
        String key = KernelSources.sha256(String.join("\n", d.platformName(), d.name(), d.vendor(), d.driver(),
                d.version(), KernelSources.hash("gemm")));
        return be.programs().directory().resolve("gemm-tuning-" + key.substring(0, 24) + ".json");
    }

    /** Whether to tune a device at its first GEMM (see the class comment). */
    static boolean tuneAtFirstUse(OpenClBackend be) {
        String v = System.getProperty("ember.opencl.tune");
        if (v == null || v.isBlank()) {
            v = System.getenv("EMBER_OPENCL_TUNE");
        }
        String mode = v == null || v.isBlank() ? "auto" : v.trim().toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "on", "true", "1" -> true;
            case "off", "false", "0" -> false;
            default -> be.isGpu() || !be.isCpuDevice();
        };
    }

    /** The config a device uses: its tuning file, else tuned now, else the defaults (with a notice on stderr). */
    static GemmConfig configFor(OpenClBackend be) {
        Path file = tuningFile(be);
        if (Files.isRegularFile(file)) {
            try {
                GemmConfig cfg = GemmConfig.parse(Files.readString(file));
                if (fits(be, cfg)) {
                    return cfg;
                }
            } catch (IOException | RuntimeException e) {
                // unreadable or stale: tune again below
            }
        }
        if (tuneAtFirstUse(be)) {
            try {
                Result r = tune(be, GemmConfig.CANDIDATES, defaultSize(be), null);
                save(be, r);
                System.err.printf(Locale.ROOT, "ember: tuned GEMM tiles for %s (%s): %s, %.1f GFLOP/s at %d^3 (saved to %s)%n",
                        be.name(), be.device().name(), r.best(), r.gflops(), r.size(), file);
                return r.best();
            } catch (RuntimeException e) {
                System.err.println("ember: GEMM tuning failed on " + be.name() + ": " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        if (untunedNoticeWanted()) {
            System.err.println("ember: " + be.name() + " (" + be.device().name() + ") runs untuned GEMM tiles ("
                    + GemmConfig.DEFAULT + "); run `./ember tune` to tune it (from a program linking Ember: java with"
                    + " Ember's JVM flags and class dev.ember.runtime.opencl.OpenClTuner)");
        }
        return GemmConfig.DEFAULT;
    }

    /** False when {@code ember.opencl.untunedNotice} is off (see the class comment). */
    static boolean untunedNoticeWanted() {
        String v = System.getProperty("ember.opencl.untunedNotice", "");
        return !switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "off", "false", "0" -> true;
            default -> false;
        };
    }

    static int defaultSize(OpenClBackend be) {
        return be.isGpu() ? 2048 : 256;
    }

    /** Whether the device can run a config at all (work-group size and local memory). */
    static boolean fits(OpenClBackend be, GemmConfig cfg) {
        return cfg.threads() <= be.maxWorkGroup() && cfg.localBytes() <= be.localMemBytes();
    }

    /** Tunes: every fitting candidate is built, checked for correctness, and timed; the fastest correct one wins. */
    static Result tune(OpenClBackend be, List<GemmConfig> candidates, int size, PrintStream log) {
        return tune(be, candidates, size, log, OpenClTuner::check);
    }

    /** As {@link #tune(OpenClBackend, List, int, PrintStream)} with the correctness check given (null = correct). */
    static Result tune(OpenClBackend be, List<GemmConfig> candidates, int size, PrintStream log,
                       java.util.function.BiFunction<OpenClBackend, GemmConfig, String> checker) {
        List<String> lines = new ArrayList<>();
        GemmConfig best = null;
        double bestGflops = -1;
        for (GemmConfig cfg : candidates) {
            String line;
            if (!fits(be, cfg)) {
                line = cfg + ": skipped (needs " + cfg.threads() + " work-items, " + cfg.localBytes() + " B local memory)";
            } else {
                try {
                    long kernelMax = kernelWorkGroup(be, cfg);
                    if (kernelMax < cfg.threads()) {
                        line = cfg + ": skipped (kernel allows only " + kernelMax + " work-items per group)";
                    } else {
                        String wrong = checker.apply(be, cfg);
                        if (wrong != null) {
                            line = cfg + ": REJECTED, wrong result: " + wrong;
                        } else {
                            double gf = time(be, cfg, size);
                            line = String.format(Locale.ROOT, "%s: %.2f GFLOP/s", cfg, gf);
                            if (gf > bestGflops) {
                                bestGflops = gf;
                                best = cfg;
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    line = cfg + ": failed: " + e.getMessage().lines().findFirst().orElse("");
                }
            }
            lines.add(line);
            if (log != null) {
                log.println("  " + line);
            }
        }
        if (best == null) {
            throw new IllegalStateException("no GEMM candidate passed on " + be.name() + ": " + lines);
        }
        return new Result(best, bestGflops, size, List.copyOf(lines));
    }

    private static long kernelWorkGroup(OpenClBackend be, GemmConfig cfg) {
        long kernel = be.programs().kernel("gemm", cfg.defines(), "gemm_nn");
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer v = stack.mallocPointer(1);
            Cl.check(clGetKernelWorkGroupInfo(kernel, be.device().device(), CL_KERNEL_WORK_GROUP_SIZE, v, null),
                    "clGetKernelWorkGroupInfo");
            return v.get(0);
        }
    }

    /**
     * Null when the config computes all four transpose cases (with beta, bias and an activation)
     * correctly on three shapes: every dimension odd (element-wise tile loads), every dimension a
     * multiple of four (vector loads), and odd M and N with K a multiple of four (vector loads on
     * one operand, element-wise on the other; PoCL 3.1 once got this mix wrong for one tile shape).
     */
    static String check(OpenClBackend be, GemmConfig cfg) {
        for (int[] s : new int[][] {{67, 45, 37}, {68, 44, 36}, {67, 45, 36}}) {
            String bad = check(be, cfg, s[0], s[1], s[2]);
            if (bad != null) {
                return s[0] + "x" + s[1] + "x" + s[2] + " " + bad;
            }
        }
        return null;
    }

    private static String check(OpenClBackend be, GemmConfig cfg, int m, int n, int k) {
        Random rnd = new Random(12345);
        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n], bias = new float[n];
        for (float[] arr : new float[][] {a, b, c0, bias}) {
            for (int i = 0; i < arr.length; i++) {
                arr[i] = rnd.nextFloat() * 2 - 1;
            }
        }
        Storage[] bufs = allocateAll(be::allocate, be::release, a.length, b.length, c0.length, n);
        Storage sa = bufs[0], sb = bufs[1], sc = bufs[2], sbias = bufs[3];
        try {
            be.upload(a, 0, sa, 0, a.length);
            be.upload(b, 0, sb, 0, b.length);
            be.upload(bias, 0, sbias, 0, n);
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 2) != 0, tb = (t & 1) != 0;
                boolean withBias = t == 0;
                float beta = t == 3 ? 0f : 0.5f;
                float[] cin = c0.clone();
                if (beta == 0f) {
                    java.util.Arrays.fill(cin, Float.NaN); // beta == 0 must not read C
                }
                be.upload(cin, 0, sc, 0, cin.length);
                be.gemmWith(cfg, ta, tb, m, n, k, 0.75f, sa, sb, beta, sc, withBias ? sbias : null,
                        withBias ? Activation.RELU : Activation.IDENTITY, 0f);
                float[] out = new float[m * n];
                be.download(sc, 0, out, 0, out.length);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int p = 0; p < k; p++) {
                            // the same buffers read as op(A) and op(B) of the case
                            double av = ta ? a[p * m + i] : a[i * k + p];
                            double bv = tb ? b[j * k + p] : b[p * n + j];
                            acc += av * bv;
                        }
                        double ref = 0.75 * acc + (beta == 0f ? 0 : beta * (double) c0[i * n + j])
                                + (withBias ? bias[j] : 0);
                        if (withBias) {
                            ref = Math.max(ref, 0);
                        }
                        double got = out[i * n + j];
                        if (!(Math.abs(got - ref) <= 1e-4 + 1e-4 * Math.abs(ref))) {
                            return String.format(Locale.ROOT, "trans=(%b,%b) C[%d,%d] = %s, expected %.6f", ta, tb, i, j,
                                    got, ref);
                        }
                    }
                }
            }
            return null;
        } finally {
            releaseAll(be::release, bufs);
        }
    }

    /** Best of three timed runs after a warm-up, in GFLOP/s. */
    static double time(OpenClBackend be, GemmConfig cfg, int size) {
        long elems = (long) size * size;
        Storage[] bufs = allocateAll(be::allocate, be::release, elems, elems, elems);
        Storage sa = bufs[0], sb = bufs[1], sc = bufs[2];
        try {
            be.fill(sa, 0, elems, 0.5f);
            be.fill(sb, 0, elems, 0.25f);
            be.gemmWith(cfg, false, false, size, size, size, 1f, sa, sb, 0f, sc, null, Activation.IDENTITY, 0f);
            be.synchronize();
            long bestNs = Long.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                be.gemmWith(cfg, false, false, size, size, size, 1f, sa, sb, 0f, sc, null, Activation.IDENTITY, 0f);
                be.synchronize();
                bestNs = Math.min(bestNs, System.nanoTime() - t0);
            }
            return 2.0 * size * size * size / bestNs;
        } finally {
            releaseAll(be::release, bufs);
        }
    }

    /**
     * One buffer per entry of {@code elements}; if one cannot be had (the device is out of
     * memory), those already made are released before the failure is thrown, so a failed trial
     * holds nothing until the backend closes.
     */
    static Storage[] allocateAll(LongFunction<Storage> allocate, Consumer<Storage> release, long... elements) {
        Storage[] out = new Storage[elements.length];
        try {
            for (int i = 0; i < elements.length; i++) {
                out[i] = allocate.apply(elements[i]);
            }
            return out;
        } catch (RuntimeException | Error e) {
            try {
                releaseAll(release, out);
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Releases every non-null buffer, all of them even if one release throws (the first is rethrown). */
    static void releaseAll(Consumer<Storage> release, Storage[] bufs) {
        RuntimeException first = null;
        for (Storage b : bufs) {
            if (b == null) {
                continue;
            }
            try {
                release.accept(b);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Writes the winner to the device's tuning file (atomically). */
    static void save(OpenClBackend be, Result r) {
        save(be, r, tuningFile(be));
    }

    static void save(OpenClBackend be, Result r, Path file) {
        OpenClLoader.ClDevice d = be.device();
        String json = "{\n  \"device\": \"" + esc(d.name()) + "\",\n  \"platform\": \"" + esc(d.platformName())
                + "\",\n  \"driver\": \"" + esc(d.driver()) + "\",\n  \"gemmSourceHash\": \"" + KernelSources.hash("gemm")
                + "\",\n  \"config\": " + r.best().json() + ",\n  \"gflops\": "
                + String.format(Locale.ROOT, "%.3f", r.gflops()) + ",\n  \"size\": " + r.size() + ",\n  \"tunedAt\": \""
                + Instant.now() + "\"\n}\n";
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".json");
            Files.writeString(tmp, json);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("ember: could not save GEMM tuning to " + file + ": " + e);
        }
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    static final String USAGE = """
            usage: ember tune [--size N] [opencl:i ..]
              times the GEMM tile candidates that pass a float64 check on the named OpenCL devices (all by
              default) at N^3 (default 2048 on a GPU, 256 on a CPU device) and stores the fastest under
              <cache>/opencl/ (cache: -Dember.cache.dir or EMBER_CACHE_DIR, default ~/.cache/ember)""";

    /**
     * {@code ./ember tune [--size N] [opencl:i ...]}: tunes the named OpenCL devices (all by default)
     * and rewrites their tuning files.
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * The {@code ember tune} command: {@code [--size N] [opencl:i ..]}. Returns the exit code: 0
     * when a device was tuned, 1 when none was, 2 for a mistake in the arguments (one line on
     * {@code err}).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        int size = -1;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.println(USAGE);
                return 0;
            } else if (args[i].equals("--size")) {
                String v = i + 1 < args.length ? args[++i] : "";
                try {
                    size = Integer.parseInt(v.trim());
                } catch (NumberFormatException e) {
                    size = -1;
                }
                if (size < 1) {
                    err.println("ember tune: --size must be a positive integer, got '" + v + "'");
                    return 2;
                }
            } else if (args[i].startsWith("-")) {
                err.println("ember tune: unknown option " + args[i] + " (" + USAGE.lines().findFirst().orElseThrow() + ")");
                return 2;
            } else {
                names.add(args[i].trim().toLowerCase(Locale.ROOT));
            }
        }
        OpenClProvider provider = new OpenClProvider();
        int tuned = 0;
        List<String> seen = new ArrayList<>();
        for (DeviceInfo info : provider.probe()) {
            if (!info.available()) {
                out.println(info);
                continue;
            }
            seen.add(info.name());
            if (!names.isEmpty() && !names.contains(info.name())) {
                continue;
            }
            try (OpenClBackend be = (OpenClBackend) provider.open(Integer.parseInt(info.name().substring(7)))) {
                int n = size > 0 ? size : defaultSize(be);
                out.println("tuning GEMM on " + info.name() + " " + be.device().name() + " at " + n + "^3:");
                Result r = tune(be, GemmConfig.CANDIDATES, n, out);
                save(be, r);
                out.printf(Locale.ROOT, "  best: %s (%.2f GFLOP/s), saved to %s%n", r.best(), r.gflops(), tuningFile(be));
                tuned++;
            }
        }
        if (tuned == 0) {
            err.println("ember tune: no OpenCL device tuned" + (names.isEmpty() ? "" : " (asked for "
                    + String.join(", ", names) + "; available: " + (seen.isEmpty() ? "none" : String.join(", ", seen))
                    + ")"));
            return 1;
        }
        return 0;
    }
}
