package dev.ember.runtime;

/**
 * The interface every backend implements (CPU, OpenCL, CUDA). It works on raw {@link Storage}
 * blocks and plain dimensions: {@link Ops} has already checked shapes, ranks, devices and
 * arguments, so an implementation only computes. All matrices are row-major and contiguous.
 *
 * <p>Ops may run asynchronously (in order) on the device; {@link #download} and
 * {@link #synchronize} are the synchronisation points. Losses write their results into a small
 * {@code stats} block that {@link Ops} reads back.
 */
public interface Backend extends AutoCloseable {

    /** Device name as used by {@link Devices#get(String)}, e.g. {@code cpu}, {@code opencl:0}. */
    String name();

    /** One line saying what the device is (model, driver, threads). */
    String description();

    /** Whether this is an accelerator (a GPU), used by {@link Devices#best()}. */
    boolean isGpu();

    // ---- memory --------------------------------------------------------------------------

    /** Allocates a block of {@code elements} floats; contents are unspecified. */
    Storage allocate(long elements);

    /** Releases a block allocated by this backend. Called exactly once per block. */
    void release(Storage storage);

    void upload(float[] src, int srcOffset, Storage dst, long dstOffset, int length);

    void download(Storage src, long srcOffset, float[] dst, int dstOffset, int length);

    /**
     * Writes rows {@code rows[from .. from + count)} of the row-major host matrix {@code src}
     * ({@code cols} values per row) to {@code dst} from element 0, one after another (a mini-batch
     * of a shuffled epoch). The caller has checked every index. This default gathers them into a
     * per-thread host array and uploads once; a backend whose memory is the host's writes them in
     * place.
     */
    default void uploadRows(float[] src, int cols, int[] rows, int from, int count, Storage dst) {
        int n = Math.multiplyExact(count, cols);
        float[] staged = RowStaging.take(n);
        for (int i = 0; i < count; i++) {
            System.arraycopy(src, rows[from + i] * cols, staged, i * cols, cols);
        }
        upload(staged, 0, dst, 0, n);
    }

    void copy(Storage src, long srcOffset, Storage dst, long dstOffset, long length);

    void fill(Storage dst, long offset, long length, float value);

    /** Waits until every op enqueued so far has finished. */
    void synchronize();

    /**
     * The device's attainable float32 FLOP rate: runs an FMA loop (independent fused multiply-add
     * chains, 2 FLOPs each) on the device for a short time (about 100-300 ms) and returns FLOP/s,
     * for roofline context in benchmarks. Not an op: it synchronises the device. The default is
     * NaN, meaning not measured (the caller falls back to another estimate).
     */
    default double measurePeakFlops() {
        return Double.NaN;
    }

    // ---- dense algebra ----------------------------------------------------------------------

    /**
     * C = act(alpha * op(A) * op(B) + beta * C + bias), op(A) is m x k, op(B) is k x n, C is m x n.
     * A is stored m x k (k x m when {@code transA}); B is k x n (n x k when {@code transB}).
     * {@code bias} (length n, broadcast over rows) may be null; {@code act} IDENTITY for a plain GEMM.
     * When beta is 0, C is not read (it may hold NaN).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a, Storage b,
              float beta, Storage c, Storage bias, Activation act, float actAlpha);

    /** out[r, c] = x[r, c] + bias[c]. out may be x. */
    void biasAdd(Storage x, Storage bias, Storage out, int rows, int cols);

    /** out[c] = beta * out[c] + sum over r of x[r, c] (the bias gradient; beta 0 or 1). */
    void columnSums(Storage x, Storage out, int rows, int cols, float beta);

    // ---- elementwise ------------------------------------------------------------------------

    /** y = act(x), n elements; y may be x. */
    void activation(Activation act, float alpha, Storage x, Storage y, long n);

    /**
     * dx = dy * act'(x), where y = act(x) is given too (sigmoid, tanh and elu use y, relu and
     * leaky relu use x). dx may be dy. Branches on x as PyTorch does: relu and elu take the negative
     * side when x <= 0 (so a NaN x passes dy through), leaky relu the positive side when x > 0 (a
     * NaN x gets alpha * dy).
     */
    void activationBackward(Activation act, float alpha, Storage x, Storage y, Storage dy, Storage dx, long n);

    /** out = a (op) b elementwise; out may be a or b. */
    void binary(BinaryOp op, Storage a, Storage b, Storage out, long n);

    /** out = s * x. */
    void scale(float s, Storage x, Storage out, long n);

