package dev.ember.runtime.cuda;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Backend;
import dev.ember.runtime.BinaryOp;
import dev.ember.runtime.FmaPeak;
import dev.ember.runtime.Storage;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA backend: one primary context and one non-blocking stream per device, kernels from the
 * PTX/cubins packed in ember-kernels (loaded with cuModuleLoadData: the cubin of the GPU's
 * architecture when packed, else the PTX for the driver to compile), launched with cuLaunchKernel.
 *
 * <p>Every op is queued on the stream and returns at once; {@link #download} and
 * {@link #synchronize} wait. Memory comes from a {@link CachingAllocator}; host transfers go
 * through {@link PinnedStaging}. Every CUresult is checked and becomes a {@link CudaException}
 * naming the op. With {@code -Dember.cuda.sync=true} each op is followed by a synchronisation, so
 * an asynchronous kernel fault is reported by the op that caused it.
 *
 * <p>{@link #capture(Runnable)} records a fixed-shape step as a CUDA graph for cheap replay;
 * {@link #cublasSgemm} runs cuBLAS as the vendor baseline when libcublas loads.
 */
public final class CudaBackend implements Backend {
    /** Stream-capture mode that lets the allocator call cuMemAlloc while a graph is captured. */
    private static final int CU_STREAM_CAPTURE_MODE_RELAXED = 2;
    private static final ThreadLocal<CudaBackend> CURRENT = new ThreadLocal<>();

    private final CudaDriver.Gpu gpu;
    private final int driverApi;
    private final String name;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final CachingAllocator<CUdeviceptr> allocator;
    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    private final Map<String, String> images = new LinkedHashMap<>();
    private final CUfunction[] functions = new CUfunction[CudaKernel.values().length];
    private final PinnedStaging staging = new PinnedStaging();
    private final CudaOps ops;
    private final boolean syncEachOp = Boolean.getBoolean("ember.cuda.sync");
    private boolean capturing;
    private int capturedOps;
    private boolean closed;
    private CudaCublas cublas;
    private String cublasFailure;

    CudaBackend(CudaDriver.Gpu gpu, int driverApi) {
        this.gpu = gpu;
        this.driverApi = driverApi;
        this.name = "cuda:" + gpu.index();
        CudaDriver.check("open " + name, "cuDeviceGet", JCudaDriver.cuDeviceGet(device, gpu.index()));
        CudaDriver.check("open " + name, "cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(context, device));
        boolean ok = false;
        try {
            CudaDriver.check("open " + name, "cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context));
            CURRENT.set(this);
            CudaDriver.check("open " + name, "cuStreamCreate",
                    JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING));
            for (String module : CudaKernel.modules()) {
                loadModule(module);
            }
            for (CudaKernel k : CudaKernel.values()) {
                CUfunction f = new CUfunction();
                CudaDriver.check("open " + name, "cuModuleGetFunction(" + k.symbol() + " in " + images.get(k.module()) + ")",
                        JCudaDriver.cuModuleGetFunction(f, modules.get(k.module()), k.symbol()));
                functions[k.ordinal()] = f;
                optInSharedMemory(k, f);
            }
            ok = true;
        } finally {
            if (!ok) { // best-effort cleanup; the exception in flight says what went wrong
                for (CUmodule m : modules.values()) {
                    JCudaDriver.cuModuleUnload(m);
                }
                JCudaDriver.cuStreamDestroy(stream);
                CURRENT.remove();
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
            }
        }
        this.ops = new CudaOps(gpu.sms(), new DriverLauncher(), Map.copyOf(images));
        if (Boolean.getBoolean("ember.cuda.tf32") && !useTf32(true)) {
            System.err.println("ember: " + name + ": -Dember.cuda.tf32=true ignored: " + tf32Unavailable());
        }
        this.allocator = new CachingAllocator<>(name, new CachingAllocator.Raw<>() {
            @Override
            public CUdeviceptr malloc(long bytes) {
                CUdeviceptr p = new CUdeviceptr();
                int rc = JCudaDriver.cuMemAlloc(p, bytes);
                if (rc == CudaErrors.CUDA_ERROR_OUT_OF_MEMORY) {
                    return null;
                }
                CudaDriver.check("allocate", "cuMemAlloc(" + bytes + ")", rc);
                return p;
            }

            @Override
            public void free(CUdeviceptr ptr) {
                CudaDriver.check("free", "cuMemFree", JCudaDriver.cuMemFree(ptr));
            }

            @Override
            public long[] memInfo() {
                long[] free = new long[1], total = new long[1];
                return JCudaDriver.cuMemGetInfo(free, total) == 0 ? new long[] {free[0], total[0]} : null;
            }
        });
    }

    /** Loads a module: the packed cubin for this architecture if any (falling back to PTX), else the PTX. */
    private void loadModule(String module) {
        String cubin = CudaImages.cubinFor(module, gpu.major(), gpu.minor());
        if (cubin != null) {
            CUmodule m = new CUmodule();
            int rc = JCudaDriver.cuModuleLoadData(m, CudaImages.read(cubin).data());
            if (rc == CudaErrors.CUDA_SUCCESS) {
                modules.put(module, m);
                images.put(module, cubin);
                return;
            }
            if (rc != CudaErrors.CUDA_ERROR_NO_BINARY_FOR_GPU && rc != CudaErrors.CUDA_ERROR_INVALID_IMAGE) {
                throw loadError(module, cubin, rc);
            }
        }
        String ptx = CudaImages.ptxFor(module);
        CUmodule m = new CUmodule();
        int rc = JCudaDriver.cuModuleLoadData(m, CudaImages.read(ptx).data());
        if (rc != CudaErrors.CUDA_SUCCESS) {
            throw loadError(module, ptx, rc);
        }
        modules.put(module, m);
        images.put(module, ptx);
    }

    /**
     * A kernel that needs more dynamic shared memory than the default 48 KB in the image it was
     * loaded from (the sm_90 cubin's cp.async SGEMMs) is opted in once here: its maximum dynamic
     * size, and the largest shared-memory carveout (as gemm_sweep measured it: two 65 KB blocks per
     * SM). A refusal is a CudaException naming the kernel.
     */
    private void optInSharedMemory(CudaKernel k, CUfunction f) {
        String image = images.get(k.module());
        int bytes = k.dynamicSharedBytes(image);
        if (bytes == 0) {
            return;
        }
        CudaDriver.check("open " + name, "cuFuncSetAttribute(" + k.symbol() + " in " + image
                + ", MAX_DYNAMIC_SHARED_SIZE_BYTES, " + bytes + ")", JCudaDriver.cuFuncSetAttribute(f,
                CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes));
        CudaDriver.check("open " + name, "cuFuncSetAttribute(" + k.symbol() + " in " + image
                + ", PREFERRED_SHARED_MEMORY_CARVEOUT, 100)", JCudaDriver.cuFuncSetAttribute(f,
                CUfunction_attribute.CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT, 100));
    }

    private CudaException loadError(String module, String image, int rc) {
        String hint = rc == CudaErrors.CUDA_ERROR_UNSUPPORTED_PTX_VERSION || rc == CudaErrors.CUDA_ERROR_INVALID_PTX
                || rc == CudaErrors.CUDA_ERROR_INSUFFICIENT_DRIVER
                ? " (driver reports CUDA " + CudaErrors.apiVersion(driverApi) + "; " + CudaErrors.DRIVER_REQUIREMENT + ")"
                : "";
        return new CudaException("open " + name, "cuModuleLoadData(" + image + ")" + hint, rc);
    }

    /** Which image each module was loaded from (cubin or PTX), for reports. */
    public Map<String, String> loadedImages() {
        return Map.copyOf(images);
    }

    /** The device's allocator, for its statistics; empty its cache through {@link #emptyCache()}. */
    public CachingAllocator<CUdeviceptr> allocator() {
        return allocator;
    }

    /**
     * Returns the allocator's cached blocks to the driver (PyTorch's {@code torch.cuda.empty_cache()}),
     * under this backend's lock and with its context current, which freeing needs.
     */
    public synchronized void emptyCache() {
        ready("emptyCache");
        allocator.emptyCache();
    }

    private void ready(String op) {
        if (closed) {
            throw new IllegalStateException(name + ": " + op + " after close");
        }
        if (CURRENT.get() != this) {
            CudaDriver.check(op, "cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context));
            CURRENT.set(this);
        }
    }

    private void notCapturing(String op) {
        if (capturing) {
            throw new IllegalStateException(name + ": " + op + " waits for the host and cannot be part of a CUDA graph"
                    + " capture; keep the step's data on the device and read it after replay");
        }
    }

    private static CUdeviceptr p(Storage s) {
        return ((CudaStorage) s).ptr();
    }

    /** The real launcher: JCuda kernel parameters, cuLaunchKernel on the stream, temporaries from the allocator. */
    private final class DriverLauncher implements CudaOps.Launcher {
        @Override
        public void launch(CudaKernel k, int gx, int gy, int bx, int by, int sharedBytes, Object[] args) {
            String sig = k.signature();
            if (args.length != sig.length()) {
                throw new IllegalStateException("cuda: " + k.symbol() + " takes " + sig.length() + " arguments, got "
                        + args.length);
            }
            NativePointerObject[] params = new NativePointerObject[args.length];
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                params[i] = switch (sig.charAt(i)) {
                    case 'p' -> Pointer.to(a == null ? new CUdeviceptr() : (CUdeviceptr) a);
                    case 'i' -> Pointer.to(new int[] {(Integer) a});
                    case 'j' -> Pointer.to(new long[] {(Long) a});
                    case 'f' -> Pointer.to(new float[] {(Float) a});
                    default -> throw new IllegalStateException("bad signature " + sig);
                };
            }
            CudaDriver.check(k.symbol(), "cuLaunchKernel", JCudaDriver.cuLaunchKernel(functions[k.ordinal()], gx, gy, 1,
                    bx, by, 1, sharedBytes, stream, Pointer.to(params), null));
            if (capturing) {
                capturedOps++;
            }
        }

        @Override
        public Object address(Storage s) {
            return p(s);
        }

        @Override
        public Storage temp(long n) {
            return allocate(n);
        }

        @Override
        public void release(Storage s) {
            CudaBackend.this.release(s);
        }
    }

    /** Counts copies and fills of a capture; with ember.cuda.sync, waits so a fault is blamed on its op. */
    private void afterOp(String op) {
        if (capturing) {
            if (op.equals("copy") || op.equals("fill")) {
                capturedOps++;
            }
        } else if (syncEachOp) {
            CudaDriver.check(op, "cuStreamSynchronize (ember.cuda.sync)", JCudaDriver.cuStreamSynchronize(stream));
        }
    }

    // ---- identity ---------------------------------------------------------------------------

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return gpu.describe(driverApi);
    }

    @Override
    public boolean isGpu() {
        return true;
    }

    // ---- memory -----------------------------------------------------------------------------

    @Override
    public synchronized Storage allocate(long elements) {
        ready("allocate");
        if (elements < 0) {
            throw new IllegalArgumentException(name + ": allocate of " + elements + " elements");
        }
        return new CudaStorage(allocator.allocate(Math.max(1, elements) * Float.BYTES), elements);
    }

    @Override
    public synchronized void release(Storage storage) {
        if (closed) {
            return; // the allocator freed everything at close
        }
        allocator.release(((CudaStorage) storage).block);
    }

    @Override
    public synchronized void upload(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        ready("upload");
        notCapturing("upload");
        if (length > 0) {
            staging.upload(src, srcOffset, ((CudaStorage) dst).at(dstOffset), length, stream);
            afterOp("upload");
        }
    }

    @Override
    public synchronized void download(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        ready("download");
        notCapturing("download");
        if (length > 0) {
            staging.download(((CudaStorage) src).at(srcOffset), dst, dstOffset, length, stream);
        }
    }

    @Override
    public synchronized void copy(Storage src, long srcOffset, Storage dst, long dstOffset, long length) {
        ready("copy");
        if (length <= 0 || (src == dst && srcOffset == dstOffset)) {
            return;
        }
        if (src == dst && srcOffset < dstOffset + length && dstOffset < srcOffset + length) {
            // Overlapping ranges (cuMemcpy does not allow them): go through a temporary block, like memmove.
            Storage tmp = allocate(length);
            try {
                copy(src, srcOffset, tmp, 0, length);
                copy(tmp, 0, dst, dstOffset, length);
            } finally {
                release(tmp);
            }
            return;
        }
        CudaDriver.check("copy", "cuMemcpyDtoDAsync", JCudaDriver.cuMemcpyDtoDAsync(((CudaStorage) dst).at(dstOffset),
                ((CudaStorage) src).at(srcOffset), length * Float.BYTES, stream));
        afterOp("copy");
    }

    @Override
    public synchronized void fill(Storage dst, long offset, long length, float value) {
        ready("fill");
        if (length > 0) {
            CudaDriver.check("fill", "cuMemsetD32Async", JCudaDriver.cuMemsetD32Async(((CudaStorage) dst).at(offset),
                    Float.floatToRawIntBits(value), length, stream));
            afterOp("fill");
        }
    }

    @Override
    public synchronized void synchronize() {
        ready("synchronize");
        notCapturing("synchronize");
        CudaDriver.check("synchronize", "cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream));
    }

    /**
     * The fma_peak kernel (roofline.cl) over 2048 work-items per SM, timed with cuStreamSynchronize;
     * see {@link FmaPeak#measure}.
     */
    @Override
    public synchronized double measurePeakFlops() {
        ready("measurePeakFlops");
        notCapturing("measurePeakFlops");
        long items = ops.fmaPeakItems();
        Storage out = allocate(items);
        try {
            return FmaPeak.measure(items, iters -> {
                ops.fmaPeak(out, iters);
                CudaDriver.check("measurePeakFlops", "cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream));
            });
        } finally {
            release(out);
        }
    }

    /** Runs fma_peak once and returns out[0, items) (for tests of the kernel's result). */
    synchronized float[] runFmaPeak(int iters) {
        ready("runFmaPeak");
        int items = (int) ops.fmaPeakItems();
        Storage out = allocate(items);
        try {
            ops.fmaPeak(out, iters);
            float[] r = new float[items];
            download(out, 0, r, 0, items);
            return r;
        } finally {
            release(out);
        }
    }

    // ---- ops (launches in CudaOps) -----------------------------------------------------

    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a,
                                  Storage b, float beta, Storage c, Storage bias, Activation act, float actAlpha) {
        ready("gemm");
        ops.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, bias, act, actAlpha);
        afterOp("gemm");
    }

    @Override
    public synchronized void biasAdd(Storage x, Storage bias, Storage out, int rows, int cols) {
        ready("biasAdd");
        ops.biasAdd(x, bias, out, rows, cols);
        afterOp("biasAdd");
    }

    @Override
    public synchronized void columnSums(Storage x, Storage out, int rows, int cols, float beta) {
        ready("columnSums");
        ops.columnSums(x, out, rows, cols, beta);
        afterOp("columnSums");
    }

    @Override
    public synchronized void activation(Activation act, float alpha, Storage x, Storage y, long n) {
        ready("activation");
        ops.activation(act, alpha, x, y, n);
        afterOp("activation");
    }

    @Override
    public synchronized void activationBackward(Activation act, float alpha, Storage x, Storage y, Storage dy,
                                                Storage dx, long n) {
        ready("activationBackward");
        ops.activationBackward(act, alpha, x, y, dy, dx, n);
        afterOp("activationBackward");
    }

    @Override
    public synchronized void binary(BinaryOp op, Storage a, Storage b, Storage out, long n) {
        ready("binary");
        ops.binary(op, a, b, out, n);
        afterOp("binary");
    }

    @Override
    public synchronized void scale(float s, Storage x, Storage out, long n) {
        ready("scale");
        ops.scale(s, x, out, n);
        afterOp("scale");
    }

    @Override
    public synchronized void axpy(float alpha, Storage x, Storage y, long n) {
        ready("axpy");
        ops.axpy(alpha, x, y, n);
        afterOp("axpy");
    }

    @Override
    public synchronized void clamp(float lo, float hi, Storage x, Storage out, long n) {
        ready("clamp");
        ops.clamp(lo, hi, x, out, n);
        afterOp("clamp");
    }

    @Override
    public synchronized void sum(Storage x, long n, Storage out) {
        ready("sum");
        ops.sum(x, n, out);
        afterOp("sum");
    }

    @Override
    public synchronized void sumSquares(Storage x, long n, Storage out) {
        ready("sumSquares");
        ops.sumSquares(x, n, out);
        afterOp("sumSquares");
    }

    @Override
    public synchronized void rowArgmax(Storage x, Storage out, int rows, int cols) {
        ready("rowArgmax");
        ops.rowArgmax(x, out, rows, cols);
        afterOp("rowArgmax");
    }

    @Override
    public synchronized void softmax(Storage x, Storage y, int rows, int cols) {
        ready("softmax");
        ops.softmax(x, y, rows, cols);
        afterOp("softmax");
    }

    @Override
    public synchronized void columnMeanVariance(Storage x, Storage mean, Storage var, int rows, int cols) {
        ready("columnMeanVariance");
        ops.columnMeanVariance(x, mean, var, rows, cols);
        afterOp("columnMeanVariance");
    }

    @Override
    public synchronized void softmaxCrossEntropy(Storage logits, Storage labels, Storage grad, Storage stats, int rows,
                                                 int cols) {
        ready("softmaxCrossEntropy");
        if (rows == 0) {
            fill(stats, 0, 1, Float.NaN); // mean over no rows, as 0/0 on the CPU (and on OpenCL)
            fill(stats, 1, 1, -1f);
            return;
        }
        ops.softmaxCrossEntropy(logits, labels, grad, stats, rows, cols);
        afterOp("softmaxCrossEntropy");
    }

    @Override
    public synchronized void bceWithLogits(Storage logits, Storage targets, Storage grad, Storage stats, long n) {
        ready("bceWithLogits");
        ops.bceWithLogits(logits, targets, grad, stats, n);
        afterOp("bceWithLogits");
    }

    @Override
    public synchronized void mse(Storage pred, Storage target, Storage grad, Storage stats, long n) {
        ready("mse");
        ops.mse(pred, target, grad, stats, n);
        afterOp("mse");
    }

    @Override
    public synchronized void dropout(long seed, float p, Storage x, Storage y, long n) {
        ready("dropout");
        ops.dropout(seed, p, x, y, n);
        afterOp("dropout");
    }

    @Override
    public synchronized void batchNorm(Storage x, Storage mean, Storage var, Storage gamma, Storage beta, float eps,
                                       Storage y, int rows, int cols) {
        ready("batchNorm");
        ops.batchNorm(x, mean, var, gamma, beta, eps, y, rows, cols);
        afterOp("batchNorm");
    }

    @Override
    public synchronized void batchNormBackward(Storage x, Storage mean, Storage var, Storage gamma, float eps, Storage dy,
                                               Storage dx, Storage dgamma, Storage dbeta, int rows, int cols) {
        ready("batchNormBackward");
        ops.batchNormBackward(x, mean, var, gamma, eps, dy, dx, dgamma, dbeta, rows, cols);
        afterOp("batchNormBackward");
    }

    @Override
    public synchronized void sgdUpdate(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                                       float weightDecay, boolean nesterov, boolean firstStep) {
        ready("sgdUpdate");
        ops.sgdUpdate(param, grad, velocity, n, lr, momentum, weightDecay, nesterov, firstStep);
        afterOp("sgdUpdate");
    }

    @Override
    public synchronized void adamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, float lr, float beta1,
                                        float beta2, float eps, float weightDecay, boolean decoupled, int step) {
        ready("adamUpdate");
        ops.adamUpdate(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step);
        afterOp("adamUpdate");
    }

    @Override
    public synchronized void rmspropUpdate(Storage param, Storage grad, Storage sq, long n, float lr, float alpha,
                                           float eps, float weightDecay) {
        ready("rmspropUpdate");
        ops.rmspropUpdate(param, grad, sq, n, lr, alpha, eps, weightDecay);
        afterOp("rmspropUpdate");
    }

    @Override
    public synchronized void adagradUpdate(Storage param, Storage grad, Storage sum, long n, float lr, float eps,
                                           float weightDecay) {
        ready("adagradUpdate");
        ops.adagradUpdate(param, grad, sum, n, lr, eps, weightDecay);
        afterOp("adagradUpdate");
    }

    // ---- CUDA graphs ------------------------------------------------------------------------

    /**
     * Runs {@code step} once while recording its ops into a CUDA graph instead of executing them,
     * and returns the graph for {@link CudaGraph#replay()}. The step must issue ops on this device
     * only, from this thread, and must not upload, download or synchronise (those wait for the
     * host): keep losses and metrics in device tensors and read them after a replay. Memory the
     * step allocates comes from a pool reserved for the graph until it is closed.
     */
    public synchronized CudaGraph capture(Runnable step) {
        ready("capture");
        if (capturing) {
            throw new IllegalStateException(name + ": capture inside a capture");
        }
        CachingAllocator.Pool pool = allocator.beginPrivatePool();
        capturedOps = 0;
        int rc = JCudaDriver.cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_RELAXED);
        if (rc != CudaErrors.CUDA_SUCCESS) {
            allocator.endPrivatePool();
            allocator.closePool(pool);
            throw new CudaException("capture", "cuStreamBeginCapture", rc);
        }
        capturing = true;
        CUgraph graph = new CUgraph();
        Throwable failure = null;
        try {
            step.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            capturing = false;
            allocator.endPrivatePool();
            rc = JCudaDriver.cuStreamEndCapture(stream, graph);
        }
        if (failure != null || rc != CudaErrors.CUDA_SUCCESS) {
            if (rc == CudaErrors.CUDA_SUCCESS) {
                JCudaDriver.cuGraphDestroy(graph);
            }
            allocator.closePool(pool);
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            throw new CudaException("capture", "cuStreamEndCapture", rc);
        }
        CUgraphExec exec = new CUgraphExec();
        rc = JCudaDriver.cuGraphInstantiate(exec, graph, 0L);
        if (rc != CudaErrors.CUDA_SUCCESS) {
            JCudaDriver.cuGraphDestroy(graph);
            allocator.closePool(pool);
            throw new CudaException("capture", "cuGraphInstantiate", rc);
        }
        return new CudaGraph(this, graph, exec, pool, capturedOps);
    }

    synchronized void launchGraph(CUgraphExec exec) {
        ready("graph replay");
        notCapturing("graph replay");
        CudaDriver.check("graph replay", "cuGraphLaunch", JCudaDriver.cuGraphLaunch(exec, stream));
        afterOp("graph replay");
    }

    synchronized void releaseGraph(CachingAllocator.Pool pool, Runnable destroy) {
        if (closed) {
            return;
        }
        ready("graph close");
        // A replay may still be running: its memory returns to the cache only after it finishes.
        CudaDriver.check("graph close", "cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream));
        destroy.run();
        allocator.closePool(pool);
    }

    // ---- TF32 -------------------------------------------------------------------------------

    /** Null when the TF32 tensor-core GEMM can run here, else why not. */
    public String tf32Unavailable() {
        String img = images.get("gemm_tf32_cuda");
        if (img == null || !img.endsWith(".cubin")) {
            return "TF32 GEMM needs a packed sm_80/sm_90 cubin; " + name + " is sm_" + gpu.major() + gpu.minor()
                    + " and runs the PTX" + (img == null ? "" : " (" + img + ")");
        }
        return null;
    }

    /**
     * Switches Backend.gemm between the FP32 kernels (default) and the TF32 tensor-core kernels,
     * whose inputs are rounded to 10 mantissa bits (about 5e-4 relative error of a dot product,
     * accumulation in FP32). Also set at open by {@code -Dember.cuda.tf32=true}. Returns whether
     * TF32 is now in use (false when asked for on a GPU without the packed cubin).
     */
    public synchronized boolean useTf32(boolean on) {
        if (on && tf32Unavailable() != null) {
            return false;
        }
        if (on) {
            ops.gemmPath(CudaOps.GemmPath.TF32);
        } else if (ops.gemmPath() == CudaOps.GemmPath.TF32) {
            ops.gemmPath(CudaOps.GemmPath.FAST);
        }
        return on;
    }

    // ---- cuBLAS baseline --------------------------------------------------------------------

    /** Null when cuBLAS loaded (or was not tried yet and loads now), else why it is unavailable. */
    public synchronized String cublasUnavailableReason() {
        ready("cublas");
        if (cublas == null && cublasFailure == null) {
            try {
                cublas = new CudaCublas(stream);
            } catch (Throwable t) {
                cublasFailure = "cuBLAS unavailable: " + CudaErrors.loadFailure(t);
            }
        }
        return cublasFailure;
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C with cuBLAS (row-major, as {@link #gemm}, no epilogue):
     * the vendor baseline for benchmarks. Throws {@link IllegalStateException} with the reason when
     * libcublas is not installed.
     */
    public synchronized void cublasSgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a,
                                         Storage b, float beta, Storage c) {
        String why = cublasUnavailableReason();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        cublas.sgemm(transA, transB, m, n, k, alpha, p(a), p(b), beta, p(c));
        afterOp("cublasSgemm");
    }

    // ---- lifecycle --------------------------------------------------------------------------

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        ready("close");
        // Every step runs even when an earlier one fails (after a kernel fault each may), so that
        // modules, the stream and the context are released; the first failure is thrown at the end.
        // (JCuda's exceptions are off, so driver calls report through their return codes.)
        String op = "close " + name;
        Runnable[] steps = {
            () -> CudaDriver.check(op, "cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream)),
            () -> {
                if (cublas != null) {
                    cublas.close();
                }
            },
            staging::close,
            allocator::freeAll,
            () -> {
                for (CUmodule m : modules.values()) {
                    CudaDriver.check(op, "cuModuleUnload", JCudaDriver.cuModuleUnload(m));
                }
            },
            () -> CudaDriver.check(op, "cuStreamDestroy", JCudaDriver.cuStreamDestroy(stream)),
        };
        RuntimeException first = null;
        try {
            for (Runnable step : steps) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
        } finally {
            closed = true;
            CURRENT.remove();
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return name + " (" + description() + ")";
    }
}
