#!/usr/bin/env python3
"""One MLP training step, Ember against numpy (OpenBLAS), in alternating rounds of the same seconds.

This machine's speed moves by up to 2x within minutes (other guests share its cores), so figures
taken minutes apart cannot be compared. Here a Java child (dev.ember.benchmarks.PairedRounds)
and this process take turns: for every item, each round times Ember and numpy back to back (who
goes first alternates), with a pause between so that neither side's idle spinning threads (Ember's
pool, OpenBLAS's) steal the other's cores. The ratio is taken round by round.

Items: each matrix product of the step (weights stored [in, out] as in TrainingStepBenchmark:
forward NN, weight gradient TN, input gradient NT), then the whole step twice on Ember's side:
written with runtime ops (TrainingStepBenchmark) and as a user's model runs it (Sequential,
cross-entropy, Adam; weights [out, in]); numpy's step is timed against both. numpy's step is the
same computation written with preallocated arrays (forward with bias and ReLU, softmax
cross-entropy, backward, Adam); its elementwise work runs on one thread, so it is a peer for
the products and a rough one for the step.

Usage: step_vs_numpy.py [--mlp 784-1024-1024-10@256] [--threads 2] [--rounds 9] [--gap 0.3]
                        [--jar benchmarks/target/benchmarks.jar] [--java JAVA] [--device cpu]
Prints per item: Ember and numpy medians (us, GFLOP/s) and the median per-round ratio
numpy time / Ember time (above 1: Ember faster), with its range.
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import time


def parse_mlp(spec):
    layers, _, batch = spec.partition("@")
    widths = [int(w) for w in layers.split("-")]
    if len(widths) < 2 or not batch:
        raise SystemExit(f"--mlp wants LAYERS@BATCH such as 784-1024-1024-10@256, got {spec}")
    return widths, int(batch)


def products(widths, batch):
    """(name, trans, m, n, k) of every product in one step, in the order the step runs them."""
    out = []
    for l in range(len(widths) - 1):
        out.append((f"forward {l + 1}", "NN", batch, widths[l + 1], widths[l]))
    for l in reversed(range(len(widths) - 1)):
        out.append((f"weight grad {l + 1}", "TN", widths[l], widths[l + 1], batch))
        if l > 0:
            out.append((f"input grad {l + 1}", "NT", batch, widths[l], widths[l + 1]))
    return out


class NumpySide:
    def __init__(self, np, widths, batch):
        self.np = np
        rng = np.random.default_rng(1)
        self.mats = {}
        self.rng = rng
        self.widths, self.batch = widths, batch
        f32 = np.float32
        layers = len(widths) - 1
        self.x = rng.random((batch, widths[0]), dtype=f32)
        self.labels = rng.integers(0, widths[-1], batch)
        self.w = [(rng.standard_normal((widths[l], widths[l + 1])) * math.sqrt(2.0 / widths[l])).astype(f32)
                  for l in range(layers)]
        self.b = [np.zeros(widths[l + 1], f32) for l in range(layers)]
        self.h = [np.empty((batch, widths[l + 1]), f32) for l in range(layers)]
        self.dh = [np.empty((batch, widths[l + 1]), f32) for l in range(layers)]
        self.dw = [np.empty_like(w) for w in self.w]
        self.db = [np.empty_like(b) for b in self.b]
        self.params = self.w + self.b
        self.grads = self.dw + self.db
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.tmp = [np.empty_like(p) for p in self.params]
        self.t = 0

    def operands(self, trans, m, n, k):
        key = (trans, m, n, k)
        if key not in self.mats:
            np, f32 = self.np, self.np.float32
            a = self.rng.random((k, m) if trans[0] == "T" else (m, k), dtype=f32) - 0.5
            b = self.rng.random((n, k) if trans[1] == "T" else (k, n), dtype=f32) - 0.5
            self.mats[key] = (a.T if trans[0] == "T" else a, b.T if trans[1] == "T" else b,
                              np.empty((m, n), f32))
        return self.mats[key]

    def gemm(self, trans, m, n, k, reps):
        a, b, c = self.operands(trans, m, n, k)
        t0 = time.perf_counter()
        for _ in range(reps):
            self.np.matmul(a, b, out=c)
        return (time.perf_counter() - t0) / reps

    def step_once(self):
        np = self.np
        layers = len(self.w)
        for l in range(layers):
            inp = self.x if l == 0 else self.h[l - 1]
            np.matmul(inp, self.w[l], out=self.h[l])
            self.h[l] += self.b[l]
            if l < layers - 1:
                np.maximum(self.h[l], 0, out=self.h[l])
        logits, g = self.h[-1], self.dh[-1]
        rows = np.arange(self.batch)
        np.subtract(logits, logits.max(axis=1, keepdims=True), out=g)
        z_label = g[rows, self.labels].copy()
        np.exp(g, out=g)
        s = g.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) - z_label))
        g /= s
        g[rows, self.labels] -= 1
        g /= self.batch
        for l in reversed(range(layers)):
            inp = self.x if l == 0 else self.h[l - 1]
            np.matmul(inp.T, self.dh[l], out=self.dw[l])
            np.sum(self.dh[l], axis=0, out=self.db[l])
            if l > 0:
                np.matmul(self.dh[l], self.w[l].T, out=self.dh[l - 1])
                self.dh[l - 1] *= self.h[l - 1] > 0
        self.t += 1
        lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8
        step = lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.tmp):
            m *= b1
            m += (1 - b1) * g
            np.multiply(g, g, out=tmp)
            v *= b2
            v += (1 - b2) * tmp
            np.sqrt(v, out=tmp)
            tmp += eps * math.sqrt(1 - b2 ** self.t)
            np.divide(m, tmp, out=tmp)
            tmp *= step
            p -= tmp
        return loss

    def step(self, reps):
        t0 = time.perf_counter()
        for _ in range(reps):
            self.step_once()
        return (time.perf_counter() - t0) / reps


class EmberSide:
    def __init__(self, java, jar, device, threads):
        cmd = [java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
               f"-Dember.cpu.threads={threads}", "-cp", jar, "dev.ember.benchmarks.PairedRounds", device]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     stderr=subprocess.DEVNULL)

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline().strip()
        if not reply or reply.startswith("error"):
            raise SystemExit(f"Ember side: {reply or 'exited'} (command: {line})")
        return float(reply)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mlp", default="784-1024-1024-10@256")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--gap", type=float, default=0.3, help="seconds of pause between the two sides")
    ap.add_argument("--round-seconds", type=float, default=0.15, help="about how long each side runs an item")
    ap.add_argument("--jar", default="benchmarks/target/benchmarks.jar")
    ap.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"),
                                                   "bin", "java"))
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    widths, batch = parse_mlp(args.mlp)
    if not os.path.isfile(args.jar):
        raise SystemExit(f"no {args.jar}: run from the repository root after ./ember has built it (or pass --jar)")
    # OpenBLAS reads its thread count when it loads
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    try:
        import numpy as np
    except ImportError:
        raise SystemExit("numpy is needed for the comparison: pip install numpy (or apt-get install python3-numpy)")

    items = [(name, ("gemm", t, m, n, k), 2.0 * m * n * k) for name, t, m, n, k in products(widths, batch)]
    step_flop = sum(f for _, _, f in items)
    items.append(("step (ops)", ("step",), step_flop))
    items.append(("step (nn)", ("nnstep",), step_flop))
    npy = NumpySide(np, widths, batch)
    # The numpy step must be a real training step: repeated steps on its one batch lower the loss
    # (TrainingStepBenchmark checks Ember's the same way).
    first = best = npy.step_once()
    for _ in range(30):
        best = min(best, npy.step_once())
        if best < 0.9 * first:
            break
    if not best < 0.9 * first:
        raise SystemExit(f"numpy step: loss did not fall by 10% in 30 steps on one batch ({first} -> {best})")
    ember = EmberSide(args.java, args.jar, args.device, args.threads)

    def run(side, item, reps):
        kind = item[0]
        if side == "ember":
            if kind == "gemm":
                return ember.ask(f"gemm {item[1]} {item[2]} {item[3]} {item[4]} {reps}")
            return ember.ask(f"{kind} {args.mlp} {reps}")
        if kind == "gemm":
            return npy.gemm(item[1], item[2], item[3], item[4], reps)
        return npy.step(reps)

    # warm-up (both sides compile, allocate and settle), then size the rounds from it
    reps = {}
    for name, item, flop in items:
        for side in ("ember", "numpy"):
            run(side, item, 3)
        t = min(run("ember", item, 3), run("numpy", item, 3))
        reps[name] = max(3, min(5000, int(args.round_seconds / max(t, 1e-7))))
    times = {name: {"ember": [], "numpy": []} for name, _, _ in items}
    for r in range(args.rounds):
        for name, item, _ in items:
            order = ("ember", "numpy") if r % 2 == 0 else ("numpy", "ember")
            for side in order:
                time.sleep(args.gap)
                times[name][side].append(run(side, item, reps[name]))
    ember.close()

    print(f"{args.mlp}, {args.threads} thread(s), {args.rounds} rounds, device {args.device}; load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'item':<16} {'shape':<22} {'Ember us':>9} {'GF/s':>6} {'numpy us':>9} {'GF/s':>6}  ratio np/Ember")
    sums = {"ember": 0.0, "numpy": 0.0}
    for name, item, flop in items:
        e, n = times[name]["ember"], times[name]["numpy"]
        ratios = sorted(b / a for a, b in zip(e, n))
        me, mn = statistics.median(e), statistics.median(n)
        shape = f"{item[1]} {item[2]}x{item[3]}x{item[4]}" if item[0] == "gemm" else "(products as above)"
        if item[0] == "gemm":
            sums["ember"] += me
            sums["numpy"] += mn
        print(f"{name:<16} {shape:<22} {me * 1e6:9.0f} {flop / me / 1e9:6.1f} {mn * 1e6:9.0f} {flop / mn / 1e9:6.1f}"
              f"  {statistics.median(ratios):.2f} ({ratios[0]:.2f} .. {ratios[-1]:.2f})")
    print(f"sum of the product medians: Ember {sums['ember'] * 1e3:.2f} ms, numpy {sums['numpy'] * 1e3:.2f} ms")


if __name__ == "__main__":
    sys.exit(main())
