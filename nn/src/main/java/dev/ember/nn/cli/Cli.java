package dev.ember.nn.cli;

import dev.ember.nn.data.Csv;
import dev.ember.nn.data.Dataset;
import dev.ember.nn.data.Datasets;
import dev.ember.nn.data.Split;
import dev.ember.nn.data.Splits;
import dev.ember.nn.data.StandardScaler;
import dev.ember.nn.io.Json;
import dev.ember.nn.io.SafeTensorsFormatException;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.model.ModelFile;
import dev.ember.nn.model.SavedModel;
import dev.ember.nn.model.TrainingCsv;
import dev.ember.nn.plot.Plots;
import dev.ember.nn.train.Evaluation;
import dev.ember.nn.train.Experiment;
import dev.ember.nn.train.History;
import dev.ember.nn.train.Metrics;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.RunConfig;
import dev.ember.nn.train.Task;
import dev.ember.nn.train.Trainer;
import dev.ember.runtime.Device;
import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code ember} command line: {@code devices}, {@code train}, {@code evaluate} and
 * {@code predict}. {@link #run} returns the exit code (0 success, 1 failure while running,
 * 2 a mistake in the command or its input), printing one clear line on stderr for errors.
 */
public final class Cli {
    /** The model file train writes into its --out directory; evaluate and predict accept the directory. */
    private static final String MODEL_FILE = "model.safetensors";
    private static final Set<String> TRAIN_FLAGS = Set.of("data", "label-column", "task", "layers", "activation",
            "loss", "optimizer", "lr", "momentum", "schedule", "weight-decay", "dropout", "batch-size", "epochs", "seed",
            "device", "out", "patience", "validation", "init", "clip-norm", "test-fraction", "split-seed",
            "drop-columns");
    private static final Set<String> TRAIN_SWITCHES = Set.of("header", "json", "quiet", "batchnorm", "stratify");
    private static final Set<String> EVAL_FLAGS = Set.of("model", "data", "label-column", "device", "part");
    private static final Set<String> EVAL_SWITCHES = Set.of("header", "json", "quiet");
    private static final Set<String> PREDICT_FLAGS = Set.of("model", "input", "device");
    private static final Set<String> PREDICT_SWITCHES = Set.of("header");
    /** The defaults of the CSV-only flags of train (and --label-column of evaluate), as the help shows them. */
    static final String LABEL_COLUMN = "-1";
    static final String TASK = "classification";
    static final float TEST_FRACTION = 0.2f;
    static final long SPLIT_SEED = 42;

    private final PrintStream out;
    private final PrintStream err;

    private Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The commands this command line runs (the launcher's entry point hands them over). */
    public static final Set<String> COMMANDS = Set.of("devices", "train", "evaluate", "predict");

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command with System.out and System.err; returns the exit code. */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Cli cli = new Cli(out, err);
        // "ember help train", as git's: the command's own help
        if (args.length == 2 && args[0].equals("help")
                && COMMANDS.contains(args[1])) {
            out.print(Help.of(args[1]));
            return 0;
        }
        if (args.length == 0 || isHelp(args[0])) {
            (args.length == 0 ? err : out).print(Help.overview());
            return args.length == 0 ? 2 : 0;
        }
        // "ember train --help": the command's help, before the flags are parsed (the others may be
        // incomplete, and --data is required). A flag's value is skipped as Args reads it, so
        // "--input -h" names a file -h; "help" is never the flag, being a value's word too.
        Set<String> valueFlags = switch (args[0]) {
            case "train" -> TRAIN_FLAGS;
            case "evaluate" -> EVAL_FLAGS;
            case "predict" -> PREDICT_FLAGS;
            default -> Set.of();
        };
        boolean known = COMMANDS.contains(args[0]); // else: unknown command
        for (int i = 1; known && i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.print(Help.of(args[0]));
                return 0;
            }
            if (args[i].startsWith("--") && valueFlags.contains(args[i].substring(2))) {
                i++; // its value (a "--name=value" has none to skip)
            }
        }
        try {
            return switch (args[0]) {
                case "devices" -> {
                    new Args(args, 1, Set.of(), Set.of()); // takes no flags: refuses any, as the others do
                    yield cli.devices();
                }
                case "train" -> cli.train(new Args(args, 1, TRAIN_FLAGS, TRAIN_SWITCHES));
                case "evaluate" -> cli.evaluate(new Args(args, 1, EVAL_FLAGS, EVAL_SWITCHES));
                case "predict" -> cli.predict(new Args(args, 1, PREDICT_FLAGS, PREDICT_SWITCHES));
                default -> throw new UsageException("unknown command '" + args[0]
                        + "' (expected devices, train, evaluate or predict; try 'ember help')");
            };
        } catch (UsageException | IllegalArgumentException | SafeTensorsFormatException e) {
            // a corrupt model file is bad input, as a model of another architecture is
            err.println("ember: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("ember: " + describe(e));
            return 1;
        } catch (UncheckedIOException e) {
            err.println("ember: " + (e.getCause() != null && e.getMessage().equals(e.getCause().toString())
                    ? describe(e.getCause()) : e.getMessage()));
            return 1;
        } catch (IllegalStateException e) {
            err.println("ember: " + e.getMessage());
            return 1;
        } catch (RuntimeException | OutOfMemoryError e) {
            // not expected: still one line, with the type so that it can be reported
            err.println("ember: internal error: " + e);
            return 1;
        }
    }

