package dev.ember.nn.optim;

import java.util.Locale;

/**
 * Learning rate per epoch (0-based) from the base rate: constant, step decay (times gamma every
 * {@code stepSize} epochs), exponential (times gamma each epoch) or cosine annealing to 0 over
 * the run (PyTorch's StepLR, ExponentialLR and CosineAnnealingLR with eta_min 0), in their
 * closed forms, computed in float64 and rounded once to float. The {@link dev.ember.nn.train.Trainer}
 * sets {@code lr(base, e, epochs)} before epoch {@code e} and keeps it for all of that epoch's
 * batches: the first epoch runs at the base rate, exactly as a PyTorch loop that calls
 * {@code scheduler.step()} once at the end of each epoch.
 */
@FunctionalInterface
public interface LrSchedule {
    float lr(float base, int epoch, int epochs);

    static LrSchedule constant() {
        return (base, epoch, epochs) -> base;
    }

    /**
     * StepLR: {@code base * gamma^floor(epoch / stepSize)}. A float {@code gamma} is taken as the
     * decimal it was written as (0.95f is 0.95), so the rates are those of PyTorch's float64
     * arithmetic, not drifting by gamma's float rounding error times the epoch.
     */
    static LrSchedule step(int stepSize, float gamma) {
        return step(stepSize, decimal(gamma));
    }

    /** StepLR with a float64 {@code gamma}: {@code base * gamma^floor(epoch / stepSize)}. */
    static LrSchedule step(int stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("step schedule: step size must be >= 1, got " + stepSize);
        }
        checkGamma("step", gamma);
        return (base, epoch, epochs) -> (float) (base * Math.pow(gamma, epoch / stepSize));
    }

    /** ExponentialLR: {@code base * gamma^epoch}, a float {@code gamma} read as its decimal (see {@link #step(int, float)}). */
    static LrSchedule exponential(float gamma) {
        return exponential(decimal(gamma));
    }

    /** ExponentialLR with a float64 {@code gamma}: {@code base * gamma^epoch}. */
    static LrSchedule exponential(double gamma) {
        checkGamma("exponential", gamma);
        return (base, epoch, epochs) -> (float) (base * Math.pow(gamma, epoch));
    }

    /** The shortest decimal that reads back as {@code f}, as a double: what the caller wrote. */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    /** A decay factor must keep the rate finite and positive (PyTorch does not check; a negative one flips the sign). */
    private static void checkGamma(String kind, double gamma) {
        if (!(gamma > 0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException(kind + " schedule: gamma must be positive and finite, got " + gamma);
        }
    }

    /**
     * CosineAnnealingLR(T_max = epochs, eta_min = 0): {@code base * (1 + cos(pi * epoch / epochs)) / 2}.
     * The last epoch ({@code epochs - 1}) still has a small positive rate; 0 would be reached at
     * epoch {@code epochs}, which is not run.
     */
    static LrSchedule cosine() {
        return (base, epoch, epochs) -> (float) (base * 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs))));
    }

    /**
     * Parses "constant", "step" (step:10:0.5 = every 10 epochs times 0.5; default every 10 epochs
     * times 0.1), "exp" / "exponential" (exp:0.95, default 0.95) or "cosine".
     */
    static LrSchedule parse(String s) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split(":", -1);
        return switch (p[0]) {
            case "constant", "none" -> {
                values(s, p, 0);
                yield constant();
            }
            case "step" -> {
                values(s, p, 2);
                yield step(p.length > 1 ? (int) number(s, p[1], true) : 10, p.length > 2 ? number(s, p[2], false) : 0.1);
            }
            case "exp", "exponential" -> {
                values(s, p, 1);
                yield exponential(p.length > 1 ? number(s, p[1], false) : 0.95);
            }
            case "cosine", "cos" -> {
                values(s, p, 0);
                yield cosine();
            }
            default -> throw new IllegalArgumentException("unknown schedule '" + s + "' (expected " + FORMS + ")");
        };
    }

    /** The value {@code v} of schedule {@code s}: an integer when {@code integer}; else a message naming it. */
    private static double number(String s, String v, boolean integer) {
        try {
            return integer ? Integer.parseInt(v.strip()) : Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad schedule '" + s + "': '" + v + "' is not " + (integer ? "an integer"
                    : "a number") + " (expected " + FORMS + ")");
        }
    }

    /** The schedule spellings, for messages. */
    String FORMS = "constant, step[:N[:GAMMA]], exp[:GAMMA] or cosine";

    /** Refuses values past the {@code max} a schedule takes ("cosine:5" would otherwise drop the 5). */
    private static void values(String s, String[] p, int max) {
        if (p.length - 1 > max) {
            throw new IllegalArgumentException("bad schedule '" + s + "': " + p[0] + " takes at most " + max
                    + " value" + (max == 1 ? "" : "s") + " (expected " + FORMS + ")");
        }
    }
}
