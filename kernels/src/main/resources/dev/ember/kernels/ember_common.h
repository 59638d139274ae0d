/*
 * ember_common.h - the portability header: one kernel source, two dialects.
 *
 * Every kernel file includes this header first. It maps what differs between OpenCL C 1.2 and
 * CUDA C++ (in the manner of hashcat's inc_vendor.h and CLBlast's opencl_to_cuda.h):
 *
 *   KERNEL            kernel entry point       __kernel              | extern "C" __global__
 *   GLOBAL            global-memory pointer    __global              | (nothing)
 *   LOCAL_ARRAY       local/shared array decl  __local               | __shared__
 *   LOCAL_PTR         pointer to local memory  __local               | (nothing)
 *   INLINE            device helper function   static inline         | static __device__ __forceinline__
 *   LOCAL_BARRIER()   work-group barrier       barrier(LOCAL_FENCE)  | __syncthreads()
 *   get_global_id(d), get_local_id(d), get_group_id(d), get_local_size(d), get_num_groups(d),
 *   get_global_size(d)  are provided for CUDA from blockIdx/blockDim/threadIdx/gridDim.
 *   ember_u32 / ember_u64 / ember_i64   32- and 64-bit integers in both dialects.
 *   Math: EXPF LOGF SQRTF TANHF EXPM1F LOG1PF FABSF FMAXF FMINF COPYSIGNF ISNAN, all float, full precision;
 *   FMAF(a, b, c), always a fused multiply-add with one rounding (roofline.cl).
 *   ember_load4(p) loads and ember_store4(v, p) stores four consecutive floats (p must be 16-byte
 *   aligned in CUDA); EMBER_AS_FLOAT(i) / EMBER_AS_INT(f) reinterpret the bits of an int / a float;
 *   EMBER_FLOAT4_ZERO is a zero float4; EMBER_MAD(a, b, c) is a*b+c, fused where the device has a
 *   fast fma (GEMM accumulation only).
 *
 * Floating-point contraction (a*b+c fused into fma) is switched off in OpenCL so elementwise
 * results match the Java CPU backend bit for bit where the math allows; build the CUDA side with
 * nvcc --fmad=false for the same reason.
 *
 * Codes shared with Java (order must match the enums dev.ember.runtime.Activation and BinaryOp):
 *   EMBER_ACT_IDENTITY 0, RELU 1, LEAKY_RELU 2, ELU 3, SIGMOID 4, TANH 5;  EMBER_OP_ADD 0, SUB 1, MUL 2.
 */
#ifndef EMBER_COMMON_H
#define EMBER_COMMON_H

#if defined(__OPENCL_VERSION__)
/* ---------------------------------------------------------------- OpenCL C 1.2 */
#define EMBER_OPENCL 1
#pragma OPENCL FP_CONTRACT OFF
#define KERNEL __kernel
#define GLOBAL __global
#define LOCAL_ARRAY __local
#define LOCAL_PTR __local
#define INLINE static inline
#define LOCAL_BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
typedef uint ember_u32;
typedef ulong ember_u64;
typedef long ember_i64;
#define ember_load4(p) vload4(0, (p))
#define ember_store4(v, p) vstore4((v), 0, (p))
#define EMBER_AS_FLOAT(i) as_float((int)(i))
#define EMBER_AS_INT(f) as_int((float)(f))
#define EMBER_FLOAT4_ZERO ((float4)(0.0f))
/* fma where the device says it is fast; mad() may drop accuracy on some devices, so it is not used. */
#if defined(FP_FAST_FMAF)
#define EMBER_MAD(a, b, c) fma((a), (b), (c))
#else
#define EMBER_MAD(a, b, c) ((a) * (b) + (c))
#endif
#define EMBER_MULHI32(a, b) mul_hi((ember_u32)(a), (ember_u32)(b))

