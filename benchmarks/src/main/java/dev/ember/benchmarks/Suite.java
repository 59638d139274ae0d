package dev.ember.benchmarks;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.annotations.Param;

/** The catalogue of ops the runner knows, with the quick and full selections, and run planning. */
public final class Suite {
    public static final String PKG = "dev.ember.benchmarks.";
    public static final String GEMM_CLASS = PKG + "GemmBenchmark";
    public static final String GEMM_MLP_CLASS = PKG + "GemmMlpBenchmark";
    /** Parameters the quick selection pins beyond each op's fixed ones (GEMM: the plain NN case only). */
    private static final Map<String, Map<String, String>> QUICK_PARAMS = Map.of("gemm", Map.of("trans", "NN"));
    private static final List<String> BOTH = List.of(BenchSupport.RESIDENT, BenchSupport.WITH_TRANSFERS);
    private static final List<String> RESIDENT = List.of(BenchSupport.RESIDENT);
    private static final List<String> NONE = List.of();

    /** One JMH run: an op with the sizes and modes to measure and the other parameters to pin. */
    public record Planned(OpSpec op, List<String> sizes, List<String> modes, Map<String, String> params) {
        /**
         * Parameter combinations per device: sizes times modes times the values of every other
         * {@code @Param} of the benchmark class that the plan leaves open, which JMH expands too
         * (GEMM's four transpose cases in {@code --full}).
         */
        public int configs() {
            return sizes.size() * Math.max(1, modes.size()) * openVariants();
        }

        private int openVariants() {
            int v = 1;
            try {
                for (Field f : Class.forName(op.benchClass(), false, Suite.class.getClassLoader()).getFields()) {
                    Param p = f.getAnnotation(Param.class);
                    String name = f.getName();
                    if (p != null && !name.equals("device") && !name.equals(op.sizeParam())
                            && !(name.equals("mode") && !modes.isEmpty()) && !params.containsKey(name)) {
                        v *= Math.max(1, p.value().length);
                    }
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // not in this build: the runner skips it
            }
            return v;
        }
    }

    private static final List<OpSpec> ALL = build();

    private Suite() {
    }

