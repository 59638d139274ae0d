/**
 * The CUDA backend ({@code cuda:N} devices), driven through JCuda 12.0.0's driver API.
 *
 * <p>Requirements at run time: an NVIDIA GPU of compute capability 7.5 or newer and an NVIDIA
 * driver of version 580 or newer ({@link dev.ember.runtime.cuda.CudaErrors#DRIVER_REQUIREMENT}:
 * the kernels are built with CUDA 13.0). Nothing else: the kernels ship precompiled in ember-kernels
 * (cubins for sm_80 and sm_90, PTX for compute_75 that the driver compiles for other GPUs), so no
 * CUDA toolkit or NVRTC is needed. cuBLAS (libcublas.so.12) is optional and only used as the
 * benchmark baseline. Without a driver or GPU the device is listed unavailable with the reason.
 *
 * <p>System properties: {@code ember.cuda.sync=true} synchronises after every op so that an
 * asynchronous kernel fault is reported by the op that caused it; {@code ember.cuda.image=ptx}
 * loads the PTX even where a cubin fits (to exercise the driver's JIT path); {@code ember.cuda.tf32=true}
 * runs GEMMs on TF32 tensor cores (8.x and 9.x GPUs; operands rounded to 10 mantissa bits, about 5e-4
 * relative error of a dot product, FP32 accumulation; also {@link dev.ember.runtime.cuda.CudaBackend#useTf32});
 * {@code ember.cuda.gemm=portable} runs the portable gemm.cl kernels instead of the CUDA fast path.
 *
 * <p>Entry points beyond {@link dev.ember.runtime.Backend}: {@link dev.ember.runtime.cuda.CudaBackend#capture}
 * (CUDA graphs), {@link dev.ember.runtime.cuda.CudaBackend#cublasSgemm} (vendor baseline) and
 * {@link dev.ember.runtime.cuda.CudaBackend#allocator()} (caching allocator statistics).
 */
package dev.ember.runtime.cuda;
