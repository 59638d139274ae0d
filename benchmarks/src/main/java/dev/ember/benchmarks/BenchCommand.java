package dev.ember.benchmarks;

import dev.ember.nn.io.IoErrors;
import dev.ember.nn.plot.Plots;
import dev.ember.runtime.Device;
import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ember bench}: runs the JMH suites programmatically on every available (or chosen)
 * device, one JMH run per op, then prints one comparison table and writes a report directory
 * (raw JMH JSON, Markdown, PNG charts). The quick selection sizes its JMH iterations so the whole
 * run fits in about three minutes on a 2-core machine; its figures are indicative.
 */
public final class BenchCommand {
    /** Seconds the quick run's JMH runs aim for (start-up and roofline come on top; the limit is 180). */
    static final double QUICK_BUDGET_S = 115;
    /** First guess of the cost of one forked JMH JVM on the 2-core machine (start, class loading, setup). */
    static final double FORK_OVERHEAD_S = 2.0;
    static final int QUICK_WARMUP = 2, QUICK_MEASURE = 3;
    /**
     * Shortest quick-mode warm-up iteration. Each config runs in a fresh JVM, and Vector API code
     * runs 20-50x slower until C2 has compiled it: with two 50 ms warm-up iterations, softmax
     * cross-entropy at 1024x1000 measured 8.6 ms against 1.2-1.4 ms warm. Two of 200 ms cost about
     * 15 s more over the 64 quick configs.
     */
    static final long QUICK_MIN_WARMUP_MS = 200;

    private BenchCommand() {
    }

    /**
     * What a run measures with: JMH for each op's configurations and {@link Roofline#measure} for
     * each device's limits. The command's handling of what they return, write or throw is tested
     * with substitutes.
     */
    interface Measure {
        /** Runs JMH with {@code options}, which name the result file it is to write. */
        Collection<RunResult> jmh(Options options) throws RunnerException;

        Roofline roofline(String device);

        /**
         * Runs one small GEMM on {@code device} so that its backend chooses its GEMM tiles in this
         * process: an OpenCL GPU is tuned once here (and its tuning file saved for the forks to
         * read) rather than inside the first fork's measurement, and a device left on the default
         * tiles says so once rather than once per fork.
         */
        default void prepare(String device) {
        }

