package dev.ember.nn.optim;

import dev.ember.nn.Allocations;
import dev.ember.nn.Parameter;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Updates parameters from their gradients with one fused device op per parameter. State tensors
 * (momentum, moments, squared sums) are created on first use, one set per parameter, and released
 * by {@link #close}. Weight decay is PyTorch's {@code weight_decay} (L2 added to the gradient;
 * decoupled for AdamW). The learning rate may be changed between steps (schedules).
 */
public abstract class Optimizer implements AutoCloseable {
    protected final List<Parameter> params;
    protected float lr;
    protected final float weightDecay;
    private int steps;
    /** Per parameter: its state tensors and how many updates it has had (PyTorch's state['step']). */
    private final Map<Tensor, Slot> state = new IdentityHashMap<>();
    private boolean closed;

    protected Optimizer(List<Parameter> params, float lr, float weightDecay) {
        checkRates(getClass().getSimpleName(), lr, weightDecay);
        if (params.isEmpty()) {
            // as PyTorch's "optimizer got an empty parameter list": stepping would silently train nothing
            throw new IllegalArgumentException(getClass().getSimpleName()
                    + ": optimizer got an empty parameter list (nothing to train; pass the model's parameters())");
        }
        // PyTorch warns of a parameter given twice (and will refuse it): here it would be updated twice a step
        Map<Tensor, String> seen = new IdentityHashMap<>();
        for (Parameter p : params) {
            String before = seen.putIfAbsent(p.value(), p.name());
            if (before != null) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + p.name()
                        + "' is given twice" + (before.equals(p.name()) ? "" : " (also as '" + before + "')")
                        + "; each would be updated twice per step");
            }
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    /** The learning rate and weight decay checks of every kind's constructor; {@code kind} names it. */
    private static void checkRates(String kind, float lr, float weightDecay) {
        if (!(lr >= 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException(kind + ": learning rate must be finite and >= 0, got " + lr);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException(kind + ": weight decay must be finite and >= 0, got " + weightDecay);
        }
    }

    /**
     * Checks a hyperparameter of a kind's constructor as the update op will, so that a bad one fails
     * where the optimizer is made, as in PyTorch and Keras, not at the first step of training.
     */
    protected final void checkRange(String name, float v, boolean belowOne) {
        if (belowOne ? !(v >= 0 && v < 1) : !(v >= 0) || !Float.isFinite(v)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be "
                    + (belowOne ? "in [0, 1)" : "finite and >= 0") + ", got " + v);
        }
    }

    public float learningRate() {
        return lr;
    }

    public void setLearningRate(float lr) {
        if (!(lr >= 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        this.lr = lr;
    }

    /** Completed {@link #step} calls. */
    public int steps() {
        return steps;
    }

    /**
     * One update of every parameter from its current gradient. Each parameter counts its own
     * updates, as PyTorch's optimizers do, and only once its update has run: if a step fails part
     * way (a device out of memory), the parameters it did not reach keep their count, so a retried
     * step gives them the bias correction (Adam) or momentum start (SGD) of the update they missed.
     */
    public final void step() {
        if (closed) {
            // Stepping on would silently start the moments again from zero, and leak them.
            throw new IllegalStateException(name() + " optimizer is closed");
        }
        for (Parameter p : params) {
            if (p.value().isClosed()) {
                // before any update: a step that stops part way would leave the model half stepped
                throw new IllegalStateException(name() + " optimizer: parameter " + p.name()
                        + " is closed (was its model closed?)");
            }
        }
        for (Parameter p : params) {
            Slot s = slotOf(p);
            update(p, s.tensors, s.updates + 1);
            s.updates++;
        }
        steps++;
    }

    /** Number of state tensors per parameter. */
    protected abstract int stateCount();

    /** Updates {@code p} in place; {@code step} is 1 for its first update, 2 for its second... */
    protected abstract void update(Parameter p, Tensor[] state, int step);

    private static final class Slot {
        final Tensor[] tensors;
        int updates;

        Slot(Tensor[] tensors) {
            this.tensors = tensors;
        }
    }

    private Slot slotOf(Parameter p) {
        Slot slot = state.get(p.value());
        if (slot == null) {
            Tensor[] s = new Tensor[stateCount()];
            Allocations made = new Allocations();
            try {
                for (int i = 0; i < s.length; i++) {
                    s[i] = made.add(p.value().device().zeros(p.value().shape()));
                }
            } catch (RuntimeException | Error e) {
                made.closeAfter(e);
                throw e;
            }
            slot = new Slot(s);
            state.put(p.value(), slot);
        }
        return slot;
    }

    /**
     * Scales all gradients so that their global L2 norm is at most {@code maxNorm} (PyTorch's
     * {@code clip_grad_norm_}); returns the norm before clipping.
     */
    public static float clipGradNorm(List<Parameter> params, float maxNorm) {
        // As PyTorch's clip_grad_norm_: infinity only measures the norm (nothing is scaled), 0 zeroes
        // the gradients; a negative maxNorm would flip them and NaN would skip clipping silently.
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0 (or infinity to only measure), got "
                    + maxNorm);
        }
        double sq = 0;
        for (Parameter p : params) {
            sq += Ops.sumSquares(p.grad());
        }
        float norm = (float) Math.sqrt(sq);
        float coef = maxNorm / (norm + 1e-6f);
        if (coef < 1f) {
            for (Parameter p : params) {
                Ops.scale(coef, p.grad(), p.grad());
            }
        }
        return norm;
    }

    /** The optimizer names {@link #create} accepts ("sgd_nesterov" is also taken for "nesterov"). */
    private static final List<String> NAMES = List.of("sgd", "nesterov", "adam", "adamw", "rmsprop", "adagrad");