#elif defined(__CUDACC__)
/* ---------------------------------------------------------------- CUDA C++ */
#define EMBER_CUDA 1
#define KERNEL extern "C" __global__
#define GLOBAL
#define LOCAL_ARRAY __shared__
#define LOCAL_PTR
#define INLINE static __device__ __forceinline__
#define LOCAL_BARRIER() __syncthreads()
typedef unsigned int ember_u32;
typedef unsigned long long ember_u64;
typedef long long ember_i64;
INLINE float4 ember_load4(const float *p) { return *(const float4 *)p; }
INLINE void ember_store4(float4 v, float *p) { *(float4 *)p = v; }
#define EMBER_AS_FLOAT(i) __int_as_float((int)(i))
#define EMBER_AS_INT(f) __float_as_int((float)(f))
#define EMBER_FLOAT4_ZERO make_float4(0.0f, 0.0f, 0.0f, 0.0f)
#define EMBER_MAD(a, b, c) fmaf((a), (b), (c))
#define EMBER_MULHI32(a, b) __umulhi((ember_u32)(a), (ember_u32)(b))
INLINE ember_i64 get_global_id(int d) {
    return d == 0 ? (ember_i64)blockIdx.x * blockDim.x + threadIdx.x
         : d == 1 ? (ember_i64)blockIdx.y * blockDim.y + threadIdx.y
                  : (ember_i64)blockIdx.z * blockDim.z + threadIdx.z;
}
INLINE int get_local_id(int d) { return d == 0 ? threadIdx.x : d == 1 ? threadIdx.y : threadIdx.z; }
INLINE int get_group_id(int d) { return d == 0 ? blockIdx.x : d == 1 ? blockIdx.y : blockIdx.z; }
INLINE int get_local_size(int d) { return d == 0 ? blockDim.x : d == 1 ? blockDim.y : blockDim.z; }
INLINE int get_num_groups(int d) { return d == 0 ? gridDim.x : d == 1 ? gridDim.y : gridDim.z; }
INLINE ember_i64 get_global_size(int d) { return (ember_i64)get_num_groups(d) * get_local_size(d); }

#else
#error "ember_common.h: compile as OpenCL C (__OPENCL_VERSION__) or CUDA (__CUDACC__)"
#endif

/* ---------------------------------------------------------------- math, same names in both */
#define EXPF(x) exp((float)(x))
#define LOGF(x) log((float)(x))
#define SQRTF(x) sqrt((float)(x))
#define TANHF(x) tanh((float)(x))
#define EXPM1F(x) expm1((float)(x))
#define LOG1PF(x) log1p((float)(x))
#define FABSF(x) fabs((float)(x))
#define FMAXF(a, b) fmax((float)(a), (float)(b))
#define FMINF(a, b) fmin((float)(a), (float)(b))
#define COPYSIGNF(a, b) copysign((float)(a), (float)(b))
#define FMAF(a, b, c) fma((float)(a), (float)(b), (float)(c))
#define ISNAN(x) isnan((float)(x))
#define EMBER_INF (1.0f / 0.0f)

/* ---------------------------------------------------------------- shared codes */
#define EMBER_ACT_IDENTITY 0
#define EMBER_ACT_RELU 1
#define EMBER_ACT_LEAKY_RELU 2
#define EMBER_ACT_ELU 3
#define EMBER_ACT_SIGMOID 4
#define EMBER_ACT_TANH 5

#define EMBER_OP_ADD 0
#define EMBER_OP_SUB 1
#define EMBER_OP_MUL 2

/* Grid-stride loop over [0, n): works for any launch size. */
#define EMBER_FOR_EACH(i, n) \
    for (ember_i64 i = get_global_id(0); i < (ember_i64)(n); i += get_global_size(0))

/* Sigmoid as 1 / (1 + exp(-x)), the form of PyTorch's sigmoid and of the CPU backend's CpuMath.sigmoid:
 * below x = -88.72 exp(-x) overflows to +inf and the result is exactly 0 (where the true value is a
 * subnormal below 3e-39), at -inf too, and 1 at +inf; NaN stays NaN. A second branch e / (1 + e) for
 * x < 0 kept those subnormals, so the devices disagreed with the CPU and PyTorch there. */