    private static List<OpSpec> build() {
        List<OpSpec> l = new ArrayList<>();
        l.add(new OpSpec("gemm", GEMM_CLASS, null, Sizes.Kind.SIDE, "n", Map.of(), true, true,
                List.of("256", "1024"), RESIDENT, List.of("128", "256", "512", "1024", "2048", "4096")));
        l.add(new OpSpec("gemm_mlp", GEMM_MLP_CLASS, null, Sizes.Kind.NAME, "shape", Map.of(), true, true, NONE, NONE,
                List.of("mlp_fwd_b128", "mlp_dx_b128", "mlp_dw_b128", "mlp_fwd_b1024", "mlp_dx_b1024", "mlp_dw_b1024")));
        for (String act : List.of("relu", "sigmoid", "tanh", "leaky_relu", "elu")) {
            boolean quick = act.equals("relu");
            for (String m : List.of("forward", "backward")) {
                l.add(new OpSpec(m.equals("forward") ? act : act + "_backward", PKG + "ActivationBenchmark", m,
                        Sizes.Kind.ELEMENTS, "size", Map.of("act", act), true, false,
                        !quick ? NONE : m.equals("forward") ? List.of("1M", "16M") : List.of("16M"), BOTH,
                        List.of("1M", "4M", "16M")));
            }
        }
        l.add(new OpSpec("softmax_ce", PKG + "SoftmaxCrossEntropyBenchmark", "loss", Sizes.Kind.MATRIX, "size",
                Map.of(), true, false, List.of("1024x1000"), BOTH,
                List.of("128x10", "1024x10", "1024x1000", "4096x1000")));
        l.add(new OpSpec("bias_grad", PKG + "BiasGradBenchmark", "biasGrad", Sizes.Kind.MATRIX, "size", Map.of(),
                true, false, List.of("1024x1024"), BOTH, List.of("128x256", "1024x1024", "4096x4096")));
        for (String[] e : new String[][] {{"add", "add"}, {"mul", "mul"}, {"axpy", "axpy"}, {"clamp", "clamp"}}) {
            l.add(new OpSpec(e[0], PKG + "ElementwiseBenchmark", e[1], Sizes.Kind.ELEMENTS, "size", Map.of(), true,
                    false, NONE, BOTH, List.of("1M", "4M", "16M")));
        }
        for (String[] r : new String[][] {{"sum", "sum"}, {"row_argmax", "rowArgmax"},
            {"column_mean_var", "columnMeanVariance"}}) {
            l.add(new OpSpec(r[0], PKG + "ReductionBenchmark", r[1], Sizes.Kind.MATRIX, "size", Map.of(), true, false,
                    NONE, BOTH, List.of("128x256", "1024x1024", "4096x1024")));
        }
        for (String pass : List.of("forward", "backward")) {
            l.add(new OpSpec(pass.equals("forward") ? "batchnorm" : "batchnorm_backward", PKG + "BatchNormBenchmark",
                    pass, Sizes.Kind.MATRIX, "size", Map.of(), true, false, NONE, BOTH,
                    List.of("128x256", "1024x1024", "4096x1024")));
        }
        l.add(new OpSpec("dropout", PKG + "DropoutBenchmark", "forward", Sizes.Kind.ELEMENTS, "size", Map.of(),
                true, false, List.of("16M"), BOTH, List.of("1M", "16M", "64M")));
        for (String opt : List.of("sgd", "adam", "adamw", "rmsprop", "adagrad")) {
            l.add(new OpSpec(opt, PKG + "OptimizerBenchmark", "update", Sizes.Kind.ELEMENTS, "size",
                    Map.of("optimizer", opt), true, false, List.of("1M", "4M"),
                    opt.equals("adam") ? BOTH : RESIDENT, List.of("1M", "4M", "16M", "64M")));
        }
        l.add(new OpSpec("h2d", PKG + "TransferBenchmark", "hostToDevice", Sizes.Kind.ELEMENTS, "size", Map.of(),
                false, false, List.of("1M", "16M"), NONE, List.of("1M", "16M", "64M")));
        l.add(new OpSpec("d2h", PKG + "TransferBenchmark", "deviceToHost", Sizes.Kind.ELEMENTS, "size", Map.of(),
                false, false, List.of("1M", "16M"), NONE, List.of("1M", "16M", "64M")));
        l.add(new OpSpec("d2d", PKG + "TransferBenchmark", "deviceToDevice", Sizes.Kind.ELEMENTS, "size", Map.of(),
                false, false, NONE, NONE, List.of("1M", "16M", "64M")));
        l.add(new OpSpec("train_step", PKG + "TrainingStepBenchmark", "step", Sizes.Kind.MLP, "size", Map.of(),
                true, true, List.of("784-256-128-10@128"), BOTH,
                List.of("784-256-128-10@128", "784-1024-1024-10@256", "784-1024-1024-10@1024")));
        return List.copyOf(l);
    }

    public static List<OpSpec> all() {
        return ALL;
    }

    /** Op names and group names accepted by {@code --ops}. */
    public static Map<String, List<String>> groups() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("activations", ALL.stream().filter(o -> o.benchClass().endsWith("ActivationBenchmark"))
                .map(OpSpec::name).toList());
        g.put("elementwise", List.of("add", "mul", "axpy", "clamp"));
        g.put("reductions", List.of("sum", "row_argmax", "column_mean_var"));
        g.put("optimizers", List.of("sgd", "adam", "adamw", "rmsprop", "adagrad"));
        g.put("transfers", List.of("h2d", "d2h", "d2d"));
        return g;
    }

    public static OpSpec byName(String name) {
        for (OpSpec o : ALL) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }

