#!/usr/bin/env python3
"""Times numpy float32 matmul (OpenBLAS SGEMM here) at the GEMM benchmark's sizes.

Usage: numpy_sgemm.py [--threads 1,2] [--sizes 256,512,1024,2048] [--reps 7] [--rep-seconds S]
                      [--square-only]
With --rep-seconds, each rep runs for at least S seconds (as one JMH iteration does) instead of
about 0.02-0.05 s. Each thread count runs in a child process with OPENBLAS_NUM_THREADS set (numpy reads it at
import), with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed so OpenBLAS picks its own kernel.
Prints one line per (threads, shape): median, best, worst and mean GFLOP/s over reps, 2*M*N*K
flops per op.
"""
import argparse
import os
import subprocess
import sys
import time


def shapes(sizes, square_only=False):
    for n in sizes:
        yield f"square{n}", n, n, n, False, False
    if square_only:
        return
    # MLP at batch 128: forward X(128x784) . W^T (W stored 256x784), dX = dY . W, dW = dY^T . X
    yield "mlp_fwd", 128, 256, 784, False, True
    yield "mlp_dx", 128, 784, 256, False, False
    yield "mlp_dw", 256, 784, 128, True, False


def child(sizes, reps, rep_seconds, square_only):
    import numpy as np
    rng = np.random.default_rng(1)
    for name, m, n, k, ta, tb in shapes(sizes, square_only):
        a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
        opa = a.T if ta else a
        opb = b.T if tb else b
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * n * k
        inner = max(1, int(2e9 / flops))  # ~0.02-0.05 s per rep
        for _ in range(3):
            np.matmul(opa, opb, out=c)
        rates = []
        for _ in range(reps):
            t0 = time.perf_counter()
            done = 0
            while True:
                for _ in range(inner):
                    np.matmul(opa, opb, out=c)
                done += inner
                dt = time.perf_counter() - t0
                if dt >= rep_seconds:
                    break
            rates.append(flops * done / dt / 1e9)
        mean = sum(rates) / len(rates)
        rates.sort()
        med = rates[len(rates) // 2]
        print(f"threads={os.environ.get('OPENBLAS_NUM_THREADS')} shape={name} m={m} n={n} k={k} "
              f"median_gflops={med:.1f} best_gflops={rates[-1]:.1f} min_gflops={rates[0]:.1f} mean_gflops={mean:.1f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--sizes", default="256,512,1024,2048")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--rep-seconds", type=float, default=0.0)
    ap.add_argument("--square-only", action="store_true", help="skip the MLP shapes")
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        child(sizes, args.reps, args.rep_seconds, args.square_only)
        return
    for t in args.threads.split(","):
        env = dict(os.environ)
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
        env["OPENBLAS_NUM_THREADS"] = t
        env["OMP_NUM_THREADS"] = t
        subprocess.run([sys.executable, __file__, "--child", "--sizes", args.sizes, "--reps", str(args.reps),
                        "--rep-seconds", str(args.rep_seconds)] + (["--square-only"] if args.square_only else []),
                       env=env, check=True)


if __name__ == "__main__":
    main()
