package dev.ember.runtime;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Shape checks and formatting shared by tensors and ops. */
public final class Shapes {
    private Shapes() {
    }

    /** Checks rank 1..4 and positive dimensions; returns a private copy. */
    public static int[] check(String what, int... shape) {
        if (shape == null || shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException(what + ": rank must be 1 to 4, got shape "
                    + (shape == null ? "null" : toString(shape)));
        }
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(what + ": dimensions must be positive, got shape " + toString(shape));
            }
            // compared before multiplying: with four dimensions the product itself can pass 2^63
            if (n > Integer.MAX_VALUE * 4L / d) {
                throw new IllegalArgumentException(what + ": shape " + toString(shape) + " is too large");
            }
            n *= d;
        }
        return shape.clone();
    }

    public static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * "128x784", or "[7]" for rank 1 and "[]" for rank 0 (a scalar's shape, as PyTorch prints it;
     * refused by {@link #check}, whose message would otherwise end in a blank).
     */
    public static String toString(int[] shape) {
        if (shape.length <= 1) {
            return shape.length == 0 ? "[]" : "[" + shape[0] + "]";
        }
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }
}