INLINE float ember_sigmoid(float x) {
    return 1.0f / (1.0f + EXPF(-x));
}

/* tanh, exactly +-1 wherever the correctly rounded float tanh is: from |x| = 9.010914 (0x1.205968p3, the
 * first float whose tanh rounds to 1) on. Device libraries may stop one ulp short there (PoCL's
 * tanh(+-Inf) is +-0.99999994), so those are answered here; NaN fails the test and stays NaN. */
INLINE float ember_tanh(float x) {
    return FABSF(x) >= 9.010914f ? COPYSIGNF(1.0f, x) : TANHF(x);
}

/* y = act(x); alpha is the leaky-relu slope or the elu scale. */
INLINE float ember_activate(int act, float alpha, float x) {
    switch (act) {
        case EMBER_ACT_RELU: return !(x <= 0.0f) ? x : 0.0f; /* NaN stays NaN, as Math.max and PyTorch keep it */
        case EMBER_ACT_LEAKY_RELU: return x > 0.0f ? x : alpha * x;
        case EMBER_ACT_ELU: return x >= 0.0f ? x : alpha * EXPM1F(x); /* +-0 stays itself for any alpha, as on the CPU */
        case EMBER_ACT_SIGMOID: return ember_sigmoid(x);
        case EMBER_ACT_TANH: return ember_tanh(x);
        default: return x;
    }
}

/*
 * Sum of v over the work-group of size n (a power of two, at most the scratch length), in a fixed
 * tree order so the result is the same on every run. Every work-item gets the total. lid is the
 * flat local id. The caller must reach this from all work-items of the group.
 * Segments: with scratch pointing at a segment's first slot, lid the index within the segment and
 * n its size (reduce.cl's and losses.cl's row kernels, `lanes` per row), each segment of a group
 * gets its own total; every work-item of the group must still call it with the same n (barriers).
 */
INLINE float ember_group_sum(LOCAL_PTR float *scratch, float v, int lid, int n) {
    scratch[lid] = v;
    LOCAL_BARRIER();
    for (int s = n >> 1; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = scratch[lid] + scratch[lid + s];
        }
        LOCAL_BARRIER();
    }
    float total = scratch[0];
    LOCAL_BARRIER();
    return total;
}

/* Sum of partial[0..count) by one work-group of n work-items: each strides over the array, then
 * ember_group_sum combines them (same fixed order on every run). The second pass of the two-pass
 * sums (reduce.cl's sum_final) and of the losses (losses.cl's loss_finish). */
INLINE float ember_group_sum_array(LOCAL_PTR float *scratch, GLOBAL const float *partial, int count, int lid,
                                   int n) {
    float acc = 0.0f;
    for (int i = lid; i < count; i += n) {
        acc += partial[i];
    }
    return ember_group_sum(scratch, acc, lid, n);
}

/* Minimum of the ints v over the work-group, same contract as ember_group_sum. */
INLINE int ember_group_min_int(LOCAL_PTR int *scratch, int v, int lid, int n) {
    scratch[lid] = v;
    LOCAL_BARRIER();
    for (int s = n >> 1; s > 0; s >>= 1) {
        if (lid < s && scratch[lid + s] < scratch[lid]) {
            scratch[lid] = scratch[lid + s];
        }
        LOCAL_BARRIER();
    }
    int m = scratch[0];
    LOCAL_BARRIER();
    return m;
}

/* Maximum of v over the work-group (NaN-ignoring fmax), same contract as ember_group_sum. */
INLINE float ember_group_max(LOCAL_PTR float *scratch, float v, int lid, int n) {
    scratch[lid] = v;
    LOCAL_BARRIER();
    for (int s = n >> 1; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = FMAXF(scratch[lid], scratch[lid + s]);
        }
        LOCAL_BARRIER();
    }
    float total = scratch[0];
    LOCAL_BARRIER();
    return total;
}

#endif /* EMBER_COMMON_H */
