package dev.ember.runtime.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.runtime.cudaStream_t;

/**
 * cuBLAS SGEMM on the backend's stream, the vendor baseline for benchmarks. Constructing it loads
 * JCublas2's natives, which need libcublas.so.12: the backend builds it lazily inside a catch of
 * Throwable and reports the reason when that fails.
 */
final class CudaCublas implements AutoCloseable {
    private static final int CUBLAS_OP_N = 0;
    private static final int CUBLAS_OP_T = 1;
    private final cublasHandle handle = new cublasHandle();

    CudaCublas(CUstream stream) {
        JCublas2.setExceptionsEnabled(false);
        check("cublasCreate", JCublas2.cublasCreate(handle));
        check("cublasSetStream", JCublas2.cublasSetStream(handle, new cudaStream_t(stream)));
    }

    private static void check(String call, int status) {
        if (status != 0) {
            throw new IllegalStateException("cuda: cuBLAS " + call + " failed with cublasStatus " + status);
        }
    }

    /** Row-major C = alpha op(A) op(B) + beta C, computed as the column-major C^T = op(B)^T op(A)^T. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, CUdeviceptr b,
               float beta, CUdeviceptr c) {
        check("cublasSgemm", JCublas2.cublasSgemm(handle, transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                transA ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, Pointer.to(new float[] {alpha}), b, transB ? k : n, a,
                transA ? m : k, Pointer.to(new float[] {beta}), c, n));
    }

    @Override
    public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
