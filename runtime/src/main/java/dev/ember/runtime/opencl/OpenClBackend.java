package dev.ember.runtime.opencl;

import static org.lwjgl.opencl.CL10.*;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Backend;
import dev.ember.runtime.BinaryOp;
import dev.ember.runtime.FmaPeak;
import dev.ember.runtime.ReductionLayout;
import dev.ember.runtime.Storage;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Path;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL12;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The OpenCL backend for one device: one context and one in-order queue, kernels from the
 * {@code kernels} module built once (see {@link OpenClPrograms}), buffers from a size-bucketed
 * {@link OpenClPool}. Ops only enqueue; {@link #download} and {@link #synchronize} wait. Uploads
 * are blocking writes from a native staging copy, so the caller's array may change at once.
 * All methods are synchronized: kernel objects carry their arguments, so launches must not interleave.
 */
public final class OpenClBackend implements Backend {
    /** Work-group size of grid-stride elementwise kernels. */
    private static final int EW_WG = 256;
    /** Upper bound on groups of a grid-stride launch (each item loops beyond it). */
    private static final long MAX_GROUPS = 4096;

    private final OpenClLoader.ClDevice dev;
    private final String name;
    private final long context;
    private final long queue;
    private final OpenClPool pool;
    private final OpenClPrograms programs;
    private final long maxWorkGroup;
    private final long localMem;
    private final long maxAlloc;
    /** Work-group size of row and 1-D reductions (RED_WG in the kernels). */
    final int redWg;
    /** Column reductions: COL_TILE columns x ROW_LANES lanes per group. */
    final int colTile;
    final int rowLanes;
    private final int ewWg;
    private final OpenClStorage dummy;
    private GemmConfig gemmConfig;
    private boolean closed;
    /**
     * With -Dember.opencl.sync=true every launch waits for its kernel, so that an error is reported
     * by the op that caused it (kernels otherwise fail asynchronously, at a later op or download).
     */
    private final boolean sync = Boolean.getBoolean("ember.opencl.sync");
    /** The kernels enqueued last (a ring), named in errors that surface after them. */
    private final String[] recent = new String[4];
    private int recentNext;

    OpenClBackend(OpenClLoader.ClDevice dev) {
        this(dev, OpenClPrograms.defaultCacheDir());
    }

    OpenClBackend(OpenClLoader.ClDevice dev, Path cacheDir) {
        this.dev = dev;
        this.name = "opencl:" + dev.index();
        this.maxWorkGroup = Cl.devicePointer(dev.device(), CL_DEVICE_MAX_WORK_GROUP_SIZE);
        this.localMem = Cl.deviceLong(dev.device(), CL_DEVICE_LOCAL_MEM_SIZE);
        this.maxAlloc = Cl.deviceLong(dev.device(), CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        int pow2 = Integer.highestOneBit((int) Math.min(1024, maxWorkGroup));
        boolean cpuDevice = (Cl.deviceLong(dev.device(), CL_DEVICE_TYPE) & CL_DEVICE_TYPE_CPU) != 0;
        // A CPU runs a work-group's items one after another: small groups waste less on short rows.
        this.redWg = Math.min(cpuDevice ? 64 : 256, pow2);
        this.rowLanes = Math.min(16, redWg);
        this.colTile = Math.max(1, redWg / rowLanes);
        this.ewWg = Math.min(EW_WG, pow2);
        boolean crDivSqrt = (Cl.deviceLong(dev.device(), CL_DEVICE_SINGLE_FP_CONFIG)
                & CL12.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;
        String options = "-cl-std=CL1.2" + (crDivSqrt ? " -cl-fp32-correctly-rounded-divide-sqrt" : "")
                + " -DRED_WG=" + redWg + " -DCOL_TILE=" + colTile + " -DROW_LANES=" + rowLanes
                + (gemmPlainLoops(dev) ? " -DGEMM_UNIFORM_TRIPS=0" : "");
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            PointerBuffer props = stack.mallocPointer(3).put(0, CL_CONTEXT_PLATFORM).put(1, dev.platform()).put(2, 0);
            this.context = clCreateContext(props, dev.device(), null, 0, err);
            Cl.check(err, name + ": clCreateContext");
            long q = clCreateCommandQueue(context, dev.device(), 0, err);
            if (err.get(0) != CL_SUCCESS) {
                clReleaseContext(context);
                Cl.check(err, name + ": clCreateCommandQueue");
            }
            this.queue = q;
        }
        this.pool = new OpenClPool(context, name, maxAlloc);
        this.programs = new OpenClPrograms(context, dev, options, cacheDir);
        try {
            this.dummy = pool.allocate(1);
        } catch (RuntimeException e) {
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
            throw e;
        }
    }

    /** Whether every launch waits for its kernel (-Dember.opencl.sync when the backend was opened). */
    boolean synchronous() {
        return sync;
    }

    /** " (after k1, k2, ...)": the last kernels enqueued, oldest first, for errors that surface late. */
    private String recentOps() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < recent.length; i++) {
            String k = recent[(recentNext + i) % recent.length];
            if (k != null) {
                sb.append(sb.length() == 0 ? " (after " : ", ").append(k);
            }
        }
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }

    /**
     * Runs an enqueue; when the device reports it out of memory (OpenCL drivers allocate lazily, so
     * that shows at enqueue, not at clCreateBuffer), empties the buffer cache and tries once more.
     * A failure names the op, the device memory held and the kernels enqueued before it.
     */
    private void enqueue(java.util.function.IntSupplier call, java.util.function.Supplier<String> what) {
        int err = retryOnMemory(call, pool.cachedBytes(), () -> {
            // Released buffers are freed only when the commands using them finish: wait first.
            clFinish(queue);
            pool.trim();
        });
        if (err != CL_SUCCESS) {
            String why = err == CL_MEM_OBJECT_ALLOCATION_FAILURE ? "; out of device memory with " + pool.liveBytes()
                    + " bytes live" : err == CL_OUT_OF_RESOURCES ? "; the device is out of memory (" + pool.liveBytes()
                    + " bytes live) or an earlier kernel failed" : "";
            throw new OpenClException(what.get() + " failed: CL error " + err + " (" + Cl.errorName(err) + ")" + why
                    + recentOps(), err);
        }
    }

    /**
     * Runs {@code call}; if it reports the device out of memory while {@code cachedBytes} of
     * released buffers are still held, runs {@code freeCache} and the call once more. Returns the
     * last error code.
     */
    static int retryOnMemory(java.util.function.IntSupplier call, long cachedBytes, Runnable freeCache) {
        int err = call.getAsInt();
        if ((err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES) && cachedBytes > 0) {
            freeCache.run();
            err = call.getAsInt();
        }
        return err;
    }

    OpenClLoader.ClDevice device() {
        return dev;
    }

    OpenClPrograms programs() {
        return programs;
    }

    long context() {
        return context;
    }

    OpenClPool pool() {
        return pool;
    }

    long maxWorkGroup() {
        return maxWorkGroup;
    }

    long localMemBytes() {
        return localMem;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "OpenCL " + dev.describe();
    }

    @Override
    public boolean isGpu() {
        return dev.gpu();
    }

    /**
     * Whether gemm.cl must use its plain tile-load loops: PoCL before 4 miscompiles the
     * constant-trip form for some tile shapes, while PoCL 5 aborts on the plain form (gemm.cl's
     * header says which shapes). The driver version of a PoCL device starts with PoCL's version.
     * {@code -Dember.opencl.gemmLoops=plain|uniform} overrides the choice (tests build the form a
     * GPU gets on the PoCL of CI this way).
     */
    static boolean gemmPlainLoops(OpenClLoader.ClDevice dev) {
        String forced = System.getProperty("ember.opencl.gemmLoops", "auto");
        if (forced.equals("plain") || forced.equals("uniform")) {
            return forced.equals("plain");
        }
        if (!dev.platformName().contains("Portable Computing Language")) {
            return false;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*(\\d+)\\.").matcher(dev.driver());
        return m.find() && Integer.parseInt(m.group(1)) < 4;
    }

    /** Whether the OpenCL device is a CPU (PoCL, Intel CPU runtime). */
    boolean isCpuDevice() {
        return (Cl.deviceLong(dev.device(), CL_DEVICE_TYPE) & CL_DEVICE_TYPE_CPU) != 0;
    }

    // ---- launching --------------------------------------------------------------------------------

    private static OpenClStorage s(Storage st) {
        return (OpenClStorage) st;
    }

    /**
     * {@code -Dember.trace.launches=true}: one stderr line before each kernel's first build and
     * first launch (per device, build options and local size). Some OpenCL compilers (PoCL) build a
     * kernel's work-group function at that launch and can abort the process there; the last line
     * then names the kernel.
     */
    private static final boolean TRACE = Boolean.getBoolean("ember.trace.launches");
    private final java.util.Set<String> traced = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Sets a kernel's arguments in order, then enqueues it. */
    final class Launch {
        private final long kernel;
        private final String what;
        private final String kernelName;
        private int arg;

        Launch(String family, String defines, String kernelName) {
            open(); // a released queue or context would crash in native code
            this.what = name + ": " + kernelName + " (" + family + ".cl" + (defines.isEmpty() ? "" : " " + defines) + ")";
            this.kernelName = kernelName;
            if (TRACE && traced.add("build " + what)) {
                // Printed before the build too: a compiler may abort while building.
                System.err.println("ember: first use of " + what + " (its program is built now unless cached)");
                System.err.flush();
            }
            this.kernel = programs.kernel(family, defines, kernelName);
        }

        Launch mem(Storage st) {
            Cl.check(clSetKernelArg1p(kernel, arg, s(st == null ? dummy : st).mem), what + " arg " + arg);
            arg++;
            return this;
        }

        Launch i32(int v) {
            Cl.check(clSetKernelArg1i(kernel, arg, v), what + " arg " + arg);
            arg++;
            return this;
        }

        Launch f32(float v) {
            Cl.check(clSetKernelArg1f(kernel, arg, v), what + " arg " + arg);
            arg++;
            return this;
        }

        Launch i64(long v) {
            Cl.check(clSetKernelArg1l(kernel, arg, v), what + " arg " + arg);
            arg++;
            return this;
        }

        void run(long global0, long local0) {
            run(1, global0, 1, local0, 1);
        }

        void run(int dims, long g0, long g1, long l0, long l1) {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                PointerBuffer g = stack.mallocPointer(dims).put(0, g0);
                PointerBuffer l = stack.mallocPointer(dims).put(0, l0);
                if (dims == 2) {
                    g.put(1, g1);
                    l.put(1, l1);
                }
                if (TRACE && traced.add("launch " + what + " " + l0 + "x" + l1)) {
                    System.err.println("ember: first launch of " + what + ", global " + g0 + "x" + g1 + ", local " + l0
                            + "x" + l1);
                    System.err.flush();
                }
                enqueue(() -> clEnqueueNDRangeKernel(queue, kernel, dims, null, g, l, null, null),
                        () -> what + " enqueue of " + g0 + (dims == 2 ? "x" + g1 : "") + " work-items");
                recent[recentNext] = kernelName;
                recentNext = (recentNext + 1) % recent.length;
                if (sync) {
                    Cl.check(clFinish(queue), what + " (run synchronously, -Dember.opencl.sync)");
                }
            }
        }

        /** Grid-stride launch over n items. */
        void stride(long n) {
            long groups = Math.max(1, Math.min((n + ewWg - 1) / ewWg, MAX_GROUPS));
            run(groups * ewWg, ewWg);
        }
    }

    private Launch k(String family, String kernel) {
        return new Launch(family, "", kernel);
    }

    // ---- memory ------------------------------------------------------------------------------------

    @Override
    public synchronized Storage allocate(long elements) {
        open();
        if (elements < 0 || elements * Float.BYTES > maxAlloc) {
            throw new IllegalArgumentException(name + ": cannot allocate " + elements + " floats; the device's largest buffer is "
                    + maxAlloc + " bytes");
        }
        return pool.allocate(Math.max(1, elements));
    }

    @Override
    public synchronized void release(Storage storage) {
        if (!closed) {
            pool.release(s(storage));
        }
    }

    @Override
    public synchronized void upload(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        open();
        if (length == 0) {
            return;
        }
        FloatBuffer buf = MemoryUtil.memAllocFloat(length);
        try {
            buf.put(src, srcOffset, length).flip();
            long mem = s(dst).mem;
            enqueue(() -> clEnqueueWriteBuffer(queue, mem, true, dstOffset * Float.BYTES, buf, null, null),
                    () -> name + ": upload of " + length + " floats");
        } finally {
            MemoryUtil.memFree(buf);
        }
    }

    @Override
    public synchronized void download(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        open();
        if (length == 0) {
            return;
        }
        FloatBuffer buf = MemoryUtil.memAllocFloat(length);
        try {
            long mem = s(src).mem;
            // A blocking read also reports the faults of the kernels before it: enqueue's message
            // names them.
            enqueue(() -> clEnqueueReadBuffer(queue, mem, true, srcOffset * Float.BYTES, buf, null, null),
                    () -> name + ": download of " + length + " floats");
            buf.get(dst, dstOffset, length);
        } finally {
            MemoryUtil.memFree(buf);
        }
    }

    @Override
    public synchronized void copy(Storage src, long srcOffset, Storage dst, long dstOffset, long length) {
        open();
        if (length == 0) {
            return;
        }
        long a = s(src).mem, b = s(dst).mem;
        if (a == b && srcOffset < dstOffset + length && dstOffset < srcOffset + length) {
            if (srcOffset == dstOffset) {
                return;
            }
            OpenClStorage tmp = pool.allocate(length); // overlapping ranges: go through a temporary
            try {
                enqueue(() -> clEnqueueCopyBuffer(queue, a, tmp.mem, srcOffset * 4, 0, length * 4, null, null),
                        () -> name + ": overlapping copy of " + length + " floats (to a temporary)");
                enqueue(() -> clEnqueueCopyBuffer(queue, tmp.mem, b, 0, dstOffset * 4, length * 4, null, null),
                        () -> name + ": overlapping copy of " + length + " floats (from a temporary)");
            } finally {
                pool.release(tmp);
            }
            return;
        }
        enqueue(() -> clEnqueueCopyBuffer(queue, a, b, srcOffset * 4, dstOffset * 4, length * 4, null, null),
                () -> name + ": copy of " + length + " floats");
    }

    @Override
    public synchronized void fill(Storage dst, long offset, long length, float value) {
        open();
        if (length == 0) {
            return;
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            ByteBuffer pattern = stack.malloc(4).putFloat(0, value);
            long mem = s(dst).mem;
            enqueue(() -> CL12.clEnqueueFillBuffer(queue, mem, pattern, offset * 4, length * 4, null, null),
                    () -> name + ": fill of " + length + " floats");
        }
    }

    @Override
    public synchronized void synchronize() {
        open();
        int err = clFinish(queue);
        if (err != CL_SUCCESS) {
            Cl.check(err, name + ": waiting for the queue" + recentOps());
        }
    }

    /**
     * The fma_peak kernel (roofline.cl) over compute units x 1024 work-items, timed with clFinish;
     * see {@link FmaPeak#measure}.
     */
    @Override
    public synchronized double measurePeakFlops() {
        open();
        long items = fmaPeakItems();
        Storage out = allocate(items);
        try {
            return FmaPeak.measure(items, iters -> {
                runFmaPeak(out, items, iters);
                Cl.check(clFinish(queue), name + ": clFinish");
            });
        } finally {
            release(out);
        }
    }

    /** Work-items of the peak measurement: 1024 per compute unit, a multiple of the work-group size. */
    long fmaPeakItems() {
        long units = Math.max(1, Cl.deviceLong(dev.device(), CL_DEVICE_MAX_COMPUTE_UNITS));
        return (units * 1024 + ewWg - 1) / ewWg * ewWg;
    }

    /** Enqueues fma_peak over {@code items} work-items (a multiple of the work-group size) writing out[0, items). */
    void runFmaPeak(Storage out, long items, int iters) {
        open();
        k("roofline", "fma_peak").mem(out).i32(iters).run(items, ewWg);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    // ---- dense algebra ------------------------------------------------------------------------------

    /** The GEMM tiles in use: tuned (from the cache or tuned now), else the defaults with a notice. */
    synchronized GemmConfig gemmConfig() {
        if (gemmConfig == null) {
            gemmConfig = OpenClTuner.configFor(this);
        }
        return gemmConfig;
    }

    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a, Storage b,
                                  float beta, Storage c, Storage bias, Activation act, float actAlpha) {
        gemmWith(gemmConfig(), transA, transB, m, n, k, alpha, a, b, beta, c, bias, act, actAlpha);
    }

    /** GEMM with explicit tiles (used by the tuner). */
    synchronized void gemmWith(GemmConfig cfg, boolean transA, boolean transB, int m, int n, int k, float alpha,
                               Storage a, Storage b, float beta, Storage c, Storage bias, Activation act, float actAlpha) {
        if (m == 0 || n == 0) {
            return;
        }
        String kernel = "gemm_" + (transA ? "t" : "n") + (transB ? "t" : "n");
        int lx = cfg.tsN() / cfg.wptN(), ly = cfg.tsM() / cfg.wptM();
        long gx = (long) ((n + cfg.tsN() - 1) / cfg.tsN()) * lx;
        long gy = (long) ((m + cfg.tsM() - 1) / cfg.tsM()) * ly;
        new Launch("gemm", cfg.defines(), kernel)
                .i32(m).i32(n).i32(k).f32(alpha).mem(a).mem(b).f32(beta).mem(c).mem(bias).i32(bias == null ? 0 : 1)
                .i32(act.code()).f32(actAlpha)
                .run(2, gx, gy, lx, ly);
    }

    @Override
    public synchronized void biasAdd(Storage x, Storage bias, Storage out, int rows, int cols) {
        long n = (long) rows * cols;
        if (n > 0) {
            k("elementwise", "bias_add").mem(x).mem(bias).mem(out).i32(rows).i32(cols).stride(n);
        }
    }

    private void columnLaunch(Launch l, int cols) {
        long groups = (cols + colTile - 1) / colTile;
        l.run(2, groups * colTile, rowLanes, colTile, rowLanes);
    }

    @Override
    public synchronized void columnSums(Storage x, Storage out, int rows, int cols, float beta) {
        if (cols == 0) {
            return;
        }
        int chunks = ReductionLayout.columnChunks(rows), per = ReductionLayout.columnChunkRows(rows);
        long gx = (long) (cols + colTile - 1) / colTile * colTile;
        if (chunks == 1) {
            k("reduce", "column_sums").mem(x).mem(out).i32(rows).i32(cols).f32(beta).i32(per)
                    .run(2, gx, rowLanes, colTile, rowLanes);
            return;
        }
        // Tall: the chunks' sums into a chunks x cols partial, then its columns (reduce.cl).
        OpenClStorage partial = pool.allocate((long) chunks * cols);
        try {
            k("reduce", "column_sums").mem(x).mem(partial).i32(rows).i32(cols).f32(0f).i32(per)
                    .run(2, gx, (long) chunks * rowLanes, colTile, rowLanes);
            k("reduce", "column_sums").mem(partial).mem(out).i32(chunks).i32(cols).f32(beta).i32(chunks)
                    .run(2, gx, rowLanes, colTile, rowLanes);
        } finally {
            pool.release(partial);
        }
    }

    // ---- elementwise --------------------------------------------------------------------------------

    @Override
    public synchronized void activation(Activation act, float alpha, Storage x, Storage y, long n) {
        if (n > 0) {
            k("elementwise", "act_forward").mem(x).mem(y).i64(n).i32(act.code()).f32(alpha).stride(n);
        }
    }

    @Override
    public synchronized void activationBackward(Activation act, float alpha, Storage x, Storage y, Storage dy, Storage dx,
                                                long n) {
        if (n > 0) {
            k("elementwise", "act_backward").mem(x).mem(y).mem(dy).mem(dx).i64(n).i32(act.code()).f32(alpha).stride(n);
        }
    }

    @Override
    public synchronized void binary(BinaryOp op, Storage a, Storage b, Storage out, long n) {
        if (n > 0) {
            k("elementwise", "binary_op").mem(a).mem(b).mem(out).i64(n).i32(op.code()).stride(n);
        }
    }

    @Override
    public synchronized void scale(float sc, Storage x, Storage out, long n) {
        if (n > 0) {
            k("elementwise", "scale_op").mem(x).mem(out).i64(n).f32(sc).stride(n);
        }
    }

    @Override
    public synchronized void axpy(float alpha, Storage x, Storage y, long n) {
        if (n > 0) {
            k("elementwise", "axpy_op").mem(x).mem(y).i64(n).f32(alpha).stride(n);
        }
    }

    @Override
    public synchronized void clamp(float lo, float hi, Storage x, Storage out, long n) {
        if (n > 0) {
            k("elementwise", "clamp_op").mem(x).mem(out).i64(n).f32(lo).f32(hi).stride(n);
        }
    }

    // ---- reductions -------------------------------------------------------------------------------------

    /** Work-items of the row kernels: redWg / lanes rows per group (reduce.cl, losses.cl). */
    private long rowGlobal(int rows, int lanes) {
        int perGroup = redWg / lanes;
        return (long) ((rows + perGroup - 1) / perGroup) * redWg;
    }

    /** Groups for a two-pass reduction of n items: depends only on n and redWg, so results are reproducible. */
    private long[] chunking(long n) {
        long groups = Math.max(1, Math.min(1024, (n + redWg * 8L - 1) / (redWg * 8L)));
        long chunk = (n + groups - 1) / groups;
        groups = Math.max(1, (n + chunk - 1) / chunk);
        return new long[] {groups, Math.max(1, chunk)};
    }

    private void sumInto(Storage x, long n, Storage out, boolean squares) {
        if (n == 0) {
            fill(out, 0, 1, 0f);
            return;
        }
        long[] gc = chunking(n);
        OpenClStorage partial = pool.allocate(gc[0]);
        try {
            k("reduce", "sum_partial").mem(x).i64(n).i64(gc[1]).i32(squares ? 1 : 0).mem(partial).run(gc[0] * redWg, redWg);
            k("reduce", "sum_final").mem(partial).i32((int) gc[0]).mem(out).i32(0).run(redWg, redWg);
        } finally {
            pool.release(partial); // in-order queue: reuse happens after these kernels
        }
    }

    @Override
    public synchronized void sum(Storage x, long n, Storage out) {
        sumInto(x, n, out, false);
    }

    @Override
    public synchronized void sumSquares(Storage x, long n, Storage out) {
        sumInto(x, n, out, true);
    }

    @Override
    public synchronized void rowArgmax(Storage x, Storage out, int rows, int cols) {
        if (rows > 0) {
            int lanes = ReductionLayout.rowLanes(cols, redWg);
            k("reduce", "row_argmax").mem(x).mem(out).i32(rows).i32(cols).i32(lanes).run(rowGlobal(rows, lanes), redWg);
        }
    }

    @Override
    public synchronized void softmax(Storage x, Storage y, int rows, int cols) {
        if (rows > 0) {
            int lanes = ReductionLayout.rowLanes(cols, redWg);
            k("reduce", "softmax_rows").mem(x).mem(y).i32(rows).i32(cols).i32(lanes).run(rowGlobal(rows, lanes), redWg);
        }
    }

    @Override
    public synchronized void columnMeanVariance(Storage x, Storage mean, Storage var, int rows, int cols) {
        if (cols > 0) {
            columnLaunch(k("reduce", "column_mean_var").mem(x).mem(mean).mem(var).i32(rows).i32(cols), cols);
        }
    }

    // ---- losses ---------------------------------------------------------------------------------------

    @Override
    public synchronized void softmaxCrossEntropy(Storage logits, Storage labels, Storage grad, Storage stats, int rows,
                                                 int cols) {
        if (rows == 0) {
            fill(stats, 0, 1, Float.NaN); // mean over no rows, as 0/0 on the CPU
            fill(stats, 1, 1, -1f);
            return;
        }
        // Row losses and bad-label flags into scratch; their sum and first bad row in chunks (one launch when
        // one group covers them, else a second pass over the groups' partials): losses.cl.
        long[] gc = chunking(rows);
        OpenClStorage scratch = pool.allocate(2L * rows);
        OpenClStorage partial = null;
        try {
            if (gc[0] > 1) {
                partial = pool.allocate(2L * gc[0]); // inside the try: scratch is released if this throws
            }
            int lanes = ReductionLayout.rowLanes(cols, redWg);
            k("losses", "xent_rows").mem(logits).mem(labels).mem(grad).mem(scratch).i32(rows).i32(cols).i32(lanes)
                    .run(rowGlobal(rows, lanes), redWg);
            // With one group xent_partial writes stats itself and never touches its partial argument.
            k("losses", "xent_partial").mem(scratch).i32(rows).i32((int) gc[1]).mem(partial == null ? scratch : partial)
                    .mem(stats).run(gc[0] * redWg, redWg);
            if (partial != null) {
                k("losses", "xent_finish").mem(partial).i32((int) gc[0]).i32(rows).mem(stats).run(redWg, redWg);
            }
        } finally {
            if (partial != null) {
                pool.release(partial);
            }
            pool.release(scratch);
        }
    }

    private void pointwiseLoss(String kernel, Storage a, Storage b, Storage grad, Storage stats, long n, float gradScale) {
        if (n == 0) {
            fill(stats, 0, 1, Float.NaN); // mean over nothing, as 0/0 on the CPU
            return;
        }
        long[] gc = chunking(n);
        OpenClStorage partial = pool.allocate(gc[0]);
        try {
            k("losses", kernel).mem(a).mem(b).mem(grad).mem(partial).i64(n).i64(gc[1]).f32(gradScale)
                    .run(gc[0] * redWg, redWg);
            k("losses", "loss_finish").mem(partial).i32((int) gc[0]).f32(1f / n).mem(stats).run(redWg, redWg);
        } finally {
            pool.release(partial);
        }
    }

    @Override
    public synchronized void bceWithLogits(Storage logits, Storage targets, Storage grad, Storage stats, long n) {
        pointwiseLoss("bce_partial", logits, targets, grad, stats, n, 1f / n);
    }

    @Override
    public synchronized void mse(Storage pred, Storage target, Storage grad, Storage stats, long n) {
        pointwiseLoss("mse_partial", pred, target, grad, stats, n, 2f / n);
    }

    // ---- dropout --------------------------------------------------------------------------------------

    @Override
    public synchronized void dropout(long seed, float p, Storage x, Storage y, long n) {
        if (n > 0) {
            float keepScale = 1f / (1f - p);
            k("dropout", "dropout_forward").mem(x).mem(y).i64(n).i32((int) seed).i32((int) (seed >>> 32)).f32(p)
                    .f32(keepScale).stride((n + 3) / 4);
        }
    }

    // ---- batch normalisation ----------------------------------------------------------------------------

    @Override
    public synchronized void batchNorm(Storage x, Storage mean, Storage var, Storage gamma, Storage beta, float eps,
                                       Storage y, int rows, int cols) {
        long n = (long) rows * cols;
        if (n > 0) {
            k("batchnorm", "batchnorm_forward").mem(x).mem(mean).mem(var).mem(gamma).mem(beta).mem(y).f32(eps)
                    .i32(rows).i32(cols).stride(n);
        }
    }

    @Override
    public synchronized void batchNormBackward(Storage x, Storage mean, Storage var, Storage gamma, float eps, Storage dy,
                                               Storage dx, Storage dgamma, Storage dbeta, int rows, int cols) {
        if (cols == 0) {
            return;
        }
        columnLaunch(k("batchnorm", "batchnorm_backward_reduce").mem(x).mem(mean).mem(var).mem(dy).mem(dgamma)
                .mem(dbeta).f32(eps).i32(rows).i32(cols), cols);
        long n = (long) rows * cols;
        if (n > 0) {
            k("batchnorm", "batchnorm_backward_dx").mem(x).mem(mean).mem(var).mem(gamma).mem(dy).mem(dgamma).mem(dbeta)
                    .mem(dx).f32(eps).i32(rows).i32(cols).stride(n);
        }
    }

    // ---- optimizers ---------------------------------------------------------------------------------------

    @Override
    public synchronized void sgdUpdate(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                                       float weightDecay, boolean nesterov, boolean firstStep) {
        if (n > 0) {
            k("optim", "sgd_update").mem(param).mem(grad).mem(velocity).i64(n).f32(lr).f32(momentum).f32(weightDecay)
                    .i32(nesterov ? 1 : 0).i32(firstStep ? 1 : 0).stride(n);
        }
    }

    @Override
    public synchronized void adamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, float lr, float beta1,
                                        float beta2, float eps, float weightDecay, boolean decoupled, int step) {
        if (n == 0) {
            return;
        }
        // Step scalars exactly as CpuBackend computes them, so updates match bit for bit.
        float bc1 = (float) (1.0 - Math.pow(beta1, step));
        float bc2sqrt = (float) Math.sqrt(1.0 - Math.pow(beta2, step));
        float stepSize = lr / bc1;
        float decay = decoupled ? 1f - lr * weightDecay : 1f;
        float l2 = decoupled ? 0f : weightDecay;
        k("optim", "adam_update").mem(param).mem(grad).mem(m).mem(v).i64(n).f32(stepSize).f32(bc2sqrt).f32(decay)
                .f32(l2).f32(beta1).f32(beta2).f32(eps).stride(n);
    }

    @Override
    public synchronized void rmspropUpdate(Storage param, Storage grad, Storage sq, long n, float lr, float alpha, float eps,
                                           float weightDecay) {
        if (n > 0) {
            k("optim", "rmsprop_update").mem(param).mem(grad).mem(sq).i64(n).f32(lr).f32(alpha).f32(eps).f32(weightDecay)
                    .stride(n);
        }
    }

    @Override
    public synchronized void adagradUpdate(Storage param, Storage grad, Storage sum, long n, float lr, float eps,
                                           float weightDecay) {
        if (n > 0) {
            k("optim", "adagrad_update").mem(param).mem(grad).mem(sum).i64(n).f32(lr).f32(eps).f32(weightDecay).stride(n);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        clFinish(queue);
        closed = true;
        programs.close();
        pool.close();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
