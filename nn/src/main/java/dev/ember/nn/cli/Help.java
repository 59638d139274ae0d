package dev.ember.nn.cli;

import dev.ember.nn.data.Datasets;
import dev.ember.nn.optim.Optimizer;
import dev.ember.nn.train.RunConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The command line's help texts: a short overview of the commands, and for each command its
 * usage, what it does and its flags in groups, each with its value form, what it does, the values
 * it takes and its default. The defaults shown are those the code uses: {@link RunConfig#defaults}
 * and {@link Cli}'s CSV defaults. Lines are wrapped to {@value #WIDTH} columns.
 */
final class Help {
    /** The widest line printed. */
    static final int WIDTH = 100;
    /** Where a flag's description starts; a longer flag form puts it on the next line. */
    private static final int COLUMN = 28;
    /** Joins words that wrapping must not separate, "(default 0.2)"; printed as a space. */
    private static final char KEEP = '\u00A0';

    /** --device's text, the same for every command that takes it. */
    private static final String DEVICE = "cpu, cuda[:i] or opencl[:i]; default: the one EMBER_DEVICE names,"
            + " else CUDA, else an OpenCL GPU, else cpu (ember devices marks it *)";

    /** --model's text, the same for evaluate and predict. */
    private static final String MODEL = "a model file, or the --out directory of train holding its model.safetensors";

    private Help() {
    }

    /**
     * {@code ember help}: one line per command. The launcher's entry point (benchmarks'
     * EmberMain) adds its own commands' lines below, in the same columns.
     */
    static String overview() {
        return """
                usage: ember <command> [flags]
                ember <command> --help shows a command's flags, the values they take and their defaults.
                  devices                        list the compute devices, by the names --device takes
                  train --data NAME|FILE.csv     train a model on a bundled data set or a CSV file
                  evaluate --model M --data D    a saved model's test metrics on labelled data
                  predict --model M --input F    a saved model's predictions for a CSV of features
                """;
    }

    /** {@code ember COMMAND --help}; {@code command} is one of the commands {@link Cli} knows. */
    static String of(String command) {
        return switch (command) {
            case "devices" -> devices();
            case "train" -> train();
            case "evaluate" -> evaluate();
            case "predict" -> predict();
            default -> throw new IllegalArgumentException("no help for command '" + command + "'");
        };
    }

    private static String devices() {
        return new Text("ember devices")
                .about("List the compute devices, available or not (with the reason), by the names --device"
                        + " takes; * marks the one a command uses without --device: the one EMBER_DEVICE names,"
                        + " else the first CUDA device, else an OpenCL GPU, else cpu. It takes no flags.")
                .toString();
    }

    private static String train() {
        RunConfig d = RunConfig.defaults();
        String names = String.join(", ", Datasets.bundledNames());
        return new Text("ember train --data NAME|FILE.csv [flags]")
                .about("Train a model on a bundled data set or a CSV file, print its test metrics and, with"
                        + " --out, save it.")
                .about("A data set NAME starts from its own reference configuration (nn/README.md lists them),"
                        + " a CSV file from the defaults below; each flag changes that one setting. The config"
                        + " line a run prints first (and the \"config\" of --json) shows every value used.")
                .group("data")
                .flag("data", "--data NAME|FILE.csv", names + " (in the jar; split 80/20, seed 42),"
                        + " fashion-mnist (its own test images; apt-get install dataset-fashion-mnist, or "
                        + Datasets.FASHION_ENV + "), or a CSV file (gzipped too) of numeric features and a"
                        + " label column", null)
                .flag("label-column", "--label-column N|NAME", "(CSV) the label's column: 0-based index, -1 for"
                        + " the last, or with --header its name", Cli.LABEL_COLUMN)
                .flag("header", "--header", "(CSV) line 1 names the columns (the model keeps the feature names)",
                        null)
                .flag("drop-columns", "--drop-columns C[,C...]", "(CSV) columns left out of the features, as"
                        + " pandas' df.drop(columns=[...]): 0-based indices or, with --header, names (an id"
                        + " column); their cells are not read, so they may be text or empty; the model keeps them"
                        + " out for predict and evaluate", null)
                .flag("task", "--task classification|regression", "(CSV) the label is a class (integers or"
                        + " text) or a number, standardised for training; left out, numbers that mostly occur"
                        + " once (prices) are refused as classes", Cli.TASK)
                .flag("test-fraction", "--test-fraction F", "(CSV) the share of rows held out to test, in"
                        + " (0, 1)", Float.toString(Cli.TEST_FRACTION))
                .flag("split-seed", "--split-seed N", "(CSV) the seed of the test split",
                        Long.toString(Cli.SPLIT_SEED))
                .flag("stratify", "--stratify", "(CSV) keep each class's share in the test part (classification)",
                        null)
                .group("model")
                .flag("layers", "--layers N[,N...]|none", "hidden layer sizes, e.g. 64,32; none for no hidden"
                        + " layer", java.util.Arrays.stream(d.hidden()).mapToObj(Integer::toString)
                        .collect(Collectors.joining(",")))
                .flag("activation", "--activation relu|leaky_relu|elu|sigmoid|tanh", "after each hidden"
                        + " layer", d.activation())
                .flag("batchnorm", "--batchnorm", "batch normalisation after each hidden layer's activation",
                        d.batchNorm() ? "on" : null)
                .flag("dropout", "--dropout P", "dropout rate after each hidden layer, in [0, 1)",
                        Float.toString(d.dropout()))
                .flag("init", "--init torch|auto|he|glorot", "initial weights: torch = PyTorch's nn.Linear"
                        + " default, uniform within 1/sqrt(in), biases too; he = normal, std sqrt(2/in);"
                        + " glorot = uniform within sqrt(6/(in+out)); auto = he before relu, leaky_relu or"
                        + " elu, else glorot; he and glorot start biases at 0", d.init())
                .flag("loss", "--loss auto|cross_entropy|bce|mse", "auto = cross_entropy for 3+ classes, bce"
                        + " (one sigmoid output) for 2, mse for regression; bce needs 2 classes", d.loss())
                .group("training")
                .flag("optimizer", "--optimizer adam|adamw|sgd|nesterov|rmsprop|adagrad", "PyTorch's update"
                        + " rules; nesterov = SGD with Nesterov momentum", d.optimizer())
                .flag("lr", "--lr X", "learning rate", Float.toString(d.lr()))
                .flag("momentum", "--momentum X", "sgd and nesterov only (the others refuse it), in [0, 1);"
                        + " sgd's default is plain SGD, as PyTorch's and Keras's",
                        d.momentum() == Optimizer.DEFAULT_MOMENTUM
                        ? Optimizer.defaultMomentum("sgd") + "; nesterov " + Optimizer.NESTEROV_MOMENTUM
                        : Float.toString(d.momentum()))
                .flag("weight-decay", "--weight-decay X", "L2 penalty as PyTorch's weight_decay: X * w added"
                        + " to every gradient (not to the printed loss); decoupled for adamw, whose default is"
                        + " PyTorch AdamW's " + Optimizer.ADAMW_WEIGHT_DECAY,
                        d.weightDecay() == RunConfig.DEFAULT_WEIGHT_DECAY
                        ? Optimizer.defaultWeightDecay("adam") + "; adamw " + Optimizer.ADAMW_WEIGHT_DECAY
                        : Float.toString(d.weightDecay()))
                .flag("schedule", "--schedule constant|step[:N[:G]]|exp[:G]|cosine", "learning rate per"
                        + " epoch, starting at --lr: step = times G every N epochs (N 10, G 0.1 if left out);"
                        + " exp = times G each epoch (G 0.95); cosine = annealed towards 0 over --epochs",
                        d.schedule())
                .flag("epochs", "--epochs N", "passes over the training data", Integer.toString(d.epochs()))
                .flag("batch-size", "--batch-size N", "examples per optimizer step",
                        Integer.toString(d.batchSize()))
                .flag("seed", "--seed N", "seeds the initial weights, shuffling and dropout; not the splits",
                        Long.toString(d.seed()))
                .flag("clip-norm", "--clip-norm X", "scale each step's gradients to a global L2 norm of at"
                        + " most X (PyTorch's clip_grad_norm_); 0 = off", Float.toString(d.clipNorm()))
                .flag("validation", "--validation F", "hold out this share of the training part (a fixed"
                        + " seeded draw) and report val_loss and val_accuracy each epoch; in [0, 1)",
                        Double.toString(d.validation()))
                .flag("patience", "--patience N", "stop after N epochs without a lower validation loss, and"
                        + " keep the best epoch's weights; needs --validation; 0 = off",
                        Integer.toString(d.patience()))
                .flag("device", "--device D", DEVICE, null)
                .group("output")
                .flag("out", "--out DIR", "create DIR and write model.safetensors, history.csv (per-epoch"
                        + " metrics), loss.png and, for classification, accuracy.png and confusion.png", null)
                .flag("json", "--json", "one JSON line of results on stdout (config, metrics, timings:"
                        + " load_seconds for the data, train_seconds, total_seconds after the load); the log goes"
                        + " to stderr", null)
                .flag("quiet", "--quiet", "no log, progress or report; warnings and errors still go to stderr",
                        null)
                .toString();
    }

    private static String evaluate() {
        return new Text("ember evaluate --model FILE|DIR --data NAME|FILE.csv [flags]")
                .about("Print a saved model's metrics on labelled data: the loss, and accuracy, a per-class"
                        + " report and the confusion matrix, or R2, MSE and MAE.")
                .about("A data set NAME is evaluated on the test part that train held out (fashion-mnist: its"
                        + " 10,000 test images); a CSV file is used whole (--part test: the test part train held"
                        + " out), scaled as the model's training data was.")
                .group("model and data")
                .flag("model", "--model FILE|DIR", MODEL, null)
                .flag("data", "--data NAME|FILE.csv", "a bundled data set's name, or a CSV file (gzipped too)"
                        + " with the model's features and a label column; text labels are read by the model's"
                        + " class names", null)
                .flag("label-column", "--label-column N|NAME", "(CSV) the label's column: a 0-based index,"
                        + " -1 for the last, or with --header its name", Cli.LABEL_COLUMN)
                .flag("header", "--header", "(CSV) line 1 names the columns; the model's features are taken"
                        + " by name when it names them (in any order, other columns left out)", null)
                .flag("part", "--part test|train|all", "(CSV) test: the part train held out, split again as"
                        + " train split it (the model records the split and the file's fingerprint; another file"
                        + " is refused); train: the training part, validation rows included; all: the whole file."
                        + " For a data set NAME: its reference split's part", "all for a CSV, test for a NAME")
                .flag("device", "--device D", DEVICE, null)
                .group("output")
                .flag("json", "--json", "print the metrics as one JSON line on stdout instead of the report",
                        null)
                .flag("quiet", "--quiet", "print nothing (the exit code says whether it ran); --json still"
                        + " prints its line", null)
                .toString();
    }

    private static String predict() {
        return new Text("ember predict --model FILE|DIR --input FEATURES.csv [flags]")
                .about("Print a saved model's predictions for each row of a CSV file of features, as CSV on"
                        + " stdout: a prediction column (the class name, or the value for regression) and, for"
                        + " classification, a p_<class> probability column per class; a regression model with"
                        + " several outputs gives prediction_0 .. prediction_<k-1>.")
                .group("model and data")
                .flag("model", "--model FILE|DIR", MODEL, null)
                .flag("input", "--input FEATURES.csv", "the features of the training data's columns, unscaled"
                        + " (the model applies its own scaling), a row per prediction; gzipped too; - reads"
                        + " standard input", null)
                .flag("header", "--header", "line 1 names the columns; the model's features are taken by name"
                        + " when it names them (in any order, others left out with a note on stderr)", null)
                .flag("device", "--device D", DEVICE, null)
                .toString();
    }

    /** A help text under construction: usage, paragraphs, then groups of flags. */
    private static final class Text {
        private final StringBuilder sb = new StringBuilder();

        Text(String usage) {
            sb.append("usage: ").append(usage).append('\n');
        }

        Text about(String paragraph) {
            sb.append('\n');
            for (String line : wrap(paragraph, WIDTH)) {
                sb.append(line).append('\n');
            }
            return this;
        }

        Text group(String title) {
            sb.append('\n').append(title).append(":\n");
            return this;
        }

        /**
         * One flag: {@code name} is its name in the parser (the tests match them), {@code form} how
         * it is written, {@code dflt} its default or null for none worth saying.
         */
        Text flag(String name, String form, String text, String dflt) {
            if (!form.equals("--" + name) && !form.startsWith("--" + name + " ")) {
                throw new IllegalStateException("help of --" + name + " is written " + form);
            }
            String head = "  " + form;
            String full = dflt == null ? text : text + " (default" + KEEP + dflt.replace(' ', KEEP) + ")";
            List<String> lines = wrap(full, WIDTH - COLUMN);
            int first = 0;
            if (head.length() + 2 <= COLUMN) {
                sb.append(head).append(" ".repeat(COLUMN - head.length())).append(lines.get(first++)).append('\n');
            } else {
                sb.append(head).append('\n');
            }
            for (int i = first; i < lines.size(); i++) {
                sb.append(" ".repeat(COLUMN)).append(lines.get(i)).append('\n');
            }
            return this;
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }

    /** {@code text} in lines of at most {@code width} characters, broken at spaces. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString().replace(KEEP, ' '));
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString().replace(KEEP, ' '));
        return lines;
    }
}
