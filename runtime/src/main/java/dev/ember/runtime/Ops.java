package dev.ember.runtime;

/**
 * The ops of Ember, with argument checking. Every op checks ranks, shapes, devices and values
 * and throws {@link IllegalArgumentException} naming the op and the offending shapes or values;
 * tensors an op pairs element by element must have equal shapes (nothing is broadcast, and a [12]
 * is not a 3x4), while a per-row or per-column vector may be rank 1 or a single row;
 * then it hands raw storage and dimensions to the tensors' {@link Backend}. Outputs are passed in,
 * so a training loop allocates no data-sized tensor per step (the reductions and losses use a
 * one- or two-value result tensor per call, which the device pools make cheap). An output may be an input of an elementwise op,
 * softmax or batch norm (in place); gemm's C, softmax cross-entropy's gradient, the optimizers'
 * tensors, batch-norm backward's dgamma and dbeta, and columnMeanVariance's mean and var must each
 * be a tensor of their own, since those ops read an input after writing the output.
 */
public final class Ops {
    private Ops() {
    }

    // ---- checks -------------------------------------------------------------------------------

    /**
     * The backend of the op's tensors, which must all be on one device and open. {@code names}
     * names them in order, comma-separated; one marked {@code ?} may be null, another that is null
     * is refused by name.
     */
    private static Backend sameDevice(String op, String names, Tensor... ts) {
        Device d = null;
        int from = 0; // where the name of ts[i] starts in names
        for (int i = 0; i < ts.length; i++) {
            int end = names.indexOf(", ", from);
            end = end < 0 ? names.length() : end;
            Tensor t = ts[i];
            if (t == null && names.charAt(end - 1) != '?') {
                throw new NullPointerException(op + ": " + names.substring(from, end) + " is null");
            }
            from = end + 2;
            if (t == null) {
                continue;
            }
            t.storage(); // fails loudly when closed
            if (d == null) {
                d = t.device();
            } else if (t.device() != d) {
                StringBuilder sb = new StringBuilder(op).append(": tensors on different devices:");
                for (Tensor u : ts) {
                    if (u != null) {
                        sb.append(' ').append(u.shapeString()).append('@').append(u.device().name());
                    }
                }
                throw new IllegalArgumentException(sb.toString());
            }
        }
        return d.backend();
    }

    private static void rank2(String op, String name, Tensor t) {
        if (t == null) {
            throw new NullPointerException(op + ": " + name + " is null");
        }
        if (t.rank() != 2) {
            throw new IllegalArgumentException(op + ": " + name + " must be rank 2, got shape " + t.shapeString());
        }
    }

