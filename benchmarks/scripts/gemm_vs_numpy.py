#!/usr/bin/env python3
"""Side-by-side CPU SGEMM: Ember's JMH GemmBenchmark vs numpy (OpenBLAS) in the same job.

The host is shared, so its load drifts within seconds. For each thread count, each of the
--forks JMH forks (one JVM launch each, --warmups x 1 s warm-up, --iterations x 1 s measured) is
preceded by a numpy run at the same thread count over as many 1 s rounds, and the ratio is taken
fork by fork. Both sides' fork figures are means over their rounds. The host's slow and fast
phases last seconds, so a 5 s fork can sit in one of them; longer forks (--iterations 20) average
over several, on both sides alike. Prints per fork: wall-clock
GFLOP/s, GFLOP per process-CPU-second (insensitive to other processes taking the cores) and the
numpy GFLOP/s next to it; then the medians, the fork spreads ((max - min) / median) of both sides
(numpy's is what the host alone does to a kernel that does not change) and the median of the
per-fork ratios.

Usage: gemm_vs_numpy.py [--jar benchmarks/target/benchmarks.jar] [--n 1024] [--trans NN]
                        [--forks 5] [--threads 1,2] [--warmups 5] [--iterations 20] [--out DIR]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def numpy_run(n, threads, rounds):
    out = subprocess.run([sys.executable, os.path.join(HERE, "numpy_sgemm.py"), "--threads", str(threads),
                          "--sizes", str(n), "--reps", str(rounds), "--rep-seconds", "1", "--square-only"],
                         capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        m = re.search(r"threads=(\d+) shape=square\d+ .*mean_gflops=([\d.]+)", line)
        if m:
            res[int(m.group(1))] = float(m.group(2))
    return res


def jmh_run(jar, java, n, trans, forks, threads, out, tag=0, warmups=5, iterations=5):
    json_path = os.path.join(out, f"jmh_n{n}_{trans}_t{threads}_{tag}.json")
    cmd = [java, "-Djmh.ignoreLock=true", "-jar", jar, r"\.GemmBenchmark\.gemm$", "-p", f"n={n}", "-p", f"trans={trans}", "-p", "device=cpu", "-p", "mode=resident",
           "-f", str(forks), "-wi", str(warmups), "-i", str(iterations), "-w", "1", "-r", "1",
           "-jvmArgsAppend", f"-Dember.cpu.threads={threads}", "-rf", "json", "-rff", json_path]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(json_path) as f:
        data = json.load(f)
    sec = data[0]["secondaryMetrics"]
    wall = [statistics.mean(fork) for fork in sec["gflops"]["rawData"]]  # [fork][iteration]
    done = [sum(fork) for fork in sec["gflopDone"]["rawData"]]
    cpu = [sum(fork) for fork in sec["cpuSeconds"]["rawData"]]
    return [(w, d / c) for w, d, c in zip(wall, done, cpu)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="benchmarks/target/benchmarks.jar")
    ap.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java"))
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--trans", default="NN")
    ap.add_argument("--forks", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--warmups", type=int, default=5, help="JMH warm-up iterations of 1 s per fork")
    ap.add_argument("--iterations", type=int, default=20, help="measured 1 s iterations per fork (numpy: as many 1 s rounds)")
    ap.add_argument("--out", default="benchmarks/target/gemm_vs_numpy")
    args = ap.parse_args()
    if not os.path.isfile(args.jar):
        raise SystemExit(f"no {args.jar}: run from the repository root after ./ember has built it (or pass --jar)")
    os.makedirs(args.out, exist_ok=True)
    threads = [int(t) for t in args.threads.split(",")]
    for t in threads:
        rows = []
        for f in range(args.forks):
            np_gf = numpy_run(args.n, t, args.iterations)[t]
            (wall, per_cpu), = jmh_run(args.jar, args.java, args.n, args.trans, 1, t, args.out, f,
                                       args.warmups, args.iterations)
            rows.append((wall, per_cpu, np_gf))
            print(f"n={args.n} {args.trans} threads={t} fork {f + 1}: ember {wall:.1f} GFLOP/s wall, "
                  f"{per_cpu:.1f} per CPU-s | numpy {np_gf:.1f} | ratio {wall / np_gf:.2f}", flush=True)
        walls = [r[0] for r in rows]
        cpus = [r[1] for r in rows]
        nps = [r[2] for r in rows]
        med = statistics.median(walls)
        print(f"n={args.n} {args.trans} threads={t} SUMMARY: ember median {med:.1f} GFLOP/s "
              f"(fork spread {100 * (max(walls) - min(walls)) / med:.0f}%), per CPU-s median "
              f"{statistics.median(cpus):.1f} (spread {100 * (max(cpus) - min(cpus)) / statistics.median(cpus):.0f}%), "
              f"numpy median {statistics.median(nps):.1f} (spread "
              f"{100 * (max(nps) - min(nps)) / statistics.median(nps):.0f}%: the host's own share), median per-fork ratio "
              f"{statistics.median(r[0] / r[2] for r in rows):.2f}", flush=True)


if __name__ == "__main__":
    main()