    /**
     * The names (without "--") of the flags and switches {@code command} accepts: none for
     * {@code devices}. For tools that complete or check a command line, and for the help's tests.
     *
     * @throws IllegalArgumentException for a command other than devices, train, evaluate or predict
     */
    public static Set<String> flags(String command) {
        if (!COMMANDS.contains(command)) {
            throw new IllegalArgumentException("unknown command '" + command + "'");
        }
        return switch (command) {
            case "devices" -> Set.of();
            case "train" -> union(TRAIN_FLAGS, TRAIN_SWITCHES);
            case "evaluate" -> union(EVAL_FLAGS, EVAL_SWITCHES);
            case "predict" -> union(PREDICT_FLAGS, PREDICT_SWITCHES);
            default -> throw new IllegalArgumentException("unknown command '" + command + "'");
        };
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return java.util.Collections.unmodifiableSet(all);
    }

    private static boolean isHelp(String arg) {
        return arg.equals("help") || arg.equals("--help") || arg.equals("-h");
    }

    /**
     * An I/O error as a sentence: the file system exceptions' own messages are often just the
     * path ("ember: /proc/nope"), which says nothing about what went wrong.
     */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": "
                    + dev.ember.nn.io.IoErrors.reason(e);
        }
        return dev.ember.nn.io.IoErrors.reason(e);
    }

    // ---- devices --------------------------------------------------------------------------------

    private int devices() {
        String best;
        try {
            best = Devices.best().name();
        } catch (IllegalArgumentException e) {
            best = null;
            err.println("ember: default device: " + e.getMessage());
        }
        for (DeviceInfo d : Devices.list()) {
            String mark = d.name().equals(best) ? "* " : "  ";
            out.println(mark + String.format("%-10s %s", d.name(), d.available() ? "available    " + d.description()
                    : "unavailable  " + d.reason()));
        }
        return 0;
    }

    private static Device device(Args a) {
        return a.has("device") ? Devices.get(a.get("device")) : Devices.best();
    }

    // ---- train ----------------------------------------------------------------------------------

    /** The data to train on; {@code csv} records a CSV file's split and columns (null for a data set name). */
    private record Data(Split split, boolean named, String name, TrainingCsv csv) {
    }

    private static Data loadTrainData(Args a) {
        String data = a.require("data");
        Path p = Path.of(data);
        String task = a.has("task") ? a.get("task").trim().toLowerCase(Locale.ROOT) : TASK;
        if (!task.equals("classification") && !task.equals("regression")) {
            throw new UsageException("--task must be classification or regression, got '" + a.get("task") + "'");
        }
        if (isDataFile(p)) {
            boolean regression = task.equals("regression");
            float testFraction = a.floatValue("test-fraction", TEST_FRACTION);
            if (!(testFraction > 0 && testFraction < 1)) {
                throw new UsageException("--test-fraction must be in (0, 1), got " + a.get("test-fraction"));
            }
            if (regression && a.flag("stratify")) {
                throw new UsageException("--stratify needs classes; --task regression has none");
            }
            // --drop-columns: resolved once the header (or first row) is read, and the columns left unread
            DropColumns.Layout[] layout = {null};
            Csv.Skipped skipped = !a.has("drop-columns") ? null : (names, cols, label) -> {
                layout[0] = DropColumns.resolve(a.get("drop-columns"), p, names, cols, label);
                return Set.copyOf(layout[0].dropped());
            };
            Dataset d = readCsv(p, a, !regression, null, skipped,
                    read -> layout[0] == null ? read : DropColumns.apply(read, layout[0], a.flag("header")));
            int featureColumns = layout[0] == null ? d.cols() : layout[0].columns() - 1;
            List<Integer> dropped = layout[0] == null ? List.of() : layout[0].positions();
            if (!a.has("task")) {
                checkNotANumericTarget(p, d);
            }
            // The float flag read back as the decimal the user typed (0.2f is not 0.2).
            double fraction = Double.parseDouble(Float.toString(testFraction));
            checkRowsToSplit(p, d.rows(), a, fraction, validation(a, RunConfig.defaults()));
            long seed = a.longValue("split-seed", SPLIT_SEED);
            Split split = Splits.random(d, fraction, seed, a.flag("stratify"));
            TrainingCsv csv = new TrainingCsv(d.rows(), TrainingCsv.fingerprint(d), fraction, seed, a.flag("stratify"),
                    featureColumns, dropped);
            return new Data(split.standardized(regression), false, d.name(), csv);
        }
        checkNotAMissingFile(data);
        for (String csvOnly : new String[] {"task", "label-column", "header", "test-fraction", "split-seed",
            "stratify", "drop-columns"}) {
            if (a.has(csvOnly)) {
                throw new UsageException("--" + csvOnly + " applies to CSV files; " + data
                        + " is a bundled data set with its own label and task");
            }
        }
        return new Data(Datasets.reference(data), true, data, null);
    }

    /**
     * Refuses a CSV too small for the test split, and for the validation split of its training
     * part when there is one, saying how many rows it has and how many the splits need (Splits'
     * own message names neither the file nor the flags).
     */
    private static void checkRowsToSplit(Path p, int rows, Args a, double testFraction, double validation) {
        boolean validates = validation > 0 && validation < 1; // another value is refused by config()
        int need = 2;
        while (need - Splits.testCount(need, testFraction) < (validates ? 2 : 1)) {
            need++;
        }
        if (rows >= need) {
            return;
        }
        int test = Splits.testCount(need, testFraction);
        int validate = validates ? Splits.testCount(need - test, validation) : 0;
        throw new UsageException(p + ": too few rows to train: the file has " + rows + " data row" + (rows == 1 ? ""
                : "s") + ", and the splits need at least " + need + " (" + test + " to test, --test-fraction "
                + flag(a, "test-fraction", testFraction) + "; " + (validates ? validate + " to validate, --validation "
                + flag(a, "validation", validation) + "; " : "") + (need - test - validate) + " to train on)");
    }

    /** A number flag as the user wrote it, or {@code value} (its default) when not given. */
    private static String flag(Args a, String name, double value) {
        return a.has(name) ? a.get(name).strip() : Double.toString(value);
    }

    /** The validation fraction, the float flag read back as the decimal the user typed. */
    private static double validation(Args a, RunConfig base) {
        return Double.parseDouble(Float.toString(a.floatValue("validation", (float) base.validation())));
    }

    private static int[] layers(String spec) {
        String s = spec.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("none")) {
            return new int[0];
        }
        String[] parts = s.split(",", -1); // -1 keeps empty parts, so "," and "32," are errors
        int[] h = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                h[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                h[i] = -1;
            }
            if (h[i] < 1) {
                throw new UsageException("bad layer spec '" + spec + "': expected positive hidden sizes separated by"
                        + " commas, e.g. 64,32 (or 'none')");
            }
        }
        return h;
    }

    private static RunConfig config(Args a, RunConfig b) {
        String optimizer = a.has("optimizer") ? a.get("optimizer") : b.optimizer();
        // The momentum that trains, as the config line shows it: a reference's (digits: SGD's 0.9) is
        // not carried to an --optimizer that has none, and SGD or Nesterov without one gets its
        // default (0 and 0.9).
        // (takesMomentum refuses an unknown name.)
        float momentum = a.floatValue("momentum", b.momentum());
        if (!a.has("momentum") && !dev.ember.nn.optim.Optimizer.takesMomentum(optimizer)) {
            momentum = dev.ember.nn.optim.Optimizer.DEFAULT_MOMENTUM;
        } else if (!a.has("momentum") && momentum == dev.ember.nn.optim.Optimizer.DEFAULT_MOMENTUM) {
            momentum = dev.ember.nn.optim.Optimizer.defaultMomentum(optimizer);
        }
        // Likewise the weight decay: a config's "optimizer default" (-1) becomes the value that trains
        // (adamw's 0.01, as PyTorch's AdamW; 0 for the others).
        // (A --weight-decay given is taken as it is: the optimizer's check refuses -1.)
        float weightDecay = a.has("weight-decay") ? a.floatValue("weight-decay", 0f)
                : RunConfig.resolvedWeightDecay(optimizer, b.weightDecay());
        RunConfig c = new RunConfig(a.has("layers") ? layers(a.get("layers")) : b.hidden(),
                a.has("activation") ? a.get("activation") : b.activation(), a.has("loss") ? a.get("loss") : b.loss(),
                optimizer, a.floatValue("lr", b.lr()), momentum, a.has("schedule") ? a.get("schedule") : b.schedule(),
                weightDecay, a.floatValue("dropout", b.dropout()),
                a.flag("batchnorm") || b.batchNorm(), a.intValue("batch-size", b.batchSize()),
                a.intValue("epochs", b.epochs()), a.longValue("seed", b.seed()), a.intValue("patience", b.patience()),
                validation(a, b), a.has("init") ? a.get("init") : b.init(),
                a.floatValue("clip-norm", b.clipNorm()));
        // parse names now, so a typo is a usage error before any training
        Loss.parse(c.resolvedLoss(3));
        dev.ember.runtime.Activation.parse(c.activation());
        dev.ember.nn.optim.LrSchedule.parse(c.schedule());
        dev.ember.nn.Init.parse(c.init());
        if (a.has("momentum") && c.momentum() == dev.ember.nn.optim.Optimizer.DEFAULT_MOMENTUM) {
            throw new UsageException("--momentum must be in [0, 1), got " + c.momentum());
        }
        dev.ember.nn.optim.Optimizer.check(c.optimizer(), c.momentum());
        if (a.has("momentum") && !dev.ember.nn.optim.Optimizer.takesMomentum(c.optimizer())) {
            // PyTorch's Adam(momentum=...) is a TypeError; silently training without it misleads
            throw new UsageException("--momentum applies to sgd and nesterov; Ember's "
                    + c.optimizer().trim().toLowerCase(Locale.ROOT) + " has no momentum");
        }
        // The trainer's and the optimizer's own checks (epochs, batch size, validation, patience,
        // clip norm; learning rate, weight decay, Nesterov's momentum), run now rather than after
        // the data and config lines have been printed.
        dev.ember.nn.train.TrainConfig.check(c.epochs(), c.batchSize(), c.validation(), c.patience(), c.clipNorm());
        dev.ember.nn.optim.Optimizer.check(c.optimizer(), c.lr(), c.weightDecay(), c.momentum());
        if (c.patience() > 0 && c.validation() <= 0) {
            throw new UsageException(a.has("patience")
                    ? "--patience needs a validation fraction (--validation 0.2)"
                    : (a.has("validation") ? "--validation " + a.get("validation") : "validation " + c.validation())
                    + " leaves no validation part, but this configuration"
                    + " stops early with patience " + c.patience() + "; add --patience 0 to train without early"
                    + " stopping");
        }
        if (c.dropout() < 0 || c.dropout() >= 1) {
            throw new UsageException("--dropout must be in [0, 1), got " + c.dropout());
        }
        return c;
    }

    /**
     * A classification loss needs class labels and BCE two classes: said before any output. On a
     * regression set cross-entropy built an output layer of 0 units ("dense: units must be
     * positive, got 0").
     */
    private static void checkLoss(Args a, RunConfig c, Dataset train) {
        Task task = Task.of(Loss.parse(c.resolvedLoss(train.classes())));
        String given = a.has("loss") ? "--loss " + c.loss() : "loss " + c.loss();
        if (task.hasClasses() && !train.isClassification()) {
            throw new UsageException(given + " needs class labels, but data " + train.name() + " is regression");
        }
        if (task == Task.BINARY && train.classes() != 2) {
            throw new UsageException(given + " needs 2 classes, data " + train.name() + " has " + train.classes()
                    + " (cross_entropy takes any number)");
        }
    }

    private int train(Args a) throws IOException {
        long loadStart = System.nanoTime();
        Data data = loadTrainData(a);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        RunConfig c = config(a, data.named ? RunConfig.reference(data.name) : RunConfig.defaults());
        checkLoss(a, c, data.split.train());
        c = c.withResolvedLoss(data.split.train().classes()); // the config line names the loss, not "auto"
        Device device = device(a);
        Path outDir = a.has("out") ? outputDirectory(a.get("out")) : null;
        boolean quiet = a.flag("quiet");
        boolean json = a.flag("json");
        PrintStream log = json ? err : out;
        Progress.Mode mode = quiet ? Progress.Mode.QUIET : Progress.Mode.AUTO;
        Split split = data.split;
        if (!quiet) {
            log.println("data " + data.name + ": " + split.train().rows() + " train / " + split.test().rows()
                    + " test rows, " + split.train().cols() + " features, "
                    + (split.train().isClassification() ? split.train().classes() + " classes" + named(
                    split.train().classNames()) : "regression") + "; device " + device.name());
            log.println("config " + c);
        }
        long t0 = System.nanoTime();
        Experiment.Result r = Experiment.run(c, split, device, mode, log);
        try (var model = r.model()) {
            double total = (System.nanoTime() - t0) / 1e9;
            Evaluation ev = r.test();
            if (!quiet) {
                log.print(model.summary());
                printEvaluation(log, ev, split.train().classNames(), split.targetScaler(), split.test());
                log.printf(Locale.ROOT, "trained %d epochs in %.2f s (%.0f samples/s)%n", r.history().epochs().size(),
                        r.history().seconds(), r.history().samplesPerSecond());
            }
            if (outDir != null) {
                Path dir = outDir;
                SavedModel saved = new SavedModel(model, r.loss().name(), data.name, split.train().featureNames(),
                        split.train().classNames(), split.featureScaler(), split.targetScaler(), data.csv);
                ModelFile.save(dir.resolve(MODEL_FILE), saved);
                r.history().writeCsv(dir.resolve("history.csv"));
                writePlots(dir, r.history(), ev, split.train().classNames(), data.name);
                if (!quiet) {
                    log.println("wrote " + dir.resolve(MODEL_FILE) + ", history.csv and plots");
                }
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("command", "train");
                m.put("data", data.name);
                m.put("device", device.name());
                m.put("device_description", device.description());
                m.put("config", c.toString());
                m.put("epochs_run", r.history().epochs().size());
                m.put("stopped_early", r.history().stoppedEarly());
                if (r.history().bestEpoch() >= 0) {
                    m.put("best_epoch", r.history().bestEpoch() + 1);
                }
                m.put("final_train_loss", r.history().last().loss());
                metrics(m, ev, split.train().classNames(), split.targetScaler(), split.test());
                m.put("load_seconds", loadSeconds); // reading, splitting and scaling the data
                m.put("train_seconds", r.history().seconds());
                m.put("total_seconds", total); // model, training and test evaluation, after the load
                m.put("samples_per_second", r.history().samplesPerSecond());
                m.put("parameters", model.parameterCount());
                out.println(Json.write(m));
            }
        }
        return 0;
    }

    /**
     * " (setosa, versicolor, virginica)" for classes with names, "" for classes that are only
     * numbered: text labels show which index each became, as LabelEncoder's classes_ does.
     */
    private static String named(List<String> classNames) {
        for (int c = 0; c < classNames.size(); c++) {
            if (!classNames.get(c).equals(Integer.toString(c))) {
                String all = String.join(", ", classNames);
                return " (" + (all.length() <= 200 ? all : all.substring(0, 197) + "...") + ")";
            }
        }
        return "";
    }

    /**
     * Creates (if needed) and returns the output directory, before any training, so that a bad
     * path fails at once rather than after the last epoch.
     */
    private static Path outputDirectory(String name) {
        Path dir = Path.of(name);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--out " + name + " is a file, not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("--out " + name + ": cannot create the directory: " + describe(e));
        }
        if (!Files.isWritable(dir)) {
            throw new UsageException("--out " + name + ": the directory is not writable");
        }
        return dir;
    }

    private void writePlots(Path dir, History h, Evaluation ev, List<String> classNames, String name) {
        try {
            Map<String, double[]> loss = new LinkedHashMap<>();
            loss.put("train", h.series("loss"));
            if (!Double.isNaN(h.last().valLoss())) {
                loss.put("validation", h.series("val_loss"));
            }
            Plots.curves(dir.resolve("loss.png"), name + ": loss", "loss", loss);
            if (ev.classification() != null) {
                Map<String, double[]> acc = new LinkedHashMap<>();
                acc.put("train", h.series("accuracy"));
                if (!Double.isNaN(h.last().valAccuracy())) {
                    acc.put("validation", h.series("val_accuracy"));
                }
                Plots.curves(dir.resolve("accuracy.png"), name + ": accuracy", "accuracy", acc);
                Plots.confusionMatrix(dir.resolve("confusion.png"), ev.classification().confusion(),
                        classNames.isEmpty() ? null : classNames, name + ": confusion matrix (test)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots to " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            // Charts are a convenience next to the tables: a machine without fonts still gets a result.
            err.println("ember train: " + Plots.skipped("plots", e));
        }
    }

    // ---- metrics output -------------------------------------------------------------------------

    /** Regression metrics in target units (inverting the target scaler); R² is unit-free. */
    private static Metrics.Regression originalUnits(Evaluation ev, StandardScaler ts, Dataset test) {
        if (ts == null) {
            return ev.regression();
        }
        float[] p = ts.inverse(ev.outputs(), ev.rows(), 1);
        float[] t = ts.inverse(test.targets(), test.rows(), 1);
        return Metrics.regression(p, t);
    }

    /** Test metrics into a JSON object; {@code classNames} orders the confusion matrix's rows and columns. */
    private static void metrics(Map<String, Object> m, Evaluation ev, List<String> classNames, StandardScaler ts,
                                Dataset test) {
        m.put("test_loss", ev.loss());
        if (ev.classification() != null) {
            m.put("test_accuracy", ev.accuracy());
            m.put("test_macro_f1", ev.classification().macroF1());
            m.put("classes", classNames);
            m.put("confusion_matrix", java.util.Arrays.asList(ev.classification().confusion()));
        } else {
            Metrics.Regression r = originalUnits(ev, ts, test);
            // R² is NaN when the test targets are all equal (a single row, say); JSON has no NaN
            m.put("test_r2", Double.isFinite(r.r2()) ? r.r2() : null);
            m.put("test_mse", r.mse());
            m.put("test_mae", r.mae());
        }
    }

    private void printEvaluation(PrintStream s, Evaluation ev, List<String> classNames, StandardScaler ts,
                                 Dataset test) {
        // A regression loss is on the standardised target: next to MSE in target units it read as a mistake
        s.printf(Locale.ROOT, "test loss %.4f%s%n", ev.loss(), ts == null ? "" : " (standardised target)");
        if (ev.classification() != null) {
            s.print(ev.classification().report(classNames));
            int[][] cm = ev.classification().confusion();
            s.println("confusion matrix (rows = true class, columns = predicted):");
            for (int[] row : cm) {
                StringBuilder sb = new StringBuilder();
                for (int v : row) {
                    sb.append(String.format("%5d", v));
                }
                s.println(sb);
            }
            s.printf(Locale.ROOT, "test accuracy %.4f%n", ev.accuracy());
        } else {
            Metrics.Regression r = originalUnits(ev, ts, test);
            s.printf(Locale.ROOT, "test R2 %.4f  MSE %.4f  MAE %.4f%s%n", r.r2(), r.mse(), r.mae(),
                    ts == null ? "" : " (target units)");
        }
    }

    // ---- evaluate -------------------------------------------------------------------------------

    private static SavedModel loadModel(Args a, Device device) throws IOException {
        Path file = Path.of(a.require("model"));
        if (Files.isDirectory(file) && Files.isRegularFile(file.resolve(MODEL_FILE))) {
            file = file.resolve(MODEL_FILE); // the --out directory of train
        }
        if (Files.isDirectory(file)) {
            throw new UsageException("model " + file + " is a directory without a " + MODEL_FILE);
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("model file " + file + " does not exist");
        }
        return ModelFile.load(file, device);
    }

    /**
     * Whether --data names a file to read: a regular file, or a pipe ("cat x.csv | ember train
     * --data /dev/stdin", a shell's {@code <(...)}), which Csv reads as it reads a file.
     */
    private static boolean isDataFile(Path p) {
        return Files.exists(p) && !Files.isDirectory(p);
    }

    /** mydata.csv.gz, data.tsv, ../x: a file the user meant, not a bundled data set's name. */
    private static void checkNotAMissingFile(String data) {
        String key = data.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (Datasets.knownNames().contains(key)) {
            return;
        }
        if (Files.isDirectory(Path.of(data))) { // "Unknown data set 'runs'" would hide that it exists
            throw new UsageException("--data " + data + " is a directory, not a CSV file");
        }
        if (data.contains("/") || data.contains(".")) {
            throw new UsageException("data file " + data + " does not exist");
        }
    }

    /**
     * A CSV file with its label column given by --label-column: a 0-based index (-1 for the last,
     * the default) or, with --header, a column name. Text labels are numbered in sorted order, or
     * by their place in {@code classes} (a model's) when that is given.
     */
    private static Dataset readCsv(Path p, Args a, boolean classification, List<String> classes) {
        return readCsv(p, a, classification, classes, null, d -> d);
    }

    /**
     * The CSV {@code p} as the flags read it, the columns {@code skipped} names left unread (their
     * cells hold 0 until {@code shape}, which sees the data set before the checks of its rows,
     * leaves them out).
     */
    private static Dataset readCsv(Path p, Args a, boolean classification, List<String> classes,
                                   Csv.Skipped skipped, java.util.function.UnaryOperator<Dataset> shape) {
        String label = a.has("label-column") ? a.get("label-column").strip() : LABEL_COLUMN;
        if (!label.matches("[+-]?\\d+") && !a.flag("header")) {
            throw new UsageException("--label-column " + label + " is a column name, which needs --header (or give"
                    + " the column's 0-based index)");
        }
        Dataset d;
        try {
            d = Csv.read(p, a.flag("header"), label, classification, classes, skipped);
        } catch (IllegalArgumentException e) {
            // A header line read as data (pandas' to_csv also starts it with an empty index cell)
            String m = String.valueOf(e.getMessage());
            if (!a.flag("header") && m.contains(" line 1, ") && (m.endsWith("is not a number")
                    || m.contains("is not a number; a regression target must be numeric")
                    || m.endsWith("missing value") || m.contains("is not one of the known classes"))) {
                throw new UsageException(m + " (if line 1 names the columns, add --header)");
            }
            throw e;
        }
        d = shape.apply(d);
        // With the model's classes (evaluate) a header's label is caught above as an unknown class;
        // a class of one row is then just a small file's, so only train's sorted labels are checked.
        if (!a.flag("header") && classes == null) {
            checkFirstRowIsData(p, d);
        }
        return d;
    }

    /**
     * The default --task classification on a numeric target (prices, counts) makes every distinct
     * value a class: a 300-row file became 300 classes that trained to nonsense without a word.
     * Refused when the labels are numbers, there are 10 classes or more, and most of them are seen
     * once; --task classification keeps them as classes.
     */
    static void checkNotANumericTarget(Path p, Dataset d) {
        if (!d.isClassification() || d.classes() < 10) {
            return;
        }
        for (String name : d.classNames()) {
            if (!name.matches("[+-]?\\d+(\\.\\d*)?")) {
                return; // text labels name classes
            }
        }
        int once = 0;
        for (int n : d.classCounts()) {
            once += n == 1 ? 1 : 0;
        }
        if (2 * once > d.classes()) {
            throw new UsageException(p + ": the label column holds " + d.classes() + " distinct numbers in "
                    + d.rows() + " rows, " + once + " of them on one row only: a numeric target, not classes? Add"
                    + " --task regression (or --task classification to train them as classes)");
        }
    }

    /**
     * A header whose feature names are numbers (pandas writes a frame's integer column names so)
     * reads as a data row whose text label, the label column's name, becomes a class of one row.
     * Refused with the hint when line 1 looks like such names: its features are increasing whole
     * numbers (0, 1, 2... or 400, 410, 420...) and its label is alone in its class. A data row of
     * a class seen once has no reason to look like that, and is trained on.
     */
    private static void checkFirstRowIsData(Path p, Dataset d) {
        if (!d.isClassification() || d.rows() < 2 || named(d.classNames()).isEmpty()) { // numbered classes only
            return;
        }
        float[] x = d.features();
        for (int c = 0; c < d.cols(); c++) {
            if (x[c] != Math.rint(x[c]) || (c > 0 && !(x[c] > x[c - 1]))) {
                return; // not a row of column numbers
            }
        }
        float first = d.targets()[0];
        for (int r = 1; r < d.rows(); r++) {
            if (d.targets()[r] == first) {
                return;
            }
        }
        throw new UsageException(p + ": the first row's label '" + d.classNames().get((int) first) + "' is the only"
                + " row of its class (if line 1 names the columns, add --header)");
    }

    private int evaluate(Args a) throws IOException {
        Device device = device(a);
        try (SavedModel sm = loadModel(a, device)) {
            Loss loss = Loss.parse(sm.loss());
            Task task = Task.of(loss);
            if (task == Task.REGRESSION && sm.model().outputSize() != 1) {
                // before reading the data: a data set holds one target per row
                throw new UsageException("model " + a.get("model") + " is a regression model with "
                        + sm.model().outputSize() + " outputs; evaluate compares one output with the data's label"
                        + " column (predict gives all " + sm.model().outputSize() + ")");
            }
            String data = a.require("data");
            Path p = Path.of(data);
            String part = a.has("part") ? a.get("part").strip().toLowerCase(Locale.ROOT) : null;
            if (part != null && !Set.of("test", "train", "all").contains(part)) {
                throw new UsageException("--part must be test, train or all, got '" + a.get("part") + "'");
            }
            Dataset raw;
            if (isDataFile(p)) {
                raw = readCsv(p, a, task != Task.REGRESSION, task == Task.REGRESSION ? null : classNames(sm, task),
                        unreadColumns(sm, p, a.get("model")), d -> d);
                if (a.flag("header")) {
                    raw = byFeatureNames(raw, p, sm.featureNames());
                }
                if (!(a.flag("header") && raw.featureNames().equals(sm.featureNames()))) { // else taken by name
                    raw = withoutDroppedColumns(raw, sm, a.get("model"));
                }
                if (part != null && !part.equals("all")) {
                    raw = part(raw, part, sm.trainingCsv(), a.get("model"));
                }
            } else {
                checkNotAMissingFile(data);
                for (String csvOnly : new String[] {"label-column", "header"}) {
                    if (a.has(csvOnly)) {
                        throw new UsageException("--" + csvOnly + " applies to CSV files; " + data
                                + " is a bundled data set with its own label");
                    }
                }
                raw = bundledPart(data, part == null ? "test" : part);
            }
            int in = sm.model().inputSize();
            if (raw.cols() != in) {
                throw new UsageException("model " + a.get("model") + " takes " + in + " features, data " + raw.name()
                        + " has " + raw.cols());
            }
            Dataset d = withModelClasses(raw, sm, task, a.get("model"));
            if (sm.featureScaler() != null) {
                d = d.withFeatures(sm.featureScaler().transform(d.features(), d.rows(), d.cols()));
            }
            if (sm.targetScaler() != null) {
                d = d.withTargets(sm.targetScaler().transform(d.targets(), d.rows(), 1));
            }
            Evaluation ev = Trainer.evaluate(sm.model(), loss, d, 256);
            if (isDataFile(p) && part == null && d.name().equals(sm.dataName()) && !a.flag("quiet")) {
                // "evaluate --data the.csv" after "train --data the.csv" reads as the test score; it is not
                err.println("ember evaluate: note: the model was trained on data named '" + d.name() + "', as this"
                        + " file is; a CSV is evaluated whole, so if it is that file these metrics count its training"
                        + " rows too (train printed the held-out test part's; --part test scores that part again)");
            }
            if (!a.flag("quiet") && !a.flag("json")) {
                out.println("model " + a.get("model") + " on " + d.name() + (part == null ? "" : ", " + part + " part")
                        + " (" + d.rows() + " rows), device "
                        + device.name());
                printEvaluation(out, ev, sm.classNames(), sm.targetScaler(), d);
            }
            if (a.flag("json")) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("command", "evaluate");
                m.put("data", d.name());
                m.put("rows", d.rows());
                m.put("part", part != null ? part : isDataFile(p) ? "all" : "test");
                m.put("device", device.name());
                metrics(m, ev, task == Task.REGRESSION ? List.of() : classNames(sm, task), sm.targetScaler(), d);
                out.println(Json.write(m));
            }
        }
        return 0;
    }

    /**
     * A bundled data set's part: its reference split's test or training part (fashion-mnist: its
     * own test or training images), or all of it.
     */
    private static Dataset bundledPart(String data, String part) {
        boolean fashion = data.trim().toLowerCase(Locale.ROOT).replace('_', '-').equals("fashion-mnist");
        if (fashion) {
            if (part.equals("all")) {
                throw new UsageException("--part all: fashion-mnist comes as separate training and test images;"
                        + " evaluate --part train or --part test");
            }
            return Datasets.fashionMnist(part.equals("train"));
        }
        Dataset d = Datasets.load(data);
        return switch (part) {
            case "all" -> d;
            case "train" -> Splits.reference(d).train();
            default -> Splits.reference(d).test();
        };
    }

    /**
     * The test or training part of the CSV {@code d} as train split it, from the model's record of
     * that split; refused when the model has none or {@code d} is not the file it was drawn from.
     */
    private static Dataset part(Dataset d, String part, TrainingCsv csv, String modelFile) {
        if (csv == null) {
            throw new UsageException("--part " + part + ": model " + modelFile + " has no record of a CSV split (it"
                    + " was trained on a bundled data set, saved from code or written by an older Ember); evaluate"
                    + " the whole file without --part");
        }
        String sha = TrainingCsv.fingerprint(d);
        if (d.rows() != csv.rows() || !sha.equals(csv.sha256())) {
            throw new UsageException("--part " + part + ": " + d.name() + " is not the data model " + modelFile
                    + " was trained on: " + (d.rows() != csv.rows() ? "it has " + d.rows() + " rows, the model's"
                    + " split was drawn from " + csv.rows() : "the same " + d.rows() + " rows, but other values or"
                    + " another order (SHA-256 " + sha.substring(0, 12) + "..., the model's "
                    + csv.sha256().substring(0, 12) + "...)") + "; --part splits only the training file again (with"
                    + " the same --label-column)");
        }
        Split s = Splits.random(d, csv.testFraction(), csv.splitSeed(), csv.stratify());
        return part.equals("test") ? s.test() : s.train();
    }

    /**
     * The columns of a file {@code evaluate} reads that the model does not take, left unread so
     * that they may hold text (an id, a name) or nothing: with a header that names the model's
     * features, every column but those and the label; a file read in order (no header, or one the
     * feature names do not pick from) of the training file's layout, the columns train's
     * --drop-columns left out. A file read in order of another column count is refused, as
     * {@link #withoutDroppedColumns} refuses it.
     */
    private static Csv.Skipped unreadColumns(SavedModel sm, Path p, String modelFile) {
        return (names, cols, label) -> {
            if (names != null) {
                List<String> features = new java.util.ArrayList<>(names);
                features.remove(label);
                int[] take = FeatureCsv.byName(p.toString(), features, sm.featureNames());
                if (take != null) {
                    Set<Integer> unread = new java.util.HashSet<>();
                    for (int c = 0; c < features.size(); c++) {
                        unread.add(DropColumns.fileColumn(c, label));
                    }
                    for (int c : take) {
                        unread.remove(DropColumns.fileColumn(c, label));
                    }
                    return unread;
                }
                if (features.equals(sm.featureNames())) {
                    return Set.of();
                }
            }
            TrainingCsv csv = sm.trainingCsv();
            if (csv == null || csv.droppedColumns().isEmpty() || cols - 1 == sm.model().inputSize()) {
                return Set.of(); // nothing dropped, or a file of just the features and the label
            }
            if (cols - 1 != csv.featureColumns()) {
                throw otherLayout(sm, modelFile, p.getFileName().toString().replaceFirst("(\\.csv)?(\\.gz)?$", ""),
                        cols - 1);
            }
            Set<Integer> unread = new java.util.HashSet<>();
            for (int c : csv.droppedColumns()) {
                unread.add(DropColumns.fileColumn(c, label));
            }
            return unread;
        };
    }

    private static UsageException otherLayout(SavedModel sm, String modelFile, String data, int features) {
        TrainingCsv csv = sm.trainingCsv();
        return new UsageException("model " + modelFile + " takes " + sm.model().inputSize() + " features, alone or as"
                + " the " + csv.featureColumns() + " columns of its training file besides the label less those"
                + " --drop-columns left out (" + positions(csv.droppedColumns()) + " among them); data "
                + data + " has " + features + " besides the label");
    }

    /** "positions 0, 3", the first 10 of a longer list with a count: a wide file's error stays a line. */
    private static String positions(List<Integer> dropped) {
        int shown = Math.min(dropped.size(), 10);
        String first = dropped.subList(0, shown).stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(", "));
        return shown == dropped.size() ? "positions " + first
                : dropped.size() + " positions: " + first + ", ... " + (dropped.size() - shown) + " more";
    }

    /**
     * {@code d}, read in order (without a header, or with one the model's feature names do not
     * pick from), without the columns train's --drop-columns left out; a file of just the features
     * is taken as it is, one of another column count is refused.
     */
    private static Dataset withoutDroppedColumns(Dataset d, SavedModel sm, String modelFile) {
        TrainingCsv csv = sm.trainingCsv();
        if (csv == null || csv.droppedColumns().isEmpty() || d.cols() == sm.model().inputSize()) {
            return d; // nothing dropped, or just the features
        }
        if (d.cols() != csv.featureColumns()) {
            throw otherLayout(sm, modelFile, d.name(), d.cols());
        }
        return DropColumns.take(d, csv.keptPositions(), sm.featureNames());
    }

    /**
     * The model's features, taken from {@code d} by their names as predict takes them (another
     * order, extra columns left out with a note on stderr); {@code d} itself where the names do not
     * say (see {@link FeatureCsv#byName}).
     */
    private Dataset byFeatureNames(Dataset d, Path file, List<String> features) {
        int[] take = FeatureCsv.byName(file.toString(), d.featureNames(), features);
        if (take == null) {
            return d;
        }
        List<String> ignored = FeatureCsv.leftOut(d.featureNames(), take);
        if (!ignored.isEmpty()) {
            err.println("ember evaluate: columns taken by the model's feature names; ignored: "
                    + String.join(", ", ignored));
        }
        float[] x = new float[d.rows() * take.length];
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < take.length; c++) {
                x[r * take.length + c] = d.features()[r * d.cols() + take[c]];
            }
        }
        return new Dataset(d.name(), x, d.rows(), take.length, d.targets(), d.classes(), features, d.classNames());
    }

    /**
     * The data with the model's class count: a labelled file need not contain the highest class
     * (a subset, a single example), so the classes come from the model, not from the largest label.
     */
    private static Dataset withModelClasses(Dataset d, SavedModel sm, Task task, String modelFile) {
        if (task == Task.REGRESSION) {
            return d;
        }
        int classes = task == Task.BINARY ? 2 : sm.model().outputSize();
        if (d.classes() > classes) {
            int bad = 0;
            for (int r = 0; r < d.rows(); r++) {
                if (d.targets()[r] >= classes) {
                    bad = r;
                    break;
                }
            }
            throw new UsageException("data " + d.name() + " has label " + (int) d.targets()[bad] + " (row " + (bad + 1)
                    + ") but model " + modelFile + " has " + classes + " classes");
        }
        if (d.classes() == classes) {
            return d;
        }
        return new Dataset(d.name(), d.features(), d.rows(), d.cols(), d.targets(), classes, d.featureNames(),
                classNames(sm, task));
    }

    /**
     * The model's class names, numbered 0..k-1 when it has none (a file saved without them), as
     * {@link Dataset} numbers a CSV's numeric classes.
     */
    private static List<String> classNames(SavedModel sm, Task task) {
        int classes = task == Task.BINARY ? 2 : sm.model().outputSize();
        if (sm.classNames().size() == classes) {
            return sm.classNames();
        }
        List<String> numbered = new java.util.ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            numbered.add(Integer.toString(c));
        }
        return numbered;
    }

    // ---- predict --------------------------------------------------------------------------------

    private int predict(Args a) throws IOException {
        Device device = device(a);
        try (SavedModel sm = loadModel(a, device)) {
            int in = sm.model().inputSize();
            String input = a.require("input");
            // "-": standard input, as Unix tools take it ("... | ember predict --model m --input -")
            Path file = Path.of(input.equals("-") ? "/dev/stdin" : input);
            TrainingCsv csv = sm.trainingCsv();
            FeatureCsv.Table t = csv == null || csv.droppedColumns().isEmpty()
                    ? FeatureCsv.read(file, a.flag("header"), in, sm.featureNames())
                    : FeatureCsv.read(file, a.flag("header"), in, sm.featureNames(), csv.featureColumns(),
                    csv.keptPositions());
            if (!t.ignored().isEmpty()) {
                // on stderr: stdout is the predictions' CSV
                err.println("ember predict: columns taken by the model's feature names; ignored: "
                        + String.join(", ", t.ignored()));
            }
            // scaled as the model's training data, and regression outputs back in their targets' units
            float[] y = sm.predict(t.values(), t.rows());
            int k = sm.model().outputSize();
            Task task = Task.of(Loss.parse(sm.loss()));
            List<String> names = sm.classNames();
            switch (task) {
                case REGRESSION -> {
                    // one column per output (a model saved from code may have several)
                    if (k == 1) {
                        out.println("prediction");
                    } else {
                        StringBuilder h = new StringBuilder();
                        for (int c = 0; c < k; c++) {
                            h.append(c == 0 ? "" : ",").append("prediction_").append(c);
                        }
                        out.println(h);
                    }
                    for (int r = 0; r < t.rows(); r++) {
                        StringBuilder sb = new StringBuilder();
                        for (int c = 0; c < k; c++) {
                            sb.append(c == 0 ? "" : ",").append(y[r * k + c]);
                        }
                        out.println(sb);
                    }
                }
                case BINARY -> {
                    // One probability column per class, as for more classes (a lone "probability"
                    // column read as the prediction's, but it was class 1's).
                    out.println("prediction," + Csv.quote("p_" + name(names, 0)) + "," + Csv.quote("p_" + name(names, 1)));
                    double[] p = task.probabilities(y, t.rows(), 1);
                    int[] cls = task.predictClasses(y, t.rows(), 1); // the rule evaluate and fit count by
                    for (int r = 0; r < t.rows(); r++) {
                        out.printf(Locale.ROOT, "%s,%.6f,%.6f%n", Csv.quote(name(names, cls[r])), p[2 * r],
                                p[2 * r + 1]);
                    }
                }
                case CLASSIFICATION -> {
                    StringBuilder h = new StringBuilder("prediction");
                    for (int c = 0; c < k; c++) {
                        h.append(',').append(Csv.quote("p_" + name(names, c)));
                    }
                    out.println(h);
                    int[] cls = task.predictClasses(y, t.rows(), k);
                    double[] p = task.probabilities(y, t.rows(), k);
                    for (int r = 0; r < t.rows(); r++) {
                        StringBuilder sb = new StringBuilder(Csv.quote(name(names, cls[r])));
                        for (int c = 0; c < k; c++) {
                            sb.append(String.format(Locale.ROOT, ",%.6f", p[r * k + c]));
                        }
                        out.println(sb);
                    }
                }
            }
        }
        return 0;
    }

    private static String name(List<String> names, int c) {
        return c < names.size() ? names.get(c) : Integer.toString(c);
    }
}
