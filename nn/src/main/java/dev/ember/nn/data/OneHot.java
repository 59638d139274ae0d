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

    /** Index of the largest value of each row of a row-major {@code rows x classes} array (first wins ties). */
    public static int[] argmax(float[] scores, int rows, int classes) {
        if (classes < 1 || (long) rows * classes != scores.length) {
            throw new IllegalArgumentException("OneHot.argmax: " + scores.length + " values is not " + rows + " x "
                    + classes);
        }
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            int best = 0;
            float bv = scores[i * classes];
            for (int c = 1; c < classes; c++) {
                float v = scores[i * classes + c];
                if (v > bv || (Float.isNaN(v) && !Float.isNaN(bv))) {
                    best = c;
                    bv = v;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