        Measure REAL = new Measure() {
            @Override
            public Collection<RunResult> jmh(Options options) throws RunnerException {
                return new Runner(options).run();
            }

            @Override
            public Roofline roofline(String device) {
                return Roofline.measure(Devices.get(device));
            }

            @Override
            public void prepare(String device) {
                Device dev = Devices.get(device);
                try (Tensor a = dev.rand(1, -1f, 1f, 2, 2); Tensor c = dev.zeros(2, 2)) {
                    Ops.gemm(false, false, 1f, a, a, 0f, c);
                }
            }
        };
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err, Measure.REAL);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Measure.REAL);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Measure measure) {
        BenchArgs a;
        List<Suite.Planned> plan;
        try {
            a = BenchArgs.parse(args);
            if (a.help()) {
                out.println(BenchArgs.usage());
                return 0;
            }
            plan = Suite.plan(a.full(), a.ops(), a.sizes());
            if (a.devices() != null) {
                checkDevices(a.devices(), Devices.list());
            }
        } catch (IllegalArgumentException e) {
            err.println("ember bench: " + e.getMessage());
            err.println("try 'ember bench --help'");
            return 2;
        }
        System.setProperty("java.awt.headless", "true");
        long start = System.nanoTime();

        List<String> devices = new ArrayList<>();
        List<DeviceInfo> infos = new ArrayList<>();
        for (String name : a.devices() != null ? a.devices() : Devices.list().stream().map(DeviceInfo::name).toList()) {
            DeviceInfo info = Devices.info(name);
            if (infos.stream().anyMatch(d -> d.name().equals(info.name()))) {
                continue; // another spelling of a device already listed ("cuda" and "cuda:0")
            }
            infos.add(info);
            if (!info.available()) {
                out.println("skipping " + info.name() + ": " + info.reason());
            } else {
                devices.add(info.name());
            }
        }
        if (devices.isEmpty()) {
            err.println("ember bench: no available device to measure");
            return 1;
        }
        List<Suite.Planned> present = new ArrayList<>();
        List<Object> skipped = new ArrayList<>();
        for (Suite.Planned p : plan) {
            if (hasBenchmark(p.op().benchClass())) {
                present.add(p);
            } else {
                String why = p.op().name() + ": " + p.op().benchClass() + " is not in this build";
                skipped.add(why);
                out.println("skipping " + why);
            }
        }
        plan = present;
        if (plan.isEmpty()) {
            err.println("ember bench: nothing left to run");
            return 1;
        }

        int configs = plan.stream().mapToInt(Suite.Planned::configs).sum() * devices.size();
        int forks, warmIt, measIt;
        long iterMs;
        if (a.full()) {
            forks = 2;
            warmIt = 3;
            measIt = 5;
            iterMs = 1000;
        } else {
            forks = 1;
            warmIt = QUICK_WARMUP;
            measIt = QUICK_MEASURE;
            iterMs = quickIterationMs(QUICK_BUDGET_S, configs, FORK_OVERHEAD_S);
        }
        String settings = String.format(Locale.ROOT, "%d fork(s), %d x %d ms warmup, %d x %d ms measurement per config%s",
                forks, warmIt, warmupMs(a.full(), iterMs), measIt, iterMs,
                a.full() ? "" : " (measurement iteration time re-fitted to the budget as the run goes)");

        Path dir = a.out() != null ? a.out()
                : Path.of("bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path raw = dir.resolve("raw");
        // One at a time, so that the error names the one that failed: a file named raw in a
        // reused --out directory is not the directory's fault.
        for (Path d : List.of(dir, raw)) {
            try {
                Files.createDirectories(d);
            } catch (IOException e) {
                String why = Files.exists(d) && !Files.isDirectory(d) ? "a file of that name exists" : IoErrors.reason(e);
                err.println("ember bench: cannot create report directory " + d + ": " + why);
                return 1;
            }
        }
        // The previous report in a reused --out stays until this run's is written: set aside, and
        // put back if this run ends first, by an exception or by a signal (the shutdown hook).
        PreviousReport previous;
        try {
            previous = PreviousReport.setAside(dir);
        } catch (IOException e) {
            err.println("ember bench: cannot set the previous run's results in " + dir + " aside: "
                    + IoErrors.reason(e));
            return 1;
        }
        Thread restoreOnExit = new Thread(previous::restore, "ember-bench-restore");
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
        Report report;
        List<String> failures = new ArrayList<>();
        try {
            out.printf(Locale.ROOT, "ember bench (%s): %d configs on %s; %s%s%n", a.full() ? "full" : "quick", configs,
                    String.join(", ", devices), settings, a.full() ? "" : " (indicative figures)");

            Map<String, Object> env = Environment.capture(infos);
            // A full run narrowed by --ops or --sizes is not "every op, size and mode": say so, as for quick.
            env.put("selection", (a.full() ? "full" : "quick") + (a.ops() == null && a.sizes() == null ? "" : " (narrowed)"));
            env.put("jmh", "1.37");
            env.put("skipped_ops", skipped);
            env.put("jmh_settings", settings);
            List<Roofline> roofs = new ArrayList<>();
            for (String d : devices) {
                Roofline r;
                try {
                    r = measure.roofline(d);
                    out.println("roofline " + d + ": " + r.describe(true));
                } catch (RuntimeException | LinkageError e) {
                    // As with a failed benchmark: the other devices and ops are still measured. The end
                    // of the run tries again; until then this device's roof% has nothing to refer to.
                    r = Roofline.unmeasured(d, reason(e));
                    out.println("roofline " + d + ": not measured (" + reason(e) + "); trying again at the end");
                }
                roofs.add(r);
                if (!d.equals("cpu")) {
                    try {
                        measure.prepare(d);
                    } catch (RuntimeException | LinkageError e) {
                        out.println("note: GEMM on " + d + " failed before the run (" + reason(e) + ")");
                    }
                }
            }

            if (!Boolean.getBoolean("jmh.ignoreLock") && jmhLockHeld()) {
                // JMH refuses to start while another JMH run holds its lock; on a shared machine that
                // run may last long, so measure alongside it and say so in the report.
                System.setProperty("jmh.ignoreLock", "true");
                out.println("note: another JMH run holds the JMH lock; measuring alongside it (figures are noisier)");
                env.put("note", "another JMH run was active at the start; figures are noisier");
            }
            List<String> rawJson = new ArrayList<>();
            Map<String, Object> iterationMs = new java.util.LinkedHashMap<>();
            int i = 0;
            int doneConfigs = 0;
            double iterationSeconds = 0;
            long jmhStart = System.nanoTime();
            for (Suite.Planned p : plan) {
                i++;
                if (!a.full() && doneConfigs > 0) {
                    // Re-fit the iteration time to what is left of the budget, using the overhead seen so far.
                    double elapsed = (System.nanoTime() - jmhStart) * 1e-9;
                    double overhead = Math.max(0.5, (elapsed - iterationSeconds) / doneConfigs);
                    iterMs = quickIterationMs(QUICK_BUDGET_S - elapsed, configs - doneConfigs, overhead);
                }
                String name = p.op().name();
                int expected = p.configs() * devices.size();
                out.printf(Locale.ROOT, "[%d/%d] %-16s %s%s ... ", i, plan.size(), name, String.join(",", p.sizes()),
                        p.modes().isEmpty() ? "" : " (" + String.join(",", p.modes()) + ")");
                out.flush();
                long t0 = System.nanoTime();
                Path result = raw.resolve(name + ".json");
                Path log = raw.resolve(name + ".log");
                ChainedOptionsBuilder ob = new OptionsBuilder()
                        .include(p.op().includePattern())
                        .param("device", devices.toArray(String[]::new))
                        .param(p.op().sizeParam(), p.sizes().toArray(String[]::new))
                        .forks(forks)
                        .warmupIterations(warmIt).warmupTime(TimeValue.milliseconds(warmupMs(a.full(), iterMs)))
                        .measurementIterations(measIt).measurementTime(TimeValue.milliseconds(iterMs))
                        .jvmArgsAppend(forkJvmArgs())
                        .resultFormat(ResultFormatType.JSON).result(result.toString())
                        .output(log.toString())
                        .shouldFailOnError(false);
                p.params().forEach(ob::param);
                if (!p.modes().isEmpty()) {
                    ob.param("mode", p.modes().toArray(String[]::new));
                }
                int got = 0;
                try {
                    Collection<RunResult> results = measure.jmh(ob.build());
                    got = results.size();
                } catch (RunnerException | RuntimeException e) {
                    failures.add(name + ": " + reason(e));
                }
                double secs = (System.nanoTime() - t0) * 1e-9;
                doneConfigs += expected;
                iterationSeconds += expected * (warmIt * warmupMs(a.full(), iterMs) + measIt * iterMs) / 1000.0;
                iterationMs.put(name, iterMs);
                if (got < expected) {
                    // JMH writes no log when it fails before starting (its lock, bad options)
                    String see = Files.exists(log) ? ", see " + log : "";
                    failures.add(name + ": " + (expected - got) + " of " + expected + " configs failed" + see);
                    out.printf(Locale.ROOT, "%d of %d failed (%.0f s)%s%n", expected - got, expected, secs, see);
                } else {
                    out.printf(Locale.ROOT, "%.0f s (%d ms iterations)%n", secs, iterMs);
                }
                // Only this run's JMH can have written the file (removeStaleOutput). One that does not
                // parse as JMH's results fails this op, not the report of every other op.
                try {
                    if (Files.exists(result)) {
                        String text = Files.readString(result);
                        JmhResults.parse(text);
                        rawJson.add(text);
                    }
                } catch (IOException e) {
                    failures.add(name + ": cannot read " + result + ": " + IoErrors.reason(e));
                } catch (IllegalArgumentException e) {
                    failures.add(name + ": " + result + " is not a JMH result document (" + e.getMessage() + ")");
                }
            }

            // Measured again after the run, keeping the higher of each limit: a limit measured while
            // other jobs were busy reads low and puts rows above 100% of it.
            List<Object> roofJson = new ArrayList<>();
            for (int k = 0; k < devices.size(); k++) {
                Roofline kept = roofs.get(k);
                try {
                    kept = kept.higher(measure.roofline(devices.get(k)));
                } catch (RuntimeException | LinkageError e) {
                    out.println("note: roofline of " + devices.get(k) + " not measured again (" + reason(e)
                            + "); the start's is kept");
                }
                if (kept.measured()) {
                    out.println("roofline " + kept.device() + ", higher of start and end: " + kept.describe(false));
                } else {
                    failures.add("roofline of " + kept.device() + ": " + kept.peakMethod() + "; its roof% column is empty");
                }
                roofJson.add(kept.toJson());
            }
            env.put("roofline", roofJson);
            env.put("roofline_remeasured", true);
            env.put("failures", failures);
            env.put("iteration_ms", iterationMs);
            env.put("load_average_end", Environment.loadAverage());
            env.put("wall_seconds", Math.round((System.nanoTime() - start) * 1e-9));
            try {
                Files.writeString(dir.resolve(Report.JMH_JSON), mergeArrays(rawJson));
                Files.writeString(dir.resolve(Report.ENV_JSON), Json.write(env));
                report = Report.load(dir);
                Files.writeString(dir.resolve("results.md"), report.markdown("#", Report.byBench(dir)));
                Files.writeString(dir.resolve("rows.json"), report.rowsJson());
            } catch (IOException | RuntimeException e) {
                err.println("ember bench: writing the report to " + dir + " failed: " + e);
                return 1;
            }
            previous.discard(); // before the hook could put the previous report back over this one
        } catch (IOException e) {
            err.println("ember bench: the report is written, but the previous one in " + dir.resolve(PreviousReport.KEPT)
                    + " could not be deleted: " + IoErrors.reason(e));
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(restoreOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) restore, which does nothing once discard has
            }
            previous.restore(); // nothing once discarded: only a run that ended early gets here with work to do
        }
        boolean chartsFailed = false;
        try {
            Charts.write(new ReportTable(report.rows(), report.roofline()), dir.resolve("charts"));
        } catch (IOException e) {
            // The tables are written by now: print them and the run's failures all the same.
            err.println("ember bench: writing the charts to " + dir.resolve("charts") + " failed: " + IoErrors.reason(e)
                    + "; the tables are in " + dir.resolve("results.md"));
            chartsFailed = true;
        } catch (RuntimeException | Error e) {
            // Charts are a convenience next to the tables: a machine without fonts still gets a result.
            err.println("ember bench: " + Plots.skipped("charts", e));
        }
        ReportTable table = new ReportTable(report.rows(), report.roofline());
        out.println();
        out.print(table.text());
        // Crossovers that happen get a line each; the ops an accelerator never wins share one line.
        Map<String, List<String>> never = new LinkedHashMap<>();
        for (String c : table.crossovers()) {
            int cut = c.indexOf(": does not overtake");
            if (cut < 0) {
                out.println("crossover: " + c);
            } else {
                String head = c.substring(0, cut);
                int sp = head.indexOf(' ');
                never.computeIfAbsent(head.substring(0, sp), k -> new ArrayList<>()).add(head.substring(sp + 1));
            }
        }
        never.forEach((d, ops) -> out.println("crossover: " + d + " does not overtake the CPU at the measured sizes of "
                + String.join(", ", ops)));
        failures.forEach(f -> out.println("FAILED " + f));
        out.printf(Locale.ROOT, "report: %s (%d rows, %.0f s wall)%s%n", dir, report.rows().size(),
                (System.nanoTime() - start) * 1e-9, a.full() ? "" : "; quick figures are indicative");
        if (a.json()) {
            out.print(report.rowsJsonLine()); // the last line, as train --json's: `| tail -n 1` reads it
        }
        return failures.isEmpty() && !chartsFailed ? 0 : 1;
    }

    private static final Pattern DEVICE_NAME = Pattern.compile("(cpu|cuda|opencl)(:[0-9]+)?");

    /**
     * Refuses, before anything runs, a {@code --devices} entry that is not a device name or names
     * an index that does not exist among {@code known} ({@link Devices#list()}): measuring the
     * rest would publish a report without the device that was asked for. A device that exists but
     * is unavailable (cuda without a GPU: its backend is listed as one unavailable entry) passes,
     * and is skipped with its reason.
     */
    static void checkDevices(List<String> names, List<DeviceInfo> known) {
        String knownText = String.join(", ", known.stream()
                .map(d -> d.available() ? d.name() : d.name() + " (unavailable)").toList());
        for (String name : names) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (!DEVICE_NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("--devices: '" + name + "' is not a device name (cpu, cuda[:i] or "
                        + "opencl[:i]; known here: " + knownText + ")");
            }
            // The spellings Devices accepts: "cuda" is cuda:0, "cpu:0" is cpu.
            n = n.equals("cuda") || n.equals("opencl") ? n + ":0" : n.equals("cpu:0") ? "cpu" : n;
            String kind = n.contains(":") ? n.substring(0, n.indexOf(':')) : n;
            String full = n;
            boolean exists = known.stream().anyMatch(d -> d.name().equals(full)
                    || (d.kind().equals(kind) && d.name().equals(kind) && !d.available()));
            if (!exists) {
                throw new IllegalArgumentException("--devices: no device '" + name + "' on this machine (known: "
                        + knownText + ")");
            }
        }
    }

    /** Warm-up iteration length: the measurement's, but at least {@link #QUICK_MIN_WARMUP_MS} in quick mode. */
    static long warmupMs(boolean full, long iterMs) {
        return full ? iterMs : Math.max(iterMs, QUICK_MIN_WARMUP_MS);
    }

    /**
     * Measurement iteration length that fits {@code budgetS} seconds for {@code configs} forks
     * costing {@code overheadS} each besides their iterations, between 50 and 400 ms; the warm-up
     * iterations are as long, or {@link #QUICK_MIN_WARMUP_MS} when that is longer.
     */
    static long quickIterationMs(double budgetS, int configs, double overheadS) {
        double perConfigMs = (budgetS / Math.max(1, configs) - overheadS) * 1000;
        double ms = perConfigMs / (QUICK_WARMUP + QUICK_MEASURE);
        if (ms < QUICK_MIN_WARMUP_MS) {
            ms = (perConfigMs - QUICK_WARMUP * QUICK_MIN_WARMUP_MS) / QUICK_MEASURE;
        }
        return Math.max(50, Math.min(400, Math.round(ms)));
    }

    /** Runtime flags plus every -Dember.* property of this JVM, for the forked JMH JVMs. */
    static String[] forkJvmArgs() {
        List<String> l = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true"));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("ember.")).sorted()
                .forEach(k -> l.add("-D" + k + "=" + System.getProperty(k)));
        // The tiles were chosen (and any tuning file written) by Measure.prepare in this process;
        // a fork reads that file, or runs the defaults without repeating the notice.
        l.add("-Dember.opencl.tune=off");
        l.add("-Dember.opencl.untunedNotice=off");
        return l.toArray(String[]::new);
    }

    /** Concatenates JMH JSON arrays into one array, keeping JMH's formatting of each entry. */
    static String mergeArrays(List<String> arrays) {
        List<String> bodies = new ArrayList<>();
        for (String s : arrays) {
            String t = s.strip();
            if (!t.startsWith("[") || !t.endsWith("]")) {
                throw new IllegalArgumentException("not a JMH JSON array: " + t.substring(0, Math.min(40, t.length())));
            }
            String body = t.substring(1, t.length() - 1).strip();
            if (!body.isEmpty()) {
                bodies.add(body);
            }
        }
        return "[\n" + String.join(",\n", bodies) + "\n]\n";
    }

    /**
     * What an earlier run may have left in a reused report directory that this run writes only
     * when it succeeds, and that {@link PreviousReport} therefore sets aside: each op's raw JMH
     * result and log (a JMH run that fails before writing its result would otherwise leave the
     * previous run's figures to be read as this run's), the report's own files (a run that fails
     * while writing them would leave its jmh.json beside the last run's env.json, which
     * {@code ember results} would publish as one report) and the charts of every op (this run may
     * chart other ops); files it would not write stay. Only those that exist are listed.
     */
    static List<Path> staleOutput(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        for (String f : List.of(Report.JMH_JSON, Report.ENV_JSON, "rows.json", "results.md")) {
            found.add(dir.resolve(f));
        }
        Path raw = dir.resolve("raw"), charts = dir.resolve("charts");
        boolean chartsDir = Files.isDirectory(charts); // a file named charts is reported when the charts are written
        List<String> charted = new ArrayList<>();
        for (OpSpec o : Suite.all()) {
            found.add(raw.resolve(o.name() + ".json"));
            found.add(raw.resolve(o.name() + ".log"));
            charted.add(o.name());
        }
        // Charts are named by the report's lines, and GEMM's are one per transpose case (--full):
        // gemm_nt, gemm_tn and gemm_tt as well as gemm.
        for (String trans : gemmTransposes()) {
            charted.add(JmhResults.gemmName(Suite.GEMM_CLASS + ".gemm", trans));
        }
        for (String name : chartsDir ? charted : List.<String>of()) {
            found.addAll(Charts.files(name, charts));
        }
        found.removeIf(f -> !Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        return List.copyOf(new java.util.LinkedHashSet<>(found)); // gemm's charts come twice: as an op and as NN
    }

    /** The transpose cases GemmBenchmark measures (its {@code trans} parameter's values). */
    private static String[] gemmTransposes() {
        try {
            return GemmBenchmark.class.getField("trans").getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("GemmBenchmark has no trans parameter", e);
        }
    }

    /** A failure's message, or its class where it has none. */
    static String reason(Throwable e) {
        return e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Whether another process holds JMH's lock file (JMH would refuse to run). */
    private static boolean jmhLockHeld() {
        Path lock = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasBenchmark(String cls) {
        try (InputStream in = BenchCommand.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            return in != null && new String(in.readAllBytes(), StandardCharsets.UTF_8).contains(" " + cls + " ");
        } catch (IOException e) {
            return false;
        }
    }
}