    /**
     * Checks that two tensors have the same shape, rank included: as in PyTorch, a [12] and a 3x4
     * are not interchangeable (the same count of values laid out differently is refused, not
     * silently paired up element by element). Copy with {@link Tensor#reshapedCopy} to change a shape.
     */
    private static void sameShape(String op, String an, Tensor a, String bn, Tensor b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(op + ": " + an + " " + a.shapeString() + " and " + bn + " "
                    + b.shapeString() + " differ in shape");
        }
    }

    /**
     * Checks that the tensors of one op all have the first one's shape. {@code names} and {@code ts}
     * correspond; null tensors (optional arguments) are skipped.
     */
    private static void sameShapes(String op, String[] names, Tensor... ts) {
        int first = -1;
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] != null) {
                if (first < 0) {
                    first = i;
                } else {
                    sameShape(op, names[first], ts[first], names[i], ts[i]);
                }
            }
        }
    }

    /**
     * Rejects an output that is the same tensor as an input which the op still reads after it has
     * begun writing the output (a product, a row-wise loss, an optimizer's separate state).
     */
    private static void distinct(String op, String outName, Tensor out, String inName, Tensor in) {
        if (out != null && in != null && out.storage() == in.storage()) {
            throw new IllegalArgumentException(op + ": " + outName + " and " + inName + " are the same tensor ("
                    + in.shapeString() + "); " + outName + " must be a separate tensor");
        }
    }

    /** Checks a hyperparameter that PyTorch also requires to be non-negative (and, here, finite). */
    private static void nonNegative(String op, String name, float v) {
        if (!(v >= 0) || !Float.isFinite(v)) {
            throw new IllegalArgumentException(op + ": " + name + " must be finite and >= 0, got " + v);
        }
    }

    /** Op names for messages, built once rather than on every call. */
    private static final String[] ACTIVATION_OPS = opNames("activation");
    private static final String[] ACTIVATION_BACKWARD_OPS = opNames("activationBackward");

    private static String[] opNames(String prefix) {
        Activation[] all = Activation.values();
        String[] names = new String[all.length];
        for (Activation a : all) {
            names[a.ordinal()] = prefix + "(" + a.name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
        return names;
    }

    /** Checks that t holds length values ({@code what} of {@code of}); the message is built only on failure. */
    private static void vectorOf(String op, String name, Tensor t, int length, String what, Tensor of) {
        if (t.size() != length || t.rank() > 2 || (t.rank() == 2 && t.rows() != 1)) {
            throw new IllegalArgumentException(op + ": " + name + " must hold " + length + " values (" + what + " "
                    + of.shapeString() + "), got shape " + t.shapeString());
        }
    }

    private static void finite(String op, String name, float v) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(op + ": " + name + " must be finite, got " + v);
        }
    }

    private static void probability(String op, float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException(op + ": probability must be in [0, 1), got " + p);
        }
    }

    private static float readScalar(Backend be, Tensor t, int index) {
        float[] v = new float[1];
        be.download(t.storage(), index, v, 0, 1);
        return v[0];
    }

    // ---- dense algebra ----------------------------------------------------------------------

    /**
     * C = alpha * op(A) * op(B) + beta * C, with BLAS's conventions on every backend: beta = 0 means
     * C is not read, so NaN or Inf in it (an output from {@link Device#empty}) does not reach the
     * result, as in torch.addmm with beta = 0; alpha = 0 means neither A nor B is read.
     */
    public static void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        gemm(transA, transB, alpha, a, b, beta, c, null, Activation.IDENTITY, 0f);
    }

    /**
     * C = act(alpha * op(A) * op(B) + beta * C + bias): one fused launch for a dense layer.
     * {@code bias} (length = columns of C) may be null. beta = 0 and alpha = 0 follow BLAS, as in
     * {@link #gemm(boolean, boolean, float, Tensor, Tensor, float, Tensor)}.
     */
    public static void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c,
                            Tensor bias, Activation act, float actAlpha) {
        String op = "gemm";
        Backend be = sameDevice(op, "A, B, C, bias?", a, b, c, bias);
        innerDimensions(op, transA, a, transB, b);
        rank2(op, "C", c);
        int m = transA ? a.cols() : a.rows();
        int ka = transA ? a.rows() : a.cols();
        int n = transB ? b.rows() : b.cols();
        if (c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException(op + ": C is " + c.shapeString() + " but op(A) * op(B) is " + m + "x" + n
                    + " (A " + a.shapeString() + ", B " + b.shapeString() + ")");
        }
        if (bias != null) {
            vectorOf(op, "bias", bias, n, "one per column of C", c);
        }
        finite(op, "alpha", alpha);
        finite(op, "beta", beta);
        finite(op, "activation alpha", actAlpha);
        distinct(op, "C", c, "A", a);
        distinct(op, "C", c, "B", b);
        distinct(op, "C", c, "bias", bias);
        if (alpha == 0f) {
            // BLAS: with alpha = 0, A and B are not read, so an Inf or NaN in them does not reach C.
            Storage cs = c.storage();
            long size = c.size();
            if (beta == 0f) {
                be.fill(cs, 0, size, 0f);
            } else if (beta != 1f) {
                be.scale(beta, cs, cs, size);
            }
            if (bias != null) {
                be.biasAdd(cs, bias.storage(), cs, m, n);
            }
            if (act != Activation.IDENTITY) {
                be.activation(act, actAlpha, cs, cs, size);
            }
            return;
        }
        be.gemm(transA, transB, m, n, ka, alpha, a.storage(), b.storage(), beta, c.storage(),
                bias == null ? null : bias.storage(), act, actAlpha);
    }

    /** Checks that A and B are matrices whose op(A) * op(B) is defined; the message names {@code op}. */
    private static void innerDimensions(String op, boolean transA, Tensor a, boolean transB, Tensor b) {
        rank2(op, "A", a);
        rank2(op, "B", b);
        int ka = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        if (ka != kb) {
            throw new IllegalArgumentException(op + ": inner dimensions differ: " + operand("A", a, transA) + ", "
                    + operand("B", b, transB) + " (op(A)'s columns must equal op(B)'s rows)");
        }
    }

    /** "A is 3x4", or "op(A) of A 4x3 (transposed) is 3x4". */
    private static String operand(String name, Tensor t, boolean trans) {
        return trans ? "op(" + name + ") of " + name + " " + t.shapeString() + " (transposed) is " + t.cols() + "x"
                + t.rows() : name + " is " + t.shapeString();
    }

    /** A new tensor A * B. */
    public static Tensor matmul(Tensor a, Tensor b) {
        // checked here, not left to gemm, so that the messages name the op that was called
        sameDevice("matmul", "A, B", a, b);
        innerDimensions("matmul", false, a, false, b);
        Tensor c = a.device().empty(a.rows(), b.cols());
        try {
            gemm(false, false, 1f, a, b, 0f, c);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** out = x + bias broadcast over rows; out may be x. */
    public static void biasAdd(Tensor x, Tensor bias, Tensor out) {
        String op = "biasAdd";
        Backend be = sameDevice(op, "x, bias, out", x, bias, out);
        rank2(op, "x", x);
        vectorOf(op, "bias", bias, x.cols(), "one per column of x", x);
        sameShape(op, "x", x, "out", out);
        be.biasAdd(x.storage(), bias.storage(), out.storage(), x.rows(), x.cols());
    }

    /** db = column sums of dy (the bias gradient); with {@code accumulate}, db += column sums. */
    public static void biasGrad(Tensor dy, Tensor db, boolean accumulate) {
        String op = "biasGrad";
        Backend be = sameDevice(op, "dy, db", dy, db);
        rank2(op, "dy", dy);
        vectorOf(op, "db", db, dy.cols(), "one per column of dy", dy);
        be.columnSums(dy.storage(), db.storage(), dy.rows(), dy.cols(), accumulate ? 1f : 0f);
    }

    // ---- elementwise --------------------------------------------------------------------------

    /**
     * y = act(x); alpha is the slope of leaky relu or the scale of elu. elu keeps x where x >= 0, so
     * elu(+-0) is that zero on every device for any alpha (PyTorch's alpha * expm1(x) at x <= 0
     * gives the opposite sign when alpha < 0). sigmoid is 1 / (1 + exp(-x)) on every device, as in
     * PyTorch: exactly 0 below x = -88.73, where exp(-x) overflows (the exact value is below 3e-39).
     */
    public static void activation(Activation act, float alpha, Tensor x, Tensor y) {
        String op = ACTIVATION_OPS[act.ordinal()];
        Backend be = sameDevice(op, "x, y", x, y);
        sameShape(op, "x", x, "y", y);
        finite(op, "alpha", alpha);
        be.activation(act, alpha, x.storage(), y.storage(), x.size());
    }

    private static final String[] ACTIVATION_BACKWARD_NAMES = {"x", "y", "dy", "dx"};

    /**
     * dx = dy * act'(x), with y = act(x) as computed in the forward pass. At x = 0 the derivative of
     * relu, leaky relu and elu is taken from the left, and a NaN x follows PyTorch's backward
     * formulas: relu and elu pass dy through (their test is x <= 0), leaky relu gives alpha * dy
     * (its test is x > 0); sigmoid and tanh give NaN (y is NaN).
     */
    public static void activationBackward(Activation act, float alpha, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        String op = ACTIVATION_BACKWARD_OPS[act.ordinal()];
        Backend be = sameDevice(op, "x, y, dy, dx", x, y, dy, dx);
        sameShapes(op, ACTIVATION_BACKWARD_NAMES, x, y, dy, dx);
        finite(op, "alpha", alpha);
        be.activationBackward(act, alpha, x.storage(), y.storage(), dy.storage(), dx.storage(), x.size());
    }

    public static void add(Tensor a, Tensor b, Tensor out) {
        binary("add", BinaryOp.ADD, a, b, out);
    }

    public static void sub(Tensor a, Tensor b, Tensor out) {
        binary("sub", BinaryOp.SUB, a, b, out);
    }

    public static void mul(Tensor a, Tensor b, Tensor out) {
        binary("mul", BinaryOp.MUL, a, b, out);
    }

    private static final String[] BINARY_NAMES = {"a", "b", "out"};

    private static void binary(String op, BinaryOp kind, Tensor a, Tensor b, Tensor out) {
        Backend be = sameDevice(op, "a, b, out", a, b, out);
        sameShapes(op, BINARY_NAMES, a, b, out);
        be.binary(kind, a.storage(), b.storage(), out.storage(), a.size());
    }

    /** out = s * x. */
    public static void scale(float s, Tensor x, Tensor out) {
        Backend be = sameDevice("scale", "x, out", x, out);
        sameShape("scale", "x", x, "out", out);
        finite("scale", "s", s);
        be.scale(s, x.storage(), out.storage(), x.size());
    }

    /** y += alpha * x. */
    public static void axpy(float alpha, Tensor x, Tensor y) {
        Backend be = sameDevice("axpy", "x, y", x, y);
        sameShape("axpy", "x", x, "y", y);
        finite("axpy", "alpha", alpha);
        be.axpy(alpha, x.storage(), y.storage(), x.size());
    }

    /**
     * out = x < lo ? lo : (x > hi ? hi : x), as torch.clamp computes it: NaN stays NaN, and x is
     * kept when it equals a bound, so a zero keeps its sign (clamp of -0 to [0, 1] is -0). lo == hi
     * gives lo everywhere but at NaN; lo > hi or a NaN bound is refused (torch.clamp sets every
     * element to hi when lo > hi, which usually hides swapped arguments). Use an infinite bound
     * for a one-sided clamp.
     */
    public static void clamp(float lo, float hi, Tensor x, Tensor out) {
        Backend be = sameDevice("clamp", "x, out", x, out);
        sameShape("clamp", "x", x, "out", out);
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clamp: lo " + lo + " must not exceed hi " + hi);
        }
        be.clamp(lo, hi, x.storage(), out.storage(), x.size());
    }

    // ---- reductions ---------------------------------------------------------------------------

    /**
     * Sum of all elements (reads one value back). The CPU backend adds in double and rounds the
     * total to float once; the OpenCL and CUDA backends add in float in a fixed tree, as PyTorch adds
     * in float. They agree up to rounding except where a partial sum passes Float.MAX_VALUE while the
     * total does not (values near it, of both signs): there OpenCL and CUDA give +-inf, or NaN where
     * infinities of both signs meet, and the CPU the finite total (PyTorch's result depends on its
     * summation order). The same holds for {@link #mean} and {@link #biasGrad}; see also
     * {@link #columnMeanVariance}.
     */
    public static float sum(Tensor x) {
        Backend be = sameDevice("sum", "x", x);
        try (Tensor out = x.device().empty(1)) {
            be.sum(x.storage(), x.size(), out.storage());
            return readScalar(be, out, 0);
        }
    }

    /**
     * Sum of all elements over their count. The sum is a float first, so values whose sum passes
     * Float.MAX_VALUE give an infinite mean even where the mean itself is finite, as in PyTorch.
     */
    public static float mean(Tensor x) {
        sameDevice("mean", "x", x);
        return (float) (sum(x) / (double) x.size());
    }

    /** Sum of squares of all elements (reads one value back). */
    public static float sumSquares(Tensor x) {
        Backend be = sameDevice("sumSquares", "x", x);
        try (Tensor out = x.device().empty(1)) {
            be.sumSquares(x.storage(), x.size(), out.storage());
            return readScalar(be, out, 0);
        }
    }

    /**
     * out[r] = column index of the largest value of row r, as {@code torch.argmax(x, dim=1)}: a NaN
     * counts as larger than every number, so a row holding NaN gives the index of its first NaN;
     * among equal maxima (0 and -0 included) the first index wins.
     */
    public static void rowArgmax(Tensor x, Tensor out) {
        Backend be = sameDevice("rowArgmax", "x, out", x, out);
        rank2("rowArgmax", "x", x);
        vectorOf("rowArgmax", "out", out, x.rows(), "one per row of x", x);
        be.rowArgmax(x.storage(), out.storage(), x.rows(), x.cols());
    }

    /**
     * Row-wise softmax, max-subtracted; y may be x. As torch.softmax: a -inf entry gets exactly 0,
     * and a row that is -inf throughout, or holds +inf or NaN, is NaN throughout.
     */
    public static void softmax(Tensor x, Tensor y) {
        Backend be = sameDevice("softmax", "x, y", x, y);
        rank2("softmax", "x", x);
        sameShape("softmax", "x", x, "y", y);
        be.softmax(x.storage(), y.storage(), x.rows(), x.cols());
    }

    /**
     * Column means and population variances of x: var divides by rows, as batch normalisation
     * normalises with, i.e. torch.var(x, 0, unbiased=False). torch.var's default (and BatchNorm's
     * running_var) is the sample variance: multiply by rows / (rows - 1) for it. NaN or an infinity
     * in a column makes its mean and variance NaN or infinite, as in PyTorch. Near Float.MAX_VALUE
     * the backends differ: the CPU accumulates in double, so a column whose sum passes
     * Float.MAX_VALUE still gets its finite mean (as PyTorch's Welford update gives it), and
     * deviations from the mean of 1.8e19 or more still give a finite variance where it fits; the
     * OpenCL and CUDA backends accumulate in float and give +inf, or NaN, there.
     */
    public static void columnMeanVariance(Tensor x, Tensor mean, Tensor var) {
        String op = "columnMeanVariance";
        Backend be = sameDevice(op, "x, mean, var", x, mean, var);
        rank2(op, "x", x);
        vectorOf(op, "mean", mean, x.cols(), "one per column of x", x);
        vectorOf(op, "var", var, x.cols(), "one per column of x", x);
        distinct(op, "var", var, "mean", mean); // one tensor would hold the variances only
        be.columnMeanVariance(x.storage(), mean.storage(), var.storage(), x.rows(), x.cols());
    }

    // ---- losses -------------------------------------------------------------------------------

    /**
     * Softmax cross-entropy of {@code logits} (rows x classes) against integer {@code labels}
     * (one per row, stored as floats), mean over rows. Writes d(loss)/d(logits) into {@code grad}
     * and returns the loss. {@code grad} must be a tensor of its own. As in PyTorch, a -inf logit
     * in a class other than the label adds nothing to the loss and gets a gradient of exactly 0; a
     * -inf logit at the label makes the loss +inf (gradient -1 / rows there, finite elsewhere); a
     * row that is -inf throughout, or holds +inf or NaN, gets NaN gradients and makes the loss NaN.
     */
    public static float softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad) {
        String op = "softmaxCrossEntropy";
        Backend be = sameDevice(op, "logits, labels, grad", logits, labels, grad);
        rank2(op, "logits", logits);
        if (labels.rank() == 2 && logits.cols() > 1 && labels.rows() == logits.rows()
                && labels.cols() == logits.cols()) {
            // Keras' categorical_crossentropy habit: the generic "must hold N values" would not say why
            throw new IllegalArgumentException(op + ": labels " + labels.shapeString() + " has the shape of logits"
                    + " (one-hot targets?); it takes one class index per row, " + logits.rows()
                    + " values (Ops.rowArgmax of one-hot rows gives them)");
        }
        vectorOf(op, "labels", labels, logits.rows(), "one per row of logits", logits);
        sameShape(op, "logits", logits, "grad", grad);
        // Each row's label logit is read after the row's gradient is written.
        distinct(op, "grad", grad, "logits", logits);
        distinct(op, "grad", grad, "labels", labels);
        try (Tensor stats = logits.device().empty(2)) {
            be.softmaxCrossEntropy(logits.storage(), labels.storage(), grad.storage(), stats.storage(),
                    logits.rows(), logits.cols());
            float[] s = new float[2];
            be.download(stats.storage(), 0, s, 0, 2);
            if (s[1] >= 0) {
                // The backends report the first bad row as a float, exact only below 2^24 rows:
                // find it on the host (this is the error path, so the download costs nothing).
                float[] all = labels.toArray();
                int row = (int) s[1];
                for (int r = 0; r < all.length; r++) {
                    float l = all[r];
                    if (!(l >= 0 && l < logits.cols()) || l != Math.rint(l)) {
                        row = r;
                        break;
                    }
                }
                float label = all[row];
                // "not an integer in", not "outside": 1.5 is inside [0, 3) and still no class
                throw new IllegalArgumentException(op + ": label " + label + " at row " + row
                        + " is not a class index, an integer in [0, " + logits.cols() + "), for logits "
                        + logits.shapeString());
            }
            return s[0];
        }
    }

    private static final String[] BCE_NAMES = {"logits", "targets", "grad"};
    private static final String[] MSE_NAMES = {"pred", "target", "grad"};

    /**
     * Binary cross-entropy on logits z against targets t in [0, 1], mean over elements, as
     * torch.nn.functional.binary_cross_entropy_with_logits; writes (sigmoid(z) - t) / n into
     * {@code grad} and returns the loss. At infinite logits the loss is what PyTorch's formula
     * (1 - t) z - log_sigmoid(z) gives: +inf for z = +inf and t < 1, but NaN for z = +inf and t = 1
     * (0 * inf) and for z = -inf whatever t is (-inf + inf), even where the limit is 0 or +inf;
     * the gradient stays finite there (1 - t or -t, over n).
     */
    public static float bceWithLogits(Tensor logits, Tensor targets, Tensor grad) {
        String op = "bceWithLogits";
        Backend be = sameDevice(op, "logits, targets, grad", logits, targets, grad);
        sameShapes(op, BCE_NAMES, logits, targets, grad);
        try (Tensor stats = logits.device().empty(1)) {
            be.bceWithLogits(logits.storage(), targets.storage(), grad.storage(), stats.storage(), logits.size());
            return readScalar(be, stats, 0);
        }
    }

    /**
     * Mean squared error, mean over elements; returns the loss. As in PyTorch the squares are floats,
     * so a difference of magnitude 1.8e19 or more, or a total of the squares past Float.MAX_VALUE,
     * gives +inf; an infinite difference gives +inf and an infinite gradient, inf - inf a NaN.
     */
    public static float mse(Tensor pred, Tensor target, Tensor grad) {
        String op = "mse";
        Backend be = sameDevice(op, "pred, target, grad", pred, target, grad);
        sameShapes(op, MSE_NAMES, pred, target, grad);
        try (Tensor stats = pred.device().empty(1)) {
            be.mse(pred.storage(), target.storage(), grad.storage(), stats.storage(), pred.size());
            return readScalar(be, stats, 0);
        }
    }

    // ---- dropout ----------------------------------------------------------------------------

    /**
     * Inverted dropout with drop probability p and a Philox mask keyed by (seed, index): a kept
     * element becomes x * (1 / (1 - p)), as in PyTorch, a dropped one exactly 0, also where x is
     * NaN or infinite (PyTorch multiplies by a zero mask, which gives NaN there). p must be in
     * [0, 1): p = 1, which PyTorch accepts and answers with zeros, is refused, as by nn's Dropout.
     */
    public static void dropout(long seed, float p, Tensor x, Tensor y) {
        Backend be = sameDevice("dropout", "x, y", x, y);
        probability("dropout", p);
        sameShape("dropout", "x", x, "y", y);
        be.dropout(seed, p, x.storage(), y.storage(), x.size());
    }

    /** Gradient of {@link #dropout} with the same seed and p: the same mask applied to dy. */
    public static void dropoutBackward(long seed, float p, Tensor dy, Tensor dx) {
        Backend be = sameDevice("dropoutBackward", "dy, dx", dy, dx);
        probability("dropoutBackward", p);
        sameShape("dropoutBackward", "dy", dy, "dx", dx);
        be.dropout(seed, p, dy.storage(), dx.storage(), dy.size());
    }

    // ---- batch normalisation -------------------------------------------------------------------

    private static void positiveEps(String op, float eps) {
        if (!(eps > 0) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be positive and finite, got " + eps);
        }
    }

    /** y = (x - mean) / sqrt(var + eps) * gamma + beta, per column. */
    public static void batchNorm(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, float eps, Tensor y) {
        String op = "batchNorm";
        Backend be = sameDevice(op, "x, mean, var, gamma, beta, y", x, mean, var, gamma, beta, y);
        rank2(op, "x", x);
        String per = "one per column of x";
        vectorOf(op, "mean", mean, x.cols(), per, x);
        vectorOf(op, "var", var, x.cols(), per, x);
        vectorOf(op, "gamma", gamma, x.cols(), per, x);
        vectorOf(op, "beta", beta, x.cols(), per, x);
        sameShape(op, "x", x, "y", y);
        positiveEps(op, eps);
        be.batchNorm(x.storage(), mean.storage(), var.storage(), gamma.storage(), beta.storage(), eps, y.storage(),
                x.rows(), x.cols());
    }

    private static final String[] BN_BACKWARD_NAMES = {"x", "dy", "dx"};

    /** Training-mode batch-norm backward (batch statistics mean and var of x). */
    public static void batchNormBackward(Tensor x, Tensor mean, Tensor var, Tensor gamma, float eps, Tensor dy,
                                         Tensor dx, Tensor dgamma, Tensor dbeta) {
        String op = "batchNormBackward";
        Backend be = sameDevice(op, "x, mean, var, gamma, dy, dx, dgamma, dbeta", x, mean, var, gamma, dy, dx, dgamma, dbeta);
        rank2(op, "x", x);
        String per = "one per column of x";
        vectorOf(op, "mean", mean, x.cols(), per, x);
        vectorOf(op, "var", var, x.cols(), per, x);
        vectorOf(op, "gamma", gamma, x.cols(), per, x);
        vectorOf(op, "dgamma", dgamma, x.cols(), per, x);
        vectorOf(op, "dbeta", dbeta, x.cols(), per, x);
        sameShapes(op, BN_BACKWARD_NAMES, x, dy, dx);
        positiveEps(op, eps);
        // dgamma and dbeta are written before dx is computed from gamma, mean, var, x and dy (and
        // from dgamma and dbeta): each must be a tensor of its own. dx may be dy (in place).
        distinct(op, "dbeta", dbeta, "dgamma", dgamma);
        notAnInputOfBatchNormBackward(op, "dgamma", dgamma, x, mean, var, gamma, dy, dx);
        notAnInputOfBatchNormBackward(op, "dbeta", dbeta, x, mean, var, gamma, dy, dx);
        be.batchNormBackward(x.storage(), mean.storage(), var.storage(), gamma.storage(), eps, dy.storage(),
                dx.storage(), dgamma.storage(), dbeta.storage(), x.rows(), x.cols());
    }

    private static void notAnInputOfBatchNormBackward(String op, String name, Tensor out, Tensor x, Tensor mean,
                                                      Tensor var, Tensor gamma, Tensor dy, Tensor dx) {
        distinct(op, name, out, "x", x);
        distinct(op, name, out, "mean", mean);
        distinct(op, name, out, "var", var);
        distinct(op, name, out, "gamma", gamma);
        distinct(op, name, out, "dy", dy);
        distinct(op, name, out, "dx", dx);
    }

    // ---- optimizer updates ----------------------------------------------------------------------

    private static void lr(String op, float lr) {
        if (!(lr >= 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException(op + ": learning rate must be finite and >= 0, got " + lr);
        }
    }

    private static final String[] SGD_NAMES = {"param", "grad", "velocity"};
    private static final String[] ADAM_NAMES = {"param", "grad", "m", "v"};

    /**
     * Checks that an optimizer's tensors are pairwise distinct: each is read and written per
     * element, and a shared one would mix the parameter, its gradient and the running statistics.
     */
    private static void allDistinct(String op, String[] names, Tensor... ts) {
        for (int i = 0; i < ts.length; i++) {
            for (int j = i + 1; j < ts.length; j++) {
                distinct(op, names[j], ts[j], names[i], ts[i]);
            }
        }
    }

    /** SGD with momentum, Nesterov and weight decay (PyTorch semantics); velocity may be null when momentum is 0. */
    public static void sgd(Tensor param, Tensor grad, Tensor velocity, float lr, float momentum, float weightDecay,
                           boolean nesterov, boolean firstStep) {
        String op = "sgd";
        Backend be = sameDevice(op, "param, grad, velocity?", param, grad, velocity);
        lr(op, lr);
        nonNegative(op, "momentum", momentum);
        nonNegative(op, "weight decay", weightDecay);
        sameShape(op, "param", param, "grad", grad);
        distinct(op, "param", param, "grad", grad);
        if (momentum != 0f) {
            if (velocity == null) {
                throw new IllegalArgumentException(op + ": momentum " + momentum + " needs a velocity tensor");
            }
            sameShapes(op, SGD_NAMES, param, grad, velocity);
            distinct(op, "velocity", velocity, "param", param);
            distinct(op, "velocity", velocity, "grad", grad);
        } else if (nesterov) {
            throw new IllegalArgumentException(op + ": Nesterov needs a non-zero momentum");
        }
        be.sgdUpdate(param.storage(), grad.storage(), velocity == null ? null : velocity.storage(), param.size(), lr,
                momentum, weightDecay, nesterov, firstStep);
    }

    /** Adam (decoupled false) or AdamW (decoupled true); {@code step} counts from 1. */
    public static void adam(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2,
                            float eps, float weightDecay, boolean decoupled, int step) {
        String op = decoupled ? "adamw" : "adam";
        Backend be = sameDevice(op, "param, grad, m, v", param, grad, m, v);
        lr(op, lr);
        sameShapes(op, ADAM_NAMES, param, grad, m, v);
        allDistinct(op, ADAM_NAMES, param, grad, m, v);
        nonNegative(op, "eps", eps);
        nonNegative(op, "weight decay", weightDecay);
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step counts from 1, got " + step);
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(op + ": betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        be.adamUpdate(param.storage(), grad.storage(), m.storage(), v.storage(), param.size(), lr, beta1, beta2, eps,
                weightDecay, decoupled, step);
    }

    private static final String[] RMSPROP_NAMES = {"param", "grad", "sq"};
    private static final String[] ADAGRAD_NAMES = {"param", "grad", "sum"};

    public static void rmsprop(Tensor param, Tensor grad, Tensor sq, float lr, float alpha, float eps,
                               float weightDecay) {
        String op = "rmsprop";
        Backend be = sameDevice(op, "param, grad, sq", param, grad, sq);
        lr(op, lr);
        sameShapes(op, RMSPROP_NAMES, param, grad, sq);
        allDistinct(op, RMSPROP_NAMES, param, grad, sq);
        nonNegative(op, "alpha", alpha);
        nonNegative(op, "eps", eps);
        nonNegative(op, "weight decay", weightDecay);
        be.rmspropUpdate(param.storage(), grad.storage(), sq.storage(), param.size(), lr, alpha, eps, weightDecay);
    }

    public static void adagrad(Tensor param, Tensor grad, Tensor sum, float lr, float eps, float weightDecay) {
        String op = "adagrad";
        Backend be = sameDevice(op, "param, grad, sum", param, grad, sum);
        lr(op, lr);
        sameShapes(op, ADAGRAD_NAMES, param, grad, sum);
        allDistinct(op, ADAGRAD_NAMES, param, grad, sum);
        nonNegative(op, "eps", eps);
        nonNegative(op, "weight decay", weightDecay);
        be.adagradUpdate(param.storage(), grad.storage(), sum.storage(), param.size(), lr, eps, weightDecay);
    }
}
