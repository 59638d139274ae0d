package dev.ember.nn.data;

/** One-hot encoding of integer class labels stored as floats. */
public final class OneHot {
    private OneHot() {
    }

    /** A row-major {@code labels.length x classes} array with a single 1 per row. */
    public static float[] encode(float[] labels, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("OneHot.encode: classes must be >= 1, got " + classes);
        }
        float[] out = new float[Math.multiplyExact(labels.length, classes)];
        for (int i = 0; i < labels.length; i++) {
            float l = labels[i];
            if (!(l >= 0 && l < classes) || l != Math.rint(l)) {
                throw new IllegalArgumentException("OneHot.encode: label " + l + " at row " + i
                        + " is not an integer in [0, " + classes + ")");
            }
            out[i * classes + (int) l] = 1f;
        }
        return out;
    }

    /**
     * Index of the largest value of each row of a row-major {@code rows x classes} array, as
     * {@code torch.argmax} and {@code Ops.rowArgmax} pick it: see {@link #argmaxRow}.
     */
    public static int[] argmax(float[] scores, int rows, int classes) {
        if (classes < 1 || (long) rows * classes != scores.length) {
            throw new IllegalArgumentException("OneHot.argmax: " + scores.length + " values is not " + rows + " x "
                    + classes);
        }
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = argmaxRow(scores, i * classes, classes);
        }
        return out;
    }

    /**
     * Index in [0, classes) of the largest of {@code scores[offset .. offset + classes)}: the first
     * NaN if there is one (NaN ranks above every number, as in torch.argmax), else the first of the
     * largest values.
     */
    public static int argmaxRow(float[] scores, int offset, int classes) {
        int best = 0;
        float bv = scores[offset];
        for (int c = 1; c < classes && !Float.isNaN(bv); c++) {
            float v = scores[offset + c];
            if (v > bv || Float.isNaN(v)) {
                best = c;
                bv = v;
            }
        }
        return best;
    }
}