    /**
     * Checks an optimizer name and its momentum before any training, with the message
     * {@link #create} would give. {@code momentum} is {@link #DEFAULT_MOMENTUM} for the default.
     */
    public static void check(String name, float momentum) {
        kind(name);
        if (momentum != DEFAULT_MOMENTUM && !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
    }

    /**
     * Runs every check {@link #create} would run on these arguments, with the same messages, without
     * needing the parameters: for a caller that wants bad hyperparameters refused before it has
     * built the model (the CLI, before it loads data).
     */
    public static void check(String name, float lr, float weightDecay, float momentum) {
        check(name, momentum);
        String k = kind(name);
        checkRates(switch (k) {
            case "sgd", "nesterov" -> Sgd.class.getSimpleName();
            case "adam", "adamw" -> Adam.class.getSimpleName();
            case "rmsprop" -> RmsProp.class.getSimpleName();
            case "adagrad" -> Adagrad.class.getSimpleName();
            default -> throw new IllegalStateException("optimizer " + name + " is in NAMES but not checked here");
        }, lr, weightDecay);
        if (takesMomentum(k)) {
            Sgd.checkMomentum(momentum == DEFAULT_MOMENTUM ? defaultMomentum(k) : momentum, k.equals("nesterov"));
        }
    }

    /**
     * Whether the named optimizer uses a momentum (sgd and nesterov); {@link #create} ignores the
     * momentum argument of the others. Throws as {@link #check} does for an unknown name.
     */
    public static boolean takesMomentum(String name) {
        String k = kind(name);
        return k.equals("sgd") || k.equals("nesterov");
    }

    /**
     * The momentum argument of {@link #create} that selects the optimizer's default
     * ({@link #defaultMomentum}).
     */
    public static final float DEFAULT_MOMENTUM = -1f;

    /**
     * Nesterov's momentum when none is given; it needs one (PyTorch refuses
     * {@code nesterov=True} with its default momentum of 0).
     */
    public static final float NESTEROV_MOMENTUM = 0.9f;

    /**
     * The momentum the named optimizer takes when none is given: 0 for sgd, as PyTorch's and
     * Keras's SGD; {@link #NESTEROV_MOMENTUM} for nesterov; 0 for the others, which have none.
     * Throws for an unknown name.
     */
    public static float defaultMomentum(String name) {
        return kind(name).equals("nesterov") ? NESTEROV_MOMENTUM : 0f;
    }

    /** AdamW's weight decay when none is given, as PyTorch's {@code AdamW}; the others default to 0. */
    public static final float ADAMW_WEIGHT_DECAY = 0.01f;

    /**
     * The weight decay the named optimizer takes when none is given: {@link #ADAMW_WEIGHT_DECAY} for
     * adamw (with 0 it would be Adam), 0 for the others, as in PyTorch. Throws for an unknown name.
     */
    public static float defaultWeightDecay(String name) {
        return kind(name).equals("adamw") ? ADAMW_WEIGHT_DECAY : 0f;
    }

    /**
     * An optimizer by name: sgd (plain unless a momentum is given), nesterov (momentum 0.9 unless
     * given), adam, adamw, rmsprop, adagrad.
     * {@code momentum} {@link #DEFAULT_MOMENTUM} means the default for the optimizer; any other
     * value must be in [0, 1). {@code weightDecay} must be finite and >= 0 (see
     * {@link #defaultWeightDecay} for the optimizer's own).
     */
    public static Optimizer create(String name, List<Parameter> params, float lr, float weightDecay, float momentum) {
        check(name, momentum);
        String k = kind(name);
        return switch (k) {
            case "sgd", "nesterov" -> new Sgd(params, lr, momentum == DEFAULT_MOMENTUM ? defaultMomentum(k) : momentum,
                    weightDecay, k.equals("nesterov"));
            case "adam" -> new Adam(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay, false);
            case "adamw" -> new Adam(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay, true);
            case "rmsprop" -> new RmsProp(params, lr, 0.99f, 1e-8f, weightDecay);
            case "adagrad" -> new Adagrad(params, lr, 1e-10f, weightDecay);
            default -> throw new IllegalStateException("optimizer " + name + " is in NAMES but not built here");
        };
    }

    /** {@link #create(String, List, float, float, float)} with the optimizer's default momentum. */
    public static Optimizer create(String name, List<Parameter> params, float lr, float weightDecay) {
        return create(name, params, lr, weightDecay, DEFAULT_MOMENTUM);
    }

    /**
     * {@link #create(String, List, float, float, float)} with the optimizer's default weight decay
     * (0.01 for adamw, as {@code torch.optim.AdamW(params, lr)}; 0 for the others) and momentum.
     */
    public static Optimizer create(String name, List<Parameter> params, float lr) {
        return create(name, params, lr, defaultWeightDecay(name), DEFAULT_MOMENTUM);
    }

    /** The normalised name of a known optimizer, or an exception listing the known ones. */
    private static String kind(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        n = n.equals("sgd_nesterov") ? "nesterov" : n;
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected "
                    + String.join(", ", NAMES.subList(0, NAMES.size() - 1)) + " or " + NAMES.getLast() + ")");
        }
        return n;
    }

    public abstract String name();

    /** Whether {@code value} is one of the tensors this optimizer updates. */
    public boolean updates(Tensor value) {
        for (Parameter p : params) {
            if (p.value() == value) {
                return true;
            }
        }
        return false;
    }

    /** The parameters this optimizer updates, in its order. */
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public void close() {
        closed = true;
        List<Slot> all = new ArrayList<>(state.values());
        state.clear();
        all.forEach(s -> {
            for (Tensor t : s.tensors) {
                t.close();
            }
        });
    }
}
