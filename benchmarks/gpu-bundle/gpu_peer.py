#!/usr/bin/env python3
"""gpu_peer.py OUT.json - the vendor peers for Ember's GPU figures, measured in the same job.

Run by gpu-check.sh when the machine's python3 has PyTorch with CUDA (the bundle does not ship
it). PyTorch's float32 matmul with TF32 off is cuBLAS SGEMM, the baseline of the 4096^3 target
when JCublas cannot load (it needs libcublas.so.12); with TF32 on it is cuBLAS's TF32 GEMM. A
device-to-device copy gives the copy bandwidth that memory-bound kernels are held to. Each figure
is the median of timed repeats between CUDA events, after warm-ups.
"""
import json
import statistics
import sys


def timed(fn, warmup, reps):
    import torch
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return statistics.median(times), min(times), max(times)


def main():
    out = {"tool": "gpu_peer.py"}
    try:
        import torch
    except ImportError as e:
        out["error"] = "no PyTorch: %s" % e
        print(json.dumps(out))
        return out
    if not torch.cuda.is_available():
        out["error"] = "PyTorch sees no CUDA device"
        print(json.dumps(out))
        return out
    dev = torch.device("cuda")
    out["torch"] = torch.__version__
    out["cuda"] = torch.version.cuda
    out["gpu"] = torch.cuda.get_device_name(0)
    out["sms"] = torch.cuda.get_device_properties(0).multi_processor_count
    g = torch.Generator(device=dev).manual_seed(1)

    n = 4096
    a = torch.rand(n, n, device=dev, generator=g) * 2 - 1
    b = torch.rand(n, n, device=dev, generator=g) * 2 - 1
    c = torch.empty(n, n, device=dev)
    for label, tf32 in (("cublas_sgemm_fp32", False), ("cublas_gemm_tf32", True)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.set_float32_matmul_precision("high" if tf32 else "highest")
        med, lo, hi = timed(lambda: torch.mm(a, b, out=c), 5, 30)
        out[label] = {"n": n, "seconds_median": med, "gflops_median": 2.0 * n ** 3 / med / 1e9,
                      "gflops_best": 2.0 * n ** 3 / lo / 1e9, "gflops_worst": 2.0 * n ** 3 / hi / 1e9}
    torch.backends.cuda.matmul.allow_tf32 = False
    del a, b, c

    for elems in (16 << 20, 64 << 20, 256 << 20):
        src = torch.rand(elems, device=dev, generator=g) - 0.5
        dst = torch.empty_like(src)
        med, lo, _ = timed(lambda: dst.copy_(src), 3, 20)
        out["copy_%dM" % (elems >> 20)] = {"bytes": 8 * elems, "gb_per_s_median": 8 * elems / med / 1e9,
                                           "gb_per_s_best": 8 * elems / lo / 1e9}
        med, lo, _ = timed(lambda: torch.clamp(src, min=0, out=dst), 3, 20)
        out["relu_%dM" % (elems >> 20)] = {"bytes": 8 * elems, "gb_per_s_median": 8 * elems / med / 1e9}
        del src, dst
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    result = main()
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            json.dump(result, f, indent=1)