    /** y = alpha * x + y. */
    void axpy(float alpha, Storage x, Storage y, long n);

    /** out = x < lo ? lo : (x > hi ? hi : x) (torch.clamp: NaN stays NaN, -0 stays -0 at a bound of 0). */
    void clamp(float lo, float hi, Storage x, Storage out, long n);

    // ---- reductions ---------------------------------------------------------------------------

    /** out[0] = sum of x[0..n). */
    void sum(Storage x, long n, Storage out);

    /** out[0] = sum of x[i]^2 (for gradient clipping by global norm). */
    void sumSquares(Storage x, long n, Storage out);

    /**
     * out[r] = index of the largest x[r, c], as a float; NaN ranks above every number (the first NaN
     * of a row wins) and the first index wins among equal values (torch.argmax).
     */
    void rowArgmax(Storage x, Storage out, int rows, int cols);

    /** Row-wise softmax, max-subtracted; y may be x. */
    void softmax(Storage x, Storage y, int rows, int cols);

    /** mean[c] and population variance[c] of column c over the rows. */
    void columnMeanVariance(Storage x, Storage mean, Storage var, int rows, int cols);

    // ---- losses (each returns mean loss in stats[0]) ------------------------------------------

    /**
     * Softmax cross-entropy with integer labels (stored as floats), mean over rows.
     * grad = (softmax(logits) - onehot(label)) / rows. stats[0] = mean loss;
     * stats[1] = index of the first row whose label is not an integer in [0, cols), or -1.
     */
    void softmaxCrossEntropy(Storage logits, Storage labels, Storage grad, Storage stats, int rows, int cols);

    /** Binary cross-entropy on logits, mean over n; grad = (sigmoid(z) - t) / n; stats[0] = loss. */
    void bceWithLogits(Storage logits, Storage targets, Storage grad, Storage stats, long n);

    /** Mean squared error, mean over n; grad = 2 (p - t) / n; stats[0] = loss. */
    void mse(Storage pred, Storage target, Storage grad, Storage stats, long n);

    // ---- dropout (Philox-4x32-10 keyed by (seed, element index)) ---------------------------------

    /**
     * Inverted dropout: element i is kept when {@link Philox#uniform(long, long)} of (seed, i) is
     * at least p; kept elements are scaled by 1 / (1 - p), dropped ones become 0. The backward
     * pass is the same function applied to dy, so no mask is stored.
     */
    void dropout(long seed, float p, Storage x, Storage y, long n);

    // ---- batch normalisation -----------------------------------------------------------------

    /** y = (x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]. */
    void batchNorm(Storage x, Storage mean, Storage var, Storage gamma, Storage beta, float eps,
                   Storage y, int rows, int cols);

    /**
     * Training-mode batch-norm backward with batch statistics mean/var:
     * dgamma[c] = sum dy * xhat, dbeta[c] = sum dy,
     * dx = gamma * invstd / rows * (rows * dy - dbeta - xhat * dgamma).
     */
    void batchNormBackward(Storage x, Storage mean, Storage var, Storage gamma, float eps, Storage dy,
                           Storage dx, Storage dgamma, Storage dbeta, int rows, int cols);

    // ---- optimizer updates (in place, one pass each) -------------------------------------------

    /**
     * PyTorch SGD: g = grad + wd * p; if momentum != 0: v = momentum * v + g (v = g on the
     * first step when {@code firstStep}), g = nesterov ? g + momentum * v : v; p -= lr * g.
     * velocity may be null when momentum is 0.
     */
    void sgdUpdate(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                   float weightDecay, boolean nesterov, boolean firstStep);

    /**
     * Adam (decoupled false: L2 added to the gradient) or AdamW (decoupled true: p *= 1 - lr * wd),
     * with bias correction for 1-based {@code step}.
     */
    void adamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, float lr, float beta1,
                    float beta2, float eps, float weightDecay, boolean decoupled, int step);

    /** PyTorch RMSprop without momentum: s = alpha s + (1 - alpha) g^2; p -= lr g / (sqrt(s) + eps). */
    void rmspropUpdate(Storage param, Storage grad, Storage sq, long n, float lr, float alpha, float eps,
                       float weightDecay);

    /** PyTorch Adagrad: s += g^2; p -= lr g / (sqrt(s) + eps). */
    void adagradUpdate(Storage param, Storage grad, Storage sum, long n, float lr, float eps, float weightDecay);

    /** Releases the device's context, queues and pools. */
    @Override
    void close();
}
