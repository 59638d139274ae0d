package dev.ember.runtime.testing;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An elementwise acceptance test {@code |out - ref| <= atol + rtol * |ref|}, written so that a
 * NaN in either value never passes. A failure names the op, the case (shape), the first failing
 * index with both values, how many elements failed, and the seed.
 */
public record Tolerance(String op, double atol, double rtol) {

    public static Tolerance of(String op, double atol, double rtol) {
        return new Tolerance(op, atol, rtol);
    }

    /** Same rule with another absolute tolerance (e.g. one scaled by the reduction length). */
    public Tolerance withAtol(double a) {
        return new Tolerance(op, a, rtol);
    }

    public boolean accepts(double ref, double out) {
        // Written as !(... <= ...) at the call sites: NaN compares false and so fails.
        return Math.abs(out - ref) <= atol + rtol * Math.abs(ref);
    }

    /** Checks one scalar result. */
    public void check(Rand rand, String what, double ref, double out) {
        if (!accepts(ref, out)) {
            fail(op + " " + what + ": out=" + out + " ref=" + ref + " |diff|=" + Math.abs(out - ref)
                    + " > atol + rtol*|ref| = " + (atol + rtol * Math.abs(ref)) + " (atol=" + atol + ", rtol="
                    + rtol + "); " + rand.seedNote());
        }
    }

    /** Checks every element; {@code cols} > 0 adds the row and column of the failing index. */
    public void check(Rand rand, String what, double[] ref, float[] out, int cols) {
        if (ref.length != out.length) {
            fail(op + " " + what + ": " + out.length + " results for " + ref.length + " expected; " + rand.seedNote());
        }
        int first = -1, bad = 0;
        for (int i = 0; i < ref.length; i++) {
            if (!accepts(ref[i], out[i])) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (first >= 0) {
            String where = cols > 0 ? " [row " + first / cols + ", col " + first % cols + "]" : "";
            fail(op + " " + what + ": " + bad + " of " + ref.length + " elements out of tolerance; first at index "
                    + first + where + ": out=" + out[first] + " ref=" + ref[first] + " |diff|="
                    + Math.abs(out[first] - ref[first]) + " > atol + rtol*|ref| = "
                    + (atol + rtol * Math.abs(ref[first])) + " (atol=" + atol + ", rtol=" + rtol + "); "
                    + rand.seedNote());
        }
    }

    public void check(Rand rand, String what, double[] ref, float[] out) {
        check(rand, what, ref, out, 0);
    }
}