    /** The spec that produced a JMH result, or null. */
    public static OpSpec forResult(String benchmark, Map<String, String> params) {
        for (OpSpec o : ALL) {
            if (o.matches(benchmark, params)) {
                return o;
            }
        }
        return null;
    }

    /** Expands op and group names, rejecting unknown ones with the list of known names. */
    public static List<OpSpec> select(List<String> names) {
        Set<OpSpec> out = new LinkedHashSet<>();
        for (String raw : names) {
            String n = raw.trim().toLowerCase(Locale.ROOT);
            List<String> group = groups().get(n);
            if (group != null) {
                group.forEach(g -> out.add(byName(g)));
            } else if (byName(n) != null) {
                out.add(byName(n));
            } else {
                throw new IllegalArgumentException("unknown op '" + raw + "' (known: "
                        + String.join(", ", ALL.stream().map(OpSpec::name).toList()) + "; groups: "
                        + String.join(", ", groups().keySet()) + ")");
            }
        }
        // keep catalogue order so reports read the same whatever order --ops was given in
        return ALL.stream().filter(out::contains).toList();
    }

    /**
     * Refuses a named shape that {@code op}'s benchmark does not know: one of the products of its
     * catalogue sizes with a positive {@code _b<batch>} ({@code mlp_fwd_b64}). Any lower-case name
     * parses as a shape, so a misspelt one would otherwise be measured, and fail, in a JMH fork.
     */
    private static void requireKnownShape(OpSpec op, String size) {
        if (op.kind() != Sizes.Kind.NAME) {
            return;
        }
        List<String> products = op.fullSizes().stream().map(f -> Sizes.product(op.kind(), f)).distinct().toList();
        if (!products.contains(Sizes.product(op.kind(), size)) || !(Sizes.magnitude(op.kind(), size) >= 1)) {
            throw new IllegalArgumentException("--sizes: op " + op.name() + " has no shape '" + size + "' (use "
                    + String.join(", ", products) + " with a batch, e.g. " + op.fullSizes().getFirst() + ")");
        }
    }

    /**
     * The runs for a selection. Without {@code ops}, the quick or full set; {@code sizes}, when
     * given, replace each op's sizes by those that parse for it, and every op must accept at least one.
     * Of sizes that are one size for an op ({@code 1M} and {@code 1024K} for an element count) only
     * the first is kept: JMH would measure the same configuration twice.
     */
    public static List<Planned> plan(boolean full, List<String> ops, List<String> sizes) {
        List<OpSpec> specs = ops == null ? ALL.stream().filter(o -> full || o.inQuick()).toList() : select(ops);
        List<Planned> plan = new ArrayList<>();
        for (OpSpec o : specs) {
            List<String> s;
            if (sizes != null) {
                Map<String, String> byValue = new LinkedHashMap<>();
                sizes.stream().filter(v -> Sizes.fits(o.kind(), v))
                        .forEach(v -> byValue.putIfAbsent(Sizes.canonical(o.kind(), v), v));
                s = List.copyOf(byValue.values());
                s.forEach(v -> requireKnownShape(o, v));
                if (s.isEmpty()) {
                    throw new IllegalArgumentException("--sizes " + String.join(",", sizes) + ": none fits op "
                            + o.name() + ", which takes " + o.kind().description + "; narrow --ops or add a size for it");
                }
            } else {
                s = full || o.quickSizes().isEmpty() ? o.fullSizes() : o.quickSizes();
            }
            List<String> modes = !o.hasMode() ? NONE : full || o.quickModes().isEmpty() ? BOTH : o.quickModes();
            Map<String, String> params = new LinkedHashMap<>(o.fixed());
            if (!full) {
                params.putAll(QUICK_PARAMS.getOrDefault(o.name(), Map.of()));
            }
            plan.add(new Planned(o, s, modes, Map.copyOf(params)));
        }
        return plan;
    }
}
